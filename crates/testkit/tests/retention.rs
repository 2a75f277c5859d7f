//! Retention through the oracle engine against a straightforward re-implementation over plain event lists, and
//! the same answer for any split of the customers into merged partial results.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{json, Value};
use tropa_core::analysis::filter::EventMatch;
use tropa_core::analysis::matcher::Breakdown;
use tropa_core::analysis::period::{days_from_civil, Period};
use tropa_core::analysis::retention::{RetentionFold, RetentionMode, RetentionSpec};
use tropa_core::time::{format_day, format_ts};
use tropa_core::{Event, JourneyFold};
use tropa_engine::{fold, Engine, ScanSpec};
use tropa_testkit::{track, NaiveEngine};

const DAY: i64 = 86_400_000;
/// 2023-11-20T00:00:00Z (a Monday): the data crosses a year and several months.
const T0: i64 = 1_700_438_400_000;
const NAMES: [&str; 3] = ["visit", "cart", "buy"];
const CHANNELS: [&str; 3] = ["email", "paid_search", "direct"];
/// (start, return) conditions and how the reference tests them.
const STARTS: [&str; 4] = ["*", "buy", "buy where revenue > 50", "visit where plan = a"];
const RETURNS: [&str; 3] = ["*", "buy", "visit"];
const BREAKDOWNS: [&str; 3] = ["first_channel", "channel", "plan"];

#[derive(Debug, Clone)]
struct Ev {
    user: u8,
    ts: i64,
    name: usize,
    channel: usize,
    revenue: u8,
    plan: Option<bool>,
}

fn event(i: usize, e: &Ev) -> Event {
    let properties = match e.plan {
        Some(a) => format!("{{\"plan\":\"{}\"}}", if a { "a" } else { "b" }),
        None => "{}".into(),
    };
    let mut ev = Event {
        revenue: (NAMES[e.name] == "buy").then_some(e.revenue as f64),
        properties,
        ..track(i, &format!("u{}", e.user), e.ts, NAMES[e.name])
    };
    ev.channel.group = CHANNELS[e.channel].to_string();
    ev
}

fn is_start(which: usize, e: &Ev) -> bool {
    match which {
        0 => true,
        1 => NAMES[e.name] == "buy",
        2 => NAMES[e.name] == "buy" && e.revenue > 50,
        _ => NAMES[e.name] == "visit" && e.plan == Some(true),
    }
}

fn is_return(which: usize, e: &Ev) -> bool {
    which == 0 || NAMES[e.name] == RETURNS[which]
}

/// A period as a number that grows by one per period, and the first day of a period number.
fn period_no(p: Period, ms: i64) -> i64 {
    let day = ms.div_euclid(DAY);
    match p {
        Period::Day => day,
        // Monday 1969-12-29 is day -3
        Period::Week => (day + 3).div_euclid(7),
        Period::Month => {
            let s = format_day(day);
            s[..4].parse::<i64>().unwrap() * 12 + s[5..7].parse::<i64>().unwrap() - 1
        }
    }
}

fn first_day(p: Period, no: i64) -> i64 {
    match p {
        Period::Day => no,
        Period::Week => no * 7 - 3,
        Period::Month => days_from_civil(no.div_euclid(12), no.rem_euclid(12) + 1, 1),
    }
}

#[derive(Debug, Clone)]
struct Case {
    start: usize,
    ret: usize,
    period: Period,
    periods: usize,
    mode: RetentionMode,
    breakdown: Option<usize>,
    within_days: Option<i64>,
    from: Option<i64>,
    to: Option<i64>,
    now: Option<i64>,
}

fn spec(c: &Case) -> RetentionSpec {
    RetentionSpec {
        start: EventMatch::parse(STARTS[c.start]).unwrap(),
        return_event: EventMatch::parse(RETURNS[c.ret]).unwrap(),
        period: c.period,
        periods: c.periods,
        mode: c.mode,
        breakdown: c.breakdown.map(|b| Breakdown::parse(BREAKDOWNS[b])),
        repeat_within_ms: c.within_days.map(|d| d * DAY),
        from: c.from,
        to: c.to,
        now: c.now,
        calendar: Default::default(),
    }
}

#[derive(Default)]
struct Row {
    customers: u64,
    retained: Vec<u64>,
    observed: Vec<u64>,
    partial: Vec<bool>,
}

impl Row {
    fn json(&self) -> Value {
        let rates: Vec<Value> = self
            .retained
            .iter()
            .zip(&self.observed)
            .map(|(&r, &o)| if o == 0 { Value::Null } else { json!(r as f64 / o as f64) })
            .collect();
        json!({"customers": self.customers, "retained": self.retained, "observed": self.observed,
               "rates": rates, "partial": self.partial})
    }
}

/// The report, computed the obvious way.
fn expected(events: &[Ev], c: &Case) -> Value {
    let n = c.periods;
    let mut by: BTreeMap<u8, Vec<(i64, usize, &Ev)>> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        by.entry(e.user).or_default().push((e.ts, i, e));
    }
    let last = events.iter().map(|e| e.ts).max();
    let end = c.now.or(last.map(|t| t + 1));
    let new_row =
        || Row { retained: vec![0; n + 1], observed: vec![0; n + 1], partial: vec![false; n + 1], ..Row::default() };
    let mut cohorts: BTreeMap<i64, Row> = BTreeMap::new();
    let mut breakdown: BTreeMap<String, Row> = BTreeMap::new();
    let (mut rep_customers, mut rep_repeated, mut rep_excluded) = (0u64, 0u64, 0u64);
    for (_, mut evs) in by {
        evs.sort_by_key(|&(ts, i, _)| (ts, i));
        let evs: Vec<&Ev> = evs.iter().map(|x| x.2).filter(|e| c.now.is_none_or(|now| e.ts < now)).collect();
        let Some(e) = evs.iter().position(|x| is_start(c.start, x)) else { continue };
        let t0 = evs[e].ts;
        if c.from.is_some_and(|f| t0 < f) || c.to.is_some_and(|t| t0 >= t) {
            continue;
        }
        let p0 = period_no(c.period, t0);
        let back: Vec<i64> =
            evs[e + 1..].iter().filter(|x| is_return(c.ret, x)).map(|x| period_no(c.period, x.ts) - p0).collect();
        let mut rows = vec![cohorts.entry(p0).or_insert_with(new_row)];
        let value = c.breakdown.map(|b| match BREAKDOWNS[b] {
            "first_channel" => CHANNELS[evs[0].channel].to_string(),
            "channel" => CHANNELS[evs[e].channel].to_string(),
            _ => match evs[e].plan {
                Some(true) => "a".to_string(),
                Some(false) => "b".to_string(),
                None => "(none)".to_string(),
            },
        });
        if let Some(v) = value {
            rows.push(breakdown.entry(v).or_insert_with(new_row));
        }
        let end = end.unwrap();
        for row in rows {
            row.customers += 1;
            for k in 0..=n {
                let hit = match (k, c.mode) {
                    (0, _) => true,
                    (_, RetentionMode::On) => back.contains(&(k as i64)),
                    (_, RetentionMode::OnOrAfter) => back.iter().any(|&b| b >= k as i64),
                };
                row.retained[k] += hit as u64;
                if first_day(c.period, p0 + k as i64) * DAY < end {
                    row.observed[k] += 1;
                    row.partial[k] |= first_day(c.period, p0 + k as i64 + 1) * DAY > end;
                }
            }
        }
        if let Some(d) = c.within_days {
            if (t0.div_euclid(DAY) + 1 + d) * DAY <= end {
                rep_customers += 1;
                rep_repeated += evs[e + 1..].iter().any(|x| is_return(c.ret, x) && x.ts - t0 <= d * DAY) as u64;
            } else {
                rep_excluded += 1;
            }
        }
    }
    let mut overall = new_row();
    let mut cohort_rows = Vec::new();
    for (p0, row) in &cohorts {
        overall.customers += row.customers;
        for k in 0..=n {
            overall.retained[k] += row.retained[k];
            overall.observed[k] += row.observed[k];
            overall.partial[k] |= row.partial[k];
        }
        let mut j = row.json();
        j["cohort"] = json!(format_day(first_day(c.period, *p0)));
        cohort_rows.push(j);
    }
    let mut values: Vec<(&String, &Row)> = breakdown.iter().collect();
    values.sort_by(|a, b| b.1.customers.cmp(&a.1.customers).then(a.0.cmp(b.0)));
    let breakdown: Vec<Value> = values
        .into_iter()
        .map(|(v, row)| {
            let mut j = row.json();
            j["value"] = json!(v);
            j
        })
        .collect();
    let repeat = c.within_days.map(|d| {
        let rate = if rep_customers == 0 { Value::Null } else { json!(rep_repeated as f64 / rep_customers as f64) };
        json!({"within_days": d as f64, "customers": rep_customers, "repeated": rep_repeated, "rate": rate,
               "excluded": rep_excluded})
    });
    json!({
        "period": serde_json::to_value(c.period).unwrap(),
        "mode": serde_json::to_value(c.mode).unwrap(),
        "periods": n,
        "observed_until": end.map(format_ts),
        "cohorts": cohort_rows,
        "overall": overall.json(),
        "breakdown": breakdown,
        "repeat": repeat,
    })
}

fn engine(events: &[(usize, &Ev)]) -> NaiveEngine {
    let engine = NaiveEngine::new();
    let batch: Vec<Event> = events.iter().map(|&(i, e)| event(i, e)).collect();
    if !batch.is_empty() {
        engine.ingest(batch).unwrap();
    }
    engine
}

fn run(engine: &NaiveEngine, c: &Case) -> (RetentionFold, tropa_core::analysis::retention::RetentionAcc) {
    let f = RetentionFold::new(spec(c), &engine.dictionaries()).unwrap();
    let acc = fold(engine, &ScanSpec::default().with_columns(f.columns()), &f).unwrap();
    (f, acc)
}

fn ev() -> impl Strategy<Value = Ev> {
    // six-hour slots over 100 days and a minute or two at most, so that many events share a time and many pairs lie
    // whole days apart
    (0u8..15, 0i64..400, prop_oneof![Just(0i64), Just(0), Just(1), Just(2)], 0usize..3, 0usize..3, 0u8..100)
        .prop_flat_map(|t| (Just(t), prop::option::of(prop::bool::ANY)))
        .prop_map(|((user, slot, minute, name, channel, revenue), plan)| Ev {
            user,
            ts: T0 + slot * 6 * 3_600_000 + minute * 60_000,
            name,
            channel,
            revenue,
            plan,
        })
}

fn case() -> impl Strategy<Value = Case> {
    let period = prop_oneof![Just(Period::Day), Just(Period::Week), Just(Period::Month)];
    let mode = prop_oneof![Just(RetentionMode::On), Just(RetentionMode::OnOrAfter)];
    let range = prop::option::of(0i64..100).prop_flat_map(|from| (Just(from), prop::option::of(1i64..60)));
    (
        (0usize..STARTS.len(), 0usize..RETURNS.len(), period, 1usize..15, mode),
        (prop::option::of(0usize..BREAKDOWNS.len()), prop::option::of(1i64..40), range, prop::option::of(0i64..110)),
    )
        .prop_map(|((start, ret, period, periods, mode), (breakdown, within_days, (from, len), now))| Case {
            start,
            ret,
            period,
            periods,
            mode,
            breakdown,
            within_days,
            from: from.map(|d| T0 + d * DAY),
            to: from.zip(len).map(|(d, l)| T0 + (d + l) * DAY),
            now: now.map(|d| T0 + d * DAY + 7_200_000),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn retention_matches_plain_counting(events in prop::collection::vec(ev(), 0..120), c in case()) {
        let all: Vec<(usize, &Ev)> = events.iter().enumerate().collect();
        let (f, acc) = run(&engine(&all), &c);
        let got = serde_json::to_value(f.report(&acc)).unwrap();
        prop_assert_eq!(got, expected(&events, &c));
    }

    #[test]
    fn any_split_of_customers_gives_the_same_report(
        events in prop::collection::vec(ev(), 0..120),
        c in case(),
        split in 0u8..25,
    ) {
        let all: Vec<(usize, &Ev)> = events.iter().enumerate().collect();
        let (f, whole) = run(&engine(&all), &c);
        let (low, high): (Vec<_>, Vec<_>) = all.iter().partition(|(_, e)| e.user < split);
        let (_, a) = run(&engine(&low), &c);
        let (_, b) = run(&engine(&high), &c);
        let (mut ab, mut ba) = (f.init(), f.init());
        f.merge(&mut ab, a.clone());
        f.merge(&mut ab, b.clone());
        f.merge(&mut ba, b);
        f.merge(&mut ba, a);
        prop_assert_eq!(&ab, &whole);
        prop_assert_eq!(&ba, &whole);
    }
}
