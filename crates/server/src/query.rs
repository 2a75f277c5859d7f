//! The query API: JSON over HTTP with a read key (`Authorization: Bearer tr_…`). Every endpoint answers for the
//! key's project only, through the same report functions as the CLI ([`tropa_engine::report`]).
//!
//! | endpoint | body | answer |
//! |---|---|---|
//! | `GET /api/v1/stats`, `POST /api/v1/stats` | [`request::StatsRequest`] | events per name, channel, touchpoint, day |
//! | `GET /api/v1/customers/{id}` | — | one customer's identities, merges and timeline |
//! | `POST /api/v1/funnel` | [`request::FunnelRequest`] | the funnel report |
//! | `POST /api/v1/paths` | [`request::PathsRequest`] | top paths, Sankey nodes and links |
//! | `POST /api/v1/retention` | [`request::RetentionRequest`] | cohorts and return curves |
//! | `POST /api/v1/stages` | [`request::StagesRequest`] | stage distribution, conversion, lifecycle |
//!
//! The OpenAPI document at `/api/openapi.json` is built from these types ([`openapi`]).

pub mod openapi;
pub mod request;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::routing::get;
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tropa_core::analysis::scope::{CustomerTest, ScopeSpec};
use tropa_engine::{report, CustomerRecord, Engine};
use tropa_meta::KeyKind;

use crate::error::{ApiError, Code};
use crate::{auth, AppState};
use request::Problems;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/stats", get(stats_get).post(stats))
        .route("/api/v1/customers/{id}", get(customer))
        .route("/api/v1/funnel", axum::routing::post(funnel))
        .route("/api/v1/paths", axum::routing::post(paths))
        .route("/api/v1/retention", axum::routing::post(retention))
        .route("/api/v1/stages", axum::routing::post(stages))
        .route("/api/openapi.json", get(|| async { Json(openapi::document()) }))
}

/// The engine of the project whose read key the request carries.
fn project_engine(state: &AppState, headers: &HeaderMap) -> Result<Arc<dyn Engine>, ApiError> {
    let key = auth::presented_key(headers)?
        .ok_or_else(|| ApiError::new(Code::MissingKey, "no read key: send Authorization: Bearer tr_…"))?;
    let info = auth::check(state, &key, KeyKind::Read)?;
    Ok(state.projects.engine(&info.project)?)
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

/// Runs `make` (which reads the request) and `run` (which reads the data) for the key's project.
async fn answer<Req, Spec, Out>(
    state: Arc<AppState>,
    headers: HeaderMap,
    req: Req,
    make: fn(&Req, &dyn Engine, &mut Problems) -> Option<Spec>,
    run: fn(&dyn Engine, Spec, &request::Filters) -> Result<Out, tropa_engine::EngineError>,
) -> Result<Json<Out>, ApiError>
where
    Req: request::HasFilters + Send + 'static,
    Spec: Send + 'static,
    Out: Serialize + Send + 'static,
{
    let engine = project_engine(&state, &headers)?;
    blocking(move || {
        let mut p = Problems::default();
        let spec = make(&req, &*engine, &mut p);
        // check the filters too, so every problem is reported at once
        let _ = req.filters().scope(&mut p);
        match spec {
            Some(spec) if p.0.is_empty() => Ok(Json(run(&*engine, spec, req.filters())?)),
            _ => Err(problems(p)),
        }
    })
    .await
}

type Scoped = (ScopeSpec, Vec<Box<dyn CustomerTest>>);

/// The filters' scope and stage/lifecycle tests (the filters were checked before).
fn scoped(engine: &dyn Engine, f: &request::Filters) -> Result<Scoped, tropa_engine::EngineError> {
    let (scope, state) = f.scope(&mut Problems::default());
    Ok((scope, state.tests(engine)?))
}

async fn stats_get(State(s): State<Arc<AppState>>, headers: HeaderMap) -> Result<Json<impl Serialize>, ApiError> {
    stats(State(s), headers, Bytes::new()).await
}

async fn stats(State(s): State<Arc<AppState>>, headers: HeaderMap, b: Bytes) -> Result<Json<impl Serialize>, ApiError> {
    let req: request::StatsRequest = body(&b, false)?;
    answer(
        s,
        headers,
        req,
        |_, _, _| Some(()),
        |e, (), f| {
            let (scope, tests) = scoped(e, f)?;
            report::stats(e, scope, tests)
        },
    )
    .await
}

async fn funnel(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Json<impl Serialize>, ApiError> {
    let req: request::FunnelRequest = body_required(&b)?;
    answer(
        s,
        headers,
        req,
        |r, _, p| r.spec(p),
        |e, spec, f| {
            let (scope, tests) = scoped(e, f)?;
            report::funnel(e, spec, scope, tests)
        },
    )
    .await
}

async fn paths(State(s): State<Arc<AppState>>, headers: HeaderMap, b: Bytes) -> Result<Json<impl Serialize>, ApiError> {
    let req: request::PathsRequest = body_required(&b)?;
    answer(
        s,
        headers,
        req,
        |r, _, p| r.spec(p),
        |e, spec, f| {
            let (scope, tests) = scoped(e, f)?;
            report::paths(e, spec, scope, tests)
        },
    )
    .await
}

async fn retention(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Json<impl Serialize>, ApiError> {
    let req: request::RetentionRequest = body_required(&b)?;
    answer(
        s,
        headers,
        req,
        |r, _, p| r.spec(p),
        |e, spec, f| {
            let (scope, tests) = scoped(e, f)?;
            report::retention(e, spec, scope, tests)
        },
    )
    .await
}

async fn stages(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    b: Bytes,
) -> Result<Json<impl Serialize>, ApiError> {
    let russian = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("ru"));
    let req: request::StagesRequest = body(&b, false)?;
    let mut out = answer(
        s,
        headers,
        req,
        |r, e, p| {
            let latest = e.time_bounds().ok().and_then(|(_, max)| max);
            r.spec(latest, p)
        },
        |e, spec, f| {
            let (scope, tests) = scoped(e, f)?;
            report::stages(e, spec, scope, tests)
        },
    )
    .await?;
    for st in &mut out.0.stages {
        st.name = if russian { st.names.ru.clone() } else { st.names.en.clone() };
    }
    Ok(out)
}

fn body_required<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(transparent)]
    struct Wrap<T>(Option<T>);
    impl<T> Default for Wrap<T> {
        fn default() -> Self {
            Wrap(None)
        }
    }
    let w: Wrap<T> = body(bytes, true)?;
    w.0.ok_or_else(|| ApiError::new(Code::InvalidQuery, "the request needs a JSON object body: see /api/openapi.json"))
}

async fn customer(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<CustomerRecord>, ApiError> {
    let engine = project_engine(&s, &headers)?;
    blocking(move || {
        engine.customer(id.trim())?.map(Json).ok_or_else(|| {
            ApiError::field(Code::NotFound, "id", "no customer has this anonymous id or user id in this project")
        })
    })
    .await
}
