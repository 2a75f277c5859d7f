//! `tropa attribution`: conversions and revenue credited to each channel (source, campaign, any field) by every
//! attribution model, side by side, with the journeys behind them.

use std::path::Path;

use clap::Args;
use tropa_app::request::AttributionRequest;
use tropa_core::analysis::attribution::{AttributionReport, Model};

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
        filters: args.filter.request(&mut names),
    };
    (request, names)
}

pub fn run(data: &Path, settings: tropa_core::settings::ProjectSettings, args: AttributionArgs) -> anyhow::Result<()> {
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
    if args.format == OutFormat::Json {
        return print_json(&r);
    }
    print(&render(&r, &models))
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
    for (title, revenue) in [(tr("Conversions", "Конверсии"), false), (tr("Revenue", "Выручка"), true)] {
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
    let mut t = Table::new(&[
        tr("label", "метка"),
        tr("assisted", "ассоциированных"),
        tr("last touch", "последнее касание"),
    ]);
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
