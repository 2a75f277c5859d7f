//! A map as an HTML grid: stage heads, lanes, cells (editors for analysts on the latest version), data lanes
//! with trend arrows, the emotion curve.

use super::*;

/// What a grid shows: editable or not, and the cells that changed (compare).
pub(super) struct Grid<'a> {
    pub(super) map: &'a JourneyMap,
    pub(super) data: Option<&'a MapData>,
    pub(super) editable: bool,
    pub(super) changed: Vec<(String, String)>,
    /// The map's id, for the forms.
    pub(super) id: i64,
}

pub(super) fn cell_key(lane: &str, stage: &str) -> (String, String) {
    (lane.to_string(), stage.to_string())
}

pub(super) fn op_form(
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

pub(super) fn grid(s: &Session, g: &Grid<'_>, version: i64) -> String {
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
pub(super) fn emotion_curve(map: &JourneyMap, lane: &tropa_core::cjm::Lane) -> String {
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
