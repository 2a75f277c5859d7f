//! The attribution page: conversions and revenue each channel (source, medium, campaign) earns under every model
//! side by side — a table and a bar chart per model —, with spend, ROAS and CPA when the project has imported ad
//! costs, how many touches the lookback cut, and the journeys behind the numbers (assists, converting sequences,
//! days to convert). A GET form like the other report pages; problems beside their fields.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use maud::{html, Markup};
use tropa_app::costs::Economics;
use tropa_app::request::{AttributionRequest, Filters, NamedEvents, Problems};
use tropa_core::analysis::attribution::costs::CostReport;
use tropa_core::analysis::attribution::{AttributionReport, Model, TouchField};
use tropa_engine::report;
use tropa_render::{BarChart, ValueFormat};

use crate::access::{Member, Viewer};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::i18n::Words;
use crate::pages::builder::{report_page, Builder};
use crate::pages::export::Exports;
use crate::ui::form::{FieldErrors, FilterFields};
use crate::ui::picker::{self, combobox, Combo};
use crate::WebState;

mod periods;
use tropa_app::dictionary::Choices;

/// What the form asks (the first visit: purchases by channel over 30 days).
struct Ask {
    conversion: String,
    by: String,
    lookback: String,
    every: bool,
    ignore_direct: bool,
    order: String,
    /// `day`, `week`, `month` or empty (the whole range only).
    period: String,
    /// The model of the per-period table and chart.
    pmodel: String,
    since: String,
    until: String,
    who: FilterFields,
}

impl Ask {
    fn read(q: &HashMap<String, String>) -> Ask {
        let field = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
        let first_visit = q.keys().all(|k| ["project", "download", "format", "since", "until"].contains(&k.as_str()));
        let or = |v: String, d: &str| if v.is_empty() { d.to_string() } else { v };
        Ask {
            conversion: if first_visit { "purchase".into() } else { field("conversion") },
            by: or(field("by"), "channel"),
            lookback: if first_visit { "30d".into() } else { field("lookback") },
            every: q.get("every").is_some_and(|v| v == "on"),
            ignore_direct: q.get("ignore_direct").is_some_and(|v| v == "on"),
            order: or(field("order"), "1"),
            period: field("period"),
            pmodel: or(field("pmodel"), "markov"),
            since: field("since"),
            until: field("until"),
            who: FilterFields::read(q),
        }
    }

    fn request(&self) -> AttributionRequest {
        let opt = |v: &str| (!v.is_empty()).then(|| v.to_string());
        let mut request = AttributionRequest {
            conversion: self.conversion.clone(),
            every: self.every,
            by: opt(&self.by),
            lookback: Some(self.lookback.clone()),
            ignore_direct: self.ignore_direct,
            order: self.order.parse().ok(),
            top: Some(10),
            period: opt(&self.period),
            filters: Filters { since: opt(&self.since), until: opt(&self.until), ..Filters::default() },
            ..AttributionRequest::default()
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
    let request = ask.request();
    // the spend of the report's days (by the dates of since/until), when the project has imported any
    let (since, until) = (request.filters.since.as_deref(), request.filters.until.as_deref());
    let spend =
        tropa_app::costs::rows_of_report(&st.meta, &project, since, until).map_err(|e| WebError::internal(&e))?;
    let currency = st.settings_of(&project)?.currency.to_string();
    let by = request.by.as_deref().map_or_else(TouchField::channel, TouchField::parse);
    let head = match ask.by.as_str() {
        "source" => "attr_by_source",
        "medium" => "attr_by_medium",
        "campaign" => "attr_by_campaign",
        _ => "attr_by_channel",
    };
    let builder = Builder {
        kind: "attribution",
        translate: |p: &mut Problems| (request.spec(p), request.filters.clone(), NamedEvents::events(&request)),
        run: report::attribution,
        render: |r: &AttributionReport, ex: &mut Exports| {
            let eco = Economics::of(r, &spend, &by);
            let pmodel = Model::parse(&ask.pmodel).unwrap_or(Model::Markov);
            let mut page = render(l, r, (eco.costs.as_ref(), l.t(head)), &currency, ex);
            if r.period.is_some() {
                let periods = periods::section(l, r, &eco, (pmodel, l.t(head), &currency), ex);
                page = html! { (page) (periods) };
            }
            page
        },
        form: |e: &FieldErrors, stages: &[(String, String)], c: &Choices| form(l, &project, &ask, e, (stages, c)),
        report_field: "conversion",
        lines_of: "",
        arrange: |_, _| (),
    };
    report_page(&st, &s, &q, builder).await
}

fn form(l: Lang, project: &str, a: &Ask, e: &FieldErrors, (stages, c): (&[(String, String)], &Choices)) -> Markup {
    let _ = c;
    let by = [
        ("channel", l.t("attr_by_channel")),
        ("source", l.t("attr_by_source")),
        ("medium", l.t("attr_by_medium")),
        ("campaign", l.t("attr_by_campaign")),
    ];
    let orders = [("1", "1"), ("2", "2"), ("3", "3")];
    let periods = [
        ("", l.t("attr_period_none")),
        ("day", l.t("attr_per_day")),
        ("week", l.t("attr_per_week")),
        ("month", l.t("attr_per_month")),
    ];
    let models: Vec<(&str, &str)> = Model::ALL.iter().map(|m| (m.key(), model_name(l, *m))).collect();
    html! {
        form.builder method="get" action="/attribution" {
            input type="hidden" name="project" value=(project);
            div {
                (combobox(&Combo { id: "conversion", name: "conversion", label: l.t("conversion_event"), value: &a.conversion, source: picker::EVENTS, placeholder: "purchase where revenue > 1000", role: "" }, Some(e)))
                (e.select("by", l.t("attr_by"), &a.by, &by))
                (e.input("lookback", l.t("attr_lookback"), &a.lookback, "text", "30d"))
            }
            div {
                label { input type="checkbox" name="every" checked[a.every]; " " (l.t("attr_every")) }
                label { input type="checkbox" name="ignore_direct" checked[a.ignore_direct]; " " (l.t("attr_ignore_direct")) }
                (e.select("order", l.t("attr_order"), &a.order, &orders))
                (e.select("period", l.t("attr_period"), &a.period, &periods))
                (e.select("pmodel", l.t("attr_period_model"), &a.pmodel, &models))
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

pub(crate) fn model_name(l: Lang, m: Model) -> &'static str {
    l.t(match m {
        Model::FirstTouch => "model_first_touch",
        Model::LastTouch => "model_last_touch",
        Model::LastNonDirect => "model_last_non_direct",
        Model::Linear => "model_linear",
        Model::TimeDecay => "model_time_decay",
        Model::PositionBased => "model_position_based",
        Model::Markov => "model_markov",
        Model::Shapley => "model_shapley",
    })
}

/// A decimal in the reader's way (`1 234,5` in Russian).
pub(crate) fn dec(l: Lang, x: f64, digits: usize) -> String {
    let text = format!("{x:.digits$}");
    let (int, frac) = text.split_once('.').map_or((text.as_str(), ""), |(a, b)| (a, b));
    let neg = int.starts_with('-');
    let grouped = l.locale().int(int.trim_start_matches('-').parse().unwrap_or(0));
    let sign = if neg { "-" } else { "" };
    match (frac.is_empty(), l) {
        (true, _) => format!("{sign}{grouped}"),
        (false, Lang::Ru) => format!("{sign}{grouped},{frac}"),
        (false, _) => format!("{sign}{grouped}.{frac}"),
    }
}

pub(crate) fn label(l: Lang, r: &AttributionReport, text: &str) -> String {
    // channel groups read in the reader's language; sources and campaigns as they are
    let _ = r;
    l.channel(text)
}

fn render(
    l: Lang,
    r: &AttributionReport,
    (costs, head): (Option<&CostReport>, &str),
    currency: &str,
    ex: &mut Exports,
) -> Markup {
    let loc = l.locale();
    let credit = |row: &tropa_core::analysis::attribution::AttributionRow, k: usize, revenue: bool| {
        row.credits[k].map(|c| if revenue { c.revenue } else { c.conversions })
    };
    html! {
        p.attr-summary {
            (l.t("attr_conversions")) ": " b { (loc.int(r.conversions)) } " · "
            (l.t("revenue")) ": " b { (dec(l, r.revenue, 0)) " " (currency) } " · "
            (l.t("attr_touches")) ": " (loc.int(r.touches))
        }
        p.attr-cut role="note" {
            (l.t("attr_cut")) ": " b { (loc.int(r.cut_touches)) }
            @if r.unattributed > 0 { " · " (l.t("attr_unattributed")) ": " (loc.int(r.unattributed)) }
        }
        @for (title, revenue) in [(l.t("attr_conversions_by_model"), false), (l.t("attr_revenue_by_model"), true)] {
            h2 { (title) }
            div.table-wrap {
                table.attr-models {
                    thead { tr {
                        th { (head) }
                        th.num { (l.t("attr_touches")) }
                        @for m in &r.models { th.num { (model_name(l, *m)) } }
                    } }
                    tbody {
                        @for row in &r.rows {
                            tr {
                                td { (label(l, r, &row.label)) }
                                td.num { (loc.int(row.touches)) }
                                @for k in 0..r.models.len() {
                                    td.num { (credit(row, k, revenue).map_or("—".into(), |v| dec(l, v, if revenue { 0 } else { 1 }))) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !r.shapley.other.is_empty() {
            p.muted { (l.t("attr_shapley_other")) ": " (r.shapley.other.join(", ")) }
        }
        @if let Some(c) = costs { (cost_table(l, r, c, (currency, head))) }
        h2 { (l.t("attr_charts")) }
        div.attr-charts {
            @for (k, m) in r.models.iter().enumerate() {
                (ex.chart(&format!("attr-{}", m.key()), &BarChart {
                    title: model_name(l, *m).to_string(),
                    bars: r.rows.iter().map(|row| (label(l, r, &row.label), credit(row, k, false).unwrap_or(0.0))).collect(),
                    format: ValueFormat::Count,
                    highlight: None,
                }))
            }
        }
        (journeys(l, r, head))
    }
}

fn cost_table(l: Lang, r: &AttributionReport, c: &CostReport, (currency, head): (&str, &str)) -> Markup {
    html! {
        h2 { (l.t("attr_costs")) }
        div.table-wrap {
            table.attr-costs {
                thead { tr {
                    th { (head) }
                    th.num { (l.t("attr_cost")) " (" (currency) ")" }
                    @for m in &r.models { th.num { "ROAS · " (model_name(l, *m)) } }
                    th.num { "CPA · " (model_name(l, Model::Markov)) }
                } }
                tbody {
                    @for e in &c.labels {
                        tr {
                            td { (label(l, r, &e.label)) }
                            td.num { (dec(l, e.cost, 0)) }
                            @for m in &e.models {
                                td.num { (m.and_then(|m| m.roas).map_or("—".into(), |v| dec(l, v, 2))) }
                            }
                            td.num { (e.models.get(Model::Markov as usize).copied().flatten().and_then(|m| m.cpa).map_or("—".into(), |v| dec(l, v, 0))) }
                        }
                    }
                }
            }
        }
        @if !c.unmatched.is_empty() {
            p.attr-unmatched role="note" {
                (l.t("attr_unmatched")) ": "
                (c.unmatched.iter().map(|(k, v)| format!("{} {}", label(l, r, k), dec(l, *v, 0))).collect::<Vec<_>>().join(", "))
            }
        }
    }
}

fn journeys(l: Lang, r: &AttributionReport, head: &str) -> Markup {
    let loc = l.locale();
    let j = &r.journeys;
    html! {
        h2 { (l.t("attr_journeys")) }
        div.attr-journeys {
            table {
                thead { tr { th { (head) } th.num { (l.t("attr_assisted")) } th.num { (l.t("attr_last")) } } }
                tbody { @for a in &j.assists { tr { td { (label(l, r, &a.label)) } td.num { (loc.int(a.assisted)) } td.num { (loc.int(a.last)) } } } }
            }
            table {
                thead { tr { th { (l.t("attr_sequence")) } th.num { (l.t("attr_conversions")) } } }
                tbody { @for s in &j.top_sequences {
                    tr { td { (s.labels.iter().map(|x| label(l, r, x)).collect::<Vec<_>>().join(" → ")) } td.num { (loc.int(s.conversions)) } }
                } }
            }
            table {
                thead { tr { th.num { (l.t("attr_days")) } th.num { (l.t("attr_conversions")) } } }
                tbody { @for (d, n) in j.days_to_convert.iter().take(15) { tr { td.num { (d) } td.num { (loc.int(*n)) } } } }
            }
        }
    }
}
