//! Report filters ([`Scope`]) against a straightforward re-implementation over plain event lists.

use std::collections::BTreeMap;

use proptest::prelude::*;
use tropa_core::analysis::filter::EventMatch;
use tropa_core::analysis::scope::{Scope, ScopeSpec};
use tropa_core::event::MessageKind;
use tropa_core::{Columns, Event, Journey, JourneyFold};
use tropa_engine::{fold, Engine, ScanSpec};
use tropa_testkit::{track, NaiveEngine};

/// Collects every journey it is handed: (time, name) lists, sorted so chunking does not matter.
struct Collect;

impl JourneyFold for Collect {
    type Acc = Vec<Vec<(i64, String)>>;
    fn init(&self) -> Self::Acc {
        Vec::new()
    }
    fn fold(&self, acc: &mut Self::Acc, j: &Journey<'_>) {
        let events = j.events();
        acc.push(events.into_iter().map(|e| (e.timestamp, e.name)).collect());
    }
    fn merge(&self, into: &mut Self::Acc, other: Self::Acc) {
        into.extend(other);
    }
}

const NAMES: [&str; 4] = ["view", "cart", "buy", "identify"];
const CHANNELS: [&str; 3] = ["email", "paid_search", "direct"];

#[derive(Debug, Clone)]
struct Ev {
    user: u8,
    ts: i64,
    name: usize,
    channel: usize,
    price: u8,
    plan: u8,
}

fn event(i: usize, e: &Ev) -> Event {
    let kind = if NAMES[e.name] == "identify" { MessageKind::Identify } else { MessageKind::Track };
    let mut ev = Event {
        kind,
        properties: format!("{{\"price\":{}}}", e.price),
        traits: if kind == MessageKind::Identify { format!("{{\"plan\":\"p{}\"}}", e.plan) } else { "{}".into() },
        ..track(i, &format!("u{}", e.user), e.ts, NAMES[e.name])
    };
    ev.channel.group = CHANNELS[e.channel].to_string();
    ev
}

struct Filters {
    since: Option<i64>,
    until: Option<i64>,
    did: Option<(usize, u8)>,
    did_not: Option<usize>,
    plan: Option<u8>,
    first_channel: Option<usize>,
}

/// The same filters, written the obvious way.
fn expected(events: &[Ev], f: &Filters) -> Vec<Vec<(i64, String)>> {
    let mut by: BTreeMap<u8, Vec<(i64, usize, &Ev)>> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        by.entry(e.user).or_default().push((e.ts, i, e));
    }
    let mut out = Vec::new();
    for (_, mut evs) in by {
        evs.sort_by_key(|&(ts, i, _)| (ts, i));
        if let Some(c) = f.first_channel {
            if evs[0].2.channel != c {
                continue;
            }
        }
        if let Some(p) = f.plan {
            let latest = evs.iter().rev().find(|(_, _, e)| NAMES[e.name] == "identify").map(|(_, _, e)| e.plan);
            if latest != Some(p) {
                continue;
            }
        }
        let cut: Vec<&Ev> = evs
            .iter()
            .map(|&(_, _, e)| e)
            .filter(|e| f.since.is_none_or(|s| e.ts >= s) && f.until.is_none_or(|u| e.ts < u))
            .collect();
        if cut.is_empty() {
            continue;
        }
        if let Some((n, min)) = f.did {
            if !cut.iter().any(|e| e.name == n && e.price > min) {
                continue;
            }
        }
        if let Some(n) = f.did_not {
            if cut.iter().any(|e| e.name == n) {
                continue;
            }
        }
        out.push(cut.iter().map(|e| (e.ts, NAMES[e.name].to_string())).collect());
    }
    out.sort();
    out
}

fn ev() -> impl Strategy<Value = Ev> {
    (0u8..12, 0i64..1000, 0usize..4, 0usize..3, 0u8..10, 0u8..3).prop_map(|(user, ts, name, channel, price, plan)| Ev {
        user,
        ts,
        name,
        channel,
        price,
        plan,
    })
}

fn scope_spec(f: &Filters) -> ScopeSpec {
    ScopeSpec {
        since: f.since,
        until: f.until,
        did: f
            .did
            .iter()
            .map(|&(n, p)| EventMatch::parse(&format!("{} where price > {p}", NAMES[n])).unwrap())
            .collect(),
        did_not: f.did_not.iter().map(|&n| EventMatch::name(NAMES[n])).collect(),
        traits: f.plan.iter().map(|p| ScopeSpec::parse_trait(&format!("plan = p{p}")).unwrap()).collect(),
        first_channel: f.first_channel.iter().map(|&c| CHANNELS[c].to_string()).collect(),
    }
}

proptest! {
    #[test]
    fn scope_matches_plain_filtering(
        events in prop::collection::vec(ev(), 0..80),
        since in prop::option::of(0i64..1000),
        len in prop::option::of(0i64..1000),
        did in prop::option::of((0usize..3, 0u8..10)),
        did_not in prop::option::of(0usize..3),
        plan in prop::option::of(0u8..3),
        first_channel in prop::option::of(0usize..3),
    ) {
        let engine = NaiveEngine::new();
        let batch: Vec<Event> = events.iter().enumerate().map(|(i, e)| event(i, e)).collect();
        if !batch.is_empty() {
            engine.ingest(batch).unwrap();
        }
        let until = since.zip(len).map(|(s, l)| s + l);
        let f = Filters { since, until, did, did_not, plan, first_channel };
        let scope = Scope::new(Collect, Columns::ROWS, scope_spec(&f), &engine.dictionaries());
        let (from, to) = scope.scan_range();
        let scan = ScanSpec { from, to, ..ScanSpec::default() }.with_columns(scope.columns());
        let mut got = fold(&engine, &scan, &scope).unwrap();
        got.sort();
        prop_assert_eq!(got, expected(&events, &f));
    }
}

#[test]
fn an_unknown_first_channel_matches_nobody() {
    let engine = NaiveEngine::new();
    engine.ingest(vec![event(0, &Ev { user: 1, ts: 5, name: 0, channel: 0, price: 1, plan: 0 })]).unwrap();
    let spec = ScopeSpec { first_channel: vec!["carrier_pigeon".into()], ..ScopeSpec::default() };
    let scope = Scope::new(Collect, Columns::ROWS, spec, &engine.dictionaries());
    let got = fold(&engine, &ScanSpec::default().with_columns(scope.columns()), &scope).unwrap();
    assert!(got.is_empty());
    let scope = Scope::new(Collect, Columns::ROWS, ScopeSpec::default(), &engine.dictionaries());
    let got = fold(&engine, &ScanSpec::default().with_columns(scope.columns()), &scope).unwrap();
    assert_eq!(got, vec![vec![(5, "view".to_string())]]);
}

#[test]
fn stage_and_lifecycle_filters_pick_the_right_customers() {
    use tropa_core::analysis::lifecycle::{LifecycleState, LifecycleThresholds};
    use tropa_core::analysis::scope::{LifecycleTest, StageTest};
    use tropa_core::analysis::stages::JourneyDefinition;
    const DAY: i64 = 86_400_000;
    let engine = NaiveEngine::new();
    let mk = |i: usize, user: &str, day: i64, name: &str, revenue: Option<f64>| Event {
        revenue,
        ..track(i, user, day * DAY, name)
    };
    engine
        .ingest(vec![
            // ann: bought on day 1 (stage purchase), active until day 100
            mk(0, "ann", 1, "view_item", None),
            mk(1, "ann", 1, "add_to_cart", None),
            mk(2, "ann", 1, "purchase", Some(10.0)),
            mk(3, "ann", 100, "page_view", None),
            // bob: only looked, on day 50 (stage interest), dormant at day 100
            mk(4, "bob", 50, "view_item", None),
            // cid: carted on day 1, gone since (consideration, churned at day 100)
            mk(5, "cid", 1, "view_item", None),
            mk(6, "cid", 1, "add_to_cart", None),
        ])
        .unwrap();
    let dicts = engine.dictionaries();
    let who = |test: Box<dyn tropa_core::analysis::scope::CustomerTest>| {
        let scope = Scope::new(Collect, Columns::ROWS, ScopeSpec::default(), &dicts).with_test(test);
        let got = fold(&engine, &ScanSpec::default().with_columns(scope.columns()), &scope).unwrap();
        let mut firsts: Vec<i64> = got.iter().map(|j| j[0].0 / DAY).collect();
        firsts.sort();
        firsts
    };
    let def = JourneyDefinition::default_definition().unwrap();
    let stage = |keys: &[&str], at_day: i64| {
        let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        Box::new(StageTest::new(&def, &keys, at_day * DAY, &dicts).unwrap())
    };
    // first event days: ann 1, bob 50, cid 1
    assert_eq!(who(stage(&["purchase"], 100)), vec![1]);
    assert_eq!(who(stage(&["interest", "consideration"], 100)), vec![1, 50]);
    assert_eq!(who(stage(&["none"], 10)), vec![50], "bob had no event yet on day 10");
    assert!(StageTest::new(&def, &["checkout".to_string()], 0, &dicts).is_err());
    let life =
        |states: Vec<LifecycleState>| Box::new(LifecycleTest::new(states, 100 * DAY, LifecycleThresholds::default()));
    assert_eq!(who(life(vec![LifecycleState::Churned])), vec![1]);
    assert_eq!(who(life(vec![LifecycleState::Dormant])), vec![50]);
    assert_eq!(who(life(vec![LifecycleState::Reactivated])), vec![1], "ann came back after 99 days");
}
