//! Bayesian comparisons of a treatment B against a control A: the chance B beats A, the expected loss of
//! choosing each, and a credible interval of the difference.
//!
//! - Normal model for any metric (GrowthBook's `EffectBayesianABTest`, gbstats 0.8): the effect's posterior is
//!   N(d, v) with d and v the difference and its variance on the chosen scale (relative by the delta method);
//!   with a proper prior N(m₀, v₀) it is N((d/v + m₀/v₀)/(1/v + 1/v₀), 1/(1/v + 1/v₀)). Chance to win
//!   P(effect > 0); risk [E(max(effect, 0)), E(max(−effect, 0))] = the expected loss of keeping the control and of
//!   shipping the treatment.
//! - Beta-binomial for conversions: p_A ~ Beta(1 + x_A, 1 + n_A − x_A), p_B likewise (uniform priors).
//!   P(p_B > p_A) = ∫ f_B(x) I_x(α_A, β_A) dx; expected loss of shipping B = E(max(p_A − p_B, 0)) =
//!   ∫ f_B(b) [μ_A (1 − I_b(α_A + 1, β_A)) − b (1 − I_b(α_A, β_A))] db; the credible interval of p_B − p_A from its
//!   CDF ∫ f_A(a) I_{a+δ}(α_B, β_B) da, solved by bisection. All integrals by composite Simpson over the region
//!   holding the posteriors' mass (± 40 standard deviations). Reference: `scipy.integrate.quad` over
//!   `scipy.stats.beta` (gbstats no longer has this model).

use serde::{Deserialize, Serialize};

use super::dist::{beta_inc, beta_pdf, norm_cdf, norm_pdf, norm_ppf, norm_sf};
use super::frequentist::{check_units, difference, Scale};
use super::sample::Sample;
use super::StatsError;

/// What the Bayesian comparison reports.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BayesEffect {
    /// Posterior mean of the effect.
    pub expected: f64,
    /// Posterior standard deviation.
    pub sd: f64,
    /// Probability that B is better than A.
    pub chance_to_win: f64,
    /// Expected loss of keeping the control, and of shipping the treatment.
    pub risk: [f64; 2],
    /// Equal-tailed (1 − α) credible interval.
    pub ci: [f64; 2],
}

/// A Gaussian prior on the effect (on the scale tested); `None` means GrowthBook's default improper prior.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Prior {
    pub mean: f64,
    pub variance: f64,
}

/// The normal model (GrowthBook's `EffectBayesianABTest`).
pub fn normal(
    a: &Sample,
    b: &Sample,
    scale: Scale,
    alpha: f64,
    prior: Option<Prior>,
) -> Result<BayesEffect, StatsError> {
    check_units(a, b)?;
    if a.variance <= 0.0 || b.variance <= 0.0 {
        return Err(StatsError::NoVariance);
    }
    let (d, v) = difference(a, b, scale)?;
    let (mean, var) = match prior {
        Some(p) if p.variance > 0.0 => {
            let prec = 1.0 / v + 1.0 / p.variance;
            ((d / v + p.mean / p.variance) / prec, 1.0 / prec)
        }
        _ => (d, v),
    };
    let sd = var.sqrt();
    let q = norm_ppf(1.0 - alpha / 2.0);
    let z = mean / sd;
    let gain = mean * norm_cdf(z) + sd * norm_pdf(z);
    let loss = -mean * norm_cdf(-z) + sd * norm_pdf(z);
    Ok(BayesEffect {
        expected: mean,
        sd,
        chance_to_win: norm_sf(-z),
        risk: [gain, loss],
        ci: [mean - q * sd, mean + q * sd],
    })
}

const STEPS: usize = 4000;

/// Composite Simpson of `f` over [lo, hi].
fn simpson(lo: f64, hi: f64, f: impl Fn(f64) -> f64) -> f64 {
    if hi <= lo {
        return 0.0;
    }
    let h = (hi - lo) / STEPS as f64;
    let mut s = f(lo) + f(hi);
    for i in 1..STEPS {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        s += w * f(lo + h * i as f64);
    }
    s * h / 3.0
}

#[derive(Clone, Copy)]
struct Beta {
    a: f64,
    b: f64,
}

impl Beta {
    fn posterior(n: f64, x: f64) -> Beta {
        Beta { a: 1.0 + x, b: 1.0 + n - x }
    }
    fn mean(&self) -> f64 {
        self.a / (self.a + self.b)
    }
    fn sd(&self) -> f64 {
        let s = self.a + self.b;
        (self.a * self.b / (s * s * (s + 1.0))).sqrt()
    }
    /// The region holding all but a negligible part of the mass.
    fn support(&self) -> (f64, f64) {
        ((self.mean() - 40.0 * self.sd()).max(0.0), (self.mean() + 40.0 * self.sd()).min(1.0))
    }
    fn pdf(&self, x: f64) -> f64 {
        beta_pdf(self.a, self.b, x)
    }
    fn cdf(&self, x: f64) -> f64 {
        beta_inc(self.a, self.b, x.clamp(0.0, 1.0)).0
    }
    /// E[max(X − c, 0)].
    fn excess(&self, c: f64) -> f64 {
        let c = c.clamp(0.0, 1.0);
        self.mean() * (1.0 - beta_inc(self.a + 1.0, self.b, c).0) - c * (1.0 - beta_inc(self.a, self.b, c).0)
    }
}

/// The beta-binomial model for conversions `xb`/`nb` against `xa`/`na` (absolute difference p_B − p_A).
pub fn beta_binomial(xa: f64, na: f64, xb: f64, nb: f64, alpha: f64) -> Result<BayesEffect, StatsError> {
    if na < 1.0 || nb < 1.0 {
        return Err(StatsError::TooFewUnits);
    }
    if xa < 0.0 || xb < 0.0 || xa > na || xb > nb {
        return Err(StatsError::Invalid { field: "sum", reason: "conversions must be between 0 and the units" });
    }
    let (pa, pb) = (Beta::posterior(na, xa), Beta::posterior(nb, xb));
    let (lo, hi) = pb.support();
    let chance = simpson(lo, hi, |x| pb.pdf(x) * pa.cdf(x));
    let loss_ship = simpson(lo, hi, |x| pb.pdf(x) * pa.excess(x));
    let (alo, ahi) = pa.support();
    let loss_keep = simpson(alo, ahi, |x| pa.pdf(x) * pb.excess(x));
    let cdf = |delta: f64| simpson(alo, ahi, |a| pa.pdf(a) * pb.cdf(a + delta));
    let quantile = |p: f64| {
        let (mut l, mut h) = (-1.0, 1.0);
        for _ in 0..60 {
            let m = 0.5 * (l + h);
            if cdf(m) < p {
                l = m;
            } else {
                h = m;
            }
        }
        0.5 * (l + h)
    };
    let expected = pb.mean() - pa.mean();
    Ok(BayesEffect {
        expected,
        sd: (pa.sd().powi(2) + pb.sd().powi(2)).sqrt(),
        chance_to_win: chance,
        risk: [loss_keep, loss_ship],
        ci: [quantile(alpha / 2.0), quantile(1.0 - alpha / 2.0)],
    })
}
