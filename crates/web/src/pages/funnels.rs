//! The funnels page: a builder (steps one per line in the CLI's syntax, `?` for an optional step; mode, window,
//! breakdown, trend, date range) answered with the funnel chart, the step table (conversion, drop-off, median and
//! p90 time), the trend, the breakdown and where the customers who stopped went instead. The form is a GET, so a
//! funnel is saved and shared as its URL. Problems are shown next to their field.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use tropa_engine::report;
use tropa_render::{FunnelChart, FunnelStep, LineChart, Series, ValueFormat};

use super::esc;
use super::export::Exports;
use super::form::{FieldErrors, FilterFields};
use super::i18n::Lang;
use crate::WebState;
use crate::{Member, Viewer};
use tropa_app::request::{ExclusionRequest, Filters, FunnelRequest, FunnelStepRequest, Problems};

const EXAMPLE: &str = "view_item\nadd_to_cart\nbegin_checkout\npurchase";

pub(crate) async fn page(State(st): State<Arc<WebState>>, _headers: HeaderMap, m: Member<Viewer>) -> Response {
    let Member { s, f: q, .. } = m;
    let l = s.lang;
    let field = |k: &str, default: &str| {
        q.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_string())
    };
    let project = s.project.clone();
    let steps_text = field("steps", EXAMPLE);
    let (window, mode, breakdown, trend) =
        (field("window", "7d"), field("mode", "ordered"), field("breakdown", ""), field("trend", ""));
    let (since, until) = (field("since", ""), field("until", ""));
    let opt = |v: &str| (!v.is_empty()).then(|| v.to_string());
    let exclude_text = field("exclude", "");
    let who = FilterFields::read(&q);
    // the project's time zone: dates without an offset and the report's days, weeks and months
    let calendar = match st.settings_of(&s.project) {
        Ok(x) => x.calendar,
        Err(e) => return e.into_response(),
    };
    let mut problems = Problems::new(l.core()).in_calendar(calendar);
    let exclusions = exclusions(l, &exclude_text, &mut problems);
    let mut request = FunnelRequest {
        steps: steps_text
            .lines()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| match t.strip_prefix('?') {
                Some(rest) => {
                    FunnelStepRequest { event: rest.trim().into(), optional: true, min_time: None, max_time: None }
                }
                None => FunnelStepRequest { event: t.into(), optional: false, min_time: None, max_time: None },
            })
            .collect(),
        mode: Some(mode.clone()),
        window: Some(window.clone()),
        breakdown: opt(&breakdown),
        trend: opt(&trend),
        exclusions,
        filters: Filters { since: opt(&since), until: opt(&until), ..Filters::default() },
        ..FunnelRequest::default()
    };
    who.apply(&mut request.filters);
    let spec = request.spec(&mut problems);
    let (scope, state_filter) = request.filters.scope(&mut problems);
    let mut result = String::new();
    let mut ex = Exports::new("funnels", l, &q);
    if let (Some(spec), true) = (spec, problems.0.is_empty()) {
        match super::analysis(&st, &s, (spec, scope, state_filter), report::funnel).await {
            Ok(Ok(r)) => result = render(l, &r, &mut ex),
            Ok(Err(e)) => problems.0.push(("steps".into(), e)),
            Err(r) => return r.into_response(),
        }
    }
    for (f, m) in problems.0.iter_mut() {
        if let Some(rest) = f.strip_prefix("exclusions[") {
            let n = rest.split(']').next().and_then(|n| n.parse::<usize>().ok()).unwrap_or(0);
            *m = format!("{} {}: {m}", l.t("exclusion"), n + 1);
            *f = "exclude".into();
        } else if f == "exclusions" {
            *f = "exclude".into();
        }
    }
    let e = FieldErrors::new(l, &problems.0, "steps");
    let form = format!(
        "<form class=\"builder\" method=\"get\" action=\"/funnels\"><input type=\"hidden\" name=\"project\" value=\"{p}\">\
         <div><label for=\"steps\">{steps_l}</label><textarea id=\"steps\" name=\"steps\" rows=\"6\"{inv_steps}>{steps}</textarea>{err_steps}\
         <p class=\"muted\">{hint}</p><label for=\"exclude\">{excl_l}</label><textarea id=\"exclude\" name=\"exclude\" rows=\"2\" \
         placeholder=\"2: support_ticket\"{inv_excl}>{excl}</textarea>{err_excl}</div><div>{mode}{window}{breakdown}{trend}</div><div>{since}{until}\
         <button type=\"submit\">{run}</button></div>{who}</form>",
        p = esc(&project),
        steps_l = l.t("steps"),
        steps = esc(&steps_text),
        inv_steps = e.invalid_attr("steps"),
        err_steps = e.at_html("steps"),
        hint = l.t("steps_hint"),
        excl_l = l.t("exclusions"),
        inv_excl = e.invalid_attr("exclude"),
        excl = esc(&exclude_text),
        err_excl = e.at_html("exclude"),
        who = who.html_string(l, &e, &super::stages::stage_options(&st, &project, l)),
        mode = e.select_html("mode", l.t("mode"), &mode, &[("ordered", l.t("mode_ordered")), ("strict", l.t("mode_strict")), ("any", l.t("mode_any"))]),
        window = e.input_html("window", l.t("window"), &window, "text", "7d"),
        breakdown = e.input_html("breakdown", l.t("breakdown"), &breakdown, "text", "first_channel"),
        trend = e.select_html("trend", l.t("trend"), &trend, &[("", "—"), ("day", l.t("day")), ("week", l.t("week")), ("month", l.t("month"))]),
        since = e.input_html("since", l.t("since"), &since, "date", ""),
        until = e.input_html("until", l.t("until"), &until, "date", ""),
        run = l.t("run"),
    );
    super::builder_page(&st, &s, "funnels", &q, &form, &result, ex)
}

/// `N: EVENT` lines (an event between step N and N + 1 knocks the customer out), problems at `exclude`.
fn exclusions(l: Lang, text: &str, p: &mut Problems) -> Vec<ExclusionRequest> {
    let mut out = Vec::new();
    for (i, line) in text.lines().map(str::trim).enumerate().filter(|(_, t)| !t.is_empty()) {
        let parsed = line.split_once(':').and_then(|(n, ev)| Some((n.trim().parse::<usize>().ok()?, ev.trim())));
        match parsed {
            Some((after, event)) if !event.is_empty() => out.push(ExclusionRequest { after, event: event.into() }),
            _ => p
                .0
                .push(("exclude".into(), format!("{} {}: '{line}': {}", l.t("line"), i + 1, l.t("exclusion_syntax")))),
        }
    }
    out
}

fn render(l: Lang, r: &tropa_core::analysis::funnel::FunnelReport, ex: &mut Exports) -> String {
    let loc = l.locale();
    let chart = FunnelChart {
        title: l.t("funnel_chart").into(),
        steps: r.steps.iter().map(|s| FunnelStep { label: s.event.clone(), customers: s.customers }).collect(),
    };
    let mut out = ex.chart("funnel", &chart);
    out.push_str(&format!(
        "<table><thead><tr><th>#</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>\
         <th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
        l.t("step"), l.t("customers"), l.t("of_first"), l.t("of_previous"), l.t("dropped"), l.t("median_time"), l.t("p90_time")
    ));
    for (i, s) in r.steps.iter().enumerate() {
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            i + 1,
            esc(&s.event),
            loc.int(s.customers),
            loc.percent(s.conversion),
            if i == 0 { "—".into() } else { loc.percent(s.conversion_from_previous) },
            if i == 0 { "—".into() } else { loc.int(s.dropoff) },
            l.duration(s.median_seconds),
            l.duration(s.p90_seconds),
        ));
    }
    out.push_str("</tbody></table>");
    if !r.trend.is_empty() {
        let trend = LineChart {
            title: l.t("trend_chart").into(),
            x_labels: r.trend.iter().map(|t| l.date(&t.period)).collect(),
            series: vec![Series {
                name: l.t("conversion").into(),
                values: r.trend.iter().map(|t| Some(t.conversion)).collect(),
            }],
            format: ValueFormat::Percent,
        };
        out.push_str(&ex.chart("trend", &trend));
    }
    if !r.breakdown.is_empty() {
        out.push_str(&format!(
            "<h2>{}</h2><table><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
            l.t("breakdown"), l.t("value"), l.t("customers"), l.t("converted"), l.t("conversion")
        ));
        for b in &r.breakdown {
            out.push_str(&format!(
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(&l.channel(&b.value)),
                loc.int(b.customers),
                loc.int(b.converted),
                loc.percent(b.conversion)
            ));
        }
        out.push_str("</tbody></table>");
    }
    if !r.dropoff_next.is_empty() {
        out.push_str(&format!(
            "<h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
            l.t("went_instead"), l.t("after_step"), l.t("next_event"), l.t("customers"), l.t("share")
        ));
        for d in &r.dropoff_next {
            out.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                d.after_step,
                esc(d.event.as_deref().unwrap_or(l.t("end_of_journey"))),
                loc.int(d.customers),
                loc.percent(d.share)
            ));
        }
        out.push_str("</tbody></table>");
    }
    out
}
