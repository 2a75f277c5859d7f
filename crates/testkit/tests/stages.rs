//! Journey stages and lifecycle states through the naive engine, against a straightforward re-implementation
//! of their definitions over plain event lists; and the fold's result does not depend on how customers are
//! split into chunks or in which groups the chunks are merged.

use std::collections::BTreeMap;

use proptest::prelude::*;
use tropa_core::analysis::filter::EventMatch;
use tropa_core::analysis::lifecycle::{LifecycleSpec, LifecycleState, LifecycleThresholds};
use tropa_core::analysis::stages::{
    JourneyDefinition, LifecycleDef, LocalName, StageDef, StageOrder, StagesAcc, StagesFold, StagesReport, StagesSpec,
};
use tropa_core::{Event, Journey, JourneyFold};
use tropa_engine::{fold, Engine, ScanSpec};
use tropa_testkit::{track, NaiveEngine};

const NAMES: [&str; 4] = ["view", "cart", "buy", "other"];
/// Rule alternatives the generator picks from.
const RULES: [&str; 7] = ["view", "cart", "buy", "other", "buy where revenue > 0", "view where plan = pro", "*"];

#[derive(Debug, Clone)]
struct Ev {
    user: u8,
    ts: i64,
    name: usize,
    /// 0: none, 1: zero, 2: positive.
    revenue: u8,
    pro: bool,
}

fn event(i: usize, e: &Ev) -> Event {
    Event {
        revenue: [None, Some(0.0), Some(5.0)][e.revenue as usize],
        properties: format!("{{\"plan\":\"{}\"}}", if e.pro { "pro" } else { "free" }),
        ..track(i, &format!("u{}", e.user), e.ts, NAMES[e.name])
    }
}

/// Rule `r` of [`RULES`], written out.
fn matches(r: usize, e: &Ev) -> bool {
    match RULES[r] {
        "*" => true,
        "buy where revenue > 0" => NAMES[e.name] == "buy" && e.revenue == 2,
        "view where plan = pro" => NAMES[e.name] == "view" && e.pro,
        name => NAMES[e.name] == name,
    }
}

#[derive(Debug, Clone)]
struct Stage {
    rules: Vec<usize>,
    nth: u32,
    within: Option<i64>,
}

#[derive(Debug, Clone)]
struct Case {
    events: Vec<Ev>,
    stages: Vec<Stage>,
    implied: bool,
    activity: Vec<usize>,
    dormant: i64,
    churn: i64,
    now: i64,
    stuck: i64,
    transitions: Option<(i64, i64)>,
}

fn definition(c: &Case) -> JourneyDefinition {
    let rules = |rs: &[usize]| rs.iter().map(|&r| EventMatch::parse(RULES[r]).unwrap()).collect::<Vec<_>>();
    JourneyDefinition {
        version: 1,
        name: "prop".into(),
        order: if c.implied { StageOrder::Implied } else { StageOrder::Sequential },
        stages: c
            .stages
            .iter()
            .enumerate()
            .map(|(k, s)| StageDef {
                key: format!("s{k}"),
                name: LocalName { en: format!("S{k}"), ru: format!("Э{k}") },
                any_of: rules(&s.rules),
                nth: s.nth,
                within_ms: s.within,
            })
            .collect(),
        lifecycle: LifecycleDef { activity: rules(&c.activity), dormant_ms: None, churn_ms: None },
    }
}

/// The stage entry times of one customer (events in journey order, all at or before now).
fn entries(c: &Case, evs: &[&Ev]) -> Vec<Option<i64>> {
    let n = c.stages.len();
    // the candidates of each stage: its matching events from the nth on
    let cands: Vec<Vec<i64>> = c
        .stages
        .iter()
        .map(|s| {
            let m: Vec<i64> = evs.iter().filter(|e| s.rules.iter().any(|&r| matches(r, e))).map(|e| e.ts).collect();
            m.into_iter().skip(s.nth as usize - 1).collect()
        })
        .collect();
    let mut out = vec![None; n];
    if c.implied {
        for (k, o) in out.iter_mut().enumerate() {
            *o = cands[k..].iter().filter_map(|c| c.first().copied()).min();
        }
    } else {
        let mut prev: Option<i64> = None;
        for k in 0..n {
            let Some(&t) = cands[k].iter().find(|&&t| prev.is_none_or(|p| t >= p)) else { break };
            if let (Some(p), Some(w)) = (prev, c.stages[k].within) {
                if t - p > w {
                    break;
                }
            }
            out[k] = Some(t);
            prev = Some(t);
        }
    }
    out
}

/// The lifecycle state at `t`, written forward: find the latest pause longer than D.
fn state(act: &[i64], t: i64, d: i64, ch: i64) -> Option<LifecycleState> {
    let act: Vec<i64> = act.iter().copied().filter(|&x| x <= t).collect();
    let last = *act.last()?;
    if t - last > ch {
        return Some(LifecycleState::Churned);
    }
    if t - last > d {
        return Some(LifecycleState::Dormant);
    }
    let mut gap_at = None;
    for i in 1..act.len() {
        if act[i] - act[i - 1] > d {
            gap_at = Some(i);
        }
    }
    let start = act[gap_at.unwrap_or(0)];
    Some(if t - start > d {
        LifecycleState::Active
    } else {
        match gap_at {
            None => LifecycleState::New,
            Some(i) if act[i] - act[i - 1] > ch => LifecycleState::Reactivated,
            Some(_) => LifecycleState::Returning,
        }
    })
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

fn matrix_index(s: Option<LifecycleState>) -> usize {
    s.map_or(0, |s| 1 + LifecycleState::ALL.iter().position(|&x| x == s).unwrap())
}

/// What the report must say, computed from the event list.
struct Expected {
    customers: u64,
    no_stage: u64,
    entered: Vec<u64>,
    current: Vec<u64>,
    stuck: Vec<Option<u64>>,
    in_stage: Vec<(Option<f64>, Option<f64>)>,
    still: Vec<Option<f64>>,
    states: Vec<u64>,
    no_activity: u64,
    matrix: Vec<Vec<u64>>,
}

fn expected(c: &Case) -> Expected {
    let n = c.stages.len();
    let mut by: BTreeMap<u8, Vec<(i64, usize, &Ev)>> = BTreeMap::new();
    for (i, e) in c.events.iter().enumerate() {
        by.entry(e.user).or_default().push((e.ts, i, e));
    }
    let mut x = Expected {
        customers: 0,
        no_stage: 0,
        entered: vec![0; n],
        current: vec![0; n],
        stuck: (0..n).map(|k| (k + 1 < n).then_some(0)).collect(),
        in_stage: Vec::new(),
        still: Vec::new(),
        states: vec![0; 6],
        no_activity: 0,
        matrix: vec![vec![0; 7]; 7],
    };
    let mut durations = vec![Vec::new(); n];
    let mut still = vec![Vec::new(); n];
    for (_, mut evs) in by {
        evs.sort_by_key(|&(ts, i, _)| (ts, i));
        let evs: Vec<&Ev> = evs.into_iter().map(|(_, _, e)| e).filter(|e| e.ts <= c.now).collect();
        if evs.is_empty() {
            continue;
        }
        x.customers += 1;
        let e = entries(c, &evs);
        for k in 0..n {
            if let Some(t) = e[k] {
                x.entered[k] += 1;
                if let Some(Some(next)) = e.get(k + 1) {
                    durations[k].push(next - t);
                }
            }
        }
        match e.iter().rposition(Option::is_some) {
            None => x.no_stage += 1,
            Some(k) => {
                x.current[k] += 1;
                let since = c.now - e[k].unwrap();
                still[k].push(since);
                if k + 1 < n && since > c.stuck {
                    *x.stuck[k].as_mut().unwrap() += 1;
                }
            }
        }
        let act: Vec<i64> = evs
            .iter()
            .filter(|e| c.activity.is_empty() || c.activity.iter().any(|&r| matches(r, e)))
            .map(|e| e.ts)
            .collect();
        match state(&act, c.now, c.dormant, c.churn) {
            Some(s) => x.states[matrix_index(Some(s)) - 1] += 1,
            None => x.no_activity += 1,
        }
        if let Some((a, b)) = c.transitions {
            x.matrix[matrix_index(state(&act, a, c.dormant, c.churn))]
                [matrix_index(state(&act, b, c.dormant, c.churn))] += 1;
        }
    }
    x.in_stage = durations.into_iter().map(|d| (quantile(d.clone(), 0.5), quantile(d, 0.9))).collect();
    x.still = still.into_iter().map(|d| quantile(d, 0.5)).collect();
    x
}

fn spec(c: &Case) -> StagesSpec {
    let lifecycle = LifecycleSpec {
        activity: definition(c).lifecycle.activity,
        thresholds: LifecycleThresholds::new(c.dormant, c.churn).unwrap(),
        at: c.now,
        transitions: c.transitions,
    };
    StagesSpec { definition: definition(c), now: c.now, stuck_ms: c.stuck, lifecycle }
}

fn engine(c: &Case) -> NaiveEngine {
    let e = NaiveEngine::new();
    e.ingest(c.events.iter().enumerate().map(|(i, ev)| event(i, ev)).collect()).unwrap();
    e
}

/// One accumulator per customer, so that the test can merge them in any grouping.
struct PerCustomer<'f>(&'f StagesFold);

impl JourneyFold for PerCustomer<'_> {
    type Acc = Vec<StagesAcc>;
    fn init(&self) -> Self::Acc {
        Vec::new()
    }
    fn fold(&self, acc: &mut Self::Acc, j: &Journey<'_>) {
        let mut a = self.0.init();
        self.0.fold(&mut a, j);
        acc.push(a);
    }
    fn merge(&self, into: &mut Self::Acc, other: Self::Acc) {
        into.extend(other);
    }
}

fn case() -> impl Strategy<Value = Case> {
    let ev = (0u8..6, 0i64..200, 0usize..4, 0u8..3, any::<bool>()).prop_map(|(user, ts, name, revenue, pro)| Ev {
        user,
        ts,
        name,
        revenue,
        pro,
    });
    let stage = (proptest::collection::vec(0usize..RULES.len(), 1..3), 1u32..4, proptest::option::of(1i64..40))
        .prop_map(|(rules, nth, within)| Stage { rules, nth, within });
    (
        proptest::collection::vec(ev, 0..60),
        proptest::collection::vec(stage, 1..5),
        any::<bool>(),
        proptest::collection::vec(0usize..RULES.len(), 0..3),
        (1i64..40, 1i64..60),
        (0i64..230, 1i64..60),
        proptest::option::of((0i64..230, 1i64..230)),
    )
        .prop_map(|(events, mut stages, implied, activity, (dormant, extra), (now, stuck), tr)| {
            for (k, s) in stages.iter_mut().enumerate() {
                if implied || k == 0 {
                    s.within = None;
                }
            }
            let transitions = tr.map(|(a, len)| (a.min(now), (a + len).min(now))).filter(|(a, b)| a < b);
            Case { events, stages, implied, activity, dormant, churn: dormant + extra, now, stuck, transitions }
        })
}

fn check_report(r: &StagesReport, x: &Expected) -> Result<(), TestCaseError> {
    prop_assert_eq!(r.customers, x.customers);
    prop_assert_eq!(r.no_stage, x.no_stage);
    prop_assert_eq!(r.stages.iter().map(|s| s.entered).collect::<Vec<_>>(), x.entered.clone());
    prop_assert_eq!(r.stages.iter().map(|s| s.current).collect::<Vec<_>>(), x.current.clone());
    prop_assert_eq!(r.stages.iter().map(|s| s.stuck).collect::<Vec<_>>(), x.stuck.clone());
    let times: Vec<(Option<f64>, Option<f64>)> =
        r.stages.iter().map(|s| (s.median_seconds_in_stage, s.p90_seconds_in_stage)).collect();
    prop_assert_eq!(times, x.in_stage.clone());
    prop_assert_eq!(r.stages.iter().map(|s| s.median_seconds_still_in_stage).collect::<Vec<_>>(), x.still.clone());
    prop_assert_eq!(r.lifecycle.states.iter().map(|s| s.customers).collect::<Vec<_>>(), x.states.clone());
    prop_assert_eq!(r.lifecycle.no_activity, x.no_activity);
    let matrix = r.lifecycle.transitions.as_ref().map(|t| t.matrix.clone());
    prop_assert_eq!(matrix, r.lifecycle.transitions.as_ref().map(|_| x.matrix.clone()));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn stages_and_lifecycle_equal_their_definitions(c in case()) {
        let e = engine(&c);
        let f = StagesFold::new(spec(&c), &e.dictionaries()).unwrap();
        let acc = fold(&e, &ScanSpec::default().with_columns(f.columns()), &f).unwrap();
        check_report(&f.report(&acc), &expected(&c))?;
    }

    #[test]
    fn any_chunking_and_merge_grouping_gives_the_same_report(c in case(), cut in 0usize..8, inner in 0usize..8) {
        let e = engine(&c);
        let f = StagesFold::new(spec(&c), &e.dictionaries()).unwrap();
        let whole = f.report(&fold(&e, &ScanSpec::default().with_columns(f.columns()), &f).unwrap());
        let mut parts = fold(&e, &ScanSpec::default().with_columns(f.columns()), &PerCustomer(&f)).unwrap();
        // merge the tail into one chunk, the head into another (itself split at `inner`), then head + tail
        let tail_parts = parts.split_off(cut.min(parts.len()));
        let mut tail = f.init();
        for p in tail_parts {
            f.merge(&mut tail, p);
        }
        let inner_parts = parts.split_off(inner.min(parts.len()));
        let (mut head, mut mid) = (f.init(), f.init());
        for p in parts {
            f.merge(&mut head, p);
        }
        for p in inner_parts {
            f.merge(&mut mid, p);
        }
        f.merge(&mut head, mid);
        f.merge(&mut head, tail);
        prop_assert_eq!(f.report(&head), whole);
    }
}

/// The same as the property, on a hand-written case whose answer is known: catches a wrong reference too.
#[test]
fn a_known_case() {
    let ev = |user, ts, name, revenue| Ev { user, ts, name, revenue, pro: false };
    let c = Case {
        // u0: view, cart, buy (revenue), buy (revenue) → all four stages; u1: buy before cart → stuck in cart
        events: vec![
            ev(0, 0, 0, 0),
            ev(0, 10, 1, 0),
            ev(0, 20, 2, 2),
            ev(0, 30, 2, 2),
            ev(1, 5, 0, 0),
            ev(1, 6, 2, 2),
            ev(1, 8, 1, 0),
        ],
        stages: vec![
            Stage { rules: vec![0], nth: 1, within: None },
            Stage { rules: vec![1], nth: 1, within: None },
            Stage { rules: vec![4], nth: 1, within: None },
            Stage { rules: vec![4], nth: 2, within: None },
        ],
        implied: false,
        activity: vec![],
        dormant: 15,
        churn: 40,
        now: 40,
        stuck: 20,
        transitions: Some((7, 40)),
    };
    let x = expected(&c);
    assert_eq!(x.entered, [2, 2, 1, 1]);
    assert_eq!(x.current, [0, 1, 0, 1]);
    assert_eq!(x.stuck, [Some(0), Some(1), Some(0), None]);
    // u0 last active at 30 → at 40 idle 10, streak from 0 (no pause > 15): active; u1 idle 32 → dormant
    assert_eq!(x.states, [0, 1, 0, 0, 1, 0]);
    let e = engine(&c);
    let f = StagesFold::new(spec(&c), &e.dictionaries()).unwrap();
    let acc = fold(&e, &ScanSpec::default().with_columns(f.columns()), &f).unwrap();
    let r = f.report(&acc);
    check_report(&r, &x).unwrap();
    // at 7 both are new; at 40 u0 active, u1 dormant
    assert_eq!(r.lifecycle.transitions.unwrap().matrix[1][2..6], [1, 0, 0, 1]);
}
