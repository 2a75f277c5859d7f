//! Builds the embedded sentiment models from the labelled data in `tests/data/sentiment`.
//!
//! `cargo run --release -p tropa-text --example train_sentiment` writes `crates/text/data/sentiment_en.tsv`
//! (trained on VADER's human-rated tweets, Amazon and movie-review snippets) and `sentiment_ru.tsv`
//! (trained on CEDR's training split), then prints accuracy and macro-F1 on the held-out sets the models
//! never saw (UCI sentiment-labelled sentences for English, CEDR's test split for Russian).
//! `--tune` instead compares a small grid of hyper-parameters on a 80/20 split of the training data only.
//! Run through `scripts/build_sentiment_model.py`, which first extracts VADER's lexicon from PyPI.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

use tropa_text::train::{train, Example, TrainOptions, TrainedModel};
use tropa_text::{Label, Lang};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/sentiment")
}

/// VADER's ground truth: `id<TAB>mean rating (−4…4)<TAB>text`; |mean| < 0.5 is neutral.
fn vader(file: &str) -> anyhow::Result<Vec<Example>> {
    let text = std::fs::read(data_dir().join(file))?;
    let text = String::from_utf8_lossy(&text);
    let mut out = Vec::new();
    for line in text.lines() {
        let mut cols = line.trim_end_matches('\r').splitn(3, '\t');
        let (Some(_), Some(mean), Some(text)) = (cols.next(), cols.next(), cols.next()) else { continue };
        let mean: f64 = mean.trim().parse()?;
        let label = if mean >= 0.5 {
            Label::Positive
        } else if mean <= -0.5 {
            Label::Negative
        } else {
            Label::Neutral
        };
        out.push(Example { text: text.to_string(), label });
    }
    Ok(out)
}

/// UCI sentiment-labelled sentences: `text<TAB>0|1`.
fn uci(file: &str) -> anyhow::Result<Vec<Example>> {
    let text = std::fs::read_to_string(data_dir().join(file))?;
    Ok(text
        .lines()
        .filter_map(|l| l.rsplit_once('\t'))
        .map(|(t, l)| Example {
            text: t.trim().to_string(),
            label: if l.trim() == "1" { Label::Positive } else { Label::Negative },
        })
        .collect())
}

/// CEDR's emotions mapped to sentiment: none → neutral; joy (0) alone → positive; sadness (1), fear (3)
/// or anger (4) without joy → negative; surprise (2) alone and joy mixed with a negative emotion are left out.
pub fn cedr(file: &str) -> anyhow::Result<Vec<Example>> {
    let mut reader = csv::Reader::from_path(data_dir().join(file))?;
    let mut out = Vec::new();
    for row in reader.records() {
        let row = row?;
        let (text, labels) = (&row[0], &row[1]);
        let set: Vec<u8> = labels
            .trim_matches(|c| c == '[' || c == ']')
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter_map(|v| v.trim().parse().ok())
            .collect();
        let joy = set.contains(&0);
        let negative = set.iter().any(|v| matches!(v, 1 | 3 | 4));
        let label = match (set.is_empty(), joy, negative) {
            (true, _, _) => Label::Neutral,
            (false, true, false) => Label::Positive,
            (false, false, true) => Label::Negative,
            _ => continue,
        };
        out.push(Example { text: text.to_string(), label });
    }
    Ok(out)
}

/// Accuracy and macro-F1 of `model` on `set`; with `binary`, a neutral answer counts as wrong.
fn metrics(model: &TrainedModel, lang: Lang, set: &[Example]) -> (f64, f64) {
    let mut confusion = [[0usize; 3]; 3];
    for ex in set {
        let got = model.sentiment(&ex.text, lang).label;
        confusion[ex.label as usize][got as usize] += 1;
    }
    let correct: usize = (0..3).map(|c| confusion[c][c]).sum();
    let present: Vec<usize> = (0..3).filter(|&c| confusion[c].iter().sum::<usize>() > 0).collect();
    let f1: f64 = present
        .iter()
        .map(|&c| {
            let tp = confusion[c][c] as f64;
            let predicted: usize = (0..3).map(|r| confusion[r][c]).sum();
            let actual: usize = confusion[c].iter().sum();
            let (p, r) = (tp / predicted.max(1) as f64, tp / actual.max(1) as f64);
            if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            }
        })
        .sum::<f64>()
        / present.len() as f64;
    (correct as f64 / set.len() as f64, f1)
}

fn main() -> anyhow::Result<()> {
    let mut en = Vec::new();
    for f in ["tweets", "amazonReviewSnippets", "movieReviewSnippets"] {
        en.extend(vader(&format!("vader_{f}_GroundTruth.txt"))?);
    }
    let ru = cedr("cedr_main_train.csv")?;
    if std::env::args().any(|a| a == "--tune") {
        for (lang, set) in [(Lang::En, &en), (Lang::Ru, &ru)] {
            // a fixed interleaving so both parts hold every source
            let (fit, dev): (Vec<_>, Vec<_>) = set.iter().cloned().enumerate().partition(|(i, _)| i % 5 != 0);
            let fit: Vec<Example> = fit.into_iter().map(|(_, e)| e).collect();
            let dev: Vec<Example> = dev.into_iter().map(|(_, e)| e).collect();
            for epochs in [6, 12, 24] {
                for rate in [0.05f32, 0.1, 0.3] {
                    for l2 in [0.0f32, 1e-5, 1e-4] {
                        let opts = TrainOptions { epochs, rate, l2, ..TrainOptions::default() };
                        let m = TrainedModel::parse(&train(&fit, lang, &opts));
                        let (acc, f1) = metrics(&m, lang, &dev);
                        println!(
                            "{} epochs={epochs} rate={rate} l2={l2}: dev acc {acc:.4} macro-F1 {f1:.4}",
                            lang.code()
                        );
                    }
                }
            }
        }
        return Ok(());
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let opts = TrainOptions::default();
    let en_model = train(&en, Lang::En, &opts);
    std::fs::write(out.join("sentiment_en.tsv"), &en_model)?;
    let ru_model = train(&ru, Lang::Ru, &opts);
    std::fs::write(out.join("sentiment_ru.tsv"), &ru_model)?;
    let mut uci_all = Vec::new();
    for f in ["amazon_cells", "yelp", "imdb"] {
        uci_all.extend(uci(&format!("uci_{f}_labelled.txt"))?);
    }
    let (acc, f1) = metrics(&TrainedModel::parse(&en_model), Lang::En, &uci_all);
    println!(
        "en: trained on {} texts; UCI sentences ({}): accuracy {acc:.4}, macro-F1 {f1:.4}",
        en.len(),
        uci_all.len()
    );
    let test = cedr("cedr_main_test.csv")?;
    let (acc, f1) = metrics(&TrainedModel::parse(&ru_model), Lang::Ru, &test);
    println!("ru: trained on {} texts; CEDR test ({}): accuracy {acc:.4}, macro-F1 {f1:.4}", ru.len(), test.len());
    Ok(())
}
