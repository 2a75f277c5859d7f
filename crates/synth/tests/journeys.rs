//! The shape of every generated journey: determinism, time order, ids, JSON texts, channels, identity links.

use std::collections::{HashMap, HashSet};

use tropa_core::channel::classify;
use tropa_core::event::{Event, MessageKind};
use tropa_synth::{chunk, customer_events, refill, SynthConfig};

const CUSTOMERS: u64 = 2_000;

fn journeys(cfg: &SynthConfig, n: u64) -> Vec<Vec<Event>> {
    (0..n)
        .map(|i| {
            let mut out = Vec::new();
            customer_events(cfg, i, &mut out);
            out
        })
        .collect()
}

#[test]
fn same_config_and_index_give_the_same_events() {
    let cfg = SynthConfig::default();
    let a = chunk(&cfg, 0..300);
    assert_eq!(a, chunk(&cfg, 0..300));
    // Chunking does not matter: a customer's journey depends on (config, index) only.
    let mut b = chunk(&cfg, 0..120);
    b.extend(chunk(&cfg, 120..300));
    assert_eq!(a, b);
    let mut c = Vec::new();
    customer_events(&SynthConfig { customers: 5, ..cfg }, 7, &mut c);
    let mut d = Vec::new();
    customer_events(&cfg, 7, &mut d);
    assert_eq!(c, d, "the number of customers does not change a journey");
}

#[test]
fn refill_gives_the_same_events_as_chunk_whatever_the_buffer_held() {
    let cfg = SynthConfig::default();
    let mut buf = Vec::new();
    for range in [0..200, 200..260, 1_000..1_400, 5..6, 7..7] {
        refill(&cfg, range.clone(), &mut buf);
        assert_eq!(buf, chunk(&cfg, range));
    }
    let mut other = chunk(&SynthConfig { seed: 1, ..cfg }, 0..300);
    refill(&cfg, 0..100, &mut other);
    assert_eq!(other, chunk(&cfg, 0..100));
}

#[test]
fn different_seeds_give_different_data() {
    let cfg = SynthConfig::default();
    let other = SynthConfig { seed: 43, ..cfg };
    let (a, b) = (chunk(&cfg, 0..50), chunk(&other, 0..50));
    assert_ne!(a.len(), 0);
    let names = |v: &[Event]| v.iter().map(|e| (e.name.clone(), e.timestamp)).collect::<Vec<_>>();
    assert_ne!(names(&a), names(&b));
}

#[test]
fn journeys_are_time_ordered_inside_the_period() {
    let cfg = SynthConfig::default();
    for (i, j) in journeys(&cfg, CUSTOMERS).iter().enumerate() {
        assert!(!j.is_empty(), "customer {i} has no events");
        assert!(j.windows(2).all(|w| w[0].timestamp <= w[1].timestamp), "customer {i} is out of order");
        for e in j {
            assert!(e.timestamp >= cfg.start_ms && e.timestamp < cfg.end_ms(), "customer {i}: {e:?}");
            assert!(e.received_at >= e.timestamp && e.received_at - e.timestamp < 5_000);
        }
    }
}

#[test]
fn a_short_period_truncates_without_breaking_order() {
    let cfg = SynthConfig { days: 3, ..SynthConfig::default() };
    for j in journeys(&cfg, 300) {
        assert!(j.windows(2).all(|w| w[0].timestamp <= w[1].timestamp));
        assert!(j.iter().all(|e| e.timestamp >= cfg.start_ms && e.timestamp < cfg.end_ms()));
    }
    assert!(chunk(&SynthConfig { days: 0, ..cfg }, 0..10).is_empty());
}

#[test]
fn message_ids_are_unique_and_events_well_formed() {
    let cfg = SynthConfig::default();
    let mut ids = HashSet::new();
    for e in journeys(&cfg, CUSTOMERS).iter().flatten() {
        assert!(ids.insert(e.message_id.clone()), "duplicate {}", e.message_id);
        assert!(!e.actor().is_empty(), "{e:?}");
        assert!(!e.name.is_empty() && !e.touchpoint.is_empty(), "{e:?}");
        for text in [&e.properties, &e.traits] {
            let v: serde_json::Value = serde_json::from_str(text).unwrap_or_else(|err| panic!("{text}: {err}"));
            assert!(v.is_object(), "{text}");
        }
        let group = classify(&e.channel.source, &e.channel.medium, &e.channel.referrer, &e.touchpoint);
        assert_eq!(e.channel.group, group, "{e:?}");
        match e.kind {
            MessageKind::Page => assert_eq!(e.name, "page_view"),
            MessageKind::Identify => {
                assert_eq!(e.name, "identify");
                assert!(!e.anonymous_id.is_empty() && !e.user_id.is_empty());
                let t = e.traits_map();
                for key in ["age", "gender", "city", "country", "income_band", "interests"] {
                    assert!(t.contains_key(key), "{key} missing in {}", e.traits);
                }
            }
            _ => assert!(e.traits == "{}" && e.name != "page_view" && e.name != "identify"),
        }
        if e.name == "purchase" {
            assert!(e.revenue.is_some_and(|r| r > 0.0) && e.currency == "RUB");
            let p = e.properties_map();
            assert!(p.contains_key("order_id") && p.contains_key("items") && p.contains_key("category"));
        } else {
            assert!(e.revenue.is_none());
        }
        if e.name == "view_item" {
            let p = e.properties_map();
            assert!(p.contains_key("product_id") && p["price"].is_u64() && p.contains_key("category"));
        }
        if e.touchpoint == "web" {
            assert!(!e.anonymous_id.is_empty() && !e.context.user_agent.is_empty() && !e.context.city.is_empty());
        }
    }
}

/// Union–find over the ids of one journey: every event must be linked to every other through events that carry
/// both an anonymous id and a user id, so identity stitching sees one customer.
#[test]
fn each_journey_is_one_customer_and_ids_are_never_shared() {
    let cfg = SynthConfig::default();
    let mut owner: HashMap<String, usize> = HashMap::new();
    for (i, j) in journeys(&cfg, CUSTOMERS).iter().enumerate() {
        let mut parent: HashMap<&str, &str> = HashMap::new();
        fn find<'a>(p: &mut HashMap<&'a str, &'a str>, x: &'a str) -> &'a str {
            let up = *p.entry(x).or_insert(x);
            if up == x {
                x
            } else {
                let root = find(p, up);
                p.insert(x, root);
                root
            }
        }
        for e in j {
            for id in [&e.anonymous_id, &e.user_id] {
                if !id.is_empty() {
                    find(&mut parent, id);
                    assert_eq!(*owner.entry(id.clone()).or_insert(i), i, "{id} is shared by two customers");
                }
            }
            if !e.anonymous_id.is_empty() && !e.user_id.is_empty() {
                let (a, b) = (find(&mut parent, &e.anonymous_id), find(&mut parent, &e.user_id));
                parent.insert(a, b);
            }
        }
        let ids: Vec<&str> = parent.keys().copied().collect();
        let roots: HashSet<&str> = ids.into_iter().map(|x| find(&mut parent, x)).collect();
        assert_eq!(roots.len(), 1, "customer {i} falls apart into {roots:?}");
        assert!(j[0].user_id.is_empty() && j[0].anonymous_id.starts_with("a-"), "journeys start anonymous");
    }
}

#[test]
fn data_covers_every_event_channel_and_touchpoint() {
    let cfg = SynthConfig::default();
    let events: Vec<Event> = journeys(&cfg, CUSTOMERS).into_iter().flatten().collect();
    let names: HashSet<&str> = events.iter().map(|e| e.name.as_str()).collect();
    for name in [
        "session_start",
        "page_view",
        "search",
        "view_item",
        "add_to_cart",
        "begin_checkout",
        "add_payment_info",
        "purchase",
        "identify",
        "support_ticket",
        "email_open",
        "email_click",
        "review",
        "nps_response",
        "delivery",
        "refund",
        "logout",
    ] {
        assert!(names.contains(name), "no {name}");
    }
    let groups: HashSet<&str> = events.iter().map(|e| e.channel.group.as_str()).collect();
    for g in ["paid_search", "paid_social", "email", "messengers", "organic_search", "referral", "direct", "offline"] {
        assert!(groups.contains(g), "no {g} in {groups:?}");
    }
    assert!(events.iter().any(|e| e.touchpoint == "call_center" && e.name == "purchase"));
    assert!(events.iter().any(|e| e.touchpoint == "store" && e.name == "purchase"));
    let cities: HashSet<&str> = events.iter().map(|e| e.context.city.as_str()).collect();
    assert!(cities.contains("Москва") && cities.contains("Almaty") && cities.len() > 15);
    let ru = events.iter().filter(|e| e.context.locale == "ru-RU").count();
    let with_locale = events.iter().filter(|e| !e.context.locale.is_empty()).count();
    assert!(ru * 10 > with_locale * 8, "ru-RU is the usual locale");
}

/// Regression (the demo's traffic collapsed after one date: new customers stopped arriving at 80 % of the period,
/// which looked like a real drop): new customers arrive at a steady rate until the period's last weeks, with a
/// weekly rhythm, and the events per week hold up to the end.
#[test]
fn new_customers_and_events_are_steady_to_the_end_of_the_period() {
    let cfg = SynthConfig::default();
    let week = |ts: i64| ((ts - cfg.start_ms) / (7 * 86_400_000)) as usize;
    let weeks = cfg.days as usize / 7;
    let (mut new, mut events, mut weekday) = (vec![0u64; weeks], vec![0u64; weeks], [0u64; 7]);
    for j in journeys(&cfg, 20_000) {
        new[week(j[0].timestamp)] += 1;
        // the period starts on a Monday; Moscow days
        weekday[((j[0].timestamp - cfg.start_ms + 3 * 3_600_000) / 86_400_000 % 7) as usize] += 1;
        for e in &j {
            events[week(e.timestamp)] += 1;
        }
    }
    let mean = |v: &[u64]| v.iter().sum::<u64>() as f64 / v.len() as f64;
    let per_week = mean(&new);
    for (w, n) in new.iter().enumerate() {
        assert!((0.8..1.2).contains(&(*n as f64 / per_week)), "week {w}: {n} new customers, mean {per_week:.0}");
    }
    // after the first month (returning customers build up) events stay within a band to the last week
    let settled = mean(&events[4..]);
    for (w, n) in events.iter().enumerate().skip(4) {
        assert!((0.75..1.25).contains(&(*n as f64 / settled)), "week {w}: {n} events, mean {settled:.0}: {events:?}");
    }
    assert!(weekday[5] > weekday[4] * 11 / 10, "Saturdays bring more new customers than Fridays: {weekday:?}");
}
