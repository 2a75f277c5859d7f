//! One module per subcommand.

pub mod admin;
pub mod attribution;
pub mod audit;
pub mod costs;
pub mod customer;
pub mod dashboard;
pub mod demo;
pub mod events;
pub mod experiment;
pub mod export;
pub mod feedback;
pub mod funnel;
pub mod import;
pub mod map;
pub mod paths;
pub mod project;
pub mod retention;
pub mod scope;
pub mod serve;
pub mod stages;
pub mod stats;
pub mod survey;
pub mod text;
pub mod translate;
pub mod user;

use std::path::Path;

use tropa_core::calendar::Calendar;
use tropa_store::{Store, StoreOptions};

use crate::UserError;

/// A report from [`tropa_engine::report`]; an invalid spec is the user's error, shown by its reason.
pub fn engine_report<T>(r: Result<T, tropa_engine::EngineError>) -> anyhow::Result<T> {
    r.map_err(|e| match e {
        tropa_engine::EngineError::Invalid { reason, .. } => UserError(reason).into(),
        other => other.into(),
    })
}

/// An application error for the command line: the field named as its flag, the reason in the CLI's language;
/// internal errors pass through (exit code 2).
pub fn app_error(e: tropa_app::AppError) -> anyhow::Error {
    use tropa_app::{AppError, Missing};
    let words = e.words(crate::lang::lang());
    match &e {
        AppError::NotFound(Missing::Project(_)) => UserError::arg("--project", words),
        AppError::NotFound(Missing::Persona(_)) => UserError::arg("--persona", words),
        AppError::NotFound(Missing::Template(_)) => UserError::arg("--template", words),
        AppError::NotFound(Missing::Map { .. }) | AppError::Definition(_) => UserError(words).into(),
        AppError::Invalid { field, .. } => UserError::arg(&format!("--{field}"), words),
        AppError::Settings(problems) => settings_error(problems),
        _ => e.into(),
    }
}

/// A time argument (RFC 3339, or YYYY-MM-DD and date-times without an offset as local times of `calendar`) as
/// epoch ms; the error names the argument.
pub fn instant(calendar: Calendar, arg: &str, text: &str) -> anyhow::Result<i64> {
    calendar.parse_time(text).map_err(|e| UserError::arg(arg, crate::lang::words(&e)))
}

/// An optional time argument, see [`instant`].
pub fn optional_instant(calendar: Calendar, arg: &str, text: &Option<String>) -> anyhow::Result<Option<i64>> {
    text.as_deref().map(|t| instant(calendar, arg, t)).transpose()
}

/// A settings problem for the command line: each setting named as its flag, in the CLI's language.
pub fn settings_error(e: &[tropa_core::settings::SettingError]) -> anyhow::Error {
    use tropa_core::settings::Setting;
    let words: Vec<String> = e
        .iter()
        .map(|e| {
            let flag = match e.setting {
                Setting::TimeZone => "--time-zone",
                Setting::Currency => "--currency",
            };
            format!("{flag}: {}", e.reason.words(crate::lang::lang()))
        })
        .collect();
    UserError(words.join("; ")).into()
}

/// Opens the store in `data`, creating it if needed. `TROPA_FLUSH_ROWS` overrides how many events the memtable
/// holds before it is written as a part.
pub fn open(data: &Path) -> anyhow::Result<Store> {
    Ok(Store::open(data, store_options()?)?)
}

/// Store options with `TROPA_FLUSH_ROWS` applied.
pub fn store_options() -> anyhow::Result<StoreOptions> {
    let mut opts = StoreOptions::default();
    if let Ok(v) = std::env::var("TROPA_FLUSH_ROWS") {
        opts.flush_rows = v.parse().map_err(|_| crate::UserError(format!("TROPA_FLUSH_ROWS={v}: not a number")))?;
    }
    Ok(opts)
}

/// Opens an existing store (a read command on a folder that does not exist is a user error).
pub fn open_existing(data: &Path) -> anyhow::Result<Store> {
    if !data.join(tropa_store::MANIFEST).exists() {
        return Err(crate::UserError(format!(
            "{} '{}': {}",
            crate::lang::tr("no tropa data in", "нет данных tropa в папке"),
            data.display(),
            crate::lang::tr(
                "import events first (tropa import) or generate demo data (tropa demo generate)",
                "сначала импортируйте события (tropa import) или создайте демо-данные (tropa demo generate)"
            )
        ))
        .into());
    }
    open(data)
}
