//! Import/export throughput, run by hand: `cargo run --release -p tropa-io --example throughput [EVENTS]`.
//!
//! `EVENTS` defaults to 1,000,000; a second argument (`ndjson`, `parquet` or `csv`) runs that format only.
//! Generates simple events, writes them as NDJSON, Parquet and CSV to a temporary folder, reads each back with
//! the readers the CLI uses (batches of 65,536) and prints events per second.

use std::path::Path;
use std::time::Instant;

use tropa_core::event::{Channel, Event, MessageKind};
use tropa_io::{create_writer, open_reader, ExportRow, Format, ReadOptions};

/// The allocator of the `tropa` binary, so that the numbers are the ones `tropa import` sees.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn events(n: usize) -> Vec<Event> {
    const NAMES: [&str; 5] = ["page_view", "view_item", "add_to_cart", "checkout", "purchase"];
    const SOURCES: [(&str, &str); 4] = [("yandex", "cpc"), ("vk", "social"), ("", ""), ("newsletter", "email")];
    (0..n)
        .map(|i| {
            let name = NAMES[i % NAMES.len()];
            let (source, medium) = SOURCES[i / 7 % SOURCES.len()];
            let revenue = (name == "purchase").then_some((i % 5000) as f64 + 0.99);
            let mut properties = format!(r#"{{"item":"sku-{}","price":{}}}"#, i % 977, i % 5000);
            if let Some(r) = revenue {
                properties =
                    format!(r#"{{"currency":"RUB","item":"sku-{}","price":{},"revenue":{r}}}"#, i % 977, i % 5000);
            }
            Event {
                message_id: format!("m-{i}"),
                kind: if name == "page_view" { MessageKind::Page } else { MessageKind::Track },
                timestamp: 1_760_000_000_000 + i as i64 * 1000,
                received_at: 1_767_000_000_000,
                anonymous_id: format!("a-{}", i / 13),
                user_id: if i % 3 == 0 { format!("u-{}", i / 40) } else { String::new() },
                name: name.into(),
                touchpoint: "web".into(),
                channel: Channel {
                    source: source.into(),
                    medium: medium.into(),
                    group: tropa_core::channel::classify(source, medium, "", "web").into(),
                    ..Channel::default()
                },
                revenue,
                currency: if revenue.is_some() { "RUB".into() } else { String::new() },
                properties,
                traits: "{}".into(),
                ..Event::default()
            }
        })
        .collect()
}

/// CPU seconds (user + system) this process has used so far, from /proc (0 where there is none).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, r)| r.split_whitespace().collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn time_read(path: &Path, format: Format, opts: ReadOptions) -> (usize, usize, f64) {
    let cpu = cpu_seconds();
    let started = Instant::now();
    let mut reader = open_reader(path, format, opts).expect("open");
    let (mut n, mut bad) = (0, 0);
    let (mut out, mut errors) = (Vec::with_capacity(65_536), Vec::new());
    loop {
        out.clear();
        errors.clear();
        let more = reader.next_batch(65_536, &mut out, &mut errors).expect("read");
        n += out.len();
        bad += errors.len();
        if !more {
            break;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    println!("  ({cpu:.2} cpu s: {:.0} events per cpu second)", n as f64 / cpu.max(1e-9));
    (n, bad, secs)
}

fn report(what: &str, n: usize, secs: f64, path: &Path) {
    let mb = std::fs::metadata(path).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0);
    println!("{what:<22} {n:>9} events  {secs:>6.2} s  {:>10.0} events/s  ({mb:.0} MB)", n as f64 / secs);
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let only = std::env::args().nth(2);
    let run = |name: &str| only.as_deref().is_none_or(|o| name.ends_with(o));
    println!("{} threads", rayon::current_num_threads());
    let evs = events(n);
    let rows: Vec<ExportRow<'_>> = evs.iter().map(|e| ExportRow { customer: e.actor(), event: e }).collect();
    // TROPA_IO_KEEP=DIR keeps the files (e.g. to open them in DuckDB)
    let temp = tempfile::tempdir().expect("temp dir");
    let keep = std::env::var_os("TROPA_IO_KEEP").map(std::path::PathBuf::from);
    let dir = keep.as_deref().unwrap_or(temp.path());
    for (format, name) in [(Format::Ndjson, "events.ndjson"), (Format::Parquet, "events.parquet")] {
        if !run(name) {
            continue;
        }
        let path = dir.join(name);
        let started = Instant::now();
        let mut w = create_writer(&path, format).expect("create");
        for chunk in rows.chunks(65_536) {
            w.write(chunk).expect("write");
        }
        w.finish().expect("finish");
        report(&format!("write {name}"), n, started.elapsed().as_secs_f64(), &path);
        let (got, bad, secs) =
            time_read(&path, format, ReadOptions { received_at: 1_767_000_000_000, ..ReadOptions::default() });
        assert_eq!((got, bad), (n, 0));
        report(&format!("read {name}"), got, secs, &path);
    }
    if !run("events.csv") {
        return;
    }
    let csv = dir.join("events.csv");
    let mut w = csv::Writer::from_path(&csv).expect("csv");
    w.write_record(["user_id", "anonymous_id", "event", "timestamp", "source", "medium", "item", "price"])
        .expect("csv");
    for e in &evs {
        let p = e.properties_map();
        let ts = e.timestamp.to_string();
        let (item, price) = (p["item"].as_str().unwrap_or(""), p["price"].to_string());
        let rec = [&e.user_id, &e.anonymous_id, &e.name, &ts, &e.channel.source, &e.channel.medium, item, &price];
        w.write_record(rec.iter().map(|s| s.as_bytes())).expect("csv");
    }
    w.flush().expect("csv");
    drop(w);
    let opts = ReadOptions { time_format: tropa_core::time::TimeFormat::UnixMillis, ..ReadOptions::default() };
    let (got, bad, secs) = time_read(&csv, Format::Csv, opts);
    assert_eq!((got, bad), (n, 0));
    report("read events.csv", got, secs, &csv);
}
