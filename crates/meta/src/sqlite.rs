//! The SQLite backend (the default): one connection behind a mutex, WAL journal, `synchronous = FULL`, foreign
//! keys on; the schema is [`crate::schema::MIGRATIONS`] rendered by [`crate::schema::sqlite`] and numbered by
//! SQLite's `user_version` (`sqlite/migrate.rs`). Each area's trait is implemented in its own file of `sqlite/`.

mod audit;
mod costs;
mod dashboards;
mod dictionary;
mod experiments;
mod maps;
mod members;
mod migrate;
mod projects;
mod reports;
mod settings;
mod surveys;
mod users;

/// Builds old databases in the tests.
#[cfg(test)]
pub(crate) use migrate::migrate_to;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension};

use crate::MetaError;

/// The metadata store in one SQLite file.
pub struct SqliteRepository {
    conn: Mutex<Connection>,
}

/// SQLite's errors are the backend's own (a unique-key conflict that a method expects is answered before it
/// gets here, as `MetaError::Conflict`).
impl From<rusqlite::Error> for MetaError {
    fn from(e: rusqlite::Error) -> MetaError {
        MetaError::Backend(Box::new(e))
    }
}

impl SqliteRepository {
    /// Opens (or creates) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteRepository, MetaError> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate::migrate(&mut conn, &path.display().to_string())?;
        Ok(SqliteRepository { conn: Mutex::new(conn) })
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The id of the project `project`, or NotFound.
fn project_id(conn: &Connection, project: &str) -> Result<i64, MetaError> {
    conn.query_row("SELECT id FROM projects WHERE slug = ?1", [project], |r| r.get(0))
        .optional()?
        .ok_or_else(|| MetaError::NotFound { what: "project", name: project.into() })
}
