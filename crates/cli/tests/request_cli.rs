//! The CLI and the query API read request text with one translator (`tropa_app::request`): the same bad input
//! gives the same reason, in English and in Russian, named at the CLI's flag there and at the API's JSON field
//! here.

mod common;

use std::process::Command;

use tropa_app::request::{
    Analysis, FunnelRequest, PathsRequest, Problems, RetentionRequest, StagesRequest, StatsRequest,
};
use tropa_core::lang::Lang;

/// Every problem the translator finds in a JSON body, as the query API reads it: (JSON field, reason).
fn translate<R: Analysis>(body: &str, lang: Lang, spec: impl Fn(&R, &mut Problems)) -> Vec<(String, String)> {
    let req: R = serde_json::from_str(body).unwrap_or_else(|e| panic!("{body}: {e}"));
    let mut p = Problems::new(lang);
    req.filters().zone(&mut p);
    spec(&req, &mut p);
    req.filters().scope(&mut p);
    p.0
}

type Case = (&'static [&'static str], &'static str, &'static str, &'static str);

/// (CLI arguments, the same as a JSON body, the JSON field at fault, how the CLI names it).
const CASES: [Case; 11] = [
    (
        &["funnel", "--step", "view", "--step", "buy", "--window", "7x"],
        r#"{"steps": [{"event": "view"}, {"event": "buy"}], "window": "7x"}"#,
        "window",
        "--window",
    ),
    (
        &["funnel", "--step", "view", "--step", "buy where price > many"],
        r#"{"steps": [{"event": "view"}, {"event": "buy where price > many"}]}"#,
        "steps[1].event",
        "--step 'buy where price > many'",
    ),
    (
        &["funnel", "--step", "view", "--step", "buy", "--exclude", "2:refund"],
        r#"{"steps": [{"event": "view"}, {"event": "buy"}], "exclusions": [{"after": 2, "event": "refund"}]}"#,
        "exclusions",
        "--exclude",
    ),
    (
        &["funnel", "--step", "view", "--step", "buy", "--step-limit", "2=10q.."],
        r#"{"steps": [{"event": "view"}, {"event": "buy", "min_time": "10q"}]}"#,
        "steps[1].min_time",
        "--step-limit '2=10q..'",
    ),
    (&["paths", "--from", "view", "--depth", "0"], r#"{"from": "view", "depth": 0}"#, "depth", "--depth"),
    (&["paths", "--depth", "3"], r#"{"depth": 3}"#, "from", "--from/--to"),
    (&["retention", "--since", "yesterday"], r#"{"filters": {"since": "yesterday"}}"#, "filters.since", "--since"),
    (&["retention", "--periods", "401"], r#"{"periods": 401}"#, "periods", "--periods"),
    (
        &["stages", "--now", "2026-03-01", "--transitions", "2026-04-01..2026-05-01"],
        r#"{"now": "2026-03-01", "transitions": {"from": "2026-04-01", "to": "2026-05-01"}}"#,
        "transitions",
        "--transitions",
    ),
    (
        &["stats", "--since", "2026-03-01", "--until", "2026-02-01", "--did", "buy where"],
        r#"{"filters": {"since": "2026-03-01", "until": "2026-02-01", "did": ["buy where"]}}"#,
        "filters.did[0]",
        "--did 'buy where'",
    ),
    (
        &["stats", "--time-zone", "Mars/Olympus"],
        r#"{"filters": {"time_zone": "Mars/Olympus"}}"#,
        "filters.time_zone",
        "--time-zone",
    ),
];

fn problems_of(command: &str, body: &str, lang: Lang) -> Vec<(String, String)> {
    match command {
        "funnel" => translate(body, lang, |r: &FunnelRequest, p| {
            let _ = r.spec(p);
        }),
        "paths" => translate(body, lang, |r: &PathsRequest, p| {
            let _ = r.spec(p);
        }),
        "retention" => translate(body, lang, |r: &RetentionRequest, p| {
            let _ = r.spec(p);
        }),
        "stages" => translate(body, lang, |r: &StagesRequest, p| {
            let _ = r.spec_at(None, p);
        }),
        "stats" => translate(body, lang, |r: &StatsRequest, p| {
            let _ = r.spec(p);
        }),
        other => panic!("no request type for {other}"),
    }
}

#[test]
fn the_same_bad_input_gives_the_same_reason_at_the_flag_and_at_the_json_field() {
    let dir = tempfile::tempdir().unwrap();
    for (args, body, field, flag) in CASES {
        for (lang, code) in [(Lang::En, "en"), (Lang::Ru, "ru")] {
            let problems = problems_of(args[0], body, lang);
            let Some((_, reason)) = problems.iter().find(|(f, _)| f == field) else {
                panic!("{body}: no problem at {field} in {problems:?}")
            };
            let out = Command::new(common::TROPA)
                .env("TROPA_LANG", code)
                .arg("--data")
                .arg(dir.path())
                .args(args)
                .output()
                .unwrap();
            let expect = format!("{flag}: {reason}");
            common::user_error(&out, &expect);
            // every problem the API reports, the CLI reports too
            let err = String::from_utf8_lossy(&out.stderr);
            for (field, reason) in &problems {
                assert!(err.contains(reason.as_str()), "{args:?} ({code}): {field}: {reason} not in {err}");
            }
        }
    }
}

/// An event the data never had: the report is made, a warning on standard error names the flag and the name most
/// likely meant (in the user's language), and `--format json` carries the same `warnings` as the query API.
#[test]
fn unknown_events_are_warned_about_at_their_flag() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("e.ndjson");
    let line = |u: &str, e: &str, h: u32| {
        format!(
            "{{\"type\":\"track\",\"event\":\"{e}\",\"userId\":\"{u}\",\"timestamp\":\"2026-03-01T{h:02}:00:00Z\"}}\n"
        )
    };
    std::fs::write(&file, [line("u1", "view_item", 10), line("u1", "purchase", 11)].concat()).unwrap();
    common::ok(&common::tropa(d, &["import", file.to_str().unwrap()]));
    let run = |lang: &str, args: &[&str]| {
        Command::new(common::TROPA).env("TROPA_LANG", lang).arg("--data").arg(d).args(args).output().unwrap()
    };
    let args = ["funnel", "--step", "view_itme", "--step", "purchase", "--format", "json"];
    let out = run("en", &args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: --step 'view_itme': no event 'view_itme' in the data: did you mean 'view_item'?"),
        "{err}"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["warnings"][0]["field"], "steps[0].event");
    assert_eq!(json["warnings"][0]["suggestion"], "view_item");
    assert!(json["steps"].is_array(), "the report is there too: {json}");
    let ru = run("ru", &["funnel", "--step", "мшуц_шеуь", "--step", "purchase"]);
    let err = String::from_utf8_lossy(&ru.stderr);
    assert!(ru.status.success() && err.contains("может быть, 'view_item'?"), "{err}");
    let fine = run("en", &["funnel", "--step", "view_item", "--step", "purchase"]);
    assert!(fine.status.success() && !String::from_utf8_lossy(&fine.stderr).contains("warning"));
}

/// An empty report says why, at the CLI as in the query API: no events in the period (with the data's own
/// dates), an event that happened only in other periods (at its flag), or nothing matched.
#[test]
fn an_empty_report_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("e.ndjson");
    let line = |u: &str, e: &str, day: u32| {
        format!("{{\"type\":\"track\",\"event\":\"{e}\",\"userId\":\"{u}\",\"timestamp\":\"2026-03-{day:02}T10:00:00Z\"}}\n")
    };
    std::fs::write(
        &file,
        [line("u1", "view_item", 1), line("u1", "purchase", 2), line("u2", "view_item", 20)].concat(),
    )
    .unwrap();
    common::ok(&common::tropa(d, &["import", file.to_str().unwrap()]));
    let run = |lang: &str, args: &[&str]| {
        Command::new(common::TROPA).env("TROPA_LANG", lang).arg("--data").arg(d).args(args).output().unwrap()
    };
    let funnel = ["funnel", "--step", "view_item", "--step", "purchase", "--format", "json"];
    let later = run("en", &[&funnel[..], &["--since", "2027-01-01"]].concat());
    assert!(later.status.success(), "{}", String::from_utf8_lossy(&later.stderr));
    let json: serde_json::Value = serde_json::from_slice(&later.stdout).unwrap();
    assert_eq!(json["warnings"][0]["field"], "result");
    assert_eq!(json["warnings"][0]["message"], "no events in this period: the data runs from 2026-03-01 to 2026-03-20");
    let ru = run("ru", &["funnel", "--step", "purchase", "--step", "view_item", "--since", "2026-03-10"]);
    let err = String::from_utf8_lossy(&ru.stderr);
    assert!(err.contains("в этом периоде нет события 'purchase'"), "{err}");
    let fine = run("en", &funnel);
    let json: serde_json::Value = serde_json::from_slice(&fine.stdout).unwrap();
    assert!(json.get("warnings").is_none(), "a report with customers has nothing to explain: {json}");
}
