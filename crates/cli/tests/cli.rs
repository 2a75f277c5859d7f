//! The `tropa` binary end to end: imports with bad rows, duplicates, stats, customer timelines, errors and exit
//! codes, real public data sets.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TROPA: &str = env!("CARGO_BIN_EXE_tropa");

fn tropa(data: &Path, args: &[&str]) -> Output {
    Command::new(TROPA).env("TROPA_LANG", "en").arg("--data").arg(data).args(args).output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    // import --output json prints one line per durable batch; the last line is the summary
    let text = ok(out);
    let last = text.lines().last().unwrap_or("");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} is not here", p.display());
        None
    }
}

#[test]
fn ndjson_import_reports_bad_lines_keeps_good_ones_and_skips_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.ndjson");
    let mut text = String::new();
    text.push_str(
        r#"{"type":"track","event":"view_item","anonymousId":"a1","messageId":"1","timestamp":"2026-01-01T10:00:00Z"}"#,
    );
    text.push('\n');
    text.push_str("{not json\n");
    text.push_str(r#"{"type":"track","userId":"u1","messageId":"3"}"#);
    text.push('\n');
    text.push_str(r#"{"type":"track","event":"x","userId":{"id":1},"messageId":"4"}"#);
    text.push('\n');
    text.push_str(r#"{"type":"track","event":"x","userId":"u1","messageId":"5","timestamp":"2301-01-01T00:00:00Z"}"#);
    text.push('\n');
    text.push('\n');
    text.push_str(r#"{"type":"identify","anonymousId":"a1","userId":"u1","messageId":"7","timestamp":"2026-01-01T10:05:00Z","traits":{"city":"Казань"}}"#);
    text.push('\n');
    text.push_str(r#"{"type":"track","event":"purchase","userId":"u1","messageId":"8","timestamp":"2026-01-01T10:09:00Z","properties":{"revenue":4990,"currency":"RUB"}}"#);
    text.push('\n');
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(b"{\"type\":\"track\",\"event\":\"\xff\xfe\",\"userId\":\"u2\"}\n");
    std::fs::write(&file, &bytes).unwrap();
    let data = dir.path().join("d");
    let out = tropa(&data, &["import", "--output", "json"]);
    assert_eq!(out.status.code(), Some(1), "a missing FILE is a usage error");
    let out = tropa(&data, &["import", "--output", "json", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = json(&out);
    assert_eq!(
        (v["accepted"].as_u64(), v["rejected"].as_u64(), v["duplicates"].as_u64()),
        (Some(3), Some(5), Some(0)),
        "{v}"
    );
    for needle in [":2: ", ":3: event", ":4: userId", ":5: timestamp", ":9: "] {
        assert!(stderr.contains(needle), "stderr lacks {needle:?}:\n{stderr}");
    }
    // again: the file's one chunk is recognised as imported before (its rows neither added nor reported again)
    let v = json(&tropa(&data, &["import", "--output", "json", file.to_str().unwrap()]));
    assert_eq!(
        (v["accepted"].as_u64(), v["duplicates"].as_u64(), v["recognised"].as_u64()),
        (Some(0), Some(0), Some(8))
    );
    // the same messages in another file (another chunk): the valid ones are duplicates by message id
    let moved = dir.path().join("moved.ndjson");
    std::fs::write(&moved, [b"\n".as_slice(), &bytes].concat()).unwrap();
    let v = json(&tropa(&data, &["import", "--output", "json", moved.to_str().unwrap()]));
    assert_eq!(
        (v["accepted"].as_u64(), v["duplicates"].as_u64(), v["recognised"].as_u64()),
        (Some(0), Some(3), Some(0))
    );
    // the anonymous view and the identified purchase are one customer
    let c: serde_json::Value =
        serde_json::from_str(&ok(&tropa(&data, &["customer", "u1", "--format", "json"]))).unwrap();
    assert_eq!(c["actors"], serde_json::json!(["a1", "u1"]));
    assert_eq!(c["events"].as_array().unwrap().len(), 3);
    assert_eq!(c["merges"][0]["message_id"], "7");
    let table = ok(&tropa(&data, &["customer", "a1"]));
    assert!(table.contains("purchase") && table.contains("4990.00 RUB") && table.contains("u1 ↔ a1"), "{table}");
}

#[test]
fn max_errors_stops_the_import_but_keeps_what_was_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.csv");
    let mut text = String::from("user_id,event,ts,price\n");
    for i in 0..10 {
        text.push_str(&format!("u{i},view,17000000{i:02},{i}\n"));
    }
    text.push_str("u1,view\n");
    text.push_str("u2,view,yesterday,1\n");
    text.push_str("u3,buy,1700000100,lots\n");
    std::fs::write(&file, text).unwrap();
    let data = dir.path().join("d");
    let out = tropa(
        &data,
        &[
            "import",
            "--column",
            "timestamp=ts",
            "--column",
            "revenue=price",
            "--time-format",
            "unix",
            "--max-errors",
            "1",
            "--batch",
            "10",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(":12:") && stderr.contains("expected"), "{stderr}");
    assert!(stderr.contains(":13: timestamp"), "{stderr}");
    assert!(stderr.contains(":14: revenue"), "{stderr}");
    assert!(stderr.contains("too many bad rows") && stderr.contains("10 events accepted so far are kept"), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&ok(&tropa(&data, &["stats", "--format", "json"]))).unwrap();
    assert_eq!(v["events"], 10);
}

#[test]
fn user_errors_exit_with_1_and_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("empty");
    for (args, needle) in [
        (vec!["stats"], "tropa demo generate"),
        (vec!["import", "/nonexistent.csv"], "no such file"),
        (vec!["import", "--time-format", "weird", "x.csv"], "--time-format"),
        (vec!["import", "--column", "nonsense", "x.csv"], "nonsense"),
    ] {
        let out = tropa(&data, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    let out = tropa(&data, &["demo", "generate", "--customers", "50"]);
    ok(&out);
    let out = tropa(&data, &["customer", "nobody"]);
    assert_eq!(out.status.code(), Some(1));
    let out = tropa(&data, &["demo", "generate", "--customers", "50"]);
    assert_eq!(out.status.code(), Some(1), "generating twice into one folder is refused");
}

#[test]
fn taobao_imports_with_the_documented_command() {
    let Some(file) = shared("taobao_userbehavior_head/UserBehavior_head.csv") else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let v = json(&tropa(
        &data,
        &[
            "import",
            "--format",
            "csv",
            "--column",
            "user_id=user_id",
            "--column",
            "event=behavior_type",
            "--column",
            "timestamp=timestamp",
            "--time-format",
            "unix",
            "--output",
            "json",
            file.to_str().unwrap(),
        ],
    ));
    assert_eq!((v["accepted"].as_u64(), v["rejected"].as_u64()), (Some(84_475), Some(0)), "{v}");
    let s: serde_json::Value = serde_json::from_str(&ok(&tropa(&data, &["stats", "--format", "json"]))).unwrap();
    assert_eq!(s["customers"], 815);
    let by: std::collections::HashMap<String, (u64, u64)> = s["events_by_name"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["value"].as_str().unwrap().to_string(),
                (r["events"].as_u64().unwrap(), r["customers"].as_u64().unwrap()),
            )
        })
        .collect();
    // the README of the data set: pv 75,872 / cart 4,497 / fav 2,356 / buy 1,750; 559 buyers
    assert_eq!(by["pv"].0, 75_872);
    assert_eq!(by["cart"].0, 4_497);
    assert_eq!(by["fav"].0, 2_356);
    assert_eq!(by["buy"], (1_750, 559));
}

#[test]
fn rees46_keeps_exact_duplicate_rows_and_cdnow_reads_dates() {
    if let Some(file) = shared("rees46_multicategory_2019oct_head/2019-Oct_head.csv") {
        let dir = tempfile::tempdir().unwrap();
        let v = json(&tropa(
            &dir.path().join("d"),
            &[
                "import",
                "--column",
                "timestamp=event_time",
                "--column",
                "event=event_type",
                "--output",
                "json",
                file.to_str().unwrap(),
            ],
        ));
        assert_eq!((v["accepted"].as_u64(), v["rejected"].as_u64()), (Some(17_434), Some(0)), "{v}");
    }
    if let Some(file) = shared("cdnow/CDNOW_master.csv") {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("d");
        let v = json(&tropa(
            &data,
            &[
                "import",
                "--column",
                "user_id=customer_id",
                "--column",
                "timestamp=date",
                "--time-format",
                "%Y%m%d",
                "--column",
                "revenue=dollar_value",
                "--set",
                "event=purchase",
                "--output",
                "json",
                file.to_str().unwrap(),
            ],
        ));
        assert_eq!((v["accepted"].as_u64(), v["rejected"].as_u64()), (Some(69_659), Some(0)), "{v}");
        let s: serde_json::Value = serde_json::from_str(&ok(&tropa(&data, &["stats", "--format", "json"]))).unwrap();
        assert_eq!(s["customers"], 23_570);
        assert_eq!(s["first_event"], "1997-01-01T00:00:00.000Z");
    }
}

#[test]
fn broken_pipe_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    ok(&tropa(&data, &["demo", "generate", "--customers", "300"]));
    let mut child =
        Command::new(TROPA).arg("--data").arg(&data).arg("stats").stdout(std::process::Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}
