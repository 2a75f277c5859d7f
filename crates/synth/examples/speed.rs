//! Measures generation speed on one core: `cargo run --release -p tropa-synth --example speed -- 1000000 1000`.
//!
//! Generates the given number of customers (default 500,000) in chunks of 1,000 customers (second argument); a third argument
//! `chunk` or `refill` runs only that one, twice: with
//! [`chunk`] (fresh events, dropped after each chunk) and with [`refill`] (one buffer reused), and prints events
//! per second. A hand check, not a benchmark of record (those live in `bench/`).

use std::time::Instant;

use tropa_synth::{chunk, refill, SynthConfig};

#[allow(clippy::disallowed_methods)] // a hand tool that times itself
fn main() {
    let arg = |i: usize, default: u64| std::env::args().nth(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (customers, per_chunk) = (arg(1, 500_000), arg(2, 1_000).max(1));
    let cfg = SynthConfig { customers, ..SynthConfig::default() };
    let ranges = || (0..customers).step_by(per_chunk as usize).map(move |from| from..(from + per_chunk).min(customers));

    let only = std::env::args().nth(3).unwrap_or_default();
    if only != "refill" {
        let started = Instant::now();
        let mut events = 0u64;
        for range in ranges() {
            events += chunk(&cfg, range).len() as u64;
        }
        report("chunk ", customers, events, started);
    }
    if only != "chunk" {
        let started = Instant::now();
        let mut events = 0u64;
        let mut buf = Vec::new();
        for range in ranges() {
            refill(&cfg, range, &mut buf);
            events += buf.len() as u64;
        }
        report("refill", customers, events, started);
    }
}

#[allow(clippy::disallowed_methods)]
fn report(how: &str, customers: u64, events: u64, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{how}: {customers} customers, {events} events ({:.2} per customer) in {secs:.2} s: {:.2} M events/s on one core",
        events as f64 / customers as f64,
        events as f64 / secs / 1e6
    );
}
