//! The voice of the customer in the demo: surveys answered along the journey as `survey_response` events, and
//! the language of reviews. Every draw here comes from the customer's own second random stream (`Sim::voc`), so
//! adding feedback moves none of the other planted truths.
//!
//! - CES right after checkout (the widget on the order confirmation page, 30 % of orders): mostly easy;
//! - NPS on the order confirmation page (20 % of orders), before delivery: no difference by carrier;
//! - CSAT after delivery (35 % of orders), with a "why?" text in Russian (English for a quarter of customers):
//!   after a slow delivery (> 5 days) mostly 1–2 and texts about waiting, after a fast one mostly 4–5;
//! - CSAT after a support ticket (50 % of tickets): lower after a slow delivery.

use std::fmt::Write as _;

use super::after::Due;
use super::{Sim, HOUR, MINUTE};

/// The second random stream's salt.
pub(crate) const VOC_SALT: u64 = 0x0F1E_2D3C_4B5A_6978;

const CES: [u32; 7] = [2, 3, 5, 10, 20, 30, 30];
const NPS_AT_ORDER: [u32; 11] = [1, 1, 1, 1, 2, 3, 5, 10, 16, 28, 32];
const CSAT_FAST: [u32; 5] = [2, 3, 10, 35, 50];
const CSAT_SLOW: [u32; 5] = [35, 30, 18, 10, 7];
const SUPPORT_FAST: [u32; 5] = [5, 5, 15, 35, 40];
const SUPPORT_SLOW: [u32; 5] = [25, 25, 25, 15, 10];

/// "Why?" answers after delivery, by CSAT 1–2, 3, 4–5, in Russian and English.
const WHY_RU: [&[&str]; 3] = [
    &[
        "Ждал доставку больше недели, никто не предупредил.",
        "Курьер опоздал, заказ пришёл через две недели.",
        "Очень долгая доставка, поддержка не помогла.",
    ],
    &["Доставка нормальная, но без трекинга.", "Пришло вовремя, упаковка помята."],
    &["Быстрая доставка, спасибо!", "Всё пришло вовремя, курьер вежливый.", "Доставили за два дня, отлично."],
];
const WHY_EN: [&[&str]; 3] = [
    &[
        "Waited more than a week for the delivery, nobody told me.",
        "The courier was late, the order took two weeks.",
        "Very slow delivery and support did not help.",
    ],
    &["Delivery was fine but there was no tracking.", "Arrived on time, the box was dented."],
    &["Fast delivery, thank you!", "Everything arrived on time, a polite courier.", "Delivered in two days, great."],
];
/// Reviews in English by score group 0–6, 7–8, 9–10 (the Russian ones are in the catalog).
pub(crate) const REVIEW_TEXTS_EN: [&[&str]; 3] = [
    &[
        "Delivery took almost two weeks, nobody warned me.",
        "The product is fine but the wait was far too long.",
        "The courier postponed three times, never again.",
    ],
    &["Good value for money.", "Happy overall, the size fits.", "Not bad, but the packaging was crushed."],
    &[
        "Great gear, already tested it on a hike!",
        "Fast delivery, exactly as pictured. Thanks!",
        "The best shop for hikers, I recommend it to friends.",
    ],
];

fn group_csat(score: u32) -> usize {
    match score {
        1..=2 => 0,
        3 => 1,
        _ => 2,
    }
}

/// A survey answer's properties.
pub(crate) fn survey_props(
    props: &mut String,
    survey: &str,
    question: &str,
    kind: &str,
    score: u32,
    text: Option<&str>,
) {
    let _ =
        write!(props, "{{\"survey\":\"{survey}\",\"question\":\"{question}\",\"kind\":\"{kind}\",\"score\":{score}");
    if let Some(t) = text {
        let _ = write!(props, ",\"text\":\"{t}\"");
    }
    props.push('}');
}

impl Sim<'_> {
    /// Whether this customer writes in English (a quarter do).
    pub(super) fn writes_english(&self) -> bool {
        self.english
    }

    /// Surveys after the order placed at `tp`, delivered at `delivered` (slowly or not), with a ticket at
    /// `ticket` if one was opened.
    pub(super) fn ask_after_order(&mut self, tp: i64, delivered: i64, slow: bool, ticket: Option<i64>) {
        if self.voc.chance(0.30) {
            let score = 1 + self.voc.weighted(&CES) as u32;
            let at = tp + self.voc.between(MINUTE / 2, 5 * MINUTE);
            self.schedule(at, Due::Survey { survey: "checkout", question: "ease", kind: "ces", score, text: None });
        }
        if self.voc.chance(0.20) {
            let score = self.voc.weighted(&NPS_AT_ORDER) as u32;
            let at = tp + self.voc.between(6 * MINUTE, 10 * MINUTE);
            self.schedule(
                at,
                Due::Survey { survey: "post_purchase", question: "recommend", kind: "nps", score, text: None },
            );
        }
        if self.voc.chance(0.35) {
            let score = 1 + self.voc.weighted(if slow { &CSAT_SLOW } else { &CSAT_FAST }) as u32;
            let texts = if self.english { WHY_EN } else { WHY_RU }[group_csat(score)];
            let text = self.voc.chance(0.6).then(|| *self.voc.pick(texts));
            let at = delivered + self.voc.between(2 * HOUR, 30 * HOUR);
            self.schedule(at, Due::Survey { survey: "delivery", question: "satisfaction", kind: "csat", score, text });
        }
        if let Some(t) = ticket {
            if self.voc.chance(0.5) {
                let score = 1 + self.voc.weighted(if slow { &SUPPORT_SLOW } else { &SUPPORT_FAST }) as u32;
                let at = t + self.voc.between(HOUR, 20 * HOUR);
                self.schedule(
                    at,
                    Due::Survey { survey: "support", question: "satisfaction", kind: "csat", score, text: None },
                );
            }
        }
    }
}
