//! Saved reports: a builder page's parameters kept under a name in the project (`tropa_meta::reports`), listed
//! beside the builder and reopened as the page's URL. Everyone sees the list; analysts and admins save and
//! delete.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use tropa_meta::{MetaError, Role, SavedReport};

use crate::access::{Analyst, Member};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::i18n::Words;
use crate::session::{redirect, Session};
use crate::ui::form::csrf_field;
use crate::url::enc;
use crate::WebState;

/// The pages whose reports can be saved.
const KINDS: [&str; 3] = ["funnels", "paths", "retention"];

/// The page's parameters as a query string (sorted; without the project and downloads).
fn query_of(q: &HashMap<String, String>) -> String {
    let mut keys: Vec<(&String, &String)> = q
        .iter()
        .filter(|(k, v)| !matches!(k.as_str(), "project" | "download" | "format" | "saved") && !v.is_empty())
        .collect();
    keys.sort();
    keys.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

/// The saved reports of this page and, for analysts, a form to save the current one.
pub fn panel(st: &WebState, s: &Session, kind: &'static str, q: &HashMap<String, String>) -> Markup {
    let l = s.lang;
    let list = st.meta.saved_reports(&s.project, kind).unwrap_or_default();
    let can_edit = s.role >= Role::Analyst;
    let note = html! {
        @if let Some(name) = q.get("saved") { span.ok role="status" { (l.t("report_saved")) " «" (name) "»" } }
    };
    html! {
        div.savedbar {
            b { (l.t("saved_reports")) ":" } " "
            @if list.is_empty() {
                span.muted { (l.t("none_saved")) }
            } @else {
                ul.saved { @for r in &list { (saved_item(s, kind, r, can_edit)) } }
            }
            @if can_edit { (save_form(s, kind, q, note)) } @else { (note) }
        }
    }
}

/// A saved report: the link that reopens it and, for analysts, the button that deletes it.
fn saved_item(s: &Session, kind: &str, r: &SavedReport, can_edit: bool) -> Markup {
    let href = format!("/{kind}?project={}&{}", enc(&s.project), r.query);
    html! {
        li {
            a href=(href) { (r.name) }
            @if can_edit {
                " "
                form.inline method="post" action="/reports/delete" {
                    (hidden_fields(s, kind))
                    input type="hidden" name="id" value=(r.id);
                    button.link type="submit" title=(s.lang.t("delete")) { "×" }
                }
            }
        }
    }
}

/// The form that saves the page's parameters under a name, with the note of the one just saved.
fn save_form(s: &Session, kind: &str, q: &HashMap<String, String>, note: Markup) -> Markup {
    let l = s.lang;
    html! {
        form.save method="post" action="/reports/save" {
            (hidden_fields(s, kind))
            input type="hidden" name="query" value=(query_of(q));
            label for="save-name" { (l.t("save_as")) }
            " "
            input id="save-name" name="name" required maxlength="120" placeholder=(l.t("report_name"));
            " "
            button.secondary type="submit" { (l.t("save")) }
            " "
            (note)
        }
    }
}

/// The CSRF token, project and kind every form of the panel carries.
fn hidden_fields(s: &Session, kind: &str) -> Markup {
    html! {
        (csrf_field(&s.csrf))
        input type="hidden" name="project" value=(s.project);
        input type="hidden" name="kind" value=(kind);
    }
}

fn field<'f>(f: &'f HashMap<String, String>, k: &str) -> &'f str {
    f.get(k).map(|v| v.trim()).unwrap_or("")
}

/// The kind of report a form names (400 for one no page sends).
fn kind_of(l: Lang, f: &HashMap<String, String>) -> Result<&'static str, WebError> {
    let kind = KINDS.iter().copied().find(|k| *k == field(f, "kind"));
    kind.ok_or(WebError::BadRequest(l, StatusCode::BAD_REQUEST, "report_kind_unknown"))
}

pub(crate) async fn save(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Result<Response, WebError> {
    let Member { s, f, .. } = m;
    let l = s.lang;
    let kind = kind_of(l, &f)?;
    let (project, name) = (s.project.as_str(), field(&f, "name"));
    // the page's parameters as this app writes them (encoded, sorted, without the project and downloads), so a
    // crafted query can neither break the redirect nor reach another project
    let query = query_of(&serde_urlencoded::from_str(field(&f, "query")).unwrap_or_default());
    match st.meta.save_report(project, kind, name, &query, Some(s.user.id), (st.clock)()) {
        Ok(r) => Ok(redirect(&format!(
            "/{kind}?project={}&{}{}saved={}",
            enc(project),
            r.query,
            if r.query.is_empty() { "" } else { "&" },
            enc(&r.name)
        ))),
        Err(MetaError::Invalid { field, .. }) => {
            let key = if field == "name" { "report_name_length" } else { "report_too_long" };
            Err(WebError::BadRequest(l, StatusCode::BAD_REQUEST, key))
        }
        Err(MetaError::NotFound { .. }) => Err(WebError::NotFound(l)),
        Err(e) => Err(WebError::internal(&e)),
    }
}

pub(crate) async fn delete(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Result<Response, WebError> {
    let Member { s, f, .. } = m;
    let l = s.lang;
    let kind = kind_of(l, &f)?;
    let project = s.project.as_str();
    let id =
        field(&f, "id").parse::<i64>().map_err(|_| WebError::BadRequest(l, StatusCode::BAD_REQUEST, "report_id"))?;
    match st.meta.delete_report(project, id) {
        Ok(()) => Ok(redirect(&format!("/{kind}?project={}", enc(project)))),
        Err(MetaError::NotFound { .. }) => Err(WebError::NotFound(l)),
        Err(e) => Err(WebError::internal(&e)),
    }
}
