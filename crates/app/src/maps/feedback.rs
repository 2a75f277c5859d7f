//! The voice of the customer on a journey map: the feedback lane (NPS / CSAT / CES per stage with n), the
//! emotion computed from answers beside the hand-set one, real verbatims for the quotes lane, and pain points
//! ranked by **customers lost at the stage × share of negative feedback there**.
//!
//! # The computed emotion (the map's −2…+2 scale)
//! Every scored answer given at the stage is mapped — NPS s → (s − 5) / 2.5, CSAT s → s − 3, CES s →
//! (s − 4) / 1.5, each clipped to −2…+2 — and the stage's emotion is the mean of the mapped answers, with a 95 %
//! Student t interval (mean ± t(0.975, n − 1) · sd / √n) and n; under 30 answers it is marked a small sample.
//! The curve of the map's image draws it rounded to the nearest whole step.
//!
//! # The emotion from customers' words
//! Beside it, [`text_emotion`] reads the texts written at the stage (answers to "why?", reviews, tickets):
//! each text's sentiment score s (−1…1, `tropa_text::sentiment`) is mapped to 2·s on the −2…+2 scale, and the
//! stage's emotion is their mean with the same 95 % Student t interval and n (the latest 5,000 texts of the
//! period). The two are shown side by side, never blended: the scores say how customers rate the stage, the
//! words how they feel writing about it, and where either differs from the hand-set emotion the team's guess
//! is worth a second look.

use tropa_core::analysis::experiment::dist::t_ppf;
use tropa_core::analysis::feedback::score::{ScoreKind, SMALL_SAMPLE};
use tropa_core::analysis::feedback::{FeedbackReport, Scores, StageFeedback};
use tropa_core::cjm::markdown;

/// A stage's emotion computed from the answers given there.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DataEmotion {
    pub value: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub n: u64,
    pub small_sample: bool,
}

/// The mean of weighted values on the −2…+2 scale with its t interval; none without values.
fn mean_emotion(values: &[(f64, u64)]) -> Option<DataEmotion> {
    let n: u64 = values.iter().map(|v| v.1).sum();
    if n == 0 {
        return None;
    }
    let mean = values.iter().map(|(v, c)| v * *c as f64).sum::<f64>() / n as f64;
    let (low, high) = if n >= 2 {
        let ss: f64 = values.iter().map(|(v, c)| *c as f64 * (v - mean).powi(2)).sum();
        let half = t_ppf(0.975, (n - 1) as f64) * (ss / (n - 1) as f64).sqrt() / (n as f64).sqrt();
        (Some(mean - half), Some(mean + half))
    } else {
        (None, None)
    };
    Some(DataEmotion { value: mean, low, high, n, small_sample: n < SMALL_SAMPLE })
}

/// The emotion of a stage's texts from their sentiment scores (−1…1 each; see the module doc); none without
/// texts.
pub fn text_emotion(sentiments: &[f64]) -> Option<DataEmotion> {
    let values: Vec<(f64, u64)> = sentiments.iter().map(|s| ((2.0 * s).clamp(-2.0, 2.0), 1)).collect();
    mean_emotion(&values)
}

/// The computed emotion of a stage's scores (see the module doc); none without answers.
pub fn emotion(scores: &Scores) -> Option<DataEmotion> {
    let mut values: Vec<(f64, u64)> = Vec::new();
    for (kind, s) in [(ScoreKind::Nps, &scores.nps), (ScoreKind::Csat, &scores.csat), (ScoreKind::Ces, &scores.ces)] {
        let (lo, _) = kind.range();
        for (i, &c) in s.distribution.iter().enumerate() {
            if c > 0 {
                values.push((kind.emotion(f64::from(lo) + i as f64), c));
            }
        }
    }
    mean_emotion(&values)
}

/// The stage's feedback in `report`.
pub fn stage<'a>(report: &'a FeedbackReport, key: &str) -> Option<&'a StageFeedback> {
    report.stages.iter().find(|s| s.key == key)
}

/// The feedback lane's text: `NPS +34 (n = 155) · CSAT 80 % (n = 40) · CES 5.2 (n = 20)`, small samples marked.
pub fn lane_text(s: &StageFeedback, lang: &str) -> String {
    let ru = lang == "ru";
    let small = |small: bool| {
        if !small {
            ""
        } else if ru {
            ", мало ответов"
        } else {
            ", small sample"
        }
    };
    let mut parts = Vec::new();
    let sc = &s.scores;
    if let Some(v) = sc.nps.value {
        parts.push(format!("NPS {v:+.0} (n = {}{})", markdown::int(sc.nps.n, lang), small(sc.nps.small_sample)));
    }
    if let Some(v) = sc.csat.value {
        parts.push(format!(
            "CSAT {} (n = {}{})",
            markdown::percent(v / 100.0, lang),
            markdown::int(sc.csat.n, lang),
            small(sc.csat.small_sample)
        ));
    }
    if let Some(v) = sc.ces.value {
        let v = if ru { format!("{v:.1}").replace('.', ",") } else { format!("{v:.1}") };
        parts.push(format!("CES {v} (n = {}{})", markdown::int(sc.ces.n, lang), small(sc.ces.small_sample)));
    }
    if parts.is_empty() {
        return (if ru { "ответов пока нет" } else { "no answers yet" }).into();
    }
    parts.join(" · ")
}

/// The computed emotion as text: `+0.8 [+0.6; +1.0], n = 155` (a small sample marked).
pub fn emotion_text(e: &DataEmotion, lang: &str) -> String {
    let f = |v: f64| {
        let s = format!("{v:+.1}");
        if lang == "ru" {
            s.replace('.', ",")
        } else {
            s
        }
    };
    let iv = match (e.low, e.high) {
        (Some(l), Some(h)) => format!(" [{}; {}]", f(l), f(h)),
        _ => String::new(),
    };
    let small = match (e.small_sample, lang == "ru") {
        (false, _) => "",
        (true, true) => ", мало ответов",
        (true, false) => ", small sample",
    };
    format!("{}{iv}, n = {}{small}", f(e.value), markdown::int(e.n, lang))
}

/// A pain point from the answers: the stage with the largest customers lost × share of negative answers.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackPain {
    pub stage: String,
    /// Customers who did not go further than the stage.
    pub lost: u64,
    pub negative_share: f64,
    pub answers: u64,
    /// lost × negative_share: the ranking.
    pub weight: f64,
}

/// Pain points ranked by customers lost at the stage × share of negative feedback there (stages with at least
/// one answer and one customer lost; the last stage loses nobody), largest first. `lost` per stage key.
pub fn pains(report: &FeedbackReport, lost: &dyn Fn(&str) -> Option<u64>) -> Vec<FeedbackPain> {
    let mut out: Vec<FeedbackPain> = report
        .stages
        .iter()
        .filter_map(|s| {
            let share = s.negative_share?;
            let lost = lost(&s.key)?;
            let weight = lost as f64 * share;
            (weight > 0.0).then(|| FeedbackPain {
                stage: s.key.clone(),
                lost,
                negative_share: share,
                answers: s.scores.n(),
                weight,
            })
        })
        .collect();
    out.sort_by(|a, b| b.weight.total_cmp(&a.weight).then_with(|| a.stage.cmp(&b.stage)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tropa_core::analysis::feedback::score::{Hist, Score};

    fn scores(nps: &[(u32, u64)], csat: &[(u32, u64)]) -> Scores {
        let h = |v: &[(u32, u64)]| {
            let mut h = Hist::default();
            for &(s, c) in v {
                h.0[s as usize] += c;
            }
            h
        };
        Scores {
            nps: Score::new(ScoreKind::Nps, &h(nps)),
            csat: Score::new(ScoreKind::Csat, &h(csat)),
            ces: Score::new(ScoreKind::Ces, &Hist::default()),
        }
    }

    #[test]
    fn the_emotion_is_the_mean_of_the_mapped_answers() {
        // NPS 10 → +2, NPS 0 → −2, CSAT 4 → +1: mean 1/3
        let e = emotion(&scores(&[(10, 1), (0, 1)], &[(4, 1)])).unwrap();
        assert!((e.value - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!((e.n, e.small_sample), (3, true));
        let ss = (2.0 - 1.0 / 3.0_f64).powi(2) + (-2.0 - 1.0 / 3.0_f64).powi(2) + (1.0 - 1.0 / 3.0_f64).powi(2);
        let half = t_ppf(0.975, 2.0) * (ss / 2.0).sqrt() / 3.0_f64.sqrt();
        assert!((e.high.unwrap() - (1.0 / 3.0 + half)).abs() < 1e-9);
        assert!(emotion(&scores(&[], &[])).is_none());
        // the texts: sentiment −0.5, 0.25, 1 → −1, 0.5, 2 on the map's scale
        let t = text_emotion(&[-0.5, 0.25, 1.0]).unwrap();
        assert!((t.value - 0.5).abs() < 1e-12);
        let ss = 1.5_f64.powi(2) + 1.5_f64.powi(2);
        let half = t_ppf(0.975, 2.0) * (ss / 2.0).sqrt() / 3.0_f64.sqrt();
        assert!((t.low.unwrap() - (0.5 - half)).abs() < 1e-9 && t.n == 3 && t.small_sample);
        assert!(text_emotion(&[]).is_none());
        assert_eq!(
            lane_text(
                &StageFeedback {
                    key: "k".into(),
                    names: tropa_core::analysis::stages::LocalName { en: "k".into(), ru: "k".into() },
                    reached: 3,
                    respondents: 3,
                    response_rate: None,
                    negative_share: None,
                    texts: 0,
                    scores: scores(&[(10, 1), (0, 1)], &[(4, 1)]),
                },
                "en"
            ),
            "NPS +0 (n = 2, small sample) · CSAT 100.0% (n = 1, small sample)"
        );
    }
}
