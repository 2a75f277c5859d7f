//! Experiments (A/B tests): the list (status, days running, customers so far, the sample-ratio check) and an
//! experiment's page — the decision its registered rule gives in plain words with its caveats, a sample-ratio
//! mismatch as a blocking warning, the metrics table with intervals (primary and guardrails) and the cumulative
//! lift chart. Variants are assigned by the site's own tool; tropa evaluates.

mod form;

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use tropa_app::experiments::{self, Evaluated};
use tropa_core::analysis::experiment::capping::Cap;
use tropa_core::analysis::experiment::definition::{Decision, ExperimentDefinition};
use tropa_core::analysis::experiment::journey::{JourneyReport, JourneyRow, LaneRow};
use tropa_core::analysis::experiment::report::ExperimentReport;
use tropa_core::analysis::experiment::request::Outcome;
use tropa_core::analysis::experiment::StatsError;
use tropa_render::{BarChart, LineChart, Series, ValueFormat};

use crate::access::{Member, Viewer};
use crate::error::WebError;
use crate::i18n::{Lang, Words};
use crate::ui::chart::svg;
use crate::ui::layout::shell;
use crate::url::enc;
use crate::WebState;

fn pct(l: Lang, v: f64) -> String {
    l.decimal(format!("{:+.1}\u{a0}%", v * 100.0))
}

fn num(l: Lang, v: f64) -> String {
    l.decimal(if v.abs() < 10.0 { format!("{v:.3}") } else { format!("{v:.0}") })
}

fn p3(l: Lang, p: f64) -> String {
    l.decimal(format!("{p:.3}"))
}

async fn evaluate_all(
    st: &Arc<WebState>,
    project: &str,
    defs: Vec<ExperimentDefinition>,
) -> Result<Vec<(ExperimentDefinition, Option<Evaluated>)>, WebError> {
    let engine = st.projects.engine(project).map_err(|e| WebError::internal(&e))?;
    let calendar = st.settings_of(project)?.calendar;
    let now = (st.clock)();
    let stages = tropa_app::definitions::project(&st.meta, project).map_err(|e| WebError::internal(&e))?.definition;
    tokio::task::spawn_blocking(move || {
        defs.into_iter()
            .map(|d| {
                let r = experiments::evaluate(engine.as_ref(), &d, calendar, now, Some(&stages)).ok();
                (d, r)
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| WebError::internal(&e))
}

fn srm_cell(l: Lang, e: Option<&Evaluated>) -> Markup {
    match e.map(|e| &e.report.srm) {
        Some(Outcome::Ok(s)) if s.mismatch => html! { span.bad { (l.t("exp_srm_bad")) } },
        Some(Outcome::Ok(_)) => html! { span { (l.t("exp_srm_ok")) } },
        _ => html! { span.muted { "—" } },
    }
}

pub(crate) use form::save;

pub(crate) async fn list(State(st): State<Arc<WebState>>, m: Member<Viewer>) -> Result<Response, WebError> {
    let s = m.s;
    let l = s.lang;
    let can_edit = s.role >= tropa_meta::Role::Analyst;
    let editing = match m.f.get("edit").map(|k| k.trim()).unwrap_or("") {
        "" if m.f.get("new").is_some_and(|n| n == "1") => Some((form::blank(), false)),
        "" => None,
        key => Some((
            form::draft_of(&experiments::get(&st.meta, &s.project, key).map_err(|_| WebError::NotFound(l))?),
            true,
        )),
    };
    if let (true, Some((draft, edit))) = (can_edit, &editing) {
        let main = html! { h1 { (l.t("experiments")) } (form::form(l, &s, draft, *edit, &[])) };
        return Ok(Html(shell(&s, "experiments", l.t("experiments"), main).into_string()).into_response());
    }
    let defs = experiments::list(&st.meta, &s.project).map_err(|e| WebError::internal(&e))?;
    let rows = evaluate_all(&st, &s.project, defs).await?;
    let main = html! {
        h1 { (l.t("experiments")) }
        p.muted { (l.t("exp_intro")) }
        @if can_edit {
            p { a.button id="exp-new" href={ "/experiments?project=" (enc(&s.project)) "&new=1" } { (l.t("exp_new")) } }
        }
        @if rows.is_empty() { p { (l.t("exp_none")) } }
        @else {
            table.data {
                thead { tr {
                    th { (l.t("exp_key")) } th { (l.t("exp_status")) } th { (l.t("exp_days")) }
                    th { (l.t("exp_sample")) } th { (l.t("exp_srm")) } th { (l.t("exp_decision")) }
                } }
                tbody {
                    @for (d, e) in &rows {
                        tr {
                            td { a href={ "/experiments/" (enc(&d.key)) "?project=" (enc(&s.project)) } { (d.key) }
                                 @if !d.hypothesis.is_empty() { div.muted { (d.hypothesis) } } }
                            td { (l.t(if d.end.is_empty() { "exp_running" } else { "exp_ended" })) }
                            td.num { (e.as_ref().map_or(0, |e| e.days_running)) }
                            td.num { (e.as_ref().map_or(0, |e| e.report.variants.iter().map(|v| v.customers).sum::<u64>())) }
                            td { (srm_cell(l, e.as_ref())) }
                            td { (e.as_ref().map_or(l.t("exp_no_exposures"), |e| decision_short(l, e.decision))) }
                        }
                    }
                }
            }
        }
        (form::calculator(l, "/experiments", &s.project, &m.f, 0.1))
    };
    Ok(Html(shell(&s, "experiments", l.t("experiments"), main).into_string()).into_response())
}

fn decision_short(l: Lang, d: Decision) -> &'static str {
    l.t(match d {
        Decision::DoNotTrust => "exp_d_do_not_trust",
        Decision::KeepRunning => "exp_d_keep_running",
        Decision::Ship => "exp_d_ship",
        Decision::KeepControl => "exp_d_keep_control",
        Decision::Inconclusive => "exp_d_inconclusive",
    })
}

pub(crate) async fn view(
    State(st): State<Arc<WebState>>,
    Path(key): Path<String>,
    m: Member<Viewer>,
) -> Result<Response, WebError> {
    let s = m.s;
    let l = s.lang;
    let def = match experiments::get(&st.meta, &s.project, &key) {
        Ok(d) => d,
        Err(_) => {
            let main = html! { h1 { (l.t("experiments")) } p.bad { (l.t("exp_not_found")) " " (key) } };
            return Ok((
                axum::http::StatusCode::NOT_FOUND,
                Html(shell(&s, "experiments", l.t("experiments"), main).into_string()),
            )
                .into_response());
        }
    };
    let mut rows = evaluate_all(&st, &s.project, vec![def]).await?;
    let (def, e) = rows.remove(0);
    if m.f.get("download").is_some_and(|d| d == "lift") {
        return Ok(match &e {
            Some(e) => {
                let svg = tropa_render::line(&lift_chart(l, &e.report), l.locale());
                ([(axum::http::header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")], svg).into_response()
            }
            None => axum::http::StatusCode::NOT_FOUND.into_response(),
        });
    }
    let pinned: std::collections::HashMap<String, String> = [("key".to_string(), def.key.clone())].into();
    // the calculator starts from the control's primary metric when it is a rate
    let baseline = e
        .as_ref()
        .and_then(|e| e.report.metrics.first())
        .map(|m| m.samples[0].mean)
        .filter(|p| *p > 0.0 && *p < 1.0)
        .unwrap_or(0.1);
    let main = html! {
        h1 { (l.t("experiment")) " " (def.key) }
        @if !def.hypothesis.is_empty() { p { (def.hypothesis) } }
        p.muted {
            (l.t("exp_rule")) ": α = " (l.decimal(def.rule.alpha.to_string())) ", " (l.t("exp_min_effect")) " " (pct(l, def.rule.min_effect)) ", "
            (l.t("exp_min_weeks")) " " (def.rule.min_weeks)
        }
        @if let Some(cap) = def.capping {
            p.muted id="exp-capping" { (l.t("exp_capped")) " " (match cap {
                Cap::Percentile(q) => format!("{} {}", l.t("exp_capped_percentile"), l.decimal(format!("{:.1}", q * 100.0))),
                Cap::Fixed(c) => format!("{} {c}", l.t("exp_capped_fixed")),
            }) }
        }
        @if s.role >= tropa_meta::Role::Analyst {
            p { a id="exp-edit" href={ "/experiments?project=" (enc(&s.project)) "&edit=" (enc(&def.key)) } { (l.t("exp_edit")) } }
        }
        @match &e {
            None => p.bad { (l.t("exp_no_exposures")) },
            Some(e) => { (body(l, &def, e)) (crate::ui::pin::report(&st, &s, "experiments", &pinned)) },
        }
        (form::calculator(l, &format!("/experiments/{}", enc(&def.key)), &s.project, &m.f, baseline))
    };
    Ok(Html(shell(&s, "experiments", l.t("experiments"), main).into_string()).into_response())
}

/// Each variant's primary metric, cumulative by day (the page's chart and a dashboard's tile).
fn lift_chart(l: Lang, r: &ExperimentReport) -> LineChart {
    let names: Vec<String> = r.variants.iter().take(2).map(|v| v.name.clone()).collect();
    let proportion = r.metrics.first().is_some_and(|m| m.samples.iter().all(|x| (0.0..=1.0).contains(&x.mean)));
    LineChart {
        title: l.t("exp_lift_chart").into(),
        x_labels: r.lift.iter().map(|p| tropa_core::time::format_day(p.day)).collect(),
        series: vec![
            Series {
                name: names.first().cloned().unwrap_or_default(),
                values: r.lift.iter().map(|p| Some(p.control)).collect(),
            },
            Series {
                name: names.get(1).cloned().unwrap_or_default(),
                values: r.lift.iter().map(|p| Some(p.treatment)).collect(),
            },
        ],
        format: if proportion { ValueFormat::Percent } else { ValueFormat::Count },
    }
}

fn body(l: Lang, def: &ExperimentDefinition, e: &Evaluated) -> Markup {
    let r = &e.report;
    let metric_names: Vec<&str> =
        std::iter::once(def.primary.as_str()).chain(def.guardrails.iter().map(|g| g.as_str())).collect();
    let lift = lift_chart(l, r);
    let last = r.lift.last().and_then(|p| if let Outcome::Ok(e) = &p.lift { Some(*e) } else { None });
    html! {
        @if let Outcome::Ok(srm) = &r.srm {
            @if srm.mismatch {
                div.panel.bad role="alert" id="srm-warning" {
                    strong { (l.t("exp_srm_bad")) } " "
                    (l.t("exp_srm_explain")) " (χ² = " (l.decimal(format!("{:.1}", srm.chi2))) ", p = " (format!("{:.1e}", srm.p_value)) ")"
                }
            }
        }
        div.panel id="decision" {
            strong { (decision_short(l, e.decision)) } " — " (l.t(match e.decision {
                Decision::DoNotTrust => "exp_w_do_not_trust",
                Decision::KeepRunning => "exp_w_keep_running",
                Decision::Ship => "exp_w_ship",
                Decision::KeepControl => "exp_w_keep_control",
                Decision::Inconclusive => "exp_w_inconclusive",
            }))
            p.muted { (l.t("exp_caveats")) }
        }
        table.data id="variants" {
            thead { tr { th { (l.t("exp_variant")) } th { (l.t("exp_customers")) } th { (l.t("exp_mixed")) } } }
            tbody { @for v in &r.variants { tr { td { (v.name) } td.num { (v.customers) } td.num { (v.mixed) } } } }
        }
        @for p in &r.problems { p.muted { (p) } }
        table.data id="metrics" {
            thead { tr {
                th { (l.t("exp_metric")) } th { (l.t("exp_variant")) } th { (l.t("exp_control_value")) } th { (l.t("exp_value")) }
                th { (l.t("exp_rel_lift")) } th { (l.t("exp_interval")) } th { (l.t("exp_p_adj")) } th { (l.t("exp_chance")) } th { (l.t("exp_cuped")) }
            } }
            tbody {
                @for m in &r.metrics {
                    @for (i, c) in m.comparisons.iter().enumerate() {
                        tr {
                            td { (metric_names.get(m.index).copied().unwrap_or("")) @if m.index == 0 { " · " (l.t("exp_primary")) }
                                 @if let Some(c) = m.cap { div.muted { (l.t("exp_capped_at")) " " (num(l, c)) } } }
                            td { (c.variant) }
                            td.num { (num(l, m.samples[0].mean)) }
                            td.num { (num(l, m.samples[i + 1].mean)) }
                            @match &c.relative {
                                Outcome::Ok(e) => { td.num { (pct(l, e.estimate)) } td.num { (pct(l, e.ci[0])) " … " (pct(l, e.ci[1])) } }
                                Outcome::Err { error } => { td colspan="2" { (error) } }
                            }
                            td.num { (c.p_adjusted.map_or("—".to_string(), |p| p3(l, p))) }
                            td.num { @if let Outcome::Ok(b) = &c.bayes_relative { (l.decimal(format!("{:.0}\u{a0}%", b.chance_to_win * 100.0))) } }
                            td.num { @if let Outcome::Ok(e) = &c.cuped_relative { (pct(l, e.ci[0])) " … " (pct(l, e.ci[1])) } }
                        }
                    }
                }
            }
        }
        p.muted { (l.t("exp_table_hint")) }
        figure.chart id="chart-lift" { (svg(tropa_render::line(&lift, l.locale()))) }
        @if let Some(e) = last {
            p.muted { (l.t("exp_lift")) ": " (pct(l, e.estimate)) " (" (pct(l, e.ci[0])) " … " (pct(l, e.ci[1])) ")" }
        }
        @if let Some(j) = &r.journey { (journey_section(l, j)) }
    }
}

fn lane_word(lane: &str) -> &'static str {
    match lane {
        "reached" => "exp_lane_reached",
        "entered_after_exposure" => "exp_lane_after",
        "conversion_to_next" => "exp_lane_conversion",
        "conversion_from_previous" => "exp_lane_from_previous",
        "drop_share" => "exp_lane_drop",
        "revenue_per_customer" => "exp_lane_revenue",
        "events_per_customer" => "exp_lane_events",
        _ => "exp_lane_hours",
    }
}

fn lane_value(l: Lang, lane: &LaneRow, v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(v) if lane.share => l.decimal(format!("{:.1}\u{a0}%", v * 100.0)),
        Some(v) => num(l, v),
    }
}

fn lane_diff(l: Lang, lane: &LaneRow, v: f64) -> String {
    if lane.share {
        l.decimal(format!("{:+.1}\u{a0}{}", v * 100.0, l.pick("pp", "п.\u{a0}п.")))
    } else {
        l.decimal(format!("{v:+.3}"))
    }
}

/// The share of each variant's customers reaching each stage, side by side (the stage with the smallest
/// Holm-adjusted p highlighted when it is below 0.05).
fn stages_chart(l: Lang, j: &JourneyReport) -> BarChart {
    let mut bars = Vec::new();
    let mut best: Option<(usize, f64)> = None;
    for row in &j.stages {
        let name = row.names.as_ref().map_or(row.key.as_str(), |n| l.pick(&n.en, &n.ru));
        let Some(lane) = row.lanes.first() else { continue };
        for (v, value) in lane.values.iter().enumerate() {
            let variant = v.checked_sub(1).and_then(|c| lane.comparisons.get(c));
            if let Some(p) = variant.and_then(|c| c.p_adjusted).filter(|p| *p < 0.05) {
                if best.is_none_or(|(_, b)| p < b) {
                    best = Some((bars.len(), p));
                }
            }
            let label = match variant {
                Some(c) => c.variant.clone(),
                None => l.t("exp_control").to_string(),
            };
            bars.push((format!("{name} · {label}"), value.unwrap_or(0.0)));
        }
    }
    BarChart { title: l.t("exp_stages_chart").into(), bars, format: ValueFormat::Percent, highlight: best.map(|b| b.0) }
}

fn journey_rows(l: Lang, rows: &[JourneyRow], id: &str) -> Markup {
    html! {
        table.data id=(id) {
            thead { tr {
                th { (l.t(if id == "journey-funnel" { "exp_step" } else { "exp_stage" })) } th { (l.t("exp_lane")) }
                th { (l.t("exp_control_value")) } th { (l.t("exp_variant")) } th { (l.t("exp_value")) }
                th { (l.t("exp_difference")) } th { (l.t("exp_interval")) } th { (l.t("exp_p_adj")) }
            } }
            tbody {
                @for row in rows {
                    @for (li, lane) in row.lanes.iter().enumerate() {
                        @for (c, d) in lane.comparisons.iter().enumerate() {
                            tr data-stage=(row.key) data-lane=(lane.lane) {
                                td { @if li == 0 && c == 0 {
                                    (row.names.as_ref().map_or(row.key.as_str(), |n| l.pick(&n.en, &n.ru)))
                                } }
                                td { (l.t(lane_word(lane.lane))) }
                                td.num { (lane_value(l, lane, lane.values[0])) }
                                td { (d.variant) }
                                td.num { (lane_value(l, lane, lane.values[c + 1])) }
                                @match &d.difference {
                                    Outcome::Ok(e) => {
                                        td.num { (lane_diff(l, lane, e.estimate)) }
                                        td.num { (lane_diff(l, lane, e.ci[0])) " … " (lane_diff(l, lane, e.ci[1])) }
                                    }
                                    Outcome::Err { error } if *error == StatsError::NoVariance.to_string() => {
                                        td colspan="2" .muted title=(error) { (l.t("exp_same_for_all")) }
                                    }
                                    Outcome::Err { error } => { td colspan="2" .muted { (error) } }
                                }
                                td.num {
                                    @match d.p_adjusted {
                                        Some(p) if p < 0.05 => strong { (p3(l, p)) },
                                        Some(p) => (p3(l, p)),
                                        None => "—",
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Where in the journey the change acted: stages and funnel per variant.
fn journey_section(l: Lang, j: &JourneyReport) -> Markup {
    html! {
        section id="journey" {
            h2 { (l.t("exp_journey")) }
            p.muted { (l.t("exp_journey_hint")) " " (l.t("exp_journey_holm")) " (" (j.comparisons) ")." }
            @if !j.stages.is_empty() {
                figure.chart id="chart-stages" { (svg(tropa_render::bars(&stages_chart(l, j), l.locale()))) }
                (journey_rows(l, &j.stages, "journey-stages"))
            }
            @if !j.funnel.is_empty() {
                h3 { (l.t("exp_funnel")) }
                (journey_rows(l, &j.funnel, "journey-funnel"))
            }
        }
    }
}
