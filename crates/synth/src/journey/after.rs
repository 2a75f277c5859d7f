//! After the purchase: delivery, support tickets, surveys, reviews, refunds, newsletters and repeat orders.
//!
//! Back-office events are scheduled ahead ([`Pending`]) and emitted in time order between sessions.

use std::fmt::Write as _;

use tropa_core::event::MessageKind;

use super::session::Buys;
use super::{local_midnight, Sim, Stage, DAY, HOUR};
use crate::catalog::{
    Product, CARRIERS, CARRIER_SLOW, CARRIER_WEIGHTS, NO_PAGE, OTHER_TOPICS, OTHER_TOPIC_WEIGHTS, REVIEW_TEXTS,
};
use crate::channels::{return_visit, Source, Visit, NPS_SURVEY};
use crate::emit::Scene;
use crate::truths::{
    P_REPEAT_FAST, P_REPEAT_LATER_FAST, P_REPEAT_LATER_SLOW, P_REPEAT_SLOW, P_TICKET_FAST, P_TICKET_SLOW,
};

/// Something that happens to an identified customer outside a session.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Due {
    Delivery {
        order: u32,
        days: i64,
        carrier: &'static str,
    },
    Ticket {
        order: u32,
        topic: &'static str,
    },
    Nps {
        score: u32,
    },
    Review {
        product: &'static Product,
        score: u32,
    },
    Refund {
        order: u32,
        amount: u32,
        reason: &'static str,
    },
    Newsletter(&'static Visit),
    /// A survey answer (see `voice`).
    Survey {
        survey: &'static str,
        question: &'static str,
        kind: &'static str,
        score: u32,
        text: Option<&'static str>,
    },
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Pending {
    at: i64,
    due: Due,
}

/// NPS and review scores 0–10 after a fast and after a slow delivery.
const SCORES_FAST: [u32; 11] = [1, 1, 1, 1, 1, 2, 3, 8, 14, 30, 38];
const SCORES_SLOW: [u32; 11] = [6, 5, 6, 8, 9, 10, 12, 14, 12, 10, 8];

impl Sim<'_> {
    pub(super) fn schedule(&mut self, at: i64, due: Due) {
        let i = self.pending.partition_point(|p| p.at <= at);
        self.pending.insert(i, Pending { at, due });
    }

    pub(super) fn schedule_newsletter(&mut self, at: i64) {
        let visit = Source::Email.visit(&mut self.rng);
        self.schedule(at, Due::Newsletter(visit));
    }

    /// Emits everything scheduled up to `t`, in time order.
    pub(super) fn flush_until(&mut self, t: i64) {
        while self.pending.first().is_some_and(|p| p.at <= t) {
            let p = self.pending.remove(0);
            self.emit_due(p);
        }
    }

    fn emit_due(&mut self, Pending { at, due }: Pending) {
        self.em.at(at);
        let mut props = String::with_capacity(96);
        let (scene, name) = match due {
            Due::Delivery { order, days, carrier } => {
                props.push_str("{\"order_id\":\"");
                self.push_order_id(&mut props, order);
                let _ = write!(props, "\",\"days\":{days},\"carrier\":\"{carrier}\"}}");
                (Scene::back_office("delivery", None), "delivery")
            }
            Due::Ticket { order, topic } => {
                let _ = write!(props, "{{\"topic\":\"{topic}\",\"order_id\":\"");
                self.push_order_id(&mut props, order);
                props.push_str("\",\"channel\":\"chat\"}");
                (Scene::back_office("support", None), "support_ticket")
            }
            Due::Nps { score } => {
                let _ = write!(props, "{{\"score\":{score},\"survey\":\"post_delivery\"}}");
                (Scene::back_office("email", Some(&NPS_SURVEY)), "nps_response")
            }
            Due::Review { product, score } => {
                let group = match score {
                    0..=6 => 0,
                    7..=8 => 1,
                    _ => 2,
                };
                let texts = if self.writes_english() { super::voice::REVIEW_TEXTS_EN } else { REVIEW_TEXTS }[group];
                let text = texts[(score as usize) % texts.len()];
                // a rating of 1–5 stars beside the 0–10 score
                let rating = match score {
                    0..=2 => 1,
                    3..=4 => 2,
                    5..=6 => 3,
                    7..=8 => 4,
                    _ => 5,
                };
                let _ = write!(
                    props,
                    "{{\"product_id\":\"{}\",\"score\":{score},\"rating\":{rating},\"text\":\"{text}\"}}",
                    product.id
                );
                self.em.scene = Scene::site(0);
                self.em.emit(MessageKind::Track, "review", product.page, props);
                return;
            }
            Due::Refund { order, amount, reason } => {
                props.push_str("{\"order_id\":\"");
                self.push_order_id(&mut props, order);
                let _ = write!(props, "\",\"amount\":{amount},\"reason\":\"{reason}\"}}");
                (Scene::back_office("support", None), "refund")
            }
            Due::Newsletter(visit) => {
                props.push_str("{}");
                (Scene::back_office("email", Some(visit)), "email_open")
            }
            Due::Survey { survey, question, kind, score, text } => {
                super::voice::survey_props(&mut props, survey, question, kind, score, text);
                // the delivery survey comes by e-mail, the others from the widget on the site
                let scene =
                    if survey == "delivery" { Scene::back_office("email", Some(&NPS_SURVEY)) } else { Scene::site(0) };
                (scene, "survey_response")
            }
        };
        self.em.scene = scene;
        self.em.emit(MessageKind::Track, name, NO_PAGE, props);
    }

    /// Delivery and what follows each order, and repeat orders, until the customer stops buying.
    pub(super) fn after_purchases(&mut self) {
        loop {
            let Some(order) = self.last_order.take() else { return };
            if self.em.stopped() {
                return;
            }
            let tp = self.em.now();
            let carrier = self.rng.weighted(&CARRIER_WEIGHTS);
            let slow = self.rng.chance(CARRIER_SLOW[carrier]);
            let days = if slow { self.rng.between(6, 14) } else { self.rng.between(1, 5) };
            let delivered = local_midnight(tp) + days * DAY + self.rng.between(10 * HOUR, 20 * HOUR);
            let n = order.n;
            self.schedule(delivered, Due::Delivery { order: n, days, carrier: CARRIERS[carrier] });
            let mut ticket = None;
            if self.rng.chance(if slow { P_TICKET_SLOW } else { P_TICKET_FAST }) {
                let waited = if slow {
                    self.rng.between(4 * DAY + 12 * HOUR, days * DAY - 6 * HOUR)
                } else {
                    self.rng.between(12 * HOUR, days * DAY)
                };
                self.schedule(tp + waited, Due::Ticket { order: n, topic: "delivery_delay" });
                ticket = Some(tp + waited);
            }
            self.ask_after_order(tp, delivered, slow, ticket);
            if self.rng.chance(0.06) {
                let topic = OTHER_TOPICS[self.rng.weighted(&OTHER_TOPIC_WEIGHTS)];
                let at = delivered + self.rng.between(HOUR, 5 * DAY);
                self.schedule(at, Due::Ticket { order: n, topic });
            }
            let scores = if slow { &SCORES_SLOW } else { &SCORES_FAST };
            if self.rng.chance(0.35) {
                let score = self.rng.weighted(scores) as u32;
                let at = delivered + self.rng.between(DAY, 3 * DAY);
                self.schedule(at, Due::Nps { score });
            }
            if self.rng.chance(0.15) {
                let score = self.rng.weighted(scores) as u32;
                let at = delivered + self.rng.between(2 * DAY, 10 * DAY);
                self.schedule(at, Due::Review { product: order.product, score });
            }
            if self.rng.chance(if slow { 0.10 } else { 0.03 }) {
                let reason = if slow { "late_delivery" } else { *self.rng.pick(&["defect", "wrong_size"]) };
                let at = delivered + self.rng.between(2 * DAY, 12 * DAY);
                self.schedule(at, Due::Refund { order: n, amount: order.revenue, reason });
            }
            let p_repeat = match (n, slow) {
                (1, true) => P_REPEAT_SLOW,
                (1, false) => P_REPEAT_FAST,
                (_, true) => P_REPEAT_LATER_SLOW,
                (_, false) => P_REPEAT_LATER_FAST,
            };
            let repeat = self.rng.chance(p_repeat);
            let next = delivered + (self.rng.log_uniform(7.0, 60.0) * DAY as f64) as i64;
            if self.subscribed && self.rng.chance(0.5) {
                let at = self.rng.between(tp + DAY, next);
                self.schedule_newsletter(at);
            }
            let mut visits = [0i64; 3];
            let m = (self.rng.geometric(0.5) as usize).min(visits.len());
            for v in &mut visits[..m] {
                *v = self.rng.between(delivered + 12 * HOUR, next - 12 * HOUR);
            }
            visits[..m].sort_unstable();
            for &t in &visits[..m] {
                let ok = if self.rng.chance(0.1) {
                    self.offline_visit(t, "store", Buys::No)
                } else {
                    let visit = return_visit(&mut self.rng, self.first, self.subscribed);
                    self.web_session(t, visit, Stage::Browse, false)
                };
                if !ok {
                    return;
                }
            }
            if !repeat {
                return;
            }
            let ok = match self.rng.weighted(&[75, 15, 10]) {
                0 => {
                    let visit = return_visit(&mut self.rng, self.first, self.subscribed);
                    self.web_session(next, visit, Stage::Purchase, false)
                }
                1 => self.offline_visit(next, "store", Buys::Yes),
                _ => self.offline_visit(next, "call_center", Buys::Yes),
            };
            if !ok {
                return;
            }
        }
    }
}
