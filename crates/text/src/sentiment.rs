//! Sentiment of a Russian or English text: negative, neutral or positive, with a score in −1…1.
//!
//! Definition: the text's language is detected ([`crate::detect_lang`]); its features (see
//! `sentiment/features.rs`: a VADER-style rule-scored lexicon valence with negation, intensifiers, "but"
//! clauses, capitals, emoji and exclamation, plus sparse stems, negated stems and stem pairs) go through
//! that language's multinomial logistic regression, embedded from `data/sentiment_ru.tsv` and
//! `data/sentiment_en.tsv`. The label is the most probable class; the score is P(positive) − P(negative).
//! The models are trained by `examples/train_sentiment.rs` (run by `scripts/build_sentiment_model.py`)
//! on data in `tests/data/sentiment` (sources and licences in `data/SOURCES.md`); the measured accuracy
//! is in the README ("Sentiment accuracy") and checked by `tests/reference/test_sentiment_reference.py`.
//! Example: `sentiment("Курьер опоздал на три часа 😡").label` is `Label::Negative`.
//! Edge cases: an empty text or one without known words is neutral near 0; a text without letters is
//! scored with the English model (emoji and emoticons are shared).

mod features;
#[doc(hidden)]
pub mod train;

use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::lang::Lang;
use features::{analyse, dense_values, DENSE_NAMES};

/// A sentiment class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    /// The customer is unhappy.
    Negative,
    /// Neither, or both in balance, or no opinion.
    Neutral,
    /// The customer is happy.
    Positive,
}

impl Label {
    /// All labels in the order of the model's classes.
    pub const ALL: [Label; 3] = [Label::Negative, Label::Neutral, Label::Positive];

    /// `negative`, `neutral` or `positive`.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Negative => "negative",
            Label::Neutral => "neutral",
            Label::Positive => "positive",
        }
    }

    /// Parses `negative`, `neutral` or `positive`.
    pub fn parse(s: &str) -> Option<Label> {
        Label::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// The sentiment of one text.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    /// The most probable class.
    pub label: Label,
    /// P(positive) − P(negative), in −1…1.
    pub score: f64,
    /// The language the text was scored in.
    pub lang: Lang,
}

/// One language's linear model: weights per feature for (negative, neutral, positive).
pub(crate) struct Model {
    weights: FxHashMap<Box<str>, [f32; 3]>,
    dense: [[f32; 3]; 5],
}

impl Model {
    /// Parses the model file: `#` comments, then `feature<TAB>w_neg<TAB>w_neu<TAB>w_pos` lines.
    pub(crate) fn parse(text: &str) -> Model {
        let mut weights = FxHashMap::default();
        let mut dense = [[0f32; 3]; 5];
        for line in text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
            let mut cols = line.split('\t');
            let Some(key) = cols.next() else { continue };
            let mut w = [0f32; 3];
            for slot in &mut w {
                *slot = cols.next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
            }
            match DENSE_NAMES.iter().position(|d| *d == key) {
                Some(i) => dense[i] = w,
                None => {
                    weights.insert(key.into(), w);
                }
            }
        }
        Model { weights, dense }
    }

    /// Class probabilities of `text` in `lang` (negative, neutral, positive).
    pub(crate) fn probabilities(&self, text: &str, lang: Lang) -> [f64; 3] {
        let mut sparse = [0f32; 3];
        let dense = analyse(text, lang, |key, value| {
            if let Some(w) = self.weights.get(key) {
                for c in 0..3 {
                    sparse[c] += w[c] * value;
                }
            }
        });
        let mut logits = [0f64; 3];
        for c in 0..3 {
            let mut z = sparse[c];
            for (v, w) in dense_values(dense).iter().zip(&self.dense) {
                z += v * w[c];
            }
            logits[c] = f64::from(z);
        }
        softmax(logits)
    }

    /// The sentiment of `text` in `lang` by this model.
    pub(crate) fn sentiment(&self, text: &str, lang: Lang) -> Sentiment {
        let p = self.probabilities(text, lang);
        let best = (0..3).fold(0, |b, c| if p[c] > p[b] { c } else { b });
        Sentiment { label: Label::ALL[best], score: (p[2] - p[0]).clamp(-1.0, 1.0), lang }
    }
}

pub(crate) fn softmax(z: [f64; 3]) -> [f64; 3] {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e = z.map(|v| (v - max).exp());
    let sum: f64 = e.iter().sum();
    e.map(|v| v / sum)
}

fn embedded(lang: Lang) -> &'static Model {
    static EN: OnceLock<Model> = OnceLock::new();
    static RU: OnceLock<Model> = OnceLock::new();
    match lang {
        Lang::En => EN.get_or_init(|| Model::parse(include_str!("../data/sentiment_en.tsv"))),
        Lang::Ru => RU.get_or_init(|| Model::parse(include_str!("../data/sentiment_ru.tsv"))),
    }
}

/// The sentiment of `text` by the embedded models (see the module doc).
pub fn sentiment(text: &str) -> Sentiment {
    let lang = crate::detect_lang(text);
    embedded(lang).sentiment(text, lang)
}

#[cfg(test)]
mod tests;
