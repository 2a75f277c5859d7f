//! Runs the migrations on SQLite: the schema's version is `user_version`; migration *n* (rendered by
//! [`crate::schema::sqlite::render`]) takes it from *n* to *n + 1* inside one transaction.

use rusqlite::Connection;

use crate::schema::{sqlite, MIGRATIONS};
use crate::MetaError;

pub(super) fn migrate(conn: &mut Connection, path: &str) -> Result<(), MetaError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(MetaError::TooNew { path: path.into(), found: version, known });
    }
    migrate_to(conn, known as usize)
}

/// Applies the migrations up to schema `target` (tests build old databases with it).
pub(crate) fn migrate_to(conn: &mut Connection, target: usize) -> Result<(), MetaError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, migration) in MIGRATIONS.iter().enumerate().take(target).skip(version as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(&sqlite::render(migration))?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
