//! `tropa paths` end to end: bad specs are user errors (exit 1) that name their argument; a small log gives the
//! paths, conversion and Sankey columns worked out by hand.

use std::path::Path;
use std::process::{Command, Output};

const TROPA: &str = env!("CARGO_BIN_EXE_tropa");

fn tropa(data: &Path, args: &[&str]) -> Output {
    Command::new(TROPA).env("TROPA_LANG", "en").arg("--data").arg(data).args(args).output().unwrap()
}

fn user_error(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {err}");
    assert!(err.contains(needle), "'{needle}' not in: {err}");
}

#[test]
fn bad_specs_exit_1_and_name_the_argument() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    user_error(&tropa(d, &["paths", "--from", "view", "--depth", "0"]), "--depth: 0 is out of range: use 1..20");
    user_error(&tropa(d, &["paths", "--from", "view", "--depth", "21"]), "--depth: 21 is out of range");
    user_error(&tropa(d, &["paths", "--depth", "3"]), "--from/--to");
    user_error(&tropa(d, &["paths", "--from", "view where price >"]), "--from 'view where price >'");
    user_error(&tropa(d, &["paths", "--to", "buy", "--session", "30x"]), "--session");
    user_error(&tropa(d, &["paths", "--to", "buy", "--conversion", "buy where"]), "--conversion");
}

#[test]
fn a_small_log_gives_the_paths_worked_out_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("events.csv");
    // u1: view view cart buy; u2: view cart (then a day later) buy; u3: cart view; u4: buy only
    let rows = [
        ("u1", 100, "view"),
        ("u1", 160, "view"),
        ("u1", 220, "cart"),
        ("u1", 280, "buy"),
        ("u2", 100, "view"),
        ("u2", 130, "cart"),
        ("u2", 90_000, "buy"),
        ("u3", 100, "cart"),
        ("u3", 100, "view"),
        ("u4", 500, "buy"),
    ];
    let mut text = String::from("user,ts,ev\n");
    for (u, t, e) in rows {
        text.push_str(&format!("{u},{},{e}\n", 1_767_225_600 + t));
    }
    std::fs::write(&csv, text).unwrap();
    let data = dir.path().join("data");
    let csv = csv.to_str().unwrap();
    let cols =
        ["--column", "user_id=user", "--column", "timestamp=ts", "--time-format", "unix", "--column", "event=ev"];
    let out = tropa(&data, &[&["import", csv][..], &cols].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let run = |args: &[&str]| -> serde_json::Value {
        let out = tropa(&data, &[&["paths", "--format", "json"][..], args].concat());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let paths = |r: &serde_json::Value| -> Vec<(String, u64)> {
        let list = r["paths"].as_array().unwrap();
        list.iter()
            .map(|p| {
                let ev: Vec<&str> = p["events"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
                (ev.join(" "), p["customers"].as_u64().unwrap())
            })
            .collect()
    };
    let r = run(&["--from", "view", "--depth", "3", "--collapse", "--conversion", "buy"]);
    assert_eq!(paths(&r), [("view cart buy".to_string(), 2), ("view".into(), 1)]);
    assert_eq!(r["total"], 3);
    assert_eq!(r["converted"], 2);
    let r = run(&["--from", "view", "--depth", "3", "--session", "30m"]);
    assert_eq!(paths(&r), [("view".to_string(), 1), ("view cart".into(), 1), ("view view cart".into(), 1)]);
    // equal timestamps keep the order of ingestion: u3's view comes after its cart
    let r = run(&["--to", "view", "--depth", "2"]);
    assert_eq!(paths(&r), [("view".to_string(), 2), ("cart view".into(), 1)]);
    let first: Vec<(&str, u64)> = r["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["depth"] == 0)
        .map(|n| (n["event"].as_str().unwrap(), n["customers"].as_u64().unwrap()))
        .collect();
    assert_eq!(first, [("$start", 2), ("cart", 1)]);
}
