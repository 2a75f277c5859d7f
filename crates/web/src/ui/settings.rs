//! The frame of the settings pages (the heading and the tabs a user may open, the page answered with its
//! status) and the role choices their forms share.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use tropa_meta::Role;

use crate::i18n::Lang;
use crate::i18n::Words;
use crate::session::Session;
use crate::ui::layout::shell;
use crate::url::enc;

/// The tabs of the settings pages: (href, word key); the admin ones only for admins.
fn tab_list(s: &Session) -> Vec<(String, &'static str)> {
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
    list
}

/// The heading of the settings pages and their tabs, `on` marked.
pub(crate) fn tabs(s: &Session, on: &str) -> Markup {
    let l = s.lang;
    html! {
        h1 { (l.t("settings")) }
        nav.tabs {
            @for (href, key) in tab_list(s) {
                a href=(href) class=[(key == on).then_some("on")] { (l.t(key)) }
            }
        }
    }
}

/// A settings page: the signed-in frame, the tabs with `on` marked and `body`, answered with `status`.
pub(crate) fn settings_page(s: &Session, on: &str, status: StatusCode, body: Markup) -> Response {
    let main = html! { (tabs(s, on)) (body) };
    (status, Html(shell(s, "settings", s.lang.t("settings"), main).into_string())).into_response()
}

/// A member's roles in a project, least first.
pub(crate) const ROLES: [Role; 3] = [Role::Viewer, Role::Analyst, Role::Admin];

/// The project role choices of a select, `current` selected.
pub(crate) fn role_options(l: Lang, current: Role) -> Markup {
    html! {
        @for r in ROLES {
            option value=(r.as_str()) selected[r == current] { (l.t(r.as_str())) }
        }
    }
}
