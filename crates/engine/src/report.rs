//! Every analysis as one call over an engine: the report of a spec, over the customers and events a
//! [`ScopeSpec`] (and any [`CustomerTest`]s) select. The CLI and the HTTP query API both answer through these
//! functions, so a report is the same whichever way it is asked for. Each spec that buckets time (stats' days, a
//! funnel's trend, retention's cohorts) carries its [`tropa_core::calendar::Calendar`]: the project's time zone.

use tropa_core::analysis::attribution::{AttributionFold, AttributionReport, AttributionSpec};
use tropa_core::analysis::customers::{CustomerListFold, CustomerRow, TopCustomersFold};
use tropa_core::analysis::funnel::{FunnelFold, FunnelReport, FunnelSpec};
use tropa_core::analysis::lanes::{LanesFold, LanesReport, LanesSpec};
use tropa_core::analysis::lifecycle::{LifecycleState, LifecycleThresholds};
use tropa_core::analysis::paths::{PathsFold, PathsReport, PathsSpec};
use tropa_core::analysis::retention::{RetentionFold, RetentionReport, RetentionSpec};
use tropa_core::analysis::scope::{CustomerTest, LifecycleTest, Scope, ScopeSpec, StageTest};
use tropa_core::analysis::stages::{JourneyDefinition, StagesFold, StagesReport, StagesSpec};
use tropa_core::analysis::stats::{StatsFold, StatsReport};
use tropa_core::{Columns, JourneyFold};

use crate::{fold, Engine, EngineError, ScanSpec};

fn invalid(field: &str) -> impl FnOnce(String) -> EngineError + '_ {
    move |reason| EngineError::Invalid { field: field.into(), reason }
}

/// Runs `inner` (whose scan needs `columns`) over the customers and events `spec` and `tests` select.
pub fn scoped_fold<F: JourneyFold>(
    engine: &dyn Engine,
    inner: F,
    columns: Columns,
    spec: ScopeSpec,
    tests: Vec<Box<dyn CustomerTest>>,
) -> Result<(F::Acc, Scope<F>), EngineError> {
    scoped_fold_having(engine, inner, columns, spec, tests, None)
}

/// [`scoped_fold`] for a fold that counts only customers with an event of one of `having`'s names (the
/// [`ScanSpec::having`] hint: the engine may skip the others before building their journeys).
pub fn scoped_fold_having<F: JourneyFold>(
    engine: &dyn Engine,
    inner: F,
    columns: Columns,
    spec: ScopeSpec,
    tests: Vec<Box<dyn CustomerTest>>,
    having: Option<Vec<String>>,
) -> Result<(F::Acc, Scope<F>), EngineError> {
    let dicts = engine.dictionaries();
    let mut scope = Scope::new(inner, columns, spec, &dicts);
    for t in tests {
        scope = scope.with_test(t);
    }
    let (from, to) = scope.scan_range();
    let scan = ScanSpec { from, to, having, ..ScanSpec::default() }.with_columns(scope.columns());
    let acc = fold(engine, &scan, &scope)?;
    Ok((acc, scope))
}

/// Which customers a report keeps by their state: current journey stage (keys of `definition`, or `none`) and
/// lifecycle state, both as of `until` (exclusive; default: the data's last event).
#[derive(Debug, Clone, Default)]
pub struct StateFilter {
    pub stages: Vec<String>,
    pub definition: Option<JourneyDefinition>,
    pub lifecycle: Vec<String>,
    pub until: Option<i64>,
}

impl StateFilter {
    /// The tests; errors name the field (`stage`, `lifecycle`).
    pub fn tests(&self, engine: &dyn Engine) -> Result<Vec<Box<dyn CustomerTest>>, EngineError> {
        let mut out: Vec<Box<dyn CustomerTest>> = Vec::new();
        if self.stages.is_empty() && self.lifecycle.is_empty() {
            return Ok(out);
        }
        let at = match self.until {
            Some(u) => u - 1,
            None => engine.time_bounds()?.1.unwrap_or(0),
        };
        if !self.stages.is_empty() {
            let def = match &self.definition {
                Some(d) => d.clone(),
                None => JourneyDefinition::default_definition().map_err(|e| invalid("stage")(e.to_string()))?,
            };
            let test = StageTest::new(&def, &self.stages, at, &engine.dictionaries()).map_err(invalid("stage"))?;
            out.push(Box::new(test));
        }
        if !self.lifecycle.is_empty() {
            let states = self
                .lifecycle
                .iter()
                .map(|s| LifecycleState::parse(s.trim()).map_err(|e| invalid("lifecycle")(e.to_string())))
                .collect::<Result<Vec<_>, _>>()?;
            out.push(Box::new(LifecycleTest::new(states, at, LifecycleThresholds::default())));
        }
        Ok(out)
    }
}

/// The statistics, with days of `spec.calendar`.
pub fn stats(
    engine: &dyn Engine,
    spec: StatsFold,
    scope: ScopeSpec,
    tests: Vec<Box<dyn CustomerTest>>,
) -> Result<StatsReport, EngineError> {
    let dicts = engine.dictionaries();
    let acc = if scope.is_empty() && tests.is_empty() {
        fold(engine, &ScanSpec::default().with_columns(StatsFold::columns()), &spec)?
    } else {
        scoped_fold(engine, spec, StatsFold::columns(), scope, tests)?.0
    };
    Ok(StatsReport::resolve(&acc, &dicts))
}

pub fn funnel(
    engine: &dyn Engine,
    spec: FunnelSpec,
    scope: ScopeSpec,
    tests: Vec<Box<dyn CustomerTest>>,
) -> Result<FunnelReport, EngineError> {
    let f = FunnelFold::new(spec, &engine.dictionaries()).map_err(invalid("steps"))?;
    let columns = f.columns();
    let (acc, scope) = scoped_fold(engine, f, columns, scope, tests)?;
    Ok(scope.inner().report(&acc))
}

pub fn paths(
    engine: &dyn Engine,
    spec: PathsSpec,
    scope: ScopeSpec,
    tests: Vec<Box<dyn CustomerTest>>,
) -> Result<PathsReport, EngineError> {
    let f = PathsFold::new(spec, &engine.dictionaries()).map_err(invalid("paths"))?;
    let columns = f.columns();
    let (acc, scope) = scoped_fold(engine, f, columns, scope, tests)?;
    Ok(scope.inner().report(&acc))
}

/// Without `spec.now`, the data is complete up to its last event (or `scope.until` if earlier) whenever customer
/// filters are on: the fold then sees only the selected customers, whose last event is not the data's end.
pub fn retention(
    engine: &dyn Engine,
    mut spec: RetentionSpec,
    scope: ScopeSpec,
    tests: Vec<Box<dyn CustomerTest>>,
) -> Result<RetentionReport, EngineError> {
    let customer_filters = ScopeSpec { since: None, until: None, ..scope.clone() } != ScopeSpec::default();
    if spec.now.is_none() && (customer_filters || !tests.is_empty()) {
        if let (_, Some(last)) = engine.time_bounds()? {
            spec.now = Some(scope.until.map_or(last + 1, |u| u.min(last + 1)));
        }
    }
    let f = RetentionFold::new(spec, &engine.dictionaries()).map_err(invalid("retention"))?;
    let columns = f.columns();
    let (acc, scope) = scoped_fold(engine, f, columns, scope, tests)?;
    Ok(scope.inner().report(&acc))
}

/// Events after `spec.now` never count.
pub fn stages(
    engine: &dyn Engine,
    spec: StagesSpec,
    mut scope: ScopeSpec,
    tests: Vec<Box<dyn CustomerTest>>,
) -> Result<StagesReport, EngineError> {
    let f = StagesFold::new(spec, &engine.dictionaries()).map_err(invalid("definition"))?;
    let end = f.spec().now.saturating_add(1);
    scope.until = Some(scope.until.map_or(end, |u| u.min(end)));
    let columns = f.columns();
    let (acc, scope) = scoped_fold(engine, f, columns, scope, tests)?;
    Ok(scope.inner().report(&acc))
}

/// A listed customer with their id resolved.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CustomerListRow {
    /// The customer's first-seen id (any of their ids finds the same customer).
    pub id: String,
    pub events: u64,
    pub first_event: String,
    pub last_event: String,
    pub revenue: f64,
}

/// The customers the scope and tests select: how many, and the first `limit` (see
/// [`tropa_core::analysis::customers`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CustomerListReport {
    pub total: u64,
    pub customers: Vec<CustomerListRow>,
}

pub fn customer_list(
    engine: &dyn Engine,
    limit: usize,
    scope: ScopeSpec,
    tests: Vec<Box<dyn CustomerTest>>,
) -> Result<CustomerListReport, EngineError> {
    let f = CustomerListFold { limit };
    let (acc, _) = scoped_fold(engine, f, CustomerListFold::columns(), scope, tests)?;
    let names = engine.actor_names(&acc.rows.iter().map(|r| r.customer).collect::<Vec<_>>())?;
    let customers = acc
        .rows
        .iter()
        .zip(names)
        .map(|(r, id)| CustomerListRow {
            id,
            events: r.events,
            first_event: tropa_core::time::format_ts(r.first_ts),
            last_event: tropa_core::time::format_ts(r.last_ts),
            revenue: r.revenue,
        })
        .collect();
    Ok(CustomerListReport { total: acc.total, customers })
}

/// The customers seen most recently and the most valuable ones (see
/// [`tropa_core::analysis::customers::TopCustomersFold`]), at most `limit` of each.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TopCustomersReport {
    pub recent: Vec<CustomerListRow>,
    pub valuable: Vec<CustomerListRow>,
}

pub fn top_customers(
    engine: &dyn Engine,
    limit: usize,
    scope: ScopeSpec,
    tests: Vec<Box<dyn CustomerTest>>,
) -> Result<TopCustomersReport, EngineError> {
    let f = TopCustomersFold { limit };
    let (acc, _) = scoped_fold(engine, f, CustomerListFold::columns(), scope, tests)?;
    let named = |rows: &[CustomerRow]| -> Result<Vec<CustomerListRow>, EngineError> {
        let names = engine.actor_names(&rows.iter().map(|r| r.customer).collect::<Vec<_>>())?;
        Ok(rows
            .iter()
            .zip(names)
            .map(|(r, id)| CustomerListRow {
                id,
                events: r.events,
                first_event: tropa_core::time::format_ts(r.first_ts),
                last_event: tropa_core::time::format_ts(r.last_ts),
                revenue: r.revenue,
            })
            .collect())
    };
    Ok(TopCustomersReport { recent: named(&acc.recent)?, valuable: named(&acc.valuable)? })
}

/// The data lanes of a journey map (see [`tropa_core::analysis::lanes`]) over the scope.
pub fn lanes(
    engine: &dyn Engine,
    spec: LanesSpec,
    mut scope: ScopeSpec,
    tests: Vec<Box<dyn CustomerTest>>,
) -> Result<LanesReport, EngineError> {
    let f = LanesFold::new(spec, &engine.dictionaries()).map_err(invalid("definition"))?;
    let end = f.spec().now.saturating_add(1);
    scope.until = Some(scope.until.map_or(end, |u| u.min(end)));
    let columns = f.columns();
    let (acc, scope) = scoped_fold(engine, f, columns, scope, tests)?;
    Ok(scope.inner().report(&acc))
}

/// Every attribution model side by side over the selected customers (see [`tropa_core::analysis::attribution`]).
pub fn attribution(
    engine: &dyn Engine,
    spec: AttributionSpec,
    scope: ScopeSpec,
    tests: Vec<Box<dyn CustomerTest>>,
) -> Result<AttributionReport, EngineError> {
    let f = AttributionFold::new(spec, &engine.dictionaries()).map_err(invalid("attribution"))?;
    let columns = f.columns();
    let (acc, scope) = scoped_fold(engine, f, columns, scope, tests)?;
    Ok(scope.inner().report(&acc))
}

/// The feedback scores (see [`tropa_core::analysis::feedback`]) over the scope. The scope's time range selects
/// the answers, not the journey: a customer's stage at the time of an answer still sees every earlier event.
pub fn feedback(
    engine: &dyn Engine,
    mut spec: tropa_core::analysis::feedback::FeedbackSpec,
    mut scope: ScopeSpec,
    tests: Vec<Box<dyn CustomerTest>>,
) -> Result<tropa_core::analysis::feedback::FeedbackReport, EngineError> {
    use tropa_core::analysis::feedback::FeedbackFold;
    spec.from = max_opt(spec.from, scope.since.take());
    spec.to = min_opt(spec.to, scope.until.take());
    let f = FeedbackFold::new(spec, &engine.dictionaries()).map_err(invalid("definition"))?;
    scope.until = Some(f.spec().now.saturating_add(1));
    let columns = f.columns();
    let (acc, scope) = scoped_fold(engine, f, columns, scope, tests)?;
    Ok(scope.inner().report(&acc))
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

/// One feedback text or answer, as the feedback page and the API list them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FeedbackItem {
    /// The customer's first-seen id (the customer page's address).
    pub customer: String,
    /// Epoch ms and the UTC time.
    pub ts: i64,
    pub time: String,
    pub event: String,
    pub survey: String,
    pub question: String,
    /// `nps`, `csat`, `ces` when scored.
    pub kind: Option<tropa_core::analysis::feedback::score::ScoreKind>,
    pub score: Option<u32>,
    pub negative: bool,
    pub invalid: bool,
    pub superseded: bool,
    pub text: String,
    /// The key of the stage reached at the time (none before the first stage).
    pub stage: Option<String>,
    pub channel: String,
}

/// Which feedback items to list.
#[derive(Debug, Clone)]
pub struct FeedbackListSpec {
    pub feedback: tropa_core::analysis::feedback::FeedbackSpec,
    pub limit: usize,
    /// A stage key, or `none` for answers before the first stage.
    pub stage: Option<String>,
    pub kind: Option<tropa_core::analysis::feedback::score::ScoreKind>,
    pub negative_only: bool,
}

/// The latest feedback texts and answers (newest first) over the scope, each with the stage at its time.
pub fn feedback_list(
    engine: &dyn Engine,
    spec: FeedbackListSpec,
    mut scope: ScopeSpec,
    tests: Vec<Box<dyn CustomerTest>>,
) -> Result<Vec<FeedbackItem>, EngineError> {
    use tropa_core::analysis::feedback::{newest_first, AnswerReader, FeedbackListFold};
    let dicts = engine.dictionaries();
    let mut fs = spec.feedback;
    fs.from = max_opt(fs.from, scope.since.take());
    fs.to = min_opt(fs.to, scope.until.take());
    let stages = &fs.definition.stages;
    let stage = match spec.stage.as_deref() {
        None | Some("") => None,
        Some("none") => Some(None),
        Some(key) => match stages.iter().position(|s| s.key == key) {
            Some(i) => Some(Some(i)),
            None => return Err(invalid("stage")(format!("no stage \"{key}\" in the journey definition"))),
        },
    };
    let reader = AnswerReader::new(&fs.definition, &dicts).map_err(invalid("definition"))?;
    scope.until = Some(fs.now.saturating_add(1));
    let keys: Vec<String> = stages.iter().map(|s| s.key.clone()).collect();
    let columns = reader.columns();
    let f = FeedbackListFold {
        spec: fs,
        reader,
        limit: spec.limit,
        stage,
        kind: spec.kind,
        negative_only: spec.negative_only,
    };
    let (mut rows, _) = scoped_fold(engine, f, columns, scope, tests)?;
    newest_first(&mut rows, spec.limit);
    let names = engine.actor_names(&rows.iter().map(|r| r.customer).collect::<Vec<_>>())?;
    let chan = dicts.get(tropa_core::DictCol::Channel);
    Ok(rows
        .into_iter()
        .zip(names)
        .map(|(r, customer)| {
            let a = r.answer;
            FeedbackItem {
                customer,
                ts: a.ts,
                time: tropa_core::time::format_ts(a.ts),
                event: a.source.event().to_string(),
                survey: a.survey,
                question: a.question,
                kind: a.score.map(|(k, _)| k),
                score: a.score.map(|(_, s)| s),
                negative: a.score.is_some_and(|(k, s)| k.negative(s)),
                invalid: a.invalid,
                superseded: a.superseded,
                text: a.text,
                stage: a.stage.and_then(|i| keys.get(i).cloned()),
                channel: chan.value(r.channel).to_string(),
            }
        })
        .collect())
}
