//! Frequentist comparisons of a treatment B against a control A.
//!
//! - Two-proportion z-test: z = (p_B − p_A) / √(p̄(1 − p̄)(1/n_A + 1/n_B)) with the pooled p̄ (statsmodels
//!   `proportions_ztest`); the interval of p_B − p_A is the unpooled Wald interval (statsmodels
//!   `confint_proportions_2indep(method="wald")`).
//! - Welch's t-test: t = (μ_B − μ_A) / √(s²_A/n_A + s²_B/n_B) with Welch–Satterthwaite degrees of freedom
//!   (scipy `ttest_ind(equal_var=False)`); the interval of μ_B − μ_A uses the same t quantile.
//! - Relative lift (μ_B − μ_A)/μ_A by the delta method: Var = s²_B/(μ_A² n_B) + s²_A μ_B²/(μ_A⁴ n_A), t with Welch's
//!   degrees of freedom (gbstats `TwoSidedTTest`, `difference_type="relative"`).
//! - Sequential (valid under continuous peeking): the asymptotic confidence sequence of Waudby-Smith et al.
//!   (2023, eq. 9) with the tuning parameter n* (the sample size at which the sequence is tightest) and its
//!   always-valid p-value (gbstats `SequentialTwoSidedTTest`, `sequential_tuning_parameter`).
//!
//! Edge cases: a variant with no units, a control mean of 0 (no relative lift) or no variance are errors that
//! name the reason; nothing is silently reported as "no effect".

use serde::Serialize;

use super::dist::{norm_ppf, norm_sf, t_ppf, t_sf};
use super::sample::Sample;
use super::StatsError;

/// Absolute (B − A) or relative ((B − A)/A) difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    Absolute,
    Relative,
}

/// An estimated difference with its interval and p-value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Effect {
    pub estimate: f64,
    /// Standard error of the estimate.
    pub se: f64,
    /// Lower and upper bound of the (1 − α) interval.
    pub ci: [f64; 2],
    pub p_value: f64,
    /// The test statistic (z or t).
    pub statistic: f64,
    /// Degrees of freedom (infinite for z).
    #[serde(serialize_with = "finite_or_null")]
    pub dof: f64,
}

fn finite_or_null<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f64(*v)
    } else {
        s.serialize_none()
    }
}

pub(crate) fn check_units(a: &Sample, b: &Sample) -> Result<(), StatsError> {
    if a.n < 2.0 || b.n < 2.0 {
        return Err(StatsError::TooFewUnits);
    }
    Ok(())
}

fn check_variance(a: &Sample, b: &Sample) -> Result<(), StatsError> {
    if a.variance <= 0.0 || b.variance <= 0.0 {
        return Err(StatsError::NoVariance);
    }
    Ok(())
}

/// Two-proportion z-test of `xb`/`nb` against `xa`/`na`.
pub fn two_proportion_z(xa: f64, na: f64, xb: f64, nb: f64, alpha: f64) -> Result<Effect, StatsError> {
    if na < 1.0 || nb < 1.0 {
        return Err(StatsError::TooFewUnits);
    }
    let (pa, pb) = (xa / na, xb / nb);
    let pooled = (xa + xb) / (na + nb);
    let se0 = (pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb)).sqrt();
    if se0 == 0.0 {
        return Err(StatsError::NoVariance);
    }
    let z = (pb - pa) / se0;
    let se = (pa * (1.0 - pa) / na + pb * (1.0 - pb) / nb).sqrt();
    let q = norm_ppf(1.0 - alpha / 2.0);
    let d = pb - pa;
    Ok(Effect {
        estimate: d,
        se,
        ci: [d - q * se, d + q * se],
        p_value: 2.0 * norm_sf(z.abs()),
        statistic: z,
        dof: f64::INFINITY,
    })
}

/// Welch–Satterthwaite degrees of freedom.
pub fn welch_dof(a: &Sample, b: &Sample) -> f64 {
    let (va, vb) = (a.variance / a.n, b.variance / b.n);
    (va + vb).powi(2) / (va * va / (a.n - 1.0) + vb * vb / (b.n - 1.0))
}

/// The difference and its variance on a scale (gbstats `frequentist_diff` / `frequentist_variance`).
pub fn difference(a: &Sample, b: &Sample, scale: Scale) -> Result<(f64, f64), StatsError> {
    match scale {
        Scale::Absolute => Ok((b.mean - a.mean, b.variance / b.n + a.variance / a.n)),
        Scale::Relative => {
            if a.mean == 0.0 || a.unadjusted_mean == 0.0 {
                return Err(StatsError::ZeroBaseline);
            }
            let ma = a.unadjusted_mean;
            let mb = b.unadjusted_mean;
            let var = b.variance / (ma * ma * b.n) + a.variance * mb * mb / (ma.powi(4) * a.n);
            Ok(((b.mean - a.mean) / ma, var))
        }
    }
}

/// Welch's t-test on a scale (the relative scale by the delta method).
pub fn welch(a: &Sample, b: &Sample, scale: Scale, alpha: f64) -> Result<Effect, StatsError> {
    check_units(a, b)?;
    check_variance(a, b)?;
    let (d, var) = difference(a, b, scale)?;
    let se = var.sqrt();
    let dof = welch_dof(a, b);
    let t = d / se;
    let q = t_ppf(1.0 - alpha / 2.0, dof);
    Ok(Effect { estimate: d, se, ci: [d - q * se, d + q * se], p_value: 2.0 * t_sf(t.abs(), dof), statistic: t, dof })
}

/// The sequential test: a confidence sequence valid at every look, tightest near `tuning` total units.
pub fn sequential(a: &Sample, b: &Sample, scale: Scale, alpha: f64, tuning: f64) -> Result<Effect, StatsError> {
    check_units(a, b)?;
    check_variance(a, b)?;
    if tuning.is_nan() || tuning <= 0.0 {
        return Err(StatsError::Invalid { field: "tuning", reason: "must be a positive number of units" });
    }
    let (d, var) = difference(a, b, scale)?;
    let n = a.n + b.n;
    let rho2 = (-2.0 * alpha.ln() + (-2.0 * alpha.ln() + 1.0).ln()) / tuning;
    let s2 = var * n;
    let nr1 = n * rho2 + 1.0;
    let width = s2.sqrt() * ((2.0 * nr1) * (nr1.sqrt() / alpha).ln() / (n * n * rho2)).sqrt();
    let st2 = d * d * n / var;
    let e_value = (rho2 * st2 / (2.0 * nr1)).exp() / nr1.sqrt();
    Ok(Effect {
        estimate: d,
        se: var.sqrt(),
        ci: [d - width, d + width],
        p_value: (1.0 / e_value).min(1.0),
        statistic: d / var.sqrt(),
        dof: f64::INFINITY,
    })
}
