//! `tropa experiment results` end to end: the text report names the decision, the variants with their counts, the
//! split check, each metric's values and lift as the JSON report has them, and the journey per variant — in
//! English and in Russian (decimal comma); an unknown key is a user error.

use std::path::Path;
use std::process::{Command, Output};

const TROPA: &str = env!("CARGO_BIN_EXE_tropa");

fn tropa(lang: &str, data: &Path, args: &[&str]) -> Output {
    Command::new(TROPA).env("TROPA_LANG", lang).arg("--data").arg(data).args(args).output().unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "exit {:?}: {}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn results_as_text_match_the_json_report() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    stdout(&tropa("en", &data, &["demo", "generate", "--customers", "3000", "--seed", "5"]));
    stdout(&tropa(
        "en",
        &data,
        &[
            "experiment",
            "create",
            "checkout_v2",
            "--exposure",
            "begin_checkout",
            "--primary",
            "conversion:purchase:7d",
            "--guardrail",
            "revenue:30d",
            "--funnel-step",
            "begin_checkout",
            "--funnel-step",
            "purchase",
        ],
    ));
    let json: serde_json::Value = serde_json::from_str(&stdout(&tropa(
        "en",
        &data,
        &["experiment", "results", "checkout_v2", "--format", "json"],
    )))
    .unwrap();
    let text = stdout(&tropa("en", &data, &["experiment", "results", "checkout_v2"]));
    let report = &json["report"];
    // the variants and their customers, grouped by thousands as every table prints them
    for v in report["variants"].as_array().unwrap() {
        let n = v["customers"].as_u64().unwrap();
        let grouped = if n >= 1000 { format!("{} {:03}", n / 1000, n % 1000) } else { n.to_string() };
        let line = text.lines().find(|l| l.starts_with(v["name"].as_str().unwrap())).unwrap();
        assert!(line.contains(&grouped), "{grouped} not in {line:?}");
    }
    // the primary metric's control share and relative lift, rounded as printed
    let m = &report["metrics"][0];
    let control = m["samples"][0]["unadjusted_mean"].as_f64().unwrap();
    let lift = m["comparisons"][0]["relative"]["estimate"].as_f64().unwrap();
    let line = text.lines().find(|l| l.starts_with("conversion:purchase:7d")).unwrap();
    assert!(line.contains(&format!("{:.1}%", control * 100.0)), "{line}");
    assert!(line.contains(&format!("{:+.1}%", lift * 100.0)), "{line}");
    assert!(text.contains("revenue:30d"));
    // the decision and the split check in words, the journey sections
    let decision = json["decision"].as_str().unwrap();
    let words = match decision {
        "ship" => "Ship the treatment",
        "keep_control" => "Keep the control",
        "keep_running" => "Keep running",
        "do_not_trust" => "Do not trust the results",
        _ => "No clear winner yet",
    };
    assert!(text.contains(words), "{decision}: {text}");
    assert!(text.contains("sample ratio as intended") || text.contains("SAMPLE-RATIO MISMATCH"));
    assert!(text.contains("Journey stages") && text.contains("Funnel"), "{text}");
    assert!(text.contains(" pp"), "share differences are in percentage points: {text}");
    // Russian: the same figures with a decimal comma
    let ru = stdout(&tropa("ru", &data, &["experiment", "results", "checkout_v2"]));
    let line = ru.lines().find(|l| l.starts_with("conversion:purchase:7d")).unwrap();
    assert!(line.contains(&format!("{:.1}%", control * 100.0).replace('.', ",")), "{line}");
    assert!(ru.contains("Этапы пути") && ru.contains("п. п."), "{ru}");
    // a bad definition: every problem at its field, in the reader's language
    let bad = ["experiment", "create", "x", "--primary", "conversion:purchase:0d", "--alpha", "0.7"];
    let out = tropa("ru", &data, &bad);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("primary: '0d': окно должно быть больше 0"), "{err}");
    assert!(err.contains("rule.alpha: α — от 0 до 0.5"), "{err}");
    let err = String::from_utf8_lossy(&tropa("en", &data, &bad).stderr).into_owned();
    assert!(err.contains("a window must be longer than 0") && err.contains("α is between 0 and 0.5"), "{err}");
    // an unknown experiment is the user's error
    let out = tropa("en", &data, &["experiment", "results", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'nope' does not exist"));
}
