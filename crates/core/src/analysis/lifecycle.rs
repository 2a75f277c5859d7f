//! Lifecycle states: where a customer stands at an instant `t` by the rhythm of their activity — new, active,
//! returning, reactivated, dormant or churned — and how customers move between states from one date to another.
//!
//! # Definition
//! Only activity events at or before `t` count (which events are activity is configurable; default: all). With
//! thresholds `dormant` (D) and `churn` (C, longer than D), `first` the first activity, `last` the latest one at or
//! before `t`, a **gap** a pause longer than D between two consecutive activities, and the **streak** the
//! activities since the latest gap (all of them when there was none) starting at `start`:
//!
//! | state | when (checked in this order) |
//! |---|---|
//! | none (`None`) | no activity at or before `t`: not yet a customer |
//! | churned | `t − last > C` |
//! | dormant | `D < t − last ≤ C` |
//! | active | `t − last ≤ D` and `t − start > D`: active for longer than D without a gap |
//! | new | `t − last ≤ D`, no gap ever, `t − first ≤ D`: first seen within the last D |
//! | reactivated | `t − last ≤ D`, came back (`start`) within the last D after a pause longer than C |
//! | returning | `t − last ≤ D`, came back within the last D after a pause longer than D (at most C) |
//!
//! The states are mutually exclusive and cover every customer with activity. A pause of exactly D is no gap, and
//! exactly D (or C) after the last activity a customer is still active (still dormant). Returning and reactivated
//! customers become active once their new streak is older than D.
//!
//! Example, D = 30 days, C = 90 days, activity on days 0, 10, 150 and 170: on day 20 the customer is new, on day
//! 35 active, on day 45 dormant, on day 120 churned, on day 160 reactivated (back after 140 days), on day 185
//! active (the streak began on day 150), on day 201 dormant again. With activity on days 0, 10 and 60 instead, day
//! 70 would be returning (back after 50 days).
//!
//! # Transitions
//! For two instants `from < to`, every customer counts once in the cell (state at `from`, state at `to`) of a
//! 7 × 7 matrix whose first row and column are "none" (no activity yet).
//!
//! Reference: `tests/reference/test_stages_reference.py` (DuckDB SQL with window functions), and an independent
//! formulation in `crates/testkit/tests/stages.rs`.

use crate::analysis::invalid::{SpecError, SpecErrors, SpecField, SpecReason};
use crate::text_error::TextError;
use serde::Serialize;

use super::filter::EventMatch;
use super::matcher::{EventView, Matcher};
use crate::dict::Dictionaries;
use crate::fold::JourneyFold;
use crate::journey::{Columns, Journey};
use crate::time::format_ts;

/// A customer's lifecycle state at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleState {
    New,
    Active,
    Returning,
    Reactivated,
    Dormant,
    Churned,
}

impl LifecycleState {
    /// Every state, in report order.
    pub const ALL: [LifecycleState; 6] = [
        LifecycleState::New,
        LifecycleState::Active,
        LifecycleState::Returning,
        LifecycleState::Reactivated,
        LifecycleState::Dormant,
        LifecycleState::Churned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LifecycleState::New => "new",
            LifecycleState::Active => "active",
            LifecycleState::Returning => "returning",
            LifecycleState::Reactivated => "reactivated",
            LifecycleState::Dormant => "dormant",
            LifecycleState::Churned => "churned",
        }
    }

    pub fn parse(s: &str) -> Result<Self, TextError> {
        const NAMES: [&str; 6] = ["new", "active", "returning", "reactivated", "dormant", "churned"];
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| TextError::UnknownChoice { text: s.to_string(), choices: &NAMES })
    }

    /// The position in [`LifecycleState::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The two thresholds, in milliseconds; `0 < dormant_ms < churn_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LifecycleThresholds {
    pub dormant_ms: i64,
    pub churn_ms: i64,
}

impl LifecycleThresholds {
    /// Checks `0 < dormant < churn`; the error names the threshold at fault.
    pub fn new(dormant_ms: i64, churn_ms: i64) -> Result<Self, (&'static str, SpecReason)> {
        if dormant_ms <= 0 {
            return Err(("dormant", SpecReason::NotPositive { example: "30d" }));
        }
        if churn_ms <= dormant_ms {
            return Err(("churn", SpecReason::ChurnNotAfterDormant));
        }
        Ok(LifecycleThresholds { dormant_ms, churn_ms })
    }
}

impl Default for LifecycleThresholds {
    /// 30 and 90 days.
    fn default() -> Self {
        LifecycleThresholds { dormant_ms: 30 * 86_400_000, churn_ms: 90 * 86_400_000 }
    }
}

/// The state at `at` of a customer whose activity times are `ts` (sorted ascending; later times are ignored).
/// `None` before the first activity. Allocation-free; reads only the activities of the last `dormant` before
/// `at` (plus one).
pub fn lifecycle_state(ts: &[i64], at: i64, th: &LifecycleThresholds) -> Option<LifecycleState> {
    let n = ts.partition_point(|&t| t <= at);
    let last = *ts[..n].last()?;
    let idle = at - last;
    if idle > th.churn_ms {
        return Some(LifecycleState::Churned);
    }
    if idle > th.dormant_ms {
        return Some(LifecycleState::Dormant);
    }
    let mut start = n - 1;
    loop {
        if at - ts[start] > th.dormant_ms {
            return Some(LifecycleState::Active);
        }
        if start == 0 {
            return Some(LifecycleState::New);
        }
        let gap = ts[start] - ts[start - 1];
        if gap > th.churn_ms {
            return Some(LifecycleState::Reactivated);
        }
        if gap > th.dormant_ms {
            return Some(LifecycleState::Returning);
        }
        start -= 1;
    }
}

/// Row/column of a state in the transition matrix: 0 is "none".
pub fn matrix_index(s: Option<LifecycleState>) -> usize {
    s.map_or(0, |s| s.index() + 1)
}

/// What to compute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LifecycleSpec {
    /// Events that count as activity (any of them); empty: every event.
    pub activity: Vec<EventMatch>,
    pub thresholds: LifecycleThresholds,
    /// The instant of the state distribution (epoch ms).
    pub at: i64,
    /// Two instants `from < to` (both at most `at`) for the transition matrix.
    pub transitions: Option<(i64, i64)>,
}

impl LifecycleSpec {
    /// Checks the instants; returns every problem with its field.
    pub fn validate(&self) -> Result<(), SpecErrors> {
        let mut errors = Vec::new();
        if let Some((from, to)) = self.transitions {
            if from >= to {
                errors.push(SpecError { field: SpecField::Transitions, reason: SpecReason::NotBeforeEnd });
            }
            if to > self.at {
                errors.push(SpecError {
                    field: SpecField::Transitions,
                    reason: SpecReason::AfterNow { at: to, now: self.at },
                });
            }
        }
        SpecErrors::check(errors)
    }
}

/// The fold.
pub struct LifecycleFold {
    spec: LifecycleSpec,
    /// None: every event is activity.
    activity: Option<Vec<Matcher>>,
    columns: Columns,
    dicts: Dictionaries,
}

/// Partial result.
#[derive(Debug, Clone, Default)]
pub struct LifecycleAcc {
    /// Customers per state at `at` (index: [`LifecycleState::index`]).
    pub states: [u64; 6],
    /// Customers with no activity at or before `at`.
    pub no_activity: u64,
    /// State at `from` (row) × state at `to` (column), index [`matrix_index`].
    pub matrix: [[u64; 7]; 7],
    /// Reused buffer of activity times (not part of the result).
    scratch: Vec<i64>,
}

impl LifecycleFold {
    pub fn new(spec: LifecycleSpec, dicts: &Dictionaries) -> Result<Self, String> {
        spec.validate()?;
        let every = spec.activity.is_empty() || spec.activity.iter().any(|m| m.event == "*" && m.conds.is_empty());
        let activity = (!every).then(|| spec.activity.iter().map(|m| Matcher::new(m, dicts)).collect::<Vec<_>>());
        let columns = activity.iter().flatten().fold(Columns::NONE, |c, m| c.with(m.columns()));
        Ok(LifecycleFold { spec, activity, columns, dicts: dicts.clone() })
    }

    /// Columns the scan must fill.
    pub fn columns(&self) -> Columns {
        self.columns
    }

    pub fn spec(&self) -> &LifecycleSpec {
        &self.spec
    }

    /// Adds the customer seen through `view` (shared with other folds so properties are parsed once).
    pub fn add(&self, acc: &mut LifecycleAcc, view: &mut EventView<'_, '_>) {
        let mut scratch = std::mem::take(&mut acc.scratch);
        let ts: &[i64] = match &self.activity {
            None => view.j.ts,
            Some(ms) => {
                scratch.clear();
                for i in 0..view.j.len() {
                    if ms.iter().any(|m| view.matches(m, i)) {
                        scratch.push(view.j.ts[i]);
                    }
                }
                &scratch
            }
        };
        let th = &self.spec.thresholds;
        match lifecycle_state(ts, self.spec.at, th) {
            Some(s) => acc.states[s.index()] += 1,
            None => acc.no_activity += 1,
        }
        if let Some((from, to)) = self.spec.transitions {
            let a = matrix_index(lifecycle_state(ts, from, th));
            let b = matrix_index(lifecycle_state(ts, to, th));
            acc.matrix[a][b] += 1;
        }
        acc.scratch = scratch;
    }
}

impl JourneyFold for LifecycleFold {
    type Acc = LifecycleAcc;

    fn init(&self) -> LifecycleAcc {
        LifecycleAcc::default()
    }

    fn fold(&self, acc: &mut LifecycleAcc, j: &Journey<'_>) {
        let mut view = EventView::new(j, &self.dicts);
        self.add(acc, &mut view);
    }

    fn merge(&self, into: &mut LifecycleAcc, other: LifecycleAcc) {
        for (a, b) in into.states.iter_mut().zip(other.states) {
            *a += b;
        }
        into.no_activity += other.no_activity;
        for (ra, rb) in into.matrix.iter_mut().zip(other.matrix) {
            for (a, b) in ra.iter_mut().zip(rb) {
                *a += b;
            }
        }
    }
}

/// Customers in one state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StateCount {
    pub state: LifecycleState,
    pub customers: u64,
}

/// The transition matrix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransitionsReport {
    pub from: String,
    pub to: String,
    /// Row and column labels: `none`, then the states in report order.
    pub states: Vec<&'static str>,
    pub matrix: Vec<Vec<u64>>,
}

/// The lifecycle report (its JSON shape is stable).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LifecycleReport {
    pub at: String,
    pub dormant_seconds: f64,
    pub churn_seconds: f64,
    pub states: Vec<StateCount>,
    pub no_activity: u64,
    pub transitions: Option<TransitionsReport>,
}

impl LifecycleFold {
    pub fn report(&self, acc: &LifecycleAcc) -> LifecycleReport {
        let th = self.spec.thresholds;
        LifecycleReport {
            at: format_ts(self.spec.at),
            dormant_seconds: th.dormant_ms as f64 / 1000.0,
            churn_seconds: th.churn_ms as f64 / 1000.0,
            states: LifecycleState::ALL
                .iter()
                .map(|&s| StateCount { state: s, customers: acc.states[s.index()] })
                .collect(),
            no_activity: acc.no_activity,
            transitions: self.spec.transitions.map(|(from, to)| TransitionsReport {
                from: format_ts(from),
                to: format_ts(to),
                states: std::iter::once("none").chain(LifecycleState::ALL.iter().map(|s| s.as_str())).collect(),
                matrix: acc.matrix.iter().map(|r| r.to_vec()).collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LifecycleState::*;

    const DAY: i64 = 86_400_000;

    fn check(days: &[i64], at_day: i64, expect: Option<LifecycleState>) {
        let ts: Vec<i64> = days.iter().map(|d| d * DAY).collect();
        let got = lifecycle_state(&ts, at_day * DAY, &LifecycleThresholds::default());
        assert_eq!(got, expect, "activity on days {days:?}, at day {at_day}");
    }

    #[test]
    fn the_documented_example() {
        let days = [0, 10, 150, 170];
        for (at, want) in [
            (-1, None),
            (0, Some(New)),
            (20, Some(New)),
            (35, Some(Active)),
            (45, Some(Dormant)),
            (100, Some(Dormant)),
            (120, Some(Churned)),
            (150, Some(Reactivated)),
            (160, Some(Reactivated)),
            (175, Some(Reactivated)),
            (181, Some(Active)),
            (185, Some(Active)),
            (201, Some(Dormant)),
        ] {
            check(&days, at, want);
        }
        check(&[0, 10, 60], 70, Some(Returning));
        check(&[0, 10, 60, 80], 91, Some(Active));
    }

    #[test]
    fn boundaries_are_inclusive_as_documented() {
        // exactly D after the last activity: still active; exactly C: still dormant
        check(&[0], 30, Some(New));
        check(&[0], 31, Some(Dormant));
        check(&[0], 90, Some(Dormant));
        check(&[0], 91, Some(Churned));
        // a pause of exactly D is no gap; of exactly C is a dormant gap, not a churn gap
        check(&[0, 30], 40, Some(Active));
        check(&[0, 31], 40, Some(Returning));
        check(&[0, 90], 95, Some(Returning));
        check(&[0, 91], 95, Some(Reactivated));
        // the latest gap decides, even if an older one was longer
        check(&[0, 200, 260], 265, Some(Returning));
        check(&[0, 40, 200], 210, Some(Reactivated));
        // later activity is ignored
        check(&[0, 100], 50, Some(Dormant));
    }

    #[test]
    fn thresholds_are_checked() {
        assert!(LifecycleThresholds::new(DAY, 2 * DAY).is_ok());
        assert_eq!(LifecycleThresholds::new(0, DAY).unwrap_err().0, "dormant");
        assert_eq!(LifecycleThresholds::new(2 * DAY, 2 * DAY).unwrap_err().0, "churn");
        assert_eq!(LifecycleState::parse("dormant"), Ok(Dormant));
        assert!(LifecycleState::parse("asleep").is_err());
        assert_eq!(matrix_index(None), 0);
        assert_eq!(matrix_index(Some(Churned)), 6);
    }
}
