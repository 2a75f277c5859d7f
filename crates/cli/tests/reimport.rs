//! Rows without a message id store an empty id, and importing the same file again adds nothing: the store's
//! import log recognises each chunk (`--batch` rows) by its digest — in CSV, NDJSON and Parquet, after a
//! finished import and after imports killed with SIGKILL at random moments.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{ok, tropa, TROPA};

fn events(data: &Path) -> u64 {
    let v: serde_json::Value = serde_json::from_str(&ok(&tropa(data, &["stats", "--format", "json"]))).unwrap();
    v["events"].as_u64().unwrap()
}

/// The summary line of `tropa import --output json`.
fn import(data: &Path, file: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["import", file.to_str().unwrap(), "--output", "json"];
    args.extend_from_slice(extra);
    let out = ok(&tropa(data, &args));
    serde_json::from_str(out.lines().last().unwrap()).unwrap()
}

/// Exports the store as NDJSON and counts the events by their `i` property; no message id may be stored.
fn counts_by_row(data: &Path, dir: &Path) -> HashMap<i64, u32> {
    let export = dir.join("export.ndjson");
    let _ = std::fs::remove_file(&export);
    ok(&tropa(data, &["export", export.to_str().unwrap()]));
    let mut counts = HashMap::new();
    for line in std::fs::read_to_string(&export).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v.get("messageId").is_none(), "a synthetic message id was stored: {line}");
        *counts.entry(v["properties"]["i"].as_i64().unwrap()).or_insert(0) += 1;
    }
    counts
}

fn write_csv(path: &Path, rows: u64) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "user_id,event,timestamp,i").unwrap();
    for i in 0..rows {
        writeln!(f, "u{},e{},2026-01-01T00:{:02}:{:02}Z,{i}", i % 311, i % 5, (i / 60) % 60, i % 60).unwrap();
    }
}

#[test]
fn reimporting_csv_ndjson_and_parquet_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("events.csv");
    write_csv(&csv, 5000);
    let data = dir.path().join("csv");
    let first = import(&data, &csv, &["--batch", "700"]);
    assert_eq!((first["accepted"].as_u64(), first["recognised"].as_u64()), (Some(5000), Some(0)));
    let again = import(&data, &csv, &["--batch", "700"]);
    assert_eq!((again["accepted"].as_u64(), again["recognised"].as_u64()), (Some(0), Some(5000)), "{again}");
    assert_eq!(events(&data), 5000);
    let counts = counts_by_row(&data, dir.path());
    assert!(counts.len() == 5000 && counts.values().all(|&c| c == 1));

    // identical rows without ids (two equal purchases) stay two events, and are recognised on a re-import
    let twins = dir.path().join("twins.csv");
    std::fs::write(&twins, "user_id,event,timestamp,i\nu1,buy,2026-01-02T00:00:00Z,1\nu1,buy,2026-01-02T00:00:00Z,1\n")
        .unwrap();
    let tw = dir.path().join("tw");
    assert_eq!(import(&tw, &twins, &[])["accepted"].as_u64(), Some(2));
    assert_eq!(import(&tw, &twins, &[])["recognised"].as_u64(), Some(2));
    assert_eq!(events(&tw), 2);

    // a longer file that starts with the same rows: its first chunks are recognised, the rest imported
    let longer = dir.path().join("longer.csv");
    write_csv(&longer, 6000);
    let more = import(&data, &longer, &["--batch", "700"]);
    assert_eq!(more["recognised"].as_u64(), Some(4900), "seven whole chunks of 700 are the same rows: {more}");
    assert_eq!(events(&data), 6100, "the chunk of rows 4901–5600 holds 100 rows imported before");
    let counts = counts_by_row(&data, dir.path());
    assert_eq!(counts.len(), 6000);
    assert_eq!(counts.values().filter(|&&c| c == 2).count(), 100, "the partly overlapping chunk is imported whole");

    // NDJSON without messageId
    let nd = dir.path().join("events.ndjson");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&nd).unwrap());
        for i in 0..3000 {
            writeln!(
                f,
                r#"{{"type":"track","event":"e{}","userId":"u{}","timestamp":"2026-01-01T00:00:{:02}Z","properties":{{"i":{i}}}}}"#,
                i % 3,
                i % 97,
                i % 60
            )
            .unwrap();
        }
    }
    let data = dir.path().join("nd");
    assert_eq!(import(&data, &nd, &[])["accepted"].as_u64(), Some(3000));
    let again = import(&data, &nd, &[]);
    assert_eq!((again["accepted"].as_u64(), again["recognised"].as_u64()), (Some(0), Some(3000)), "{again}");
    assert_eq!(counts_by_row(&data, dir.path()).len(), 3000);
    assert_eq!(events(&data), 3000);

    // Parquet (tropa's own export, ids empty) into a fresh store, twice
    let pq = dir.path().join("events.parquet");
    ok(&tropa(&data, &["export", pq.to_str().unwrap()]));
    let data = dir.path().join("pq");
    assert_eq!(import(&data, &pq, &[])["accepted"].as_u64(), Some(3000));
    let again = import(&data, &pq, &[]);
    assert_eq!((again["accepted"].as_u64(), again["recognised"].as_u64()), (Some(0), Some(3000)), "{again}");
    assert_eq!(counts_by_row(&data, dir.path()).len(), 3000);
}

#[test]
fn killed_imports_without_ids_end_with_every_row_once() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("events.csv");
    let total = 120_000u64;
    write_csv(&csv, total);
    let data = dir.path().join("data");
    let mut killed_mid_import = 0;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for round in 0..10 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = Command::new(TROPA)
            .env("TROPA_FLUSH_ROWS", "6000")
            .args(["--data"])
            .arg(&data)
            .args(["import", "--batch", "2500", "--output", "json"])
            .arg(&csv)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stop_after = 1 + seed % 4;
        let deadline = Instant::now() + Duration::from_millis(5 + seed % 200);
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut seen = 0;
        while Instant::now() < deadline && seen < stop_after {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(5)) {
                let v: serde_json::Value = serde_json::from_str(&line).unwrap();
                seen += u64::from(v["durable"] == true);
            }
        }
        if child.try_wait().unwrap().is_none() {
            killed_mid_import += 1;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let present = events(&data);
        assert!(present <= total, "round {round}: {present} events present, the file has {total}");
    }
    assert!(killed_mid_import >= 5, "only {killed_mid_import} of 10 rounds killed a running import");
    let last = import(&data, &csv, &["--batch", "2500"]);
    assert!(last["recognised"].as_u64().unwrap() > 0, "{last}");
    assert_eq!(events(&data), total);
    let counts = counts_by_row(&data, dir.path());
    assert_eq!(counts.len() as u64, total);
    assert!(counts.values().all(|&c| c == 1), "a row was imported twice");
}

/// A gzip stream of the first `keep` bytes of `data` in stored (uncompressed) deflate blocks, none of them the
/// final one and no trailer: reading it yields those bytes, then fails with an unexpected end of file.
fn truncated_gzip(data: &[u8], keep: usize) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    for block in data[..keep].chunks(65_535) {
        out.push(0); // not the final block, stored
        let n = block.len() as u16;
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&(!n).to_le_bytes());
        out.extend_from_slice(block);
    }
    out
}

#[test]
fn an_import_that_fails_midway_commits_its_chunks_with_their_rows() {
    let dir = tempfile::tempdir().unwrap();
    let nd = dir.path().join("events.ndjson");
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&format!(
            "{{\"type\":\"track\",\"event\":\"e{}\",\"userId\":\"u{}\",\"timestamp\":\"2026-01-01T00:00:{:02}Z\",\"properties\":{{\"i\":{i}}}}}\n",
            i % 3,
            i % 97,
            i % 60
        ));
    }
    std::fs::write(&nd, &text).unwrap();
    let gz = dir.path().join("cut.ndjson.gz");
    // cut after a whole line, so the rows before the cut are exactly the file's first rows
    let cut = text[..text.len() * 3 / 5].rfind('\n').unwrap() + 1;
    std::fs::write(&gz, truncated_gzip(text.as_bytes(), cut)).unwrap();
    let data = dir.path().join("data");
    let out = tropa(&data, &["import", gz.to_str().unwrap(), "--batch", "500", "--output", "json"]);
    assert!(!out.status.success(), "a cut gzip stream must fail the import");
    let kept = events(&data);
    assert!(kept > 0 && kept < 20_000, "{kept} events kept");
    let again = import(&data, &nd, &["--batch", "500"]);
    assert_eq!(again["recognised"].as_u64(), Some(kept), "{again}");
    assert_eq!(events(&data), 20_000);
    let counts = counts_by_row(&data, dir.path());
    assert!(counts.len() == 20_000 && counts.values().all(|&c| c == 1), "a row was imported twice");
}
