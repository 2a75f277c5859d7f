//! Projects and keys on SQLite.

use rusqlite::{params, OptionalExtension};

use super::{project_id, SqliteRepository};
use crate::projects::{key_hint, project_name};
use crate::repository::Projects;
use crate::secret::digest;
use crate::{check_key_secret, check_slug, KeyInfo, KeyKind, MetaError, NewKey, Project};

const KEY_COLS: &str = "SELECT k.id, p.slug, k.kind, k.label, k.hint, k.created_at, k.revoked_at
                        FROM keys k JOIN projects p ON p.id = k.project_id";

fn key_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<KeyInfo> {
    let kind: String = r.get(2)?;
    Ok(KeyInfo {
        id: r.get(0)?,
        project: r.get(1)?,
        kind: if kind == "read" { KeyKind::Read } else { KeyKind::Write },
        label: r.get(3)?,
        hint: r.get(4)?,
        created_at: r.get(5)?,
        revoked_at: r.get(6)?,
    })
}

pub(super) fn project_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Project> {
    Ok(Project { slug: r.get(0)?, name: r.get(1)?, created_at: r.get(2)? })
}

impl Projects for SqliteRepository {
    fn create_project(&self, slug: &str, name: &str, now: i64) -> Result<Project, MetaError> {
        check_slug(slug)?;
        let name = project_name(slug, name);
        let done = self.conn().execute(
            "INSERT INTO projects (slug, name, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            params![slug, name, now],
        )?;
        if done == 0 {
            return Err(MetaError::Conflict { what: "project", name: slug.into() });
        }
        Ok(Project { slug: slug.into(), name: name.into(), created_at: now })
    }

    fn project(&self, slug: &str) -> Result<Option<Project>, MetaError> {
        let conn = self.conn();
        Ok(conn
            .query_row("SELECT slug, name, created_at FROM projects WHERE slug = ?1", [slug], project_row)
            .optional()?)
    }

    fn projects(&self) -> Result<Vec<Project>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare("SELECT slug, name, created_at FROM projects ORDER BY slug")?;
        let rows = st.query_map([], project_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
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
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        let hint = key_hint(kind, secret);
        let done = conn.execute(
            "INSERT INTO keys (project_id, kind, digest, hint, label, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT DO NOTHING",
            params![pid, kind.as_str(), digest(secret), hint, label, now],
        )?;
        if done == 0 {
            return Err(MetaError::Conflict { what: "key", name: hint });
        }
        let id = conn.last_insert_rowid();
        let info =
            KeyInfo { id, project: project.into(), kind, label: label.into(), hint, created_at: now, revoked_at: None };
        Ok(NewKey { info, secret: secret.into() })
    }

    fn authenticate(&self, secret: &str) -> Result<Option<KeyInfo>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare_cached(&format!("{KEY_COLS} WHERE k.digest = ?1 AND k.revoked_at IS NULL"))?;
        Ok(st.query_row([digest(secret)], key_row).optional()?)
    }

    fn keys(&self, project: Option<&str>) -> Result<Vec<KeyInfo>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!("{KEY_COLS} WHERE ?1 IS NULL OR p.slug = ?1 ORDER BY k.id"))?;
        let rows = st.query_map([project], key_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn revoke_key(&self, id: i64, now: i64) -> Result<KeyInfo, MetaError> {
        let conn = self.conn();
        conn.execute("UPDATE keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL", params![id, now])?;
        let mut st = conn.prepare(&format!("{KEY_COLS} WHERE k.id = ?1"))?;
        st.query_row([id], key_row).optional()?.ok_or_else(|| MetaError::NotFound { what: "key", name: id.to_string() })
    }
}
