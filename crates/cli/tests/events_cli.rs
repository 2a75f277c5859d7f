//! `tropa events`: the dictionary at the command line by raw name (events, `--properties`, JSON), kept across a
//! restart and after a forget; a property the data never had is warned about at its flag.

mod common;

use common::{ok, tropa};

fn import(d: &std::path::Path) {
    let file = d.join("e.ndjson");
    let line = |u: &str, e: &str, h: u32, props: &str| {
        format!(
            "{{\"type\":\"track\",\"event\":\"{e}\",\"userId\":\"{u}\",\"timestamp\":\"2026-03-01T{h:02}:00:00Z\",\"properties\":{props}}}\n"
        )
    };
    let lines = [
        line("u1", "view_item", 10, r#"{"color":"red"}"#),
        line("u1", "purchase", 11, r#"{"plan":"pro"}"#),
        line("u2", "view_item", 12, r#"{"color":"blue"}"#),
    ];
    std::fs::write(&file, lines.concat()).unwrap();
    ok(&tropa(d, &["import", file.to_str().unwrap()]));
}

#[test]
fn events_lists_the_dictionary_by_raw_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    import(d);
    let table = ok(&tropa(d, &["events"]));
    let view = table.lines().find(|l| l.starts_with("view_item")).unwrap_or_else(|| panic!("{table}"));
    assert!(view.contains(" 2 ") && view.contains("2026-03-01"), "{view}");
    let props = ok(&tropa(d, &["events", "--properties"]));
    assert!(props.lines().any(|l| l.starts_with("color") && l.contains("red") && l.contains("blue")), "{props}");
    let json: serde_json::Value = serde_json::from_str(&ok(&tropa(d, &["events", "--format", "json"]))).unwrap();
    assert_eq!(json["events"][0]["name"], "purchase");
    assert_eq!(json["events"][1]["count"], 2);
    // after forgetting a customer, their events are not counted
    ok(&tropa(d, &["forget", "u2"]));
    let json: serde_json::Value = serde_json::from_str(&ok(&tropa(d, &["events", "--format", "json"]))).unwrap();
    assert_eq!(json["events"][1]["count"], 1);
    let colors = &json["properties"].as_array().unwrap().iter().find(|p| p["name"] == "color").unwrap()["values"];
    assert_eq!(colors, &serde_json::json!([["red", 1]]), "the forgotten customer's values are gone");
    // a property the data never had: a warning at its flag, the report made anyway
    let out =
        tropa(d, &["funnel", "--step", "view_item where colour = red", "--step", "purchase", "--breakdown", "plna"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("no property 'colour' in the data: did you mean 'color'?"), "{err}");
    assert!(err.contains("--breakdown") && err.contains("did you mean 'plan'?"), "{err}");
}
