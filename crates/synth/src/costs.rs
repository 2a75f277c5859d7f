//! The demo shop's ad spend: what its paid visits cost, per day, source, medium and campaign.
//!
//! Every tagged visit of a paid source is a click bought at that platform's price (cost per click, in RUB with
//! VAT): Yandex Direct 42 ₽, Google Ads 55 ₽, VK Ads 24 ₽, Telegram's promoted channel post 15 ₽ a visit. Spend
//! is counted from the same journeys the demo stores (a visit is a `session_start` carrying the UTM tags), so
//! cost per acquisition and return on ad spend can be read against the demo's own conversions.

use crate::{customer_events, SynthConfig};

/// A day's spend of one campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct AdSpend {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub source: &'static str,
    pub medium: &'static str,
    pub campaign: String,
    /// RUB, VAT included.
    pub cost: f64,
}

/// The price of one visit from `source`/`medium`, when the shop pays for it.
pub fn cost_per_click(source: &str, medium: &str) -> Option<(&'static str, &'static str, f64)> {
    Some(match (source, medium) {
        ("yandex", "cpc") => ("yandex", "cpc", 42.0),
        ("google", "cpc") => ("google", "cpc", 55.0),
        ("vk", "cpc") => ("vk", "cpc", 24.0),
        ("telegram", "social") => ("telegram", "social", 15.0),
        _ => return None,
    })
}

/// The spend of the paid visits of customers `0..cfg.customers`, by day, source, medium and campaign (sorted).
pub fn ad_spend(cfg: &SynthConfig) -> Vec<AdSpend> {
    let mut by: std::collections::BTreeMap<(String, &'static str, &'static str, String), f64> = Default::default();
    let mut buf = Vec::new();
    for i in 0..cfg.customers {
        buf.clear();
        customer_events(cfg, i, &mut buf);
        for e in buf.iter().filter(|e| e.name == "session_start") {
            if let Some((s, m, price)) = cost_per_click(&e.channel.source, &e.channel.medium) {
                let day = tropa_core::time::format_ts(e.timestamp)[..10].to_string();
                *by.entry((day, s, m, e.channel.campaign.clone())).or_default() += price;
            }
        }
    }
    by.into_iter()
        .map(|((day, source, medium, campaign), cost)| AdSpend { day, source, medium, campaign, cost })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paid_visits_cost_their_platforms_price() {
        let cfg = SynthConfig { customers: 2_000, ..SynthConfig::default() };
        let spend = ad_spend(&cfg);
        assert!(spend.iter().any(|s| s.source == "yandex") && spend.iter().any(|s| s.source == "vk"));
        for s in &spend {
            let (_, _, price) = cost_per_click(s.source, s.medium).unwrap();
            let clicks = s.cost / price;
            assert!((clicks - clicks.round()).abs() < 1e-9 && clicks >= 1.0, "{s:?}");
        }
        assert_eq!(ad_spend(&cfg), spend, "the same every time");
    }
}
