//! Projects and keys on PostgreSQL.

use postgres::Row;

use super::{project_id, rows, PostgresRepository};
use crate::projects::{key_hint, project_name};
use crate::repository::Projects;
use crate::secret::digest;
use crate::{check_key_secret, check_slug, KeyInfo, KeyKind, MetaError, NewKey, Project};

const KEY_COLS: &str = "SELECT k.id, p.slug, k.kind, k.label, k.hint, k.created_at, k.revoked_at
                        FROM keys k JOIN projects p ON p.id = k.project_id";

fn key_row(r: &Row) -> Result<KeyInfo, postgres::Error> {
    let kind: String = r.try_get(2)?;
    Ok(KeyInfo {
        id: r.try_get(0)?,
        project: r.try_get(1)?,
        kind: if kind == "read" { KeyKind::Read } else { KeyKind::Write },
        label: r.try_get(3)?,
        hint: r.try_get(4)?,
        created_at: r.try_get(5)?,
        revoked_at: r.try_get(6)?,
    })
}

pub(super) fn project_row(r: &Row) -> Result<Project, postgres::Error> {
    Ok(Project { slug: r.try_get(0)?, name: r.try_get(1)?, created_at: r.try_get(2)? })
}

impl Projects for PostgresRepository {
    fn create_project(&self, slug: &str, name: &str, now: i64) -> Result<Project, MetaError> {
        check_slug(slug)?;
        let name = project_name(slug, name);
        let done = self.with(|c| {
            Ok(c.execute(
                "INSERT INTO projects (slug, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[&slug, &name, &now],
            )?)
        })?;
        if done == 0 {
            return Err(MetaError::Conflict { what: "project", name: slug.into() });
        }
        Ok(Project { slug: slug.into(), name: name.into(), created_at: now })
    }

    fn project(&self, slug: &str) -> Result<Option<Project>, MetaError> {
        self.with(|c| {
            let found = c.query_opt("SELECT slug, name, created_at FROM projects WHERE slug = $1", &[&slug])?;
            Ok(found.as_ref().map(project_row).transpose()?)
        })
    }

    fn projects(&self) -> Result<Vec<Project>, MetaError> {
        self.with(|c| rows(c.query("SELECT slug, name, created_at FROM projects ORDER BY slug", &[])?, project_row))
    }

    fn insert_key(
        &self,
        project: &str,
        kind: KeyKind,
        label: &str,
        secret: &str,
        now: i64,
    ) -> Result<NewKey, MetaError> {
        check_key_secret(kind, secret)?;
        let hint = key_hint(kind, secret);
        let id = self.tx(|t| {
            let pid = project_id(t, project)?;
            let found = t.query_opt(
                "INSERT INTO keys (project_id, kind, digest, hint, label, created_at) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT DO NOTHING RETURNING id",
                &[&pid, &kind.as_str(), &digest(secret), &hint, &label, &now],
            )?;
            Ok(found.map(|r| r.try_get::<_, i64>(0)).transpose()?)
        })?;
        let Some(id) = id else { return Err(MetaError::Conflict { what: "key", name: hint }) };
        let info =
            KeyInfo { id, project: project.into(), kind, label: label.into(), hint, created_at: now, revoked_at: None };
        Ok(NewKey { info, secret: secret.into() })
    }

    fn authenticate(&self, secret: &str) -> Result<Option<KeyInfo>, MetaError> {
        self.with(|c| {
            let found =
                c.query_opt(&format!("{KEY_COLS} WHERE k.digest = $1 AND k.revoked_at IS NULL"), &[&digest(secret)])?;
            Ok(found.as_ref().map(key_row).transpose()?)
        })
    }

    fn keys(&self, project: Option<&str>) -> Result<Vec<KeyInfo>, MetaError> {
        self.with(|c| {
            rows(
                c.query(&format!("{KEY_COLS} WHERE $1::text IS NULL OR p.slug = $1 ORDER BY k.id"), &[&project])?,
                key_row,
            )
        })
    }

    fn revoke_key(&self, id: i64, now: i64) -> Result<KeyInfo, MetaError> {
        let found = self.tx(|t| {
            t.execute("UPDATE keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", &[&id, &now])?;
            let found = t.query_opt(&format!("{KEY_COLS} WHERE k.id = $1"), &[&id])?;
            Ok(found.as_ref().map(key_row).transpose()?)
        })?;
        found.ok_or_else(|| MetaError::NotFound { what: "key", name: id.to_string() })
    }
}
