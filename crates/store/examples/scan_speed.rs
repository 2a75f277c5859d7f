//! Rough speed check of the write path and the journey scan (the real benchmark is `bench/`):
//! `cargo run --release -p tropa-store --example scan_speed -- CUSTOMERS DIR`
use std::time::Instant;

use tropa_core::{CountFold, Event, Journey, JourneyFold, MessageKind};

/// Reads every event's time and name (a checksum), so the scan really touches the columns.
struct Touch;

impl JourneyFold for Touch {
    type Acc = (u64, u64);
    fn init(&self) -> (u64, u64) {
        (0, 0)
    }
    fn fold(&self, acc: &mut (u64, u64), j: &Journey<'_>) {
        acc.0 += j.len() as u64;
        let mut x = 0u64;
        for (&t, &n) in j.ts.iter().zip(j.name) {
            x = x.wrapping_add(t as u64 ^ n as u64);
        }
        acc.1 = acc.1.wrapping_add(x);
    }
    fn merge(&self, into: &mut (u64, u64), other: (u64, u64)) {
        into.0 += other.0;
        into.1 = into.1.wrapping_add(other.1);
    }
}
use tropa_engine::{fold, ScanSpec};
use tropa_store::{Store, StoreOptions};

const NAMES: [&str; 12] = [
    "session_start",
    "view_item",
    "add_to_cart",
    "begin_checkout",
    "add_payment_info",
    "purchase",
    "page_view",
    "search",
    "scroll",
    "login",
    "share",
    "logout",
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let customers: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let dir = std::path::PathBuf::from(args.get(2).cloned().unwrap_or_else(|| "/tmp/tropa-scan-speed".into()));
    if !dir.join("MANIFEST").exists() {
        let store = Store::open(&dir, StoreOptions::default()).expect("open");
        let t = Instant::now();
        let mut n = 0u64;
        for chunk in (0..customers).collect::<Vec<_>>().chunks(100_000) {
            let mut events = Vec::new();
            for &c in chunk {
                let k = 1 + (c * 2654435761) % 19;
                for i in 0..k {
                    events.push(Event {
                        message_id: format!("{c:x}-{i}"),
                        kind: MessageKind::Track,
                        timestamp: 1_700_000_000_000 + (c % 1000) as i64 * 60_000 + i as i64 * 1000,
                        user_id: format!("c{c}"),
                        name: NAMES[((c + i) % 12) as usize].into(),
                        properties: "{\"k\":1}".into(),
                        traits: "{}".into(),
                        ..Event::default()
                    });
                }
            }
            n += store.append_sorted(&events).expect("append").accepted;
        }
        let s = t.elapsed().as_secs_f64();
        println!("append_sorted: {n} events in {s:.2} s = {:.0} events/s", n as f64 / s);
    }
    let t = Instant::now();
    let store = Store::open(&dir, StoreOptions::default()).expect("open");
    let snap = store.snapshot().expect("snapshot");
    println!("open + snapshot: {:.3} s ({} parts)", t.elapsed().as_secs_f64(), snap.parts.len());
    for _ in 0..3 {
        let t = Instant::now();
        let (events, sum) = fold(&store, &ScanSpec::default(), &Touch).expect("scan");
        let s = t.elapsed().as_secs_f64();
        println!(
            "scan reading time+name: {events} events in {s:.3} s = {:.1} M events/s (checksum {sum:x})",
            events as f64 / s / 1e6
        );
    }
    for _ in 0..3 {
        let t = Instant::now();
        let c = fold(&store, &ScanSpec::default(), &CountFold).expect("scan");
        let s = t.elapsed().as_secs_f64();
        println!(
            "scan: {} customers, {} events in {s:.3} s = {:.1} M events/s",
            c.customers,
            c.events,
            c.events as f64 / s / 1e6
        );
    }
}
