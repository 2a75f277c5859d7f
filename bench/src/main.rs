//! `tropa-bench`: the macro benchmark's tools (see `bench/README.md`; `bench/run.py` drives them).
//!
//! - `gen`: the benchmark's data set as one Parquet file sorted by (customer_id, ts);
//! - `scan`: the full journey scan (S) over a store;
//! - `q0`: events and exact distinct customers per event name (Q0) over a store.
//!
//! Two rayon threads unless `--threads` or `RAYON_NUM_THREADS` say otherwise (BENCH.md protocol).

mod gen;
mod model;
mod query;

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
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    rayon::ThreadPoolBuilder::new().num_threads(cli.threads.max(1)).build_global()?;
    match cli.command {
        Command::Gen(a) => gen::run(a),
        Command::Scan(a) => query::scan(a),
        Command::Q0(a) => query::q0(a),
    }
}
