//! The experiment's report from the fold's sums: per variant the customers exposed (and those seen in two
//! variants), the sample-ratio check against the intended split, and per metric each treatment against the
//! control with every statistic of [`super::request`]; p-values corrected by Holm across treatments × metrics
//! (primary and guardrails); the cumulative per-day relative lift of the first metric for the lift chart.
//! Problems with the input are named: no exposures, a single variant, exposures after the conversion, variants
//! the definition does not know.

use serde::Serialize;

use super::bayes::{self, BayesEffect};
use super::checks::{self, Correction, Srm};
use super::fold::{ExperimentAcc, ExperimentSpec};
use super::frequentist::{self, Effect, Scale};
use super::journey::{journey, JourneyReport};
use super::request::Outcome;
use super::sample::{self, CovariateSums, MetricKind, Moments, RatioSums, Sample};
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
    /// The value each customer's metric was capped at (a percentile's value over all variants, or the fixed cap).
    pub cap: Option<f64>,
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
    /// The stages of the journey and the funnel per variant ([`super::journey`]).
    pub journey: Option<JourneyReport>,
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
        let (sums, cap) = capped(spec, acc, m)?;
        let samples: Vec<Sample> = sums
            .iter()
            .map(|c| {
                if def.is_ratio() {
                    Sample::ratio(&RatioSums { numerator: c.post, denominator: c.pre, sum_products: c.sum_products })
                } else {
                    Sample::of(kind, &c.post)
                }
            })
            .collect();
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
                let (ca, cb, _) = sample::cuped(kind, &sums[0], &sums[i]);
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
                    cuped_relative: if def.is_ratio() {
                        Outcome::Err { error: "a ratio metric has no pre-exposure covariate".into() }
                    } else {
                        frequentist::welch(&ca, &cb, Scale::Relative, ev.alpha).into()
                    },
                    p_adjusted: None,
                }
            })
            .collect();
        metrics.push(MetricRow { index: m, cap, samples, converted_before, comparisons });
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
        journey: journey(spec, acc, ev.alpha),
        metrics,
        problems,
    })
}

/// Each variant's sums of metric `m`, its per-customer values capped when the metric has a cap (the covariate
/// too, at the same value), and the cap's value.
fn capped(
    spec: &ExperimentSpec,
    acc: &ExperimentAcc,
    m: usize,
) -> Result<(Vec<CovariateSums>, Option<f64>), StatsError> {
    let plain = || acc.variants.iter().map(|v| v.metrics[m]).collect();
    let Some(Some(cap)) = spec.caps.get(m) else { return Ok((plain(), None)) };
    let all: Vec<f64> = acc.variants.iter().flat_map(|v| v.values[m].iter().map(|x| x.0)).collect();
    let c = cap.value(&all)?;
    let sums = acc
        .variants
        .iter()
        .map(|v| {
            let mut s = CovariateSums::default();
            for (post, pre) in &v.values[m] {
                s.push(post.min(c), pre.min(c));
            }
            s
        })
        .collect();
    Ok((sums, Some(c)))
}

fn lift(spec: &ExperimentSpec, acc: &ExperimentAcc, ev: &Evaluation) -> Vec<LiftPoint> {
    let (Some(def), true) = (spec.metrics.first(), acc.variants.len() >= 2) else { return Vec::new() };
    let kind = if def.is_proportion() { MetricKind::Proportion } else { MetricKind::Mean };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::experiment::capping::Cap;
    use crate::analysis::experiment::fold::{MetricDef, VariantAcc};
    use crate::analysis::filter::EventMatch;

    fn spec(metrics: Vec<MetricDef>, caps: Vec<Option<Cap>>) -> ExperimentSpec {
        ExperimentSpec {
            key: "t".into(),
            exposure: EventMatch::name("x"),
            experiment_property: "experiment".into(),
            variant_property: "variant".into(),
            variants: vec!["A".into(), "B".into()],
            start: None,
            end: None,
            metrics,
            caps,
            calendar: crate::calendar::Calendar::UTC,
            journey: None,
        }
    }

    fn variant(values: &[(f64, f64)]) -> VariantAcc {
        let mut sums = CovariateSums::default();
        for (post, pre) in values {
            sums.push(*post, *pre);
        }
        VariantAcc {
            customers: values.len() as u64,
            metrics: vec![sums],
            converted_before: vec![0],
            values: vec![values.to_vec()],
            ..Default::default()
        }
    }

    #[test]
    fn capped_revenue_and_a_ratio_use_their_sums() {
        let ev = Evaluation { alpha: 0.05, tuning: 5000.0, weights: vec![1.0, 1.0] };
        let a = [(1.0, 0.0), (2.0, 1.0), (3.0, 0.0), (100.0, 2.0)];
        let b = [(2.0, 1.0), (4.0, 0.0), (6.0, 1.0), (8.0, 3.0)];
        let acc = ExperimentAcc { variants: vec![variant(&a), variant(&b)], unknown_variants: Default::default() };
        let revenue = MetricDef::Revenue { window: 1 };
        // the 75th percentile of all eight values (1 2 2 3 4 6 8 100) is 6.5
        let r = report(&spec(vec![revenue.clone()], vec![Some(Cap::Percentile(0.75))]), &acc, &ev).unwrap();
        assert_eq!(r.metrics[0].cap, Some(6.5));
        assert_eq!(r.metrics[0].samples[0].mean, (1.0 + 2.0 + 3.0 + 6.5) / 4.0);
        let fixed = report(&spec(vec![revenue], vec![Some(Cap::Fixed(5.0))]), &acc, &ev).unwrap();
        assert_eq!(
            (fixed.metrics[0].cap, fixed.metrics[0].samples[1].mean),
            (Some(5.0), (2.0 + 4.0 + 5.0 + 5.0) / 4.0)
        );
        // a ratio keeps the numerator as post and the denominator as pre
        let ratio = MetricDef::Ratio {
            numerator: Box::new(MetricDef::Revenue { window: 1 }),
            denominator: Box::new(MetricDef::Events { window: 1 }),
        };
        let r = report(&spec(vec![ratio], vec![None]), &acc, &ev).unwrap();
        let s = &r.metrics[0].samples[1];
        let want = Sample::ratio(&RatioSums {
            numerator: Moments::of(&[2.0, 4.0, 6.0, 8.0]),
            denominator: Moments::of(&[1.0, 0.0, 1.0, 3.0]),
            sum_products: 2.0 + 6.0 + 24.0,
        });
        assert_eq!((s.mean, s.variance), (want.mean, want.variance));
        assert_eq!(s.mean, 20.0 / 5.0);
        assert!(matches!(r.metrics[0].comparisons[0].cuped_relative, Outcome::Err { .. }));
        assert!(r.metrics[0].comparisons[0].z.is_none(), "a ratio is no proportion");
    }
}
