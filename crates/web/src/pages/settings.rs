//! The settings pages: the signed-in user's own account (language, password) for everyone; projects, API keys
//! (created and shown once, revoked) and users (created, role changed, password reset, deleted) for admins only.
//! Every form is a POST with the session's CSRF token; every admin route checks the role itself, so hiding a link
//! is never the only protection.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Form;
use maud::{html, Markup};
use serde_json::json;
use tropa_app::audit::{Action, Done};
use tropa_meta::{KeyInfo, KeyKind, MetaError, NewKey, Project, Role, User};

use crate::access::{Admin, Member};
use crate::audit::record;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::i18n::Words;
use crate::session::{checked, origin, redirect, session, Session};
use crate::throttle;
use crate::ui::form::{csrf_field, FieldErrors};
use crate::ui::settings::{role_options, settings_page};
use crate::url::enc;
use crate::WebState;

type Fields = HashMap<String, String>;

fn get_field<'f>(f: &'f Fields, name: &str) -> &'f str {
    f.get(name).map(|v| v.trim()).unwrap_or("")
}

/// A failure of the metadata that is not the user's mistake: logged, 500.
fn fault(e: MetaError) -> WebError {
    WebError::internal(&e)
}

/// A meta error a form shows at its field; one that is not the user's mistake is an internal error.
fn form_problem(e: &MetaError) -> Result<(String, String), WebError> {
    match e {
        MetaError::Invalid { field, reason } => Ok((field.clone(), reason.clone())),
        MetaError::Conflict { .. } | MetaError::NotFound { .. } => Ok(("form".into(), e.to_string())),
        _ => Err(WebError::internal(e)),
    }
}

/// `"no-store"` for an answer that carries a secret shown once.
fn never_cached(mut res: Response) -> Response {
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

// ---- account ------------------------------------------------------------------------------------------------

pub(crate) async fn account(State(st): State<Arc<WebState>>, headers: HeaderMap) -> Result<Response, WebError> {
    let s = session(&st, &headers, Role::Viewer)?;
    Ok(account_page(&s, &[], StatusCode::OK))
}

fn account_page(s: &Session, problems: &[(String, String)], status: StatusCode) -> Response {
    let l = s.lang;
    let e = FieldErrors::new(l, problems, "");
    let langs = [("", l.t("lang_browser")), ("ru", "Русский"), ("en", "English")];
    let body = html! {
        div.panels {
            form.panel method="post" action="/settings/lang" {
                (csrf_field(&s.csrf))
                input type="hidden" name="back" value="/settings";
                h2 { (l.t("language_setting")) }
                (e.select("lang", l.t("language_setting"), &s.user.lang, &langs))
                button type="submit" { (l.t("save")) }
            }
            form.panel method="post" action="/settings/password" {
                (csrf_field(&s.csrf))
                h2 { (l.t("change_password")) }
                p.muted { (s.user.email) " · " (l.t(s.user.role.as_str())) }
                (e.input("current", l.t("current_password"), "", "password", ""))
                (e.input("password", l.t("new_password"), "", "password", ""))
                (e.input("repeat", l.t("repeat_password"), "", "password", ""))
                (e.at("form"))
                button type="submit" { (l.t("change_password")) }
            }
        }
    };
    settings_page(s, "account", status, body)
}

pub(crate) async fn set_lang(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let s = checked(&st, &headers, get_field(&f, "csrf"), Role::Viewer)?;
    if let Err(e) = st.meta.set_lang(s.user.id, get_field(&f, "lang")) {
        return Ok(account_page(&s, &[form_problem(&e)?], StatusCode::BAD_REQUEST));
    }
    // Back where the switch was pressed, but only to a path of this site: never an open redirect.
    let referer = headers.get(header::REFERER).and_then(|v| v.to_str().ok()).unwrap_or("");
    let from_referer = referer.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]));
    let back = match get_field(&f, "back") {
        "" => from_referer.unwrap_or("/"),
        b => b,
    };
    Ok(redirect(back))
}

pub(crate) async fn set_password(
    State(st): State<Arc<WebState>>,
    ext: axum::http::Extensions,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let s = checked(&st, &headers, get_field(&f, "csrf"), Role::Viewer)?;
    let l = s.lang;
    // the current password is checked behind the sign-in throttle: a stolen session cannot guess it quickly
    let peer = ext.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    let client = throttle::client_address(peer, &headers, &st.trusted_proxies);
    if let Some(ms) = st.sign_in.wait_ms(&s.user.email, client, (st.clock)()) {
        return Ok(password_later(&s, StatusCode::TOO_MANY_REQUESTS, ms));
    }
    let Some(turn) = st.sign_in.hashing_turn(throttle::HASH_WAIT).await else {
        return Ok(password_later(&s, StatusCode::SERVICE_UNAVAILABLE, 1_000));
    };
    let (current, new) =
        (f.get("current").cloned().unwrap_or_default(), f.get("password").cloned().unwrap_or_default());
    if new != f.get("repeat").map(String::as_str).unwrap_or("") {
        let p = [("repeat".to_string(), l.t("passwords_differ").to_string())];
        return Ok(account_page(&s, &p, StatusCode::BAD_REQUEST));
    }
    let meta = st.meta.clone();
    let (email, id) = (s.user.email.clone(), s.user.id);
    let done = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        match meta.verify_password(&email, &current)? {
            Some(_) => meta.set_password(id, &new).map(|()| true),
            None => Ok(false),
        }
    })
    .await
    .map_err(|e| WebError::internal(&e))?;
    match done {
        Ok(true) => {
            st.sign_in.succeeded(&s.user.email, client);
            record(&st, &s, Done::new(Action::UserPasswordChange, None, &s.user.email));
            // A new password ends every session, this one too: sign in again with it.
            Ok(redirect("/login"))
        }
        Ok(false) => {
            st.sign_in.failed(&s.user.email, client, (st.clock)());
            let p = [("current".to_string(), l.t("wrong_current_password").to_string())];
            Ok(account_page(&s, &p, StatusCode::BAD_REQUEST))
        }
        Err(e) => Ok(account_page(&s, &[form_problem(&e)?], StatusCode::BAD_REQUEST)),
    }
}

/// The account page with when to try changing the password again (429 after too many wrong current passwords,
/// 503 while the server is busy checking passwords), with `Retry-After`.
fn password_later(s: &Session, status: StatusCode, wait_ms: i64) -> Response {
    let (message, seconds) = throttle::wait_words(s.lang, status, wait_ms);
    let mut res = account_page(s, &[("current".to_string(), message)], status);
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    res
}

// ---- projects -----------------------------------------------------------------------------------------------

pub(crate) async fn projects(State(st): State<Arc<WebState>>, headers: HeaderMap) -> Result<Response, WebError> {
    let s = session(&st, &headers, Role::Admin)?;
    projects_page(&st, &s, &[], StatusCode::OK)
}

fn projects_page(
    st: &WebState,
    s: &Session,
    problems: &[(String, String)],
    status: StatusCode,
) -> Result<Response, WebError> {
    let l = s.lang;
    let list = st.meta.projects().map_err(fault)?;
    let keys = st.meta.keys(None).map_err(fault)?;
    let live = |p: &Project| keys.iter().filter(|k| k.project == p.slug && k.revoked_at.is_none()).count();
    let e = FieldErrors::new(l, problems, "");
    let body = html! {
        table {
            thead {
                tr {
                    th { (l.t("project_id")) } th { (l.t("name")) } th { (l.t("created")) }
                    th.num { (l.t("live_keys")) } th {}
                }
            }
            tbody { @for p in &list { (project_row(l, p, live(p))) } }
        }
        form.panel method="post" action="/settings/projects" {
            (csrf_field(&s.csrf))
            h2 { (l.t("new_project")) }
            (e.input("project", l.t("project_id"), "", "text", "shop"))
            p.muted { (l.t("project_id_hint")) }
            (e.input("name", l.t("name"), "", "text", ""))
            (e.at("form"))
            button type="submit" { (l.t("create")) }
        }
    };
    Ok(settings_page(s, "projects", status, body))
}

/// A project in the list: its id, name, creation date, live keys and the ways to its overview and keys.
fn project_row(l: Lang, p: &Project, live: usize) -> Markup {
    let slug = enc(&p.slug);
    html! {
        tr {
            td { code { (p.slug) } }
            td { (p.name) }
            td { (date(l, p.created_at)) }
            td.num { (l.locale().int(live as u64)) }
            td {
                a href={ "/?project=" (slug) } { (l.t("overview")) }
                " · "
                a href={ "/settings/keys?project=" (slug) } { (l.t("api_keys")) }
            }
        }
    }
}

pub(crate) async fn create_project(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let s = checked(&st, &headers, get_field(&f, "csrf"), Role::Admin)?;
    let p = match st.meta.create_project(get_field(&f, "project"), get_field(&f, "name"), (st.clock)()) {
        Ok(p) => p,
        Err(e) => return projects_page(&st, &s, &[form_problem(&e)?], StatusCode::BAD_REQUEST),
    };
    tracing::info!(user = s.user.id, "project created");
    // a new project grants only its creator
    st.meta.set_member(&p.slug, s.user.id, Role::Admin).map_err(fault)?;
    record(&st, &s, Done::new(Action::ProjectCreate, Some(&p.slug), &p.slug).with(json!({"name": p.name})));
    Ok(redirect(&format!("/settings/keys?project={}", enc(&p.slug))))
}

// ---- keys ---------------------------------------------------------------------------------------------------

pub(crate) async fn keys(State(st): State<Arc<WebState>>, m: Member<Admin>) -> Result<Response, WebError> {
    keys_page(&st, &m.s, &[], None, StatusCode::OK)
}

fn keys_page(
    st: &WebState,
    s: &Session,
    problems: &[(String, String)],
    created: Option<(&NewKey, &str)>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let l = s.lang;
    // the picker offers the projects whose keys this user manages
    let projects: Vec<Project> = st.meta.user_projects(&s.user).map_err(fault)?;
    let managed = |p: &&Project| st.meta.project_role(&s.user, &p.slug).ok().flatten() == Some(Role::Admin);
    let list = st.meta.keys(Some(&s.project)).map_err(fault)?;
    let e = FieldErrors::new(l, problems, "");
    let kinds = [("write", l.t("key_write")), ("read", l.t("key_read"))];
    let body = html! {
        @if let Some((k, origin)) = created { (key_shown(l, k, origin)) }
        form method="get" action="/settings/keys" class="muted" {
            (l.t("project")) ": "
            select name="project" data-autosubmit {
                @for p in projects.iter().filter(managed) {
                    option value=(p.slug) selected[p.slug == s.project] { (p.name) }
                }
            }
            " "
            noscript { button type="submit" { "OK" } }
        }
        table {
            thead {
                tr {
                    th { (l.t("key")) } th { (l.t("kind")) } th { (l.t("label")) } th { (l.t("created")) } th {}
                }
            }
            tbody { @for k in &list { (key_row(s, k)) } }
        }
        form.panel method="post" action="/settings/keys" {
            (csrf_field(&s.csrf))
            input type="hidden" name="project" value=(s.project);
            h2 { (l.t("new_key")) }
            (e.select("kind", l.t("kind"), "write", &kinds))
            (e.input("label", l.t("label"), "", "text", l.t("label_hint")))
            (e.at("form"))
            button type="submit" { (l.t("create")) }
        }
    };
    Ok(settings_page(s, "api_keys", status, body))
}

/// A key in the list: its first characters, kind, label, creation date, and when it was revoked or the way to.
fn key_row(s: &Session, k: &KeyInfo) -> Markup {
    let l = s.lang;
    let kind = if k.kind == KeyKind::Write { "key_write" } else { "key_read" };
    html! {
        tr {
            td { code { (k.hint) "…" } }
            td { (l.t(kind)) }
            td { (k.label) }
            td { (date(l, k.created_at)) }
            td {
                @if let Some(t) = k.revoked_at {
                    (l.t("revoked")) " " (date(l, t))
                } @else {
                    form method="post" action="/settings/keys/revoke" data-confirm=(l.t("confirm_revoke_key")) {
                        (csrf_field(&s.csrf))
                        input type="hidden" name="id" value=(k.id);
                        input type="hidden" name="project" value=(k.project);
                        button.danger.small type="submit" { (l.t("revoke")) }
                    }
                }
            }
        }
    }
}

/// A key just created: its secret, shown this once, and for a write key the snippet for the site.
fn key_shown(l: Lang, k: &NewKey, origin: &str) -> Markup {
    html! {
        div.secret role="status" {
            h2 { (l.t("key_created")) }
            p { (l.t("key_shown_once")) }
            pre #new-key { (k.secret) }
            @if k.info.kind == KeyKind::Write {
                p.muted { (l.t("snippet_hint")) }
                // code to copy, shown as text
                pre { "<script async src=\"" (origin) "/t.js\" data-key=\"" (k.secret) "\"></script>" }
            }
        }
    }
}

pub(crate) async fn create_key(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    m: Member<Admin>,
) -> Result<Response, WebError> {
    let made = KeyKind::parse(m.field("kind"))
        .and_then(|kind| st.meta.create_key(&m.s.project, kind, m.field("label"), (st.clock)()));
    let s = &m.s;
    let k = match made {
        Ok(k) => k,
        Err(e) => return keys_page(&st, s, &[form_problem(&e)?], None, StatusCode::BAD_REQUEST),
    };
    tracing::info!(user = s.user.id, key = k.info.id, "key created");
    let details = json!({"id": k.info.id, "kind": k.info.kind.as_str(), "label": k.info.label});
    record(&st, s, Done::new(Action::KeyCreate, Some(&s.project), &k.info.hint).with(details));
    // The secret is in this answer only: never cache it.
    let res = keys_page(&st, s, &[], Some((&k, &origin(&headers))), StatusCode::CREATED)?;
    Ok(never_cached(res))
}

pub(crate) async fn revoke_key(State(st): State<Arc<WebState>>, m: Member<Admin>) -> Result<Response, WebError> {
    let s = &m.s;
    let Ok(id) = m.field("id").parse::<i64>() else {
        let p = [("form".to_string(), format!("id: {}", s.lang.t("not_a_number")))];
        return keys_page(&st, s, &p, None, StatusCode::BAD_REQUEST);
    };
    // The key must belong to the project the form names, so a stale page cannot revoke another project's key.
    let owned = st.meta.keys(Some(&s.project)).map_err(fault)?.iter().any(|k| k.id == id);
    if !owned {
        let p = [("form".to_string(), MetaError::NotFound { what: "key", name: id.to_string() }.to_string())];
        return keys_page(&st, s, &p, None, StatusCode::NOT_FOUND);
    }
    let k = st.meta.revoke_key(id, (st.clock)()).map_err(fault)?;
    tracing::info!(user = s.user.id, key = id, "key revoked");
    record(&st, s, Done::new(Action::KeyRevoke, Some(&s.project), &k.hint).with(json!({"id": id})));
    Ok(redirect(&format!("/settings/keys?project={}", enc(&s.project))))
}

// ---- users --------------------------------------------------------------------------------------------------

pub(crate) async fn users(State(st): State<Arc<WebState>>, headers: HeaderMap) -> Result<Response, WebError> {
    let s = session(&st, &headers, Role::Admin)?;
    users_page(&st, &s, &[], None, StatusCode::OK)
}

/// The choices of a user's role on the instance: a user (whose role is the one in each project they are a
/// member of; the value keeps the stored one, a former admin becomes a viewer) or an admin (every project).
fn instance_role_options(l: Lang, current: Role) -> Markup {
    let admin = current == Role::Admin;
    let user = if admin { Role::Viewer } else { current };
    html! {
        option value=(user.as_str()) selected[!admin] { (l.t("instance_user")) }
        option value=(Role::Admin.as_str()) selected[admin] { (l.t("admin")) }
    }
}

fn users_page(
    st: &WebState,
    s: &Session,
    problems: &[(String, String)],
    done: Option<Markup>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let l = s.lang;
    let list = st.meta.users().map_err(fault)?;
    let projects = st.meta.projects().unwrap_or_default();
    let e = FieldErrors::new(l, problems, "");
    let body = html! {
        @if let Some(d) = done { div.secret role="status" { (d) } }
        (e.at("form"))
        table {
            thead { tr { th { (l.t("email")) } th { (l.t("role")) } th { (l.t("created")) } th {} } }
            tbody { @for u in &list { (user_row(s, u)) } }
        }
        (new_user_form(s, &e, &projects))
    };
    Ok(never_cached(settings_page(s, "users", status, body)))
}

/// A user in the list: the e-mail, the role on the instance, the creation date, a new password and delete.
fn user_row(s: &Session, u: &User) -> Markup {
    let l = s.lang;
    let csrf = csrf_field(&s.csrf);
    let id = html! { input type="hidden" name="user" value=(u.id); };
    html! {
        tr {
            td { (u.email) }
            td {
                form method="post" action="/settings/users/role" class="inline" {
                    (csrf) (id)
                    select name="role" aria-label=(l.t("role")) { (instance_role_options(l, u.role)) }
                    " "
                    button.small type="submit" { (l.t("save")) }
                }
            }
            td { (date(l, u.created_at)) }
            td {
                form method="post" action="/settings/users/password" class="inline" {
                    (csrf) (id)
                    button.small.secondary type="submit" { (l.t("reset_password")) }
                }
                " "
                form method="post" action="/settings/users/delete" class="inline" data-confirm=(l.t("confirm_delete_user")) {
                    (csrf) (id)
                    button.small.danger type="submit" { (l.t("delete")) }
                }
            }
        }
    }
}

/// The form of a new user: the e-mail, the role and the project it applies in.
fn new_user_form(s: &Session, e: &FieldErrors, projects: &[Project]) -> Markup {
    let l = s.lang;
    html! {
        form.panel method="post" action="/settings/users" {
            (csrf_field(&s.csrf))
            h2 { (l.t("new_user")) }
            (e.input("email", l.t("email"), "", "email", "maria@example.ru"))
            label for="new-role" { (l.t("role")) }
            select #new-role name="role" { (role_options(l, Role::Viewer)) }
            label for="new-project" { (l.t("member_of")) }
            select #new-project name="project" {
                @for p in projects { option value=(p.slug) { (p.slug) } }
            }
            p.muted { (l.t("roles_hint")) }
            button type="submit" { (l.t("create")) }
        }
    }
}

/// The one-time password message of a new user or a reset.
fn password_shown(l: Lang, email: &str, password: &str) -> Markup {
    html! {
        h2 { (l.t("password_created")) }
        p { (l.t("password_shown_once")) " " b { (email) } ":" }
        pre #new-password { (password) }
    }
}

fn user_id(f: &Fields) -> Option<i64> {
    get_field(f, "user").parse().ok()
}

/// The users page with the problem of a form (400), shown above the list.
fn user_problem(st: &WebState, s: &Session, e: &MetaError) -> Result<Response, WebError> {
    let (_, m) = form_problem(e)?;
    users_page(st, s, &[("form".into(), m)], None, StatusCode::BAD_REQUEST)
}

pub(crate) async fn create_user(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let s = checked(&st, &headers, get_field(&f, "csrf"), Role::Admin)?;
    let problem = |e: &MetaError| users_page(&st, &s, &[form_problem(e)?], None, StatusCode::BAD_REQUEST);
    let role = match Role::parse(get_field(&f, "role")) {
        Ok(r) => r,
        Err(e) => return problem(&e),
    };
    let password = tropa_meta::random_password().map_err(fault)?;
    let (meta, email, pw, now) = (st.meta.clone(), get_field(&f, "email").to_string(), password.clone(), (st.clock)());
    let made = tokio::task::spawn_blocking(move || meta.create_user(&email, role, &pw, now)).await;
    let u = match made.map_err(|e| WebError::internal(&e))? {
        Ok(u) => u,
        Err(e) => return problem(&e),
    };
    tracing::info!(user = s.user.id, created = u.id, "user created");
    // everyone but an instance admin works in the project chosen, with the role chosen
    let project = get_field(&f, "project");
    if role != Role::Admin && !project.is_empty() {
        if let Err(e) = st.meta.set_member(project, u.id, role) {
            return problem(&e);
        }
    }
    let done = Done::new(Action::UserCreate, None, &u.email).with(json!({"role": u.role.as_str(), "project": project}));
    record(&st, &s, done);
    users_page(&st, &s, &[], Some(password_shown(s.lang, &u.email, &password)), StatusCode::CREATED)
}

pub(crate) async fn set_role(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let s = checked(&st, &headers, get_field(&f, "csrf"), Role::Admin)?;
    let changed = Role::parse(get_field(&f, "role")).and_then(|role| {
        let id = user_id(&f).ok_or(MetaError::NotFound { what: "user", name: get_field(&f, "user").into() })?;
        st.meta.set_role(id, role)
    });
    match changed {
        Ok(u) => {
            record(&st, &s, Done::new(Action::UserRole, None, &u.email).with(json!({"role": u.role.as_str()})));
            Ok(redirect("/settings/users"))
        }
        Err(e) => user_problem(&st, &s, &e),
    }
}

pub(crate) async fn reset_password(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let s = checked(&st, &headers, get_field(&f, "csrf"), Role::Admin)?;
    let found = user_id(&f).and_then(|id| st.meta.users().ok()?.into_iter().find(|u| u.id == id));
    let Some(user) = found else {
        let e = MetaError::NotFound { what: "user", name: get_field(&f, "user").into() };
        return user_problem(&st, &s, &e);
    };
    if user.id == s.user.id {
        return users_page(&st, &s, &[("form".into(), s.lang.t("reset_own").into())], None, StatusCode::BAD_REQUEST);
    }
    let password = tropa_meta::random_password().map_err(fault)?;
    let (meta, pw, id) = (st.meta.clone(), password.clone(), user.id);
    let done = tokio::task::spawn_blocking(move || meta.set_password(id, &pw)).await;
    match done.map_err(|e| WebError::internal(&e))? {
        Ok(()) => {
            record(&st, &s, Done::new(Action::UserPasswordReset, None, &user.email));
            users_page(&st, &s, &[], Some(password_shown(s.lang, &user.email, &password)), StatusCode::OK)
        }
        Err(e) => user_problem(&st, &s, &e),
    }
}

pub(crate) async fn delete_user(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let s = checked(&st, &headers, get_field(&f, "csrf"), Role::Admin)?;
    let email = user_id(&f).and_then(|id| st.meta.users().ok()?.into_iter().find(|u| u.id == id)).map(|u| u.email);
    let deleted = user_id(&f)
        .ok_or(MetaError::NotFound { what: "user", name: get_field(&f, "user").into() })
        .and_then(|id| st.meta.delete_user(id));
    match deleted {
        Ok(()) => {
            record(&st, &s, Done::new(Action::UserDelete, None, email.unwrap_or_default()));
            Ok(redirect("/settings/users"))
        }
        Err(e) => user_problem(&st, &s, &e),
    }
}

/// `YYYY-MM-DD` of an epoch-ms instant (UTC).
fn date(l: Lang, ms: i64) -> String {
    let t = tropa_core::time::format_ts(ms);
    l.date(t.get(..10).unwrap_or(&t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(role: Role, project_role: Role) -> Session {
        let user = User { id: 1, email: "a@x.ru".into(), role, lang: String::new(), created_at: 0 };
        Session { user, csrf: "c".into(), lang: Lang::En, project: "a b".into(), role: project_role }
    }

    #[test]
    fn the_tabs_follow_the_roles_and_mark_the_one_shown() {
        use crate::ui::settings::tabs;
        let admin = tabs(&session(Role::Admin, Role::Admin), "api_keys").into_string();
        assert!(admin.contains("<a href=\"/settings/keys?project=a%20b\" class=\"on\">API keys</a>"), "{admin}");
        assert!(admin.contains("href=\"/settings/users\"") && admin.contains("href=\"/settings/audit\""));
        let project_admin = tabs(&session(Role::Viewer, Role::Admin), "account").into_string();
        assert!(
            project_admin.contains("/settings/members?project=a%20b") && !project_admin.contains("/settings/users")
        );
        let viewer = tabs(&session(Role::Viewer, Role::Viewer), "account").into_string();
        assert_eq!(viewer.matches("<a ").count(), 1, "{viewer}");
    }

    #[test]
    fn an_instance_role_is_admin_or_a_user_keeping_the_stored_role() {
        let l = Lang::En;
        let analyst = instance_role_options(l, Role::Analyst).into_string();
        assert_eq!(
            analyst,
            "<option value=\"analyst\" selected>user (roles in projects)</option><option value=\"admin\">admin</option>"
        );
        let admin = instance_role_options(l, Role::Admin).into_string();
        assert!(admin.contains("<option value=\"viewer\">") && admin.contains("<option value=\"admin\" selected>"));
        assert_eq!(role_options(l, Role::Analyst).into_string().matches("<option").count(), 3);
    }

    #[test]
    fn secrets_shown_once_are_escaped() {
        let shown = password_shown(Lang::En, "<b>@x.ru", "p&w\"").into_string();
        assert!(
            shown.contains("<b>&lt;b&gt;@x.ru</b>") && shown.contains("<pre id=\"new-password\">p&amp;w&quot;</pre>")
        );
        let info = KeyInfo {
            id: 1,
            project: "a".into(),
            kind: KeyKind::Write,
            label: String::new(),
            hint: "tw_abc".into(),
            created_at: 0,
            revoked_at: None,
        };
        let k = NewKey { info, secret: "tw_secret".into() };
        let page = key_shown(Lang::En, &k, "https://t.example").into_string();
        assert!(page.contains("<pre id=\"new-key\">tw_secret</pre>"), "{page}");
        assert!(page.contains("&lt;script async src=&quot;https://t.example/t.js&quot; data-key=&quot;tw_secret"));
        let text = page.replace("&lt;script", "").replace("&lt;/script", "");
        assert!(!text.contains("script"), "the snippet is text, never a script of the page: {page}");
    }
}
