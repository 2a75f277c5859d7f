//! A project's members (for the project's admins; an instance admin is one in every project): who may open the
//! project and with which role — admin (keys and members), analyst (edits reports, definitions and maps),
//! viewer (reads). Add a user by e-mail, change a role, end a membership.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;
use tropa_app::audit::{Action, Done};
use tropa_meta::Role;

use super::export::enc;
use super::form::FieldErrors;
use super::{esc, internal, redirect, shell, Admin, Member, Session};
use crate::WebState;

pub(crate) async fn page(State(st): State<Arc<WebState>>, m: Member<Admin>) -> Response {
    members_page(&st, &m.s, &[], StatusCode::OK)
}

fn members_page(st: &WebState, s: &Session, problems: &[(String, String)], status: StatusCode) -> Response {
    let l = s.lang;
    let members = match st.meta.members(&s.project) {
        Ok(m) => m,
        Err(e) => return internal(&e),
    };
    let csrf = super::settings::hidden_csrf(s);
    let proj = format!("<input type=\"hidden\" name=\"project\" value=\"{}\">", esc(&s.project));
    let rows: String = members
        .iter()
        .map(|m| {
            format!(
                "<tr><td>{email}</td><td><form method=\"post\" action=\"/settings/members\">{csrf}{proj}\
                 <input type=\"hidden\" name=\"email\" value=\"{email}\"><label class=\"sr\" for=\"role-{id}\">{role_l}</label>\
                 <select id=\"role-{id}\" name=\"role\" data-autosubmit>{opts}</select>\
                 <noscript><button type=\"submit\" class=\"small\">{save}</button></noscript></form></td>\
                 <td><form method=\"post\" action=\"/settings/members/remove\">{csrf}{proj}\
                 <input type=\"hidden\" name=\"user\" value=\"{id}\"><button class=\"danger small\" type=\"submit\">{remove}</button>\
                 </form></td></tr>",
                email = esc(&m.user.email),
                id = m.user.id,
                role_l = l.t("role"),
                opts = super::settings::role_options(l, m.role),
                save = l.t("save"),
                remove = l.t("remove_member"),
            )
        })
        .collect();
    let e = FieldErrors::new(l, problems, "");
    let table = if members.is_empty() {
        format!("<p class=\"muted\">{}</p>", l.t("no_members"))
    } else {
        format!(
            "<table><thead><tr><th>{}</th><th>{}</th><th></th></tr></thead><tbody>{rows}</tbody></table>",
            l.t("email"),
            l.t("role")
        )
    };
    let roles: Vec<(&str, &str)> = super::settings::ROLES.iter().map(|r| (r.as_str(), l.t(r.as_str()))).collect();
    let body = format!(
        "<h2>{title} · {project}</h2><p class=\"muted\">{hint}</p>{table}\
         <form class=\"panel\" method=\"post\" action=\"/settings/members\">{csrf}{proj}<h2>{add}</h2>{email}{role}{err}\
         <button type=\"submit\">{add_b}</button></form>",
        title = l.t("members"),
        project = esc(&s.project),
        hint = l.t("members_hint"),
        add = l.t("add_member"),
        email = e.input_html("email", l.t("email"), "", "email", "name@company.ru"),
        role = e.select_html("role", l.t("role"), "viewer", &roles),
        err = e.at_html("form"),
        add_b = l.t("add_member"),
    );
    let tabs = super::settings::tabs(s, "members");
    (status, Html(shell(s, "settings", l.t("settings"), &format!("{tabs}{body}")))).into_response()
}

/// Adds the user with the form's e-mail to the project, or changes their role.
pub(crate) async fn set(State(st): State<Arc<WebState>>, m: Member<Admin>) -> Response {
    let Member { s, f, .. } = m;
    let l = s.lang;
    let email = f.get("email").map(|e| e.trim()).unwrap_or("");
    let role = match Role::parse(f.get("role").map(String::as_str).unwrap_or("")) {
        Ok(r) => r,
        Err(_) => return members_page(&st, &s, &[("role".into(), l.t("not_a_role").into())], StatusCode::BAD_REQUEST),
    };
    let user = match st.meta.user(email) {
        Ok(Some(u)) => u,
        Ok(None) => {
            let p = [("email".to_string(), format!("'{email}': {}", l.t("no_such_user")))];
            return members_page(&st, &s, &p, StatusCode::BAD_REQUEST);
        }
        Err(e) => return internal(&e),
    };
    match st.meta.set_member(&s.project, user.id, role) {
        Ok(()) => {
            let done = Done::new(Action::MemberSet, Some(&s.project), &user.email).with(json!({"role": role.as_str()}));
            super::audit::record(&st, &s, done);
            redirect(&format!("/settings/members?project={}", enc(&s.project)))
        }
        Err(e) => internal(&e),
    }
}

pub(crate) async fn remove(State(st): State<Arc<WebState>>, m: Member<Admin>) -> Response {
    let Member { s, f, .. } = m;
    let Some(id) = f.get("user").and_then(|v| v.trim().parse::<i64>().ok()) else {
        let p = [("form".to_string(), format!("user: {}", s.lang.t("not_a_number")))];
        return members_page(&st, &s, &p, StatusCode::BAD_REQUEST);
    };
    let email = st.meta.users().unwrap_or_default().into_iter().find(|u| u.id == id).map(|u| u.email);
    match st.meta.remove_member(&s.project, id) {
        Ok(()) => {
            let done = Done::new(Action::MemberRemove, Some(&s.project), email.as_deref().unwrap_or(""));
            super::audit::record(&st, &s, done);
            redirect(&format!("/settings/members?project={}", enc(&s.project)))
        }
        Err(e) => internal(&e),
    }
}
