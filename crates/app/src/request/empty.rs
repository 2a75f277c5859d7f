//! Why a report came out empty. "No data" on a chart leaves a reader guessing whether the event does not exist,
//! nothing happened in the period, the filters left nobody, or the customers simply did not do what was asked —
//! four different answers to act on. [`why_empty`] tells them apart with one scan of the period (made only when
//! a report is empty): the web app shows the reason where the chart would be, the query API and the CLI add it to
//! their `warnings` (field `result`).

use tropa_core::analysis::filter::EventMatch;
use tropa_core::analysis::funnel::FunnelReport;
use tropa_core::analysis::lanes::LanesReport;
use tropa_core::analysis::paths::PathsReport;
use tropa_core::analysis::retention::RetentionReport;
use tropa_core::analysis::scope::ScopeSpec;
use tropa_core::analysis::stages::StagesReport;
use tropa_core::analysis::stats::{StatsFold, StatsReport};
use tropa_core::calendar::Calendar;
use tropa_core::lang::Lang;
use tropa_engine::report::{self, StateFilter};
use tropa_engine::{Engine, EngineError};

use super::Warning;

/// A report that can come out empty.
pub trait Outcome {
    /// Nobody is in it: nothing to draw.
    fn is_empty(&self) -> bool;
}

impl Outcome for FunnelReport {
    fn is_empty(&self) -> bool {
        self.steps.first().is_none_or(|s| s.customers == 0)
    }
}

impl Outcome for PathsReport {
    fn is_empty(&self) -> bool {
        self.total == 0
    }
}

impl Outcome for RetentionReport {
    fn is_empty(&self) -> bool {
        self.cohorts.iter().all(|c| c.curve.customers == 0)
    }
}

impl Outcome for StatsReport {
    fn is_empty(&self) -> bool {
        self.events == 0
    }
}

impl Outcome for LanesReport {
    fn is_empty(&self) -> bool {
        self.customers == 0
    }
}

impl Outcome for StagesReport {
    fn is_empty(&self) -> bool {
        self.customers == 0
    }
}

impl Outcome for tropa_core::analysis::feedback::FeedbackReport {
    fn is_empty(&self) -> bool {
        self.customers == 0
    }
}

impl Outcome for Vec<tropa_engine::report::FeedbackItem> {
    fn is_empty(&self) -> bool {
        self.is_empty()
    }
}

/// Why a report is empty, most specific first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Empty {
    /// The project has no events at all.
    NoData,
    /// The project has events, none in the period; the data's first and last days (in the report's calendar).
    NothingInPeriod { first: String, last: String },
    /// An event the report starts from or counts happened in other periods, never in this one (an event the data
    /// never had is a warning of its own, with a suggestion).
    EventNotInPeriod { field: String, name: String },
    /// The period has the events, and the filters left no customer.
    Filters,
    /// The period has the events and the customers, who did not do what the report asks (conditions, order, time
    /// limits).
    NoMatch,
}

impl Empty {
    /// The field a warning names: the event's field, else `result`.
    pub fn field(&self) -> &str {
        match self {
            Empty::EventNotInPeriod { field, .. } => field,
            _ => "result",
        }
    }

    pub fn words(&self, lang: Lang) -> String {
        let date = |iso: &str| match lang {
            Lang::En => iso.to_string(),
            Lang::Ru if iso.len() == 10 => format!("{}.{}.{}", &iso[8..10], &iso[5..7], &iso[..4]),
            Lang::Ru => iso.to_string(),
        };
        match (self, lang) {
            (Empty::NoData, Lang::En) => "the project has no events yet: send events or import a file".into(),
            (Empty::NoData, Lang::Ru) => "в проекте ещё нет событий: отправьте события или загрузите файл".into(),
            (Empty::NothingInPeriod { first, last }, Lang::En) => {
                format!("no events in this period: the data runs from {} to {}", date(first), date(last))
            }
            (Empty::NothingInPeriod { first, last }, Lang::Ru) => {
                format!("в этом периоде событий нет: данные есть с {} по {}", date(first), date(last))
            }
            (Empty::EventNotInPeriod { name, .. }, Lang::En) => {
                format!("no '{name}' event in this period (it happened in other periods)")
            }
            (Empty::EventNotInPeriod { name, .. }, Lang::Ru) => {
                format!("в этом периоде нет события '{name}' (в другие периоды оно было)")
            }
            (Empty::Filters, Lang::En) => "the period has events, but no customer passes the filters".into(),
            (Empty::Filters, Lang::Ru) => "события в периоде есть, но ни один клиент не прошёл фильтры".into(),
            (Empty::NoMatch, Lang::En) => {
                "customers of this period did not do what the report asks: check the conditions, the order of \
                 the steps and the time limits"
                    .into()
            }
            (Empty::NoMatch, Lang::Ru) => {
                "клиенты этого периода не сделали того, что задано в отчёте: проверьте условия, порядок шагов и \
                 ограничения по времени"
                    .into()
            }
        }
    }

    pub fn warning(&self, lang: Lang) -> Warning {
        Warning { field: self.field().to_string(), message: self.words(lang), suggestion: None }
    }
}

/// Why a report over `scope` (its period and filters) and `state` (stage and lifecycle filters), naming `named`
/// events (field, condition text), came out empty. Events of the filters (`filters.*`) and exclusions are not
/// what a report starts from and are left to [`Empty::Filters`]. Every event in the period that the report names
/// → the filters or the report's own conditions; reasons found are all returned (one per missing event). Nothing
/// when the report names an event the data never had: that event's own warning is the reason.
pub fn why_empty(
    engine: &dyn Engine,
    named: &[(String, String)],
    scope: &ScopeSpec,
    state: &StateFilter,
    calendar: Calendar,
) -> Result<Vec<Empty>, EngineError> {
    let (first, last) = engine.time_bounds()?;
    let (Some(first), Some(last)) = (first, last) else {
        return Ok(vec![Empty::NoData]);
    };
    let period = ScopeSpec { since: scope.since, until: scope.until, ..ScopeSpec::default() };
    let in_period = report::stats(engine, StatsFold { calendar }, period, Vec::new())?;
    if in_period.events == 0 {
        let (first, last) = (calendar.format_date(first), calendar.format_date(last));
        return Ok(vec![Empty::NothingInPeriod { first, last }]);
    }
    let dicts = engine.dictionaries();
    let own: Vec<(&String, String)> = named
        .iter()
        .filter(|(field, _)| !field.starts_with("filters.") && !field.starts_with("exclusions"))
        .filter_map(|(field, text)| Some((field, EventMatch::parse(text).ok()?.event)))
        .filter(|(_, name)| name != "*")
        .collect();
    if own.iter().any(|(_, name)| dicts.name_code(name).is_none()) {
        // an event the data never had: its own warning (with the name most likely meant) already says why
        return Ok(Vec::new());
    }
    let missing: Vec<Empty> = own
        .into_iter()
        .filter(|(_, name)| !in_period.events_by_name.iter().any(|r| &r.value == name && r.events > 0))
        .map(|(field, name)| Empty::EventNotInPeriod { field: field.clone(), name })
        .collect();
    if !missing.is_empty() {
        return Ok(missing);
    }
    let filtered = !(scope.did.is_empty()
        && scope.did_not.is_empty()
        && scope.traits.is_empty()
        && scope.first_channel.is_empty()
        && state.stages.is_empty()
        && state.lifecycle.is_empty());
    if filtered {
        let tests = state.tests(engine)?;
        let passing = report::stats(engine, StatsFold { calendar }, scope.clone(), tests)?;
        if passing.customers == 0 {
            return Ok(vec![Empty::Filters]);
        }
    }
    Ok(vec![Empty::NoMatch])
}

/// [`why_empty`] as warnings in `lang` when `out` is empty; nothing otherwise.
pub fn empty_warnings<O: Outcome>(
    out: &O,
    engine: &dyn Engine,
    named: &[(String, String)],
    (scope, state): (&ScopeSpec, &StateFilter),
    calendar: Calendar,
    lang: Lang,
) -> Result<Vec<Warning>, EngineError> {
    if !out.is_empty() {
        return Ok(Vec::new());
    }
    Ok(why_empty(engine, named, scope, state, calendar)?.iter().map(|e| e.warning(lang)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tropa_testkit::{track, NaiveEngine};

    const DAY: i64 = 86_400_000;
    const JAN1: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    fn named(events: &[&str]) -> Vec<(String, String)> {
        events.iter().enumerate().map(|(i, e)| (format!("steps[{i}].event"), e.to_string())).collect()
    }

    fn period(from: i64, to: i64) -> ScopeSpec {
        ScopeSpec { since: Some(from), until: Some(to), ..ScopeSpec::default() }
    }

    #[test]
    fn an_empty_report_says_which_of_four_reasons_it_is() {
        let engine = NaiveEngine::new();
        let none = StateFilter::default();
        let cal = Calendar::UTC;
        let why = |named: &[(String, String)], scope: &ScopeSpec| why_empty(&engine, named, scope, &none, cal).unwrap();
        assert_eq!(why(&named(&["view_item"]), &ScopeSpec::default()), [Empty::NoData]);
        engine
            .ingest(vec![
                track(1, "alice", JAN1, "view_item"),
                track(2, "alice", JAN1 + DAY, "purchase"),
                track(3, "bob", JAN1 + 40 * DAY, "view_item"),
            ])
            .unwrap();
        let steps = named(&["view_item", "purchase"]);
        assert_eq!(
            why(&steps, &period(JAN1 + 400 * DAY, JAN1 + 401 * DAY)),
            [Empty::NothingInPeriod { first: "2026-01-01".into(), last: "2026-02-10".into() }]
        );
        assert_eq!(
            why(&steps, &period(JAN1 + 30 * DAY, JAN1 + 50 * DAY)),
            [Empty::EventNotInPeriod { field: "steps[1].event".into(), name: "purchase".into() }]
        );
        let pro = ScopeSpec { traits: vec![ScopeSpec::parse_trait("plan = pro").unwrap()], ..ScopeSpec::default() };
        assert_eq!(why(&steps, &pro), [Empty::Filters]);
        let backwards = named(&["purchase where revenue > 10", "view_item"]);
        assert_eq!(why(&backwards, &ScopeSpec::default()), [Empty::NoMatch]);
        assert!(why(&named(&["view_itme"]), &ScopeSpec::default()).is_empty(), "the unknown event's warning says it");
        let filters = vec![("filters.did[0]".to_string(), "refund".to_string())];
        assert_eq!(why(&filters, &ScopeSpec::default()), [Empty::NoMatch], "filters' events are not the report's own");
        let w = Empty::NothingInPeriod { first: "2026-01-01".into(), last: "2026-02-10".into() }.warning(Lang::Ru);
        assert_eq!(
            (w.field.as_str(), w.message.as_str()),
            ("result", "в этом периоде событий нет: данные есть с 01.01.2026 по 10.02.2026")
        );
    }
}
