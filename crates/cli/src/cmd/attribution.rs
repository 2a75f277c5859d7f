//! `tropa attribution`: conversions and revenue credited to each channel (source, campaign, any field) by every
//! attribution model, side by side, with the journeys behind them.

use std::path::Path;

use clap::Args;
use tropa_app::request::AttributionRequest;
use tropa_core::analysis::attribution::costs::{CostReport, PeriodEconomics};
use tropa_core::analysis::attribution::{AttributionReport, Model, TouchField};

use super::translate::{Names, Translation};
use crate::lang::tr;
use crate::table::{int, print, print_json, Table};
use crate::OutFormat;

#[derive(Args)]
pub struct AttributionArgs {
    /// The conversion: `purchase`, `purchase where revenue > 1000`.
    #[arg(long, value_name = "STEP")]
    conversion: String,
    /// Count every conversion (each ends a path; the next path starts after it), not only each customer's first.
    #[arg(long)]
    every: bool,
    /// An event that is a touch too (repeatable): `email_open`, `call where duration > 60`.
    #[arg(long = "touch", value_name = "STEP")]
    touches: Vec<String>,
    /// Session entries as touches: entries (gap of 30 min or a new session_id), gap (the gap only), none.
    #[arg(long, value_name = "HOW")]
    sessions: Option<String>,
    /// Attribute to: channel (default), source, medium, campaign or any field (properties.KEY).
    #[arg(long, value_name = "FIELD")]
    by: Option<String>,
    /// Cut touches longer than this before the conversion (default 30d; `none`: keep all).
    #[arg(long, value_name = "DURATION")]
    lookback: Option<String>,
    /// Last significant click: drop direct touches from a path that has any other.
    #[arg(long)]
    ignore_direct: bool,
    /// Time-decay half-life (default 7d).
    #[arg(long, value_name = "DURATION")]
    half_life: Option<String>,
    /// Position-based shares in percent: 40/20/40 (default) or FIRST/LAST.
    #[arg(long, value_name = "SHARES")]
    positions: Option<String>,
    /// Markov chain order, 1 to 3.
    #[arg(long)]
    order: Option<usize>,
    /// Labels Shapley values one by one, 2 to 20 (the rest together as "(other)").
    #[arg(long)]
    players: Option<usize>,
    /// Models shown (repeatable; default all): first, last, last_non_direct, linear, time_decay, position,
    /// markov, shapley.
    #[arg(long = "model", value_name = "MODEL")]
    models: Vec<String>,
    /// Converting sequences listed.
    #[arg(long)]
    top: Option<usize>,
    /// Also attribute each day, week or month (of the project's time zone) on its own; with costs, each
    /// period's spend meets the conversions of the same period.
    #[arg(long, value_name = "PERIOD")]
    period: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: OutFormat,
    #[command(flatten)]
    filter: super::scope::FilterArgs,
}

/// The query API's request for the arguments, and how the CLI names its fields.
pub fn request(args: &AttributionArgs) -> (AttributionRequest, Names) {
    let mut names = Names::default();
    names.typed("conversion", &args.conversion);
    for (i, t) in args.touches.iter().enumerate() {
        names.typed(format!("touches[{i}]"), t);
    }
    let request = AttributionRequest {
        conversion: args.conversion.clone(),
        every: args.every,
        touches: args.touches.clone(),
        sessions: args.sessions.clone(),
        by: args.by.clone(),
        lookback: args.lookback.clone(),
        ignore_direct: args.ignore_direct,
        half_life: args.half_life.clone(),
        positions: args.positions.clone(),
        order: args.order,
        players: args.players,
        top: args.top,
        period: args.period.clone(),
        filters: args.filter.request(&mut names),
    };
    (request, names)
}

pub fn run(
    root: &Path,
    data: &Path,
    project: &str,
    settings: tropa_core::settings::ProjectSettings,
    args: AttributionArgs,
) -> anyhow::Result<()> {
    let (req, mut names) = request(&args);
    let mut models = Vec::new();
    for m in &args.models {
        match Model::parse(m) {
            Some(m) => models.push(m),
            None => names.syntax(
                "--model",
                format!(
                    "'{m}': {}",
                    tr(
                        "use first, last, last_non_direct, linear, time_decay, position, markov or shapley",
                        "укажите first, last, last_non_direct, linear, time_decay, position, markov или shapley"
                    )
                ),
            ),
        }
    }
    if models.is_empty() {
        models = Model::ALL.to_vec();
    }
    let mut t = Translation::new(&settings, &req.filters, names);
    let spec = req.spec(&mut t.problems);
    let events = tropa_app::request::NamedEvents::events(&req);
    let scoped = t.finish(spec, &req.filters, &args.filter, events)?;
    let store = super::open_existing(data)?;
    let r = scoped.report(&store, tropa_engine::report::attribution)?;
    let meta = tropa_app::layout::open_meta(root).map_err(super::app_error)?;
    let (since, until) = (req.filters.since.as_deref(), req.filters.until.as_deref());
    let spend = tropa_app::costs::rows_of_report(&meta, project, since, until).map_err(super::app_error)?;
    let eco = tropa_app::costs::Economics::of(&r, &spend, &spec_by(&req));
    if args.format == OutFormat::Json {
        let mut v = serde_json::to_value(&*r)?;
        if let (serde_json::Value::Object(e), Some(o)) = (serde_json::to_value(&eco)?, v.as_object_mut()) {
            o.extend(e);
        }
        return print_json(&v);
    }
    let mut out = render(&r, &models);
    let currency = settings.currency.to_string();
    if let Some(c) = &eco.costs {
        out.push_str(&render_costs(&r, c, &models, &currency));
    }
    if !eco.period_costs.is_empty() {
        out.push_str(&render_periods(&r, &eco.period_costs, &models, eco.costs.is_some()));
    }
    print(&out)
}

/// Per period and label: spend, then each model's conversions (and with spend, CPA and ROAS).
fn render_periods(r: &AttributionReport, periods: &[PeriodEconomics], models: &[Model], costs: bool) -> String {
    let mut head = vec![tr("period", "период"), tr("label", "метка")];
    if costs {
        head.push(tr("cost", "расход"));
    }
    let names: Vec<String> = models
        .iter()
        .flat_map(|m| {
            let k = m.key();
            if costs {
                vec![k.to_string(), format!("CPA {k}"), format!("ROAS {k}")]
            } else {
                vec![k.to_string()]
            }
        })
        .collect();
    head.extend(names.iter().map(String::as_str));
    let mut t = Table::new(&head);
    for p in periods {
        for l in &p.labels {
            let mut cells = vec![p.period.clone(), l.label.clone()];
            if costs {
                cells.push(num(l.cost));
            }
            for m in models {
                let k = r.models.iter().position(|x| x == m);
                let c = k.and_then(|k| l.credits[k]);
                cells.push(c.map_or("(other)".into(), |c| num(c.conversions)));
                if costs {
                    let e = k.and_then(|k| l.models[k]);
                    cells.push(e.and_then(|e| e.cpa).map_or("—".into(), num));
                    cells.push(e.and_then(|e| e.roas).map_or("—".into(), num));
                }
            }
            t.row(cells);
        }
    }
    format!("\n{}", t.render())
}

fn spec_by(req: &AttributionRequest) -> TouchField {
    req.by.as_deref().map_or_else(TouchField::channel, TouchField::parse)
}

/// Cost, then ROAS and CPA per model; unmatched spend named.
fn render_costs(r: &AttributionReport, c: &CostReport, models: &[Model], currency: &str) -> String {
    let mut out = String::new();
    for (title, roas) in [("ROAS", true), (tr("CPA", "CPA (цена конверсии)"), false)] {
        let mut head = vec![title, tr("cost", "расход")];
        head.extend(models.iter().map(|m| m.key()));
        let mut t = Table::new(&head);
        for l in &c.labels {
            let mut cells = vec![l.label.clone(), num(l.cost)];
            for m in models {
                let e = r.models.iter().position(|x| x == m).and_then(|k| l.models[k]);
                let v = e.and_then(|e| if roas { e.roas } else { e.cpa });
                cells.push(v.map_or("—".into(), num));
            }
            t.row(cells);
        }
        out.push('\n');
        out.push_str(&t.render());
    }
    out.push_str(&format!("\n{}: {} {currency}", tr("spend", "расход"), num(c.total)));
    if !c.unmatched.is_empty() {
        let list: Vec<String> = c.unmatched.iter().map(|(l, v)| format!("{l} {}", num(*v))).collect();
        out.push_str(&format!("; {}: {}", tr("spend no touch matches", "расход без касаний"), list.join(", ")));
    }
    if c.unmappable > 0.0 {
        out.push_str(&format!(
            "; {}: {}",
            tr("not mappable to this field", "не сопоставить с этим полем"),
            num(c.unmappable)
        ));
    }
    out.push('\n');
    out
}

fn num(x: f64) -> String {
    format!("{x:.2}")
}

/// The tables: conversions and revenue per label and model, then the totals and the journeys.
fn render(r: &AttributionReport, models: &[Model]) -> String {
    if r.conversions == 0 {
        return format!(
            "{}\n",
            tr(
                "no conversions: nobody did the --conversion event (tropa stats lists the event names)",
                "конверсий нет: никто не совершил событие --conversion (названия событий покажет tropa stats)"
            )
        );
    }
    let mut out = String::new();
    for (title, revenue) in [(tr("Conversions", "Конверсии"), false), (tr("Revenue", "Выручка"), true)]
    {
        let mut head = vec![title, tr("touches", "касаний")];
        head.extend(models.iter().map(|m| m.key()));
        let mut table = Table::new(&head);
        for row in &r.rows {
            let mut cells = vec![row.label.clone(), int(row.touches)];
            for m in models {
                let c = r.models.iter().position(|x| x == m).and_then(|k| row.credits[k]);
                cells.push(c.map_or("(other)".into(), |c| num(if revenue { c.revenue } else { c.conversions })));
            }
            table.row(cells);
        }
        out.push_str(&table.render());
        out.push('\n');
    }
    out.push_str(&format!(
        "{}: {} ({} {}), {}: {}, {}: {} ({} {})\n",
        tr("conversions", "конверсий"),
        int(r.conversions),
        int(r.unattributed),
        tr("without a touch", "без касаний"),
        tr("revenue", "выручка"),
        num(r.revenue),
        tr("touches", "касаний"),
        int(r.touches),
        int(r.cut_touches),
        tr("cut by the lookback", "отрезано окном атрибуции"),
    ));
    out.push_str(&format!(
        "Markov: {} {}, {} {}, P(conversion) = {:.4}; Shapley: {} {}",
        tr("order", "порядок"),
        r.markov.order,
        r.markov.states,
        tr("states", "состояний"),
        r.markov.conversion_probability,
        r.shapley.players,
        tr("players", "участников"),
    ));
    if !r.shapley.other.is_empty() {
        out.push_str(&format!(", (other) = {}", r.shapley.other.join(", ")));
    }
    out.push('\n');
    let mut seq = Table::new(&[tr("converting sequence", "путь к конверсии"), tr("conversions", "конверсий")]);
    for s in &r.journeys.top_sequences {
        seq.row(vec![s.labels.join(" → "), int(s.conversions)]);
    }
    out.push('\n');
    out.push_str(&seq.render());
    out.push('\n');
    print_assists(r, &mut out);
    out
}

fn print_assists(r: &AttributionReport, out: &mut String) {
    let mut t =
        Table::new(&[tr("label", "метка"), tr("assisted", "ассоциированных"), tr("last touch", "последнее касание")]);
    for a in &r.journeys.assists {
        t.row(vec![a.label.clone(), int(a.assisted), int(a.last)]);
    }
    out.push('\n');
    out.push_str(&t.render());
    out.push_str(&format!(
        "\n{}\n",
        tr(
            "days and touches to convert, channel overlap: --format json",
            "дни и касания до конверсии, пересечение каналов: --format json"
        )
    ));
}
