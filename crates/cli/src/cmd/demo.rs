//! `tropa demo generate`: realistic journeys of an online store from `tropa-synth`, generated in parallel and
//! filed straight into parts (bounded memory: one chunk being written, one being generated).
//! `tropa demo`: fills an empty folder with demo data and shows what to try next.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use clap::{Args, Subcommand};
use rayon::prelude::*;
use tropa_engine::Engine;
use tropa_synth::SynthConfig;

use crate::lang::tr;
use crate::table::{int, print, print_json};
use crate::{OutFormat, UserError};

#[derive(Args)]
pub struct DemoArgs {
    #[command(subcommand)]
    cmd: Option<DemoCmd>,
}

#[derive(Subcommand)]
enum DemoCmd {
    /// Generate demo journeys into the data folder (which must hold no events yet).
    Generate(GenerateArgs),
}

#[derive(Args)]
pub struct GenerateArgs {
    /// Number of customers (about 10 events each).
    #[arg(long, default_value_t = 20_000)]
    customers: u64,
    /// Random seed: the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Customers per part written.
    #[arg(long, default_value_t = 100_000)]
    chunk: u64,
    #[arg(long, value_enum, default_value = "table")]
    output: OutFormat,
}

/// Generates `cfg` into the store; returns (events, seconds).
pub fn generate(store: &tropa_store::Store, cfg: &SynthConfig, chunk: u64, show: bool) -> anyhow::Result<(u64, f64)> {
    let started = Instant::now();
    let bar = (show && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(cfg.customers);
        if let Ok(s) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
            b.set_style(s);
        }
        b
    });
    let make = |lo: u64| -> Vec<tropa_core::Event> {
        let hi = (lo + chunk).min(cfg.customers);
        let step = 2_000u64;
        let pieces: Vec<Vec<tropa_core::Event>> = (lo..hi)
            .step_by(step as usize)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|a| tropa_synth::chunk(cfg, a..(a + step).min(hi)))
            .collect();
        let mut all = Vec::with_capacity(pieces.iter().map(Vec::len).sum());
        for mut p in pieces {
            all.append(&mut p);
        }
        all
    };
    let mut events_total = 0u64;
    let mut lo = 0u64;
    let mut current = if cfg.customers > 0 { Some(make(0)) } else { None };
    while let Some(events) = current.take() {
        let next_lo = lo + chunk;
        let (written, next) =
            rayon::join(|| store.append_sorted(&events), || (next_lo < cfg.customers).then(|| make(next_lo)));
        events_total += written?.accepted;
        lo = next_lo;
        current = next;
        if let Some(b) = &bar {
            b.set_position(lo.min(cfg.customers));
            b.set_message(format!("{} {}", int(events_total), tr("events", "событий")));
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok((events_total, started.elapsed().as_secs_f64()))
}

pub fn run(data: &Path, args: DemoArgs) -> anyhow::Result<()> {
    match args.cmd {
        Some(DemoCmd::Generate(g)) => {
            if g.chunk == 0 {
                return Err(
                    UserError(format!("--chunk: {}", tr("must be at least 1", "должен быть не меньше 1"))).into()
                );
            }
            let store = super::open(data)?;
            if store.summary()?.events > 0 {
                return Err(UserError(format!(
                    "{} '{}' {}",
                    tr("the folder", "папка"),
                    data.display(),
                    tr(
                        "already holds events: generate into an empty --data folder",
                        "уже содержит события: укажите пустую папку --data"
                    )
                ))
                .into());
            }
            let cfg = SynthConfig { customers: g.customers, seed: g.seed, ..SynthConfig::default() };
            let (events, secs) = generate(&store, &cfg, g.chunk, true)?;
            if g.output == OutFormat::Json {
                return print_json(
                    &serde_json::json!({"customers": g.customers, "events": events, "seconds": secs, "events_per_second": events as f64 / secs.max(1e-9)}),
                );
            }
            print(&format!(
                "{} {} {} {} {} ({:.1} s, {:.0} {}/s)\n",
                tr("generated", "создано"),
                int(events),
                tr("events of", "событий"),
                int(g.customers),
                tr("customers", "клиентов"),
                secs,
                events as f64 / secs.max(1e-9),
                tr("events", "событий")
            ))
        }
        None => {
            let store = super::open(data)?;
            let mut summary = store.summary()?;
            if summary.events == 0 {
                eprintln!("{} {}…", tr("generating demo data into", "создаю демо-данные в"), data.display());
                generate(&store, &SynthConfig::default(), 100_000, true)?;
                summary = store.summary()?;
            }
            print(&format!(
                "{}: {} {}, {} {}\n\n{}\n  tropa --data {d} stats\n  tropa --data {d} customer {id}\n  tropa --data {d} export events.parquet\n",
                tr("demo data", "демо-данные"),
                int(summary.customers),
                tr("customers", "клиентов"),
                int(summary.events),
                tr("events", "событий"),
                tr("try:", "попробуйте:"),
                d = data.display(),
                id = store.actor_names(&[tropa_core::ActorId(0)])?.pop().unwrap_or_default(),
            ))
        }
    }
}
