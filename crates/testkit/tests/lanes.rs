//! The data lanes of a journey map through the naive engine, against a straightforward re-implementation of
//! their definition (crates/core/src/analysis/lanes.rs) over plain event lists, plus the module's example.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use tropa_core::analysis::filter::EventMatch;
use tropa_core::analysis::lanes::{LanesReport, LanesSpec};
use tropa_core::analysis::stages::{JourneyDefinition, LifecycleDef, LocalName, StageDef, StageOrder};
use tropa_core::Event;
use tropa_engine::{report, Engine};
use tropa_testkit::{track, NaiveEngine};

const NAMES: [&str; 5] = ["view", "cart", "buy", "ticket", "other"];
const TOUCH: [&str; 3] = ["", "web", "phone"];
const CHAN: [&str; 3] = ["", "email", "paid_search"];

#[derive(Debug, Clone)]
struct Ev {
    user: u8,
    ts: i64,
    name: usize,
    touch: usize,
    chan: usize,
    revenue: Option<u8>,
}

fn event(i: usize, e: &Ev) -> Event {
    let mut ev = track(i, &format!("u{}", e.user), e.ts, NAMES[e.name]);
    ev.touchpoint = TOUCH[e.touch].into();
    ev.channel.group = CHAN[e.chan].into();
    ev.revenue = e.revenue.map(f64::from);
    ev
}

fn definition(stages: &[usize]) -> JourneyDefinition {
    JourneyDefinition {
        version: 1,
        name: "lanes".into(),
        order: StageOrder::Sequential,
        stages: stages
            .iter()
            .enumerate()
            .map(|(k, &r)| StageDef {
                key: format!("s{k}"),
                name: LocalName { en: format!("S{k}"), ru: format!("Э{k}") },
                any_of: vec![EventMatch::parse(if r == NAMES.len() { "*" } else { NAMES[r] }).unwrap()],
                nth: 1,
                within_ms: None,
            })
            .collect(),
        lifecycle: LifecycleDef { activity: vec![], dormant_ms: None, churn_ms: None },
    }
}

fn quantile(mut v: Vec<i64>, q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let pos = q * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    Some((v[lo] as f64 + (v[hi] - v[lo]) as f64 * (pos - lo as f64)) / 1000.0)
}

/// Per stage: reached, durations, touchpoint → customers, channel → customers, revenue, events, problem customers.
type Stage = (u64, Vec<i64>, BTreeMap<String, u64>, BTreeMap<String, u64>, f64, u64, u64);

fn expected(events: &[Ev], stages: &[usize], problem: usize, now: i64) -> (u64, Vec<Stage>) {
    let n = stages.len();
    let mut by: BTreeMap<u8, Vec<(i64, usize, &Ev)>> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        by.entry(e.user).or_default().push((e.ts, i, e));
    }
    let mut out: Vec<Stage> = vec![(0, vec![], BTreeMap::new(), BTreeMap::new(), 0.0, 0, 0); n];
    let mut customers = 0;
    for (_, mut evs) in by {
        evs.sort_by_key(|&(ts, i, _)| (ts, i));
        let evs: Vec<&Ev> = evs.into_iter().map(|(_, _, e)| e).filter(|e| e.ts <= now).collect();
        if evs.is_empty() {
            continue;
        }
        customers += 1;
        // sequential entries: the first matching event at or after the previous entry
        let mut entry: Vec<i64> = Vec::new();
        for &r in stages {
            let prev = entry.last().copied();
            match evs.iter().find(|e| (r == NAMES.len() || e.name == r) && prev.is_none_or(|p| e.ts >= p)) {
                Some(e) => entry.push(e.ts),
                None => break,
            }
        }
        let mut touch: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); n];
        let mut chan: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); n];
        let mut problem_in = vec![false; n];
        for (k, &t) in entry.iter().enumerate() {
            out[k].0 += 1;
            if let Some(next) = entry.get(k + 1) {
                out[k].1.push(next - t);
            }
        }
        for e in &evs {
            // the highest stage entered at or before the event
            let Some(k) = entry.iter().rposition(|&t| t <= e.ts) else { continue };
            if !TOUCH[e.touch].is_empty() {
                touch[k].insert(TOUCH[e.touch]);
            }
            if !CHAN[e.chan].is_empty() {
                chan[k].insert(CHAN[e.chan]);
            }
            out[k].4 += e.revenue.map_or(0.0, f64::from);
            out[k].5 += 1;
            problem_in[k] |= e.name == problem;
        }
        for k in 0..n {
            for t in &touch[k] {
                *out[k].2.entry(t.to_string()).or_default() += 1;
            }
            for c in &chan[k] {
                *out[k].3.entry(c.to_string()).or_default() += 1;
            }
            out[k].6 += u64::from(problem_in[k]);
        }
    }
    (customers, out)
}

fn check(r: &LanesReport, x: &(u64, Vec<Stage>)) -> Result<(), TestCaseError> {
    prop_assert_eq!(r.customers, x.0);
    let n = x.1.len();
    for (k, (s, e)) in r.stages.iter().zip(&x.1).enumerate() {
        prop_assert_eq!(s.reached, e.0, "stage {} reached", k);
        let prev = (k > 0).then(|| x.1[k - 1].0);
        prop_assert_eq!(s.conversion_from_previous, prev.and_then(|p| (p > 0).then(|| e.0 as f64 / p as f64)));
        let next = (k + 1 < n).then(|| x.1[k + 1].0);
        prop_assert_eq!(s.dropped, next.map(|nx| e.0 - nx));
        let (med, p90) =
            if k + 1 < n { (quantile(e.1.clone(), 0.5), quantile(e.1.clone(), 0.9)) } else { (None, None) };
        prop_assert_eq!((s.median_seconds_in_stage, s.p90_seconds_in_stage), (med, p90), "stage {} time", k);
        let tp: BTreeMap<String, u64> = s.touchpoints.iter().map(|c| (c.value.clone(), c.customers)).collect();
        prop_assert_eq!(&tp, &e.2, "stage {} touchpoints", k);
        let ch: BTreeMap<String, u64> = s.channels.iter().map(|c| (c.value.clone(), c.customers)).collect();
        prop_assert_eq!(&ch, &e.3, "stage {} channels", k);
        prop_assert!((s.revenue - e.4).abs() < 1e-9, "stage {} revenue {} vs {}", k, s.revenue, e.4);
        prop_assert_eq!(s.events, e.5, "stage {} events", k);
        prop_assert_eq!(s.problem_customers, e.6, "stage {} problems", k);
        prop_assert_eq!(s.problem_share, (e.0 > 0).then(|| e.6 as f64 / e.0 as f64));
    }
    Ok(())
}

fn run(events: &[Ev], stages: &[usize], problem: usize, now: i64) -> LanesReport {
    let engine = NaiveEngine::new();
    engine.ingest(events.iter().enumerate().map(|(i, e)| event(i, e)).collect()).unwrap();
    let spec = LanesSpec {
        definition: definition(stages),
        now,
        problems: vec![EventMatch::parse(NAMES[problem]).unwrap()],
        top: 10,
    };
    report::lanes(&engine, spec, Default::default(), vec![]).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn lanes_equal_the_plain_implementation(
        events in proptest::collection::vec(
            (0u8..6, 0i64..100, 0usize..5, 0usize..3, 0usize..3, proptest::option::of(0u8..50))
                .prop_map(|(user, ts, name, touch, chan, revenue)| Ev { user, ts, name, touch, chan, revenue }),
            0..60,
        ),
        stages in proptest::collection::vec(0usize..=NAMES.len(), 1..5),
        problem in 0usize..NAMES.len(),
        now in 0i64..110,
    ) {
        let r = run(&events, &stages, problem, now);
        check(&r, &expected(&events, &stages, problem, now))?;
    }
}

#[test]
fn the_module_example() {
    // page_view@0 (web), add_to_cart@10 (web), support_ticket@20 (phone), purchase@30 (web, 100)
    let ev =
        |name: usize, ts: i64, touch: usize, revenue: Option<u8>| Ev { user: 1, ts, name, touch, chan: 0, revenue };
    let events = [ev(0, 0, 1, None), ev(1, 10_000, 1, None), ev(3, 20_000, 2, None), ev(2, 30_000, 1, Some(100))];
    let r = run(&events, &[NAMES.len(), 1, 2], 3, 40_000);
    let lanes: Vec<(u64, u64, u64, f64)> =
        r.stages.iter().map(|s| (s.reached, s.events, s.problem_customers, s.revenue)).collect();
    assert_eq!(lanes, [(1, 1, 0, 0.0), (1, 2, 1, 0.0), (1, 1, 0, 100.0)]);
    assert_eq!(r.stages[1].touchpoints.iter().map(|c| c.value.as_str()).collect::<Vec<_>>(), ["phone", "web"]);
    assert_eq!(r.stages[0].median_seconds_in_stage, Some(10.0));
    assert_eq!(r.stages[1].problem_share, Some(1.0));
    assert_eq!((r.stages[0].dropped, r.stages[2].dropped), (Some(0), None));
}
