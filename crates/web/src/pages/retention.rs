//! The retention page: the cohort heatmap (who came back period after period, by the period of their first start
//! event) and the overall curve — per breakdown value too — from a GET form (start and return events, period,
//! columns, mode, breakdown, dates). Problems are shown next to their field.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use tropa_core::analysis::retention::RetentionReport;
use tropa_engine::report;
use tropa_render::{Heatmap, LineChart, Series, ValueFormat};

use super::esc;
use super::export::Exports;
use super::form::{FieldErrors, FilterFields};
use super::i18n::Lang;
use crate::WebState;
use crate::{Member, Viewer};
use tropa_app::request::{Filters, Problems, RetentionRequest};

pub(crate) async fn page(State(st): State<Arc<WebState>>, _headers: HeaderMap, m: Member<Viewer>) -> Response {
    let Member { s, f: q, .. } = m;
    let l = s.lang;
    let field = |k: &str, default: &str| {
        q.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_string())
    };
    let project = s.project.clone();
    let (start, ret) = (field("start", "*"), field("return", "*"));
    let (period, periods, mode) = (field("period", "week"), field("periods", "8"), field("mode", "on"));
    let (breakdown, since, until) = (field("breakdown", ""), field("since", ""), field("until", ""));
    let opt = |v: &str| (!v.is_empty()).then(|| v.to_string());
    // the project's time zone: dates without an offset and the report's days, weeks and months
    let calendar = match st.settings_of(&s.project) {
        Ok(x) => x.calendar,
        Err(e) => return e.into_response(),
    };
    let mut problems = Problems::new(l.core()).in_calendar(calendar);
    let periods_n = match periods.parse::<usize>() {
        Ok(n) => Some(n),
        Err(_) => {
            problems.0.push(("periods".into(), format!("'{periods}' is not a whole number")));
            None
        }
    };
    let who = FilterFields::read(&q);
    let mut request = RetentionRequest {
        start: Some(start.clone()),
        return_event: Some(ret.clone()),
        period: Some(period.clone()),
        periods: periods_n,
        mode: Some(mode.clone()),
        breakdown: opt(&breakdown),
        filters: Filters { since: opt(&since), until: opt(&until), ..Filters::default() },
        ..RetentionRequest::default()
    };
    who.apply(&mut request.filters);
    let spec = request.spec(&mut problems);
    let (scope, state_filter) = request.filters.scope(&mut problems);
    let mut result = String::new();
    let mut ex = Exports::new("retention", l, &q);
    if let (Some(spec), true) = (spec, problems.0.is_empty()) {
        match super::analysis(&st, &s, (spec, scope, state_filter), report::retention).await {
            Ok(Ok(r)) => result = render(l, &r, &mut ex),
            Ok(Err(e)) => problems.0.push(("retention".into(), e)),
            Err(r) => return r.into_response(),
        }
    }
    let e = FieldErrors::new(l, &problems.0, "");
    let form = format!(
        "<form class=\"builder\" method=\"get\" action=\"/retention\"><input type=\"hidden\" name=\"project\" value=\"{p}\">\
         <div>{start}{ret}<p class=\"muted\">{hint}</p>{general}</div><div>{period}{periods}{mode}{breakdown}</div>\
         <div>{since}{until}<button type=\"submit\">{run}</button></div>{who}</form>",
        p = esc(&project),
        start = e.input_html("start", l.t("cohort_event"), &start, "text", "*"),
        ret = e.input_html("return", l.t("return_event"), &ret, "text", "*"),
        hint = l.t("retention_hint"),
        general = e.at_html("retention"),
        period = e.select_html("period", l.t("period_unit"), &period, &[("day", l.t("day")), ("week", l.t("week")), ("month", l.t("month"))]),
        periods = e.input_html("periods", l.t("columns"), &periods, "number", "8"),
        mode = e.select_html("mode", l.t("mode"), &mode, &[("on", l.t("ret_on")), ("on-or-after", l.t("ret_on_or_after"))]),
        breakdown = e.input_html("breakdown", l.t("breakdown"), &breakdown, "text", "first_channel"),
        since = e.input_html("since", l.t("since"), &since, "date", ""),
        until = e.input_html("until", l.t("until"), &until, "date", ""),
        run = l.t("run"),
        who = who.html_string(l, &e, &super::stages::stage_options(&st, &project, l)),
    );
    super::builder_page(&st, &s, "retention", &q, &form, &result, ex)
}

fn render(l: Lang, r: &RetentionReport, ex: &mut Exports) -> String {
    let columns: Vec<String> = (0..=r.periods).map(|k| k.to_string()).collect();
    let map = Heatmap {
        title: l.t("cohorts_chart").into(),
        row_labels: r.cohorts.iter().map(|c| l.date(&c.cohort)).collect(),
        row_sizes: r.cohorts.iter().map(|c| c.curve.customers).collect(),
        col_labels: columns.clone(),
        cells: r.cohorts.iter().map(|c| c.curve.rates.clone()).collect(),
    };
    let mut series = vec![Series { name: l.t("all_customers").into(), values: r.overall.rates.clone() }];
    // four values at most: five lines stay readable and their legend fits
    for b in r.breakdown.iter().take(4) {
        series.push(Series { name: l.channel(&b.value), values: b.curve.rates.clone() });
    }
    let curve = LineChart { title: l.t("curve_chart").into(), x_labels: columns, series, format: ValueFormat::Percent };
    let mut out = ex.chart("curve", &curve);
    out.push_str(&ex.chart("cohorts", &map));
    if let Some(until) = &r.observed_until {
        out.push_str(&format!(
            "<p class=\"muted\">{}: {}</p>",
            l.t("observed_until"),
            esc(&l.date(until.get(..10).unwrap_or(until)))
        ));
    }
    out
}
