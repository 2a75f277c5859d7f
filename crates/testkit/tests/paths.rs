//! Paths ([`PathsFold`]) run by the oracle engine against a straightforward re-implementation over plain event
//! lists (sessions cut first, then runs collapsed, then sliced), and merged in any grouping of customers.

use std::collections::BTreeMap;

use proptest::prelude::*;
use tropa_core::analysis::filter::EventMatch;
use tropa_core::analysis::paths::{PathsFold, PathsReport, PathsSpec};
use tropa_core::{Event, Journey, JourneyFold};
use tropa_engine::{fold, Engine, ScanSpec};
use tropa_testkit::NaiveEngine;

const NAMES: [&str; 4] = ["view", "cart", "buy", "page"];
const BASE: i64 = 1_767_225_600_000;
/// Events are 5 minutes apart (or tied); a 12-minute session breaks at every gap of 15 minutes or more.
const STEP_MS: i64 = 300_000;
const SESSION_MS: i64 = 720_000;

#[derive(Debug, Clone)]
struct Ev {
    user: u8,
    slot: i64,
    name: usize,
    price: u8,
}

/// An event condition: a name, and maybe `price > N`.
#[derive(Debug, Clone, Copy)]
struct Cond {
    name: usize,
    min_price: Option<u8>,
}

impl Cond {
    fn text(&self) -> String {
        match self.min_price {
            Some(p) => format!("{} where price > {p}", NAMES[self.name]),
            None => NAMES[self.name].to_string(),
        }
    }

    fn test(&self, e: &Ev) -> bool {
        e.name == self.name && self.min_price.is_none_or(|p| e.price > p)
    }
}

#[derive(Debug, Clone)]
struct Case {
    events: Vec<Ev>,
    from: Option<Cond>,
    to: Option<Cond>,
    depth: usize,
    collapse: bool,
    session: bool,
    conversion: Option<Cond>,
}

fn cond() -> impl Strategy<Value = Cond> {
    (0..NAMES.len(), prop::option::weighted(0.3, 0u8..10)).prop_map(|(name, min_price)| Cond { name, min_price })
}

fn case() -> impl Strategy<Value = Case> {
    let ev = (0u8..8, 0i64..30, 0..NAMES.len(), 0u8..10).prop_map(|(user, slot, name, price)| Ev {
        user,
        slot,
        name,
        price,
    });
    let anchors = prop_oneof![
        cond().prop_map(|c| (Some(c), None)),
        cond().prop_map(|c| (None, Some(c))),
        (cond(), cond()).prop_map(|(a, b)| (Some(a), Some(b))),
    ];
    (
        prop::collection::vec(ev, 0..120),
        anchors,
        prop_oneof![1usize..=6, Just(20usize)],
        any::<bool>(),
        any::<bool>(),
        prop::option::of(cond()),
    )
        .prop_map(|(events, (from, to), depth, collapse, session, conversion)| Case {
            events,
            from,
            to,
            depth,
            collapse,
            session,
            conversion,
        })
}

fn spec(c: &Case, top: usize) -> PathsSpec {
    let m = |c: &Option<Cond>| c.map(|c| EventMatch::parse(&c.text()).unwrap());
    PathsSpec {
        from: m(&c.from),
        to: m(&c.to),
        depth: c.depth,
        collapse: c.collapse,
        session_ms: c.session.then_some(SESSION_MS),
        top,
        conversion: m(&c.conversion),
    }
}

fn engine(events: &[Ev]) -> NaiveEngine {
    let engine = NaiveEngine::new();
    let events = events
        .iter()
        .enumerate()
        .map(|(i, e)| Event {
            message_id: format!("m{i}"),
            timestamp: BASE + e.slot * STEP_MS,
            user_id: format!("u{}", e.user),
            name: NAMES[e.name].to_string(),
            properties: format!("{{\"price\":{}}}", e.price),
            ..Event::default()
        })
        .collect();
    engine.ingest(events).unwrap();
    engine
}

/// Runs of equal names in `evs[range]`: (name, index of the run's first event).
fn runs(evs: &[&Ev], lo: usize, hi: usize, collapse: bool) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, e) in evs.iter().enumerate().take(hi).skip(lo) {
        if !(collapse && out.last().is_some_and(|&(n, _)| n == e.name)) {
            out.push((e.name, i));
        }
    }
    out
}

/// Path → (customers, converted), written the obvious way.
fn expected(c: &Case) -> BTreeMap<Vec<String>, (u64, u64)> {
    let mut by: BTreeMap<u8, Vec<(i64, usize, &Ev)>> = BTreeMap::new();
    for (i, e) in c.events.iter().enumerate() {
        by.entry(e.user).or_default().push((e.slot, i, e));
    }
    let mut out: BTreeMap<Vec<String>, (u64, u64)> = BTreeMap::new();
    for (_, mut list) in by {
        list.sort_by_key(|&(slot, i, _)| (slot, i));
        let evs: Vec<&Ev> = list.iter().map(|x| x.2).collect();
        // sessions: [lo, hi) ranges
        let mut sessions = Vec::new();
        let mut lo = 0;
        for i in 1..=evs.len() {
            if i == evs.len() || (c.session && (evs[i].slot - evs[i - 1].slot) * STEP_MS > SESSION_MS) {
                sessions.push((lo, i));
                lo = i;
            }
        }
        let bound = |i: usize| sessions.iter().copied().find(|&(lo, hi)| lo <= i && i < hi).unwrap();
        let (path, start) = if let Some(x) = c.from {
            let Some(s) = evs.iter().position(|e| x.test(e)) else { continue };
            let (_, hi) = bound(s);
            let end = c.to.and_then(|y| (s + 1..hi).find(|&i| y.test(evs[i]))).map_or(hi, |i| i + 1);
            let mut r = runs(&evs, s, end, c.collapse);
            r.truncate(c.depth);
            (r, s)
        } else {
            let y = c.to.unwrap();
            let Some(t) = evs.iter().position(|e| y.test(e)) else { continue };
            let (lo, _) = bound(t);
            let r = runs(&evs, lo, t + 1, c.collapse);
            let r = r[r.len().saturating_sub(c.depth)..].to_vec();
            let start = r[0].1;
            (r, start)
        };
        let converted = c.conversion.is_some_and(|z| evs[start + 1..].iter().any(|e| z.test(e)));
        let names = path.iter().map(|&(n, _)| NAMES[n].to_string()).collect();
        let entry = out.entry(names).or_default();
        entry.0 += 1;
        entry.1 += u64::from(converted);
    }
    out
}

/// Hands each customer to its own partial result, so the test can merge them in any grouping.
struct EachCustomer<'f>(&'f PathsFold);

impl JourneyFold for EachCustomer<'_> {
    type Acc = Vec<<PathsFold as JourneyFold>::Acc>;
    fn init(&self) -> Self::Acc {
        Vec::new()
    }
    fn fold(&self, acc: &mut Self::Acc, j: &Journey<'_>) {
        let mut one = self.0.init();
        self.0.fold(&mut one, j);
        acc.push(one);
    }
    fn merge(&self, into: &mut Self::Acc, other: Self::Acc) {
        into.extend(other);
    }
}

fn report(engine: &NaiveEngine, spec: PathsSpec) -> (PathsFold, PathsReport) {
    let f = PathsFold::new(spec, &engine.dictionaries()).unwrap();
    let acc = fold(engine, &ScanSpec::default().with_columns(f.columns()), &f).unwrap();
    let r = f.report(&acc);
    (f, r)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn paths_equal_the_obvious_implementation(c in case()) {
        let engine = engine(&c.events);
        let (_, r) = report(&engine, spec(&c, usize::MAX));
        let want = expected(&c);
        let got: BTreeMap<Vec<String>, (u64, u64)> =
            r.paths.iter().map(|p| (p.events.clone(), (p.customers, p.converted.unwrap_or(0)))).collect();
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(r.total, want.values().map(|v| v.0).sum::<u64>());
        prop_assert!(r.paths.windows(2).all(|w| (w[1].customers, &w[0].events) < (w[0].customers, &w[1].events)));
        prop_assert!(r.paths.iter().all(|p| !p.events.is_empty() && p.events.len() <= c.depth));
        // every Sankey column holds every path; every node's flow in equals its flow out
        let columns = r.nodes.iter().map(|n| n.depth + 1).max().unwrap_or(0);
        for d in 0..columns {
            let sum: u64 = r.nodes.iter().filter(|n| n.depth == d).map(|n| n.customers).sum();
            prop_assert_eq!(sum, r.total);
        }
        for n in &r.nodes {
            let out: u64 = r.links.iter().filter(|l| l.from_depth == n.depth && l.from == n.event).map(|l| l.customers).sum();
            let inn: u64 = r.links.iter().filter(|l| l.from_depth + 1 == n.depth && l.to == n.event).map(|l| l.customers).sum();
            if n.depth + 1 < columns {
                prop_assert_eq!(out, n.customers);
            }
            if n.depth > 0 {
                prop_assert_eq!(inn, n.customers);
            }
        }
    }

    #[test]
    fn merging_customers_in_any_grouping_gives_the_same_report(
        c in case(),
        top in 1usize..5,
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
    ) {
        let engine = engine(&c.events);
        let (f, whole) = report(&engine, spec(&c, top));
        let mut parts = fold(&engine, &ScanSpec::default().with_columns(f.columns()), &EachCustomer(&f)).unwrap();
        // merge neighbours at random places until one partial result is left, then merge that into an empty one
        let mut k = 0;
        while parts.len() > 1 {
            let i = cuts.get(k).map_or(0, |cut| cut.index(parts.len() - 1));
            k += 1;
            let right = parts.remove(i + 1);
            f.merge(&mut parts[i], right);
        }
        let mut acc = f.init();
        if let Some(p) = parts.pop() {
            f.merge(&mut acc, p);
        }
        prop_assert_eq!(f.report(&acc), whole);
    }
}
