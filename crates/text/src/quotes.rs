//! Representative quotes: the texts of a group that say its distinctive phrases most strongly.
//!
//! Definition: a text is a candidate when it has at least two words and mentions at least one of the
//! given phrases (any text, when no phrases are given). Candidates are ranked by the number of distinct
//! phrases they mention, then by |sentiment score| (the strongest feeling first), then by their position.
//! A candidate is skipped when its set of stems repeats a chosen quote's (Jaccard similarity ≥ 0.8: the
//! same complaint pasted twice or reworded by one letter). Quotes longer than 280 characters are cut at a
//! word boundary with `…`. Example: the detractors' quotes for the phrases `достав`, `опозда` start with
//! "Доставка опоздала на неделю, ужасно!".

use rustc_hash::FxHashSet;
use serde::Serialize;

use crate::phrases::{terms, Phrase};
use crate::sentiment::{sentiment, Sentiment};

/// Longest quote, in characters, before it is cut.
pub const MAX_QUOTE_CHARS: usize = 280;

/// A quote chosen to represent a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quote {
    /// The text's position in the input.
    pub index: usize,
    /// The text, cut to [`MAX_QUOTE_CHARS`] at a word boundary.
    pub text: String,
    /// The text's sentiment.
    pub sentiment: Sentiment,
    /// The surface forms of the phrases it mentions.
    pub phrases: Vec<String>,
}

fn cut(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= MAX_QUOTE_CHARS {
        return text.to_string();
    }
    let head: String = text.chars().take(MAX_QUOTE_CHARS - 1).collect();
    let end = head.rfind(char::is_whitespace).filter(|&e| e > head.len() / 2).unwrap_or(head.len());
    format!("{}…", head[..end].trim_end())
}

fn jaccard(a: &FxHashSet<String>, b: &FxHashSet<String>) -> f64 {
    let inter = a.intersection(b).count() as f64;
    let union = a.union(b).count() as f64;
    if union == 0.0 {
        1.0
    } else {
        inter / union
    }
}

/// Up to `k` quotes of `texts` for `phrases` (see the module doc).
pub fn representative_quotes(texts: &[&str], phrases: &[Phrase], k: usize) -> Vec<Quote> {
    struct Candidate {
        index: usize,
        matched: Vec<String>,
        sentiment: Sentiment,
        stems: FxHashSet<String>,
    }
    let mut candidates: Vec<Candidate> = texts
        .iter()
        .enumerate()
        .filter_map(|(index, text)| {
            let ts = terms(text);
            let stems: FxHashSet<String> =
                ts.iter().filter(|(t, _)| !t.contains(' ')).map(|(t, _)| t.clone()).collect();
            let words = crate::tokenize(text).iter().filter(|t| t.kind == crate::TokenKind::Word).count();
            if words < 2 {
                return None;
            }
            let matched: Vec<String> =
                phrases.iter().filter(|p| ts.iter().any(|(t, _)| *t == p.term)).map(|p| p.surface.clone()).collect();
            if matched.is_empty() && !phrases.is_empty() {
                return None;
            }
            Some(Candidate { index, matched, sentiment: sentiment(text), stems })
        })
        .collect();
    candidates.sort_by(|a, b| {
        b.matched
            .len()
            .cmp(&a.matched.len())
            .then_with(|| b.sentiment.score.abs().total_cmp(&a.sentiment.score.abs()))
            .then_with(|| a.index.cmp(&b.index))
    });
    let mut chosen: Vec<Candidate> = Vec::new();
    for c in candidates {
        if chosen.len() >= k {
            break;
        }
        if chosen.iter().all(|q| jaccard(&q.stems, &c.stems) < 0.8) {
            chosen.push(c);
        }
    }
    chosen
        .into_iter()
        .map(|c| Quote { index: c.index, text: cut(texts[c.index]), sentiment: c.sentiment, phrases: c.matched })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phrases::distinctive_phrases;

    #[test]
    fn quotes_mention_the_phrases_strongest_first_without_repeats() {
        let group = [
            "Доставка опоздала на неделю, ужасно!",
            "Доставка опоздала на неделю, ужасно!!",
            "доставка опоздала",
            "ок",
            "Товар нормальный",
        ];
        let rest = ["Отличное качество", "Цена хорошая"];
        let phrases = distinctive_phrases(&group, &rest, 5);
        let quotes = representative_quotes(&group, &phrases, 3);
        assert!(quotes[0].index <= 1, "{quotes:?}");
        assert_eq!(quotes.iter().filter(|q| q.index <= 1).count(), 1, "the repeat is skipped: {quotes:?}");
        assert!(quotes.iter().all(|q| q.index != 3), "too short");
        assert!(quotes.iter().all(|q| !q.phrases.is_empty()));
    }

    #[test]
    fn long_texts_are_cut_at_a_word() {
        let long = "очень долгая доставка ".repeat(30);
        let q = cut(&long);
        assert!(q.chars().count() <= MAX_QUOTE_CHARS);
        assert!(q.ends_with("доставка…") || q.ends_with("долгая…") || q.ends_with("очень…"));
    }
}
