//! Exact deduplication by message id on ClickHouse, across servers: a retry that carries another time (another
//! `sentAt`) to another server stores nothing, and two servers that ingest the same messages at the same time
//! leave each message visible exactly once (the copy with the smaller `seq` stays).

mod front;

use std::collections::BTreeMap;

use tropa_clickhouse::ClickHouseEngine;
use tropa_core::{Columns, Event, Journey, JourneyFold, MessageKind};
use tropa_engine::{fold, Engine, ScanSpec};

fn ev(id: &str, actor: &str, ts: i64) -> Event {
    Event {
        message_id: id.into(),
        kind: MessageKind::Track,
        timestamp: ts,
        received_at: ts,
        anonymous_id: actor.into(),
        name: "page_view".into(),
        properties: "{}".into(),
        traits: "{}".into(),
        ..Event::default()
    }
}

/// Every stored message id with its times.
struct Ids;

impl JourneyFold for Ids {
    type Acc = BTreeMap<String, Vec<i64>>;
    fn init(&self) -> Self::Acc {
        BTreeMap::new()
    }
    fn fold(&self, acc: &mut Self::Acc, j: &Journey<'_>) {
        for (e, ts) in j.events().into_iter().zip(j.ts) {
            acc.entry(e.message_id).or_default().push(*ts);
        }
    }
    fn merge(&self, into: &mut Self::Acc, other: Self::Acc) {
        for (k, v) in other {
            into.entry(k).or_default().extend(v);
        }
    }
}

fn stored(engine: &dyn Engine) -> BTreeMap<String, Vec<i64>> {
    fold(engine, &ScanSpec::default().with_columns(Columns::ROWS), &Ids).expect("scan")
}

#[test]
fn a_retry_with_another_time_on_another_server_is_a_duplicate() {
    let Some(o) = front::options("p") else { return };
    let (a, b) = (ClickHouseEngine::open(o.clone()).expect("open"), ClickHouseEngine::open(o).expect("open"));
    let first = a.ingest(vec![ev("m1", "anon-1", 1_000), ev("m2", "anon-1", 2_000)]).expect("ingest");
    assert_eq!((first.accepted, first.duplicates), (2, 0));
    let retry = b.ingest(vec![ev("m1", "anon-1", 1_500), ev("m3", "anon-1", 3_000)]).expect("ingest");
    assert_eq!((retry.accepted, retry.duplicates), (1, 1));
    let want: BTreeMap<String, Vec<i64>> =
        [("m1", 1_000), ("m2", 2_000), ("m3", 3_000)].into_iter().map(|(k, t)| (k.to_string(), vec![t])).collect();
    assert_eq!(stored(&a), want);
    assert_eq!(stored(&b), want);
    assert_eq!(a.summary().expect("summary").events, 3);
}

#[test]
fn two_servers_racing_on_the_same_messages_store_each_once() {
    let Some(o) = front::options("p") else { return };
    let (a, b) = (ClickHouseEngine::open(o.clone()).expect("open"), ClickHouseEngine::open(o).expect("open"));
    let batch = |shift: i64| -> Vec<Vec<Event>> {
        (0..120)
            .map(|i| ev(&format!("r{i}"), &format!("anon-{}", i % 9), 10_000 + i * 10 + shift))
            .collect::<Vec<_>>()
            .chunks(4)
            .map(<[Event]>::to_vec)
            .collect()
    };
    let (ra, rb) = std::thread::scope(|s| {
        let ta = s.spawn(|| batch(0).into_iter().map(|c| a.ingest(c).expect("ingest").accepted).sum::<u64>());
        let tb = s.spawn(|| batch(3).into_iter().map(|c| b.ingest(c).expect("ingest").accepted).sum::<u64>());
        (ta.join().expect("a"), tb.join().expect("b"))
    });
    let got = stored(&a);
    assert_eq!(got.len(), 120);
    for (id, times) in &got {
        assert_eq!(times.len(), 1, "{id} is visible {} times", times.len());
    }
    assert_eq!(ra + rb, 120, "each message accepted by exactly one server");
    assert_eq!(a.summary().expect("summary").events, 120);
}
