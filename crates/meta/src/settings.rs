//! Each project's settings: the IANA time zone of its reports (default `UTC`) and its reporting currency (ISO 4217,
//! default `RUB`). Stored as the text the application layer checked (`tropa_app::settings`); only their length is
//! bounded here.

use serde::Serialize;

use crate::MetaError;

/// The longest time zone name stored (the IANA database's longest is 32 bytes).
const MAX_ZONE: usize = 64;

/// A project's settings as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredSettings {
    pub time_zone: String,
    pub currency: String,
}

/// Settings to store: a time zone name of 1–64 bytes and a three-letter currency.
pub fn check_settings(settings: &StoredSettings) -> Result<(), MetaError> {
    let bad = |field: &str, reason: &str| MetaError::Invalid { field: field.into(), reason: reason.into() };
    if settings.time_zone.is_empty() || settings.time_zone.len() > MAX_ZONE {
        return Err(bad("time_zone", "must be 1 to 64 bytes long"));
    }
    if settings.currency.len() != 3 {
        return Err(bad("currency", "must be three letters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Meta;

    fn stored(tz: &str, cur: &str) -> StoredSettings {
        StoredSettings { time_zone: tz.into(), currency: cur.into() }
    }

    #[test]
    fn projects_made_before_the_settings_existed_get_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("meta.sqlite");
        let ours = crate::schema::MIGRATIONS.iter().position(|m| m.note.contains("settings")).unwrap();
        {
            // the schema as it was just before this migration, with a project in it
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            crate::sqlite::migrate_to(&mut conn, ours).unwrap();
            conn.execute("INSERT INTO projects (slug, name, created_at) VALUES ('old', 'Old', 0)", []).unwrap();
        }
        let m = Meta::open(&path).unwrap();
        assert_eq!(m.project_settings("old").unwrap(), Some(stored("UTC", "RUB")));
    }

    crate::testing::backend_tests! {
        fn settings_default_to_utc_and_roubles_and_are_kept_per_project() {
            let (_d, m) = meta();
            m.create_project("a", "", 0).unwrap();
            m.create_project("b", "", 0).unwrap();
            assert_eq!(m.project_settings("a").unwrap(), Some(stored("UTC", "RUB")));
            m.set_project_settings("a", &stored("Europe/Moscow", "EUR")).unwrap();
            assert_eq!(m.project_settings("a").unwrap(), Some(stored("Europe/Moscow", "EUR")));
            assert_eq!(m.project_settings("b").unwrap(), Some(stored("UTC", "RUB")));
            assert_eq!(m.project_settings("zz").unwrap(), None);
            assert!(matches!(m.set_project_settings("zz", &stored("UTC", "RUB")), Err(MetaError::NotFound { .. })));
            assert!(matches!(m.set_project_settings("a", &stored("", "RUB")), Err(MetaError::Invalid { .. })));
            assert!(matches!(m.set_project_settings("a", &stored("UTC", "RUBL")), Err(MetaError::Invalid { .. })));
            assert_eq!(m.projects().unwrap().len(), 2, "projects still read");
        }
    }
}
