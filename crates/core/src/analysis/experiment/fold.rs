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
//! - Funnel completion: 1 when the events from the exposure (included: it may be step 1) to the window's end
//!   complete every step in order (ClickHouse `windowFunnel(window)` over them); its covariate is the same over
//!   the window before the exposure. A ratio metric keeps its numerator's value as `post`, its denominator's as
//!   `pre`. A capped metric also keeps every customer's (post, pre) values: the report caps them (percentile
//!   over all variants, or a fixed value) before the sums.
//! - The journey (when the spec asks): per variant and stage of the project's journey definition, the customers
//!   who entered it (as the map counts, up to `now`), those who entered it at or after the exposure, each
//!   customer's revenue and events while in it from the exposure on, hours to the next stage; per funnel step,
//!   the customers who reached it from the exposure on within the funnel's window ([`super::journey`]).
//! - The daily series: each customer's metric value under the local day (project time zone) of their exposure,
//!   summed cumulatively by the report for the lift chart.
//!
//! Reference: the engine conformance suite's naive oracle, and a direct recount in the unit tests below.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use super::sample::{CovariateSums, Moments};
use crate::analysis::filter::EventMatch;
use crate::analysis::matcher::{value_text, EventView, Matcher};
use crate::analysis::stages::{JourneyDefinition, StageModel};
use crate::analysis::window_funnel::FunnelLevel;
use crate::calendar::Calendar;
use crate::dict::Dictionaries;
use crate::fold::JourneyFold;
use crate::journey::{Columns, Journey, TextCol};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// What a metric measures per exposed customer.
#[derive(Debug, Clone, PartialEq)]
pub enum MetricDef {
    Conversion {
        event: EventMatch,
        window: i64,
    },
    Revenue {
        window: i64,
    },
    Events {
        window: i64,
    },
    Retention {
        day: u32,
    },
    TimeToConvert {
        event: EventMatch,
        window: i64,
    },
    /// Completes every step of the funnel, in order, within the window after the exposure (0/1).
    Funnel {
        steps: Vec<EventMatch>,
        window: i64,
    },
    /// Σ numerator / Σ denominator over the variant's customers (delta method); the fold keeps the numerator's
    /// sums as `post`, the denominator's as `pre` and Σ numerator × denominator as `sum_products`.
    Ratio {
        numerator: Box<MetricDef>,
        denominator: Box<MetricDef>,
    },
}

impl MetricDef {
    /// Whether it is a ratio of two metrics.
    pub fn is_ratio(&self) -> bool {
        matches!(self, MetricDef::Ratio { .. })
    }

    /// Whether the values are 0/1.
    pub fn is_proportion(&self) -> bool {
        matches!(self, MetricDef::Conversion { .. } | MetricDef::Retention { .. } | MetricDef::Funnel { .. })
    }
}

/// The journey side by side per variant: the project's journey definition (stages as the map counts them) as of
/// `now`, and the funnel whose steps each variant's customers reach after their exposure.
#[derive(Debug, Clone)]
pub struct JourneySpec {
    pub definition: Option<JourneyDefinition>,
    /// Events after this instant are ignored by the stages.
    pub now: i64,
    /// The funnel's steps (none: no funnel) and its window after the exposure.
    pub funnel: Vec<EventMatch>,
    pub funnel_window: i64,
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
    /// Per metric: its cap (revenue outliers), if any.
    pub caps: Vec<Option<super::capping::Cap>>,
    pub calendar: Calendar,
    /// The per-stage and per-step comparison (none: not computed).
    pub journey: Option<JourneySpec>,
}

/// The fold.
pub struct ExperimentFold {
    spec: ExperimentSpec,
    /// The metrics, then each ratio's numerator and denominator.
    parts: Vec<MetricDef>,
    exposure: Matcher,
    /// The exposure event's name code (None: `*`; Some(None): a name never seen), tested before the matcher.
    exposure_name: Option<Option<u16>>,
    conversions: Vec<Option<Matcher>>,
    /// Per metric: the funnel's step matchers (empty for other metrics).
    funnels: Vec<Vec<Matcher>>,
    stages: Option<StageModel>,
    funnel: Vec<Matcher>,
    dicts: Dictionaries,
}

/// One variant's sums for one stage of the journey definition (see [`super::journey`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StageSums {
    /// Customers who entered the stage (at any time up to `now`).
    pub reached: u64,
    /// Customers who entered it at or after their exposure.
    pub entered_after: u64,
    /// Per customer of the variant: revenue and number of events while in the stage, after the exposure.
    pub revenue: Moments,
    pub events: Moments,
    /// Hours from entering the stage to entering the next, over customers who entered both.
    pub hours: Moments,
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
    /// Per metric capped by a percentile or a fixed value: every customer's (post, pre) values, capped in the
    /// report (empty for the other metrics).
    pub values: Vec<Vec<(f64, f64)>>,
    /// Per stage of the journey definition.
    pub stages: Vec<StageSums>,
    /// Per funnel step: customers who reached it after their exposure.
    pub funnel: Vec<u64>,
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
        // a ratio's parts are compiled after the metrics: numerator at k + i·2, denominator at k + i·2 + 1
        let parts: Vec<&MetricDef> = spec
            .metrics
            .iter()
            .chain(
                spec.metrics
                    .iter()
                    .filter_map(|m| match m {
                        MetricDef::Ratio { numerator, denominator } => Some([&**numerator, &**denominator]),
                        _ => None,
                    })
                    .flatten(),
            )
            .collect();
        let conversions = parts
            .iter()
            .map(|m| match m {
                MetricDef::Conversion { event, .. } | MetricDef::TimeToConvert { event, .. } => {
                    Some(Matcher::new(event, dicts))
                }
                _ => None,
            })
            .collect();
        let funnels = parts
            .iter()
            .map(|m| match m {
                MetricDef::Funnel { steps, .. } => steps.iter().map(|s| Matcher::new(s, dicts)).collect(),
                _ => Vec::new(),
            })
            .collect();
        let parts = parts.into_iter().cloned().collect();
        let journey = spec.journey.as_ref();
        let stages = journey.and_then(|j| j.definition.as_ref()).and_then(|d| StageModel::new(d, dicts).ok());
        let funnel = journey.map_or_else(Vec::new, |j| j.funnel.iter().map(|s| Matcher::new(s, dicts)).collect());
        let exposure_name = (spec.exposure.event != "*").then(|| dicts.name_code(&spec.exposure.event));
        ExperimentFold {
            spec,
            parts,
            exposure,
            exposure_name,
            conversions,
            funnels,
            stages,
            funnel,
            dicts: dicts.clone(),
        }
    }

    pub fn spec(&self) -> &ExperimentSpec {
        &self.spec
    }

    /// The customers that count: those with an exposure event (`None` when any event can expose). A customer
    /// without one adds nothing to the result, so an engine may skip them (`ScanSpec::having`).
    pub fn having(&self) -> Option<Vec<String>> {
        (self.spec.exposure.event != "*").then(|| vec![self.spec.exposure.event.clone()])
    }

    /// Columns the scan must fill.
    pub fn columns(&self) -> Columns {
        let mut c = self.exposure.columns().with(Columns::ROWS).with(Columns::REVENUE);
        for m in self.conversions.iter().flatten().chain(self.funnels.iter().flatten()).chain(&self.funnel) {
            c = c.with(m.columns());
        }
        if let Some(model) = &self.stages {
            c = c.with(model.columns());
        }
        c
    }

    /// The funnel level reached by the events `range`: ClickHouse `windowFunnel(window)` over them
    /// ([`crate::analysis::window_funnel::window_funnel`], its level alone), so with every event within the window after the exposure, the steps done in order.
    fn funnel_level(view: &mut EventView<'_, '_>, steps: &[Matcher], range: std::ops::Range<usize>, w: i64) -> usize {
        let mut level = FunnelLevel::new(steps.len(), w);
        for i in range {
            let mask = steps.iter().enumerate().fold(0u32, |m, (s, x)| m | (u32::from(view.matches(x, i)) << s));
            level.push(view.j.ts[i], mask);
        }
        level.level()
    }

    /// The journey side of one exposed customer (exposure at index `at`) into `out`.
    fn journey(&self, journey: &Journey<'_>, view: &mut EventView<'_, '_>, at: usize, out: &mut VariantAcc) {
        let Some(spec) = &self.spec.journey else { return };
        let t0 = journey.ts[at];
        if !self.funnel.is_empty() {
            let end = journey.time_range(None, Some(t0.saturating_add(spec.funnel_window).saturating_add(1))).end;
            let level = Self::funnel_level(view, &self.funnel, at..end, spec.funnel_window);
            out.funnel.resize(self.funnel.len(), 0);
            for n in &mut out.funnel[..level] {
                *n += 1;
            }
        }
        let Some(model) = &self.stages else { return };
        let j = journey.slice(0..journey.ts.partition_point(|&t| t <= spec.now));
        let mut sv = EventView::new(&j, &self.dicts);
        let c = model.classify(&mut sv);
        let n = model.len();
        out.stages.resize(n, StageSums::default());
        let reached = c.entered[..n].iter().take_while(|e| e.is_some()).count();
        let from = j.ts.partition_point(|&t| t < t0);
        for k in 0..n {
            let st = &mut out.stages[k];
            let (mut revenue, mut events) = (0.0, 0.0);
            if k < reached {
                let entry = c.entered[k].unwrap_or(i64::MIN);
                let next = if k + 1 < reached { c.entered[k + 1] } else { None };
                st.reached += 1;
                st.entered_after += u64::from(entry >= t0);
                if let Some(nx) = next {
                    st.hours.push((nx - entry) as f64 / HOUR as f64);
                }
                // events while in k (as the map's lanes place them), from the exposure on
                let lo = j.ts.partition_point(|&t| t < entry).max(from);
                let hi = next.map_or(j.len(), |nx| j.ts.partition_point(|&t| t < nx));
                if lo < hi {
                    events = (hi - lo) as f64;
                    revenue = j.revenue[lo..hi].iter().filter(|r| !r.is_nan()).sum::<f64>();
                }
            }
            st.revenue.push(revenue);
            st.events.push(events);
        }
    }

    /// The variant of this experiment event `i` exposes to; `Err(true)` for an exposure to another experiment.
    fn variant_of<'t>(&self, view: &mut EventView<'_, 't>, i: usize) -> Result<Cow<'t, str>, bool> {
        if !view.matches(&self.exposure, i) {
            return Err(false);
        }
        let j = view.j;
        let text = j.rows.get(i).map(|&r| j.access.text(TextCol::Properties, r)).unwrap_or("{}");
        let [exp, variant] = two_props(text, [&self.spec.experiment_property, &self.spec.variant_property]);
        let Some(exp) = exp else { return Err(false) };
        if exp != self.spec.key.as_str() {
            return Err(!exp.is_empty());
        }
        Ok(variant.unwrap_or_default())
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
        match &self.parts[m] {
            MetricDef::Ratio { .. } => {
                let i = self.spec.metrics[..m].iter().filter(|x| x.is_ratio()).count();
                let at_part = self.spec.metrics.len() + 2 * i;
                let num = self.value(view, at_part, at).0.unwrap_or(0.0);
                let den = self.value(view, at_part + 1, at).0.unwrap_or(0.0);
                (Some(num), den, false)
            }
            MetricDef::Conversion { window, .. } | MetricDef::TimeToConvert { window, .. } => {
                let Some(matcher) = &self.conversions[m] else { return (None, 0.0, false) };
                let first_after = after(*window).find(|&i| view.matches(matcher, i));
                // time to convert has no covariate; a hit in the window before also answers "converted before"
                let time_to_convert = matches!(self.parts[m], MetricDef::TimeToConvert { .. });
                let before_hit = !time_to_convert && before(*window).any(|i| view.matches(matcher, i));
                let only_before = first_after.is_none() && (before_hit || (0..at).any(|i| view.matches(matcher, i)));
                if time_to_convert {
                    (first_after.map(|i| (j.ts[i] - t0) as f64 / HOUR as f64), 0.0, only_before)
                } else {
                    (Some(f64::from(u8::from(first_after.is_some()))), f64::from(u8::from(before_hit)), only_before)
                }
            }
            MetricDef::Funnel { window, .. } => {
                let steps = &self.funnels[m];
                let n = steps.len();
                let post = Self::funnel_level(view, steps, at..after(*window).end, *window) == n;
                let pre = Self::funnel_level(view, steps, before(*window), *window) == n;
                (Some(f64::from(u8::from(post))), f64::from(u8::from(pre)), false)
            }
            MetricDef::Revenue { window } => (Some(revenue(after(*window))), revenue(before(*window)), false),
            MetricDef::Events { window } => (Some(after(*window).len() as f64), before(*window).len() as f64, false),
            MetricDef::Retention { day } => {
                // times are sorted: the first at or after a day's start says whether the day has an event
                let from = t0 + i64::from(*day) * DAY;
                let later = &j.ts[at + 1..];
                let hit = later.get(later.partition_point(|&t| t < from)).is_some_and(|&t| t < from + DAY);
                let earlier = &j.ts[..at];
                let pre = earlier.get(earlier.partition_point(|&t| t < t0 - DAY)).is_some_and(|&t| t < t0);
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
            values: vec![Vec::new(); k],
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
        if self.exposure_name == Some(None) {
            return;
        }
        for i in range {
            // most events are not exposures: their name says so without the matcher
            if self.exposure_name.is_some_and(|code| code != Some(journey.name[i])) {
                continue;
            }
            let name = match self.variant_of(&mut view, i) {
                Ok(name) => name,
                Err(another) => {
                    other |= another;
                    continue;
                }
            };
            match (self.spec.variants.iter().position(|v| *v == name), first) {
                (None, _) => *acc.unknown_variants.entry(name.into_owned()).or_default() += 1,
                (Some(v), None) => first = Some((v, i)),
                (Some(v), Some((f, _))) => mixed |= v != f,
            }
        }
        let Some((v, at)) = first else { return };
        self.journey(journey, &mut view, at, &mut acc.variants[v]);
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
                if self.spec.caps.get(m).is_some_and(|c| c.is_some()) {
                    out.values[m].push((post, pre));
                }
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
            for (x, y) in a.values.iter_mut().zip(b.values) {
                x.extend(y);
            }
            merge_stages(&mut a.stages, b.stages);
            if a.funnel.len() < b.funnel.len() {
                a.funnel.resize(b.funnel.len(), 0);
            }
            for (x, y) in a.funnel.iter_mut().zip(&b.funnel) {
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

/// The texts ([`value_text`]) of two top-level properties of a JSON object, the others skipped unparsed (the
/// exposure test reads only these two of every exposure event); text that is not a JSON object has none. A key
/// given twice reads its last value, as a parsed map does. A string without escapes is borrowed from `text`.
fn two_props<'t>(text: &'t str, keys: [&str; 2]) -> [Option<Cow<'t, str>>; 2] {
    use serde::de::{DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, Visitor};
    use serde_json::value::RawValue;
    struct Seed<'k>([&'k str; 2]);
    impl<'de> DeserializeSeed<'de> for Seed<'_> {
        type Value = [Option<Cow<'de, str>>; 2];
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }
    impl<'de> Visitor<'de> for Seed<'_> {
        type Value = [Option<Cow<'de, str>>; 2];
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
            let mut out = [None, None];
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                match self.0.iter().position(|k| *k == key) {
                    Some(at) => {
                        let raw: &'de RawValue = map.next_value()?;
                        let json = raw.get();
                        let plain = json.strip_prefix('"').and_then(|t| t.strip_suffix('"'));
                        out[at] = Some(match plain.filter(|t| !t.contains('\\')) {
                            Some(t) => Cow::Borrowed(t),
                            None => Cow::Owned(value_text(&serde_json::from_str(json).map_err(M::Error::custom)?)),
                        });
                        // the same key asked twice reads the same value
                        if self.0[0] == self.0[1] {
                            out[1 - at] = out[at].clone();
                        }
                    }
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(out)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    Seed(keys).deserialize(&mut de).and_then(|v| de.end().map(|()| v)).unwrap_or_default()
}

fn merge_stages(into: &mut Vec<StageSums>, other: Vec<StageSums>) {
    if into.len() < other.len() {
        into.resize(other.len(), StageSums::default());
    }
    for (a, b) in into.iter_mut().zip(other) {
        a.reached += b.reached;
        a.entered_after += b.entered_after;
        a.revenue.merge(&b.revenue);
        a.events.merge(&b.events);
        a.hours.merge(&b.hours);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the exposure test read before: the whole object parsed, then the two keys.
    fn parsed(text: &str, keys: [&str; 2]) -> [Option<String>; 2] {
        let m = match serde_json::from_str(text) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        keys.map(|k| m.get(k).map(value_text))
    }

    #[test]
    fn two_props_reads_what_the_parsed_object_reads() {
        let texts = [
            r#"{"experiment":"checkout_v2","variant":"B","cart":{"items":[1,2,{"x":null}]},"n":1.5}"#,
            r#"{"variant":7,"experiment":"checkout_v2"}"#,
            r#"{"experiment":null,"variant":true}"#,
            r#"{"experiment":"a","experiment":"b"}"#,
            r#"{"experiment":{"k":[1,"two"]},"variant":["B"]}"#,
            r#"{"exp\u0065riment":"esc\"aped","variant":"\u0411"}"#,
            r#"{"other":"x"}"#,
            r#"{}"#,
            r#"[1,2]"#,
            r#""text""#,
            r#"{"experiment":"a""#,
            r#"{"experiment":"a"} trailing"#,
            "",
            r#"{"experiment":-0.0,"variant":1e5}"#,
            r#"{ "experiment" : "checkout_v2" , "variant" : "B" }"#,
            r#"{"experiment":"a\\b","variant":"\"q\""}"#,
            r#"{"experiment":"","variant":""}"#,
        ];
        for text in texts {
            for keys in [["experiment", "variant"], ["variant", "experiment"], ["experiment", "experiment"]] {
                assert_eq!(
                    two_props(text, keys).map(|v| v.map(Cow::into_owned)),
                    parsed(text, keys),
                    "{text} {keys:?}"
                );
            }
        }
    }
}
