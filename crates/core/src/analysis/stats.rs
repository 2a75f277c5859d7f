//! Store statistics: events and distinct customers per event name, events per channel group, touchpoint and
//! local day, customers, the time range, and revenue: its total, per local day, and the customers with at least
//! one event of positive revenue (buyers). Revenue sums every event's revenue where present (refunds are
//! negative). Days are those of the fold's [`Calendar`] (the project's time zone; default UTC): a day around a
//! daylight-saving change holds 23 or 25 hours of events.
//!
//! Definition: an event counts once under its name, channel group, touchpoint and day; a customer counts once
//! under every event name it has at least one event of. Example: a customer with `view, view, buy` adds 2 events
//! and 1 customer to `view`, 1 and 1 to `buy`. Events outside the scan's filters are not seen.
//!
//! Channels: each customer counts once under the channel group of their first event the fold sees (with a date
//! range, the first event in the range), with whether they bought (an event of positive revenue) and the sum of
//! their revenue. Example: a customer who came by `email`, then bought 500 through `direct`, adds a customer, a
//! buyer and 500 to `email`. Conversion is buyers / customers. Currencies: the events with a revenue and its sum
//! per currency the events name (revenue is never converted; the overview warns when it differs from the
//! project's currency).
//! Reference: the same counts by `GROUP BY event, count(), count(DISTINCT customer)` in DuckDB and ClickHouse
//! (`uniqExact`) over the exported Parquet (tests/reference in the CLI crate); the days in a zone by DuckDB's
//! `timezone()` (tests/reference/test_time_zone.py).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::calendar::Calendar;
use crate::dict::{DictCol, Dictionaries};
use crate::fold::JourneyFold;
use crate::journey::{Columns, Journey};
use crate::time::{format_day, format_ts};

/// The fold; needs the channel and touchpoint columns (see [`StatsFold::columns`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct StatsFold {
    /// Whose days (the project's time zone).
    pub calendar: Calendar,
}

/// Partial result, keyed by dictionary codes and day numbers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatsAcc {
    pub customers: u64,
    pub events: u64,
    /// Per name code: (events, customers).
    pub names: Vec<(u64, u64)>,
    pub channels: Vec<u64>,
    pub touchpoints: Vec<u64>,
    pub days: BTreeMap<i64, u64>,
    pub min_ts: Option<i64>,
    pub max_ts: Option<i64>,
    pub revenue: f64,
    pub revenue_days: BTreeMap<i64, f64>,
    pub buyers: u64,
    /// Per channel code of the customer's first event: customers, buyers, revenue.
    pub first_channels: Vec<(u64, u64, f64)>,
    /// Per currency code: events with a revenue, and their revenue.
    pub currencies: Vec<(u64, f64)>,
    seen: Vec<u32>,
}

fn bump(v: &mut Vec<u64>, i: usize, by: u64) {
    if v.len() <= i {
        v.resize(i + 1, 0);
    }
    v[i] += by;
}

impl StatsFold {
    pub fn columns() -> Columns {
        Columns::dict(DictCol::Channel)
            .with(Columns::dict(DictCol::Touchpoint))
            .with(Columns::dict(DictCol::Currency))
            .with(Columns::REVENUE)
    }
}

impl JourneyFold for StatsFold {
    type Acc = StatsAcc;

    fn init(&self) -> StatsAcc {
        StatsAcc::default()
    }

    fn fold(&self, acc: &mut StatsAcc, j: &Journey<'_>) {
        if j.is_empty() {
            return;
        }
        acc.customers += 1;
        acc.events += j.len() as u64;
        let stamp = acc.customers as u32;
        for &n in j.name {
            let i = n as usize;
            if acc.names.len() <= i {
                acc.names.resize(i + 1, (0, 0));
                acc.seen.resize(i + 1, 0);
            }
            acc.names[i].0 += 1;
            if acc.seen[i] != stamp {
                acc.seen[i] = stamp;
                acc.names[i].1 += 1;
            }
        }
        for &c in j.codes(DictCol::Channel) {
            bump(&mut acc.channels, c as usize, 1);
        }
        for &c in j.codes(DictCol::Touchpoint) {
            bump(&mut acc.touchpoints, c as usize, 1);
        }
        let mut days = self.calendar.days();
        let mut run_day = i64::MIN;
        let mut run = 0u64;
        for &t in j.ts {
            let d = days.day(t);
            if d != run_day {
                if run > 0 {
                    *acc.days.entry(run_day).or_default() += run;
                }
                run_day = d;
                run = 0;
            }
            run += 1;
        }
        if run > 0 {
            *acc.days.entry(run_day).or_default() += run;
        }
        let mut bought = false;
        let currencies = j.codes(DictCol::Currency);
        for (i, (&r, &t)) in j.revenue.iter().zip(j.ts).enumerate() {
            if !r.is_nan() {
                let c = currencies.get(i).copied().unwrap_or(0) as usize;
                if acc.currencies.len() <= c {
                    acc.currencies.resize(c + 1, (0, 0.0));
                }
                acc.currencies[c].0 += 1;
                acc.currencies[c].1 += r;
                acc.revenue += r;
                *acc.revenue_days.entry(days.day(t)).or_default() += r;
                bought |= r > 0.0;
            }
        }
        acc.buyers += u64::from(bought);
        let first_channel = j.codes(DictCol::Channel).first().copied().unwrap_or(0) as usize;
        if acc.first_channels.len() <= first_channel {
            acc.first_channels.resize(first_channel + 1, (0, 0, 0.0));
        }
        let row = &mut acc.first_channels[first_channel];
        row.0 += 1;
        row.1 += u64::from(bought);
        row.2 += j.revenue.iter().filter(|r| !r.is_nan()).sum::<f64>();
        let (first, last) = (j.ts[0], j.ts[j.len() - 1]);
        acc.min_ts = Some(acc.min_ts.map_or(first, |m| m.min(first)));
        acc.max_ts = Some(acc.max_ts.map_or(last, |m| m.max(last)));
    }

    fn merge(&self, into: &mut StatsAcc, other: StatsAcc) {
        into.customers += other.customers;
        into.events += other.events;
        into.revenue += other.revenue;
        into.buyers += other.buyers;
        for (d, v) in other.revenue_days {
            *into.revenue_days.entry(d).or_default() += v;
        }
        for (i, (e, c)) in other.names.into_iter().enumerate() {
            if into.names.len() <= i {
                into.names.resize(i + 1, (0, 0));
            }
            into.names[i].0 += e;
            into.names[i].1 += c;
        }
        for (i, v) in other.channels.into_iter().enumerate() {
            bump(&mut into.channels, i, v);
        }
        if into.first_channels.len() < other.first_channels.len() {
            into.first_channels.resize(other.first_channels.len(), (0, 0, 0.0));
        }
        for (into, (c, b, r)) in into.first_channels.iter_mut().zip(other.first_channels) {
            into.0 += c;
            into.1 += b;
            into.2 += r;
        }
        if into.currencies.len() < other.currencies.len() {
            into.currencies.resize(other.currencies.len(), (0, 0.0));
        }
        for (into, (n, r)) in into.currencies.iter_mut().zip(other.currencies) {
            into.0 += n;
            into.1 += r;
        }
        for (i, v) in other.touchpoints.into_iter().enumerate() {
            bump(&mut into.touchpoints, i, v);
        }
        for (d, v) in other.days {
            *into.days.entry(d).or_default() += v;
        }
        into.min_ts = match (into.min_ts, other.min_ts) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        into.max_ts = match (into.max_ts, other.max_ts) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
}

/// One row of a count table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountRow {
    pub value: String,
    pub events: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customers: Option<u64>,
}

/// The statistics with names resolved, largest counts first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsReport {
    pub customers: u64,
    pub events: u64,
    pub first_event: Option<String>,
    pub last_event: Option<String>,
    pub events_by_name: Vec<CountRow>,
    pub events_by_channel: Vec<CountRow>,
    pub events_by_touchpoint: Vec<CountRow>,
    pub events_by_day: Vec<CountRow>,
    /// Sum of every event's revenue.
    pub revenue: f64,
    /// Customers with at least one event of positive revenue.
    pub buyers: u64,
    /// Revenue per local day, days with revenue only.
    pub revenue_by_day: Vec<RevenueRow>,
    /// Customers by the channel group of their first event: most customers first.
    pub channels: Vec<ChannelRow>,
    /// The currencies the events' revenue is in (`(none)` where an event gave none): most events first.
    pub currencies: Vec<CurrencyRow>,
}

/// The events with a revenue in one currency and their sum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurrencyRow {
    pub value: String,
    pub events: u64,
    pub revenue: f64,
}

/// The customers whose first event came through one channel group, the buyers among them and their revenue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelRow {
    pub value: String,
    pub customers: u64,
    pub buyers: u64,
    /// Buyers / customers.
    pub conversion: f64,
    pub revenue: f64,
}

/// Revenue of one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevenueRow {
    pub value: String,
    pub revenue: f64,
}

impl StatsReport {
    pub fn resolve(acc: &StatsAcc, dicts: &Dictionaries) -> Self {
        let named = |v: &[u64], col: DictCol| {
            let mut rows: Vec<CountRow> = v
                .iter()
                .enumerate()
                .filter(|(_, &n)| n > 0)
                .map(|(i, &n)| CountRow { value: label(dicts.get(col).value(i as u32)), events: n, customers: None })
                .collect();
            rows.sort_by(|a, b| b.events.cmp(&a.events).then(a.value.cmp(&b.value)));
            rows
        };
        let mut names: Vec<CountRow> = acc
            .names
            .iter()
            .enumerate()
            .filter(|(_, &(e, _))| e > 0)
            .map(|(i, &(e, c))| CountRow { value: label(dicts.name(i as u16)), events: e, customers: Some(c) })
            .collect();
        names.sort_by(|a, b| b.events.cmp(&a.events).then(a.value.cmp(&b.value)));
        let mut channels: Vec<ChannelRow> = acc
            .first_channels
            .iter()
            .enumerate()
            .filter(|(_, r)| r.0 > 0)
            .map(|(i, &(c, b, r))| ChannelRow {
                value: label(dicts.get(DictCol::Channel).value(i as u32)),
                customers: c,
                buyers: b,
                conversion: b as f64 / c as f64,
                revenue: r,
            })
            .collect();
        channels.sort_by(|a, b| b.customers.cmp(&a.customers).then(a.value.cmp(&b.value)));
        let mut currencies: Vec<CurrencyRow> = acc
            .currencies
            .iter()
            .enumerate()
            .filter(|(_, r)| r.0 > 0)
            .map(|(i, &(n, r))| CurrencyRow {
                value: label(dicts.get(DictCol::Currency).value(i as u32)),
                events: n,
                revenue: r,
            })
            .collect();
        currencies.sort_by(|a, b| b.events.cmp(&a.events).then(a.value.cmp(&b.value)));
        StatsReport {
            customers: acc.customers,
            events: acc.events,
            first_event: acc.min_ts.map(format_ts),
            last_event: acc.max_ts.map(format_ts),
            events_by_name: names,
            events_by_channel: named(&acc.channels, DictCol::Channel),
            events_by_touchpoint: named(&acc.touchpoints, DictCol::Touchpoint),
            events_by_day: acc
                .days
                .iter()
                .map(|(&d, &n)| CountRow { value: format_day(d), events: n, customers: None })
                .collect(),
            revenue: acc.revenue,
            buyers: acc.buyers,
            revenue_by_day: acc
                .revenue_days
                .iter()
                .map(|(&d, &r)| RevenueRow { value: format_day(d), revenue: r })
                .collect(),
            channels,
            currencies,
        }
    }
}

fn label(s: &str) -> String {
    if s.is_empty() {
        "(none)".to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dict::DictCol;
    use crate::event::Event;
    use crate::identity::ActorId;
    use crate::journey::{EventAccess, RowRef, TextCol};
    use crate::time::{parse_time, TimeFormat};

    struct NoAccess;

    impl EventAccess for NoAccess {
        fn event(&self, _: RowRef) -> Event {
            Event::default()
        }
        fn text(&self, _: TextCol, _: RowRef) -> &str {
            ""
        }
    }

    /// Events (and a revenue of 1 each) at `ts` in `zone`: (day, events, revenue) of each day.
    fn days(zone: &str, ts: &[i64]) -> Vec<(String, u64, f64)> {
        let mut dicts = Dictionaries::default();
        dicts.intern(DictCol::Name, "visit").unwrap();
        let (names, zeros, revenue) = (vec![0u16; ts.len()], vec![0u32; ts.len()], vec![1.0; ts.len()]);
        let mut dict: [&[u32]; DictCol::COUNT] = [&[]; DictCol::COUNT];
        dict[DictCol::Channel as usize] = &zeros;
        dict[DictCol::Touchpoint as usize] = &zeros;
        let j = Journey {
            customer: ActorId(0),
            ts,
            name: &names,
            dict,
            revenue: &revenue,
            kind: &[],
            rows: &[],
            access: &NoAccess,
        };
        let f = StatsFold { calendar: Calendar::parse(zone).unwrap() };
        let mut acc = f.init();
        f.fold(&mut acc, &j);
        let r = StatsReport::resolve(&acc, &dicts);
        assert_eq!(r.events_by_day.len(), r.revenue_by_day.len());
        r.events_by_day.iter().zip(&r.revenue_by_day).map(|(e, m)| (e.value.clone(), e.events, m.revenue)).collect()
    }

    fn hourly(from: &str, hours: i64) -> Vec<i64> {
        let t0 = parse_time(from, &TimeFormat::Rfc3339).unwrap();
        (0..hours).map(|h| t0 + h * 3_600_000).collect()
    }

    #[test]
    fn a_day_of_the_spring_clock_change_holds_23_hours_of_events() {
        let ts = hourly("2026-03-28T00:00:00Z", 24 * 3);
        let berlin = days("Europe/Berlin", &ts);
        // 2026-03-28 starts at 23:00 UTC the day before (not in the data): 23 events of CET from 00:00 UTC
        let want = [("2026-03-28", 23), ("2026-03-29", 23), ("2026-03-30", 24), ("2026-03-31", 2)];
        assert_eq!(berlin, want.map(|(d, n)| (d.to_string(), n, n as f64)).to_vec());
        let utc = days("UTC", &ts);
        assert!(utc.iter().all(|(_, n, _)| *n == 24), "{utc:?}");
        // and the autumn one 25
        let autumn = days("Europe/Berlin", &hourly("2026-10-24T22:00:00Z", 25));
        assert_eq!(autumn, vec![("2026-10-25".to_string(), 25, 25.0)]);
    }

    #[test]
    fn a_late_evening_in_utc_is_the_next_day_in_kamchatka() {
        let at = |s: &str| parse_time(s, &TimeFormat::Rfc3339).unwrap();
        let ts = [at("2026-03-01T11:59:59Z"), at("2026-03-01T22:00:00Z")];
        assert_eq!(days("UTC", &ts), vec![("2026-03-01".to_string(), 2, 2.0)]);
        assert_eq!(
            days("Asia/Kamchatka", &ts),
            vec![("2026-03-01".to_string(), 1, 1.0), ("2026-03-02".to_string(), 1, 1.0)]
        );
    }

    /// One customer's journey: (channel code, revenue) per event, an hour apart.
    fn channel_acc(f: &StatsFold, acc: &mut StatsAcc, events: &[(u32, f64)]) {
        let ts: Vec<i64> = (0..events.len() as i64).map(|i| 1_780_000_000_000 + i * 3_600_000).collect();
        let names = vec![0u16; events.len()];
        let channels: Vec<u32> = events.iter().map(|e| e.0).collect();
        let revenue: Vec<f64> = events.iter().map(|e| e.1).collect();
        let mut dict: [&[u32]; DictCol::COUNT] = [&[]; DictCol::COUNT];
        dict[DictCol::Channel as usize] = &channels;
        dict[DictCol::Touchpoint as usize] = &channels;
        // the channel's code doubles as the currency's: email pays in EUR, direct in RUB
        dict[DictCol::Currency as usize] = &channels;
        let j = Journey {
            customer: ActorId(0),
            ts: &ts,
            name: &names,
            dict,
            revenue: &revenue,
            kind: &[],
            rows: &[],
            access: &NoAccess,
        };
        f.fold(acc, &j);
    }

    #[test]
    fn customers_count_under_their_first_channel_with_buyers_and_revenue() {
        let mut dicts = Dictionaries::default();
        dicts.intern(DictCol::Name, "visit").unwrap();
        for (c, money) in [("", ""), ("email", "EUR"), ("direct", "RUB")] {
            dicts.intern(DictCol::Channel, c).unwrap();
            dicts.intern(DictCol::Currency, money).unwrap();
        }
        let (email, direct) = (1, 2);
        let f = StatsFold::default();
        // two partials merged, as the parallel scan does
        let (mut a, mut b) = (f.init(), f.init());
        channel_acc(&f, &mut a, &[(email, f64::NAN), (direct, 500.0)]);
        channel_acc(&f, &mut a, &[(direct, f64::NAN)]);
        channel_acc(&f, &mut b, &[(email, f64::NAN)]);
        channel_acc(&f, &mut b, &[(email, 300.0), (email, -100.0)]);
        channel_acc(&f, &mut b, &[(direct, -50.0)]);
        f.merge(&mut a, b);
        let r = StatsReport::resolve(&a, &dicts);
        let rows: Vec<_> = r.channels.iter().map(|c| (c.value.as_str(), c.customers, c.buyers, c.revenue)).collect();
        assert_eq!(rows, [("email", 3, 2, 700.0), ("direct", 2, 0, -50.0)]);
        assert!((r.channels[0].conversion - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.channels.iter().map(|c| c.customers).sum::<u64>(), r.customers);
        assert_eq!(r.buyers, 2);
        let money: Vec<_> = r.currencies.iter().map(|c| (c.value.as_str(), c.events, c.revenue)).collect();
        assert_eq!(money, [("EUR", 2, 200.0), ("RUB", 2, 450.0)], "ties by name");
    }
}
