//! The settings pages: the signed-in user's own account (language, password) for everyone; projects, API keys
//! (created and shown once, revoked) and users (created, role changed, password reset, deleted) for admins only.
//! Every form is a POST with the session's CSRF token; every admin route checks the role itself, so hiding a link
//! is never the only protection.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde_json::json;
use tropa_app::audit::{Action, Done};
use tropa_meta::{KeyKind, MetaError, Role};

use super::export::enc;
use super::form::FieldErrors;
use super::i18n::Lang;
use super::{checked, esc, internal, redirect, session, shell, Session};
use crate::WebState;
use crate::{Admin, Member};

type Fields = HashMap<String, String>;

fn get_field<'f>(f: &'f Fields, name: &str) -> &'f str {
    f.get(name).map(|v| v.trim()).unwrap_or("")
}

/// The tabs of the settings pages (the admin ones only for admins).
pub(super) fn tabs(s: &Session, on: &str) -> String {
    let l = s.lang;
    let mut list = vec![("/settings".to_string(), "account")];
    if s.user.role >= Role::Admin {
        list.push(("/settings/projects".into(), "projects"));
    }
    // a project's keys and members: for its admins (an instance admin is one everywhere)
    if s.role >= Role::Admin {
        let p = if s.project.is_empty() { String::new() } else { format!("?project={}", enc(&s.project)) };
        list.extend([
            (format!("/settings/project{p}"), "project_settings"),
            (format!("/settings/keys{p}"), "api_keys"),
            (format!("/settings/members{p}"), "members"),
        ]);
    }
    if s.user.role >= Role::Admin {
        list.push(("/settings/users".into(), "users"));
        list.push(("/settings/audit".into(), "audit_log"));
    }
    let links: String = list
        .iter()
        .map(|(href, key)| {
            let cls = if *key == on { " class=\"on\"" } else { "" };
            format!("<a href=\"{}\"{cls}>{}</a>", esc(href), l.t(key))
        })
        .collect();
    format!("<h1>{}</h1><nav class=\"tabs\">{links}</nav>", l.t("settings"))
}

pub(super) fn settings_page(s: &Session, tab: &str, body: &str) -> Response {
    Html(shell(s, "settings", s.lang.t("settings"), &format!("{}{body}", tabs(s, tab)))).into_response()
}

pub(super) fn hidden_csrf(s: &Session) -> String {
    format!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", esc(&s.csrf))
}

/// A meta error a form shows at its field (`None`: not the user's mistake).
fn form_problem(e: &MetaError) -> Option<(String, String)> {
    match e {
        MetaError::Invalid { field, reason } => Some((field.clone(), reason.clone())),
        MetaError::Conflict { .. } | MetaError::NotFound { .. } => Some(("form".into(), e.to_string())),
        _ => None,
    }
}

// ---- account ------------------------------------------------------------------------------------------------

pub(crate) async fn account(State(st): State<Arc<WebState>>, headers: HeaderMap) -> Response {
    match session(&st, &headers, Role::Viewer) {
        Ok(s) => account_page(&s, &[], None),
        Err(r) => r.into_response(),
    }
}

fn account_page(s: &Session, problems: &[(String, String)], done: Option<&str>) -> Response {
    let l = s.lang;
    let e = FieldErrors::new(l, problems, "");
    let lang = e.select_html(
        "lang",
        l.t("language_setting"),
        &s.user.lang,
        &[("", l.t("lang_browser")), ("ru", "Русский"), ("en", "English")],
    );
    let done = done.map(|d| format!("<p class=\"ok\" role=\"status\">{}</p>", esc(d))).unwrap_or_default();
    let body = format!(
        "{done}<div class=\"panels\"><form class=\"panel\" method=\"post\" action=\"/settings/lang\">{csrf}\
         <input type=\"hidden\" name=\"back\" value=\"/settings\"><h2>{lang_h}</h2>{lang}<button type=\"submit\">{save}</button></form>\
         <form class=\"panel\" method=\"post\" action=\"/settings/password\">{csrf}<h2>{pw_h}</h2>\
         <p class=\"muted\">{email} · {role}</p>{current}{new}{repeat}{form_err}<button type=\"submit\">{change}</button></form></div>",
        csrf = hidden_csrf(s),
        lang_h = l.t("language_setting"),
        save = l.t("save"),
        pw_h = l.t("change_password"),
        email = esc(&s.user.email),
        role = l.t(s.user.role.as_str()),
        current = e.input_html("current", l.t("current_password"), "", "password", ""),
        new = e.input_html("password", l.t("new_password"), "", "password", ""),
        repeat = e.input_html("repeat", l.t("repeat_password"), "", "password", ""),
        form_err = e.at_html("form"),
        change = l.t("change_password"),
    );
    settings_page(s, "account", &body)
}

pub(crate) async fn set_lang(State(st): State<Arc<WebState>>, headers: HeaderMap, Form(f): Form<Fields>) -> Response {
    let s = match checked(&st, &headers, get_field(&f, "csrf"), Role::Viewer) {
        Ok(s) => s,
        Err(r) => return r.into_response(),
    };
    if let Err(e) = st.meta.set_lang(s.user.id, get_field(&f, "lang")) {
        return match form_problem(&e) {
            Some(p) => (StatusCode::BAD_REQUEST, account_page(&s, &[p], None)).into_response(),
            None => internal(&e),
        };
    }
    // Back where the switch was pressed, but only to a path of this site: never an open redirect.
    let referer = headers.get(axum::http::header::REFERER).and_then(|v| v.to_str().ok()).unwrap_or("");
    let from_referer = referer.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]));
    let back = match get_field(&f, "back") {
        "" => from_referer.unwrap_or("/"),
        b => b,
    };
    redirect(back)
}

pub(crate) async fn set_password(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Response {
    let s = match checked(&st, &headers, get_field(&f, "csrf"), Role::Viewer) {
        Ok(s) => s,
        Err(r) => return r.into_response(),
    };
    let l = s.lang;
    let (current, new) =
        (f.get("current").cloned().unwrap_or_default(), f.get("password").cloned().unwrap_or_default());
    if new != f.get("repeat").map(String::as_str).unwrap_or("") {
        let p = [("repeat".to_string(), l.t("passwords_differ").to_string())];
        return (StatusCode::BAD_REQUEST, account_page(&s, &p, None)).into_response();
    }
    let meta = st.meta.clone();
    let (email, id) = (s.user.email.clone(), s.user.id);
    let done = tokio::task::spawn_blocking(move || match meta.verify_password(&email, &current)? {
        Some(_) => meta.set_password(id, &new).map(|()| true),
        None => Ok(false),
    })
    .await;
    match done {
        Ok(Ok(true)) => {
            super::audit::record(&st, &s, Done::new(Action::UserPasswordChange, None, &s.user.email));
            // A new password ends every session, this one too: sign in again with it.
            redirect("/login")
        }
        Ok(Ok(false)) => {
            let p = [("current".to_string(), l.t("wrong_current_password").to_string())];
            (StatusCode::BAD_REQUEST, account_page(&s, &p, None)).into_response()
        }
        Ok(Err(e)) => match form_problem(&e) {
            Some(p) => (StatusCode::BAD_REQUEST, account_page(&s, &[p], None)).into_response(),
            None => internal(&e),
        },
        Err(e) => internal(&e),
    }
}

// ---- projects -----------------------------------------------------------------------------------------------

pub(crate) async fn projects(State(st): State<Arc<WebState>>, headers: HeaderMap) -> Response {
    match session(&st, &headers, Role::Admin) {
        Ok(s) => projects_page(&st, &s, &[], StatusCode::OK),
        Err(r) => r.into_response(),
    }
}

fn projects_page(st: &WebState, s: &Session, problems: &[(String, String)], status: StatusCode) -> Response {
    let l = s.lang;
    let (list, keys) = match (st.meta.projects(), st.meta.keys(None)) {
        (Ok(p), Ok(k)) => (p, k),
        (Err(e), _) | (_, Err(e)) => return internal(&e),
    };
    let loc = l.locale();
    let rows: String = list
        .iter()
        .map(|p| {
            let live = keys.iter().filter(|k| k.project == p.slug && k.revoked_at.is_none()).count();
            format!(
                "<tr><td><code>{slug}</code></td><td>{name}</td><td>{created}</td><td class=\"num\">{live}</td>\
                 <td><a href=\"/?project={slug}\">{open}</a> · <a href=\"/settings/keys?project={slug}\">{keys}</a></td></tr>",
                slug = esc(&p.slug),
                name = esc(&p.name),
                created = date(l, p.created_at),
                live = loc.int(live as u64),
                open = l.t("overview"),
                keys = l.t("api_keys"),
            )
        })
        .collect();
    let e = FieldErrors::new(l, problems, "");
    let body = format!(
        "<table><thead><tr><th>{id}</th><th>{name}</th><th>{created}</th><th class=\"num\">{live}</th><th></th></tr></thead>\
         <tbody>{rows}</tbody></table>\
         <form class=\"panel\" method=\"post\" action=\"/settings/projects\">{csrf}<h2>{new}</h2>\
         {slug}<p class=\"muted\">{slug_hint}</p>{pname}{form_err}<button type=\"submit\">{create}</button></form>",
        id = l.t("project_id"),
        name = l.t("name"),
        created = l.t("created"),
        live = l.t("live_keys"),
        csrf = hidden_csrf(s),
        new = l.t("new_project"),
        slug = e.input_html("project", l.t("project_id"), "", "text", "shop"),
        slug_hint = l.t("project_id_hint"),
        pname = e.input_html("name", l.t("name"), "", "text", ""),
        form_err = e.at_html("form"),
        create = l.t("create"),
    );
    (status, settings_page(s, "projects", &body)).into_response()
}

pub(crate) async fn create_project(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Response {
    let s = match checked(&st, &headers, get_field(&f, "csrf"), Role::Admin) {
        Ok(s) => s,
        Err(r) => return r.into_response(),
    };
    match st.meta.create_project(get_field(&f, "project"), get_field(&f, "name"), (st.clock)()) {
        Ok(p) => {
            tracing::info!(user = s.user.id, "project created");
            // a new project grants only its creator
            if let Err(e) = st.meta.set_member(&p.slug, s.user.id, Role::Admin) {
                return internal(&e);
            }
            let done = Done::new(Action::ProjectCreate, Some(&p.slug), &p.slug).with(json!({"name": p.name}));
            super::audit::record(&st, &s, done);
            redirect(&format!("/settings/keys?project={}", enc(&p.slug)))
        }
        Err(e) => match form_problem(&e) {
            Some(p) => projects_page(&st, &s, &[p], StatusCode::BAD_REQUEST),
            None => internal(&e),
        },
    }
}

// ---- keys ---------------------------------------------------------------------------------------------------

pub(crate) async fn keys(State(st): State<Arc<WebState>>, _headers: HeaderMap, m: Member<Admin>) -> Response {
    let Member { s, f: _q, .. } = m;
    keys_page(&st, &s, &[], None, StatusCode::OK)
}

fn keys_page(
    st: &WebState,
    s: &Session,
    problems: &[(String, String)],
    created: Option<(&tropa_meta::NewKey, &str)>,
    status: StatusCode,
) -> Response {
    let l = s.lang;
    // the picker offers the projects whose keys this user manages
    let projects = match st.meta.user_projects(&s.user) {
        Ok(p) => p.into_iter().filter(|p| st.meta.project_role(&s.user, &p.slug).ok().flatten() == Some(Role::Admin)),
        Err(e) => return internal(&e),
    };
    let projects: Vec<_> = projects.collect();
    let list = match st.meta.keys(Some(&s.project)) {
        Ok(k) => k,
        Err(e) => return internal(&e),
    };
    let csrf = hidden_csrf(s);
    let rows: String = list
        .iter()
        .map(|k| {
            let state = match k.revoked_at {
                Some(t) => format!("{} {}", l.t("revoked"), date(l, t)),
                None => format!(
                    "<form method=\"post\" action=\"/settings/keys/revoke\">{csrf}\
                     <input type=\"hidden\" name=\"id\" value=\"{}\"><input type=\"hidden\" name=\"project\" value=\"{}\">\
                     <button class=\"danger small\" type=\"submit\">{}</button></form>",
                    k.id,
                    esc(&k.project),
                    l.t("revoke")
                ),
            };
            format!(
                "<tr><td><code>{}…</code></td><td>{}</td><td>{}</td><td>{}</td><td>{state}</td></tr>",
                esc(&k.hint),
                l.t(if k.kind == KeyKind::Write { "key_write" } else { "key_read" }),
                esc(&k.label),
                date(l, k.created_at),
            )
        })
        .collect();
    let options: String = projects
        .iter()
        .map(|p| {
            let sel = if p.slug == s.project { " selected" } else { "" };
            format!("<option value=\"{}\"{sel}>{}</option>", esc(&p.slug), esc(&p.name))
        })
        .collect();
    let shown = created
        .map(|(k, origin)| {
            let snippet = if k.info.kind == KeyKind::Write {
                format!(
                    "<p class=\"muted\">{}</p><pre>&lt;script async src=\"{}/t.js\" data-key=\"{}\"&gt;&lt;/script&gt;</pre>",
                    l.t("snippet_hint"),
                    esc(origin),
                    esc(&k.secret)
                )
            } else {
                String::new()
            };
            format!(
                "<div class=\"secret\" role=\"status\"><h2>{}</h2><p>{}</p><pre id=\"new-key\">{}</pre>{snippet}</div>",
                l.t("key_created"),
                l.t("key_shown_once"),
                esc(&k.secret)
            )
        })
        .unwrap_or_default();
    let e = FieldErrors::new(l, problems, "");
    let body = format!(
        "{shown}<form method=\"get\" action=\"/settings/keys\" class=\"muted\">{project}: <select name=\"project\" \
         data-autosubmit>{options}</select> <noscript><button type=\"submit\">OK</button></noscript></form>\
         <table><thead><tr><th>{key}</th><th>{kind}</th><th>{label}</th><th>{created}</th><th></th></tr></thead>\
         <tbody>{rows}</tbody></table>\
         <form class=\"panel\" method=\"post\" action=\"/settings/keys\">{csrf}\
         <input type=\"hidden\" name=\"project\" value=\"{p}\"><h2>{new}</h2>{kind_select}{label_input}{form_err}\
         <button type=\"submit\">{create}</button></form>",
        project = l.t("project"),
        key = l.t("key"),
        kind = l.t("kind"),
        label = l.t("label"),
        created = l.t("created"),
        p = esc(&s.project),
        new = l.t("new_key"),
        kind_select =
            e.select_html("kind", l.t("kind"), "write", &[("write", l.t("key_write")), ("read", l.t("key_read"))]),
        label_input = e.input_html("label", l.t("label"), "", "text", l.t("label_hint")),
        form_err = e.at_html("form"),
        create = l.t("create"),
    );
    (status, settings_page(s, "api_keys", &body)).into_response()
}

pub(crate) async fn create_key(State(st): State<Arc<WebState>>, headers: HeaderMap, m: Member<Admin>) -> Response {
    let Member { s, f, .. } = m;
    let made = KeyKind::parse(get_field(&f, "kind"))
        .and_then(|kind| st.meta.create_key(&s.project, kind, get_field(&f, "label"), (st.clock)()));
    match made {
        Ok(k) => {
            tracing::info!(user = s.user.id, key = k.info.id, "key created");
            let details = json!({"id": k.info.id, "kind": k.info.kind.as_str(), "label": k.info.label});
            super::audit::record(&st, &s, Done::new(Action::KeyCreate, Some(&s.project), &k.info.hint).with(details));
            // The secret is in this answer only: never cache it.
            let origin = super::origin(&headers);
            let mut res = keys_page(&st, &s, &[], Some((&k, &origin)), StatusCode::CREATED);
            res.headers_mut().insert(axum::http::header::CACHE_CONTROL, "no-store".parse().expect("a header value"));
            res
        }
        Err(e) => match form_problem(&e) {
            Some(p) => keys_page(&st, &s, &[p], None, StatusCode::BAD_REQUEST),
            None => internal(&e),
        },
    }
}

pub(crate) async fn revoke_key(State(st): State<Arc<WebState>>, m: Member<Admin>) -> Response {
    let Member { s, f, .. } = m;
    let Ok(id) = get_field(&f, "id").parse::<i64>() else {
        let p = [("form".to_string(), format!("id: {}", s.lang.t("not_a_number")))];
        return keys_page(&st, &s, &p, None, StatusCode::BAD_REQUEST);
    };
    // The key must belong to the project the form names, so a stale page cannot revoke another project's key.
    let owned = match st.meta.keys(Some(&s.project)) {
        Ok(k) => k.iter().any(|k| k.id == id),
        Err(e) => return internal(&e),
    };
    if !owned {
        let p = [("form".to_string(), MetaError::NotFound { what: "key", name: id.to_string() }.to_string())];
        return keys_page(&st, &s, &p, None, StatusCode::NOT_FOUND);
    }
    match st.meta.revoke_key(id, (st.clock)()) {
        Ok(k) => {
            tracing::info!(user = s.user.id, key = id, "key revoked");
            let done = Done::new(Action::KeyRevoke, Some(&s.project), &k.hint).with(json!({"id": id}));
            super::audit::record(&st, &s, done);
            redirect(&format!("/settings/keys?project={}", enc(&s.project)))
        }
        Err(e) => internal(&e),
    }
}

// ---- users --------------------------------------------------------------------------------------------------

pub(crate) async fn users(State(st): State<Arc<WebState>>, headers: HeaderMap) -> Response {
    match session(&st, &headers, Role::Admin) {
        Ok(s) => users_page(&st, &s, &[], None, StatusCode::OK),
        Err(r) => r.into_response(),
    }
}

pub(super) const ROLES: [Role; 3] = [Role::Viewer, Role::Analyst, Role::Admin];

/// The role choices of a select, `current` selected.
pub(super) fn role_options(l: Lang, current: Role) -> String {
    ROLES
        .iter()
        .map(|r| {
            let sel = if *r == current { " selected" } else { "" };
            format!("<option value=\"{}\"{sel}>{}</option>", r.as_str(), l.t(r.as_str()))
        })
        .collect()
}

fn users_page(
    st: &WebState,
    s: &Session,
    problems: &[(String, String)],
    done: Option<String>,
    status: StatusCode,
) -> Response {
    let l = s.lang;
    let list = match st.meta.users() {
        Ok(u) => u,
        Err(e) => return internal(&e),
    };
    let csrf = hidden_csrf(s);
    let rows: String = list
        .iter()
        .map(|u| {
            let id = format!("<input type=\"hidden\" name=\"user\" value=\"{}\">", u.id);
            format!(
                "<tr><td>{email}</td><td><form method=\"post\" action=\"/settings/users/role\" class=\"inline\">{csrf}{id}\
                 <select name=\"role\" aria-label=\"{role_l}\">{roles}</select> <button class=\"small\" type=\"submit\">{save}</button></form></td>\
                 <td>{created}</td><td><form method=\"post\" action=\"/settings/users/password\" class=\"inline\">{csrf}{id}\
                 <button class=\"small secondary\" type=\"submit\">{reset}</button></form> \
                 <form method=\"post\" action=\"/settings/users/delete\" class=\"inline\">{csrf}{id}\
                 <button class=\"small danger\" type=\"submit\">{delete}</button></form></td></tr>",
                email = esc(&u.email),
                role_l = l.t("role"),
                roles = role_options(l, u.role),
                save = l.t("save"),
                created = date(l, u.created_at),
                reset = l.t("reset_password"),
                delete = l.t("delete"),
            )
        })
        .collect();
    let e = FieldErrors::new(l, problems, "");
    let done = done.map(|d| format!("<div class=\"secret\" role=\"status\">{d}</div>")).unwrap_or_default();
    let body = format!(
        "{done}{form_err}<table><thead><tr><th>{email}</th><th>{role}</th><th>{created}</th><th></th></tr></thead><tbody>{rows}</tbody></table>\
         <form class=\"panel\" method=\"post\" action=\"/settings/users\">{csrf}<h2>{new}</h2>{email_in}\
         <label for=\"new-role\">{role}</label><select id=\"new-role\" name=\"role\">{roles}</select>\
         <label for=\"new-project\">{project_l}</label><select id=\"new-project\" name=\"project\">{projects}</select>\
         <p class=\"muted\">{roles_hint}</p><button type=\"submit\">{create}</button></form>",
        project_l = l.t("member_of"),
        projects = st
            .meta
            .projects()
            .unwrap_or_default()
            .iter()
            .map(|p| format!("<option value=\"{0}\">{0}</option>", esc(&p.slug)))
            .collect::<String>(),
        form_err = e.at_html("form"),
        email = l.t("email"),
        role = l.t("role"),
        created = l.t("created"),
        new = l.t("new_user"),
        email_in = e.input_html("email", l.t("email"), "", "email", "maria@example.ru"),
        roles = role_options(l, Role::Viewer),
        roles_hint = l.t("roles_hint"),
        create = l.t("create"),
    );
    let mut res = (status, settings_page(s, "users", &body)).into_response();
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, "no-store".parse().expect("a header value"));
    res
}

/// The one-time password message of a new user or a reset.
fn password_shown(l: Lang, email: &str, password: &str) -> String {
    format!(
        "<h2>{}</h2><p>{} <b>{}</b>:</p><pre id=\"new-password\">{}</pre>",
        l.t("password_created"),
        l.t("password_shown_once"),
        esc(email),
        esc(password)
    )
}

fn user_id(f: &Fields) -> Option<i64> {
    get_field(f, "user").parse().ok()
}

pub(crate) async fn create_user(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Response {
    let s = match checked(&st, &headers, get_field(&f, "csrf"), Role::Admin) {
        Ok(s) => s,
        Err(r) => return r.into_response(),
    };
    let l = s.lang;
    let role = match Role::parse(get_field(&f, "role")) {
        Ok(r) => r,
        Err(e) => {
            return users_page(
                &st,
                &s,
                &form_problem(&e).into_iter().collect::<Vec<_>>(),
                None,
                StatusCode::BAD_REQUEST,
            )
        }
    };
    let password = match tropa_meta::random_password() {
        Ok(p) => p,
        Err(e) => return internal(&e),
    };
    let (meta, email, pw, now) = (st.meta.clone(), get_field(&f, "email").to_string(), password.clone(), (st.clock)());
    match tokio::task::spawn_blocking(move || meta.create_user(&email, role, &pw, now)).await {
        Ok(Ok(u)) => {
            tracing::info!(user = s.user.id, created = u.id, "user created");
            // everyone but an instance admin works in the project chosen, with the role chosen
            let project = get_field(&f, "project");
            if role != Role::Admin && !project.is_empty() {
                if let Err(e) = st.meta.set_member(project, u.id, role) {
                    return match form_problem(&e) {
                        Some(p) => users_page(&st, &s, &[p], None, StatusCode::BAD_REQUEST),
                        None => internal(&e),
                    };
                }
            }
            let done = Done::new(Action::UserCreate, None, &u.email)
                .with(json!({"role": u.role.as_str(), "project": get_field(&f, "project")}));
            super::audit::record(&st, &s, done);
            users_page(&st, &s, &[], Some(password_shown(l, &u.email, &password)), StatusCode::CREATED)
        }
        Ok(Err(e)) => match form_problem(&e) {
            Some(p) => users_page(&st, &s, &[p], None, StatusCode::BAD_REQUEST),
            None => internal(&e),
        },
        Err(e) => internal(&e),
    }
}

fn user_problem(st: &WebState, s: &Session, e: &MetaError) -> Response {
    match form_problem(e) {
        Some((_, m)) => users_page(st, s, &[("form".into(), m)], None, StatusCode::BAD_REQUEST),
        None => internal(e),
    }
}

pub(crate) async fn set_role(State(st): State<Arc<WebState>>, headers: HeaderMap, Form(f): Form<Fields>) -> Response {
    let s = match checked(&st, &headers, get_field(&f, "csrf"), Role::Admin) {
        Ok(s) => s,
        Err(r) => return r.into_response(),
    };
    let changed = Role::parse(get_field(&f, "role")).and_then(|role| {
        let id = user_id(&f).ok_or(MetaError::NotFound { what: "user", name: get_field(&f, "user").into() })?;
        st.meta.set_role(id, role)
    });
    match changed {
        Ok(u) => {
            let done = Done::new(Action::UserRole, None, &u.email).with(json!({"role": u.role.as_str()}));
            super::audit::record(&st, &s, done);
            redirect("/settings/users")
        }
        Err(e) => user_problem(&st, &s, &e),
    }
}

pub(crate) async fn reset_password(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Response {
    let s = match checked(&st, &headers, get_field(&f, "csrf"), Role::Admin) {
        Ok(s) => s,
        Err(r) => return r.into_response(),
    };
    let found = user_id(&f).and_then(|id| st.meta.users().ok()?.into_iter().find(|u| u.id == id));
    let Some(user) = found else {
        let e = MetaError::NotFound { what: "user", name: get_field(&f, "user").into() };
        return user_problem(&st, &s, &e);
    };
    if user.id == s.user.id {
        return users_page(&st, &s, &[("form".into(), s.lang.t("reset_own").into())], None, StatusCode::BAD_REQUEST);
    }
    let password = match tropa_meta::random_password() {
        Ok(p) => p,
        Err(e) => return internal(&e),
    };
    let (meta, pw, id) = (st.meta.clone(), password.clone(), user.id);
    match tokio::task::spawn_blocking(move || meta.set_password(id, &pw)).await {
        Ok(Ok(())) => {
            super::audit::record(&st, &s, Done::new(Action::UserPasswordReset, None, &user.email));
            users_page(&st, &s, &[], Some(password_shown(s.lang, &user.email, &password)), StatusCode::OK)
        }
        Ok(Err(e)) => user_problem(&st, &s, &e),
        Err(e) => internal(&e),
    }
}

pub(crate) async fn delete_user(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Response {
    let s = match checked(&st, &headers, get_field(&f, "csrf"), Role::Admin) {
        Ok(s) => s,
        Err(r) => return r.into_response(),
    };
    let email = user_id(&f).and_then(|id| st.meta.users().ok()?.into_iter().find(|u| u.id == id)).map(|u| u.email);
    let deleted = user_id(&f)
        .ok_or(MetaError::NotFound { what: "user", name: get_field(&f, "user").into() })
        .and_then(|id| st.meta.delete_user(id));
    match deleted {
        Ok(()) => {
            super::audit::record(&st, &s, Done::new(Action::UserDelete, None, email.unwrap_or_default()));
            redirect("/settings/users")
        }
        Err(e) => user_problem(&st, &s, &e),
    }
}

/// `YYYY-MM-DD` of an epoch-ms instant (UTC).
fn date(l: Lang, ms: i64) -> String {
    let t = tropa_core::time::format_ts(ms);
    l.date(t.get(..10).unwrap_or(&t))
}
