//! `tropa-bench scan` and `tropa-bench q0`, and [`measure`], which every query subcommand runs through: open a
//! store (timed on its own), then run one query `--runs` times and print one JSON line with the answer, the times
//! and the memory.
//!
//! Memory: after the open the peak-RSS mark is reset (`/proc/self/clear_refs`), so `peak_rss_mb` is the highest
//! RSS while querying and `query_rss_mb = peak - idle` is what the query itself added, file pages of the mapped
//! parts included. `run.py` measures DuckDB and chdb the same way.

use std::path::PathBuf;
use std::time::Instant;

use serde_json::{json, Value};
use tropa_core::analysis::stats::{StatsFold, StatsReport};
use tropa_core::{CountFold, Journey, JourneyFold};
use tropa_engine::{fold, Engine, ScanSpec};
use tropa_store::{Store, StoreOptions};

#[derive(clap::Args)]
pub struct QueryArgs {
    /// The data folder of the store.
    #[arg(long)]
    data: PathBuf,
    /// Timed runs (after the open; no warm-up here: run.py starts a fresh process per run).
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

#[derive(clap::Args)]
pub struct Q0Args {
    #[command(flatten)]
    q: QueryArgs,
    /// Count names only (a fold that reads just the name column) instead of the full `tropa stats` fold.
    #[arg(long)]
    names_only: bool,
}

/// (VmHWM, VmRSS) of this process in MiB.
fn rss_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |key: &str| -> f64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Resets the peak-RSS mark to the current RSS; false where the kernel does not allow it.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n if !n.is_multiple_of(2) => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Opens the store, runs `query` `runs` times, prints the JSON line (`query`'s answer merged in).
pub fn measure(
    workload: &str,
    args: &QueryArgs,
    query: impl Fn(&Store) -> anyhow::Result<(u64, Value)>,
) -> anyhow::Result<()> {
    if !args.data.join(tropa_store::MANIFEST).is_file() {
        anyhow::bail!("{}: no tropa store here (import data first)", args.data.display());
    }
    let t = Instant::now();
    let store = Store::open(&args.data, StoreOptions::default())?;
    let parts = store.part_count();
    let open_s = t.elapsed().as_secs_f64();
    let peak_reset = reset_peak();
    let (_, idle) = rss_mb();
    let mut times = Vec::with_capacity(args.runs);
    let mut answer = (0, Value::Null);
    for _ in 0..args.runs.max(1) {
        let t = Instant::now();
        answer = query(&store)?;
        times.push(t.elapsed().as_secs_f64());
    }
    let (peak, _) = rss_mb();
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let best = sorted[0];
    let mut out = json!({
        "workload": workload,
        "threads": rayon::current_num_threads(),
        "parts": parts,
        "open_s": open_s,
        "times_s": times,
        "best_s": best,
        "median_s": median(&sorted),
        "events_per_s": answer.0 as f64 / best.max(1e-12),
        "idle_rss_mb": idle,
        "peak_rss_mb": peak,
        "query_rss_mb": if peak_reset { peak - idle } else { f64::NAN },
        "peak_reset": peak_reset,
    });
    if let (Value::Object(o), Value::Object(a)) = (&mut out, answer.1) {
        o.extend(a);
    }
    println!("{out}");
    Ok(())
}

pub fn scan(args: QueryArgs) -> anyhow::Result<()> {
    measure("S", &args, |store| {
        let c = fold(store, &ScanSpec::default(), &CountFold)?;
        Ok((c.events, json!({"events": c.events, "customers": c.customers})))
    })
}

pub fn q0(args: Q0Args) -> anyhow::Result<()> {
    let workload = if args.names_only { "Q0-names" } else { "Q0" };
    measure(workload, &args.q, |store| {
        let dicts = store.dictionaries();
        let (events, customers, mut rows) = if args.names_only {
            let acc = fold(store, &ScanSpec::default(), &NamesFold)?;
            let rows: Vec<(String, u64, u64)> = acc
                .names
                .iter()
                .enumerate()
                .filter(|(_, &(e, _))| e > 0)
                .map(|(i, &(e, c))| (dicts.name(i as u16).to_string(), e, c))
                .collect();
            (acc.events, acc.customers, rows)
        } else {
            let acc = fold(store, &ScanSpec::default().with_columns(StatsFold::columns()), &StatsFold::default())?;
            let report = StatsReport::resolve(&acc, &dicts);
            let rows =
                report.events_by_name.into_iter().map(|r| (r.value, r.events, r.customers.unwrap_or(0))).collect();
            (acc.events, acc.customers, rows)
        };
        rows.sort();
        let rows: Vec<Value> =
            rows.into_iter().map(|(name, e, c)| json!({"event": name, "events": e, "customers": c})).collect();
        Ok((events, json!({"events": events, "customers": customers, "rows": rows})))
    })
}

/// Q0 alone: events and distinct customers per event-name code, reading only the name column.
struct NamesFold;

#[derive(Default)]
struct NamesAcc {
    customers: u64,
    events: u64,
    /// Per name code: (events, customers).
    names: Vec<(u64, u64)>,
    seen: Vec<u64>,
}

impl JourneyFold for NamesFold {
    type Acc = NamesAcc;

    fn init(&self) -> NamesAcc {
        NamesAcc::default()
    }

    fn fold(&self, acc: &mut NamesAcc, j: &Journey<'_>) {
        acc.customers += 1;
        acc.events += j.len() as u64;
        let stamp = acc.customers;
        for &n in j.name {
            let i = n as usize;
            if acc.names.len() <= i {
                acc.names.resize(i + 1, (0, 0));
                acc.seen.resize(i + 1, 0);
            }
            acc.names[i].0 += 1;
            if acc.seen[i] != stamp {
                acc.seen[i] = stamp;
                acc.names[i].1 += 1;
            }
        }
    }

    fn merge(&self, into: &mut NamesAcc, other: NamesAcc) {
        into.customers += other.customers;
        into.events += other.events;
        if into.names.len() < other.names.len() {
            into.names.resize(other.names.len(), (0, 0));
        }
        for (i, (e, c)) in other.names.into_iter().enumerate() {
            into.names[i].0 += e;
            into.names[i].1 += c;
        }
    }
}
