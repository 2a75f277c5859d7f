//! Distinctive phrases: the stems and stem pairs a group of texts (detractors at Purchase) uses more than
//! the rest, by weighted log-odds with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008,
//! "Fightin' Words", eq. 22).
//!
//! Terms: each text's words lose stop words (embedded `data/stopwords_*.txt`), numbers and one-letter
//! words; every remaining word gives its stem as a unigram; two such words in a row (no stop word or
//! punctuation between) give a bigram `stem stem`; a negator (`не`, `not`, `no`, `без`, `never`…) gives
//! no unigram but starts a bigram (`не понрав`). Counts `y` are occurrences over all texts, unigrams and
//! bigrams in one vocabulary; `n` is the total of a side.
//! With `i` the group and `j` the rest, the prior is the pooled counts `α_w = y_w^i + y_w^j`,
//! `α_0 = n_i + n_j`, and
//! `δ_w = ln((y_w^i + α_w) / (n_i + α_0 − y_w^i − α_w)) − ln((y_w^j + α_w) / (n_j + α_0 − y_w^j − α_w))`,
//! `σ²_w = 1/(y_w^i + α_w) + 1/(y_w^j + α_w)`, `z_w = δ_w / σ_w`.
//! The result: the `k` terms with the largest positive `z` among those the group uses at least twice
//! (ties by term), each with its most frequent surface form in the group (`доставку ждали`).
//! Checked against an independent numpy computation (tests/reference/test_sentiment_reference.py).

use std::sync::OnceLock;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::stem::stem;
use crate::token::{tokenize, TokenKind};

/// A term distinctive of a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phrase {
    /// The stem or the two stems joined by a space (`достав`, `не понрав`).
    pub term: String,
    /// How the group most often wrote it (`доставку`, `не понравилось`).
    pub surface: String,
    /// The z-score of the log-odds difference.
    pub z: f64,
    /// The log-odds difference δ.
    pub delta: f64,
    /// Occurrences in the group.
    pub group_count: u64,
    /// Occurrences in the rest.
    pub rest_count: u64,
}

const NEGATORS: &[&str] = &["не", "нет", "ни", "без", "никогда", "not", "no", "never", "without", "cannot"];

pub(crate) fn stop_words() -> &'static FxHashSet<&'static str> {
    static STOP: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    STOP.get_or_init(|| {
        [include_str!("../data/stopwords_en.txt"), include_str!("../data/stopwords_ru.txt")]
            .into_iter()
            .flat_map(|f| f.lines().filter(|l| !l.starts_with('#')).flat_map(str::split_whitespace))
            .collect()
    })
}

/// The terms of one text with their surface forms, in order.
pub(crate) fn terms(text: &str) -> Vec<(String, String)> {
    let stop = stop_words();
    let mut out = Vec::new();
    // the previous word that can start a bigram: (stem, surface)
    let mut prev: Option<(String, String)> = None;
    for t in tokenize(text) {
        if t.kind != TokenKind::Word {
            prev = None;
            continue;
        }
        let w = t.text;
        let negator = NEGATORS.contains(&w.as_str()) || w.ends_with("n't");
        if negator {
            prev = Some((if w.ends_with("n't") { "not".to_string() } else { w.clone() }, w));
            continue;
        }
        if stop.contains(w.as_str()) || w.chars().count() < 2 {
            prev = None;
            continue;
        }
        let s = stem(&w).into_owned();
        if let Some((ps, pw)) = prev.take() {
            out.push((format!("{ps} {s}"), format!("{pw} {w}")));
        }
        out.push((s.clone(), w.clone()));
        prev = Some((s, w));
    }
    out
}

fn count(
    texts: &[&str],
    surfaces: Option<&mut FxHashMap<String, FxHashMap<String, u64>>>,
) -> (FxHashMap<String, u64>, u64) {
    let mut counts: FxHashMap<String, u64> = FxHashMap::default();
    let mut total = 0;
    let mut surfaces = surfaces;
    for text in texts {
        for (term, surface) in terms(text) {
            total += 1;
            if let Some(s) = surfaces.as_deref_mut() {
                *s.entry(term.clone()).or_default().entry(surface).or_default() += 1;
            }
            *counts.entry(term).or_default() += 1;
        }
    }
    (counts, total)
}

/// The `k` terms most distinctive of `group` against `rest` (see the module doc).
pub fn distinctive_phrases(group: &[&str], rest: &[&str], k: usize) -> Vec<Phrase> {
    let mut surfaces = FxHashMap::default();
    let (yi, ni) = count(group, Some(&mut surfaces));
    let (yj, nj) = count(rest, None);
    let (ni, nj) = (ni as f64, nj as f64);
    let a0 = ni + nj;
    let mut out: Vec<Phrase> = yi
        .iter()
        .filter(|(_, &c)| c >= 2)
        .map(|(term, &ci)| {
            let cj = yj.get(term).copied().unwrap_or(0);
            let (yiw, yjw) = (ci as f64, cj as f64);
            let a = yiw + yjw;
            let delta = ((yiw + a) / (ni + a0 - yiw - a)).ln() - ((yjw + a) / (nj + a0 - yjw - a)).ln();
            let var = 1.0 / (yiw + a) + 1.0 / (yjw + a);
            let surface = surfaces
                .get(term)
                .and_then(|s| s.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0))))
                .map(|(s, _)| s.clone())
                .unwrap_or_else(|| term.clone());
            Phrase { term: term.clone(), surface, z: delta / var.sqrt(), delta, group_count: ci, rest_count: cj }
        })
        .filter(|p| p.z > 0.0)
        .collect();
    out.sort_by(|a, b| b.z.total_cmp(&a.z).then_with(|| a.term.cmp(&b.term)));
    out.truncate(k);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_drop_stop_words_and_pair_negators() {
        let got: Vec<String> = terms("Мне не понравилась доставка курьером.").into_iter().map(|t| t.0).collect();
        assert_eq!(got, ["не понрав", "понрав", "понрав доставк", "доставк", "доставк курьер", "курьер"]);
        let got: Vec<String> = terms("It didn't arrive on time").into_iter().map(|t| t.0).collect();
        assert_eq!(got, ["not arriv", "arriv", "time"]);
    }

    #[test]
    fn the_group_s_own_words_come_first() {
        let group = ["доставка опоздала", "доставку ждали неделю", "опоздала доставка, курьер хамил"];
        let rest = ["отличное качество", "качество хорошее, цена низкая", "цена отличная", "доставка быстрая"];
        let got = distinctive_phrases(&group, &rest, 3);
        assert_eq!(got[0].term, "опозда");
        assert_eq!(got[0].surface, "опоздала");
        assert!(got.iter().all(|p| p.z > 0.0 && p.group_count >= 2));
        assert!(got.iter().all(|p| p.term != "качеств"));
    }
}
