//! Where in the journey the change acted: per variant, the stages of the project's journey definition and the
//! experiment's funnel side by side, each treatment's difference from the control with its interval.
//!
//! # Definition
//! The customers are those the fold counts in a variant (first exposure). Per stage k of the journey definition
//! (stage entries exactly as [`crate::analysis::stages`] and the map's data lanes count them, over each
//! customer's whole journey up to `now`, one journey model):
//!
//! - `reached`: share of the variant's customers who entered k (at any time; stages entered before the exposure
//!   cannot differ between variants except by chance, so their differences are a check of the split);
//! - `entered_after_exposure`: share of the variant's customers who entered k at or after their exposure;
//! - `conversion_to_next`: reached(k + 1) / reached(k); `drop_share` = 1 − it (the same test, the sign turned);
//! - `revenue_per_customer` and `events_per_customer`: the revenue and the number of the events while in k (an
//!   event belongs to the highest stage entered at or before it, as on the map) at or after the exposure, per
//!   customer of the variant (0 for customers who never were in k);
//! - `hours_in_stage`: mean hours from entering k to entering k + 1, over customers who entered both.
//!
//! Per step k of the funnel (the definition's funnel, else its first funnel metric): `reached` = the share of
//! the variant's customers whose events from the exposure (included) to the window's end complete steps 1..k
//! in order (ClickHouse `windowFunnel`, [`crate::analysis::window_funnel`]), and `conversion_from_previous`.
//!
//! Intervals: shares by the two-proportion z-test (unpooled Wald interval of the difference, statsmodels
//! `confint_proportions_2indep(method="wald")`, p from the pooled z, `proportions_ztest`), means by Welch's t
//! (scipy `ttest_ind(equal_var=False)`). Multiple comparisons: Holm, as the metrics, over this section's own
//! family — every stage lane and funnel step of every treatment (the drop share shares its conversion's test
//! and is not counted twice) — kept apart from the metrics' family so that the decision reads only the metrics.
//! Reference: tests/reference/test_experiment_journey_reference.py (DuckDB, statsmodels and scipy on the demo).

use serde::Serialize;

use super::checks::{self, Correction};
use super::fold::{ExperimentAcc, ExperimentSpec};
use super::frequentist::{self, Effect, Scale};
use super::request::Outcome;
use super::sample::{Moments, Sample};
use crate::analysis::stages::LocalName;

/// One lane's difference of one treatment from the control.
#[derive(Debug, Clone, Serialize)]
pub struct LaneDiff {
    pub variant: String,
    /// Absolute difference (treatment − control) with its interval.
    pub difference: Outcome<Effect>,
    /// Holm-adjusted p-value within the journey family.
    pub p_adjusted: Option<f64>,
}

/// One lane of one stage (or step): its value per variant and the differences.
#[derive(Debug, Clone, Serialize)]
pub struct LaneRow {
    /// `reached`, `entered_after_exposure`, `conversion_to_next`, `drop_share`, `revenue_per_customer`,
    /// `events_per_customer`, `hours_in_stage`; for funnel steps `reached` and `conversion_from_previous`.
    pub lane: &'static str,
    /// Whether the values are shares (0..1).
    pub share: bool,
    /// Per variant: the value (a share or a mean) and the units it is over.
    pub values: Vec<Option<f64>>,
    pub units: Vec<f64>,
    pub comparisons: Vec<LaneDiff>,
}

/// A stage of the journey definition, or a funnel step.
#[derive(Debug, Clone, Serialize)]
pub struct JourneyRow {
    pub key: String,
    pub names: Option<LocalName>,
    /// Customers per variant who reached it.
    pub reached: Vec<u64>,
    pub lanes: Vec<LaneRow>,
}

/// The journey section of an experiment's report.
#[derive(Debug, Clone, Serialize)]
pub struct JourneyReport {
    pub stages: Vec<JourneyRow>,
    pub funnel: Vec<JourneyRow>,
    /// The correction for multiple comparisons and the size of its family.
    pub correction: &'static str,
    pub comparisons: usize,
}

fn share(x: u64, n: u64) -> Option<f64> {
    (n > 0).then(|| x as f64 / n as f64)
}

fn negate(o: &Outcome<Effect>) -> Outcome<Effect> {
    match o {
        Outcome::Ok(e) => {
            Outcome::Ok(Effect { estimate: -e.estimate, ci: [-e.ci[1], -e.ci[0]], statistic: -e.statistic, ..*e })
        }
        Outcome::Err { error } => Outcome::Err { error: error.clone() },
    }
}

/// A lane of shares `x[v] / n[v]`.
fn share_lane(lane: &'static str, x: &[u64], n: &[u64], names: &[String], alpha: f64) -> LaneRow {
    let comparisons = (1..x.len())
        .map(|v| LaneDiff {
            variant: names[v].clone(),
            difference: frequentist::two_proportion_z(x[0] as f64, n[0] as f64, x[v] as f64, n[v] as f64, alpha).into(),
            p_adjusted: None,
        })
        .collect();
    LaneRow {
        lane,
        share: true,
        values: x.iter().zip(n).map(|(&x, &n)| share(x, n)).collect(),
        units: n.iter().map(|&n| n as f64).collect(),
        comparisons,
    }
}

/// A lane of means.
fn mean_lane(lane: &'static str, m: &[Moments], names: &[String], alpha: f64) -> LaneRow {
    let s: Vec<Sample> = m.iter().map(Sample::mean).collect();
    let comparisons = (1..s.len())
        .map(|v| LaneDiff {
            variant: names[v].clone(),
            difference: frequentist::welch(&s[0], &s[v], Scale::Absolute, alpha).into(),
            p_adjusted: None,
        })
        .collect();
    LaneRow {
        lane,
        share: false,
        values: m.iter().map(|m| (m.n > 0.0).then(|| m.mean())).collect(),
        units: m.iter().map(|m| m.n).collect(),
        comparisons,
    }
}

/// The section; `None` when the spec asks for no journey.
pub fn journey(spec: &ExperimentSpec, acc: &ExperimentAcc, alpha: f64) -> Option<JourneyReport> {
    let js = spec.journey.as_ref()?;
    let names = &spec.variants;
    let customers: Vec<u64> = acc.variants.iter().map(|v| v.customers).collect();
    let mut stages = Vec::new();
    if let Some(def) = &js.definition {
        let n = def.stages.len();
        let at = |v: usize, k: usize| acc.variants[v].stages.get(k).cloned().unwrap_or_default();
        for (k, d) in def.stages.iter().enumerate() {
            let here: Vec<_> = (0..names.len()).map(|v| at(v, k)).collect();
            let reached: Vec<u64> = here.iter().map(|s| s.reached).collect();
            let after: Vec<u64> = here.iter().map(|s| s.entered_after).collect();
            // the fold pushes every customer's value (0 outside the stage)
            let per_customer =
                |f: fn(&super::fold::StageSums) -> Moments| -> Vec<Moments> { here.iter().map(f).collect() };
            let mut lanes = vec![
                share_lane("reached", &reached, &customers, names, alpha),
                share_lane("entered_after_exposure", &after, &customers, names, alpha),
            ];
            if k + 1 < n {
                let next: Vec<u64> = (0..names.len()).map(|v| at(v, k + 1).reached).collect();
                let conv = share_lane("conversion_to_next", &next, &reached, names, alpha);
                let dropped: Vec<u64> = reached.iter().zip(&next).map(|(r, x)| r - x).collect();
                let mut drop = share_lane("drop_share", &dropped, &reached, names, alpha);
                for (d, c) in drop.comparisons.iter_mut().zip(&conv.comparisons) {
                    d.difference = negate(&c.difference);
                }
                lanes.push(conv);
                lanes.push(drop);
            }
            lanes.push(mean_lane("revenue_per_customer", &per_customer(|s| s.revenue), names, alpha));
            lanes.push(mean_lane("events_per_customer", &per_customer(|s| s.events), names, alpha));
            if k + 1 < n {
                let hours: Vec<Moments> = here.iter().map(|s| s.hours).collect();
                lanes.push(mean_lane("hours_in_stage", &hours, names, alpha));
            }
            stages.push(JourneyRow { key: d.key.clone(), names: Some(d.name.clone()), reached, lanes });
        }
    }
    let mut funnel = Vec::new();
    for (k, step) in js.funnel.iter().enumerate() {
        let count = |v: usize, k: usize| acc.variants[v].funnel.get(k).copied().unwrap_or(0);
        let reached: Vec<u64> = (0..names.len()).map(|v| count(v, k)).collect();
        let mut lanes = vec![share_lane("reached", &reached, &customers, names, alpha)];
        if k > 0 {
            let prev: Vec<u64> = (0..names.len()).map(|v| count(v, k - 1)).collect();
            lanes.push(share_lane("conversion_from_previous", &reached, &prev, names, alpha));
        }
        funnel.push(JourneyRow { key: step.to_string(), names: None, reached, lanes });
    }
    // Holm over the family (the drop share repeats its conversion's test)
    let mut family = Vec::new();
    for (r, row) in stages.iter().chain(&funnel).enumerate() {
        for (l, lane) in row.lanes.iter().enumerate() {
            for (c, d) in lane.comparisons.iter().enumerate() {
                if let (Outcome::Ok(e), false) = (&d.difference, lane.lane == "drop_share") {
                    family.push(((r, l, c), e.p_value));
                }
            }
        }
    }
    let adjusted = checks::adjust(&family.iter().map(|f| f.1).collect::<Vec<_>>(), Correction::Holm);
    let ns = stages.len();
    for (((r, l, c), _), p) in family.iter().zip(&adjusted) {
        let row = if *r < ns { &mut stages[*r] } else { &mut funnel[*r - ns] };
        row.lanes[*l].comparisons[*c].p_adjusted = Some(*p);
        if row.lanes[*l].lane == "conversion_to_next" {
            if let Some(drop) = row.lanes.get_mut(*l + 1) {
                drop.comparisons[*c].p_adjusted = Some(*p);
            }
        }
    }
    Some(JourneyReport { stages, funnel, correction: "holm", comparisons: family.len() })
}
