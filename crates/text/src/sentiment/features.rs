//! The features of one text for the sentiment model: rule-scored lexicon valence plus sparse stems.
//!
//! Lexicon valence follows VADER's rules (Hutto & Gilbert 2014): each word's valence on −4…4 (English:
//! VADER's lexicon; Russian: tropa's own lexicon over stems; emoji: tropa's own table) is raised by an
//! intensifier before it (`very`, `очень`: +0.293 in magnitude), lowered by a diminisher (`slightly`,
//! `немного`), raised by capitals (`GREAT`: +0.733), flipped and damped (× −0.74) when a negator
//! (`not`, `n't`, `не`, `нет`, `никогда`, `без`…) stands within the three words before it in the same clause
//! (`никогда не` is one negation, not two), and weighted ×0.5 before and ×1.5 after the last contrast word
//! (`but`, `however`, `но`, `однако`, `зато`). Exclamation marks add 0.292 each (at most 4) in the
//! direction of the sum. The sum `s` is squashed to `s / sqrt(s² + 15)` in −1…1.
//! Sparse features: `u:STEM` per word that is not a stop word (`u:!STEM` inside a negation scope),
//! `b:STEM STEM` per two such words in a row, `e:EMOJI`; each counted with the weight of the contrast rule (×0.5 before the last contrast word, ×1.5 after).

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::lang::Lang;
use crate::stem::stem;
use crate::token::{tokenize, TokenKind};

const NEGATORS: &[&str] = &[
    "not",
    "no",
    "never",
    "none",
    "nobody",
    "nothing",
    "neither",
    "nor",
    "nowhere",
    "cannot",
    "without",
    "hardly",
    "не",
    "нет",
    "ни",
    "никогда",
    "ничего",
    "никто",
    "нисколько",
    "ничуть",
    "без",
    "нельзя",
];
const INTENSIFIERS: &[&str] = &[
    "very",
    "really",
    "so",
    "too",
    "extremely",
    "absolutely",
    "totally",
    "completely",
    "incredibly",
    "super",
    "highly",
    "utterly",
    "truly",
    "especially",
    "most",
    "очень",
    "так",
    "такой",
    "слишком",
    "совсем",
    "абсолютно",
    "совершенно",
    "крайне",
    "невероятно",
    "реально",
    "самый",
    "супер",
    "жутко",
    "безумно",
];
const DIMINISHERS: &[&str] = &[
    "slightly",
    "somewhat",
    "barely",
    "little",
    "partly",
    "kinda",
    "немного",
    "чуть",
    "слегка",
    "частично",
    "относительно",
    "почти",
];
const CONTRASTS: &[&str] = &["but", "however", "yet", "но", "однако", "зато"];

const B_INCR: f32 = 0.293;
const C_INCR: f32 = 0.733;
const N_SCALAR: f32 = -0.74;
const EXCL_INCR: f32 = 0.292;
const ALPHA: f32 = 15.0;

/// One lexicon: valences of word forms and of stems.
#[derive(Default)]
struct Lexicon {
    words: FxHashMap<String, f32>,
    stems: FxHashMap<String, f32>,
}

impl Lexicon {
    /// Parses `word<TAB>valence` lines (`#` comments); stems are the mean valence of their forms.
    fn parse(text: &str, keep_forms: bool) -> Lexicon {
        let mut lex = Lexicon::default();
        let mut stems: FxHashMap<String, (f32, f32)> = FxHashMap::default();
        for line in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let mut cols = line.split('\t');
            let (Some(word), Some(Ok(v))) = (cols.next(), cols.next().map(|v| v.trim().parse::<f32>())) else {
                continue;
            };
            let word = word.to_lowercase().replace('ё', "е");
            let e = stems.entry(stem(&word).into_owned()).or_default();
            *e = (e.0 + v, e.1 + 1.0);
            if keep_forms {
                lex.words.insert(word, v);
            }
        }
        lex.stems = stems.into_iter().map(|(s, (sum, n))| (s, sum / n)).collect();
        lex
    }

    fn get(&self, word: &str, stem: &str) -> f32 {
        self.words.get(word).or_else(|| self.stems.get(stem)).copied().unwrap_or(0.0)
    }
}

fn lexicon(lang: Lang) -> &'static Lexicon {
    static EN: OnceLock<Lexicon> = OnceLock::new();
    static RU: OnceLock<Lexicon> = OnceLock::new();
    match lang {
        Lang::En => EN.get_or_init(|| Lexicon::parse(include_str!("../../data/lexicon_en.tsv"), true)),
        Lang::Ru => RU.get_or_init(|| Lexicon::parse(include_str!("../../data/lexicon_ru.tsv"), false)),
    }
}

fn emoji_valence(e: &str) -> f32 {
    static EMOJI: OnceLock<FxHashMap<String, f32>> = OnceLock::new();
    let table = EMOJI.get_or_init(|| {
        include_str!("../../data/emoji.tsv")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .filter_map(|(e, v)| Some((e.to_string(), v.trim().parse().ok()?)))
            .collect()
    });
    table.get(e).copied().unwrap_or(0.0)
}

fn is_negator(word: &str) -> bool {
    NEGATORS.contains(&word) || word.ends_with("n't")
}

/// The dense part of a text's features.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Dense {
    /// The squashed lexicon valence in −1…1.
    pub lex: f32,
    /// Exclamation marks, at most 3, over 3.
    pub excl: f32,
    /// Whether the text has a question mark.
    pub question: f32,
}

/// Names of the dense features in the model file, in the order of [`dense_values`].
pub(crate) const DENSE_NAMES: [&str; 5] = ["d:bias", "d:lexpos", "d:lexneg", "d:excl", "d:question"];

pub(crate) fn dense_values(d: Dense) -> [f32; 5] {
    [1.0, d.lex.max(0.0), (-d.lex).max(0.0), d.excl, d.question]
}

/// Analyses `text` in `lang`: calls `sparse(key, weight)` for each sparse feature and returns the dense
/// features.
pub(crate) fn analyse(text: &str, lang: Lang, mut sparse: impl FnMut(&str, f32)) -> Dense {
    let lex = lexicon(lang);
    let stop = crate::phrases::stop_words();
    let tokens = tokenize(text);
    let all_upper = tokens.iter().filter(|t| t.kind == TokenKind::Word).all(|t| t.upper);
    let contrast = tokens.iter().rposition(|t| t.kind == TokenKind::Word && CONTRASTS.contains(&t.text.as_str()));
    let mut key = String::with_capacity(64);
    let (mut sum, mut excl, mut question) = (0f32, 0u32, 0f32);
    let mut neg_left = 0u8;
    let mut prev_stem: Option<String> = None;
    let mut prev_words: [&str; 2] = ["", ""];
    for (i, t) in tokens.iter().enumerate() {
        let weight = match contrast {
            Some(c) if i < c => 0.5,
            Some(c) if i > c => 1.5,
            _ => 1.0,
        };
        match t.kind {
            TokenKind::Punct => {
                neg_left = 0;
                prev_stem = None;
                prev_words = ["", ""];
                excl += u32::from(t.text == "!");
                if t.text == "?" {
                    question = 1.0;
                }
            }
            TokenKind::Number => prev_stem = None,
            TokenKind::Emoji => {
                sum += emoji_valence(&t.text) * weight;
                key.clear();
                key.push_str("e:");
                key.push_str(&t.text);
                sparse(&key, weight);
                prev_stem = None;
            }
            TokenKind::Word => {
                let word = t.text.as_str();
                let s = stem(word);
                let negated = neg_left > 0;
                let content = !stop.contains(word);
                if content {
                    key.clear();
                    key.push_str(if negated { "u:!" } else { "u:" });
                    key.push_str(&s);
                    sparse(&key, weight);
                }
                if let (Some(p), true) = (&prev_stem, content) {
                    key.clear();
                    key.push_str("b:");
                    key.push_str(p);
                    key.push(' ');
                    key.push_str(&s);
                    sparse(&key, weight);
                }
                let mut v = lex.get(word, &s);
                if v != 0.0 {
                    for (dist, w) in prev_words.iter().enumerate() {
                        let decay = if dist == 0 { 1.0 } else { 0.95 };
                        if INTENSIFIERS.contains(w) {
                            v += v.signum() * B_INCR * decay;
                        } else if DIMINISHERS.contains(w) {
                            v -= v.signum() * B_INCR * decay;
                        }
                    }
                    if t.upper && !all_upper {
                        v += v.signum() * C_INCR;
                    }
                    if negated {
                        v *= N_SCALAR;
                    }
                    sum += v * weight;
                }
                if is_negator(word) {
                    neg_left = 3;
                } else {
                    neg_left = neg_left.saturating_sub(1);
                }
                prev_words = [word, prev_words[0]];
                prev_stem = content.then(|| s.into_owned());
            }
        }
    }
    if sum != 0.0 {
        sum += sum.signum() * EXCL_INCR * excl.min(4) as f32;
    }
    Dense { lex: sum / (sum * sum + ALPHA).sqrt(), excl: excl.min(3) as f32 / 3.0, question }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(text: &str) -> f32 {
        analyse(text, crate::detect_lang(text), |_, _| {}).lex
    }

    #[test]
    fn negation_intensifiers_contrast_and_emoji_move_the_lexicon_score() {
        assert!(lex("good") > 0.0);
        assert!(lex("not good") < 0.0);
        assert!(lex("very good") > lex("good"));
        assert!(lex("good!!!") > lex("good"));
        assert!(lex("понравилось") > 0.0);
        assert!(lex("не понравилось") < 0.0);
        assert!(lex("никогда не понравится") < 0.0);
        assert!(lex("очень плохо") < lex("плохо"));
        assert!(lex("хорошо, но доставка ужасная") < 0.0);
        assert!(lex("was bad but the support was great") > 0.0);
        assert!(lex("😡") < 0.0);
        assert!(lex("🙂") > 0.0);
        assert!(lex("спасибо)))") > 0.0);
    }

    #[test]
    fn sparse_features_mark_negation_and_pairs() {
        let mut keys = Vec::new();
        analyse("не понравилось, цена", Lang::Ru, |k, _| keys.push(k.to_string()));
        assert_eq!(keys, ["u:не", "u:!понрав", "b:не понрав", "u:цен"]);
    }
}
