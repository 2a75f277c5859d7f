//! Retention: of the customers who first did A in a period, how many did B again 1, 2, … N periods later.
//!
//! Definition. A customer's **entry** is their first event matching `start` (journey order: time, then ingest
//! order); `start` defaults to `*`, so the cohort is "first activity". The cohort is the entry's calendar period
//! `P0` (local day, ISO week starting on Monday, or month of the spec's [`Calendar`], the project's time zone —
//! [`Period`]). An event at time `t` lies in column
//! `k = offset(P0, period(t))`. Column 0 is the entry itself and is 100 % by definition (ClickHouse style:
//! `retention(entry, B ∧ period = P0 + 1, …)`), so a return in the entry's own period — even at the entry's
//! very instant — changes nothing. For `k ≥ 1` a customer is retained when some event matching `return` lies
//! in period `P0 + k` (`on` mode) or in `P0 + k` or any later period, beyond N too (`on-or-after` mode).
//! Columns run 0..=N.
//!
//! Observation. `now` is the instant up to which the data is complete (exclusive); events at or after it are
//! ignored. Without it, it is just after the latest event this fold was given (callers that filter customers
//! pass the data's end instead, as `tropa retention` does); core never reads the clock. Column `k` of a cohort is *observed* when period `P0 + k` has
//! started before `now`; unobserved columns are left out of that column's denominator (and have no returns). An
//! observed period that has not ended by `now` is *partial* and flagged as such. The overall curve is weighted:
//! `rate[k] = Σ retained[k] / Σ customers` over the cohorts that observe `k`.
//!
//! Repeat rate (`repeat_within`): a customer *repeats* when an event matching `return` other than the entry
//! comes after the entry in journey order no later than `entry + within` (inclusive; an event at the entry's
//! instant counts when it was ingested after the entry, e.g. a second purchase in the same second). Only
//! customers whose whole window has passed are counted: `end of entry day + within ≤ now` (whole entry days, so
//! the cut does not depend on behaviour); the others are reported as `excluded`.
//!
//! Example: weekly, `start = *`, `return = purchase`: a customer first seen Wed 2024-01-03 (cohort 2024-01-01)
//! who buys on 2024-01-09 and 2024-01-25 is retained in columns 0, 1 and 3 (`on`), 0..=3 (`on-or-after`).
//!
//! Edge cases: customers who never do `start`, or whose entry is outside `[from, to)`, are not in any cohort
//! (entry is the *first* `start` ever, so `from`/`to` select new customers); the entry's breakdown value comes
//! from the entry event (first channel: the journey's first event). Report order: cohorts by date; breakdown
//! values by customers (most first), then by value.
//!
//! Cost: one pass over each journey after its entry, by binary search from column to column; column bounds are
//! computed once per cohort, the columns a customer hit are a fixed bitset, so nothing is allocated per customer
//! (except the breakdown value's text). Partial results are per-cohort counts, merged by addition.
//!
//! References: ClickHouse `retention()` via chdb (overall counts) and DuckDB SQL (cohort rows), in
//! tests/reference/test_retention_clickhouse.py; an independent implementation in crates/testkit/tests/retention.rs.

use crate::analysis::invalid::{SpecError, SpecErrors, SpecField, SpecReason};
use crate::text_error::TextError;
use std::collections::BTreeMap;

use serde::Serialize;

use super::filter::EventMatch;
use super::matcher::{Breakdown, EventView, Matcher};
use super::period::Period;
use crate::calendar::Calendar;
use crate::dict::Dictionaries;
use crate::fold::JourneyFold;
use crate::journey::{Columns, Journey};
use crate::time::{format_day, format_ts};

/// The most columns after column 0.
pub const MAX_PERIODS: usize = 400;
const DAY_MS: i64 = 86_400_000;
const WORDS: usize = MAX_PERIODS / 64 + 1;

/// Which periods count as a return in column k.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RetentionMode {
    /// A return in period k exactly.
    On,
    /// A return in period k or any later one (unbounded).
    OnOrAfter,
}

impl RetentionMode {
    pub fn parse(s: &str) -> Result<Self, TextError> {
        match s {
            "on" => Ok(RetentionMode::On),
            "on-or-after" | "on_or_after" => Ok(RetentionMode::OnOrAfter),
            other => Err(TextError::UnknownChoice { text: other.into(), choices: &["on", "on-or-after"] }),
        }
    }
}

/// What to compute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetentionSpec {
    /// Cohort entry: the first event matching this (`*`: first activity).
    pub start: EventMatch,
    /// What counts as coming back (`*`: any event).
    pub return_event: EventMatch,
    pub period: Period,
    /// Columns 1..=periods after the entry column 0.
    pub periods: usize,
    pub mode: RetentionMode,
    pub breakdown: Option<Breakdown>,
    /// Repeat rate window in milliseconds.
    pub repeat_within_ms: Option<i64>,
    /// The entry must lie in `[from, to)`.
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Data complete up to this instant (exclusive); None: just after the latest event scanned.
    pub now: Option<i64>,
    /// Whose days, weeks and months (the project's time zone).
    pub calendar: Calendar,
}

impl RetentionSpec {
    /// Checks the spec; returns every problem with its field.
    pub fn validate(&self) -> Result<(), SpecErrors> {
        let mut errors = Vec::new();
        let mut problem = |field, reason| errors.push(SpecError { field, reason });
        if self.periods == 0 || self.periods > MAX_PERIODS {
            problem(SpecField::Periods, SpecReason::OutOfRange { value: self.periods, min: 1, max: MAX_PERIODS });
        }
        if self.repeat_within_ms.is_some_and(|w| w <= 0) {
            problem(SpecField::RepeatWithin, SpecReason::NotPositive { example: "30d" });
        }
        if let (Some(f), Some(t)) = (self.from, self.to) {
            if f >= t {
                problem(SpecField::From, SpecReason::NotBeforeEnd);
            }
        }
        SpecErrors::check(errors)
    }
}

/// The fold, with event conditions resolved to dictionary codes.
pub struct RetentionFold {
    spec: RetentionSpec,
    start: Matcher,
    back: Matcher,
    columns: Columns,
    dicts: Dictionaries,
}

/// Counts of one cohort (or one cohort of one breakdown value).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CohortAcc {
    pub customers: u64,
    /// `on`: customers who returned in period k; `on-or-after`: customers whose latest return is in period k
    /// (capped at N). Index 0 unused.
    pub hits: Vec<u64>,
    /// Where each column starts (epoch ms), 0..=N, then where column N ends: computed once per cohort, so the fold
    /// never does calendar arithmetic per event.
    pub bounds: Vec<i64>,
}

/// Repeat counts of the customers who entered on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RepeatAcc {
    pub customers: u64,
    pub repeated: u64,
}

/// Partial result.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RetentionAcc {
    /// Entry period (first day) → counts.
    pub cohorts: BTreeMap<i64, CohortAcc>,
    /// Breakdown value → entry period → counts.
    pub breakdown: BTreeMap<String, BTreeMap<i64, CohortAcc>>,
    /// Entry day → repeat counts.
    pub repeat: BTreeMap<i64, RepeatAcc>,
    /// Latest event time scanned.
    pub last_ts: Option<i64>,
}

/// Columns hit by one customer, a fixed bitset (no allocation per customer).
struct Hits([u64; WORDS]);

impl Hits {
    fn set(&mut self, k: usize) {
        self.0[k / 64] |= 1 << (k % 64);
    }

    fn add_to(&self, row: &mut CohortAcc) {
        row.customers += 1;
        for (w, &word) in self.0.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                row.hits[w * 64 + bits.trailing_zeros() as usize] += 1;
                bits &= bits - 1;
            }
        }
    }
}

impl RetentionFold {
    pub fn new(spec: RetentionSpec, dicts: &Dictionaries) -> Result<Self, String> {
        spec.validate()?;
        let start = Matcher::new(&spec.start, dicts);
        let back = Matcher::new(&spec.return_event, dicts);
        let mut columns = start.columns().with(back.columns());
        if let Some(b) = &spec.breakdown {
            columns = columns.with(b.columns());
        }
        Ok(RetentionFold { spec, start, back, columns, dicts: dicts.clone() })
    }

    /// Columns the scan must fill.
    pub fn columns(&self) -> Columns {
        self.columns
    }

    pub fn spec(&self) -> &RetentionSpec {
        &self.spec
    }

    /// Columns hit after entry `e` whose cohort's columns start at `bounds`, events before `end`.
    fn hits(&self, view: &mut EventView<'_, '_>, e: usize, bounds: &[i64], end: usize) -> Hits {
        let (ts, n) = (view.j.ts, self.spec.periods);
        let column = |t: i64| bounds.partition_point(|&b| b <= t) - 1;
        let mut hits = Hits([0; WORDS]);
        if self.spec.mode == RetentionMode::OnOrAfter {
            if let Some(i) = (e + 1..end).rev().find(|&i| view.matches(&self.back, i)) {
                let k = column(ts[i]);
                if k >= 1 {
                    hits.set(k.min(n));
                }
            }
            return hits;
        }
        // `on`: times never decrease along the journey, so go column by column and skip the rest of a column once
        // it is hit (or jump over columns without events)
        let mut i = e + 1 + ts[e + 1..end].partition_point(|&t| t < bounds[1]);
        while i < end {
            let k = column(ts[i]);
            if k > n {
                break;
            }
            let stop = i + ts[i..end].partition_point(|&t| t < bounds[k + 1]);
            if (i..stop).any(|x| view.matches(&self.back, x)) {
                hits.set(k);
            }
            i = stop;
        }
        hits
    }

    /// The cohort of an entry at `t0`: its first day, found among the known cohorts without calendar arithmetic
    /// when possible.
    fn cohort(&self, cohorts: &mut BTreeMap<i64, CohortAcc>, t0: i64) -> i64 {
        let (period, n, cal) = (self.spec.period, self.spec.periods, self.spec.calendar);
        let day = cal.day(t0);
        if let Some((&p0, _)) = cohorts.range(..=day).next_back().filter(|(_, c)| t0 < c.bounds[1]) {
            return p0;
        }
        let p0 = period.first_day(day);
        cohorts.entry(p0).or_insert_with(|| {
            let bounds = (0..=n + 1).map(|k| cal.day_start(period.shift(p0, k as i64))).collect();
            CohortAcc { customers: 0, hits: vec![0; n + 1], bounds }
        });
        p0
    }
}

impl JourneyFold for RetentionFold {
    type Acc = RetentionAcc;

    fn init(&self) -> RetentionAcc {
        RetentionAcc::default()
    }

    fn fold(&self, acc: &mut RetentionAcc, j: &Journey<'_>) {
        let Some(&last) = j.ts.last() else { return };
        acc.last_ts = Some(acc.last_ts.map_or(last, |l| l.max(last)));
        let end = self.spec.now.map_or(j.len(), |now| j.ts.partition_point(|&t| t < now));
        let mut view = EventView::new(j, &self.dicts);
        let Some(e) = (0..end).find(|&i| view.matches(&self.start, i)) else { return };
        let t0 = j.ts[e];
        if self.spec.from.is_some_and(|f| t0 < f) || self.spec.to.is_some_and(|t| t0 >= t) {
            return;
        }
        let p0 = self.cohort(&mut acc.cohorts, t0);
        let Some(row) = acc.cohorts.get_mut(&p0) else { return };
        let hits = self.hits(&mut view, e, &row.bounds, end);
        hits.add_to(row);
        if let Some(b) = &self.spec.breakdown {
            let value = b.value(&mut view, e);
            let new_row = || CohortAcc { customers: 0, hits: vec![0; row.hits.len()], bounds: row.bounds.clone() };
            hits.add_to(acc.breakdown.entry(value).or_default().entry(p0).or_insert_with(new_row));
        }
        if let Some(w) = self.spec.repeat_within_ms {
            let repeated = (e + 1..end).take_while(|&i| j.ts[i] - t0 <= w).any(|i| view.matches(&self.back, i));
            let r = acc.repeat.entry(self.spec.calendar.day(t0)).or_default();
            r.customers += 1;
            r.repeated += repeated as u64;
        }
    }

    fn merge(&self, into: &mut RetentionAcc, other: RetentionAcc) {
        merge_cohorts(&mut into.cohorts, other.cohorts);
        for (value, cohorts) in other.breakdown {
            merge_cohorts(into.breakdown.entry(value).or_default(), cohorts);
        }
        for (day, r) in other.repeat {
            let x = into.repeat.entry(day).or_default();
            x.customers += r.customers;
            x.repeated += r.repeated;
        }
        into.last_ts = match (into.last_ts, other.last_ts) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
}

fn merge_cohorts(into: &mut BTreeMap<i64, CohortAcc>, other: BTreeMap<i64, CohortAcc>) {
    for (p0, row) in other {
        match into.get_mut(&p0) {
            Some(x) => {
                x.customers += row.customers;
                for (a, b) in x.hits.iter_mut().zip(&row.hits) {
                    *a += b;
                }
            }
            None => {
                into.insert(p0, row);
            }
        }
    }
}

/// A retention curve: of `customers`, how many were retained in each column 0..=N.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Curve {
    pub customers: u64,
    pub retained: Vec<u64>,
    /// Customers whose column k is observed (the denominator of `rates[k]`).
    pub observed: Vec<u64>,
    /// `retained[k] / observed[k]`; null where nothing is observed yet.
    pub rates: Vec<Option<f64>>,
    /// Column k includes a period that had not ended by the observation end.
    pub partial: Vec<bool>,
}

/// One cohort: the customers who entered in one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortRow {
    /// First day of the entry period, `YYYY-MM-DD`.
    pub cohort: String,
    #[serde(flatten)]
    pub curve: Curve,
}

/// The curve of one breakdown value (all its cohorts, weighted).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakdownRow {
    pub value: String,
    #[serde(flatten)]
    pub curve: Curve,
}

/// Repeat rate within a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepeatReport {
    pub within_days: f64,
    /// Customers whose whole window is observed.
    pub customers: u64,
    pub repeated: u64,
    pub rate: Option<f64>,
    /// Customers who entered too recently for their window to be over.
    pub excluded: u64,
}

/// The retention report (its JSON shape is stable).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetentionReport {
    pub period: Period,
    pub mode: RetentionMode,
    pub periods: usize,
    /// The observation end (exclusive), RFC 3339; null without data.
    pub observed_until: Option<String>,
    pub cohorts: Vec<CohortRow>,
    pub overall: Curve,
    pub breakdown: Vec<BreakdownRow>,
    pub repeat: Option<RepeatReport>,
}

impl RetentionFold {
    /// Turns the merged partial result into the report.
    pub fn report(&self, acc: &RetentionAcc) -> RetentionReport {
        let end = self.spec.now.or(acc.last_ts.map(|t| t + 1));
        let curve = |cohorts: &BTreeMap<i64, CohortAcc>| {
            let mut c = Curve::empty(self.spec.periods);
            for row in cohorts.values() {
                c.add(&self.cohort_curve(row, end));
            }
            c.finish()
        };
        let cohorts: Vec<CohortRow> = acc
            .cohorts
            .iter()
            .map(|(&p0, row)| CohortRow { cohort: format_day(p0), curve: self.cohort_curve(row, end).finish() })
            .collect();
        let mut breakdown: Vec<BreakdownRow> =
            acc.breakdown.iter().map(|(v, c)| BreakdownRow { value: v.clone(), curve: curve(c) }).collect();
        breakdown.sort_by(|a, b| b.curve.customers.cmp(&a.curve.customers).then(a.value.cmp(&b.value)));
        let repeat = self.spec.repeat_within_ms.map(|w| {
            let mut r = RepeatReport {
                within_days: w as f64 / DAY_MS as f64,
                customers: 0,
                repeated: 0,
                rate: None,
                excluded: 0,
            };
            for (&day, x) in &acc.repeat {
                if end.is_some_and(|end| self.spec.calendar.day_start(day + 1) + w <= end) {
                    r.customers += x.customers;
                    r.repeated += x.repeated;
                } else {
                    r.excluded += x.customers;
                }
            }
            r.rate = share(r.repeated, r.customers);
            r
        });
        RetentionReport {
            period: self.spec.period,
            mode: self.spec.mode,
            periods: self.spec.periods,
            observed_until: end.map(format_ts),
            cohorts,
            overall: curve(&acc.cohorts),
            breakdown,
            repeat,
        }
    }

    /// The curve of one cohort (rates not yet filled in).
    fn cohort_curve(&self, row: &CohortAcc, end: Option<i64>) -> Curve {
        let n = self.spec.periods;
        let mut c = Curve::empty(n);
        c.customers = row.customers;
        c.retained[0] = row.customers;
        let mut later = 0;
        for k in (1..=n).rev() {
            later += row.hits[k];
            c.retained[k] = if self.spec.mode == RetentionMode::On { row.hits[k] } else { later };
        }
        for k in 0..=n {
            let (starts, ends) = (row.bounds[k], row.bounds[k + 1]);
            if end.is_some_and(|end| starts < end) {
                c.observed[k] = row.customers;
                c.partial[k] = end.is_some_and(|end| ends > end);
            }
        }
        c
    }
}

impl Curve {
    fn empty(n: usize) -> Curve {
        Curve {
            customers: 0,
            retained: vec![0; n + 1],
            observed: vec![0; n + 1],
            rates: Vec::new(),
            partial: vec![false; n + 1],
        }
    }

    fn add(&mut self, other: &Curve) {
        self.customers += other.customers;
        for k in 0..self.retained.len() {
            self.retained[k] += other.retained[k];
            self.observed[k] += other.observed[k];
            self.partial[k] |= other.partial[k];
        }
    }

    fn finish(mut self) -> Curve {
        self.rates = self.retained.iter().zip(&self.observed).map(|(&r, &o)| share(r, o)).collect();
        self
    }
}

fn share(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::period::days_from_civil;
    use crate::dict::DictCol;
    use crate::event::Event;
    use crate::identity::ActorId;
    use crate::journey::{EventAccess, RowRef, TextCol};

    struct NoAccess;

    impl EventAccess for NoAccess {
        fn event(&self, _: RowRef) -> Event {
            Event::default()
        }
        fn text(&self, _: TextCol, _: RowRef) -> &str {
            ""
        }
    }

    /// Epoch ms of `YYYY-MM-DD` plus hours.
    fn t(day: &str, hour: i64) -> i64 {
        let p = |r: std::ops::Range<usize>| day[r].parse::<i64>().unwrap();
        days_from_civil(p(0..4), p(5..7), p(8..10)) * DAY_MS + hour * 3_600_000
    }

    fn spec(start: &str, ret: &str, period: Period, periods: usize) -> RetentionSpec {
        RetentionSpec {
            start: EventMatch::parse(start).unwrap(),
            return_event: EventMatch::parse(ret).unwrap(),
            period,
            periods,
            mode: RetentionMode::On,
            breakdown: None,
            repeat_within_ms: None,
            from: None,
            to: None,
            now: None,
            calendar: Calendar::UTC,
        }
    }

    /// Runs the fold over customers given as (time, event, channel) lists, one accumulator per customer merged
    /// in order, and checks the merged result equals folding all into one accumulator.
    fn run(spec: RetentionSpec, customers: &[Vec<(i64, &str, &str)>]) -> RetentionReport {
        let mut dicts = Dictionaries::default();
        for c in customers {
            for (_, name, channel) in c {
                dicts.intern(DictCol::Name, name).unwrap();
                dicts.intern(DictCol::Channel, channel).unwrap();
            }
        }
        let f = RetentionFold::new(spec, &dicts).unwrap();
        let mut one = f.init();
        let mut merged = f.init();
        for (n, c) in customers.iter().enumerate() {
            let ts: Vec<i64> = c.iter().map(|e| e.0).collect();
            let name: Vec<u16> = c.iter().map(|e| dicts.name_code(e.1).unwrap()).collect();
            let channel: Vec<u32> = c.iter().map(|e| dicts.get(DictCol::Channel).code(e.2).unwrap()).collect();
            let mut dict: [&[u32]; DictCol::COUNT] = [&[]; DictCol::COUNT];
            dict[DictCol::Channel as usize] = &channel;
            let j = Journey {
                customer: ActorId(n as u32),
                ts: &ts,
                name: &name,
                dict,
                revenue: &[],
                kind: &[],
                rows: &[],
                access: &NoAccess,
            };
            f.fold(&mut one, &j);
            let mut part = f.init();
            f.fold(&mut part, &j);
            f.merge(&mut merged, part);
        }
        assert_eq!(one, merged);
        f.report(&merged)
    }

    fn check(report: &RetentionReport, cohort: &str, retained: &[u64], observed: &[u64]) {
        let row = report.cohorts.iter().find(|c| c.cohort == cohort).unwrap_or_else(|| panic!("no cohort {cohort}"));
        assert_eq!(row.curve.retained, retained, "retained of {cohort}");
        assert_eq!(row.curve.observed, observed, "observed of {cohort}");
    }

    #[test]
    fn weekly_on_and_on_or_after_count_the_doc_example() {
        // Wed 2024-01-03 belongs to the week of Monday 2024-01-01
        let c = vec![
            (t("2024-01-03", 10), "view", ""),
            (t("2024-01-07", 23), "purchase", ""),
            (t("2024-01-09", 0), "purchase", ""),
            (t("2024-01-25", 0), "purchase", ""),
        ];
        let mut s = spec("*", "purchase", Period::Week, 4);
        s.now = Some(t("2024-03-01", 0));
        let r = run(s.clone(), std::slice::from_ref(&c));
        check(&r, "2024-01-01", &[1, 1, 0, 1, 0], &[1, 1, 1, 1, 1]);
        assert_eq!(r.overall.rates, vec![Some(1.0), Some(1.0), Some(0.0), Some(1.0), Some(0.0)]);
        s.mode = RetentionMode::OnOrAfter;
        let r = run(s, &[c]);
        check(&r, "2024-01-01", &[1, 1, 1, 1, 0], &[1, 1, 1, 1, 1]);
    }

    #[test]
    fn cohorts_and_columns_are_local_weeks_of_the_calendar() {
        // Sunday 22:00 UTC is Monday 01:00 in Moscow: another week there
        let a = vec![(t("2024-01-03", 10), "view", ""), (t("2024-01-14", 22), "purchase", "")];
        let b = vec![(t("2024-01-07", 22), "view", ""), (t("2024-01-08", 12), "purchase", "")];
        let mut s = spec("*", "purchase", Period::Week, 4);
        s.now = Some(t("2024-03-01", 0));
        let utc = run(s.clone(), &[a.clone(), b.clone()]);
        check(&utc, "2024-01-01", &[2, 2, 0, 0, 0], &[2, 2, 2, 2, 2]);
        s.calendar = Calendar::parse("Europe/Moscow").unwrap();
        let moscow = run(s, &[a, b]);
        check(&moscow, "2024-01-01", &[1, 0, 1, 0, 0], &[1, 1, 1, 1, 1]);
        check(&moscow, "2024-01-08", &[1, 0, 0, 0, 0], &[1, 1, 1, 1, 1]);
    }

    #[test]
    fn periods_beyond_the_observation_end_leave_the_denominator() {
        let early = vec![(t("2024-01-01", 1), "visit", ""), (t("2024-01-16", 0), "visit", "")];
        let late = vec![(t("2024-01-08", 1), "visit", ""), (t("2024-01-20", 0), "visit", "")];
        let mut s = spec("*", "*", Period::Week, 3);
        s.now = Some(t("2024-01-17", 0));
        let r = run(s, &[early, late]);
        // the visit on 2024-01-20 is after `now` and ignored; week 2 of the first cohort is partial
        check(&r, "2024-01-01", &[1, 0, 1, 0], &[1, 1, 1, 0]);
        check(&r, "2024-01-08", &[1, 0, 0, 0], &[1, 1, 0, 0]);
        assert_eq!(r.cohorts[0].curve.partial, vec![false, false, true, false]);
        assert_eq!(r.overall.observed, vec![2, 2, 1, 0]);
        assert_eq!(r.overall.retained, vec![2, 0, 1, 0]);
        assert_eq!(r.overall.rates, vec![Some(1.0), Some(0.0), Some(1.0), None]);
        assert_eq!(r.overall.partial, vec![false, true, true, false]);
        assert_eq!(r.observed_until.as_deref(), Some("2024-01-17T00:00:00.000Z"));
    }

    #[test]
    fn without_now_the_data_ends_after_the_latest_event() {
        let a = vec![(t("2024-01-01", 1), "visit", ""), (t("2024-01-02", 5), "visit", "")];
        let b = vec![(t("2024-01-03", 1), "visit", "")];
        let r = run(spec("*", "*", Period::Day, 3), &[a, b]);
        check(&r, "2024-01-01", &[1, 1, 0, 0], &[1, 1, 1, 0]);
        check(&r, "2024-01-03", &[1, 0, 0, 0], &[1, 0, 0, 0]);
        assert_eq!(r.observed_until.as_deref(), Some("2024-01-03T01:00:00.001Z"));
    }

    #[test]
    fn first_purchase_cohorts_months_across_the_year_and_entry_range() {
        let a = vec![
            (t("2023-11-05", 0), "view", ""),
            (t("2023-12-31", 23), "purchase", ""),
            (t("2023-12-31", 23), "purchase", ""),
            (t("2024-01-01", 0), "purchase", ""),
            (t("2024-03-15", 0), "purchase", ""),
        ];
        let b = vec![(t("2024-02-10", 0), "purchase", ""), (t("2024-02-11", 0), "view", "")];
        let mut s = spec("purchase", "purchase", Period::Month, 3);
        s.now = Some(t("2024-06-01", 0));
        let r = run(s.clone(), &[a.clone(), b.clone()]);
        check(&r, "2023-12-01", &[1, 1, 0, 1], &[1, 1, 1, 1]);
        check(&r, "2024-02-01", &[1, 0, 0, 0], &[1, 1, 1, 1]);
        s.from = Some(t("2024-01-01", 0));
        let r = run(s, &[a, b]);
        // the first purchase of `a` is before `from`: not a new customer in the range
        assert_eq!(r.cohorts.len(), 1);
        assert_eq!(r.cohorts[0].cohort, "2024-02-01");
    }

    #[test]
    fn repeat_within_is_inclusive_and_skips_recent_entries() {
        let w = 30 * DAY_MS;
        let at_limit = vec![(t("2024-01-01", 5), "purchase", ""), (t("2024-01-01", 5) + w, "purchase", "")];
        let too_late = vec![(t("2024-01-01", 5), "purchase", ""), (t("2024-01-01", 5) + w + 1, "purchase", "")];
        let same_instant = vec![(t("2024-01-02", 0), "purchase", ""), (t("2024-01-02", 0), "purchase", "")];
        let only_other = vec![(t("2024-01-02", 0), "purchase", ""), (t("2024-01-03", 0), "view", "")];
        let recent = vec![(t("2024-02-20", 0), "purchase", ""), (t("2024-02-21", 0), "purchase", "")];
        let mut s = spec("purchase", "purchase", Period::Week, 2);
        s.repeat_within_ms = Some(w);
        s.now = Some(t("2024-03-01", 0));
        let r = run(s, &[at_limit, too_late, same_instant, only_other, recent]);
        let rep = r.repeat.unwrap();
        assert_eq!((rep.customers, rep.repeated, rep.excluded), (4, 2, 1));
        assert_eq!(rep.rate, Some(0.5));
        assert_eq!(rep.within_days, 30.0);
    }

    #[test]
    fn breakdown_by_first_channel_and_entry_channel() {
        let a = vec![(t("2024-01-01", 0), "view", "email"), (t("2024-01-02", 0), "buy", "ads")];
        let b = vec![(t("2024-01-01", 0), "view", "ads"), (t("2024-01-02", 0), "buy", "ads")];
        let c = vec![(t("2024-01-01", 0), "view", "ads")];
        let mut s = spec("buy", "*", Period::Day, 1);
        s.breakdown = Some(Breakdown::parse("first_channel"));
        let r = run(s.clone(), &[a.clone(), b.clone(), c.clone()]);
        let rows: Vec<(&str, u64)> = r.breakdown.iter().map(|b| (b.value.as_str(), b.curve.customers)).collect();
        assert_eq!(rows, vec![("ads", 1), ("email", 1)]);
        s.breakdown = Some(Breakdown::parse("channel"));
        let r = run(s, &[a, b, c]);
        let rows: Vec<(&str, u64)> = r.breakdown.iter().map(|b| (b.value.as_str(), b.curve.customers)).collect();
        assert_eq!(rows, vec![("ads", 2)]);
    }

    #[test]
    fn conditions_select_the_entry_and_unknown_names_match_nothing() {
        let a = vec![(t("2024-01-01", 0), "view", "email"), (t("2024-01-03", 0), "view", "ads")];
        let r = run(spec("view where channel = ads", "*", Period::Day, 1), std::slice::from_ref(&a));
        assert_eq!(r.cohorts[0].cohort, "2024-01-03");
        let r = run(spec("never_seen", "*", Period::Day, 1), &[a]);
        assert!(r.cohorts.is_empty());
        assert_eq!(r.overall.rates, vec![None, None]);
    }

    #[test]
    fn validation_lists_every_problem() {
        let mut s = spec("*", "*", Period::Week, 0);
        s.repeat_within_ms = Some(0);
        let fields = |s: &RetentionSpec| s.validate().unwrap_err().0.iter().map(|e| e.field).collect::<Vec<_>>();
        use crate::analysis::invalid::SpecField;
        assert_eq!(fields(&s), [SpecField::Periods, SpecField::RepeatWithin]);
        s.periods = MAX_PERIODS + 1;
        s.repeat_within_ms = None;
        assert_eq!(fields(&s), [SpecField::Periods]);
        s.periods = MAX_PERIODS;
        s.repeat_within_ms = None;
        assert!(s.validate().is_ok());
        assert_eq!(RetentionMode::parse("on-or-after"), Ok(RetentionMode::OnOrAfter));
        assert!(RetentionMode::parse("after").is_err());
    }

    #[test]
    fn the_last_of_400_columns_is_counted() {
        let a = vec![(t("2024-01-01", 0), "visit", ""), (t("2024-01-01", 0) + 400 * DAY_MS, "visit", "")];
        let r = run(spec("*", "*", Period::Day, MAX_PERIODS), &[a]);
        assert_eq!(r.overall.retained[MAX_PERIODS], 1);
        assert_eq!(r.overall.retained.iter().sum::<u64>(), 2);
    }
}
