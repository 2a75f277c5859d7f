//! The duplicate index (issue 12): exact against a naive set of full message ids whatever the layout — memtable,
//! frozen memtable, parts, compactions, reopens, crashes — also when distinct ids share their 64-bit hash (forced
//! by a test hook); an empty id is never a duplicate; sidecars missing or damaged are rebuilt; a crash while the
//! background flusher writes loses nothing and stores nothing twice; back-pressure when both memtables are full.

use std::collections::HashSet;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use proptest::prelude::*;
use tropa_core::{CountFold, Event};
use tropa_engine::{fold, Engine, EngineError, IngestReport, ScanSpec};
use tropa_store::failpoint::{self, Failpoint};
use tropa_store::{Store, StoreOptions};

fn ev(id: &str, actor: usize, ts: i64) -> Event {
    Event {
        message_id: id.to_string(),
        timestamp: 1_700_000_000_000 + ts,
        received_at: 1_700_000_000_000 + ts,
        anonymous_id: format!("a{actor}"),
        name: "view".into(),
        ..Event::default()
    }
}

fn stored(store: &Store) -> u64 {
    fold(store, &ScanSpec::default(), &CountFold).unwrap().events
}

fn sidecars(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir.join("parts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ids"))
        .collect();
    v.sort();
    v
}

fn parts(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir.join("parts"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "trp"))
        .count()
}

#[derive(Debug, Clone)]
enum Op {
    /// ids drawn from a small pool (so that many repeat), some empty
    Ingest(Vec<u8>),
    Flush,
    Compact,
    CompactSmall,
    Reopen,
    Crash,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => proptest::collection::vec(0u8..60, 1..15).prop_map(Op::Ingest),
        1 => Just(Op::Flush),
        1 => Just(Op::Compact),
        1 => Just(Op::CompactSmall),
        1 => Just(Op::Reopen),
        1 => Just(Op::Crash),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// Every batch's accepted/duplicate counts and the final stored count equal a naive exact set of full ids,
    /// with the 64-bit hashes cut to `bits` bits (0: every id has the same hash) or left whole.
    #[test]
    fn dedup_equals_a_naive_exact_set(ops in proptest::collection::vec(op(), 1..16), flush_rows in 2usize..12, bits in prop_oneof![Just(64u32), 0u32..4]) {
        let scope = failpoint::scope();
        if bits < 64 {
            scope.set_id_hash_mask((1u64 << bits) - 1);
        }
        let dir = tempfile::tempdir().unwrap();
        let opts = StoreOptions { flush_rows, chunk_rows: 5, part_rows: 10 };
        let mut store = Some(Store::open(dir.path(), opts).unwrap());
        let mut naive: HashSet<String> = HashSet::new();
        let mut total = 0u64;
        let mut t = 0i64;
        for op in ops {
            let s = store.as_ref().unwrap();
            match op {
                Op::Ingest(ids) => {
                    let events: Vec<Event> = ids.iter().map(|&i| {
                        t += 1;
                        // id 0..5 are empty (never duplicates); the others repeat across batches
                        let id = if i < 5 { String::new() } else { format!("msg-{i}") };
                        ev(&id, (i % 7) as usize, t)
                    }).collect();
                    let mut want = IngestReport::default();
                    for e in &events {
                        if e.message_id.is_empty() || naive.insert(e.message_id.clone()) {
                            want.accepted += 1;
                        } else {
                            want.duplicates += 1;
                        }
                    }
                    total += want.accepted;
                    prop_assert_eq!(s.ingest(events).unwrap(), want);
                }
                Op::Flush => s.flush().unwrap(),
                Op::Compact => { s.compact().unwrap(); }
                Op::CompactSmall => { s.compact_small_parts(2).unwrap(); }
                Op::Reopen => { drop(store.take()); store = Some(Store::open(dir.path(), opts).unwrap()); }
                Op::Crash => { store.take().unwrap().close_without_flush(); store = Some(Store::open(dir.path(), opts).unwrap()); }
            }
        }
        let s = store.take().unwrap();
        s.flush().unwrap();
        prop_assert_eq!(stored(&s), total);
        // every part has its sidecar, and no sidecar is left without its part
        let p = parts(dir.path());
        prop_assert_eq!(sidecars(dir.path()).len(), p);
        drop(s);
        drop(scope);
    }
}

#[test]
fn two_ids_with_equal_64_bit_hashes_are_both_kept() {
    let scope = failpoint::scope();
    // every id hashes to 0
    scope.set_id_hash_mask(0);
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), StoreOptions::default()).unwrap();
    assert_eq!(s.ingest(vec![ev("a", 1, 1), ev("b", 1, 2)]).unwrap(), IngestReport { accepted: 2, duplicates: 0 });
    // in the memtable
    assert_eq!(s.ingest(vec![ev("a", 1, 3), ev("c", 1, 4)]).unwrap(), IngestReport { accepted: 1, duplicates: 1 });
    // in a part (its filter and sorted hashes say "maybe" for every id: the full id decides)
    s.flush().unwrap();
    assert_eq!(s.ingest(vec![ev("b", 1, 5), ev("d", 1, 6)]).unwrap(), IngestReport { accepted: 1, duplicates: 1 });
    drop(s);
    let s = Store::open(dir.path(), StoreOptions::default()).unwrap();
    assert_eq!(
        s.ingest(vec![ev("a", 1, 7), ev("b", 1, 8), ev("c", 1, 9), ev("d", 1, 10), ev("e", 1, 11)]).unwrap(),
        IngestReport { accepted: 1, duplicates: 4 }
    );
    assert_eq!(stored(&s), 5);
    drop(s);
    drop(scope);
}

#[test]
fn empty_message_ids_are_never_duplicates() {
    // every test of this file takes the failpoint scope: another one's hash mask must not change this one's index
    let _scope = failpoint::scope();
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), StoreOptions::default()).unwrap();
    assert_eq!(s.ingest(vec![ev("", 1, 1), ev("", 1, 2)]).unwrap().accepted, 2);
    s.flush().unwrap();
    assert_eq!(s.ingest(vec![ev("", 1, 1)]).unwrap().accepted, 1);
    drop(s);
    let s = Store::open(dir.path(), StoreOptions::default()).unwrap();
    assert_eq!(s.ingest(vec![ev("", 1, 1)]).unwrap().accepted, 1);
    assert_eq!(stored(&s), 4);
}

#[test]
fn missing_or_damaged_sidecars_are_rebuilt_from_the_part() {
    // every test of this file takes the failpoint scope: another one's hash mask must not change this one's index
    let _scope = failpoint::scope();
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), StoreOptions::default()).unwrap();
    s.ingest((0..100).map(|i| ev(&format!("m{i}"), i % 9, i as i64)).collect()).unwrap();
    s.flush().unwrap();
    s.ingest((100..200).map(|i| ev(&format!("m{i}"), i % 9, i as i64)).collect()).unwrap();
    s.flush().unwrap();
    drop(s);
    let side = sidecars(dir.path());
    assert_eq!(side.len(), 2);
    std::fs::remove_file(&side[0]).unwrap();
    let mut bytes = std::fs::read(&side[1]).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&side[1], &bytes).unwrap();
    let s = Store::open(dir.path(), StoreOptions::default()).unwrap();
    let again: Vec<Event> = (0..200).step_by(3).map(|i| ev(&format!("m{i}"), i % 9, i as i64)).collect();
    let n = again.len() as u64;
    assert_eq!(s.ingest(again).unwrap(), IngestReport { accepted: 0, duplicates: n });
    assert_eq!(stored(&s), 200);
    // both written again, whole
    let side = sidecars(dir.path());
    assert_eq!(side.len(), 2);
    assert_ne!(std::fs::read(&side[1]).unwrap(), bytes);
}

#[test]
fn compaction_gives_merged_parts_their_sidecars_and_removes_the_old_ones() {
    // every test of this file takes the failpoint scope: another one's hash mask must not change this one's index
    let _scope = failpoint::scope();
    let dir = tempfile::tempdir().unwrap();
    let opts = StoreOptions { flush_rows: 1000, chunk_rows: 50, part_rows: 1000 };
    let s = Store::open(dir.path(), opts).unwrap();
    for k in 0..5 {
        s.ingest((0..40).map(|i| ev(&format!("m{k}-{i}"), i % 11, (k * 40 + i) as i64)).collect()).unwrap();
        s.flush().unwrap();
    }
    assert_eq!(sidecars(dir.path()).len(), 5);
    let before = sidecars(dir.path());
    s.compact_small_parts(2).unwrap();
    let after = sidecars(dir.path());
    assert_eq!(after.len(), parts(dir.path()));
    assert!(after.iter().all(|p| !before.contains(p)), "old sidecars removed: {after:?}");
    let again: Vec<Event> = (0..40).map(|i| ev(&format!("m3-{i}"), i % 11, i as i64)).collect();
    assert_eq!(s.ingest(again).unwrap().duplicates, 40);
    s.compact().unwrap();
    assert_eq!(sidecars(dir.path()).len(), parts(dir.path()));
    assert_eq!(s.ingest(vec![ev("m0-0", 0, 0), ev("new", 0, 0)]).unwrap(), IngestReport { accepted: 1, duplicates: 1 });
    assert_eq!(stored(&s), 201);
}

/// A gate a failpoint waits at until the test opens it.
#[derive(Default)]
struct Gate {
    open: Mutex<bool>,
    cv: Condvar,
    reached: Mutex<usize>,
    reached_cv: Condvar,
}

impl Gate {
    fn wait(&self) {
        *self.reached.lock().unwrap() += 1;
        self.reached_cv.notify_all();
        let mut open = self.open.lock().unwrap();
        while !*open {
            open = self.cv.wait(open).unwrap();
        }
    }
    fn wait_reached(&self) {
        let mut n = self.reached.lock().unwrap();
        while *n == 0 {
            let (g, t) = self.reached_cv.wait_timeout(n, Duration::from_secs(20)).unwrap();
            assert!(!t.timed_out(), "the background flusher never started");
            n = g;
        }
    }
    fn release(&self) {
        *self.open.lock().unwrap() = true;
        self.cv.notify_all();
    }
}

#[test]
fn requests_do_not_wait_for_the_part_write_and_a_full_memtable_is_refused_meanwhile() {
    let scope = failpoint::scope();
    let gate = Arc::new(Gate::default());
    let g = gate.clone();
    scope.set(Failpoint::FlushWrite, move || {
        g.wait();
        Ok(())
    });
    let dir = tempfile::tempdir().unwrap();
    let opts = StoreOptions { flush_rows: 50, chunk_rows: 10, part_rows: 1000 };
    let s = Store::open(dir.path(), opts).unwrap();
    s.set_reject_when_full(true);
    // fills the memtable: frozen and handed to the flusher, which waits at the gate; the request returned
    s.ingest((0..50).map(|i| ev(&format!("m{i}"), i % 5, i as i64)).collect()).unwrap();
    gate.wait_reached();
    assert!(s.flushing());
    // the new memtable fills while the frozen one is being written; the frozen rows are checked for duplicates
    assert_eq!(s.ingest((0..10).map(|i| ev(&format!("m{i}"), 0, 0)).collect()).unwrap().duplicates, 10);
    s.ingest((50..100).map(|i| ev(&format!("m{i}"), i % 5, i as i64)).collect()).unwrap();
    // both full: back-pressure
    assert!(matches!(s.ingest(vec![ev("late", 1, 1)]), Err(EngineError::Busy)));
    assert_eq!(stored(&s), 100);
    gate.release();
    for _ in 0..200 {
        if !s.flushing() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(s.ingest(vec![ev("late", 1, 1)]).unwrap().accepted, 1);
    assert_eq!(stored(&s), 101);
    assert!(parts(dir.path()) >= 1);
    drop(s);
    drop(scope);
}

#[test]
fn a_crash_during_the_background_flush_loses_nothing_and_stores_nothing_twice() {
    for fail_write in [false, true] {
        let scope = failpoint::scope();
        let gate = Arc::new(Gate::default());
        let g = gate.clone();
        scope.set(Failpoint::FlushWrite, move || {
            g.wait();
            if fail_write {
                Err(std::io::Error::other("disk gone"))
            } else {
                Ok(())
            }
        });
        let dir = tempfile::tempdir().unwrap();
        let opts = StoreOptions { flush_rows: 30, chunk_rows: 10, part_rows: 1000 };
        let s = Store::open(dir.path(), opts).unwrap();
        let all: Vec<Event> = (0..45).map(|i| ev(&format!("m{i}"), i % 4, i as i64)).collect();
        s.ingest(all[..30].to_vec()).unwrap();
        gate.wait_reached();
        s.ingest(all[30..].to_vec()).unwrap();
        // the process dies while the flusher is at the gate (it gives up once released)
        let g = gate.clone();
        let opener = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            g.release();
        });
        s.close_without_flush();
        opener.join().unwrap();
        // the scope stays held (the reopened store's flusher must not meet another test's hooks)
        scope.clear(Failpoint::FlushWrite);
        let s = Store::open(dir.path(), opts).unwrap();
        assert_eq!(stored(&s), 45, "fail_write={fail_write}");
        assert_eq!(s.ingest(all.clone()).unwrap(), IngestReport { accepted: 0, duplicates: 45 });
        drop(s);
        let s = Store::open(dir.path(), opts).unwrap();
        assert_eq!(stored(&s), 45);
        drop(s);
        assert_eq!(sidecars(dir.path()).len(), parts(dir.path()));
        drop(scope);
    }
}

#[test]
fn a_failed_background_write_is_tried_again() {
    let scope = failpoint::scope();
    let fails = Arc::new(Mutex::new(1usize));
    let f = fails.clone();
    scope.set(Failpoint::FlushWrite, move || {
        let mut n = f.lock().unwrap();
        if *n > 0 {
            *n -= 1;
            return Err(std::io::Error::other("disk full"));
        }
        Ok(())
    });
    let dir = tempfile::tempdir().unwrap();
    let opts = StoreOptions { flush_rows: 20, chunk_rows: 10, part_rows: 1000 };
    let s = Store::open(dir.path(), opts).unwrap();
    s.ingest((0..20).map(|i| ev(&format!("m{i}"), i % 4, i as i64)).collect()).unwrap();
    for _ in 0..100 {
        if !s.flushing() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(s.part_count(), 0, "the first write failed");
    std::thread::sleep(Duration::from_millis(1100));
    s.ingest(vec![ev("x", 1, 1)]).unwrap();
    for _ in 0..100 {
        if s.part_count() == 1 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(s.part_count(), 1, "written on the retry");
    assert_eq!(stored(&s), 21);
    drop(s);
    drop(scope);
}
