//! Report filters: which customers and which of their events a report looks at. Every analysis takes them.
//!
//! A [`Scope`] wraps any fold. For each customer it
//! 1. keeps only the events with `since <= ts < until` (the journey is cut to the date range; times are sorted,
//!    so this is a contiguous slice);
//! 2. keeps the customer only if every customer test passes: the first-touch channel (channel group of the
//!    customer's first event *ever*, not of the range), trait conditions (latest value from identify calls, over
//!    the whole journey), "did" conditions (at least one event in the range matches each), "did not" conditions
//!    (no event in the range matches any), and any [`CustomerTest`] (stage, lifecycle state — see
//!    `stages` and `lifecycle`), which sees the whole journey;
//! 3. hands the cut journey to the inner fold. A customer with no event in the range is skipped.
//!
//! Example: `since = 2024-03-01`, `did = [purchase where revenue > 1000]`, `first_channel = [email]`: customers
//! who first came by email and bought for more than 1000 since March, with only their events since March.

use crate::text_error::TextError;
use serde::Serialize;

use super::filter::{test, Cond, EventMatch, Field};
use super::matcher::{EventView, Matcher};
use crate::dict::{DictCol, Dictionaries};
use crate::fold::JourneyFold;
use crate::journey::{Columns, Journey};

/// A test of a whole customer (stage, lifecycle state …) that [`Scope`] can apply.
pub trait CustomerTest: Sync + Send {
    /// Does the customer with this (uncut) journey pass?
    fn keep(&self, journey: &Journey<'_>) -> bool;
    /// Columns the test reads beyond time and name.
    fn columns(&self) -> Columns;
    /// A short description for reports, e.g. `stage = purchase`.
    fn describe(&self) -> String;
}

/// The filters of a report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScopeSpec {
    /// Only events at or after this time (epoch ms).
    pub since: Option<i64>,
    /// Only events before this time.
    pub until: Option<i64>,
    /// The customer did each of these (in the range).
    pub did: Vec<EventMatch>,
    /// The customer did none of these (in the range).
    pub did_not: Vec<EventMatch>,
    /// Conditions on the customer's latest traits (`plan = pro`, `age >= 30`).
    pub traits: Vec<Cond>,
    /// The first-touch channel group is one of these.
    pub first_channel: Vec<String>,
}

impl ScopeSpec {
    /// Parses a trait condition `KEY OP VALUE` (the condition syntax of [`EventMatch`]).
    pub fn parse_trait(text: &str) -> Result<Cond, TextError> {
        let m = EventMatch::parse(&format!("x where {text}"))?;
        match m.conds.as_slice() {
            [c] => Ok(c.clone()),
            _ => Err(TextError::OneCondition),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == ScopeSpec::default()
    }
}

/// A fold restricted to the customers and events of a [`ScopeSpec`].
pub struct Scope<F> {
    inner: F,
    spec: ScopeSpec,
    did: Vec<Matcher>,
    did_not: Vec<Matcher>,
    traits: Vec<(Cond, Vec<String>)>,
    first_channel: Vec<u32>,
    tests: Vec<Box<dyn CustomerTest>>,
    dicts: Dictionaries,
    columns: Columns,
}

impl<F: JourneyFold> Scope<F> {
    /// Wraps `inner`, whose scan needs `inner_columns`.
    pub fn new(inner: F, inner_columns: Columns, spec: ScopeSpec, dicts: &Dictionaries) -> Self {
        let did: Vec<Matcher> = spec.did.iter().map(|m| Matcher::new(m, dicts)).collect();
        let did_not: Vec<Matcher> = spec.did_not.iter().map(|m| Matcher::new(m, dicts)).collect();
        let mut columns = inner_columns;
        for m in did.iter().chain(&did_not) {
            columns = columns.with(m.columns());
        }
        if !spec.traits.is_empty() {
            columns = columns.with(Columns::ROWS).with(Columns::KIND);
        }
        if !spec.first_channel.is_empty() {
            columns = columns.with(Columns::dict(DictCol::Channel));
        }
        let traits = spec
            .traits
            .iter()
            .map(|c| {
                let path = match &c.field {
                    Field::Property(p) => p.clone(),
                    Field::Dict(d) => vec![d.as_str().to_string()],
                    Field::Revenue => vec!["revenue".into()],
                    Field::Referrer => vec!["referrer".into()],
                    Field::PageUrl => vec!["page_url".into()],
                    Field::PageTitle => vec!["page_title".into()],
                    Field::Device(f) => vec![serde_json::to_value(f)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default()],
                };
                (c.clone(), path)
            })
            .collect();
        // A channel never seen gets a code no event has, so the filter matches nobody rather than everybody.
        let channels = dicts.get(DictCol::Channel);
        let first_channel = spec.first_channel.iter().map(|c| channels.code(c).unwrap_or(u32::MAX)).collect();
        Scope { inner, spec, did, did_not, traits, first_channel, tests: Vec::new(), dicts: dicts.clone(), columns }
    }

    /// Adds a customer test (stage, lifecycle …).
    pub fn with_test(mut self, test: Box<dyn CustomerTest>) -> Self {
        self.columns = self.columns.with(test.columns());
        self.tests.push(test);
        self
    }

    /// Columns the scan must fill.
    pub fn columns(&self) -> Columns {
        self.columns
    }

    /// The time range the engine may prune to: only when no test needs the whole journey.
    pub fn scan_range(&self) -> (Option<i64>, Option<i64>) {
        if self.first_channel.is_empty() && self.traits.is_empty() && self.tests.is_empty() {
            (self.spec.since, self.spec.until)
        } else {
            (None, None)
        }
    }

    pub fn inner(&self) -> &F {
        &self.inner
    }

    /// Descriptions of the active filters, for report headers; dates are local to `calendar`.
    pub fn describe(&self, calendar: crate::calendar::Calendar) -> Vec<String> {
        let mut out = Vec::new();
        let day = |ms: i64| calendar.format_date(ms);
        if let Some(s) = self.spec.since {
            out.push(format!("since {}", day(s)));
        }
        if let Some(u) = self.spec.until {
            out.push(format!("until {}", day(u)));
        }
        out.extend(self.spec.did.iter().map(|m| format!("did {m}")));
        out.extend(self.spec.did_not.iter().map(|m| format!("did not {m}")));
        out.extend(self.traits.iter().map(|(c, p)| format!("trait {} {:?} {}", p.join("."), c.op, c.values.join(","))));
        if !self.spec.first_channel.is_empty() {
            out.push(format!("first channel in ({})", self.spec.first_channel.join(", ")));
        }
        out.extend(self.tests.iter().map(|t| t.describe()));
        out
    }

    /// Does this customer pass, and which part of the journey counts?
    pub fn select<'a>(&self, j: &Journey<'a>) -> Option<Journey<'a>> {
        self.select_range(j).map(|r| j.slice(r))
    }

    /// [`Self::select`] as the index range of the events that count (the whole journey when no time bound
    /// cuts it), so that a caller passes the journey on without copying it when nothing is cut.
    pub fn select_range(&self, j: &Journey<'_>) -> Option<std::ops::Range<usize>> {
        if !self.first_channel.is_empty() {
            let first = j.codes(DictCol::Channel).first().copied().unwrap_or(0);
            if !self.first_channel.contains(&first) {
                return None;
            }
        }
        if !self.traits.is_empty() {
            let view = EventView::new(j, &self.dicts);
            for (c, path) in &self.traits {
                if !test(c, view.trait_json(path).as_ref()) {
                    return None;
                }
            }
        }
        if !self.tests.iter().all(|t| t.keep(j)) {
            return None;
        }
        let range = j.time_range(self.spec.since, self.spec.until);
        if range.is_empty() {
            return None;
        }
        if self.did.is_empty() && self.did_not.is_empty() {
            return Some(range);
        }
        let cut = j.slice(range.clone());
        let mut view = EventView::new(&cut, &self.dicts);
        for m in &self.did {
            if !(0..cut.len()).any(|i| view.matches(m, i)) {
                return None;
            }
        }
        for m in &self.did_not {
            if (0..cut.len()).any(|i| view.matches(m, i)) {
                return None;
            }
        }
        Some(range)
    }
}

impl<F: JourneyFold> JourneyFold for Scope<F> {
    type Acc = F::Acc;

    fn init(&self) -> F::Acc {
        self.inner.init()
    }

    fn fold(&self, acc: &mut F::Acc, journey: &Journey<'_>) {
        match self.select_range(journey) {
            // most scopes cut nothing: the journey goes on as it is (a journey is a few hundred bytes of slices)
            Some(r) if r.len() == journey.len() => self.inner.fold(acc, journey),
            Some(r) => self.inner.fold(acc, &journey.slice(r)),
            None => {}
        }
    }

    fn merge(&self, into: &mut F::Acc, other: F::Acc) {
        self.inner.merge(into, other)
    }
}

/// Keeps customers whose current stage (as of `at`, by a journey definition) is one of the given stages;
/// `None` in the list stands for "no stage entered yet".
pub struct StageTest {
    model: super::stages::StageModel,
    stages: Vec<Option<usize>>,
    labels: Vec<String>,
    at: i64,
    dicts: Dictionaries,
}

impl StageTest {
    /// `keys` are stage keys of `def`, or `none`; an unknown key is an error that lists the known ones.
    pub fn new(
        def: &super::stages::JourneyDefinition,
        keys: &[String],
        at: i64,
        dicts: &Dictionaries,
    ) -> Result<Self, String> {
        let model = super::stages::StageModel::new(def, dicts).map_err(|e| e.to_string())?;
        let mut stages = Vec::new();
        for k in keys {
            if k == "none" {
                stages.push(None);
            } else {
                let i = def.stage_index(k).ok_or_else(|| {
                    let known: Vec<&str> = def.stages.iter().map(|s| s.key.as_str()).collect();
                    format!("unknown stage '{k}': use {} or none", known.join(", "))
                })?;
                stages.push(Some(i));
            }
        }
        Ok(StageTest { model, stages, labels: keys.to_vec(), at, dicts: dicts.clone() })
    }
}

impl CustomerTest for StageTest {
    fn keep(&self, j: &Journey<'_>) -> bool {
        let upto = j.slice(j.time_range(None, Some(self.at.saturating_add(1))));
        let mut view = EventView::new(&upto, &self.dicts);
        let current = self.model.classify(&mut view).current;
        self.stages.contains(&current)
    }

    fn columns(&self) -> Columns {
        self.model.columns()
    }

    fn describe(&self) -> String {
        format!("stage in ({})", self.labels.join(", "))
    }
}

/// Keeps customers whose lifecycle state at `at` (activity = any event) is one of the given states.
pub struct LifecycleTest {
    states: Vec<super::lifecycle::LifecycleState>,
    at: i64,
    thresholds: super::lifecycle::LifecycleThresholds,
}

impl LifecycleTest {
    pub fn new(
        states: Vec<super::lifecycle::LifecycleState>,
        at: i64,
        thresholds: super::lifecycle::LifecycleThresholds,
    ) -> Self {
        LifecycleTest { states, at, thresholds }
    }
}

impl CustomerTest for LifecycleTest {
    fn keep(&self, j: &Journey<'_>) -> bool {
        super::lifecycle::lifecycle_state(j.ts, self.at, &self.thresholds).is_some_and(|s| self.states.contains(&s))
    }

    fn columns(&self) -> Columns {
        Columns::NONE
    }

    fn describe(&self) -> String {
        let names: Vec<&str> = self.states.iter().map(|s| s.as_str()).collect();
        format!("lifecycle in ({})", names.join(", "))
    }
}
