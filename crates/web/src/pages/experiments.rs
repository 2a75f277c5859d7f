//! Experiments (A/B tests): the list (status, days running, customers so far, the sample-ratio check) and an
//! experiment's page — the decision its registered rule gives in plain words with its caveats, a sample-ratio
//! mismatch as a blocking warning, the metrics table with intervals (primary and guardrails) and the cumulative
//! lift chart. Variants are assigned by the site's own tool; tropa evaluates.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use tropa_app::experiments::{self, Evaluated};
use tropa_core::analysis::experiment::definition::{Decision, ExperimentDefinition};
use tropa_core::analysis::experiment::report::ExperimentReport;
use tropa_core::analysis::experiment::request::Outcome;
use tropa_render::{LineChart, Series, ValueFormat};

use crate::access::{Member, Viewer};
use crate::error::WebError;
use crate::i18n::{Lang, Words};
use crate::ui::chart::svg;
use crate::ui::layout::shell;
use crate::url::enc;
use crate::WebState;

fn pct(v: f64) -> String {
    format!("{:+.1} %", v * 100.0)
}

fn num(v: f64) -> String {
    if v.abs() < 10.0 {
        format!("{v:.3}")
    } else {
        format!("{v:.0}")
    }
}

async fn evaluate_all(
    st: &Arc<WebState>,
    project: &str,
    defs: Vec<ExperimentDefinition>,
) -> Result<Vec<(ExperimentDefinition, Option<Evaluated>)>, WebError> {
    let engine = st.projects.engine(project).map_err(|e| WebError::internal(&e))?;
    let calendar = st.settings_of(project)?.calendar;
    let now = (st.clock)();
    tokio::task::spawn_blocking(move || {
        defs.into_iter()
            .map(|d| {
                let r = experiments::evaluate(engine.as_ref(), &d, calendar, now).ok();
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

pub(crate) async fn list(State(st): State<Arc<WebState>>, m: Member<Viewer>) -> Result<Response, WebError> {
    let s = m.s;
    let l = s.lang;
    let defs = experiments::list(&st.meta, &s.project).map_err(|e| WebError::internal(&e))?;
    let rows = evaluate_all(&st, &s.project, defs).await?;
    let main = html! {
        h1 { (l.t("experiments")) }
        p.muted { (l.t("exp_intro")) }
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
    let main = html! {
        h1 { (l.t("experiment")) " " (def.key) }
        @if !def.hypothesis.is_empty() { p { (def.hypothesis) } }
        p.muted {
            (l.t("exp_rule")) ": α = " (def.rule.alpha) ", " (l.t("exp_min_effect")) " " (pct(def.rule.min_effect)) ", "
            (l.t("exp_min_weeks")) " " (def.rule.min_weeks)
        }
        @match &e {
            None => p.bad { (l.t("exp_no_exposures")) },
            Some(e) => { (body(l, &def, e)) (crate::ui::pin::report(&st, &s, "experiments", &pinned)) },
        }
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
                    (l.t("exp_srm_explain")) " (χ² = " (format!("{:.1}", srm.chi2)) ", p = " (format!("{:.1e}", srm.p_value)) ")"
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
                            td { (metric_names.get(m.index).copied().unwrap_or("")) @if m.index == 0 { " · " (l.t("exp_primary")) } }
                            td { (c.variant) }
                            td.num { (num(m.samples[0].mean)) }
                            td.num { (num(m.samples[i + 1].mean)) }
                            @match &c.relative {
                                Outcome::Ok(e) => { td.num { (pct(e.estimate)) } td.num { (pct(e.ci[0])) " … " (pct(e.ci[1])) } }
                                Outcome::Err { error } => { td colspan="2" { (error) } }
                            }
                            td.num { (c.p_adjusted.map_or("—".to_string(), |p| format!("{p:.3}"))) }
                            td.num { @if let Outcome::Ok(b) = &c.bayes_relative { (format!("{:.0} %", b.chance_to_win * 100.0)) } }
                            td.num { @if let Outcome::Ok(e) = &c.cuped_relative { (pct(e.ci[0])) " … " (pct(e.ci[1])) } }
                        }
                    }
                }
            }
        }
        p.muted { (l.t("exp_table_hint")) }
        figure.chart id="chart-lift" { (svg(tropa_render::line(&lift, l.locale()))) }
        @if let Some(e) = last {
            p.muted { (l.t("exp_lift")) ": " (pct(e.estimate)) " (" (pct(e.ci[0])) " … " (pct(e.ci[1])) ")" }
        }
    }
}
