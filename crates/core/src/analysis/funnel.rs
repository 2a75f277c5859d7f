//! Funnels: how many customers reach each step, how fast, where they drop out and where they go instead.
//!
//! Definition: a customer reaches step k when the chain walk ([`walk`]) of their journey reaches it — in
//! `ordered` mode exactly ClickHouse `windowFunnel(window)`, in `strict` mode `windowFunnel(window, 'strict_order')`
//! (other events between steps stop the chain), in `any` mode all of steps 1..k within one window in any order.
//! The window is measured from step 1. Step 1 must happen inside the entry range (`from`, `to`) when given.
//! Each customer counts once, at their best chain; conversion of step k is `customers(k) / customers(1)`.
//! Times between steps are those of the winning chain; median and p90 are `quantile_cont` (as DuckDB).
//! Example: steps view → cart → buy, a customer with `view@0, cart@60s, view@100s` reaches step 2 (cart) and, as a
//! drop-off after step 2, "went instead" to `view`.
//! Breakdowns and trends file a customer under their entry: their first step-1 event (inside the entry range),
//! whatever chain wins later — the customer's channel or campaign when they entered the funnel.
//! Trends count the entry in its local day, ISO week or month of the spec's [`Calendar`] (the project's time zone).
//! Edge cases: equal timestamps are ordered by step number (ClickHouse's rule); customers who never do step 1 are
//! not in the funnel; an event may satisfy several steps.
//! References: `windowFunnel` via chdb and a DuckDB SQL formulation (tests/reference/test_funnel_*.py).

pub mod walk;

use crate::analysis::invalid::{SpecError, SpecErrors, SpecField, SpecReason};
use crate::text_error::TextError;
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::filter::EventMatch;
pub use super::matcher::Breakdown;
use super::matcher::{EventView, Matcher};
pub use super::period::{days_from_civil, Period};
use super::quantile::Distribution;
use crate::calendar::Calendar;
use crate::dict::Dictionaries;
use crate::fold::JourneyFold;
use crate::journey::{Columns, Journey};
use crate::time::format_day;
use walk::{walk_any, walk_fast, walk_ordered, Rules};

/// How steps must follow each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FunnelMode {
    /// In order; other events may happen in between.
    Ordered,
    /// In order with no other event in between.
    Strict,
    /// All steps within the window, in any order.
    Any,
}

impl FunnelMode {
    pub fn parse(s: &str) -> Result<Self, TextError> {
        match s {
            "ordered" => Ok(FunnelMode::Ordered),
            "strict" => Ok(FunnelMode::Strict),
            "any" => Ok(FunnelMode::Any),
            other => Err(TextError::UnknownChoice { text: other.into(), choices: &["ordered", "strict", "any"] }),
        }
    }
}

/// One step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub matcher: EventMatch,
    pub optional: bool,
    /// Minimum and maximum milliseconds since the previous reached step.
    pub min_ms: Option<i64>,
    pub max_ms: Option<i64>,
}

/// An event that, between step `after` and `after + 1` (1-based), knocks a customer out of the chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exclusion {
    pub matcher: EventMatch,
    pub after: usize,
}

/// What to compute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelSpec {
    pub steps: Vec<Step>,
    pub mode: FunnelMode,
    pub window_ms: i64,
    pub exclusions: Vec<Exclusion>,
    pub breakdown: Option<Breakdown>,
    /// Conversion by the entry's period, in `calendar`.
    pub trend: Option<Period>,
    /// Whose days, weeks and months the trend uses (the project's time zone).
    pub calendar: Calendar,
    /// Step 1 must happen in `[from, to)`.
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Top next events kept per drop-off step.
    pub dropoff_top: usize,
}

/// The most steps a funnel follows (a step mask is 32 bits).
pub const MAX_STEPS: usize = 32;

impl FunnelSpec {
    /// Checks the spec; returns every problem with its field.
    pub fn validate(&self) -> Result<(), SpecErrors> {
        let mut errors = Vec::new();
        let mut problem = |field, reason| errors.push(SpecError { field, reason });
        if self.steps.len() < 2 {
            problem(SpecField::Steps, SpecReason::TooFewSteps);
        }
        if self.steps.len() > MAX_STEPS {
            problem(SpecField::Steps, SpecReason::TooManySteps { max: MAX_STEPS });
        }
        if self.steps.first().is_some_and(|s| s.optional) {
            problem(SpecField::Steps, SpecReason::FirstStepOptional);
        }
        if self.window_ms <= 0 {
            problem(SpecField::Window, SpecReason::NotPositive { example: "7d" });
        }
        let last = self.steps.len().saturating_sub(1);
        for x in &self.exclusions {
            if x.after == 0 || x.after >= self.steps.len() {
                problem(SpecField::Exclusions, SpecReason::NoNextStep { after: x.after, last });
            }
        }
        SpecErrors::check(errors)
    }
}

/// The fold, with event names resolved to dictionary codes.
pub struct FunnelFold {
    spec: FunnelSpec,
    steps: Vec<Matcher>,
    exclusions: Vec<(Matcher, usize)>,
    limits: Vec<(Option<i64>, Option<i64>)>,
    optional: Vec<bool>,
    columns: Columns,
    dicts: Dictionaries,
    /// When every step is a bare event name: name code → mask of the steps it is (the fast path).
    plain: Option<Vec<u32>>,
    /// The mask of `*` steps, for names the table does not know.
    star: u32,
    /// Ordered mode without optional steps, limits or exclusions: the allocation-free walk applies.
    fast: bool,
}

/// Partial result.
#[derive(Debug, Clone, Default)]
pub struct FunnelAcc {
    /// Customers whose best chain reached exactly level k (index 0 unused: not entered).
    pub levels: Vec<u64>,
    /// Customers who did each step in their chain (optional steps may be skipped).
    pub did: Vec<u64>,
    /// Time from the previous reached step, per step.
    pub durations: Vec<Distribution>,
    pub breakdown: BTreeMap<String, Vec<u64>>,
    /// Entry period (first day) → customers by level.
    pub trend: BTreeMap<i64, Vec<u64>>,
    /// (dropped after step k, next event name code or u32::MAX for end of journey) → customers.
    pub next: HashMap<(usize, u32), u64>,
    /// Per-event step masks of the journey being folded (a buffer reused across customers; not a result).
    scratch: Vec<u32>,
}

impl FunnelFold {
    pub fn new(spec: FunnelSpec, dicts: &Dictionaries) -> Result<Self, String> {
        spec.validate()?;
        let steps: Vec<Matcher> = spec.steps.iter().map(|s| Matcher::new(&s.matcher, dicts)).collect();
        let exclusions: Vec<(Matcher, usize)> =
            spec.exclusions.iter().map(|x| (Matcher::new(&x.matcher, dicts), x.after)).collect();
        let limits: Vec<(Option<i64>, Option<i64>)> = spec.steps.iter().map(|s| (s.min_ms, s.max_ms)).collect();
        let optional: Vec<bool> = spec.steps.iter().map(|s| s.optional).collect();
        let mut columns = Columns::NONE;
        for m in spec.steps.iter().map(|s| &s.matcher).chain(spec.exclusions.iter().map(|x| &x.matcher)) {
            columns = columns.with(Matcher::new(m, dicts).columns());
        }
        if let Some(b) = &spec.breakdown {
            columns = columns.with(b.columns());
        }
        let names = dicts.get(crate::dict::DictCol::Name).len();
        let mut plain = Some(vec![0u32; names]);
        let mut star = 0u32;
        for (s, m) in steps.iter().enumerate() {
            match (m.bare(), plain.as_mut()) {
                (Some(None), Some(table)) => table.iter_mut().for_each(|t| *t |= 1 << s),
                (Some(Some(Some(code))), Some(table)) => table[code as usize] |= 1 << s,
                (Some(Some(None)), _) => {}
                _ => plain = None,
            }
            if m.bare() == Some(None) {
                star |= 1 << s;
            }
        }
        let fast = spec.mode == FunnelMode::Ordered
            && spec.steps.len() <= walk::FAST_STEPS
            && exclusions.is_empty()
            && !optional.iter().any(|&o| o)
            && limits.iter().all(|&(a, b)| a.is_none() && b.is_none());
        Ok(FunnelFold { spec, steps, exclusions, limits, optional, columns, dicts: dicts.clone(), plain, star, fast })
    }

    /// Columns the scan must fill.
    pub fn columns(&self) -> Columns {
        self.columns
    }

    pub fn spec(&self) -> &FunnelSpec {
        &self.spec
    }
}

fn add_into(into: &mut Vec<u64>, other: &[u64]) {
    if into.len() < other.len() {
        into.resize(other.len(), 0);
    }
    for (a, b) in into.iter_mut().zip(other) {
        *a += b;
    }
}

impl FunnelFold {
    /// Adds one customer who reached `level` along `chain`, having entered at event `entry`.
    fn record(
        &self,
        acc: &mut FunnelAcc,
        j: &Journey<'_>,
        view: &mut EventView<'_, '_>,
        level: usize,
        chain: impl Fn(usize) -> Option<usize>,
        entry: usize,
    ) {
        let n = self.spec.steps.len();
        acc.levels[level] += 1;
        let mut last: Option<i64> = None;
        for k in 0..n {
            if let Some(i) = chain(k) {
                acc.did[k] += 1;
                if self.spec.mode != FunnelMode::Any {
                    if let Some(l) = last {
                        acc.durations[k].add(j.ts[i] - l);
                    }
                    last = Some(j.ts[i]);
                }
            }
        }
        if let Some(b) = &self.spec.breakdown {
            let key = b.value(view, entry);
            match acc.breakdown.get_mut(&key) {
                Some(row) => row[level] += 1,
                None => {
                    let mut row = vec![0; n + 1];
                    row[level] += 1;
                    acc.breakdown.insert(key, row);
                }
            }
        }
        if let Some(p) = self.spec.trend {
            let row = acc.trend.entry(p.start(self.spec.calendar, j.ts[entry])).or_insert_with(|| vec![0; n + 1]);
            row[level] += 1;
        }
        if level < n && self.spec.dropoff_top > 0 {
            let after = (0..n).rev().find_map(&chain).unwrap_or(entry);
            let next = j.name.get(after + 1).map_or(u32::MAX, |&c| c as u32);
            *acc.next.entry((level, next)).or_default() += 1;
        }
    }
}

impl JourneyFold for FunnelFold {
    type Acc = FunnelAcc;

    fn init(&self) -> FunnelAcc {
        let n = self.spec.steps.len();
        FunnelAcc {
            levels: vec![0; n + 1],
            did: vec![0; n],
            durations: vec![Distribution::default(); n],
            ..FunnelAcc::default()
        }
    }

    fn fold(&self, acc: &mut FunnelAcc, j: &Journey<'_>) {
        let n = self.spec.steps.len();
        let mut view = EventView::new(j, &self.dicts);
        let inside = j.time_range(self.spec.from, self.spec.to);
        let ranged = self.spec.from.is_some() || self.spec.to.is_some();
        // the plain ordered case reads names through the lookup table in one pass, with nothing allocated
        if let (true, Some(table)) = (self.fast, &self.plain) {
            let mask = |i: usize| {
                let m = table.get(j.name[i] as usize).copied().unwrap_or(self.star);
                if ranged && !inside.contains(&i) {
                    m & !1
                } else {
                    m
                }
            };
            let w = walk_fast(j.ts, mask, n, self.spec.window_ms);
            let Some(entry) = w.entry.filter(|_| w.level > 0) else { return };
            let chain = |k: usize| (k < w.level).then(|| w.chain[k] as usize);
            return self.record(acc, j, &mut view, w.level, chain, entry);
        }
        let mut chain = [None::<usize>; 32];
        let mut steps = std::mem::take(&mut acc.scratch);
        steps.clear();
        match &self.plain {
            Some(table) => steps.extend(j.name.iter().map(|&c| table.get(c as usize).copied().unwrap_or(self.star))),
            None => {
                steps.resize(j.len(), 0);
                for (i, m) in steps.iter_mut().enumerate() {
                    for (s, p) in self.steps.iter().enumerate() {
                        if view.matches(p, i) {
                            *m |= 1 << s;
                        }
                    }
                }
            }
        }
        if ranged {
            for (i, m) in steps.iter_mut().enumerate() {
                if !inside.contains(&i) {
                    *m &= !1;
                }
            }
        }
        let level = if self.fast {
            let w = walk_fast(j.ts, |i| steps[i], n, self.spec.window_ms);
            for (c, &i) in chain.iter_mut().zip(&w.chain[..w.level]) {
                *c = Some(i as usize);
            }
            w.level
        } else {
            let mut excl = vec![0u32; if self.exclusions.is_empty() { 0 } else { j.len() }];
            for (i, x) in excl.iter_mut().enumerate() {
                for (p, after) in &self.exclusions {
                    if view.matches(p, i) {
                        *x |= 1 << (after - 1);
                    }
                }
            }
            let w = match self.spec.mode {
                FunnelMode::Any => walk_any(j.ts, &steps, n, self.spec.window_ms),
                mode => {
                    let rules = Rules {
                        steps: n,
                        window: self.spec.window_ms,
                        strict: mode == FunnelMode::Strict,
                        optional: &self.optional,
                        limits: &self.limits,
                    };
                    walk_ordered(j.ts, &steps, &excl, &rules)
                }
            };
            chain[..w.events.len()].copy_from_slice(&w.events);
            w.level
        };
        // the customer's entry: their first step-1 event (in the entry range); breakdowns and trends use it
        let entry = steps.iter().position(|m| m & 1 != 0);
        acc.scratch = steps;
        let Some(entry) = entry.filter(|_| level > 0) else { return };
        self.record(acc, j, &mut view, level, |k| chain[k], entry);
    }

    fn merge(&self, into: &mut FunnelAcc, other: FunnelAcc) {
        add_into(&mut into.levels, &other.levels);
        add_into(&mut into.did, &other.did);
        for (a, b) in into.durations.iter_mut().zip(other.durations) {
            a.merge(b);
        }
        for (k, v) in other.breakdown {
            add_into(into.breakdown.entry(k).or_default(), &v);
        }
        for (k, v) in other.trend {
            add_into(into.trend.entry(k).or_default(), &v);
        }
        for (k, v) in other.next {
            *into.next.entry(k).or_default() += v;
        }
    }
}

/// One step of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepReport {
    pub event: String,
    /// Customers who reached this step.
    pub customers: u64,
    /// Share of step-1 customers who reached it.
    pub conversion: f64,
    /// Share of the previous step's customers who reached it.
    pub conversion_from_previous: f64,
    /// Customers of the previous step who did not reach it.
    pub dropoff: u64,
    pub median_seconds: Option<f64>,
    pub p90_seconds: Option<f64>,
}

/// Steps of one breakdown value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakdownReport {
    pub value: String,
    pub customers: u64,
    pub converted: u64,
    pub conversion: f64,
    pub steps: Vec<u64>,
}

/// Conversion of the customers who entered in one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendReport {
    pub period: String,
    pub entered: u64,
    pub converted: u64,
    pub conversion: f64,
}

/// Where customers who stopped after a step went next.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DropoffNext {
    pub after_step: usize,
    /// The next event's name; None: the journey ended there (JSON `null`).
    pub event: Option<String>,
    pub customers: u64,
    pub share: f64,
}

/// The funnel report (its JSON shape is stable).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelReport {
    pub steps: Vec<StepReport>,
    pub breakdown: Vec<BreakdownReport>,
    pub trend: Vec<TrendReport>,
    pub dropoff_next: Vec<DropoffNext>,
}

fn share(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Customers reaching at least each level, from counts by exact level.
fn reached(levels: &[u64], n: usize) -> Vec<u64> {
    (1..=n).map(|k| levels.iter().skip(k).sum()).collect()
}

impl FunnelFold {
    /// Turns the merged partial result into the report.
    pub fn report(&self, acc: &FunnelAcc) -> FunnelReport {
        let n = self.spec.steps.len();
        let reach = reached(&acc.levels, n);
        let steps = (0..n)
            .map(|k| {
                let prev = if k == 0 { reach[0] } else { reach[k - 1] };
                let d = &acc.durations[k];
                StepReport {
                    event: self.spec.steps[k].matcher.text.clone(),
                    customers: reach[k],
                    conversion: share(reach[k], reach[0]),
                    conversion_from_previous: share(reach[k], prev),
                    dropoff: prev - reach[k],
                    median_seconds: d.quantile(0.5).map(|v| v / 1000.0),
                    p90_seconds: d.quantile(0.9).map(|v| v / 1000.0),
                }
            })
            .collect();
        let mut breakdown: Vec<BreakdownReport> = acc
            .breakdown
            .iter()
            .map(|(value, levels)| {
                let r = reached(levels, n);
                BreakdownReport {
                    value: value.clone(),
                    customers: r[0],
                    converted: r[n - 1],
                    conversion: share(r[n - 1], r[0]),
                    steps: r,
                }
            })
            .collect();
        breakdown.sort_by(|a, b| b.customers.cmp(&a.customers).then(a.value.cmp(&b.value)));
        let trend = acc
            .trend
            .iter()
            .map(|(&day, levels)| {
                let r = reached(levels, n);
                TrendReport {
                    period: format_day(day),
                    entered: r[0],
                    converted: r[n - 1],
                    conversion: share(r[n - 1], r[0]),
                }
            })
            .collect();
        let mut next: Vec<DropoffNext> = acc
            .next
            .iter()
            .map(|(&(after, code), &c)| DropoffNext {
                after_step: after,
                event: (code != u32::MAX).then(|| self.dicts.name(code as u16).to_string()),
                customers: c,
                share: share(c, acc.levels.get(after).copied().unwrap_or(0)),
            })
            .collect();
        next.sort_by(|a, b| {
            a.after_step.cmp(&b.after_step).then(b.customers.cmp(&a.customers)).then(a.event.cmp(&b.event))
        });
        let mut kept = Vec::new();
        for k in 1..n {
            kept.extend(next.iter().filter(|d| d.after_step == k).take(self.spec.dropoff_top).cloned());
        }
        FunnelReport { steps, breakdown, trend, dropoff_next: kept }
    }
}
