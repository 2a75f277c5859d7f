//! `tropa dashboard`: the dashboards of `--project` — `list` (name, charts, period) and `show ID` (its charts in
//! order: what each shows). Dashboards are made and arranged in the web app.

use clap::{Args, Subcommand};
use serde_json::json;
use tropa_app::layout::open_meta;

use crate::lang::tr;
use crate::table::{print, print_json, Table};
use crate::OutFormat;

#[derive(Args)]
pub struct DashboardArgs {
    #[command(subcommand)]
    cmd: DashboardCmd,
}

#[derive(Subcommand)]
enum DashboardCmd {
    /// The dashboards of the project.
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// A dashboard's charts, in order.
    Show {
        id: i64,
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
}

/// A period as text: `2026-03-01..2026-04-01`, `..` for open ends, `+ previous` when it compares.
fn period(since: &str, until: &str, compare: &str) -> String {
    let p = if since.is_empty() && until.is_empty() {
        tr("all time", "всё время").to_string()
    } else {
        format!("{since}..{until}")
    };
    if compare == "previous" {
        format!("{p} + {}", tr("previous", "предыдущий"))
    } else {
        p
    }
}

pub fn run(root: &std::path::Path, project: &str, a: DashboardArgs) -> anyhow::Result<()> {
    let meta = open_meta(root)?;
    match a.cmd {
        DashboardCmd::List { format } => {
            let list = meta.dashboards(project)?;
            if format == OutFormat::Json {
                return print_json(&list);
            }
            let mut t = Table::new(&["id", tr("name", "название"), tr("charts", "графики"), tr("period", "период")]);
            for d in &list {
                t.row(vec![
                    d.id.to_string(),
                    d.name.clone(),
                    d.tiles.to_string(),
                    period(&d.since, &d.until, &d.compare),
                ]);
            }
            print(&t.render())
        }
        DashboardCmd::Show { id, format } => {
            let d = tropa_app::dashboards::get(&meta, project, id).map_err(super::app_error)?;
            let tiles = meta.tiles(project, id)?;
            if format == OutFormat::Json {
                return print_json(&json!({"dashboard": d, "tiles": tiles}));
            }
            let mut t = Table::new(&["#", tr("title", "название"), tr("shows", "что показывает")]);
            for (i, x) in tiles.iter().enumerate() {
                let what = match x.map_id {
                    Some(map) => format!("map {map}: {}", x.lane),
                    None => format!("{} {}", x.kind, x.query),
                };
                t.row(vec![(i + 1).to_string(), x.title.clone(), what]);
            }
            let body = if tiles.is_empty() {
                format!("{}\n", tr("nothing is pinned to this dashboard yet", "на этом дашборде пока ничего нет"))
            } else {
                t.render()
            };
            print(&format!("{} · {}\n{body}", d.name, period(&d.since, &d.until, &d.compare)))
        }
    }
}
