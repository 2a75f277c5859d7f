//! `tropa events`: the dictionary of the project's data — every event name (or, with `--properties`, every
//! property) with how many events carried it, when it was first and last seen, and the marks people gave it in
//! the web app (verified, hidden). Raw names always: display names are for people reading the web app.

use std::path::Path;

use clap::Args;
use tropa_engine::Engine;

use crate::lang::tr;
use crate::table::{int, print, print_json, Table};
use crate::OutFormat;

#[derive(Args)]
pub struct EventsArgs {
    /// List the properties (with their frequent values) instead of the events.
    #[arg(long)]
    properties: bool,
    #[arg(long, value_enum, default_value = "table")]
    format: OutFormat,
}

pub fn run(root: &Path, data: &Path, project: &str, args: EventsArgs) -> anyhow::Result<()> {
    let store = super::open_existing(data)?;
    let catalog = store.catalog()?;
    let d = tropa_app::dictionary::in_folder(root, project, catalog).map_err(super::app_error)?;
    if args.format == OutFormat::Json {
        return print_json(&d);
    }
    let day = |ms: Option<i64>| ms.map(|ms| tropa_core::time::format_ts(ms)[..10].to_string()).unwrap_or_default();
    let marks = |n: &tropa_meta::Note| {
        let mut m = Vec::new();
        if n.verified {
            m.push(tr("verified", "проверено"));
        }
        if n.hidden {
            m.push(tr("hidden", "скрыто"));
        }
        m.join(", ")
    };
    let mut t = Table::new(&[
        if args.properties { tr("property", "свойство") } else { tr("event", "событие") },
        tr("events", "событий"),
        tr("first seen", "впервые"),
        tr("last seen", "в последний раз"),
        if args.properties {
            tr("frequent values", "частые значения")
        } else {
            tr("marks", "отметки")
        },
    ]);
    if args.properties {
        for p in &d.properties {
            let values: Vec<&str> = p.values.iter().take(5).map(|v| v.0.as_str()).collect();
            t.row(vec![p.name.clone(), int(p.count), day(p.first_seen), day(p.last_seen), values.join(", ")]);
        }
    } else {
        for e in &d.events {
            t.row(vec![e.name.clone(), int(e.count), day(e.first_seen), day(e.last_seen), marks(&e.note)]);
        }
    }
    print(&t.render())
}
