//! The web app: server-rendered pages with inline SVG charts from `tropa-render`, Russian and English
//! ([`i18n`]). Sign-in with e-mail and password (argon2id, see `tropa_meta::users`) gives an HttpOnly,
//! SameSite=Lax session cookie (Secure behind TLS, i.e. with `X-Forwarded-Proto: https`); every form carries a
//! CSRF token (the session's, or before sign-in a double-submit cookie) and is refused without it.

mod access;
mod audit;
mod customers;
mod export;
mod form;
mod funnels;
pub mod i18n;
mod maps;
mod members;
mod overview;
mod paths;
mod project_settings;
mod retention;
mod saved;
mod settings;
mod stages;
pub(crate) mod throttle;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tropa_core::analysis::scope::{CustomerTest, ScopeSpec};
use tropa_engine::report::StateFilter;
use tropa_meta::{Role, User};

use tropa_app::Projects;
use tropa_core::settings::ProjectSettings;

pub use access::{in_project, project_param_for, Admin, Analyst, Member, Viewer};
use i18n::Lang;
use tropa_engine::{Engine, EngineError};
use tropa_meta::Meta;

use tropa_app::sessions::COOKIE as SESSION_COOKIE;
const PRE_COOKIE: &str = "tropa_csrf";
const SESSION_TTL_MS: i64 = 7 * 86_400_000;
const CSS: &str = include_str!("../assets/app.css");
const SCRIPT: &str = include_str!("../assets/app.js");

/// What the web app's handlers share. The binary builds it next to the server's state, over the same metadata
/// and projects, and merges [`router`] into the server's HTTP surface (`tropa_server::router_with`).
pub struct WebState {
    pub meta: Arc<Meta>,
    pub projects: Arc<dyn Projects>,
    /// The clock, epoch ms (tests pass a fixed one).
    pub clock: Box<dyn Fn() -> i64 + Send + Sync>,
    /// Proxies whose `X-Forwarded-For` names the client (sign-in throttle, audit log).
    pub trusted_proxies: Vec<IpAddr>,
    /// Failed sign-ins and the bound on password hashes (in memory, per process).
    sign_in: throttle::SignInThrottle,
}

impl WebState {
    pub fn new(meta: Arc<Meta>, projects: Arc<dyn Projects>, trusted_proxies: Vec<IpAddr>) -> Arc<WebState> {
        Self::with_clock(meta, projects, trusted_proxies, Box::new(system_ms))
    }

    /// The same state with another clock.
    pub fn with_clock(
        meta: Arc<Meta>,
        projects: Arc<dyn Projects>,
        trusted_proxies: Vec<IpAddr>,
        clock: Box<dyn Fn() -> i64 + Send + Sync>,
    ) -> Arc<WebState> {
        Arc::new(WebState { meta, projects, clock, trusted_proxies, sign_in: throttle::SignInThrottle::default() })
    }
}

fn system_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The settings of a project the user may read (its time zone, its currency).
pub(crate) fn settings_of(st: &WebState, project: &str) -> Result<ProjectSettings, tropa_app::AppError> {
    tropa_app::settings::project_or_default(&st.meta, project)
}

/// A report's function: its spec, the filters' scope and stage/lifecycle tests → the report.
pub(crate) type Run<Spec, Out> =
    fn(&dyn Engine, Spec, ScopeSpec, Vec<Box<dyn CustomerTest>>) -> Result<Out, EngineError>;

/// Every page of the web app, with its state.
pub fn router(state: Arc<WebState>) -> Router {
    routes().with_state(state)
}

fn routes() -> Router<Arc<WebState>> {
    Router::new()
        .route("/", get(overview::page))
        .route("/funnels", get(funnels::page))
        .route("/paths", get(paths::page))
        .route("/retention", get(retention::page))
        .route("/stages", get(stages::page).post(stages::post))
        .route("/customers", get(customers::page))
        .route("/settings/audit", get(audit::page))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .merge(settings::routes())
        .merge(members::routes())
        .merge(project_settings::routes())
        .merge(saved::routes())
        .merge(maps::routes())
        .route("/app.css", get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS) }))
        .route("/app.js", get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT) }))
        .layer(axum::middleware::from_fn(remember_next))
        .layer(axum::middleware::from_fn(keep_here))
        .layer(axum::middleware::from_fn(audit::keep_client))
}

tokio::task_local! {
    /// The page being answered (path and query of a GET), for the language switch to come back to: pages send
    /// no `Referer` (see the security headers in `lib.rs`).
    static HERE: String;
}

async fn keep_here(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let here = (req.method() == axum::http::Method::GET)
        .then(|| req.uri().path_and_query().map(|p| p.as_str().to_string()))
        .flatten()
        .unwrap_or_default();
    HERE.scope(here, next.run(req)).await
}

const NEXT_COOKIE: &str = "tropa_next";

/// A page asked for while signed out is remembered (a cookie for the sign-in form) and opened after sign-in.
async fn remember_next(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let wanted = (req.method() == axum::http::Method::GET)
        .then(|| req.uri().path_and_query().map(|p| p.as_str().to_string()))
        .flatten();
    let mut res = next.run(req).await;
    let to_login = res.status() == StatusCode::SEE_OTHER
        && res.headers().get(header::LOCATION).is_some_and(|l| l.as_bytes() == b"/login");
    if let Some(path) = wanted.filter(|p| to_login && local_path(p) && !p.starts_with("/login")) {
        let v = format!("{NEXT_COOKIE}={}; Path=/login; HttpOnly; SameSite=Lax; Max-Age=600", export::enc(&path));
        if let Ok(v) = HeaderValue::from_str(&v) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// A path of this site: `/` and then visible ASCII only — no `\\`, no second `/` at the start (either would name
/// another host), and no spaces or control characters at all (browsers drop tabs and newlines from a URL, so
/// `/<tab>/host` would become `//host`).
fn local_path(p: &str) -> bool {
    let b = p.as_bytes();
    b.first() == Some(&b'/') && b.get(1) != Some(&b'/') && b.iter().all(|c| c.is_ascii_graphic() && *c != b'\\')
}

/// The one way to redirect (303) to a place built from input: `to` when it is a path of this site
/// ([`local_path`]), else `/`; never an open redirect, never a `Location` that is no header value.
pub(crate) fn redirect(to: &str) -> Response {
    let to = if local_path(to) { to } else { "/" };
    let location = HeaderValue::try_from(to).unwrap_or(HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// A signed-in request.
pub struct Session {
    pub user: User,
    pub csrf: String,
    pub lang: Lang,
    /// The project the page shows; the navigation keeps it.
    pub project: String,
    /// The user's role where they are: in the project (see [`in_project`]), else on the instance.
    pub role: Role,
}

fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    tropa_app::sessions::cookie(headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()), name)
}

/// The address this server was reached at (for snippets and share links), from `Host` and `X-Forwarded-Proto`.
pub(crate) fn origin(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:8080");
    let tls = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https");
    format!("{}://{host}", if tls { "https" } else { "http" })
}

fn secure(headers: &HeaderMap) -> &'static str {
    let tls = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p == "https");
    if tls {
        "; Secure"
    } else {
        ""
    }
}

/// The session of the request, or the answer that sends the browser to the sign-in page.
/// A page's answer when the request may not see it (boxed: a response is large next to a session).
pub type Refusal = Box<Response>;

pub fn session(state: &WebState, headers: &HeaderMap, at_least: Role) -> Result<Session, Refusal> {
    let to_login = || Box::new(redirect("/login"));
    let token = cookie(headers, SESSION_COOKIE).ok_or_else(to_login)?;
    let found =
        tropa_app::sessions::signed_in(&state.meta, token, (state.clock)()).map_err(|e| Box::new(internal(&e)))?;
    let (user, csrf) = found.ok_or_else(to_login)?;
    let lang = Lang::pick(&user.lang, headers);
    let role = user.role;
    let s = Session { user, csrf, lang, project: String::new(), role };
    if s.role < at_least {
        return Err(forbidden(&s, at_least));
    }
    Ok(s)
}

fn forbidden(s: &Session, need: Role) -> Refusal {
    let l = s.lang;
    let body = format!(
        "<h1>403</h1><p>{} <b>{}</b>.</p><p><a href=\"/\">{}</a></p>",
        l.t("forbidden"),
        l.t(need.as_str()),
        l.t("overview")
    );
    Box::new((StatusCode::FORBIDDEN, Html(shell(s, "", "403", &body))).into_response())
}

/// A builder page (funnels, paths, retention): the saved reports, the form and the result; or, when a chart
/// download was asked for, that file.
pub(crate) fn builder_page(
    st: &WebState,
    s: &Session,
    kind: &'static str,
    q: &HashMap<String, String>,
    form: &str,
    result: &str,
    ex: export::Exports,
) -> Response {
    if let Some(file) = ex.into_file() {
        return file;
    }
    let saved = saved::panel(st, s, kind, q);
    let main = format!("<h1>{}</h1>{saved}{form}{result}", s.lang.t(kind));
    Html(shell(s, kind, s.lang.t(kind), &main)).into_response()
}

/// The engine of a project the signed-in user asked for by name (404 when there is no such project).
fn project_engine(st: &WebState, s: &Session, project: &str) -> Result<Arc<dyn tropa_engine::Engine>, Refusal> {
    match st.meta.project(project) {
        Ok(Some(_)) => st.projects.engine(project).map_err(|e| Box::new(internal(&e))),
        Ok(None) => Err(Box::new(not_found(s))),
        Err(e) => Err(Box::new(internal(&e))),
    }
}

/// A builder page's report: the project's engine, the filters' stage/lifecycle tests and `run`, off the async
/// threads. `Ok(Err(message))` is a problem the page shows beside its form; `Err` a response to return as is.
async fn analysis<Spec: Send + 'static, Out: Send + 'static>(
    st: &WebState,
    s: &Session,
    (spec, scope, mut filter): (Spec, ScopeSpec, StateFilter),
    run: crate::Run<Spec, Out>,
) -> Result<Result<Out, String>, Refusal> {
    let engine = project_engine(st, s, &s.project)?;
    if !filter.stages.is_empty() && filter.definition.is_none() {
        filter.definition = Some(stages::parsed_definition(st, &s.project)?);
    }
    let done = tokio::task::spawn_blocking(move || {
        let tests = filter.tests(&*engine)?;
        run(&*engine, spec, scope, tests)
    })
    .await;
    match done {
        Ok(r) => Ok(r.map_err(|e| e.to_string())),
        Err(e) => Err(Box::new(internal(&e))),
    }
}

fn not_found(s: &Session) -> Response {
    (StatusCode::NOT_FOUND, Html(shell(s, "", "404", "<h1>404</h1>"))).into_response()
}

fn internal(e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "web app");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error: the server log has the details").into_response()
}

/// HTML-escaped text.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// A whole page: `body` goes inside `<body>`.
pub fn page(lang: Lang, title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{} · tropa</title><link rel=\"stylesheet\" \
         href=\"/app.css\"><script src=\"/app.js\" defer></script></head><body>{body}</body></html>",
        lang.code(),
        esc(title)
    )
}

/// The header of signed-in pages: brand, navigation, language switch, sign out.
pub fn shell(s: &Session, active: &str, title: &str, main: &str) -> String {
    let l = s.lang;
    let nav = [
        ("/", "overview"),
        ("/maps", "maps"),
        ("/funnels", "funnels"),
        ("/paths", "paths"),
        ("/stages", "stages"),
        ("/retention", "retention"),
        ("/customers", "customers_page"),
        ("/settings", "settings"),
    ]
    .iter()
    .map(|(href, key)| {
        let on = if *key == active { " class=\"on\"" } else { "" };
        let keep = match s.project.as_str() {
            "" | "default" => String::new(),
            p => format!("?project={}", esc(p)),
        };
        format!("<a href=\"{href}{keep}\"{on}>{}</a>", l.t(key))
    })
    .collect::<String>();
    let other = if l == Lang::Ru { "en" } else { "ru" };
    let csrf = esc(&s.csrf);
    let back = HERE.try_with(|h| h.clone()).unwrap_or_default();
    let back = if back.is_empty() {
        String::new()
    } else {
        format!("<input type=\"hidden\" name=\"back\" value=\"{}\">", esc(&back))
    };
    let body = format!(
        "<header><a class=\"brand\" href=\"/\">tropa</a><nav>{nav}</nav><span class=\"grow\"></span>\
         <span class=\"muted\">{email} · {role}</span>\
         <form method=\"post\" action=\"/settings/lang\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <input type=\"hidden\" name=\"lang\" value=\"{other}\">{back}<button class=\"link\" type=\"submit\">{lang}</button></form>\
         <form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button class=\"link\" type=\"submit\">{out}</button></form></header><main>{main}</main>",
        email = esc(&s.user.email),
        role = l.t(s.user.role.as_str()),
        lang = l.t("language"),
        out = l.t("sign_out"),
    );
    page(l, title, &body)
}

fn login_page(lang: Lang, csrf: &str, email: &str, error: Option<&str>) -> String {
    let (invalid, err) = match error {
        Some(e) => ("true", format!("<p class=\"err\" role=\"alert\">{}</p>", esc(e))),
        None => ("false", String::new()),
    };
    let body = format!(
        "<form class=\"login\" method=\"post\" action=\"/login\"><h1>tropa</h1><p class=\"muted\">{app}</p>\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <label for=\"email\">{e}</label><input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" \
         required value=\"{email}\" aria-invalid=\"{invalid}\">\
         <label for=\"password\">{p}</label><input id=\"password\" name=\"password\" type=\"password\" \
         autocomplete=\"current-password\" required aria-invalid=\"{invalid}\">{err}\
         <button type=\"submit\">{s}</button></form>",
        app = lang.t("app"),
        csrf = esc(csrf),
        e = lang.t("email"),
        email = esc(email),
        p = lang.t("password"),
        s = lang.t("sign_in"),
    );
    page(lang, lang.t("sign_in"), &body)
}

async fn login_form(State(st): State<Arc<WebState>>, headers: HeaderMap) -> Response {
    let lang = Lang::pick("", &headers);
    let existing = cookie(&headers, PRE_COOKIE).filter(|c| c.len() > 20).map(str::to_string);
    let csrf = match existing {
        Some(c) => c,
        None => match tropa_meta::random_password() {
            Ok(p) => format!("p{p}{}", (st.clock)()),
            Err(e) => return internal(&e),
        },
    };
    let set = format!("{PRE_COOKIE}={csrf}; Path=/login; HttpOnly; SameSite=Strict{}", secure(&headers));
    let mut res = Html(login_page(lang, &csrf, "", None)).into_response();
    if let Ok(v) = HeaderValue::from_str(&set) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Deserialize)]
struct LoginForm {
    csrf: String,
    email: String,
    password: String,
}

async fn login(
    State(st): State<Arc<WebState>>,
    ext: axum::http::Extensions,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let lang = Lang::pick("", &headers);
    let expected = cookie(&headers, PRE_COOKIE).unwrap_or("");
    if expected.is_empty() || expected != f.csrf {
        let html = login_page(lang, expected, &f.email, Some(lang.t("expired_form")));
        return (StatusCode::FORBIDDEN, Html(html)).into_response();
    }
    let peer = ext.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    let client = throttle::client_address(peer, &headers, &st.trusted_proxies);
    if let Some(ms) = st.sign_in.wait_ms(&f.email, client, (st.clock)()) {
        tracing::info!("sign-in refused: too many failures");
        return sign_in_later(lang, expected, &f.email, StatusCode::TOO_MANY_REQUESTS, ms);
    }
    let Some(turn) = st.sign_in.hashing_turn(throttle::HASH_WAIT).await else {
        return sign_in_later(lang, expected, &f.email, StatusCode::SERVICE_UNAVAILABLE, 1_000);
    };
    let meta = st.meta.clone();
    let (email, password) = (f.email.clone(), f.password);
    let checked = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        meta.verify_password(&email, &password)
    });
    let user = match checked.await {
        Ok(Ok(u)) => u,
        Ok(Err(e)) => return internal(&e),
        Err(e) => return internal(&e),
    };
    let Some(user) = user else {
        st.sign_in.failed(&f.email, client, (st.clock)());
        let html = login_page(lang, expected, &f.email, Some(lang.t("wrong_password")));
        return (StatusCode::UNAUTHORIZED, Html(html)).into_response();
    };
    st.sign_in.succeeded(&f.email, client);
    let s = match st.meta.create_session(user.id, (st.clock)(), SESSION_TTL_MS) {
        Ok(s) => s,
        Err(e) => return internal(&e),
    };
    tracing::info!(user = user.id, "signed in");
    let set = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        s.token,
        SESSION_TTL_MS / 1000,
        secure(&headers)
    );
    let next = cookie(&headers, NEXT_COOKIE)
        .and_then(|v| serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("n={v}")).ok())
        .and_then(|mut v| v.pop().map(|(_, p)| p))
        .unwrap_or_else(|| "/".into());
    let mut res = redirect(&next);
    if let Ok(v) = HeaderValue::from_str(&set) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("{NEXT_COOKIE}=; Path=/login; Max-Age=0")) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// The sign-in form again with when to try: 429 after too many failures, 503 while the server is busy checking
/// other passwords; `Retry-After` in whole seconds.
fn sign_in_later(lang: Lang, csrf: &str, email: &str, status: StatusCode, wait_ms: i64) -> Response {
    let seconds = (wait_ms.max(1) + 999) / 1000;
    let message = if status == StatusCode::TOO_MANY_REQUESTS {
        // in whole minutes from a minute on, rounded up: never sooner than Retry-After
        let shown = if seconds < 60 { seconds } else { (seconds + 59) / 60 * 60 };
        format!("{} {}", lang.t("sign_in_throttled"), lang.duration(Some(shown as f64)))
    } else {
        lang.t("server_busy").to_string()
    };
    let mut res = (status, Html(login_page(lang, csrf, email, Some(&message)))).into_response();
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    res
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

/// The session if the form's CSRF token is the session's and the user has at least the role.
fn checked(st: &WebState, headers: &HeaderMap, csrf: &str, at_least: Role) -> Result<Session, Refusal> {
    let s = session(st, headers, at_least)?;
    if s.csrf != csrf {
        let body = format!("<main><h1>403</h1><p>{}</p></main>", s.lang.t("expired_form"));
        return Err(Box::new((StatusCode::FORBIDDEN, Html(page(s.lang, "403", &body))).into_response()));
    }
    Ok(s)
}

async fn logout(State(st): State<Arc<WebState>>, headers: HeaderMap, Form(f): Form<CsrfForm>) -> Response {
    if let Err(r) = checked(&st, &headers, &f.csrf, Role::Viewer) {
        return *r;
    }
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Err(e) = st.meta.delete_session(token) {
            return internal(&e);
        }
    }
    let mut res = redirect("/login");
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}", secure(&headers));
    if let Ok(v) = HeaderValue::from_str(&clear) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}
