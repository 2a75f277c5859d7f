//! Memory and disk of the duplicate index (issue 12): ingests N events with UUID-like message ids through the
//! WAL path (batches of 10,000; the background flusher writes a part every million), reopens the folder, checks
//! every 10th id once more (all duplicates) and 100,000 new ids, and prints the index's heap bytes per event, the
//! sidecar bytes per event and the lookup rates:
//! `cargo run --release -p tropa-store --example dedup_memory -- DATA_DIR [EVENTS]`
use std::time::Instant;

use tropa_core::Event;
use tropa_engine::Engine;
use tropa_store::{Store, StoreOptions};

fn id(i: u64) -> String {
    // UUID-shaped and unpredictable, 36 characters
    let h = xxhash_rust::xxh3::xxh3_128(&i.to_le_bytes());
    let x = format!("{h:032x}");
    format!("{}-{}-{}-{}-{}", &x[..8], &x[8..12], &x[12..16], &x[16..20], &x[20..])
}

fn ev(i: u64) -> Event {
    Event {
        message_id: id(i),
        timestamp: 1_700_000_000_000 + i as i64,
        received_at: 1_700_000_000_000 + i as i64,
        anonymous_id: format!("a{}", i % 100_000),
        name: "view".into(),
        ..Event::default()
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().ok_or("DATA_DIR")?);
    let n: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(10_000_000);
    let started = Instant::now();
    {
        let store = Store::open(&dir, StoreOptions::default())?;
        let mut i = 0;
        while i < n {
            let k = (n - i).min(10_000);
            let report = store.ingest((i..i + k).map(ev).collect())?;
            assert_eq!(report.accepted, k, "every new id is accepted");
            i += k;
        }
        println!(
            "ingested {n} events in {:.1} s; index heap {} B",
            started.elapsed().as_secs_f64(),
            store.dedup_memory()
        );
    }
    let store = Store::open(&dir, StoreOptions::default())?;
    let t = Instant::now();
    let again: Vec<Event> = (0..n).step_by(10).map(ev).collect();
    let m = again.len() as u64;
    let report = store.ingest(again)?;
    assert_eq!(report.duplicates, m, "every stored id is a duplicate");
    let dup_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let report = store.ingest((n..n + 100_000).map(ev).collect())?;
    assert_eq!(report.accepted, 100_000);
    let new_s = t.elapsed().as_secs_f64();
    let heap = store.dedup_memory();
    let (mut part_bytes, mut side_bytes) = (0u64, 0u64);
    for e in std::fs::read_dir(dir.join("parts"))? {
        let e = e?;
        let len = e.metadata()?.len();
        match e.path().extension().and_then(|x| x.to_str()) {
            Some("trp") => part_bytes += len,
            Some("ids") => side_bytes += len,
            _ => {}
        }
    }
    let stored = (n + 100_000) as f64;
    println!(
        "{{\"events\": {}, \"parts\": {}, \"index_heap_bytes\": {heap}, \"index_heap_bytes_per_event\": {:.2}, \
         \"sidecar_bytes_per_event\": {:.2}, \"part_bytes_per_event\": {:.2}, \"duplicates_checked_per_s_first_use_loading_every_sidecar\": {:.0}, \
         \"new_ids_per_s\": {:.0}}}",
        n + 100_000,
        store.part_count(),
        heap as f64 / stored,
        side_bytes as f64 / stored,
        part_bytes as f64 / stored,
        m as f64 / dup_s,
        100_000.0 / new_s,
    );
    Ok(())
}
