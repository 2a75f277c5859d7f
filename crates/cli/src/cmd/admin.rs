//! `tropa compact` and `tropa forget` (through `tropa_app::forget`, which records it in the audit log as a
//! salted digest of the customer and counts).

use std::path::Path;

use clap::Args;

use crate::lang::tr;
use crate::table::{print, print_json};
use crate::OutFormat;

#[derive(Args)]
pub struct FormatArgs {
    #[arg(long, value_enum, default_value = "table")]
    format: OutFormat,
}

#[derive(Args)]
pub struct ForgetArgs {
    /// An anonymous id or user id of the customer to delete.
    id: String,
    #[arg(long, value_enum, default_value = "table")]
    format: OutFormat,
}

pub fn compact(data: &Path, args: FormatArgs) -> anyhow::Result<()> {
    let store = super::open_existing(data)?;
    let r = store.compact()?;
    if args.format == OutFormat::Json {
        return print_json(&r);
    }
    print(&format!(
        "{}: {} → {} ({} {})\n",
        tr("parts", "частей"),
        r.parts_before,
        r.parts_after,
        r.rows,
        tr("events", "событий")
    ))
}

pub fn forget(root: &Path, data: &Path, project: &str, args: ForgetArgs) -> anyhow::Result<()> {
    let store = super::open_existing(data)?;
    let meta = tropa_app::layout::open_meta(root)?;
    let who = super::audit::who();
    let gone = tropa_app::forget::customer(&meta, &store, (project, &args.id), &who, tropa_app::now_ms())
        .map_err(super::app_error)?;
    if args.format == OutFormat::Json {
        return print_json(&serde_json::json!({"forgotten_events": gone.events, "forgotten_ids": gone.actors}));
    }
    print(&format!("{}: {}\n", tr("events deleted", "удалено событий"), gone.events))
}
