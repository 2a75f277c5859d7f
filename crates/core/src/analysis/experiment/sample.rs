//! A variant's metric as the tests see it: the number of units (customers), the mean, the variance of one unit,
//! and the unadjusted mean (the denominator of a relative lift), built from sufficient statistics.
//!
//! - Proportion (conversion): `n`, conversions; variance p(1 − p).
//! - Mean (revenue, events per customer…): `n`, Σx, Σx²; sample variance with n − 1.
//! - Ratio (Σ numerator / Σ denominator over units, e.g. revenue per order): the delta method
//!   Var(M/D) ≈ σ²_M/μ_D² − 2 cov(M, D) μ_M/μ_D³ + μ_M² σ²_D/μ_D⁴.
//! - CUPED (regression adjustment with a pre-exposure covariate X): θ = cov(Y, X) / Var(X) pooled over both
//!   variants; adjusted mean Ȳ − θ X̄, variance σ²_Y + θ² σ²_X − 2θ cov(Y, X).
//!
//! These are GrowthBook's definitions (gbstats `SampleMeanStatistic`, `ProportionStatistic`, `RatioStatistic`,
//! `RegressionAdjustedStatistic`, `compute_theta`), compared against gbstats 0.8 in
//! tests/reference/test_experiment_stats_reference.py.

use serde::{Deserialize, Serialize};

/// Sums of one variable over a variant's units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    pub n: f64,
    pub sum: f64,
    pub sum_sq: f64,
}

impl Moments {
    /// Sums of `values`.
    pub fn of(values: &[f64]) -> Moments {
        let mut m = Moments::default();
        for v in values {
            m.push(*v);
        }
        m
    }

    pub fn push(&mut self, v: f64) {
        self.n += 1.0;
        self.sum += v;
        self.sum_sq += v * v;
    }

    pub fn merge(&mut self, o: &Moments) {
        self.n += o.n;
        self.sum += o.sum;
        self.sum_sq += o.sum_sq;
    }

    pub fn mean(&self) -> f64 {
        if self.n == 0.0 {
            0.0
        } else {
            self.sum / self.n
        }
    }

    /// Sample variance (n − 1).
    pub fn variance(&self) -> f64 {
        if self.n <= 1.0 {
            0.0
        } else {
            (self.sum_sq - self.sum * self.sum / self.n) / (self.n - 1.0)
        }
    }
}

/// What a metric's values are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// 0/1 per unit.
    Proportion,
    /// Any number per unit.
    Mean,
}

/// One variant's metric, ready for a test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sample {
    pub n: f64,
    /// The (possibly CUPED-adjusted) mean.
    pub mean: f64,
    /// The plain mean (the base of a relative lift).
    pub unadjusted_mean: f64,
    /// Variance of one unit.
    pub variance: f64,
}

impl Sample {
    /// A conversion rate: `conversions` of `n` units.
    pub fn proportion(n: f64, conversions: f64) -> Sample {
        let p = if n == 0.0 { 0.0 } else { conversions / n };
        Sample { n, mean: p, unadjusted_mean: p, variance: p * (1.0 - p) }
    }

    /// A mean of a number per unit.
    pub fn mean(m: &Moments) -> Sample {
        Sample { n: m.n, mean: m.mean(), unadjusted_mean: m.mean(), variance: m.variance() }
    }

    /// Of a metric kind.
    pub fn of(kind: MetricKind, m: &Moments) -> Sample {
        match kind {
            MetricKind::Proportion => Sample::proportion(m.n, m.sum),
            MetricKind::Mean => Sample::mean(m),
        }
    }

    /// A ratio metric Σ numerator / Σ denominator (delta method).
    pub fn ratio(r: &RatioSums) -> Sample {
        let (m, d) = (&r.numerator, &r.denominator);
        let n = m.n;
        let mean = if d.sum == 0.0 { 0.0 } else { m.sum / d.sum };
        let (mm, dm) = (m.mean(), d.mean());
        let variance = if dm == 0.0 || n <= 1.0 {
            0.0
        } else {
            let cov = (r.sum_products - m.sum * d.sum / n) / (n - 1.0);
            m.variance() / dm.powi(2) - 2.0 * cov * mm / dm.powi(3) + mm.powi(2) * d.variance() / dm.powi(4)
        };
        Sample { n, mean, unadjusted_mean: mean, variance }
    }

    pub fn se(&self) -> f64 {
        (self.variance / self.n).sqrt()
    }
}

/// Sums for a ratio metric.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct RatioSums {
    pub numerator: Moments,
    pub denominator: Moments,
    /// Σ numerator × denominator over units.
    pub sum_products: f64,
}

/// Sums for CUPED: the metric after exposure (`post`) and the pre-exposure covariate (`pre`) of the same units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CovariateSums {
    pub post: Moments,
    pub pre: Moments,
    /// Σ post × pre over units.
    pub sum_products: f64,
}

impl CovariateSums {
    pub fn push(&mut self, post: f64, pre: f64) {
        self.post.push(post);
        self.pre.push(pre);
        self.sum_products += post * pre;
    }

    pub fn merge(&mut self, o: &CovariateSums) {
        self.post.merge(&o.post);
        self.pre.merge(&o.pre);
        self.sum_products += o.sum_products;
    }

    fn covariance(&self) -> f64 {
        let n = self.post.n;
        if n <= 1.0 {
            0.0
        } else {
            (self.sum_products - self.post.sum * self.pre.sum / n) / (n - 1.0)
        }
    }
}

/// CUPED for a control and a treatment: θ from both variants pooled, then each variant adjusted by it. Returns
/// the adjusted samples and θ; θ = 0 (no adjustment) when the pooled covariate or metric has no variance.
pub fn cuped(kind: MetricKind, a: &CovariateSums, b: &CovariateSums) -> (Sample, Sample, f64) {
    let mut joint = *a;
    joint.merge(b);
    let var = |m: &Moments| match kind {
        MetricKind::Proportion => Sample::proportion(m.n, m.sum).variance,
        MetricKind::Mean => m.variance(),
    };
    let theta =
        if var(&joint.pre) == 0.0 || var(&joint.post) == 0.0 { 0.0 } else { joint.covariance() / var(&joint.pre) };
    let adjust = |s: &CovariateSums| {
        let post = Sample::of(kind, &s.post);
        if theta == 0.0 {
            return post;
        }
        Sample {
            n: s.post.n,
            mean: post.mean - theta * s.pre.mean(),
            unadjusted_mean: post.mean,
            variance: post.variance + theta * theta * var(&s.pre) - 2.0 * theta * s.covariance(),
        }
    };
    (adjust(a), adjust(b), theta)
}
