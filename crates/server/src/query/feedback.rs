//! The voice of the customer on the query API (a read key, or a signed-in member with `?project=`):
//! `GET /api/v1/surveys` (the project's surveys), `GET /api/v1/feedback?period=week&since=…&until=…` (NPS, CSAT,
//! CES by the stage at the time of the answer, channel, period and survey, with intervals and response rates) and
//! `GET /api/v1/feedback/list?stage=…&kind=…&negative=true&limit=…` (the latest answers, reviews and tickets).
//! Times are RFC 3339 or YYYY-MM-DD in the project's time zone.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Value};
use tropa_app::feedback::FeedbackQuery;
use tropa_core::analysis::feedback::score::ScoreKind;
use tropa_core::analysis::period::Period;

use super::{blocking, project_engine};
use crate::error::{ApiError, Code};
use crate::AppState;

fn query(state: &AppState, project: &str, p: &HashMap<String, String>) -> Result<FeedbackQuery, ApiError> {
    let calendar = tropa_app::settings::project_or_default(&state.meta, project)
        .map_err(|e| ApiError::internal("settings", &e))?
        .calendar;
    let time = |field: &str| -> Result<Option<i64>, ApiError> {
        match p.get(field).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(t) => {
                calendar.parse_time(t).map(Some).map_err(|e| ApiError::field(Code::InvalidQuery, field, e.to_string()))
            }
        }
    };
    let mut q = FeedbackQuery { since: time("since")?, until: time("until")?, ..FeedbackQuery::default() };
    if let Some(v) = p.get("period") {
        q.period = Period::parse(v).map_err(|e| ApiError::field(Code::InvalidQuery, "period", e.to_string()))?;
    }
    if let Some(v) = p.get("kind").filter(|v| !v.is_empty()) {
        q.kind = Some(
            ScoreKind::parse(v).ok_or_else(|| ApiError::field(Code::InvalidQuery, "kind", "use nps, csat or ces"))?,
        );
    }
    q.stage = p.get("stage").filter(|v| !v.is_empty()).cloned();
    q.channel = p.get("channel").filter(|v| !v.is_empty()).cloned();
    q.negative_only = matches!(p.get("negative").map(String::as_str), Some("true" | "1"));
    if let Some(v) = p.get("limit") {
        q.limit = v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=10_000).contains(n))
            .ok_or_else(|| ApiError::field(Code::InvalidQuery, "limit", "a number from 1 to 10000"))?;
    }
    Ok(q)
}

fn app(e: tropa_app::AppError) -> ApiError {
    match e {
        tropa_app::AppError::Engine(e) => e.into(),
        other => ApiError::internal("feedback", &other),
    }
}

pub async fn surveys(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let (project, _) = project_engine(&s, &headers, &q)?;
    blocking(move || {
        let list = tropa_app::surveys::list(&s.meta, &project).map_err(app)?;
        Ok(Json(json!({ "surveys": list })))
    })
    .await
}

pub async fn scores(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    Query(p): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let (project, engine) = project_engine(&s, &headers, &q)?;
    let fq = query(&s, &project, &p)?;
    blocking(move || {
        let r = tropa_app::feedback::scores(&s.meta, &*engine, &project, &fq).map_err(app)?;
        Ok(Json(serde_json::to_value(r).map_err(|e| ApiError::internal("json", &e))?))
    })
    .await
}

pub async fn list(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    Query(p): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let (project, engine) = project_engine(&s, &headers, &q)?;
    let fq = query(&s, &project, &p)?;
    blocking(move || {
        let rows = tropa_app::feedback::list(&s.meta, &*engine, &project, &fq).map_err(app)?;
        Ok(Json(json!({ "feedback": rows })))
    })
    .await
}

/// `PUT /api/v1/surveys/{key}`: creates the survey or replaces the one with this key (a signed-in analyst or
/// admin; the JSON document `tropa survey create` takes, its `key` the path's). Every problem of the definition
/// is named: the first as the error's field, all of them in its message.
pub async fn put_survey(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    Path(key): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let (user, project) = super::dictionary::analyst(&s, &headers, q.as_deref(), "surveys")?;
    let Some(mut survey) = super::body::<Option<tropa_core::survey::Survey>>(&bytes, true)? else {
        return Err(ApiError::new(Code::InvalidQuery, "the request needs a JSON survey: see /api/openapi.json"));
    };
    if survey.key.is_empty() {
        survey.key = key.clone();
    }
    if survey.key != key {
        return Err(ApiError::field(
            Code::InvalidQuery,
            "key",
            format!("the document's key must be the path's ({key})"),
        ));
    }
    let problems = tropa_app::surveys::problems(&survey);
    if let Some(first) = problems.first() {
        let all: Vec<String> = problems.iter().map(|p| format!("{}: {}", p.field, p.reason)).collect();
        return Err(ApiError::field(Code::InvalidQuery, first.field.clone(), all.join("; ")));
    }
    let who = tropa_app::audit::Who::user(user.id, &user.email, None);
    let now = (s.clock)();
    blocking(move || {
        tropa_app::surveys::save(&s.meta, &who, &project, &survey, now)
            .map_err(|e| ApiError::internal("survey", &e))?;
        Ok(Json(json!({ "survey": survey })))
    })
    .await
}

/// `DELETE /api/v1/surveys/{key}` (a signed-in analyst or admin): the definition goes, its answers stay (events).
pub async fn delete_survey(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let mut headers = headers;
    // a DELETE has no body: the JSON rule of the definitions' writes does not apply to it
    headers.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    let (user, project) = super::dictionary::analyst(&s, &headers, q.as_deref(), "surveys")?;
    let who = tropa_app::audit::Who::user(user.id, &user.email, None);
    let now = (s.clock)();
    blocking(move || match tropa_app::surveys::delete(&s.meta, &who, &project, &key, now) {
        Ok(()) => Ok(Json(json!({ "deleted": key }))),
        Err(e) if e.kind() == tropa_engine::ErrorKind::NotFound => {
            Err(ApiError::field(Code::NotFound, "key", format!("no survey '{key}' in this project")))
        }
        Err(e) => Err(ApiError::internal("survey", &e)),
    })
    .await
}
