//! The overview page: customers, events, the share who bought, revenue (total and per day), where customers are in the journey now (the five
//! stages from awareness to repeat purchase), events by channel and per day. Days are the project's local days
//! (its time zone), revenue is labelled with its currency. `?project=ID` picks the project (default: `default`, else the
//! first).

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use tropa_core::analysis::stages::StagesReport;
use tropa_core::analysis::stats::{CountRow, StatsReport};
use tropa_core::settings::ProjectSettings;
use tropa_engine::report;
use tropa_meta::Project;
use tropa_render::{BarChart, LineChart, Series, ValueFormat};

use crate::access::{Member, Viewer};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::i18n::Words;
use crate::pages::export::Exports;
use crate::project::definition as parsed_definition;
use crate::session::origin;
use crate::ui::chart::card;
use crate::ui::layout::shell;
use crate::WebState;

/// How a site sends its first event: the key to create, the snippet for its pages, a call from a server.
const SNIPPET_TAG: &str = "<script async src=\"/t.js\" data-key=\"tw_…\"></script>";

pub(crate) async fn page(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    m: Member<Viewer>,
) -> Result<Response, WebError> {
    let Member { s, f: q, .. } = m;
    let l = s.lang;
    // the picker offers the projects this user may open
    let projects = st.meta.user_projects(&s.user).map_err(|e| WebError::internal(&e))?;
    let settings = st.settings_of(&s.project)?;
    let (stats, stages) = reports(&st, &s.project, settings).await?;
    let head = html! {
        h1 { (l.t("overview")) }
        (picker(l, &projects, &s.project))
    };
    if stats.events == 0 {
        let main = html! { (head) (no_events(l, &s.project, &origin(&headers))) };
        return Ok(Html(shell(&s, "overview", l.t("overview"), main).into_string()).into_response());
    }
    let mut ex = Exports::new("", l, &q);
    let revenue_label = format!("{}, {}", l.t("revenue"), settings.currency);
    let charts = charts(l, &stats, stages.as_ref(), &revenue_label, &mut ex);
    if let Some(file) = ex.into_file() {
        return Ok(file);
    }
    let main = html! {
        (head)
        (cards(l, &stats, &revenue_label, settings))
        (charts)
    };
    Ok(Html(shell(&s, "overview", l.t("overview"), main).into_string()).into_response())
}

/// The project's numbers and, when it has events, where its customers are in the journey now (the project's
/// definition), off the async threads.
async fn reports(
    st: &WebState,
    project: &str,
    settings: ProjectSettings,
) -> Result<(StatsReport, Option<StagesReport>), WebError> {
    let engine = st.projects.engine(project).map_err(|e| WebError::internal(&e))?;
    let definition = parsed_definition(st, project)?;
    let done = tokio::task::spawn_blocking(move || {
        let spec = tropa_core::analysis::stats::StatsFold { calendar: settings.calendar };
        let stats = report::stats(&*engine, spec, Default::default(), vec![])?;
        let stages = match engine.time_bounds()?.1 {
            Some(now) => {
                let lifecycle = tropa_core::analysis::lifecycle::LifecycleSpec {
                    activity: definition.lifecycle.activity.clone(),
                    thresholds: Default::default(),
                    at: now,
                    transitions: None,
                };
                let spec =
                    tropa_core::analysis::stages::StagesSpec { definition, now, stuck_ms: 14 * 86_400_000, lifecycle };
                Some(report::stages(&*engine, spec, Default::default(), vec![])?)
            }
            None => None,
        };
        Ok::<_, tropa_engine::EngineError>((stats, stages))
    })
    .await;
    done.map_err(|e| WebError::internal(&e))?.map_err(|e| WebError::internal(&e))
}

/// The project picker: the projects this user may open, submitted on change (`/app.js`), with a button
/// without scripts.
fn picker(l: Lang, projects: &[Project], current: &str) -> Markup {
    html! {
        form.muted method="get" action="/" {
            (l.t("project")) ": "
            select name="project" data-autosubmit {
                @for p in projects {
                    option value=(p.slug) selected[p.slug == current] { (p.name) }
                }
            }
            " "
            noscript { button type="submit" { "OK" } }
        }
    }
}

/// A project without events: how to send the first one (a write key, the snippet, or a call from a server).
fn no_events(l: Lang, project: &str, host: &str) -> Markup {
    html! {
        div.empty {
            h2 { (l.t("no_events_title")) }
            p { (l.t("no_events_text")) }
            pre {
                "tropa key create --project " (project) " --kind write\n\n" (SNIPPET_TAG) "\n\n"
                "curl -u tw_…: -H 'Content-Type: application/json' " (host) "/v1/track \\\n"
                "  -d '{\"event\":\"signup\",\"userId\":\"u1\"}'"
            }
        }
    }
}

/// The cards: customers, events, the share who bought, revenue, and the period with events (local days).
fn cards(l: Lang, stats: &StatsReport, revenue_label: &str, settings: ProjectSettings) -> Markup {
    let loc = l.locale();
    let share = if stats.customers > 0 { stats.buyers as f64 / stats.customers as f64 } else { 0.0 };
    let day = |r: Option<&CountRow>| r.map(|r| l.date(&r.value)).unwrap_or_default();
    let period = format!("{} — {}", day(stats.events_by_day.first()), day(stats.events_by_day.last()));
    let revenue = loc.int(stats.revenue.max(0.0).round() as u64);
    html! {
        div.cards {
            (card(&loc.int(stats.customers), l.t("customers"), false))
            (card(&loc.int(stats.events), l.t("events"), false))
            (card(&loc.percent(share), l.t("buyers"), false))
            (card(&revenue, revenue_label, false))
            (card(&period, &format!("{} ({})", l.t("period"), settings.calendar.name()), true))
        }
    }
}

/// The charts: customers by stage now, events by channel, events and revenue per day (the last 60 days).
fn charts(
    l: Lang,
    stats: &StatsReport,
    stages: Option<&StagesReport>,
    revenue_label: &str,
    ex: &mut Exports,
) -> Markup {
    let stages = stages.map(|st| BarChart {
        title: l.t("stages_now").into(),
        bars: st
            .stages
            .iter()
            .map(|x| (if l == Lang::Ru { x.names.ru.clone() } else { x.names.en.clone() }, x.current as f64))
            .collect(),
        format: ValueFormat::Count,
        highlight: None,
    });
    let channels = BarChart {
        title: l.t("top_channels").into(),
        bars: stats.events_by_channel.iter().take(10).map(|r| (l.channel(&r.value), r.events as f64)).collect(),
        format: ValueFormat::Count,
        highlight: None,
    };
    let days: Vec<_> = stats.events_by_day.iter().rev().take(60).rev().collect();
    let trend = LineChart {
        title: l.t("events_by_day").into(),
        x_labels: days.iter().map(|r| l.date(&r.value)).collect(),
        series: vec![Series {
            name: l.t("events").into(),
            values: days.iter().map(|r| Some(r.events as f64)).collect(),
        }],
        format: ValueFormat::Count,
    };
    let revenue_days: Vec<_> = stats.revenue_by_day.iter().rev().take(60).rev().collect();
    let revenue = LineChart {
        title: l.t("revenue_by_day").into(),
        x_labels: revenue_days.iter().map(|r| l.date(&r.value)).collect(),
        series: vec![Series {
            name: revenue_label.to_string(),
            values: revenue_days.iter().map(|r| Some(r.revenue)).collect(),
        }],
        format: ValueFormat::Count,
    };
    html! {
        div.charts {
            @if let Some(chart) = &stages { (ex.chart("stages", chart)) }
            (ex.chart("channels", &channels))
            (ex.chart("events", &trend))
            (ex.chart("revenue", &revenue))
        }
    }
}
