//! The funnel level of one journey, with the semantics of ClickHouse `windowFunnel(window[, 'strict_order'])`.
//!
//! Definition (checked against ClickHouse 26.9 through chdb, see `tests/reference/test_funnel_clickhouse.py`):
//! every event contributes one `(time, step)` pair per step it matches (in strict mode an event matching no step
//! contributes `(time, 0)`), and the pairs are sorted by time, **then by step number** — so at equal times a lower
//! step counts first, whatever the ingest order. Walking the pairs:
//! - step 1 (re)starts a chain at its time;
//! - step k > 1 extends the chain that reached step k − 1 if it lies within `window` of that chain's start
//!   (inclusive: `t ≤ start + window`);
//! - strict mode: an event matching no step ends the walk once a chain has started, and so does a step whose
//!   predecessor was never reached;
//! - the level is the longest chain (0 when step 1 never happened).
//!
//! Example: `A@10, B@15, C@20` with window 10 → 3; with `C@21` → 2; `A, X, B, C` in strict mode → 1.
//! Besides the level, the walk keeps the step times of the chain that reached each level, for time-to-convert.

/// The result for one journey.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Chain {
    /// Steps reached, 0..=n.
    pub level: usize,
    /// Time at which each reached step happened in the winning chain (`times.len() == level`).
    pub times: Vec<i64>,
}

/// Computes the level. `matches[i]` is a bit mask of the steps event `i` satisfies (bit 0 = step 1); `ts` are
/// the event times (non-decreasing). At most 32 steps.
pub fn window_funnel(ts: &[i64], matches: &[u32], steps: usize, window: i64, strict: bool) -> Chain {
    let mut pairs: Vec<(i64, u8)> = Vec::with_capacity(ts.len());
    for (&t, &m) in ts.iter().zip(matches) {
        if m == 0 {
            if strict {
                pairs.push((t, 0));
            }
            continue;
        }
        let mut bits = m;
        while bits != 0 {
            let s = bits.trailing_zeros() as u8;
            if (s as usize) < steps {
                pairs.push((t, s + 1));
            }
            bits &= bits - 1;
        }
    }
    pairs.sort_unstable();
    // chains[k] = times of steps 1..=k+1 of the chain that reached step k+1 (its start is chains[k][0])
    let mut chains: Vec<Option<Vec<i64>>> = vec![None; steps];
    let mut started = false;
    let done = |chains: &[Option<Vec<i64>>]| {
        let level = chains.iter().rposition(Option::is_some).map_or(0, |k| k + 1);
        let times = if level > 0 { chains[level - 1].clone().unwrap_or_default() } else { Vec::new() };
        Chain { level, times }
    };
    for (t, idx) in pairs {
        if idx == 0 {
            if started {
                break;
            }
            continue;
        }
        let e = idx as usize - 1;
        if e == 0 {
            chains[0] = Some(vec![t]);
            started = true;
        } else if strict && started && chains[e - 1].is_none() {
            let level = chains.iter().position(Option::is_none).unwrap_or(steps);
            let times = if level > 0 { chains[level - 1].clone().unwrap_or_default() } else { Vec::new() };
            return Chain { level, times };
        } else if let Some(prev) = &chains[e - 1] {
            if t <= prev[0].saturating_add(window) {
                let mut next = prev.clone();
                next.push(t);
                chains[e] = Some(next);
                if e + 1 == steps {
                    return done(&chains);
                }
            }
        }
    }
    done(&chains)
}

/// The level alone (non-strict), without allocating: events are pushed in time order as they are read. A chain
/// extended to step k keeps the start of the chain it extends, so the start time per step is all a level needs;
/// the pairs of one instant are taken by step number, as the sorted walk of [`window_funnel`] takes them.
#[derive(Debug, Clone, Copy)]
pub struct FunnelLevel {
    steps: usize,
    window: i64,
    /// Per step: the start of the chain that reached it (valid where `reached` has the bit).
    start: [i64; 32],
    reached: u32,
    /// The instant being gathered and the union of its events' step masks.
    at: i64,
    mask: u32,
}

impl FunnelLevel {
    pub fn new(steps: usize, window: i64) -> Self {
        FunnelLevel { steps: steps.min(32), window, start: [0; 32], reached: 0, at: i64::MIN, mask: 0 }
    }

    /// Whether every step is reached (nothing pushed later can change the level).
    pub fn complete(&self) -> bool {
        self.steps > 0 && self.reached >> (self.steps - 1) & 1 == 1
    }

    /// An event at `t` (not before the previous one) matching the steps of `mask` (bit 0 = step 1).
    pub fn push(&mut self, t: i64, mask: u32) {
        if mask == 0 {
            return;
        }
        if t != self.at {
            self.walk();
            self.at = t;
        }
        self.mask |= mask;
    }

    fn walk(&mut self) {
        let keep = if self.steps >= 32 { u32::MAX } else { (1u32 << self.steps) - 1 };
        let mut m = self.mask & keep;
        self.mask = 0;
        let t = self.at;
        while m != 0 && !self.complete() {
            let e = m.trailing_zeros() as usize;
            m &= m - 1;
            if e == 0 {
                self.start[0] = t;
                self.reached |= 1;
            } else if self.reached >> (e - 1) & 1 == 1 && t <= self.start[e - 1].saturating_add(self.window) {
                self.start[e] = self.start[e - 1];
                self.reached |= 1 << e;
            }
        }
    }

    /// The level: the highest step reached.
    pub fn level(mut self) -> usize {
        self.walk();
        32 - self.reached.leading_zeros() as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The allocation-free level equals the level of the full walk.
        #[test]
        fn the_level_alone_equals_the_full_walk(
            events in proptest::collection::vec((0i64..40, 0u32..16), 0..30),
            steps in 1usize..5,
            window in 0i64..15,
        ) {
            let mut events = events;
            events.sort_by_key(|e| e.0);
            let ts: Vec<i64> = events.iter().map(|e| e.0).collect();
            let masks: Vec<u32> = events.iter().map(|e| e.1).collect();
            let mut f = FunnelLevel::new(steps, window);
            for (&t, &m) in ts.iter().zip(&masks) {
                f.push(t, m);
            }
            proptest::prop_assert_eq!(f.level(), window_funnel(&ts, &masks, steps, window, false).level);
        }
    }

    /// `events` as (time, step letter or 'X' for none); steps A, B, C; window 10.
    fn check(events: &[(i64, char)], strict: bool, expect: usize) {
        let ts: Vec<i64> = events.iter().map(|e| e.0).collect();
        let m: Vec<u32> = events.iter().map(|e| if e.1 == 'X' { 0 } else { 1 << (e.1 as u32 - 'A' as u32) }).collect();
        let got = window_funnel(&ts, &m, 3, 10, strict);
        assert_eq!(got.level, expect, "{events:?} strict={strict}");
        assert_eq!(got.times.len(), got.level);
    }

    #[test]
    fn matches_clickhouse_on_the_probe_cases() {
        // the cases run through chdb (ClickHouse 26.9); expected levels are ClickHouse's answers
        type Case<'a> = (&'a [(i64, char)], usize, usize);
        let cases: &[Case<'_>] = &[
            (&[(10, 'B'), (10, 'A'), (11, 'C')], 3, 3),
            (&[(10, 'A'), (10, 'B'), (11, 'C')], 3, 3),
            (&[(10, 'A'), (15, 'B'), (20, 'C')], 3, 3),
            (&[(10, 'A'), (15, 'B'), (21, 'C')], 2, 2),
            (&[(10, 'A'), (30, 'A'), (32, 'B'), (33, 'C')], 3, 3),
            (&[(10, 'A'), (11, 'X'), (12, 'B'), (13, 'C')], 3, 1),
            (&[(10, 'A'), (11, 'C'), (12, 'B'), (13, 'C')], 3, 1),
            (&[(10, 'A'), (11, 'C'), (11, 'B')], 3, 3),
            (&[(10, 'A'), (11, 'A'), (12, 'B')], 2, 2),
            (&[(10, 'A'), (11, 'B'), (12, 'B'), (13, 'C')], 3, 3),
        ];
        for &(events, default, strict) in cases {
            check(events, false, default);
            check(events, true, strict);
        }
    }

    #[test]
    fn keeps_the_times_of_the_winning_chain() {
        let c = window_funnel(&[10, 30, 32, 33], &[1, 1, 2, 4], 3, 10, false);
        assert_eq!(c, Chain { level: 3, times: vec![30, 32, 33] });
        let c = window_funnel(&[10, 12, 30], &[1, 2, 1], 3, 10, false);
        assert_eq!(c, Chain { level: 2, times: vec![10, 12] });
        assert_eq!(window_funnel(&[5], &[2], 3, 10, false).level, 0);
        assert_eq!(window_funnel(&[], &[], 3, 10, true), Chain::default());
    }
}
