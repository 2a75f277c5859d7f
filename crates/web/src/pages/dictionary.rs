//! The dictionary page: every event name and property the project's data has, with how many events carried it
//! and when it was first and last seen (kept by the engine as events arrive: the page never scans), and what
//! people noted about it — display names in English and Russian, a description, hidden (left out of the
//! pickers) and verified (offered first). Analysts and admins edit the notes in place; viewers read.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use tropa_app::dictionary::{Dictionary, EventEntry, PropertyEntry};
use tropa_app::AppError;
use tropa_meta::{Note, NoteKind, Role};

use crate::access::{Analyst, Member, Viewer};
use crate::error::WebError;
use crate::i18n::{Lang, Words};
use crate::session::{redirect, Session};
use crate::ui::form::{csrf_field, FieldErrors};
use crate::ui::layout::shell;
use crate::url::enc;
use crate::WebState;

/// A note being edited with its problem: which entry, the values asked, the problems at their fields.
struct Editing<'a> {
    kind: NoteKind,
    note: &'a Note,
    problems: Vec<(String, String)>,
}

pub(crate) async fn page(State(st): State<Arc<WebState>>, m: Member<Viewer>) -> Result<Response, WebError> {
    let saved = m.field("done") == "saved";
    dictionary_page(&st, &m.s, None, saved, StatusCode::OK)
}

fn dictionary_page(
    st: &WebState,
    s: &Session,
    editing: Option<Editing>,
    saved: bool,
    status: StatusCode,
) -> Result<Response, WebError> {
    let l = s.lang;
    let engine = crate::project::engine(st, s, &s.project)?;
    let d = tropa_app::dictionary::load(&st.meta, &*engine, &s.project).map_err(|e| WebError::internal(&e))?;
    let calendar = st.settings_of(&s.project)?.calendar;
    let when = |ms: Option<i64>| ms.map(|ms| l.date(&calendar.format_date(ms))).unwrap_or_else(|| "—".into());
    let can_edit = s.role >= Role::Analyst;
    let main = html! {
        h1 { (l.t("dictionary")) }
        p.muted { (l.t("dictionary_intro")) }
        @if saved { p.ok role="status" { (l.t("dictionary_saved")) } }
        (events_table(l, s, &d, &editing, can_edit, &when))
        (properties_table(l, s, &d, &editing, can_edit, &when))
    };
    let page = shell(s, "dictionary", l.t("dictionary"), main).into_string();
    Ok((status, Html(page)).into_response())
}

fn flags(l: Lang, n: &Note) -> Markup {
    html! {
        @if n.verified { span.badge.verified { (l.t("verified")) } " " }
        @if n.hidden { span.badge.hidden-flag { (l.t("hidden")) } }
    }
}

/// A name's cell: the display name in the reader's language (or the raw name) with the raw name beside it.
fn name_cell(l: Lang, name: &str, n: &Note) -> Markup {
    let shown = if l == Lang::Ru { &n.name_ru } else { &n.name_en };
    let shown = if shown.is_empty() {
        if l == Lang::Ru {
            &n.name_en
        } else {
            &n.name_ru
        }
    } else {
        shown
    };
    html! {
        @if shown.is_empty() { code { (name) } } @else { (shown) " " small.muted { code { (name) } } }
        @if !n.description.is_empty() { p.muted.description { (n.description) } }
    }
}

fn events_table(
    l: Lang,
    s: &Session,
    d: &Dictionary,
    editing: &Option<Editing>,
    can_edit: bool,
    when: &dyn Fn(Option<i64>) -> String,
) -> Markup {
    let loc = l.locale();
    html! {
        h2 { (l.t("dict_events")) " " small.muted { "(" (d.events.len()) ")" } }
        @if d.events.is_empty() { p.muted { (l.t("dict_empty")) } } @else {
            table.dictionary id="dict-events-table" {
                thead { tr {
                    th { (l.t("dict_name")) } th.num { (l.t("dict_count")) } th { (l.t("dict_first")) }
                    th { (l.t("dict_last")) } th { (l.t("dict_properties")) } th { (l.t("dict_flags")) }
                } }
                tbody {
                    @for e in &d.events { (event_row(l, s, e, editing, can_edit, when, &loc)) }
                }
            }
        }
    }
}

fn event_row(
    l: Lang,
    s: &Session,
    e: &EventEntry,
    editing: &Option<Editing>,
    can_edit: bool,
    when: &dyn Fn(Option<i64>) -> String,
    loc: &tropa_render::Locale,
) -> Markup {
    let shown_props: Vec<&str> = e.properties.iter().take(8).map(String::as_str).collect();
    html! {
        tr data-name=(e.name) {
            td { (name_cell(l, &e.name, &e.note)) }
            td.num { (loc.int(e.count)) }
            td { (when(e.first_seen)) }
            td { (when(e.last_seen)) }
            td { @for p in &shown_props { code { (p) } " " } @if e.properties.len() > 8 { "…" } }
            td { (flags(l, &e.note)) }
        }
        @if can_edit { tr.edit-row { td colspan="6" { (editor(l, s, NoteKind::Event, &e.note, editing)) } } }
    }
}

fn properties_table(
    l: Lang,
    s: &Session,
    d: &Dictionary,
    editing: &Option<Editing>,
    can_edit: bool,
    when: &dyn Fn(Option<i64>) -> String,
) -> Markup {
    let loc = l.locale();
    html! {
        h2 { (l.t("dict_props")) " " small.muted { "(" (d.properties.len()) ")" } }
        @if d.properties.is_empty() { p.muted { (l.t("dict_empty")) } } @else {
            table.dictionary id="dict-properties-table" {
                thead { tr {
                    th { (l.t("dict_name")) } th.num { (l.t("dict_count")) } th { (l.t("dict_first")) }
                    th { (l.t("dict_last")) } th { (l.t("dict_values")) } th { (l.t("dict_flags")) }
                } }
                tbody {
                    @for p in &d.properties { (property_row(l, s, p, editing, can_edit, when, &loc)) }
                }
            }
        }
    }
}

fn property_row(
    l: Lang,
    s: &Session,
    p: &PropertyEntry,
    editing: &Option<Editing>,
    can_edit: bool,
    when: &dyn Fn(Option<i64>) -> String,
    loc: &tropa_render::Locale,
) -> Markup {
    html! {
        tr data-name=(p.name) {
            td {
                (name_cell(l, &p.name, &p.note))
                @if !p.events.is_empty() {
                    p.muted.description { (l.t("dict_in_events")) ": " (p.events.join(", ")) }
                }
            }
            td.num { (loc.int(p.count)) }
            td { (when(p.first_seen)) }
            td { (when(p.last_seen)) }
            td { @for (v, n) in p.values.iter().take(5) { code { (v) } " " small.muted { (loc.int(*n)) } " " } }
            td { (flags(l, &p.note)) }
        }
        @if can_edit { tr.edit-row { td colspan="6" { (editor(l, s, NoteKind::Property, &p.note, editing)) } } }
    }
}

/// The note's form, folded; open with the values asked and their problems when it is the one being edited.
fn editor(l: Lang, s: &Session, kind: NoteKind, note: &Note, editing: &Option<Editing>) -> Markup {
    let mine = editing.as_ref().filter(|e| e.kind == kind && e.note.name == note.name);
    let shown = mine.map_or(note, |e| e.note);
    let problems = mine.map(|e| e.problems.clone()).unwrap_or_default();
    let e = FieldErrors::new(l, &problems, "");
    let id = |f: &str| format!("{}-{}-{f}", kind.as_str(), note.name);
    html! {
        details.note-editor open[mine.is_some()] {
            summary { (l.t("dict_edit")) " " code { (note.name) } }
            form.note-form method="post" action="/dictionary" {
                (csrf_field(&s.csrf))
                input type="hidden" name="project" value=(s.project);
                input type="hidden" name="kind" value=(kind.as_str());
                input type="hidden" name="name" value=(note.name);
                div {
                    label for=(id("en")) { (l.t("display_name_en")) }
                    input id=(id("en")) name="name_en" type="text" value=(shown.name_en) aria-invalid=[e.invalid("name_en")];
                    (e.at("name_en"))
                }
                div {
                    label for=(id("ru")) { (l.t("display_name_ru")) }
                    input id=(id("ru")) name="name_ru" type="text" value=(shown.name_ru) aria-invalid=[e.invalid("name_ru")];
                    (e.at("name_ru"))
                }
                div.wide {
                    label for=(id("description")) { (l.t("description")) }
                    textarea id=(id("description")) name="description" rows="2" aria-invalid=[e.invalid("description")] {
                        (shown.description)
                    }
                    (e.at("description"))
                }
                div {
                    label.check { input type="checkbox" name="verified" checked[shown.verified]; " " (l.t("verified")) }
                    label.check { input type="checkbox" name="hidden" checked[shown.hidden]; " " (l.t("hidden_hint")) }
                    (e.at("name"))
                    button type="submit" { (l.t("save")) }
                }
            }
        }
    }
}

pub(crate) async fn save(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Result<Response, WebError> {
    let s = &m.s;
    let Some(kind) = NoteKind::parse(m.field("kind")) else {
        return Err(WebError::BadRequest(s.lang, StatusCode::BAD_REQUEST, "not_a_form"));
    };
    let note = Note {
        name: m.field("name").to_string(),
        name_en: m.field("name_en").trim().to_string(),
        name_ru: m.field("name_ru").trim().to_string(),
        description: m.field("description").trim().to_string(),
        hidden: m.field("hidden") == "on",
        verified: m.field("verified") == "on",
        updated_at: 0,
    };
    let who = crate::audit::who(&st, s);
    match tropa_app::dictionary::annotate(&st.meta, &s.project, kind, note.clone(), &who, (st.clock)()) {
        Ok(()) => {
            let anchor = format!("/dictionary?project={}&done=saved", enc(&s.project));
            Ok(redirect(&anchor))
        }
        Err(AppError::Invalid { field, reason }) => {
            let editing = Editing { kind, note: &note, problems: vec![(field.to_string(), reason.words(s.lang))] };
            dictionary_page(&st, s, Some(editing), false, StatusCode::BAD_REQUEST)
        }
        Err(e) => Err(WebError::internal(&e)),
    }
}
