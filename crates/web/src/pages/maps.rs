//! The journey-map pages: the list of a project's maps (new from a template, import YAML/JSON), a map as an
//! editable grid — stages × lanes, written cells saved as you type (`assets/map.js` sends one [`Edit`] at a
//! time; every save is a version), stages and lanes added, renamed, moved and removed with small forms, data
//! lanes filled from events with trend arrows, the persona switch, suggestions from data that can be accepted
//! into the map — its history, the comparison of two versions or two periods, exports, share links and the
//! public read-only page, and the personas page with each persona's size and numbers.

use crate::error::WebError;
use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{json, Value};
use tropa_app::audit::{Action, Done};
use tropa_core::cjm::persona::Persona;
use tropa_core::cjm::{diff, template, Change, Edit, JourneyMap, LaneKind, Segment};
use tropa_meta::{MetaError, Role};

use super::export::enc;
use super::i18n::Lang;
use super::{checked, esc, internal, page, redirect, shell, Session};
use crate::WebState;
use crate::{Analyst, Member, Viewer};
use tropa_app::maps::{self, Format, MapData};

pub mod grid;
pub mod history;
pub mod personas;
pub mod share;

use grid::{cell_key, grid, op_form, Grid};

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

fn bad_request(s: &Session, message: &str) -> Response {
    let body = format!("<h1>400</h1><p class=\"err\" role=\"alert\">{}</p>", esc(message));
    (StatusCode::BAD_REQUEST, Html(shell(s, "maps", "400", &body))).into_response()
}

/// A stored map of the session's project, read (404 page when there is none).
fn load(st: &WebState, s: &Session, id: i64, version: Option<i64>) -> Result<(JourneyMap, i64), WebError> {
    match st.meta.map_version(&s.project, id, version) {
        Ok(Some(v)) => JourneyMap::from_json(&v.document).map(|m| (m, v.version)).map_err(|e| WebError::internal(&e)),
        Ok(None) => Err(WebError::NotFound(s.lang)),
        Err(e) => Err(WebError::internal(&e)),
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

pub(crate) async fn list(State(st): State<Arc<WebState>>, _headers: HeaderMap, m: Member<Viewer>) -> Response {
    let Member { s, f: _q, .. } = m;
    if !matches!(st.meta.project(&s.project), Ok(Some(_))) {
        return WebError::NotFound(s.lang).into_response();
    }
    list_page(&st, &s, None)
}

fn list_page(st: &WebState, s: &Session, error: Option<&str>) -> Response {
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
    let forms = if s.role >= Role::Analyst {
        let templates: String = template::all()
            .iter()
            .map(|t| {
                format!(
                    "<option value=\"{}\">{} — {}</option>",
                    esc(&t.key),
                    esc(t.title.get(l.code())),
                    esc(t.business.get(l.code()))
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

pub(crate) async fn create(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Response {
    let Member { s, f, .. } = m;
    let (key, lang) = (param(&f, "template"), param(&f, "lang"));
    let lang = if lang == "en" { tropa_core::lang::Lang::En } else { tropa_core::lang::Lang::Ru };
    let by = tropa_app::maps::Author { user: Some(s.user.id), now: (st.clock)() };
    match tropa_app::maps::create_from_template(&st.meta, &s.project, (&key, lang), None, by) {
        Ok(id) => {
            let done = super::audit::on_map(&st, Action::MapCreate, &s.project, id);
            super::audit::record(&st, &s, done.with(json!({"template": key, "lang": lang.code()})));
            redirect(&format!("/maps/{id}?project={}", enc(&s.project)))
        }
        Err(e @ tropa_app::AppError::NotFound(_)) => bad_request(&s, &format!("template: {}", e.words(s.lang.core()))),
        Err(e) => internal(&e),
    }
}

pub(crate) async fn import(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Response {
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
                super::audit::record(&st, &s, super::audit::on_map(&st, Action::MapImport, &s.project, m.id));
            }
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

pub(crate) async fn view(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    m: Member<Viewer>,
) -> Response {
    let Member { s, f: q, .. } = m;
    let version = param(&q, "version").parse::<i64>().ok();
    let (map, v) = match load(&st, &s, id, version) {
        Ok(m) => m,
        Err(r) => return r.into_response(),
    };
    let latest = match st.meta.map(&s.project, id) {
        Ok(Some(m)) => m.version,
        Ok(None) => return WebError::NotFound(s.lang).into_response(),
        Err(e) => return internal(&e),
    };
    let personas = persona_list(&st, &s.project);
    let persona_key = param(&q, "persona");
    let persona = personas.iter().find(|p| p.key == persona_key);
    let data = match map_data(&st, &s.project, &map, persona).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let editable = s.role >= Role::Analyst && v == latest;
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
         <label for=\"persona\">{persona_l}</label> <select id=\"persona\" name=\"persona\" data-autosubmit>{options}</select>\
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
    if s.role >= Role::Analyst {
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
             <form method=\"post\" action=\"/maps/{id}/delete\" class=\"inline\" data-confirm=\"{confirm}\">{csrf_in}<button type=\"submit\" class=\"danger\">{delete}</button></form></div>",
            share_h = l.t("share_link"),
            new_link = l.t("new_share"),
            revoke = l.t("revoke_shares"),
            confirm = esc(l.t("confirm_delete_map")),
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
pub(crate) async fn edit(
    State(st): State<Arc<WebState>>,
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
        (csrf, q, v.get("version").and_then(Value::as_i64), Ok(edit))
    } else {
        let f: HashMap<String, String> = match serde_urlencoded_pairs(&body) {
            Some(f) => f,
            None => return (StatusCode::BAD_REQUEST, "a form body").into_response(),
        };
        // a form is one deliberate action on the map as shown: it applies to the latest version (the strict
        // version check is for the editor's stream of keystroke saves)
        let edit = edit_from_form(&f);
        (param(&f, "csrf"), f, None, edit)
    };
    let s = match checked(&st, &headers, &csrf, Role::Viewer) {
        Ok(s) => s,
        Err(r) => return r.into_response(),
    };
    let project = super::project_param_for(&st, &s.user, &project);
    let s = match super::in_project(&st, s, &project, Role::Analyst) {
        Ok(s) => s,
        Err(r) => return r.into_response(),
    };
    let edit = match edit {
        Ok(e) => e,
        Err(e) => return bad_request(&s, &e),
    };
    let (mut map, latest) = match load(&st, &s, id, None) {
        Ok(m) => m,
        Err(r) => return r.into_response(),
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
            redirect(&format!("/maps/{id}?project={}", enc(&s.project)))
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
        Ok(_) => redirect(&format!("/maps/{id}?project={}", enc(&s.project))),
        Err(MetaError::Conflict { name, .. }) => json_err(StatusCode::CONFLICT, "version", &name),
        Err(e) => internal(&e),
    }
}

/// A urlencoded form body as a map (the last value of a repeated key wins).
fn serde_urlencoded_pairs(body: &[u8]) -> Option<HashMap<String, String>> {
    serde_urlencoded::from_bytes(body).ok()
}

/// A form action (share, unshare or delete a map, delete a persona): the meta call gives the page to go to.
fn map_action(
    st: &WebState,
    m: Member<Analyst>,
    act: impl FnOnce(&tropa_meta::Meta, &Session) -> Result<String, MetaError>,
) -> Response {
    redirect_or(&m.s, act(&st.meta, &m.s))
}

/// The page a metadata change leads to, or why it could not be made (404 for what does not exist).
fn redirect_or(s: &Session, done: Result<String, MetaError>) -> Response {
    match done {
        Ok(to) => super::redirect(&to),
        Err(MetaError::NotFound { .. }) => WebError::NotFound(s.lang).into_response(),
        Err(e) => internal(&e),
    }
}
