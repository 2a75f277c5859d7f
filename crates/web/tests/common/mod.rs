//! The harness of the web app's HTTP tests: the server's harness (shared with its tests, one file) with the
//! web app's pages composed beside the server's routes, as the binary composes them; sign-in and page helpers.
#![allow(dead_code)]

pub mod routes;
#[path = "../../../server/tests/common/mod.rs"]
mod server;

#[allow(unused_imports)]
pub use routes::*;
#[allow(unused_imports)]
pub use server::{basic, Fixed, Harness, Reply, NOW};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tropa_server::Config;
use tropa_web::WebState;

/// Every source file of the web app and its text (for the checks that must cover pages no test visits).
pub fn web_sources() -> Vec<(std::path::PathBuf, String)> {
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    let mut files = Vec::new();
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let text = std::fs::read_to_string(&path).unwrap();
                files.push((path, text));
            }
        }
    }
    files
}

pub fn harness() -> Harness {
    harness_with(Config::default(), || NOW)
}

/// The harness with another configuration and clock.
pub fn harness_with(config: Config, clock: fn() -> i64) -> Harness {
    let mut h = server::harness_with(config, clock);
    let s = &h.state;
    let web =
        WebState::with_clock(s.meta.clone(), s.projects.clone(), s.config.trusted_proxies.clone(), Box::new(h.clock));
    h.pages = Some(tropa_web::router(web));
    h
}

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
