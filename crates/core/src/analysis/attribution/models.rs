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

/// Shares of each touch under each heuristic model, in [`super::Model::HEURISTIC`] order: model `k`'s share of
/// touch `i` is `out[k * n + i]` (`out` is cleared and refilled: one buffer for every path, no allocation).
pub fn heuristic_weights(spec: &AttributionSpec, touches: &[Touch], end: i64, out: &mut Vec<f64>) {
    let n = touches.len();
    out.clear();
    out.resize(HEURISTICS * n, 0.0);
    let last_nd = touches.iter().rposition(|t| !t.direct).unwrap_or(n - 1);
    out[0] = 1.0;
    out[n + n - 1] = 1.0;
    out[2 * n + last_nd] = 1.0;
    out[3 * n..4 * n].fill(1.0 / n as f64);
    let decay = &mut out[4 * n..5 * n];
    for (w, t) in decay.iter_mut().zip(touches) {
        *w = (-((end - t.ts) as f64) / spec.half_life_ms as f64).exp2();
    }
    let total: f64 = decay.iter().sum();
    for w in decay.iter_mut() {
        *w /= total;
    }
    position_into(spec, &mut out[5 * n..6 * n]);
}

/// Position-based shares of `v.len()` touches into `v`.
fn position_into(spec: &AttributionSpec, v: &mut [f64]) {
    let n = v.len();
    let (f, l) = (f64::from(spec.first_share) / 100.0, f64::from(spec.last_share) / 100.0);
    match n {
        0 => {}
        1 => v[0] = 1.0,
        2 if f + l == 0.0 => v.fill(0.5),
        2 => {
            v[0] = f / (f + l);
            v[1] = l / (f + l);
        }
        _ => {
            v.fill((1.0 - f - l) / (n - 2) as f64);
            v[0] = f;
            v[n - 1] = l;
        }
    }
}
