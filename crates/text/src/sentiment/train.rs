//! Training of the sentiment models (used by `examples/train_sentiment.rs`, not at run time).
//!
//! Multinomial logistic regression over the features of `features.rs`, fitted by AdaGrad with L2 and
//! class weights inversely proportional to class frequency (so the three classes count alike, as in
//! macro-F1), in a fixed order shuffled by a seeded xorshift: the same data gives the same model file.
//! Features seen in fewer than `min_count` training texts are dropped; weights are written with 4 decimals
//! and features whose largest weight is below `prune` in magnitude are left out of the file.

use rustc_hash::FxHashMap;

use super::features::{analyse, dense_values, DENSE_NAMES};
use super::{softmax, Label, Model, Sentiment};
use crate::lang::Lang;

/// One labelled training text.
#[derive(Debug, Clone)]
pub struct Example {
    /// The text.
    pub text: String,
    /// Its label.
    pub label: Label,
}

/// Hyper-parameters of the fit.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Passes over the data.
    pub epochs: usize,
    /// AdaGrad's base rate.
    pub rate: f32,
    /// L2 penalty per step on the weights touched.
    pub l2: f32,
    /// Texts a feature must appear in to be kept.
    pub min_count: usize,
    /// Smallest largest-weight magnitude written to the file.
    pub prune: f32,
    /// Seed of the shuffle.
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions { epochs: 24, rate: 0.1, l2: 1e-4, min_count: 2, prune: 0.005, seed: 14 }
    }
}

struct Row {
    sparse: Vec<(usize, f32)>,
    dense: [f32; 5],
    class: usize,
}

fn class_of(label: Label) -> usize {
    Label::ALL.iter().position(|l| *l == label).unwrap_or(1)
}

/// Fits a model for `lang` on `examples`; returns the model file's text.
pub fn train(examples: &[Example], lang: Lang, opts: &TrainOptions) -> String {
    let mut docs: FxHashMap<String, usize> = FxHashMap::default();
    for ex in examples {
        let mut seen: Vec<String> = Vec::new();
        analyse(&ex.text, lang, |k, _| seen.push(k.to_string()));
        seen.sort();
        seen.dedup();
        for k in seen {
            *docs.entry(k).or_default() += 1;
        }
    }
    let mut names: Vec<String> = docs.into_iter().filter(|(_, n)| *n >= opts.min_count).map(|(k, _)| k).collect();
    names.sort();
    let index: FxHashMap<&str, usize> = names.iter().enumerate().map(|(i, k)| (k.as_str(), i)).collect();
    let rows: Vec<Row> = examples
        .iter()
        .map(|ex| {
            let mut acc: FxHashMap<usize, f32> = FxHashMap::default();
            let dense = analyse(&ex.text, lang, |k, v| {
                if let Some(&i) = index.get(k) {
                    *acc.entry(i).or_default() += v;
                }
            });
            let mut sparse: Vec<(usize, f32)> = acc.into_iter().collect();
            sparse.sort_by_key(|(i, _)| *i);
            Row { sparse, dense: dense_values(dense), class: class_of(ex.label) }
        })
        .collect();
    let mut counts = [0f32; 3];
    for r in &rows {
        counts[r.class] += 1.0;
    }
    let total: f32 = counts.iter().sum();
    let class_weight = counts.map(|c| if c > 0.0 { total / (3.0 * c) } else { 0.0 });
    let mut w = vec![[0f32; 3]; names.len()];
    let mut g2 = vec![[1e-6f32; 3]; names.len()];
    let mut wd = [[0f32; 3]; 5];
    let mut gd = [[1e-6f32; 3]; 5];
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let mut state = opts.seed.max(1);
    for _ in 0..opts.epochs {
        for i in (1..order.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            order.swap(i, (state % (i as u64 + 1)) as usize);
        }
        for &r in &order {
            let row = &rows[r];
            let mut z = [0f64; 3];
            for c in 0..3 {
                let mut s = 0f32;
                for &(j, x) in &row.sparse {
                    s += w[j][c] * x;
                }
                for (k, x) in row.dense.iter().enumerate() {
                    s += wd[k][c] * x;
                }
                z[c] = f64::from(s);
            }
            let p = softmax(z);
            for c in 0..3 {
                let target = if c == row.class { 1.0 } else { 0.0 };
                let g = (p[c] as f32 - target) * class_weight[row.class];
                for &(j, x) in &row.sparse {
                    let grad = g * x + opts.l2 * w[j][c];
                    g2[j][c] += grad * grad;
                    w[j][c] -= opts.rate * grad / g2[j][c].sqrt();
                }
                for (k, x) in row.dense.iter().enumerate() {
                    let grad = g * x;
                    gd[k][c] += grad * grad;
                    wd[k][c] -= opts.rate * grad / gd[k][c].sqrt();
                }
            }
        }
    }
    let mut out = format!(
        "# tropa-text sentiment model, lang={}, {} texts, built by examples/train_sentiment.rs; do not edit\n",
        lang.code(),
        rows.len()
    );
    for (name, w) in DENSE_NAMES.iter().zip(&wd) {
        out.push_str(&format!("{name}\t{:.4}\t{:.4}\t{:.4}\n", w[0], w[1], w[2]));
    }
    for (name, w) in names.iter().zip(&w) {
        if w.iter().any(|v| v.abs() >= opts.prune) {
            out.push_str(&format!("{name}\t{:.4}\t{:.4}\t{:.4}\n", w[0], w[1], w[2]));
        }
    }
    out
}

/// A model parsed from a model file, to evaluate one before it is embedded.
pub struct TrainedModel(Model);

impl TrainedModel {
    /// Parses a model file written by [`train`].
    pub fn parse(text: &str) -> TrainedModel {
        TrainedModel(Model::parse(text))
    }

    /// The sentiment of `text`, scored in `lang`.
    pub fn sentiment(&self, text: &str, lang: Lang) -> Sentiment {
        self.0.sentiment(text, lang)
    }
}
