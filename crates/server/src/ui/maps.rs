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
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde_json::{json, Value};
use tropa_core::cjm::persona::Persona;
use tropa_core::cjm::{diff, template, Change, Edit, JourneyMap, LaneKind, Segment};
use tropa_meta::{MetaError, Role};

use super::export::enc;
use super::i18n::Lang;
use super::{checked, esc, internal, page, shell, Refusal, Session};
use crate::maps::{self, Format, MapData};
use crate::AppState;

const SCRIPT: &str = include_str!("../../assets/map.js");

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/maps", get(list).post(create))
        .route("/maps/import", post(import))
        .route("/maps/{id}", get(view))
        .route("/maps/{id}/edit", post(edit))
        .route("/maps/{id}/history", get(history))
        .route("/maps/{id}/compare", get(compare))
        .route("/maps/{id}/export", get(export))
        .route("/maps/{id}/share", post(share))
        .route("/maps/{id}/unshare", post(unshare))
        .route("/maps/{id}/delete", post(delete))
        .route("/share/{token}", get(shared))
        .route("/share/{token}/export", get(shared_export))
        .route("/personas", get(personas).post(save_persona))
        .route("/personas/delete", post(delete_persona))
        .route("/map.js", get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT) }))
}

fn param(q: &HashMap<String, String>, k: &str) -> String {
    q.get(k).map(|v| v.trim().to_string()).unwrap_or_default()
}

/// The analyst who sent a form (its CSRF token checked) about the form's `project`.
fn editor(st: &AppState, headers: &HeaderMap, f: &HashMap<String, String>) -> Result<Session, Refusal> {
    let mut s = checked(st, headers, &param(f, "csrf"), Role::Analyst)?;
    s.project = super::project_param(f);
    Ok(s)
}

fn lang_of(map: &JourneyMap) -> Lang {
    if map.lang == "ru" {
        Lang::Ru
    } else {
        Lang::En
    }
}

fn bad_request(s: &Session, message: &str) -> Response {
    let body = format!("<h1>400</h1><p class=\"err\" role=\"alert\">{}</p>", esc(message));
    (StatusCode::BAD_REQUEST, Html(shell(s, "maps", "400", &body))).into_response()
}

/// A stored map of the session's project, read (404 page when there is none).
fn load(st: &AppState, s: &Session, id: i64, version: Option<i64>) -> Result<(JourneyMap, i64), Refusal> {
    match st.meta.map_version(&s.project, id, version) {
        Ok(Some(v)) => JourneyMap::from_json(&v.document).map(|m| (m, v.version)).map_err(|e| Box::new(internal(&e))),
        Ok(None) => Err(Box::new(super::not_found(s))),
        Err(e) => Err(Box::new(internal(&e))),
    }
}

/// The project's personas, read (a damaged one is skipped).
fn persona_list(st: &AppState, project: &str) -> Vec<Persona> {
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
    st: &AppState,
    project: &str,
    map: &JourneyMap,
    persona: Option<&Persona>,
) -> Result<Option<MapData>, Response> {
    let engine = st.projects.engine(project).map_err(|e| internal(&e))?;
    let (map, seg) = (map.clone(), persona.map(|p| p.segment.clone()));
    match tokio::task::spawn_blocking(move || maps::data(&*engine, &map, seg.as_ref())).await {
        Ok(Ok(d)) => Ok(d),
        Ok(Err(e)) => Err(internal(&e)),
        Err(e) => Err(internal(&e)),
    }
}

// ---- the list ---------------------------------------------------------------------------------------------

async fn list(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let s = match super::page_session(&st, &headers, &q, Role::Viewer) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    if !matches!(st.meta.project(&s.project), Ok(Some(_))) {
        return super::not_found(&s);
    }
    list_page(&st, &s, None)
}

fn list_page(st: &AppState, s: &Session, error: Option<&str>) -> Response {
    let l = s.lang;
    let maps = match st.meta.maps(&s.project) {
        Ok(m) => m,
        Err(e) => return internal(&e),
    };
    let p = enc(&s.project);
    let rows: String = maps
        .iter()
        .map(|m| {
            format!(
                "<tr><td><a href=\"/maps/{id}?project={p}\">{title}</a></td><td class=\"num\">{v}</td><td>{date}</td></tr>",
                id = m.id,
                title = esc(&m.title),
                v = m.version,
                date = l.date(&tropa_core::time::format_ts(m.updated_at)),
            )
        })
        .collect();
    let table = if maps.is_empty() {
        format!("<div class=\"empty\"><p>{}</p></div>", l.t("no_maps"))
    } else {
        format!(
            "<table><thead><tr><th>{}</th><th class=\"num\">{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table>",
            l.t("map_title"),
            l.t("version"),
            l.t("changed")
        )
    };
    let err = error.map(|e| format!("<p class=\"err\" role=\"alert\">{}</p>", esc(e))).unwrap_or_default();
    let forms = if s.user.role >= Role::Analyst {
        let templates: String = template::all()
            .iter()
            .map(|t| {
                format!(
                    "<option value=\"{}\">{} — {}</option>",
                    esc(&t.key),
                    esc(t.title.get(l.code())),
                    esc(&t.source)
                )
            })
            .collect();
        format!(
            "<div class=\"panels\"><form class=\"panel\" method=\"post\" action=\"/maps\">{csrf}{proj}<h2>{new}</h2>\
             <label for=\"template\">{tpl}</label><select id=\"template\" name=\"template\">{templates}</select>\
             <label for=\"map-lang\">{lang_l}</label><select id=\"map-lang\" name=\"lang\"><option value=\"ru\"{ru}>Русский</option>\
             <option value=\"en\"{en}>English</option></select><button type=\"submit\">{create}</button></form>\
             <form class=\"panel\" method=\"post\" action=\"/maps/import\">{csrf}{proj}<h2>{import}</h2>\
             <label for=\"document\">{doc}</label><textarea id=\"document\" name=\"document\" rows=\"6\" spellcheck=\"false\" \
             placeholder=\"title: …&#10;stages: …&#10;lanes: …\"></textarea><button type=\"submit\">{import_b}</button></form></div>",
            csrf = format_args!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", esc(&s.csrf)),
            proj = format_args!("<input type=\"hidden\" name=\"project\" value=\"{}\">", esc(&s.project)),
            new = l.t("new_map"),
            tpl = l.t("template"),
            lang_l = l.t("map_language"),
            ru = if l == Lang::Ru { " selected" } else { "" },
            en = if l == Lang::En { " selected" } else { "" },
            create = l.t("create"),
            import = l.t("import_map"),
            doc = l.t("import_hint"),
            import_b = l.t("import"),
        )
    } else {
        String::new()
    };
    let main = format!(
        "<h1>{}</h1>{err}{table}<p><a href=\"/personas?project={p}\">{}</a></p>{forms}",
        l.t("maps"),
        l.t("personas")
    );
    Html(shell(s, "maps", l.t("maps"), &main)).into_response()
}

async fn create(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let s = match editor(&st, &headers, &f) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let (key, lang) = (param(&f, "template"), param(&f, "lang"));
    let Some(t) = template::by_key(&key) else { return bad_request(&s, &format!("template: no template '{key}'")) };
    let lang = if lang == "en" { "en" } else { "ru" };
    let map = t.instantiate(lang);
    let now = (st.clock)();
    let have: Vec<String> = st.meta.personas(&s.project).unwrap_or_default().into_iter().map(|(k, _)| k).collect();
    for p in t.personas(lang) {
        if !have.contains(&p.key) {
            if let Err(e) =
                st.meta.save_persona(&s.project, &p.key, &serde_json::to_string(&p).unwrap_or_default(), now)
            {
                return internal(&e);
            }
        }
    }
    let summary = format!("{} {key}", s.lang.t("from_template"));
    let made = st.meta.create_map(&s.project, &map.title, &map.to_json(), &summary, Some(s.user.id), now);
    redirect_or(&s, made.map(|m| format!("/maps/{}?project={}", m.id, enc(&s.project))))
}

async fn import(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let s = match editor(&st, &headers, &f) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let text = f.get("document").cloned().unwrap_or_default();
    let read =
        if text.trim_start().starts_with('{') { JourneyMap::from_json(&text) } else { JourneyMap::from_yaml(&text) };
    match read {
        Ok(map) => {
            let summary = s.lang.t("imported").to_string();
            let made =
                st.meta.create_map(&s.project, &map.title, &map.to_json(), &summary, Some(s.user.id), (st.clock)());
            redirect_or(&s, made.map(|m| format!("/maps/{}?project={}", m.id, enc(&s.project))))
        }
        Err(e) => {
            let msg = e.issues().iter().map(|i| format!("{}: {}", i.field, i.reason)).collect::<Vec<_>>().join("; ");
            let mut r = list_page(&st, &s, Some(&msg));
            *r.status_mut() = StatusCode::BAD_REQUEST;
            r
        }
    }
}

// ---- one map ------------------------------------------------------------------------------------------------

/// What a grid shows: editable or not, and the cells that changed (compare).
struct Grid<'a> {
    map: &'a JourneyMap,
    data: Option<&'a MapData>,
    editable: bool,
    changed: Vec<(String, String)>,
    /// The map's id, for the forms.
    id: i64,
}

fn cell_key(lane: &str, stage: &str) -> (String, String) {
    (lane.to_string(), stage.to_string())
}

fn op_form(
    s: &Session,
    id: i64,
    version: i64,
    fields: &[(&str, &str)],
    label: &str,
    title: &str,
    class: &str,
) -> String {
    let hidden: String =
        fields.iter().map(|(k, v)| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", esc(v))).collect();
    format!(
        "<form method=\"post\" action=\"/maps/{id}/edit\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <input type=\"hidden\" name=\"project\" value=\"{}\"><input type=\"hidden\" name=\"version\" value=\"{version}\">{hidden}\
         <button type=\"submit\" class=\"{class}\" title=\"{}\" aria-label=\"{}\">{label}</button></form>",
        esc(&s.csrf),
        esc(&s.project),
        esc(title),
        esc(title)
    )
}

fn grid(s: &Session, g: &Grid<'_>, version: i64) -> String {
    let l = s.lang;
    let map = g.map;
    let n = map.stages.len();
    let mut out = String::from("<div class=\"cjm-wrap\"><table class=\"cjm\"><thead><tr><th class=\"corner\"></th>");
    for (i, st) in map.stages.iter().enumerate() {
        let rule = st.event.join("\n");
        let head = if g.editable {
            let controls = [
                (i > 0).then(|| {
                    op_form(
                        s,
                        g.id,
                        version,
                        &[("op", "move_stage"), ("stage", &st.key), ("to", &(i - 1).to_string())],
                        "◀",
                        l.t("move_left"),
                        "icon",
                    )
                }),
                (i + 1 < n).then(|| {
                    op_form(
                        s,
                        g.id,
                        version,
                        &[("op", "move_stage"), ("stage", &st.key), ("to", &(i + 1).to_string())],
                        "▶",
                        l.t("move_right"),
                        "icon",
                    )
                }),
                (n > 1).then(|| {
                    op_form(
                        s,
                        g.id,
                        version,
                        &[("op", "remove_stage"), ("stage", &st.key)],
                        "✕",
                        l.t("remove_stage"),
                        "icon danger",
                    )
                }),
            ]
            .into_iter()
            .flatten()
            .collect::<String>();
            format!(
                "<textarea class=\"stage-name\" rows=\"2\" aria-label=\"{name_l}\" data-edit='{edit}' data-field=\"name\">{name}</textarea>\
                 <details class=\"rule\"><summary>{rule_l}</summary><textarea rows=\"2\" spellcheck=\"false\" data-edit='{rule_edit}' data-field=\"event\" data-list=\"1\">{rule}</textarea></details>\
                 <div class=\"controls\">{controls}</div>",
                name = esc(&st.name),
                name_l = l.t("stage_name"),
                edit = esc(&json!({"op": "rename_stage", "stage": st.key}).to_string()),
                rule_l = l.t("rule"),
                rule_edit = esc(&json!({"op": "set_stage_rule", "stage": st.key}).to_string()),
                rule = esc(&rule),
            )
        } else {
            format!(
                "<div class=\"stage-name\">{}</div><div class=\"muted small\">{}</div>",
                esc(&st.name),
                esc(&st.event.join(" · "))
            )
        };
        out.push_str(&format!("<th class=\"stage\" data-stage=\"{}\">{head}</th>", esc(&st.key)));
    }
    out.push_str("</tr></thead><tbody>");
    for (r, lane) in map.lanes.iter().enumerate() {
        let data_lane = lane.kind.is_data();
        let title = if g.editable {
            let controls = [
                (r > 0).then(|| {
                    op_form(
                        s,
                        g.id,
                        version,
                        &[("op", "move_lane"), ("lane", &lane.key), ("to", &(r - 1).to_string())],
                        "▲",
                        l.t("move_up"),
                        "icon",
                    )
                }),
                (r + 1 < map.lanes.len()).then(|| {
                    op_form(
                        s,
                        g.id,
                        version,
                        &[("op", "move_lane"), ("lane", &lane.key), ("to", &(r + 1).to_string())],
                        "▼",
                        l.t("move_down"),
                        "icon",
                    )
                }),
                Some(op_form(
                    s,
                    g.id,
                    version,
                    &[("op", "remove_lane"), ("lane", &lane.key)],
                    "✕",
                    l.t("remove_lane"),
                    "icon danger",
                )),
            ]
            .into_iter()
            .flatten()
            .collect::<String>();
            format!(
                "<textarea class=\"lane-name\" rows=\"2\" aria-label=\"{}\" data-edit='{}' data-field=\"title\">{}</textarea><div class=\"controls\">{controls}</div>",
                l.t("lane_name"),
                esc(&json!({"op": "rename_lane", "lane": lane.key}).to_string()),
                esc(&lane.title),
            )
        } else {
            esc(&lane.title)
        };
        out.push_str(&format!(
            "<tr class=\"lane {}\" data-lane=\"{}\"><th>{title}<div class=\"kind\">{}</div></th>",
            if data_lane { "data" } else { lane.kind.as_str() },
            esc(&lane.key),
            if data_lane { l.t("data_lane") } else { "" }
        ));
        for st in &map.stages {
            let changed = g.changed.contains(&cell_key(&lane.key, &st.key));
            let cls = if changed { " class=\"changed\"" } else { "" };
            let inner = match lane.kind {
                LaneKind::Emotions => {
                    let score = lane.scores.get(&st.key).copied();
                    if g.editable {
                        let opts: String = std::iter::once(("", "—".to_string()))
                            .chain((-2..=2).rev().map(|v: i8| ("", format!("{v:+}"))))
                            .enumerate()
                            .map(|(k, (_, text))| {
                                let value = if k == 0 { String::new() } else { (3 - k as i8).to_string() };
                                let sel = if score.map(|v| v.to_string()) == Some(value.clone())
                                    || (k == 0 && score.is_none())
                                {
                                    " selected"
                                } else {
                                    ""
                                };
                                format!("<option value=\"{value}\"{sel}>{}</option>", esc(&text))
                            })
                            .collect();
                        format!(
                            "<select aria-label=\"{}\" data-edit='{}' data-field=\"score\">{opts}</select>",
                            l.t("emotion"),
                            esc(&json!({"op": "set_score", "lane": lane.key, "stage": st.key}).to_string())
                        )
                    } else {
                        // numbers, not emoji faces: a browser or printer may have no emoji font
                        match score {
                            Some(v) => format!(
                                "<span class=\"trend {}\">{v:+}</span>",
                                match v {
                                    1..=2 => "good",
                                    0 => "flat",
                                    _ => "bad",
                                }
                            ),
                            None => String::new(),
                        }
                    }
                }
                k if k.is_data() => match g.data {
                    Some(d) => {
                        let c = maps::data_cell(map, k, &st.key, d);
                        let arrow = match (c.trend, c.good) {
                            (Some(t), good) => {
                                let glyph = match t {
                                    tropa_render::Trend::Up => "▲",
                                    tropa_render::Trend::Down => "▼",
                                    tropa_render::Trend::Flat => "▶",
                                };
                                let class = match good {
                                    Some(true) => "good",
                                    Some(false) => "bad",
                                    None => "flat",
                                };
                                format!(
                                    " <span class=\"trend {class}\" title=\"{}\">{glyph}</span>",
                                    l.t("vs_previous")
                                )
                            }
                            _ => String::new(),
                        };
                        format!("<span class=\"value\">{}</span>{arrow}", esc(&c.text))
                    }
                    None => "—".into(),
                },
                _ => {
                    let text = lane.cells.get(&st.key).cloned().unwrap_or_default();
                    if g.editable {
                        format!(
                            "<textarea rows=\"3\" aria-label=\"{} × {}\" data-edit='{}' data-field=\"text\">{}</textarea>",
                            esc(&lane.title),
                            esc(&st.name),
                            esc(&json!({"op": "set_cell", "lane": lane.key, "stage": st.key}).to_string()),
                            esc(&text)
                        )
                    } else {
                        esc(&text).replace('\n', "<br>")
                    }
                }
            };
            out.push_str(&format!("<td{cls}>{inner}</td>"));
        }
        out.push_str("</tr>");
        if lane.kind == LaneKind::Emotions && lane.scores.len() > 1 {
            out.push_str(&format!(
                "<tr class=\"curve\"><th></th><td colspan=\"{n}\">{}</td></tr>",
                emotion_curve(map, lane)
            ));
        }
    }
    out.push_str("</tbody></table></div>");
    out
}

/// The emotion lane as a curve across the stages (inline SVG, scaled to the table's width).
fn emotion_curve(map: &JourneyMap, lane: &tropa_core::cjm::Lane) -> String {
    let n = map.stages.len().max(1) as f64;
    let w = 1000.0;
    let h = 80.0;
    let pts: Vec<(f64, f64, i8)> = map
        .stages
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            lane.scores.get(&s.key).map(|v| (w * (i as f64 + 0.5) / n, h / 2.0 - f64::from(*v) * 16.0, *v))
        })
        .collect();
    let d: String = pts
        .iter()
        .enumerate()
        .map(|(k, (x, y, _))| format!("{}{x:.1},{y:.1}", if k == 0 { "M" } else { " L" }))
        .collect();
    let dots: String = pts
        .iter()
        .map(|(x, y, v)| {
            let fill = match v {
                1..=2 => "#009E73",
                0 => "#59636e",
                _ => "#D55E00",
            };
            format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"{fill}\"><title>{v:+}</title></circle>")
        })
        .collect();
    format!(
        "<svg class=\"curve\" viewBox=\"0 0 {w} {h}\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{}\">\
         <line x1=\"0\" y1=\"{mid}\" x2=\"{w}\" y2=\"{mid}\" stroke=\"#d8dee4\"/><path d=\"{d}\" fill=\"none\" stroke=\"#0072B2\" \
         stroke-width=\"3\" vector-effect=\"non-scaling-stroke\"/>{dots}</svg>",
        esc(&lane.title),
        mid = h / 2.0
    )
}

async fn view(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let s = match super::page_session(&st, &headers, &q, Role::Viewer) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let version = param(&q, "version").parse::<i64>().ok();
    let (map, v) = match load(&st, &s, id, version) {
        Ok(m) => m,
        Err(r) => return *r,
    };
    let latest = match st.meta.map(&s.project, id) {
        Ok(Some(m)) => m.version,
        Ok(None) => return super::not_found(&s),
        Err(e) => return internal(&e),
    };
    let personas = persona_list(&st, &s.project);
    let persona_key = param(&q, "persona");
    let persona = personas.iter().find(|p| p.key == persona_key);
    let data = match map_data(&st, &s.project, &map, persona).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let editable = s.user.role >= Role::Analyst && v == latest;
    let suggestions = match (&data, editable) {
        (Some(d), true) => {
            let engine = match st.projects.engine(&s.project) {
                Ok(e) => e,
                Err(e) => return internal(&e),
            };
            let (m2, d2) = (map.clone(), d.clone());
            match tokio::task::spawn_blocking(move || maps::suggestions(&*engine, &m2, &d2)).await {
                Ok(Ok(list)) => list,
                Ok(Err(e)) => return internal(&e),
                Err(e) => return internal(&e),
            }
        }
        _ => vec![],
    };
    let shares = st.meta.shares(&s.project, id).unwrap_or_default();
    let note = match param(&q, "share").as_str() {
        "" => String::new(),
        token => format!(
            "<div class=\"secret\" role=\"status\"><h2>{}</h2><p>{}</p><pre id=\"share-link\">{}/share/{}</pre></div>",
            s.lang.t("share_created"),
            s.lang.t("share_once"),
            esc(&super::origin(&headers)),
            esc(token)
        ),
    };
    let main =
        map_page(&s, &map, v, latest, id, data.as_ref(), &personas, persona, &suggestions, &shares, &note, editable);
    let mut res = Html(shell(&s, "maps", &map.title, &main)).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, "no-store".parse().expect("a header value"));
    res
}

#[allow(clippy::too_many_arguments)]
fn map_page(
    s: &Session,
    map: &JourneyMap,
    v: i64,
    latest: i64,
    id: i64,
    data: Option<&MapData>,
    personas: &[Persona],
    persona: Option<&Persona>,
    suggestions: &[maps::Suggestion],
    shares: &[tropa_meta::ShareInfo],
    note: &str,
    editable: bool,
) -> String {
    let l = s.lang;
    let p = enc(&s.project);
    let persona_q = persona.map(|x| format!("&persona={}", enc(&x.key))).unwrap_or_default();
    let options: String = std::iter::once(format!("<option value=\"\">{}</option>", l.t("all_customers_map")))
        .chain(personas.iter().map(|x| {
            let sel = if persona.is_some_and(|q| q.key == x.key) { " selected" } else { "" };
            format!("<option value=\"{}\"{sel}>{}</option>", esc(&x.key), esc(&persona_label(x)))
        }))
        .collect();
    let exports: String = ["pdf", "png", "svg", "md", "json", "yaml"]
        .iter()
        .map(|f| {
            format!(
                "<a href=\"/maps/{id}/export?project={p}&amp;format={f}&amp;version={v}{}\" download>{}</a>",
                esc(&persona_q),
                f.to_uppercase()
            )
        })
        .collect::<Vec<_>>()
        .join(" · ");
    let old = if v != latest {
        format!(
            "<p class=\"warn\" role=\"status\">{} {v} ({} {latest}). <a href=\"/maps/{id}?project={p}\">{}</a></p>",
            l.t("viewing_version"),
            l.t("latest_is"),
            l.t("open_latest")
        )
    } else {
        String::new()
    };
    let title = if editable {
        format!(
            "<input class=\"map-title\" value=\"{}\" aria-label=\"{}\" data-edit='{{\"op\":\"set_title\"}}' data-field=\"title\">",
            esc(&map.title),
            l.t("map_title")
        )
    } else {
        format!("<h1>{}</h1>", esc(&map.title))
    };
    let sub = maps::subtitle(map, persona.map(persona_label).as_deref(), data);
    let mut out = format!(
        "{note}<div class=\"map-head\" id=\"map\" data-id=\"{id}\" data-project=\"{proj}\" data-version=\"{v}\" data-csrf=\"{csrf}\" \
         data-saving=\"{saving}\" data-saved=\"{saved}\" data-conflict=\"{conflict}\" data-offline=\"{offline}\">{title}\
         <p class=\"muted\">{desc}</p><p class=\"muted\">{sub}</p>{old}\
         <div class=\"map-tools\"><form method=\"get\" action=\"/maps/{id}\"><input type=\"hidden\" name=\"project\" value=\"{proj}\">\
         <label for=\"persona\">{persona_l}</label> <select id=\"persona\" name=\"persona\" onchange=\"this.form.submit()\">{options}</select>\
         <noscript><button type=\"submit\">OK</button></noscript></form>\
         <span>{export_l}: {exports}</span><a href=\"/maps/{id}/history?project={p}\">{history}</a>\
         <a href=\"/maps/{id}/compare?project={p}&amp;a={prev}&amp;b={v}\">{compare}</a>\
         <a href=\"/personas?project={p}\">{personas_l}</a><span class=\"save-state muted\" role=\"status\" aria-live=\"polite\">{version_l} {v}</span></div></div>",
        proj = esc(&s.project),
        csrf = esc(&s.csrf),
        desc = esc(&map.description),
        persona_l = l.t("persona"),
        export_l = l.t("download"),
        history = l.t("history"),
        compare = l.t("compare"),
        prev = (v - 1).max(1),
        personas_l = l.t("personas"),
        version_l = l.t("version"),
        saving = l.t("saving"),
        saved = l.t("saved_version"),
        conflict = l.t("map_changed_elsewhere_short"),
        offline = l.t("not_saved_offline"),
    );
    let g = Grid { map, data, editable, changed: vec![], id };
    out.push_str(&grid(s, &g, v));
    if editable {
        let kinds: String = LaneKind::ALL
            .iter()
            .map(|k| format!("<option value=\"{}\">{}</option>", k.as_str(), esc(k.title(&map.lang))))
            .collect();
        let csrf_in = format!(
            "<input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"project\" value=\"{}\">\
             <input type=\"hidden\" name=\"version\" value=\"{v}\">",
            esc(&s.csrf),
            esc(&s.project)
        );
        let last = map.stages.last().map(|x| x.key.clone()).unwrap_or_default();
        out.push_str(&format!(
            "<div class=\"panels map-forms\"><form class=\"panel\" method=\"post\" action=\"/maps/{id}/edit\">{csrf_in}\
             <input type=\"hidden\" name=\"op\" value=\"add_stage\"><input type=\"hidden\" name=\"after\" value=\"{last}\"><h2>{add_stage}</h2>\
             <label for=\"new-stage\">{stage_name}</label><input id=\"new-stage\" name=\"name\" required>\
             <label for=\"new-stage-rule\">{rule_l}</label><textarea id=\"new-stage-rule\" name=\"event\" rows=\"2\" placeholder=\"review\"></textarea>\
             <button type=\"submit\">{add}</button></form>\
             <form class=\"panel\" method=\"post\" action=\"/maps/{id}/edit\">{csrf_in}<input type=\"hidden\" name=\"op\" value=\"add_lane\">\
             <h2>{add_lane}</h2><label for=\"new-lane-kind\">{kind_l}</label><select id=\"new-lane-kind\" name=\"kind\">{kinds}</select>\
             <label for=\"new-lane-title\">{lane_name}</label><input id=\"new-lane-title\" name=\"title\"><button type=\"submit\">{add}</button></form>\
             <form class=\"panel\" method=\"post\" action=\"/maps/{id}/edit\">{csrf_in}<input type=\"hidden\" name=\"op\" value=\"set_problems\">\
             <h2>{problems_h}</h2><label for=\"problems\">{problems_l}</label><textarea id=\"problems\" name=\"problems\" rows=\"3\" spellcheck=\"false\">{problems}</textarea>\
             <button type=\"submit\">{save}</button></form>\
             <form class=\"panel\" method=\"post\" action=\"/maps/{id}/edit\">{csrf_in}<input type=\"hidden\" name=\"op\" value=\"set_period\">\
             <h2>{period_h}</h2><label for=\"since\">{since_l}</label><input id=\"since\" name=\"since\" type=\"date\" value=\"{since}\">\
             <label for=\"until\">{until_l}</label><input id=\"until\" name=\"until\" type=\"date\" value=\"{until}\"><p class=\"muted\">{period_hint}</p>\
             <button type=\"submit\">{save}</button></form>\
             <form class=\"panel\" method=\"post\" action=\"/maps/{id}/edit\">{csrf_in}<input type=\"hidden\" name=\"op\" value=\"set_segment\">\
             <h2>{segment_h}</h2><label for=\"seg-traits\">{traits_l}</label><textarea id=\"seg-traits\" name=\"traits\" rows=\"2\" placeholder=\"city = Казань\">{seg_traits}</textarea>\
             <label for=\"seg-did\">{did_l}</label><textarea id=\"seg-did\" name=\"did\" rows=\"2\">{seg_did}</textarea>\
             <label for=\"seg-channel\">{channel_l}</label><textarea id=\"seg-channel\" name=\"first_channel\" rows=\"1\" placeholder=\"email\">{seg_channel}</textarea>\
             <button type=\"submit\">{save}</button></form></div>",
            segment_h = l.t("map_segment"),
            traits_l = l.t("persona_traits"),
            seg_traits = esc(&map.segment.traits.join("\n")),
            did_l = l.t("did_event"),
            seg_did = esc(&map.segment.did.join("\n")),
            channel_l = l.t("first_channel"),
            seg_channel = esc(&map.segment.first_channel.join("\n")),
            add_stage = l.t("add_stage"),
            stage_name = l.t("stage_name"),
            rule_l = l.t("stage_rule"),
            add = l.t("add"),
            add_lane = l.t("add_lane"),
            kind_l = l.t("lane_kind"),
            lane_name = l.t("lane_name"),
            problems_h = l.t("problem_lane"),
            problems_l = l.t("problem_events_lines"),
            problems = esc(&map.problems.join("\n")),
            save = l.t("save"),
            period_h = l.t("map_period"),
            since_l = l.t("since"),
            since = esc(map.period.since.as_deref().unwrap_or("")),
            until_l = l.t("until"),
            until = esc(map.period.until.as_deref().unwrap_or("")),
            period_hint = l.t("map_period_hint"),
        ));
    }
    if !suggestions.is_empty() {
        out.push_str(&format!("<h2>{}</h2><ul class=\"suggestions\">", l.t("suggestions")));
        for sg in suggestions {
            let stage_name = map.stages.iter().find(|x| x.key == sg.stage).map(|x| x.name.clone()).unwrap_or_default();
            let lane = map.lanes.iter().find(|x| x.kind == sg.kind).map(|x| x.key.clone());
            let accept = match &lane {
                Some(lk) => {
                    let current = map
                        .lanes
                        .iter()
                        .find(|x| &x.key == lk)
                        .and_then(|x| x.cells.get(&sg.stage))
                        .cloned()
                        .unwrap_or_default();
                    let text = if current.is_empty() { sg.text.clone() } else { format!("{current}\n{}", sg.text) };
                    if current.contains(&sg.text) {
                        format!("<span class=\"muted\">{}</span>", l.t("accepted"))
                    } else {
                        op_form(
                            s,
                            id,
                            v,
                            &[("op", "set_cell"), ("lane", lk), ("stage", &sg.stage), ("text", &text)],
                            l.t("accept"),
                            l.t("accept"),
                            "small",
                        )
                    }
                }
                None => format!("<span class=\"muted\">{}</span>", l.t("no_lane_for_it")),
            };
            out.push_str(&format!(
                "<li><b>{}</b> · {}: {} {accept}</li>",
                esc(sg.kind.title(&map.lang)),
                esc(&stage_name),
                esc(&sg.text)
            ));
        }
        out.push_str("</ul>");
    }
    if s.user.role >= Role::Analyst {
        let live = if shares.is_empty() {
            l.t("no_share").to_string()
        } else {
            format!(
                "{}: {}",
                l.t("live_shares"),
                shares.iter().map(|x| format!("{}…", esc(&x.hint))).collect::<Vec<_>>().join(", ")
            )
        };
        let csrf_in = format!(
            "<input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"project\" value=\"{}\">",
            esc(&s.csrf),
            esc(&s.project)
        );
        out.push_str(&format!(
            "<div class=\"share\"><h2>{share_h}</h2><p class=\"muted\">{live}</p>\
             <form method=\"post\" action=\"/maps/{id}/share\" class=\"inline\">{csrf_in}<button type=\"submit\" class=\"secondary\">{new_link}</button></form> \
             <form method=\"post\" action=\"/maps/{id}/unshare\" class=\"inline\">{csrf_in}<button type=\"submit\" class=\"secondary\">{revoke}</button></form> \
             <form method=\"post\" action=\"/maps/{id}/delete\" class=\"inline\" onsubmit=\"return confirm('{confirm}')\">{csrf_in}<button type=\"submit\" class=\"danger\">{delete}</button></form></div>",
            share_h = l.t("share_link"),
            new_link = l.t("new_share"),
            revoke = l.t("revoke_shares"),
            confirm = l.t("confirm_delete_map").replace('\'', "’"),
            delete = l.t("delete_map"),
        ));
    }
    if editable {
        out.push_str("<script src=\"/map.js\" defer></script>");
    }
    out
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

/// `POST /maps/{id}/edit`: one edit, as JSON (`{"version": N, "edit": {...}}` with the CSRF token in
/// `X-CSRF-Token`; answered with JSON) or as a form (answered with a redirect to the map). Every edit that
/// changes the map is a new version; a JSON edit based on an older version than the latest is refused (409).
async fn edit(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    let json_err = |status: StatusCode, field: &str, message: &str| {
        (status, axum::Json(json!({"error": {"code": "invalid_edit", "field": field, "message": message}})))
            .into_response()
    };
    let (csrf, project, expected, edit) = if is_json {
        let v: Value = match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => return json_err(StatusCode::BAD_REQUEST, "", &format!("not JSON: {e}")),
        };
        let csrf = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let edit = match serde_json::from_value::<Edit>(v.get("edit").cloned().unwrap_or(Value::Null)) {
            Ok(e) => e,
            Err(e) => return json_err(StatusCode::BAD_REQUEST, "edit", &e.to_string()),
        };
        (csrf, super::project_param(&q), v.get("version").and_then(Value::as_i64), Ok(edit))
    } else {
        let f: HashMap<String, String> = match serde_urlencoded_pairs(&body) {
            Some(f) => f,
            None => return (StatusCode::BAD_REQUEST, "a form body").into_response(),
        };
        // a form is one deliberate action on the map as shown: it applies to the latest version (the strict
        // version check is for the editor's stream of keystroke saves)
        (param(&f, "csrf"), super::project_param(&f), None, edit_from_form(&f))
    };
    let mut s = match checked(&st, &headers, &csrf, Role::Analyst) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    s.project = project;
    let edit = match edit {
        Ok(e) => e,
        Err(e) => return bad_request(&s, &e),
    };
    let (mut map, latest) = match load(&st, &s, id, None) {
        Ok(m) => m,
        Err(r) => return *r,
    };
    if expected.is_some_and(|e| e != latest) {
        let msg = format!("{} {latest}", s.lang.t("map_changed_elsewhere"));
        return if is_json { json_err(StatusCode::CONFLICT, "version", &msg) } else { bad_request(&s, &msg) };
    }
    let before = map.clone();
    let summary = match map.apply(&edit) {
        Ok(summary) => summary,
        Err(e) => {
            let issues = e.issues();
            let first = issues.first().map(|i| (i.field.clone(), i.reason.clone())).unwrap_or_default();
            return if is_json {
                json_err(StatusCode::BAD_REQUEST, &first.0, &first.1)
            } else {
                bad_request(&s, &format!("{}: {}", first.0, first.1))
            };
        }
    };
    // what changed, stored structured so that the history reads in each reader's language; an edit that
    // changes nothing (the same text saved again) makes no version
    let changes = diff(&before, &map);
    if changes.is_empty() {
        return if is_json {
            axum::Json(json!({"version": latest, "summary": summary})).into_response()
        } else {
            Redirect::to(&format!("/maps/{id}?project={}", enc(&s.project))).into_response()
        };
    }
    let stored = serde_json::to_string(&changes).unwrap_or_else(|_| summary.clone());
    let saved = st.meta.save_map_version(
        &s.project,
        id,
        Some(latest),
        &map.title,
        &map.to_json(),
        &stored,
        Some(s.user.id),
        (st.clock)(),
    );
    match saved {
        Ok(version) if is_json => axum::Json(json!({"version": version, "summary": summary})).into_response(),
        Ok(_) => Redirect::to(&format!("/maps/{id}?project={}", enc(&s.project))).into_response(),
        Err(MetaError::Conflict { name, .. }) => json_err(StatusCode::CONFLICT, "version", &name),
        Err(e) => internal(&e),
    }
}

/// A urlencoded form body as a map (the last value of a repeated key wins).
fn serde_urlencoded_pairs(body: &[u8]) -> Option<HashMap<String, String>> {
    serde_urlencoded::from_bytes(body).ok()
}

// ---- history and comparison ---------------------------------------------------------------------------------

async fn history(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let s = match super::page_session(&st, &headers, &q, Role::Viewer) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let l = s.lang;
    let info = match st.meta.map(&s.project, id) {
        Ok(Some(m)) => m,
        Ok(None) => return super::not_found(&s),
        Err(e) => return internal(&e),
    };
    let list = match st.meta.map_history(&s.project, id) {
        Ok(h) => h,
        Err(e) => return internal(&e),
    };
    let p = enc(&s.project);
    let rows: String = list
        .iter()
        .map(|v| {
            let cmp = if v.version > 1 {
                format!("<a href=\"/maps/{id}/compare?project={p}&amp;a={}&amp;b={}\">{}</a>", v.version - 1, v.version, l.t("what_changed"))
            } else {
                String::new()
            };
            format!(
                "<tr><td class=\"num\"><a href=\"/maps/{id}?project={p}&amp;version={ver}\">{ver}</a></td><td>{time}</td><td>{author}</td><td>{summary}</td><td>{cmp}</td></tr>",
                ver = v.version,
                time = l.date(&tropa_core::time::format_ts(v.created_at)),
                author = esc(&v.author),
                summary = esc(&match serde_json::from_str::<Vec<Change>>(&v.summary) {
                    Ok(changes) => changes.iter().map(|c| change_text(l, c)).collect::<Vec<_>>().join("; "),
                    Err(_) => v.summary.clone(),
                }),
            )
        })
        .collect();
    let main = format!(
        "<h1>{}: {}</h1><p><a href=\"/maps/{id}?project={p}\">← {}</a></p><table><thead><tr><th class=\"num\">{}</th><th>{}</th><th>{}</th>\
         <th>{}</th><th></th></tr></thead><tbody>{rows}</tbody></table>",
        l.t("history"),
        esc(&info.title),
        l.t("back_to_map"),
        l.t("version"),
        l.t("time"),
        l.t("author"),
        l.t("change"),
    );
    Html(shell(&s, "maps", l.t("history"), &main)).into_response()
}

fn change_text(l: Lang, c: &Change) -> String {
    let show = |s: &str| if s.is_empty() { "∅".to_string() } else { format!("«{s}»") };
    match c {
        Change::Title { before, after } => format!("{}: {} → {}", l.t("map_title"), show(before), show(after)),
        Change::StageAdded { name, .. } => format!("+ {} {}", l.t("stage"), show(name)),
        Change::StageRemoved { name, .. } => format!("− {} {}", l.t("stage"), show(name)),
        Change::StageRenamed { before, after, .. } => format!("{}: {} → {}", l.t("stage"), show(before), show(after)),
        Change::StageRule { stage, after, .. } => format!("{} {stage}: {}", l.t("stage_rule"), after.join(", ")),
        Change::StagesReordered { after, .. } => format!("{}: {}", l.t("stage_order"), after.join(" → ")),
        Change::LaneAdded { title, .. } => format!("+ {} {}", l.t("lane"), show(title)),
        Change::LaneRemoved { title, .. } => format!("− {} {}", l.t("lane"), show(title)),
        Change::LaneRenamed { before, after, .. } => format!("{}: {} → {}", l.t("lane"), show(before), show(after)),
        Change::LanesReordered { after, .. } => format!("{}: {}", l.t("lane_order"), after.join(" → ")),
        Change::Cell { lane, stage, before, after } => format!("{lane} × {stage}: {} → {}", show(before), show(after)),
        Change::Score { lane, stage, before, after } => format!(
            "{lane} × {stage}: {} → {}",
            before.map(|v| format!("{v:+}")).unwrap_or("∅".into()),
            after.map(|v| format!("{v:+}")).unwrap_or("∅".into())
        ),
        Change::Settings { what } => format!("{}: {what}", l.t("settings")),
    }
}

/// `a..b` as a period (`YYYY-MM-DD..YYYY-MM-DD`, either side may be empty).
fn period_arg(text: &str) -> Option<tropa_core::cjm::Period> {
    let (a, b) = text.split_once("..")?;
    let opt = |x: &str| Some(x.trim().to_string()).filter(|x| !x.is_empty());
    Some(tropa_core::cjm::Period { since: opt(a), until: opt(b) })
}

async fn compare(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let s = match super::page_session(&st, &headers, &q, Role::Viewer) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let l = s.lang;
    let p = enc(&s.project);
    let (pa, pb) = (param(&q, "pa"), param(&q, "pb"));
    let periods = !pa.is_empty() || !pb.is_empty();
    let (left, right, head, changes) = if periods {
        let (Some(a), Some(b)) = (period_arg(&pa), period_arg(&pb)) else {
            return bad_request(&s, l.t("period_syntax"));
        };
        let (base, _) = match load(&st, &s, id, None) {
            Ok(m) => m,
            Err(r) => return *r,
        };
        let (mut ma, mut mb) = (base.clone(), base);
        ma.period = a;
        mb.period = b;
        for m in [&ma, &mb] {
            if let Err(e) = m.period_ms() {
                return bad_request(&s, &e.to_string());
            }
        }
        let da = match map_data(&st, &s.project, &ma, None).await {
            Ok(d) => d,
            Err(r) => return r,
        };
        let db = match map_data(&st, &s.project, &mb, None).await {
            Ok(d) => d,
            Err(r) => return r,
        };
        // the right side's trends compare with the left side
        let db = db.map(|mut d| {
            d.previous = da.as_ref().map(|x| x.current.clone());
            d
        });
        let mut only_data = ma.clone();
        only_data.lanes.retain(|x| x.kind.is_data());
        let mut only_data_b = mb.clone();
        only_data_b.lanes.retain(|x| x.kind.is_data());
        let g1 = grid(&s, &Grid { map: &only_data, data: da.as_ref(), editable: false, changed: vec![], id }, 0);
        let g2 = grid(&s, &Grid { map: &only_data_b, data: db.as_ref(), editable: false, changed: vec![], id }, 0);
        (g1, g2, (pa.clone(), pb.clone()), String::new())
    } else {
        let a = param(&q, "a").parse::<i64>().ok();
        let b = param(&q, "b").parse::<i64>().ok();
        let (ma, va) = match load(&st, &s, id, a) {
            Ok(m) => m,
            Err(r) => return *r,
        };
        let (mb, vb) = match load(&st, &s, id, b) {
            Ok(m) => m,
            Err(r) => return *r,
        };
        let changes = diff(&ma, &mb);
        let cells: Vec<(String, String)> = changes
            .iter()
            .filter_map(|c| match c {
                Change::Cell { lane, stage, .. } | Change::Score { lane, stage, .. } => Some(cell_key(lane, stage)),
                _ => None,
            })
            .collect();
        let data = match map_data(&st, &s.project, &mb, None).await {
            Ok(d) => d,
            Err(r) => return r,
        };
        let g1 = grid(&s, &Grid { map: &ma, data: data.as_ref(), editable: false, changed: cells.clone(), id }, va);
        let g2 = grid(&s, &Grid { map: &mb, data: data.as_ref(), editable: false, changed: cells, id }, vb);
        let list: String = if changes.is_empty() {
            format!("<p class=\"muted\">{}</p>", l.t("no_changes"))
        } else {
            format!(
                "<ul class=\"changes\">{}</ul>",
                changes.iter().map(|c| format!("<li>{}</li>", esc(&change_text(l, c)))).collect::<String>()
            )
        };
        (g1, g2, (format!("{} {va}", l.t("version")), format!("{} {vb}", l.t("version"))), list)
    };
    let main = format!(
        "<h1>{cmp}</h1><p><a href=\"/maps/{id}?project={p}\">← {back}</a></p>\
         <form method=\"get\" action=\"/maps/{id}/compare\" class=\"search\"><input type=\"hidden\" name=\"project\" value=\"{proj}\">\
         <label for=\"a\">{versions}</label><input id=\"a\" name=\"a\" size=\"4\" value=\"{a}\"> ↔ <input id=\"b\" name=\"b\" size=\"4\" value=\"{b}\"> \
         <button type=\"submit\">{show}</button></form>\
         <form method=\"get\" action=\"/maps/{id}/compare\" class=\"search\"><input type=\"hidden\" name=\"project\" value=\"{proj}\">\
         <label for=\"pa\">{periods_l}</label><input id=\"pa\" name=\"pa\" placeholder=\"2026-03-01..2026-06-01\" value=\"{pa}\"> ↔ \
         <input id=\"pb\" name=\"pb\" placeholder=\"2026-06-01..2026-09-01\" value=\"{pb}\"> <button type=\"submit\">{show}</button></form>{changes}\
         <div class=\"compare\"><section><h2>{h1}</h2>{left}</section><section><h2>{h2}</h2>{right}</section></div>",
        cmp = l.t("compare"),
        back = l.t("back_to_map"),
        proj = esc(&s.project),
        versions = l.t("versions"),
        a = esc(&param(&q, "a")),
        b = esc(&param(&q, "b")),
        show = l.t("run"),
        periods_l = l.t("periods"),
        pa = esc(&pa),
        pb = esc(&pb),
        h1 = esc(&head.0),
        h2 = esc(&head.1),
    );
    Html(shell(&s, "maps", l.t("compare"), &main)).into_response()
}

// ---- export and sharing -------------------------------------------------------------------------------------

async fn render_export(
    st: &AppState,
    project: &str,
    map: &JourneyMap,
    v: i64,
    persona: Option<&Persona>,
    format: Format,
) -> Response {
    let data = if matches!(format, Format::Json | Format::Yaml) {
        None
    } else {
        match map_data(st, project, map, persona).await {
            Ok(d) => d,
            Err(r) => return r,
        }
    };
    let sub = maps::subtitle(map, persona.map(persona_label).as_deref(), data.as_ref());
    let foot = maps::footer(map, v, data.as_ref());
    let (map2, fmt) = (map.clone(), format);
    let bytes = tokio::task::spawn_blocking(move || maps::export(&map2, data.as_ref(), &sub, &foot, fmt)).await;
    match bytes {
        Ok(Ok(b)) => {
            let name: String = map.title.chars().map(|c| if c.is_alphanumeric() { c } else { '_' }).take(60).collect();
            (
                [
                    (header::CONTENT_TYPE, format.content_type().to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!(
                            "attachment; filename=\"map-v{v}.{ext}\"; filename*=UTF-8''{}.{ext}",
                            enc(&name),
                            ext = format.extension()
                        ),
                    ),
                ],
                b,
            )
                .into_response()
        }
        Ok(Err(e)) => internal(&e),
        Err(e) => internal(&e),
    }
}

async fn export(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let s = match super::page_session(&st, &headers, &q, Role::Viewer) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let Some(format) = Format::parse(&param(&q, "format")) else {
        return (StatusCode::BAD_REQUEST, "format: use pdf, png, svg, md, json or yaml\n").into_response();
    };
    let (map, v) = match load(&st, &s, id, param(&q, "version").parse().ok()) {
        Ok(m) => m,
        Err(r) => return *r,
    };
    let personas = persona_list(&st, &s.project);
    let persona = personas.iter().find(|p| p.key == param(&q, "persona"));
    render_export(&st, &s.project, &map, v, persona, format).await
}

/// A form action (share, unshare or delete a map, delete a persona): the meta call gives the page to go to.
fn map_action(
    st: &AppState,
    headers: &HeaderMap,
    f: &HashMap<String, String>,
    act: impl FnOnce(&tropa_meta::Meta, &str) -> Result<String, MetaError>,
) -> Response {
    let s = match editor(st, headers, f) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    redirect_or(&s, act(&st.meta, &s.project))
}

/// The page a metadata change leads to, or why it could not be made (404 for what does not exist).
fn redirect_or(s: &Session, done: Result<String, MetaError>) -> Response {
    match done {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(MetaError::NotFound { .. }) => super::not_found(s),
        Err(e) => internal(&e),
    }
}

async fn share(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let now = (st.clock)();
    map_action(&st, &headers, &f, |meta, project| {
        let t = meta.create_share(project, id, now)?;
        Ok(format!("/maps/{id}?project={}&share={}", enc(project), t.token))
    })
}

async fn unshare(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let now = (st.clock)();
    map_action(&st, &headers, &f, |meta, project| {
        meta.revoke_shares(project, id, now)?;
        Ok(format!("/maps/{id}?project={}", enc(project)))
    })
}

async fn delete(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    map_action(&st, &headers, &f, |meta, project| {
        meta.delete_map(project, id)?;
        Ok(format!("/maps?project={}", enc(project)))
    })
}

/// The public read-only page of a share link: no sign-in, no navigation, the map and its PDF.
async fn shared(State(st): State<Arc<AppState>>, headers: HeaderMap, Path(token): Path<String>) -> Response {
    let lang = Lang::pick("", &headers);
    let Ok(Some((project, id))) = st.meta.shared_map(&token) else {
        let body = format!("<main><h1>404</h1><p>{}</p></main>", lang.t("share_gone"));
        return (StatusCode::NOT_FOUND, Html(page(lang, "404", &body))).into_response();
    };
    let v = match st.meta.map_version(&project, id, None) {
        Ok(Some(v)) => v,
        _ => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    let Ok(map) = JourneyMap::from_json(&v.document) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let data = match map_data(&st, &project, &map, None).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let l = lang_of(&map);
    let s = Session {
        user: tropa_meta::User {
            id: 0,
            email: String::new(),
            role: Role::Viewer,
            lang: l.code().into(),
            created_at: 0,
        },
        csrf: String::new(),
        lang: l,
        project,
    };
    let g = Grid { map: &map, data: data.as_ref(), editable: false, changed: vec![], id };
    let body = format!(
        "<main class=\"wide\"><h1>{}</h1><p class=\"muted\">{}</p><p class=\"muted\">{} · <a href=\"/share/{t}/export?format=pdf\">PDF</a> · \
         <a href=\"/share/{t}/export?format=png\">PNG</a></p>{}</main>",
        esc(&map.title),
        esc(&maps::subtitle(&map, None, data.as_ref())),
        l.t("shared_read_only"),
        grid(&s, &g, v.version),
        t = esc(&token),
    );
    let mut res = Html(page(l, &map.title, &body)).into_response();
    res.headers_mut().insert("x-robots-tag", "noindex".parse().expect("a header value"));
    res
}

async fn shared_export(
    State(st): State<Arc<AppState>>,
    Path(token): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Ok(Some((project, id))) = st.meta.shared_map(&token) else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let Some(format) = Format::parse(&param(&q, "format")).filter(|f| !matches!(f, Format::Json | Format::Yaml)) else {
        return (StatusCode::BAD_REQUEST, "format: use pdf, png, svg or md\n").into_response();
    };
    let Ok(Some(v)) = st.meta.map_version(&project, id, None) else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let Ok(map) = JourneyMap::from_json(&v.document) else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    render_export(&st, &project, &map, v.version, None, format).await
}

// ---- personas -----------------------------------------------------------------------------------------------

async fn personas(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let s = match super::page_session(&st, &headers, &q, Role::Viewer) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    personas_page(&st, &s, None, StatusCode::OK).await
}

async fn personas_page(st: &AppState, s: &Session, error: Option<String>, status: StatusCode) -> Response {
    let l = s.lang;
    let list = persona_list(st, &s.project);
    let engine = match st.projects.engine(&s.project) {
        Ok(e) => e,
        Err(e) => return internal(&e),
    };
    let segs: Vec<Segment> = list.iter().map(|p| p.segment.clone()).collect();
    let sizes = tokio::task::spawn_blocking(move || {
        segs.iter()
            .map(|seg| {
                let scope = seg.scope("segment").ok()?;
                tropa_engine::report::stats(&*engine, scope, vec![]).ok()
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap_or_default();
    let loc = l.locale();
    let cards: String = list
        .iter()
        .zip(sizes.iter().chain(std::iter::repeat(&None)))
        .map(|(p, size)| {
            let items = |v: &[String]| v.iter().map(|x| format!("<li>{}</li>", esc(x))).collect::<String>();
            let numbers = match size {
                Some(st) => format!(
                    "<div class=\"numbers\"><span>{}: <b>{}</b></span><span>{}: <b>{}</b></span><span>{}: <b>{}</b></span></div>",
                    l.t("customers"),
                    loc.int(st.customers),
                    l.t("buyers"),
                    loc.percent(if st.customers > 0 { st.buyers as f64 / st.customers as f64 } else { 0.0 }),
                    l.t("revenue"),
                    loc.int(st.revenue.max(0.0).round() as u64)
                ),
                None => String::new(),
            };
            let seg: Vec<String> = p.segment.traits.iter().chain(&p.segment.did).cloned().collect();
            let delete = if s.user.role >= Role::Analyst {
                format!(
                    "<form method=\"post\" action=\"/personas/delete\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
                     <input type=\"hidden\" name=\"project\" value=\"{}\"><input type=\"hidden\" name=\"key\" value=\"{}\">\
                     <button class=\"link\" type=\"submit\">{}</button></form>",
                    esc(&s.csrf),
                    esc(&s.project),
                    esc(&p.key),
                    l.t("delete")
                )
            } else {
                String::new()
            };
            format!(
                "<article class=\"persona\" id=\"persona-{key}\"><h2>{name}</h2><p class=\"muted\">{occupation}</p>{quote}{numbers}\
                 <div class=\"cols\"><div><h3>{goals_l}</h3><ul>{goals}</ul></div><div><h3>{needs_l}</h3><ul>{needs}</ul></div>\
                 <div><h3>{pains_l}</h3><ul>{pains}</ul></div><div><h3>{channels_l}</h3><ul>{channels}</ul></div></div>\
                 <p class=\"muted small\">{seg_l}: <code>{seg}</code> {delete}</p></article>",
                key = esc(&p.key),
                name = esc(&persona_label(p)),
                occupation = esc(&p.occupation),
                quote = if p.quote.is_empty() { String::new() } else { format!("<blockquote>{}</blockquote>", esc(&p.quote)) },
                goals_l = l.t("persona_goals"),
                goals = items(&p.goals),
                needs_l = l.t("persona_needs"),
                needs = items(&p.needs),
                pains_l = l.t("persona_pains"),
                pains = items(&p.pains),
                channels_l = l.t("persona_channels"),
                channels = items(&p.channels),
                seg_l = l.t("segment_rule"),
                seg = esc(&if seg.is_empty() { l.t("everyone").to_string() } else { seg.join(" · ") }),
            )
        })
        .collect();
    let err = error.map(|e| format!("<p class=\"err\" role=\"alert\">{}</p>", esc(&e))).unwrap_or_default();
    let form = if s.user.role >= Role::Analyst {
        format!(
            "<form class=\"panel\" method=\"post\" action=\"/personas\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <input type=\"hidden\" name=\"project\" value=\"{proj}\"><h2>{new}</h2>\
             <label for=\"p-key\">{key_l}</label><input id=\"p-key\" name=\"key\" required placeholder=\"maria\">\
             <label for=\"p-name\">{name_l}</label><input id=\"p-name\" name=\"name\" required>\
             <label for=\"p-age\">{age_l}</label><input id=\"p-age\" name=\"age\" type=\"number\" min=\"0\" max=\"120\">\
             <label for=\"p-occupation\">{occ_l}</label><input id=\"p-occupation\" name=\"occupation\">\
             <label for=\"p-quote\">{quote_l}</label><input id=\"p-quote\" name=\"quote\">\
             <label for=\"p-goals\">{goals_l}</label><textarea id=\"p-goals\" name=\"goals\" rows=\"2\"></textarea>\
             <label for=\"p-needs\">{needs_l}</label><textarea id=\"p-needs\" name=\"needs\" rows=\"2\"></textarea>\
             <label for=\"p-pains\">{pains_l}</label><textarea id=\"p-pains\" name=\"pains\" rows=\"2\"></textarea>\
             <label for=\"p-channels\">{channels_l}</label><textarea id=\"p-channels\" name=\"channels\" rows=\"2\"></textarea>\
             <label for=\"p-traits\">{traits_l}</label><textarea id=\"p-traits\" name=\"traits\" rows=\"2\" placeholder=\"gender = female&#10;age >= 30\"></textarea>\
             <label for=\"p-did\">{did_l}</label><textarea id=\"p-did\" name=\"did\" rows=\"2\" placeholder=\"purchase\"></textarea>\
             <p class=\"muted\">{hint}</p><button type=\"submit\">{save}</button></form>",
            csrf = esc(&s.csrf),
            proj = esc(&s.project),
            new = l.t("new_persona"),
            key_l = l.t("persona_key"),
            name_l = l.t("persona_name"),
            age_l = l.t("age"),
            occ_l = l.t("occupation"),
            quote_l = l.t("quote"),
            goals_l = l.t("persona_goals"),
            needs_l = l.t("persona_needs"),
            pains_l = l.t("persona_pains"),
            channels_l = l.t("persona_channels"),
            traits_l = l.t("persona_traits"),
            did_l = l.t("did_event"),
            hint = l.t("persona_hint"),
            save = l.t("save"),
        )
    } else {
        String::new()
    };
    let main = format!(
        "<h1>{}</h1><p><a href=\"/maps?project={}\">← {}</a></p>{err}<div class=\"persona-grid\">{cards}</div>{form}",
        l.t("personas"),
        enc(&s.project),
        l.t("maps"),
    );
    (status, Html(shell(s, "maps", l.t("personas"), &main))).into_response()
}

async fn save_persona(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let s = match editor(&st, &headers, &f) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let lines = |k: &str| -> Vec<String> {
        f.get(k)
            .map(|t| t.lines().map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect())
            .unwrap_or_default()
    };
    let age = match param(&f, "age") {
        a if a.is_empty() => None,
        a => match a.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                return personas_page(&st, &s, Some(format!("age: '{a}' is not a number")), StatusCode::BAD_REQUEST)
                    .await
            }
        },
    };
    let p = Persona {
        key: param(&f, "key"),
        name: param(&f, "name"),
        age,
        occupation: param(&f, "occupation"),
        quote: param(&f, "quote"),
        goals: lines("goals"),
        needs: lines("needs"),
        pains: lines("pains"),
        channels: lines("channels"),
        segment: Segment { traits: lines("traits"), did: lines("did"), ..Segment::default() },
    };
    if let Err(e) = p.validate() {
        let msg = e.issues().iter().map(|i| format!("{}: {}", i.field, i.reason)).collect::<Vec<_>>().join("; ");
        return personas_page(&st, &s, Some(msg), StatusCode::BAD_REQUEST).await;
    }
    let saved = st.meta.save_persona(&s.project, &p.key, &serde_json::to_string(&p).unwrap_or_default(), (st.clock)());
    redirect_or(&s, saved.map(|()| format!("/personas?project={}#persona-{}", enc(&s.project), p.key)))
}

async fn delete_persona(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let key = param(&f, "key");
    map_action(&st, &headers, &f, |meta, project| {
        meta.delete_persona(project, &key)?;
        Ok(format!("/personas?project={}", enc(project)))
    })
}
