//! Group commit under failure: concurrent callers whose batches are logged together by one leader. A failed WAL
//! write or fsync fails every caller of the group with an error of its own kind and leaves nothing behind — no
//! duplicate keys, rows, dictionary values or WAL records — so a retry stores the events; an invalid batch fails
//! only its own caller.
//!
//! Failpoints (feature `failpoints`, enabled for the store's tests) make the callers one group: the first to take
//! the writer lock waits there until every batch is queued.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use tropa_core::{CountFold, DictCol, Event};
use tropa_engine::{fold, Engine, EngineError, ErrorKind, IngestReport, ScanSpec};
use tropa_store::failpoint::{self, Failpoint, Scope};
use tropa_store::{Store, StoreOptions};

/// `n` events of `user` with message ids `{tag}-{i}`, all named `name`.
fn batch(tag: &str, n: usize, user: &str, name: &str) -> Vec<Event> {
    (0..n)
        .map(|i| Event {
            message_id: format!("{tag}-{i}"),
            timestamp: 1_700_000_000_000 + i as i64,
            user_id: user.into(),
            name: name.into(),
            properties: "{}".into(),
            traits: "{}".into(),
            ..Event::default()
        })
        .collect()
}

fn stored_events(store: &Store) -> u64 {
    fold(store, &ScanSpec::default(), &CountFold).unwrap().events
}

fn stored_ids(store: &Store, user: &str) -> Vec<String> {
    let mut ids: Vec<String> = match store.customer(user).unwrap() {
        Some(c) => c.events.into_iter().map(|e| e.message_id).collect(),
        None => Vec::new(),
    };
    ids.sort();
    ids
}

fn ids(events: &[Event]) -> Vec<String> {
    let mut ids: Vec<String> = events.iter().map(|e| e.message_id.clone()).collect();
    ids.sort();
    ids
}

/// How many ingest calls have queued their batch.
#[derive(Default)]
struct Queued {
    count: Mutex<usize>,
    changed: Condvar,
}

impl Queued {
    /// Waits until at least `n` batches are queued (the deadline only guards against a hang).
    fn wait_for(&self, n: usize) {
        let count = self.count.lock().unwrap();
        let (count, _) = self.changed.wait_timeout_while(count, Duration::from_secs(60), |c| *c < n).unwrap();
        assert!(*count >= n, "only {} of {n} ingest calls queued their batch", *count);
    }
}

/// Ingests `batches` from one thread each, queued in order, logged as one group; returns each caller's result.
fn one_group(fp: &Scope, store: &Store, batches: Vec<Vec<Event>>) -> Vec<Result<IngestReport, EngineError>> {
    let n = batches.len();
    let queued = Arc::new(Queued::default());
    let q = queued.clone();
    fp.set(Failpoint::IngestQueued, move || {
        *q.count.lock().unwrap() += 1;
        q.changed.notify_all();
        Ok(())
    });
    let q = queued.clone();
    fp.set(Failpoint::IngestLead, move || {
        q.wait_for(n);
        Ok(())
    });
    let results = std::thread::scope(|s| {
        let mut calls = Vec::new();
        for (i, events) in batches.into_iter().enumerate() {
            calls.push(s.spawn(move || store.ingest(events)));
            queued.wait_for(i + 1);
        }
        calls.into_iter().map(|c| c.join().unwrap()).collect()
    });
    fp.clear(Failpoint::IngestLead);
    fp.clear(Failpoint::IngestQueued);
    results
}

/// Fails the `nth` (1-based) pass of `at` and no other.
fn fail_once(fp: &Scope, at: Failpoint, nth: usize) {
    let passes = Mutex::new(0usize);
    fp.set(at, move || {
        let mut p = passes.lock().unwrap();
        *p += 1;
        if *p == nth {
            return Err(std::io::Error::other("injected failure"));
        }
        Ok(())
    });
}

fn three_batches() -> Vec<Vec<Event>> {
    vec![batch("a", 3, "ua", "view"), batch("b", 2, "ub", "checkout"), batch("c", 4, "uc", "view")]
}

#[test]
fn failed_group_fsync_keeps_each_callers_error_kind() {
    let fp = failpoint::scope();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
    fail_once(&fp, Failpoint::WalSync, 1);
    let results = one_group(&fp, &store, three_batches());
    for (i, r) in results.iter().enumerate() {
        match r {
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Internal, "caller {i}: {e}");
                assert!(matches!(e, EngineError::Io { op: "fsync", .. }), "caller {i}: {e:?}");
            }
            Ok(report) => panic!("caller {i} was told {report:?} although the WAL fsync failed"),
        }
    }
}

#[test]
fn events_of_a_group_whose_fsync_failed_are_stored_by_a_retry() {
    let fp = failpoint::scope();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
    store.ingest(batch("before", 2, "u0", "view")).unwrap();
    fail_once(&fp, Failpoint::WalSync, 1);
    let batches = three_batches();
    let results = one_group(&fp, &store, batches.clone());
    assert!(results.iter().all(Result::is_err), "{results:?}");
    // nothing of the failed group is visible: no rows, no customers, no dictionary values
    assert_eq!(stored_events(&store), 2);
    assert_eq!(store.customer("ua").unwrap().map(|c| c.events.len()), None);
    assert_eq!(store.dictionaries().get(DictCol::Name).code("checkout"), None);
    for (events, user) in batches.iter().zip(["ua", "ub", "uc"]) {
        let report = store.ingest(events.clone()).unwrap();
        assert_eq!(report, IngestReport { accepted: events.len() as u64, duplicates: 0 }, "retry of {user}");
        assert_eq!(stored_ids(&store, user), ids(events));
    }
    assert_eq!(stored_events(&store), 2 + 3 + 2 + 4);
    // the failed group's records are not in the WAL: a crash recovers every event exactly once
    store.close_without_flush();
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
    assert_eq!(stored_events(&store), 2 + 3 + 2 + 4);
}

#[test]
fn torn_wal_write_of_a_failed_group_is_cut_and_later_events_survive_a_crash() {
    let fp = failpoint::scope();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
    store.ingest(batch("before", 2, "u0", "view")).unwrap();
    // the first batch's record is written whole, the second one's half
    fail_once(&fp, Failpoint::WalAppend, 2);
    let batches = three_batches();
    let results = one_group(&fp, &store, batches.clone());
    for (i, r) in results.iter().enumerate() {
        let e = r.as_ref().err().unwrap_or_else(|| panic!("caller {i} succeeded although the WAL write failed"));
        assert_eq!(e.kind(), ErrorKind::Internal, "caller {i}: {e}");
    }
    assert_eq!(stored_events(&store), 2);
    for events in &batches {
        assert_eq!(store.ingest(events.clone()).unwrap().accepted, events.len() as u64);
    }
    store.ingest(batch("after", 3, "u9", "view")).unwrap();
    store.close_without_flush();
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
    assert_eq!(stored_events(&store), 2 + 3 + 2 + 4 + 3);
    assert_eq!(stored_ids(&store, "u9"), ids(&batch("after", 3, "u9", "view")));
}

#[test]
fn invalid_batch_in_a_group_fails_only_its_caller() {
    let fp = failpoint::scope();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
    let mut invalid = batch("b", 2, "ub", "checkout");
    invalid[1].user_id.clear();
    let (a, c) = (batch("a", 3, "ua", "view"), batch("c", 4, "uc", "view"));
    let results = one_group(&fp, &store, vec![a.clone(), invalid, c.clone()]);
    assert_eq!(results[0].as_ref().ok(), Some(&IngestReport { accepted: 3, duplicates: 0 }), "{:?}", results[0]);
    assert_eq!(results[2].as_ref().ok(), Some(&IngestReport { accepted: 4, duplicates: 0 }), "{:?}", results[2]);
    match &results[1] {
        Err(EngineError::Invalid { field, .. }) => assert_eq!(field, "[1].userId"),
        other => panic!("the invalid batch got {other:?}"),
    }
    assert_eq!(stored_ids(&store, "ua"), ids(&a));
    assert_eq!(stored_ids(&store, "uc"), ids(&c));
    assert_eq!(stored_events(&store), 3 + 4);
    // the invalid batch left nothing: corrected, all of it is new
    assert_eq!(store.dictionaries().get(DictCol::Name).code("checkout"), None);
    let report = store.ingest(batch("b", 2, "ub", "checkout")).unwrap();
    assert_eq!(report, IngestReport { accepted: 2, duplicates: 0 });
    assert_eq!(stored_events(&store), 3 + 4 + 2);
}

#[test]
fn events_of_a_failed_group_do_not_come_back_after_a_crash() {
    let fp = failpoint::scope();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
    store.ingest(batch("before", 2, "u0", "view")).unwrap();
    fail_once(&fp, Failpoint::WalSync, 1);
    let results = one_group(&fp, &store, three_batches());
    assert!(results.iter().all(Result::is_err), "{results:?}");
    // the callers were told their batches failed: the records written before the failed fsync are cut off
    store.close_without_flush();
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
    assert_eq!(stored_events(&store), 2);
    assert_eq!(store.customer("ua").unwrap().map(|c| c.events.len()), None);
    // and the store takes writes again, through memtable flushes and a clean reopen
    drop(store);
    let store = Store::open(dir.path(), tiny()).unwrap();
    for events in three_batches() {
        assert_eq!(store.ingest(events.clone()).unwrap().accepted, events.len() as u64);
    }
    drop(store);
    let store = Store::open(dir.path(), tiny()).unwrap();
    assert_eq!(stored_events(&store), 2 + 3 + 2 + 4);
    assert_eq!(store.ingest(batch("a", 3, "ua", "view")).unwrap(), IngestReport { accepted: 0, duplicates: 3 });
}

fn tiny() -> StoreOptions {
    StoreOptions { flush_rows: 4, chunk_rows: 5, part_rows: 20 }
}
