//! `tropa experiment`: evaluates A/B tests. Variants are assigned by the site's own tool (any feature-flag
//! system); tropa only evaluates.
//!
//! - `tropa experiment stats [FILE]` reads one JSON request (or an array of them) of per-variant sufficient
//!   statistics from FILE or stdin and prints the statistics as JSON (see
//!   [`tropa_core::analysis::experiment::request`]); the reference tests send all their cases in one call.
//! - `tropa experiment size --baseline 0.1 --effect 0.01` prints the customers per variant needed
//!   (`--units N` instead of `--effect` prints the minimum detectable effect).

use std::io::Read;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use tropa_core::analysis::experiment::request::{answer, SizeRequest, StatsReport, StatsRequest};

use crate::lang::tr;
use crate::table::print_json;
use crate::{OutFormat, UserError};

#[derive(Args)]
pub struct ExperimentArgs {
    #[command(subcommand)]
    command: ExperimentCommand,
}

#[derive(Subcommand)]
enum ExperimentCommand {
    /// Statistics from per-variant sums: JSON request(s) from FILE or stdin, JSON answers to stdout.
    Stats {
        /// The request file (stdin when absent or `-`).
        file: Option<PathBuf>,
    },
    /// Sample size (with --effect) or minimum detectable effect (with --units) of a two-variant test.
    Size(SizeArgs),
}

#[derive(Args)]
struct SizeArgs {
    /// Baseline conversion rate, 0..1 (for a conversion metric).
    #[arg(long)]
    baseline: Option<f64>,
    /// Standard deviation of one customer's value (for a mean metric).
    #[arg(long)]
    sd: Option<f64>,
    /// The absolute effect to detect (e.g. 0.01 for one percentage point).
    #[arg(long)]
    effect: Option<f64>,
    /// Customers in the control (gives the minimum detectable effect).
    #[arg(long)]
    units: Option<f64>,
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    #[arg(long, default_value_t = 0.8)]
    power: f64,
    /// Customers per treatment for each in the control.
    #[arg(long, default_value_t = 1.0)]
    ratio: f64,
    #[arg(long, value_enum, default_value = "table")]
    format: OutFormat,
}

pub fn run(args: ExperimentArgs) -> anyhow::Result<()> {
    match args.command {
        ExperimentCommand::Stats { file } => stats(file),
        ExperimentCommand::Size(a) => size(a),
    }
}

fn stats(file: Option<PathBuf>) -> anyhow::Result<()> {
    let text = match file.as_deref().filter(|p| p.as_os_str() != "-") {
        Some(p) => std::fs::read_to_string(p)?,
        None => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s)?;
            s
        }
    };
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| UserError(format!("{}: {e}", tr("the request is not JSON", "запрос — не JSON"))))?;
    let one = |v: serde_json::Value| -> anyhow::Result<StatsReport> {
        let req: StatsRequest = serde_json::from_value(v)
            .map_err(|e| UserError(format!("{}: {e}", tr("invalid request", "неверный запрос"))))?;
        Ok(answer(&req))
    };
    match value {
        serde_json::Value::Array(items) => {
            let out = items.into_iter().map(one).collect::<anyhow::Result<Vec<_>>>()?;
            print_json(&out)
        }
        v => print_json(&one(v)?),
    }
}

fn size(a: SizeArgs) -> anyhow::Result<()> {
    let req = StatsRequest::Size(SizeRequest {
        baseline: a.baseline,
        sd: a.sd,
        effect: a.effect,
        units: a.units,
        alpha: a.alpha,
        power: a.power,
        ratio: a.ratio,
    });
    let report = answer(&req);
    if a.format == OutFormat::Json {
        return print_json(&report);
    }
    let plan = match report {
        StatsReport::Size(tropa_core::analysis::experiment::request::Outcome::Ok(p)) => p,
        StatsReport::Size(tropa_core::analysis::experiment::request::Outcome::Err { error }) => {
            return Err(UserError(error).into())
        }
        _ => unreachable!("a size request gets a size answer"),
    };
    println!(
        "{}: {}   {}: {}   {}: {:.6}   α = {}   {}: {:.0} %",
        tr("control", "контроль"),
        plan.control.ceil(),
        tr("each treatment", "каждый вариант"),
        plan.treatment.ceil(),
        tr("effect", "эффект"),
        plan.effect,
        plan.alpha,
        tr("power", "мощность"),
        plan.power * 100.0
    );
    Ok(())
}
