//! The voice of the customer on the query API (a read key, or a signed-in member with `?project=`):
//! `GET /api/v1/surveys` (the project's surveys), `GET /api/v1/feedback?period=week&since=…&until=…` (NPS, CSAT,
//! CES by the stage at the time of the answer, channel, period and survey, with intervals and response rates) and
//! `GET /api/v1/feedback/list?stage=…&kind=…&negative=true&limit=…` (the latest answers, reviews and tickets).
//! Times are RFC 3339 or YYYY-MM-DD in the project's time zone. Both take whose answers: `persona=KEY` (a
//! persona's segment), `traits=plan = pro` (a condition on traits), `did=EVENT` (customers who did it).
//!
//! The project's theme list (read with a key; changed by a signed-in analyst or admin, each change audited):
//! `GET /api/v1/feedback/themes` (`{"own": bool, "theme": [...]}`), `PUT` of the whole list (`{"theme": [...]}`),
//! `DELETE` (back to the built-in list), and `PUT`/`DELETE /api/v1/feedback/themes/{key}` for one theme
//! (`{"name_en", "name_ru", "en": [...], "ru": [...]}`). Every problem is named at its field (`theme[2].ru[0]`,
//! or `ru[0]` for one theme), the first as the error's field.

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
    if let Some(k) = p.get("persona").filter(|v| !v.is_empty()) {
        q.segment = tropa_app::feedback::persona_segment(&state.meta, project, k).map_err(|e| match e.kind() {
            tropa_engine::ErrorKind::NotFound => {
                ApiError::field(Code::NotFound, "persona", format!("no persona '{k}' in this project"))
            }
            _ => ApiError::internal("persona", &e),
        })?;
    }
    for (name, list) in [("traits", &mut q.segment.traits), ("did", &mut q.segment.did)] {
        if let Some(v) = p.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            list.push(v.to_string());
        }
    }
    if let Err(tropa_app::AppError::Invalid { field, reason }) = tropa_app::feedback::scope(&q.segment) {
        return Err(ApiError::field(Code::InvalidQuery, field, reason.words(tropa_core::lang::Lang::En)));
    }
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

fn themes_json(list: &tropa_app::feedback::themes::ThemeList, own: bool) -> Value {
    json!({ "own": own, "theme": list.themes() })
}

/// Every problem of a theme list: the first as the error's field, all of them in its message.
fn theme_problems(issues: Vec<tropa_app::feedback::themes::ThemeIssue>) -> ApiError {
    let all: Vec<String> = issues.iter().map(|i| format!("{}: {}", i.field, i.reason)).collect();
    let field = issues.first().map_or_else(|| "theme".to_string(), |i| i.field.clone());
    ApiError::field(Code::InvalidQuery, field, all.join("; "))
}

fn json_headers(headers: HeaderMap) -> HeaderMap {
    let mut headers = headers;
    // a DELETE has no body: the JSON rule of the definitions' writes does not apply to it
    headers.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    headers
}

/// `GET /api/v1/feedback/themes`: the project's theme list (its own or the built-in one).
pub async fn themes(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let (project, _) = project_engine(&s, &headers, &q)?;
    blocking(move || {
        let list = tropa_app::feedback::themes::list(&s.meta, &project).map_err(app)?;
        let own = tropa_app::feedback::themes::is_own(&s.meta, &project).map_err(app)?;
        Ok(Json(themes_json(&list, own)))
    })
    .await
}

/// `PUT /api/v1/feedback/themes`: replaces the whole list (`{"theme": [...]}`).
pub async fn put_themes(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let (user, project) = super::dictionary::analyst(&s, &headers, q.as_deref(), "the theme list")?;
    let value: Value = super::body::<Option<Value>>(&bytes, true)?.unwrap_or(Value::Null);
    let list = tropa_app::feedback::themes::parse(&value).map_err(theme_problems)?;
    let who = tropa_app::audit::Who::user(user.id, &user.email, None);
    let now = (s.clock)();
    blocking(move || {
        tropa_app::feedback::themes::save(&s.meta, &who, &project, &list, "*", now).map_err(app)?;
        Ok(Json(themes_json(&list, true)))
    })
    .await
}

/// `DELETE /api/v1/feedback/themes`: back to the built-in list.
pub async fn reset_themes(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let (user, project) = super::dictionary::analyst(&s, &json_headers(headers), q.as_deref(), "the theme list")?;
    let who = tropa_app::audit::Who::user(user.id, &user.email, None);
    let now = (s.clock)();
    blocking(move || {
        tropa_app::feedback::themes::reset(&s.meta, &who, &project, now).map_err(app)?;
        Ok(Json(themes_json(tropa_app::feedback::themes::ThemeList::builtin(), false)))
    })
    .await
}

/// `PUT /api/v1/feedback/themes/{key}`: saves one theme (replaced by key, or added at the end).
pub async fn put_theme(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    Path(key): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let (user, project) = super::dictionary::analyst(&s, &headers, q.as_deref(), "the theme list")?;
    let mut theme: Value = super::body::<Option<Value>>(&bytes, true)?.unwrap_or(Value::Null);
    let Some(obj) = theme.as_object_mut() else {
        return Err(ApiError::new(
            Code::InvalidQuery,
            "the request needs a JSON theme: {\"name_en\", \"name_ru\", \"en\", \"ru\"}",
        ));
    };
    match obj.get("key").and_then(Value::as_str) {
        None => {
            obj.insert("key".into(), Value::String(key.clone()));
        }
        Some(k) if k != key => {
            return Err(ApiError::field(
                Code::InvalidQuery,
                "key",
                format!("the document's key must be the path's ({key})"),
            ))
        }
        Some(_) => {}
    }
    let who = tropa_app::audit::Who::user(user.id, &user.email, None);
    let now = (s.clock)();
    blocking(move || {
        let current = tropa_app::feedback::themes::list(&s.meta, &project).map_err(app)?;
        let list = tropa_app::feedback::themes::with_theme(&current, &theme).map_err(theme_problems)?;
        tropa_app::feedback::themes::save(&s.meta, &who, &project, &list, &key, now).map_err(app)?;
        Ok(Json(themes_json(&list, true)))
    })
    .await
}

/// `DELETE /api/v1/feedback/themes/{key}`: removes one theme from the project's list.
pub async fn delete_theme(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (user, project) = super::dictionary::analyst(&s, &json_headers(headers), q.as_deref(), "the theme list")?;
    let who = tropa_app::audit::Who::user(user.id, &user.email, None);
    let now = (s.clock)();
    blocking(move || match tropa_app::feedback::themes::delete(&s.meta, &who, &project, &key, now) {
        Ok(list) => Ok(Json(themes_json(&list, true))),
        Err(e) if e.kind() == tropa_engine::ErrorKind::NotFound => {
            Err(ApiError::field(Code::NotFound, "key", format!("no theme '{key}' in this project's list")))
        }
        Err(e) => Err(ApiError::internal("themes", &e)),
    })
    .await
}
