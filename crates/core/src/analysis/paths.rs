//! Paths: what customers do after a start event, or before an end event — the top paths and a Sankey flow.
//!
//! Definition. Each customer gives at most one path, a list of event names in journey order:
//! - `from X`: the path starts at the customer's **first** event matching X and takes the events after it, up to
//!   `depth` events in all (X included).
//! - `to Y`: the path is the up to `depth` events **ending at the customer's first** event matching Y (a reverse
//!   path; Y is its last element).
//! - `from X` and `to Y`: the path starts at the first X and stops right after the first Y that comes after it
//!   (Y included), at the bound or at `depth` events, whichever comes first; a path whose last event does not match
//!   Y did not reach Y within the depth or the bound.
//!
//! The bound is the whole journey, or with `session` (an inactivity gap, e.g. 30 min) the session that holds the
//! path's anchor (X, or Y without X): two consecutive events belong to one session when the later one is at most
//! `session` after the earlier one. Only that session counts — a customer still gives one path, so every count is
//! a number of customers.
//! With `collapse`, consecutive events with the same name inside the bound count as one path element (`a a b` →
//! `a b`); an element stands for its whole run (for `to Y` the first element's run reaches back to the bound).
//! Elements are event names even when X or Y carry conditions (`view_item where channel = email` gives
//! `view_item`). Events with equal timestamps keep the journey order, which is the order of ingestion.
//! Conversion (`conversion Z`): a customer converts when an event matching Z comes anywhere later in the whole
//! journey than the path's first event (strictly after it, beyond depth and bound; for `to Y` the path's first
//! event is the earliest event of its first element's run).
//!
//! Report: the `top` paths by customers (ties by the events, ascending), each with its share of all paths and its
//! conversion; `total` customers with a path; and Sankey `nodes` (event at column `depth`) and `links`
//! between consecutive columns, computed over **all** paths. A path shorter than the columns is padded with `$end`
//! after its last event (`from`, both) or with `$start` before its first (`to`, right-aligned so that Y is in the
//! last column), so every column's nodes add up to `total` and every node's flow in equals its flow out. There are
//! `min(depth, longest path + 1)` columns.
//!
//! Example: journeys `view cart view buy` and `view view buy`, `from view`, depth 3, collapse: paths
//! `view → cart → view` (1) and `view → buy` (1); nodes at column 2: `view` 1, `$end` 1.
//!
//! Edge cases: customers without X (or Y) are not counted; `from X` where X is the last event gives the path `X`.
//! References: DuckDB window SQL and ClickHouse arrays (groupArray, arraySlice) through chdb, on generated and
//! real data (tests/reference/test_paths_reference.py); the oracle engine in crates/testkit/tests/paths.rs.

pub mod report;

use crate::analysis::invalid::{SpecError, SpecErrors, SpecField, SpecReason};
use std::hash::{Hash, Hasher};

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::filter::EventMatch;
use super::matcher::{EventView, Matcher};
use crate::dict::Dictionaries;
use crate::fold::JourneyFold;
use crate::journey::{Columns, Journey};
pub use report::{LinkReport, NodeReport, PathReport, PathsReport};

/// The longest path.
pub const MAX_DEPTH: usize = 20;

/// What to compute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathsSpec {
    /// Start at the customer's first matching event.
    pub from: Option<EventMatch>,
    /// End at the customer's first matching event (after `from` when both are given).
    pub to: Option<EventMatch>,
    /// Events per path, 1..=[`MAX_DEPTH`].
    pub depth: usize,
    /// Count consecutive repeats of an event name once.
    pub collapse: bool,
    /// Bound paths by the session of their anchor: the longest gap, in ms, between two events of one session.
    pub session_ms: Option<i64>,
    /// Paths listed in the report.
    pub top: usize,
    /// The conversion event looked for after the path's start.
    pub conversion: Option<EventMatch>,
}

impl PathsSpec {
    /// Checks the spec; returns every problem with its field.
    pub fn validate(&self) -> Result<(), SpecErrors> {
        let mut errors = Vec::new();
        let mut problem = |field, reason| errors.push(SpecError { field, reason });
        if self.from.is_none() && self.to.is_none() {
            problem(SpecField::StartOrEnd, SpecReason::NeitherStartNorEnd);
        }
        if self.depth == 0 || self.depth > MAX_DEPTH {
            problem(SpecField::Depth, SpecReason::OutOfRange { value: self.depth, min: 1, max: MAX_DEPTH });
        }
        if self.session_ms.is_some_and(|s| s <= 0) {
            problem(SpecField::Session, SpecReason::NotPositive { example: "30m" });
        }
        if self.top == 0 {
            problem(SpecField::Top, SpecReason::OutOfRange { value: 0, min: 1, max: usize::MAX });
        }
        SpecErrors::check(errors)
    }
}

/// A path of event-name codes: fixed size, so the fold allocates nothing per customer. Codes past `len` are 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathKey {
    len: u8,
    codes: [u16; MAX_DEPTH],
}

impl Hash for PathKey {
    /// Hashes only the codes in use, four to a word (a depth-5 path is two words and the length).
    fn hash<H: Hasher>(&self, state: &mut H) {
        for chunk in self.codes().chunks(4) {
            state.write_u64(chunk.iter().fold(0u64, |w, &c| (w << 16) | u64::from(c)));
        }
        state.write_u8(self.len);
    }
}

impl PathKey {
    const EMPTY: PathKey = PathKey { len: 0, codes: [0; MAX_DEPTH] };

    /// The event-name codes in journey order.
    pub fn codes(&self) -> &[u16] {
        &self.codes[..self.len as usize]
    }

    fn push(&mut self, code: u16) {
        self.codes[self.len as usize] = code;
        self.len += 1;
    }
}

/// Customers of one path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PathCount {
    pub customers: u64,
    /// Of them, those who did the conversion event later.
    pub converted: u64,
}

/// Partial result: customers per path.
#[derive(Debug, Clone, Default)]
pub struct PathsAcc {
    pub paths: FxHashMap<PathKey, PathCount>,
}

/// An event condition with the fast case of a bare name split out.
struct Cond {
    /// `Some(code)` for a bare name (None: a name never seen), `None` when the matcher must run.
    plain: Option<Option<u16>>,
    matcher: Matcher,
}

impl Cond {
    fn new(m: &EventMatch, dicts: &Dictionaries) -> Self {
        let matcher = Matcher::new(m, dicts);
        Cond { plain: matcher.bare().flatten(), matcher }
    }

    fn test(&self, view: &mut EventView<'_, '_>, i: usize) -> bool {
        match self.plain {
            Some(code) => code == Some(view.j.name[i]),
            None => view.matches(&self.matcher, i),
        }
    }

    /// The first matching event at or after `from`.
    fn first(&self, view: &mut EventView<'_, '_>, from: usize) -> Option<usize> {
        let names = view.j.name.get(from..)?;
        match self.plain {
            Some(None) => None,
            Some(Some(code)) => names.iter().position(|&n| n == code).map(|p| p + from),
            None => (from..view.j.len()).find(|&i| view.matches(&self.matcher, i)),
        }
    }
}

/// The fold, with event conditions resolved to dictionary codes.
pub struct PathsFold {
    spec: PathsSpec,
    from: Option<Cond>,
    to: Option<Cond>,
    conversion: Option<Cond>,
    columns: Columns,
    dicts: Dictionaries,
}

impl PathsFold {
    pub fn new(spec: PathsSpec, dicts: &Dictionaries) -> Result<Self, String> {
        spec.validate()?;
        let cond = |m: &Option<EventMatch>| m.as_ref().map(|m| Cond::new(m, dicts));
        let (from, to, conversion) = (cond(&spec.from), cond(&spec.to), cond(&spec.conversion));
        let columns = [&from, &to, &conversion]
            .into_iter()
            .flatten()
            .fold(Columns::NONE, |cols, c| cols.with(c.matcher.columns()));
        Ok(PathsFold { spec, from, to, conversion, columns, dicts: dicts.clone() })
    }

    /// Columns the scan must fill (none beyond time and name when every condition is a bare name).
    pub fn columns(&self) -> Columns {
        self.columns
    }

    pub fn spec(&self) -> &PathsSpec {
        &self.spec
    }

    /// Whether events `i - 1` and `i` are in different sessions.
    fn breaks(&self, ts: &[i64], i: usize) -> bool {
        self.spec.session_ms.is_some_and(|gap| ts[i] - ts[i - 1] > gap)
    }

    /// The path that starts at event `s`, stopping after an event that matches `stop`.
    fn forward(&self, view: &mut EventView<'_, '_>, s: usize, stop: Option<&Cond>) -> PathKey {
        let j = view.j;
        let mut key = PathKey::EMPTY;
        key.push(j.name[s]);
        let mut last = j.name[s];
        for i in s + 1..j.len() {
            if key.len as usize == self.spec.depth || self.breaks(j.ts, i) {
                break;
            }
            let code = j.name[i];
            if !(self.spec.collapse && code == last) {
                key.push(code);
                last = code;
            }
            if stop.is_some_and(|y| y.test(view, i)) {
                break;
            }
        }
        key
    }

    /// The path that ends at event `t`, and the index of its first event.
    fn backward(&self, j: &Journey<'_>, t: usize) -> (PathKey, usize) {
        let mut key = PathKey::EMPTY;
        key.push(j.name[t]);
        let mut last = j.name[t];
        let mut start = t;
        while start > 0 && !self.breaks(j.ts, start) {
            let code = j.name[start - 1];
            if !(self.spec.collapse && code == last) {
                if key.len as usize == self.spec.depth {
                    break;
                }
                key.push(code);
                last = code;
            }
            start -= 1;
        }
        key.codes[..key.len as usize].reverse();
        (key, start)
    }
}

impl JourneyFold for PathsFold {
    type Acc = PathsAcc;

    fn init(&self) -> PathsAcc {
        PathsAcc::default()
    }

    fn fold(&self, acc: &mut PathsAcc, j: &Journey<'_>) {
        let mut view = EventView::new(j, &self.dicts);
        let (key, start) = match (&self.from, &self.to) {
            (Some(x), stop) => {
                let Some(s) = x.first(&mut view, 0) else { return };
                (self.forward(&mut view, s, stop.as_ref()), s)
            }
            (None, Some(y)) => {
                let Some(t) = y.first(&mut view, 0) else { return };
                self.backward(j, t)
            }
            (None, None) => return,
        };
        let converted = self.conversion.as_ref().is_some_and(|z| z.first(&mut view, start + 1).is_some());
        let count = acc.paths.entry(key).or_default();
        count.customers += 1;
        count.converted += u64::from(converted);
    }

    fn merge(&self, into: &mut PathsAcc, other: PathsAcc) {
        if into.paths.len() < other.paths.len() {
            let small = std::mem::replace(&mut into.paths, other.paths);
            return self.merge(into, PathsAcc { paths: small });
        }
        for (key, c) in other.paths {
            let count = into.paths.entry(key).or_default();
            count.customers += c.customers;
            count.converted += c.converted;
        }
    }
}

#[cfg(test)]
mod tests;
