//! The conformance suite: the same checks run against every [`Engine`] (naive oracle, embedded store, …).
//!
//! A backend's tests call [`engine_conformance_suite!`](crate::engine_conformance_suite) with an expression that
//! makes a fresh, empty engine (and a guard that keeps its resources alive):
//!
//! ```text
//! tropa_engine::engine_conformance_suite!(|| {
//!     let dir = tempfile::tempdir().unwrap();
//!     (Store::open(dir.path(), StoreOptions::default()).unwrap(), dir)
//! });
//! ```
//! (see `crates/store/tests/store.rs` and `crates/testkit/src/lib.rs` for the suite in use)

use std::collections::BTreeMap;

use tropa_core::{Columns, Event, Journey, JourneyFold, MessageKind};

use crate::{fold, Engine, ScanSpec};

/// Generates the suite's test functions for one backend.
#[macro_export]
macro_rules! engine_conformance_suite {
    ($make:expr) => {
        mod engine_conformance {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn scan_yields_complete_sorted_journeys_once() {
                let (engine, _guard) = ($make)();
                $crate::conformance::scan_yields_complete_sorted_journeys_once(&engine);
            }

            #[test]
            fn duplicates_are_not_stored_twice() {
                let (engine, _guard) = ($make)();
                $crate::conformance::duplicates_are_not_stored_twice(&engine);
            }

            #[test]
            fn late_identity_merge_reattributes_old_events() {
                let (engine, _guard) = ($make)();
                $crate::conformance::late_identity_merge_reattributes_old_events(&engine);
            }

            #[test]
            fn scan_filters_by_time_and_name() {
                let (engine, _guard) = ($make)();
                $crate::conformance::scan_filters_by_time_and_name(&engine);
            }

            #[test]
            fn having_skips_only_customers_without_the_name() {
                let (engine, _guard) = ($make)();
                $crate::conformance::having_skips_only_customers_without_the_name(&engine);
            }

            #[test]
            fn forget_removes_a_customer() {
                let (engine, _guard) = ($make)();
                $crate::conformance::forget_removes_a_customer(&engine);
            }

            #[test]
            fn catalog_counts_what_a_scan_sees() {
                let (engine, _guard) = ($make)();
                $crate::conformance::catalog_counts_what_a_scan_sees(&engine);
            }

            #[test]
            fn attribution_credits_the_hand_worked_case() {
                let (engine, _guard) = ($make)();
                $crate::conformance::attribution_credits_the_hand_worked_case(&engine);
            }

            #[test]
            fn feedback_scores_by_the_stage_at_the_answer() {
                let (engine, _guard) = ($make)();
                $crate::conformance::feedback_scores_by_the_stage_at_the_answer(&engine);
            }

            #[test]
            fn experiment_counts_first_exposures_and_merges() {
                let (engine, _guard) = ($make)();
                $crate::conformance::experiment_counts_first_exposures_and_merges(&engine);
            }

            #[test]
            fn lookup_by_any_id_and_the_data_version() {
                let (engine, _guard) = ($make)();
                $crate::conformance::lookup_by_any_id_and_the_data_version(&engine);
            }

            #[test]
            fn experiment_compares_stages_and_funnel_per_variant() {
                let (engine, _guard) = ($make)();
                $crate::conformance::experiment_compares_stages_and_funnel_per_variant(&engine);
            }
        }
    };
}

/// A small deterministic event stream: `customers` customers, each with an anonymous id, some identified later.
/// Returns the events in ingest order and, per customer, the message ids in expected journey order.
pub fn dataset(customers: usize, seed: u64) -> (Vec<Event>, Vec<Vec<String>>) {
    let mut s = seed | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let names = ["page_view", "view_item", "add_to_cart", "begin_checkout", "purchase", "search"];
    let mut events = Vec::new();
    let mut per: Vec<Vec<(i64, usize, String)>> = vec![Vec::new(); customers];
    for round in 0..3 {
        for (c, journey) in per.iter_mut().enumerate() {
            let n = (next() % 4) as usize;
            for k in 0..n {
                // coarse times so that ties happen
                let ts = 1_700_000_000_000 + (next() % 20) as i64 * 60_000;
                let identified = c % 3 == 0 && round > 0;
                let id = format!("m-{c}-{round}-{k}");
                let ev = Event {
                    message_id: id.clone(),
                    kind: MessageKind::Track,
                    timestamp: ts,
                    received_at: ts,
                    anonymous_id: if identified && k % 2 == 1 { String::new() } else { format!("anon-{c}") },
                    user_id: if identified { format!("user-{c}") } else { String::new() },
                    name: names[(next() % names.len() as u64) as usize].to_string(),
                    touchpoint: "web".into(),
                    properties: format!("{{\"k\":{k}}}"),
                    traits: "{}".into(),
                    revenue: if k == 1 { Some(100.0 + c as f64) } else { None },
                    ..Event::default()
                };
                journey.push((ts, events.len(), id));
                events.push(ev);
            }
        }
    }
    let expected = per
        .into_iter()
        .map(|mut v| {
            v.sort();
            v.into_iter().map(|(_, _, id)| id).collect()
        })
        .collect();
    (events, expected)
}

/// Collects every journey as (first actor's message ids in order) keyed by the sorted set of its message ids.
struct Collect;

impl JourneyFold for Collect {
    type Acc = Vec<(Vec<i64>, Vec<String>)>;
    fn init(&self) -> Self::Acc {
        Vec::new()
    }
    fn fold(&self, acc: &mut Self::Acc, j: &Journey<'_>) {
        let ids = j.events().into_iter().map(|e| e.message_id).collect();
        acc.push((j.ts.to_vec(), ids));
    }
    fn merge(&self, into: &mut Self::Acc, other: Self::Acc) {
        into.extend(other);
    }
}

fn journeys(engine: &dyn Engine, spec: &ScanSpec) -> Vec<Vec<String>> {
    let spec = spec.clone().with_columns(Columns::ROWS);
    let got = fold(engine, &spec, &Collect).expect("scan");
    for (ts, ids) in &got {
        assert!(ts.windows(2).all(|w| w[0] <= w[1]), "journey not in time order: {ids:?}");
        assert_eq!(ts.len(), ids.len());
    }
    let mut out: Vec<Vec<String>> = got.into_iter().map(|(_, ids)| ids).collect();
    out.sort();
    out
}

fn sorted(mut v: Vec<Vec<String>>) -> Vec<Vec<String>> {
    v.retain(|j| !j.is_empty());
    v.sort();
    v
}

/// Every customer's events come back complete, in time order (ties in ingest order), exactly once.
pub fn scan_yields_complete_sorted_journeys_once(engine: &dyn Engine) {
    let (events, expected) = dataset(40, 7);
    let total = events.len() as u64;
    let mut accepted = 0;
    for chunk in events.chunks(17) {
        accepted += engine.ingest(chunk.to_vec()).expect("ingest").accepted;
    }
    assert_eq!(accepted, total);
    assert_eq!(journeys(engine, &ScanSpec::default()), sorted(expected));
    let counts = fold(engine, &ScanSpec::default(), &tropa_core::CountFold).expect("scan");
    assert_eq!(counts.events, total);
    let summary = engine.summary().expect("summary");
    assert_eq!(summary.events, total);
    assert_eq!(summary.customers, counts.customers);
}

/// Sending the same message ids again, in the same call or later, stores nothing new.
pub fn duplicates_are_not_stored_twice(engine: &dyn Engine) {
    let (events, expected) = dataset(10, 3);
    let n = events.len() as u64;
    let mut twice = events.clone();
    twice.extend(events.iter().take(5).cloned());
    let first = engine.ingest(twice).expect("ingest");
    assert_eq!((first.accepted, first.duplicates), (n, 5));
    let again = engine.ingest(events).expect("ingest");
    assert_eq!((again.accepted, again.duplicates), (0, n));
    assert_eq!(journeys(engine, &ScanSpec::default()), sorted(expected));
}

/// An identify that arrives after both ids have events joins the two journeys into one.
pub fn late_identity_merge_reattributes_old_events(engine: &dyn Engine) {
    let mk = |id: &str, anon: &str, user: &str, name: &str, ts: i64, kind: MessageKind| Event {
        message_id: id.into(),
        kind,
        timestamp: ts,
        anonymous_id: anon.into(),
        user_id: user.into(),
        name: name.into(),
        properties: "{}".into(),
        traits: "{}".into(),
        ..Event::default()
    };
    engine.ingest(vec![mk("e1", "anon-x", "", "page_view", 1000, MessageKind::Page)]).expect("ingest");
    engine.ingest(vec![mk("e2", "", "user-x", "purchase", 3000, MessageKind::Track)]).expect("ingest");
    engine.ingest(vec![mk("e3", "anon-y", "", "page_view", 500, MessageKind::Page)]).expect("ingest");
    assert_eq!(journeys(engine, &ScanSpec::default()).len(), 3);
    engine.ingest(vec![mk("e4", "anon-x", "user-x", "identify", 2000, MessageKind::Identify)]).expect("ingest");
    assert_eq!(
        journeys(engine, &ScanSpec::default()),
        vec![vec!["e1".to_string(), "e4".into(), "e2".into()], vec!["e3".into()]]
    );
    let key = engine.customer_key("anon-x").expect("lookup").expect("known");
    let names = engine.actor_names(&[key]).expect("names");
    assert_eq!(names, vec!["anon-x".to_string()]);
    let rec = engine.customer("user-x").expect("customer").expect("known");
    assert_eq!(rec.customer, "anon-x");
    assert_eq!(rec.actors, vec!["anon-x".to_string(), "user-x".into()]);
    assert_eq!(rec.events.iter().map(|e| e.message_id.as_str()).collect::<Vec<_>>(), ["e1", "e4", "e2"]);
    assert_eq!(rec.merges.len(), 1);
    assert_eq!(rec.merges[0].message_id, "e4");
    assert_eq!(rec.merges[0].via, "identify");
    assert!(engine.customer("nobody").expect("customer").is_none());
    assert_eq!(engine.summary().expect("summary").customers, 2);
}

/// Time and name filters drop events, and customers left with none.
pub fn scan_filters_by_time_and_name(engine: &dyn Engine) {
    let (events, _) = dataset(30, 11);
    let from = 1_700_000_000_000 + 5 * 60_000;
    let to = 1_700_000_000_000 + 12 * 60_000;
    let mut want: BTreeMap<String, Vec<(i64, usize, String)>> = BTreeMap::new();
    // expected: group by customer number encoded in the message id
    for (i, e) in events.iter().enumerate() {
        if e.timestamp >= from && e.timestamp < to && (e.name == "purchase" || e.name == "add_to_cart") {
            let c = e.message_id.split('-').nth(1).unwrap_or("").to_string();
            want.entry(c).or_default().push((e.timestamp, i, e.message_id.clone()));
        }
    }
    let want = sorted(
        want.into_values()
            .map(|mut v| {
                v.sort();
                v.into_iter().map(|x| x.2).collect()
            })
            .collect(),
    );
    engine.ingest(events).expect("ingest");
    let spec = ScanSpec {
        from: Some(from),
        to: Some(to),
        names: Some(vec!["purchase".into(), "add_to_cart".into(), "never_seen".into()]),
        ..ScanSpec::default()
    };
    assert_eq!(journeys(engine, &spec), want);
}

/// The `having` hint may skip customers without an event of its names (in the time range), never one with
/// such an event, and never cuts a journey: each journey visited is whole, as the scan without the hint gives it.
pub fn having_skips_only_customers_without_the_name(engine: &dyn Engine) {
    let (events, _) = dataset(60, 23);
    for chunk in events.chunks(25) {
        engine.ingest(chunk.to_vec()).expect("ingest");
    }
    let name_of: BTreeMap<String, String> = events.iter().map(|e| (e.message_id.clone(), e.name.clone())).collect();
    let ts_of: BTreeMap<String, i64> = events.iter().map(|e| (e.message_id.clone(), e.timestamp)).collect();
    let (from, to) = (1_700_000_000_000 + 3 * 60_000, 1_700_000_000_000 + 15 * 60_000);
    for (range, name) in [((None, None), "purchase"), ((Some(from), Some(to)), "begin_checkout")] {
        let plain = ScanSpec { from: range.0, to: range.1, ..ScanSpec::default() };
        let all = journeys(engine, &plain);
        let hinted = journeys(engine, &ScanSpec { having: Some(vec![name.into(), "never_seen".into()]), ..plain });
        let has = |j: &Vec<String>| j.iter().any(|id| name_of[id] == name);
        let must: Vec<&Vec<String>> = all.iter().filter(|j| has(j)).collect();
        assert!(!must.is_empty() && must.len() < all.len(), "the case needs customers with and without {name}");
        for j in &must {
            assert!(hinted.contains(j), "a customer with {name} was skipped or cut: {j:?}");
        }
        for j in &hinted {
            assert!(all.contains(j), "a journey visited under the hint is not the whole journey: {j:?}");
            assert!(j.iter().all(|id| range.0.is_none_or(|f| ts_of[id] >= f)));
        }
    }
    // a name no event has: nothing needs visiting (an engine may still visit every customer)
    let none = journeys(engine, &ScanSpec { having: Some(vec!["never_seen".into()]), ..ScanSpec::default() });
    assert!(none.iter().all(|j| journeys(engine, &ScanSpec::default()).contains(j)));
}

/// After `forget`, no scan or lookup shows the customer's events.
pub fn forget_removes_a_customer(engine: &dyn Engine) {
    let (events, expected) = dataset(12, 5);
    let c = (0..12).find(|c| events.iter().any(|e| e.user_id == format!("user-{c}"))).expect("an identified customer");
    engine.ingest(events).expect("ingest");
    let removed = engine.forget(&format!("user-{c}")).expect("forget");
    assert_eq!(removed as usize, expected[c].len());
    let mut rest = expected.clone();
    rest.remove(c);
    assert_eq!(journeys(engine, &ScanSpec::default()), sorted(rest));
    assert!(engine.customer(&format!("anon-{c}")).expect("customer").is_none_or(|r| r.events.is_empty()));
    assert_eq!(engine.forget("nobody").expect("forget"), 0);
}

/// The catalog (event names, properties, counts, first/last seen) equals the catalog folded over a full scan,
/// after ingestion with duplicates and after a forget.
pub fn catalog_counts_what_a_scan_sees(engine: &dyn Engine) {
    let scanned = |engine: &dyn Engine| {
        let dicts = engine.dictionaries();
        let spec = ScanSpec::default().with_columns(tropa_core::catalog::CatalogFold::columns());
        fold(engine, &spec, &tropa_core::catalog::CatalogFold { dicts: &dicts }).expect("scan").sorted()
    };
    let (events, _) = dataset(20, 9);
    let n = events.len() as u64;
    let mut twice = events.clone();
    twice.extend(events.iter().take(4).cloned());
    engine.ingest(twice).expect("ingest");
    let catalog = engine.catalog().expect("catalog");
    assert_eq!(catalog.total(), n);
    assert_eq!(catalog, scanned(engine));
    assert!(catalog.property_names("*").contains(&"k".to_string()));
    let c = (0..20).find(|c| events.iter().any(|e| e.user_id == format!("user-{c}"))).expect("identified");
    let removed = engine.forget(&format!("user-{c}")).expect("forget");
    let after = engine.catalog().expect("catalog");
    assert_eq!(after.total(), n - removed);
    assert_eq!(after, scanned(engine));
}

/// Attribution over the engine: three customers (one identified halfway, so its touches join across ids) give
/// the hand-worked credits of every model (see `tropa_core::analysis::attribution` tests).
pub fn attribution_credits_the_hand_worked_case(engine: &dyn Engine) {
    use tropa_core::analysis::attribution::{AttributionSpec, Model};
    use tropa_core::analysis::filter::EventMatch;
    const HOUR: i64 = 3_600_000;
    let t0 = 1_700_000_000_000;
    let ev = |id: &str, anon: &str, user: &str, h: i64, name: &str, group: &str, revenue: Option<f64>| {
        let mut e = Event {
            message_id: id.into(),
            kind: MessageKind::Track,
            timestamp: t0 + h * HOUR,
            received_at: t0 + h * HOUR,
            anonymous_id: anon.into(),
            user_id: user.into(),
            name: name.into(),
            touchpoint: "web".into(),
            properties: "{}".into(),
            traits: "{}".into(),
            revenue,
            ..Event::default()
        };
        e.channel.group = group.into();
        e
    };
    engine
        .ingest(vec![
            ev("a1", "anon-a", "", 0, "page_view", "organic_search", None),
            ev("a2", "anon-a", "", 48, "purchase", "email", Some(100.0)),
            ev("b1", "anon-b", "", 0, "page_view", "social", None),
            ev("b2", "anon-b", "user-b", 24, "page_view", "paid_search", None),
            ev("b3", "", "user-b", 72, "purchase", "direct", Some(300.0)),
            ev("c1", "anon-c", "", 0, "page_view", "social", None),
            ev("c2", "anon-c", "", 10, "page_view", "direct", None),
        ])
        .expect("ingest");
    let spec = AttributionSpec {
        half_life_ms: 24 * HOUR,
        ..AttributionSpec::new(EventMatch::parse("purchase").expect("condition"))
    };
    let r = crate::report::attribution(engine, spec, Default::default(), Vec::new()).expect("attribution");
    assert_eq!((r.customers, r.conversions, r.revenue, r.touches, r.null_paths), (3, 2, 400.0, 7, 1));
    let credit = |label: &str, m: Model| {
        let row = r.rows.iter().find(|row| row.label == label).expect("a row per channel");
        row.credits[m as usize].map(|c| (c.conversions, c.revenue)).expect("valued")
    };
    let third = 1.0 / 3.0;
    let want = [
        ("organic_search", Model::FirstTouch, 1.0, 100.0),
        ("social", Model::FirstTouch, 1.0, 300.0),
        ("direct", Model::LastTouch, 1.0, 300.0),
        ("paid_search", Model::LastNonDirect, 1.0, 300.0),
        ("social", Model::Linear, third, 100.0),
        ("email", Model::TimeDecay, 0.8, 80.0),
        ("social", Model::PositionBased, 0.4, 120.0),
        ("paid_search", Model::Markov, 2.0 * 0.25 / 2.25, 400.0 * 0.375 / 2.375),
        ("organic_search", Model::Shapley, 0.5, 50.0),
    ];
    for (label, m, c, rev) in want {
        let (gc, gr) = credit(label, m);
        assert!((gc - c).abs() < 1e-12 && (gr - rev).abs() < 1e-9, "{label} {m:?}: {gc}/{gr}, want {c}/{rev}");
    }
    assert!((r.markov.conversion_probability - 2.0 / 3.0).abs() < 1e-12);
}

/// Feedback scores (NPS, CSAT, CES) land on the stage reached at the time of each answer; an out-of-range score
/// is counted as invalid, a repeated answer within a day replaces the earlier one in the scores; the list shows
/// every feedback event with its stage.
pub fn feedback_scores_by_the_stage_at_the_answer(engine: &dyn Engine) {
    use tropa_core::analysis::feedback::FeedbackSpec;
    use tropa_core::analysis::period::Period;
    use tropa_core::analysis::stages::JourneyDefinition;
    let ev = |c: u32, min: i64, name: &str, props: &str| Event {
        message_id: format!("fb-{c}-{min}-{name}"),
        kind: MessageKind::Track,
        timestamp: 1_700_000_000_000 + min * 60_000,
        received_at: 1_700_000_000_000 + min * 60_000,
        anonymous_id: format!("fb-anon-{c}"),
        name: name.into(),
        properties: props.into(),
        revenue: (name == "purchase").then_some(100.0),
        ..Event::default()
    };
    let ces =
        |score: u32| format!("{{\"survey\":\"checkout\",\"question\":\"ease\",\"kind\":\"ces\",\"score\":{score}}}");
    let events = vec![
        ev(1, 0, "page_view", "{}"),
        ev(1, 1, "view_item", "{}"),
        ev(1, 2, "nps_response", "{\"score\":10,\"survey\":\"post_delivery\"}"),
        ev(1, 3, "add_to_cart", "{}"),
        ev(1, 4, "purchase", "{}"),
        ev(1, 5, "nps_response", "{\"score\":3,\"survey\":\"post_delivery\"}"),
        ev(1, 6, "review", "{\"rating\":5,\"text\":\"отлично\"}"),
        ev(2, 0, "page_view", "{}"),
        ev(2, 1, "nps_response", "{\"score\":9}"),
        ev(2, 2, "survey_response", &ces(6)),
        ev(2, 3, "survey_response", &ces(2)),
        ev(2, 4, "survey_response", "{\"survey\":\"x\",\"kind\":\"nps\",\"score\":11}"),
        ev(3, 0, "nps_response", "{\"score\":0}"),
        ev(3, 1, "support_ticket", "{\"topic\":\"delivery_delay\"}"),
    ];
    engine.ingest(events).expect("ingest");
    let spec = FeedbackSpec {
        definition: JourneyDefinition::default_definition().expect("definition"),
        now: 1_700_000_000_000 + 60 * 60_000,
        from: None,
        to: None,
        period: Period::Day,
        calendar: tropa_core::calendar::Calendar::default(),
    };
    let r = crate::report::feedback(engine, spec.clone(), Default::default(), Vec::new()).expect("feedback");
    assert_eq!((r.customers, r.answers, r.invalid, r.superseded, r.texts), (3, 6, 1, 1, 2));
    let by: BTreeMap<&str, _> = r.stages.iter().map(|s| (s.key.as_str(), s)).collect();
    let (aw, int, pur) = (by["awareness"], by["interest"], by["purchase"]);
    assert_eq!((aw.reached, aw.respondents, aw.scores.nps.n, aw.scores.nps.value), (3, 2, 2, Some(0.0)));
    assert_eq!((aw.scores.ces.n, aw.scores.ces.value), (1, Some(2.0)));
    assert_eq!((int.respondents, int.scores.nps.value), (1, Some(100.0)));
    assert_eq!((pur.scores.nps.value, pur.scores.csat.value, pur.texts), (Some(-100.0), Some(100.0), 1));
    assert_eq!(pur.negative_share, Some(0.5));
    assert_eq!(r.overall.nps.n, 4);
    assert!(r.overall.nps.small_sample);
    assert_eq!(
        r.surveys.iter().map(|s| (s.survey.as_str(), s.answered)).collect::<Vec<_>>(),
        [("checkout", 1), ("post_delivery", 1)]
    );
    let list = crate::report::feedback_list(
        engine,
        crate::report::FeedbackListSpec { feedback: spec, limit: 100, stage: None, kind: None, negative_only: false },
        Default::default(),
        Vec::new(),
    )
    .expect("list");
    assert_eq!(list.len(), 9);
    let first = list.iter().find(|i| i.score == Some(10)).expect("the first answer");
    assert_eq!((first.stage.as_deref(), first.customer.as_str()), (Some("interest"), "fb-anon-1"));
    assert_eq!(list.iter().filter(|i| i.superseded || i.invalid).count(), 2);
}

/// Experiments: a customer counts in the variant of their first exposure (over all ids merged into them, even
/// merged after the exposure), customers seen in two variants are counted as mixed, a conversion only before the
/// exposure does not count and is reported, other experiments and unknown variants are kept apart (and a
/// customer also in another experiment is counted as overlapping).
pub fn experiment_counts_first_exposures_and_merges(engine: &dyn Engine) {
    use tropa_core::analysis::experiment::fold::{ExperimentFold, ExperimentSpec, MetricDef};
    use tropa_core::analysis::filter::EventMatch;
    let mk = |id: &str, anon: &str, user: &str, name: &str, ts: i64, props: &str, revenue: Option<f64>| Event {
        message_id: id.into(),
        kind: if name == "identify" { MessageKind::Identify } else { MessageKind::Track },
        timestamp: ts,
        anonymous_id: anon.into(),
        user_id: user.into(),
        name: name.into(),
        properties: props.into(),
        traits: "{}".into(),
        revenue,
        ..Event::default()
    };
    let exp = |v: &str| format!("{{\"experiment\":\"exp1\",\"variant\":\"{v}\"}}");
    let x = "experiment_exposure";
    engine
        .ingest(vec![
            mk("a1", "anon-1", "", x, 1_000, &exp("A"), None),
            mk("a2", "anon-1", "", "purchase", 2_000, "{}", Some(50.0)),
            mk("a3", "anon-1", "", x, 1_100, "{\"experiment\":\"other\",\"variant\":\"B\"}", None),
            mk("b1", "anon-2", "", "purchase", 500, "{}", Some(10.0)),
            mk("b2", "anon-2", "", x, 1_000, &exp("B"), None),
            mk("c1", "anon-3", "", x, 1_000, &exp("B"), None),
            mk("c2", "anon-3", "", x, 1_500, &exp("A"), None),
            mk("c3", "anon-3", "", "purchase", 3_000, "{}", Some(20.0)),
            mk("d1", "anon-4", "", x, 1_000, &exp("A"), None),
            mk("d2", "", "user-4", x, 800, &exp("B"), None),
            mk("e1", "anon-5", "", x, 1_000, &exp("C"), None),
            mk("f1", "anon-6", "", x, 1_000, "{\"experiment\":\"other\",\"variant\":\"A\"}", None),
        ])
        .expect("ingest");
    // the merge arrives after both exposures
    engine.ingest(vec![mk("d3", "anon-4", "user-4", "identify", 2_000, "{}", None)]).expect("ingest");
    let spec = ExperimentSpec {
        key: "exp1".into(),
        exposure: EventMatch::name(x),
        experiment_property: "experiment".into(),
        variant_property: "variant".into(),
        variants: vec!["A".into(), "B".into()],
        start: None,
        end: None,
        metrics: vec![
            MetricDef::Conversion { event: EventMatch::name("purchase"), window: 86_400_000 },
            MetricDef::Revenue { window: 86_400_000 },
        ],
        caps: vec![None, None],
        calendar: tropa_core::calendar::Calendar::UTC,
        journey: None,
    };
    let f = ExperimentFold::new(spec, &engine.dictionaries());
    let columns = f.columns();
    let (acc, _) =
        crate::report::scoped_fold(engine, f, columns, tropa_core::analysis::scope::ScopeSpec::default(), Vec::new())
            .expect("fold");
    let (a, b) = (&acc.variants[0], &acc.variants[1]);
    assert_eq!((a.customers, a.mixed), (1, 0), "A: anon-1 only");
    assert_eq!((b.customers, b.mixed), (3, 2), "B: anon-2, anon-3 (later A), anon-4+user-4 (first B via user-4)");
    assert_eq!((a.metrics[0].post.sum, b.metrics[0].post.sum), (1.0, 1.0), "conversions after exposure");
    assert_eq!((a.converted_before[0], b.converted_before[0]), (0, 1), "anon-2 bought only before");
    assert_eq!((a.metrics[1].post.sum, b.metrics[1].post.sum), (50.0, 20.0), "revenue after exposure");
    assert_eq!(b.metrics[1].pre.sum, 10.0, "revenue before exposure: the covariate");
    assert_eq!(acc.unknown_variants.get("C"), Some(&1));
    assert_eq!((a.overlapping, b.overlapping), (1, 0), "anon-1 was also in experiment 'other'");
}

/// Experiments on the journey: per variant, the stages of a journey definition (entered at all and at or after
/// the exposure, revenue and events while in a stage from the exposure on, hours to the next stage), the
/// funnel's steps reached from the exposure on within its window, and the funnel-completion metric.
pub fn experiment_compares_stages_and_funnel_per_variant(engine: &dyn Engine) {
    use tropa_core::analysis::experiment::fold::{ExperimentFold, ExperimentSpec, JourneySpec, MetricDef};
    use tropa_core::analysis::filter::EventMatch;
    use tropa_core::analysis::stages::{DefinitionFormat, JourneyDefinition};
    let ev = |c: u32, ts: i64, name: &str, props: &str, revenue: Option<f64>| Event {
        message_id: format!("xj-{c}-{ts}-{name}"),
        kind: MessageKind::Track,
        timestamp: ts,
        received_at: ts,
        anonymous_id: format!("xj-{c}"),
        name: name.into(),
        properties: props.into(),
        revenue,
        ..Event::default()
    };
    let x = |v: &str| format!("{{\"experiment\":\"exp\",\"variant\":\"{v}\"}}");
    let e = "experiment_exposure";
    engine
        .ingest(vec![
            ev(1, 0, "page_view", "{}", None),
            ev(1, 1_000, e, &x("A"), None),
            ev(1, 2_000, "add_to_cart", "{}", None),
            ev(1, 3_000, "purchase", "{}", Some(10.0)),
            ev(2, 1_000, e, &x("A"), None),
            ev(2, 1_500, "page_view", "{}", None),
            ev(3, 500, "add_to_cart", "{}", None),
            ev(3, 1_000, e, &x("B"), None),
            ev(3, 2_000, "purchase", "{}", Some(20.0)),
            ev(3, 2_500, "purchase", "{}", Some(5.0)),
            ev(4, 1_000, e, &x("B"), None),
            ev(4, 1_200, "add_to_cart", "{}", None),
        ])
        .expect("ingest");
    let toml = "version = 1\nname = \"t\"\n[[stages]]\nkey = \"visit\"\nname = { en = \"Visit\", ru = \"Визит\" }\n\
                event = \"*\"\n[[stages]]\nkey = \"cart\"\nname = { en = \"Cart\", ru = \"Корзина\" }\n\
                event = \"add_to_cart\"\n[[stages]]\nkey = \"buy\"\nname = { en = \"Buy\", ru = \"Покупка\" }\n\
                event = \"purchase\"\n";
    let definition = JourneyDefinition::parse(toml, DefinitionFormat::Toml).expect("definition");
    let steps = vec![EventMatch::name("add_to_cart"), EventMatch::name("purchase")];
    let spec = ExperimentSpec {
        key: "exp".into(),
        exposure: EventMatch::name(e),
        experiment_property: "experiment".into(),
        variant_property: "variant".into(),
        variants: vec!["A".into(), "B".into()],
        start: None,
        end: None,
        metrics: vec![MetricDef::Funnel { steps: steps.clone(), window: 86_400_000 }],
        caps: vec![None],
        calendar: tropa_core::calendar::Calendar::UTC,
        journey: Some(JourneySpec {
            definition: Some(definition),
            now: 10_000,
            funnel: steps,
            funnel_window: 86_400_000,
        }),
    };
    let f = ExperimentFold::new(spec, &engine.dictionaries());
    let columns = f.columns();
    let (acc, _) =
        crate::report::scoped_fold(engine, f, columns, tropa_core::analysis::scope::ScopeSpec::default(), Vec::new())
            .expect("fold");
    let (a, b) = (&acc.variants[0], &acc.variants[1]);
    let lane = |v: &tropa_core::analysis::experiment::fold::VariantAcc,
                f: fn(&tropa_core::analysis::experiment::fold::StageSums) -> f64|
     -> Vec<f64> { v.stages.iter().map(f).collect() };
    assert_eq!(lane(a, |s| s.reached as f64), [2.0, 1.0, 1.0], "A reached");
    assert_eq!(lane(b, |s| s.reached as f64), [2.0, 2.0, 1.0], "B reached (3 added to the cart before exposure)");
    assert_eq!(lane(a, |s| s.entered_after as f64), [1.0, 1.0, 1.0], "A: 1 visited before the exposure");
    assert_eq!(lane(b, |s| s.entered_after as f64), [1.0, 1.0, 1.0], "B: 3 visited and added before");
    assert_eq!(lane(a, |s| s.events.sum), [3.0, 1.0, 1.0], "A events in stage after the exposure");
    assert_eq!(lane(b, |s| s.events.sum), [1.0, 2.0, 2.0], "B events in stage after the exposure");
    assert_eq!(lane(a, |s| s.events.n), [2.0, 2.0, 2.0], "every customer counts (0 outside the stage)");
    assert_eq!(lane(b, |s| s.revenue.sum), [0.0, 0.0, 25.0], "B revenue while in buy");
    assert_eq!(lane(a, |s| s.hours.sum * 3_600_000.0), [2_000.0, 1_000.0, 0.0], "A time to the next stage");
    assert_eq!((a.funnel.as_slice(), b.funnel.as_slice()), (&[1, 1][..], &[1, 0][..]), "funnel from the exposure on");
    assert_eq!((a.metrics[0].post.sum, b.metrics[0].post.sum), (1.0, 0.0), "funnel completion");
}

/// Every id of a customer (anonymous, user, an alias merged later) finds the customer key its journey carries;
/// an unknown id finds nothing. The data version grows with every change a scan sees and stays put otherwise.
pub fn lookup_by_any_id_and_the_data_version(engine: &dyn Engine) {
    struct Keys;
    impl JourneyFold for Keys {
        type Acc = Vec<(u32, Vec<String>)>;
        fn init(&self) -> Self::Acc {
            Vec::new()
        }
        fn fold(&self, acc: &mut Self::Acc, j: &Journey<'_>) {
            acc.push((j.customer.0, j.name.iter().map(|c| c.to_string()).collect()));
        }
        fn merge(&self, into: &mut Self::Acc, other: Self::Acc) {
            into.extend(other);
        }
    }
    let mk = |id: &str, anon: &str, user: &str, ts: i64, kind: MessageKind| Event {
        message_id: id.into(),
        kind,
        timestamp: ts,
        anonymous_id: anon.into(),
        user_id: user.into(),
        name: "page_view".into(),
        properties: "{}".into(),
        traits: "{}".into(),
        ..Event::default()
    };
    let v0 = engine.data_version().expect("version");
    let (events, _) = dataset(40, 3);
    engine.ingest(events.clone()).expect("ingest");
    let v1 = engine.data_version().expect("version");
    assert!(v1 > v0, "ingest moves the version: {v0} → {v1}");
    // only duplicates: nothing a scan sees changed
    engine.ingest(events.clone()).expect("ingest");
    let v1b = engine.data_version().expect("version");
    assert!(v1b >= v1);
    engine.ingest(vec![mk("k1", "anon-k", "", 1000, MessageKind::Page)]).expect("ingest");
    engine.ingest(vec![mk("k2", "", "user-k", 2000, MessageKind::Track)]).expect("ingest");
    let v2 = engine.data_version().expect("version");
    assert!(v2 > v1b);
    let anon = engine.customer_key("anon-k").expect("lookup").expect("known");
    let user = engine.customer_key("user-k").expect("lookup").expect("known");
    assert_ne!(anon, user, "not linked yet");
    engine.ingest(vec![mk("k3", "anon-k", "user-k", 1500, MessageKind::Identify)]).expect("ingest");
    let v3 = engine.data_version().expect("version");
    assert!(v3 > v2, "a merge moves the version");
    let after = engine.customer_key("user-k").expect("lookup").expect("known");
    assert_eq!(engine.customer_key("anon-k").expect("lookup"), Some(after));
    // the key of one of the two ids (the embedded store keeps the first-seen one, a ClickHouse backend the
    // smallest hash: both are a representative every server picks alike)
    assert!(after == anon || after == user, "the merged key {} is neither {} nor {}", after.0, anon.0, user.0);
    // every id of every customer finds the key its journey carries
    let keys = fold(engine, &ScanSpec::default(), &Keys).expect("scan");
    let by_key: BTreeMap<u32, usize> = keys.iter().map(|(k, names)| (*k, names.len())).collect();
    assert_eq!(by_key.get(&after.0), Some(&3));
    for e in &events {
        for id in [&e.anonymous_id, &e.user_id].into_iter().filter(|s| !s.is_empty()) {
            let k = engine.customer_key(id).expect("lookup").expect("a stored id is known");
            assert!(by_key.contains_key(&k.0), "{id} finds key {} that no journey carries", k.0);
            let rec = engine.customer(id).expect("customer").expect("known");
            assert!(rec.actors.contains(id));
            assert_eq!(engine.actor_names(&[k]).expect("names"), vec![rec.customer.clone()]);
        }
    }
    assert_eq!(engine.customer_key("nobody").expect("lookup"), None);
    assert_eq!(engine.customer_key("").expect("lookup"), None);
    // a flush still running in the background may move the version (the contract allows it); once it has
    // settled, lookups move nothing
    let lookups = || {
        for id in ["anon-k", "user-k", "k1", "nobody"] {
            engine.customer_key(id).expect("lookup");
            engine.customer(id).expect("customer");
        }
    };
    let settled = (0..500).find_map(|_| {
        let before = engine.data_version().expect("version");
        lookups();
        let same = engine.data_version().expect("version") == before;
        if !same {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        same.then_some(before)
    });
    let v3 = settled.expect("lookups change nothing");
    assert!(engine.forget("user-k").expect("forget") > 0);
    let v4 = engine.data_version().expect("version");
    assert!(v4 > v3, "a forget moves the version");
}
