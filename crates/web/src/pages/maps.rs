//! The journey-map pages: the list of a project's maps (new from a template, import YAML/JSON), a map as an
//! editable grid — stages × lanes, written cells saved as you type (`assets/map.js` sends one [`Edit`] at a
//! time; every save is a version), stages and lanes added, renamed, moved and removed with small forms, data
//! lanes filled from events with trend arrows, the persona switch, suggestions from data that can be accepted
//! into the map — its history, the comparison of two versions or two periods, exports, share links and the
//! public read-only page, and the personas page with each persona's size and numbers.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use serde_json::{json, Value};
use tropa_app::audit::Action;
use tropa_app::maps::{self, versions as map_versions, MapData, Suggestion};
use tropa_core::cjm::persona::Persona;
use tropa_core::cjm::{template, Edit, JourneyMap, LaneKind};
use tropa_meta::{MapInfo, MetaError, Role, ShareInfo, StageLink};

use crate::access::{in_project, project_param_for, Analyst, Member, Viewer};
use crate::audit;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::i18n::Words;
use crate::session::{checked, origin, redirect, Session};
use crate::ui::form::csrf_field;
use crate::ui::layout::shell;
use crate::url::enc;
use crate::WebState;

pub mod grid;
pub mod history;
pub mod personas;
pub mod rules;
pub mod share;
pub mod versions;

use grid::{grid, op_form, Grid};

fn param(q: &HashMap<String, String>, k: &str) -> String {
    q.get(k).map(|v| v.trim().to_string()).unwrap_or_default()
}

fn lang_of(map: &JourneyMap) -> Lang {
    if map.lang == "ru" {
        Lang::Ru
    } else {
        Lang::En
    }
}

/// A server fault, logged (for `map_err`).
fn fault(e: impl std::fmt::Display) -> WebError {
    WebError::internal(&e)
}

/// A page of the maps section with its status.
fn respond(status: StatusCode, page: Markup) -> Response {
    (status, Html(page.into_string())).into_response()
}

/// A signed-in page of the maps section (200).
fn maps_page(s: &Session, title: &str, main: Markup) -> Response {
    respond(StatusCode::OK, shell(s, "maps", title, main))
}

/// What was wrong with an edit or a comparison, in the signed-in frame (400).
fn bad_request(s: &Session, message: &str) -> Response {
    let main = html! {
        h1 { "400" }
        p.err role="alert" { (message) }
    };
    respond(StatusCode::BAD_REQUEST, shell(s, "maps", "400", main))
}

/// The hidden fields every form about the project carries: the CSRF token and the project.
fn project_fields(s: &Session) -> Markup {
    html! {
        (csrf_field(&s.csrf))
        input type="hidden" name="project" value=(s.project);
    }
}

/// A stored map of the session's project, read (404 page when there is none).
fn load(st: &WebState, s: &Session, id: i64, version: Option<i64>) -> Result<(JourneyMap, i64), WebError> {
    match st.meta.map_version(&s.project, id, version) {
        Ok(Some(v)) => JourneyMap::from_json(&v.document).map(|m| (m, v.version)).map_err(fault),
        Ok(None) => Err(WebError::NotFound(s.lang)),
        Err(e) => Err(fault(e)),
    }
}

/// The project's personas, read (a damaged one is skipped).
fn persona_list(st: &WebState, project: &str) -> Vec<Persona> {
    st.meta
        .personas(project)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(_, doc)| Persona::from_json(&doc).ok())
        .collect()
}

fn persona_label(p: &Persona) -> String {
    match p.age {
        Some(a) => format!("{}, {a}", p.name),
        None => p.name.clone(),
    }
}

/// The map's data for a persona, off the async threads.
async fn map_data(
    st: &WebState,
    project: &str,
    map: &JourneyMap,
    persona: Option<&Persona>,
) -> Result<Option<MapData>, WebError> {
    let engine = st.projects.engine(project).map_err(fault)?;
    let calendar = st.settings_of(project)?.calendar;
    let (map, seg) = (map.clone(), persona.map(|p| p.segment.clone()));
    // the project's ad spend, for the lane "cost per customer reaching the stage"
    let spend = tropa_app::costs::rows(&st.meta, project, None, None).map_err(fault)?;
    let data = tokio::task::spawn_blocking(move || {
        let mut d = maps::data(&*engine, &map, seg.as_ref(), calendar)?;
        if let Some(d) = d.as_mut() {
            maps::apply_spend(d, &spend);
        }
        Ok::<_, tropa_engine::EngineError>(d)
    });
    data.await.map_err(fault)?.map_err(fault)
}

/// Suggestions from the map's data, off the async threads.
async fn suggestions_of(
    st: &WebState,
    project: &str,
    map: &JourneyMap,
    (data, reader): (&MapData, Lang),
) -> Result<Vec<Suggestion>, WebError> {
    let engine = st.projects.engine(project).map_err(fault)?;
    let (map, data) = (map.clone(), data.clone());
    let done = tokio::task::spawn_blocking(move || maps::suggestions_for(&*engine, &map, &data, reader));
    done.await.map_err(fault)?.map_err(fault)
}

// ---- the list ---------------------------------------------------------------------------------------------

pub(crate) async fn list(State(st): State<Arc<WebState>>, m: Member<Viewer>) -> Result<Response, WebError> {
    let s = m.s;
    if !matches!(st.meta.project(&s.project), Ok(Some(_))) {
        return Err(WebError::NotFound(s.lang));
    }
    Ok(respond(StatusCode::OK, list_page(&st, &s, None)?))
}

fn list_page(st: &WebState, s: &Session, error: Option<&str>) -> Result<Markup, WebError> {
    let l = s.lang;
    let list = st.meta.maps(&s.project).map_err(fault)?;
    let main = html! {
        h1 { (l.t("maps")) }
        @if let Some(e) = error { p.err role="alert" { (e) } }
        (map_table(s, &list))
        p { a href={ "/personas?project=" (enc(&s.project)) } { (l.t("personas")) } }
        @if s.role >= Role::Analyst { (new_map_forms(s)) }
    };
    Ok(shell(s, "maps", l.t("maps"), main))
}

/// The project's maps: title, version, when last changed.
fn map_table(s: &Session, list: &[MapInfo]) -> Markup {
    let l = s.lang;
    let proj = enc(&s.project);
    html! {
        @if list.is_empty() {
            div.empty { p { (l.t("no_maps")) } }
        } @else {
            table {
                thead { tr { th { (l.t("map_title")) } th.num { (l.t("version")) } th { (l.t("changed")) } } }
                tbody {
                    @for m in list {
                        tr {
                            td { a href={ "/maps/" (m.id) "?project=" (proj) } { (m.title) } }
                            td.num { (m.version) }
                            td { (l.date(&tropa_core::time::format_ts(m.updated_at))) }
                        }
                    }
                }
            }
        }
    }
}

/// For analysts: a new map from a template, and a map imported from YAML or JSON.
fn new_map_forms(s: &Session) -> Markup {
    let l = s.lang;
    html! {
        div.panels {
            form.panel method="post" action="/maps" {
                (project_fields(s))
                h2 { (l.t("new_map")) }
                label for="template" { (l.t("template")) }
                select id="template" name="template" {
                    @for t in template::all() {
                        option value=(t.key) { (t.title.get(l.code())) " — " (t.business.get(l.code())) }
                    }
                }
                label for="map-lang" { (l.t("map_language")) }
                select id="map-lang" name="lang" {
                    option value="ru" selected[l == Lang::Ru] { "Русский" }
                    option value="en" selected[l == Lang::En] { "English" }
                }
                fieldset.map-stages {
                    legend { (l.t("new_map_stages")) }
                    label { input type="radio" name="stages" value="linked" checked; " " (l.t("new_map_linked")) }
                    label { input type="radio" name="stages" value="detached"; " " (l.t("new_map_detached")) }
                }
                button type="submit" { (l.t("create")) }
            }
            form.panel method="post" action="/maps/import" {
                (project_fields(s))
                h2 { (l.t("import_map")) }
                label for="document" { (l.t("import_hint")) }
                textarea id="document" name="document" rows="6" spellcheck="false"
                    placeholder="title: …\nstages: …\nlanes: …" {}
                button type="submit" { (l.t("import")) }
            }
        }
    }
}

pub(crate) async fn create(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Result<Response, WebError> {
    let Member { s, f, .. } = m;
    let (key, lang) = (param(&f, "template"), param(&f, "lang"));
    let lang = if lang == "en" { tropa_core::lang::Lang::En } else { tropa_core::lang::Lang::Ru };
    let by = tropa_app::maps::Author { user: Some(s.user.id), now: (st.clock)() };
    // the form offers the project's stages first; without the field (older clients) the template's own
    let link = if param(&f, "stages") == "linked" { StageLink::Linked } else { StageLink::Detached };
    match tropa_app::maps::create_with_stages(&st.meta, &s.project, (&key, lang), None, link, by) {
        Ok(id) => {
            let done = audit::on_map(&st, Action::MapCreate, &s.project, id);
            let details = json!({"template": key, "lang": lang.code(), "stages": link.as_str()});
            audit::record(&st, &s, done.with(details));
            Ok(redirect(&format!("/maps/{id}?project={}", enc(&s.project))))
        }
        Err(e @ tropa_app::AppError::NotFound(_)) => Ok(bad_request(&s, &format!("template: {}", e.words(s.lang)))),
        Err(e) => Err(fault(e)),
    }
}

pub(crate) async fn import(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Result<Response, WebError> {
    let Member { s, f, .. } = m;
    let text = f.get("document").cloned().unwrap_or_default();
    let read =
        if text.trim_start().starts_with('{') { JourneyMap::from_json(&text) } else { JourneyMap::from_yaml(&text) };
    match read {
        Ok(map) => {
            let summary = s.lang.t("imported").to_string();
            let made =
                st.meta.create_map(&s.project, &map.title, &map.to_json(), &summary, Some(s.user.id), (st.clock)());
            if let Ok(m) = &made {
                audit::record(&st, &s, audit::on_map(&st, Action::MapImport, &s.project, m.id));
            }
            redirect_or(&s, made.map(|m| format!("/maps/{}?project={}", m.id, enc(&s.project))))
        }
        Err(e) => {
            let msg = e.issues().iter().map(|i| format!("{}: {}", i.field, i.reason)).collect::<Vec<_>>().join("; ");
            Ok(respond(StatusCode::BAD_REQUEST, list_page(&st, &s, Some(&msg))?))
        }
    }
}

// ---- one map ------------------------------------------------------------------------------------------------

/// A map as one page shows it: which version, for which persona, with which data, editable or not.
struct MapView<'a> {
    map: &'a JourneyMap,
    id: i64,
    /// The version shown, and the latest.
    v: i64,
    latest: i64,
    data: Option<&'a MapData>,
    personas: &'a [Persona],
    persona: Option<&'a Persona>,
    /// All customers' data, beside the persona's.
    all: Option<&'a MapData>,
    /// The project's stages or the map's own.
    link: StageLink,
    editable: bool,
}

pub(crate) async fn view(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    m: Member<Viewer>,
) -> Result<Response, WebError> {
    let Member { s, f: q, .. } = m;
    let (map, v) = load(&st, &s, id, param(&q, "version").parse::<i64>().ok())?;
    let info = st.meta.map(&s.project, id).map_err(fault)?.ok_or(WebError::NotFound(s.lang))?;
    let latest = info.version;
    let personas = persona_list(&st, &s.project);
    let persona_key = param(&q, "persona");
    let persona = personas.iter().find(|p| p.key == persona_key);
    let data = map_data(&st, &s.project, &map, persona).await?;
    let editable = s.role >= Role::Analyst && v == latest;
    let suggestions = match (&data, editable) {
        (Some(d), true) => suggestions_of(&st, &s.project, &map, (d, s.lang)).await?,
        _ => vec![],
    };
    let shares = st.meta.shares(&s.project, id, (st.clock)()).unwrap_or_default();
    let pin = crate::ui::pin::map_lanes(&st, &s, id, &map.title, &tropa_app::dashboards::pinnable_lanes(&map));
    // a persona's numbers side by side with all customers'
    let all = match persona {
        Some(_) => map_data(&st, &s.project, &map, None).await?,
        None => None,
    };
    let mv = MapView {
        map: &map,
        id,
        v,
        latest,
        data: data.as_ref(),
        personas: &personas,
        persona,
        all: all.as_ref(),
        link: info.stages,
        editable,
    };
    let missing = versions::missing_events(&st, &s.project, &map);
    let main = html! {
        (share::created_note(s.lang, &origin(&headers), &param(&q, "share")))
        (versions::done_note(s.lang, &param(&q, "done")))
        (versions::missing_warning(s.lang, &map, &missing))
        (map_page(&s, &mv, &suggestions, &shares))
        (pin)
    };
    let mut res = maps_page(&s, &map.title, main);
    res.headers_mut().insert(header::CACHE_CONTROL, "no-store".parse().expect("a header value"));
    Ok(res)
}

/// The map: its head and tools, the grid, the editing forms, the suggestions and the share links.
fn map_page(s: &Session, mv: &MapView<'_>, suggestions: &[Suggestion], shares: &[ShareInfo]) -> Markup {
    let g = Grid {
        map: mv.map,
        data: mv.data,
        editable: mv.editable,
        changed: vec![],
        id: mv.id,
        was: Default::default(),
        all: mv.all,
        linked: mv.link == StageLink::Linked,
    };
    html! {
        (map_head(s, mv))
        (versions::link_panel(s, mv.id, mv.link, mv.editable))
        @if let Some(p) = mv.persona { (personas::on_map(s.lang, p)) }
        (grid(s, &g, mv.v))
        @if mv.editable { (edit_forms(s, mv)) }
        (suggestion_list(s, mv, suggestions))
        @if s.role >= Role::Analyst { (share::share_panel(s, mv.id, shares)) }
        @if mv.editable { script src="/map.js" defer {} }
    }
}

/// The head of the map: the element `assets/map.js` reads (`#map` and its `data-*`), the title (an editor on
/// the latest version), the description, the subtitle and the tools.
fn map_head(s: &Session, mv: &MapView<'_>) -> Markup {
    let l = s.lang;
    let (map, v, latest) = (mv.map, mv.v, mv.latest);
    let sub = maps::subtitle(map, mv.persona.map(persona_label).as_deref(), mv.data);
    html! {
        div.map-head id="map" data-id=(mv.id) data-project=(s.project) data-version=(v) data-csrf=(s.csrf)
            data-saving=(l.t("saving")) data-saved=(l.t("saved_version"))
            data-conflict=(l.t("map_changed_elsewhere_short")) data-offline=(l.t("not_saved_offline"))
            data-recomputed=(l.t("numbers_recomputed")) {
            @if mv.editable {
                input.map-title value=(map.title) aria-label=(l.t("map_title")) data-edit=r#"{"op":"set_title"}"#
                    data-field="title";
            } @else {
                h1 { (map.title) }
            }
            p.muted { (map.description) }
            p.muted { (sub) }
            @if v != latest {
                p.warn role="status" {
                    (l.t("viewing_version")) " " (v) " (" (l.t("latest_is")) " " (latest) "). "
                    a href={ "/maps/" (mv.id) "?project=" (enc(&s.project)) } { (l.t("open_latest")) }
                }
            }
            (map_tools(s, mv))
        }
    }
}

/// The files a map downloads as.
const FORMATS: [&str; 6] = ["pdf", "png", "svg", "md", "json", "yaml"];

/// The persona switch, the downloads, the links to history, comparison and personas, and the save state.
fn map_tools(s: &Session, mv: &MapView<'_>) -> Markup {
    let l = s.lang;
    let (id, v, p) = (mv.id, mv.v, enc(&s.project));
    let persona_q = mv.persona.map(|x| format!("&persona={}", enc(&x.key))).unwrap_or_default();
    html! {
        div.map-tools {
            form method="get" action={ "/maps/" (id) } {
                input type="hidden" name="project" value=(s.project);
                label for="persona" { (l.t("persona")) }
                " "
                select id="persona" name="persona" data-autosubmit {
                    option value="" { (l.t("all_customers_map")) }
                    @for x in mv.personas {
                        option value=(x.key) selected[mv.persona.is_some_and(|q| q.key == x.key)] { (persona_label(x)) }
                    }
                }
                noscript { button type="submit" { "OK" } }
            }
            span {
                (l.t("download")) ": "
                @for (i, f) in FORMATS.iter().enumerate() {
                    @if i > 0 { " · " }
                    a href={ "/maps/" (id) "/export?project=" (p) "&format=" (f) "&version=" (v) (persona_q) } download {
                        (f.to_uppercase())
                    }
                }
            }
            a href={ "/maps/" (id) "/history?project=" (p) } { (l.t("history")) }
            a href={ "/maps/" (id) "/compare?project=" (p) "&a=" ((v - 1).max(1)) "&b=" (v) } { (l.t("compare")) }
            a href={ "/personas?project=" (p) } { (l.t("personas")) }
            span.save-state.muted role="status" aria-live="polite" { (l.t("version")) " " (v) }
        }
    }
}

/// A form of one edit on the map as shown (`op`), for the panels under the grid.
fn edit_panel(s: &Session, mv: &MapView<'_>, op: &str, fields: Markup) -> Markup {
    html! {
        form.panel method="post" action={ "/maps/" (mv.id) "/edit" } {
            (project_fields(s))
            input type="hidden" name="version" value=(mv.v);
            input type="hidden" name="op" value=(op);
            (fields)
        }
    }
}

/// The panels under an editable grid: add a stage, add a lane, the problem events, the period, the segment.
fn edit_forms(s: &Session, mv: &MapView<'_>) -> Markup {
    let l = s.lang;
    let map = mv.map;
    let last = map.stages.last().map(|x| x.key.as_str()).unwrap_or("");
    html! {
        div.panels.map-forms {
            @if mv.link == StageLink::Detached { (edit_panel(s, mv, "add_stage", html! {
                input type="hidden" name="after" value=(last);
                h2 { (l.t("add_stage")) }
                label for="new-stage" { (l.t("stage_name")) }
                input id="new-stage" name="name" required;
                label for="new-stage-rule" { (l.t("stage_rule")) }
                textarea id="new-stage-rule" name="event" rows="2" placeholder="review" {}
                button type="submit" { (l.t("add")) }
            })) }
            (edit_panel(s, mv, "add_lane", html! {
                h2 { (l.t("add_lane")) }
                label for="new-lane-kind" { (l.t("lane_kind")) }
                select id="new-lane-kind" name="kind" {
                    @for k in LaneKind::ALL { option value=(k.as_str()) { (k.title(&map.lang)) } }
                }
                label for="new-lane-title" { (l.t("lane_name")) }
                input id="new-lane-title" name="title";
                button type="submit" { (l.t("add")) }
            }))
            (edit_panel(s, mv, "set_problems", html! {
                h2 { (l.t("problem_lane")) }
                label for="problems" { (l.t("problem_events_lines")) }
                textarea id="problems" name="problems" rows="3" spellcheck="false" { (map.problems.join("\n")) }
                button type="submit" { (l.t("save")) }
            }))
            (edit_panel(s, mv, "set_period", period_fields(l, map)))
            (edit_panel(s, mv, "set_segment", segment_fields(l, map)))
        }
    }
}

/// The fields of the map's period.
fn period_fields(l: Lang, map: &JourneyMap) -> Markup {
    html! {
        h2 { (l.t("map_period")) }
        label for="since" { (l.t("since")) }
        input id="since" name="since" type="date" value=(map.period.since.as_deref().unwrap_or(""));
        label for="until" { (l.t("until")) }
        input id="until" name="until" type="date" value=(map.period.until.as_deref().unwrap_or(""));
        p.muted { (l.t("map_period_hint")) }
        button type="submit" { (l.t("save")) }
    }
}

/// The fields of the map's segment: trait conditions, events done, first channels (one per line).
fn segment_fields(l: Lang, map: &JourneyMap) -> Markup {
    let seg = &map.segment;
    html! {
        h2 { (l.t("map_segment")) }
        label for="seg-traits" { (l.t("persona_traits")) }
        textarea id="seg-traits" name="traits" rows="2" placeholder="city = Казань" { (seg.traits.join("\n")) }
        label for="seg-did" { (l.t("did_event")) }
        textarea id="seg-did" name="did" rows="2" { (seg.did.join("\n")) }
        label for="seg-channel" { (l.t("first_channel")) }
        textarea id="seg-channel" name="first_channel" rows="1" placeholder="email" { (seg.first_channel.join("\n")) }
        button type="submit" { (l.t("save")) }
    }
}

/// Suggestions from the data, each with the way to accept it into its lane.
fn suggestion_list(s: &Session, mv: &MapView<'_>, suggestions: &[Suggestion]) -> Markup {
    let map = mv.map;
    html! {
        @if !suggestions.is_empty() {
            h2 { (s.lang.t("suggestions")) }
            ul.suggestions {
                @for sg in suggestions {
                    @let stage = map.stages.iter().find(|x| x.key == sg.stage).map(|x| x.name.as_str()).unwrap_or("");
                    li { b { (sg.kind.title(&map.lang)) } " · " (stage) ": " (sg.text) " " (accept(s, mv, sg)) }
                }
            }
        }
    }
}

/// Accepting a suggestion adds its text to the cell of the first lane of its kind (once).
fn accept(s: &Session, mv: &MapView<'_>, sg: &Suggestion) -> Markup {
    let l = s.lang;
    let Some(lane) = mv.map.lanes.iter().find(|x| x.kind == sg.kind) else {
        return html! { span.muted { (l.t("no_lane_for_it")) } };
    };
    let current = lane.cells.get(&sg.stage).map(String::as_str).unwrap_or("");
    if current.contains(&sg.text) {
        return html! { span.muted { (l.t("accepted")) } };
    }
    let text = if current.is_empty() { sg.text.clone() } else { format!("{current}\n{}", sg.text) };
    let fields = [("op", "set_cell"), ("lane", lane.key.as_str()), ("stage", sg.stage.as_str()), ("text", &text)];
    op_form(s, mv.id, mv.v, &fields, l.t("accept"), l.t("accept"), "small")
}

/// Builds an [`Edit`] from a form: the op and its fields (lists one per line).
fn edit_from_form(f: &HashMap<String, String>) -> Result<Edit, String> {
    let op = param(f, "op");
    let mut v = serde_json::Map::new();
    v.insert("op".into(), Value::String(op.clone()));
    let lines = |k: &str| -> Value {
        Value::Array(
            f.get(k)
                .map(|t| t.lines().map(str::trim).filter(|x| !x.is_empty()).map(|x| Value::String(x.into())).collect())
                .unwrap_or_default(),
        )
    };
    for (k, val) in f {
        match k.as_str() {
            "csrf" | "project" | "version" | "op" => {}
            "to" => {
                v.insert(
                    k.clone(),
                    Value::from(val.trim().parse::<u64>().map_err(|_| format!("to: '{val}' is not a position"))?),
                );
            }
            "score" => {
                let s = val.trim();
                v.insert(
                    k.clone(),
                    if s.is_empty() {
                        Value::Null
                    } else {
                        Value::from(s.parse::<i64>().map_err(|_| format!("score: '{s}' is not a score"))?)
                    },
                );
            }
            "event" | "problems" | "personas" => {
                v.insert(k.clone(), lines(k));
            }
            "since" | "until" => {}
            "text" => {
                v.insert(k.clone(), Value::String(val.clone()));
            }
            _ => {
                v.insert(k.clone(), Value::String(val.trim().to_string()));
            }
        }
    }
    if op == "set_segment" {
        let mut seg = serde_json::Map::new();
        for k in ["traits", "did", "did_not", "first_channel"] {
            v.remove(k);
            seg.insert(k.into(), lines(k));
        }
        v.insert("segment".into(), Value::Object(seg));
    }
    if op == "set_period" {
        let opt = |k: &str| {
            f.get(k).map(|x| x.trim()).filter(|x| !x.is_empty()).map(|x| Value::String(x.into())).unwrap_or(Value::Null)
        };
        v.insert("period".into(), json!({"since": opt("since"), "until": opt("until")}));
    }
    if op == "add_stage" && !v.contains_key("event") {
        v.insert("event".into(), Value::Array(vec![]));
    }
    if op == "add_lane" {
        v.entry("title").or_insert(Value::Null);
        v.entry("after").or_insert(Value::Null);
        if v.get("title").and_then(Value::as_str).is_some_and(str::is_empty) {
            v.insert("title".into(), Value::Null);
        }
    }
    if op == "add_stage" {
        v.entry("after").or_insert(Value::Null);
    }
    serde_json::from_value::<Edit>(Value::Object(v)).map_err(|e| e.to_string())
}

/// The JSON answer to an edit that cannot be made.
fn json_err(status: StatusCode, field: &str, message: &str) -> Response {
    (status, axum::Json(json!({"error": {"code": "invalid_edit", "field": field, "message": message}}))).into_response()
}

/// An edit as sent: the CSRF token, the fields naming the project, the version it was made on (JSON only) and
/// the edit itself (or why a form does not make one).
struct Sent {
    csrf: String,
    fields: HashMap<String, String>,
    expected: Option<i64>,
    edit: Result<Edit, String>,
}

/// Why a body makes no edit: JSON that is none or holds no edit (answered in JSON: the field and why), or a
/// body that is no form.
enum Unread {
    Json(&'static str, String),
    NotAForm,
}

/// Reads an edit sent as JSON or as a form.
fn read_edit(headers: &HeaderMap, q: HashMap<String, String>, body: &[u8], is_json: bool) -> Result<Sent, Unread> {
    if is_json {
        let v: Value = serde_json::from_slice(body).map_err(|e| Unread::Json("", format!("not JSON: {e}")))?;
        let csrf = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let edit = serde_json::from_value::<Edit>(v.get("edit").cloned().unwrap_or(Value::Null))
            .map_err(|e| Unread::Json("edit", e.to_string()))?;
        return Ok(Sent { csrf, fields: q, expected: v.get("version").and_then(Value::as_i64), edit: Ok(edit) });
    }
    let f: HashMap<String, String> = serde_urlencoded::from_bytes(body).map_err(|_| Unread::NotAForm)?;
    // a form is one deliberate action on the map as shown: it applies to the latest version (the strict
    // version check is for the editor's stream of keystroke saves)
    let edit = edit_from_form(&f);
    Ok(Sent { csrf: param(&f, "csrf"), fields: f, expected: None, edit })
}

/// `POST /maps/{id}/edit`: one edit, as JSON (`{"version": N, "edit": {...}}` with the CSRF token in
/// `X-CSRF-Token`; answered with JSON) or as a form (answered with a redirect to the map). Every edit that
/// changes the map is a new version; a JSON edit based on an older version than the latest is refused (409).
pub(crate) async fn edit(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, WebError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    let sent = match read_edit(&headers, q, &body, is_json) {
        Ok(sent) => sent,
        Err(Unread::Json(field, message)) => return Ok(json_err(StatusCode::BAD_REQUEST, field, &message)),
        Err(Unread::NotAForm) => {
            return Err(WebError::BadRequest(crate::i18n::lang_of("", &headers), StatusCode::BAD_REQUEST, "not_a_form"))
        }
    };
    let s = checked(&st, &headers, &sent.csrf, Role::Viewer)?;
    let project = project_param_for(&st, &s.user, &sent.fields);
    let s = in_project(&st, s, &project, Role::Analyst)?;
    let edit = match sent.edit {
        Ok(e) => e,
        Err(e) => return Ok(bad_request(&s, &e)),
    };
    let (mut map, latest) = load(&st, &s, id, None)?;
    let refuse = |status: StatusCode, field: &str, message: &str| {
        if is_json {
            json_err(status, field, message)
        } else {
            bad_request(&s, message)
        }
    };
    if sent.expected.is_some_and(|e| e != latest) {
        return Ok(refuse(StatusCode::CONFLICT, "version", &format!("{} {latest}", s.lang.t("map_changed_elsewhere"))));
    }
    let stage_edit = matches!(
        edit,
        Edit::AddStage { .. }
            | Edit::RenameStage { .. }
            | Edit::SetStageRule { .. }
            | Edit::MoveStage { .. }
            | Edit::RemoveStage { .. }
    );
    if stage_edit && st.meta.map(&s.project, id).ok().flatten().is_some_and(|m| m.stages == StageLink::Linked) {
        return Ok(refuse(StatusCode::BAD_REQUEST, "stages", s.lang.t("linked_stages_elsewhere")));
    }
    let before = map.clone();
    let summary = match map.apply(&edit) {
        Ok(summary) => summary,
        Err(e) => {
            let issues = e.issues();
            let (field, reason) = issues.first().map(|i| (i.field.clone(), i.reason.clone())).unwrap_or_default();
            let message = if is_json { reason } else { format!("{field}: {reason}") };
            return Ok(refuse(StatusCode::BAD_REQUEST, &field, &message));
        }
    };
    // an event the data never had in a stage rule, the problem events or the segment is a typo until proven
    // otherwise: refused at its field with the name it most likely meant (events already there stay)
    if let Some((field, message)) = new_unknown_event(&st, &s, &before, &map)? {
        return Ok(refuse(StatusCode::BAD_REQUEST, &field, &message));
    }
    // what changed, stored structured so that the history reads in each reader's language; an edit that
    // changes nothing (the same text saved again) makes no version, and further edits of the same cell in one
    // sitting join the version of the first
    let recomputed = numbers_change(&before, &map);
    let by = tropa_app::maps::Author { user: Some(s.user.id), now: (st.clock)() };
    let saved = match map_versions::save_edit(&st.meta, (&s.project, id, latest), (&before, &map), by, &s.user.email) {
        Ok(saved) => saved,
        Err(tropa_app::AppError::Meta(MetaError::Conflict { name, .. })) => {
            return Ok(json_err(StatusCode::CONFLICT, "version", &name))
        }
        Err(e) => return Err(fault(e)),
    };
    let merged = matches!(saved, map_versions::Saved::Merged(_));
    Ok(if is_json {
        let body = json!({"version": saved.version(), "summary": summary, "merged": merged, "recomputed": recomputed});
        axum::Json(body).into_response()
    } else {
        let note = if recomputed { "&done=recomputed" } else { "" };
        redirect(&format!("/maps/{id}?project={}{note}", enc(&s.project)))
    })
}

/// Whether an edit changes what the data lanes count: the stages, their rules or order, the problem events,
/// the segment or the period.
fn numbers_change(before: &JourneyMap, after: &JourneyMap) -> bool {
    let rules = |m: &JourneyMap| -> Vec<String> {
        m.stages.iter().map(|s| format!("{}|{}|{:?}|{:?}", s.key, s.event.join("\n"), s.nth, s.within)).collect()
    };
    rules(before) != rules(after)
        || before.order != after.order
        || before.problems != after.problems
        || before.segment != after.segment
        || before.period != after.period
}

/// The first event an edit brings in that the project's data never had: (field, words with the name it most
/// likely meant).
fn new_unknown_event(
    st: &WebState,
    s: &Session,
    before: &JourneyMap,
    after: &JourneyMap,
) -> Result<Option<(String, String)>, WebError> {
    use tropa_app::request::{unknown_events, NamedEvents};
    let had: Vec<String> = before.events().into_iter().map(|(_, t)| t).collect();
    let fresh: Vec<(String, String)> = after.events().into_iter().filter(|(_, t)| !had.contains(t)).collect();
    if fresh.is_empty() {
        return Ok(None);
    }
    let dicts = crate::project::engine(st, s, &s.project)?.dictionaries();
    Ok(unknown_events(&fresh, &dicts).into_iter().next().map(|(field, e)| (field, e.words(s.lang))))
}

/// A form action (share, unshare or delete a map, delete a persona): the meta call gives the page to go to.
fn map_action(
    st: &WebState,
    m: Member<Analyst>,
    act: impl FnOnce(&tropa_meta::Meta, &Session) -> Result<String, MetaError>,
) -> Result<Response, WebError> {
    redirect_or(&m.s, act(&st.meta, &m.s))
}

/// The page a metadata change leads to, or why it could not be made (404 for what does not exist).
fn redirect_or(s: &Session, done: Result<String, MetaError>) -> Result<Response, WebError> {
    match done {
        Ok(to) => Ok(redirect(&to)),
        Err(MetaError::NotFound { .. }) => Err(WebError::NotFound(s.lang)),
        Err(e) => Err(fault(e)),
    }
}
