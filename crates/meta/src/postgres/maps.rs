//! Journey maps, share links and personas on PostgreSQL.

use postgres::Row;

use super::{count, project_id, rows, PostgresRepository};
use crate::dashboards::Shared;
use crate::maps::{check_document, check_version_name, MapInfo, MapVersion, NewShare, ShareInfo, StageLink};
use crate::repository::Maps;
use crate::secret::{digest, random_token};
use crate::MetaError;

const MAP_COLS: &str = "m.id, p.slug, m.title, (SELECT max(version) FROM map_versions v WHERE v.map_id = m.id), \
                        m.created_at, m.updated_at, m.stages";

fn map_row(r: &Row) -> Result<MapInfo, postgres::Error> {
    Ok(MapInfo {
        id: r.try_get(0)?,
        project: r.try_get(1)?,
        title: r.try_get(2)?,
        version: r.try_get(3)?,
        created_at: r.try_get(4)?,
        updated_at: r.try_get(5)?,
        stages: StageLink::parse(r.try_get::<_, &str>(6)?),
    })
}

fn map_missing(id: i64) -> MetaError {
    MetaError::NotFound { what: "map", name: id.to_string() }
}

impl Maps for PostgresRepository {
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
        let id: i64 = self.tx(|t| {
            let pid = project_id(t, project)?;
            let id: i64 = t
                .query_one(
                    "INSERT INTO maps (project_id, title, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
                    &[&pid, &title, &now],
                )?
                .try_get(0)?;
            t.execute(
                "INSERT INTO map_versions (map_id, version, document, summary, author, created_at)
                 VALUES ($1, 1, $2, $3, $4, $5)",
                &[&id, &document, &summary, &user, &now],
            )?;
            Ok(id)
        })?;
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
        self.with(|c| {
            let sql = format!(
                "SELECT {MAP_COLS} FROM maps m JOIN projects p ON p.id = m.project_id WHERE p.slug = $1 \
                 ORDER BY m.updated_at DESC, m.id DESC"
            );
            rows(c.query(&sql, &[&project])?, map_row)
        })
    }

    fn map(&self, project: &str, id: i64) -> Result<Option<MapInfo>, MetaError> {
        self.with(|c| {
            let sql = format!(
                "SELECT {MAP_COLS} FROM maps m JOIN projects p ON p.id = m.project_id WHERE p.slug = $1 AND m.id = $2"
            );
            Ok(c.query_opt(&sql, &[&project, &id])?.as_ref().map(map_row).transpose()?)
        })
    }

    fn map_version(&self, project: &str, id: i64, version: Option<i64>) -> Result<Option<MapVersion>, MetaError> {
        self.with(|c| {
            let found = c.query_opt(
                "SELECT v.version, v.document, v.summary, coalesce(u.email, ''), v.created_at, coalesce(v.name, '')
                 FROM map_versions v JOIN maps m ON m.id = v.map_id JOIN projects p ON p.id = m.project_id
                 LEFT JOIN users u ON u.id = v.author
                 WHERE p.slug = $1 AND m.id = $2 AND ($3::bigint IS NULL OR v.version = $3)
                 ORDER BY v.version DESC LIMIT 1",
                &[&project, &id, &version],
            )?;
            let row = |r: Row| {
                Ok::<_, postgres::Error>(MapVersion {
                    version: r.try_get(0)?,
                    document: r.try_get(1)?,
                    summary: r.try_get(2)?,
                    author: r.try_get(3)?,
                    created_at: r.try_get(4)?,
                    name: r.try_get(5)?,
                })
            };
            Ok(found.map(row).transpose()?)
        })
    }

    fn map_history(&self, project: &str, id: i64) -> Result<Vec<MapVersion>, MetaError> {
        self.with(|c| {
            let found = c.query(
                "SELECT v.version, v.summary, coalesce(u.email, ''), v.created_at, coalesce(v.name, '')
                 FROM map_versions v JOIN maps m ON m.id = v.map_id JOIN projects p ON p.id = m.project_id
                 LEFT JOIN users u ON u.id = v.author WHERE p.slug = $1 AND m.id = $2 ORDER BY v.version DESC",
                &[&project, &id],
            )?;
            rows(found, |r| {
                Ok(MapVersion {
                    version: r.try_get(0)?,
                    document: String::new(),
                    summary: r.try_get(1)?,
                    author: r.try_get(2)?,
                    created_at: r.try_get(3)?,
                    name: r.try_get(4)?,
                })
            })
        })
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
        self.tx(|t| {
            let pid = project_id(t, project)?;
            // the map's row locked: a second writer waits, then sees this version as the latest
            if t.query_opt("SELECT id FROM maps WHERE id = $1 AND project_id = $2 FOR UPDATE", &[&id, &pid])?.is_none()
            {
                return Err(map_missing(id));
            }
            let latest: i64 = t
                .query_one("SELECT coalesce(max(version), 0) FROM map_versions WHERE map_id = $1", &[&id])?
                .try_get(0)?;
            if expected.is_some_and(|e| e != latest) {
                return Err(MetaError::Conflict {
                    what: "map version",
                    name: format!("{} (the map is at version {latest})", expected.unwrap_or(0)),
                });
            }
            let next = latest + 1;
            t.execute(
                "INSERT INTO map_versions (map_id, version, document, summary, author, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[&id, &next, &document, &summary, &user, &now],
            )?;
            t.execute("UPDATE maps SET title = $2, updated_at = $3 WHERE id = $1", &[&id, &title, &now])?;
            Ok(next)
        })
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
        self.tx(|t| {
            let pid = project_id(t, project)?;
            if t.query_opt("SELECT id FROM maps WHERE id = $1 AND project_id = $2 FOR UPDATE", &[&id, &pid])?.is_none()
            {
                return Err(map_missing(id));
            }
            let found = t.query_opt(
                "SELECT version, name FROM map_versions WHERE map_id = $1 ORDER BY version DESC LIMIT 1",
                &[&id],
            )?;
            let (latest, name): (Option<i64>, Option<String>) = match found {
                Some(r) => (Some(r.try_get(0)?), r.try_get(1)?),
                None => (None, None),
            };
            if latest != Some(version) || name.is_some_and(|n| !n.is_empty()) {
                return Err(MetaError::Conflict {
                    what: "map version",
                    name: format!("{version} (the map is at version {})", latest.unwrap_or(0)),
                });
            }
            t.execute(
                "UPDATE map_versions SET document = $3, summary = $4, created_at = $5 WHERE map_id = $1 AND version = $2",
                &[&id, &version, &document, &summary, &now],
            )?;
            t.execute("UPDATE maps SET updated_at = $2 WHERE id = $1", &[&id, &now])?;
            Ok(())
        })
    }

    fn name_map_version(&self, project: &str, id: i64, version: i64, name: &str) -> Result<(), MetaError> {
        check_version_name(name)?;
        let name = Some(name.trim()).filter(|n| !n.is_empty());
        self.tx(|t| {
            let pid = project_id(t, project)?;
            let changed = t.execute(
                "UPDATE map_versions SET name = $4 WHERE version = $3
                 AND map_id = (SELECT id FROM maps WHERE id = $1 AND project_id = $2)",
                &[&id, &pid, &version, &name],
            )?;
            if changed == 0 {
                return Err(MetaError::NotFound { what: "map version", name: format!("{id}/{version}") });
            }
            Ok(())
        })
    }

    fn set_map_stages(&self, project: &str, id: i64, link: StageLink) -> Result<(), MetaError> {
        self.tx(|t| {
            let pid = project_id(t, project)?;
            let changed = t.execute(
                "UPDATE maps SET stages = $3 WHERE id = $1 AND project_id = $2",
                &[&id, &pid, &link.as_str()],
            )?;
            if changed == 0 {
                return Err(map_missing(id));
            }
            Ok(())
        })
    }

    fn delete_map(&self, project: &str, id: i64) -> Result<(), MetaError> {
        self.tx(|t| {
            let pid = project_id(t, project)?;
            if t.execute("DELETE FROM maps WHERE id = $1 AND project_id = $2", &[&id, &pid])? == 0 {
                return Err(map_missing(id));
            }
            Ok(())
        })
    }

    fn create_share(&self, project: &str, id: i64, expires_at: Option<i64>, now: i64) -> Result<NewShare, MetaError> {
        let token = random_token("sh_")?;
        let hint: String = token.chars().take(7).collect();
        self.tx(|t| {
            let pid = project_id(t, project)?;
            if t.query_opt("SELECT id FROM maps WHERE id = $1 AND project_id = $2 FOR SHARE", &[&id, &pid])?.is_none() {
                return Err(map_missing(id));
            }
            t.execute(
                "INSERT INTO map_shares (digest, map_id, hint, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                &[&digest(&token), &id, &hint, &now, &expires_at],
            )?;
            Ok(())
        })?;
        Ok(NewShare { token, hint })
    }

    fn shares(&self, project: &str, id: i64, now: i64) -> Result<Vec<ShareInfo>, MetaError> {
        self.with(|c| {
            let found = c.query(
                "SELECT s.hint, s.created_at, s.expires_at FROM map_shares s JOIN maps m ON m.id = s.map_id
                 JOIN projects p ON p.id = m.project_id WHERE p.slug = $1 AND m.id = $2 AND s.revoked_at IS NULL
                 AND (s.expires_at IS NULL OR s.expires_at > $3) ORDER BY s.created_at",
                &[&project, &id, &now],
            )?;
            rows(found, share_row)
        })
    }

    fn revoke_shares(&self, project: &str, id: i64, now: i64) -> Result<usize, MetaError> {
        self.tx(|t| {
            let pid = project_id(t, project)?;
            if t.query_opt("SELECT id FROM maps WHERE id = $1 AND project_id = $2", &[&id, &pid])?.is_none() {
                return Err(map_missing(id));
            }
            Ok(count(t.execute(
                "UPDATE map_shares SET revoked_at = $2 WHERE map_id = $1 AND revoked_at IS NULL",
                &[&id, &now],
            )?))
        })
    }

    fn shared_map(&self, token: &str, now: i64) -> Result<Option<Shared>, MetaError> {
        self.with(|c| {
            let found = c.query_opt(
                "SELECT p.slug, m.id, s.expires_at FROM map_shares s JOIN maps m ON m.id = s.map_id
                 JOIN projects p ON p.id = m.project_id WHERE s.digest = $1 AND s.revoked_at IS NULL",
                &[&digest(token)],
            )?;
            let row = |r: Row| Ok::<_, postgres::Error>(shared(r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, now));
            Ok(found.map(row).transpose()?)
        })
    }

    fn save_persona(&self, project: &str, key: &str, document: &str, now: i64) -> Result<(), MetaError> {
        check_document(document)?;
        self.tx(|t| {
            let pid = project_id(t, project)?;
            t.execute(
                "INSERT INTO personas (project_id, key, document, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (project_id, key) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at",
                &[&pid, &key, &document, &now],
            )?;
            Ok(())
        })
    }

    fn personas(&self, project: &str) -> Result<Vec<(String, String)>, MetaError> {
        self.with(|c| {
            let found = c.query(
                "SELECT x.key, x.document FROM personas x JOIN projects p ON p.id = x.project_id WHERE p.slug = $1
                 ORDER BY x.key",
                &[&project],
            )?;
            rows(found, |r| Ok((r.try_get(0)?, r.try_get(1)?)))
        })
    }

    fn delete_persona(&self, project: &str, key: &str) -> Result<(), MetaError> {
        self.tx(|t| {
            let pid = project_id(t, project)?;
            if t.execute("DELETE FROM personas WHERE project_id = $1 AND key = $2", &[&pid, &key])? == 0 {
                return Err(MetaError::NotFound { what: "persona", name: key.into() });
            }
            Ok(())
        })
    }
}

/// A share link as listed: its hint, creation and expiry.
pub(super) fn share_row(r: &Row) -> Result<ShareInfo, postgres::Error> {
    Ok(ShareInfo { hint: r.try_get(0)?, created_at: r.try_get(1)?, expires_at: r.try_get(2)? })
}

/// What a found link opens at `now`.
pub(super) fn shared(project: String, id: i64, expires_at: Option<i64>, now: i64) -> Shared {
    match expires_at {
        Some(t) if t <= now => Shared::Expired(t),
        _ => Shared::Live(project, id),
    }
}
