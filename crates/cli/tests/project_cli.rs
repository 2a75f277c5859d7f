//! `tropa project` and `tropa key` end to end (issue 4): projects are separate stores, keys are shown once and
//! listed without their secrets, mistakes are user errors (exit 1) that say what to do.

mod common;

use common::{ok, tropa, user_error};

#[test]
fn projects_and_keys() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&tropa(d, &["project", "create", "shop", "--name", "Магазин"]));
    user_error(&tropa(d, &["project", "create", "shop"]), "already exists");
    user_error(&tropa(d, &["project", "create", "Shop!"]), "not a project id");
    let list: serde_json::Value =
        serde_json::from_str(&ok(&tropa(d, &["project", "list", "--format", "json"]))).unwrap();
    let slugs: Vec<&str> = list.as_array().unwrap().iter().map(|p| p["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["default", "shop"]);

    let key: serde_json::Value = serde_json::from_str(&ok(&tropa(
        d,
        &["key", "create", "--project", "shop", "--kind", "write", "--label", "site", "--format", "json"],
    )))
    .unwrap();
    let secret = key["secret"].as_str().unwrap();
    assert!(secret.starts_with("tw_"));
    user_error(&tropa(d, &["key", "create", "--project", "nope", "--kind", "read"]), "no such project");
    user_error(&tropa(d, &["key", "create", "--project", "shop", "--kind", "admin"]), "use write or read");
    let listed = ok(&tropa(d, &["key", "list", "--format", "json"]));
    assert!(!listed.contains(&secret[3..]), "secrets are never listed");
    assert!(listed.contains("site"));
    ok(&tropa(d, &["key", "revoke", &key["info"]["id"].to_string()]));
    user_error(&tropa(d, &["key", "revoke", "99"]), "does not exist");

    // a project is its own store: events imported into shop are not in default
    let file = d.join("e.ndjson");
    std::fs::write(
        &file,
        "{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u1\",\"timestamp\":\"2026-01-01T00:00:00Z\"}\n",
    )
    .unwrap();
    ok(&tropa(d, &["--project", "shop", "import", file.to_str().unwrap()]));
    let stats = |p: &str| -> serde_json::Value {
        serde_json::from_str(&ok(&tropa(d, &["--project", p, "stats", "--format", "json"]))).unwrap()
    };
    assert_eq!(stats("shop")["events"], 1);
    user_error(&tropa(d, &["--project", "default", "stats"]), "import events first");
    user_error(&tropa(d, &["--project", "ghost", "stats"]), "create it with tropa project create");
}

#[test]
fn users_have_roles_and_hashed_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = ok(&tropa(d, &["user", "create", "--email", "Maria@Shop.ru", "--role", "admin"]));
    let password = out.lines().find_map(|l| l.strip_prefix("password: ")).unwrap().to_string();
    assert_eq!(password.len(), 20);
    user_error(&tropa(d, &["user", "create", "--email", "maria@shop.ru"]), "already exists");
    user_error(&tropa(d, &["user", "create", "--email", "x@y.ru", "--role", "root"]), "use admin, analyst or viewer");
    user_error(&tropa(d, &["user", "create", "--email", "not-an-email"]), "not an e-mail address");
    let list = ok(&tropa(d, &["user", "list", "--format", "json"]));
    assert!(list.contains("maria@shop.ru") && list.contains("\"admin\"") && !list.contains(&password));
    let meta = std::fs::read(d.join("meta.sqlite")).unwrap();
    assert!(!String::from_utf8_lossy(&meta).contains(&password), "passwords are stored hashed");
}

/// `tropa user create --project P --role R`: the user works in P (and only there) with R; `--in` names several
/// projects; an unknown project is refused before anything is created; an admin manages the whole instance.
#[test]
fn users_are_created_into_projects_with_their_role() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&tropa(d, &["project", "create", "shop"]));
    ok(&tropa(d, &["project", "create", "blog"]));
    let out = ok(&tropa(d, &["--project", "shop", "user", "create", "--email", "ann@x.ru", "--role", "analyst"]));
    assert!(out.contains("analyst in shop"), "{out}");
    let out = ok(&tropa(d, &["user", "create", "--email", "bob@x.ru", "--in", "shop", "--in", "blog"]));
    assert!(out.contains("viewer in shop, blog"), "{out}");
    user_error(&tropa(d, &["user", "create", "--email", "eve@x.ru", "--in", "ghost"]), "--in ghost: no such project");
    assert!(!ok(&tropa(d, &["user", "list"])).contains("eve@x.ru"), "nothing was created");
    let out = ok(&tropa(d, &["user", "create", "--email", "root@x.ru", "--role", "admin"]));
    assert!(out.contains("(admin)"), "{out}");
}

#[test]
fn a_metadata_database_that_is_not_postgresql_is_refused_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = tropa(d, &["--meta", "mysql://root:pa55word@db/x", "project", "list"]);
    user_error(&out, "--meta");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("postgres://") && !err.contains("pa55word"), "{err}");
    assert!(!d.join("meta.sqlite").exists(), "nothing was made in the data folder");
    // an unreachable server is an error of the metadata database, not a panic, and makes nothing either
    let out = tropa(d, &["--meta", "postgres://tropa@127.0.0.1:1/tropa", "project", "list"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("metadata database"));
    assert!(!d.join("meta.sqlite").exists());
}
