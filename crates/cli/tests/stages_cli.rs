//! `tropa stages` end to end: bad definition files and bad arguments are user errors (exit 1) whose message names
//! the line, the stage and the field, or the argument; the printed default definition round-trips; the JSON shape.

use std::path::Path;
use std::process::{Command, Output};

const TROPA: &str = env!("CARGO_BIN_EXE_tropa");

fn tropa(data: &Path, args: &[&str]) -> Output {
    Command::new(TROPA).env("TROPA_LANG", "en").arg("--data").arg(data).args(args).output().unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "exit {:?}: {}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Expects exit code 1 and a message on stderr containing every needle.
fn user_error(out: &Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {err}");
    for n in needles {
        assert!(err.contains(n), "{n:?} not in: {err}");
    }
}

fn demo(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("data");
    stdout(&tropa(&data, &["demo", "generate", "--customers", "300", "--seed", "3"]));
    data
}

const BAD_TOML: &str = r#"version = 1
name = "shop"

[[stages]]
key = "visit"
name = { en = "Visit", ru = "Визит" }
event = "page_view"

[[stages]]
key = "cart"
name = { en = "Cart", ru = "Корзина" }
event = "add_to_cart where price >"
nth = "twice"
"#;

#[test]
fn a_bad_definition_names_line_stage_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("journey.toml");
    std::fs::write(&file, BAD_TOML).unwrap();
    // both problems are reported, each with its line, before any data is opened
    let missing = dir.path().join("no-data");
    let out = tropa(&missing, &["stages", "--definition", file.to_str().unwrap()]);
    user_error(
        &out,
        &["journey.toml", "line 12: stage 2 'cart', event: ", "no value", "line 13: stage 2 'cart', nth:"],
    );
    let out = tropa(&missing, &["stages", "validate", file.to_str().unwrap()]);
    user_error(&out, &["line 12", "line 13"]);

    let yaml = dir.path().join("journey.yaml");
    std::fs::write(&yaml, "version: 1\nname: shop\nstages:\n  - key: visit\n    name: Visit\n    evnt: page_view\n")
        .unwrap();
    let out = tropa(&missing, &["stages", "validate", yaml.to_str().unwrap()]);
    user_error(&out, &["line 6: stage 1 'visit', evnt: unknown field", "line 4: stage 1 'visit', event: is missing"]);

    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"version\": 1,\n \"name\": \"x\",\n \"stages\": [\n}").unwrap();
    user_error(&tropa(&missing, &["stages", "validate", broken.to_str().unwrap()]), &["line 4", "not valid JSON"]);

    let txt = dir.path().join("journey.txt");
    std::fs::write(&txt, "version = 1").unwrap();
    user_error(&tropa(&missing, &["stages", "validate", txt.to_str().unwrap()]), &["journey.txt", ".toml"]);
    user_error(&tropa(&missing, &["stages", "validate", "/nonexistent/j.toml"]), &["cannot read"]);
}

#[test]
fn bad_arguments_name_the_argument() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("no-data");
    for (args, needle) in [
        (&["--stuck", "5x"][..], "--stuck: '5x': unknown unit 'x'"),
        (&["--stuck", "0d"], "--stuck: must be longer than zero"),
        (&["--dormant", "ninety"], "--dormant:"),
        (&["--dormant", "90d", "--churn", "30d"], "--churn: must be longer than the dormant threshold"),
        (&["--transitions", "2026-01-01"], "--transitions: write FROM..TO"),
        (&["--transitions", "2026-01-01..soon"], "--transitions: 'soon'"),
        (&["--now", "yesterday"], "--now:"),
    ] {
        let mut all = vec!["stages"];
        all.extend_from_slice(args);
        user_error(&tropa(&data, &all), &[needle]);
    }
    // checks that need the data: the instants against --now
    let data = demo(dir.path());
    user_error(
        &tropa(&data, &["stages", "--transitions", "2026-06-01..2026-05-01"]),
        &["--transitions: the start must be before the end"],
    );
    user_error(
        &tropa(&data, &["stages", "--now", "2026-06-01", "--transitions", "2026-05-01..2026-07-01"]),
        &["--transitions: 2026-07-01T00:00:00.000Z is after the report's instant"],
    );
}

#[test]
fn the_printed_default_round_trips_and_the_json_shape_holds() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo(dir.path());
    let text = stdout(&tropa(&data, &["stages", "definition"]));
    let file = dir.path().join("default.toml");
    std::fs::write(&file, &text).unwrap();
    let listed = stdout(&tropa(&data, &["stages", "validate", file.to_str().unwrap()]));
    assert!(listed.contains("5 stages") && listed.contains("repeat_purchase"), "{listed}");

    let json = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["stages", "--format", "json", "--transitions", "2026-05-01..2026-08-01"];
        args.extend_from_slice(extra);
        serde_json::from_str(&stdout(&tropa(&data, &args))).unwrap()
    };
    let default = json(&[]);
    assert_eq!(json(&["--definition", file.to_str().unwrap()]), default);
    assert_eq!(default["definition"], "default");
    let stages = default["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 5);
    for key in [
        "key",
        "name",
        "entered",
        "current",
        "conversion_to_next",
        "median_seconds_in_stage",
        "p90_seconds_in_stage",
        "stuck",
    ] {
        assert!(stages.iter().all(|s| s.get(key).is_some()), "{key} missing");
    }
    assert_eq!(stages[0]["name"], "Awareness");
    // every customer did something: all entered awareness, and the stage counts add up
    let customers = default["customers"].as_u64().unwrap();
    assert_eq!(stages[0]["entered"].as_u64(), Some(customers));
    let current: u64 = stages.iter().map(|s| s["current"].as_u64().unwrap()).sum();
    assert_eq!(current + default["no_stage"].as_u64().unwrap(), customers);
    let states = default["lifecycle"]["states"].as_array().unwrap();
    let names: Vec<&str> = states.iter().map(|s| s["state"].as_str().unwrap()).collect();
    assert_eq!(names, ["new", "active", "returning", "reactivated", "dormant", "churned"]);
    let in_states: u64 = states.iter().map(|s| s["customers"].as_u64().unwrap()).sum();
    assert_eq!(in_states, customers);
    let matrix = default["lifecycle"]["transitions"]["matrix"].as_array().unwrap();
    let total: u64 = matrix.iter().flat_map(|r| r.as_array().unwrap()).map(|c| c.as_u64().unwrap()).sum();
    assert_eq!((matrix.len(), total), (7, customers));

    // Russian names in Russian
    let out = Command::new(TROPA)
        .env("TROPA_LANG", "ru")
        .args(["--data", data.to_str().unwrap(), "stages"])
        .output()
        .unwrap();
    let table = stdout(&out);
    assert!(table.contains("Осведомленность") && table.contains("Повторная покупка"), "{table}");
}
