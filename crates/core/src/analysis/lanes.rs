//! The data lanes of a Customer Journey Map: per stage of a journey definition, what the events say — customers
//! who reached it, conversion from the previous stage, drop-off to the next, time in stage, the touchpoints and
//! channels used while in it, revenue earned in it, and the share of its customers who met a problem there
//! (any of the configured problem events: an abandoned cart, a support ticket, an error …).
//!
//! # Definition
//! Stages and their entry times are those of [`super::stages`] (the same [`StageModel::classify`]), as of `now`
//! (events after it are ignored). A customer **is in stage k** from its entry until the entry of the next
//! stage (or `now`): an event at time `t` belongs to the highest stage whose entry is at or before `t` (so an
//! event at the instant several stages are entered belongs to the last of them); events before the first stage
//! belong to none. Per stage k:
//!
//! - `reached`: customers who entered k; `conversion_from_previous` = reached(k) / reached(k − 1) (none for the
//!   first stage); `dropped` = reached(k) − reached(k + 1), `drop_share` = dropped / reached(k) (none for the
//!   last stage);
//! - time in stage: entry(k + 1) − entry(k) over customers who entered both, median and p90 (`quantile_cont`,
//!   as DuckDB), none for the last stage;
//! - `touchpoints` / `channels`: customers with at least one event of that touchpoint / channel group while in
//!   k (events without one are not counted), largest first, the first `top`;
//! - `revenue`: the sum of the revenue of the events while in k; `events`: their number;
//! - `problem_customers`: customers with at least one problem event while in k; `problem_share` =
//!   problem_customers / reached(k).
//!
//! Example (stages awareness = `*`, consideration = `add_to_cart`, purchase = `purchase`; problem
//! `support_ticket`): `page_view@0 (web), add_to_cart@10 (web), support_ticket@20 (phone), purchase@30
//! (web, 100)` — awareness holds `page_view`, consideration `add_to_cart` and the ticket (a problem there),
//! purchase the purchase and its revenue 100.
//!
//! References: an independent implementation in `crates/testkit/tests/lanes.rs` and DuckDB SQL over the demo
//! export in `tests/reference/test_lanes_reference.py`.

use serde::Serialize;

use super::filter::EventMatch;
use super::matcher::{EventView, Matcher};
use super::quantile::Distribution;
use super::stages::{JourneyDefinition, LocalName, StageModel};
use crate::dict::{DictCol, Dictionaries};
use crate::fold::JourneyFold;
use crate::journey::{Columns, Journey};

/// What to compute.
#[derive(Debug, Clone, PartialEq)]
pub struct LanesSpec {
    pub definition: JourneyDefinition,
    /// The instant of the report (epoch ms): events after it are ignored.
    pub now: i64,
    /// Events that count as a problem (any of them); empty: no problem lane.
    pub problems: Vec<EventMatch>,
    /// Touchpoints and channels kept per stage.
    pub top: usize,
}

/// The fold.
pub struct LanesFold {
    spec: LanesSpec,
    model: StageModel,
    problems: Vec<Matcher>,
    dicts: Dictionaries,
}

/// Partial result of one stage.
#[derive(Debug, Clone, Default)]
pub struct StageAcc {
    pub reached: u64,
    pub in_stage: Distribution,
    /// Customers per touchpoint / channel code.
    pub touchpoints: Vec<u64>,
    pub channels: Vec<u64>,
    pub revenue: f64,
    pub events: u64,
    pub problem_customers: u64,
    /// Customers who reached the stage per channel code they had any event of (their channel mix).
    pub mix: Vec<u64>,
}

/// Partial result.
#[derive(Debug, Clone, Default)]
pub struct LanesAcc {
    pub customers: u64,
    pub stages: Vec<StageAcc>,
    /// Customers per channel code they had any event of (the spend lane's denominators).
    pub touched: Vec<u64>,
    /// Scratch: the codes one customer used in one stage (cleared per stage).
    seen: Vec<u32>,
}

fn bump(v: &mut Vec<u64>, i: usize, by: u64) {
    if v.len() <= i {
        v.resize(i + 1, 0);
    }
    v[i] += by;
}

/// Adds 1 to each distinct code of `codes`, using `seen` as scratch.
fn count_distinct(into: &mut Vec<u64>, codes: impl Iterator<Item = u32>, seen: &mut Vec<u32>) {
    seen.clear();
    seen.extend(codes.filter(|&c| c != 0));
    seen.sort_unstable();
    seen.dedup();
    for &c in seen.iter() {
        bump(into, c as usize, 1);
    }
}

impl LanesFold {
    pub fn new(spec: LanesSpec, dicts: &Dictionaries) -> Result<Self, String> {
        let model = StageModel::new(&spec.definition, dicts).map_err(|e| e.to_string())?;
        let problems = spec.problems.iter().map(|m| Matcher::new(m, dicts)).collect();
        Ok(LanesFold { spec, model, problems, dicts: dicts.clone() })
    }

    /// Columns the scan must fill.
    pub fn columns(&self) -> Columns {
        self.problems
            .iter()
            .fold(self.model.columns(), |c, m| c.with(m.columns()))
            .with(Columns::dict(DictCol::Channel))
            .with(Columns::dict(DictCol::Touchpoint))
            .with(Columns::REVENUE)
    }

    pub fn spec(&self) -> &LanesSpec {
        &self.spec
    }
}

impl JourneyFold for LanesFold {
    type Acc = LanesAcc;

    fn init(&self) -> LanesAcc {
        LanesAcc { stages: vec![StageAcc::default(); self.model.len()], ..LanesAcc::default() }
    }

    fn fold(&self, acc: &mut LanesAcc, j: &Journey<'_>) {
        let now = self.spec.now;
        let j = j.slice(0..j.ts.partition_point(|&t| t <= now));
        if j.is_empty() {
            return;
        }
        acc.customers += 1;
        let mut view = EventView::new(&j, &self.dicts);
        let c = self.model.classify(&mut view);
        let n = self.model.len();
        let reached = c.entered[..n].iter().take_while(|e| e.is_some()).count();
        let touch = j.codes(DictCol::Touchpoint);
        let chan = j.codes(DictCol::Channel);
        // the customer's channel mix: every channel group of its events (of the period)
        count_distinct(&mut acc.touched, chan.iter().copied(), &mut acc.seen);
        let mix: Vec<u32> = acc.seen.clone();
        for k in 0..reached {
            for &c in &mix {
                bump(&mut acc.stages[k].mix, c as usize, 1);
            }
        }
        for k in 0..reached {
            let entry = c.entered[k].unwrap_or(i64::MIN);
            let next = if k + 1 < reached { c.entered[k + 1] } else { None };
            let st = &mut acc.stages[k];
            st.reached += 1;
            if let Some(nx) = next {
                st.in_stage.add(nx - entry);
            }
            // events while in k: from the first at or after entry(k) to the last before entry(k + 1)
            let lo = j.ts.partition_point(|&t| t < entry);
            let hi = next.map_or(j.len(), |nx| j.ts.partition_point(|&t| t < nx));
            if lo >= hi {
                continue;
            }
            st.events += (hi - lo) as u64;
            st.revenue += j.revenue[lo..hi].iter().filter(|r| !r.is_nan()).sum::<f64>();
            count_distinct(&mut st.touchpoints, touch[lo..hi].iter().copied(), &mut acc.seen);
            count_distinct(&mut st.channels, chan[lo..hi].iter().copied(), &mut acc.seen);
            if (lo..hi).any(|i| self.problems.iter().any(|m| view.matches(m, i))) {
                acc.stages[k].problem_customers += 1;
            }
        }
    }

    fn merge(&self, into: &mut LanesAcc, other: LanesAcc) {
        into.customers += other.customers;
        for (a, b) in into.stages.iter_mut().zip(other.stages) {
            a.reached += b.reached;
            a.in_stage.merge(b.in_stage);
            for (i, v) in b.touchpoints.into_iter().enumerate() {
                bump(&mut a.touchpoints, i, v);
            }
            for (i, v) in b.channels.into_iter().enumerate() {
                bump(&mut a.channels, i, v);
            }
            a.revenue += b.revenue;
            a.events += b.events;
            a.problem_customers += b.problem_customers;
            for (i, v) in b.mix.into_iter().enumerate() {
                bump(&mut a.mix, i, v);
            }
        }
        for (i, v) in other.touched.into_iter().enumerate() {
            bump(&mut into.touched, i, v);
        }
    }
}

/// A value and how many customers it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub value: String,
    pub customers: u64,
}

/// One stage's lanes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageLanes {
    pub key: String,
    pub names: LocalName,
    pub reached: u64,
    pub conversion_from_previous: Option<f64>,
    pub dropped: Option<u64>,
    pub drop_share: Option<f64>,
    pub median_seconds_in_stage: Option<f64>,
    pub p90_seconds_in_stage: Option<f64>,
    pub touchpoints: Vec<Count>,
    pub channels: Vec<Count>,
    pub revenue: f64,
    pub events: u64,
    pub problem_customers: u64,
    pub problem_share: Option<f64>,
    /// Customers who reached the stage per channel group they had an event of (every group, largest first).
    pub channel_mix: Vec<Count>,
    /// The spend lane ([`LanesReport::apply_spend`]): the period's spend carried by the stage's customers, and
    /// that divided by the customers who reached it (None: no spend applied, or nobody reached it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spend: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_per_customer: Option<f64>,
}

/// The data lanes (their JSON shape is stable).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LanesReport {
    /// Customers with an event at or before `now` (in the scope).
    pub customers: u64,
    pub stages: Vec<StageLanes>,
    /// Customers per channel group they had an event of (every group, largest first).
    pub touched: Vec<Count>,
    /// After [`LanesReport::apply_spend`]: the spend on channel groups no customer of the period had.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unmatched_spend: Option<f64>,
}

impl LanesReport {
    /// Fills the spend lane from the period's spend per channel group. Rule: a channel's spend is shared
    /// equally by the customers of the period who had an event of that channel; a stage carries the shares of
    /// the customers who reached it (per their channel mix): `spend(k) = Σ_c spend(c) · mix_k(c) / touched(c)`,
    /// and `cost_per_customer(k) = spend(k) / reached(k)`. The first stage reached by every customer carries all
    /// matched spend. Spend on a channel nobody had is `unmatched_spend`, never dropped silently.
    ///
    /// Example: search 900 touched by 3 customers, e-mail 100 by 1; stage "purchase" reached by 2 customers, both
    /// with search and one with e-mail → spend 900·2/3 + 100·1/1 = 700, cost per customer 350.
    pub fn apply_spend(&mut self, spend: &[(String, f64)]) {
        let touched: std::collections::HashMap<&str, u64> =
            self.touched.iter().map(|c| (c.value.as_str(), c.customers)).collect();
        let mut unmatched = 0.0;
        let mut matched: Vec<(&str, f64, u64)> = Vec::new();
        for (channel, cost) in spend {
            match touched.get(channel.as_str()) {
                Some(&n) if n > 0 => matched.push((channel, *cost, n)),
                _ => unmatched += cost,
            }
        }
        for st in &mut self.stages {
            let carried: f64 = matched
                .iter()
                .map(|(c, cost, n)| {
                    let at = st.channel_mix.iter().find(|m| m.value == *c).map_or(0, |m| m.customers);
                    cost * at as f64 / *n as f64
                })
                .sum();
            st.spend = Some(carried);
            st.cost_per_customer = ratio_f(carried, st.reached);
        }
        self.unmatched_spend = Some(unmatched);
    }
}

fn ratio_f(a: f64, b: u64) -> Option<f64> {
    (b > 0).then(|| a / b as f64)
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

fn top(v: &[u64], col: DictCol, dicts: &Dictionaries, n: usize) -> Vec<Count> {
    let mut rows: Vec<Count> = v
        .iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .map(|(i, &c)| Count { value: dicts.get(col).value(i as u32).to_string(), customers: c })
        .collect();
    rows.sort_by(|a, b| b.customers.cmp(&a.customers).then_with(|| a.value.cmp(&b.value)));
    rows.truncate(n);
    rows
}

impl LanesFold {
    /// Turns the merged partial result into the report.
    pub fn report(&self, acc: &LanesAcc) -> LanesReport {
        let defs = &self.spec.definition.stages;
        let n = defs.len();
        let stages = defs
            .iter()
            .enumerate()
            .map(|(k, d)| {
                let a = &acc.stages[k];
                let next = (k + 1 < n).then(|| acc.stages[k + 1].reached);
                StageLanes {
                    key: d.key.clone(),
                    names: d.name.clone(),
                    reached: a.reached,
                    conversion_from_previous: if k == 0 { None } else { ratio(a.reached, acc.stages[k - 1].reached) },
                    dropped: next.map(|nx| a.reached - nx),
                    drop_share: next.and_then(|nx| ratio(a.reached - nx, a.reached)),
                    median_seconds_in_stage: if k + 1 < n {
                        a.in_stage.quantile(0.5).map(|v| v / 1000.0)
                    } else {
                        None
                    },
                    p90_seconds_in_stage: if k + 1 < n { a.in_stage.quantile(0.9).map(|v| v / 1000.0) } else { None },
                    touchpoints: top(&a.touchpoints, DictCol::Touchpoint, &self.dicts, self.spec.top),
                    channels: top(&a.channels, DictCol::Channel, &self.dicts, self.spec.top),
                    revenue: a.revenue,
                    events: a.events,
                    problem_customers: a.problem_customers,
                    problem_share: if self.problems.is_empty() { None } else { ratio(a.problem_customers, a.reached) },
                    channel_mix: top(&a.mix, DictCol::Channel, &self.dicts, usize::MAX),
                    spend: None,
                    cost_per_customer: None,
                }
            })
            .collect();
        let touched = top(&acc.touched, DictCol::Channel, &self.dicts, usize::MAX);
        LanesReport { customers: acc.customers, stages, touched, unmatched_spend: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(value: &str, customers: u64) -> Count {
        Count { value: value.into(), customers }
    }

    fn stage(key: &str, reached: u64, mix: Vec<Count>) -> StageLanes {
        StageLanes {
            key: key.into(),
            names: LocalName { en: key.into(), ru: key.into() },
            reached,
            conversion_from_previous: None,
            dropped: None,
            drop_share: None,
            median_seconds_in_stage: None,
            p90_seconds_in_stage: None,
            touchpoints: vec![],
            channels: vec![],
            revenue: 0.0,
            events: 0,
            problem_customers: 0,
            problem_share: None,
            channel_mix: mix,
            spend: None,
            cost_per_customer: None,
        }
    }

    /// The doc's example: search 900 over its 3 customers, e-mail 100 over its 1; "purchase" reached by 2 (both
    /// with search, one with e-mail) carries 600 + 100 = 700, 350 a customer; tv's 50 matches nobody.
    #[test]
    fn spend_is_shared_by_the_customers_of_each_channel_and_carried_to_the_stages_they_reach() {
        let mut r = LanesReport {
            customers: 3,
            stages: vec![
                stage("visit", 3, vec![count("paid_search", 3), count("email", 1)]),
                stage("purchase", 2, vec![count("paid_search", 2), count("email", 1)]),
                stage("repeat", 0, vec![]),
            ],
            touched: vec![count("paid_search", 3), count("email", 1)],
            unmatched_spend: None,
        };
        r.apply_spend(&[("paid_search".into(), 900.0), ("email".into(), 100.0), ("tv".into(), 50.0)]);
        let got: Vec<(Option<f64>, Option<f64>)> = r.stages.iter().map(|s| (s.spend, s.cost_per_customer)).collect();
        assert_eq!(got, [(Some(1000.0), Some(1000.0 / 3.0)), (Some(700.0), Some(350.0)), (Some(0.0), None)]);
        assert_eq!(r.unmatched_spend, Some(50.0));
        let text = crate::cjm::markdown::data_value(crate::cjm::LaneKind::CostPerCustomer, &r.stages[1], "ru");
        assert_eq!(text.unwrap().0, "350 (700 / 2 клиентов)");
        let text = crate::cjm::markdown::data_value(crate::cjm::LaneKind::CostPerCustomer, &r.stages[1], "en");
        assert_eq!(text.unwrap().0, "350 (700 / 2 customers)");
    }
}
