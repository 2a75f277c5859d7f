use super::*;
use crate::dict::Dictionaries;
use crate::event::Event;
use crate::fold::JourneyFold;
use crate::identity::ActorId;
use crate::journey::{EventAccess, Journey, RowRef, TextCol};

struct NoAccess;

impl EventAccess for NoAccess {
    fn event(&self, _: RowRef) -> Event {
        Event::default()
    }
    fn text(&self, _: TextCol, _: RowRef) -> &str {
        ""
    }
}

const T0: i64 = 1_700_000_000_000;
const HOUR: i64 = 3_600_000;

/// One customer: (minutes from T0, event, channel group, revenue).
type Customer = Vec<(i64, &'static str, &'static str, f64)>;

struct Cols {
    ts: Vec<i64>,
    name: Vec<u16>,
    channel: Vec<u32>,
    revenue: Vec<f64>,
}

fn run_split(spec: &AttributionSpec, customers: &[Customer], split: usize) -> AttributionReport {
    let mut dicts = Dictionaries::default();
    dicts.intern(DictCol::Channel, "direct").unwrap();
    let cols: Vec<Cols> = customers
        .iter()
        .map(|c| Cols {
            ts: c.iter().map(|e| T0 + e.0 * 60_000).collect(),
            name: c.iter().map(|e| dicts.intern(DictCol::Name, e.1).unwrap() as u16).collect(),
            channel: c.iter().map(|e| dicts.intern(DictCol::Channel, e.2).unwrap()).collect(),
            revenue: c.iter().map(|e| e.3).collect(),
        })
        .collect();
    let f = AttributionFold::new(spec.clone(), &dicts).unwrap();
    let mut accs = [f.init(), f.init()];
    for (i, c) in cols.iter().enumerate() {
        let mut dict: [&[u32]; DictCol::COUNT] = [&[]; DictCol::COUNT];
        dict[DictCol::Channel as usize] = &c.channel;
        let j = Journey {
            customer: ActorId(i as u32),
            ts: &c.ts,
            name: &c.name,
            dict,
            revenue: &c.revenue,
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

/// The hand-worked case: three customers, hours apart (a new session each time).
fn three() -> Vec<Customer> {
    let n = f64::NAN;
    vec![
        // organic (day 0), then email + purchase 100 at hour 48 (two half-lives later)
        vec![(0, "page_view", "organic_search", n), (48 * 60, "purchase", "email", 100.0)],
        // social, paid search a day later, direct + purchase 300 two days after that
        vec![
            (0, "page_view", "social", n),
            (24 * 60, "page_view", "paid_search", n),
            (72 * 60, "purchase", "direct", 300.0),
        ],
        // social then direct, no purchase: a null path
        vec![(0, "page_view", "social", n), (10 * 60, "page_view", "direct", n)],
    ]
}

fn spec() -> AttributionSpec {
    AttributionSpec { half_life_ms: 24 * HOUR, ..AttributionSpec::new(EventMatch::parse("purchase").unwrap()) }
}

fn credit(r: &AttributionReport, label: &str, model: Model) -> (f64, f64) {
    let k = r.models.iter().position(|&m| m == model).unwrap();
    let row = r.rows.iter().find(|row| row.label == label).unwrap_or_else(|| panic!("no row {label}"));
    row.credits[k].map_or((f64::NAN, f64::NAN), |c| (c.conversions, c.revenue))
}

fn check(r: &AttributionReport, model: Model, expect: &[(&str, f64, f64)]) {
    for &(label, c, rev) in expect {
        let (gc, gr) = credit(r, label, model);
        assert!((gc - c).abs() < 1e-12 && (gr - rev).abs() < 1e-9, "{model:?} {label}: {gc}/{gr}, want {c}/{rev}");
    }
    let total: f64 = r.rows.iter().filter_map(|row| row.credits[model as usize]).map(|c| c.conversions).sum();
    let other = r.shapley.other_credit.filter(|_| model == Model::Shapley).map_or(0.0, |c| c.conversions);
    assert!((total + other - (r.conversions - r.unattributed) as f64).abs() < 1e-9, "{model:?} sums to {total}");
}

#[test]
fn every_model_on_the_hand_worked_three_customers() {
    for split in 0..=3 {
        let r = run_split(&spec(), &three(), split);
        assert_eq!((r.customers, r.converters, r.conversions, r.revenue), (3, 2, 2, 400.0));
        assert_eq!((r.touches, r.cut_touches, r.unattributed, r.null_paths, r.distinct_paths), (7, 0, 0, 1, 3));
        use Model::*;
        check(&r, FirstTouch, &[("organic_search", 1.0, 100.0), ("social", 1.0, 300.0), ("email", 0.0, 0.0)]);
        check(&r, LastTouch, &[("email", 1.0, 100.0), ("direct", 1.0, 300.0), ("social", 0.0, 0.0)]);
        check(&r, LastNonDirect, &[("email", 1.0, 100.0), ("paid_search", 1.0, 300.0), ("direct", 0.0, 0.0)]);
        let third = 1.0 / 3.0;
        check(&r, Linear, &[("organic_search", 0.5, 50.0), ("social", third, 100.0), ("direct", third, 100.0)]);
        // decay weights: organic 1/4, email 1 → 0.2/0.8; social 1/8, paid 1/4, direct 1 of 11/8
        check(
            &r,
            TimeDecay,
            &[
                ("organic_search", 0.2, 20.0),
                ("email", 0.8, 80.0),
                ("social", 1.0 / 11.0, 300.0 / 11.0),
                ("paid_search", 2.0 / 11.0, 600.0 / 11.0),
                ("direct", 8.0 / 11.0, 2400.0 / 11.0),
            ],
        );
        check(&r, PositionBased, &[("organic_search", 0.5, 50.0), ("social", 0.4, 120.0), ("paid_search", 0.2, 60.0)]);
        // P = 2/3; removal effects organic, email, social, direct 1/2, paid 1/4 (sum 9/4)
        assert!((r.markov.conversion_probability - 2.0 / 3.0).abs() < 1e-12);
        let (big, small) = (2.0 * 0.5 / 2.25, 2.0 * 0.25 / 2.25);
        // value: V = 400/3; removal effects organic, email 1/4, social, direct 3/4, paid 3/8 (sum 19/8)
        check(
            &r,
            Markov,
            &[("organic_search", big, 400.0 * 0.25 / 2.375), ("paid_search", small, 400.0 * 0.375 / 2.375)],
        );
        check(
            &r,
            Shapley,
            &[("organic_search", 0.5, 50.0), ("email", 0.5, 50.0), ("social", third, 100.0), ("direct", third, 100.0)],
        );
        let j = &r.journeys;
        assert_eq!(j.touches_to_convert, vec![(2, 1), (3, 1)]);
        assert_eq!(j.days_to_convert, vec![(2, 1), (3, 1)]);
        let assists: Vec<(&str, u64, u64)> = j.assists.iter().map(|a| (a.label.as_str(), a.assisted, a.last)).collect();
        assert_eq!(
            assists,
            [("direct", 0, 1), ("email", 0, 1), ("organic_search", 1, 0), ("paid_search", 1, 0), ("social", 1, 0)]
        );
        assert_eq!(j.top_sequences.len(), 2);
        assert_eq!(j.overlap.len(), 4);
    }
}

#[test]
fn lookback_cuts_and_direct_is_ignored_when_another_touch_exists() {
    let s = AttributionSpec { lookback_ms: Some(48 * HOUR), ..spec() };
    let r = run_split(&s, &three(), 1);
    // customer 2's social touch is 72 h before the purchase; organic at exactly 48 h stays
    assert_eq!(r.cut_touches, 1);
    check(&r, Model::FirstTouch, &[("organic_search", 1.0, 100.0), ("paid_search", 1.0, 300.0)]);

    let s = AttributionSpec { direct: DirectRule::IgnoreWhenOther, ..spec() };
    let r = run_split(&s, &three(), 2);
    check(&r, Model::LastTouch, &[("email", 1.0, 100.0), ("paid_search", 1.0, 300.0)]);
    assert!(r.rows.iter().all(|row| row.label != "direct"));

    let s = AttributionSpec { lookback_ms: Some(0), ..spec() };
    let e = s.validate().unwrap_err();
    assert_eq!(e.0[0].field, crate::analysis::invalid::SpecField::Lookback);
}

#[test]
fn every_conversion_ends_a_path_and_the_next_starts_after_it() {
    let n = f64::NAN;
    let c: Customer = vec![
        (0, "page_view", "email", n),
        (1, "purchase", "email", 50.0),
        (2, "purchase", "email", 70.0),
        (24 * 60, "purchase", "social", 30.0),
        (48 * 60, "page_view", "display", n),
    ];
    let once = run_split(&spec(), std::slice::from_ref(&c), 0);
    assert_eq!((once.conversions, once.revenue, once.null_paths), (1, 50.0, 0));
    let every = run_split(&AttributionSpec { count: ConversionCount::Every, ..spec() }, &[c], 1);
    assert_eq!((every.conversions, every.revenue, every.unattributed, every.unattributed_revenue), (3, 150.0, 1, 70.0));
    check(&every, Model::LastTouch, &[("email", 1.0, 50.0), ("social", 1.0, 30.0)]);
    assert_eq!(every.null_paths, 1);
}

#[test]
fn shapley_by_subset_sums_equals_orderings_and_the_unanimity_split() {
    // f over 3 players: {0}:1, {0,1}:1, {1,2}:2, {0,1,2}:3
    let mut f = vec![0.0; 8];
    f[0b001] = 1.0;
    f[0b011] = 1.0;
    f[0b110] = 2.0;
    f[0b111] = 3.0;
    let phi = shapley::shapley(f.clone(), 3);
    // brute force over the 6 orderings
    let v = |s: usize| (0..8).filter(|t| t & !s == 0).map(|t| f[t]).sum::<f64>();
    let perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
    let mut brute = [0.0; 3];
    for p in perms {
        let mut s = 0;
        for &i in &p {
            brute[i] += (v(s | 1 << i) - v(s)) / 6.0;
            s |= 1 << i;
        }
    }
    let unanimity = [1.0 + 0.5 + 1.0, 0.5 + 1.0 + 1.0, 1.0 + 1.0];
    for i in 0..3 {
        assert!((phi[i] - brute[i]).abs() < 1e-12 && (phi[i] - unanimity[i]).abs() < 1e-12, "{phi:?} {brute:?}");
    }
}

#[test]
fn shapley_groups_the_smallest_labels_as_other_beyond_the_players() {
    let s = AttributionSpec { players: 2, ..spec() };
    let r = run_split(&s, &three(), 0);
    assert_eq!(r.shapley.players, 2);
    assert_eq!(r.shapley.other.len(), 4);
    let valued = r.rows.iter().filter(|row| row.credits[Model::Shapley as usize].is_some()).count();
    assert_eq!(valued, 1);
    check(&r, Model::Shapley, &[]);
}

#[test]
fn markov_of_higher_order_still_splits_all_conversions() {
    for order in 1..=3 {
        let r = run_split(&AttributionSpec { order, ..spec() }, &three(), 1);
        assert_eq!(r.markov.order, order);
        check(&r, Model::Markov, &[]);
        assert!((r.markov.conversion_probability - 2.0 / 3.0).abs() < 1e-12);
    }
}

#[test]
fn the_sweeps_agree_with_elimination() {
    let ch = ["a", "b", "c", "d", "e", "f", "g", "h"];
    let mut paths: Vec<(Vec<u32>, PathStats)> = Vec::new();
    for i in 0..400usize {
        let len = 1 + i % 6;
        let p: Vec<u32> = (0..len).map(|k| ((i * 7 + k * k * 3 + i / 5) % ch.len()) as u32).collect();
        let conv = (i % 3 != 0) as u64;
        paths.push((p, PathStats { conversions: conv, nulls: 1 - conv + (i % 4 == 0) as u64, revenue: 10.0 }));
    }
    for order in 1..=3 {
        let dense = markov::markov_with(&paths, ch.len(), order, usize::MAX);
        let sweeps = markov::markov_with(&paths, ch.len(), order, 0);
        assert!((dense.conversion_probability - sweeps.conversion_probability).abs() < 1e-12);
        assert!((dense.value - sweeps.value).abs() < 1e-9);
        for (a, b) in dense.value_removal_effects.iter().zip(&sweeps.value_removal_effects) {
            assert!((a - b).abs() < 1e-10, "order {order}: value {a} vs {b}");
        }
        for (a, b) in dense.removal_effects.iter().zip(&sweeps.removal_effects) {
            assert!((a - b).abs() < 1e-10, "order {order}: {a} vs {b}");
        }
    }
    assert_eq!(markov::markov(&[], 0, 1).conversion_probability, 0.0);
}
