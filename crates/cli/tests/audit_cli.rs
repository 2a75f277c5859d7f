//! `tropa audit` end to end (requirement 8 of the application-layer issue): every change made at the command line
//! is in the audit log as the command line, with the right action, project and target; the log never holds a
//! key's secret, a password or a forgotten customer's id; filters, paging and both languages.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{ok, tropa, user_error, TROPA};
use serde_json::Value;

fn audit(d: &std::path::Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["audit", "--format", "json", "--limit", "1000"];
    all.extend_from_slice(args);
    serde_json::from_str::<Value>(&ok(&tropa(d, &all))).unwrap().as_array().unwrap().clone()
}

/// The raw bytes of the metadata database and its write-ahead log.
fn meta_bytes(d: &std::path::Path) -> Vec<u8> {
    let mut bytes = std::fs::read(d.join("meta.sqlite")).unwrap();
    bytes.extend(std::fs::read(d.join("meta.sqlite-wal")).unwrap_or_default());
    bytes
}

#[test]
fn every_change_at_the_command_line_is_recorded_without_secrets_or_customer_ids() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&tropa(d, &["project", "create", "shop", "--name", "Магазин"]));
    let key: Value = serde_json::from_str(&ok(&tropa(
        d,
        &["--project", "shop", "key", "create", "--kind", "write", "--label", "site", "--format", "json"],
    )))
    .unwrap();
    let secret = key["secret"].as_str().unwrap().to_string();
    ok(&tropa(d, &["key", "revoke", &key["info"]["id"].to_string()]));
    let out = ok(&tropa(d, &["user", "create", "--email", "Maria@Shop.ru", "--role", "analyst"]));
    let password = out.lines().find_map(|l| l.strip_prefix("password: ")).unwrap().to_string();
    let mut child = Command::new(TROPA)
        .env("TROPA_LANG", "en")
        .arg("--data")
        .arg(d)
        .args(["user", "password", "--email", "maria@shop.ru"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"another long secret pw\n").unwrap();
    ok(&child.wait_with_output().unwrap());
    ok(&tropa(d, &["map", "create", "--template", "online_store", "--lang", "en", "--title", "Q3"]));
    let doc = d.join("map.json");
    std::fs::write(&doc, ok(&tropa(d, &["map", "export", "1", "--format", "json"]))).unwrap();
    ok(&tropa(d, &["map", "import", doc.to_str().unwrap()]));
    ok(&tropa(d, &["map", "import", doc.to_str().unwrap(), "--into", "1"]));
    let persona = d.join("p.yaml");
    std::fs::write(&persona, "key: ivan\nname: Иван\nsegment:\n  traits: [\"city = Казань\"]\n").unwrap();
    ok(&tropa(d, &["map", "persona", "import", persona.to_str().unwrap()]));
    let def = d.join("two.yaml");
    std::fs::write(
        &def,
        "version: 1\nname: two\nstages:\n  - key: seen\n    name: {en: Seen, ru: Видел}\n    event: view_item\n  - key: bought\n    name: {en: Bought, ru: Купил}\n    event: purchase\n",
    )
    .unwrap();
    ok(&tropa(d, &["stages", "save", def.to_str().unwrap()]));
    ok(&tropa(d, &["stages", "reset"]));
    // a customer with two ids, forgotten by one of them
    let customer = "olga.petrova@example.ru";
    let events = d.join("e.ndjson");
    std::fs::write(
        &events,
        format!(
            "{{\"type\":\"page\",\"anonymousId\":\"anon-olga-1\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"messageId\":\"m1\"}}\n\
             {{\"type\":\"identify\",\"anonymousId\":\"anon-olga-1\",\"userId\":\"{customer}\",\"timestamp\":\"2026-01-01T00:01:00Z\",\"messageId\":\"m2\"}}\n\
             {{\"type\":\"track\",\"event\":\"purchase\",\"userId\":\"{customer}\",\"timestamp\":\"2026-01-01T00:02:00Z\",\"messageId\":\"m3\"}}\n\
             {{\"type\":\"track\",\"event\":\"x\",\"userId\":\"someone-else\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"messageId\":\"m4\"}}\n"
        ),
    )
    .unwrap();
    ok(&tropa(d, &["--project", "shop", "import", events.to_str().unwrap()]));
    let gone: Value =
        serde_json::from_str(&ok(&tropa(d, &["--project", "shop", "forget", customer, "--format", "json"]))).unwrap();
    assert_eq!((gone["forgotten_events"].as_u64(), gone["forgotten_ids"].as_u64()), (Some(3), Some(2)), "{gone}");

    let entries = audit(d, &[]);
    let actions: Vec<&str> = entries.iter().rev().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "project.create",
            "key.create",
            "key.revoke",
            "user.create",
            "user.password_reset",
            "map.create",
            "map.import",
            "map.import",
            "persona.save",
            "definition.save",
            "definition.reset",
            "data.forget"
        ]
    );
    for e in &entries {
        assert_eq!((e["actor"]["kind"].as_str(), e["address"].as_str()), (Some("cli"), Some("cli")), "{e}");
    }
    let by = |action: &str| entries.iter().find(|e| e["action"] == action).unwrap().clone();
    assert_eq!(by("key.create")["project"], "shop");
    assert_eq!(by("key.create")["target"], key["info"]["hint"]);
    assert_eq!(by("key.create")["details"]["label"], "site");
    assert_eq!(by("user.create")["target"], "maria@shop.ru");
    assert_eq!(by("user.create")["details"]["role"], "analyst");
    assert_eq!(by("map.create")["target"], "#1 Q3");
    assert_eq!(by("persona.save")["target"], "ivan");
    assert_eq!(by("definition.save")["details"]["stages"], 2);
    let forget = by("data.forget");
    assert_eq!(
        (forget["project"].as_str(), forget["details"].clone()),
        (Some("shop"), serde_json::json!({"events": 3, "actors": 2}))
    );
    let digest = forget["target"].as_str().unwrap();
    assert!(digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()), "{digest}");

    // no secret, password or customer id anywhere: not in any entry, not in the database's bytes
    let text = serde_json::to_string(&entries).unwrap();
    let bytes = String::from_utf8_lossy(&meta_bytes(d)).into_owned();
    for needle in [&secret[3..], password.as_str(), "another long secret pw", customer, "anon-olga-1"] {
        assert!(!text.contains(needle), "{needle} in the audit log");
        assert!(!bytes.contains(needle), "{needle} in the metadata database");
    }

    // filters, paging, mistakes
    assert_eq!(audit(d, &["--project", "shop"]).len(), 4, "project, key create and revoke, forget");
    assert_eq!(audit(d, &["--action", "map.import"]).len(), 2);
    let page: Vec<Value> =
        serde_json::from_str(&ok(&tropa(d, &["audit", "--format", "json", "--limit", "5"]))).unwrap();
    let older = audit(d, &["--before", &page[4]["id"].to_string()]);
    assert_eq!((page.len(), older.len()), (5, entries.len() - 5));
    assert_eq!(audit(d, &["--since", "2199-01-01"]).len(), 0);
    user_error(&tropa(d, &["audit", "--action", "key.steal"]), "--action: 'key.steal': use one of project.create");
    user_error(&tropa(d, &["audit", "--limit", "0"]), "--limit");
    let table = ok(&tropa(d, &["audit", "--limit", "3"]));
    assert!(table.trim_start().starts_with('#') && table.contains("who") && table.contains("data.forget"), "{table}");
    assert!(table.contains("tropa audit --before"), "{table}");
    let ru = Command::new(TROPA).env("TROPA_LANG", "ru").arg("--data").arg(d).args(["audit"]).output().unwrap();
    let ru = ok(&ru);
    assert!(ru.contains("кто") && ru.contains("действие") && ru.contains("key.revoke"), "{ru}");
}
