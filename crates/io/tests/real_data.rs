//! Real data sets from `shared/data` (read in place, never copied): every row reads, with the counts their
//! READMEs give. Skipped with a note when the data folder is absent.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use tropa_core::time::TimeFormat;
use tropa_core::Event;
use tropa_io::{read_all, Format, Mapping, ReadOptions};

fn data(rel: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(rel);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!("note: {} is absent; skipping", path.display());
        None
    }
}

fn mapping(args: &[&str]) -> Mapping {
    Mapping::parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
}

fn counts<'a>(events: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
    let mut m = HashMap::new();
    for e in events {
        *m.entry(e).or_default() += 1;
    }
    m
}

fn distinct<'a>(events: &'a [Event], f: impl Fn(&'a Event) -> &'a str) -> usize {
    events.iter().map(f).collect::<HashSet<_>>().len()
}

#[test]
fn taobao_user_behavior() {
    let Some(path) = data("taobao_userbehavior_head/UserBehavior_head.csv") else { return };
    // the issue's example: --column user_id=user_id --column event=behavior_type --column timestamp=timestamp
    let opts = ReadOptions {
        time_format: TimeFormat::from_arg("unix").unwrap(),
        mapping: mapping(&["user_id=user_id", "event=behavior_type", "timestamp=timestamp"]),
        ..ReadOptions::default()
    };
    let (events, errors) = read_all(&path, Format::Csv, opts).unwrap();
    assert!(errors.is_empty(), "{:?}", &errors[..errors.len().min(5)]);
    assert_eq!(events.len(), 84_475);
    assert_eq!(distinct(&events, |e| e.user_id.as_str()), 815);
    assert!(events.iter().all(|e| e.message_id.is_empty()), "rows without a message id store none");
    let by_name = counts(events.iter().map(|e| e.name.as_str()));
    assert_eq!((by_name["pv"], by_name["cart"], by_name["fav"], by_name["buy"]), (75_872, 4_497, 2_356, 1_750));
    assert_eq!(events[0].timestamp, 1_511_544_070_000);
    assert_eq!(events[0].properties, r#"{"category_id":2520377,"item_id":2268318}"#);
}

#[test]
fn rees46_multi_category_store() {
    let Some(path) = data("rees46_multicategory_2019oct_head/2019-Oct_head.csv") else { return };
    // no mapping: event_time, event_type and user_id are recognised by name
    let (events, errors) = read_all(&path, Format::Csv, ReadOptions::default()).unwrap();
    assert!(errors.is_empty(), "{:?}", &errors[..errors.len().min(5)]);
    assert_eq!(events.len(), 17_434);
    assert_eq!(distinct(&events, |e| e.user_id.as_str()), 4_504);
    let by_name = counts(events.iter().map(|e| e.name.as_str()));
    assert_eq!((by_name["view"], by_name["cart"], by_name["purchase"]), (17_055, 165, 214));
    let sessions: HashSet<String> =
        events.iter().filter_map(|e| e.properties_map().get("user_session").map(|v| v.to_string())).collect();
    assert_eq!(sessions.len(), 5_066);
    assert_eq!(events[0].timestamp, 1_569_888_000_000);
    let first = events[0].properties_map();
    assert_eq!(first["price"], serde_json::json!(35.79));
    assert_eq!(first["brand"], serde_json::json!("shiseido"));
    assert!(!first.contains_key("category_code"), "empty cells are left out");
}

#[test]
fn cdnow_purchases_keep_repeated_rows() {
    let Some(path) = data("cdnow/CDNOW_master.csv") else { return };
    let opts = ReadOptions {
        time_format: TimeFormat::from_arg("%Y%m%d").unwrap(),
        mapping: mapping(&["revenue=dollar_value"]),
        defaults: vec![("event".into(), "purchase".into()), ("currency".into(), "usd".into())],
        ..ReadOptions::default()
    };
    let (events, errors) = read_all(&path, Format::Csv, opts).unwrap();
    assert!(errors.is_empty(), "{:?}", &errors[..errors.len().min(5)]);
    assert_eq!(events.len(), 69_659);
    assert_eq!(distinct(&events, |e| e.user_id.as_str()), 23_570);
    // identical rows (same customer, day, count and amount) are distinct purchases: every row is an event, none
    // with a synthetic message id (a re-import is recognised by the store's chunk digests)
    assert!(events.iter().all(|e| e.message_id.is_empty()));
    let total: f64 = events.iter().filter_map(|e| e.revenue).sum();
    assert!((total - 2_500_315.63).abs() < 0.01, "{total}");
    assert_eq!(events[0].currency, "USD");
    assert_eq!(events[0].timestamp, 852_076_800_000);
}
