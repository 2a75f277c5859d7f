//! Markov chain attribution: the removal effect of each label in an absorbing chain built from all paths.
//!
//! Definition. States are `start`, `conversion`, `null` and, for order `k`, the last up to `k` labels of a path
//! (`(a)`, `(a,b)`, `(a,b,c)` …: a path of order 2 `a b c` visits `start → (a) → (a,b) → (b,c) → end`). Each
//! distinct path with `c` conversions and `u` null ends adds `c + u` to each of its transitions, `c` to
//! `last → conversion` and `u` to `last → null`; probabilities are the counts over the state's total.
//! `P` is the probability of absorption in `conversion` from `start`, solved exactly: `x = Qx + r` with
//! `(I - Q)x = r` by Gaussian elimination with partial pivoting (up to [`DENSE_STATES`] states) or, above that,
//! Gauss–Seidel sweeps until no value moves by more than 1e-15 (a linear solve to machine precision, never a
//! simulation). Removing label `a` sends every transition into a state that contains `a` to `null`; its removal
//! effect is `1 - P_without_a / P`. Credits: the total conversions times each removal effect over their sum (all
//! zero when `P` is 0). Revenue the same way over the expected conversion *value* `V` (each state's one-step
//! value is its conversions' revenue over its total, as `channelattribution` tallies the value of simulated
//! conversions): value removal effects `1 - V_without_a / V`.
//!
//! Example: one path `a b` converting: removing either label makes `P` 0, effects 1 and 1, credits ½ and ½.
//! Reference: an absorbing-chain solve in numpy and `channelattribution.transition_matrix` (counts) in
//! tests/reference/test_attribution_reference.py.

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::fold::PathStats;

/// Above this many transient states the solve iterates (Gauss–Seidel) instead of eliminating.
pub const DENSE_STATES: usize = 300;

/// The chain's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarkovResult {
    pub order: usize,
    /// Transient states (start included).
    pub states: usize,
    /// Probability of conversion from start.
    pub conversion_probability: f64,
    /// Removal effect per label.
    pub removal_effects: Vec<f64>,
    /// Share of the conversions per label (removal effects normalised).
    pub shares: Vec<f64>,
    /// Expected conversion value from start, the value removal effects and their shares.
    pub value: f64,
    pub value_removal_effects: Vec<f64>,
    pub value_shares: Vec<f64>,
}

type StateKey = (u8, [u32; 3]);

/// The chain over `paths` (labels are indexes `0..labels`).
pub fn markov(paths: &[(Vec<u32>, PathStats)], labels: usize, order: usize) -> MarkovResult {
    markov_with(paths, labels, order, DENSE_STATES)
}

/// [`markov`] eliminating up to `dense` states (tests compare both solves).
pub fn markov_with(paths: &[(Vec<u32>, PathStats)], labels: usize, order: usize, dense: usize) -> MarkovResult {
    let order = order.clamp(1, 3);
    let mut index: FxHashMap<StateKey, usize> = FxHashMap::default();
    let mut members: Vec<Vec<u32>> = vec![Vec::new()];
    index.insert((0, [u32::MAX; 3]), 0);
    let mut trans: FxHashMap<(usize, usize), f64> = FxHashMap::default();
    let mut conv: Vec<f64> = vec![0.0];
    let mut null: Vec<f64> = vec![0.0];
    let mut value: Vec<f64> = vec![0.0];
    for (path, s) in paths {
        let w = (s.conversions + s.nulls) as f64;
        if w == 0.0 || path.is_empty() {
            continue;
        }
        let mut prev = 0;
        for k in 0..path.len() {
            let from = (k + 1).saturating_sub(order);
            let window = &path[from..=k];
            let mut key = (window.len() as u8, [u32::MAX; 3]);
            key.1[..window.len()].copy_from_slice(window);
            let next = members.len();
            let state = *index.entry(key).or_insert_with(|| {
                members.push(window.to_vec());
                conv.push(0.0);
                null.push(0.0);
                value.push(0.0);
                next
            });
            *trans.entry((prev, state)).or_default() += w;
            prev = state;
        }
        conv[prev] += s.conversions as f64;
        null[prev] += s.nulls as f64;
        value[prev] += s.revenue;
    }
    let n = members.len();
    let mut out = vec![0.0; n];
    for (&(a, _), &w) in &trans {
        out[a] += w;
    }
    for s in 0..n {
        out[s] += conv[s] + null[s];
    }
    let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    let mut edges: Vec<_> = trans.into_iter().collect();
    edges.sort_by_key(|e| e.0);
    for ((a, b), w) in edges {
        rows[a].push((b, w / out[a]));
    }
    let per = |v: &[f64]| -> Vec<f64> { (0..n).map(|s| if out[s] > 0.0 { v[s] / out[s] } else { 0.0 }).collect() };
    let chain = Chain { rows, r: [per(&conv), per(&value)], dense };
    let base = chain.absorb(&vec![false; n]);
    let removed: Vec<[f64; 2]> = (0..labels as u32)
        .map(|a| {
            let removed: Vec<bool> = members.iter().map(|m| m.contains(&a)).collect();
            let x = chain.absorb(&removed);
            let effect = |k: usize| if base[k] > 0.0 { (1.0 - x[k] / base[k]).max(0.0) } else { 0.0 };
            [effect(0), effect(1)]
        })
        .collect();
    let effects = |k: usize| removed.iter().map(|e| e[k]).collect::<Vec<f64>>();
    let shares = |e: &[f64]| {
        let total: f64 = e.iter().sum();
        e.iter().map(|x| if total > 0.0 { x / total } else { 0.0 }).collect()
    };
    let (removal_effects, value_removal_effects) = (effects(0), effects(1));
    MarkovResult {
        order,
        states: n,
        conversion_probability: base[0],
        shares: shares(&removal_effects),
        removal_effects,
        value: base[1],
        value_shares: shares(&value_removal_effects),
        value_removal_effects,
    }
}

/// Transient transitions (row-stochastic together with `r` and the null ends) and one-step conversion
/// probabilities.
struct Chain {
    rows: Vec<Vec<(usize, f64)>>,
    /// One-step conversion probability and expected conversion value per state.
    r: [Vec<f64>; 2],
    dense: usize,
}

impl Chain {
    /// Probability of absorption in conversion from state 0 with the `removed` states sent to null.
    fn absorb(&self, removed: &[bool]) -> [f64; 2] {
        let n = self.r[0].len();
        if n <= self.dense {
            self.dense(removed)
        } else {
            self.iterate(removed, n)
        }
    }

    fn dense(&self, removed: &[bool]) -> [f64; 2] {
        let n = self.r[0].len();
        if removed[0] {
            return [0.0; 2];
        }
        let keep: Vec<usize> = (0..n).filter(|&s| !removed[s]).collect();
        let mut pos = vec![usize::MAX; n];
        for (i, &s) in keep.iter().enumerate() {
            pos[s] = i;
        }
        let m = keep.len();
        let mut a = vec![vec![0.0; m + 2]; m];
        for (i, &s) in keep.iter().enumerate() {
            a[i][i] = 1.0;
            for &(t, p) in &self.rows[s] {
                if pos[t] != usize::MAX {
                    a[i][pos[t]] -= p;
                }
            }
            a[i][m] = self.r[0][s];
            a[i][m + 1] = self.r[1][s];
        }
        for c in 0..m {
            let p = (c..m).max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs())).unwrap_or(c);
            a.swap(c, p);
            let d = a[c][c];
            if d == 0.0 {
                continue;
            }
            for row in c + 1..m {
                let f = a[row][c] / d;
                if f != 0.0 {
                    let (top, bottom) = a.split_at_mut(row);
                    for (x, p) in bottom[0][c..].iter_mut().zip(&top[c][c..]) {
                        *x -= f * p;
                    }
                }
            }
        }
        let mut out = [0.0; 2];
        for (k, o) in out.iter_mut().enumerate() {
            let mut x = vec![0.0; m];
            for i in (0..m).rev() {
                let s: f64 = (i + 1..m).map(|c| a[i][c] * x[c]).sum();
                x[i] = if a[i][i] == 0.0 { 0.0 } else { (a[i][m + k] - s) / a[i][i] };
            }
            *o = x.first().copied().unwrap_or(0.0);
        }
        out
    }

    fn iterate(&self, removed: &[bool], n: usize) -> [f64; 2] {
        let mut out = [0.0; 2];
        for (k, o) in out.iter_mut().enumerate() {
            let r = &self.r[k];
            let scale = r.iter().fold(1.0f64, |m, v| m.max(v.abs()));
            let mut x = vec![0.0; n];
            for _ in 0..100_000 {
                let mut moved: f64 = 0.0;
                for s in (0..n).rev() {
                    if removed[s] {
                        continue;
                    }
                    let v = r[s] + self.rows[s].iter().map(|&(t, p)| p * x[t]).sum::<f64>();
                    moved = moved.max((v - x[s]).abs());
                    x[s] = v;
                }
                if moved <= 1e-15 * scale {
                    break;
                }
            }
            *o = x[0];
        }
        out
    }
}
