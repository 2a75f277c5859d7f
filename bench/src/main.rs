//! `tropa-bench`: the macro benchmark's tools (see `bench/README.md`; `bench/run.py` drives them).
//!
//! - `gen`: the benchmark's data set as one Parquet file sorted by (customer_id, ts);
//! - `scan`: the full journey scan (S) over a store;
//! - `q0`: events and exact distinct customers per event name (Q0) over a store;
//! - `q1`: the 5-step ordered funnel (Q1), optionally broken down by channel;
//! - `q2`: the top 20 paths of depth 5 from the first view_item (Q2);
//! - `q3`: weekly cohort retention over 12 weeks (Q3);
//! - `load`: a load generator for `tropa serve` (`/v1/batch`), see `bench/load.sh`.
//!
//! Two rayon threads unless `--threads` or `RAYON_NUM_THREADS` say otherwise (BENCH.md protocol).

mod funnel;
mod gen;
mod load;
mod model;
mod paths;
mod query;
mod retention;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "tropa-bench", about = "macro benchmark of tropa against DuckDB and ClickHouse (chdb)")]
struct Cli {
    /// Worker threads.
    #[arg(long, global = true, env = "RAYON_NUM_THREADS", default_value_t = 2)]
    threads: usize,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the data set to Parquet.
    Gen(gen::GenArgs),
    /// Full journey scan (CountFold).
    Scan(query::QueryArgs),
    /// Events and distinct customers per event name (the `tropa stats` fold).
    Q0(query::Q0Args),
    /// The 5-step ordered funnel (FunnelFold), optionally broken down by channel.
    Q1(funnel::Q1Args),
    /// The top 20 paths of depth 5 from the first view_item (PathsFold).
    Q2(query::QueryArgs),
    /// Weekly cohort retention over 12 weeks (RetentionFold).
    Q3(query::QueryArgs),
    /// Load a running `tropa serve` with /v1/batch requests; print events/s and latency.
    Load(load::LoadArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    rayon::ThreadPoolBuilder::new().num_threads(cli.threads.max(1)).build_global()?;
    match cli.command {
        Command::Gen(a) => gen::run(a),
        Command::Scan(a) => query::scan(a),
        Command::Q0(a) => query::q0(a),
        Command::Q1(a) => funnel::q1(a),
        Command::Q2(a) => paths::q2(a),
        Command::Q3(a) => retention::q3(a),
        Command::Load(a) => load::run(a),
    }
}
