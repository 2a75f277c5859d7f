//! The harness of the server's HTTP tests: an `AppState` over naive engines for projects `a` and `b` with their
//! keys, a fixed clock, requests through `Router::oneshot`, a small shop, and the web app's sign-in and page
//! helpers.
#![allow(dead_code)]

pub mod routes;
#[allow(unused_imports)]
pub use routes::*;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use tropa_engine::{fold, Engine, EngineError, ScanSpec};
use tropa_meta::{KeyKind, Meta};
use tropa_server::{router, AppState, Config, Projects};
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
    Harness { _dir: dir, state, engines, write_a, read_a, write_b, read_b, revoked: revoked.secret }
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
        let res = router(self.state.clone()).oneshot(req).await.unwrap();
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

// ---- the web app beyond sign-in: roles on every route, settings, stages, saved reports, downloads, search ----

pub fn page_get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path).header("cookie", cookie).header("accept-language", "en").body(Body::empty()).unwrap()
}

pub fn page_post(path: &str, cookie: &str, form: &str) -> Request<Body> {
    Request::post(path)
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form.to_string()))
        .unwrap()
}

pub fn html(r: &Reply) -> String {
    r.body.as_str().map(str::to_string).unwrap_or_else(|| r.body.to_string())
}

/// A form value, percent-encoded.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The first `value` of an input named `name` in a page.
pub fn input_value(page: &str, name: &str) -> String {
    let at = page.find(&format!("name=\"{name}\" value=\"")).unwrap_or_else(|| panic!("no {name} in {page}"));
    page[at..].split("value=\"").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&")
}

impl Harness {
    /// Signs in; the session cookie and the session's CSRF token.
    pub async fn sign_in(&self, email: &str, password: &str) -> (String, String) {
        let form = self.send(page_get("/login", "")).await;
        let pre = form.headers["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        let csrf = pre.split_once('=').unwrap().1.to_string();
        let body = format!("csrf={csrf}&email={}&password={}", enc(email), enc(password));
        let r = self.send(page_post("/login", &pre, &body)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "sign-in of {email}: {}", html(&r));
        let cookie = r.headers["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        let page = html(&self.send(page_get("/settings", &cookie)).await);
        (cookie, input_value(&page, "csrf"))
    }

    /// One sign-in attempt from the client at `peer` (as the socket would give it), with `headers` added.
    pub async fn sign_in_from(&self, peer: &str, email: &str, password: &str, headers: &[(&str, &str)]) -> Reply {
        let form = self.send(page_get("/login", "")).await;
        let pre = form.headers["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        let csrf = pre.split_once('=').unwrap().1.to_string();
        let body = format!("csrf={csrf}&email={}&password={}", enc(email), enc(password));
        let mut req = page_post("/login", &pre, &body);
        for (k, v) in headers {
            req.headers_mut().insert(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
        }
        let addr: std::net::SocketAddr = peer.parse().unwrap();
        req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
        self.send(req).await
    }

    /// A user with `role` on the instance and in every project (as the upgrade to per-project roles left them).
    pub fn user(&self, email: &str, role: tropa_meta::Role) {
        let u = self.state.meta.create_user(email, role, "correct horse battery", 0).unwrap();
        for p in self.state.meta.projects().unwrap() {
            self.state.meta.set_member(&p.slug, u.id, role).unwrap();
        }
    }

    /// A user who is a member of `project` only, with `role` there (no role on the instance).
    pub fn member(&self, email: &str, project: &str, role: tropa_meta::Role) {
        let u = self.state.meta.create_user(email, tropa_meta::Role::Viewer, "correct horse battery", 0).unwrap();
        self.state.meta.set_member(project, u.id, role).unwrap();
    }
}
