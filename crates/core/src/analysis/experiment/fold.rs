//! The experiment fold: who was exposed to which variant, and what they did afterwards.
//!
//! Exposure: an event matching the spec's exposure condition (an `experiment_exposure` event, or any event the
//! site already sends, e.g. the demo's `begin_checkout`) whose property `experiment` (configurable) equals the
//! experiment's key; the variant is its property `variant`. Only exposures in [start, end) count.
//!
//! Rules (stated, tested):
//! - A customer counts in the variant of their FIRST exposure. Customers later seen in another variant stay in
//!   their first variant and are counted per variant in `mixed` (reported, never silently dropped).
//! - An exposure naming a variant the experiment does not define is counted in `unknown_variants`.
//! - Overlapping experiments: customers of this experiment who were also exposed (by the same exposure event) to
//!   another experiment in the period are counted in `overlapping` and reported: their results mix both tests.
//! - Identity merges: the fold sees a customer after identity merging (all their anonymous and user ids as one
//!   journey), so when ids are merged after exposure, the merged customer's first exposure (over all ids)
//!   decides the variant, and exposures of the other ids in another variant make the customer `mixed`.
//! - Metrics count events strictly after the exposure event, within the metric's window (ms). A conversion that
//!   happened only before the exposure does not count; such customers are counted in `converted_before` so the
//!   page can say "an exposure came after the conversion".
//! - Metrics: conversion (any matching event in the window: 0/1), revenue (sum of revenue in the window), events
//!   (number of events in the window), retention at day N (any event in [t₀ + N·24 h, t₀ + (N + 1)·24 h)), time
//!   to convert (hours from exposure to the first conversion, over converters only). The pre-exposure covariate
//!   of each metric (for CUPED) is the same quantity over the window before the exposure (0 for time to convert).
//! - The daily series: each customer's metric value under the local day (project time zone) of their exposure,
//!   summed cumulatively by the report for the lift chart.
//!
//! Reference: the engine conformance suite's naive oracle, and a direct recount in the unit tests below.

use std::collections::BTreeMap;

use serde::Serialize;

use super::sample::{CovariateSums, Moments};
use crate::analysis::filter::EventMatch;
use crate::analysis::matcher::{value_text, EventView, Matcher};
use crate::calendar::Calendar;
use crate::dict::Dictionaries;
use crate::fold::JourneyFold;
use crate::journey::{Columns, Journey};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// What a metric measures per exposed customer.
#[derive(Debug, Clone, PartialEq)]
pub enum MetricDef {
    Conversion { event: EventMatch, window: i64 },
    Revenue { window: i64 },
    Events { window: i64 },
    Retention { day: u32 },
    TimeToConvert { event: EventMatch, window: i64 },
}

impl MetricDef {
    /// Whether the values are 0/1.
    pub fn is_proportion(&self) -> bool {
        matches!(self, MetricDef::Conversion { .. } | MetricDef::Retention { .. })
    }
}

/// The experiment to evaluate.
#[derive(Debug, Clone)]
pub struct ExperimentSpec {
    pub key: String,
    pub exposure: EventMatch,
    pub experiment_property: String,
    pub variant_property: String,
    /// The variants; the first is the control.
    pub variants: Vec<String>,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub metrics: Vec<MetricDef>,
    pub calendar: Calendar,
}

/// The fold.
pub struct ExperimentFold {
    spec: ExperimentSpec,
    exposure: Matcher,
    conversions: Vec<Option<Matcher>>,
    dicts: Dictionaries,
}

/// One variant's partial result.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VariantAcc {
    pub customers: u64,
    /// Customers later exposed to another variant.
    pub mixed: u64,
    /// Customers also exposed to another experiment (same exposure event, another key) in the period.
    pub overlapping: u64,
    /// Per metric: post-exposure value and pre-exposure covariate.
    pub metrics: Vec<CovariateSums>,
    /// Per metric: customers whose only conversions came before the exposure.
    pub converted_before: Vec<u64>,
    /// Per exposure day: per metric sums.
    pub days: BTreeMap<i64, Vec<Moments>>,
}

/// The partial result.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExperimentAcc {
    pub variants: Vec<VariantAcc>,
    pub unknown_variants: BTreeMap<String, u64>,
}

impl ExperimentFold {
    pub fn new(spec: ExperimentSpec, dicts: &Dictionaries) -> Self {
        let exposure = Matcher::new(&spec.exposure, dicts);
        let conversions = spec
            .metrics
            .iter()
            .map(|m| match m {
                MetricDef::Conversion { event, .. } | MetricDef::TimeToConvert { event, .. } => {
                    Some(Matcher::new(event, dicts))
                }
                _ => None,
            })
            .collect();
        ExperimentFold { spec, exposure, conversions, dicts: dicts.clone() }
    }

    pub fn spec(&self) -> &ExperimentSpec {
        &self.spec
    }

    /// Columns the scan must fill.
    pub fn columns(&self) -> Columns {
        let mut c = self.exposure.columns().with(Columns::ROWS).with(Columns::REVENUE);
        for m in self.conversions.iter().flatten() {
            c = c.with(m.columns());
        }
        c
    }

    /// The variant of this experiment event `i` exposes to; `Err(true)` for an exposure to another experiment.
    fn variant_of(&self, view: &mut EventView<'_, '_>, i: usize) -> Result<String, bool> {
        if !view.matches(&self.exposure, i) {
            return Err(false);
        }
        let props = view.props(i);
        let Some(exp) = props.get(&self.spec.experiment_property).map(value_text) else { return Err(false) };
        if exp != self.spec.key {
            return Err(!exp.is_empty());
        }
        Ok(props.get(&self.spec.variant_property).map(value_text).unwrap_or_default())
    }

    /// The value after and before the exposure at index `at` (time `t0`) of metric `m`; `None` after: not counted
    /// (time to convert of a customer who never converted). The flag says "converted only before".
    fn value(&self, view: &mut EventView<'_, '_>, m: usize, at: usize) -> (Option<f64>, f64, bool) {
        let j = view.j;
        let t0 = j.ts[at];
        let after = |w: i64| (at + 1)..j.time_range(None, Some(t0.saturating_add(w).saturating_add(1))).end;
        let before = |w: i64| j.time_range(Some(t0.saturating_sub(w)), None).start..at;
        let revenue = |r: std::ops::Range<usize>| {
            r.filter_map(|i| j.revenue.get(i).copied()).filter(|v| !v.is_nan()).sum::<f64>()
        };
        match &self.spec.metrics[m] {
            MetricDef::Conversion { window, .. } | MetricDef::TimeToConvert { window, .. } => {
                let Some(matcher) = &self.conversions[m] else { return (None, 0.0, false) };
                let first_after = after(*window).find(|&i| view.matches(matcher, i));
                let before_hit = before(*window).any(|i| view.matches(matcher, i));
                let only_before = first_after.is_none() && (0..at).any(|i| view.matches(matcher, i));
                if matches!(self.spec.metrics[m], MetricDef::TimeToConvert { .. }) {
                    (first_after.map(|i| (j.ts[i] - t0) as f64 / HOUR as f64), 0.0, only_before)
                } else {
                    (Some(f64::from(u8::from(first_after.is_some()))), f64::from(u8::from(before_hit)), only_before)
                }
            }
            MetricDef::Revenue { window } => (Some(revenue(after(*window))), revenue(before(*window)), false),
            MetricDef::Events { window } => (Some(after(*window).len() as f64), before(*window).len() as f64, false),
            MetricDef::Retention { day } => {
                let from = t0 + i64::from(*day) * DAY;
                let hit = j.ts[at + 1..].iter().any(|&t| t >= from && t < from + DAY);
                let pre = j.ts[..at].iter().any(|&t| t >= t0 - DAY && t < t0);
                (Some(f64::from(u8::from(hit))), f64::from(u8::from(pre)), false)
            }
        }
    }
}

impl JourneyFold for ExperimentFold {
    type Acc = ExperimentAcc;

    fn init(&self) -> ExperimentAcc {
        let k = self.spec.metrics.len();
        let v = VariantAcc {
            metrics: vec![CovariateSums::default(); k],
            converted_before: vec![0; k],
            ..Default::default()
        };
        ExperimentAcc { variants: vec![v; self.spec.variants.len()], unknown_variants: BTreeMap::new() }
    }

    fn fold(&self, acc: &mut ExperimentAcc, journey: &Journey<'_>) {
        let range = journey.time_range(self.spec.start, self.spec.end);
        let mut view = EventView::new(journey, &self.dicts);
        let mut first: Option<(usize, usize)> = None;
        let mut mixed = false;
        let mut other = false;
        for i in range {
            let name = match self.variant_of(&mut view, i) {
                Ok(name) => name,
                Err(another) => {
                    other |= another;
                    continue;
                }
            };
            match (self.spec.variants.iter().position(|v| *v == name), first) {
                (None, _) => *acc.unknown_variants.entry(name).or_default() += 1,
                (Some(v), None) => first = Some((v, i)),
                (Some(v), Some((f, _))) => mixed |= v != f,
            }
        }
        let Some((v, at)) = first else { return };
        let day = self.spec.calendar.day(journey.ts[at]);
        let k = self.spec.metrics.len();
        let out = &mut acc.variants[v];
        out.customers += 1;
        out.mixed += u64::from(mixed);
        out.overlapping += u64::from(other);
        let daily = out.days.entry(day).or_insert_with(|| vec![Moments::default(); k]);
        for (m, day_sums) in daily.iter_mut().enumerate() {
            let (post, pre, only_before) = self.value(&mut view, m, at);
            out.converted_before[m] += u64::from(only_before);
            if let Some(post) = post {
                out.metrics[m].push(post, pre);
                day_sums.push(post);
            }
        }
    }

    fn merge(&self, into: &mut ExperimentAcc, other: ExperimentAcc) {
        for (a, b) in into.variants.iter_mut().zip(other.variants) {
            a.customers += b.customers;
            a.mixed += b.mixed;
            a.overlapping += b.overlapping;
            for (x, y) in a.metrics.iter_mut().zip(&b.metrics) {
                x.merge(y);
            }
            for (x, y) in a.converted_before.iter_mut().zip(&b.converted_before) {
                *x += y;
            }
            for (day, ms) in b.days {
                let e = a.days.entry(day).or_insert_with(|| vec![Moments::default(); ms.len()]);
                for (x, y) in e.iter_mut().zip(&ms) {
                    x.merge(y);
                }
            }
        }
        for (k, n) in other.unknown_variants {
            *into.unknown_variants.entry(k).or_default() += n;
        }
    }
}
