//! The retention page: the cohort heatmap (who came back period after period, by the period of their first start
//! event) and the overall curve — per breakdown value too — from a GET form (start and return events, period,
//! columns, mode, breakdown, dates). Problems are shown next to their field.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use maud::{html, Markup};
use tropa_app::request::{Filters, NamedEvents, Problems, RetentionRequest};
use tropa_core::analysis::retention::RetentionReport;
use tropa_engine::report;
use tropa_render::{Heatmap, LineChart, Series, ValueFormat};

use crate::access::{Member, Viewer};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::i18n::Words;
use crate::pages::builder::{report_page, Builder};
use crate::pages::export::Exports;
use crate::ui::form::{FieldErrors, FilterFields};
use crate::ui::picker::{self, combobox, Combo};
use crate::WebState;
use tropa_app::dictionary::Choices;

/// What the form asks (its fields as typed, defaults filled in).
struct Ask {
    start: String,
    ret: String,
    period: String,
    periods: String,
    mode: String,
    breakdown: String,
    since: String,
    until: String,
    who: FilterFields,
}

impl Ask {
    fn read(q: &HashMap<String, String>) -> Ask {
        let field = |k: &str, default: &str| {
            q.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_string())
        };
        Ask {
            start: field("start", "*"),
            ret: field("return", "*"),
            period: field("period", "week"),
            periods: field("periods", "8"),
            mode: field("mode", "on"),
            breakdown: field("breakdown", ""),
            since: field("since", ""),
            until: field("until", ""),
            who: FilterFields::read(q),
        }
    }

    /// The query API's request for the form.
    fn request(&self, l: Lang, problems: &mut Problems) -> RetentionRequest {
        let opt = |v: &str| (!v.is_empty()).then(|| v.to_string());
        let periods = match self.periods.parse::<usize>() {
            Ok(n) => Some(n),
            Err(_) => {
                problems.0.push(("periods".into(), format!("'{}' {}", self.periods, l.t("not_whole_number"))));
                None
            }
        };
        let mut request = RetentionRequest {
            start: Some(self.start.clone()),
            return_event: Some(self.ret.clone()),
            period: Some(self.period.clone()),
            periods,
            mode: Some(self.mode.clone()),
            breakdown: opt(&self.breakdown),
            filters: Filters { since: opt(&self.since), until: opt(&self.until), ..Filters::default() },
            ..RetentionRequest::default()
        };
        self.who.apply(&mut request.filters);
        request
    }
}

pub(crate) async fn page(State(st): State<Arc<WebState>>, m: Member<Viewer>) -> Result<Response, WebError> {
    let Member { s, f: q, .. } = m;
    let l = s.lang;
    let ask = Ask::read(&q);
    let project = s.project.clone();
    let builder = Builder {
        kind: "retention",
        translate: |p: &mut Problems| {
            let request = ask.request(l, p);
            (request.spec(p), request.filters.clone(), NamedEvents::events(&request))
        },
        run: report::retention,
        render: |r: &_, ex: &mut Exports| render(l, r, ex),
        form: |e: &FieldErrors, stages: &[(String, String)], c: &Choices| form(l, &project, &ask, e, (stages, c)),
        report_field: "retention",
        lines_of: "",
        arrange: |_, _| (),
    };
    report_page(&st, &s, &q, builder).await
}

/// The builder: start and return events, period, columns, mode, breakdown, dates and the customer filters.
fn form(l: Lang, project: &str, a: &Ask, e: &FieldErrors, (stages, c): (&[(String, String)], &Choices)) -> Markup {
    let periods = [("day", l.t("day")), ("week", l.t("week")), ("month", l.t("month"))];
    let modes = [("on", l.t("ret_on")), ("on-or-after", l.t("ret_on_or_after"))];
    html! {
        form.builder method="get" action="/retention" {
            input type="hidden" name="project" value=(project);
            div {
                (combobox(&Combo { id: "start", name: "start", label: l.t("cohort_event"), value: &a.start, source: picker::EVENTS, placeholder: "*", role: "" }, Some(e)))
                (combobox(&Combo { id: "return", name: "return", label: l.t("return_event"), value: &a.ret, source: picker::EVENTS, placeholder: "*", role: "" }, Some(e)))
                p.muted { (l.t("retention_hint")) }
                (e.at("retention"))
            }
            div {
                (e.select("period", l.t("period_unit"), &a.period, &periods))
                (e.input("periods", l.t("columns"), &a.periods, "number", "8"))
                (e.select("mode", l.t("mode"), &a.mode, &modes))
                (picker::breakdown_select(l, e, &a.breakdown, c))
            }
            div {
                (e.input("since", l.t("since"), &a.since, "date", ""))
                (e.input("until", l.t("until"), &a.until, "date", ""))
                button type="submit" { (l.t("run")) }
            }
            (a.who.html(l, e, stages))
        }
    }
}

/// The report: the retention curve (overall and for up to four breakdown values) and the cohort heatmap.
fn render(l: Lang, r: &RetentionReport, ex: &mut Exports) -> Markup {
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
    html! {
        (ex.chart("curve", &curve))
        (ex.chart("cohorts", &map))
        @if let Some(until) = &r.observed_until {
            p.muted { (l.t("observed_until")) ": " (l.date(until.get(..10).unwrap_or(until))) }
        }
    }
}
