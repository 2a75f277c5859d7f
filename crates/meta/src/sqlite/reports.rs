//! Saved reports and journey definitions on SQLite.

use rusqlite::{params, OptionalExtension};

use super::{project_id, SqliteRepository};
use crate::reports::{check_definition, check_report, SavedReport, StoredDefinition};
use crate::repository::Reports;
use crate::MetaError;

impl Reports for SqliteRepository {
    fn save_report(
        &self,
        project: &str,
        kind: &str,
        name: &str,
        query: &str,
        user: Option<i64>,
        now: i64,
    ) -> Result<SavedReport, MetaError> {
        let name = check_report(name, query)?;
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        conn.execute(
            "INSERT INTO saved_reports (project_id, kind, name, query, created_by, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (project_id, kind, name) DO UPDATE SET query = excluded.query, updated_at = excluded.updated_at",
            params![pid, kind, name, query, user, now],
        )?;
        let id = conn.query_row(
            "SELECT id FROM saved_reports WHERE project_id = ?1 AND kind = ?2 AND name = ?3",
            params![pid, kind, name],
            |r| r.get(0),
        )?;
        Ok(SavedReport {
            id,
            project: project.into(),
            kind: kind.into(),
            name: name.into(),
            query: query.into(),
            updated_at: now,
        })
    }

    fn saved_reports(&self, project: &str, kind: &str) -> Result<Vec<SavedReport>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT r.id, p.slug, r.kind, r.name, r.query, r.updated_at FROM saved_reports r
             JOIN projects p ON p.id = r.project_id WHERE p.slug = ?1 AND r.kind = ?2 ORDER BY r.name",
        )?;
        let rows = st.query_map(params![project, kind], |r| {
            Ok(SavedReport {
                id: r.get(0)?,
                project: r.get(1)?,
                kind: r.get(2)?,
                name: r.get(3)?,
                query: r.get(4)?,
                updated_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn delete_report(&self, project: &str, id: i64) -> Result<(), MetaError> {
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        if conn.execute("DELETE FROM saved_reports WHERE id = ?1 AND project_id = ?2", params![id, pid])? == 0 {
            return Err(MetaError::NotFound { what: "saved report", name: id.to_string() });
        }
        Ok(())
    }

    fn save_definition(
        &self,
        project: &str,
        text: &str,
        format: &str,
        user: Option<i64>,
        now: i64,
    ) -> Result<(), MetaError> {
        check_definition(text, format)?;
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        conn.execute(
            "INSERT INTO definitions (project_id, text, format, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (project_id) DO UPDATE SET text = excluded.text, format = excluded.format,
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            params![pid, text, format, user, now],
        )?;
        Ok(())
    }

    fn definition(&self, project: &str) -> Result<Option<StoredDefinition>, MetaError> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT d.text, d.format, d.updated_at FROM definitions d JOIN projects p ON p.id = d.project_id
                 WHERE p.slug = ?1",
                [project],
                |r| Ok(StoredDefinition { text: r.get(0)?, format: r.get(1)?, updated_at: r.get(2)? }),
            )
            .optional()?)
    }

    fn reset_definition(&self, project: &str) -> Result<(), MetaError> {
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        conn.execute("DELETE FROM definitions WHERE project_id = ?1", [pid])?;
        Ok(())
    }
}
