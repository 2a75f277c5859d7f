//! Prints the journeys of a few customers as a table, to look at what the generator makes.
//!
//! `cargo run -p tropa-synth --example journey -- 0 5` prints customers 0..5 of the default data set.

use tropa_synth::{customer_events, SynthConfig};

fn main() {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let from = args.first().copied().unwrap_or(0);
    let to = args.get(1).copied().unwrap_or(from + 1);
    let cfg = SynthConfig::default();
    for index in from..to {
        let mut events = Vec::new();
        customer_events(&cfg, index, &mut events);
        println!("customer {index}: {} events", events.len());
        for e in &events {
            let day = (e.timestamp - cfg.start_ms) as f64 / 86_400_000.0;
            println!(
                "  day {day:7.3} {:<18} {:<16} {:<12} {:<14} {:<20} {:<20} {}",
                e.anonymous_id,
                e.user_id,
                e.touchpoint,
                e.channel.group,
                format!("{}/{}", e.channel.source, e.channel.campaign),
                e.name,
                if e.name == "identify" { &e.traits } else { &e.properties },
            );
        }
    }
}
