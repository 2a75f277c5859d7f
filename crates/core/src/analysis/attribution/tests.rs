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

fn period_rows<'a>(r: &'a AttributionReport, period: &str) -> &'a PeriodAttribution {
    r.periods.iter().find(|p| p.period == period).unwrap_or_else(|| panic!("no period {period}"))
}

fn period_credit(p: &PeriodAttribution, label: &str, model: Model) -> (f64, f64) {
    let row = p.rows.iter().find(|row| row.label == label).unwrap_or_else(|| panic!("no row {label}"));
    row.credits[model as usize].map_or((f64::NAN, f64::NAN), |c| (c.conversions, c.revenue))
}

/// Periods of the hand-worked case. T0 is 2023-11-14 22:13:20 UTC: the null path (social → direct) ends on
/// 15 Nov, customer 1 buys (organic → email, 100) on 16 Nov and customer 2 (social → paid → direct, 300) on
/// 17 Nov — in UTC; in Moscow (UTC+3) the purchases fall on 17 and 18 Nov. Each day is attributed on its own:
/// Markov over 17 Nov's one path gives each of its three touches 1/3.
#[test]
fn each_period_is_attributed_on_its_own_in_the_projects_time_zone() {
    use crate::analysis::period::Period;
    use Model::*;
    for split in 0..=3 {
        let s = AttributionSpec { period: Some(Period::Day), ..spec() };
        let r = run_split(&s, &three(), split);
        let days: Vec<(&str, u64, f64)> =
            r.periods.iter().map(|p| (p.period.as_str(), p.conversions, p.revenue)).collect();
        assert_eq!(days, [("2023-11-15", 0, 0.0), ("2023-11-16", 1, 100.0), ("2023-11-17", 1, 300.0)]);
        let null_day = period_rows(&r, "2023-11-15");
        assert_eq!(
            null_day.rows.iter().map(|r| (r.label.as_str(), r.touches)).collect::<Vec<_>>(),
            [("direct", 1), ("social", 1)]
        );
        assert_eq!(period_credit(null_day, "social", Markov), (0.0, 0.0));
        let d16 = period_rows(&r, "2023-11-16");
        assert_eq!(period_credit(d16, "organic_search", FirstTouch), (1.0, 100.0));
        assert_eq!(period_credit(d16, "email", LastTouch), (1.0, 100.0));
        assert_eq!(period_credit(d16, "email", Markov), (0.5, 50.0));
        let d17 = period_rows(&r, "2023-11-17");
        assert_eq!(period_credit(d17, "paid_search", LastNonDirect), (1.0, 300.0));
        let (c, v) = period_credit(d17, "paid_search", Markov);
        assert!((c - 1.0 / 3.0).abs() < 1e-12 && (v - 100.0).abs() < 1e-9, "{c} {v}");
        let (c, _) = period_credit(d17, "social", Shapley);
        assert!((c - 1.0 / 3.0).abs() < 1e-12);
        // the periods' heuristic credits add up to the whole report's
        for row in &r.rows {
            for m in Model::HEURISTIC {
                let sum: f64 = r
                    .periods
                    .iter()
                    .filter_map(|p| p.rows.iter().find(|x| x.label == row.label))
                    .map(|x| x.credits[m as usize].unwrap().conversions)
                    .sum();
                assert!((sum - credit(&r, &row.label, m).0).abs() < 1e-12, "{m:?} {}", row.label);
            }
        }
    }
    let moscow = crate::calendar::Calendar::parse("Europe/Moscow").unwrap();
    let r = run_split(&AttributionSpec { period: Some(Period::Day), calendar: moscow, ..spec() }, &three(), 1);
    let days: Vec<&str> = r.periods.iter().map(|p| p.period.as_str()).collect();
    assert_eq!(days, ["2023-11-15", "2023-11-17", "2023-11-18"]);
    // one ISO week (Monday 13 Nov) holds everything: the same credits as the whole range
    let r = run_split(&AttributionSpec { period: Some(Period::Week), ..spec() }, &three(), 2);
    assert_eq!(r.periods.len(), 1);
    assert_eq!((r.periods[0].period.as_str(), &r.periods[0].rows), ("2023-11-13", &r.rows));
    assert!(run_split(&spec(), &three(), 0).periods.is_empty());
}

/// The spend of a day meets the conversions of the same day: email's 50 on 16 Nov against its last-touch
/// purchase of 100 that day (CPA 50, ROAS 2, ROMI 1); paid search's 150 on 17 Nov against its last non-direct
/// 300; email's 10 on 20 Nov with no conversion that day (CPA none, ROAS 0, ROMI −1); tv's 5 matches no touch.
#[test]
fn cost_per_period_meets_the_conversions_of_the_same_period() {
    use crate::analysis::attribution::costs::{economics_by_period, CostRow};
    use crate::analysis::period::Period;
    let row = |day: &str, channel: &str, cost: f64| CostRow {
        day: day.into(),
        source: String::new(),
        medium: String::new(),
        campaign: String::new(),
        channel: channel.into(),
        cost,
        currency: "RUB".into(),
    };
    let costs = [
        row("2023-11-16", "email", 50.0),
        row("2023-11-17", "paid_search", 150.0),
        row("2023-11-20", "email", 10.0),
        row("2023-11-16", "tv", 5.0),
    ];
    let r = run_split(&AttributionSpec { period: Some(Period::Day), ..spec() }, &three(), 1);
    let e = economics_by_period(&r, &costs, &TouchField::channel());
    let days: Vec<(&str, u64, f64)> = e.iter().map(|p| (p.period.as_str(), p.conversions, p.cost)).collect();
    assert_eq!(
        days,
        [("2023-11-15", 0, 0.0), ("2023-11-16", 1, 55.0), ("2023-11-17", 1, 150.0), ("2023-11-20", 0, 10.0)]
    );
    let label = |p: usize, l: &str| e[p].labels.iter().find(|x| x.label == l).unwrap().clone();
    let email = label(1, "email");
    let last = email.models[Model::LastTouch as usize].unwrap();
    assert_eq!((email.cost, last.cpa, last.roas, last.romi), (50.0, Some(50.0), Some(2.0), Some(1.0)));
    assert_eq!(e[1].unmatched, [("tv".to_string(), 5.0)]);
    let paid = label(2, "paid_search").models[Model::LastNonDirect as usize].unwrap();
    assert_eq!((paid.cpa, paid.roas, paid.romi), (Some(150.0), Some(2.0), Some(1.0)));
    let late = label(3, "email");
    let m = late.models[Model::Markov as usize].unwrap();
    assert_eq!((late.cost, m.cpa, m.roas, m.romi), (10.0, None, Some(0.0), Some(-1.0)));
    assert_eq!(e[3].labels.len(), 1);
    // a week: all of it in the week of Monday 13 Nov, and the spend of 20 Nov in the next
    let r = run_split(&AttributionSpec { period: Some(Period::Week), ..spec() }, &three(), 0);
    let e = economics_by_period(&r, &costs, &TouchField::channel());
    assert_eq!(
        e.iter().map(|p| (p.period.as_str(), p.cost)).collect::<Vec<_>>(),
        [("2023-11-13", 205.0), ("2023-11-20", 10.0)]
    );
}
