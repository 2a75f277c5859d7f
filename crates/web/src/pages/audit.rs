//! The audit log in the web app: [`record`], how every handler that changes projects, keys, users, maps, personas
//! or journey definitions adds an entry as the signed-in user from the client's address, and the admins' page
//! `/settings/audit` — newest first, filtered by project and action, a page at a time, every text escaped.
//!
//! The client's address is the one the sign-in throttle sees ([`crate::throttle::client_ip`]: the socket's peer,
//! or behind `trusted_proxies` the last untrusted `X-Forwarded-For` hop), kept for the request by [`keep_client`]
//! so that recording stays one call in each handler.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{html, Markup};
use tropa_app::audit::{Action, Actor, Entry, Filter};
use tropa_meta::Role;

use crate::error::WebError;
use crate::i18n::Lang;
use crate::i18n::Words;
use crate::session::session;
use crate::ui::settings::settings_page;
use crate::url::enc;
use crate::WebState;

/// Entries on one page.
const PAGE: usize = 50;

/// The words of an action.
fn action_words(l: Lang, a: Action) -> &'static str {
    l.t(&format!("audit.{}", a.as_str()))
}

/// Who did it, as text.
fn who_words(l: Lang, a: &Actor) -> String {
    match a {
        Actor::User { email, .. } => email.clone(),
        Actor::Cli { os_user } if os_user.is_empty() => l.t("audit_cli").to_string(),
        Actor::Cli { os_user } => format!("{} ({})", l.t("audit_cli"), os_user),
        Actor::System => l.t("audit_system").to_string(),
    }
}

/// An entry of the log.
fn row(l: Lang, e: &Entry) -> Markup {
    html! {
        tr {
            td { (l.date(&tropa_core::time::format_ts(e.at))) }
            td { (who_words(l, &e.actor)) }
            td { @if e.address.is_empty() { "—" } @else { (e.address) } }
            td title=(e.action.as_str()) { (action_words(l, e.action)) }
            td { (e.project.as_deref().unwrap_or("—")) }
            td { (e.target) }
            td { @if e.details != "{}" { code { (e.details) } } }
        }
    }
}

/// The choices of a filter: `all` (no value) first, then (value, words), `selected` selected.
fn options(selected: &str, all: &str, list: impl Iterator<Item = (String, String)>) -> Markup {
    html! {
        option value="" { (all) }
        @for (value, words) in list { option value=(value) selected[value == selected] { (words) } }
    }
}

/// The entries of a page, newest first (or that there are none).
fn entries_table(l: Lang, entries: &[Entry]) -> Markup {
    let heads =
        ["audit_time", "audit_who", "audit_address", "audit_action", "project", "audit_target", "audit_details"];
    html! {
        @if entries.is_empty() {
            p.muted { (l.t("audit_empty")) }
        } @else {
            table {
                thead { tr { @for key in heads { th { (l.t(key)) } } } }
                tbody { @for e in entries { (row(l, e)) } }
            }
        }
    }
}

/// The way to the newest entries (when on an older page) and to older ones (when the page is full); `keep` is
/// the filters' query.
fn paging(l: Lang, keep: &str, before: Option<i64>, entries: &[Entry]) -> Markup {
    let older = entries.last().filter(|_| entries.len() == PAGE).map(|last| last.id);
    html! {
        p {
            @if before.is_some() { a href={ "/settings/audit?" (keep) } { (l.t("audit_newest")) } " " }
            @if let Some(id) = older { a href={ "/settings/audit?" (keep) "&before=" (id) } { (l.t("audit_older")) } }
        }
    }
}

/// `GET /settings/audit?project=&action=&before=`: the audit log, admins only.
pub(crate) async fn page(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let s = session(&st, &headers, Role::Admin)?;
    let l = s.lang;
    let param = |k: &str| q.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let (project, action) = (param("project"), param("action").as_deref().and_then(Action::parse));
    let before = param("before").and_then(|b| b.parse::<i64>().ok());
    let filter = Filter { project: project.clone(), action, since: None, before, limit: PAGE };
    let entries = tropa_app::audit::list(&st.meta, &filter).map_err(|e| WebError::internal(&e))?;
    let projects = st.meta.projects().map_err(|e| WebError::internal(&e))?;
    let (project, action) = (project.as_deref().unwrap_or(""), action.map(Action::as_str).unwrap_or(""));
    let project_options = options(
        project,
        l.t("audit_all_projects"),
        projects.into_iter().map(|p| (p.slug.clone(), format!("{} ({})", p.name, p.slug))),
    );
    let action_options = options(
        action,
        l.t("audit_all_actions"),
        Action::ALL.iter().map(|a| (a.as_str().to_string(), action_words(l, *a).to_string())),
    );
    let keep = format!("project={}&action={}", enc(project), enc(action));
    let body = html! {
        p.muted { (l.t("audit_hint")) }
        form method="get" action="/settings/audit" class="inline" {
            select name="project" aria-label=(l.t("project")) { (project_options) }
            " "
            select name="action" aria-label=(l.t("audit_action")) { (action_options) }
            " "
            button type="submit" { (l.t("audit_show")) }
        }
        (entries_table(l, &entries))
        (paging(l, &keep, before, &entries))
    };
    Ok(settings_page(&s, "audit_log", StatusCode::OK, body))
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

    #[test]
    fn an_entry_is_escaped_and_names_what_is_missing_with_a_dash() {
        let e = Entry {
            id: 7,
            at: 0,
            actor: Actor::Cli { os_user: "<ops>".into() },
            address: String::new(),
            action: Action::KeyCreate,
            project: None,
            target: "t\"&".into(),
            details: "{}".into(),
        };
        let row = row(Lang::En, &e).into_string();
        let start = "<tr><td>1970-01-01 00:00</td><td>command line (&lt;ops&gt;)</td><td>—</td>";
        assert!(row.starts_with(start), "{row}");
        assert!(row.contains("<td title=\"key.create\">Key created</td><td>—</td><td>t&quot;&amp;</td><td></td>"));
    }

    #[test]
    fn the_paging_keeps_the_filters() {
        let entries: Vec<Entry> = (0..PAGE as i64)
            .map(|id| Entry {
                id,
                at: 0,
                actor: Actor::System,
                address: String::new(),
                action: Action::KeyCreate,
                project: None,
                target: String::new(),
                details: "{}".into(),
            })
            .collect();
        let p = paging(Lang::En, "project=a&action=", Some(99), &entries).into_string();
        assert!(p.contains("<a href=\"/settings/audit?project=a&amp;action=\">"), "{p}");
        assert!(p.contains("<a href=\"/settings/audit?project=a&amp;action=&amp;before=49\">"), "{p}");
        assert_eq!(paging(Lang::En, "", None, &entries[..3]).into_string(), "<p></p>");
    }
}
