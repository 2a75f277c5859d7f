//! A project's members (for the project's admins; an instance admin is one in every project): who may open the
//! project and with which role — admin (keys and members), analyst (edits reports, definitions and maps),
//! viewer (reads). Add a user by e-mail, change a role, end a membership.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use serde_json::json;
use tropa_app::audit::{Action, Done};
use tropa_meta::members::Member as Membership;
use tropa_meta::Role;

use crate::access::{Admin, Member};
use crate::audit::record;
use crate::error::WebError;
use crate::i18n::Words;
use crate::session::{redirect, Session};
use crate::ui::form::{csrf_field, FieldErrors};
use crate::ui::settings::{role_options, settings_page, ROLES};
use crate::url::enc;
use crate::WebState;

pub(crate) async fn page(State(st): State<Arc<WebState>>, m: Member<Admin>) -> Result<Response, WebError> {
    members_page(&st, &m.s, &[], StatusCode::OK)
}

fn members_page(
    st: &WebState,
    s: &Session,
    problems: &[(String, String)],
    status: StatusCode,
) -> Result<Response, WebError> {
    let l = s.lang;
    let members = st.meta.members(&s.project).map_err(|e| WebError::internal(&e))?;
    let e = FieldErrors::new(l, problems, "");
    let roles: Vec<(&str, &str)> = ROLES.iter().map(|r| (r.as_str(), l.t(r.as_str()))).collect();
    let body = html! {
        h2 { (l.t("members")) " · " (s.project) }
        p.muted { (l.t("members_hint")) }
        @if members.is_empty() {
            p.muted { (l.t("no_members")) }
        } @else {
            table {
                thead { tr { th { (l.t("email")) } th { (l.t("role")) } th {} } }
                tbody { @for m in &members { (member_row(s, m)) } }
            }
        }
        form.panel method="post" action="/settings/members" {
            (csrf_field(&s.csrf))
            input type="hidden" name="project" value=(s.project);
            h2 { (l.t("add_member")) }
            (e.input("email", l.t("email"), "", "email", "name@company.ru"))
            (e.select("role", l.t("role"), "viewer", &roles))
            (e.at("form"))
            button type="submit" { (l.t("add_member")) }
        }
    };
    Ok(settings_page(s, "members", status, body))
}

/// A member in the list: the e-mail, the role (a select that saves itself) and the way to end the membership.
fn member_row(s: &Session, m: &Membership) -> Markup {
    let l = s.lang;
    let hidden = html! {
        (csrf_field(&s.csrf))
        input type="hidden" name="project" value=(s.project);
    };
    let select = format!("role-{}", m.user.id);
    html! {
        tr {
            td { (m.user.email) }
            td {
                form method="post" action="/settings/members" {
                    (hidden)
                    input type="hidden" name="email" value=(m.user.email);
                    label.sr for=(select) { (l.t("role")) }
                    select id=(select) name="role" data-autosubmit { (role_options(l, m.role)) }
                    noscript { button type="submit" class="small" { (l.t("save")) } }
                }
            }
            td {
                form method="post" action="/settings/members/remove" data-confirm=(l.t("confirm_remove_member")) {
                    (hidden)
                    input type="hidden" name="user" value=(m.user.id);
                    button.danger.small type="submit" { (l.t("remove_member")) }
                }
            }
        }
    }
}

/// Adds the user with the form's e-mail to the project, or changes their role.
pub(crate) async fn set(State(st): State<Arc<WebState>>, m: Member<Admin>) -> Result<Response, WebError> {
    let (s, email) = (&m.s, m.field("email"));
    let l = s.lang;
    let Ok(role) = Role::parse(m.field("role")) else {
        return members_page(&st, s, &[("role".into(), l.t("not_a_role").into())], StatusCode::BAD_REQUEST);
    };
    let Some(user) = st.meta.user(email).map_err(|e| WebError::internal(&e))? else {
        let p = [("email".to_string(), format!("'{email}': {}", l.t("no_such_user")))];
        return members_page(&st, s, &p, StatusCode::BAD_REQUEST);
    };
    st.meta.set_member(&s.project, user.id, role).map_err(|e| WebError::internal(&e))?;
    let done = Done::new(Action::MemberSet, Some(&s.project), &user.email).with(json!({"role": role.as_str()}));
    record(&st, s, done);
    Ok(redirect(&format!("/settings/members?project={}", enc(&s.project))))
}

pub(crate) async fn remove(State(st): State<Arc<WebState>>, m: Member<Admin>) -> Result<Response, WebError> {
    let s = &m.s;
    let Ok(id) = m.field("user").parse::<i64>() else {
        let p = [("form".to_string(), format!("user: {}", s.lang.t("not_a_number")))];
        return members_page(&st, s, &p, StatusCode::BAD_REQUEST);
    };
    let email = st.meta.users().unwrap_or_default().into_iter().find(|u| u.id == id).map(|u| u.email);
    st.meta.remove_member(&s.project, id).map_err(|e| WebError::internal(&e))?;
    record(&st, s, Done::new(Action::MemberRemove, Some(&s.project), email.as_deref().unwrap_or("")));
    Ok(redirect(&format!("/settings/members?project={}", enc(&s.project))))
}
