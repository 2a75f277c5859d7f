//! The survey widget's endpoints, public like the snippet (a project is named by its write key):
//!
//! - `GET /v1/surveys?writeKey=K` — the project's active surveys (wording, choices, targeting) for the widget;
//! - `POST /v1/survey` — one answer, `{"writeKey", "survey", "score", "choices", "text", "anonymousId",
//!   "userId", "messageId", "url", "locale"}` (JSON; `text/plain` too, so a browser sends it without a
//!   preflight). It is checked against its survey and stored as a `survey_response` event. Refusals name the
//!   field: an unknown survey → 404 `not_found` at `survey`; a score out of the scale → 400 `invalid_message`
//!   at `score` with the range; a text over 2,000 characters → 400 at `text` with the limit; no visitor id →
//!   400 at `anonymousId`. Answering twice is not an error: each answer is stored (nothing is lost) and the
//!   scores count the latest within 24 hours (see `tropa_app::surveys`);
//! - `GET /v1/survey.js`, `GET /v1/survey.css` — the widget and its stylesheet (embedded; the snippet loads
//!   them with `data-surveys="true"`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use tropa_app::surveys::Respondent;
use tropa_core::survey::AnswerIn;
use tropa_meta::KeyKind;

use crate::error::{ApiError, Code};
use crate::{auth, AppState};

const WIDGET: &str = include_str!("../assets/survey.js");
const STYLE: &str = include_str!("../assets/survey.css");

#[derive(Debug, Deserialize)]
pub struct KeyQuery {
    #[serde(rename = "writeKey")]
    write_key: Option<String>,
}

fn project_of(state: &AppState, headers: &HeaderMap, key: Option<String>) -> Result<String, ApiError> {
    let key = match auth::presented_key(headers)? {
        Some(k) => k,
        None => key.filter(|k| !k.is_empty()).ok_or_else(|| {
            ApiError::field(Code::MissingKey, "writeKey", "no write key: send writeKey (the snippet's data-key)")
        })?,
    };
    Ok(auth::check(state, &key, KeyKind::Write)?.project)
}

fn app(e: tropa_app::AppError) -> ApiError {
    ApiError::internal("surveys", &e)
}

/// `GET /v1/surveys`: the active surveys of the write key's project.
pub async fn active(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<KeyQuery>,
) -> Result<Json<Value>, ApiError> {
    let project = project_of(&s, &headers, q.write_key)?;
    let surveys = tropa_app::surveys::active(&s.meta, &project).map_err(app)?;
    Ok(Json(json!({ "surveys": surveys })))
}

/// An answer as the widget or a client posts it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerBody {
    write_key: Option<String>,
    survey: Option<String>,
    score: Option<Value>,
    #[serde(default)]
    choices: Vec<String>,
    #[serde(default)]
    text: String,
    #[serde(default)]
    anonymous_id: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    message_id: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    locale: String,
}

/// `POST /v1/survey`: one answer, checked and stored as a `survey_response` event.
pub async fn answer(State(s): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Result<Json<Value>, ApiError> {
    let b: AnswerBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            Code::InvalidJson,
            format!("the answer is not valid JSON ({e}): see GET /v1/surveys for the fields"),
        )
    })?;
    let project = project_of(&s, &headers, b.write_key.clone())?;
    let key = b.survey.clone().unwrap_or_default();
    if key.is_empty() {
        return Err(ApiError::field(Code::InvalidMessage, "survey", "name the survey (its key)"));
    }
    let survey = match s.meta.survey(&project, &key) {
        Ok(Some(stored)) => tropa_core::survey::Survey::from_json(&stored.document)
            .map_err(|e| ApiError::internal("survey document", &e.reason))?,
        Ok(None) => {
            return Err(ApiError::field(Code::NotFound, "survey", format!("no survey \"{key}\" in this project")))
        }
        Err(e) => return Err(ApiError::internal("survey lookup", &e)),
    };
    let a = AnswerIn { survey: key, score: b.score, choices: b.choices, text: b.text };
    let who = Respondent {
        anonymous_id: b.anonymous_id.trim().to_string(),
        user_id: b.user_id.trim().to_string(),
        page_url: b.url,
        locale: b.locale,
        message_id: b.message_id,
    };
    let now = (s.clock)();
    let event = tropa_app::surveys::answer_event(&survey, &a, &who, now).map_err(|problems| {
        let first = &problems[0];
        let mut e = ApiError::field(Code::InvalidMessage, first.field.clone(), first.reason.clone());
        e.rejected = problems
            .iter()
            .map(|p| crate::error::Rejected {
                index: 0,
                code: Code::InvalidMessage,
                field: p.field.clone(),
                message: p.reason.clone(),
            })
            .collect();
        e
    })?;
    let engine = s.projects.engine(&project)?;
    let report = tokio::task::spawn_blocking(move || engine.ingest(vec![event]))
        .await
        .map_err(|e| ApiError::internal("ingest task", &e))??;
    Ok(Json(json!({"success": true, "accepted": report.accepted, "duplicates": report.duplicates})))
}

pub async fn widget() -> impl IntoResponse {
    static MIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = MIN.get_or_init(|| crate::snippet::minify(WIDGET)).clone();
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}

pub async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], STYLE)
}
