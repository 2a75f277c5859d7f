//! Experiments on the query API (a read key, or a signed-in member): `GET /api/v1/experiments` lists the
//! project's definitions; `GET /api/v1/experiments/{key}` evaluates one now: customers per variant, the
//! sample-ratio check, every statistic per metric, the daily series and the decision its registered rule gives.
//! Definitions are made with `tropa experiment create` or `PUT /api/v1/experiments/{key}` by a signed-in analyst
//! or admin (`DELETE` removes one); variants are assigned by the site's own tool.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use tropa_app::experiments::{self, Evaluated};
use tropa_core::analysis::experiment::definition::ExperimentDefinition;

use super::{blocking, project_engine, project_settings};
use crate::error::{ApiError, Code};
use crate::AppState;

fn app_error(e: tropa_app::AppError) -> ApiError {
    match e.kind() {
        tropa_engine::ErrorKind::NotFound => {
            ApiError::field(Code::NotFound, "key", "no experiment with this key in this project")
        }
        tropa_engine::ErrorKind::InvalidInput => ApiError::field(Code::InvalidQuery, "key", e.to_string()),
        _ => ApiError::internal("experiments", &e),
    }
}

pub async fn list(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Vec<ExperimentDefinition>>, ApiError> {
    let (project, _) = project_engine(&s, &headers, &q)?;
    experiments::list(&s.meta, &project).map(Json).map_err(app_error)
}

pub async fn get(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> Result<Json<Evaluated>, ApiError> {
    let (project, engine) = project_engine(&s, &headers, &q)?;
    let calendar = project_settings(&s, &project)?.calendar;
    let now = (s.clock)();
    blocking(move || {
        let def = experiments::get(&s.meta, &project, &key).map_err(app_error)?;
        let stages = tropa_app::definitions::project(&s.meta, &project).map_err(app_error)?.definition;
        experiments::evaluate(engine.as_ref(), &def, calendar, now, Some(&stages)).map(Json).map_err(app_error)
    })
    .await
}

/// `PUT /api/v1/experiments/{key}`: registers the experiment or replaces the definition with this key (a
/// signed-in analyst or admin; the JSON `tropa experiment create` takes, its `key` the path's). Every problem of
/// the definition is named: the first as the error's field, all of them in its message.
pub async fn put(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    Path(key): Path<String>,
    bytes: Bytes,
) -> Result<Json<ExperimentDefinition>, ApiError> {
    let (user, project) = super::dictionary::analyst(&s, &headers, q.as_deref(), "experiments")?;
    let Some(def) = super::body::<Option<ExperimentDefinition>>(&bytes, true)? else {
        return Err(ApiError::new(Code::InvalidQuery, "the request needs a JSON definition: see /api/openapi.json"));
    };
    if def.key != key {
        return Err(ApiError::field(
            Code::InvalidQuery,
            "key",
            format!("the definition's key must be the path's ({key})"),
        ));
    }
    let calendar = project_settings(&s, &project)?.calendar;
    if let Err(problems) = def.spec(calendar) {
        let all: Vec<String> = problems.iter().map(|p| format!("{}: {}", p.field, p.reason)).collect();
        let field = problems.first().map_or_else(|| "definition".to_string(), |p| p.field.clone());
        return Err(ApiError::field(Code::InvalidQuery, field, all.join("; ")));
    }
    let who = tropa_app::audit::Who::user(user.id, &user.email, None);
    let now = (s.clock)();
    blocking(move || {
        experiments::save(&s.meta, &who, &project, &def, calendar, now).map_err(app_error)?;
        Ok(Json(def))
    })
    .await
}

/// `DELETE /api/v1/experiments/{key}` (a signed-in analyst or admin): the definition goes; the events stay.
pub async fn delete(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    mut headers: HeaderMap,
    Path(key): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    // a DELETE has no body: the JSON rule of the definitions' writes does not apply to it
    headers.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    let (user, project) = super::dictionary::analyst(&s, &headers, q.as_deref(), "experiments")?;
    let who = tropa_app::audit::Who::user(user.id, &user.email, None);
    let now = (s.clock)();
    blocking(move || {
        experiments::delete(&s.meta, &who, &project, &key, now).map_err(app_error)?;
        Ok(Json(serde_json::json!({ "deleted": key })))
    })
    .await
}
