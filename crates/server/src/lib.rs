//! tropa's HTTP server: Segment-compatible ingestion (`/v1/*`), the web snippet (`/t.js`), the query API
//! (`/api/v1/*`, described at `/api/openapi.json`), health (`/healthz`, `/readyz`) and Prometheus metrics
//! (`/metrics`, for the bearer of `metrics_token` or clients on this machine; also on `metrics_listen`: see
//! [`metrics`]). It holds engines only as `Arc<dyn Engine>`, one per project, handed out by [`Projects`]; it
//! never names a backend.
//!
//! ```no_run
//! # async fn run(state: std::sync::Arc<tropa_server::AppState>) -> std::io::Result<()> {
//! // the binary passes the web app's router (tropa-web) for the pages
//! let listener = tokio::net::TcpListener::bind(state.config.listen).await?;
//! tropa_server::serve(listener, state, axum::Router::new(), std::future::pending()).await
//! # }
//! ```

pub mod auth;
pub mod config;
pub mod error;
pub mod ingest;
pub mod metrics;
pub mod query;
mod snippet;
pub mod surveys;

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::sync::Semaphore;
use tropa_core::event::MessageKind;
use tropa_meta::Meta;

pub use config::Config;
pub use error::{ApiError, Code};

pub use tropa_app::{maps, Projects};

/// What every handler shares.
pub struct AppState {
    pub config: Config,
    pub meta: Arc<Meta>,
    pub projects: Arc<dyn Projects>,
    pub metrics: metrics::Metrics,
    /// The server's clock, epoch ms (tests pass a fixed one).
    pub clock: Box<dyn Fn() -> i64 + Send + Sync>,
    inflight_requests: Arc<Semaphore>,
    /// Permits are KiB of request bodies.
    inflight_bytes: Arc<Semaphore>,
    ready: AtomicBool,
}

impl AppState {
    pub fn new(config: Config, meta: Arc<Meta>, projects: Arc<dyn Projects>) -> Arc<AppState> {
        let requests = config.max_inflight_requests;
        let kib = (config.max_inflight_bytes / 1024).clamp(1, Semaphore::MAX_PERMITS);
        Arc::new(AppState {
            config,
            meta,
            projects,
            metrics: metrics::Metrics::default(),
            clock: Box::new(system_ms),
            inflight_requests: Arc::new(Semaphore::new(requests)),
            inflight_bytes: Arc::new(Semaphore::new(kib)),
            ready: AtomicBool::new(true),
        })
    }

    /// The same state with another clock.
    pub fn with_clock(config: Config, meta: Arc<Meta>, projects: Arc<dyn Projects>, clock: fn() -> i64) -> Arc<Self> {
        let mut s = Self::new(config, meta, projects);
        if let Some(inner) = Arc::get_mut(&mut s) {
            inner.clock = Box::new(clock);
        }
        s
    }
}

fn system_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Routes known to the metrics (a label per route, never per URL).
const ROUTES: &[&str] = &[
    "/v1/track",
    "/v1/identify",
    "/v1/page",
    "/v1/screen",
    "/v1/group",
    "/v1/alias",
    "/v1/batch",
    "/v1/import",
    "/t.js",
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/openapi.json",
    "/api/v1/stats",
    "/api/v1/customers/{id}",
    "/api/v1/funnel",
    "/api/v1/paths",
    "/api/v1/retention",
    "/api/v1/stages",
    "/v1/surveys",
    "/v1/survey",
    "/v1/survey.js",
    "/v1/survey.css",
    "/api/v1/surveys",
    "/api/v1/feedback",
    "/api/v1/feedback/list",
    "/api/v1/feedback/themes",
    "/api/v1/feedback/themes/{key}",
    "/",
    "/funnels",
    "/paths",
    "/retention",
    "/customers",
    "/login",
    "/logout",
    "/settings/lang",
    "/app.css",
    "/app.js",
];

/// The server's HTTP surface: ingestion, the snippet, the query API, health and metrics.
pub fn router(state: Arc<AppState>) -> Router {
    // without pages, every unknown path is answered the API's way
    router_with(state, Router::new().fallback(not_found))
}

/// The server's HTTP surface with `pages` (the web app, composed by the binary) beside it: the same security
/// headers and metrics cover both; a path nobody serves is answered in JSON under the machine prefixes
/// (`/v1/`, `/api/`) and by the pages' own fallback elsewhere (the web app's 404 page).
pub fn router_with(state: Arc<AppState>, pages: Router) -> Router {
    let limit = state.config.max_batch_bytes;
    let mut v1 = Router::new();
    let kinds = [
        ("/v1/track", Some(MessageKind::Track)),
        ("/v1/identify", Some(MessageKind::Identify)),
        ("/v1/page", Some(MessageKind::Page)),
        ("/v1/screen", Some(MessageKind::Screen)),
        ("/v1/group", Some(MessageKind::Group)),
        ("/v1/alias", Some(MessageKind::Alias)),
        ("/v1/batch", None),
        ("/v1/import", None),
    ];
    for (path, kind) in kinds {
        v1 = v1.route(
            path,
            post(move |State(s): State<Arc<AppState>>, q, h, b| ingest::handle(s, kind, q, h, b)).options(preflight),
        );
    }
    let v1 = v1
        .route("/t.js", get(snippet::serve))
        .route("/v1/surveys", get(surveys::active))
        .route("/v1/survey", post(surveys::answer).options(preflight))
        .route("/v1/survey.js", get(surveys::widget))
        .route("/v1/survey.css", get(surveys::style))
        .layer(DefaultBodyLimit::max(limit));
    let own = Router::new()
        .merge(v1)
        .merge(query::routes())
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::shared))
        .with_state(state.clone());
    // a path nobody serves: the API's JSON answer under the API's prefixes, else the pages' own answer (the web
    // app's 404 page in the reader's language)
    let fallback = pages.clone();
    own.merge(pages)
        .fallback(move |req: Request| async move {
            if machine_path(req.uri().path()) {
                return not_found().await.into_response();
            }
            match tower::ServiceExt::oneshot(fallback, req).await {
                Ok(res) => res,
                Err(never) => match never {},
            }
        })
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn_with_state(state, observe))
}

/// Serves until `shutdown` completes, then stops accepting, lets requests in flight finish (their events are
/// durable when they are answered), and returns. With `metrics_listen` set, that address serves `/metrics` too
/// (bound here, stopped with the rest).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    pages: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let metrics_server = match state.config.metrics_listen {
        Some(addr) => {
            let l = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| std::io::Error::new(e.kind(), format!("metrics_listen {addr}: {e}")))?;
            tracing::info!(addr = %l.local_addr()?, "metrics listening");
            let mut stop = stop.clone();
            let app = metrics::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
            let server = axum::serve(l, app).with_graceful_shutdown(async move {
                let _ = stop.wait_for(|s| *s).await;
            });
            Some(tokio::spawn(server.into_future()))
        }
        None => None,
    };
    let app = router_with(state.clone(), pages).into_make_service_with_connect_info::<SocketAddr>();
    let st = state.clone();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            st.ready.store(false, Ordering::SeqCst);
            tracing::info!("shutting down: draining requests in flight");
            let _ = stopping.send(true);
        })
        .await;
    drop(stop);
    if let Some(m) = metrics_server {
        m.await.map_err(std::io::Error::other)??;
    }
    served
}

async fn readyz(State(s): State<Arc<AppState>>) -> Response {
    if s.ready.load(Ordering::SeqCst) {
        "ready\n".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n").into_response()
    }
}

/// Paths of the machine interfaces (ingestion, the query API, health, metrics), answered in JSON or text.
fn machine_path(path: &str) -> bool {
    ["/v1/", "/api/"].iter().any(|p| path.starts_with(p))
        || ["/healthz", "/readyz", "/metrics", "/t.js"].contains(&path)
}

async fn not_found() -> ApiError {
    ApiError::new(Code::NotFound, "no such endpoint: see /api/openapi.json")
}

async fn preflight() -> StatusCode {
    StatusCode::NO_CONTENT
}

/// Counts and logs every request (route, status, time — never ids, keys or addresses) and adds CORS headers to
/// the ingestion endpoints.
async fn observe(State(s): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|p| ROUTES.iter().find(|r| **r == p.as_str()).copied())
        .unwrap_or("other");
    let method = req.method().clone();
    let origin = req.headers().get(header::ORIGIN).cloned();
    let mut res = next.run(req).await;
    if route.starts_with("/v1/") || route == "/t.js" {
        cors(&s.config, origin, &method, res.headers_mut());
    }
    let status = res.status().as_u16();
    s.metrics.request(route, status);
    tracing::info!(%method, route, status, ms = started.elapsed().as_secs_f64() * 1e3, "request");
    res
}

/// Only this site's own scripts, styles, images and forms; no inline scripts or styles, plugins, `<base>` or
/// framing by other sites.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; \
                   base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Security headers on every answer: the [`CSP`], no MIME sniffing, no framing, no `Referer` (share links carry
/// their token in the URL), and `no-store` on whatever does not set its own caching (pages and downloads hold a
/// signed-in user's data; `/t.js` keeps its one-hour cache). CORS headers are `observe`'s and left alone.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

fn cors(config: &Config, origin: Option<HeaderValue>, method: &Method, h: &mut axum::http::HeaderMap) {
    let allowed = if config.cors_origins.iter().any(|o| o == "*") {
        Some(HeaderValue::from_static("*"))
    } else {
        origin.filter(|o| config.cors_origins.iter().any(|c| o.as_bytes() == c.as_bytes()))
    };
    let Some(allowed) = allowed else { return };
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    if method == Method::OPTIONS {
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, OPTIONS"));
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Content-Type, Content-Encoding, Authorization"),
        );
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
    }
}
