//! A JSON request/report over the pure statistics, for `tropa experiment stats --json` (and the reference tests,
//! which send many cases in one call). The first variant is the control; every other one is compared with it.
//! Each statistic that cannot be computed is reported as `{"error": "..."}` in its place.

use serde::{Deserialize, Serialize};

use super::bayes::{self, BayesEffect, Prior};
use super::capping::Cap;
use super::checks::{self, Correction, Srm};
use super::frequentist::{self, Effect, Scale};
use super::sample::{self, CovariateSums, MetricKind, Moments, RatioSums, Sample};
use super::size::{self, SizePlan};
use super::StatsError;

/// One request.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum StatsRequest {
    Compare(CompareRequest),
    Size(SizeRequest),
    Srm { observed: Vec<f64>, weights: Vec<f64> },
    Adjust { p_values: Vec<f64>, method: Correction },
}

fn alpha_default() -> f64 {
    0.05
}
fn tuning_default() -> f64 {
    5000.0
}
fn one() -> f64 {
    1.0
}

/// Compare variants on one metric.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareRequest {
    /// `proportion`, `mean` or `ratio`.
    pub metric: MetricInput,
    #[serde(default = "alpha_default")]
    pub alpha: f64,
    /// The sequential test's tuning parameter n*.
    #[serde(default = "tuning_default")]
    pub tuning: f64,
    #[serde(default)]
    pub prior: Option<Prior>,
    /// Capping of per-unit values (only with `values`).
    #[serde(default)]
    pub cap: Option<Cap>,
    /// Intended split (default equal).
    #[serde(default)]
    pub weights: Option<Vec<f64>>,
    pub variants: Vec<VariantInput>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricInput {
    Proportion,
    Mean,
    Ratio,
}

/// A variant's data: sums, or raw per-unit values.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantInput {
    pub name: String,
    #[serde(default)]
    pub n: f64,
    #[serde(default)]
    pub sum: f64,
    #[serde(default)]
    pub sum_sq: Option<f64>,
    #[serde(default)]
    pub values: Option<Vec<f64>>,
    #[serde(default)]
    pub pre_values: Option<Vec<f64>>,
    /// The pre-exposure covariate's sums (CUPED).
    #[serde(default)]
    pub pre: Option<Paired>,
    /// A ratio metric's denominator sums.
    #[serde(default)]
    pub denominator: Option<Paired>,
}

/// Sums of a second variable and of its products with the metric.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paired {
    pub sum: f64,
    pub sum_sq: f64,
    pub sum_products: f64,
}

/// A planning request: `effect` gives the sample size, `units` the MDE.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizeRequest {
    /// Baseline conversion rate (σ = √(p(1 − p))) …
    #[serde(default)]
    pub baseline: Option<f64>,
    /// … or the unit standard deviation of a mean.
    #[serde(default)]
    pub sd: Option<f64>,
    #[serde(default)]
    pub effect: Option<f64>,
    #[serde(default)]
    pub units: Option<f64>,
    #[serde(default = "alpha_default")]
    pub alpha: f64,
    pub power: f64,
    #[serde(default = "one")]
    pub ratio: f64,
}

/// A result or the reason it is missing.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Outcome<T> {
    Ok(T),
    Err { error: String },
}

impl<T> From<Result<T, StatsError>> for Outcome<T> {
    fn from(r: Result<T, StatsError>) -> Self {
        match r {
            Ok(v) => Outcome::Ok(v),
            Err(e) => Outcome::Err { error: e.to_string() },
        }
    }
}

/// One treatment against the control.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub variant: String,
    pub z: Option<Outcome<Effect>>,
    pub welch: Outcome<Effect>,
    pub welch_relative: Outcome<Effect>,
    pub sequential: Outcome<Effect>,
    pub sequential_relative: Outcome<Effect>,
    pub bayes: Outcome<BayesEffect>,
    pub bayes_relative: Outcome<BayesEffect>,
    pub beta_binomial: Option<Outcome<BayesEffect>>,
    pub cuped: Option<CupedComparison>,
}

/// The CUPED-adjusted comparison.
#[derive(Debug, Clone, Serialize)]
pub struct CupedComparison {
    pub theta: f64,
    pub control: Sample,
    pub treatment: Sample,
    pub welch: Outcome<Effect>,
    pub welch_relative: Outcome<Effect>,
    pub bayes_relative: Outcome<BayesEffect>,
}

/// The answer to one request.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum StatsReport {
    Compare { samples: Vec<Sample>, cap: Option<f64>, srm: Outcome<Srm>, comparisons: Vec<Comparison> },
    Size(Outcome<SizePlan>),
    Srm(Outcome<Srm>),
    Adjust { adjusted: Vec<f64> },
    Err { error: String },
}

/// Answers a request.
pub fn answer(req: &StatsRequest) -> StatsReport {
    match req {
        StatsRequest::Compare(c) => compare(c).unwrap_or_else(|e| StatsReport::Err { error: e.to_string() }),
        StatsRequest::Size(s) => StatsReport::Size(plan(s).into()),
        StatsRequest::Srm { observed, weights } => StatsReport::Srm(checks::srm(observed, weights).into()),
        StatsRequest::Adjust { p_values, method } => {
            StatsReport::Adjust { adjusted: checks::adjust(p_values, *method) }
        }
    }
}

fn plan(s: &SizeRequest) -> Result<SizePlan, StatsError> {
    let sd = match (s.baseline, s.sd) {
        (Some(p), None) => (p * (1.0 - p)).sqrt(),
        (None, Some(sd)) => sd,
        _ => return Err(StatsError::Invalid { field: "baseline", reason: "give either a baseline rate or an sd" }),
    };
    match (s.effect, s.units) {
        (Some(e), None) => size::sample_size(e, sd, s.alpha, s.power, s.ratio),
        (None, Some(n)) => size::mde(n, sd, s.alpha, s.power, s.ratio),
        _ => Err(StatsError::Invalid { field: "effect", reason: "give either an effect or a number of units" }),
    }
}

fn compare(c: &CompareRequest) -> Result<StatsReport, StatsError> {
    if c.variants.len() < 2 {
        return Err(StatsError::OneVariant);
    }
    if !(c.alpha > 0.0 && c.alpha < 1.0) {
        return Err(StatsError::Invalid { field: "alpha", reason: "must be between 0 and 1" });
    }
    let kind = match c.metric {
        MetricInput::Proportion => MetricKind::Proportion,
        _ => MetricKind::Mean,
    };
    let cap = match (&c.cap, c.variants.iter().all(|v| v.values.is_some())) {
        (Some(cap), true) => {
            let all: Vec<f64> = c.variants.iter().flat_map(|v| v.values.iter().flatten().copied()).collect();
            Some(cap.value(&all)?)
        }
        (Some(_), false) => return Err(StatsError::Invalid { field: "cap", reason: "capping needs per-unit values" }),
        (None, _) => None,
    };
    let mut samples = Vec::new();
    let mut covariates = Vec::new();
    for v in &c.variants {
        let (moments, cov) = variant_sums(v, cap)?;
        let s = match (c.metric, v.denominator) {
            (MetricInput::Ratio, Some(d)) => Sample::ratio(&RatioSums {
                numerator: moments,
                denominator: Moments { n: moments.n, sum: d.sum, sum_sq: d.sum_sq },
                sum_products: d.sum_products,
            }),
            (MetricInput::Ratio, None) => {
                return Err(StatsError::Invalid {
                    field: "denominator",
                    reason: "a ratio metric needs denominator sums",
                })
            }
            _ => Sample::of(kind, &moments),
        };
        samples.push(s);
        covariates.push(cov);
    }
    let weights = c.weights.clone().unwrap_or_else(|| vec![1.0; samples.len()]);
    let observed: Vec<f64> = samples.iter().map(|s| s.n).collect();
    let srm = checks::srm(&observed, &weights).into();
    let (a, ca) = (&samples[0], &covariates[0]);
    let comparisons = samples
        .iter()
        .zip(&covariates)
        .zip(&c.variants)
        .skip(1)
        .map(|((b, cb), v)| {
            let proportion = c.metric == MetricInput::Proportion;
            let (xa, xb) = (a.mean * a.n, b.mean * b.n);
            Comparison {
                variant: v.name.clone(),
                z: proportion.then(|| frequentist::two_proportion_z(xa, a.n, xb, b.n, c.alpha).into()),
                welch: frequentist::welch(a, b, Scale::Absolute, c.alpha).into(),
                welch_relative: frequentist::welch(a, b, Scale::Relative, c.alpha).into(),
                sequential: frequentist::sequential(a, b, Scale::Absolute, c.alpha, c.tuning).into(),
                sequential_relative: frequentist::sequential(a, b, Scale::Relative, c.alpha, c.tuning).into(),
                bayes: bayes::normal(a, b, Scale::Absolute, c.alpha, c.prior).into(),
                bayes_relative: bayes::normal(a, b, Scale::Relative, c.alpha, c.prior).into(),
                beta_binomial: proportion
                    .then(|| bayes::beta_binomial(xa.round(), a.n, xb.round(), b.n, c.alpha).into()),
                cuped: match (ca, cb) {
                    (Some(ca), Some(cb)) => {
                        let (sa, sb, theta) = sample::cuped(kind, ca, cb);
                        Some(CupedComparison {
                            theta,
                            control: sa,
                            treatment: sb,
                            welch: frequentist::welch(&sa, &sb, Scale::Absolute, c.alpha).into(),
                            welch_relative: frequentist::welch(&sa, &sb, Scale::Relative, c.alpha).into(),
                            bayes_relative: bayes::normal(&sa, &sb, Scale::Relative, c.alpha, c.prior).into(),
                        })
                    }
                    _ => None,
                },
            }
        })
        .collect();
    Ok(StatsReport::Compare { samples, cap, srm, comparisons })
}

/// The metric's sums (capped values when given) and the CUPED sums when a covariate is given.
fn variant_sums(v: &VariantInput, cap: Option<f64>) -> Result<(Moments, Option<CovariateSums>), StatsError> {
    if let Some(values) = &v.values {
        let capped: Vec<f64> = values.iter().map(|x| cap.map_or(*x, |c| x.min(c))).collect();
        let moments = Moments::of(&capped);
        let cov = match &v.pre_values {
            Some(pre) if pre.len() == capped.len() => {
                let mut s = CovariateSums::default();
                for (y, x) in capped.iter().zip(pre) {
                    s.push(*y, *x);
                }
                Some(s)
            }
            Some(_) => {
                return Err(StatsError::Invalid { field: "pre_values", reason: "one pre-exposure value per unit" })
            }
            None => None,
        };
        return Ok((moments, cov));
    }
    let moments = Moments { n: v.n, sum: v.sum, sum_sq: v.sum_sq.unwrap_or(v.sum) };
    let cov = v.pre.map(|p| CovariateSums {
        post: moments,
        pre: Moments { n: v.n, sum: p.sum, sum_sq: p.sum_sq },
        sum_products: p.sum_products,
    });
    Ok((moments, cov))
}
