//! The stages request: the journey definition, the report's instant, the stuck and lifecycle thresholds and the
//! instants of the lifecycle transition matrix.

use schemars::JsonSchema;
use serde::Deserialize;
use tropa_core::analysis::lifecycle::{LifecycleSpec, LifecycleThresholds};
use tropa_core::analysis::stages::{DefinitionFormat, JourneyDefinition, StagesSpec};
use tropa_core::time::parse_duration;

use super::{Filters, Problems};

/// `/api/v1/stages`: where customers are in the journey, conversion between stages, stuck customers, lifecycle.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct StagesRequest {
    /// A journey definition in JSON (the shape of `tropa stages definition`); default: the five stages from awareness to repeat purchase.
    pub definition: Option<serde_json::Value>,
    /// The report's instant (default: the latest event).
    pub now: Option<String>,
    /// Customers in a stage longer than this are stuck (default 14d).
    pub stuck: Option<String>,
    /// No activity for longer than this: dormant (default: the definition's `lifecycle.dormant`, else 30d).
    pub dormant: Option<String>,
    /// No activity for longer than this: churned (default: the definition's `lifecycle.churn`, else 90d).
    pub churn: Option<String>,
    /// Also the matrix of lifecycle transitions between two instants (both at most `now`).
    pub transitions: Option<TransitionsRequest>,
    pub filters: Filters,
    /// The definition used when `definition` is not given: the project's saved one (the query API, the web
    /// app), or a file the CLI has read.
    #[serde(skip)]
    #[schemars(skip)]
    pub project_definition: Option<JourneyDefinition>,
}

/// The two instants of a lifecycle transition matrix: each customer's state at `from` against that at `to`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionsRequest {
    pub from: String,
    pub to: String,
}

impl StagesRequest {
    /// The spec as of `latest` (the data's last event) unless `now` is given.
    pub fn spec_at(&self, latest: Option<i64>, p: &mut Problems) -> Option<StagesSpec> {
        let before = p.0.len();
        let definition = match (&self.definition, &self.project_definition) {
            (None, Some(saved)) => Some(saved.clone()),
            (None, None) => p.keep("definition", JourneyDefinition::default_definition().map_err(|e| e.to_string())),
            (Some(v), _) => p.keep(
                "definition",
                JourneyDefinition::parse(&v.to_string(), DefinitionFormat::Json).map_err(|e| e.to_string()),
            ),
        };
        let stuck_ms = p.keep_text("stuck", parse_duration(self.stuck.as_deref().unwrap_or("14d")));
        let dormant = p.duration("dormant", &self.dormant);
        let churn = p.duration("churn", &self.churn);
        let transitions = self
            .transitions
            .as_ref()
            .map(|t| (p.instant("transitions.from", &t.from), p.instant("transitions.to", &t.to)));
        let now = p.time("now", &self.now);
        if self.now.is_none() && latest.is_none() {
            let reason = p.1.pick(
                "the project holds no events yet: add some first",
                "в проекте ещё нет событий: сначала добавьте их",
            );
            p.0.push(("now".into(), reason.into()));
        }
        // the rest is checked with stand-ins for what could not be read, given a definition and an instant
        let now = if self.now.is_some() { now } else { latest };
        let (Some(definition), Some(now)) = (definition, now) else { return None };
        let thresholds = self.thresholds(&definition, (dormant, churn), p).unwrap_or_default();
        let lifecycle = LifecycleSpec {
            activity: definition.lifecycle.activity.clone(),
            thresholds,
            at: now,
            transitions: transitions.and_then(|(from, to)| from.zip(to)),
        };
        let spec = StagesSpec { definition, now, stuck_ms: stuck_ms.unwrap_or(1), lifecycle };
        p.checked(before, spec, StagesSpec::validate)
    }

    /// The lifecycle thresholds: the request's, else the definition's, else the defaults. A problem is at the
    /// threshold at fault where the request gives one, else at the definition's.
    fn thresholds(
        &self,
        definition: &JourneyDefinition,
        (dormant, churn): (Option<i64>, Option<i64>),
        p: &mut Problems,
    ) -> Option<LifecycleThresholds> {
        let defaults = LifecycleThresholds::default();
        let dormant_ms = dormant.or(definition.lifecycle.dormant_ms).unwrap_or(defaults.dormant_ms);
        let churn_ms = churn.or(definition.lifecycle.churn_ms).unwrap_or(defaults.churn_ms);
        if (self.dormant.is_some() && dormant.is_none()) || (self.churn.is_some() && churn.is_none()) {
            return None; // already a problem: unreadable
        }
        LifecycleThresholds::new(dormant_ms, churn_ms)
            .map_err(|(which, reason)| {
                let given = |w: &str| if w == "dormant" { self.dormant.is_some() } else { self.churn.is_some() };
                let other = if which == "dormant" { "churn" } else { "dormant" };
                let field = if given(which) {
                    which
                } else if given(other) {
                    other
                } else {
                    "definition.lifecycle"
                };
                p.0.push((field.into(), reason.words(p.1)));
            })
            .ok()
    }
}
