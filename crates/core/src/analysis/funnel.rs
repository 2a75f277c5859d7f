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
//! Edge cases: equal timestamps are ordered by step number (ClickHouse's rule); customers who never do step 1 are
//! not in the funnel; an event may satisfy several steps.
//! References: `windowFunnel` via chdb and a DuckDB SQL formulation (tests/reference/test_funnel_*.py).

pub mod walk;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::Value;

use super::filter::{property, test, Cond, EventMatch, Field};
use super::quantile::Distribution;
use crate::dict::{DictCol, Dictionaries};
use crate::event::MessageKind;
use crate::fold::JourneyFold;
use crate::journey::{Columns, Journey, TextCol};
use crate::time::format_day;
use walk::{walk_any, walk_ordered, Rules};

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
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "ordered" => Ok(FunnelMode::Ordered),
            "strict" => Ok(FunnelMode::Strict),
            "any" => Ok(FunnelMode::Any),
            other => Err(format!("unknown mode '{other}': use ordered, strict or any")),
        }
    }
}

/// A calendar period for trends and cohorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Day,
    Week,
    Month,
}

impl Period {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "day" => Ok(Period::Day),
            "week" => Ok(Period::Week),
            "month" => Ok(Period::Month),
            other => Err(format!("unknown period '{other}': use day, week or month")),
        }
    }

    /// The first day (days since the epoch) of the period holding `ms`; weeks start on Monday.
    pub fn start(self, ms: i64) -> i64 {
        let day = ms.div_euclid(86_400_000);
        match self {
            Period::Day => day,
            Period::Week => day - (day + 3).rem_euclid(7),
            Period::Month => {
                let label = format_day(day);
                let (y, m) = (label[..4].parse::<i64>().unwrap_or(1970), label[5..7].parse::<i64>().unwrap_or(1));
                days_from_civil(y, m, 1)
            }
        }
    }
}

/// Days since the epoch of a civil date (proleptic Gregorian).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// How to split the funnel.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Breakdown {
    /// A field of the customer's step-1 event (channel, campaign, a property …).
    Step(Field),
    /// A customer trait (latest value from identify calls).
    Trait(String),
    /// The channel group of the customer's first event.
    FirstChannel,
}

impl Breakdown {
    pub fn parse(s: &str) -> Self {
        if s == "first_channel" || s == "first_touch" {
            Breakdown::FirstChannel
        } else if let Some(t) = s.strip_prefix("trait.").or_else(|| s.strip_prefix("traits.")) {
            Breakdown::Trait(t.to_string())
        } else {
            let m = EventMatch::parse(&format!("x where {s} = 0")).ok();
            Breakdown::Step(
                m.and_then(|m| m.conds.into_iter().next()).map_or(Field::Property(vec![s.to_string()]), |c| c.field),
            )
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
    pub trend: Option<Period>,
    /// Step 1 must happen in `[from, to)`.
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Top next events kept per drop-off step.
    pub dropoff_top: usize,
}

impl FunnelSpec {
    /// Checks the spec; every problem names its argument.
    pub fn validate(&self) -> Result<(), String> {
        if self.steps.len() < 2 {
            return Err("--step: a funnel needs at least two steps".into());
        }
        if self.steps.len() > 32 {
            return Err("--step: at most 32 steps".into());
        }
        if self.steps[0].optional {
            return Err("--step: the first step cannot be optional".into());
        }
        if self.window_ms <= 0 {
            return Err("--window: must be longer than zero".into());
        }
        for x in &self.exclusions {
            if x.after == 0 || x.after >= self.steps.len() {
                return Err(format!("--exclude: step {} has no next step (use 1..{})", x.after, self.steps.len() - 1));
            }
        }
        Ok(())
    }
}

/// The fold, with event names resolved to dictionary codes.
pub struct FunnelFold {
    spec: FunnelSpec,
    steps: Vec<Prepared>,
    exclusions: Vec<(Prepared, usize)>,
    limits: Vec<(Option<i64>, Option<i64>)>,
    optional: Vec<bool>,
    columns: Columns,
    dicts: Dictionaries,
}

struct Prepared {
    /// None: `*` (any event); Some(None): a name never seen (matches nothing).
    name: Option<Option<u16>>,
    conds: Vec<(Cond, Option<Vec<u32>>)>,
}

fn prepare(m: &EventMatch, dicts: &Dictionaries) -> Prepared {
    let name = if m.event == "*" { None } else { Some(dicts.name_code(&m.event)) };
    let conds = m
        .conds
        .iter()
        .map(|c| {
            let codes = match &c.field {
                Field::Dict(col) => Some(c.values.iter().filter_map(|v| dicts.get(*col).code(v)).collect()),
                _ => None,
            };
            (c.clone(), codes)
        })
        .collect();
    Prepared { name, conds }
}

fn columns_for(m: &EventMatch) -> Columns {
    let mut cols = Columns::NONE;
    for c in &m.conds {
        cols = cols.with(match &c.field {
            Field::Dict(d) => Columns::dict(*d),
            Field::Revenue => Columns::REVENUE,
            _ => Columns::ROWS,
        });
    }
    cols
}

/// Per-event context for condition tests (properties parsed lazily, once).
struct EventView<'j, 'a> {
    j: &'j Journey<'a>,
    dicts: &'j Dictionaries,
    props: Vec<Option<serde_json::Map<String, Value>>>,
}

impl EventView<'_, '_> {
    /// The parsed properties of event `i` (parsed once).
    fn props(&mut self, i: usize) -> &serde_json::Map<String, Value> {
        if self.props.len() <= i {
            self.props.resize(i + 1, None);
        }
        let j = self.j;
        self.props[i].get_or_insert_with(|| {
            let text = j.rows.get(i).map(|&r| j.access.text(TextCol::Properties, r)).unwrap_or("{}");
            match serde_json::from_str(text) {
                Ok(Value::Object(m)) => m,
                _ => serde_json::Map::new(),
            }
        })
    }

    fn matches(&mut self, p: &Prepared, i: usize) -> bool {
        match p.name {
            Some(None) => return false,
            Some(Some(code)) if self.j.name[i] != code => return false,
            _ => {}
        }
        for (c, codes) in &p.conds {
            let ok = match &c.field {
                Field::Dict(col) => {
                    let code = self.j.codes(*col).get(i).copied().unwrap_or(0);
                    match (c.op, codes) {
                        (super::filter::Op::Eq | super::filter::Op::In, Some(set)) => set.contains(&code),
                        (super::filter::Op::Ne, Some(set)) => !set.contains(&code),
                        _ => {
                            let v = self.dicts.get(*col).value(code);
                            test(c, (!v.is_empty()).then(|| Value::String(v.to_string())).as_ref())
                        }
                    }
                }
                Field::Revenue => {
                    let r = self.j.revenue.get(i).copied().unwrap_or(f64::NAN);
                    test(c, serde_json::Number::from_f64(r).map(Value::Number).as_ref())
                }
                Field::Referrer | Field::PageUrl | Field::PageTitle => {
                    let col = match c.field {
                        Field::Referrer => TextCol::Referrer,
                        Field::PageUrl => TextCol::PageUrl,
                        _ => TextCol::PageTitle,
                    };
                    let v = self.j.rows.get(i).map(|&r| self.j.access.text(col, r)).unwrap_or("");
                    test(c, (!v.is_empty()).then(|| Value::String(v.to_string())).as_ref())
                }
                Field::Property(path) => test(c, property(self.props(i), path)),
            };
            if !ok {
                return false;
            }
        }
        true
    }
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
}

impl FunnelFold {
    pub fn new(spec: FunnelSpec, dicts: &Dictionaries) -> Result<Self, String> {
        spec.validate()?;
        let steps = spec.steps.iter().map(|s| prepare(&s.matcher, dicts)).collect();
        let exclusions = spec.exclusions.iter().map(|x| (prepare(&x.matcher, dicts), x.after)).collect();
        let limits = spec.steps.iter().map(|s| (s.min_ms, s.max_ms)).collect();
        let optional = spec.steps.iter().map(|s| s.optional).collect();
        let mut columns = Columns::NONE;
        for m in spec.steps.iter().map(|s| &s.matcher).chain(spec.exclusions.iter().map(|x| &x.matcher)) {
            columns = columns.with(columns_for(m));
        }
        columns = columns.with(match &spec.breakdown {
            Some(Breakdown::FirstChannel) => Columns::dict(DictCol::Channel),
            Some(Breakdown::Step(Field::Dict(d))) => Columns::dict(*d),
            Some(Breakdown::Step(Field::Revenue)) => Columns::REVENUE,
            Some(Breakdown::Step(_)) => Columns::ROWS,
            Some(Breakdown::Trait(_)) => Columns::ROWS.with(Columns::KIND),
            None => Columns::NONE,
        });
        Ok(FunnelFold { spec, steps, exclusions, limits, optional, columns, dicts: dicts.clone() })
    }

    /// Columns the scan must fill.
    pub fn columns(&self) -> Columns {
        self.columns
    }

    pub fn spec(&self) -> &FunnelSpec {
        &self.spec
    }

    fn breakdown_value(&self, j: &Journey<'_>, view: &mut EventView<'_, '_>, first: usize) -> String {
        let s = match &self.spec.breakdown {
            None => return String::new(),
            Some(Breakdown::FirstChannel) => view
                .dicts
                .get(DictCol::Channel)
                .value(j.codes(DictCol::Channel).first().copied().unwrap_or(0))
                .to_string(),
            Some(Breakdown::Step(Field::Dict(d))) => {
                view.dicts.get(*d).value(j.codes(*d).get(first).copied().unwrap_or(0)).to_string()
            }
            Some(Breakdown::Step(Field::Revenue)) => {
                j.revenue.get(first).filter(|r| !r.is_nan()).map(|r| r.to_string()).unwrap_or_default()
            }
            Some(Breakdown::Step(Field::Property(path))) => {
                property(view.props(first), path).map(value_text).unwrap_or_default()
            }
            Some(Breakdown::Step(f)) => {
                let col = match f {
                    Field::Referrer => TextCol::Referrer,
                    Field::PageUrl => TextCol::PageUrl,
                    _ => TextCol::PageTitle,
                };
                j.rows.get(first).map(|&r| j.access.text(col, r).to_string()).unwrap_or_default()
            }
            Some(Breakdown::Trait(key)) => {
                let mut found = String::new();
                for (i, &k) in j.kind.iter().enumerate() {
                    if k == MessageKind::Identify as u8 {
                        let text = j.rows.get(i).map(|&r| j.access.text(TextCol::Traits, r)).unwrap_or("{}");
                        if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(text) {
                            if let Some(v) = property(&m, &key.split('.').map(String::from).collect::<Vec<_>>()) {
                                found = value_text(v);
                            }
                        }
                    }
                }
                found
            }
        };
        if s.is_empty() {
            "(none)".to_string()
        } else {
            s
        }
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
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
        let mut view = EventView { j, dicts: &self.dicts, props: Vec::new() };
        let mut steps = vec![0u32; j.len()];
        let mut excl = vec![0u32; if self.exclusions.is_empty() { 0 } else { j.len() }];
        for i in 0..j.len() {
            for (s, p) in self.steps.iter().enumerate() {
                if s == 0 && (self.spec.from.is_some_and(|f| j.ts[i] < f) || self.spec.to.is_some_and(|t| j.ts[i] >= t))
                {
                    continue;
                }
                if view.matches(p, i) {
                    steps[i] |= 1 << s;
                }
            }
            for (p, after) in &self.exclusions {
                if view.matches(p, i) {
                    excl[i] |= 1 << (after - 1);
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
        if w.level == 0 {
            return;
        }
        acc.levels[w.level] += 1;
        let mut last: Option<i64> = None;
        for (k, e) in w.events.iter().enumerate() {
            if let Some(i) = *e {
                acc.did[k] += 1;
                if self.spec.mode != FunnelMode::Any {
                    if let Some(l) = last {
                        acc.durations[k].add(j.ts[i] - l);
                    }
                    last = Some(j.ts[i]);
                }
            }
        }
        let first = w.events.first().copied().flatten().unwrap_or(0);
        if self.spec.breakdown.is_some() {
            let key = self.breakdown_value(j, &mut view, first);
            let row = acc.breakdown.entry(key).or_insert_with(|| vec![0; n + 1]);
            row[w.level] += 1;
        }
        if let Some(p) = self.spec.trend {
            let row = acc.trend.entry(p.start(j.ts[first])).or_insert_with(|| vec![0; n + 1]);
            row[w.level] += 1;
        }
        if w.level < n && self.spec.dropoff_top > 0 {
            let after = w.events.iter().flatten().last().copied().unwrap_or(first);
            let next = j.name.get(after + 1).map_or(u32::MAX, |&c| c as u32);
            *acc.next.entry((w.level, next)).or_default() += 1;
        }
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
    /// Next event, or `(end of journey)`.
    pub event: String,
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
                event: if code == u32::MAX {
                    "(end of journey)".into()
                } else {
                    self.dicts.name(code as u16).to_string()
                },
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
