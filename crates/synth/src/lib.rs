//! Seeded generator of realistic customer journeys: the demo data, test fixtures and benchmark load of tropa.
//!
//! It simulates the customers of «Тропа», a fictional online store of outdoor goods (tents, backpacks, sleeping
//! bags, footwear, jackets) at `https://shop.example`, through the stages awareness → interest → consideration →
//! purchase → repeat purchase, and emits the [`Event`]s its site, mailing service, support desk, delivery
//! service, shops and call centre would record.
//!
//! # Determinism and scale
//! A journey depends only on `(config, customer index)`: each customer draws from its own random stream
//! (SplitMix64 seeded from `seed` and index — our own generator, so the data never changes with a dependency
//! update or platform). Callers generate chunks of customers on any number of threads, in any order, and get the
//! same data; nothing global grows with the number of customers. [`refill`] reuses a buffer's memory and is the
//! fast path for bulk loads. Nothing here does I/O or reads the clock.
//!
//! # What the data looks like
//! - Every journey starts anonymous (`anonymous_id` `a-<16 hex>`) on a first visit through one channel: Yandex
//!   Direct, Google Ads, VK Ads (`cpc`), Telegram, the newsletter (`newsletter`/`email`), organic Yandex or Google
//!   search, a blog referral or direct. Later visits come back through search, direct, retargeting, the
//!   newsletter, …; shops (`store`) and the call centre (`call_center`) appear for known customers.
//! - Sessions (`session_start`, `page_view`, `search`, `view_item`, `add_to_cart`, `begin_checkout`,
//!   `add_payment_info`, `purchase`, `logout`) last minutes, events seconds to two minutes apart, visits days
//!   apart, at the hours people shop (Moscow time). Purchases carry revenue in RUB and `order_id`, `items`,
//!   `category`. Every event of a visit carries its UTM tags / referrer and `channel.group` from
//!   [`tropa_core::channel::classify`].
//! - About 27 % of customers register or log in: an `identify` event carries both the anonymous id and the user
//!   id `u-<16 hex>` with traits `{age, gender, city, country, income_band, interests}`; later events carry the
//!   user id. A quarter of them also use a second device, where they log in first, so every event of a journey
//!   is linked to one customer and ids are never shared between customers.
//! - After an order: `delivery` (`days`, `carrier`), `support_ticket` (`topic`), `nps_response` and `review`
//!   (`score` 0–10, reviews also `rating` 1–5 and a text in Russian, or English for a quarter of customers),
//!   `survey_response` (`survey`, `question`, `kind`, `score`, sometimes a "why?" `text`): CES after checkout,
//!   NPS on the order confirmation page, CSAT after delivery and after a support ticket — drawn from a second
//!   random stream per customer, so they move no other truth; `refund`, newsletters (`email_open`,
//!   `email_click`), repeat orders on the site, in a shop or by phone.
//! - 9.9 events per customer on average, geometrically spread (from 2 to about 100), so 10 M customers make
//!   about 100 M events; timestamps lie in `[start_ms, start_ms + days)`.
//! - New customers arrive at a steady rate over the whole period (weekends busier), so the traffic holds up to
//!   its last day; the demo ends the period on the day it is generated.
//!
//! # Planted truths
//! Measured by this crate's tests on the first 100,000 customers of the default configuration (see
//! [`truths()`]):
//!
//! | key | truth | measured |
//! |---|---|---|
//! | `cart_abandonment` | of customers who add to cart, ≈ 70 % never buy | 70.3 % |
//! | `channel_2x` | first visit from the newsletter → buy ≈ 2× as often as the paid average (Yandex Direct, Google Ads, VK Ads) | 17.8 % vs 7.9 % (2.25×) |
//! | `checkout_variant_b` | `checkout_v2` variant B turns checkouts into purchases ≈ 4 points more often | A 57.9 %, B 61.6 % |
//! | `slow_delivery_churn` | first order delivered in > 5 days (25 %): `delivery_delay` tickets and far fewer repeat purchases | tickets 61 % vs 3 %, repeat 10.9 % vs 35.8 % |
//! | `repeat_purchase` | ≈ 30 % of buyers buy again | 28.9 % |
//! | `cart_page_srm` | `cart_page_v3` (cart page view) loses ≈ 1/4 of B exposures: a sample-ratio mismatch | B share ≈ 43 % |
//! | `one_session_churn` | ≈ 60 % of customers come once and never return | 60.6 % |
//! | `paid_opens_journeys` | paid search opens journeys that direct visits close: weaker on last touch than on first touch, Markov and Shapley; direct the other way (measured with tropa's attribution, not planted by a knob of its own) | 20,000 customers: paid search first 422, last 336, Markov 367, Shapley 374; direct last 669, Markov 592 |
//! | `slow_delivery_feedback` | delivery CSAT 4–5 after a slow delivery vs a fast one; "why?" texts and reviews complain about the wait, NPS/reviews after slow deliveries mostly detractors | 18.8 % vs 84.6 % |
//!
//! Ad spend: [`ad_spend`] prices the paid visits of the same journeys (cost per click per platform), for the
//! demo's cost columns (CPA, ROAS, ROMI).
//!
//! # Example
//! ```
//! use tropa_synth::{chunk, customer_events, truths, SynthConfig};
//!
//! let cfg = SynthConfig { customers: 100, ..SynthConfig::default() };
//! let events = chunk(&cfg, 0..cfg.customers);
//! assert!(events.len() > 300);
//!
//! // One customer's journey, the same on every call and every machine.
//! let mut journey = Vec::new();
//! customer_events(&cfg, 7, &mut journey);
//! assert!(journey.windows(2).all(|w| w[0].timestamp <= w[1].timestamp));
//! assert!(journey[0].anonymous_id.starts_with("a-"));
//! assert_eq!(events.iter().filter(|e| e.message_id.starts_with("s2a-7-")).count(), journey.len());
//!
//! assert!(truths().iter().any(|t| t.key == "cart_abandonment"));
//! ```
mod catalog;
mod channels;
mod costs;
mod emit;
mod journey;
mod people;
mod profile;
mod rng;
mod truths;

pub use costs::{ad_spend, cost_per_click, AdSpend};
pub use truths::{truths, Truth};

use tropa_core::event::Event;

/// What to generate: how many customers, from which seed, over which period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthConfig {
    /// Number of customers (journeys); customer indexes are `0..customers`. A journey does not depend on it: it
    /// tells callers how far to go.
    pub customers: u64,
    /// Seed of the whole data set.
    pub seed: u64,
    /// Start of the period, epoch ms UTC.
    pub start_ms: i64,
    /// Length of the period in days.
    pub days: u32,
}

impl SynthConfig {
    /// The end of the period (exclusive), epoch ms UTC.
    pub fn end_ms(&self) -> i64 {
        self.start_ms + i64::from(self.days) * journey::DAY
    }
}

impl Default for SynthConfig {
    /// 10,000 customers, seed 42, 28 weeks from Monday 2026-03-02T00:00:00Z.
    fn default() -> Self {
        SynthConfig { customers: 10_000, seed: 42, start_ms: 1_772_409_600_000, days: 196 }
    }
}

/// Appends the complete, time-ordered (non-decreasing timestamp) journey of customer `index` (0-based) to `out`.
///
/// Deterministic: depends only on `(cfg.seed, cfg.start_ms, cfg.days, index)`. Message ids are
/// `s<seed hex>-<index hex>-<n>`, unique across the whole data set. An empty period (`days == 0`) gives nothing.
pub fn customer_events(cfg: &SynthConfig, index: u64, out: &mut Vec<Event>) {
    let filled = out.len();
    journey::generate(cfg, index, out, filled);
}

/// The events of the customers in `range`, customer by customer.
pub fn chunk(cfg: &SynthConfig, range: std::ops::Range<u64>) -> Vec<Event> {
    let mut out = Vec::with_capacity((range.end.saturating_sub(range.start) as usize).saturating_mul(11));
    for index in range {
        customer_events(cfg, index, &mut out);
    }
    out
}

/// Replaces the content of `buf` with the events of the customers in `range` (the same events [`chunk`] returns),
/// reusing the memory of the events already in `buf`: once warm, generating allocates almost nothing. The fast
/// path for bulk loads that hand `&buf[..]` to a store and generate the next chunk into the same buffer. Chunks of
/// 100–1,000 customers keep the buffer in cache (3.5 M events/s on one core at 100, 1.7 M at 1,000, against about
/// 1.1 M for [`chunk`] with the system allocator; see `examples/speed.rs`).
pub fn refill(cfg: &SynthConfig, range: std::ops::Range<u64>, buf: &mut Vec<Event>) {
    let mut filled = 0;
    for index in range {
        filled = journey::generate(cfg, index, buf, filled);
    }
    buf.truncate(filled);
}
