//! Score scales and their statistics: NPS (0–10), CSAT (1–5), CES (1–7), each kept as a histogram of integer
//! answers, so partial results merge exactly and every statistic is computed once at the end.
//!
//! # Definitions (95 % intervals)
//! - **NPS** = 100 · (p₊ − p₋), p₊ the share of promoters (9–10), p₋ of detractors (0–6) among the n answers.
//!   Interval: **Wald**, NPS ± z · 100 · √((p₊ + p₋ − (p₊ − p₋)²) / n), z = 1.959964 (the normal 97.5 % quantile);
//!   not clipped, so with few answers it may pass ±100 — which is why small samples are marked.
//! - **CSAT** = 100 · (share of answers 4–5 on 1–5). Interval: **Wilson** score interval for that share.
//! - **CES** = the mean answer on 1–7. Interval: **Student t**, mean ± t(0.975, n − 1) · s / √n, s the sample
//!   standard deviation (none for n < 2).
//!
//! A score is marked `small_sample` when n < [`SMALL_SAMPLE`] (30): shown, never hidden. References: scipy
//! (`scipy.stats.norm`, `scipy.stats.t`, `binomtest(...).proportion_ci("wilson")`) in
//! `tests/reference/test_feedback_reference.py`.

use serde::Serialize;

use crate::analysis::experiment::dist::t_ppf;

/// Below this many answers a score is marked as a small sample.
pub const SMALL_SAMPLE: u64 = 30;
/// The normal distribution's 97.5 % quantile.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The scale of a scored answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreKind {
    /// 0–10, "how likely are you to recommend us".
    Nps,
    /// 1–5, "how satisfied are you".
    Csat,
    /// 1–7, "how easy was it".
    Ces,
}

impl ScoreKind {
    pub const ALL: [ScoreKind; 3] = [ScoreKind::Nps, ScoreKind::Csat, ScoreKind::Ces];

    pub fn parse(s: &str) -> Option<ScoreKind> {
        match s {
            "nps" => Some(ScoreKind::Nps),
            "csat" => Some(ScoreKind::Csat),
            "ces" => Some(ScoreKind::Ces),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ScoreKind::Nps => "nps",
            ScoreKind::Csat => "csat",
            ScoreKind::Ces => "ces",
        }
    }

    /// The lowest and highest answer.
    pub fn range(self) -> (u32, u32) {
        match self {
            ScoreKind::Nps => (0, 10),
            ScoreKind::Csat => (1, 5),
            ScoreKind::Ces => (1, 7),
        }
    }

    /// The answer as an integer on this scale, if it is one.
    pub fn check(self, v: f64) -> Option<u32> {
        let (lo, hi) = self.range();
        (v.fract() == 0.0 && v >= lo as f64 && v <= hi as f64).then_some(v as u32)
    }

    /// Whether an answer counts as negative feedback: an NPS detractor (0–6), CSAT 1–2, CES 1–2 (hard).
    pub fn negative(self, s: u32) -> bool {
        match self {
            ScoreKind::Nps => s <= 6,
            ScoreKind::Csat | ScoreKind::Ces => s <= 2,
        }
    }

    /// The answer on the journey map's emotion scale −2…+2: NPS (s − 5) / 2.5, CSAT s − 3, CES (s − 4) / 1.5.
    pub fn emotion(self, s: f64) -> f64 {
        let v = match self {
            ScoreKind::Nps => (s - 5.0) / 2.5,
            ScoreKind::Csat => s - 3.0,
            ScoreKind::Ces => (s - 4.0) / 1.5,
        };
        v.clamp(-2.0, 2.0)
    }
}

/// How many answers had each value 0..=10 (a scale uses the values of its range).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hist(pub [u64; 11]);

impl Hist {
    pub fn add(&mut self, v: u32) {
        if let Some(c) = self.0.get_mut(v as usize) {
            *c += 1;
        }
    }

    pub fn merge(&mut self, o: &Hist) {
        for (a, b) in self.0.iter_mut().zip(o.0) {
            *a += b;
        }
    }

    pub fn n(&self) -> u64 {
        self.0.iter().sum()
    }

    fn count(&self, r: std::ops::RangeInclusive<usize>) -> u64 {
        self.0[r].iter().sum()
    }
}

/// One score with its interval (see the module doc).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub kind: ScoreKind,
    /// Answers.
    pub n: u64,
    /// NPS and CSAT in points (−100…100, 0…100), CES as the mean; none without answers.
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub small_sample: bool,
    /// NPS: promoters (9–10), passives (7–8), detractors (0–6); CSAT: satisfied (4–5), neutral (3),
    /// dissatisfied (1–2); CES: easy (6–7), neutral (3–5), hard (1–2).
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
    /// Mean answer on the map's emotion scale −2…+2 ([`ScoreKind::emotion`] of the mean).
    pub emotion: Option<f64>,
    /// Answers per value, from the scale's lowest to its highest.
    pub distribution: Vec<u64>,
}

impl Score {
    pub fn new(kind: ScoreKind, h: &Hist) -> Score {
        let n = h.n();
        let (lo, hi) = kind.range();
        let distribution = h.0[lo as usize..=hi as usize].to_vec();
        let (negative, neutral, positive) = match kind {
            ScoreKind::Nps => (h.count(0..=6), h.count(7..=8), h.count(9..=10)),
            ScoreKind::Csat => (h.count(1..=2), h.count(3..=3), h.count(4..=5)),
            ScoreKind::Ces => (h.count(1..=2), h.count(3..=5), h.count(6..=7)),
        };
        let mean = (n > 0).then(|| h.0.iter().enumerate().map(|(v, &c)| v as f64 * c as f64).sum::<f64>() / n as f64);
        let (value, low, high) = match (kind, n) {
            (_, 0) => (None, None, None),
            (ScoreKind::Nps, _) => {
                let (pp, pm) = (positive as f64 / n as f64, negative as f64 / n as f64);
                let d = pp - pm;
                let se = ((pp + pm - d * d).max(0.0) / n as f64).sqrt();
                (Some(100.0 * d), Some(100.0 * (d - Z95 * se)), Some(100.0 * (d + Z95 * se)))
            }
            (ScoreKind::Csat, _) => {
                let (l, u) = wilson(positive, n);
                (Some(100.0 * positive as f64 / n as f64), Some(100.0 * l), Some(100.0 * u))
            }
            (ScoreKind::Ces, _) => {
                let m = mean.unwrap_or(0.0);
                if n < 2 {
                    (Some(m), None, None)
                } else {
                    let ss: f64 = h.0.iter().enumerate().map(|(v, &c)| c as f64 * (v as f64 - m).powi(2)).sum();
                    let s = (ss / (n - 1) as f64).sqrt();
                    let half = t_ppf(0.975, (n - 1) as f64) * s / (n as f64).sqrt();
                    (Some(m), Some(m - half), Some(m + half))
                }
            }
        };
        Score {
            kind,
            n,
            value,
            low,
            high,
            small_sample: n < SMALL_SAMPLE,
            positive,
            neutral,
            negative,
            emotion: mean.map(|m| kind.emotion(m)),
            distribution,
        }
    }
}

/// The Wilson score interval (95 %) of `k` successes in `n` trials.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (n, p, z2) = (n as f64, k as f64 / n as f64, Z95 * Z95);
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hist(values: &[(u32, u64)]) -> Hist {
        let mut h = Hist::default();
        for &(v, c) in values {
            h.0[v as usize] += c;
        }
        h
    }

    #[test]
    fn t_quantiles_match_tables() {
        // scipy.stats.t.ppf(0.975, df)
        for (df, want) in [
            (1.0, 12.706_204_736_174_7),
            (4.0, 2.776_445_105_197_793),
            (29.0, 2.045_229_642_132_703),
            (1000.0, 1.962_339_080_826_408),
        ] {
            assert!((t_ppf(0.975, df) - want).abs() < 1e-9, "df {df}: {}", t_ppf(0.975, df));
        }
    }

    #[test]
    fn nps_counts_promoters_minus_detractors_with_a_wald_interval() {
        // 5 promoters, 3 passives, 2 detractors: NPS 30, var = (0.5 + 0.2 − 0.09) / 10
        let s = Score::new(ScoreKind::Nps, &hist(&[(10, 3), (9, 2), (8, 2), (7, 1), (6, 1), (0, 1)]));
        assert_eq!((s.n, s.positive, s.neutral, s.negative), (10, 5, 3, 2));
        assert!((s.value.unwrap() - 30.0).abs() < 1e-12);
        let se = (0.61_f64 / 10.0).sqrt();
        assert!((s.low.unwrap() - 100.0 * (0.3 - Z95 * se)).abs() < 1e-9);
        assert!(s.small_sample);
        assert_eq!(s.distribution.len(), 11);
    }

    #[test]
    fn csat_and_ces() {
        let c = Score::new(ScoreKind::Csat, &hist(&[(5, 6), (4, 2), (3, 1), (1, 1)]));
        assert_eq!((c.value, c.positive, c.negative, c.distribution.clone()), (Some(80.0), 8, 1, vec![1, 0, 1, 2, 6]));
        let (l, u) = wilson(8, 10);
        assert!((l - 0.490_162_471_536_641_8).abs() < 1e-12 && (u - 0.943_317_848_545_624_8).abs() < 1e-12, "{l} {u}");
        let e = Score::new(ScoreKind::Ces, &hist(&[(7, 2), (5, 1), (3, 1)]));
        assert_eq!(e.value, Some(5.5));
        let half = t_ppf(0.975, 3.0) * (11.0_f64 / 3.0).sqrt() / 2.0;
        assert!((e.high.unwrap() - (5.5 + half)).abs() < 1e-9);
        assert_eq!(Score::new(ScoreKind::Ces, &Hist::default()).value, None);
        assert_eq!(ScoreKind::Nps.check(10.0), Some(10));
        assert_eq!(ScoreKind::Csat.check(0.0), None);
        assert_eq!(ScoreKind::Ces.check(2.5), None);
    }
}
