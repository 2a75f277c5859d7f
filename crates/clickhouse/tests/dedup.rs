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

/// Identity on a cluster: a link another server inserted without its overrides (it crashed, or linked at the same
/// moment from a stale view) is folded into the overrides by the next identify, on any server.
#[test]
fn overrides_left_out_by_another_server_are_written_by_the_next_identify() {
    let Some(o) = front::options("p") else { return };
    let a = ClickHouseEngine::open(o.clone()).expect("open");
    let identify = |id: &str, anon: &str, user: &str| {
        let mut e = ev(id, anon, 5_000);
        e.user_id = user.into();
        e.kind = MessageKind::Identify;
        e
    };
    a.ingest(vec![ev("x1", "anon-x", 1_000), ev("z1", "user-z", 2_000), identify("i1", "anon-x", "user-y")])
        .expect("ingest");
    // another server linked user-y and user-z (the same customer now), then stopped before its overrides
    let client = clickhouse::Client::default()
        .with_url(&o.url)
        .with_user(&o.user)
        .with_password(&o.password)
        .with_database(&o.database);
    let (ky, kz) = (tropa_clickhouse::ident::key("user-y"), tropa_clickhouse::ident::key("user-z"));
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(
            client
                .query("INSERT INTO links VALUES ('p', ?, ?, 'user-y', 'user-z', 'other', 4, 3000, 1)")
                .bind(ky)
                .bind(kz)
                .execute(),
        )
        .expect("insert a link");
    assert_ne!(a.customer_key("anon-x").expect("lookup"), a.customer_key("user-z").expect("lookup"));
    let b = ClickHouseEngine::open(o).expect("open");
    b.ingest(vec![identify("i2", "anon-q", "user-q")]).expect("ingest");
    let x = b.customer_key("anon-x").expect("lookup");
    assert_eq!(x, b.customer_key("user-z").expect("lookup"), "x, y and z are one customer");
    assert_eq!(x, b.customer_key("user-y").expect("lookup"));
    let journeys = stored(&b);
    assert_eq!(b.customer("user-z").expect("customer").expect("known").events.len(), 3, "{journeys:?}");
}
