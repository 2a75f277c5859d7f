//! The reports find what the demo generator planted (tropa-synth's `truths()`): run on generated data through
//! the binary, as a user would, and checked against the planted effect sizes with generous bounds.

use std::path::Path;
use std::process::Command;

const TROPA: &str = env!("CARGO_BIN_EXE_tropa");

fn json(data: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(TROPA)
        .env("TROPA_LANG", "en")
        .arg("--data")
        .arg(data)
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "tropa {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn conversion(report: &serde_json::Value, step: usize) -> f64 {
    report["steps"][step]["conversion"].as_f64().unwrap()
}

fn customers(data: &Path, filters: &[&str]) -> f64 {
    let mut args = vec!["stats"];
    args.extend_from_slice(filters);
    json(data, &args)["customers"].as_f64().unwrap()
}

#[test]
fn reports_find_the_planted_truths() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let out = Command::new(TROPA)
        .arg("--data")
        .arg(&data)
        .args(["demo", "generate", "--customers", "30000", "--seed", "11"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // ~70 % of those who add to cart never buy.
    let cart = json(&data, &["funnel", "--step", "add_to_cart", "--step", "purchase", "--window", "400d"]);
    let abandonment = 1.0 - conversion(&cart, 1);
    assert!((0.65..0.75).contains(&abandonment), "cart abandonment {abandonment}");

    // First touch by email converts about twice as well as paid search.
    let by_channel = json(
        &data,
        &[
            "funnel",
            "--step",
            "session_start",
            "--step",
            "purchase",
            "--window",
            "400d",
            "--breakdown",
            "first_channel",
        ],
    );
    let rate = |channel: &str| {
        let rows = by_channel["breakdown"].as_array().unwrap();
        let row = rows.iter().find(|r| r["value"] == channel).unwrap_or_else(|| panic!("no {channel} in {rows:?}"));
        row["conversion"].as_f64().unwrap()
    };
    let (email, paid) = (rate("email"), rate("paid_search"));
    assert!(email > 1.5 * paid, "email {email} vs paid search {paid}");
    let best = by_channel["breakdown"].as_array().unwrap().iter().map(|r| r["conversion"].as_f64().unwrap());
    assert_eq!(best.fold(0.0, f64::max), email, "email is the best first-touch channel");

    // Slow deliveries: most such customers complain, few buy again.
    let slow = "delivery where days > 5";
    let fast = "delivery where days <= 5";
    let ticket = "support_ticket where topic = delivery_delay";
    let complained = |d: &str| customers(&data, &["--did", d, "--did", ticket]) / customers(&data, &["--did", d]);
    let (slow_tickets, fast_tickets) = (complained(slow), complained(fast));
    assert!(slow_tickets > 0.5 && fast_tickets < 0.2, "tickets slow {slow_tickets} fast {fast_tickets}");
    let again =
        |d: &str| conversion(&json(&data, &["funnel", "--step", d, "--step", "purchase", "--window", "400d"]), 1);
    let (slow_again, fast_again) = (again(slow), again(fast));
    assert!(slow_again < 0.15 && fast_again > 0.25, "repeat after slow {slow_again}, after fast {fast_again}");
}
