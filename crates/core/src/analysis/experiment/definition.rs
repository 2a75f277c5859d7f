//! An experiment as a project defines it, before it starts: key, hypothesis, variants with the intended split,
//! the exposure, the dates, the primary metric and guardrails, and the decision rule registered up front (α, the
//! minimum effect worth shipping, the minimum number of full weeks). Validation returns every problem at once,
//! each at its field. [`Decision`] reads the rule against a report: the "plain words" the page shows come from
//! here, never from the data alone.
//!
//! Metric texts: `conversion:EVENT:WINDOW`, `revenue:WINDOW`, `events:WINDOW`, `retention:DAY`,
//! `time_to_convert:EVENT:WINDOW`; windows `7d`, `12h`, `30m`. Example: `conversion:purchase:7d`.

use serde::{Deserialize, Serialize};

use super::fold::{ExperimentSpec, MetricDef};
use super::report::ExperimentReport;
use super::request::Outcome;
use crate::analysis::filter::EventMatch;
use crate::calendar::Calendar;
use crate::error::FieldError;

fn exposure_default() -> String {
    "experiment_exposure".into()
}
fn experiment_default() -> String {
    "experiment".into()
}
fn variant_default() -> String {
    "variant".into()
}

/// A variant and its intended share (any positive weight).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantDef {
    pub name: String,
    #[serde(default = "one")]
    pub weight: f64,
}

fn one() -> f64 {
    1.0
}

/// The decision rule registered before the start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRule {
    pub alpha: f64,
    /// The smallest relative lift of the primary metric worth shipping (0.02 = 2 %).
    pub min_effect: f64,
    /// Run at least this many full weeks before deciding.
    pub min_weeks: u32,
}

impl Default for DecisionRule {
    fn default() -> Self {
        DecisionRule { alpha: 0.05, min_effect: 0.0, min_weeks: 1 }
    }
}

/// An experiment's definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentDefinition {
    pub key: String,
    #[serde(default)]
    pub hypothesis: String,
    /// Control first.
    pub variants: Vec<VariantDef>,
    /// The exposure event (with optional conditions).
    #[serde(default = "exposure_default")]
    pub exposure: String,
    #[serde(default = "experiment_default")]
    pub experiment_property: String,
    #[serde(default = "variant_default")]
    pub variant_property: String,
    /// Local date or time (project time zone) the exposures start counting; empty: from the first.
    #[serde(default)]
    pub start: String,
    /// Exclusive end; empty: still running.
    #[serde(default)]
    pub end: String,
    /// The primary metric.
    pub primary: String,
    #[serde(default)]
    pub guardrails: Vec<String>,
    #[serde(default)]
    pub rule: DecisionRule,
}

/// A window text (`7d`, `12h`, `30m`) in ms.
pub fn parse_window(text: &str) -> Result<i64, String> {
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (num, unit) = text.split_at(split);
    let n: i64 = num.parse().map_err(|_| format!("'{text}': a window is a number and a unit: 7d, 12h, 30m"))?;
    let unit_ms = match unit {
        "d" => 86_400_000,
        "h" => 3_600_000,
        "m" => 60_000,
        _ => return Err(format!("'{text}': the unit is d, h or m")),
    };
    Ok(n * unit_ms)
}

/// A metric text (see the module documentation).
pub fn parse_metric(text: &str) -> Result<MetricDef, String> {
    let parts: Vec<&str> = text.trim().splitn(3, ':').collect();
    let event = |t: &str| EventMatch::parse(t).map_err(|e| format!("'{t}': {e}"));
    Ok(match parts.as_slice() {
        ["conversion", e, w] => MetricDef::Conversion { event: event(e)?, window: parse_window(w)? },
        ["time_to_convert", e, w] => MetricDef::TimeToConvert { event: event(e)?, window: parse_window(w)? },
        ["revenue", w] => MetricDef::Revenue { window: parse_window(w)? },
        ["events", w] => MetricDef::Events { window: parse_window(w)? },
        ["retention", d] => {
            MetricDef::Retention { day: d.parse().map_err(|_| format!("'{d}': the day is a whole number"))? }
        }
        _ => {
            return Err(format!(
                "'{text}': use conversion:EVENT:WINDOW, revenue:WINDOW, events:WINDOW, retention:DAY or \
                 time_to_convert:EVENT:WINDOW"
            ))
        }
    })
}

impl ExperimentDefinition {
    /// Every problem, each at its field; the spec to evaluate when there are none.
    pub fn spec(&self, calendar: Calendar) -> Result<ExperimentSpec, Vec<FieldError>> {
        let mut errs = Vec::new();
        let ok_key = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.');
        if self.key.is_empty() || self.key.chars().count() > 64 || !self.key.chars().all(ok_key) {
            errs.push(FieldError::new("key", "a key has 1–64 letters, digits, '_', '-' or '.'"));
        }
        if self.variants.len() < 2 {
            errs.push(FieldError::new("variants", "an experiment needs a control and at least one treatment"));
        }
        for (i, v) in self.variants.iter().enumerate() {
            if v.name.trim().is_empty() {
                errs.push(FieldError::new(format!("variants[{i}].name"), "a variant needs a name"));
            }
            if self.variants[..i].iter().any(|o| o.name == v.name) {
                errs.push(FieldError::new(format!("variants[{i}].name"), "variant names must differ"));
            }
            if v.weight.is_nan() || v.weight <= 0.0 {
                errs.push(FieldError::new(format!("variants[{i}].weight"), "a weight must be positive"));
            }
        }
        let exposure =
            EventMatch::parse(&self.exposure).map_err(|e| errs.push(FieldError::new("exposure", e.to_string())));
        let time = |field: &str, text: &str, errs: &mut Vec<FieldError>| {
            if text.trim().is_empty() {
                return None;
            }
            calendar.parse_time(text.trim()).map_err(|e| errs.push(FieldError::new(field, e.to_string()))).ok()
        };
        let start = time("start", &self.start, &mut errs);
        let end = time("end", &self.end, &mut errs);
        if let (Some(s), Some(e)) = (start, end) {
            if e <= s {
                errs.push(FieldError::new("end", "the end must come after the start"));
            }
        }
        let mut metrics = Vec::new();
        for (field, text) in std::iter::once(("primary".to_string(), &self.primary))
            .chain(self.guardrails.iter().enumerate().map(|(i, g)| (format!("guardrails[{i}]"), g)))
        {
            match parse_metric(text) {
                Ok(m) => metrics.push(m),
                Err(reason) => errs.push(FieldError::new(field, reason)),
            }
        }
        let r = &self.rule;
        if !(r.alpha > 0.0 && r.alpha < 0.5) {
            errs.push(FieldError::new("rule.alpha", "α is between 0 and 0.5 (usually 0.05)"));
        }
        if r.min_effect.is_nan() || r.min_effect < 0.0 {
            errs.push(FieldError::new("rule.min_effect", "the minimum effect is 0 or more"));
        }
        match (errs.is_empty(), exposure) {
            (true, Ok(exposure)) => Ok(ExperimentSpec {
                key: self.key.clone(),
                exposure,
                experiment_property: self.experiment_property.clone(),
                variant_property: self.variant_property.clone(),
                variants: self.variants.iter().map(|v| v.name.clone()).collect(),
                start,
                end,
                metrics,
                calendar,
            }),
            _ => Err(errs),
        }
    }

    pub fn weights(&self) -> Vec<f64> {
        self.variants.iter().map(|v| v.weight).collect()
    }
}

/// What the registered rule says about a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The sample-ratio check failed: the assignment or logging is broken; no result can be trusted.
    DoNotTrust,
    /// Fewer full weeks than the rule asks, or a variant without customers.
    KeepRunning,
    /// The treatment is better by at least the minimum effect (the whole interval above it, Holm-corrected).
    Ship,
    /// The treatment is worse (the whole interval below 0).
    KeepControl,
    /// The interval still holds both "no effect" and "worth shipping".
    Inconclusive,
}

/// The decision for the first treatment against the control on the primary metric, after `days` days.
pub fn decide(def: &ExperimentDefinition, report: &ExperimentReport, days: i64) -> Decision {
    if let Outcome::Ok(s) = &report.srm {
        if s.mismatch {
            return Decision::DoNotTrust;
        }
    }
    if days < i64::from(def.rule.min_weeks) * 7 || report.variants.iter().any(|v| v.customers < 2) {
        return Decision::KeepRunning;
    }
    let Some(c) = report.metrics.first().and_then(|m| m.comparisons.first()) else { return Decision::KeepRunning };
    let Outcome::Ok(e) = &c.relative else { return Decision::Inconclusive };
    let significant = c.p_adjusted.unwrap_or(e.p_value) < def.rule.alpha;
    if significant && e.ci[0] >= def.rule.min_effect {
        Decision::Ship
    } else if significant && e.ci[1] < 0.0 {
        Decision::KeepControl
    } else {
        Decision::Inconclusive
    }
}
