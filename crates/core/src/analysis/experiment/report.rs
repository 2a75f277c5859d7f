//! The experiment's report from the fold's sums: per variant the customers exposed (and those seen in two
//! variants), the sample-ratio check against the intended split, and per metric each treatment against the
//! control with every statistic of [`super::request`]; p-values corrected by Holm across treatments × metrics
//! (primary and guardrails); the cumulative per-day relative lift of the first metric for the lift chart.
//! Problems with the input are named: no exposures, a single variant, exposures after the conversion, variants
//! the definition does not know.

use serde::Serialize;

use super::bayes::{self, BayesEffect};
use super::checks::{self, Correction, Srm};
use super::fold::{ExperimentAcc, ExperimentSpec, MetricDef};
use super::frequentist::{self, Effect, Scale};
use super::request::Outcome;
use super::sample::{self, MetricKind, Moments, Sample};
use super::StatsError;

/// Settings of the evaluation.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub alpha: f64,
    pub tuning: f64,
    /// Intended split, one weight per variant.
    pub weights: Vec<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VariantRow {
    pub name: String,
    pub customers: u64,
    pub mixed: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MetricComparison {
    pub variant: String,
    pub z: Option<Outcome<Effect>>,
    pub absolute: Outcome<Effect>,
    pub relative: Outcome<Effect>,
    pub sequential_relative: Outcome<Effect>,
    pub bayes_relative: Outcome<BayesEffect>,
    pub beta_binomial: Option<Outcome<BayesEffect>>,
    pub cuped_relative: Outcome<Effect>,
    /// Holm-adjusted p-value of the relative lift (across treatments and metrics).
    pub p_adjusted: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MetricRow {
    pub index: usize,
    pub samples: Vec<Sample>,
    pub converted_before: Vec<u64>,
    pub comparisons: Vec<MetricComparison>,
}

/// One day of the cumulative lift chart (first metric, first treatment).
#[derive(Debug, Clone, Serialize)]
pub struct LiftPoint {
    pub day: i64,
    pub control: f64,
    pub treatment: f64,
    pub lift: Outcome<Effect>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExperimentReport {
    pub variants: Vec<VariantRow>,
    pub unknown_variants: Vec<(String, u64)>,
    pub srm: Outcome<Srm>,
    pub metrics: Vec<MetricRow>,
    pub lift: Vec<LiftPoint>,
    /// Problems worth a warning, in words.
    pub problems: Vec<String>,
}

/// The report; an error when nobody was exposed.
pub fn report(spec: &ExperimentSpec, acc: &ExperimentAcc, ev: &Evaluation) -> Result<ExperimentReport, StatsError> {
    let total: u64 = acc.variants.iter().map(|v| v.customers).sum();
    if total == 0 {
        return Err(StatsError::NoExposures);
    }
    let mut problems = Vec::new();
    let exposed: Vec<&str> =
        spec.variants.iter().zip(&acc.variants).filter(|(_, v)| v.customers > 0).map(|(n, _)| n.as_str()).collect();
    if exposed.len() < 2 {
        problems.push(format!("only variant {} has exposures: nothing to compare", exposed.join(", ")));
    }
    let mixed: u64 = acc.variants.iter().map(|v| v.mixed).sum();
    if mixed > 0 {
        problems.push(format!("{mixed} customers were seen in two variants; each counts in their first"));
    }
    let overlapping: u64 = acc.variants.iter().map(|v| v.overlapping).sum();
    if overlapping > 0 {
        problems.push(format!(
            "{overlapping} customers were also exposed to another experiment in the same period; their results mix both"
        ));
    }
    for (name, n) in &acc.unknown_variants {
        problems.push(format!("{n} exposures name variant '{name}', which the experiment does not define"));
    }
    let observed: Vec<f64> = acc.variants.iter().map(|v| v.customers as f64).collect();
    let srm: Outcome<Srm> = checks::srm(&observed, &ev.weights).into();
    let mut metrics = Vec::new();
    let mut pvals = Vec::new();
    for (m, def) in spec.metrics.iter().enumerate() {
        let kind = if def.is_proportion() { MetricKind::Proportion } else { MetricKind::Mean };
        let samples: Vec<Sample> = acc.variants.iter().map(|v| Sample::of(kind, &v.metrics[m].post)).collect();
        let converted_before: Vec<u64> = acc.variants.iter().map(|v| v.converted_before[m]).collect();
        let before: u64 = converted_before.iter().sum();
        if before > 0 {
            problems.push(format!(
                "metric {}: {before} customers converted only before their exposure; they count as not converted",
                m + 1
            ));
        }
        let a = &samples[0];
        let comparisons = (1..samples.len())
            .map(|i| {
                let b = &samples[i];
                let proportion = kind == MetricKind::Proportion;
                let (xa, xb) = ((a.mean * a.n).round(), (b.mean * b.n).round());
                let (ca, cb, _) = sample::cuped(kind, &acc.variants[0].metrics[m], &acc.variants[i].metrics[m]);
                let relative: Outcome<Effect> = frequentist::welch(a, b, Scale::Relative, ev.alpha).into();
                if let Outcome::Ok(e) = &relative {
                    pvals.push((metrics.len(), i - 1, e.p_value));
                }
                MetricComparison {
                    variant: spec.variants[i].clone(),
                    z: proportion.then(|| frequentist::two_proportion_z(xa, a.n, xb, b.n, ev.alpha).into()),
                    absolute: frequentist::welch(a, b, Scale::Absolute, ev.alpha).into(),
                    relative,
                    sequential_relative: frequentist::sequential(a, b, Scale::Relative, ev.alpha, ev.tuning).into(),
                    bayes_relative: bayes::normal(a, b, Scale::Relative, ev.alpha, None).into(),
                    beta_binomial: proportion.then(|| bayes::beta_binomial(xa, a.n, xb, b.n, ev.alpha).into()),
                    cuped_relative: frequentist::welch(&ca, &cb, Scale::Relative, ev.alpha).into(),
                    p_adjusted: None,
                }
            })
            .collect();
        metrics.push(MetricRow { index: m, samples, converted_before, comparisons });
    }
    let adjusted = checks::adjust(&pvals.iter().map(|p| p.2).collect::<Vec<_>>(), Correction::Holm);
    for ((m, c, _), p) in pvals.iter().zip(adjusted) {
        metrics[*m].comparisons[*c].p_adjusted = Some(p);
    }
    Ok(ExperimentReport {
        variants: spec
            .variants
            .iter()
            .zip(&acc.variants)
            .map(|(n, v)| VariantRow { name: n.clone(), customers: v.customers, mixed: v.mixed })
            .collect(),
        unknown_variants: acc.unknown_variants.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        srm,
        lift: lift(spec, acc, ev),
        metrics,
        problems,
    })
}

fn lift(spec: &ExperimentSpec, acc: &ExperimentAcc, ev: &Evaluation) -> Vec<LiftPoint> {
    let (Some(def), true) = (spec.metrics.first(), acc.variants.len() >= 2) else { return Vec::new() };
    let kind = if matches!(def, MetricDef::Conversion { .. } | MetricDef::Retention { .. }) {
        MetricKind::Proportion
    } else {
        MetricKind::Mean
    };
    let mut days: Vec<i64> = acc.variants[0].days.keys().chain(acc.variants[1].days.keys()).copied().collect();
    days.sort_unstable();
    days.dedup();
    let (mut ca, mut cb) = (Moments::default(), Moments::default());
    days.into_iter()
        .map(|day| {
            if let Some(d) = acc.variants[0].days.get(&day) {
                ca.merge(&d[0]);
            }
            if let Some(d) = acc.variants[1].days.get(&day) {
                cb.merge(&d[0]);
            }
            let (a, b) = (Sample::of(kind, &ca), Sample::of(kind, &cb));
            LiftPoint {
                day,
                control: a.mean,
                treatment: b.mean,
                lift: frequentist::welch(&a, &b, Scale::Relative, ev.alpha).into(),
            }
        })
        .collect()
}
