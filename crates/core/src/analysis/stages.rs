//! Journey stages: which stage of a journey definition each customer is in, when they entered each stage, and the
//! report over all customers — stage distribution, stage-to-stage conversion, time in stage, customers stuck.
//!
//! # Definition
//! A [journey definition](definition) lists stages 1..n; stage k has a rule: an event matching any of its
//! alternatives (`purchase where revenue > 0`), met for the `nth` time (matches are counted over the whole
//! journey, in journey order: time, then ingest order), optionally `within` a time of stage k − 1. Let the
//! **candidates** of stage k be its matching events from the nth on. Then, in the default `sequential` order:
//!
//! - stage 1 is entered at the time of its first candidate;
//! - stage k > 1 is entered at the time of its first candidate whose time is **at or after** the entry of stage
//!   k − 1 (an event may enter several stages; events with equal times count as "at"); with `within`, only if
//!   that candidate is at most `within` after the entry of stage k − 1 — otherwise the customer never enters
//!   stage k nor any later stage.
//!
//! So stages are entered in order, entry times never decrease, and a stage counts only once the previous one is
//! entered: a purchase with no recorded product view leaves the customer in the stage before Interest, until a
//! view (and a later purchase) come. With `order = "implied"` a later stage implies the earlier ones instead:
//! stage k is entered at the earliest time the rule of stage k *or of any later stage* is met (each rule on its
//! own, no order between stages), so a customer who buys in a shop without a visit is in Purchase and passed
//! Interest and Consideration at the same instant.
//!
//! The **current stage** is the highest stage entered (none when stage 1 was never entered). Reports count, per
//! stage k: `entered` (customers who entered it), `current`, `conversion_to_next` = entered(k + 1) / entered(k)
//! (null for the last stage or when nobody entered k), time in stage = entry(k + 1) − entry(k) over customers who
//! entered both (median and p90, `quantile_cont` as DuckDB; null for the last stage), the same for customers still
//! in stage k measured up to `now`, and `stuck`: customers whose current stage is k (not the last) since longer
//! than the stuck threshold (`now − entry(k) > stuck`). Everything is as of `now`: events after it are ignored.
//!
//! Example (default definition): `page_view@0, view_item@10, purchase@20, add_to_cart@30` — awareness at 0,
//! interest at 10, consideration at 30; the purchase at 20 came before consideration, so the customer is in
//! Consideration (sequential), or in Purchase with consideration entered at 20 (implied).
//!
//! Per customer the work is one pass over the journey that stops once every stage is entered, with no heap
//! allocation (rules on event properties parse each event's properties once): [`StageModel::classify`], public so
//! that report filters can ask for a customer's stage. References: an independent implementation in `crates/testkit/tests/stages.rs` and DuckDB SQL
//! in `tests/reference/test_stages_reference.py`.

pub mod definition;
mod reader;
mod source;
mod writer;

use crate::analysis::invalid::{SpecError, SpecErrors, SpecField, SpecReason};
use serde::Serialize;

use super::lifecycle::{LifecycleAcc, LifecycleFold, LifecycleReport, LifecycleSpec};
use super::matcher::{EventView, Matcher};
use super::quantile::Distribution;
use crate::dict::Dictionaries;
use crate::fold::JourneyFold;
use crate::journey::{Columns, Journey};
use crate::time::format_ts;
pub use definition::{
    DefinitionError, DefinitionIssue, JourneyDefinition, LifecycleDef, LocalName, StageDef, StageOrder,
    DEFAULT_DEFINITION, MAX_STAGES,
};
pub use source::DefinitionFormat;
pub use writer::duration_text;

/// A journey definition compiled against the dictionaries.
#[derive(Debug, Clone)]
pub struct StageModel {
    order: StageOrder,
    rules: Vec<Vec<Matcher>>,
    /// Per event name code: the stages (a bit each) with a rule for that name or for `*`. An event whose
    /// name has no bit for a stage cannot match it, so its rules are not tested.
    by_name: Vec<u32>,
    /// The stages with a rule for `*` (for codes beyond `by_name`).
    any_name: u32,
    nth: Vec<u32>,
    within: Vec<Option<i64>>,
    columns: Columns,
}

/// One customer's stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerStages {
    /// The highest stage entered (0-based), None when no stage was entered.
    pub current: Option<usize>,
    /// Entry time (epoch ms) of each stage; only the first [`StageModel::len`] are used.
    pub entered: [Option<i64>; MAX_STAGES],
}

impl Default for CustomerStages {
    fn default() -> Self {
        CustomerStages { current: None, entered: [None; MAX_STAGES] }
    }
}

impl StageModel {
    /// Compiles a valid definition.
    pub fn new(def: &JourneyDefinition, dicts: &Dictionaries) -> Result<Self, DefinitionError> {
        def.validate()?;
        let rules: Vec<Vec<Matcher>> =
            def.stages.iter().map(|s| s.any_of.iter().map(|m| Matcher::new(m, dicts)).collect()).collect();
        let columns = rules.iter().flatten().fold(Columns::NONE, |c, m| c.with(m.columns()));
        let mut by_name = vec![0u32; dicts.get(crate::dict::DictCol::Name).len()];
        let mut any_name = 0u32;
        for (k, stage) in rules.iter().enumerate() {
            for m in stage {
                match m.name() {
                    None => any_name |= 1 << k,
                    Some(Some(code)) => {
                        if let Some(bits) = by_name.get_mut(code as usize) {
                            *bits |= 1 << k;
                        }
                    }
                    Some(None) => {}
                }
            }
        }
        for bits in &mut by_name {
            *bits |= any_name;
        }
        Ok(StageModel {
            by_name,
            any_name,
            order: def.order,
            nth: def.stages.iter().map(|s| s.nth).collect(),
            within: def.stages.iter().map(|s| s.within_ms).collect(),
            rules,
            columns,
        })
    }

    /// Number of stages.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Columns the scan must fill for the rules.
    pub fn columns(&self) -> Columns {
        self.columns
    }

    /// The stages among `wanted` (a bit per stage) whose rules event `i` matches: its name picks the candidates,
    /// and only their rules are tested.
    fn matching(&self, view: &mut EventView<'_, '_>, wanted: u32, i: usize) -> u32 {
        let code = view.j.name[i] as usize;
        let candidates = self.by_name.get(code).copied().unwrap_or(self.any_name) & wanted;
        set_bits(candidates)
            .filter(|&k| self.rules[k].iter().any(|m| view.matches(m, i)))
            .fold(0, |hit, k| hit | 1 << k)
    }

    /// A bit for each of the model's stages.
    fn every_stage(&self) -> u32 {
        match self.len() {
            n if n >= 32 => u32::MAX,
            n => (1 << n) - 1,
        }
    }

    /// The stages of the customer whose journey `view` shows (see the module doc). One pass, no allocation.
    pub fn classify(&self, view: &mut EventView<'_, '_>) -> CustomerStages {
        match self.order {
            StageOrder::Sequential => self.sequential(view),
            StageOrder::Implied => self.implied(view),
        }
    }

    fn sequential(&self, view: &mut EventView<'_, '_>) -> CustomerStages {
        let n = self.len();
        let mut out = CustomerStages::default();
        let mut count = [0u32; MAX_STAGES];
        // time of the latest candidate seen per stage: a candidate at the very time the previous stage is entered
        // (but earlier in ingest order) still counts
        let mut latest = [None::<i64>; MAX_STAGES];
        let mut level = 0;
        let ts = view.j.ts;
        let all = self.every_stage();
        'events: for (i, &now) in ts.iter().enumerate() {
            for k in set_bits(self.matching(view, all >> level << level, i)) {
                count[k] += 1;
                if count[k] >= self.nth[k] {
                    latest[k] = Some(now);
                }
            }
            while level < n {
                let Some(t) = latest[level] else { break };
                let prev = if level == 0 { None } else { out.entered[level - 1] };
                if prev.is_some_and(|p| t < p) {
                    break;
                }
                if let (Some(p), Some(w)) = (prev, self.within[level]) {
                    if t - p > w {
                        break 'events;
                    }
                }
                out.entered[level] = Some(t);
                level += 1;
            }
            if level == n {
                break;
            }
        }
        out.current = level.checked_sub(1);
        out
    }

    fn implied(&self, view: &mut EventView<'_, '_>) -> CustomerStages {
        let n = self.len();
        let mut out = CustomerStages::default();
        let mut count = [0u32; MAX_STAGES];
        // the stages not entered yet, a bit each
        let mut missing = self.every_stage();
        let ts = view.j.ts;
        for (i, &now) in ts.iter().enumerate() {
            for k in set_bits(self.matching(view, missing, i)) {
                count[k] += 1;
                if count[k] >= self.nth[k] {
                    out.entered[k] = Some(now);
                    missing &= !(1 << k);
                }
            }
            if missing == 0 {
                break;
            }
        }
        out.current = (0..n).rev().find(|&k| out.entered[k].is_some());
        let mut next: Option<i64> = None;
        for k in (0..n).rev() {
            let e = match (out.entered[k], next) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            out.entered[k] = e;
            next = e;
        }
        out
    }
}

/// What to compute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StagesSpec {
    pub definition: JourneyDefinition,
    /// The instant of the report (epoch ms): events after it are ignored.
    pub now: i64,
    /// Customers in a stage (not the last) for longer than this are stuck.
    pub stuck_ms: i64,
    /// Lifecycle states at `now` (its `at` must equal `now`).
    pub lifecycle: LifecycleSpec,
}

impl StagesSpec {
    /// Checks the spec; returns every problem with its field.
    pub fn validate(&self) -> Result<(), SpecErrors> {
        let mut errors = Vec::new();
        if self.stuck_ms <= 0 {
            errors.push(SpecError { field: SpecField::Stuck, reason: SpecReason::NotPositive { example: "14d" } });
        }
        if self.lifecycle.at != self.now {
            errors.push(SpecError { field: SpecField::Now, reason: SpecReason::LifecycleNotAtNow });
        }
        if let Err(e) = self.lifecycle.validate() {
            errors.extend(e.0);
        }
        SpecErrors::check(errors)
    }
}

/// The fold: stages and lifecycle in one pass.
pub struct StagesFold {
    spec: StagesSpec,
    model: StageModel,
    lifecycle: LifecycleFold,
    dicts: Dictionaries,
}

/// Partial result.
#[derive(Debug, Clone, Default)]
pub struct StagesAcc {
    pub customers: u64,
    /// Customers in no stage.
    pub no_stage: u64,
    pub entered: Vec<u64>,
    pub current: Vec<u64>,
    pub stuck: Vec<u64>,
    /// entry(k + 1) − entry(k), ms.
    pub in_stage: Vec<Distribution>,
    /// now − entry(k) of customers whose current stage is k, ms.
    pub still_in_stage: Vec<Distribution>,
    pub lifecycle: LifecycleAcc,
}

impl StagesFold {
    pub fn new(spec: StagesSpec, dicts: &Dictionaries) -> Result<Self, String> {
        spec.validate()?;
        let model = StageModel::new(&spec.definition, dicts).map_err(|e| e.to_string())?;
        let lifecycle = LifecycleFold::new(spec.lifecycle.clone(), dicts)?;
        Ok(StagesFold { spec, model, lifecycle, dicts: dicts.clone() })
    }

    /// Columns the scan must fill.
    pub fn columns(&self) -> Columns {
        self.model.columns().with(self.lifecycle.columns())
    }

    pub fn model(&self) -> &StageModel {
        &self.model
    }

    pub fn spec(&self) -> &StagesSpec {
        &self.spec
    }
}

fn add_into(into: &mut [u64], other: &[u64]) {
    for (a, b) in into.iter_mut().zip(other) {
        *a += b;
    }
}

impl JourneyFold for StagesFold {
    type Acc = StagesAcc;

    fn init(&self) -> StagesAcc {
        let n = self.model.len();
        StagesAcc {
            entered: vec![0; n],
            current: vec![0; n],
            stuck: vec![0; n],
            in_stage: vec![Distribution::default(); n],
            still_in_stage: vec![Distribution::default(); n],
            lifecycle: self.lifecycle.init(),
            ..StagesAcc::default()
        }
    }

    fn fold(&self, acc: &mut StagesAcc, j: &Journey<'_>) {
        let now = self.spec.now;
        let j = j.slice(0..j.ts.partition_point(|&t| t <= now));
        if j.is_empty() {
            return;
        }
        acc.customers += 1;
        let mut view = EventView::new(&j, &self.dicts);
        let c = self.model.classify(&mut view);
        let n = self.model.len();
        for k in 0..n {
            let Some(e) = c.entered[k] else { break };
            acc.entered[k] += 1;
            if let Some(next) = c.entered[..n].get(k + 1).copied().flatten() {
                acc.in_stage[k].add(next - e);
            }
        }
        match c.current {
            Some(k) => {
                acc.current[k] += 1;
                let since = c.entered[k].map_or(0, |e| now - e);
                acc.still_in_stage[k].add(since);
                if k + 1 < n && since > self.spec.stuck_ms {
                    acc.stuck[k] += 1;
                }
            }
            None => acc.no_stage += 1,
        }
        self.lifecycle.add(&mut acc.lifecycle, &mut view);
    }

    fn merge(&self, into: &mut StagesAcc, other: StagesAcc) {
        into.customers += other.customers;
        into.no_stage += other.no_stage;
        add_into(&mut into.entered, &other.entered);
        add_into(&mut into.current, &other.current);
        add_into(&mut into.stuck, &other.stuck);
        for (a, b) in into.in_stage.iter_mut().zip(other.in_stage) {
            a.merge(b);
        }
        for (a, b) in into.still_in_stage.iter_mut().zip(other.still_in_stage) {
            a.merge(b);
        }
        self.lifecycle.merge(&mut into.lifecycle, other.lifecycle);
    }
}

/// One stage of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageReport {
    pub key: String,
    /// The English name (a CLI shows the name of its language).
    pub name: String,
    pub names: LocalName,
    pub entered: u64,
    pub current: u64,
    /// entered(k + 1) / entered(k); null for the last stage or when nobody entered this one.
    pub conversion_to_next: Option<f64>,
    /// entered(k) / entered(1).
    pub conversion_from_first: Option<f64>,
    pub median_seconds_in_stage: Option<f64>,
    pub p90_seconds_in_stage: Option<f64>,
    /// Time so far of the customers still in this stage.
    pub median_seconds_still_in_stage: Option<f64>,
    pub p90_seconds_still_in_stage: Option<f64>,
    /// Customers in this stage for longer than the stuck threshold; null for the last stage.
    pub stuck: Option<u64>,
}

/// The stages report (its JSON shape is stable).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StagesReport {
    /// The definition's name.
    pub definition: String,
    pub order: StageOrder,
    pub now: String,
    pub stuck_seconds: f64,
    /// Customers with an event at or before `now`.
    pub customers: u64,
    /// Of them, customers who entered no stage.
    pub no_stage: u64,
    pub stages: Vec<StageReport>,
    pub lifecycle: LifecycleReport,
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

fn seconds(d: &Distribution, q: f64) -> Option<f64> {
    d.quantile(q).map(|v| v / 1000.0)
}

impl StagesFold {
    /// Turns the merged partial result into the report.
    pub fn report(&self, acc: &StagesAcc) -> StagesReport {
        let defs = &self.spec.definition.stages;
        let n = defs.len();
        let stages = defs
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let last = k + 1 == n;
                StageReport {
                    key: s.key.clone(),
                    name: s.name.en.clone(),
                    names: s.name.clone(),
                    entered: acc.entered[k],
                    current: acc.current[k],
                    conversion_to_next: if last { None } else { ratio(acc.entered[k + 1], acc.entered[k]) },
                    conversion_from_first: ratio(acc.entered[k], acc.entered[0]),
                    median_seconds_in_stage: seconds(&acc.in_stage[k], 0.5),
                    p90_seconds_in_stage: seconds(&acc.in_stage[k], 0.9),
                    median_seconds_still_in_stage: seconds(&acc.still_in_stage[k], 0.5),
                    p90_seconds_still_in_stage: seconds(&acc.still_in_stage[k], 0.9),
                    stuck: (!last).then_some(acc.stuck[k]),
                }
            })
            .collect();
        StagesReport {
            definition: self.spec.definition.name.clone(),
            order: self.spec.definition.order,
            now: format_ts(self.spec.now),
            stuck_seconds: self.spec.stuck_ms as f64 / 1000.0,
            customers: acc.customers,
            no_stage: acc.no_stage,
            stages,
            lifecycle: self.lifecycle.report(&acc.lifecycle),
        }
    }
}

/// The positions of the set bits of `mask`, lowest first.
fn set_bits(mut mask: u32) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        let k = mask.trailing_zeros() as usize;
        mask &= mask.wrapping_sub(1);
        (k < 32).then_some(k)
    })
}

#[cfg(test)]
mod tests;
