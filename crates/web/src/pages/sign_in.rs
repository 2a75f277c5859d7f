//! Signing in and out: the sign-in form (its CSRF token a double-submit cookie, there is no session yet), the
//! password check behind the throttle, the session cookie, and the page asked for before sign-in opened after.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use maud::html;
use serde::Deserialize;
use tropa_app::sessions::COOKIE as SESSION_COOKIE;
use tropa_meta::Role;

use crate::error::WebError;
use crate::i18n::Lang;
use crate::i18n::Words;
use crate::session::{checked, cookie, redirect, secure, NEXT_COOKIE, PRE_COOKIE, SESSION_TTL_MS};
use crate::throttle;
use crate::ui::form::csrf_field;
use crate::ui::layout::document;
use crate::WebState;

fn login_page(lang: Lang, csrf: &str, email: &str, error: Option<&str>) -> String {
    let invalid = if error.is_some() { "true" } else { "false" };
    let body = html! {
        form.login method="post" action="/login" {
            h1 { "tropa" }
            p.muted { (lang.t("app")) }
            (csrf_field(csrf))
            label for="email" { (lang.t("email")) }
            input #email name="email" type="email" autocomplete="username" required value=(email) aria-invalid=(invalid);
            label for="password" { (lang.t("password")) }
            input #password name="password" type="password" autocomplete="current-password" required aria-invalid=(invalid);
            @if let Some(e) = error { p.err role="alert" { (e) } }
            button type="submit" { (lang.t("sign_in")) }
        }
    };
    document(lang, lang.t("sign_in"), body).into_string()
}

pub(crate) async fn login_form(State(st): State<Arc<WebState>>, headers: HeaderMap) -> Result<Response, WebError> {
    let lang = crate::i18n::lang_of("", &headers);
    let existing = cookie(&headers, PRE_COOKIE).filter(|c| c.len() > 20).map(str::to_string);
    let csrf = match existing {
        Some(c) => c,
        None => match tropa_meta::random_password() {
            Ok(p) => format!("p{p}{}", (st.clock)()),
            Err(e) => return Err(WebError::internal(&e)),
        },
    };
    let set = format!("{PRE_COOKIE}={csrf}; Path=/login; HttpOnly; SameSite=Strict{}", secure(&headers));
    let mut res = Html(login_page(lang, &csrf, "", None)).into_response();
    if let Ok(v) = HeaderValue::from_str(&set) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    csrf: String,
    email: String,
    password: String,
}

pub(crate) async fn login(
    State(st): State<Arc<WebState>>,
    ext: axum::http::Extensions,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    let lang = crate::i18n::lang_of("", &headers);
    let expected = cookie(&headers, PRE_COOKIE).unwrap_or("");
    if expected.is_empty() || expected != f.csrf {
        let html = login_page(lang, expected, &f.email, Some(lang.t("expired_form")));
        return Ok((StatusCode::FORBIDDEN, Html(html)).into_response());
    }
    let peer = ext.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    let client = throttle::client_address(peer, &headers, &st.trusted_proxies);
    if let Some(ms) = st.sign_in.wait_ms(&f.email, client, (st.clock)()) {
        tracing::info!("sign-in refused: too many failures");
        return Ok(sign_in_later(lang, expected, &f.email, StatusCode::TOO_MANY_REQUESTS, ms));
    }
    let Some(turn) = st.sign_in.hashing_turn(throttle::HASH_WAIT).await else {
        return Ok(sign_in_later(lang, expected, &f.email, StatusCode::SERVICE_UNAVAILABLE, 1_000));
    };
    let meta = st.meta.clone();
    let (email, password) = (f.email.clone(), f.password);
    let checked = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        meta.verify_password(&email, &password)
    });
    let user = match checked.await {
        Ok(Ok(u)) => u,
        Ok(Err(e)) => return Err(WebError::internal(&e)),
        Err(e) => return Err(WebError::internal(&e)),
    };
    let Some(user) = user else {
        st.sign_in.failed(&f.email, client, (st.clock)());
        let html = login_page(lang, expected, &f.email, Some(lang.t("wrong_password")));
        return Ok((StatusCode::UNAUTHORIZED, Html(html)).into_response());
    };
    st.sign_in.succeeded(&f.email, client);
    let s = match st.meta.create_session(user.id, (st.clock)(), SESSION_TTL_MS) {
        Ok(s) => s,
        Err(e) => return Err(WebError::internal(&e)),
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
    Ok(res)
}

/// The sign-in form again with when to try: 429 after too many failures, 503 while the server is busy checking
/// other passwords; `Retry-After` in whole seconds.
fn sign_in_later(lang: Lang, csrf: &str, email: &str, status: StatusCode, wait_ms: i64) -> Response {
    let (message, seconds) = throttle::wait_words(lang, status, wait_ms);
    let mut res = (status, Html(login_page(lang, csrf, email, Some(&message)))).into_response();
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    res
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    csrf: String,
}

pub(crate) async fn logout(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    checked(&st, &headers, &f.csrf, Role::Viewer)?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Err(e) = st.meta.delete_session(token) {
            return Err(WebError::internal(&e));
        }
    }
    let mut res = redirect("/login");
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}", secure(&headers));
    if let Ok(v) = HeaderValue::from_str(&clear) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}
