//! The embedded store against the conformance suite, the naive oracle (property tests) and crashes.

use proptest::prelude::*;
use tropa_core::{Columns, CountFold, Event, Journey, JourneyFold, MessageKind};
use tropa_engine::{fold, Engine, ScanSpec};
use tropa_store::{Store, StoreOptions};
use tropa_testkit::NaiveEngine;

fn tiny() -> StoreOptions {
    StoreOptions { flush_rows: 7, chunk_rows: 5, part_rows: 20 }
}

mod small_parts {
    use super::*;
    tropa_engine::engine_conformance_suite!(|| {
        let dir = tempfile::tempdir().unwrap();
        (Store::open(dir.path(), tiny()).unwrap(), dir)
    });
}

mod memtable_only {
    use super::*;
    tropa_engine::engine_conformance_suite!(|| {
        let dir = tempfile::tempdir().unwrap();
        (Store::open(dir.path(), StoreOptions::default()).unwrap(), dir)
    });
}

/// Every journey with its full events, for comparing engines.
struct Full;

impl JourneyFold for Full {
    type Acc = Vec<Vec<Event>>;
    fn init(&self) -> Self::Acc {
        Vec::new()
    }
    fn fold(&self, acc: &mut Self::Acc, j: &Journey<'_>) {
        let events = j.events();
        assert_eq!(events.len(), j.len());
        for (e, &t) in events.iter().zip(j.ts) {
            assert_eq!(e.timestamp, t);
        }
        acc.push(events);
    }
    fn merge(&self, into: &mut Self::Acc, other: Self::Acc) {
        into.extend(other);
    }
}

fn journeys(engine: &dyn Engine, spec: &ScanSpec) -> Vec<Vec<Event>> {
    let mut v = fold(engine, &spec.clone().with_columns(Columns::ROWS), &Full).unwrap();
    v.sort_by(|a, b| a[0].message_id.cmp(&b[0].message_id));
    v
}

fn event(i: usize, actor: u8, user: Option<u8>, ts: u8, name: u8) -> Event {
    Event {
        message_id: format!("m{i}"),
        kind: if user.is_some() && i.is_multiple_of(5) { MessageKind::Identify } else { MessageKind::Track },
        timestamp: 1_700_000_000_000 + ts as i64 * 1000,
        received_at: 1_700_000_000_000 + i as i64,
        anonymous_id: format!("a{actor}"),
        user_id: user.map(|u| format!("u{u}")).unwrap_or_default(),
        name: ["view", "cart", "buy", "page_view"][name as usize % 4].into(),
        touchpoint: "web".into(),
        channel: tropa_core::event::Channel {
            source: format!("s{}", name % 3),
            group: "direct".into(),
            ..Default::default()
        },
        revenue: (name % 4 == 2).then_some(i as f64 * 1.5),
        currency: if name % 4 == 2 { "RUB".into() } else { String::new() },
        properties: format!("{{\"i\":{i}}}"),
        traits: "{}".into(),
        ..Event::default()
    }
}

#[derive(Debug, Clone)]
enum Op {
    Ingest(Vec<(u8, Option<u8>, u8, u8)>),
    Flush,
    Compact,
    CompactSmall,
    Reopen,
    Crash,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => proptest::collection::vec((0u8..12, proptest::option::weighted(0.2, 0u8..6), 0u8..30, 0u8..8), 1..12).prop_map(Op::Ingest),
        1 => Just(Op::Flush),
        1 => Just(Op::Compact),
        1 => Just(Op::CompactSmall),
        1 => Just(Op::Reopen),
        1 => Just(Op::Crash),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Whatever the part layout, flushes, compactions, reopens and crashes, the store's journeys equal the
    /// oracle's: complete, sorted, once, with every column intact.
    #[test]
    fn store_equals_oracle_for_any_layout(ops in proptest::collection::vec(op(), 1..14), chunk in 1usize..20, flush_rows in prop_oneof![Just(1000usize), 3usize..30]) {
        let dir = tempfile::tempdir().unwrap();
        // small flush_rows: ingest calls freeze the memtable and write it as a part outside the writer lock
        let opts = StoreOptions { flush_rows, chunk_rows: chunk, part_rows: 9 };
        let mut store = Some(Store::open(dir.path(), opts).unwrap());
        let oracle = NaiveEngine::new();
        let mut n = 0usize;
        for op in ops {
            let s = store.as_ref().unwrap();
            match op {
                Op::Ingest(batch) => {
                    let events: Vec<Event> = batch.iter().map(|&(a, u, t, nm)| { n += 1; event(n, a, u, t, nm) }).collect();
                    let got = s.ingest(events.clone()).unwrap();
                    let want = oracle.ingest(events).unwrap();
                    prop_assert_eq!(got, want);
                }
                Op::Flush => s.flush().unwrap(),
                Op::Compact => { s.compact().unwrap(); }
                Op::CompactSmall => { s.compact_small_parts(2).unwrap(); }
                Op::Reopen => { drop(store.take()); store = Some(Store::open(dir.path(), opts).unwrap()); }
                Op::Crash => { store.take().unwrap().close_without_flush(); store = Some(Store::open(dir.path(), opts).unwrap()); }
            }
        }
        let s = store.as_ref().unwrap();
        prop_assert_eq!(journeys(s, &ScanSpec::default()), journeys(&oracle, &ScanSpec::default()));
        let spec = ScanSpec { from: Some(1_700_000_005_000), to: Some(1_700_000_020_000), names: Some(vec!["cart".into(), "buy".into()]), ..ScanSpec::default() };
        prop_assert_eq!(journeys(s, &spec), journeys(&oracle, &spec));
        // the `having` hint: the store skips exactly the customers without a `buy` in the range, and cuts none
        for (from, to) in [(None, None), (Some(1_700_000_005_000), Some(1_700_000_020_000))] {
            let plain = ScanSpec { from, to, ..ScanSpec::default() };
            let hinted = ScanSpec { having: Some(vec!["buy".into()]), ..plain.clone() };
            let mut want = journeys(&oracle, &plain);
            want.retain(|j| j.iter().any(|e| e.name == "buy"));
            prop_assert_eq!(journeys(s, &hinted), want);
        }
        prop_assert_eq!(fold(s, &ScanSpec::default(), &CountFold).unwrap(), fold(&oracle, &ScanSpec::default(), &CountFold).unwrap());
        for a in 0..12 {
            let (x, y) = (s.customer(&format!("a{a}")).unwrap(), oracle.customer(&format!("a{a}")).unwrap());
            prop_assert_eq!(x.map(|c| (c.actors, c.events)), y.map(|c| (c.actors, c.events)));
        }
    }
}

/// Issue 4 (the server compacts in the background): merging parts while other threads ingest, flush and forget
/// leaves exactly the oracle's journeys.
#[test]
fn compaction_runs_online_while_events_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let opts = StoreOptions { flush_rows: 40, chunk_rows: 7, part_rows: 200 };
    let store = Store::open(dir.path(), opts).unwrap();
    let oracle = NaiveEngine::new();
    let batches: Vec<Vec<Event>> = (0..150)
        .map(|b| {
            (0..10)
                .map(|i| {
                    let n = b * 10 + i;
                    event(n, (n % 23) as u8, (n % 9 == 0).then_some((n % 5) as u8), (n % 30) as u8, (n % 4) as u8)
                })
                .collect()
        })
        .collect();
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|t| {
        t.spawn(|| {
            for (i, b) in batches.iter().enumerate() {
                store.ingest(b.clone()).unwrap();
                if i == 75 {
                    store.forget("a3").unwrap();
                }
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        t.spawn(|| {
            let mut merged = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) || merged < 3 {
                merged += usize::from(store.compact_small_parts(2).unwrap().rows > 0);
                store.flush().unwrap();
            }
        });
    });
    for (i, b) in batches.iter().enumerate() {
        oracle.ingest(b.clone()).unwrap();
        if i == 75 {
            oracle.forget("a3").unwrap();
        }
    }
    assert_eq!(journeys(&store, &ScanSpec::default()), journeys(&oracle, &ScanSpec::default()));
    store.compact().unwrap();
    assert_eq!(journeys(&store, &ScanSpec::default()), journeys(&oracle, &ScanSpec::default()));
    drop(store);
    let store = Store::open(dir.path(), opts).unwrap();
    assert_eq!(journeys(&store, &ScanSpec::default()), journeys(&oracle, &ScanSpec::default()));
}

#[test]
fn acknowledged_events_survive_a_crash_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), StoreOptions::default()).unwrap();
    let events: Vec<Event> = (0..50).map(|i| event(i, (i % 7) as u8, None, (i % 30) as u8, (i % 4) as u8)).collect();
    assert_eq!(s.ingest(events.clone()).unwrap().accepted, 50);
    s.close_without_flush();
    let s = Store::open(dir.path(), StoreOptions::default()).unwrap();
    assert_eq!(fold(&s, &ScanSpec::default(), &CountFold).unwrap().events, 50);
    // sending everything again after the crash stores nothing new
    assert_eq!(s.ingest(events).unwrap().duplicates, 50);
    drop(s);
    let s = Store::open(dir.path(), StoreOptions::default()).unwrap();
    assert_eq!(fold(&s, &ScanSpec::default(), &CountFold).unwrap().events, 50);
}

#[test]
fn a_part_left_by_a_crashed_flush_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), StoreOptions::default()).unwrap();
    s.ingest((0..10).map(|i| event(i, 1, None, i as u8, 0)).collect()).unwrap();
    s.flush().unwrap();
    drop(s);
    // a part file that no manifest names (a flush that died before its commit), and a torn temporary file
    let parts = dir.path().join("parts");
    let first = std::fs::read_dir(&parts)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "trp"))
        .unwrap();
    std::fs::copy(&first, parts.join("part-00000099.trp")).unwrap();
    std::fs::write(parts.join("part-00000100.tmp"), b"half").unwrap();
    let s = Store::open(dir.path(), StoreOptions::default()).unwrap();
    assert_eq!(fold(&s, &ScanSpec::default(), &CountFold).unwrap().events, 10);
    // the part and its duplicate-index sidecar
    assert_eq!(std::fs::read_dir(&parts).unwrap().count(), 2);
}

#[test]
fn a_second_process_cannot_open_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let _s = Store::open(dir.path(), StoreOptions::default()).unwrap();
    let err = Store::open(dir.path(), StoreOptions::default()).err().unwrap();
    assert!(err.to_string().contains("in use"), "{err}");
}

#[test]
fn damaged_parts_are_reported_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), StoreOptions::default()).unwrap();
    s.ingest((0..10).map(|i| event(i, 1, None, i as u8, 0)).collect()).unwrap();
    drop(s);
    let part = std::fs::read_dir(dir.path().join("parts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "trp"))
        .unwrap();
    let mut bytes = std::fs::read(&part).unwrap();
    bytes[20] ^= 0xff;
    std::fs::write(&part, &bytes).unwrap();
    let err = Store::open(dir.path(), StoreOptions::default()).err().unwrap();
    assert!(err.to_string().contains("damaged"), "{err}");
}

#[test]
fn bulk_appended_customers_equal_the_oracle() {
    let (events, _) = tropa_engine::conformance::dataset(30, 9);
    // whole customers, each time-ordered (ties in ingest order), customers in order
    let mut grouped: Vec<(usize, i64, usize, Event)> = events
        .into_iter()
        .enumerate()
        .map(|(i, e)| (e.message_id.split('-').nth(1).unwrap().parse().unwrap(), e.timestamp, i, e))
        .collect();
    grouped.sort_by_key(|g| (g.0, g.1, g.2));
    let oracle = NaiveEngine::new();
    let dir = tempfile::tempdir().unwrap();
    let opts = StoreOptions { flush_rows: 1000, chunk_rows: 7, part_rows: 25 };
    let s = Store::open(dir.path(), opts).unwrap();
    for batch in grouped.chunk_by(|a, b| a.0 / 10 == b.0 / 10) {
        let evs: Vec<Event> = batch.iter().map(|g| g.3.clone()).collect();
        s.append_sorted(&evs).unwrap();
        oracle.ingest(evs).unwrap();
    }
    s.flush().unwrap();
    assert!(s.part_count() > 1);
    assert_eq!(journeys(&s, &ScanSpec::default()), journeys(&oracle, &ScanSpec::default()));
    drop(s);
    let s = Store::open(dir.path(), opts).unwrap();
    assert_eq!(journeys(&s, &ScanSpec::default()), journeys(&oracle, &ScanSpec::default()));
}

/// `roots.bin` (every actor's representative) is mapped at the next open when nothing changed, rebuilt and
/// written again when it is damaged or stale; the journeys are the same either way and equal the oracle's.
#[test]
fn stored_roots_are_mapped_when_current_and_rebuilt_when_damaged_or_stale() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let roots = dir.path().join("roots.bin");
    let oracle = NaiveEngine::default();
    // actors a0..a9; user ids u0..u3 merge them in pairs and chains
    let batch = |from: usize, n: usize, actors: usize| -> Vec<Event> {
        (from..from + n)
            .map(|i| event(i, (actors + i % 10) as u8, (i % 3 == 0).then_some((i % 4) as u8), i as u8, i as u8))
            .collect()
    };
    let first = batch(0, 40, 0);
    {
        let s = Store::open(dir.path(), tiny()).unwrap();
        s.ingest(first.clone()).unwrap();
        oracle.ingest(first).unwrap();
        s.flush().unwrap();
    }
    let all = ScanSpec::default();
    let s = Store::open(dir.path(), tiny()).unwrap();
    let want = journeys(&oracle, &all);
    assert_eq!(journeys(&s, &all), want);
    drop(s);
    let written = std::fs::read(&roots).unwrap();
    assert!(written.len() > 32 && (written.len() - 32).is_multiple_of(4), "{} bytes", written.len());
    let ino = std::fs::metadata(&roots).unwrap().ino();

    // unchanged: mapped, not written again
    let s = Store::open(dir.path(), tiny()).unwrap();
    assert_eq!(journeys(&s, &all), want);
    drop(s);
    assert_eq!(std::fs::metadata(&roots).unwrap().ino(), ino, "an unchanged roots.bin is not rewritten");

    // damaged: the last actor's entry points elsewhere; rebuilt to the same bytes
    let mut bad = written.clone();
    let last = bad.len() - 1;
    bad[last] ^= 0xff;
    std::fs::write(&roots, &bad).unwrap();
    let s = Store::open(dir.path(), tiny()).unwrap();
    assert_eq!(journeys(&s, &all), want);
    drop(s);
    assert_eq!(std::fs::read(&roots).unwrap(), written, "a damaged roots.bin is rebuilt");

    // stale: more actors (a10..a19) and merges since it was written
    let more = batch(40, 30, 10);
    let s = Store::open(dir.path(), tiny()).unwrap();
    s.ingest(more.clone()).unwrap();
    oracle.ingest(more).unwrap();
    s.flush().unwrap();
    drop(s);
    let s = Store::open(dir.path(), tiny()).unwrap();
    assert_eq!(journeys(&s, &all), journeys(&oracle, &all));
    drop(s);
    assert_ne!(std::fs::read(&roots).unwrap(), written, "a stale roots.bin is written again");
}

/// A scan lets go of the pages of the rows it is done with (`PartReader::release`); the pages come back from the
/// file on the next read, so scanning again, in parts big enough to span many pages per chunk, answers the same.
#[test]
fn scans_after_pages_were_let_go_answer_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let oracle = NaiveEngine::default();
    let opts = StoreOptions { flush_rows: 40_000, chunk_rows: 3_000, part_rows: 100_000 };
    let events: Vec<Event> =
        (0..60_000).map(|i| event(i, (i % 250) as u8, None, (i / 250 % 250) as u8, (i % 7) as u8)).collect();
    {
        let s = Store::open(dir.path(), opts).unwrap();
        s.ingest(events.clone()).unwrap();
        s.flush().unwrap();
    }
    oracle.ingest(events).unwrap();
    let s = Store::open(dir.path(), opts).unwrap();
    let all = ScanSpec::default().with_columns(Columns::REVENUE.with(Columns::KIND));
    let want = journeys(&oracle, &all);
    for _ in 0..3 {
        assert_eq!(journeys(&s, &all), want);
    }
}
