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
    // 4 → 5: per-project access. A user's own role is now their role on the instance (admin: manages projects,
    // users and members, and is an admin in every project); what they may do in a project is their membership.
    // Every existing user keeps their old role in every existing project (nothing they could do is lost).
    "CREATE TABLE members (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'viewer')),
        PRIMARY KEY (user_id, project_id)
     );
     INSERT INTO members (user_id, project_id, role) SELECT u.id, p.id, u.role FROM users u, projects p;",
    // 5 → 6: the audit log (append-only: triggers refuse changes) and the salt of forgotten customers' digests; no
    // foreign keys, so entries outlive the users and maps they name
    "CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'cli', 'system')),
        user_id INTEGER,
        actor TEXT NOT NULL,
        address TEXT NOT NULL,
        action TEXT NOT NULL,
        project TEXT,
        target TEXT NOT NULL,
        details TEXT NOT NULL
     );
     CREATE INDEX audit_by_project ON audit (project, id);
     CREATE INDEX audit_by_action ON audit (action, id);
     CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
     CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
     CREATE TABLE audit_salt (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        salt BLOB NOT NULL
     );
     CREATE TRIGGER audit_salt_kept BEFORE UPDATE ON audit_salt BEGIN SELECT RAISE(ABORT, 'the salt is made once'); END;",
    // 6 → 7: each project's settings: the time zone of its reports (IANA name) and its reporting currency (ISO 4217),
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
    migrate_to(conn, known as usize)
}

/// Applies the migrations up to schema `target` (tests build old databases with it).
pub(crate) fn migrate_to(conn: &mut Connection, target: usize) -> Result<(), MetaError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().take(target).skip(version as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
