//! A project's time zone and currency end to end: `tropa project set`, `project list`, and the report commands
//! counting local days (requirement 5 of the application-layer issue).

mod common;

use common::{ok, tropa, user_error};
use serde_json::Value;

fn json(out: &std::process::Output) -> Value {
    serde_json::from_str(&ok(out)).unwrap()
}

/// (day, count) of a report's per-day list.
fn days(v: &Value, list: &str, field: &str) -> Vec<(String, f64)> {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["value"].as_str().unwrap().into(), d[field].as_f64().unwrap()))
        .collect()
}

#[test]
fn reports_count_the_local_days_of_the_projects_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // u1 at noon and late in the evening of 2026-03-01 (UTC), buying then; u2 the next morning. Kamchatka is
    // UTC+12: its 2026-03-02 starts at 12:00 UTC on March 1
    let file = d.join("e.ndjson");
    let line = |u: &str, ts: &str, event: &str, revenue: Option<u32>| {
        let props = revenue.map_or(String::from("{}"), |r| format!("{{\"revenue\":{r}}}"));
        format!("{{\"type\":\"track\",\"event\":\"{event}\",\"userId\":\"{u}\",\"timestamp\":\"{ts}\",\"properties\":{props}}}\n")
    };
    let text = [
        line("u1", "2026-03-01T11:59:59Z", "view", None),
        line("u1", "2026-03-01T22:00:00Z", "purchase", Some(900)),
        line("u2", "2026-03-02T10:00:00Z", "view", None),
    ]
    .concat();
    std::fs::write(&file, text).unwrap();
    ok(&tropa(d, &["import", file.to_str().unwrap()]));

    let stats = |extra: &[&str]| json(&tropa(d, &[&["stats", "--format", "json"], extra].concat()));
    let s = stats(&[]);
    assert_eq!((s["time_zone"].as_str(), s["currency"].as_str()), (Some("UTC"), Some("RUB")));
    assert_eq!(days(&s, "events_by_day", "events"), [("2026-03-01".into(), 2.0), ("2026-03-02".into(), 1.0)]);

    ok(&tropa(d, &["project", "set", "default", "--time-zone", "Asia/Kamchatka", "--currency", "eur"]));
    let list = json(&tropa(d, &["project", "list", "--format", "json"]));
    assert_eq!((list[0]["time_zone"].as_str(), list[0]["currency"].as_str()), (Some("Asia/Kamchatka"), Some("EUR")));
    assert!(ok(&tropa(d, &["project", "list"])).contains("Asia/Kamchatka"));

    let s = stats(&[]);
    assert_eq!((s["time_zone"].as_str(), s["currency"].as_str()), (Some("Asia/Kamchatka"), Some("EUR")));
    assert_eq!(days(&s, "events_by_day", "events"), [("2026-03-01".into(), 1.0), ("2026-03-02".into(), 2.0)]);
    assert_eq!(days(&s, "revenue_by_day", "revenue"), [("2026-03-02".into(), 900.0)]);
    let table = ok(&tropa(d, &["stats"]));
    assert!(table.contains("900.00 EUR") && table.contains("Asia/Kamchatka"), "{table}");
    // a date is local midnight; --time-zone overrides the project's zone
    assert_eq!(stats(&["--since", "2026-03-02"])["events"], 2);
    let utc = stats(&["--time-zone", "UTC", "--since", "2026-03-02"]);
    assert_eq!((utc["time_zone"].as_str(), utc["events"].as_u64()), (Some("UTC"), Some(1)));
    // retention and funnel trends by local day
    let r = json(&tropa(d, &["retention", "--period", "day", "--periods", "1", "--format", "json"]));
    let cohorts: Vec<(&str, u64)> = r["cohorts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["cohort"].as_str().unwrap(), c["customers"].as_u64().unwrap()))
        .collect();
    assert_eq!(cohorts, [("2026-03-01", 1), ("2026-03-02", 1)]);
    assert_eq!(r["cohorts"][0]["retained"], serde_json::json!([1, 1]), "u1 came back the next local day");
    let f = json(&tropa(d, &["funnel", "--step", "view", "--step", "purchase", "--trend", "day", "--format", "json"]));
    let trend: Vec<&str> = f["trend"].as_array().unwrap().iter().map(|t| t["period"].as_str().unwrap()).collect();
    assert_eq!(trend, ["2026-03-01", "2026-03-02"]);
}

#[test]
fn bad_settings_are_user_errors_naming_their_flags() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    user_error(
        &tropa(d, &["project", "set", "default", "--time-zone", "Moscow"]),
        "--time-zone: unknown time zone 'Moscow': did you mean Europe/Moscow?",
    );
    user_error(
        &tropa(d, &["project", "set", "default", "--currency", "euro"]),
        "--currency: 'euro' is not a currency code",
    );
    let both = tropa(d, &["project", "set", "default", "--time-zone", "Mars/Olympus", "--currency", "1"]);
    user_error(&both, "--time-zone");
    user_error(&both, "--currency");
    user_error(&tropa(d, &["project", "set", "default"]), "give --time-zone, --currency or both");
    user_error(&tropa(d, &["project", "set", "ghost", "--time-zone", "UTC"]), "no project 'ghost'");
    user_error(&tropa(d, &["stats", "--time-zone", "Mars/Olympus"]), "--time-zone: unknown time zone");
    let list = json(&tropa(d, &["project", "list", "--format", "json"]));
    assert_eq!(
        (list[0]["time_zone"].as_str(), list[0]["currency"].as_str()),
        (Some("UTC"), Some("RUB")),
        "nothing changed"
    );
}

/// Problems with what the user typed — a duration, an event condition, a date — read in the CLI's language and
/// name the flag (the same problem the query API names as a JSON field and the web app shows at its form field).
#[test]
fn typed_text_problems_are_worded_in_the_users_language_at_their_flag() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("e.ndjson");
    std::fs::write(
        &file,
        "{\"type\":\"track\",\"event\":\"view\",\"userId\":\"u1\",\"timestamp\":\"2026-03-01T10:00:00Z\"}\n",
    )
    .unwrap();
    ok(&tropa(d, &["import", file.to_str().unwrap()]));
    let run = |lang: &str, args: &[&str]| {
        std::process::Command::new(common::TROPA)
            .env("TROPA_LANG", lang)
            .arg("--data")
            .arg(d)
            .args(args)
            .output()
            .unwrap()
    };
    let cases: [(&[&str], &str, &str); 3] = [
        (
            &["funnel", "--step", "view", "--step", "buy", "--window", "7x"],
            "--window: '7x': unknown unit 'x'",
            "--window: '7x': неизвестная единица 'x'",
        ),
        (
            &["funnel", "--step", "view where price > many", "--step", "buy"],
            "value must be a number, not 'many'",
            "значение должно быть числом, а не 'many'",
        ),
        (
            &["retention", "--since", "yesterday"],
            "--since: 'yesterday' is not an RFC 3339 time",
            "--since: 'yesterday' — не время в формате RFC 3339",
        ),
    ];
    for (args, en, ru) in cases {
        user_error(&run("en", args), en);
        user_error(&run("ru", args), ru);
    }
}
