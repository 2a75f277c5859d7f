//! A map as an HTML grid: stage heads, lanes, cells (editors for analysts on the latest version), data lanes
//! with trend arrows, the emotion curve. `assets/map.js` reads the editors' `data-edit` (the edit as JSON, the
//! field's value added under `data-field`) and `data-list`.

use std::collections::HashMap;

use maud::{html, Markup};
use serde_json::json;
use tropa_app::maps::{self, MapData};
use tropa_core::cjm::{JourneyMap, Lane, LaneKind, MapStage as Stage};

use super::project_fields;
use crate::i18n::Lang;
use crate::i18n::Words;
use crate::session::Session;

/// What a grid shows: editable or not, and the cells that changed (compare).
pub(super) struct Grid<'a> {
    pub(super) map: &'a JourneyMap,
    pub(super) data: Option<&'a MapData>,
    pub(super) editable: bool,
    pub(super) changed: Vec<(String, String)>,
    /// The map's id, for the forms.
    pub(super) id: i64,
    /// What a changed cell held in the version compared with (written text, score or number), by (lane, stage).
    pub(super) was: HashMap<(String, String), String>,
    /// All customers' data beside a persona's (the map shown for a persona).
    pub(super) all: Option<&'a MapData>,
    /// The stages are the project's (a linked map): shown, not edited here.
    pub(super) linked: bool,
}

pub(super) fn cell_key(lane: &str, stage: &str) -> (String, String) {
    (lane.to_string(), stage.to_string())
}

/// A one-button form of one edit (`fields`: the op and its hidden fields) on `version` of the map.
pub(super) fn op_form(
    s: &Session,
    id: i64,
    version: i64,
    fields: &[(&str, &str)],
    label: &str,
    title: &str,
    class: &str,
) -> Markup {
    html! {
        form method="post" action={ "/maps/" (id) "/edit" } class="inline" {
            (project_fields(s))
            input type="hidden" name="version" value=(version);
            @for (k, v) in fields { input type="hidden" name=(k) value=(v); }
            button type="submit" class=(class) title=(title) aria-label=(title) { (label) }
        }
    }
}

/// The grid: a head per stage, a row per lane (and the emotion curve under the emotion lane).
pub(super) fn grid(s: &Session, g: &Grid<'_>, version: i64) -> Markup {
    let map = g.map;
    html! {
        div.cjm-wrap {
            table.cjm {
                thead {
                    tr {
                        th.corner {}
                        @for (i, st) in map.stages.iter().enumerate() {
                            th.stage data-stage=(st.key) { (stage_head(s, g, version, i)) }
                        }
                    }
                }
                tbody {
                    @for (r, lane) in map.lanes.iter().enumerate() {
                        (lane_row(s, g, version, r))
                        @if lane.kind == LaneKind::Emotions && lane.scores.len() > 1 {
                            tr.curve { th {} td colspan=(map.stages.len()) { (emotion_curve(map, lane)) } }
                        }
                    }
                }
            }
        }
    }
}

/// A stage's head: its name and rule, editable with the move and remove buttons.
fn stage_head(s: &Session, g: &Grid<'_>, version: i64, i: usize) -> Markup {
    let l = s.lang;
    let st = &g.map.stages[i];
    let n = g.map.stages.len();
    if !g.editable || g.linked {
        return html! {
            div.stage-name { (st.name) }
            div.muted.small { (st.event.join(" · ")) }
        };
    }
    let button = |fields: &[(&str, &str)], label: &str, title: &str, class: &str| {
        op_form(s, g.id, version, fields, label, title, class)
    };
    let (left, right) = (i.saturating_sub(1).to_string(), (i + 1).to_string());
    html! {
        textarea.stage-name rows="2" aria-label=(l.t("stage_name"))
            data-edit=(json!({"op": "rename_stage", "stage": st.key}).to_string()) data-field="name" { (st.name) }
        details.rule {
            summary { (l.t("rule")) }
            textarea rows="2" spellcheck="false" data-edit=(json!({"op": "set_stage_rule", "stage": st.key}).to_string())
                data-field="event" data-list="1" { (st.event.join("\n")) }
        }
        div.controls {
            @if i > 0 {
                (button(&[("op", "move_stage"), ("stage", &st.key), ("to", &left)], "◀", l.t("move_left"), "icon"))
            }
            @if i + 1 < n {
                (button(&[("op", "move_stage"), ("stage", &st.key), ("to", &right)], "▶", l.t("move_right"), "icon"))
            }
            @if n > 1 {
                (button(&[("op", "remove_stage"), ("stage", &st.key)], "✕", l.t("remove_stage"), "icon danger"))
            }
        }
    }
}

/// A lane: its title (editable with the move and remove buttons) and a cell per stage.
fn lane_row(s: &Session, g: &Grid<'_>, version: i64, r: usize) -> Markup {
    let l = s.lang;
    let lane = &g.map.lanes[r];
    let data_lane = lane.kind.is_data();
    html! {
        tr class={ "lane " (if data_lane { "data" } else { lane.kind.as_str() }) } data-lane=(lane.key) {
            th {
                @if g.editable { (lane_title_editor(s, g, version, r)) } @else { (lane.title) }
                div.kind { @if data_lane { (l.t("data_lane")) } }
            }
            @for st in &g.map.stages {
                @let at = cell_key(&lane.key, &st.key);
                @let was = g.was.get(&at);
                td class=[(g.changed.contains(&at) || was.is_some()).then_some("changed")] data-was=[was] {
                    (cell(l, g, lane, st))
                    @if let Some(w) = was { span.was title=(l.t("was")) { (w) } }
                }
            }
        }
    }
}

/// The editor of a lane's title with its move and remove buttons.
fn lane_title_editor(s: &Session, g: &Grid<'_>, version: i64, r: usize) -> Markup {
    let l = s.lang;
    let lane = &g.map.lanes[r];
    let button = |fields: &[(&str, &str)], label: &str, title: &str, class: &str| {
        op_form(s, g.id, version, fields, label, title, class)
    };
    let (up, down) = (r.saturating_sub(1).to_string(), (r + 1).to_string());
    html! {
        textarea.lane-name rows="2" aria-label=(l.t("lane_name"))
            data-edit=(json!({"op": "rename_lane", "lane": lane.key}).to_string()) data-field="title" { (lane.title) }
        div.controls {
            @if r > 0 {
                (button(&[("op", "move_lane"), ("lane", &lane.key), ("to", &up)], "▲", l.t("move_up"), "icon"))
            }
            @if r + 1 < g.map.lanes.len() {
                (button(&[("op", "move_lane"), ("lane", &lane.key), ("to", &down)], "▼", l.t("move_down"), "icon"))
            }
            (button(&[("op", "remove_lane"), ("lane", &lane.key)], "✕", l.t("remove_lane"), "icon danger"))
        }
    }
}

/// One cell: an emotion score, a number from the data, or the lane's text.
fn cell(l: Lang, g: &Grid<'_>, lane: &Lane, st: &Stage) -> Markup {
    match lane.kind {
        LaneKind::Emotions => emotion_cell(l, g, lane, st),
        k if k.is_data() => data_cell(l, g, k, st),
        _ => {
            let text = lane.cells.get(&st.key).map(String::as_str).unwrap_or("");
            html! {
                @if g.editable {
                    textarea rows="3" aria-label={ (lane.title) " × " (st.name) }
                        data-edit=(json!({"op": "set_cell", "lane": lane.key, "stage": st.key}).to_string())
                        data-field="text" { (text) }
                } @else {
                    @for (i, line) in text.split('\n').enumerate() {
                        @if i > 0 { br; }
                        (line)
                    }
                }
            }
        }
    }
}

/// The class of a score or a trend: good, flat or bad news.
fn mood(good: Option<bool>) -> &'static str {
    match good {
        Some(true) => "good",
        Some(false) => "bad",
        None => "flat",
    }
}

/// An emotion score: a select of −2…+2 for editors, else the number (not emoji faces: a browser or printer may
/// have no emoji font).
fn emotion_cell(l: Lang, g: &Grid<'_>, lane: &Lane, st: &Stage) -> Markup {
    let score = lane.scores.get(&st.key).copied();
    html! {
        @if g.editable {
            select aria-label=(l.t("emotion"))
                data-edit=(json!({"op": "set_score", "lane": lane.key, "stage": st.key}).to_string())
                data-field="score" {
                option value="" selected[score.is_none()] { "—" }
                @for v in (-2..=2i8).rev() { option value=(v) selected[score == Some(v)] { (format!("{v:+}")) } }
            }
        } @else if let Some(v) = score {
            span class={ "trend " (mood((v != 0).then_some(v > 0))) } { (format!("{v:+}")) }
        }
        @if let Some(e) = data_emotion(g, st) {
            span.data-emotion title=(l.t("emotion_from_answers_hint")) {
                (l.t("emotion_from_answers")) ": " (maps::feedback::emotion_text(&e, l.code()))
            }
        }
        @if let Some(e) = g.data.and_then(|d| d.text_emotion.iter().find(|(k, _)| *k == st.key)).map(|(_, e)| e) {
            span.data-emotion.text-emotion title=(l.t("fbt_emotion_words_hint")) {
                (l.t("fbt_emotion_words")) ": " (maps::feedback::emotion_text(e, l.code()))
            }
        }
    }
}

/// The stage's emotion computed from the answers given there (see `tropa_app::maps::feedback`).
fn data_emotion(g: &Grid<'_>, st: &Stage) -> Option<maps::feedback::DataEmotion> {
    let f = g.data?.feedback.as_ref()?;
    maps::feedback::emotion(&maps::feedback::stage(f, &st.key)?.scores)
}

/// A data lane's cell: the number and its trend against the previous period.
fn data_cell(l: Lang, g: &Grid<'_>, kind: LaneKind, st: &Stage) -> Markup {
    let Some(d) = g.data else { return html! { "—" } };
    // numbers and words in the reader's language (the map's exports keep the map's own)
    let c = maps::data_cell_in(kind, &st.key, d, l.code());
    let all = g.all.map(|a| maps::data_cell_in(kind, &st.key, a, l.code()).text);
    html! {
        span.value { (c.text) }
        @if let Some(all) = all { span.all-customers title=(l.t("all_customers_map")) { (l.t("all_short")) ": " (all) } }
        @if let Some(t) = c.trend {
            @let glyph = match t {
                tropa_render::Trend::Up => "▲",
                tropa_render::Trend::Down => "▼",
                tropa_render::Trend::Flat => "▶",
            };
            " "
            span class={ "trend " (mood(c.good)) } title=(l.t("vs_previous")) { (glyph) }
        }
    }
}

/// The emotion lane as a curve across the stages (inline SVG, scaled to the table's width).
pub(super) fn emotion_curve(map: &JourneyMap, lane: &Lane) -> Markup {
    let n = map.stages.len().max(1) as f64;
    let (w, h) = (1000.0, 80.0);
    let pts: Vec<(f64, f64, i8)> = map
        .stages
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            lane.scores.get(&s.key).map(|v| (w * (i as f64 + 0.5) / n, h / 2.0 - f64::from(*v) * 16.0, *v))
        })
        .collect();
    // the path's drawing commands (SVG path data, not markup)
    let d: String = pts
        .iter()
        .enumerate()
        .map(|(k, (x, y, _))| format!("{}{x:.1},{y:.1}", if k == 0 { "M" } else { " L" }))
        .collect();
    let mid = h / 2.0;
    html! {
        svg.curve viewBox={ "0 0 " (w) " " (h) } preserveAspectRatio="none" role="img" aria-label=(lane.title) {
            line x1="0" y1=(mid) x2=(w) y2=(mid) stroke="#d8dee4" {}
            path d=(d) fill="none" stroke="#0072B2" stroke-width="3" vector-effect="non-scaling-stroke" {}
            @for (x, y, v) in &pts {
                @let fill = match v {
                    1..=2 => "#009E73",
                    0 => "#59636e",
                    _ => "#D55E00",
                };
                circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="6" fill=(fill) { title { (format!("{v:+}")) } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tropa_meta::{Role, User};

    fn session() -> Session {
        let user = User { id: 1, email: "a@x.ru".into(), role: Role::Analyst, lang: "en".into(), created_at: 0 };
        Session { user, csrf: "tok\"en".into(), lang: Lang::En, project: "a&b".into(), role: Role::Analyst }
    }

    fn map() -> JourneyMap {
        let mut map = tropa_core::cjm::template::by_key("online_store").unwrap().instantiate("en");
        let stage = map.stages[0].key.clone();
        let pains = map.lanes.iter_mut().find(|x| x.kind == LaneKind::Pains).unwrap();
        pains.cells.insert(stage.clone(), "<i>x</i>\nsecond \"line\"".into());
        let emotions = map.lanes.iter_mut().find(|x| x.kind == LaneKind::Emotions).unwrap();
        emotions.scores.insert(stage, -1);
        map
    }

    #[test]
    fn a_read_only_grid_escapes_the_cells_and_keeps_their_lines() {
        let (s, map) = (session(), map());
        let g = Grid {
            map: &map,
            data: None,
            editable: false,
            changed: vec![],
            id: 7,
            was: HashMap::new(),
            all: None,
            linked: false,
        };
        let html = grid(&s, &g, 1).into_string();
        assert!(html.contains("&lt;i&gt;x&lt;/i&gt;<br>second &quot;line&quot;"), "{html}");
        assert!(!html.contains("data-edit") && !html.contains("<form"), "{html}");
        assert!(html.contains("<tr class=\"lane pains\" data-lane=\"pains\">"), "{html}");
    }

    #[test]
    fn an_editable_grid_carries_what_map_js_reads() {
        let (s, map) = (session(), map());
        let g = Grid {
            map: &map,
            data: None,
            editable: true,
            changed: vec![],
            id: 7,
            was: HashMap::new(),
            all: None,
            linked: false,
        };
        let html = grid(&s, &g, 3).into_string();
        let first = &map.stages[0].key;
        let edit = format!(
            "data-edit=\"{{&quot;lane&quot;:&quot;pains&quot;,&quot;op&quot;:&quot;set_cell&quot;,&quot;stage&quot;:&quot;{first}&quot;}}\" \
             data-field=\"text\""
        );
        assert!(html.contains(&edit), "{html}");
        assert!(html.contains("data-field=\"event\" data-list=\"1\""), "{html}");
        let pains = map.lanes.iter().find(|x| x.kind == LaneKind::Pains).unwrap();
        let label = format!("rows=\"3\" aria-label=\"{} × {}\"", pains.title, map.stages[0].name);
        assert!(html.contains(&label), "{html}");
        // the buttons are forms on the version shown, with the session's token and project escaped
        assert!(html.contains("<form method=\"post\" action=\"/maps/7/edit\" class=\"inline\">"), "{html}");
        assert!(html.contains("value=\"tok&quot;en\"") && html.contains("value=\"a&amp;b\""), "{html}");
        assert!(html.contains("<input type=\"hidden\" name=\"version\" value=\"3\">"), "{html}");
    }

    #[test]
    fn the_emotion_curve_is_closed_svg() {
        let map = map();
        let lane = map.lanes.iter().find(|x| x.kind == LaneKind::Emotions).unwrap();
        let svg = emotion_curve(&map, lane).into_string();
        assert!(svg.starts_with("<svg class=\"curve\" viewBox=\"0 0 1000 80\""), "{svg}");
        assert!(svg.contains("<line x1=\"0\" y1=\"40\" x2=\"1000\" y2=\"40\" stroke=\"#d8dee4\"></line>"), "{svg}");
        assert!(svg.contains("<path d=\"M"), "{svg}");
    }
}
