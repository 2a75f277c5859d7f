//! Surveys on PostgreSQL.

use postgres::{GenericClient, Row};

use super::{project_id, rows, PostgresRepository};
use crate::repository::Surveys;
use crate::surveys::{check_survey, check_themes, NewSurvey, StoredSurvey};
use crate::MetaError;

const COLS: &str = "s.id, p.slug, s.key, s.kind, s.document, s.active, s.created_at, s.updated_at";

fn row(r: &Row) -> Result<StoredSurvey, postgres::Error> {
    Ok(StoredSurvey {
        id: r.try_get(0)?,
        project: r.try_get(1)?,
        key: r.try_get(2)?,
        kind: r.try_get(3)?,
        document: r.try_get(4)?,
        active: r.try_get(5)?,
        created_at: r.try_get(6)?,
        updated_at: r.try_get(7)?,
    })
}

fn survey(c: &mut impl GenericClient, project: &str, key: &str) -> Result<Option<StoredSurvey>, MetaError> {
    let found = c.query_opt(
        &format!(
            "SELECT {COLS} FROM surveys s JOIN projects p ON p.id = s.project_id WHERE p.slug = $1 AND s.key = $2"
        ),
        &[&project, &key],
    )?;
    Ok(found.as_ref().map(row).transpose()?)
}

impl Surveys for PostgresRepository {
    fn surveys(&self, project: &str) -> Result<Vec<StoredSurvey>, MetaError> {
        self.with(|c| {
            let sql = format!(
                "SELECT {COLS} FROM surveys s JOIN projects p ON p.id = s.project_id WHERE p.slug = $1 ORDER BY s.key"
            );
            rows(c.query(&sql, &[&project])?, row)
        })
    }

    fn survey(&self, project: &str, key: &str) -> Result<Option<StoredSurvey>, MetaError> {
        self.with(|c| survey(c, project, key))
    }

    fn save_survey(&self, project: &str, s: &NewSurvey<'_>, now: i64) -> Result<StoredSurvey, MetaError> {
        check_survey(s)?;
        self.tx(|t| {
            let pid = project_id(t, project)?;
            t.execute(
                "INSERT INTO surveys (project_id, key, kind, document, active, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (project_id, key) DO UPDATE SET kind = excluded.kind, \
                 document = excluded.document, active = excluded.active, updated_at = excluded.updated_at",
                &[&pid, &s.key, &s.kind, &s.document, &s.active, &now],
            )?;
            survey(t, project, s.key)?.ok_or_else(|| MetaError::NotFound { what: "survey", name: s.key.into() })
        })
    }

    fn delete_survey(&self, project: &str, key: &str) -> Result<(), MetaError> {
        self.tx(|t| {
            let pid = project_id(t, project)?;
            if t.execute("DELETE FROM surveys WHERE project_id = $1 AND key = $2", &[&pid, &key])? == 0 {
                return Err(MetaError::NotFound { what: "survey", name: key.into() });
            }
            Ok(())
        })
    }

    fn feedback_themes(&self, project: &str) -> Result<Option<(String, i64)>, MetaError> {
        self.with(|c| {
            let found = c.query_opt(
                "SELECT t.document, t.updated_at FROM feedback_themes t JOIN projects p ON p.id = t.project_id \
                 WHERE p.slug = $1",
                &[&project],
            )?;
            Ok(found.map(|r| Ok::<_, postgres::Error>((r.try_get(0)?, r.try_get(1)?))).transpose()?)
        })
    }

    fn save_feedback_themes(&self, project: &str, document: &str, now: i64) -> Result<(), MetaError> {
        check_themes(document)?;
        self.tx(|t| {
            let pid = project_id(t, project)?;
            t.execute(
                "INSERT INTO feedback_themes (project_id, document, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (project_id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at",
                &[&pid, &document, &now],
            )?;
            Ok(())
        })
    }

    fn reset_feedback_themes(&self, project: &str) -> Result<bool, MetaError> {
        self.tx(|t| {
            let pid = project_id(t, project)?;
            Ok(t.execute("DELETE FROM feedback_themes WHERE project_id = $1", &[&pid])? > 0)
        })
    }
}
