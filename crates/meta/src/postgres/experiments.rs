//! Experiments on PostgreSQL.

use postgres::Row;

use super::{project_id, rows, PostgresRepository};
use crate::experiments::{check_experiment, StoredExperiment};
use crate::repository::Experiments;
use crate::MetaError;

const SELECT: &str = "SELECT e.id, p.slug, e.key, e.definition, e.created_at, e.updated_at FROM experiments e
                      JOIN projects p ON p.id = e.project_id";

fn row(r: &Row) -> Result<StoredExperiment, postgres::Error> {
    Ok(StoredExperiment {
        id: r.try_get(0)?,
        project: r.try_get(1)?,
        key: r.try_get(2)?,
        definition: r.try_get(3)?,
        created_at: r.try_get(4)?,
        updated_at: r.try_get(5)?,
    })
}

impl Experiments for PostgresRepository {
    fn save_experiment(
        &self,
        project: &str,
        key: &str,
        definition: &str,
        user: Option<i64>,
        now: i64,
    ) -> Result<StoredExperiment, MetaError> {
        check_experiment(key, definition)?;
        self.tx(|t| {
            let pid = project_id(t, project)?;
            t.execute(
                "INSERT INTO experiments (project_id, key, definition, created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5)
                 ON CONFLICT (project_id, key) DO UPDATE SET definition = excluded.definition,
                 updated_at = excluded.updated_at",
                &[&pid, &key, &definition, &user, &now],
            )?;
            Ok(row(&t.query_one(&format!("{SELECT} WHERE p.id = $1 AND e.key = $2"), &[&pid, &key])?)?)
        })
    }

    fn experiments(&self, project: &str) -> Result<Vec<StoredExperiment>, MetaError> {
        self.with(|c| rows(c.query(&format!("{SELECT} WHERE p.slug = $1 ORDER BY e.key"), &[&project])?, row))
    }

    fn experiment(&self, project: &str, key: &str) -> Result<Option<StoredExperiment>, MetaError> {
        self.with(|c| {
            let found = c.query_opt(&format!("{SELECT} WHERE p.slug = $1 AND e.key = $2"), &[&project, &key])?;
            Ok(found.as_ref().map(row).transpose()?)
        })
    }

    fn delete_experiment(&self, project: &str, key: &str) -> Result<(), MetaError> {
        self.tx(|t| {
            let pid = project_id(t, project)?;
            if t.execute("DELETE FROM experiments WHERE project_id = $1 AND key = $2", &[&pid, &key])? == 0 {
                return Err(MetaError::NotFound { what: "experiment", name: key.into() });
            }
            Ok(())
        })
    }
}
