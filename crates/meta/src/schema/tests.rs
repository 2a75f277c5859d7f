//! The schema as data against the SQL it replaced: [`LEGACY`] is the list of SQLite migrations as they were
//! written before the schema became data (kept here as the reference, never edited); the SQLite rendering must
//! make the same `sqlite_master`, and a database made by the old SQL at any version must upgrade and read.

use rusqlite::Connection;

use super::{sqlite, Constraint, Step, Type, MIGRATIONS};
use crate::sqlite::migrate_to;
use crate::{Meta, Role, StoredSettings};

const LEGACY: &[&str] = &[
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
    // 7 → 8: the dictionary's notes on event names and properties: display names in English and Russian, a
    // description, hidden and verified flags, per project (the counts live with the data)
    "CREATE TABLE dictionary_notes (
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('event', 'property')),
        name TEXT NOT NULL,
        name_en TEXT NOT NULL DEFAULT '',
        name_ru TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        hidden INTEGER NOT NULL DEFAULT 0,
        verified INTEGER NOT NULL DEFAULT 0,
        updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (project_id, kind, name)
     );",
    // 8 → 9: dashboards of pinned charts under one period, their tiles in order, their share links; share links of
    // maps may expire
    "CREATE TABLE dashboards (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id),
        name TEXT NOT NULL,
        since TEXT NOT NULL DEFAULT '',
        until TEXT NOT NULL DEFAULT '',
        compare TEXT NOT NULL DEFAULT 'none' CHECK (compare IN ('none', 'previous')),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
     );
     CREATE TABLE dashboard_tiles (
        id INTEGER PRIMARY KEY,
        dashboard_id INTEGER NOT NULL REFERENCES dashboards(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('funnels', 'paths', 'retention', 'stages', 'map')),
        title TEXT NOT NULL,
        query TEXT NOT NULL,
        map_id INTEGER REFERENCES maps(id) ON DELETE CASCADE,
        lane TEXT NOT NULL
     );
     CREATE INDEX tiles_by_dashboard ON dashboard_tiles (dashboard_id, position);
     CREATE TABLE dashboard_shares (
        digest BLOB PRIMARY KEY,
        dashboard_id INTEGER NOT NULL REFERENCES dashboards(id) ON DELETE CASCADE,
        hint TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        revoked_at INTEGER
     );
     ALTER TABLE map_shares ADD COLUMN expires_at INTEGER;",
    // 9 → 10: maps linked to the project's stages or detached (existing maps: detached), named map versions
    "ALTER TABLE maps ADD COLUMN stages TEXT NOT NULL DEFAULT 'detached' CHECK (stages IN ('linked', 'detached'));
     ALTER TABLE map_versions ADD COLUMN name TEXT;",
    // 10 → 11: ad spend per project (attribution's costs)
    "CREATE TABLE ad_costs (
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        day TEXT NOT NULL,
        source TEXT NOT NULL,
        medium TEXT NOT NULL,
        campaign TEXT NOT NULL,
        channel TEXT NOT NULL,
        cost_micros INTEGER NOT NULL,
        currency TEXT NOT NULL,
        PRIMARY KEY (project_id, day, source, medium, campaign, channel)
     );",
    // 11 → 12: surveys of a project (key, kind, active flag, the document with wording, choices and targeting)
    "CREATE TABLE surveys (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('nps', 'csat', 'ces', 'single', 'multiple', 'text')),
        document TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (project_id, key)
     );",
    // 12 → 13: experiments (A/B tests) per project: key and definition (JSON, checked by the application)
    "CREATE TABLE experiments (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        definition TEXT NOT NULL,
        created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (project_id, key)
     );",
    // 13 → 14: dashboard tiles of attribution, feedback and experiments (the kind's check widened, tiles kept)
    "CREATE TABLE dashboard_tiles_before AS SELECT * FROM dashboard_tiles;
     DROP TABLE dashboard_tiles;
     CREATE TABLE dashboard_tiles (
        id INTEGER PRIMARY KEY,
        dashboard_id INTEGER NOT NULL REFERENCES dashboards(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('funnels', 'paths', 'retention', 'stages', 'map', 'attribution', 'feedback', 'experiments')),
        title TEXT NOT NULL,
        query TEXT NOT NULL,
        map_id INTEGER REFERENCES maps(id) ON DELETE CASCADE,
        lane TEXT NOT NULL
     );
     INSERT INTO dashboard_tiles (id, dashboard_id, position, kind, title, query, map_id, lane)
        SELECT id, dashboard_id, position, kind, title, query, map_id, lane FROM dashboard_tiles_before;
     DROP TABLE dashboard_tiles_before;
     CREATE INDEX tiles_by_dashboard ON dashboard_tiles (dashboard_id, position);",
    // 14 → 15: a project's own feedback theme list (one JSON document; no row: the built-in list)
    "CREATE TABLE feedback_themes (
        project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
        document TEXT NOT NULL,
        updated_at INTEGER NOT NULL
     );",
];

/// The schema of a database: (type, name, table, SQL with white space normalised), by type and name.
fn schema_of(conn: &Connection) -> Vec<(String, String, String, String)> {
    let mut st =
        conn.prepare("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name").unwrap();
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, normalise(&r.get::<_, String>(3)?)))).unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

/// SQL with every run of white space one space, and none beside brackets and commas.
fn normalise(sql: &str) -> String {
    let mut s = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    for (from, to) in [(" (", "("), ("( ", "("), (" )", ")"), (" ,", ","), (", ", ",")] {
        s = s.replace(from, to);
    }
    s
}

/// A database made by the old SQL up to `version`.
fn legacy_at(conn: &Connection, version: usize) {
    for sql in &LEGACY[..version] {
        conn.execute_batch(sql).unwrap();
    }
    conn.pragma_update(None, "user_version", version as i64).unwrap();
}

#[test]
fn there_is_one_rendering_per_old_migration() {
    assert_eq!(MIGRATIONS.len(), LEGACY.len());
}

#[test]
fn the_sqlite_rendering_makes_the_schema_the_old_sql_made_at_every_version() {
    for version in 0..=LEGACY.len() {
        let old = Connection::open_in_memory().unwrap();
        legacy_at(&old, version);
        let mut new = Connection::open_in_memory().unwrap();
        migrate_to(&mut new, version).unwrap();
        let (old, new) = (schema_of(&old), schema_of(&new));
        assert_eq!(old, new, "schema {version}");
        if version == LEGACY.len() {
            // 20 tables, 3 indexes of ours, 3 triggers (and SQLite's own indexes of unique keys)
            assert_eq!(new.iter().filter(|r| r.0 == "table").count(), 21);
            assert_eq!(new.iter().filter(|r| r.0 == "trigger").count(), 3);
        }
    }
}

#[test]
fn a_database_made_at_every_old_version_upgrades_and_reads() {
    let fresh = {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_to(&mut conn, MIGRATIONS.len()).unwrap();
        schema_of(&conn)
    };
    for version in 0..=LEGACY.len() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("meta.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            legacy_at(&conn, version);
            if version >= 1 {
                conn.execute("INSERT INTO projects (slug, name, created_at) VALUES ('old', 'Old', 5)", []).unwrap();
            }
            if version >= 2 {
                conn.execute(
                    "INSERT INTO users (email, role, password_hash, created_at) VALUES ('a@x.ru', 'analyst', 'h', 0)",
                    [],
                )
                .unwrap();
            }
        }
        let m = Meta::open(&path).unwrap();
        assert_eq!(schema_of(&Connection::open(&path).unwrap()), fresh, "upgraded from {version}");
        let projects = m.projects().unwrap();
        if version >= 1 {
            assert_eq!((projects[0].slug.as_str(), projects[0].created_at), ("old", 5), "from {version}");
            let defaults = StoredSettings { time_zone: "UTC".into(), currency: "RUB".into() };
            assert_eq!(m.project_settings("old").unwrap(), Some(defaults), "from {version}");
        } else {
            assert!(projects.is_empty());
        }
        if version >= 2 {
            let a = m.user("a@x.ru").unwrap().unwrap();
            // before schema 5, every user had their role in every project; afterwards, memberships are explicit
            let expect = (version <= 4).then_some(Role::Analyst);
            assert_eq!(m.project_role(&a, "old").unwrap(), expect, "from {version}");
        }
        // and it works as a new one does
        m.create_project("new", "", 0).unwrap();
        let u = m.create_user("n@x.ru", Role::Viewer, "long enough pw", 0).unwrap();
        m.set_member("new", u.id, Role::Viewer).unwrap();
    }
}

#[test]
fn the_schema_is_well_formed() {
    let mut tables: Vec<&str> = Vec::new();
    for (n, m) in MIGRATIONS.iter().enumerate() {
        for step in m.steps {
            let named = |t: &str, tables: &[&str]| assert!(tables.contains(&t), "migration {n}: no table {t} yet");
            match step {
                Step::CreateTable(t) => {
                    assert!(!tables.contains(&t.name), "migration {n}: {} twice", t.name);
                    for c in t.columns {
                        if let Some(r) = c.references {
                            assert!(tables.contains(&r.table) || r.table == t.name, "migration {n}: {}", c.name);
                        }
                        assert!(c.ty != Type::Id || c.primary_key, "migration {n}: an id is a primary key");
                    }
                    let keys = t.columns.iter().filter(|c| c.primary_key).count()
                        + t.constraints.iter().filter(|c| matches!(c, Constraint::PrimaryKey(_))).count();
                    assert!(keys <= 1, "migration {n}: {} has {keys} primary keys", t.name);
                    tables.push(t.name);
                }
                Step::CreateIndex(i) => named(i.table, &tables),
                Step::AddColumn { table, column } => {
                    named(table, &tables);
                    assert!(!column.not_null || column.default.is_some(), "migration {n}: NOT NULL needs a default");
                    assert!(!column.primary_key && !column.unique, "migration {n}: keys cannot be added");
                }
                Step::Fill { table, .. } | Step::AppendOnly { table, .. } | Step::WriteOnce { table, .. } => {
                    named(table, &tables)
                }
                Step::Rebuild(t) => {
                    named(t.name, &tables);
                    assert!(t.columns.iter().filter(|c| c.ty == Type::Id).all(|c| c.primary_key), "migration {n}");
                }
            }
        }
    }
}

#[test]
fn guards_refuse_on_sqlite() {
    let mut conn = Connection::open_in_memory().unwrap();
    migrate_to(&mut conn, MIGRATIONS.len()).unwrap();
    conn.execute_batch(
        "INSERT INTO audit (at, actor_kind, actor, address, action, target, details)
         VALUES (1, 'system', '', '', 'map.create', 't', '{}');
         INSERT INTO audit_salt (id, salt) VALUES (1, x'00');",
    )
    .unwrap();
    let refused = |sql: &str| conn.execute(sql, []).unwrap_err().to_string();
    assert!(refused("UPDATE audit SET target = 'x'").contains("append-only"));
    assert!(refused("DELETE FROM audit").contains("append-only"));
    assert!(refused("UPDATE audit_salt SET salt = x'01'").contains("made once"));
    assert!(refused("INSERT INTO audit_salt (id, salt) VALUES (2, x'02')").contains("CHECK"));
    let n: i64 = conn.query_row("SELECT count(*) FROM audit", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
    let _ = sqlite::render(&MIGRATIONS[0]);
}

/// The tiles' rebuild (migration 13) keeps every tile with its id, and takes the new kinds afterwards.
#[test]
fn rebuilding_the_tiles_keeps_them() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON;").unwrap();
    for m in &MIGRATIONS[..13] {
        conn.execute_batch(&sqlite::render(m)).unwrap();
    }
    conn.execute_batch(
        "INSERT INTO projects (id, slug, name, created_at) VALUES (1, 'a', 'a', 0);
         INSERT INTO dashboards (id, project_id, name, created_at, updated_at) VALUES (1, 1, 'd', 0, 0);
         INSERT INTO dashboard_tiles (id, dashboard_id, position, kind, title, query, lane)
            VALUES (7, 1, 0, 'funnels', 'Checkout', 'steps=a', '');",
    )
    .unwrap();
    let refused = conn.execute_batch(
        "INSERT INTO dashboard_tiles (dashboard_id, position, kind, title, query, lane) \
         VALUES (1, 1, 'attribution', 't', '', '')",
    );
    assert!(refused.is_err(), "before: the old kinds only");
    conn.execute_batch(&sqlite::render(&MIGRATIONS[13])).unwrap();
    let kept: (i64, String, String) = conn
        .query_row("SELECT id, kind, title FROM dashboard_tiles", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    assert_eq!(kept, (7, "funnels".to_string(), "Checkout".to_string()));
    for kind in ["attribution", "feedback", "experiments"] {
        conn.execute(
            "INSERT INTO dashboard_tiles (dashboard_id, position, kind, title, query, lane) VALUES (1, 1, ?1, 't', '', '')",
            [kind],
        )
        .unwrap();
    }
    let next: i64 = conn.query_row("SELECT max(id) FROM dashboard_tiles", [], |r| r.get(0)).unwrap();
    assert_eq!(next, 10, "new ids go on after the kept ones");
    assert!(conn.execute_batch("INSERT INTO dashboard_tiles (dashboard_id, position, kind, title, query, lane) VALUES (1, 1, 'pie', 't', '', '')").is_err());
}
