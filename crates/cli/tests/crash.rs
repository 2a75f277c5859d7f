//! Kill -9 of a running import, many times at random moments: every event the importer reported as durable is
//! present exactly once after restart, and finishing the import yields exactly the file's events.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TROPA: &str = env!("CARGO_BIN_EXE_tropa");

fn stats_events(data: &std::path::Path) -> u64 {
    let out = Command::new(TROPA).args(["--data"]).arg(data).args(["stats", "--format", "json"]).output().unwrap();
    assert!(out.status.success(), "stats failed: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["events"].as_u64().unwrap()
}

#[test]
fn killed_imports_lose_no_acknowledged_event_and_duplicate_none() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.ndjson");
    let total = 200_000u64;
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        for i in 0..total {
            writeln!(
                f,
                r#"{{"type":"track","event":"e{}","userId":"u{}","anonymousId":"a{}","messageId":"m{i}","timestamp":"2026-01-01T00:00:{:02}Z","properties":{{"i":{i}}}}}"#,
                i % 7,
                i % 997,
                i % 1500,
                i % 60
            )
            .unwrap();
        }
    }
    let data = dir.path().join("data");
    let mut durable_floor = 0u64;
    let mut killed_mid_import = 0;
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for round in 0..12 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = Command::new(TROPA)
            .env("TROPA_FLUSH_ROWS", "7000")
            .args(["--data"])
            .arg(&data)
            .args(["import", "--batch", "2500", "--output", "json"])
            .arg(&file)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // kill after a random number of durable batches or a random delay, whichever comes first
        let stop_after = 1 + seed % 4;
        let deadline = Instant::now() + Duration::from_millis(5 + seed % 150);
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut reported = 0u64;
        let mut seen = 0;
        while Instant::now() < deadline && seen < stop_after {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(5)) {
                let v: serde_json::Value = serde_json::from_str(&line).unwrap();
                if v["durable"] == true {
                    reported = v["accepted"].as_u64().unwrap();
                    seen += 1;
                }
            }
        }
        if child.try_wait().unwrap().is_none() {
            killed_mid_import += 1;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        while let Ok(line) = rx.try_recv() {
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            if v["durable"] == true || v["done"] == true {
                reported = v["accepted"].as_u64().unwrap();
            }
        }
        durable_floor += reported;
        let present = stats_events(&data);
        assert!(present >= durable_floor, "round {round}: {present} events present, {durable_floor} were acknowledged");
        assert!(present <= total, "round {round}: {present} events present, the file has {total}");
        durable_floor = present;
    }
    assert!(killed_mid_import >= 6, "only {killed_mid_import} of 12 rounds killed a running import");
    assert!(durable_floor < total, "the kills came too late to test anything");
    let out = Command::new(TROPA)
        .args(["--data"])
        .arg(&data)
        .args(["import", "--output", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stats_events(&data), total);
    let export = dir.path().join("out.ndjson");
    let out = Command::new(TROPA).args(["--data"]).arg(&data).args(["export"]).arg(&export).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut ids = HashSet::new();
    for line in std::fs::read_to_string(&export).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(ids.insert(v["messageId"].as_str().unwrap().to_string()), "duplicate {line}");
    }
    assert_eq!(ids.len() as u64, total);
}
