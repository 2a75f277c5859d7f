use super::*;
use crate::analysis::invalid::{SpecError, SpecField, SpecReason};
use crate::dict::DictCol;
use crate::event::Event;
use crate::identity::ActorId;
use crate::journey::{EventAccess, RowRef, TextCol};

struct NoAccess;

impl EventAccess for NoAccess {
    fn event(&self, _: RowRef) -> Event {
        Event::default()
    }
    fn text(&self, _: TextCol, _: RowRef) -> &str {
        ""
    }
}

fn spec(from: Option<&str>, to: Option<&str>, depth: usize) -> PathsSpec {
    let m = |s: Option<&str>| s.map(|s| EventMatch::parse(s).unwrap());
    PathsSpec { from: m(from), to: m(to), depth, collapse: false, session_ms: None, top: 20, conversion: None }
}

/// A journey written as `a b=120 | c`: events one minute apart, `|` a gap of a day, `=N` revenue.
struct Parsed {
    ts: Vec<i64>,
    names: Vec<u16>,
    revenue: Vec<f64>,
}

fn parse(text: &str, dicts: &mut Dictionaries) -> Parsed {
    let mut p = Parsed { ts: Vec::new(), names: Vec::new(), revenue: Vec::new() };
    let mut t = 1_700_000_000_000;
    for tok in text.split_whitespace() {
        if tok == "|" {
            t += 86_400_000;
            continue;
        }
        let (name, rev) = tok.split_once('=').map_or((tok, f64::NAN), |(n, r)| (n, r.parse().unwrap()));
        p.ts.push(t);
        p.names.push(dicts.intern(DictCol::Name, name).unwrap() as u16);
        p.revenue.push(rev);
        t += 60_000;
    }
    p
}

/// Folds the customers split at `split` into two partial results and merges them.
fn run_split(spec: &PathsSpec, journeys: &[&str], split: usize) -> PathsReport {
    let mut dicts = Dictionaries::default();
    let parsed: Vec<Parsed> = journeys.iter().map(|j| parse(j, &mut dicts)).collect();
    let f = PathsFold::new(spec.clone(), &dicts).unwrap();
    let mut accs = [f.init(), f.init()];
    for (i, p) in parsed.iter().enumerate() {
        let j = Journey {
            customer: ActorId(i as u32),
            ts: &p.ts,
            name: &p.names,
            dict: [&[]; DictCol::COUNT],
            revenue: &p.revenue,
            kind: &[],
            rows: &[],
            access: &NoAccess,
        };
        f.fold(&mut accs[usize::from(i >= split)], &j);
    }
    let [mut a, b] = accs;
    f.merge(&mut a, b);
    f.report(&a)
}

fn run(spec: &PathsSpec, journeys: &[&str]) -> PathsReport {
    let whole = run_split(spec, journeys, journeys.len());
    for split in 0..journeys.len() {
        assert_eq!(run_split(spec, journeys, split), whole, "split at {split}");
    }
    whole
}

/// The top paths as `("a b c", customers, converted)`.
fn check(spec: &PathsSpec, journeys: &[&str], expect: &[(&str, u64, Option<u64>)]) -> PathsReport {
    let r = run(spec, journeys);
    let got: Vec<(String, u64, Option<u64>)> =
        r.paths.iter().map(|p| (p.events.join(" "), p.customers, p.converted)).collect();
    let want: Vec<(String, u64, Option<u64>)> = expect.iter().map(|&(e, c, v)| (e.to_string(), c, v)).collect();
    assert_eq!(got, want);
    if r.distinct_paths == r.paths.len() as u64 {
        assert_eq!(r.total, expect.iter().map(|e| e.1).sum::<u64>());
    }
    r
}

#[test]
fn from_starts_at_the_first_start_event_and_stops_at_depth() {
    let s = spec(Some("a"), None, 3);
    check(
        &s,
        &["x a b c d", "a b", "b a x a", "x y", "a", "z a b c"],
        &[("a b c", 2, None), ("a", 1, None), ("a b", 1, None), ("a x a", 1, None)],
    );
}

#[test]
fn collapse_counts_repeats_once() {
    let mut s = spec(Some("a"), None, 3);
    s.collapse = true;
    check(&s, &["a a b b b c", "a b a", "a a a"], &[("a", 1, None), ("a b a", 1, None), ("a b c", 1, None)]);
    s.collapse = false;
    check(&s, &["a a b b b c", "a b a", "a a a"], &[("a a a", 1, None), ("a a b", 1, None), ("a b a", 1, None)]);
}

#[test]
fn session_bounds_the_path_to_the_session_of_its_anchor() {
    let mut s = spec(Some("a"), None, 4);
    s.session_ms = Some(30 * 60_000);
    check(&s, &["a b | c d", "x | a b c d e", "b | b a"], &[("a", 1, None), ("a b", 1, None), ("a b c d", 1, None)]);
    let mut s = spec(None, Some("c"), 4);
    s.session_ms = Some(30 * 60_000);
    check(&s, &["a b | b c", "a | c | c", "a b x y c"], &[("b c", 1, None), ("b x y c", 1, None), ("c", 1, None)]);
}

#[test]
fn to_gives_the_events_ending_at_the_first_end_event() {
    let mut s = spec(None, Some("buy"), 3);
    let r = check(
        &s,
        &["v c v c buy buy", "buy v", "v v buy", "c v v buy"],
        &[("v v buy", 2, None), ("buy", 1, None), ("v c buy", 1, None)],
    );
    // right-aligned: `buy` fills the last column, `$start` pads the short paths
    let last: Vec<(&str, u64)> =
        r.nodes.iter().filter(|n| n.depth == 2).map(|n| (n.event.as_str(), n.customers)).collect();
    assert_eq!(last, [("buy", 4)]);
    let first: Vec<(&str, u64)> =
        r.nodes.iter().filter(|n| n.depth == 0).map(|n| (n.event.as_str(), n.customers)).collect();
    assert_eq!(first, [("v", 3), ("$start", 1)]);
    s.collapse = true;
    check(&s, &["c v v buy", "c c v buy", "v v buy"], &[("c v buy", 2, None), ("v buy", 1, None)]);
}

#[test]
fn from_and_to_stop_after_the_first_end_event_after_the_start() {
    let s = spec(Some("a"), Some("b"), 4);
    check(
        &s,
        &["b a x b b", "a b", "a x y z w", "a a b", "x b"],
        &[("a a b", 1, None), ("a b", 1, None), ("a x b", 1, None), ("a x y z", 1, None)],
    );
    // the start event itself does not end the path
    check(&spec(Some("a"), Some("a"), 4), &["a x a y"], &[("a x a", 1, None)]);
}

#[test]
fn conversion_counts_the_event_anywhere_after_the_path_start() {
    let mut s = spec(Some("v"), None, 2);
    s.conversion = Some(EventMatch::name("buy"));
    s.session_ms = Some(30 * 60_000);
    let r = check(
        &s,
        &["v c | x x x buy", "v c", "buy v c", "v buy", "v"],
        &[("v c", 3, Some(1)), ("v", 1, Some(0)), ("v buy", 1, Some(1))],
    );
    assert_eq!(r.paths[0].conversion, Some(1.0 / 3.0));
    assert_eq!((r.converted, r.conversion), (Some(2), Some(0.4)));
    // the path's start is not its own conversion
    let mut s = spec(Some("buy"), None, 2);
    s.conversion = Some(EventMatch::name("buy"));
    check(&s, &["buy x", "buy buy", "x buy x buy"], &[("buy x", 2, Some(1)), ("buy buy", 1, Some(1))]);
    // a reverse path's start is the start of its first element's run
    let mut s = spec(None, Some("buy"), 2);
    s.collapse = true;
    s.conversion = Some(EventMatch::name("v"));
    check(&s, &["v v buy", "x v buy"], &[("v buy", 2, Some(1))]);
}

#[test]
fn conditions_pick_the_start_event_and_paths_show_names() {
    let s = spec(Some("buy where revenue > 100"), None, 2);
    check(&s, &["buy=50 x buy=500 y", "buy=10 z", "buy=101"], &[("buy", 1, None), ("buy y", 1, None)]);
    let f = PathsFold::new(s, &Dictionaries::default()).unwrap();
    assert_eq!(f.columns(), Columns::REVENUE);
    let f = PathsFold::new(spec(Some("a"), Some("*"), 2), &Dictionaries::default()).unwrap();
    assert_eq!(f.columns(), Columns::NONE);
    // a name never seen matches nothing
    check(&spec(Some("nowhere"), None, 3), &["a b"], &[]);
}

#[test]
fn sankey_columns_add_up_and_flows_are_conserved() {
    let s = spec(Some("a"), None, 4);
    let r = run(&s, &["a b c d e", "a b", "a", "x a c b", "a b c"]);
    assert_eq!(r.total, 5);
    for d in 0..4 {
        let sum: u64 = r.nodes.iter().filter(|n| n.depth == d).map(|n| n.customers).sum();
        assert_eq!(sum, 5, "column {d}");
    }
    for n in r.nodes.iter().filter(|n| n.depth < 3) {
        let out: u64 =
            r.links.iter().filter(|l| l.from_depth == n.depth && l.from == n.event).map(|l| l.customers).sum();
        assert_eq!(out, n.customers, "{n:?}");
    }
    let ends: Vec<(usize, u64)> =
        r.nodes.iter().filter(|n| n.event == "$end").map(|n| (n.depth, n.customers)).collect();
    assert_eq!(ends, [(1, 1), (2, 2), (3, 4)]);
    assert!(r.links.contains(&LinkReport { from_depth: 2, from: "$end".into(), to: "$end".into(), customers: 2 }));
    // columns stop one after the longest path
    let r = run(&spec(Some("a"), None, 20), &["a b", "a"]);
    assert_eq!(r.nodes.iter().map(|n| n.depth).max(), Some(2));
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["nodes"][0], serde_json::json!({"depth": 0, "event": "a", "customers": 2}));
    assert_eq!(json["links"][0], serde_json::json!({"from_depth": 0, "from": "a", "to": "$end", "customers": 1}));
    assert_eq!(json["paths"][0]["converted"], serde_json::Value::Null);
}

#[test]
fn top_breaks_ties_by_events_and_keeps_k() {
    let mut s = spec(Some("a"), None, 2);
    s.top = 2;
    let r = check(&s, &["a c", "a b", "a d", "a d", "a e", "a e"], &[("a d", 2, None), ("a e", 2, None)]);
    assert_eq!((r.total, r.distinct_paths), (6, 4));
    assert_eq!(r.paths[0].share, 2.0 / 6.0);
    s.top = 3;
    check(&s, &["a c", "a b", "a d", "a d"], &[("a d", 2, None), ("a b", 1, None), ("a c", 1, None)]);
}

#[test]
fn bad_specs_name_their_arguments_all_at_once() {
    let mut s = spec(None, None, 0);
    s.session_ms = Some(0);
    s.top = 0;
    let e = s.validate().unwrap_err();
    let fields: Vec<SpecField> = e.0.iter().map(|e| e.field).collect();
    assert_eq!(fields, [SpecField::StartOrEnd, SpecField::Depth, SpecField::Session, SpecField::Top]);
    assert_eq!(
        spec(Some("a"), None, 21).validate().unwrap_err().0,
        [SpecError { field: SpecField::Depth, reason: SpecReason::OutOfRange { value: 21, min: 1, max: MAX_DEPTH } }]
    );
    assert!(spec(Some("a"), None, 20).validate().is_ok());
}
