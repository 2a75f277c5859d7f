//! The query API: JSON over HTTP with a read key (`Authorization: Bearer tr_…`). Every endpoint answers for the
//! key's project only.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use tropa_core::analysis::stats::{StatsFold, StatsReport};
use tropa_engine::{fold, CustomerRecord, Engine, ScanSpec};
use tropa_meta::KeyKind;

use crate::error::{ApiError, Code};
use crate::{auth, AppState};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/api/v1/stats", get(stats)).route("/api/v1/customers/{id}", get(customer))
}

/// The engine of the project whose read key the request carries.
fn project_engine(state: &AppState, headers: &HeaderMap) -> Result<Arc<dyn Engine>, ApiError> {
    let key = auth::presented_key(headers)?
        .ok_or_else(|| ApiError::new(Code::MissingKey, "no read key: send Authorization: Bearer tr_…"))?;
    let info = auth::check(state, &key, KeyKind::Read)?;
    Ok(state.projects.engine(&info.project)?)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::internal("query task", &e))?
}

async fn stats(State(s): State<Arc<AppState>>, headers: HeaderMap) -> Result<Json<StatsReport>, ApiError> {
    let engine = project_engine(&s, &headers)?;
    blocking(move || {
        let dicts = engine.dictionaries();
        let acc = fold(&*engine, &ScanSpec::default().with_columns(StatsFold::columns()), &StatsFold)?;
        Ok(Json(StatsReport::resolve(&acc, &dicts)))
    })
    .await
}

async fn customer(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<CustomerRecord>, ApiError> {
    let engine = project_engine(&s, &headers)?;
    blocking(move || {
        engine.customer(&id)?.map(Json).ok_or_else(|| {
            ApiError::field(Code::NotFound, "id", "no customer has this anonymous id or user id in this project")
        })
    })
    .await
}
