//! Saved reports: a builder page's parameters kept under a name in the project (`tropa_meta::reports`), listed
//! beside the builder and reopened as the page's URL. Everyone sees the list; analysts and admins save and
//! delete.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use tropa_app::AppError;
use tropa_meta::{MetaError, Role, SavedReport};

use crate::access::{Analyst, Member};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::i18n::Words;
use crate::session::{redirect, Session};
use crate::ui::form::csrf_field;
use crate::url::enc;
use crate::WebState;

/// The saved reports of this page and, for analysts, a form to save the current one.
pub fn panel(st: &WebState, s: &Session, kind: &'static str, q: &HashMap<String, String>) -> Markup {
    let l = s.lang;
    let list = tropa_app::reports::list(&st.meta, &s.project, kind).unwrap_or_default();
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
                form.inline method="post" action="/reports/delete" data-confirm=(s.lang.t("confirm_delete_report")) {
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
            input type="hidden" name="query" value=(tropa_app::reports::canonical_query(q.iter().map(|(k, v)| (k.as_str(), v.as_str()))));
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

pub(crate) async fn save(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Result<Response, WebError> {
    let Member { s, f, .. } = m;
    let l = s.lang;
    let project = s.project.as_str();
    // the page's parameters as the application writes them (encoded, sorted, without the project and downloads),
    // so a crafted query can neither break the redirect nor reach another project
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(field(&f, "query")).unwrap_or_default();
    let pairs = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    match tropa_app::reports::save(
        &st.meta,
        project,
        field(&f, "kind"),
        field(&f, "name"),
        pairs,
        Some(s.user.id),
        (st.clock)(),
    ) {
        Ok(r) => Ok(redirect(&format!(
            "/{}?project={}&{}{}saved={}",
            r.kind,
            enc(project),
            r.query,
            if r.query.is_empty() { "" } else { "&" },
            enc(&r.name)
        ))),
        Err(e) => Err(refused(l, e)),
    }
}

/// A refusal of the application layer as the page's error: a form no page sends is 400, a report that is not
/// there 404.
fn refused(l: Lang, e: AppError) -> WebError {
    match e {
        AppError::Invalid { field: "kind", .. } => {
            WebError::BadRequest(l, StatusCode::BAD_REQUEST, "report_kind_unknown")
        }
        AppError::Invalid { field: "name", .. } => {
            WebError::BadRequest(l, StatusCode::BAD_REQUEST, "report_name_length")
        }
        AppError::Invalid { .. } => WebError::BadRequest(l, StatusCode::BAD_REQUEST, "report_too_long"),
        AppError::NotFound(_) | AppError::Meta(MetaError::NotFound { .. }) => WebError::NotFound(l),
        e => WebError::internal(&e),
    }
}

pub(crate) async fn delete(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Result<Response, WebError> {
    let Member { s, f, .. } = m;
    let l = s.lang;
    let kind = tropa_app::reports::kind(field(&f, "kind")).map_err(|e| refused(l, e))?;
    let project = s.project.as_str();
    let id =
        field(&f, "id").parse::<i64>().map_err(|_| WebError::BadRequest(l, StatusCode::BAD_REQUEST, "report_id"))?;
    tropa_app::reports::delete(&st.meta, project, id).map_err(|e| refused(l, e))?;
    Ok(redirect(&format!("/{kind}?project={}", enc(project))))
}
