//! tropa's metadata: projects and their API keys, each project's settings — time zone and currency ([`settings`]) —, users and their sessions ([`users`]), saved reports and
//! journey definitions ([`reports`]), journey maps with their versions, share links and personas ([`maps`]), and
//! the append-only audit log of who changed them ([`audit`]), kept in SQLite (`meta.sqlite` in the data folder).
//!
//! A **project** is an isolated set of journeys (its events live in `projects/<slug>/` of the data folder); a
//! **key** lets a client into one project, either to send events (`write`, the Segment "write key") or to query
//! them (`read`). Keys are 32 random bytes shown once at creation (`tw_…` / `tr_…`, base62) and stored only as
//! their SHA-256 digest: a key has 190 bits of entropy, so a fast digest cannot be brute-forced and every request
//! can be checked in microseconds (argon2 is for low-entropy secrets such as passwords).
//!
//! ```
//! use tropa_meta::{KeyKind, Meta};
//! let dir = tempfile::tempdir()?;
//! let meta = Meta::open(&dir.path().join("meta.sqlite"))?;
//! let project = meta.create_project("shop", "My shop", 0)?;
//! let key = meta.create_key(&project.slug, KeyKind::Write, "site", 0)?;
//! assert_eq!(meta.authenticate(&key.secret)?.unwrap().project, "shop");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod audit;
pub mod maps;
pub mod members;
pub mod reports;
mod schema;
pub mod settings;
pub mod users;

pub use maps::{MapInfo, MapVersion, NewShare, ShareInfo};
pub use reports::{SavedReport, StoredDefinition};
pub use settings::StoredSettings;
pub use users::{NewSession, Role, User};

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Errors of the metadata store.
#[derive(Debug, thiserror::Error)]
pub enum MetaError {
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("{what} '{name}' does not exist")]
    NotFound { what: &'static str, name: String },
    #[error("{what} '{name}' already exists")]
    Conflict { what: &'static str, name: String },
    #[error("metadata database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("metadata database {path}: schema version {found} is newer than this tropa understands ({known})")]
    TooNew { path: String, found: i64, known: i64 },
    #[error("random source: {0}")]
    Random(String),
}

/// Who may do what with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    /// Sends events only.
    Write,
    /// Queries its project only.
    Read,
}

impl KeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Write => "write",
            KeyKind::Read => "read",
        }
    }

    pub fn parse(s: &str) -> Result<KeyKind, MetaError> {
        match s {
            "write" => Ok(KeyKind::Write),
            "read" => Ok(KeyKind::Read),
            other => Err(MetaError::Invalid {
                field: "kind".into(),
                reason: format!("'{other}' is not a key kind: use write or read"),
            }),
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            KeyKind::Write => "tw_",
            KeyKind::Read => "tr_",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Project {
    pub slug: String,
    pub name: String,
    pub created_at: i64,
}

/// A stored key (without its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    pub id: i64,
    pub project: String,
    pub kind: KeyKind,
    pub label: String,
    /// The first characters of the secret, to recognise it in lists.
    pub hint: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A key just created: the only moment its secret is known.
#[derive(Debug, Clone, Serialize)]
pub struct NewKey {
    pub info: KeyInfo,
    pub secret: String,
}

/// The metadata database.
pub struct Meta {
    conn: Mutex<Connection>,
}

/// The SHA-256 digest a key is stored as.
pub(crate) fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A random password for a new user (printed once): 20 base62 characters, about 119 bits.
pub fn random_password() -> Result<String, MetaError> {
    Ok(random_token("")?.chars().take(20).collect())
}

/// `prefix` + 32 base62 characters from 32 random bytes (bias < 2⁻¹⁸ per character, irrelevant at 190 bits).
pub(crate) fn random_token(prefix: &str) -> Result<String, MetaError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| MetaError::Random(e.to_string()))?;
    let body: String = bytes.iter().map(|b| BASE62[*b as usize % 62] as char).collect();
    Ok(format!("{prefix}{body}"))
}

/// A project slug: 1–40 of `a-z 0-9 - _`, starting with a letter or digit.
pub fn check_slug(slug: &str) -> Result<(), MetaError> {
    let ok = !slug.is_empty()
        && slug.len() <= 40
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && slug.as_bytes()[0].is_ascii_alphanumeric();
    if ok {
        Ok(())
    } else {
        Err(MetaError::Invalid {
            field: "project".into(),
            reason: format!(
                "'{slug}' is not a project id: use 1–40 of a-z, 0-9, '-', '_', starting with a letter or digit"
            ),
        })
    }
}

/// The id of the project `project`, or NotFound.
pub(crate) fn project_id(conn: &rusqlite::Connection, project: &str) -> Result<i64, MetaError> {
    conn.query_row("SELECT id FROM projects WHERE slug = ?1", [project], |r| r.get(0))
        .optional()?
        .ok_or_else(|| MetaError::NotFound { what: "project", name: project.into() })
}

impl Meta {
    /// Opens (or creates) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Meta, MetaError> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        schema::migrate(&mut conn, &path.display().to_string())?;
        Ok(Meta { conn: Mutex::new(conn) })
    }

    pub(crate) fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn create_project(&self, slug: &str, name: &str, now: i64) -> Result<Project, MetaError> {
        check_slug(slug)?;
        let name = if name.trim().is_empty() { slug } else { name.trim() };
        let conn = self.conn();
        let done = conn.execute(
            "INSERT INTO projects (slug, name, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            params![slug, name, now],
        )?;
        if done == 0 {
            return Err(MetaError::Conflict { what: "project", name: slug.into() });
        }
        Ok(Project { slug: slug.into(), name: name.into(), created_at: now })
    }

    pub fn project(&self, slug: &str) -> Result<Option<Project>, MetaError> {
        let conn = self.conn();
        Ok(conn
            .query_row("SELECT slug, name, created_at FROM projects WHERE slug = ?1", [slug], |r| {
                Ok(Project { slug: r.get(0)?, name: r.get(1)?, created_at: r.get(2)? })
            })
            .optional()?)
    }

    pub fn projects(&self) -> Result<Vec<Project>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare("SELECT slug, name, created_at FROM projects ORDER BY slug")?;
        let rows = st.query_map([], |r| Ok(Project { slug: r.get(0)?, name: r.get(1)?, created_at: r.get(2)? }))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Creates a key with a fresh random secret.
    pub fn create_key(&self, project: &str, kind: KeyKind, label: &str, now: i64) -> Result<NewKey, MetaError> {
        self.insert_key(project, kind, label, &random_token(kind.prefix())?, now)
    }

    /// Stores a key whose secret the caller chose (the demo's well-known keys). The secret must carry the
    /// kind's prefix and at least 8 more characters.
    pub fn insert_key(
        &self,
        project: &str,
        kind: KeyKind,
        label: &str,
        secret: &str,
        now: i64,
    ) -> Result<NewKey, MetaError> {
        if !secret.starts_with(kind.prefix()) || secret.len() < kind.prefix().len() + 8 {
            return Err(MetaError::Invalid {
                field: "key".into(),
                reason: format!(
                    "a {} key starts with '{}' and has at least 8 more characters",
                    kind.as_str(),
                    kind.prefix()
                ),
            });
        }
        let conn = self.conn();
        let pid: i64 = conn
            .query_row("SELECT id FROM projects WHERE slug = ?1", [project], |r| r.get(0))
            .optional()?
            .ok_or_else(|| MetaError::NotFound { what: "project", name: project.into() })?;
        let hint: String = secret.chars().take(kind.prefix().len() + 4).collect();
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

    /// The key a client presented, if it exists and is not revoked.
    pub fn authenticate(&self, secret: &str) -> Result<Option<KeyInfo>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare_cached(
            "SELECT k.id, p.slug, k.kind, k.label, k.hint, k.created_at, k.revoked_at
             FROM keys k JOIN projects p ON p.id = k.project_id WHERE k.digest = ?1 AND k.revoked_at IS NULL",
        )?;
        Ok(st.query_row([digest(secret)], key_row).optional()?)
    }

    /// Keys of a project (or of all projects), revoked ones included.
    pub fn keys(&self, project: Option<&str>) -> Result<Vec<KeyInfo>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT k.id, p.slug, k.kind, k.label, k.hint, k.created_at, k.revoked_at
             FROM keys k JOIN projects p ON p.id = k.project_id WHERE ?1 IS NULL OR p.slug = ?1 ORDER BY k.id",
        )?;
        let rows = st.query_map([project], key_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Revokes a key by id; it stops working at once.
    pub fn revoke_key(&self, id: i64, now: i64) -> Result<KeyInfo, MetaError> {
        let conn = self.conn();
        conn.execute("UPDATE keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL", params![id, now])?;
        let mut st = conn.prepare(
            "SELECT k.id, p.slug, k.kind, k.label, k.hint, k.created_at, k.revoked_at
             FROM keys k JOIN projects p ON p.id = k.project_id WHERE k.id = ?1",
        )?;
        st.query_row([id], key_row).optional()?.ok_or_else(|| MetaError::NotFound { what: "key", name: id.to_string() })
    }
}

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

/// A fresh database in a temporary folder, for the tests of this crate.
#[cfg(test)]
pub(crate) fn test_meta() -> (tempfile::TempDir, Meta) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let m = Meta::open(&dir.path().join("meta.sqlite")).expect("a new metadata database");
    (dir, m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_meta as meta;

    #[test]
    fn keys_authenticate_until_revoked() {
        let (_d, m) = meta();
        m.create_project("shop", "", 1).unwrap();
        let w = m.create_key("shop", KeyKind::Write, "site", 2).unwrap();
        let r = m.create_key("shop", KeyKind::Read, "bi", 3).unwrap();
        assert!(w.secret.starts_with("tw_") && w.secret.len() == 35);
        assert_eq!(m.authenticate(&w.secret).unwrap().unwrap().kind, KeyKind::Write);
        assert_eq!(m.authenticate(&r.secret).unwrap().unwrap().kind, KeyKind::Read);
        assert!(m.authenticate("tw_nope").unwrap().is_none());
        m.revoke_key(w.info.id, 9).unwrap();
        assert!(m.authenticate(&w.secret).unwrap().is_none());
        assert_eq!(m.keys(Some("shop")).unwrap()[0].revoked_at, Some(9));
    }

    #[test]
    fn secrets_are_not_stored() {
        let (d, m) = meta();
        m.create_project("p1", "P", 1).unwrap();
        let k = m.create_key("p1", KeyKind::Write, "", 2).unwrap();
        drop(m);
        let bytes = std::fs::read(d.path().join("meta.sqlite")).unwrap();
        let needle = &k.secret.as_bytes()[3..];
        assert!(!bytes.windows(needle.len()).any(|w| w == needle));
    }

    #[test]
    fn bad_names_and_conflicts_are_errors() {
        let (_d, m) = meta();
        for bad in ["", "Shop", "-x", "a b", &"x".repeat(41), "ш"] {
            assert!(matches!(m.create_project(bad, "", 0), Err(MetaError::Invalid { .. })), "{bad}");
        }
        m.create_project("a", "", 0).unwrap();
        assert!(matches!(m.create_project("a", "", 0), Err(MetaError::Conflict { .. })));
        assert!(matches!(m.create_key("b", KeyKind::Read, "", 0), Err(MetaError::NotFound { .. })));
        assert!(matches!(m.insert_key("a", KeyKind::Read, "", "tw_12345678", 0), Err(MetaError::Invalid { .. })));
        assert!(matches!(m.revoke_key(99, 0), Err(MetaError::NotFound { .. })));
    }

    #[test]
    fn reopening_keeps_everything() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("meta.sqlite");
        let secret = {
            let m = Meta::open(&path).unwrap();
            m.create_project("x", "X", 0).unwrap();
            m.create_key("x", KeyKind::Read, "", 0).unwrap().secret
        };
        let m = Meta::open(&path).unwrap();
        assert_eq!(m.projects().unwrap().len(), 1);
        assert!(m.authenticate(&secret).unwrap().is_some());
    }
}
