//! Request bodies of the query API and their translation into the analyses' specs; the web app's forms and the
//! CLI's report flags are built into the same types and read by the same translator. Event conditions use the
//! same syntax everywhere (`purchase where revenue > 1000 and channel = email`); durations are `30m`, `7d`, …;
//! times RFC 3339 or `YYYY-MM-DD`; a time without an offset (`2026-03-02`, `2026-03-02T10:00`) is local time
//! of the report's calendar: the project's time zone, or `filters.time_zone` when given. Every day, week and
//! month of a report is local to that zone too. Every problem is reported with its field, all of them at once.

use schemars::JsonSchema;
use serde::Deserialize;
use tropa_core::analysis::filter::EventMatch;
use tropa_core::analysis::funnel::{Exclusion, FunnelMode, FunnelSpec, Step};
use tropa_core::analysis::invalid::SpecErrors;
use tropa_core::analysis::lifecycle::LifecycleState;
use tropa_core::analysis::matcher::Breakdown;
use tropa_core::analysis::paths::PathsSpec;
use tropa_core::analysis::period::Period;
use tropa_core::analysis::retention::{RetentionMode, RetentionSpec};
use tropa_core::analysis::scope::ScopeSpec;
use tropa_core::analysis::stages::{JourneyDefinition, StagesSpec};
use tropa_core::analysis::stats::StatsFold;
use tropa_core::calendar::Calendar;
use tropa_core::lang::Lang;
use tropa_core::settings::parse_time_zone;
use tropa_core::time::{parse_duration, TextError};
use tropa_engine::report::StateFilter;
use tropa_engine::Engine;

mod attribution;
mod empty;
mod names;
mod stages;
pub use attribution::AttributionRequest;
pub use empty::{empty_warnings, why_empty, Empty, Outcome};
pub use names::{event_warnings, property_warnings, unknown_events, unknown_properties, NamedEvents, Warning};
pub use stages::{StagesRequest, TransitionsRequest};

/// Field problems collected while translating a request: (field, reason worded in the language); and the
/// calendar the request is read in (its dates without an offset) and its report counts days in.
#[derive(Default)]
pub struct Problems(pub Vec<(String, String)>, pub Lang, pub Calendar);

impl Problems {
    /// Problems worded in `lang`, in UTC.
    pub fn new(lang: Lang) -> Problems {
        Problems(Vec::new(), lang, Calendar::UTC)
    }

    /// The same in `calendar` (the project's time zone).
    pub fn in_calendar(self, calendar: Calendar) -> Problems {
        Problems(self.0, self.1, calendar)
    }

    /// The report's calendar.
    pub fn calendar(&self) -> Calendar {
        self.2
    }

    /// A spec's problems, each at its own field; None when there are any.
    pub fn spec(&mut self, r: Result<(), SpecErrors>) -> Option<()> {
        let Err(e) = r else { return Some(()) };
        for p in e.0 {
            // the query API's fields carry the domain's names
            self.0.push((p.field.name().to_string(), p.reason.words(self.1)));
        }
        None
    }

    pub fn keep<T>(&mut self, field: &str, r: Result<T, String>) -> Option<T> {
        r.map_err(|e| self.0.push((field.to_string(), e))).ok()
    }

    /// A problem with text the user wrote, worded in the request's language.
    pub fn keep_text<T>(&mut self, field: &str, r: Result<T, TextError>) -> Option<T> {
        let lang = self.1;
        r.map_err(|e| self.0.push((field.to_string(), e.words(lang)))).ok()
    }

    pub fn event(&mut self, field: &str, text: &str) -> Option<EventMatch> {
        self.keep_text(field, EventMatch::parse(text))
    }

    pub fn time(&mut self, field: &str, text: &Option<String>) -> Option<i64> {
        text.as_ref().and_then(|t| self.instant(field, t))
    }

    /// A time the request gives (RFC 3339, or a date or date-time without an offset, local to the calendar).
    pub fn instant(&mut self, field: &str, text: &str) -> Option<i64> {
        let calendar = self.2;
        self.keep_text(field, calendar.parse_time(text))
    }

    pub fn duration(&mut self, field: &str, text: &Option<String>) -> Option<i64> {
        text.as_ref().and_then(|t| self.keep_text(field, parse_duration(t)))
    }

    /// `spec` when no problem was recorded since there were `before` and it passes `validate` (whose problems
    /// are recorded too). A translator reads every field even when one is wrong (a stand-in takes its place)
    /// and checks the spec all the same, so the user hears of every problem at once.
    fn checked<T>(&mut self, before: usize, spec: T, validate: impl FnOnce(&T) -> Result<(), SpecErrors>) -> Option<T> {
        let valid = self.spec(validate(&spec)).is_some();
        (valid && self.0.len() == before).then_some(spec)
    }
}

/// What stands in for an event condition that could not be read.
fn any_event() -> EventMatch {
    EventMatch::name("*")
}

/// Which customers and events a report covers (all optional; the CLI's filter flags).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Filters {
    /// Only events at or after this time; journeys are cut to the range.
    pub since: Option<String>,
    /// Only events before this time.
    pub until: Option<String>,
    /// Only customers who did each of these (in the range).
    pub did: Vec<String>,
    /// Only customers who did none of these.
    pub did_not: Vec<String>,
    /// Conditions on the customer's latest traits: `plan = pro`.
    pub traits: Vec<String>,
    /// Only customers whose first touch came through one of these channel groups.
    pub first_channel: Vec<String>,
    /// Only customers whose current stage (default journey definition) is one of these keys, or `none`.
    pub stage: Vec<String>,
    /// Only customers in one of these lifecycle states: new, active, returning, reactivated, dormant, churned.
    pub lifecycle: Vec<String>,
    /// The IANA time zone of the report (`Europe/Moscow`): its days, weeks and months, and the times given
    /// without an offset. Default: the project's.
    pub time_zone: Option<String>,
}

impl Filters {
    /// Applies `time_zone`, if given, to the calendar of `p`. Call it before reading any time of the request.
    pub fn zone(&self, p: &mut Problems) {
        if let Some(name) = &self.time_zone {
            match parse_time_zone(name) {
                Ok(c) => p.2 = c,
                Err(e) => p.0.push(("filters.time_zone".into(), e.reason.words(p.1))),
            }
        }
    }

    /// The scope and the stage/lifecycle filter, with times read in the calendar of `p`.
    pub fn scope(&self, p: &mut Problems) -> (ScopeSpec, StateFilter) {
        let since = p.time("filters.since", &self.since);
        let until = p.time("filters.until", &self.until);
        if let (Some(s), Some(u)) = (since, until) {
            if u <= s {
                let reason = p.1.pick("must be later than the start of the range", "должно быть позже начала периода");
                p.0.push(("filters.until".into(), reason.into()));
            }
        }
        let events = |p: &mut Problems, name: &str, list: &[String]| -> Vec<EventMatch> {
            list.iter().enumerate().filter_map(|(i, t)| p.event(&format!("filters.{name}[{i}]"), t)).collect()
        };
        let scope = ScopeSpec {
            since,
            until,
            did: events(p, "did", &self.did),
            did_not: events(p, "did_not", &self.did_not),
            traits: self
                .traits
                .iter()
                .enumerate()
                .filter_map(|(i, t)| p.keep_text(&format!("filters.traits[{i}]"), ScopeSpec::parse_trait(t)))
                .collect(),
            first_channel: self.first_channel.iter().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect(),
        };
        let state =
            StateFilter { stages: self.stage.clone(), definition: None, lifecycle: self.lifecycle.clone(), until };
        // lifecycle states are checked here, in the user's words (stage keys need the definition: the report does)
        for (i, state) in self.lifecycle.iter().enumerate() {
            p.keep_text(&format!("filters.lifecycle[{i}]"), LifecycleState::parse(state.trim()));
        }
        (scope, state)
    }
}

/// A report over the filtered data with no other parameters (`/api/v1/stats`).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct StatsRequest {
    pub filters: Filters,
}

impl StatsRequest {
    /// The statistics' days are those of the request's calendar.
    pub fn spec(&self, p: &Problems) -> StatsFold {
        StatsFold { calendar: p.2 }
    }
}

/// One funnel step.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FunnelStepRequest {
    /// `EVENT [where FIELD OP VALUE and …]`.
    pub event: String,
    /// An optional step may be skipped.
    #[serde(default)]
    pub optional: bool,
    /// At least this long after the previous step (`10m`).
    pub min_time: Option<String>,
    /// At most this long after the previous step (`2d`).
    pub max_time: Option<String>,
}

/// Doing `event` between step `after` and the next stops the customer at step `after`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExclusionRequest {
    pub after: usize,
    pub event: String,
}

/// `/api/v1/funnel`: conversion through ordered steps.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FunnelRequest {
    /// Two or more steps, in order.
    pub steps: Vec<FunnelStepRequest>,
    /// ordered (default), strict or any.
    pub mode: Option<String>,
    /// Conversion window from the first step (default 7d).
    pub window: Option<String>,
    #[serde(default)]
    pub exclusions: Vec<ExclusionRequest>,
    /// A field of the first step (channel, campaign, a property), `trait.KEY` or `first_channel`.
    pub breakdown: Option<String>,
    /// Conversion by entry period: day, week or month.
    pub trend: Option<String>,
    /// Only customers whose first step is at or after this time.
    pub from: Option<String>,
    /// Only customers whose first step is before this time.
    pub to: Option<String>,
    /// Next events shown per drop-off step (default 5).
    pub top: Option<usize>,
    #[serde(default)]
    pub filters: Filters,
}

impl FunnelRequest {
    pub fn spec(&self, p: &mut Problems) -> Option<FunnelSpec> {
        let before = p.0.len();
        let steps = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let matcher = p.event(&format!("steps[{i}].event"), &s.event).unwrap_or_else(any_event);
                let min_ms = p.duration(&format!("steps[{i}].min_time"), &s.min_time);
                let max_ms = p.duration(&format!("steps[{i}].max_time"), &s.max_time);
                Step { matcher, optional: s.optional, min_ms, max_ms }
            })
            .collect();
        let exclusions = self
            .exclusions
            .iter()
            .enumerate()
            .map(|(i, x)| Exclusion {
                matcher: p.event(&format!("exclusions[{i}].event"), &x.event).unwrap_or_else(any_event),
                after: x.after,
            })
            .collect();
        let mode = p.keep_text("mode", FunnelMode::parse(self.mode.as_deref().unwrap_or("ordered")));
        let window_ms = p.keep_text("window", parse_duration(self.window.as_deref().unwrap_or("7d")));
        let trend = self.trend.as_deref().and_then(|t| p.keep_text("trend", Period::parse(t)));
        let spec = FunnelSpec {
            steps,
            mode: mode.unwrap_or(FunnelMode::Ordered),
            window_ms: window_ms.unwrap_or(1),
            exclusions,
            breakdown: self.breakdown.as_deref().map(Breakdown::parse),
            trend,
            calendar: p.2,
            from: p.time("from", &self.from),
            to: p.time("to", &self.to),
            dropoff_top: self.top.unwrap_or(5),
        };
        p.checked(before, spec, FunnelSpec::validate)
    }
}

/// `/api/v1/paths`: the top paths after a start event or before an end event.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PathsRequest {
    /// Start at each customer's first such event.
    pub from: Option<String>,
    /// End at each customer's first such event.
    pub to: Option<String>,
    /// Events per path, 1 to 20 (default 5).
    pub depth: Option<usize>,
    /// Count consecutive repeats of an event once.
    #[serde(default)]
    pub collapse: bool,
    /// A gap longer than this ends the path (`30m`).
    pub session: Option<String>,
    /// Paths listed (default 20).
    pub top: Option<usize>,
    /// Count customers who do this event later than the path's start.
    pub conversion: Option<String>,
    #[serde(default)]
    pub filters: Filters,
}

impl PathsRequest {
    pub fn spec(&self, p: &mut Problems) -> Option<PathsSpec> {
        let before = p.0.len();
        let step =
            |p: &mut Problems, f: &str, t: &Option<String>| t.as_ref().map(|t| p.event(f, t).unwrap_or_else(any_event));
        let spec = PathsSpec {
            from: step(p, "from", &self.from),
            to: step(p, "to", &self.to),
            depth: self.depth.unwrap_or(5),
            collapse: self.collapse,
            session_ms: p.duration("session", &self.session),
            top: self.top.unwrap_or(20),
            conversion: step(p, "conversion", &self.conversion),
        };
        p.checked(before, spec, PathsSpec::validate)
    }
}

/// `/api/v1/retention`: cohorts by first occurrence of an event and who comes back.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionRequest {
    /// Cohort entry event (default `*`, the first activity).
    pub start: Option<String>,
    /// What counts as coming back (default `*`, any event).
    #[serde(rename = "return")]
    pub return_event: Option<String>,
    /// day, week (default) or month.
    pub period: Option<String>,
    /// Columns after the entry period (default 12).
    pub periods: Option<usize>,
    /// on (default) or on-or-after.
    pub mode: Option<String>,
    pub breakdown: Option<String>,
    /// Also the share who do the return event again within this time of entry.
    pub repeat_within: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// The data is complete up to this time (default: just after the latest event).
    pub now: Option<String>,
    #[serde(default)]
    pub filters: Filters,
}

impl RetentionRequest {
    pub fn spec(&self, p: &mut Problems) -> Option<RetentionSpec> {
        let before = p.0.len();
        let start = p.event("start", self.start.as_deref().unwrap_or("*"));
        let return_event = p.event("return", self.return_event.as_deref().unwrap_or("*"));
        let period = p.keep_text("period", Period::parse(self.period.as_deref().unwrap_or("week")));
        let mode = p.keep_text("mode", RetentionMode::parse(self.mode.as_deref().unwrap_or("on")));
        let spec = RetentionSpec {
            start: start.unwrap_or_else(any_event),
            return_event: return_event.unwrap_or_else(any_event),
            period: period.unwrap_or(Period::Week),
            periods: self.periods.unwrap_or(12),
            mode: mode.unwrap_or(RetentionMode::On),
            breakdown: self.breakdown.as_deref().map(Breakdown::parse),
            repeat_within_ms: p.duration("repeat_within", &self.repeat_within),
            from: p.time("from", &self.from),
            to: p.time("to", &self.to),
            now: p.time("now", &self.now),
            calendar: p.2,
        };
        p.checked(before, spec, RetentionSpec::validate)
    }
}

/// A request of an analysis endpoint: its filters and how it becomes the analysis' spec.
pub trait Analysis: serde::de::DeserializeOwned + Default + Send + 'static {
    type Spec: Send + 'static;
    /// Whether an empty body is an error (else it means all defaults).
    const BODY_REQUIRED: bool;
    fn filters(&self) -> &Filters;
    /// The project saved its own journey definition: use it where the request gives none.
    fn project_definition(&mut self, _definition: &JourneyDefinition) {}
    /// The spec, or `None` with the problems recorded.
    fn spec(&self, engine: &dyn Engine, p: &mut Problems) -> Option<Self::Spec>;
    /// (field, text) of every event the request names ([`unknown_events`] checks them against the data).
    fn events(&self) -> Vec<(String, String)> {
        self.filters().events()
    }
    /// (field, text) of the breakdown, if any ([`unknown_properties`] checks it against the data).
    fn breakdown(&self) -> Option<(String, String)> {
        None
    }
}

impl Analysis for StatsRequest {
    type Spec = StatsFold;
    const BODY_REQUIRED: bool = false;
    fn filters(&self) -> &Filters {
        &self.filters
    }
    fn spec(&self, _: &dyn Engine, p: &mut Problems) -> Option<StatsFold> {
        Some(StatsRequest::spec(self, p))
    }
}

impl Analysis for StagesRequest {
    type Spec = StagesSpec;
    const BODY_REQUIRED: bool = false;
    fn filters(&self) -> &Filters {
        &self.filters
    }
    fn project_definition(&mut self, definition: &JourneyDefinition) {
        self.project_definition = Some(definition.clone());
    }
    fn spec(&self, engine: &dyn Engine, p: &mut Problems) -> Option<StagesSpec> {
        let latest = engine.time_bounds().ok().and_then(|(_, max)| max);
        self.spec_at(latest, p)
    }
}

macro_rules! analysis {
    ($($t:ty => $spec:ty),*) => {$(
        impl Analysis for $t {
            type Spec = $spec;
            const BODY_REQUIRED: bool = true;
            fn filters(&self) -> &Filters {
                &self.filters
            }
            fn spec(&self, _: &dyn Engine, p: &mut Problems) -> Option<$spec> {
                <$t>::spec(self, p)
            }
            fn events(&self) -> Vec<(String, String)> {
                NamedEvents::events(self)
            }
            fn breakdown(&self) -> Option<(String, String)> {
                NamedEvents::breakdown(self)
            }
        }
    )*};
}
analysis!(FunnelRequest => FunnelSpec, PathsRequest => PathsSpec, RetentionRequest => RetentionSpec);
