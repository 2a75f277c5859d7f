//! The query API: JSON over HTTP with a read key (`Authorization: Bearer tr_…`, answers for the key's project
//! only) or the web app's session cookie (any project, `?project=ID`), through the same report functions as the
//! CLI ([`tropa_engine::report`]).
//!
//! | endpoint | body | answer |
//! |---|---|---|
//! | `GET /api/v1/stats`, `POST /api/v1/stats` | [`request::StatsRequest`] | events per name, channel, touchpoint, day |
//! | `GET /api/v1/customers/{id}` | — | one customer's identities, merges and timeline |
//! | `POST /api/v1/funnel` | [`request::FunnelRequest`] | the funnel report |
//! | `POST /api/v1/paths` | [`request::PathsRequest`] | top paths, Sankey nodes and links |
//! | `POST /api/v1/attribution` | [`request::AttributionRequest`] | every attribution model side by side |
//! | `GET`/`POST /api/v1/costs` | a cost file (POST, write key) | the project's ad spend ([`costs`]) |
//! | `POST /api/v1/retention` | [`request::RetentionRequest`] | cohorts and return curves |
//! | `POST /api/v1/stages` | [`request::StagesRequest`] | stage distribution, conversion, lifecycle |
//! | `GET /api/v1/dictionary` | — | every event and property: counts, first/last seen, values, notes ([`dictionary`]) |
//! | `PUT`/`PATCH /api/v1/dictionary/{events\|properties}/{name}` | a note | the note stored (signed-in analysts) |
//! | `GET /api/v1/surveys`, `GET /api/v1/feedback`, `GET /api/v1/feedback/list` | — | surveys, feedback scores, the latest answers ([`feedback`]) |
//! | `PUT`/`DELETE /api/v1/surveys/{key}` | a signed-in analyst or admin | create, replace or delete a survey ([`feedback`]) |
//! | `GET /api/v1/feedback/themes` | — | the project's feedback theme list ([`feedback`]) |
//! | `PUT`/`DELETE /api/v1/feedback/themes(/{key})` | a signed-in analyst or admin | edit the theme list, or reset it ([`feedback`]) |
//!
//! Every report counts days, ISO weeks and months — and reads times given without an offset — in the project's
//! time zone (`tropa project set --time-zone`), or in `filters.time_zone` when the request gives one; each answer
//! says which in its `time_zone` field, and the stats answer gives the project's reporting `currency` too.
//!
//! The OpenAPI document at `/api/openapi.json` is built from these types ([`openapi`]).

pub mod costs;
pub mod dictionary;
pub mod experiments;
pub mod feedback;
pub mod openapi;
pub use tropa_app::request;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tropa_core::analysis::attribution::TouchField;
use tropa_core::analysis::scope::{CustomerTest, ScopeSpec};
use tropa_core::analysis::stages::StagesReport;
use tropa_core::analysis::stats::{StatsFold, StatsReport};
use tropa_core::settings::ProjectSettings;
use tropa_engine::{report, CustomerRecord, Engine, EngineError};
use tropa_meta::KeyKind;

use crate::error::{ApiError, Code};
use crate::{auth, AppState};
use request::{Analysis, Problems};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/stats", get(stats).post(stats))
        .route("/api/v1/customers/{id}", get(customer))
        .route(
            "/api/v1/funnel",
            post(|State(s), RawQuery(q), h: HeaderMap, b| async move {
                answer(analysis::<request::FunnelRequest, _>(s, (&h, q), b, report::funnel).await)
            }),
        )
        .route(
            "/api/v1/paths",
            post(|State(s), RawQuery(q), h: HeaderMap, b| async move {
                answer(analysis::<request::PathsRequest, _>(s, (&h, q), b, report::paths).await)
            }),
        )
        .route(
            "/api/v1/retention",
            post(|State(s), RawQuery(q), h: HeaderMap, b| async move {
                answer(analysis::<request::RetentionRequest, _>(s, (&h, q), b, report::retention).await)
            }),
        )
        .route("/api/v1/stages", post(stages))
        .route("/api/v1/costs", get(costs::get).post(costs::post))
        .route("/api/v1/attribution", post(attribution))
        .route("/api/v1/dictionary", get(dictionary::get))
        .route("/api/v1/dictionary/{kind}/{name}", axum::routing::put(dictionary::put).patch(dictionary::put))
        .route("/api/v1/surveys", get(feedback::surveys))
        .route("/api/v1/surveys/{key}", axum::routing::put(feedback::put_survey).delete(feedback::delete_survey))
        .route("/api/v1/feedback", get(feedback::scores))
        .route("/api/v1/feedback/list", get(feedback::list))
        .route(
            "/api/v1/feedback/themes",
            get(feedback::themes).put(feedback::put_themes).delete(feedback::reset_themes),
        )
        .route("/api/v1/feedback/themes/{key}", axum::routing::put(feedback::put_theme).delete(feedback::delete_theme))
        .route("/api/v1/experiments", get(experiments::list))
        .route("/api/v1/experiments/{key}", get(experiments::get).put(experiments::put).delete(experiments::delete))
        .route("/api/openapi.json", get(|| async { Json(openapi::document()) }))
}

/// The user of the web app's session cookie, if it names a live session.
fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Option<tropa_meta::User>, ApiError> {
    let cookies = headers.get_all(axum::http::header::COOKIE).iter().filter_map(|v| v.to_str().ok());
    let Some(token) = tropa_app::sessions::cookie(cookies, tropa_app::sessions::COOKIE) else { return Ok(None) };
    let found = tropa_app::sessions::signed_in(&state.meta, token, (state.clock)())
        .map_err(|e| ApiError::internal("session lookup", &e))?;
    Ok(found.map(|(user, _)| user))
}

/// The project a request may read (the read key's, or for a signed-in user the `project` of the query) and its
/// engine.
fn project_engine(
    state: &AppState,
    headers: &HeaderMap,
    query: &Option<String>,
) -> Result<(String, Arc<dyn Engine>), ApiError> {
    let Some(key) = auth::presented_key(headers)? else {
        if let Some(user) = signed_in(state, headers)? {
            let project = query
                .as_deref()
                .unwrap_or("")
                .split('&')
                .find_map(|kv| kv.strip_prefix("project="))
                .unwrap_or("default")
                .to_string();
            // a project the user is not a member of reads as one that does not exist
            let role =
                state.meta.project_role(&user, &project).map_err(|e| ApiError::internal("project lookup", &e))?;
            if role.is_none() {
                return Err(ApiError::field(Code::NotFound, "project", format!("no project '{project}'")));
            }
            let engine = state.projects.engine(&project)?;
            return Ok((project, engine));
        }
        return Err(ApiError::new(
            Code::MissingKey,
            "no read key: send Authorization: Bearer tr_…, or sign in to the web app",
        ));
    };
    let info = auth::check(state, &key, KeyKind::Read)?;
    let engine = state.projects.engine(&info.project)?;
    Ok((info.project, engine))
}

/// The request body as `T`; a malformed body is answered with the path of the field at fault.
fn body<T: DeserializeOwned + Default>(bytes: &Bytes, required: bool) -> Result<T, ApiError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        if required {
            return Err(ApiError::new(Code::InvalidQuery, "the request needs a JSON body: see /api/openapi.json"));
        }
        return Ok(T::default());
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        let code = if inner.is_data() { Code::InvalidQuery } else { Code::InvalidJson };
        ApiError {
            code,
            message: inner.to_string(),
            field: Some(if field == "." { String::new() } else { field }),
            rejected: vec![],
        }
    })
}

/// Every field problem as one error naming the first field.
fn problems(p: Problems) -> ApiError {
    let message = p.0.iter().map(|(f, r)| format!("{f}: {r}")).collect::<Vec<_>>().join("; ");
    ApiError::field(Code::InvalidQuery, p.0[0].0.clone(), message)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::internal("query task", &e))?
}

/// An answer of the query API: the report, the time zone of its days and dates, and (stats) the currency of
/// its revenue.
#[derive(Debug, Serialize)]
pub struct Answer<T> {
    pub time_zone: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(flatten)]
    pub report: T,
    /// What the report was asked for that may not be what was meant (an event the data never had, with the name
    /// most likely meant); the report is made anyway.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<request::Warning>,
}

fn answer<T>(r: Result<Reported<T>, ApiError>) -> Result<Json<Answer<T>>, ApiError> {
    let Reported { out: report, settings: s, warnings } = r?;
    Ok(Json(Answer { time_zone: s.calendar.name(), currency: None, report, warnings }))
}

/// An attribution report with its economics (the spend of its days: `costs`, and per period `period_costs`).
#[derive(Debug, Serialize)]
pub struct AttributionAnswer {
    #[serde(flatten)]
    pub report: tropa_core::analysis::attribution::AttributionReport,
    #[serde(flatten)]
    pub economics: tropa_app::costs::Economics,
}

/// `POST /api/v1/attribution`: the report, then the project's spend of the report's days set against it.
async fn attribution(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<Answer<AttributionAnswer>>, ApiError> {
    let req: request::AttributionRequest = body(&bytes, true)?;
    let r = analysis::<request::AttributionRequest, _>(s.clone(), (&headers, q.clone()), bytes, report::attribution);
    let Reported { out, settings, warnings } = r.await?;
    let (project, _) = project_engine(&s, &headers, &q)?;
    let economics = blocking(move || {
        let f = &req.filters;
        let spend = tropa_app::costs::rows_of_report(&s.meta, &project, f.since.as_deref(), f.until.as_deref())
            .map_err(|e| ApiError::internal("costs", &e))?;
        let by = req.by.as_deref().map_or_else(TouchField::channel, TouchField::parse);
        Ok(tropa_app::costs::Economics::of(&out, &spend, &by)).map(|e| (out, e))
    })
    .await?;
    let (report, economics) = economics;
    Ok(Json(Answer {
        time_zone: settings.calendar.name(),
        currency: Some(settings.currency.to_string()),
        report: AttributionAnswer { report, economics },
        warnings,
    }))
}

/// The settings of a project the caller may read (its time zone, its currency); the defaults for a project
/// that does not exist, which the caller answers with 404 anyway.
fn project_settings(state: &AppState, project: &str) -> Result<ProjectSettings, ApiError> {
    tropa_app::settings::project_or_default(&state.meta, project).map_err(|e| ApiError::internal("settings lookup", &e))
}

/// A report's function: its spec, the filters' scope and stage/lifecycle tests → the report.
type Run<Spec, Out> = fn(&dyn Engine, Spec, ScopeSpec, Vec<Box<dyn CustomerTest>>) -> Result<Out, EngineError>;

/// A report with the settings it was made with and its warnings.
struct Reported<T> {
    out: T,
    settings: ProjectSettings,
    warnings: Vec<request::Warning>,
}

/// One analysis endpoint: reads the body as `R`, checks it (every problem at once, filters included), runs it
/// for the key's project in its time zone (or the request's); returns the report, the settings it used and
/// warnings about the events it names.
async fn analysis<R: Analysis, Out: Serialize + request::Outcome + Send + 'static>(
    state: Arc<AppState>,
    (headers, query): (&HeaderMap, Option<String>),
    bytes: Bytes,
    run: Run<R::Spec, Out>,
) -> Result<Reported<Out>, ApiError> {
    let mut req: R = body(&bytes, R::BODY_REQUIRED)?;
    let (project, engine) = project_engine(&state, headers, &query)?;
    let settings = project_settings(&state, &project)?;
    // problems are worded in the caller's language (the field names stay the API's)
    let accept = headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let lang = tropa_core::lang::Lang::from_accept_language(accept);
    let saved = tropa_app::definitions::saved(&state.meta, &project)
        .map_err(|e| ApiError::internal("definition lookup", &e))?
        .map(|d| d.definition);
    if let Some(d) = &saved {
        req.project_definition(d);
    }
    blocking(move || {
        let mut p = Problems::new(lang).in_calendar(settings.calendar);
        req.filters().zone(&mut p);
        let spec = req.spec(&*engine, &mut p);
        let (scope, mut filter) = req.filters().scope(&mut p);
        if filter.definition.is_none() {
            filter.definition = saved;
        }
        match spec {
            Some(spec) if p.0.is_empty() => {
                let events = req.events();
                let mut warnings = request::event_warnings(&events, &engine.dictionaries(), lang);
                // properties are checked only when the request names some (a condition or a breakdown)
                let breakdown = req.breakdown();
                if breakdown.is_some() || events.iter().any(|(_, t)| t.contains(" where ")) {
                    let catalog = engine.catalog()?;
                    let b = breakdown.as_ref().map(|(f, t)| (f.as_str(), t.as_str()));
                    warnings.extend(request::property_warnings(&events, b, &catalog, lang));
                }
                let out = run(&*engine, spec, scope.clone(), filter.tests(&*engine)?)?;
                // an empty report says why (no events in the period, the filters, the steps themselves)
                let why = (&scope, &filter);
                warnings.extend(request::empty_warnings(&out, &*engine, &events, why, p.calendar(), lang)?);
                Ok(Reported { out, settings: ProjectSettings { calendar: p.calendar(), ..settings }, warnings })
            }
            _ => Err(problems(p)),
        }
    })
    .await
}

fn stats_report(
    e: &dyn Engine,
    spec: StatsFold,
    scope: ScopeSpec,
    tests: Vec<Box<dyn CustomerTest>>,
) -> Result<StatsReport, EngineError> {
    report::stats(e, spec, scope, tests)
}

async fn stats(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Json<Answer<StatsReport>>, ApiError> {
    let Reported { out: report, settings, warnings } =
        analysis::<request::StatsRequest, _>(s, (&headers, q), b, stats_report).await?;
    let currency = Some(settings.currency.to_string());
    Ok(Json(Answer { time_zone: settings.calendar.name(), currency, report, warnings }))
}

async fn stages(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Json<Answer<StagesReport>>, ApiError> {
    let russian = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("ru"));
    let mut r = analysis::<request::StagesRequest, _>(s, (&headers, q), b, report::stages).await?;
    for st in &mut r.out.stages {
        st.name = if russian { st.names.ru.clone() } else { st.names.en.clone() };
    }
    answer(Ok(r))
}

async fn customer(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (_, engine) = project_engine(&s, &headers, &q)?;
    blocking(move || {
        let record = engine.customer(id.trim())?.ok_or_else(|| {
            ApiError::field(Code::NotFound, "id", "no customer has this anonymous id or user id in this project")
        })?;
        Ok(Json(timeline(record)))
    })
    .await
}

/// A customer as JSON: properties and traits as objects (not the stored text), and each event's browser, OS
/// and device type read from its user agent.
fn timeline(record: CustomerRecord) -> serde_json::Value {
    let mut v = serde_json::to_value(&record).unwrap_or_default();
    if let Some(events) = v.get_mut("events").and_then(|e| e.as_array_mut()) {
        for (e, ev) in events.iter_mut().zip(&record.events) {
            e["properties"] = serde_json::Value::Object(ev.properties_map());
            e["traits"] = serde_json::Value::Object(ev.traits_map());
            e["device"] =
                serde_json::to_value(tropa_core::useragent::parse(&ev.context.user_agent)).unwrap_or_default();
        }
    }
    v
}
