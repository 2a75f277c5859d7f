//! An experiment as a project defines it, before it starts: key, hypothesis, variants with the intended split,
//! the exposure, the dates, the primary metric and guardrails, and the decision rule registered up front (α, the
//! minimum effect worth shipping, the minimum number of full weeks). Validation returns every problem at once,
//! each at its field. [`Decision`] reads the rule against a report: the "plain words" the page shows come from
//! here, never from the data alone.
//!
//! Metric texts: `conversion:EVENT:WINDOW`, `revenue:WINDOW`, `events:WINDOW`, `retention:DAY`,
//! `time_to_convert:EVENT:WINDOW`, `funnel:STEP->STEP[->STEP…]:WINDOW` (completes every step in order within the
//! window after the exposure, the exposure event itself counting as a step); windows `7d`, `12h`, `30m`.
//! `ratio:NUMERATOR/DENOMINATOR` divides the sum of one metric by the sum of another over the variant's customers
//! (delta method), e.g. `ratio:revenue:30d/events:30d` (revenue per event). `capping` (a percentile of all
//! customers' values, or a fixed value) caps each customer's revenue metrics before the sums (outliers).
//! Examples: `conversion:purchase:7d`, `funnel:begin_checkout->add_payment_info->purchase:7d`.

use serde::{Deserialize, Serialize};

use super::capping::Cap;
use super::fold::{ExperimentSpec, JourneySpec, MetricDef};
use super::report::ExperimentReport;
use super::request::Outcome;
use crate::analysis::filter::EventMatch;
use crate::calendar::Calendar;
use crate::error::FieldError;
use crate::lang::Lang;

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
    /// Caps each customer's value of the revenue metrics: `{"percentile": 0.99}` or `{"fixed": 10000}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capping: Option<Cap>,
    /// The funnel compared step by step per variant (none: the first funnel metric's, if any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funnel: Option<FunnelDef>,
}

/// A funnel's steps (event conditions, in order) and its window after the exposure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunnelDef {
    pub steps: Vec<String>,
    #[serde(default = "week")]
    pub window: String,
}

fn week() -> String {
    "7d".into()
}

/// A problem with a metric's or window's text, in English and Russian.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    pub en: String,
    pub ru: String,
}

fn said(en: impl Into<String>, ru: impl Into<String>) -> Said {
    Said { en: en.into(), ru: ru.into() }
}

impl Said {
    fn at(self, field: impl Into<String>) -> FieldError {
        FieldError::words(field, self.en, self.ru)
    }
}

impl std::fmt::Display for Said {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

/// An event condition's problem, quoting it.
fn event_said(t: &str, e: &crate::text_error::TextError) -> Said {
    said(format!("'{t}': {}", e.words(Lang::En)), format!("'{t}': {}", e.words(Lang::Ru)))
}

/// Parsed funnel steps: 2 to 32 event conditions.
fn funnel_steps<'a>(steps: impl Iterator<Item = &'a str>) -> Result<Vec<EventMatch>, Said> {
    let steps = steps
        .map(|t| EventMatch::parse(t.trim()).map_err(|e| event_said(t.trim(), &e)))
        .collect::<Result<Vec<_>, _>>()?;
    if steps.len() < 2 || steps.len() > crate::analysis::funnel::MAX_STEPS {
        return Err(said("a funnel has 2 to 32 steps", "в воронке от 2 до 32 шагов"));
    }
    Ok(steps)
}

/// A window text (`7d`, `12h`, `30m`) in ms.
pub fn parse_window(text: &str) -> Result<i64, Said> {
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (num, unit) = text.split_at(split);
    let n: i64 = num.parse().map_err(|_| {
        said(
            format!("'{text}': a window is a number and a unit: 7d, 12h, 30m"),
            format!("'{text}': окно — это число и единица: 7d, 12h, 30m"),
        )
    })?;
    if n <= 0 {
        return Err(said(
            format!("'{text}': a window must be longer than 0"),
            format!("'{text}': окно должно быть больше 0"),
        ));
    }
    let unit_ms = match unit {
        "d" => 86_400_000,
        "h" => 3_600_000,
        "m" => 60_000,
        _ => {
            return Err(said(
                format!("'{text}': the unit is d, h or m"),
                format!("'{text}': единица — d (дни), h (часы) или m (минуты)"),
            ))
        }
    };
    Ok(n * unit_ms)
}

/// A metric text (see the module documentation).
pub fn parse_metric(text: &str) -> Result<MetricDef, Said> {
    if let Some(rest) = text.trim().strip_prefix("funnel:") {
        let Some((steps, window)) = rest.rsplit_once(':') else {
            return Err(said(
                format!("'{text}': a funnel metric is funnel:STEP->STEP:WINDOW"),
                format!("'{text}': метрика воронки пишется funnel:ШАГ->ШАГ:ОКНО"),
            ));
        };
        let steps = funnel_steps(steps.split("->").flat_map(|s| s.split('→')))?;
        return Ok(MetricDef::Funnel { steps, window: parse_window(window.trim())? });
    }
    if let Some(rest) = text.trim().strip_prefix("ratio:") {
        // the '/' before the denominator: the first after which a metric reads
        for (i, _) in rest.match_indices('/') {
            let (num, den) = (&rest[..i], &rest[i + 1..]);
            let (Ok(numerator), Ok(denominator)) = (parse_metric(num), parse_metric(den)) else { continue };
            let part = |m: &MetricDef| !m.is_ratio() && !matches!(m, MetricDef::TimeToConvert { .. });
            if !part(&numerator) || !part(&denominator) {
                return Err(said(
                    format!("'{text}': a ratio divides two conversion, revenue, events, retention or funnel metrics"),
                    format!("'{text}': отношение делит две метрики конверсии, выручки, событий, удержания или воронки"),
                ));
            }
            return Ok(MetricDef::Ratio { numerator: Box::new(numerator), denominator: Box::new(denominator) });
        }
        return Err(said(
            format!("'{text}': a ratio metric is ratio:METRIC/METRIC, e.g. ratio:revenue:30d/events:30d"),
            format!("'{text}': метрика-отношение пишется ratio:МЕТРИКА/МЕТРИКА, например ratio:revenue:30d/events:30d"),
        ));
    }
    let parts: Vec<&str> = text.trim().splitn(3, ':').collect();
    let event = |t: &str| EventMatch::parse(t).map_err(|e| event_said(t, &e));
    Ok(match parts.as_slice() {
        ["conversion", e, w] => MetricDef::Conversion { event: event(e)?, window: parse_window(w)? },
        ["time_to_convert", e, w] => MetricDef::TimeToConvert { event: event(e)?, window: parse_window(w)? },
        ["revenue", w] => MetricDef::Revenue { window: parse_window(w)? },
        ["events", w] => MetricDef::Events { window: parse_window(w)? },
        ["retention", d] => MetricDef::Retention {
            day: d
                .parse()
                .map_err(|_| said(format!("'{d}': the day is a whole number"), format!("'{d}': день — целое число")))?,
        },
        _ => {
            return Err(said(
                format!(
                    "'{text}': use conversion:EVENT:WINDOW, revenue:WINDOW, events:WINDOW, retention:DAY, \
                     time_to_convert:EVENT:WINDOW, funnel:STEP->STEP:WINDOW or ratio:METRIC/METRIC"
                ),
                format!(
                    "'{text}': используйте conversion:СОБЫТИЕ:ОКНО, revenue:ОКНО, events:ОКНО, retention:ДЕНЬ, \
                     time_to_convert:СОБЫТИЕ:ОКНО, funnel:ШАГ->ШАГ:ОКНО или ratio:МЕТРИКА/МЕТРИКА"
                ),
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
            errs.push(FieldError::words(
                "key",
                "a key has 1–64 letters, digits, '_', '-' or '.'",
                "ключ — от 1 до 64 букв, цифр, '_', '-' или '.'",
            ));
        }
        if self.variants.len() < 2 {
            errs.push(FieldError::words(
                "variants",
                "an experiment needs a control and at least one treatment",
                "эксперименту нужны контрольный вариант и хотя бы один новый",
            ));
        }
        for (i, v) in self.variants.iter().enumerate() {
            if v.name.trim().is_empty() {
                errs.push(FieldError::words(
                    format!("variants[{i}].name"),
                    "a variant needs a name",
                    "у варианта должно быть имя",
                ));
            }
            if self.variants[..i].iter().any(|o| o.name == v.name) {
                errs.push(FieldError::words(
                    format!("variants[{i}].name"),
                    "variant names must differ",
                    "имена вариантов должны различаться",
                ));
            }
            if v.weight.is_nan() || v.weight <= 0.0 {
                errs.push(FieldError::words(
                    format!("variants[{i}].weight"),
                    "a weight must be positive",
                    "доля должна быть больше нуля",
                ));
            }
        }
        let exposure = EventMatch::parse(&self.exposure)
            .map_err(|e| errs.push(FieldError::words("exposure", e.words(Lang::En), e.words(Lang::Ru))));
        let time = |field: &str, text: &str, errs: &mut Vec<FieldError>| {
            if text.trim().is_empty() {
                return None;
            }
            calendar
                .parse_time(text.trim())
                .map_err(|e| errs.push(FieldError::words(field, e.words(Lang::En), e.words(Lang::Ru))))
                .ok()
        };
        let start = time("start", &self.start, &mut errs);
        let end = time("end", &self.end, &mut errs);
        if let (Some(s), Some(e)) = (start, end) {
            if e <= s {
                errs.push(FieldError::words(
                    "end",
                    "the end must come after the start",
                    "конец должен быть позже начала",
                ));
            }
        }
        let mut metrics = Vec::new();
        for (field, text) in std::iter::once(("primary".to_string(), &self.primary))
            .chain(self.guardrails.iter().enumerate().map(|(i, g)| (format!("guardrails[{i}]"), g)))
        {
            match parse_metric(text) {
                Ok(m) => metrics.push(m),
                Err(reason) => errs.push(reason.at(field)),
            }
        }
        let mut funnel = metrics.iter().find_map(|m| match m {
            MetricDef::Funnel { steps, window } => Some((steps.clone(), *window)),
            _ => None,
        });
        if let Some(f) = &self.funnel {
            match funnel_steps(f.steps.iter().map(|s| s.as_str())) {
                Ok(steps) => match parse_window(f.window.trim()) {
                    Ok(w) => funnel = Some((steps, w)),
                    Err(reason) => errs.push(reason.at("funnel.window")),
                },
                Err(reason) => errs.push(reason.at("funnel.steps")),
            }
        }
        let (funnel, funnel_window) = funnel.unwrap_or((Vec::new(), 0));
        match self.capping {
            Some(Cap::Percentile(q)) if !(q > 0.0 && q <= 1.0) => errs.push(FieldError::words(
                "capping",
                "a percentile is between 0 and 1 (0.99 = the 99th)",
                "перцентиль — число от 0 до 1 (0.99 — 99-й)",
            )),
            Some(Cap::Fixed(c)) if !(c.is_finite() && c > 0.0) => errs.push(FieldError::words(
                "capping",
                "a fixed cap is a positive number",
                "фиксированный предел — положительное число",
            )),
            Some(_) if !metrics.iter().any(|m| matches!(m, MetricDef::Revenue { .. })) => errs.push(FieldError::words(
                "capping",
                "capping applies to revenue metrics: the experiment has none",
                "предел применяется к метрикам выручки, а их в эксперименте нет",
            )),
            _ => {}
        }
        let caps = metrics.iter().map(|m| self.capping.filter(|_| matches!(m, MetricDef::Revenue { .. }))).collect();
        let r = &self.rule;
        if !(r.alpha > 0.0 && r.alpha < 0.5) {
            errs.push(FieldError::words(
                "rule.alpha",
                "α is between 0 and 0.5 (usually 0.05)",
                "α — от 0 до 0.5 (обычно 0.05)",
            ));
        }
        if r.min_effect.is_nan() || r.min_effect < 0.0 {
            errs.push(FieldError::words(
                "rule.min_effect",
                "the minimum effect is 0 or more",
                "минимальный эффект — 0 или больше",
            ));
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
                caps,
                calendar,
                journey: Some(JourneySpec { definition: None, now: i64::MAX, funnel, funnel_window }),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn def(primary: &str) -> ExperimentDefinition {
        ExperimentDefinition {
            key: "t".into(),
            hypothesis: String::new(),
            variants: vec![VariantDef { name: "A".into(), weight: 1.0 }, VariantDef { name: "B".into(), weight: 1.0 }],
            exposure: exposure_default(),
            experiment_property: experiment_default(),
            variant_property: variant_default(),
            start: String::new(),
            end: String::new(),
            primary: primary.into(),
            guardrails: vec![],
            rule: DecisionRule::default(),
            capping: None,
            funnel: None,
        }
    }

    fn fields(d: &ExperimentDefinition) -> Vec<String> {
        d.spec(Calendar::UTC).err().unwrap_or_default().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn funnel_and_ratio_metrics_read() {
        let m = parse_metric("funnel:begin_checkout->purchase where revenue > 0:7d").unwrap();
        let MetricDef::Funnel { steps, window } = m else { panic!("a funnel") };
        assert_eq!(
            (steps.len(), steps[1].to_string().as_str(), window),
            (2, "purchase where revenue > 0", 7 * 86_400_000)
        );
        let m = parse_metric("ratio:revenue:30d/events:30d").unwrap();
        assert!(m.is_ratio() && !m.is_proportion());
        // a '/' inside a condition is not the ratio's
        assert!(parse_metric("ratio:conversion:page_view where page_url ~ /cart:7d/events:7d").unwrap().is_ratio());
        assert!(parse_metric("funnel:a:7d").unwrap_err().en.contains("2 to 32"));
        assert!(parse_metric("ratio:time_to_convert:purchase:7d/events:7d").unwrap_err().en.contains("divides"));
        let zero = parse_window("0d").unwrap_err();
        assert!(zero.en.contains("longer than 0") && zero.ru.contains("больше 0"), "{zero:?}");
        assert!(parse_metric("revenue:-1d").is_err());
    }

    #[test]
    fn every_problem_is_named_at_its_field() {
        assert_eq!(fields(&def("funnel:a->b:0h")), ["primary"]);
        assert_eq!(fields(&def("nonsense")), ["primary"]);
        let capped = ExperimentDefinition { capping: Some(Cap::Percentile(1.5)), ..def("revenue:7d") };
        assert_eq!(fields(&capped), ["capping"]);
        let no_revenue = ExperimentDefinition { capping: Some(Cap::Fixed(100.0)), ..def("events:7d") };
        assert_eq!(fields(&no_revenue), ["capping"]);
        let funnel = FunnelDef { steps: vec!["a".into()], window: "7d".into() };
        assert_eq!(fields(&ExperimentDefinition { funnel: Some(funnel), ..def("events:7d") }), ["funnel.steps"]);
        let funnel = FunnelDef { steps: vec!["a".into(), "b".into()], window: "0d".into() };
        assert_eq!(fields(&ExperimentDefinition { funnel: Some(funnel), ..def("events:7d") }), ["funnel.window"]);
        let one =
            ExperimentDefinition { variants: vec![VariantDef { name: "A".into(), weight: 1.0 }], ..def("events:7d") };
        assert_eq!(fields(&one), ["variants"]);
        let bad_split = ExperimentDefinition {
            variants: vec![VariantDef { name: "A".into(), weight: 1.0 }, VariantDef { name: "B".into(), weight: 0.0 }],
            ..def("events:7d")
        };
        assert_eq!(fields(&bad_split), ["variants[1].weight"]);
        // the funnel metric gives the journey's funnel when none is defined; capping reaches only revenue metrics
        let ok = ExperimentDefinition {
            capping: Some(Cap::Percentile(0.99)),
            guardrails: vec!["revenue:30d".into()],
            ..def("funnel:a->b->c:7d")
        };
        let spec = ok.spec(Calendar::UTC).unwrap();
        assert_eq!(spec.journey.unwrap().funnel.len(), 3);
        assert_eq!(spec.caps, [None, Some(Cap::Percentile(0.99))]);
    }
}
