//! Checks across an experiment's variants and metrics.
//!
//! - Sample-ratio mismatch: Pearson's χ² of the observed units per variant against the intended split,
//!   k − 1 degrees of freedom (scipy `chisquare(observed, expected)`; gbstats `check_srm`). A p-value under
//!   [`SRM_ALPHA`] (0.001, GrowthBook's default) means the assignment is broken and no result can be trusted.
//! - Multiple comparisons: Holm's step-down adjustment (controls the family-wise error rate; the default, applied
//!   across the treatment variants and across the guardrails) and Benjamini–Hochberg (controls the false
//!   discovery rate). Adjusted p-values as statsmodels `multipletests(method="holm" | "fdr_bh")` returns them.

use serde::Serialize;

use super::dist::chi2_sf;
use super::StatsError;

/// The p-value under which a sample-ratio mismatch is flagged.
pub const SRM_ALPHA: f64 = 0.001;

/// The sample-ratio check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Srm {
    pub chi2: f64,
    pub dof: f64,
    pub p_value: f64,
    /// p < [`SRM_ALPHA`].
    pub mismatch: bool,
}

/// Pearson's χ² of `observed` units against the intended `weights` (any positive scale).
pub fn srm(observed: &[f64], weights: &[f64]) -> Result<Srm, StatsError> {
    if observed.len() != weights.len() {
        return Err(StatsError::Invalid { field: "weights", reason: "one weight per variant is needed" });
    }
    if observed.len() < 2 {
        return Err(StatsError::OneVariant);
    }
    if weights.iter().any(|w| w.is_nan() || *w <= 0.0) {
        return Err(StatsError::Invalid { field: "weights", reason: "every weight must be positive" });
    }
    let total: f64 = observed.iter().sum();
    if total == 0.0 {
        return Err(StatsError::TooFewUnits);
    }
    let wsum: f64 = weights.iter().sum();
    let chi2: f64 = observed
        .iter()
        .zip(weights)
        .map(|(o, w)| {
            let e = w / wsum * total;
            (o - e).powi(2) / e
        })
        .sum();
    let dof = observed.len() as f64 - 1.0;
    let p_value = chi2_sf(chi2, dof);
    Ok(Srm { chi2, dof, p_value, mismatch: p_value < SRM_ALPHA })
}

/// How p-values of several comparisons are corrected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Correction {
    Holm,
    BenjaminiHochberg,
    None,
}

/// Adjusted p-values, in the order given.
pub fn adjust(p: &[f64], how: Correction) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|a, b| p[*a].total_cmp(&p[*b]));
    let mut out = vec![0.0; m];
    match how {
        Correction::None => out.copy_from_slice(p),
        Correction::Holm => {
            let mut running: f64 = 0.0;
            for (rank, &i) in order.iter().enumerate() {
                running = running.max(((m - rank) as f64 * p[i]).min(1.0));
                out[i] = running;
            }
        }
        Correction::BenjaminiHochberg => {
            let mut running: f64 = 1.0;
            for (rank, &i) in order.iter().enumerate().rev() {
                running = running.min((m as f64 / (rank + 1) as f64 * p[i]).min(1.0));
                out[i] = running;
            }
        }
    }
    out
}
