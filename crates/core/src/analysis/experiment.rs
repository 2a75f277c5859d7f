//! Experiments (A/B tests) evaluated on the journey, with the statistics a statistician signs off.
//!
//! Variants are assigned by the site's own tool (any feature-flag system); tropa only evaluates: it reads the
//! exposures from the events and compares what customers did afterwards.
//!
//! The statistics are pure functions of per-variant sufficient statistics ([`sample`]): frequentist tests
//! ([`frequentist`]: two-proportion z, Welch's t, relative lifts by the delta method, sequential confidence
//! sequences), Bayesian ones ([`bayes`]: GrowthBook's normal effect model, beta-binomial), CUPED
//! ([`sample::cuped`]), checks ([`checks`]: sample-ratio mismatch, Holm / Benjamini–Hochberg), planning
//! ([`size`]) and capping ([`capping`]). [`request`] bundles them for the CLI's `tropa experiment stats`.
//!
//! ```
//! use tropa_core::analysis::experiment::frequentist::two_proportion_z;
//! let e = two_proportion_z(579.0, 1000.0, 616.0, 1000.0, 0.05).unwrap();
//! assert!((e.estimate - 0.037).abs() < 1e-12);
//! assert!(e.p_value > 0.05); // 1,000 customers per variant cannot yet tell 57.9 % from 61.6 %
//! ```

pub mod bayes;
pub mod capping;
pub mod checks;
pub mod definition;
pub mod dist;
pub mod fold;
pub mod frequentist;
pub mod journey;
pub mod report;
pub mod request;
pub mod sample;
#[cfg(test)]
mod simulation;
pub mod size;

/// Why a statistic cannot be computed; each names the reason, never a silent "no effect".
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StatsError {
    #[error("no customer was exposed to the experiment: check its key, exposure event and dates")]
    NoExposures,
    #[error("a variant has fewer than 2 customers: wait for more exposures")]
    TooFewUnits,
    #[error("the experiment has only one variant: a comparison needs a control and a treatment")]
    OneVariant,
    #[error("the control's value is 0, so a relative lift is undefined: look at the absolute difference")]
    ZeroBaseline,
    #[error("a variant's metric has no variance (every customer has the same value)")]
    NoVariance,
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: &'static str },
}
