//! The report commands go through the one translator of request text, [`tropa_app::request`], exactly as the
//! query API and the web app do. Each command builds the request type from its flags; the translator reads it
//! in the CLI's language and the report's calendar (the project's time zone, or `--time-zone`) and returns every
//! problem at once, each at the request's JSON field (`steps[2].event`, `window`, `filters.since`); [`flag`],
//! the one mapping, names each field as the CLI's flag (`--step '<the text of step 3>'`, `--window`,
//! `--since`). The CLI itself reads only its flags' own syntax (`--exclude N:EVENT`, `--step-limit
//! N=MIN..MAX`, `--transitions FROM..TO`, the `?` of an optional step) and files (`--definition`,
//! `--stage-definition`).
//!
//! ```text
//! tropa funnel --step view --step 'buy where price > many' --window 7x --since yesterday
//! error: --step 'buy where price > many': value must be a number, not 'many'; --window: '7x': unknown unit 'x';
//!        --since: 'yesterday' is not an RFC 3339 time
//! ```

use std::fmt::Display;

use tropa_app::request::{empty_warnings, event_warnings, property_warnings, Filters, Outcome, Problems, Warning};
use tropa_core::analysis::scope::{CustomerTest, ScopeSpec};
use tropa_core::calendar::Calendar;
use tropa_core::settings::ProjectSettings;
use tropa_engine::report::StateFilter;
use tropa_engine::{Engine, EngineError};

use super::scope::FilterArgs;
use crate::lang::tr;
use crate::UserError;

/// The CLI's flag of a request field, a JSON path of the query API: `steps[2].event` → `--step`,
/// `steps[2].min_time` → `--step-limit`, `exclusions[0].event` → `--exclude`, `filters.did_not[1]` →
/// `--did-not`, `filters.traits[0]` → `--trait`, `transitions.to` → `--transitions`, `repeat_within` →
/// `--repeat-within`; every other field is the flag of its name.
pub fn flag(path: &str) -> String {
    let path = path.strip_prefix("filters.").unwrap_or(path);
    let head = path.split(['[', '.']).next().unwrap_or(path);
    let last = path.rsplit('.').next().unwrap_or(path);
    let name = match (head, last) {
        ("steps", "min_time" | "max_time") => "step-limit",
        ("steps", _) => "step",
        ("exclusions", _) => "exclude",
        ("traits", _) => "trait",
        ("problems", _) => "problem",
        _ => head,
    };
    format!("--{}", name.replace('_', "-"))
}

/// How the CLI names the fields where the flag alone does not say which (a repeated flag, an event
/// condition: the text the user typed follows the flag), and the problems with a flag's own syntax found while
/// the command built its request.
#[derive(Default)]
pub struct Names {
    names: Vec<(String, String)>,
    syntax: Vec<String>,
}

impl Names {
    /// The field at `path` is named by its flag and the text the user typed there: `--step 'view where …'`.
    pub fn typed(&mut self, path: impl Into<String>, text: &str) {
        let path = path.into();
        let name = format!("{} '{text}'", flag(&path));
        self.names.push((path, name));
    }

    /// The field at `path` is named `name` (a problem about two flags at once: `--from/--to`).
    pub fn named(&mut self, path: &str, name: &str) {
        self.names.push((path.to_string(), name.to_string()));
    }

    /// A problem with the syntax of a flag itself, at the flag.
    pub fn syntax(&mut self, flag: &str, reason: impl Display) {
        self.syntax.push(format!("{flag}: {reason}"));
    }

    /// How the CLI names the field at `path`.
    pub fn name(&self, path: &str) -> String {
        match self.names.iter().find(|(p, _)| p == path) {
            Some((_, name)) => name.clone(),
            None => flag(path),
        }
    }
}

/// One report command's translation: the translator's problems (in the CLI's language and the report's
/// calendar) and the CLI's names of the fields.
pub struct Translation {
    pub problems: Problems,
    names: Names,
}

impl Translation {
    /// Starts reading a request with `filters`: in the project's calendar, or `--time-zone`'s.
    pub fn new(settings: &ProjectSettings, filters: &Filters, names: Names) -> Translation {
        let mut problems = Problems::new(crate::lang::lang()).in_calendar(settings.calendar);
        filters.zone(&mut problems);
        Translation { problems, names }
    }

    /// The filters' scope with the spec, or every problem at once, each at its flag (a user error); `events` are
    /// the (field, text) of the events the request names, checked against the data when the report runs.
    pub fn finish<S>(
        mut self,
        spec: Option<S>,
        filters: &Filters,
        args: &FilterArgs,
        events: Vec<(String, String)>,
    ) -> anyhow::Result<Scoped<S>> {
        let (scope, mut state) = filters.scope(&mut self.problems);
        let mut all = std::mem::take(&mut self.names.syntax);
        all.extend(self.problems.0.iter().map(|(field, reason)| format!("{}: {reason}", self.names.name(field))));
        let spec = match spec {
            Some(spec) if all.is_empty() => spec,
            _ => return Err(UserError(all.join("; ")).into()),
        };
        state.definition = args.stage_definition()?;
        Ok(Scoped {
            spec,
            scope,
            state,
            calendar: self.problems.calendar(),
            events,
            breakdown: None,
            names: self.names,
        })
    }
}

/// A translated report command, to run once the data is open.
pub struct Scoped<S> {
    pub spec: S,
    pub scope: ScopeSpec,
    state: StateFilter,
    /// The report's calendar.
    pub calendar: Calendar,
    events: Vec<(String, String)>,
    /// (field, text) of the breakdown, checked against the data's properties when the report runs.
    breakdown: Option<(String, String)>,
    names: Names,
}

/// A report with the warnings about what it was asked for (an event the data never had, with the name most
/// likely meant); its JSON is the report's with a `warnings` list, like the query API's answer.
#[derive(serde::Serialize)]
pub struct Reported<Out> {
    #[serde(flatten)]
    out: Out,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<Warning>,
}

impl<Out> std::ops::Deref for Reported<Out> {
    type Target = Out;
    fn deref(&self) -> &Out {
        &self.out
    }
}

impl<Out> std::ops::DerefMut for Reported<Out> {
    fn deref_mut(&mut self) -> &mut Out {
        &mut self.out
    }
}

impl<S> Scoped<S> {
    /// The same with the spec made into another (once the data is open).
    pub fn map<T>(self, f: impl FnOnce(S) -> T) -> Scoped<T> {
        Scoped {
            spec: f(self.spec),
            scope: self.scope,
            state: self.state,
            calendar: self.calendar,
            events: self.events,
            breakdown: self.breakdown,
            names: self.names,
        }
    }

    /// The breakdown the request asks for (field, text), warned about like the events when the data has no such
    /// property.
    pub fn with_breakdown(mut self, breakdown: Option<(String, String)>) -> Self {
        self.breakdown = breakdown;
        self
    }

    /// Runs `report` (one of [`tropa_engine::report`], the implementation the HTTP API uses too) with the
    /// filters' stage and lifecycle tests; an event the data never had is a warning on standard error, at its
    /// flag, with the name most likely meant.
    pub fn report<Out: Outcome>(
        self,
        engine: &dyn Engine,
        report: impl FnOnce(&dyn Engine, S, ScopeSpec, Vec<Box<dyn CustomerTest>>) -> Result<Out, EngineError>,
    ) -> anyhow::Result<Reported<Out>> {
        let mut warnings = event_warnings(&self.events, &engine.dictionaries(), crate::lang::lang());
        if self.breakdown.is_some() || self.events.iter().any(|(_, t)| t.contains(" where ")) {
            let catalog = engine.catalog()?;
            let b = self.breakdown.as_ref().map(|(f, t)| (f.as_str(), t.as_str()));
            warnings.extend(property_warnings(&self.events, b, &catalog, crate::lang::lang()));
        }
        for w in &warnings {
            eprintln!("{}: {}: {}", tr("warning", "предупреждение"), self.names.name(&w.field), w.message);
        }
        let tests = self.state.tests(engine).map_err(|e| match e {
            EngineError::Invalid { field, reason } => UserError::arg(&flag(&format!("filters.{field}")), reason),
            other => other.into(),
        })?;
        let out = super::engine_report(report(engine, self.spec, self.scope.clone(), tests))?;
        // an empty report says why (no events in the period, the filters, the report's own conditions)
        let why = (&self.scope, &self.state);
        let empty =
            super::engine_report(empty_warnings(&out, engine, &self.events, why, self.calendar, crate::lang::lang()))?;
        for w in &empty {
            eprintln!("{}: {}", tr("empty result", "пустой результат"), w.message);
        }
        let warnings = warnings.into_iter().chain(empty).collect();
        Ok(Reported { out, warnings })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_of_the_request_types_has_its_flag() {
        for (path, expect) in [
            ("steps", "--step"),
            ("steps[2].event", "--step"),
            ("steps[1].min_time", "--step-limit"),
            ("steps[1].max_time", "--step-limit"),
            ("exclusions", "--exclude"),
            ("exclusions[0].event", "--exclude"),
            ("window", "--window"),
            ("mode", "--mode"),
            ("trend", "--trend"),
            ("from", "--from"),
            ("to", "--to"),
            ("depth", "--depth"),
            ("session", "--session"),
            ("top", "--top"),
            ("conversion", "--conversion"),
            ("start", "--start"),
            ("return", "--return"),
            ("period", "--period"),
            ("periods", "--periods"),
            ("repeat_within", "--repeat-within"),
            ("now", "--now"),
            ("stuck", "--stuck"),
            ("dormant", "--dormant"),
            ("churn", "--churn"),
            ("transitions", "--transitions"),
            ("transitions.from", "--transitions"),
            ("definition", "--definition"),
            ("definition.lifecycle", "--definition"),
            ("problems[3]", "--problem"),
            ("filters.since", "--since"),
            ("filters.until", "--until"),
            ("filters.did[0]", "--did"),
            ("filters.did_not[1]", "--did-not"),
            ("filters.traits[0]", "--trait"),
            ("filters.first_channel", "--first-channel"),
            ("filters.stage", "--stage"),
            ("filters.lifecycle", "--lifecycle"),
            ("filters.time_zone", "--time-zone"),
        ] {
            assert_eq!(flag(path), expect, "{path}");
        }
    }

    #[test]
    fn a_typed_field_is_named_with_its_text_and_others_by_their_flag() {
        let mut names = Names::default();
        names.typed("steps[2].event", "buy where price > many");
        names.named("from", "--from/--to");
        assert_eq!(names.name("steps[2].event"), "--step 'buy where price > many'");
        assert_eq!(names.name("steps[0].event"), "--step");
        assert_eq!(names.name("from"), "--from/--to");
        assert_eq!(names.name("filters.since"), "--since");
    }
}
