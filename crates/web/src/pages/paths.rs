//! The paths page: the Sankey diagram of the paths after a start event (or before an end event), the top paths
//! with their share and conversion, from a GET form (start, end, depth, repeats collapsed, session gap,
//! conversion event, dates). Problems are shown next to their field.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use tropa_core::analysis::paths::PathsReport;
use tropa_engine::report;
use tropa_render::{Sankey, SankeyLink, SankeyNode};

use super::esc;
use super::export::Exports;
use super::form::{FieldErrors, FilterFields};
use super::i18n::Lang;
use crate::WebState;
use crate::{Member, Viewer};
use tropa_app::request::{Filters, PathsRequest, Problems};

pub(crate) async fn page(State(st): State<Arc<WebState>>, _headers: HeaderMap, m: Member<Viewer>) -> Response {
    let Member { s, f: q, .. } = m;
    let l = s.lang;
    let field = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let first_visit = q.is_empty() || (q.len() == 1 && q.contains_key("project"));
    let project = s.project.clone();
    let from = if first_visit { "view_item".to_string() } else { field("from") };
    let (to, conversion, session_gap) =
        (field("to"), if first_visit { "purchase".into() } else { field("conversion") }, field("session"));
    let depth = Some(field("depth")).filter(|d| !d.is_empty()).unwrap_or_else(|| "4".into());
    let collapse = first_visit || q.get("collapse").is_some_and(|v| v == "on");
    let (since, until) = (field("since"), field("until"));
    let opt = |v: &str| (!v.is_empty()).then(|| v.to_string());
    // the project's time zone: dates without an offset and the report's days, weeks and months
    let calendar = match st.settings_of(&s.project) {
        Ok(x) => x.calendar,
        Err(e) => return e.into_response(),
    };
    let mut problems = Problems::new(l.core()).in_calendar(calendar);
    let depth_n = match depth.parse::<usize>() {
        Ok(n) => Some(n),
        Err(_) => {
            problems.0.push(("depth".into(), format!("'{depth}' is not a whole number")));
            None
        }
    };
    let who = FilterFields::read(&q);
    let mut request = PathsRequest {
        from: opt(&from),
        to: opt(&to),
        depth: depth_n,
        collapse,
        session: opt(&session_gap),
        top: Some(20),
        conversion: opt(&conversion),
        filters: Filters { since: opt(&since), until: opt(&until), ..Filters::default() },
    };
    who.apply(&mut request.filters);
    let spec = request.spec(&mut problems);
    let (scope, state_filter) = request.filters.scope(&mut problems);
    let mut result = String::new();
    let mut ex = Exports::new("paths", l, &q);
    if let (Some(spec), true) = (spec, problems.0.is_empty()) {
        match super::analysis(&st, &s, (spec, scope, state_filter), report::paths).await {
            Ok(Ok(r)) => result = render(l, &r, &mut ex),
            Ok(Err(e)) => problems.0.push(("paths".into(), e)),
            Err(r) => return r.into_response(),
        }
    }
    let e = FieldErrors::new(l, &problems.0, "");
    let depths: Vec<(String, String)> = (2..=8).map(|d| (d.to_string(), d.to_string())).collect();
    let depth_opts: Vec<(&str, &str)> = depths.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let form = format!(
        "<form class=\"builder\" method=\"get\" action=\"/paths\"><input type=\"hidden\" name=\"project\" value=\"{p}\">\
         <div>{from}{to}<p class=\"muted\">{hint}</p>{general}</div><div>{depth}<label><input type=\"checkbox\" name=\"collapse\" {checked}> {collapse_l}</label>\
         {session}{conversion}</div><div>{since}{until}<button type=\"submit\">{run}</button></div>{who}</form>",
        p = esc(&project),
        from = e.input_html("from", l.t("paths_from"), &from, "text", "view_item"),
        to = e.input_html("to", l.t("paths_to"), &to, "text", "purchase"),
        hint = l.t("paths_hint"),
        general = e.at_html("paths"),
        depth = e.select_html("depth", l.t("depth"), &depth, &depth_opts),
        checked = if collapse { "checked" } else { "" },
        collapse_l = l.t("collapse"),
        session = e.input_html("session", l.t("session_gap"), &session_gap, "text", "30m"),
        conversion = e.input_html("conversion", l.t("conversion_event"), &conversion, "text", "purchase"),
        since = e.input_html("since", l.t("since"), &since, "date", ""),
        until = e.input_html("until", l.t("until"), &until, "date", ""),
        run = l.t("run"),
        who = who.html_string(l, &e, &super::stages::stage_options(&st, &project, l)),
    );
    super::builder_page(&st, &s, "paths", &q, &form, &result, ex)
}

fn render(l: Lang, r: &PathsReport, ex: &mut Exports) -> String {
    let loc = l.locale();
    let min_depth = r.nodes.iter().map(|n| n.depth).min().unwrap_or(0);
    let id = |depth: usize, event: &str| format!("{depth}:{event}");
    let label = |event: &str| match event {
        "$end" => l.t("path_end").to_string(),
        "$start" => l.t("path_start").to_string(),
        e => e.to_string(),
    };
    let chart = Sankey {
        title: l.t("paths_chart").into(),
        nodes: r
            .nodes
            .iter()
            .map(|n| SankeyNode {
                id: id(n.depth, &n.event),
                column: n.depth - min_depth,
                label: label(&n.event),
                value: n.customers,
            })
            .collect(),
        links: r
            .links
            .iter()
            .map(|k| SankeyLink {
                from: id(k.from_depth, &k.from),
                to: id(k.from_depth + 1, &k.to),
                value: k.customers,
            })
            .collect(),
    };
    let mut out = format!(
        "{}<p class=\"muted\">{}: {} · {}: {}</p>",
        ex.chart("paths", &chart),
        l.t("customers"),
        loc.int(r.total),
        l.t("distinct_paths"),
        loc.int(r.distinct_paths)
    );
    let conv = r.converted.is_some();
    out.push_str(&format!(
        "<table><thead><tr><th>#</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>{}</tr></thead><tbody>",
        l.t("path"),
        l.t("customers"),
        l.t("share"),
        if conv { format!("<th class=\"num\">{}</th>", l.t("conversion")) } else { String::new() }
    ));
    for (i, p) in r.paths.iter().enumerate() {
        let steps: Vec<String> = p.events.iter().map(|e| esc(&label(e))).collect();
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>{}</tr>",
            i + 1,
            steps.join(" → "),
            loc.int(p.customers),
            loc.percent(p.share),
            p.conversion.map(|c| format!("<td class=\"num\">{}</td>", loc.percent(c))).unwrap_or_default()
        ));
    }
    out.push_str("</tbody></table>");
    out
}
