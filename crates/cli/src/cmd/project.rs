//! `tropa project create|list|set` and `tropa key create|list|revoke`: projects, their settings (the time zone of
//! their reports, their currency) and their API keys.

use std::path::Path;

use clap::{Args, Subcommand};
use serde_json::json;
use tropa_app::audit::{Action, Done};
use tropa_meta::KeyKind;

use crate::lang::tr;
use crate::table::{print, print_json, Table};
use crate::OutFormat;
use tropa_app::layout::open_meta;
use tropa_app::now_ms;

#[derive(Args)]
pub struct ProjectArgs {
    #[command(subcommand)]
    cmd: ProjectCmd,
}

#[derive(Subcommand)]
enum ProjectCmd {
    /// Create a project: an isolated set of journeys with its own keys.
    Create {
        /// Project id: a-z, 0-9, '-', '_'.
        id: String,
        /// Display name.
        #[arg(long, default_value = "")]
        name: String,
    },
    /// List projects with their time zone and currency.
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Change a project's settings: the time zone of every report's days, weeks and months, the currency its
    /// revenue is shown in (a label: amounts are never converted).
    Set {
        /// Project id (`tropa project list`).
        id: String,
        /// An IANA time zone, e.g. Europe/Moscow, Asia/Yekaterinburg or UTC (the default).
        #[arg(long = "time-zone", value_name = "ZONE")]
        time_zone: Option<String>,
        /// An ISO 4217 code, e.g. RUB (the default), EUR or USD.
        #[arg(long, value_name = "CODE")]
        currency: Option<String>,
    },
}

/// A project as `project list --format json` shows it.
#[derive(serde::Serialize)]
struct ProjectRow {
    #[serde(flatten)]
    project: tropa_meta::Project,
    #[serde(flatten)]
    settings: tropa_core::settings::ProjectSettings,
}

#[derive(Args)]
pub struct KeyArgs {
    #[command(subcommand)]
    cmd: KeyCmd,
}

#[derive(Subcommand)]
enum KeyCmd {
    /// Create a key for --project; its secret is printed once and stored only as a digest.
    /// Create a key of `--project` (default: the folder's own project).
    Create {
        /// write (sends events) or read (queries the project).
        #[arg(long)]
        kind: String,
        /// What the key is for (a site, an app, a dashboard).
        #[arg(long, default_value = "")]
        label: String,
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// List keys (never their secrets), of --project or of every project.
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Revoke a key by its number (from `tropa key list`); it stops working at once.
    Revoke { id: i64 },
}

pub fn project(root: &Path, args: ProjectArgs) -> anyhow::Result<()> {
    let meta = open_meta(root)?;
    match args.cmd {
        ProjectCmd::Create { id, name } => {
            let p = meta.create_project(&id, &name, now_ms())?;
            std::fs::create_dir_all(tropa_app::layout::project_dir(root, &p.slug))?;
            super::audit::record(
                &meta,
                Done::new(Action::ProjectCreate, Some(&p.slug), &p.slug).with(json!({"name": p.name})),
            )?;
            print(&format!(
                "{} '{}'\n{}: tropa key create --project {} --kind write\n",
                tr("created project", "создан проект"),
                p.slug,
                tr("next", "дальше"),
                p.slug
            ))
        }
        ProjectCmd::List { format } => {
            let mut list = Vec::new();
            for project in meta.projects()? {
                let settings = tropa_app::settings::project(&meta, &project.slug).map_err(super::app_error)?;
                list.push(ProjectRow { project, settings });
            }
            if format == OutFormat::Json {
                return print_json(&list);
            }
            let mut t = Table::new(&[
                tr("project", "проект"),
                tr("name", "название"),
                tr("created", "создан"),
                tr("time zone", "часовой пояс"),
                tr("currency", "валюта"),
            ]);
            for r in list {
                t.row(vec![
                    r.project.slug,
                    r.project.name,
                    tropa_core::time::format_ts(r.project.created_at),
                    r.settings.calendar.name().into(),
                    r.settings.currency.to_string(),
                ]);
            }
            print(&t.render())
        }
        ProjectCmd::Set { id, time_zone, currency } => {
            if time_zone.is_none() && currency.is_none() {
                return Err(crate::UserError(
                    tr("give --time-zone, --currency or both", "укажите --time-zone, --currency или оба").into(),
                )
                .into());
            }
            let s = tropa_app::settings::set(&meta, &id, time_zone.as_deref(), currency.as_deref()).map_err(
                |e| match e {
                    tropa_app::AppError::NotFound(_) => crate::UserError(format!(
                        "{} '{id}': {}",
                        tr("no project", "нет проекта"),
                        tr("see tropa project list", "см. tropa project list")
                    ))
                    .into(),
                    other => super::app_error(other),
                },
            )?;
            print(&format!(
                "{} '{id}': {} {}, {} {}\n",
                tr("project", "проект"),
                tr("time zone", "часовой пояс"),
                s.calendar,
                tr("currency", "валюта"),
                s.currency
            ))
        }
    }
}

pub fn key(root: &Path, project: Option<&str>, args: KeyArgs) -> anyhow::Result<()> {
    let meta = open_meta(root)?;
    match args.cmd {
        KeyCmd::Create { kind, label, format } => {
            let project = project.unwrap_or(tropa_app::layout::DEFAULT_PROJECT);
            let kind = KeyKind::parse(&kind)?;
            let k = meta.create_key(project, kind, &label, now_ms())?;
            let details = json!({"id": k.info.id, "kind": kind.as_str(), "label": label});
            super::audit::record(&meta, Done::new(Action::KeyCreate, Some(project), &k.info.hint).with(details))?;
            if format == OutFormat::Json {
                return print_json(&k);
            }
            print(&format!(
                "{} {} {} '{}' (#{}):\n{}\n{}\n",
                tr("created", "создан"),
                kind.as_str(),
                tr("key of project", "ключ проекта"),
                project,
                k.info.id,
                k.secret,
                tr("it is shown only now: keep it safe", "он показан только сейчас: сохраните его")
            ))
        }
        KeyCmd::List { format } => {
            let list = meta.keys(project)?;
            if format == OutFormat::Json {
                return print_json(&list);
            }
            let mut t = Table::new(&[
                "#",
                tr("project", "проект"),
                tr("kind", "тип"),
                tr("key", "ключ"),
                tr("label", "метка"),
                tr("revoked", "отозван"),
            ]);
            for k in list {
                t.row(vec![
                    k.id.to_string(),
                    k.project,
                    k.kind.as_str().into(),
                    format!("{}…", k.hint),
                    k.label,
                    k.revoked_at.map(tropa_core::time::format_ts).unwrap_or_default(),
                ]);
            }
            print(&t.render())
        }
        KeyCmd::Revoke { id } => {
            let k = meta.revoke_key(id, now_ms())?;
            let done = Done::new(Action::KeyRevoke, Some(&k.project), &k.hint).with(json!({"id": k.id}));
            super::audit::record(&meta, done)?;
            print(&format!("{} #{} ({}…)\n", tr("revoked key", "отозван ключ"), k.id, k.hint))
        }
    }
}
