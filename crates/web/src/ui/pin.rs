//! "Pin to dashboard": the one control every report page (funnels, paths, retention, stages, a saved report
//! opened on its page) and a map's page carry for analysts — a folded form that pins the chart as the page
//! shows it (its parameters as the canonical query string, never the project) or a map's data lane to a
//! dashboard of the project, or to a new one. It posts to `/dashboards/pin`; the dashboard opens after.

use std::collections::HashMap;

use maud::{html, Markup};
use tropa_meta::Role;

use crate::i18n::Words;
use crate::session::Session;
use crate::ui::form::csrf_field;
use crate::WebState;

/// The dashboards to choose from: every one of the project, then "a new dashboard" (the first choice when
/// there is none yet).
fn target(st: &WebState, s: &Session) -> Markup {
    let l = s.lang;
    let all = st.meta.dashboards(&s.project).unwrap_or_default();
    html! {
        label for="pin-dashboard" { (l.t("dashboard")) }
        select id="pin-dashboard" name="dashboard" {
            @for d in &all { option value=(d.id) { (d.name) } }
            option value="new" { (l.t("new_dashboard_option")) }
        }
        label for="pin-new" { (l.t("new_dashboard_name")) }
        input id="pin-new" name="new_name" maxlength="120" placeholder=(l.t("dashboard_name_example"));
    }
}

fn frame(s: &Session, fields: Markup, title: &str, target: Markup) -> Markup {
    let l = s.lang;
    html! {
        details.pin {
            summary { (l.t("pin_to_dashboard")) }
            form method="post" action="/dashboards/pin" {
                (csrf_field(&s.csrf))
                input type="hidden" name="project" value=(s.project);
                (fields)
                (target)
                label for="pin-title" { (l.t("chart_title")) }
                input id="pin-title" name="title" value=(title) required maxlength="120";
                button type="submit" { (l.t("pin")) }
            }
        }
    }
}

/// The word of a tile's kind.
pub fn kind_word(kind: &str) -> &'static str {
    match kind {
        "funnels" => "funnels",
        "paths" => "paths",
        "retention" => "retention",
        "stages" => "stages",
        "attribution" => "attribution",
        "feedback" => "feedback_page",
        "experiments" => "experiments",
        _ => "map_lane",
    }
}

/// The control of a report page `kind` showing `q` (nothing for viewers).
pub fn report(st: &WebState, s: &Session, kind: &str, q: &HashMap<String, String>) -> Markup {
    if s.role < Role::Analyst || !tropa_meta::dashboards::TILE_KINDS.contains(&kind) {
        return html! {};
    }
    let query = tropa_app::reports::canonical_query(q.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let fields = html! {
        input type="hidden" name="kind" value=(kind);
        input type="hidden" name="query" value=(query);
    };
    frame(s, fields, s.lang.t(kind_word(kind)), target(st, s))
}

/// The control of a report page `kind` with several charts: a select of `charts` (id, words), each pinned as
/// the page's query plus `chart=ID` (the chart the dashboard then draws). Nothing for viewers.
pub fn report_charts(
    st: &WebState,
    s: &Session,
    kind: &str,
    q: &HashMap<String, String>,
    charts: &[(String, String)],
) -> Markup {
    if s.role < Role::Analyst || !tropa_meta::dashboards::TILE_KINDS.contains(&kind) || charts.is_empty() {
        return html! {};
    }
    let query = |id: &str| {
        let mut q = q.clone();
        q.insert("chart".into(), id.to_string());
        tropa_app::reports::canonical_query(q.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    };
    let fields = html! {
        input type="hidden" name="kind" value=(kind);
        label for="pin-chart" { (s.lang.t("fbt_pin_chart")) }
        select id="pin-chart" name="query" {
            @for (id, words) in charts { option value=(query(id)) { (words) } }
        }
    };
    frame(s, fields, s.lang.t(kind_word(kind)), target(st, s))
}

/// The control of a map's page: one of its data lanes `(key, title)` (nothing for viewers or without lanes).
pub fn map_lanes(st: &WebState, s: &Session, map: i64, title: &str, lanes: &[(String, String)]) -> Markup {
    if s.role < Role::Analyst || lanes.is_empty() {
        return html! {};
    }
    let l = s.lang;
    let fields = html! {
        input type="hidden" name="kind" value="map";
        input type="hidden" name="map" value=(map);
        label for="pin-lane" { (l.t("lane")) }
        select id="pin-lane" name="lane" {
            @for (k, name) in lanes { option value=(k) { (name) } }
        }
    };
    frame(s, fields, title, target(st, s))
}
