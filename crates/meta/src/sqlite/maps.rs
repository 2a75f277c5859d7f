//! Journey maps, share links and personas on SQLite.

use rusqlite::{params, OptionalExtension};

use super::{project_id, SqliteRepository};
use crate::dashboards::Shared;
use crate::maps::{check_document, check_version_name, MapInfo, MapVersion, NewShare, ShareInfo, StageLink};
use crate::repository::Maps;
use crate::secret::{digest, random_token};
use crate::MetaError;

const MAP_COLS: &str = "m.id, p.slug, m.title, (SELECT max(version) FROM map_versions v WHERE v.map_id = m.id), \
                        m.created_at, m.updated_at, m.stages";

fn map_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MapInfo> {
    Ok(MapInfo {
        id: r.get(0)?,
        project: r.get(1)?,
        title: r.get(2)?,
        version: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
        stages: StageLink::parse(&r.get::<_, String>(6)?),
    })
}

impl Maps for SqliteRepository {
    fn create_map(
        &self,
        project: &str,
        title: &str,
        document: &str,
        summary: &str,
        user: Option<i64>,
        now: i64,
    ) -> Result<MapInfo, MetaError> {
        check_document(document)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let pid = project_id(&tx, project)?;
        tx.execute(
            "INSERT INTO maps (project_id, title, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            params![pid, title, now],
        )?;
        let id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO map_versions (map_id, version, document, summary, author, created_at) VALUES (?1, 1, ?2, ?3, ?4, ?5)",
            params![id, document, summary, user, now],
        )?;
        tx.commit()?;
        Ok(MapInfo {
            id,
            project: project.into(),
            title: title.into(),
            version: 1,
            stages: StageLink::Detached,
            created_at: now,
            updated_at: now,
        })
    }

    fn maps(&self, project: &str) -> Result<Vec<MapInfo>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!(
            "SELECT {MAP_COLS} FROM maps m JOIN projects p ON p.id = m.project_id WHERE p.slug = ?1 ORDER BY m.updated_at DESC, m.id DESC"
        ))?;
        let rows = st.query_map([project], map_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn map(&self, project: &str, id: i64) -> Result<Option<MapInfo>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!(
            "SELECT {MAP_COLS} FROM maps m JOIN projects p ON p.id = m.project_id WHERE p.slug = ?1 AND m.id = ?2"
        ))?;
        Ok(st.query_row(params![project, id], map_row).optional()?)
    }

    fn map_version(&self, project: &str, id: i64, version: Option<i64>) -> Result<Option<MapVersion>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT v.version, v.document, v.summary, coalesce(u.email, ''), v.created_at, coalesce(v.name, '') FROM map_versions v
             JOIN maps m ON m.id = v.map_id JOIN projects p ON p.id = m.project_id LEFT JOIN users u ON u.id = v.author
             WHERE p.slug = ?1 AND m.id = ?2 AND (?3 IS NULL OR v.version = ?3) ORDER BY v.version DESC LIMIT 1",
        )?;
        Ok(st
            .query_row(params![project, id, version], |r| {
                Ok(MapVersion {
                    version: r.get(0)?,
                    document: r.get(1)?,
                    summary: r.get(2)?,
                    author: r.get(3)?,
                    created_at: r.get(4)?,
                    name: r.get(5)?,
                })
            })
            .optional()?)
    }

    fn map_history(&self, project: &str, id: i64) -> Result<Vec<MapVersion>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT v.version, v.summary, coalesce(u.email, ''), v.created_at, coalesce(v.name, '') FROM map_versions v
             JOIN maps m ON m.id = v.map_id JOIN projects p ON p.id = m.project_id LEFT JOIN users u ON u.id = v.author
             WHERE p.slug = ?1 AND m.id = ?2 ORDER BY v.version DESC",
        )?;
        let rows = st.query_map(params![project, id], |r| {
            Ok(MapVersion {
                version: r.get(0)?,
                document: String::new(),
                summary: r.get(1)?,
                author: r.get(2)?,
                created_at: r.get(3)?,
                name: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    #[allow(clippy::too_many_arguments)]
    fn save_map_version(
        &self,
        project: &str,
        id: i64,
        expected: Option<i64>,
        title: &str,
        document: &str,
        summary: &str,
        user: Option<i64>,
        now: i64,
    ) -> Result<i64, MetaError> {
        check_document(document)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let pid = project_id(&tx, project)?;
        let latest: Option<i64> = tx
            .query_row(
                "SELECT (SELECT max(version) FROM map_versions WHERE map_id = m.id) FROM maps m WHERE m.id = ?1 AND m.project_id = ?2",
                params![id, pid],
                |r| r.get(0),
            )
            .optional()?;
        let latest = latest.ok_or_else(|| MetaError::NotFound { what: "map", name: id.to_string() })?;
        if expected.is_some_and(|e| e != latest) {
            return Err(MetaError::Conflict {
                what: "map version",
                name: format!("{} (the map is at version {latest})", expected.unwrap_or(0)),
            });
        }
        let next = latest + 1;
        tx.execute(
            "INSERT INTO map_versions (map_id, version, document, summary, author, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, next, document, summary, user, now],
        )?;
        tx.execute("UPDATE maps SET title = ?2, updated_at = ?3 WHERE id = ?1", params![id, title, now])?;
        tx.commit()?;
        Ok(next)
    }

    fn amend_map_version(
        &self,
        project: &str,
        id: i64,
        version: i64,
        document: &str,
        summary: &str,
        now: i64,
    ) -> Result<(), MetaError> {
        check_document(document)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let pid = project_id(&tx, project)?;
        let latest: Option<(Option<i64>, Option<String>)> = tx
            .query_row(
                "SELECT v.version, v.name FROM maps m LEFT JOIN map_versions v ON v.map_id = m.id
                 AND v.version = (SELECT max(version) FROM map_versions WHERE map_id = m.id)
                 WHERE m.id = ?1 AND m.project_id = ?2",
                params![id, pid],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (latest, name) = latest.ok_or_else(|| MetaError::NotFound { what: "map", name: id.to_string() })?;
        if latest != Some(version) || name.is_some_and(|n| !n.is_empty()) {
            return Err(MetaError::Conflict {
                what: "map version",
                name: format!("{version} (the map is at version {})", latest.unwrap_or(0)),
            });
        }
        tx.execute(
            "UPDATE map_versions SET document = ?3, summary = ?4, created_at = ?5 WHERE map_id = ?1 AND version = ?2",
            params![id, version, document, summary, now],
        )?;
        tx.execute("UPDATE maps SET updated_at = ?2 WHERE id = ?1", params![id, now])?;
        tx.commit()?;
        Ok(())
    }

    fn name_map_version(&self, project: &str, id: i64, version: i64, name: &str) -> Result<(), MetaError> {
        check_version_name(name)?;
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        let name = Some(name.trim()).filter(|n| !n.is_empty());
        let changed = conn.execute(
            "UPDATE map_versions SET name = ?4 WHERE version = ?3
             AND map_id = (SELECT id FROM maps WHERE id = ?1 AND project_id = ?2)",
            params![id, pid, version, name],
        )?;
        if changed == 0 {
            return Err(MetaError::NotFound { what: "map version", name: format!("{id}/{version}") });
        }
        Ok(())
    }

    fn set_map_stages(&self, project: &str, id: i64, link: StageLink) -> Result<(), MetaError> {
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        let changed = conn.execute(
            "UPDATE maps SET stages = ?3 WHERE id = ?1 AND project_id = ?2",
            params![id, pid, link.as_str()],
        )?;
        if changed == 0 {
            return Err(MetaError::NotFound { what: "map", name: id.to_string() });
        }
        Ok(())
    }

    fn delete_map(&self, project: &str, id: i64) -> Result<(), MetaError> {
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        if conn.execute("DELETE FROM maps WHERE id = ?1 AND project_id = ?2", params![id, pid])? == 0 {
            return Err(MetaError::NotFound { what: "map", name: id.to_string() });
        }
        Ok(())
    }

    fn create_share(&self, project: &str, id: i64, expires_at: Option<i64>, now: i64) -> Result<NewShare, MetaError> {
        if self.map(project, id)?.is_none() {
            return Err(MetaError::NotFound { what: "map", name: id.to_string() });
        }
        let token = random_token("sh_")?;
        let hint: String = token.chars().take(7).collect();
        self.conn().execute(
            "INSERT INTO map_shares (digest, map_id, hint, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![digest(&token), id, hint, now, expires_at],
        )?;
        Ok(NewShare { token, hint })
    }

    fn shares(&self, project: &str, id: i64, now: i64) -> Result<Vec<ShareInfo>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT s.hint, s.created_at, s.expires_at FROM map_shares s JOIN maps m ON m.id = s.map_id
             JOIN projects p ON p.id = m.project_id WHERE p.slug = ?1 AND m.id = ?2 AND s.revoked_at IS NULL
             AND (s.expires_at IS NULL OR s.expires_at > ?3) ORDER BY s.created_at",
        )?;
        let rows = st.query_map(params![project, id, now], share_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn revoke_shares(&self, project: &str, id: i64, now: i64) -> Result<usize, MetaError> {
        if self.map(project, id)?.is_none() {
            return Err(MetaError::NotFound { what: "map", name: id.to_string() });
        }
        Ok(self.conn().execute(
            "UPDATE map_shares SET revoked_at = ?2 WHERE map_id = ?1 AND revoked_at IS NULL",
            params![id, now],
        )?)
    }

    fn shared_map(&self, token: &str, now: i64) -> Result<Option<Shared>, MetaError> {
        let conn = self.conn();
        let found = conn
            .query_row(
                "SELECT p.slug, m.id, s.expires_at FROM map_shares s JOIN maps m ON m.id = s.map_id
                 JOIN projects p ON p.id = m.project_id WHERE s.digest = ?1 AND s.revoked_at IS NULL",
                [digest(token)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        Ok(found.map(|(p, id, expires)| shared(p, id, expires, now)))
    }

    fn save_persona(&self, project: &str, key: &str, document: &str, now: i64) -> Result<(), MetaError> {
        check_document(document)?;
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        conn.execute(
            "INSERT INTO personas (project_id, key, document, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (project_id, key) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at",
            params![pid, key, document, now],
        )?;
        Ok(())
    }

    fn personas(&self, project: &str) -> Result<Vec<(String, String)>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT x.key, x.document FROM personas x JOIN projects p ON p.id = x.project_id WHERE p.slug = ?1 ORDER BY x.key",
        )?;
        let rows = st.query_map([project], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn delete_persona(&self, project: &str, key: &str) -> Result<(), MetaError> {
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        if conn.execute("DELETE FROM personas WHERE project_id = ?1 AND key = ?2", params![pid, key])? == 0 {
            return Err(MetaError::NotFound { what: "persona", name: key.into() });
        }
        Ok(())
    }
}

/// A share link as listed: its hint, creation and expiry.
pub(super) fn share_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ShareInfo> {
    Ok(ShareInfo { hint: r.get(0)?, created_at: r.get(1)?, expires_at: r.get(2)? })
}

/// What a found link opens at `now`.
pub(super) fn shared(project: String, id: i64, expires_at: Option<i64>, now: i64) -> Shared {
    match expires_at {
        Some(t) if t <= now => Shared::Expired(t),
        _ => Shared::Live(project, id),
    }
}
