//! Who is asking: the signed-in user's session (the cookie set at sign-in, read through `tropa_app::sessions`),
//! the CSRF check of forms, cookies and the one safe redirect.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tropa_app::sessions::COOKIE as SESSION_COOKIE;
use tropa_meta::{Role, User};

use crate::error::WebError;
use crate::i18n::Lang;
use crate::WebState;

/// The cookie that carries the CSRF token of the sign-in form (double submit: there is no session yet).
pub const PRE_COOKIE: &str = "tropa_csrf";
/// How long a session lasts.
pub const SESSION_TTL_MS: i64 = 7 * 86_400_000;

pub const NEXT_COOKIE: &str = "tropa_next";

/// A page asked for while signed out is remembered (a cookie for the sign-in form) and opened after sign-in.
pub async fn remember_next(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let wanted = (req.method() == axum::http::Method::GET)
        .then(|| req.uri().path_and_query().map(|p| p.as_str().to_string()))
        .flatten();
    let mut res = next.run(req).await;
    let to_login = res.status() == StatusCode::SEE_OTHER
        && res.headers().get(header::LOCATION).is_some_and(|l| l.as_bytes() == b"/login");
    if let Some(path) = wanted.filter(|p| to_login && local_path(p) && !p.starts_with("/login")) {
        let v = format!("{NEXT_COOKIE}={}; Path=/login; HttpOnly; SameSite=Lax; Max-Age=600", crate::url::enc(&path));
        if let Ok(v) = HeaderValue::from_str(&v) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// A path of this site: `/` and then visible ASCII only — no `\\`, no second `/` at the start (either would name
/// another host), and no spaces or control characters at all (browsers drop tabs and newlines from a URL, so
/// `/<tab>/host` would become `//host`).
pub fn local_path(p: &str) -> bool {
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
    /// The user's role where they are: in the project (see [`crate::access::in_project`]), else on the instance.
    pub role: Role,
}

pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    tropa_app::sessions::cookie(headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()), name)
}

/// The address this server was reached at (for snippets and share links), from `Host` and `X-Forwarded-Proto`.
pub(crate) fn origin(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:8080");
    let tls = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https");
    format!("{}://{host}", if tls { "https" } else { "http" })
}

pub fn secure(headers: &HeaderMap) -> &'static str {
    let tls = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p == "https");
    if tls {
        "; Secure"
    } else {
        ""
    }
}

/// The session of the request with at least the role `at_least` on the instance; else the way to the sign-in
/// page, or 403.
pub fn session(state: &WebState, headers: &HeaderMap, at_least: Role) -> Result<Session, WebError> {
    let token = cookie(headers, SESSION_COOKIE).ok_or(WebError::SignIn)?;
    let found =
        tropa_app::sessions::signed_in(&state.meta, token, (state.clock)()).map_err(|e| WebError::internal(&e))?;
    let (user, csrf) = found.ok_or(WebError::SignIn)?;
    let lang = crate::i18n::lang_of(&user.lang, headers);
    let role = user.role;
    let s = Session { user, csrf, lang, project: String::new(), role };
    if s.role < at_least {
        return Err(WebError::Forbidden(Box::new(s), at_least));
    }
    Ok(s)
}

/// The session if the form's CSRF token is the session's and the user has at least the role.
pub fn checked(st: &WebState, headers: &HeaderMap, csrf: &str, at_least: Role) -> Result<Session, WebError> {
    let s = session(st, headers, at_least)?;
    if s.csrf != csrf {
        return Err(WebError::ExpiredForm(s.lang));
    }
    Ok(s)
}
