//! Identity on a cluster (issue 17, requirement 3): two tables stand in for two shards, events sharded by the key
//! of the id they were written under; a customer merged across both shards is counted once when each shard
//! aggregates by the resolved customer into `-State`s and the initiator merges them (`-Merge`) — the answers equal
//! the naive oracle's journeys.

mod front;

use std::collections::BTreeMap;

use tropa_clickhouse::ident::key;
use tropa_core::{Event, Journey, JourneyFold, MessageKind};
use tropa_engine::{fold, Engine, ScanSpec};

fn ev(id: &str, anon: &str, user: &str, ts: i64, kind: MessageKind) -> Event {
    Event {
        message_id: id.into(),
        kind,
        timestamp: ts,
        received_at: ts,
        anonymous_id: anon.into(),
        user_id: user.into(),
        name: "page_view".into(),
        properties: "{}".into(),
        traits: "{}".into(),
        ..Event::default()
    }
}

/// (events, first time) per journey, sorted.
struct Shape;

impl JourneyFold for Shape {
    type Acc = Vec<(u64, i64)>;
    fn init(&self) -> Self::Acc {
        Vec::new()
    }
    fn fold(&self, acc: &mut Self::Acc, j: &Journey<'_>) {
        acc.push((j.len() as u64, j.ts[0]));
    }
    fn merge(&self, into: &mut Self::Acc, other: Self::Acc) {
        into.extend(other);
    }
}

#[test]
fn a_customer_merged_across_two_shards_is_counted_once() {
    let Some(o) = front::options("p") else { return };
    let engine = tropa_clickhouse::ClickHouseEngine::open(o.clone()).expect("open");
    // an anonymous id and a user id whose keys fall on different shards
    let anon = (0..).map(|i| format!("anon-{i}")).find(|a| key(a).is_multiple_of(2)).expect("anon");
    let user = (0..).map(|i| format!("user-{i}")).find(|u| key(u) % 2 == 1).expect("user");
    let mut events = vec![
        ev("m1", &anon, "", 1_000, MessageKind::Page),
        ev("m2", &anon, "", 2_000, MessageKind::Page),
        ev("m3", "", &user, 500, MessageKind::Track),
        ev("m4", &anon, &user, 3_000, MessageKind::Identify),
    ];
    for c in 0..30 {
        for k in 0..(c % 4 + 1) {
            events.push(ev(&format!("o-{c}-{k}"), &format!("other-{c}"), "", 10_000 + c * 100 + k, MessageKind::Page));
        }
    }
    engine.ingest(events.clone()).expect("ingest");
    let oracle = tropa_testkit::NaiveEngine::new();
    oracle.ingest(events).expect("ingest");
    let mut want = fold(&oracle, &ScanSpec::default(), &Shape).expect("oracle");
    want.sort();
    assert!(want.contains(&(4, 500)), "the merged customer: {want:?}");

    let client = clickhouse::Client::default()
        .with_url(&o.url)
        .with_user(&o.user)
        .with_password(&o.password)
        .with_database(&o.database);
    let state = |table: &str| {
        format!(
            "SELECT if(o.rep = 0, e.actor_key, o.rep) AS customer, countState() AS n, minState(e.ts) AS first \
             FROM {table} AS e LEFT JOIN (SELECT key, min(rep) AS rep FROM overrides WHERE project = 'p' GROUP BY key) \
             AS o ON e.actor_key = o.key WHERE e.project = 'p' GROUP BY customer"
        )
    };
    let sql = format!(
        "SELECT customer, countMerge(n), minMerge(first) FROM ({} UNION ALL {}) GROUP BY customer ORDER BY customer",
        state("shard_0"),
        state("shard_1")
    );
    let got: Vec<(u64, u64, i64)> = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(async {
            for s in 0..2 {
                client.query(&format!("CREATE TABLE shard_{s} AS events")).execute().await?;
                client
                    .query(&format!("INSERT INTO shard_{s} SELECT * FROM events WHERE actor_key % 2 = {s}"))
                    .execute()
                    .await?;
            }
            // the merged customer really spans both shards
            let spans: u64 = client
                .query("SELECT uniqExact(_table) FROM merge(currentDatabase(), '^shard_') WHERE actor_key IN ?")
                .bind([key(&anon), key(&user)])
                .fetch_one()
                .await?;
            assert_eq!(spans, 2);
            client.query(&sql).fetch_all().await
        })
        .expect("query the shards");
    let mut shape: Vec<(u64, i64)> = got.iter().map(|&(_, n, first)| (n, first)).collect();
    shape.sort();
    assert_eq!(shape, want);
    let mut scanned = fold(&engine, &ScanSpec::default(), &Shape).expect("scan");
    scanned.sort();
    assert_eq!(scanned, want);
    let merged = got.iter().find(|r| (r.1, r.2) == (4, 500)).expect("merged customer");
    assert_eq!(merged.0, key(&anon).min(key(&user)), "grouped by the smallest key of the set");
    let by: BTreeMap<u64, u64> = got.iter().map(|r| (r.0, r.1)).collect();
    assert!(!by.contains_key(&key(&anon).max(key(&user))), "the other key never stands alone");
}
