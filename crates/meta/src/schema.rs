//! Schema migrations, numbered by SQLite's `user_version`: migration *n* takes the schema from version *n* to
//! *n + 1*, inside one transaction.

use rusqlite::Connection;

use crate::MetaError;

pub(crate) const MIGRATIONS: &[&str] = &[
    // 0 → 1: projects and keys
    "CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL
     );
     CREATE TABLE keys (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id),
        kind TEXT NOT NULL CHECK (kind IN ('write', 'read')),
        digest BLOB NOT NULL UNIQUE,
        hint TEXT NOT NULL,
        label TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
     );",
    // 1 → 2: users and their sign-in sessions
    "CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'viewer')),
        password_hash TEXT NOT NULL,
        lang TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL
     );
     CREATE TABLE sessions (
        digest BLOB PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
     );",
    // 2 → 3: saved reports (named funnels, …) and each project's journey definition
    "CREATE TABLE saved_reports (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id),
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        query TEXT NOT NULL,
        created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (project_id, kind, name)
     );
     CREATE TABLE definitions (
        project_id INTEGER PRIMARY KEY REFERENCES projects(id),
        text TEXT NOT NULL,
        format TEXT NOT NULL,
        updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        updated_at INTEGER NOT NULL
     );",
    // 3 → 4: journey maps with every version, read-only share links, personas
    "CREATE TABLE maps (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id),
        title TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
     );
     CREATE TABLE map_versions (
        map_id INTEGER NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        document TEXT NOT NULL,
        summary TEXT NOT NULL,
        author INTEGER REFERENCES users(id) ON DELETE SET NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (map_id, version)
     );
     CREATE TABLE map_shares (
        digest BLOB PRIMARY KEY,
        map_id INTEGER NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
        hint TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
     );
     CREATE TABLE personas (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id),
        key TEXT NOT NULL,
        document TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (project_id, key)
     );",
    // each project's settings: the time zone of its reports (IANA name) and its reporting currency (ISO 4217),
    // checked by the application layer before they are stored
    "ALTER TABLE projects ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
     ALTER TABLE projects ADD COLUMN currency TEXT NOT NULL DEFAULT 'RUB';",
];

pub fn migrate(conn: &mut Connection, path: &str) -> Result<(), MetaError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(MetaError::TooNew { path: path.into(), found: version, known });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
