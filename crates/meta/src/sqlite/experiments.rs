//! Experiments on SQLite.

use rusqlite::{params, OptionalExtension};

use super::{project_id, SqliteRepository};
use crate::experiments::{check_experiment, StoredExperiment};
use crate::repository::Experiments;
use crate::MetaError;

const SELECT: &str = "SELECT e.id, p.slug, e.key, e.definition, e.created_at, e.updated_at FROM experiments e
                      JOIN projects p ON p.id = e.project_id";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredExperiment> {
    Ok(StoredExperiment {
        id: r.get(0)?,
        project: r.get(1)?,
        key: r.get(2)?,
        definition: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

impl Experiments for SqliteRepository {
    fn save_experiment(
        &self,
        project: &str,
        key: &str,
        definition: &str,
        user: Option<i64>,
        now: i64,
    ) -> Result<StoredExperiment, MetaError> {
        check_experiment(key, definition)?;
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        conn.execute(
            "INSERT INTO experiments (project_id, key, definition, created_by, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT (project_id, key) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at",
            params![pid, key, definition, user, now],
        )?;
        Ok(conn.query_row(&format!("{SELECT} WHERE p.id = ?1 AND e.key = ?2"), params![pid, key], row)?)
    }

    fn experiments(&self, project: &str) -> Result<Vec<StoredExperiment>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!("{SELECT} WHERE p.slug = ?1 ORDER BY e.key"))?;
        let rows = st.query_map(params![project], row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn experiment(&self, project: &str, key: &str) -> Result<Option<StoredExperiment>, MetaError> {
        let conn = self.conn();
        Ok(conn
            .query_row(&format!("{SELECT} WHERE p.slug = ?1 AND e.key = ?2"), params![project, key], row)
            .optional()?)
    }

    fn delete_experiment(&self, project: &str, key: &str) -> Result<(), MetaError> {
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        let n = conn.execute("DELETE FROM experiments WHERE project_id = ?1 AND key = ?2", params![pid, key])?;
        if n == 0 {
            return Err(MetaError::NotFound { what: "experiment", name: key.into() });
        }
        Ok(())
    }
}
