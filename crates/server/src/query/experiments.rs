//! Experiments on the query API (a read key, or a signed-in member): `GET /api/v1/experiments` lists the
//! project's definitions; `GET /api/v1/experiments/{key}` evaluates one now: customers per variant, the
//! sample-ratio check, every statistic per metric, the daily series and the decision its registered rule gives.
//! Definitions are made with `tropa experiment create` (variants are assigned by the site's own tool).

use std::sync::Arc;

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
        experiments::evaluate(engine.as_ref(), &def, calendar, now).map(Json).map_err(app_error)
    })
    .await
}
