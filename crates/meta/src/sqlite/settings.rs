//! Project settings on SQLite (columns of `projects`).

use rusqlite::{params, OptionalExtension};

use super::SqliteRepository;
use crate::repository::Settings;
use crate::settings::{check_settings, StoredSettings};
use crate::MetaError;

impl Settings for SqliteRepository {
    fn project_settings(&self, project: &str) -> Result<Option<StoredSettings>, MetaError> {
        let conn = self.conn();
        Ok(conn
            .query_row("SELECT time_zone, currency FROM projects WHERE slug = ?1", [project], |r| {
                Ok(StoredSettings { time_zone: r.get(0)?, currency: r.get(1)? })
            })
            .optional()?)
    }

    fn set_project_settings(&self, project: &str, settings: &StoredSettings) -> Result<(), MetaError> {
        check_settings(settings)?;
        let conn = self.conn();
        let done = conn.execute(
            "UPDATE projects SET time_zone = ?2, currency = ?3 WHERE slug = ?1",
            params![project, settings.time_zone, settings.currency],
        )?;
        if done == 0 {
            return Err(MetaError::NotFound { what: "project", name: project.into() });
        }
        Ok(())
    }
}
