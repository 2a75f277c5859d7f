//! What only PostgreSQL needs: its schema is SQLite's (tables, columns with their types mapped, keys, indexes,
//! guards), two servers opening one database at once migrate it once, a newer schema is refused, and calls made
//! on an async runtime's thread work. The behaviour of every method is tested once for both backends, beside
//! each area (`backend_tests!`).

use std::collections::BTreeSet;

use crate::schema::MIGRATIONS;
use crate::testing::{postgres_missing, postgres_url, sqlite};
use crate::{Meta, MetaError};

/// A schema as a set of comparable lines.
type Shape = BTreeSet<String>;

/// SQLite's types for PostgreSQL's: integers and booleans are both SQLite's INTEGER.
fn sqlite_type(pg: &str) -> &str {
    match pg {
        "bigint" | "boolean" => "INTEGER",
        "text" => "TEXT",
        "bytea" => "BLOB",
        other => other,
    }
}

fn sqlite_shape(conn: &rusqlite::Connection) -> Shape {
    let mut out = Shape::new();
    let names = |sql: &str| -> Vec<(String, String)> {
        let mut st = conn.prepare(sql).unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    for (table, _) in names("SELECT name, '' FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") {
        out.insert(format!("table {table}"));
        let mut st = conn.prepare(&format!("PRAGMA table_info({table})")).unwrap();
        let cols = st
            .query_map([], |r| {
                Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, bool>(3)?, r.get::<_, i64>(5)?))
            })
            .unwrap();
        for c in cols {
            let (name, ty, not_null, pk) = c.unwrap();
            out.insert(format!("column {table}.{name} {ty} not_null={} pk={pk}", not_null || pk > 0));
        }
        for (index, origin) in names(&format!("SELECT name, origin FROM pragma_index_list('{table}')")) {
            let cols = names(&format!("SELECT name, '' FROM pragma_index_info('{index}') ORDER BY seqno"));
            let cols = cols.into_iter().map(|(c, _)| c).collect::<Vec<_>>().join(",");
            match origin.as_str() {
                "u" => out.insert(format!("unique {table}({cols})")),
                "pk" => true, // the columns' pk positions say it
                _ => out.insert(format!("index {index} on {table}({cols})")),
            };
        }
    }
    for (trigger, table) in names("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'") {
        out.insert(format!("guard {trigger} on {table}"));
    }
    out
}

fn postgres_shape(c: &mut postgres::Client) -> Shape {
    let mut out = Shape::new();
    let lines = |c: &mut postgres::Client, sql: &str| -> Vec<String> {
        c.query(sql, &[]).unwrap().iter().map(|r| r.get::<_, String>(0)).collect()
    };
    for t in lines(c, "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'") {
        if t != "tropa_schema" {
            out.insert(format!("table {t}"));
        }
    }
    let columns = c
        .query(
            "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_nullable = 'NO',
                    coalesce((SELECT array_position(k.conkey, a.attnum)::bigint FROM pg_constraint k
                              JOIN pg_class t ON t.oid = k.conrelid
                              JOIN pg_attribute a ON a.attrelid = t.oid AND a.attname = c.column_name
                              WHERE k.contype = 'p' AND t.relname = c.table_name
                              AND t.relnamespace = 'public'::regnamespace), 0)
             FROM information_schema.columns c WHERE c.table_schema = 'public' AND c.table_name <> 'tropa_schema'",
            &[],
        )
        .unwrap();
    for r in columns {
        let (table, name, ty): (String, String, String) = (r.get(0), r.get(1), r.get(2));
        let (not_null, pk): (bool, i64) = (r.get(3), r.get(4));
        out.insert(format!("column {table}.{name} {} not_null={not_null} pk={pk}", sqlite_type(&ty)));
    }
    let indexes = "SELECT t.relname::text, i.relname::text,
                          string_agg(a.attname::text, ',' ORDER BY k.n),
                          coalesce((SELECT c.contype::text FROM pg_constraint c WHERE c.conindid = x.indexrelid
                                    AND c.contype IN ('p', 'u')), '')
                   FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                   JOIN pg_namespace s ON s.oid = t.relnamespace
                   CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
                   JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                   WHERE s.nspname = 'public' AND t.relname <> 'tropa_schema'
                   GROUP BY t.relname, i.relname, x.indexrelid";
    for r in c.query(indexes, &[]).unwrap() {
        let (table, index, cols, kind): (String, String, String, String) = (r.get(0), r.get(1), r.get(2), r.get(3));
        match kind.as_str() {
            "u" => out.insert(format!("unique {table}({cols})")),
            "p" => true,
            _ => out.insert(format!("index {index} on {table}({cols})")),
        };
    }
    let triggers = c
        .query(
            "SELECT DISTINCT trigger_name::text, event_object_table::text FROM information_schema.triggers
             WHERE trigger_schema = 'public'",
            &[],
        )
        .unwrap();
    for r in triggers {
        let (trigger, table): (String, String) = (r.get(0), r.get(1));
        // TRUNCATE skips row triggers in PostgreSQL (SQLite has no TRUNCATE): an append-only table also refuses it
        if !trigger.ends_with("_no_truncate") {
            out.insert(format!("guard {trigger} on {table}"));
        }
    }
    out
}

fn client(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).expect("a client of the test server")
}

#[test]
fn the_postgresql_schema_is_the_sqlite_schema() {
    if postgres_missing("the_postgresql_schema_is_the_sqlite_schema") {
        return;
    }
    let (dir, lite) = sqlite();
    drop(lite);
    let lite = sqlite_shape(&rusqlite::Connection::open(dir.path().join("meta.sqlite")).unwrap());
    let url = postgres_url().unwrap();
    drop(Meta::connect(&url).unwrap());
    let pg = postgres_shape(&mut client(&url));
    let only = |a: &Shape, b: &Shape| a.difference(b).cloned().collect::<Vec<_>>();
    assert_eq!((only(&lite, &pg), only(&pg, &lite)), (vec![], vec![]), "(only in SQLite, only in PostgreSQL)");
    // the comparison sees what it should: every table, its keys and indexes, and the guards
    assert!(lite.contains("table audit") && lite.contains("column keys.digest BLOB not_null=true pk=0"), "{lite:#?}");
    assert!(lite.contains("column members.user_id INTEGER not_null=true pk=1"));
    assert!(lite.iter().any(|l| l.starts_with("unique ")) && lite.iter().any(|l| l.starts_with("index ")));
    assert!(lite.contains("guard audit_no_delete on audit"));
    // and booleans are PostgreSQL's own type
    let mut c = client(&url);
    let ty: String = c
        .query_one(
            "SELECT data_type::text FROM information_schema.columns WHERE table_name = 'surveys' AND column_name = 'active'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(ty, "boolean");
}

#[test]
fn servers_opening_one_database_at_once_migrate_it_once() {
    if postgres_missing("servers_opening_one_database_at_once_migrate_it_once") {
        return;
    }
    let url = postgres_url().unwrap();
    let opened: Vec<Result<Meta, MetaError>> = std::thread::scope(|s| {
        let all: Vec<_> = (0..4).map(|_| s.spawn(|| Meta::connect(&url))).collect();
        all.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for m in &opened {
        assert!(m.is_ok(), "{:?}", m.as_ref().err());
    }
    let version: i64 = client(&url).query_one("SELECT version FROM tropa_schema", &[]).unwrap().get(0);
    assert_eq!(version, MIGRATIONS.len() as i64);
    assert_eq!(client(&url).query_one("SELECT count(*) FROM tropa_schema", &[]).unwrap().get::<_, i64>(0), 1);
    // what one server writes, another reads
    let (a, b) = (opened[0].as_ref().unwrap(), opened[3].as_ref().unwrap());
    a.create_project("shop", "Shop", 1).unwrap();
    let user = a.create_user("a@b.ru", crate::Role::Admin, "long enough pw", 1).unwrap();
    let session = a.create_session(user.id, 1, 60_000).unwrap();
    assert_eq!(b.session(&session.token, 2).unwrap().map(|(u, _)| u.id), Some(user.id));
    assert!(matches!(b.create_project("shop", "", 2), Err(MetaError::Conflict { .. })));
}

#[test]
fn a_newer_schema_is_refused_and_reopening_keeps_everything() {
    if postgres_missing("a_newer_schema_is_refused_and_reopening_keeps_everything") {
        return;
    }
    let url = postgres_url().unwrap();
    let m = Meta::connect(&url).unwrap();
    m.create_project("x", "X", 0).unwrap();
    let secret = m.create_key("x", crate::KeyKind::Read, "", 0).unwrap().secret;
    drop(m);
    let m = Meta::connect(&url).unwrap();
    assert_eq!(m.projects().unwrap().len(), 1);
    assert!(m.authenticate(&secret).unwrap().is_some());
    drop(m);
    client(&url).execute("UPDATE tropa_schema SET version = version + 1", &[]).unwrap();
    match Meta::connect(&url) {
        Err(MetaError::TooNew { found, known, path }) => {
            assert_eq!((found, known), (MIGRATIONS.len() as i64 + 1, MIGRATIONS.len() as i64));
            assert!(path.starts_with("postgres ") && !path.contains("password"), "{path}");
        }
        other => panic!("{:?}", other.err()),
    }
    assert!(matches!(Meta::connect("postgres://nobody@127.0.0.1:1/none"), Err(MetaError::Backend(_))));
}

#[test]
fn calls_from_an_async_runtime_thread_work() {
    if postgres_missing("calls_from_an_async_runtime_thread_work") {
        return;
    }
    let url = postgres_url().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(async {
        // opened, used and dropped on the runtime's thread (the synchronous client would panic there by itself)
        let m = Meta::connect(&url).unwrap();
        m.create_project("a", "", 0).unwrap();
        assert_eq!(m.projects().unwrap().len(), 1);
        drop(m);
    });
}

#[test]
fn concurrent_writers_keep_map_versions_consecutive() {
    if postgres_missing("concurrent_writers_keep_map_versions_consecutive") {
        return;
    }
    let m = Meta::connect(&postgres_url().unwrap()).unwrap();
    m.create_project("a", "", 0).unwrap();
    let map = m.create_map("a", "Map", "{}", "", None, 0).unwrap();
    std::thread::scope(|s| {
        for i in 0..4 {
            let m = &m;
            s.spawn(move || {
                for j in 0..5 {
                    m.save_map_version("a", map.id, None, "Map", "{}", &format!("{i}/{j}"), None, 1).unwrap();
                }
            });
        }
    });
    let versions: Vec<i64> = m.map_history("a", map.id).unwrap().iter().map(|v| v.version).collect();
    assert_eq!(versions, (1..=21).rev().collect::<Vec<_>>());
}
