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

use tropa_core::analysis::experiment::fold::{ExperimentFold, ExperimentSpec, MetricDef};
use tropa_core::analysis::experiment::report::{report, Evaluation};
use tropa_core::analysis::filter::EventMatch;
use tropa_core::settings::ProjectSettings;

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
    /// Evaluate an experiment over the stored events (JSON report): who was exposed to which variant and what
    /// they did afterwards, with every statistic per metric.
    Results(ResultsArgs),
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

#[derive(Args)]
struct ResultsArgs {
    /// The experiment's key (the exposure's `experiment` property).
    #[arg(long)]
    key: String,
    /// The exposure event (with optional conditions).
    #[arg(long, default_value = "experiment_exposure")]
    exposure: String,
    /// The variants, control first.
    #[arg(long, value_delimiter = ',', default_value = "A,B")]
    variants: Vec<String>,
    /// Intended split (default equal).
    #[arg(long, value_delimiter = ',')]
    weights: Vec<f64>,
    /// A metric: `conversion:EVENT:WINDOW`, `revenue:WINDOW`, `events:WINDOW`, `retention:DAY`,
    /// `time_to_convert:EVENT:WINDOW` (windows like 7d, 12h); the first is the primary one.
    #[arg(long = "metric", required = true)]
    metrics: Vec<String>,
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    /// The sequential test's tuning parameter (expected total customers).
    #[arg(long, default_value_t = 5000.0)]
    tuning: f64,
    /// Exposures from (RFC 3339 or YYYY-MM-DD in the project's time zone).
    #[arg(long)]
    since: Option<String>,
    /// Exposures until (exclusive).
    #[arg(long)]
    until: Option<String>,
}

pub fn run(
    data: &std::path::Path,
    settings: anyhow::Result<ProjectSettings>,
    args: ExperimentArgs,
) -> anyhow::Result<()> {
    match args.command {
        ExperimentCommand::Stats { file } => stats(file),
        ExperimentCommand::Size(a) => size(a),
        ExperimentCommand::Results(a) => results(data, settings?, a),
    }
}

fn window(arg: &str, text: &str) -> anyhow::Result<i64> {
    let (num, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let n: i64 = num.parse().map_err(|_| {
        UserError::arg(
            arg,
            format!("'{text}': {}", tr("a window is a number and a unit: 7d, 12h", "окно — число и единица: 7d, 12h")),
        )
    })?;
    let unit_ms = match unit {
        "d" => 86_400_000,
        "h" => 3_600_000,
        "m" => 60_000,
        _ => {
            return Err(UserError::arg(
                arg,
                format!("'{text}': {}", tr("the unit is d, h or m", "единица — d, h или m")),
            ))
        }
    };
    Ok(n * unit_ms)
}

fn metric(text: &str) -> anyhow::Result<MetricDef> {
    let arg = format!("--metric {text}");
    let parts: Vec<&str> = text.splitn(3, ':').collect();
    let event = |t: &str| EventMatch::parse(t).map_err(|e| UserError::arg(&arg, crate::lang::words(&e)));
    Ok(match parts.as_slice() {
        ["conversion", e, w] => MetricDef::Conversion { event: event(e)?, window: window(&arg, w)? },
        ["time_to_convert", e, w] => MetricDef::TimeToConvert { event: event(e)?, window: window(&arg, w)? },
        ["revenue", w] => MetricDef::Revenue { window: window(&arg, w)? },
        ["events", w] => MetricDef::Events { window: window(&arg, w)? },
        ["retention", d] => MetricDef::Retention {
            day: d.parse().map_err(|_| UserError::arg(&arg, tr("the day is a whole number", "день — целое число")))?,
        },
        _ => {
            return Err(UserError::arg(
                &arg,
                tr(
                    "use conversion:EVENT:WINDOW, revenue:WINDOW, events:WINDOW, retention:DAY or time_to_convert:EVENT:WINDOW",
                    "используйте conversion:СОБЫТИЕ:ОКНО, revenue:ОКНО, events:ОКНО, retention:ДЕНЬ или time_to_convert:СОБЫТИЕ:ОКНО",
                ),
            ))
        }
    })
}

fn results(data: &std::path::Path, settings: ProjectSettings, a: ResultsArgs) -> anyhow::Result<()> {
    let calendar = settings.calendar;
    let exposure = EventMatch::parse(&a.exposure).map_err(|e| UserError::arg("--exposure", crate::lang::words(&e)))?;
    let metrics = a.metrics.iter().map(|m| metric(m)).collect::<anyhow::Result<Vec<_>>>()?;
    let weights = if a.weights.is_empty() { vec![1.0; a.variants.len()] } else { a.weights.clone() };
    if weights.len() != a.variants.len() {
        return Err(UserError::arg("--weights", tr("give one weight per variant", "укажите по весу на вариант")));
    }
    let spec = ExperimentSpec {
        key: a.key.clone(),
        exposure,
        experiment_property: "experiment".into(),
        variant_property: "variant".into(),
        variants: a.variants.clone(),
        start: super::optional_instant(calendar, "--since", &a.since)?,
        end: super::optional_instant(calendar, "--until", &a.until)?,
        metrics,
        calendar,
    };
    let store = super::open_existing(data)?;
    let engine: &dyn tropa_engine::Engine = &store;
    let started = std::time::Instant::now();
    let fold = ExperimentFold::new(spec.clone(), &engine.dictionaries());
    let columns = fold.columns();
    let (acc, _) = super::engine_report(tropa_engine::report::scoped_fold(
        engine,
        fold,
        columns,
        tropa_core::analysis::scope::ScopeSpec::default(),
        Vec::new(),
    ))?;
    let ev = Evaluation { alpha: a.alpha, tuning: a.tuning, weights };
    let r = report(&spec, &acc, &ev).map_err(|e| UserError(e.to_string()))?;
    tracing::debug!(elapsed_ms = started.elapsed().as_millis() as u64, "experiment evaluated");
    print_json(&r)
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
