//! `tropa retention` end to end: argument errors name their argument and exit 1; a small store renders its grid.

use std::path::Path;
use std::process::{Command, Output};

const TROPA: &str = env!("CARGO_BIN_EXE_tropa");

fn tropa(data: &Path, args: &[&str]) -> Output {
    Command::new(TROPA).env("TROPA_LANG", "en").arg("--data").arg(data).args(args).output().unwrap()
}

fn user_error(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout");
    stderr
}

#[test]
fn every_bad_argument_is_named_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = tropa(
        dir.path(),
        &["retention", "--period", "fortnight", "--periods", "0", "--repeat-within", "30 days", "--mode", "after"],
    );
    let err = user_error(&out);
    for arg in ["--period:", "--periods:", "--repeat-within:", "--mode:"] {
        assert!(err.contains(arg), "{arg} missing in: {err}");
    }
    let err = user_error(&tropa(dir.path(), &["retention", "--periods", "401"]));
    assert!(err.contains("--periods: 401 is out of range"), "{err}");
}

#[test]
fn bad_step_syntax_names_start_or_return() {
    let dir = tempfile::tempdir().unwrap();
    let err = user_error(&tropa(dir.path(), &["retention", "--start", "purchase revenue > 5"]));
    assert!(err.contains("--start 'purchase revenue > 5'") && err.contains("where"), "{err}");
    let err = user_error(&tropa(dir.path(), &["retention", "--return", "purchase where revenue >"]));
    assert!(err.contains("--return"), "{err}");
    // a valid spec on a folder without data is a user error too
    let err = user_error(&tropa(dir.path(), &["retention"]));
    assert!(err.contains("import events first"), "{err}");
}

#[test]
fn a_small_store_shows_cohorts_the_overall_row_and_unobserved_cells() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.csv");
    std::fs::write(&file, "user,ts,ev\na,2024-01-01,visit\na,2024-01-08,visit\nb,2024-01-08,visit\nb,2024-01-15,buy\n")
        .unwrap();
    let data = dir.path().join("data");
    let out = tropa(&data, &["import", file.to_str().unwrap(), "--column", "timestamp=ts", "--column", "event=ev"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = tropa(&data, &["retention", "--periods", "2"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split_whitespace().collect()).collect();
    assert!(rows.contains(&vec!["2024-01-01", "1", "100.0%", "100.0%", "0.0%"]), "{text}");
    assert!(rows.contains(&vec!["2024-01-08", "1", "100.0%", "100.0%", "-"]), "{text}");
    assert!(rows.contains(&vec!["all", "2", "100.0%", "100.0%", "0.0%"]), "{text}");
    assert!(text.contains("data up to 2024-01-15T00:00:00.001Z"), "{text}");
}

#[test]
fn customer_filters_do_not_move_the_observation_end() {
    // `a` never buys and is last seen on 2024-01-08; `b`, filtered out, is seen until 2024-01-29
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.csv");
    std::fs::write(&file, "user,ts,ev\na,2024-01-01,visit\na,2024-01-08,visit\nb,2024-01-01,visit\nb,2024-01-29,buy\n")
        .unwrap();
    let data = dir.path().join("data");
    let out = tropa(&data, &["import", file.to_str().unwrap(), "--column", "timestamp=ts", "--column", "event=ev"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = tropa(&data, &["retention", "--periods", "3", "--did-not", "buy", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["overall"]["customers"], 1);
    assert_eq!(r["overall"]["observed"], serde_json::json!([1, 1, 1, 1]));
    assert_eq!(r["overall"]["retained"], serde_json::json!([1, 1, 0, 0]));
    assert_eq!(r["observed_until"], "2024-01-29T00:00:00.001Z");
}
