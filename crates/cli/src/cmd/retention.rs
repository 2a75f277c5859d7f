//! `tropa retention`: cohorts by first occurrence of an event, how many come back period after period, the
//! overall curve, a breakdown and the repeat rate within a window.

use std::path::Path;

use clap::Args;
use tropa_app::request::NamedEvents;
use tropa_app::request::RetentionRequest;
use tropa_core::analysis::period::Period;
use tropa_core::analysis::retention::{Curve, RetentionMode, RetentionReport};

use super::translate::{Names, Translation};
use crate::lang::tr;
use crate::table::{int, percent, print, print_json, Table};
use crate::OutFormat;

#[derive(Args)]
pub struct RetentionArgs {
    /// Cohort entry: each customer's first `EVENT [where FIELD OP VALUE and …]`; `*` is the first activity,
    /// `purchase` the first purchase.
    #[arg(long, value_name = "EVENT", default_value = "*")]
    start: String,
    /// What counts as coming back: `EVENT [where …]`; `*` is any event.
    #[arg(long = "return", value_name = "EVENT", default_value = "*")]
    return_event: String,
    /// Cohort and column period: day, week (from Monday) or month, in the project's time zone (or --time-zone).
    #[arg(long, default_value = "week")]
    period: String,
    /// Columns after the entry period (1..400).
    #[arg(long, default_value_t = 12)]
    periods: usize,
    /// on (came back in period k) or on-or-after (in period k or any later one).
    #[arg(long, default_value = "on")]
    mode: String,
    /// Split by a field of the entry event (channel, campaign, source, a property), `trait.KEY` or
    /// `first_channel`.
    #[arg(long)]
    breakdown: Option<String>,
    /// Also the share of customers who do the return event again within this time of entry: 30d, 2w …
    #[arg(long = "repeat-within", value_name = "DURATION")]
    repeat_within: Option<String>,
    /// Only customers whose entry (first start event ever) is at or after this time (RFC 3339, or YYYY-MM-DD in the report's time zone).
    #[arg(long)]
    from: Option<String>,
    /// Only customers whose entry is before this time.
    #[arg(long)]
    to: Option<String>,
    /// The data is complete up to this time; later events are ignored and later periods are not observed yet.
    /// Default: just after the latest event.
    #[arg(long)]
    now: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: OutFormat,
    #[command(flatten)]
    filter: super::scope::FilterArgs,
}

/// The query API's request for the arguments, and how the CLI names its fields.
pub fn request(args: &RetentionArgs) -> (RetentionRequest, Names) {
    let mut names = Names::default();
    names.typed("start", &args.start);
    names.typed("return", &args.return_event);
    let request = RetentionRequest {
        start: Some(args.start.clone()),
        return_event: Some(args.return_event.clone()),
        period: Some(args.period.clone()),
        periods: Some(args.periods),
        mode: Some(args.mode.clone()),
        breakdown: args.breakdown.clone(),
        repeat_within: args.repeat_within.clone(),
        from: args.from.clone(),
        to: args.to.clone(),
        now: args.now.clone(),
        filters: args.filter.request(&mut names),
    };
    (request, names)
}

fn cells(c: &Curve) -> Vec<String> {
    let mut row = vec![int(c.customers)];
    row.extend(c.rates.iter().map(|r| r.map_or("-".to_string(), percent)));
    row
}

fn period_name(p: Period) -> &'static str {
    match p {
        Period::Day => tr("days since entry", "дней после входа"),
        Period::Week => tr("weeks since entry", "недель после входа"),
        Period::Month => tr("months since entry", "месяцев после входа"),
    }
}

/// The report as text: the cohort grid with the overall curve, the breakdown and the repeat rate.
pub fn render(r: &RetentionReport) -> String {
    let mut head = vec![tr("cohort", "когорта").to_string(), tr("customers", "клиентов").to_string()];
    head.extend((0..=r.periods).map(|k| k.to_string()));
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    let mut t = Table::new(&head);
    for c in &r.cohorts {
        let mut row = vec![c.cohort.clone()];
        row.extend(cells(&c.curve));
        t.row(row);
    }
    let mut all = vec![tr("all", "все").to_string()];
    all.extend(cells(&r.overall));
    t.row(all);
    let mut out = format!(
        "{}, {} ({}: {})\n",
        period_name(r.period),
        tr("% of the cohort who came back", "% когорты, кто вернулся"),
        tr("mode", "режим"),
        match r.mode {
            RetentionMode::On => tr("in that period", "в этом периоде"),
            RetentionMode::OnOrAfter => tr("in that period or later", "в этом периоде или позже"),
        }
    );
    out.push_str(&t.render());
    out.push_str(&format!(
        "{} {}; {}\n",
        tr("data up to", "данные до"),
        r.observed_until.as_deref().unwrap_or("—"),
        tr(
            "- = not observed yet; the last filled column of a row may be incomplete",
            "- = ещё не наблюдался; последний заполненный столбец строки может быть неполным"
        )
    ));
    if !r.breakdown.is_empty() {
        let mut head = vec![tr("breakdown", "разрез").to_string(), tr("customers", "клиентов").to_string()];
        head.extend((0..=r.periods).map(|k| k.to_string()));
        let head: Vec<&str> = head.iter().map(String::as_str).collect();
        let mut t = Table::new(&head);
        for b in &r.breakdown {
            let mut row = vec![b.value.clone()];
            row.extend(cells(&b.curve));
            t.row(row);
        }
        out.push('\n');
        out.push_str(&t.render());
    }
    if let Some(rep) = &r.repeat {
        out.push_str(&format!(
            "\n{} {} {}: {} {} {} {} ({}); {} {}\n",
            tr("repeat within", "повтор в течение"),
            rep.within_days,
            tr("d", "дн."),
            int(rep.repeated),
            tr("of", "из"),
            int(rep.customers),
            tr("customers", "клиентов"),
            rep.rate.map_or("—".to_string(), percent),
            int(rep.excluded),
            tr("entered too recently to count", "вошли слишком недавно и не учтены"),
        ));
    }
    out
}

pub fn run(data: &Path, settings: tropa_core::settings::ProjectSettings, args: RetentionArgs) -> anyhow::Result<()> {
    let (req, names) = request(&args);
    let mut t = Translation::new(&settings, &req.filters, names);
    let spec = req.spec(&mut t.problems);
    let scoped = t
        .finish(spec, &req.filters, &args.filter, req.events())?
        .with_breakdown(tropa_app::request::NamedEvents::breakdown(&req));
    let store = super::open_existing(data)?;
    let r = scoped.report(&store, tropa_engine::report::retention)?;
    if args.format == OutFormat::Json {
        return print_json(&r);
    }
    print(&render(&r))
}
