//! The voice of the customer on the query API (a read key, or a signed-in member with `?project=`):
//! `GET /api/v1/surveys` (the project's surveys), `GET /api/v1/feedback?period=week&since=…&until=…` (NPS, CSAT,
//! CES by the stage at the time of the answer, channel, period and survey, with intervals and response rates) and
//! `GET /api/v1/feedback/list?stage=…&kind=…&negative=true&limit=…` (the latest answers, reviews and tickets).
//! Times are RFC 3339 or YYYY-MM-DD in the project's time zone.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, RawQuery, State};
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
