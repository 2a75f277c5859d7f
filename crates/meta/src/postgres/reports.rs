//! Saved reports and journey definitions on PostgreSQL.

use super::{project_id, rows, PostgresRepository};
use crate::reports::{check_definition, check_report, SavedReport, StoredDefinition};
use crate::repository::Reports;
use crate::MetaError;

impl Reports for PostgresRepository {
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
        let id: i64 = self.tx(|t| {
            let pid = project_id(t, project)?;
            let r = t.query_one(
                "INSERT INTO saved_reports (project_id, kind, name, query, created_by, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (project_id, kind, name) DO UPDATE SET query = excluded.query, updated_at = excluded.updated_at
                 RETURNING id",
                &[&pid, &kind, &name, &query, &user, &now],
            )?;
            Ok(r.try_get(0)?)
        })?;
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
        self.with(|c| {
            let found = c.query(
                "SELECT r.id, p.slug, r.kind, r.name, r.query, r.updated_at FROM saved_reports r
                 JOIN projects p ON p.id = r.project_id WHERE p.slug = $1 AND r.kind = $2 ORDER BY r.name",
                &[&project, &kind],
            )?;
            rows(found, |r| {
                Ok(SavedReport {
                    id: r.try_get(0)?,
                    project: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    name: r.try_get(3)?,
                    query: r.try_get(4)?,
                    updated_at: r.try_get(5)?,
                })
            })
        })
    }

    fn delete_report(&self, project: &str, id: i64) -> Result<(), MetaError> {
        self.tx(|t| {
            let pid = project_id(t, project)?;
            if t.execute("DELETE FROM saved_reports WHERE id = $1 AND project_id = $2", &[&id, &pid])? == 0 {
                return Err(MetaError::NotFound { what: "saved report", name: id.to_string() });
            }
            Ok(())
        })
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
        self.tx(|t| {
            let pid = project_id(t, project)?;
            t.execute(
                "INSERT INTO definitions (project_id, text, format, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (project_id) DO UPDATE SET text = excluded.text, format = excluded.format,
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                &[&pid, &text, &format, &user, &now],
            )?;
            Ok(())
        })
    }

    fn definition(&self, project: &str) -> Result<Option<StoredDefinition>, MetaError> {
        self.with(|c| {
            let found = c.query_opt(
                "SELECT d.text, d.format, d.updated_at FROM definitions d JOIN projects p ON p.id = d.project_id
                 WHERE p.slug = $1",
                &[&project],
            )?;
            let row = |r: postgres::Row| {
                Ok::<_, postgres::Error>(StoredDefinition {
                    text: r.try_get(0)?,
                    format: r.try_get(1)?,
                    updated_at: r.try_get(2)?,
                })
            };
            Ok(found.map(row).transpose()?)
        })
    }

    fn reset_definition(&self, project: &str) -> Result<(), MetaError> {
        self.tx(|t| {
            let pid = project_id(t, project)?;
            t.execute("DELETE FROM definitions WHERE project_id = $1", &[&pid])?;
            Ok(())
        })
    }
}
