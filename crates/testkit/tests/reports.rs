//! Snapshots of the JSON reports on a small fixed data set: the shapes users and the HTTP API rely on stay
//! stable, and any change to a number shows up in review (`cargo insta review`).

use tropa_core::analysis::filter::EventMatch;
use tropa_core::analysis::funnel::{Breakdown, FunnelFold, FunnelMode, FunnelSpec, Period, Step};
use tropa_core::Event;
use tropa_engine::{fold, Engine, ScanSpec};
use tropa_testkit::{track, NaiveEngine};

const DAY: i64 = 86_400_000;
/// 2024-01-01T00:00:00Z, a Monday.
const T0: i64 = 1_704_067_200_000;

/// (customer, day, minute, event, channel, revenue).
type Row = (&'static str, i64, i64, &'static str, &'static str, Option<f64>);

/// Eight customers of a small shop over three weeks.
fn shop() -> NaiveEngine {
    let rows: &[Row] = &[
        ("anna", 0, 0, "session_start", "email", None),
        ("anna", 0, 1, "view_item", "email", None),
        ("anna", 0, 3, "add_to_cart", "email", None),
        ("anna", 0, 9, "purchase", "email", Some(4990.0)),
        ("anna", 15, 0, "session_start", "direct", None),
        ("anna", 15, 2, "purchase", "direct", Some(1200.0)),
        ("boris", 1, 0, "session_start", "paid_search", None),
        ("boris", 1, 1, "view_item", "paid_search", None),
        ("boris", 1, 2, "add_to_cart", "paid_search", None),
        ("boris", 1, 4, "support_ticket", "paid_search", None),
        ("vera", 2, 0, "session_start", "paid_search", None),
        ("vera", 2, 5, "view_item", "paid_search", None),
        ("vera", 2, 6, "search", "paid_search", None),
        ("gleb", 3, 0, "session_start", "organic_search", None),
        ("gleb", 3, 1, "view_item", "organic_search", None),
        ("gleb", 3, 2, "add_to_cart", "organic_search", None),
        ("gleb", 10, 0, "session_start", "email", None),
        ("gleb", 10, 3, "purchase", "email", Some(700.0)),
        ("dina", 8, 0, "session_start", "email", None),
        ("dina", 8, 1, "view_item", "email", None),
        ("dina", 8, 2, "add_to_cart", "email", None),
        ("dina", 8, 4, "purchase", "email", Some(2500.0)),
        ("dina", 16, 0, "session_start", "email", None),
        ("egor", 9, 0, "session_start", "direct", None),
        ("egor", 9, 1, "page_view", "direct", None),
        ("zoya", 14, 0, "session_start", "paid_social", None),
        ("zoya", 14, 1, "view_item", "paid_social", None),
        ("zoya", 14, 1, "add_to_cart", "paid_social", None),
        ("zoya", 14, 30, "begin_checkout", "paid_social", None),
        ("ivan", 17, 0, "session_start", "referral", None),
        ("ivan", 17, 2, "view_item", "referral", None),
    ];
    let events = rows
        .iter()
        .enumerate()
        .map(|(i, &(who, day, minute, name, channel, revenue))| {
            let mut e = Event { revenue, ..track(i, who, T0 + day * DAY + minute * 60_000, name) };
            e.channel.group = channel.to_string();
            e
        })
        .collect();
    let engine = NaiveEngine::new();
    engine.ingest(events).unwrap();
    engine
}

fn step(text: &str) -> Step {
    Step { matcher: EventMatch::parse(text).unwrap(), optional: false, min_ms: None, max_ms: None }
}

#[test]
fn funnel_report() {
    let engine = shop();
    let spec = FunnelSpec {
        steps: vec![step("view_item"), step("add_to_cart"), step("purchase")],
        mode: FunnelMode::Ordered,
        window_ms: 7 * DAY,
        exclusions: Vec::new(),
        breakdown: Some(Breakdown::FirstChannel),
        trend: Some(Period::Week),
        calendar: Default::default(),
        from: None,
        to: None,
        dropoff_top: 3,
    };
    let f = FunnelFold::new(spec, &engine.dictionaries()).unwrap();
    let acc = fold(&engine, &ScanSpec::default().with_columns(f.columns()), &f).unwrap();
    insta::assert_json_snapshot!(f.report(&acc));
}

#[test]
fn paths_report() {
    use tropa_core::analysis::paths::{PathsFold, PathsSpec};
    let engine = shop();
    let spec = PathsSpec {
        from: Some(EventMatch::name("view_item")),
        to: None,
        depth: 3,
        collapse: false,
        session_ms: Some(30 * 60_000),
        top: 5,
        conversion: Some(EventMatch::name("purchase")),
    };
    let f = PathsFold::new(spec, &engine.dictionaries()).unwrap();
    let acc = fold(&engine, &ScanSpec::default().with_columns(f.columns()), &f).unwrap();
    insta::assert_json_snapshot!(f.report(&acc));
}

#[test]
fn retention_report() {
    use tropa_core::analysis::retention::{RetentionFold, RetentionMode, RetentionSpec};
    let engine = shop();
    let spec = RetentionSpec {
        start: EventMatch::name("*"),
        return_event: EventMatch::name("*"),
        period: Period::Week,
        periods: 3,
        mode: RetentionMode::On,
        breakdown: Some(Breakdown::FirstChannel),
        repeat_within_ms: Some(14 * DAY),
        from: None,
        to: None,
        now: Some(T0 + 21 * DAY),
        calendar: Default::default(),
    };
    let f = RetentionFold::new(spec, &engine.dictionaries()).unwrap();
    let acc = fold(&engine, &ScanSpec::default().with_columns(f.columns()), &f).unwrap();
    insta::assert_json_snapshot!(f.report(&acc));
}

#[test]
fn stages_report() {
    use tropa_core::analysis::lifecycle::{LifecycleSpec, LifecycleThresholds};
    use tropa_core::analysis::stages::{JourneyDefinition, StagesFold, StagesSpec};
    let engine = shop();
    let now = T0 + 20 * DAY;
    let spec = StagesSpec {
        definition: JourneyDefinition::default_definition().unwrap(),
        now,
        stuck_ms: 7 * DAY,
        lifecycle: LifecycleSpec {
            activity: Vec::new(),
            thresholds: LifecycleThresholds::new(7 * DAY, 14 * DAY).unwrap(),
            at: now,
            transitions: Some((T0 + 10 * DAY, now)),
        },
    };
    let f = StagesFold::new(spec, &engine.dictionaries()).unwrap();
    let acc =
        fold(&engine, &ScanSpec { to: Some(now + 1), ..ScanSpec::default() }.with_columns(f.columns()), &f).unwrap();
    insta::assert_json_snapshot!(f.report(&acc));
}
