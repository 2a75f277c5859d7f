//! The audit log in the web app: [`record`], how every handler that changes projects, keys, users, maps, personas
//! or journey definitions adds an entry as the signed-in user from the client's address, and the admins' page
//! `/settings/audit` — newest first, filtered by project and action, a page at a time, every text escaped.
//!
//! The client's address is the one the sign-in throttle sees ([`super::throttle::client_ip`]: the socket's peer,
//! or behind `trusted_proxies` the last untrusted `X-Forwarded-For` hop), kept for the request by [`keep_client`]
//! so that recording stays one call in each handler.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderName};
use axum::response::{IntoResponse, Response};
use tropa_app::audit::{Action, Actor, Done, Entry, Filter, Who};
use tropa_meta::Role;

use super::export::enc;
use super::i18n::Lang;
use super::{esc, internal, session, Session};
use crate::WebState;

/// Entries on one page.
const PAGE: usize = 50;

/// What the request says about where it came from: the socket's peer and the `X-Forwarded-For` headers.
#[derive(Clone, Default)]
struct Client {
    peer: Option<IpAddr>,
    forwarded: HeaderMap,
}

tokio::task_local! {
    static CLIENT: Client;
}

const FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// Keeps where the request came from for [`record`].
pub(crate) async fn keep_client(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let mut forwarded = HeaderMap::new();
    for v in req.headers().get_all(&FORWARDED_FOR) {
        forwarded.append(FORWARDED_FOR, v.clone());
    }
    CLIENT.scope(Client { peer, forwarded }, next.run(req)).await
}

/// Adds what the signed-in user just did to the audit log. The change is made already, so a failure to record
/// is logged (as an error, for the operator) rather than undoing it or failing the page.
pub(crate) fn record(st: &WebState, s: &Session, done: Done<'_>) {
    let trusted = &st.trusted_proxies;
    let address = CLIENT.try_with(|c| super::throttle::client_ip(c.peer, &c.forwarded, trusted)).ok().flatten();
    let who = Who::user(s.user.id, &s.user.email, address);
    let action = done.action.as_str();
    if let Err(e) = tropa_app::audit::record(&st.meta, &who, done, (st.clock)()) {
        tracing::error!(error = %e, action, "audit log: the entry could not be written");
    }
}

/// An action on map `id` of `project`, the map named by its id and current title (so take it before a delete).
pub(crate) fn on_map<'a>(st: &WebState, action: Action, project: &'a str, id: i64) -> Done<'a> {
    let title = st.meta.map(project, id).ok().flatten().map(|m| m.title);
    Done::new(action, Some(project), tropa_app::audit::map_target(id, title.as_deref()))
}

/// The words of an action.
fn action_words(l: Lang, a: Action) -> &'static str {
    l.t(&format!("audit.{}", a.as_str()))
}

fn who_words(l: Lang, a: &Actor) -> String {
    match a {
        Actor::User { email, .. } => esc(email),
        Actor::Cli { os_user } if os_user.is_empty() => l.t("audit_cli").to_string(),
        Actor::Cli { os_user } => format!("{} ({})", l.t("audit_cli"), esc(os_user)),
        Actor::System => l.t("audit_system").to_string(),
    }
}

fn row(l: Lang, e: &Entry) -> String {
    let dash = || "—".to_string();
    let details = if e.details == "{}" { String::new() } else { format!("<code>{}</code>", esc(&e.details)) };
    format!(
        "<tr><td>{at}</td><td>{who}</td><td>{address}</td><td title=\"{code}\">{action}</td><td>{project}</td>\
         <td>{target}</td><td>{details}</td></tr>",
        at = esc(&l.date(&tropa_core::time::format_ts(e.at))),
        who = who_words(l, &e.actor),
        address = if e.address.is_empty() { dash() } else { esc(&e.address) },
        code = esc(e.action.as_str()),
        action = esc(action_words(l, e.action)),
        project = e.project.as_deref().map(esc).unwrap_or_else(dash),
        target = esc(&e.target),
    )
}

fn options(selected: &str, all: &str, list: impl Iterator<Item = (String, String)>) -> String {
    let first = format!("<option value=\"\">{}</option>", esc(all));
    let rest: String = list
        .map(|(value, words)| {
            let sel = if value == selected { " selected" } else { "" };
            format!("<option value=\"{}\"{sel}>{}</option>", esc(&value), esc(&words))
        })
        .collect();
    first + &rest
}

/// `GET /settings/audit?project=&action=&before=`: the audit log, admins only.
pub(crate) async fn page(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let s = match session(&st, &headers, Role::Admin) {
        Ok(s) => s,
        Err(r) => return r.into_response(),
    };
    let l = s.lang;
    let param = |k: &str| q.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let (project, action) = (param("project"), param("action").as_deref().and_then(Action::parse));
    let before = param("before").and_then(|b| b.parse::<i64>().ok());
    let filter = Filter { project: project.clone(), action, since: None, before, limit: PAGE };
    let (entries, projects) = match (tropa_app::audit::list(&st.meta, &filter), st.meta.projects()) {
        (Ok(e), Ok(p)) => (e, p),
        (Err(e), _) => return internal(&e),
        (_, Err(e)) => return internal(&e),
    };
    let project_options = options(
        project.as_deref().unwrap_or(""),
        l.t("audit_all_projects"),
        projects.into_iter().map(|p| (p.slug.clone(), format!("{} ({})", p.name, p.slug))),
    );
    let action_options = options(
        action.map(Action::as_str).unwrap_or(""),
        l.t("audit_all_actions"),
        Action::ALL.iter().map(|a| (a.as_str().to_string(), action_words(l, *a).to_string())),
    );
    let keep = format!(
        "project={}&action={}",
        enc(project.as_deref().unwrap_or("")),
        enc(action.map(Action::as_str).unwrap_or(""))
    );
    let mut pages = String::new();
    if before.is_some() {
        pages.push_str(&format!(
            "<a href=\"{}\">{}</a> ",
            esc(&format!("/settings/audit?{keep}")),
            l.t("audit_newest")
        ));
    }
    if let Some(last) = entries.last().filter(|_| entries.len() == PAGE) {
        let href = format!("/settings/audit?{keep}&before={}", last.id);
        pages.push_str(&format!("<a href=\"{}\">{}</a>", esc(&href), l.t("audit_older")));
    }
    let table = if entries.is_empty() {
        format!("<p class=\"muted\">{}</p>", l.t("audit_empty"))
    } else {
        format!(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\
             <tbody>{}</tbody></table>",
            l.t("audit_time"),
            l.t("audit_who"),
            l.t("audit_address"),
            l.t("audit_action"),
            l.t("project"),
            l.t("audit_target"),
            l.t("audit_details"),
            entries.iter().map(|e| row(l, e)).collect::<String>()
        )
    };
    let body = format!(
        "<p class=\"muted\">{hint}</p><form method=\"get\" action=\"/settings/audit\" class=\"inline\">\
         <select name=\"project\" aria-label=\"{project_l}\">{project_options}</select> \
         <select name=\"action\" aria-label=\"{action_l}\">{action_options}</select> \
         <button type=\"submit\">{show}</button></form>{table}<p>{pages}</p>",
        hint = l.t("audit_hint"),
        project_l = l.t("project"),
        action_l = l.t("audit_action"),
        show = l.t("audit_show"),
    );
    super::settings::settings_page(&s, "audit_log", &body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_words_in_both_languages() {
        for a in Action::ALL {
            for l in [Lang::En, Lang::Ru] {
                assert_ne!(action_words(l, a), "?", "{a:?} in {l:?}");
            }
            assert_ne!(action_words(Lang::En, a), action_words(Lang::Ru, a), "{a:?}");
        }
    }
}
