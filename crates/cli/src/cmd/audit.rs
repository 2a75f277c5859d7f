//! `tropa audit`: the audit log of the data folder — who created projects, keys and users, changed roles and
//! passwords, made, imported, shared and deleted maps, saved personas and journey definitions, and forgot
//! customers, when and from where; newest first, by `--project`, `--action`, `--since`, a page at a time
//! (`--limit`, `--before`). Also [`record`], how every other command adds to it: as the command line, with the
//! operating system's user name.

use std::path::Path;

use clap::Args;
use tropa_app::audit::{self, Action, Actor, Done, Entry, Filter, Who};
use tropa_meta::Meta;

use crate::lang::tr;
use crate::table::{print, print_json, Table};
use crate::{OutFormat, UserError};

#[derive(Args)]
pub struct AuditArgs {
    /// Only this action (project.create, key.create, key.revoke, user.create, map.delete, data.forget, …).
    #[arg(long)]
    action: Option<String>,
    /// Only entries at or after this time (RFC 3339 or YYYY-MM-DD).
    #[arg(long)]
    since: Option<String>,
    /// How many entries (newest first), at most 1000.
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// Only entries older than the entry with this number (the next page).
    #[arg(long)]
    before: Option<i64>,
    #[arg(long, value_enum, default_value = "table")]
    format: OutFormat,
}

/// The operating system's user running this command ("" when the environment does not say).
fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
        .unwrap_or_default()
}

/// Adds what a command just did to the audit log, as the command line.
pub fn record(meta: &Meta, done: Done<'_>) -> anyhow::Result<()> {
    audit::record(meta, &who(), done, tropa_app::now_ms()).map_err(super::app_error)?;
    Ok(())
}

/// The command line as an actor.
pub fn who() -> Who {
    Who::cli(&os_user())
}

/// Who did it, for people: an e-mail, `cli:USER`, or `system`.
fn actor_text(a: &Actor) -> String {
    match a {
        Actor::User { email, .. } => email.clone(),
        Actor::Cli { os_user } if os_user.is_empty() => "cli".into(),
        Actor::Cli { os_user } => format!("cli:{os_user}"),
        Actor::System => "system".into(),
    }
}

fn json_entry(e: &Entry) -> serde_json::Value {
    let details: serde_json::Value = serde_json::from_str(&e.details).unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "id": e.id,
        "at": tropa_core::time::format_ts(e.at),
        "actor": e.actor,
        "address": e.address,
        "action": e.action,
        "project": e.project,
        "target": e.target,
        "details": details,
    })
}

pub fn run(root: &Path, project: Option<&str>, args: AuditArgs) -> anyhow::Result<()> {
    let action = args
        .action
        .as_deref()
        .map(|a| {
            Action::parse(a).ok_or_else(|| {
                let all: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
                UserError::arg(
                    "--action",
                    format!("'{a}': {} {}", tr("use one of", "используйте одно из"), all.join(", ")),
                )
            })
        })
        .transpose()?;
    if args.limit == 0 || args.limit > audit::MAX_LIMIT {
        return Err(UserError::arg("--limit", tr("use 1 to 1000", "от 1 до 1000")));
    }
    // the audit log is written and shown in UTC
    let since = super::optional_instant(tropa_core::calendar::Calendar::UTC, "--since", &args.since)?;
    let meta = tropa_app::layout::open_meta(root)?;
    let filter = Filter { project: project.map(str::to_string), action, since, before: args.before, limit: args.limit };
    let entries = audit::list(&meta, &filter).map_err(super::app_error)?;
    if args.format == OutFormat::Json {
        return print_json(&entries.iter().map(json_entry).collect::<Vec<_>>());
    }
    let mut t = Table::new(&[
        "#",
        tr("time (UTC)", "время (UTC)"),
        tr("who", "кто"),
        tr("from", "откуда"),
        tr("action", "действие"),
        tr("project", "проект"),
        tr("target", "объект"),
        tr("details", "подробности"),
    ]);
    for e in &entries {
        let at = tropa_core::time::format_ts(e.at);
        t.row(vec![
            e.id.to_string(),
            at.get(..19).unwrap_or(&at).replace('T', " "),
            actor_text(&e.actor),
            e.address.clone(),
            e.action.as_str().into(),
            e.project.clone().unwrap_or_default(),
            e.target.clone(),
            if e.details == "{}" { String::new() } else { e.details.clone() },
        ]);
    }
    print(&t.render())?;
    if entries.len() == args.limit {
        if let Some(last) = entries.last() {
            print(&format!("{}: tropa audit --before {}\n", tr("older", "раньше"), last.id))?;
        }
    }
    Ok(())
}
