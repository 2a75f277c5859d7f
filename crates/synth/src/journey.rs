//! One customer's journey: the fate drawn up front, then sessions and back-office events in time order.
//!
//! The fate (how far the customer gets before the first purchase) is drawn first, from the first channel and the
//! checkout variant; the sessions then play it out. Drawing outcomes up front rather than step by step is what
//! makes the planted truths exact in expectation and independent of how many sessions a journey has.

mod after;
mod session;
mod voice;

use tropa_core::event::Event;

use crate::catalog::Product;
use crate::channels::{return_visit, Source, CART_REMINDER, FIRST_TOUCH};
use crate::emit::Emitter;
use crate::people::{HOUR_WEIGHTS, MSK_OFFSET_MS};
use crate::profile::{Profile, Variant};
use crate::rng::Rng;
use crate::truths::{P_CHECKOUT_GIVEN_CART, P_PAY_A, P_PAY_B};
use crate::SynthConfig;

use after::Pending;

pub(crate) const MINUTE: i64 = 60_000;
pub(crate) const HOUR: i64 = 60 * MINUTE;
pub(crate) const DAY: i64 = 24 * HOUR;
/// Relative number of first visits by weekday, Monday first (Moscow days).
const WEEKDAY_WEIGHTS: [u32; 7] = [100, 96, 96, 98, 88, 118, 112];
/// No session starts later than this before the end of the period.
const SESSION_MARGIN: i64 = 2 * HOUR;

/// How far a session (or, for the fate, the whole first-purchase phase) goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Stage {
    /// One or two pages, then gone.
    Bounce,
    /// Searches and product views.
    Browse,
    /// Adds to cart, leaves before checkout.
    Cart,
    /// Begins checkout, leaves before paying.
    Checkout,
    Purchase,
}

/// An order, remembered for the delivery, support and refund events that follow it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Order {
    pub n: u32,
    pub revenue: u32,
    pub product: &'static Product,
}

pub(crate) struct Sim<'a> {
    rng: Rng,
    /// The second stream: survey answers and the language of texts (see `voice`).
    voc: Rng,
    /// Writes reviews and answers in English.
    english: bool,
    em: Emitter<'a>,
    p: &'a Profile,
    first: Source,
    identified: bool,
    subscribed: bool,
    logged_in: [bool; 2],
    /// Whether the customer has logged in on the device at least once.
    used: [bool; 2],
    pending: Vec<Pending>,
    orders: u32,
    last_order: Option<Order>,
    end: i64,
}

/// Writes the journey of customer `index` into `out` from index `filled` on (appending, or overwriting stale
/// events); returns the index after its last event.
pub(crate) fn generate(cfg: &SynthConfig, index: u64, out: &mut Vec<Event>, filled: usize) -> usize {
    if cfg.days == 0 {
        return filled;
    }
    let mut rng = Rng::for_customer(cfg.seed, index);
    let profile = Profile::new(cfg.seed, index, &mut rng);
    let end = cfg.end_ms();
    let row = FIRST_TOUCH[rng.weighted(&FIRST_TOUCH.map(|r| r.1))];
    let mut voc = Rng::for_customer(cfg.seed ^ voice::VOC_SALT, index);
    let english = voc.chance(0.25);
    let mut sim = Sim {
        rng,
        voc,
        english,
        em: Emitter::new(out, filled, &profile, cfg, index),
        p: &profile,
        first: row.0,
        identified: false,
        subscribed: false,
        logged_in: [false; 2],
        used: [false; 2],
        pending: Vec::new(),
        orders: 0,
        last_order: None,
        end,
    };
    let fate = sim.fate(row.2, row.3);
    let t0 = sim.arrival(cfg.start_ms, cfg.days);
    sim.before_purchase(t0, fate);
    if fate == Stage::Purchase {
        sim.after_purchases();
    } else if fate > Stage::Bounce {
        sim.linger(fate);
    }
    sim.flush_until(i64::MAX);
    sim.em.filled()
}

impl Sim<'_> {
    fn fate(&mut self, p_bounce: f64, p_cart: f64) -> Stage {
        let u = self.rng.f64();
        if u < p_bounce {
            Stage::Bounce
        } else if u >= p_bounce + p_cart {
            Stage::Browse
        } else if !self.rng.chance(P_CHECKOUT_GIVEN_CART) {
            Stage::Cart
        } else if self.rng.chance(if self.p.variant == Variant::B { P_PAY_B } else { P_PAY_A }) {
            Stage::Purchase
        } else {
            Stage::Checkout
        }
    }

    /// First visits are spread over the whole period, so new customers keep arriving until its last day, at a
    /// steady rate with a weekly rhythm (weekends busier, Fridays quieter: [`WEEKDAY_WEIGHTS`]), at the hours
    /// people shop.
    fn arrival(&mut self, start: i64, days: u32) -> i64 {
        let heaviest = u64::from(*WEEKDAY_WEIGHTS.iter().max().unwrap_or(&1));
        let day = loop {
            let day = self.rng.below(u64::from(days)) as i64;
            let weekday = (local_midnight(start + day * DAY + 12 * HOUR) + MSK_OFFSET_MS).div_euclid(DAY) + 3;
            let weight = u64::from(WEEKDAY_WEIGHTS[weekday.rem_euclid(7) as usize]);
            if self.rng.below(heaviest) < weight {
                break day;
            }
        };
        let t = local_midnight(start + day * DAY + 12 * HOUR) + self.time_of_day();
        t.max(start + self.rng.below(HOUR as u64) as i64)
    }

    /// The sessions up to the first purchase (or to giving up): the last one reaches the fate's stage.
    fn before_purchase(&mut self, t0: i64, fate: Stage) {
        let sessions = match fate {
            Stage::Bounce => 1,
            Stage::Browse => 1 + self.rng.geometric(1.0),
            _ => 1 + self.rng.geometric(0.9),
        };
        let p_identify = match fate {
            Stage::Bounce => 0.02,
            Stage::Browse => 0.15,
            Stage::Cart => 0.30,
            Stage::Checkout | Stage::Purchase => 0.35,
        } + if self.first == Source::Email { 0.25 } else { 0.0 };
        let identify_at = self.rng.chance(p_identify).then(|| self.rng.below(u64::from(sessions)) as u32);
        let mut t = t0;
        let mut previous = Stage::Browse;
        for i in 0..sessions {
            let goal = if i + 1 == sessions {
                fate
            } else if fate >= Stage::Cart && i + 2 == sessions && self.rng.chance(0.3) {
                Stage::Cart
            } else {
                Stage::Browse
            };
            let visit = if i == 0 {
                self.first.visit(&mut self.rng)
            } else if previous == Stage::Cart && self.identified && self.subscribed && self.rng.chance(0.6) {
                &CART_REMINDER
            } else {
                return_visit(&mut self.rng, self.first, self.identified && self.subscribed)
            };
            if !self.web_session(t, visit, goal, identify_at == Some(i)) {
                return;
            }
            previous = goal;
            t = self.next_visit(self.em.now(), 3.0);
        }
    }

    /// What non-buyers do after their last try: a cart reminder, a few visits, some newsletters opened.
    fn linger(&mut self, fate: Stage) {
        let now = self.em.now();
        let mailable = self.identified && self.subscribed;
        if mailable {
            for _ in 0..self.rng.geometric(0.6) {
                let at = now + self.rng.between(DAY, 90 * DAY);
                self.schedule_newsletter(at);
            }
        }
        let mut t = self.next_visit(now, 7.0);
        if fate >= Stage::Cart && mailable {
            let at = local_midnight(now) + DAY + self.time_of_day();
            if self.rng.chance(0.35) {
                if !self.web_session(at, &CART_REMINDER, Stage::Browse, false) {
                    return;
                }
                t = self.next_visit(self.em.now(), 7.0);
            } else if self.rng.chance(0.6) {
                self.schedule(at, after::Due::Newsletter(&CART_REMINDER));
            }
        }
        for _ in 0..self.rng.geometric(0.35) {
            let visit = return_visit(&mut self.rng, self.first, mailable);
            if !self.web_session(t, visit, Stage::Browse, false) {
                return;
            }
            t = self.next_visit(self.em.now(), 7.0);
        }
    }

    /// A time on the day `after` falls on plus a geometric number of days (mean `mean_days`), at least half an
    /// hour after `after`.
    fn next_visit(&mut self, after: i64, mean_days: f64) -> i64 {
        let days = i64::from(self.rng.geometric(mean_days));
        let t = local_midnight(after) + days * DAY + self.time_of_day();
        if t > after + 30 * MINUTE {
            t
        } else {
            after + 30 * MINUTE + self.rng.below(3 * HOUR as u64) as i64
        }
    }

    /// Milliseconds after local midnight, weighted by the hour-of-day activity curve.
    fn time_of_day(&mut self) -> i64 {
        self.rng.weighted(&HOUR_WEIGHTS) as i64 * HOUR + self.rng.below(HOUR as u64) as i64
    }

    /// A few seconds to a couple of minutes between two events of a session.
    fn tick(&mut self) {
        // Log-uniform in [4 s, 150 s): 4 s · 37.5^u.
        let ms = (4_000.0 * (self.rng.f64() * 37.5f64.ln()).exp()) as i64;
        self.em.after(ms);
    }
}

/// The UTC instant of the Moscow midnight that starts the day `t` falls on.
pub(crate) fn local_midnight(t: i64) -> i64 {
    (t + MSK_OFFSET_MS).div_euclid(DAY) * DAY - MSK_OFFSET_MS
}
