//! Shapley attribution: each label's Shapley value in the game `v(S)` = conversions (or revenue) of the
//! converting paths whose set of labels is contained in `S`.
//!
//! Definition. With `n` players, `f(T)` = the value of the paths whose label set is exactly `T`; the subset-sum
//! (zeta) transform gives every `v(S) = Σ_{T ⊆ S} f(T)` in `n·2^n` steps; then
//! `φ_i = Σ_{S ∌ i} |S|!(n-|S|-1)!/n! · (v(S ∪ {i}) − v(S))`, exact. Up to [`super::MAX_PLAYERS`] players; beyond
//! the chosen number the labels with the fewest conversions are one player, `(other)`, and the report says so.
//! (Because this `v` is a sum of unanimity games, `φ_i` also equals `Σ_{paths ∋ i} value/|set|`; a test checks
//! the two agree.)
//!
//! Example: paths `{a}` 1 conversion and `{a,b}` 1: `v({a}) = 1`, `v({b}) = 0`, `v({a,b}) = 2`; `φ_a = 1.5`,
//! `φ_b = 0.5`. Reference: brute-force enumeration of orderings in Python
//! (tests/reference/test_attribution_reference.py) and in the tests.

/// Shapley values of `players` players for `f` = value per exact set (indexed by bitmask, length `2^players`).
pub fn shapley(mut f: Vec<f64>, players: usize) -> Vec<f64> {
    let full = 1usize << players;
    debug_assert_eq!(f.len(), full);
    for i in 0..players {
        let bit = 1 << i;
        for mask in 0..full {
            if mask & bit != 0 {
                f[mask] += f[mask ^ bit];
            }
        }
    }
    // weight of a coalition of size s not containing i: 1 / (n · C(n-1, s))
    let n = players;
    let mut weight = vec![0.0; n.max(1)];
    let mut binom = 1.0;
    for (s, w) in weight.iter_mut().enumerate() {
        *w = 1.0 / (n as f64 * binom);
        binom = binom * (n - 1 - s) as f64 / (s + 1) as f64;
    }
    let mut phi = vec![0.0; n];
    for mask in 0..full {
        let size = mask.count_ones() as usize;
        for (i, p) in phi.iter_mut().enumerate() {
            let bit = 1 << i;
            if mask & bit == 0 {
                *p += weight[size] * (f[mask | bit] - f[mask]);
            }
        }
    }
    phi
}
