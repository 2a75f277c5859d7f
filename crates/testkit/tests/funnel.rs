//! The funnel fold through the oracle engine against the reference walk (`window_funnel`, ClickHouse's
//! `windowFunnel` semantics) applied customer by customer to plain event lists: step counts, breakdown by the
//! entry event's channel, median times, in ordered and strict mode, with step conditions and an entry range.

use std::collections::BTreeMap;

use proptest::prelude::*;
use tropa_core::analysis::filter::EventMatch;
use tropa_core::analysis::funnel::{Breakdown, FunnelFold, FunnelMode, FunnelSpec, Step};
use tropa_core::analysis::quantile::Distribution;
use tropa_core::analysis::window_funnel::window_funnel;
use tropa_core::Event;
use tropa_engine::{fold, Engine, ScanSpec};
use tropa_testkit::{track, NaiveEngine};

const NAMES: [&str; 4] = ["view", "cart", "buy", "other"];
const CHANNELS: [&str; 3] = ["email", "paid_search", "direct"];

#[derive(Debug, Clone)]
struct Ev {
    user: u8,
    ts: i64,
    name: usize,
    channel: usize,
    price: u8,
}

fn event(i: usize, e: &Ev) -> Event {
    let mut ev = Event {
        properties: format!("{{\"price\":{}}}", e.price),
        ..track(i, &format!("u{}", e.user), e.ts, NAMES[e.name])
    };
    ev.channel.group = CHANNELS[e.channel].to_string();
    ev
}

/// Steps: view → cart (price > `min_price` when `conds`) → buy.
fn masks(e: &Ev, conds: bool, min_price: u8) -> u32 {
    match e.name {
        0 => 0b001,
        1 if !conds || e.price > min_price => 0b010,
        2 => 0b100,
        _ => 0,
    }
}

struct Expected {
    reached: Vec<u64>,
    breakdown: BTreeMap<String, Vec<u64>>,
    median: Vec<Option<f64>>,
}

fn expected(events: &[Ev], strict: bool, window: i64, conds: bool, min_price: u8, from: Option<i64>) -> Expected {
    let mut by: BTreeMap<u8, Vec<(i64, usize, &Ev)>> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        by.entry(e.user).or_default().push((e.ts, i, e));
    }
    let mut reached = vec![0u64; 3];
    let mut breakdown: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut durations = vec![Distribution::default(); 3];
    for (_, mut evs) in by {
        evs.sort_by_key(|&(ts, i, _)| (ts, i));
        let ts: Vec<i64> = evs.iter().map(|x| x.0).collect();
        let m: Vec<u32> = evs
            .iter()
            .map(|&(t, _, e)| {
                let m = masks(e, conds, min_price);
                if from.is_some_and(|f| t < f) {
                    m & !1
                } else {
                    m
                }
            })
            .collect();
        let chain = window_funnel(&ts, &m, 3, window, strict);
        if chain.level == 0 {
            continue;
        }
        for r in reached.iter_mut().take(chain.level) {
            *r += 1;
        }
        for (k, pair) in chain.times.windows(2).enumerate() {
            durations[k + 1].add(pair[1] - pair[0]);
        }
        let entry = m.iter().position(|&x| x & 1 != 0).unwrap();
        let row = breakdown.entry(CHANNELS[evs[entry].2.channel].to_string()).or_insert_with(|| vec![0; 3]);
        for r in row.iter_mut().take(chain.level) {
            *r += 1;
        }
    }
    Expected { reached, breakdown, median: durations.iter().map(|d| d.quantile(0.5).map(|v| v / 1000.0)).collect() }
}

fn ev() -> impl Strategy<Value = Ev> {
    (0u8..10, 0i64..60_000, 0usize..4, 0usize..3, 0u8..10).prop_map(|(user, ts, name, channel, price)| Ev {
        user,
        ts: ts / 1000 * 1000,
        name,
        channel,
        price,
    })
}

proptest! {
    #[test]
    fn funnel_fold_equals_the_reference_walk(
        events in prop::collection::vec(ev(), 0..80),
        strict in any::<bool>(),
        window_s in 1i64..40,
        conds in any::<bool>(),
        min_price in 0u8..10,
        from in prop::option::of(0i64..30_000),
    ) {
        let engine = NaiveEngine::new();
        let batch: Vec<Event> = events.iter().enumerate().map(|(i, e)| event(i, e)).collect();
        if !batch.is_empty() {
            engine.ingest(batch).unwrap();
        }
        let cart = if conds { format!("cart where price > {min_price}") } else { "cart".to_string() };
        let step = |t: &str| Step { matcher: EventMatch::parse(t).unwrap(), optional: false, min_ms: None, max_ms: None };
        let window = window_s * 1000;
        let spec = FunnelSpec {
            steps: vec![step("view"), step(&cart), step("buy")],
            mode: if strict { FunnelMode::Strict } else { FunnelMode::Ordered },
            window_ms: window,
            exclusions: Vec::new(),
            breakdown: Some(Breakdown::parse("channel")),
            trend: None,
            calendar: Default::default(),
            from,
            to: None,
            dropoff_top: 0,
        };
        let f = FunnelFold::new(spec, &engine.dictionaries()).unwrap();
        let acc = fold(&engine, &ScanSpec::default().with_columns(f.columns()), &f).unwrap();
        let report = f.report(&acc);
        let want = expected(&events, strict, window, conds, min_price, from);
        let got: Vec<u64> = report.steps.iter().map(|s| s.customers).collect();
        prop_assert_eq!(&got, &want.reached);
        let got_breakdown: BTreeMap<String, Vec<u64>> =
            report.breakdown.iter().map(|b| (b.value.clone(), b.steps.clone())).collect();
        prop_assert_eq!(got_breakdown, want.breakdown);
        let medians: Vec<Option<f64>> = report.steps.iter().map(|s| s.median_seconds).collect();
        prop_assert_eq!(&medians[1..], &want.median[1..]);
    }
}
