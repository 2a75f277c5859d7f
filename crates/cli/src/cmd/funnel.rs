//! `tropa funnel`: conversion through ordered steps, with breakdown, trend and where drop-offs went.

use std::path::Path;

use clap::Args;
use tropa_core::analysis::filter::EventMatch;
use tropa_core::analysis::funnel::{Breakdown, Exclusion, FunnelMode, FunnelReport, FunnelSpec, Period, Step};
use tropa_core::analysis::scope::{CustomerTest, ScopeSpec};
use tropa_core::time::parse_duration;
use tropa_engine::Engine;

use crate::lang::tr;
use crate::table::{duration, int, percent, print, print_json, Table};
use crate::{OutFormat, UserError};

#[derive(Args)]
pub struct FunnelArgs {
    /// A step: `EVENT [where FIELD OP VALUE and …]`; prefix `?` for an optional step. Give two or more, in order.
    #[arg(long = "step", value_name = "STEP", required = true)]
    steps: Vec<String>,
    /// ordered (other events may happen between steps), strict (none may) or any (any order).
    #[arg(long, default_value = "ordered")]
    mode: String,
    /// Conversion window from the first step: 30m, 36h, 7d, 2w …
    #[arg(long, default_value = "7d")]
    window: String,
    /// Time limits between a step and the one before it: `3=10m..2d`, `2=..1h`, `4=1d..`.
    #[arg(long = "step-limit", value_name = "N=MIN..MAX")]
    limits: Vec<String>,
    /// Exclusion: `2:support_ticket` — doing it between step 2 and 3 stops the customer at step 2.
    #[arg(long = "exclude", value_name = "N:STEP")]
    exclusions: Vec<String>,
    /// Split by a field of the first step (channel, campaign, source, a property), `trait.KEY` or `first_channel`.
    #[arg(long)]
    breakdown: Option<String>,
    /// Conversion by entry period: day, week or month.
    #[arg(long)]
    trend: Option<String>,
    /// Only customers whose first step is at or after this time (RFC 3339 or YYYY-MM-DD).
    #[arg(long)]
    from: Option<String>,
    /// Only customers whose first step is before this time.
    #[arg(long)]
    to: Option<String>,
    /// Next events shown per drop-off step.
    #[arg(long, default_value_t = 5)]
    top: usize,
    #[arg(long, value_enum, default_value = "table")]
    format: OutFormat,
    #[command(flatten)]
    filter: super::scope::FilterArgs,
}

/// Builds the spec from the arguments; every error names its argument.
pub fn spec(args: &FunnelArgs) -> anyhow::Result<FunnelSpec> {
    let cal = args.filter.calendar()?;
    let mut steps = Vec::new();
    for s in &args.steps {
        let (optional, text) = match s.trim().strip_prefix('?') {
            Some(rest) => (true, rest),
            None => (false, s.as_str()),
        };
        let matcher =
            EventMatch::parse(text).map_err(|e| UserError::arg(&format!("--step '{s}'"), crate::lang::words(&e)))?;
        steps.push(Step { matcher, optional, min_ms: None, max_ms: None });
    }
    for l in &args.limits {
        let (n, range) = l
            .split_once('=')
            .ok_or_else(|| UserError::arg(&format!("--step-limit {l}"), "write N=MIN..MAX, e.g. 3=10m..2d"))?;
        let n: usize =
            n.trim().parse().map_err(|_| UserError::arg(&format!("--step-limit {l}"), "N must be a step number"))?;
        if n < 2 || n > steps.len() {
            return Err(UserError::arg(
                &format!("--step-limit {l}"),
                format!("step {n} has no previous step (use 2..{})", steps.len()),
            ));
        }
        let (lo, hi) = range
            .split_once("..")
            .ok_or_else(|| UserError::arg(&format!("--step-limit {l}"), "write MIN..MAX, either may be empty"))?;
        let d = |t: &str| -> anyhow::Result<Option<i64>> {
            if t.trim().is_empty() {
                Ok(None)
            } else {
                parse_duration(t)
                    .map(Some)
                    .map_err(|e| UserError::arg(&format!("--step-limit {l}"), crate::lang::words(&e)))
            }
        };
        steps[n - 1].min_ms = d(lo)?;
        steps[n - 1].max_ms = d(hi)?;
    }
    let mut exclusions = Vec::new();
    for x in &args.exclusions {
        let (n, text) = x
            .split_once(':')
            .ok_or_else(|| UserError::arg(&format!("--exclude {x}"), "write N:EVENT, e.g. 2:support_ticket"))?;
        let after: usize =
            n.trim().parse().map_err(|_| UserError::arg(&format!("--exclude {x}"), "N must be a step number"))?;
        let matcher =
            EventMatch::parse(text).map_err(|e| UserError::arg(&format!("--exclude {x}"), crate::lang::words(&e)))?;
        exclusions.push(Exclusion { matcher, after });
    }
    let spec = FunnelSpec {
        steps,
        mode: FunnelMode::parse(&args.mode).map_err(|e| UserError::arg("--mode", e))?,
        window_ms: parse_duration(&args.window).map_err(|e| UserError::arg("--window", crate::lang::words(&e)))?,
        exclusions,
        breakdown: args.breakdown.as_deref().map(Breakdown::parse),
        trend: args.trend.as_deref().map(Period::parse).transpose().map_err(|e| UserError::arg("--trend", e))?,
        calendar: cal,
        from: super::optional_instant(cal, "--from", &args.from)?,
        to: super::optional_instant(cal, "--to", &args.to)?,
        dropoff_top: args.top,
    };
    spec.validate().map_err(super::spec_error)?;
    Ok(spec)
}
/// The report, through the one implementation the HTTP API uses too ([`tropa_engine::report`]).
pub fn report(
    engine: &dyn Engine,
    spec: FunnelSpec,
    scope: ScopeSpec,
    tests: Vec<Box<dyn CustomerTest>>,
) -> anyhow::Result<FunnelReport> {
    super::engine_report(tropa_engine::report::funnel(engine, spec, scope, tests))
}

pub fn run(data: &Path, settings: tropa_core::settings::ProjectSettings, mut args: FunnelArgs) -> anyhow::Result<()> {
    args.filter.project = settings;
    let spec = spec(&args)?;
    let scope = args.filter.spec()?;
    let store = super::open_existing(data)?;
    let tests = args.filter.tests(&store)?;
    let r = report(&store, spec, scope, tests)?;
    if args.format == OutFormat::Json {
        return print_json(&r);
    }
    let mut t = Table::new(&[
        "#",
        tr("step", "шаг"),
        tr("customers", "клиентов"),
        tr("of first", "от первого"),
        tr("of previous", "от предыдущего"),
        tr("dropped", "отвалилось"),
        tr("median time", "медиана времени"),
        tr("p90 time", "p90 времени"),
    ]);
    for (i, s) in r.steps.iter().enumerate() {
        t.row(vec![
            (i + 1).to_string(),
            s.event.clone(),
            int(s.customers),
            percent(s.conversion),
            percent(s.conversion_from_previous),
            int(s.dropoff),
            duration(s.median_seconds),
            duration(s.p90_seconds),
        ]);
    }
    let mut out = t.render();
    if !r.breakdown.is_empty() {
        let mut t = Table::new(&[
            tr("breakdown", "разрез"),
            tr("entered", "вошли"),
            tr("converted", "дошли"),
            tr("conversion", "конверсия"),
        ]);
        for b in &r.breakdown {
            t.row(vec![b.value.clone(), int(b.customers), int(b.converted), percent(b.conversion)]);
        }
        out.push('\n');
        out.push_str(&t.render());
    }
    if !r.trend.is_empty() {
        let mut t = Table::new(&[
            tr("entered in", "вход в период"),
            tr("entered", "вошли"),
            tr("converted", "дошли"),
            tr("conversion", "конверсия"),
        ]);
        for p in &r.trend {
            t.row(vec![p.period.clone(), int(p.entered), int(p.converted), percent(p.conversion)]);
        }
        out.push('\n');
        out.push_str(&t.render());
    }
    if !r.dropoff_next.is_empty() {
        let mut t = Table::new(&[
            tr("stopped after step", "остановились после шага"),
            tr("next event", "следующее событие"),
            tr("customers", "клиентов"),
            tr("share", "доля"),
        ]);
        for d in &r.dropoff_next {
            let next = d.event.clone().unwrap_or_else(|| tr("(end of journey)", "(конец пути)").to_string());
            t.row(vec![d.after_step.to_string(), next, int(d.customers), percent(d.share)]);
        }
        out.push('\n');
        out.push_str(&t.render());
    }
    print(&out)
}
