//! A project's settings: the time zone every report of the project uses for its days, ISO weeks and months, and
//! the currency its revenue is labelled with (never converted). Adapters read them here — the CLI for its
//! report commands, the query API and the web app for every report — and change them here, checked by
//! [`tropa_core::settings`].

use std::path::Path;

use tropa_core::settings::ProjectSettings;
use tropa_meta::{Meta, StoredSettings};

use crate::{AppError, Missing};

/// The settings of `project`. A stored value that no longer reads (a zone a newer database removed) counts as
/// the default, and is logged.
pub fn project(meta: &Meta, project: &str) -> Result<ProjectSettings, AppError> {
    let stored = meta.project_settings(project)?.ok_or_else(|| AppError::NotFound(Missing::Project(project.into())))?;
    Ok(read(project, &stored))
}

/// The settings of `project`, or the defaults when there is no such project (the caller refuses it anyway:
/// a report of a project nobody may read is answered 404 where the access is checked).
pub fn project_or_default(meta: &Meta, project: &str) -> Result<ProjectSettings, AppError> {
    match self::project(meta, project) {
        Err(AppError::NotFound(_)) => Ok(ProjectSettings::default()),
        other => other,
    }
}

fn read(project: &str, stored: &StoredSettings) -> ProjectSettings {
    let defaults = ProjectSettings::default();
    let zone = ProjectSettings::parse(Some(&stored.time_zone), None);
    let currency = ProjectSettings::parse(None, Some(&stored.currency));
    if zone.is_err() || currency.is_err() {
        tracing::warn!(project, "a stored project setting no longer reads: its default is used");
    }
    ProjectSettings {
        calendar: zone.map_or(defaults.calendar, |s| s.calendar),
        currency: currency.map_or(defaults.currency, |s| s.currency),
    }
}

/// The settings of `project` in the data folder `root`, read without creating anything: a folder without
/// metadata (a bare store) has the defaults.
pub fn in_folder(root: &Path, project: &str) -> Result<ProjectSettings, AppError> {
    match crate::layout::existing_meta(root)? {
        Some(meta) => self::project(&meta, project),
        None => Ok(ProjectSettings::default()),
    }
}

/// Changes the given settings of `project` (the others stay); every problem at once
/// ([`AppError::Settings`]). Returns the settings now in force.
pub fn set(
    meta: &Meta,
    project: &str,
    time_zone: Option<&str>,
    currency: Option<&str>,
) -> Result<ProjectSettings, AppError> {
    let now = self::project(meta, project)?;
    let next = now.change(time_zone, currency).map_err(AppError::Settings)?;
    let stored = StoredSettings { time_zone: next.calendar.name().into(), currency: next.currency.as_str().into() };
    meta.set_project_settings(project, &stored)?;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tropa_core::lang::Lang;
    use tropa_core::settings::Setting;

    #[test]
    fn settings_are_checked_kept_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("data");
        assert_eq!(in_folder(&root, "default").unwrap(), ProjectSettings::default());
        assert!(!root.exists(), "reading settings created nothing");
        let meta = crate::layout::open_meta(&root).unwrap();
        let s = set(&meta, "default", Some("europe/moscow"), None).unwrap();
        assert_eq!((s.calendar.name(), s.currency.as_str()), ("Europe/Moscow", "RUB"));
        let s = set(&meta, "default", None, Some("eur")).unwrap();
        assert_eq!((s.calendar.name(), s.currency.as_str()), ("Europe/Moscow", "EUR"));
        assert_eq!(in_folder(&root, "default").unwrap(), s);
        match set(&meta, "default", Some("Moscow"), Some("euro")) {
            Err(AppError::Settings(e)) => {
                assert_eq!(e.iter().map(|e| e.setting).collect::<Vec<_>>(), [Setting::TimeZone, Setting::Currency]);
                let err = AppError::Settings(e);
                assert!(err.words(Lang::Ru).contains("Europe/Moscow?"), "{}", err.words(Lang::Ru));
                assert_eq!(err.kind(), tropa_engine::ErrorKind::InvalidInput);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(project(&meta, "default").unwrap(), s, "nothing changed");
        assert!(matches!(project(&meta, "shop"), Err(AppError::NotFound(Missing::Project(_)))));
        assert!(matches!(set(&meta, "shop", Some("UTC"), None), Err(AppError::NotFound(_))));
    }

    #[test]
    fn a_stored_value_that_no_longer_reads_is_the_default() {
        let stored = StoredSettings { time_zone: "Mars/Olympus".into(), currency: "EUR".into() };
        let s = read("p", &stored);
        assert_eq!((s.calendar.name(), s.currency.as_str()), ("UTC", "EUR"));
    }
}
