//! The feedback themes page (`/feedback/themes`): the project's theme list — what its feedback texts are sorted
//! into on the feedback page, the query API and the journey map — each theme with its key, names in English and
//! Russian and terms in each language. A project starts from the built-in list; analysts and admins add, change
//! or delete a theme, or go back to the built-in list (`POST` with `action` = `save`, `delete` or `reset`; each
//! change audited). Every problem of a theme is shown at its field, in the reader's language. Viewers read the
//! list.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use serde_json::json;
use tropa_app::feedback::themes::{self, ThemeIssue, ThemeList};
use tropa_meta::Role;
use tropa_text::{Theme, ThemeReason};

use crate::access::{Analyst, Member, Viewer};
use crate::error::WebError;
use crate::i18n::{Lang, Words};
use crate::session::{redirect, Session};
use crate::ui::form::csrf_field;
use crate::ui::layout::shell;
use crate::url::enc;
use crate::WebState;

pub(crate) async fn page(State(st): State<Arc<WebState>>, m: Member<Viewer>) -> Result<Response, WebError> {
    let s = &m.s;
    let list = themes::list(&st.meta, &s.project).map_err(|e| WebError::internal(&e))?;
    let editing = match m.field("edit") {
        "" if m.field("new") == "1" => Some((blank(), false)),
        "" => None,
        key => Some((list.themes().iter().find(|t| t.key == key).cloned().ok_or(WebError::NotFound(s.lang))?, true)),
    };
    render(&st, s, &list, editing, &[], StatusCode::OK)
}

fn blank() -> Theme {
    Theme { key: String::new(), name_en: String::new(), name_ru: String::new(), en: vec![], ru: vec![] }
}

/// Terms as the form writes them: separated by commas or new lines.
fn terms(text: &str) -> Vec<String> {
    text.split([',', '\n']).map(str::trim).filter(|t| !t.is_empty()).map(String::from).collect()
}

pub(crate) async fn post(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Result<Response, WebError> {
    let s = &m.s;
    let who = crate::audit::who(&st, s);
    let now = (st.clock)();
    let back = format!("/feedback/themes?project={}", enc(&s.project));
    let f = |k: &str| m.field(k).trim().to_string();
    match m.field("action") {
        "reset" => {
            themes::reset(&st.meta, &who, &s.project, now).map_err(|e| WebError::internal(&e))?;
            Ok(redirect(&back))
        }
        "delete" => match themes::delete(&st.meta, &who, &s.project, &f("key"), now) {
            Ok(_) => Ok(redirect(&back)),
            Err(e) if e.kind() == tropa_engine::ErrorKind::NotFound => Err(WebError::NotFound(s.lang)),
            Err(e) => Err(WebError::internal(&e)),
        },
        _ => {
            let theme = Theme {
                key: f("key"),
                name_en: f("name_en"),
                name_ru: f("name_ru"),
                en: terms(m.field("en")),
                ru: terms(m.field("ru")),
            };
            let current = themes::list(&st.meta, &s.project).map_err(|e| WebError::internal(&e))?;
            // an edited theme keeps its key (the form's `was`); a new one must not take another's
            let was = f("was");
            if was != theme.key && current.themes().iter().any(|t| t.key == theme.key) {
                let taken = [ThemeIssue { field: "key".into(), reason: ThemeReason::Duplicate }];
                return render(&st, s, &current, Some((theme, true)), &taken, StatusCode::BAD_REQUEST);
            }
            let mut value = json!(theme);
            if let Some(o) = value.as_object_mut() {
                // a language without terms is left out (a theme needs terms in one of them)
                o.retain(|k, v| !(["en", "ru"].contains(&k.as_str()) && v.as_array().is_some_and(Vec::is_empty)));
            }
            let base = match (was.is_empty(), was != theme.key) {
                (false, true) => themes::without_theme(&current, &was).unwrap_or_else(|| current.clone()),
                _ => current.clone(),
            };
            match themes::with_theme(&base, &value) {
                Ok(next) => {
                    themes::save(&st.meta, &who, &s.project, &next, &theme.key, now)
                        .map_err(|e| WebError::internal(&e))?;
                    Ok(redirect(&back))
                }
                Err(issues) => {
                    render(&st, s, &current, Some((theme, !was.is_empty())), &issues, StatusCode::BAD_REQUEST)
                }
            }
        }
    }
}

/// A problem of a theme in the reader's words.
fn reason(l: Lang, r: &ThemeReason) -> String {
    let key = match r {
        ThemeReason::Missing | ThemeReason::Empty => "fbt_r_empty",
        ThemeReason::NotAString | ThemeReason::NotAList | ThemeReason::NotATable | ThemeReason::UnknownField => {
            "fbt_r_shape"
        }
        ThemeReason::BadKey => "fbt_r_key",
        ThemeReason::Duplicate => "fbt_r_duplicate",
        ThemeReason::NoTerms => "fbt_r_no_terms",
        ThemeReason::NotAWord => "fbt_r_word",
        ThemeReason::TooLong { .. } => "fbt_r_long",
        ThemeReason::TooMany { .. } => "fbt_r_many",
    };
    l.t(key).to_string()
}

/// The form field a problem belongs to (`en[2]` → `en`) and its words (`term 3: …`).
fn place(l: Lang, i: &ThemeIssue) -> (String, String) {
    let (field, rest) = i.field.split_once('[').unwrap_or((i.field.as_str(), ""));
    let words = match rest.split(']').next().and_then(|n| n.parse::<usize>().ok()) {
        Some(n) => format!("{} {}: {}", l.t("fbt_term"), n + 1, reason(l, &i.reason)),
        None => reason(l, &i.reason),
    };
    let field = if ["key", "name_en", "name_ru", "en", "ru"].contains(&field) { field } else { "key" };
    (field.to_string(), words)
}

fn render(
    st: &Arc<WebState>,
    s: &Session,
    list: &ThemeList,
    editing: Option<(Theme, bool)>,
    issues: &[ThemeIssue],
    status: StatusCode,
) -> Result<Response, WebError> {
    let l = s.lang;
    let own = themes::is_own(&st.meta, &s.project).map_err(|e| WebError::internal(&e))?;
    let can_edit = s.role >= Role::Analyst;
    let here = format!("/feedback/themes?project={}", enc(&s.project));
    let main = html! {
        h1 { (l.t("fbt_page")) }
        p.muted { (l.t("fbt_intro")) }
        p id="theme-source" { (l.t(if own { "fbt_own" } else { "fbt_builtin" })) }
        table.data id="theme-list" {
            thead { tr {
                th { (l.t("fbt_key")) } th { (l.t("fbt_name")) " (EN)" } th { (l.t("fbt_name")) " (RU)" }
                th { (l.t("fbt_terms")) " (EN)" } th { (l.t("fbt_terms")) " (RU)" } th {}
            } }
            tbody { @for t in list.themes() { tr data-theme=(t.key) {
                td { code { (t.key) } } td { (t.name_en) } td { (t.name_ru) }
                td { (t.en.join(", ")) } td { (t.ru.join(", ")) }
                td { @if can_edit {
                    a href={ (here) "&edit=" (enc(&t.key)) } { (l.t("fbt_edit")) }
                    form.inline method="post" action="/feedback/themes" {
                        (csrf_field(&s.csrf))
                        input type="hidden" name="project" value=(s.project);
                        input type="hidden" name="action" value="delete";
                        input type="hidden" name="key" value=(t.key);
                        button.link type="submit" { (l.t("fbt_delete")) }
                    }
                } }
            } } }
        }
        @if can_edit {
            @match &editing {
                Some((t, edited)) => { (form(l, s, t, *edited, issues)) }
                None => { p { a.button href={ (here) "&new=1" } { (l.t("fbt_new")) } } }
            }
            @if own {
                form method="post" action="/feedback/themes" {
                    (csrf_field(&s.csrf))
                    input type="hidden" name="project" value=(s.project);
                    input type="hidden" name="action" value="reset";
                    button type="submit" { (l.t("fbt_reset")) }
                }
            }
        }
        p { a href={ "/feedback?project=" (enc(&s.project)) } { (l.t("fbt_to_feedback")) } }
    };
    let mut res = Html(shell(s, "feedback_page", l.t("fbt_page"), main).into_string()).into_response();
    *res.status_mut() = status;
    Ok(res)
}

fn form(l: Lang, s: &Session, t: &Theme, edited: bool, issues: &[ThemeIssue]) -> Markup {
    let placed: Vec<(String, String)> = issues.iter().map(|i| place(l, i)).collect();
    let errs = |field: &str| -> Markup {
        html! { @for (_, w) in placed.iter().filter(|(f, _)| f == field) { span.err role="alert" { (w) } } }
    };
    html! {
        h2 { (l.t(if edited { "fbt_edit" } else { "fbt_new" })) }
        form.th-form method="post" action="/feedback/themes" {
            (csrf_field(&s.csrf))
            input type="hidden" name="project" value=(s.project);
            input type="hidden" name="action" value="save";
            @if edited { input type="hidden" name="was" value=(t.key); }
            label { (l.t("fbt_key")) " " input type="text" name="key" value=(t.key) required; (errs("key")) }
            label { (l.t("fbt_name")) " (EN) " input type="text" name="name_en" value=(t.name_en); (errs("name_en")) }
            label { (l.t("fbt_name")) " (RU) " input type="text" name="name_ru" value=(t.name_ru); (errs("name_ru")) }
            label { (l.t("fbt_terms")) " (EN) " textarea name="en" rows="2" { (t.en.join(", ")) } (errs("en")) }
            label { (l.t("fbt_terms")) " (RU) " textarea name="ru" rows="2" { (t.ru.join(", ")) } (errs("ru")) }
            p.muted { (l.t("fbt_terms_hint")) }
            button type="submit" { (l.t("save")) }
        }
    }
}
