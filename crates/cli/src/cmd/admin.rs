//! `tropa compact` and `tropa forget`.

use std::path::Path;

use clap::Args;
use tropa_engine::Engine;

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

pub fn forget(data: &Path, args: ForgetArgs) -> anyhow::Result<()> {
    let store = super::open_existing(data)?;
    let n = store.forget(&args.id)?;
    if args.format == OutFormat::Json {
        return print_json(&serde_json::json!({"forgotten_events": n}));
    }
    print(&format!("{}: {n}\n", tr("events deleted", "удалено событий")))
}
