//! The benchmark's data set, one customer at a time (BENCH.md "Data").
//!
//! A customer is its hashed 63-bit id; everything else about it is drawn from a generator seeded by that id, so a
//! customer's events do not depend on which chunk or thread generates them. Per customer:
//! - a geometric number of events (p = 0.1, mean 10), split into sessions (a new session after an event with
//!   probability [`NEW_SESSION`]); each session opens with `session_start` and has one of 8 channels;
//! - inside a session, browsing events, and funnels `view_item → add_to_cart → begin_checkout → add_payment_info
//!   → purchase` that go on with probabilities [`FUNNEL_GO_ON`] (funnel steps are about 20 % of rows);
//! - strictly increasing timestamps (1 s … 4 min apart within a session, exponential gaps of mean 3 days
//!   between sessions), the whole journey shifted to start at a uniform time so that it fits in [`WINDOW_MS`]
//!   from [`START_MS`] (only journeys longer than the window stick out);
//! - a ~30-byte JSON object as `properties`.

use xxhash_rust::xxh3::xxh3_64_with_seed;

pub const NAMES: [&str; 12] = [
    "session_start",
    "view_item",
    "add_to_cart",
    "begin_checkout",
    "add_payment_info",
    "purchase",
    "page_view",
    "search",
    "scroll",
    "login",
    "share",
    "logout",
];
pub const SESSION_START: u8 = 0;
pub const VIEW_ITEM: u8 = 1;
pub const PURCHASE: u8 = 5;

pub const CHANNELS: [&str; 8] =
    ["direct", "organic_search", "paid_search", "email", "social", "referral", "display", "affiliate"];
/// Cumulative weights of [`CHANNELS`] (per mille).
const CHANNEL_CUM: [u64; 8] = [260, 480, 630, 730, 850, 920, 970, 1000];

/// Browsing events (page_view, search, scroll, login, share, logout) and their cumulative weights (per mille).
const BROWSE: [u8; 6] = [6, 7, 8, 9, 10, 11];
const BROWSE_CUM: [u64; 6] = [420, 580, 850, 920, 960, 1000];

/// Chance that a browsing slot starts a funnel (a `view_item`).
const START_FUNNEL: f64 = 0.19;
/// Chance that a funnel at step `s` (1 = view_item … 4 = add_payment_info) goes on to step `s + 1`.
const FUNNEL_GO_ON: [f64; 5] = [0.0, 0.42, 0.55, 0.65, 0.75];
/// Chance that a new session starts after an event.
const NEW_SESSION: f64 = 0.15;
const P_EVENTS: f64 = 0.1;

/// 2024-01-01T00:00:00Z.
pub const START_MS: i64 = 1_704_067_200_000;
/// 28 weeks.
pub const WINDOW_MS: i64 = 28 * 7 * 86_400_000;
const SESSION_GAP_MEAN_MS: f64 = 3.0 * 86_400_000.0;

/// SplitMix64: tiny, fast and the same on every platform and crate version.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [0, n).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    fn pick(&mut self, cum: &[u64]) -> usize {
        let x = self.below(*cum.last().unwrap_or(&1));
        cum.iter().position(|&c| x < c).unwrap_or(0)
    }
}

/// The id of customer number `i`: a 63-bit hash (non-negative as an Int64).
pub fn customer_id(seed: u64, i: u64) -> i64 {
    (xxh3_64_with_seed(&i.to_le_bytes(), seed) >> 1) as i64
}

/// Column-wise rows of a run of customers.
#[derive(Default)]
pub struct Rows {
    pub customer: Vec<i64>,
    pub ts: Vec<i64>,
    pub name: Vec<u8>,
    pub channel: Vec<u8>,
    /// Properties texts back to back; `prop_end[i]` is where row `i`'s text ends.
    pub props: String,
    pub prop_end: Vec<usize>,
}

impl Rows {
    pub fn len(&self) -> usize {
        self.ts.len()
    }

    /// Appends `other` (customers that come after this one's).
    pub fn append(&mut self, other: Rows) {
        let base = self.props.len();
        self.customer.extend_from_slice(&other.customer);
        self.ts.extend_from_slice(&other.ts);
        self.name.extend_from_slice(&other.name);
        self.channel.extend_from_slice(&other.channel);
        self.props.push_str(&other.props);
        self.prop_end.extend(other.prop_end.iter().map(|e| e + base));
    }

    /// The properties text of row `i`.
    pub fn prop(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.prop_end[i - 1] };
        &self.props[start..self.prop_end[i]]
    }
}

fn push_props(out: &mut Rows, r: &mut Rng, name: u8) {
    use std::fmt::Write;
    let _ = match name {
        1..=5 => write!(out.props, r#"{{"item":"sku-{:05}","qty":{}}}"#, r.below(20_000), 1 + r.below(3)),
        7 => write!(out.props, r#"{{"q":"term-{:04}","hits":{}}}"#, r.below(5_000), r.below(200)),
        _ => write!(out.props, r#"{{"page":"/p/{:05}","ms":{}}}"#, r.below(50_000), 50 + r.below(950)),
    };
    out.prop_end.push(out.props.len());
}

/// Appends every event of customer `id` to `out`, in time order.
pub fn customer(seed: u64, id: i64, out: &mut Rows) {
    let mut r = Rng::new(xxh3_64_with_seed(&id.to_le_bytes(), seed ^ 0x7472_6f70_6100_0001));
    let u = 1.0 - r.unit(); // (0, 1]
    let n = 1 + (u.ln() / (1.0 - P_EVENTS).ln()).floor() as usize;
    let first = out.ts.len();
    let mut t = 0i64;
    let mut channel = 0u8;
    let mut step = 0u8; // last funnel step of the session, 0 = none
    let mut new_session = true;
    for k in 0..n {
        let name = if new_session {
            if k > 0 {
                t += 1 + (-(1.0 - r.unit()).ln() * SESSION_GAP_MEAN_MS) as i64;
            }
            channel = r.pick(&CHANNEL_CUM) as u8;
            step = 0;
            SESSION_START
        } else {
            t += 1_000 + r.below(239_000) as i64;
            if (1..PURCHASE).contains(&step) && r.unit() < FUNNEL_GO_ON[step as usize] {
                step += 1;
                step
            } else if r.unit() < START_FUNNEL {
                step = VIEW_ITEM;
                step
            } else {
                step = 0;
                BROWSE[r.pick(&BROWSE_CUM)]
            }
        };
        new_session = r.unit() < NEW_SESSION;
        out.customer.push(id);
        out.ts.push(t);
        out.name.push(name);
        out.channel.push(channel);
        push_props(out, &mut r, name);
    }
    let span = t;
    let start = START_MS + r.below((WINDOW_MS - span).max(1) as u64) as i64;
    for ts in &mut out.ts[first..] {
        *ts += start;
    }
}
