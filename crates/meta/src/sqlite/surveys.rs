//! Surveys on SQLite.

use rusqlite::{params, OptionalExtension};

use super::{project_id, SqliteRepository};
use crate::repository::Surveys;
use crate::surveys::{check_survey, check_themes, NewSurvey, StoredSurvey};
use crate::MetaError;

const COLS: &str = "s.id, p.slug, s.key, s.kind, s.document, s.active, s.created_at, s.updated_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredSurvey> {
    Ok(StoredSurvey {
        id: r.get(0)?,
        project: r.get(1)?,
        key: r.get(2)?,
        kind: r.get(3)?,
        document: r.get(4)?,
        active: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
    })
}

impl Surveys for SqliteRepository {
    fn surveys(&self, project: &str) -> Result<Vec<StoredSurvey>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!(
            "SELECT {COLS} FROM surveys s JOIN projects p ON p.id = s.project_id WHERE p.slug = ?1 ORDER BY s.key"
        ))?;
        let rows = st.query_map([project], row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn survey(&self, project: &str, key: &str) -> Result<Option<StoredSurvey>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!(
            "SELECT {COLS} FROM surveys s JOIN projects p ON p.id = s.project_id WHERE p.slug = ?1 AND s.key = ?2"
        ))?;
        Ok(st.query_row(params![project, key], row).optional()?)
    }

    fn save_survey(&self, project: &str, s: &NewSurvey<'_>, now: i64) -> Result<StoredSurvey, MetaError> {
        check_survey(s)?;
        {
            let conn = self.conn();
            let pid = project_id(&conn, project)?;
            conn.execute(
                "INSERT INTO surveys (project_id, key, kind, document, active, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (project_id, key) DO UPDATE SET kind = excluded.kind, \
                 document = excluded.document, active = excluded.active, updated_at = excluded.updated_at",
                params![pid, s.key, s.kind, s.document, s.active, now],
            )?;
        }
        self.survey(project, s.key)?.ok_or_else(|| MetaError::NotFound { what: "survey", name: s.key.into() })
    }

    fn delete_survey(&self, project: &str, key: &str) -> Result<(), MetaError> {
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        let done = conn.execute("DELETE FROM surveys WHERE project_id = ?1 AND key = ?2", params![pid, key])?;
        if done == 0 {
            return Err(MetaError::NotFound { what: "survey", name: key.into() });
        }
        Ok(())
    }

    fn feedback_themes(&self, project: &str) -> Result<Option<(String, i64)>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT t.document, t.updated_at FROM feedback_themes t JOIN projects p ON p.id = t.project_id \
             WHERE p.slug = ?1",
        )?;
        Ok(st.query_row([project], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
    }

    fn save_feedback_themes(&self, project: &str, document: &str, now: i64) -> Result<(), MetaError> {
        check_themes(document)?;
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        conn.execute(
            "INSERT INTO feedback_themes (project_id, document, updated_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (project_id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at",
            params![pid, document, now],
        )?;
        Ok(())
    }

    fn reset_feedback_themes(&self, project: &str) -> Result<bool, MetaError> {
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        Ok(conn.execute("DELETE FROM feedback_themes WHERE project_id = ?1", params![pid])? > 0)
    }
}
