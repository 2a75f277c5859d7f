//! The heuristic models: each touch's share of one conversion.
//!
//! For a path of touches `t1 … tn` ending in a conversion at `T` (shares add up to 1):
//! - first touch: `t1` 1; last touch: `tn` 1; last non-direct: the last touch that is not direct 1 (all direct:
//!   `tn` 1);
//! - linear: each touch 1/n (a label that occurs twice gets 2/n);
//! - time decay: `w_i = 2^(-(T - ts_i) / half_life)`, share `w_i / Σw`;
//! - position-based with first and last shares `f`, `l` (percent): n = 1 → 1; n = 2 → `f/(f+l)` and `l/(f+l)`
//!   (½ each when both are 0); n ≥ 3 → `f`, `l` and `(100 - f - l)/(n - 2)` to each middle touch.
//!
//! Reference: DuckDB SQL and `channelattribution.heuristic_models` (first, last, linear) in
//! tests/reference/test_attribution_reference.py.

use super::fold::Touch;
use super::AttributionSpec;

/// Number of heuristic models (the first six of [`super::Model::ALL`]).
pub const HEURISTICS: usize = 6;

/// Shares of each touch under each heuristic model, in [`super::Model::HEURISTIC`] order.
pub fn heuristic_weights(spec: &AttributionSpec, touches: &[Touch], end: i64) -> [Vec<f64>; HEURISTICS] {
    let n = touches.len();
    let one_at = |k: usize| {
        let mut v = vec![0.0; n];
        v[k] = 1.0;
        v
    };
    let last_nd = touches.iter().rposition(|t| !t.direct).unwrap_or(n - 1);
    let linear = vec![1.0 / n as f64; n];
    let decay: Vec<f64> = touches.iter().map(|t| (-((end - t.ts) as f64) / spec.half_life_ms as f64).exp2()).collect();
    let total: f64 = decay.iter().sum();
    let decay = decay.into_iter().map(|w| w / total).collect();
    [one_at(0), one_at(n - 1), one_at(last_nd), linear, decay, position(spec, n)]
}

/// Position-based shares of `n` touches.
pub fn position(spec: &AttributionSpec, n: usize) -> Vec<f64> {
    let (f, l) = (f64::from(spec.first_share) / 100.0, f64::from(spec.last_share) / 100.0);
    match n {
        0 => Vec::new(),
        1 => vec![1.0],
        2 if f + l == 0.0 => vec![0.5, 0.5],
        2 => vec![f / (f + l), l / (f + l)],
        _ => {
            let mut v = vec![(1.0 - f - l) / (n - 2) as f64; n];
            v[0] = f;
            v[n - 1] = l;
            v
        }
    }
}
