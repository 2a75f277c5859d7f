//! `tropa paths`: the top paths after a start event or before an end event, with conversion and a Sankey flow.

use std::path::Path;

use clap::Args;
use tropa_app::request::NamedEvents;
use tropa_app::request::PathsRequest;
use tropa_core::analysis::paths::MAX_DEPTH;

use super::translate::{Names, Translation};
use crate::lang::tr;
use crate::table::{int, percent, print, print_json, Table};
use crate::OutFormat;

#[derive(Args)]
pub struct PathsArgs {
    /// Start at each customer's first such event: `EVENT [where FIELD OP VALUE and …]`.
    #[arg(long, value_name = "STEP")]
    from: Option<String>,
    /// End at each customer's first such event (after --from when both are given); reverse paths without --from.
    #[arg(long, value_name = "STEP")]
    to: Option<String>,
    /// Events per path, 1 to 20.
    #[arg(long, default_value_t = 5)]
    depth: usize,
    /// Count consecutive repeats of an event once.
    #[arg(long)]
    collapse: bool,
    /// Keep a path inside one session: a gap longer than this (30m, 1h …) ends it. Default: the whole journey.
    #[arg(long, value_name = "GAP")]
    session: Option<String>,
    /// Paths listed.
    #[arg(long, default_value_t = 20)]
    top: usize,
    /// Count customers who do this event later in the journey than the path's start: `purchase`, `purchase where …`.
    #[arg(long, value_name = "STEP")]
    conversion: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: OutFormat,
    // with --since/--until the journey, and so the search for the conversion event, is cut to the range
    #[command(flatten)]
    filter: super::scope::FilterArgs,
}

/// The query API's request for the arguments, and how the CLI names its fields.
pub fn request(args: &PathsArgs) -> (PathsRequest, Names) {
    let mut names = Names::default();
    for (path, text) in [("from", &args.from), ("to", &args.to), ("conversion", &args.conversion)] {
        if let Some(t) = text {
            names.typed(path, t);
        }
    }
    if args.from.is_none() && args.to.is_none() {
        names.named("from", "--from/--to");
    }
    let request = PathsRequest {
        from: args.from.clone(),
        to: args.to.clone(),
        depth: Some(args.depth),
        collapse: args.collapse,
        session: args.session.clone(),
        top: Some(args.top),
        conversion: args.conversion.clone(),
        filters: args.filter.request(&mut names),
    };
    (request, names)
}

pub fn run(data: &Path, settings: tropa_core::settings::ProjectSettings, args: PathsArgs) -> anyhow::Result<()> {
    let (req, names) = request(&args);
    let mut t = Translation::new(&settings, &req.filters, names);
    let spec = req.spec(&mut t.problems);
    let scoped = t.finish(spec, &req.filters, &args.filter, req.events())?;
    let store = super::open_existing(data)?;
    let r = scoped.report(&store, tropa_engine::report::paths)?;
    if args.format == OutFormat::Json {
        return print_json(&r);
    }
    if r.paths.is_empty() {
        return print(&format!(
            "{}\n",
            tr(
                "no paths: no customer did the --from/--to event (tropa stats lists the event names)",
                "путей нет: ни один клиент не совершил событие --from/--to (названия событий покажет tropa stats)"
            )
        ));
    }
    let conv = args.conversion.is_some();
    let mut head = vec!["#", tr("path", "путь"), tr("customers", "клиентов"), tr("share", "доля")];
    if conv {
        head.extend([tr("converted", "сконвертировались"), tr("conversion", "конверсия")]);
    }
    let mut t = Table::new(&head);
    for (i, p) in r.paths.iter().enumerate() {
        let mut row = vec![(i + 1).to_string(), p.events.join(" → "), int(p.customers), percent(p.share)];
        if let (Some(c), Some(rate)) = (p.converted, p.conversion) {
            row.extend([int(c), percent(rate)]);
        }
        t.row(row);
    }
    let mut out = t.render();
    out.push_str(&format!(
        "\n{}: {}, {}: {}",
        tr("customers with a path", "клиентов с путём"),
        int(r.total),
        tr("distinct paths", "разных путей"),
        int(r.distinct_paths),
    ));
    if let (Some(c), Some(rate)) = (r.converted, r.conversion) {
        out.push_str(&format!(", {}: {} ({})", tr("converted", "с конверсией"), int(c), percent(rate)));
    }
    out.push_str(&format!(
        "\n{} {MAX_DEPTH}\n",
        tr(
            "Sankey nodes and links: --format json; longer paths: --depth up to",
            "узлы и связи для диаграммы Санки: --format json; длиннее пути: --depth до"
        )
    ));
    print(&out)
}
