//! `tropa-bench load`: a load generator for `tropa serve`. Keeps `--connections` keep-alive HTTP/1.1
//! connections busy posting `/v1/batch` requests of `--batch` demo events (each with a fresh message id, so every
//! event is new work), for `--seconds`, and reports events/s accepted and request latency (p50, p99, p99.9, max)
//! by status. Bodies are built from pre-serialised messages, so the client spends little CPU per request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;

#[derive(Args)]
pub struct LoadArgs {
    /// host:port of the server.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// Write key of the project to load.
    #[arg(long)]
    key: String,
    #[arg(long, default_value_t = 8)]
    connections: usize,
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Events per request.
    #[arg(long, default_value_t = 100)]
    batch: usize,
    /// Demo customers whose events are cycled through (about 10 events each).
    #[arg(long, default_value_t = 5_000)]
    customers: u64,
    /// A label for the message ids, so runs on the same project never repeat one.
    #[arg(long, default_value = "run")]
    run: String,
    /// Wait for Retry-After on 429 (a polite client) instead of retrying at once (an overload).
    #[arg(long)]
    polite: bool,
}

#[derive(Default)]
struct Tally {
    /// (status, latency µs) per request.
    samples: Vec<(u16, u32)>,
    events_ok: u64,
    errors: u64,
}

fn messages(customers: u64) -> Vec<String> {
    let cfg = tropa_synth::SynthConfig { customers, ..Default::default() };
    let events = tropa_synth::chunk(&cfg, 0..customers);
    events
        .iter()
        .map(|e| {
            let mut m = tropa_io::to_message(e, "");
            if let Some(o) = m.as_object_mut() {
                o.remove("messageId");
                o.remove("receivedAt");
            }
            // `{"messageId":"…",` is prefixed when the body is built
            m.to_string()[1..].to_string()
        })
        .collect()
}

fn send(stream: &mut BufReader<TcpStream>, head: &str, body: &[u8]) -> std::io::Result<u16> {
    let req = format!("{head}Content-Length: {}\r\n\r\n", body.len());
    stream.get_mut().write_all(req.as_bytes())?;
    stream.get_mut().write_all(body)?;
    let mut line = String::new();
    stream.read_line(&mut line)?;
    let status: u16 = line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut len = 0usize;
    loop {
        line.clear();
        stream.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut sink = vec![0u8; len];
    stream.read_exact(&mut sink)?;
    Ok(status)
}

pub fn run(args: LoadArgs) -> anyhow::Result<()> {
    use base64::Engine as _;
    let msgs = Arc::new(messages(args.customers));
    anyhow::ensure!(msgs.len() >= args.batch, "too few demo events: raise --customers");
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{}:", args.key));
    let head = Arc::new(format!(
        "POST /v1/batch HTTP/1.1\r\nHost: {}\r\nAuthorization: Basic {auth}\r\nContent-Type: application/json\r\n",
        args.addr
    ));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let workers: Vec<_> = (0..args.connections)
        .map(|c| {
            let (msgs, head, stop, addr, run) =
                (msgs.clone(), head.clone(), stop.clone(), args.addr.clone(), args.run.clone());
            let (batch, polite) = (args.batch, args.polite);
            std::thread::spawn(move || -> anyhow::Result<Tally> {
                let mut stream = BufReader::new(TcpStream::connect(&addr)?);
                stream.get_mut().set_nodelay(true)?;
                let mut t = Tally::default();
                let mut body = Vec::with_capacity(batch * 400);
                let mut seq = 0u64;
                let mut at = (c * 7919) % msgs.len();
                while !stop.load(Ordering::Relaxed) {
                    body.clear();
                    body.extend_from_slice(b"{\"batch\":[");
                    for i in 0..batch {
                        if i > 0 {
                            body.push(b',');
                        }
                        write!(body, "{{\"messageId\":\"{run}-{c}-{seq}\",")?;
                        body.extend_from_slice(msgs[at].as_bytes());
                        seq += 1;
                        at = (at + 1) % msgs.len();
                    }
                    body.extend_from_slice(b"]}");
                    let sent = Instant::now();
                    match send(&mut stream, &head, &body) {
                        Ok(status) => {
                            t.samples.push((status, sent.elapsed().as_micros().min(u32::MAX as u128) as u32));
                            if status == 200 {
                                t.events_ok += batch as u64;
                            } else if status == 429 && polite {
                                std::thread::sleep(Duration::from_secs(1));
                            }
                        }
                        Err(_) => {
                            t.errors += 1;
                            std::thread::sleep(Duration::from_millis(100));
                            stream = BufReader::new(TcpStream::connect(&addr)?);
                        }
                    }
                }
                Ok(t)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(args.seconds));
    stop.store(true, Ordering::Relaxed);
    let mut all = Tally::default();
    for w in workers {
        let t = w.join().map_err(|_| anyhow::anyhow!("a load thread panicked"))??;
        all.samples.extend(t.samples);
        all.events_ok += t.events_ok;
        all.errors += t.errors;
    }
    let secs = started.elapsed().as_secs_f64();
    let mut by_status: std::collections::BTreeMap<u16, Vec<u32>> = Default::default();
    for (s, l) in &all.samples {
        by_status.entry(*s).or_default().push(*l);
    }
    let mut statuses = serde_json::Map::new();
    for (s, mut l) in by_status {
        l.sort_unstable();
        let q = |p: f64| l[((l.len() - 1) as f64 * p).round() as usize] as f64 / 1000.0;
        statuses.insert(
            s.to_string(),
            serde_json::json!({"requests": l.len(), "p50_ms": q(0.5), "p99_ms": q(0.99), "p999_ms": q(0.999), "max_ms": q(1.0)}),
        );
    }
    let out = serde_json::json!({
        "connections": args.connections, "batch": args.batch, "seconds": secs,
        "events_accepted": all.events_ok, "events_per_second": all.events_ok as f64 / secs,
        "connection_errors": all.errors, "by_status": statuses,
    });
    println!("{out}");
    Ok(())
}
