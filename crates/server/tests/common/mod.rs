//! The harness of the server's HTTP tests: an `AppState` over naive engines for projects `a` and `b` with their
//! keys, a fixed clock, requests through `Router::oneshot` and a small shop. The web app's tests (tropa-web)
//! include this file and add the pages (`Harness::pages`) as the binary does.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use tropa_engine::{fold, Engine, EngineError, ScanSpec};
use tropa_meta::{KeyKind, Meta};
use tropa_server::{router, router_with, AppState, Config, Projects};
use tropa_testkit::NaiveEngine;

/// 2026-06-01T00:00:00Z, the server's clock in these tests.
pub const NOW: i64 = 1_780_272_000_000;

/// The harness's projects; one created later (through the web app) gets a fresh empty engine.
pub struct Fixed(std::sync::Mutex<HashMap<String, Arc<NaiveEngine>>>);

impl Projects for Fixed {
    fn engine(&self, project: &str) -> Result<Arc<dyn Engine>, EngineError> {
        let mut map = self.0.lock().unwrap();
        Ok(map.entry(project.to_string()).or_insert_with(|| Arc::new(NaiveEngine::new())).clone())
    }
}

pub struct Harness {
    pub _dir: tempfile::TempDir,
    pub state: Arc<AppState>,
    /// The clock the state was built with.
    pub clock: fn() -> i64,
    /// Routes beside the server's (the web app's pages in its tests); none here: the server alone.
    pub pages: Option<axum::Router>,
    pub engines: HashMap<String, Arc<NaiveEngine>>,
    pub write_a: String,
    pub read_a: String,
    pub write_b: String,
    pub read_b: String,
    pub revoked: String,
}

pub fn harness() -> Harness {
    harness_with(Config::default(), || NOW)
}

/// The harness with another configuration and clock.
pub fn harness_with(config: Config, clock: fn() -> i64) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let meta = Meta::open(&dir.path().join("meta.sqlite")).unwrap();
    let mut engines = HashMap::new();
    for p in ["a", "b"] {
        meta.create_project(p, "", 0).unwrap();
        engines.insert(p.to_string(), Arc::new(NaiveEngine::new()));
    }
    let key = |p: &str, k| meta.create_key(p, k, "", 0).unwrap().secret;
    let (write_a, read_a, write_b, read_b) =
        (key("a", KeyKind::Write), key("a", KeyKind::Read), key("b", KeyKind::Write), key("b", KeyKind::Read));
    let revoked = meta.create_key("a", KeyKind::Write, "old", 0).unwrap();
    meta.revoke_key(revoked.info.id, 1).unwrap();
    let state =
        AppState::with_clock(config, Arc::new(meta), Arc::new(Fixed(std::sync::Mutex::new(engines.clone()))), clock);
    Harness { _dir: dir, state, clock, pages: None, engines, write_a, read_a, write_b, read_b, revoked: revoked.secret }
}

pub fn basic(key: &str) -> String {
    use base64::Engine as _;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{key}:")))
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub headers: axum::http::HeaderMap,
}

impl Harness {
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let app = match &self.pages {
            Some(pages) => router_with(self.state.clone(), pages.clone()),
            None => router(self.state.clone()),
        };
        let res = app.oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()));
        Reply { status, body, headers }
    }

    pub async fn post(&self, path: &str, key: Option<&str>, body: impl Into<Body>) -> Reply {
        let mut b = Request::post(path).header("content-type", "application/json");
        if let Some(k) = key {
            b = b.header("authorization", basic(k));
        }
        self.send(b.body(body.into()).unwrap()).await
    }

    pub fn events(&self, project: &str) -> u64 {
        fold(&*self.engines[project], &ScanSpec::default(), &tropa_core::CountFold).unwrap().events
    }
}

impl Harness {
    pub async fn query(&self, path: &str, key: &str, body: Option<Value>) -> Reply {
        let b = match body {
            Some(_) => Request::post(path).header("content-type", "application/json"),
            None => Request::get(path),
        };
        let b = b.header("authorization", format!("Bearer {key}")).header("accept-language", "ru-RU,ru;q=0.9");
        self.send(b.body(body.map(|v| Body::from(v.to_string())).unwrap_or_default()).unwrap()).await
    }

    /// u1 views, adds to cart and buys (revenue 1500); u2 views and adds; u3 only views (an hour apart, from 2026-05-01).
    pub async fn shop(&self) {
        let mut batch = Vec::new();
        let journeys: [(&str, &[&str]); 3] = [
            ("u1", &["view_item", "add_to_cart", "purchase"]),
            ("u2", &["view_item", "add_to_cart"]),
            ("u3", &["view_item"]),
        ];
        for (u, steps) in journeys {
            for (i, s) in steps.iter().enumerate() {
                let ts = format!("2026-05-01T{:02}:00:00Z", 10 + i);
                let properties = if *s == "purchase" { json!({"revenue": 1500}) } else { json!({}) };
                batch.push(json!({"type":"track","event":s,"userId":u,"timestamp":ts,"messageId":format!("{u}-{i}"),
                    "properties": properties,
                    "context":{"campaign":{"source": if u == "u1" {"yandex"} else {"vk.com"}, "medium":"cpc"}}}));
            }
        }
        let r = self.post("/v1/batch", Some(&self.write_a), json!({"batch": batch}).to_string()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
}
