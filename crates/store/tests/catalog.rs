//! The store's catalog (event names, properties, counts, first/last seen) survives restarts, crashes,
//! compaction, bulk appends and forgets, and always equals the catalog folded over a full scan.

use tropa_core::catalog::{Catalog, CatalogFold};
use tropa_engine::{fold, Engine, ScanSpec};
use tropa_store::{Store, StoreOptions};

fn tiny() -> StoreOptions {
    StoreOptions { flush_rows: 7, chunk_rows: 5, part_rows: 20 }
}

fn scanned(engine: &dyn Engine) -> Catalog {
    let dicts = engine.dictionaries();
    let spec = ScanSpec::default().with_columns(CatalogFold::columns());
    fold(engine, &spec, &CatalogFold { dicts: &dicts }).unwrap().sorted()
}

fn check(store: &Store, events: u64) {
    let c = store.catalog().unwrap();
    assert_eq!(c.total(), events);
    assert_eq!(c, scanned(store));
}

#[test]
fn catalog_survives_restart_crash_and_compaction() {
    let dir = tempfile::tempdir().unwrap();
    let (events, _) = tropa_engine::conformance::dataset(40, 21);
    let n = events.len() as u64;
    let half = events.len() / 2;
    {
        let s = Store::open(dir.path(), tiny()).unwrap();
        for chunk in events[..half].chunks(5) {
            s.ingest(chunk.to_vec()).unwrap();
        }
        check(&s, half as u64);
    }
    // clean restart
    let s = Store::open(dir.path(), tiny()).unwrap();
    check(&s, half as u64);
    assert!(dir.path().join("catalog.json").exists());
    for chunk in events[half..].chunks(3) {
        s.ingest(chunk.to_vec()).unwrap();
    }
    // duplicates count nothing
    s.ingest(events[..10].to_vec()).unwrap();
    check(&s, n);
    // crash: the WAL replays only what catalog.json does not count yet
    s.close_without_flush();
    let s = Store::open(dir.path(), tiny()).unwrap();
    check(&s, n);
    s.compact().unwrap();
    check(&s, n);
    drop(s);
    let s = Store::open(dir.path(), tiny()).unwrap();
    check(&s, n);
}

#[test]
fn forget_lowers_the_counts_also_after_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let (events, expected) = tropa_engine::conformance::dataset(30, 8);
    let n = events.len() as u64;
    let c = (0..30).find(|c| events.iter().any(|e| e.user_id == format!("user-{c}"))).unwrap();
    let s = Store::open(dir.path(), tiny()).unwrap();
    s.ingest(events).unwrap();
    let removed = s.forget(&format!("user-{c}")).unwrap();
    assert_eq!(removed as usize, expected[c].len());
    check(&s, n - removed);
    s.close_without_flush();
    let s = Store::open(dir.path(), tiny()).unwrap();
    check(&s, n - removed);
    s.compact().unwrap();
    drop(s);
    let s = Store::open(dir.path(), tiny()).unwrap();
    check(&s, n - removed);
}

#[test]
fn old_data_folders_are_counted_once_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let (events, _) = tropa_engine::conformance::dataset(10, 2);
    let n = events.len() as u64;
    {
        let s = Store::open(dir.path(), tiny()).unwrap();
        s.ingest(events).unwrap();
    }
    std::fs::remove_file(dir.path().join("catalog.json")).unwrap();
    let s = Store::open(dir.path(), tiny()).unwrap();
    check(&s, n);
}

#[test]
fn bulk_appends_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let (mut events, _) = tropa_engine::conformance::dataset(10, 4);
    events.sort_by(|a, b| {
        let key = |e: &tropa_core::Event| {
            let c: usize = e.message_id.split('-').nth(1).unwrap().parse().unwrap();
            (c, e.timestamp)
        };
        key(a).cmp(&key(b))
    });
    let n = events.len() as u64;
    let s = Store::open(dir.path(), tiny()).unwrap();
    s.append_sorted(&events).unwrap();
    s.flush().unwrap();
    check(&s, n);
    drop(s);
    let s = Store::open(dir.path(), tiny()).unwrap();
    check(&s, n);
}
