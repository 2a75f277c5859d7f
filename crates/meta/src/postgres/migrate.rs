//! Runs the migrations on PostgreSQL: the schema's version is the one row of `tropa_schema`; migration *n*
//! (rendered by [`crate::schema::postgres::render`]) and the version it leaves are one transaction. The whole run
//! holds a session advisory lock, so a second server opening the same database waits, then finds the schema
//! current and applies nothing.

use postgres::Client;

use crate::schema::{postgres as dialect, MIGRATIONS};
use crate::MetaError;

/// The advisory lock key of tropa's migrations (any constant: "tropa" in ASCII).
const LOCK: i64 = 0x74_72_6f_70_61;

pub(super) fn migrate(c: &mut Client, name: &str) -> Result<(), MetaError> {
    migrate_to(c, name, MIGRATIONS.len())
}

/// Applies the migrations up to schema `target` (tests build old databases with it).
pub(crate) fn migrate_to(c: &mut Client, name: &str, target: usize) -> Result<(), MetaError> {
    c.execute("SELECT pg_advisory_lock($1)", &[&LOCK])?;
    let done = under_lock(c, name, target);
    let unlocked = c.execute("SELECT pg_advisory_unlock($1)", &[&LOCK]);
    done?;
    unlocked?;
    Ok(())
}

fn under_lock(c: &mut Client, name: &str, target: usize) -> Result<(), MetaError> {
    c.batch_execute(dialect::BOOTSTRAP)?;
    let version: i64 = c.query_one(dialect::VERSION, &[])?.try_get(0)?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(MetaError::TooNew { path: name.into(), found: version, known });
    }
    for (i, migration) in MIGRATIONS.iter().enumerate().take(target).skip(version as usize) {
        let mut t = c.transaction()?;
        t.batch_execute(&(dialect::render(migration) + &dialect::set_version(i)))?;
        t.commit()?;
    }
    Ok(())
}
