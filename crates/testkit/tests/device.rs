//! Conditions and breakdowns on the device read from the user agent (`browser`, `os`, `device`), through the
//! funnel report on the oracle engine, against counts made by hand.

use tropa_core::analysis::filter::EventMatch;
use tropa_core::analysis::funnel::{FunnelMode, FunnelSpec, Step};
use tropa_core::analysis::matcher::Breakdown;
use tropa_core::event::Context;
use tropa_core::Event;
use tropa_engine::Engine;
use tropa_testkit::{track, NaiveEngine};

const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
const WINDOWS: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
const YANDEX_ANDROID: &str = "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 YaBrowser/24.1 Mobile Safari/537.36";

fn with_ua(e: Event, ua: &str) -> Event {
    Event { context: Context { user_agent: ua.into(), ..Context::default() }, ..e }
}

fn spec(first: &str, breakdown: Option<&str>) -> FunnelSpec {
    let step = |t: &str| Step { matcher: EventMatch::parse(t).unwrap(), optional: false, min_ms: None, max_ms: None };
    FunnelSpec {
        steps: vec![step(first), step("buy")],
        mode: FunnelMode::parse("ordered").unwrap(),
        window_ms: 86_400_000,
        exclusions: vec![],
        breakdown: breakdown.map(Breakdown::parse),
        trend: None,
        calendar: Default::default(),
        from: None,
        to: None,
        dropoff_top: 3,
    }
}

#[test]
fn device_conditions_and_breakdowns_read_the_user_agent() {
    let engine = NaiveEngine::new();
    let mut events = Vec::new();
    for (u, ua, buys) in
        [("u1", IPHONE, true), ("u2", WINDOWS, true), ("u3", YANDEX_ANDROID, false), ("u4", IPHONE, false)]
    {
        let n = events.len();
        events.push(with_ua(track(n, u, 1_000, "view"), ua));
        if buys {
            events.push(with_ua(track(n + 1, u, 2_000, "buy"), ua));
        }
    }
    engine.ingest(events).unwrap();
    let run = |s| tropa_engine::report::funnel(&engine, s, Default::default(), vec![]).unwrap();

    let mobile = run(spec("view where device = mobile", None));
    assert_eq!((mobile.steps[0].customers, mobile.steps[1].customers), (3, 1));
    let yandex = run(spec("view where browser = yandex and os = android", None));
    assert_eq!(yandex.steps[0].customers, 1);

    let by_device = serde_json::to_value(run(spec("view", Some("device")))).unwrap();
    let groups = by_device["breakdown"].as_array().unwrap();
    let find = |v: &str| groups.iter().find(|g| g["value"] == v).unwrap_or_else(|| panic!("{v}: {by_device}"));
    let entered = |g: &serde_json::Value| g["customers"].as_u64().unwrap();
    assert_eq!((entered(find("mobile")), entered(find("desktop"))), (3, 1));
}
