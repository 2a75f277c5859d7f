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
}

/// Partial result.
#[derive(Debug, Clone, Default)]
pub struct LanesAcc {
    pub customers: u64,
    pub stages: Vec<StageAcc>,
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
}

/// The data lanes (their JSON shape is stable).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LanesReport {
    /// Customers with an event at or before `now` (in the scope).
    pub customers: u64,
    pub stages: Vec<StageLanes>,
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
                }
            })
            .collect();
        LanesReport { customers: acc.customers, stages }
    }
}
