//! `tropa experiment`: evaluates A/B tests. Variants are assigned by the site's own tool (any feature-flag
//! system); tropa only evaluates.
//!
//! - `tropa experiment stats [FILE]` reads one JSON request (or an array of them) of per-variant sufficient
//!   statistics from FILE or stdin and prints the statistics as JSON (see
//!   [`tropa_core::analysis::experiment::request`]); the reference tests send all their cases in one call.
//! - `tropa experiment size --baseline 0.1 --effect 0.01` prints the customers per variant needed
//!   (`--units N` instead of `--effect` prints the minimum detectable effect).

mod text;

use std::io::Read;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use tropa_core::analysis::experiment::request::{answer, SizeRequest, StatsReport, StatsRequest};

use std::path::Path;

use tropa_app::experiments;
use tropa_app::layout::open_meta;
use tropa_app::now_ms;
use tropa_core::analysis::experiment::capping::Cap;
use tropa_core::analysis::experiment::definition::{DecisionRule, ExperimentDefinition, FunnelDef, VariantDef};
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
    /// Define an experiment (or change its definition) before it starts, with its decision rule.
    Create(Box<DefineArgs>),
    /// The project's experiments (JSON).
    List,
    /// One experiment's definition (JSON).
    Show { key: String },
    /// Delete an experiment's definition (the events stay).
    Delete { key: String },
    /// Evaluate an experiment over the stored events: who was exposed to which variant, what they did
    /// afterwards per metric, the sample-ratio check, the journey per variant, and the decision the rule gives
    /// (`--format json`: every statistic, as the API returns it).
    Results {
        key: String,
        /// Evaluate as of this time (default: now).
        #[arg(long)]
        now: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
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

#[derive(Args)]
struct DefineArgs {
    /// The experiment's key (the exposure's `experiment` property).
    key: String,
    /// What the change should do, in words.
    #[arg(long, default_value = "")]
    hypothesis: String,
    /// The exposure event (with optional conditions).
    #[arg(long, default_value = "experiment_exposure")]
    exposure: String,
    /// The variants, control first.
    #[arg(long, value_delimiter = ',', default_value = "A,B")]
    variants: Vec<String>,
    /// Intended split (default equal).
    #[arg(long, value_delimiter = ',')]
    weights: Vec<f64>,
    /// The primary metric: `conversion:EVENT:WINDOW`, `revenue:WINDOW`, `events:WINDOW`, `retention:DAY`,
    /// `time_to_convert:EVENT:WINDOW`, `funnel:STEP->STEP:WINDOW`, `ratio:METRIC/METRIC` (windows like 7d, 12h).
    #[arg(long)]
    primary: String,
    /// A guardrail metric (same forms; repeatable).
    #[arg(long = "guardrail")]
    guardrails: Vec<String>,
    /// Exposures from (YYYY-MM-DD or RFC 3339, the project's time zone).
    #[arg(long, default_value = "")]
    start: String,
    /// Exposures until (exclusive).
    #[arg(long, default_value = "")]
    end: String,
    /// The decision rule: significance level.
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    /// The decision rule: the smallest relative lift worth shipping (0.02 = 2 %).
    #[arg(long, default_value_t = 0.0)]
    min_effect: f64,
    /// The decision rule: full weeks to run before deciding.
    #[arg(long, default_value_t = 1)]
    min_weeks: u32,
    /// A step of the funnel compared per variant (repeatable, in order; none: the first funnel metric's).
    #[arg(long = "funnel-step")]
    funnel_steps: Vec<String>,
    /// The funnel's window after the exposure.
    #[arg(long, default_value = "7d")]
    funnel_window: String,
    /// Cap each customer's revenue at this percentile of all customers' values (0.99 = the 99th).
    #[arg(long, conflicts_with = "cap_fixed")]
    cap_percentile: Option<f64>,
    /// Cap each customer's revenue at this value.
    #[arg(long)]
    cap_fixed: Option<f64>,
}

impl DefineArgs {
    fn capping(&self) -> Option<Cap> {
        self.cap_percentile.map(Cap::Percentile).or(self.cap_fixed.map(Cap::Fixed))
    }

    fn definition(&self) -> ExperimentDefinition {
        ExperimentDefinition {
            key: self.key.clone(),
            hypothesis: self.hypothesis.clone(),
            variants: self
                .variants
                .iter()
                .enumerate()
                .map(|(i, n)| VariantDef { name: n.clone(), weight: self.weights.get(i).copied().unwrap_or(1.0) })
                .collect(),
            exposure: self.exposure.clone(),
            experiment_property: "experiment".into(),
            variant_property: "variant".into(),
            start: self.start.clone(),
            end: self.end.clone(),
            primary: self.primary.clone(),
            guardrails: self.guardrails.clone(),
            rule: DecisionRule { alpha: self.alpha, min_effect: self.min_effect, min_weeks: self.min_weeks },
            capping: self.capping(),
            funnel: (!self.funnel_steps.is_empty())
                .then(|| FunnelDef { steps: self.funnel_steps.clone(), window: self.funnel_window.clone() }),
        }
    }
}

/// Where the command works.
pub struct Place<'a> {
    pub root: &'a Path,
    pub data: &'a Path,
    pub project: &'a str,
}

pub fn run(place: Place<'_>, settings: anyhow::Result<ProjectSettings>, args: ExperimentArgs) -> anyhow::Result<()> {
    match args.command {
        ExperimentCommand::Stats { file } => stats(file),
        ExperimentCommand::Size(a) => size(a),
        ExperimentCommand::Create(a) => {
            let meta = open_meta(place.root)?;
            let def = a.definition();
            experiments::save(&meta, &super::audit::who(), place.project, &def, settings?.calendar, now_ms())
                .map_err(definition_error)?;
            println!("{} {}", tr("saved experiment", "сохранён эксперимент"), def.key);
            Ok(())
        }
        ExperimentCommand::List => {
            let meta = open_meta(place.root)?;
            let list = experiments::list(&meta, place.project).map_err(super::app_error)?;
            print_json(&list)
        }
        ExperimentCommand::Show { key } => {
            let meta = open_meta(place.root)?;
            print_json(&experiments::get(&meta, place.project, &key).map_err(super::app_error)?)
        }
        ExperimentCommand::Delete { key } => {
            let meta = open_meta(place.root)?;
            experiments::delete(&meta, &super::audit::who(), place.project, &key, now_ms())
                .map_err(super::app_error)?;
            println!("{} {key}", tr("deleted experiment", "удалён эксперимент"));
            Ok(())
        }
        ExperimentCommand::Results { key, now, format } => {
            let settings = settings?;
            let meta = open_meta(place.root)?;
            let def = experiments::get(&meta, place.project, &key).map_err(super::app_error)?;
            let now = match now {
                Some(t) => super::instant(settings.calendar, "--now", &t)?,
                None => now_ms(),
            };
            let store = super::open_existing(place.data)?;
            let started = std::time::Instant::now();
            let stages = tropa_app::definitions::project(&meta, place.project).map_err(super::app_error)?.definition;
            let r =
                experiments::evaluate(&store, &def, settings.calendar, now, Some(&stages)).map_err(definition_error)?;
            tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "experiment evaluated");
            match format {
                OutFormat::Json => print_json(&r),
                OutFormat::Table => crate::table::print(&text::render(&r)),
            }
        }
    }
}

/// A definition's problems are the user's; the rest as any application error.
fn definition_error(e: tropa_app::AppError) -> anyhow::Error {
    match &e {
        tropa_app::AppError::Invalid { .. } => UserError(e.words(crate::lang::lang())).into(),
        _ => super::app_error(e),
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
