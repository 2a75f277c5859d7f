//! The funnels page: a builder (steps one per line in the CLI's syntax, `?` for an optional step; mode, window,
//! breakdown, trend, date range) answered with the funnel chart, the step table (conversion, drop-off, median and
//! p90 time), the trend, the breakdown and where the customers who stopped went instead. The form is a GET, so a
//! funnel is saved and shared as its URL. Problems are shown next to their field.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use maud::{html, Markup};
use tropa_app::request::{ExclusionRequest, Filters, FunnelRequest, FunnelStepRequest, NamedEvents, Problems};
use tropa_core::analysis::funnel::FunnelReport;
use tropa_engine::report;
use tropa_render::{FunnelChart, FunnelStep, LineChart, Series, ValueFormat};

use crate::access::{Member, Viewer};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::i18n::Words;
use crate::pages::builder::{report_page, Builder};
use crate::pages::export::Exports;
use crate::ui::form::{FieldErrors, FilterFields};
use crate::ui::picker;
use crate::WebState;
use tropa_app::dictionary::{Choices, Names};

const EXAMPLE: &str = "view_item\nadd_to_cart\nbegin_checkout\npurchase";

/// What the form asks (its fields as typed, defaults filled in).
struct Ask {
    steps: String,
    exclude: String,
    mode: String,
    window: String,
    breakdown: String,
    trend: String,
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
            steps: field("steps", EXAMPLE),
            exclude: field("exclude", ""),
            mode: field("mode", "ordered"),
            window: picker::duration_value(q, "window", "7d"),
            breakdown: field("breakdown", ""),
            trend: field("trend", ""),
            since: field("since", ""),
            until: field("until", ""),
            who: FilterFields::read(q),
        }
    }

    /// The query API's request for the form (steps one per line, `?` for an optional one).
    fn request(&self, l: Lang, problems: &mut Problems) -> FunnelRequest {
        let opt = |v: &str| (!v.is_empty()).then(|| v.to_string());
        let step = |t: &str| match t.strip_prefix('?') {
            Some(rest) => {
                FunnelStepRequest { event: rest.trim().into(), optional: true, min_time: None, max_time: None }
            }
            None => FunnelStepRequest { event: t.into(), optional: false, min_time: None, max_time: None },
        };
        let mut request = FunnelRequest {
            steps: self.steps.lines().map(str::trim).filter(|t| !t.is_empty()).map(step).collect(),
            mode: Some(self.mode.clone()),
            window: Some(self.window.clone()),
            breakdown: opt(&self.breakdown),
            trend: opt(&self.trend),
            exclusions: exclusions(l, &self.exclude, problems),
            filters: Filters { since: opt(&self.since), until: opt(&self.until), ..Filters::default() },
            ..FunnelRequest::default()
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
    let names = Names::of(&st.meta, &s.project).map_err(|e| WebError::internal(&e))?;
    let builder = Builder {
        kind: "funnels",
        translate: |p: &mut Problems| {
            let request = ask.request(l, p);
            (request.spec(p), request.filters.clone(), NamedEvents::events(&request))
        },
        run: report::funnel,
        render: |r: &_, ex: &mut Exports| render(l, &names, r, ex),
        form: |e: &FieldErrors, stages: &[(String, String)], c: &Choices| form(l, &project, &ask, e, (stages, c)),
        report_field: "steps",
        lines_of: "steps",
        arrange: |l, p| exclusions_at_their_box(l, p),
    };
    report_page(&st, &s, &q, builder).await
}

/// The problems of `exclusions[N]` belong to the exclusions box, told as "exclusion N + 1".
fn exclusions_at_their_box(l: Lang, problems: &mut [(String, String)]) {
    for (f, m) in problems.iter_mut() {
        if let Some(rest) = f.strip_prefix("exclusions[") {
            let n = rest.split(']').next().and_then(|n| n.parse::<usize>().ok()).unwrap_or(0);
            *m = format!("{} {}: {m}", l.t("exclusion"), n + 1);
            *f = "exclude".into();
        } else if f == "exclusions" {
            *f = "exclude".into();
        }
    }
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

/// The builder: steps (picked in rows, or written as text) and exclusions, mode, window, breakdown, trend, dates
/// and the customer filters.
fn form(l: Lang, project: &str, a: &Ask, e: &FieldErrors, (stages, c): (&[(String, String)], &Choices)) -> Markup {
    let modes = [("ordered", l.t("mode_ordered")), ("strict", l.t("mode_strict")), ("any", l.t("mode_any"))];
    let trends = [("", "—"), ("day", l.t("day")), ("week", l.t("week")), ("month", l.t("month"))];
    html! {
        form.builder method="get" action="/funnels" {
            input type="hidden" name="project" value=(project);
            div.steps-box {
                span.label { (l.t("steps_rows")) }
                (picker::steps_builder(l, "steps", &a.steps))
                details.advanced data-advanced open {
                    summary { (l.t("steps_as_text")) }
                    (e.textarea("steps", l.t("steps"), &a.steps, 6, ""))
                    p.muted { (l.t("steps_hint")) }
                }
                (e.textarea("exclude", l.t("exclusions"), &a.exclude, 2, "2: support_ticket"))
            }
            div {
                (e.select("mode", l.t("mode"), &a.mode, &modes))
                (picker::duration(l, e, "window", l.t("window"), &a.window))
                (picker::breakdown_select(l, e, &a.breakdown, c))
                (e.select("trend", l.t("trend"), &a.trend, &trends))
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

/// The report: the funnel, its steps, the trend, the breakdown and where those who stopped went instead.
fn render(l: Lang, names: &Names, r: &FunnelReport, ex: &mut Exports) -> Markup {
    let chart = FunnelChart {
        title: l.t("funnel_chart").into(),
        steps: r.steps.iter().map(|s| FunnelStep { label: names.step(&s.event, l), customers: s.customers }).collect(),
    };
    let trend = (!r.trend.is_empty()).then(|| LineChart {
        title: l.t("trend_chart").into(),
        x_labels: r.trend.iter().map(|t| l.date(&t.period)).collect(),
        series: vec![Series {
            name: l.t("conversion").into(),
            values: r.trend.iter().map(|t| Some(t.conversion)).collect(),
        }],
        format: ValueFormat::Percent,
    });
    html! {
        (ex.chart("funnel", &chart))
        (steps_table(l, names, r))
        @if let Some(trend) = &trend { (ex.chart("trend", trend)) }
        @if !r.breakdown.is_empty() { (breakdown_table(l, r)) }
        @if !r.dropoff_next.is_empty() { (went_instead_table(l, names, r)) }
    }
}

/// Each step: customers, conversion from the first and the previous step, drop-off, median and p90 time.
fn steps_table(l: Lang, names: &Names, r: &FunnelReport) -> Markup {
    let loc = l.locale();
    let heads =
        [l.t("customers"), l.t("of_first"), l.t("of_previous"), l.t("dropped"), l.t("median_time"), l.t("p90_time")];
    html! {
        table {
            thead { tr { th { "#" } th { (l.t("step")) } @for h in heads { th.num { (h) } } } }
            tbody {
                @for (i, s) in r.steps.iter().enumerate() {
                    tr {
                        td { (i + 1) }
                        td {
                            (names.step(&s.event, l))
                            @if names.step(&s.event, l) != s.event { " " small.muted.raw { (s.event) } }
                        }
                        td.num { (loc.int(s.customers)) }
                        td.num { (loc.percent(s.conversion)) }
                        td.num { @if i == 0 { "—" } @else { (loc.percent(s.conversion_from_previous)) } }
                        td.num { @if i == 0 { "—" } @else { (loc.int(s.dropoff)) } }
                        td.num { (l.duration(s.median_seconds)) }
                        td.num { (l.duration(s.p90_seconds)) }
                    }
                }
            }
        }
    }
}

/// Conversion by the breakdown's value.
fn breakdown_table(l: Lang, r: &FunnelReport) -> Markup {
    let loc = l.locale();
    html! {
        h2 { (l.t("breakdown")) }
        table {
            thead {
                tr {
                    th { (l.t("value")) }
                    @for h in [l.t("customers"), l.t("converted"), l.t("conversion")] { th.num { (h) } }
                }
            }
            tbody {
                @for b in &r.breakdown {
                    tr {
                        td { (l.channel(&b.value)) }
                        td.num { (loc.int(b.customers)) }
                        td.num { (loc.int(b.converted)) }
                        td.num { (loc.percent(b.conversion)) }
                    }
                }
            }
        }
    }
}

/// What the customers who stopped after a step did next instead.
fn went_instead_table(l: Lang, names: &Names, r: &FunnelReport) -> Markup {
    let loc = l.locale();
    html! {
        h2 { (l.t("went_instead")) }
        table {
            thead {
                tr {
                    th { (l.t("after_step")) }
                    th { (l.t("next_event")) }
                    th.num { (l.t("customers")) }
                    th.num { (l.t("share")) }
                }
            }
            tbody {
                @for d in &r.dropoff_next {
                    tr {
                        td { (d.after_step) }
                        td {
                            @match d.event.as_deref() {
                                Some(e) => {
                                    (names.event(e, l))
                                    @if names.event(e, l) != e { " " small.muted.raw { (e) } }
                                }
                                None => (l.t("end_of_journey")),
                            }
                        }
                        td.num { (loc.int(d.customers)) }
                        td.num { (loc.percent(d.share)) }
                    }
                }
            }
        }
    }
}
