//! Measures every planted truth on 100,000 customers of the default configuration.
//!
//! The measures are computed from the events alone, the way an analysis would: per customer, no access to the
//! generator's internal decisions.

use std::collections::HashMap;
use std::sync::OnceLock;

use tropa_core::event::Event;
use tropa_synth::{customer_events, truths, SynthConfig};

const CUSTOMERS: u64 = 100_000;

/// Counts over customers (`n` = how many, `k` = how many of them did the thing).
#[derive(Debug, Default, Clone, Copy)]
struct Rate {
    n: u64,
    k: u64,
}

impl Rate {
    fn add(&mut self, hit: bool) {
        self.n += 1;
        self.k += u64::from(hit);
    }

    fn merge(&mut self, o: Rate) {
        self.n += o.n;
        self.k += o.k;
    }

    fn p(self) -> f64 {
        self.k as f64 / self.n.max(1) as f64
    }
}

#[derive(Debug, Default)]
struct Summary {
    customers: u64,
    events: u64,
    /// Bought, among customers who added to cart.
    cart_to_purchase: Rate,
    /// Bought, by first-session source (`newsletter`, `yandex`, …).
    by_first_source: HashMap<String, Rate>,
    /// Bought, among customers who began checkout in variant A / B.
    variant_a: Rate,
    variant_b: Rate,
    /// Share of first orders delivered in more than 5 days.
    slow_share: Rate,
    ticket_slow: Rate,
    ticket_fast: Rate,
    repeat_slow: Rate,
    repeat_fast: Rate,
    /// Bought twice or more, among buyers.
    repeat: Rate,
    /// A single session, among all customers.
    one_session: Rate,
    identified: Rate,
    revenue: f64,
    /// Delivery CSAT 4–5 among the answers about a one-order customer's slow / fast delivery.
    csat_slow: Rate,
    csat_fast: Rate,
}

fn prop(ev: &Event, key: &str) -> Option<serde_json::Value> {
    ev.properties_map().remove(key)
}

impl Summary {
    fn add(&mut self, events: &[Event]) {
        self.customers += 1;
        self.events += events.len() as u64;
        let has = |name: &str| events.iter().any(|e| e.name == name);
        let purchases: Vec<&Event> = events.iter().filter(|e| e.name == "purchase").collect();
        let bought = !purchases.is_empty();
        if has("add_to_cart") {
            self.cart_to_purchase.add(bought);
        }
        if let Some(first) = events.iter().find(|e| e.name == "session_start") {
            self.by_first_source.entry(first.channel.source.clone()).or_default().add(bought);
        }
        if let Some(checkout) = events.iter().find(|e| e.name == "begin_checkout") {
            match prop(checkout, "variant").as_ref().and_then(|v| v.as_str()) {
                Some("A") => self.variant_a.add(bought),
                Some("B") => self.variant_b.add(bought),
                other => panic!("begin_checkout without a variant: {other:?}"),
            }
        }
        if let Some(first_order) = purchases.first() {
            self.repeat.add(purchases.len() >= 2);
            let order = prop(first_order, "order_id").expect("order_id");
            let about_order = |e: &&Event| prop(e, "order_id").as_ref() == Some(&order);
            if let Some(delivery) = events.iter().filter(about_order).find(|e| e.name == "delivery") {
                let days = prop(delivery, "days").and_then(|d| d.as_i64()).expect("days");
                let slow = days > 5;
                self.slow_share.add(slow);
                let ticket = events.iter().filter(about_order).any(|e| {
                    e.name == "support_ticket"
                        && prop(e, "topic").as_ref().and_then(|t| t.as_str()) == Some("delivery_delay")
                });
                let again = purchases.len() >= 2;
                if purchases.len() == 1 {
                    let csat = events.iter().filter(|e| {
                        e.name == "survey_response"
                            && prop(e, "survey").as_ref().and_then(|v| v.as_str()) == Some("delivery")
                    });
                    for e in csat {
                        let happy = prop(e, "score").and_then(|v| v.as_u64()).expect("score") >= 4;
                        if slow { &mut self.csat_slow } else { &mut self.csat_fast }.add(happy);
                    }
                }
                if slow {
                    self.ticket_slow.add(ticket);
                    self.repeat_slow.add(again);
                } else {
                    self.ticket_fast.add(ticket);
                    self.repeat_fast.add(again);
                }
            }
        }
        self.one_session.add(events.iter().filter(|e| e.name == "session_start").count() == 1);
        self.identified.add(has("identify"));
        self.revenue += events.iter().filter_map(|e| e.revenue).sum::<f64>();
    }

    fn merge(&mut self, o: Summary) {
        self.customers += o.customers;
        self.events += o.events;
        self.cart_to_purchase.merge(o.cart_to_purchase);
        for (k, v) in o.by_first_source {
            self.by_first_source.entry(k).or_default().merge(v);
        }
        for (a, b) in [
            (&mut self.variant_a, o.variant_a),
            (&mut self.variant_b, o.variant_b),
            (&mut self.slow_share, o.slow_share),
            (&mut self.ticket_slow, o.ticket_slow),
            (&mut self.ticket_fast, o.ticket_fast),
            (&mut self.repeat_slow, o.repeat_slow),
            (&mut self.repeat_fast, o.repeat_fast),
            (&mut self.repeat, o.repeat),
            (&mut self.one_session, o.one_session),
            (&mut self.identified, o.identified),
            (&mut self.csat_slow, o.csat_slow),
            (&mut self.csat_fast, o.csat_fast),
        ] {
            a.merge(b);
        }
        self.revenue += o.revenue;
    }

    fn source(&self, s: &str) -> f64 {
        self.by_first_source.get(s).copied().unwrap_or_default().p()
    }
}

/// The summary of the default data set's first [`CUSTOMERS`] customers, computed once, on two threads.
fn summary() -> &'static Summary {
    static SUMMARY: OnceLock<Summary> = OnceLock::new();
    SUMMARY.get_or_init(|| {
        let cfg = SynthConfig::default();
        let part = |range: std::ops::Range<u64>| {
            let mut s = Summary::default();
            let mut buf = Vec::new();
            for i in range {
                buf.clear();
                customer_events(&cfg, i, &mut buf);
                s.add(&buf);
            }
            s
        };
        let half = CUSTOMERS / 2;
        let (mut a, b) = std::thread::scope(|scope| {
            let h = scope.spawn(|| part(half..CUSTOMERS));
            (part(0..half), h.join().expect("worker"))
        });
        a.merge(b);
        eprintln!("{a:#?}");
        a
    })
}

#[test]
fn cart_abandonment_is_about_70_percent() {
    let abandon = 1.0 - summary().cart_to_purchase.p();
    assert!((0.67..0.73).contains(&abandon), "abandonment {abandon:.3}");
}

#[test]
fn email_first_touch_converts_twice_as_often_as_paid() {
    let s = summary();
    let paid = (s.source("yandex") + s.source("google") + s.source("vk")) / 3.0;
    let email = s.source("newsletter");
    assert!(email / paid >= 1.7 && email / paid <= 2.8, "email {email:.3} vs paid {paid:.3}");
}

#[test]
fn checkout_variant_b_converts_4_points_better() {
    let s = summary();
    let lift = s.variant_b.p() - s.variant_a.p();
    assert!((0.02..0.06).contains(&lift), "A {:.3} B {:.3}", s.variant_a.p(), s.variant_b.p());
    let share_b = s.variant_b.n as f64 / (s.variant_a.n + s.variant_b.n) as f64;
    assert!((0.48..0.52).contains(&share_b), "B share {share_b:.3}");
}

#[test]
fn slow_delivery_brings_tickets_and_churn() {
    let s = summary();
    assert!((0.22..0.28).contains(&s.slow_share.p()), "slow share {:.3}", s.slow_share.p());
    assert!(s.ticket_slow.p() > 0.5 && s.ticket_fast.p() < 0.06, "{:?} {:?}", s.ticket_slow, s.ticket_fast);
    assert!((0.06..0.14).contains(&s.repeat_slow.p()), "slow repeat {:.3}", s.repeat_slow.p());
    assert!((0.30..0.40).contains(&s.repeat_fast.p()), "fast repeat {:.3}", s.repeat_fast.p());
}

#[test]
fn slow_delivery_brings_low_delivery_satisfaction() {
    let s = summary();
    assert!((0.10..0.25).contains(&s.csat_slow.p()), "slow CSAT {:?}", s.csat_slow);
    assert!((0.78..0.92).contains(&s.csat_fast.p()), "fast CSAT {:?}", s.csat_fast);
}

#[test]
fn about_30_percent_of_buyers_buy_again() {
    let p = summary().repeat.p();
    assert!((0.25..0.35).contains(&p), "repeat {p:.3}");
}

#[test]
fn many_customers_never_come_back() {
    let p = summary().one_session.p();
    assert!((0.55..0.65).contains(&p), "one session {p:.3}");
}

#[test]
fn about_ten_events_per_customer() {
    let s = summary();
    let mean = s.events as f64 / s.customers as f64;
    assert!((8.0..12.0).contains(&mean), "mean {mean:.2}");
}

#[test]
fn every_truth_is_documented_in_both_languages() {
    let keys: Vec<&str> = truths().iter().map(|t| t.key).collect();
    for key in [
        "cart_abandonment",
        "channel_2x",
        "checkout_variant_b",
        "slow_delivery_churn",
        "repeat_purchase",
        "slow_delivery_feedback",
        "cart_page_srm",
    ] {
        assert!(keys.contains(&key), "{key}");
    }
    assert!(truths().iter().all(|t| !t.en.is_empty() && !t.ru.is_empty()));
}
