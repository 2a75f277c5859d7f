//! `tropa funnel`: conversion through ordered steps, with breakdown, trend and where drop-offs went.

use std::path::Path;

use clap::Args;
use tropa_app::request::NamedEvents;
use tropa_app::request::{ExclusionRequest, FunnelRequest, FunnelStepRequest};

use super::translate::{Names, Translation};
use crate::lang::tr;
use crate::table::{duration, int, percent, print, print_json, Table};
use crate::OutFormat;

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

/// The query API's request for the arguments, and how the CLI names its fields; a flag's own syntax (`?STEP`,
/// `N=MIN..MAX`, `N:EVENT`) is read here, everything else by the translator.
pub fn request(args: &FunnelArgs) -> (FunnelRequest, Names) {
    let mut names = Names::default();
    let mut steps: Vec<FunnelStepRequest> = args
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            names.typed(format!("steps[{i}].event"), s);
            let (optional, text) = match s.trim().strip_prefix('?') {
                Some(rest) => (true, rest.trim()),
                None => (false, s.as_str()),
            };
            FunnelStepRequest { event: text.to_string(), optional, min_time: None, max_time: None }
        })
        .collect();
    for l in &args.limits {
        let flag = format!("--step-limit '{l}'");
        let Some((n, range)) = l.split_once('=') else {
            names.syntax(&flag, tr("write N=MIN..MAX, e.g. 3=10m..2d", "укажите N=МИН..МАКС, например 3=10m..2d"));
            continue;
        };
        let Ok(n) = n.trim().parse::<usize>() else {
            names.syntax(&flag, tr("N must be a step number", "N должно быть номером шага"));
            continue;
        };
        if n < 2 || n > steps.len() {
            let (en, ru) =
                ("step {n} has no previous step (use 2..{last})", "у шага {n} нет предыдущего (используйте 2..{last})");
            let reason = tr(en, ru).replace("{n}", &n.to_string()).replace("{last}", &steps.len().to_string());
            names.syntax(&flag, reason);
            continue;
        }
        let Some((lo, hi)) = range.split_once("..") else {
            names
                .syntax(&flag, tr("write MIN..MAX, either may be empty", "укажите МИН..МАКС, любое может быть пустым"));
            continue;
        };
        let given = |t: &str| (!t.trim().is_empty()).then(|| t.trim().to_string());
        let step = &mut steps[n - 1];
        (step.min_time, step.max_time) = (given(lo), given(hi));
        names.typed(format!("steps[{}].min_time", n - 1), l);
        names.typed(format!("steps[{}].max_time", n - 1), l);
    }
    let mut exclusions = Vec::new();
    for x in &args.exclusions {
        let flag = format!("--exclude '{x}'");
        let Some((n, text)) = x.split_once(':') else {
            names.syntax(
                &flag,
                tr("write N:EVENT, e.g. 2:support_ticket", "укажите N:СОБЫТИЕ, например 2:support_ticket"),
            );
            continue;
        };
        let Ok(after) = n.trim().parse::<usize>() else {
            names.syntax(&flag, tr("N must be a step number", "N должно быть номером шага"));
            continue;
        };
        names.typed(format!("exclusions[{}].event", exclusions.len()), x);
        exclusions.push(ExclusionRequest { after, event: text.to_string() });
    }
    let request = FunnelRequest {
        steps,
        mode: Some(args.mode.clone()),
        window: Some(args.window.clone()),
        exclusions,
        breakdown: args.breakdown.clone(),
        trend: args.trend.clone(),
        from: args.from.clone(),
        to: args.to.clone(),
        top: Some(args.top),
        filters: args.filter.request(&mut names),
    };
    (request, names)
}

pub fn run(data: &Path, settings: tropa_core::settings::ProjectSettings, args: FunnelArgs) -> anyhow::Result<()> {
    let (req, names) = request(&args);
    let mut t = Translation::new(&settings, &req.filters, names);
    let spec = req.spec(&mut t.problems);
    let scoped = t
        .finish(spec, &req.filters, &args.filter, req.events())?
        .with_breakdown(tropa_app::request::NamedEvents::breakdown(&req));
    let store = super::open_existing(data)?;
    let r = scoped.report(&store, tropa_engine::report::funnel)?;
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
