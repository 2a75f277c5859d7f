//! Saved reports: a builder page's parameters kept under a name in the project (`tropa_meta::reports`), listed
//! beside the builder and reopened as the page's URL. Everyone sees the list; analysts and admins save and
//! delete.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use tropa_meta::{MetaError, Role};

use super::export::enc;
use super::{esc, internal, page, redirect, Session};
use crate::WebState;
use crate::{Analyst, Member};

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
pub fn panel(st: &WebState, s: &Session, kind: &'static str, q: &HashMap<String, String>) -> String {
    let l = s.lang;
    let list = st.meta.saved_reports(&s.project, kind).unwrap_or_default();
    let csrf = esc(&s.csrf);
    let p = esc(&s.project);
    let can_edit = s.role >= Role::Analyst;
    let items: String = list
        .iter()
        .map(|r| {
            let del = if can_edit {
                format!(
                    " <form method=\"post\" action=\"/reports/delete\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                     <input type=\"hidden\" name=\"project\" value=\"{p}\"><input type=\"hidden\" name=\"kind\" value=\"{kind}\">\
                     <input type=\"hidden\" name=\"id\" value=\"{}\"><button class=\"link\" type=\"submit\" title=\"{}\">×</button></form>",
                    r.id,
                    l.t("delete")
                )
            } else {
                String::new()
            };
            format!(
                "<li><a href=\"/{kind}?project={}&amp;{}\">{}</a>{del}</li>",
                enc(&s.project),
                esc(&r.query),
                esc(&r.name)
            )
        })
        .collect();
    let list_html = if list.is_empty() {
        format!("<span class=\"muted\">{}</span>", l.t("none_saved"))
    } else {
        format!("<ul class=\"saved\">{items}</ul>")
    };
    let saved_note = q
        .get("saved")
        .map(|n| format!("<span class=\"ok\" role=\"status\">{} «{}»</span>", l.t("report_saved"), esc(n)))
        .unwrap_or_default();
    let form = if can_edit {
        format!(
            "<form method=\"post\" action=\"/reports/save\" class=\"save\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <input type=\"hidden\" name=\"project\" value=\"{p}\"><input type=\"hidden\" name=\"kind\" value=\"{kind}\">\
             <input type=\"hidden\" name=\"query\" value=\"{}\"><label for=\"save-name\">{}</label> \
             <input id=\"save-name\" name=\"name\" required maxlength=\"120\" placeholder=\"{}\"> <button type=\"submit\" class=\"secondary\">{}</button> {saved_note}</form>",
            esc(&query_of(q)),
            l.t("save_as"),
            l.t("report_name"),
            l.t("save")
        )
    } else {
        saved_note
    };
    format!("<div class=\"savedbar\"><b>{}:</b> {list_html}{form}</div>", l.t("saved_reports"))
}

fn field<'f>(f: &'f HashMap<String, String>, k: &str) -> &'f str {
    f.get(k).map(|v| v.trim()).unwrap_or("")
}

fn kind_of(f: &HashMap<String, String>) -> Option<&'static str> {
    KINDS.iter().copied().find(|k| *k == field(f, "kind"))
}

fn refuse(s: &Session, status: StatusCode, message: &str) -> Response {
    let body = format!("<main><h1>{}</h1><p class=\"err\">{}</p></main>", status.as_u16(), esc(message));
    (status, Html(page(s.lang, "error", &body))).into_response()
}

pub(crate) async fn save(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Response {
    let Member { s, f, .. } = m;
    let Some(kind) = kind_of(&f) else {
        return refuse(&s, StatusCode::BAD_REQUEST, "kind: use funnels, paths or retention");
    };
    let (project, name) = (s.project.as_str(), field(&f, "name"));
    // the page's parameters as this app writes them (encoded, sorted, without the project and downloads), so a
    // crafted query can neither break the redirect nor reach another project
    let query = query_of(&serde_urlencoded::from_str(field(&f, "query")).unwrap_or_default());
    match st.meta.save_report(project, kind, name, &query, Some(s.user.id), (st.clock)()) {
        Ok(r) => redirect(&format!(
            "/{kind}?project={}&{}{}saved={}",
            enc(project),
            r.query,
            if r.query.is_empty() { "" } else { "&" },
            enc(&r.name)
        )),
        Err(e @ (MetaError::Invalid { .. } | MetaError::NotFound { .. })) => {
            refuse(&s, StatusCode::BAD_REQUEST, &e.to_string())
        }
        Err(e) => internal(&e),
    }
}

pub(crate) async fn delete(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Response {
    let Member { s, f, .. } = m;
    let Some(kind) = kind_of(&f) else {
        return refuse(&s, StatusCode::BAD_REQUEST, "kind: use funnels, paths or retention");
    };
    let project = s.project.as_str();
    let Ok(id) = field(&f, "id").parse::<i64>() else {
        return refuse(&s, StatusCode::BAD_REQUEST, "id: not a number");
    };
    match st.meta.delete_report(project, id) {
        Ok(()) => redirect(&format!("/{kind}?project={}", enc(project))),
        Err(e @ MetaError::NotFound { .. }) => refuse(&s, StatusCode::NOT_FOUND, &e.to_string()),
        Err(e) => internal(&e),
    }
}
