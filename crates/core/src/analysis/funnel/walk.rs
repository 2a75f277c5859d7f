//! The chain walk of one journey: which steps a customer reached and through which events.
//!
//! Ordered and strict modes generalise [`super::super::window_funnel`] (ClickHouse `windowFunnel`): with no
//! optional steps, limits or exclusions they give exactly its level. Extensions:
//! - an optional step may be skipped: step k may extend a chain that reached step k − 2 when step k − 1 is
//!   optional (recursively);
//! - a limit `[min, max]` on step k bounds the time since the chain's previous reached step;
//! - an exclusion event after step i (between step i and i + 1) blocks the chain that reached step i at that
//!   moment from going further (the customer still reached step i); reaching step i again by a new chain
//!   unblocks; at equal times steps count before exclusions.
//!
//! Any-order mode: the level is the largest k such that steps 1..=k all happen within one window.

/// A reached chain: the event index of each step (None for a skipped optional step).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Walk {
    pub level: usize,
    pub events: Vec<Option<usize>>,
}

/// The rules of the walk.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub steps: usize,
    pub window: i64,
    pub strict: bool,
    pub optional: &'a [bool],
    /// `(min, max)` milliseconds since the previous reached step, per step (index 0 unused).
    pub limits: &'a [(Option<i64>, Option<i64>)],
}

/// Ordered/strict walk. `steps[i]`: bit mask of steps event i matches; `excl[i]`: bit mask of gaps (bit g = after
/// step g + 1) that event i excludes.
pub fn walk_ordered(ts: &[i64], steps: &[u32], excl: &[u32], r: &Rules<'_>) -> Walk {
    // (time, order, event index): step s (0-based) → order 2s + 2; exclusion after step g + 1 → 2g + 3; none → 0
    let mut pairs: Vec<(i64, u32, usize)> = Vec::with_capacity(ts.len());
    for i in 0..ts.len() {
        let (m, x) = (steps[i], excl.get(i).copied().unwrap_or(0));
        if m == 0 && x == 0 {
            if r.strict {
                pairs.push((ts[i], 0, i));
            }
            continue;
        }
        let mut bits = m;
        while bits != 0 {
            let s = bits.trailing_zeros();
            if (s as usize) < r.steps {
                pairs.push((ts[i], 2 * s + 2, i));
            }
            bits &= bits - 1;
        }
        let mut bits = x;
        while bits != 0 {
            let g = bits.trailing_zeros();
            pairs.push((ts[i], 2 * g + 3, i));
            bits &= bits - 1;
        }
    }
    pairs.sort_unstable();
    let n = r.steps;
    let mut chains: Vec<Option<Vec<Option<usize>>>> = vec![None; n];
    let mut blocked = vec![false; n];
    let mut started = false;
    let finish = |chains: &[Option<Vec<Option<usize>>>]| {
        let level = chains.iter().rposition(Option::is_some).map_or(0, |k| k + 1);
        let events = if level > 0 { chains[level - 1].clone().unwrap_or_default() } else { Vec::new() };
        Walk { level, events }
    };
    for (t, order, i) in pairs {
        if order == 0 {
            if started {
                break;
            }
            continue;
        }
        if order % 2 == 1 {
            let g = ((order - 3) / 2) as usize; // chains that reached step g + 1 only
            if g < n && chains[g].is_some() {
                blocked[g] = true;
            }
            continue;
        }
        let e = ((order - 2) / 2) as usize;
        if e == 0 {
            let mut c = vec![None; 1];
            c[0] = Some(i);
            chains[0] = Some(c);
            blocked[0] = false;
            started = true;
            continue;
        }
        // the chain to extend: step e-1, or an earlier one across optional steps
        let mut p = e - 1;
        let mut prev = chains[p].as_ref();
        while prev.is_none() && r.optional.get(p).copied().unwrap_or(false) && p > 0 {
            p -= 1;
            prev = chains[p].as_ref();
        }
        if blocked[p] {
            continue;
        }
        let Some(prev) = prev else {
            if r.strict && started {
                let level = chains.iter().position(Option::is_none).unwrap_or(n);
                let events = if level > 0 { chains[level - 1].clone().unwrap_or_default() } else { Vec::new() };
                return Walk { level, events };
            }
            continue;
        };
        let start = prev.iter().flatten().next().map_or(t, |&s| ts[s]);
        let last = prev.iter().flatten().last().map_or(t, |&s| ts[s]);
        let (min, max) = r.limits.get(e).copied().unwrap_or((None, None));
        let gap = t - last;
        if t <= start.saturating_add(r.window) && min.is_none_or(|m| gap >= m) && max.is_none_or(|m| gap <= m) {
            let mut next = prev.clone();
            next.resize(e, None);
            next.push(Some(i));
            chains[e] = Some(next);
            blocked[e] = false;
            if e + 1 == n {
                return finish(&chains);
            }
        }
    }
    finish(&chains)
}

/// Funnels with at most this many steps can take [`walk_fast`].
pub const FAST_STEPS: usize = 16;

/// The result of [`walk_fast`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FastWalk {
    /// Steps reached.
    pub level: usize,
    /// Event index of each step of the winning chain (the first `level` are set).
    pub chain: [u32; FAST_STEPS],
    /// The first event that matches step 1 (the customer's entry), if any.
    pub entry: Option<usize>,
}

/// [`walk_ordered`] for the common case — ordered mode, no optional steps, limits or exclusions, at most
/// [`FAST_STEPS`] steps — in one pass without sorting or allocating: events are already in time order, and
/// events with equal timestamps are applied step by step (all step-1 matches of the tie, then step 2 …), which
/// is the order `walk_ordered` sorts them into. `mask(i)` is the step mask of event `i` (bit 0 = step 1).
pub fn walk_fast(ts: &[i64], mask: impl Fn(usize) -> u32, n: usize, window: i64) -> FastWalk {
    if n <= 8 {
        walk_fast_n::<8>(ts, mask, n, window)
    } else {
        walk_fast_n::<FAST_STEPS>(ts, mask, n, window)
    }
}

fn walk_fast_n<const N: usize>(ts: &[i64], mask: impl Fn(usize) -> u32, n: usize, window: i64) -> FastWalk {
    // chains[k][..=k]: the events of the latest chain that reached step k + 1
    let mut chains = [[0u32; N]; N];
    let mut have = 0u32;
    let mut entry = None;
    let mut apply = |e: usize, i: usize, chains: &mut [[u32; N]; N]| -> bool {
        if e == 0 {
            chains[0][0] = i as u32;
            have |= 1;
        } else if have & (1 << (e - 1)) != 0 && ts[i] <= ts[chains[e - 1][0] as usize].saturating_add(window) {
            let (done, rest) = chains.split_at_mut(e);
            rest[0][..e].copy_from_slice(&done[e - 1][..e]);
            rest[0][e] = i as u32;
            have |= 1 << e;
            return e + 1 == n;
        }
        false
    };
    let mut i = 0;
    'events: while i < ts.len() {
        let m = mask(i);
        if m == 0 {
            i += 1;
            continue;
        }
        let mut end = i + 1;
        while end < ts.len() && ts[end] == ts[i] {
            end += 1;
        }
        if end == i + 1 {
            if m & 1 != 0 && entry.is_none() {
                entry = Some(i);
            }
            let mut bits = m;
            while bits != 0 {
                let e = bits.trailing_zeros() as usize;
                if e < n && apply(e, i, &mut chains) {
                    break 'events;
                }
                bits &= bits - 1;
            }
        } else {
            for e in 0..n {
                for k in i..end {
                    if mask(k) & (1 << e) != 0 {
                        if e == 0 && entry.is_none() {
                            entry = Some(k);
                        }
                        if apply(e, k, &mut chains) {
                            break 'events;
                        }
                    }
                }
            }
        }
        i = end;
    }
    let level = (0..n).rev().find(|&k| have & (1 << k) != 0).map_or(0, |k| k + 1);
    let mut chain = [0u32; FAST_STEPS];
    if level > 0 {
        chain[..level].copy_from_slice(&chains[level - 1][..level]);
    }
    FastWalk { level, chain, entry }
}

/// Any-order walk: the largest k such that steps 1..=k all occur within one window; events are the first
/// occurrence of each step inside the winning window.
pub fn walk_any(ts: &[i64], steps: &[u32], n: usize, window: i64) -> Walk {
    let mut best = Walk::default();
    for k in (1..=n).rev() {
        let want: u32 = if k == 32 { u32::MAX } else { (1u32 << k) - 1 };
        let idx: Vec<usize> = (0..ts.len()).filter(|&i| steps[i] & want != 0).collect();
        let mut counts = vec![0u32; k];
        let mut have = 0;
        let mut lo = 0;
        for hi in 0..idx.len() {
            for (s, c) in counts.iter_mut().enumerate() {
                if steps[idx[hi]] >> s & 1 == 1 {
                    *c += 1;
                    if *c == 1 {
                        have += 1;
                    }
                }
            }
            while ts[idx[hi]] - ts[idx[lo]] > window {
                for (s, c) in counts.iter_mut().enumerate() {
                    if steps[idx[lo]] >> s & 1 == 1 {
                        *c -= 1;
                        if *c == 0 {
                            have -= 1;
                        }
                    }
                }
                lo += 1;
            }
            if have == k {
                let events = (0..k).map(|s| idx[lo..=hi].iter().copied().find(|&i| steps[i] >> s & 1 == 1)).collect();
                best = Walk { level: k, events };
                return best;
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::window_funnel::window_funnel;
    use proptest::prelude::*;

    proptest! {
        /// Without extensions the walk is ClickHouse's windowFunnel.
        #[test]
        fn plain_walk_equals_window_funnel(events in proptest::collection::vec((0i64..40, 0u32..16), 0..30), window in 0i64..25, strict in any::<bool>()) {
            let mut events = events;
            events.sort_by_key(|e| e.0);
            let ts: Vec<i64> = events.iter().map(|e| e.0).collect();
            let m: Vec<u32> = events.iter().map(|e| e.1 & 0b111).collect();
            let r = Rules { steps: 3, window, strict, optional: &[false; 3], limits: &[] };
            let w = walk_ordered(&ts, &m, &[], &r);
            let c = window_funnel(&ts, &m, 3, window, strict);
            prop_assert_eq!(w.level, c.level);
            let times: Vec<i64> = w.events.iter().flatten().map(|&i| ts[i]).collect();
            prop_assert_eq!(times, c.times);
        }
    }

    proptest! {
        /// The one-pass walk is the general walk wherever it applies, ties and early finishes included.
        #[test]
        fn fast_walk_equals_general_walk(events in proptest::collection::vec((0i64..30, 0u32..4096), 0..40), window in 0i64..25, n in 1usize..13) {
            let mut events = events;
            events.sort_by_key(|e| e.0);
            let ts: Vec<i64> = events.iter().map(|e| e.0).collect();
            let m: Vec<u32> = events.iter().map(|e| e.1).collect();
            let optional = vec![false; n];
            let r = Rules { steps: n, window, strict: false, optional: &optional, limits: &[] };
            let w = walk_ordered(&ts, &m, &[], &r);
            let f = walk_fast(&ts, |i| m[i], n, window);
            let level = f.level;
            prop_assert_eq!(level, w.level);
            prop_assert_eq!(f.entry, m.iter().position(|x| x & 1 != 0));
            let fast: Vec<usize> = f.chain[..level].iter().map(|&i| i as usize).collect();
            let general: Vec<usize> = w.events.iter().flatten().copied().collect();
            prop_assert_eq!(fast, general);
        }
    }

    fn rules<'a>(optional: &'a [bool], limits: &'a [(Option<i64>, Option<i64>)]) -> Rules<'a> {
        Rules { steps: 3, window: 100, strict: false, optional, limits }
    }

    #[test]
    fn optional_steps_may_be_skipped() {
        let ts = [1, 2];
        let m = [0b001, 0b100];
        assert_eq!(walk_ordered(&ts, &m, &[], &rules(&[false, false, false], &[])).level, 1);
        let w = walk_ordered(&ts, &m, &[], &rules(&[false, true, false], &[]));
        assert_eq!(w, Walk { level: 3, events: vec![Some(0), None, Some(1)] });
    }

    #[test]
    fn limits_bound_the_time_between_steps() {
        let ts = [0, 50, 60];
        let m = [0b001, 0b010, 0b100];
        let lim = [(None, None), (None, Some(40)), (None, None)];
        assert_eq!(walk_ordered(&ts, &m, &[], &rules(&[false; 3], &lim)).level, 1);
        let lim = [(None, None), (Some(10), Some(60)), (Some(11), None)];
        assert_eq!(walk_ordered(&ts, &m, &[], &rules(&[false; 3], &lim)).level, 2);
    }

    #[test]
    fn exclusions_cancel_the_open_gap() {
        // A, X (excluded between step 1 and 2), B, C → stuck at 1; X after B does not matter for gap 1
        let ts = [0, 1, 2, 3];
        assert_eq!(walk_ordered(&ts, &[0b001, 0, 0b010, 0b100], &[0, 0b01, 0, 0], &rules(&[false; 3], &[])).level, 1);
        assert_eq!(walk_ordered(&ts, &[0b001, 0b010, 0, 0b100], &[0, 0, 0b01, 0], &rules(&[false; 3], &[])).level, 3);
        // a new step 1 after the exclusion starts over
        assert_eq!(
            walk_ordered(
                &[0, 1, 2, 3, 4],
                &[0b001, 0, 0b001, 0b010, 0b100],
                &[0, 0b01, 0, 0, 0],
                &rules(&[false; 3], &[])
            )
            .level,
            3
        );
    }

    #[test]
    fn any_order_needs_all_steps_in_one_window() {
        let w = walk_any(&[0, 5, 200, 210], &[0b100, 0b001, 0b010, 0b001], 3, 100);
        assert_eq!(w.level, 2);
        assert_eq!(w.events, vec![Some(3), Some(2)]);
        assert_eq!(walk_any(&[0, 5, 9], &[0b100, 0b001, 0b010], 3, 100).level, 3);
        assert_eq!(walk_any(&[0], &[0b010], 3, 100).level, 0);
    }
}
