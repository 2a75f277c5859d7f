//! Counters of the server, served as Prometheus text at `/metrics`: requests by route and status, events
//! accepted / duplicate / rejected, the latency of durable commits (the write-ahead log's fsync and the group
//! commit around it), and the depth of the ingest queue.
//!
//! Who may read them ([`allow`]):
//! - with `metrics_token` set, only a request with `Authorization: Bearer TOKEN` (Prometheus' `authorization`
//!   or `bearer_token`), on either address;
//! - without it, on `listen`, only a client on this machine (a loopback address) that comes straight — a
//!   request with a proxy's header (`Forwarded`, `X-Forwarded-For`, `X-Forwarded-Host`, `X-Forwarded-Proto`,
//!   `X-Real-IP`) is refused, since a proxy on this machine makes everyone look local;
//! - without it, on `metrics_listen` (an address that serves only `/metrics`), anyone who reaches it: firewall
//!   that address.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::error::{ApiError, Code};
use crate::{auth, AppState, Config};

/// Upper bounds (seconds) of the commit latency histogram.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 5.0];

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    pub events_accepted: AtomicU64,
    pub events_duplicate: AtomicU64,
    pub events_rejected: AtomicU64,
    pub overloaded: AtomicU64,
    pub queue_requests: AtomicU64,
    pub queue_bytes: AtomicU64,
    commit_buckets: [AtomicU64; BUCKETS.len()],
    commit_count: AtomicU64,
    commit_micros: AtomicU64,
}

impl Metrics {
    pub fn request(&self, route: &'static str, status: u16) {
        let mut m = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        *m.entry((route, status)).or_default() += 1;
    }

    pub fn commit(&self, seconds: f64) {
        for (b, bound) in self.commit_buckets.iter().zip(BUCKETS) {
            if seconds <= bound {
                b.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.commit_count.fetch_add(1, Ordering::Relaxed);
        self.commit_micros.fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        out.push_str("# HELP tropa_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE tropa_http_requests_total counter\n");
        for ((route, status), n) in self.requests.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let _ = writeln!(out, "tropa_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}");
        }
        let counters = [
            ("tropa_events_accepted_total", "Events stored durably.", &self.events_accepted),
            ("tropa_events_duplicate_total", "Events whose message id was already stored.", &self.events_duplicate),
            ("tropa_events_rejected_total", "Messages rejected as malformed.", &self.events_rejected),
            ("tropa_overload_rejections_total", "Requests answered 429 because the queue was full.", &self.overloaded),
        ];
        for (name, help, v) in counters {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}", get(v));
        }
        let gauges = [
            ("tropa_ingest_queue_requests", "Ingest requests waiting for the write-ahead log.", &self.queue_requests),
            ("tropa_ingest_queue_bytes", "Request bytes held by waiting ingest requests.", &self.queue_bytes),
        ];
        for (name, help, v) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {}", get(v));
        }
        let name = "tropa_wal_commit_seconds";
        let _ = writeln!(out, "# HELP {name} Time from handing a batch to the engine until it is fsynced.");
        let _ = writeln!(out, "# TYPE {name} histogram");
        for (b, bound) in self.commit_buckets.iter().zip(BUCKETS) {
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {}", get(b));
        }
        let count = get(&self.commit_count);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "{name}_sum {}", get(&self.commit_micros) as f64 / 1e6);
        let _ = writeln!(out, "{name}_count {count}");
        out
    }
}

/// Where a `/metrics` request arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    /// `listen`, shared with the API and the web app.
    Shared,
    /// `metrics_listen`, which serves nothing else.
    Own,
}

/// Headers that reverse proxies add: a request that carries one did not come straight from this machine.
const PROXY_HEADERS: [&str; 5] = ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip"];

/// Whether the client of a `/metrics` request may read them: `peer` is its address (`None` when unknown).
pub fn allow(
    config: &Config,
    listener: Listener,
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    if let Some(token) = &config.metrics_token {
        let key = auth::presented_key(headers)?.ok_or_else(|| {
            ApiError::field(
                Code::MissingKey,
                "Authorization",
                "the metrics need a token: send Authorization: Bearer TOKEN",
            )
        })?;
        return if same(key.as_bytes(), token.expose().as_bytes()) {
            Ok(())
        } else {
            Err(ApiError::field(
                Code::InvalidKey,
                "Authorization",
                "the token is wrong: send the server's metrics_token",
            ))
        };
    }
    let local = peer.is_some_and(|p| p.ip().to_canonical().is_loopback());
    let proxied = PROXY_HEADERS.iter().any(|h| headers.contains_key(*h));
    if listener == Listener::Own || (local && !proxied) {
        Ok(())
    } else {
        Err(ApiError::field(
            Code::MissingKey,
            "Authorization",
            "metrics are served only to this machine: set metrics_token on the server and send Authorization: \
             Bearer TOKEN, or set metrics_listen",
        ))
    }
}

/// Equal bytes, compared in a time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn answer(state: &AppState, listener: Listener, req: &Request) -> Result<Response, ApiError> {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    allow(&state.config, listener, peer, req.headers())?;
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response())
}

/// `GET /metrics` on `listen`.
pub async fn shared(State(s): State<Arc<AppState>>, req: Request) -> Result<Response, ApiError> {
    answer(&s, Listener::Shared, &req)
}

/// The routes of `metrics_listen`: `/metrics` and nothing else.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(|State(s): State<Arc<AppState>>, req: Request| async move { answer(&s, Listener::Own, &req) }),
        )
        .fallback(|| async { ApiError::new(Code::NotFound, "no such endpoint: this address serves only /metrics") })
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let m = Metrics::default();
        m.commit(0.0007);
        m.commit(0.03);
        m.request("/v1/batch", 200);
        m.request("/v1/batch", 200);
        let text = m.render();
        assert!(text.contains("tropa_wal_commit_seconds_bucket{le=\"0.0005\"} 0"), "{text}");
        assert!(text.contains("tropa_wal_commit_seconds_bucket{le=\"0.001\"} 1"));
        assert!(text.contains("tropa_wal_commit_seconds_bucket{le=\"0.05\"} 2"));
        assert!(text.contains("tropa_wal_commit_seconds_count 2"));
        assert!(text.contains("tropa_http_requests_total{route=\"/v1/batch\",status=\"200\"} 2"));
    }
}
