//! Project settings on PostgreSQL (columns of `projects`).

use super::PostgresRepository;
use crate::repository::Settings;
use crate::settings::{check_settings, StoredSettings};
use crate::MetaError;

impl Settings for PostgresRepository {
    fn project_settings(&self, project: &str) -> Result<Option<StoredSettings>, MetaError> {
        self.with(|c| {
            let found = c.query_opt("SELECT time_zone, currency FROM projects WHERE slug = $1", &[&project])?;
            let row = |r: postgres::Row| {
                Ok::<_, postgres::Error>(StoredSettings { time_zone: r.try_get(0)?, currency: r.try_get(1)? })
            };
            Ok(found.map(row).transpose()?)
        })
    }

    fn set_project_settings(&self, project: &str, settings: &StoredSettings) -> Result<(), MetaError> {
        check_settings(settings)?;
        let done = self.with(|c| {
            Ok(c.execute(
                "UPDATE projects SET time_zone = $2, currency = $3 WHERE slug = $1",
                &[&project, &settings.time_zone, &settings.currency],
            )?)
        })?;
        if done == 0 {
            return Err(MetaError::NotFound { what: "project", name: project.into() });
        }
        Ok(())
    }
}
