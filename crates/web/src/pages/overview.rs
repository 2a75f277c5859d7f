//! The overview page: customers, events, the share who bought, revenue (total and per day), where customers are in the journey now (the five
//! stages from awareness to repeat purchase), events by channel and per day. Days are the project's local days
//! (its time zone), revenue is labelled with its currency. `?project=ID` picks the project (default: `default`, else the
//! first).

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use tropa_engine::report;
use tropa_render::{BarChart, LineChart, Series, ValueFormat};

use super::export::Exports;
use super::{esc, shell};
use crate::WebState;
use crate::{Member, Viewer};

pub(crate) async fn page(State(st): State<Arc<WebState>>, headers: HeaderMap, m: Member<Viewer>) -> Response {
    let Member { s, f: q, .. } = m;
    let l = s.lang;
    // the picker offers the projects this user may open
    let projects = match st.meta.user_projects(&s.user) {
        Ok(p) => p,
        Err(e) => return super::internal(&e),
    };
    let project = s.project.clone();
    let engine = match st.projects.engine(&project) {
        Ok(e) => e,
        Err(e) => return super::internal(&e),
    };
    let definition = match super::stages::parsed_definition(&st, &project) {
        Ok(d) => d,
        Err(r) => return r.into_response(),
    };
    let settings = match st.settings_of(&project) {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let reports = tokio::task::spawn_blocking(move || {
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
    let (stats, stages) = match reports {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return super::internal(&e),
        Err(e) => return super::internal(&e),
    };
    let options: String = projects
        .iter()
        .map(|p| {
            let sel = if p.slug == project { " selected" } else { "" };
            format!("<option value=\"{}\"{sel}>{}</option>", esc(&p.slug), esc(&p.name))
        })
        .collect();
    let picker = format!(
        "<form method=\"get\" action=\"/\" class=\"muted\">{}: <select name=\"project\" data-autosubmit>{options}</select> \
         <noscript><button type=\"submit\">OK</button></noscript></form>",
        l.t("project")
    );
    let mut main = format!("<h1>{}</h1>{picker}", l.t("overview"));
    if stats.events == 0 {
        main.push_str(&format!(
            "<div class=\"empty\"><h2>{}</h2><p>{}</p><pre>tropa key create --project {p} --kind write\n\n\
             &lt;script async src=\"/t.js\" data-key=\"tw_…\"&gt;&lt;/script&gt;\n\n\
             curl -u tw_…: -H 'Content-Type: application/json' {host}/v1/track \\\n  -d '{{\"event\":\"signup\",\"userId\":\"u1\"}}'</pre></div>",
            l.t("no_events_title"),
            l.t("no_events_text"),
            p = esc(&project),
            host = esc(headers.get("host").and_then(|h| h.to_str().ok()).map(|h| format!("http://{h}")).as_deref().unwrap_or("http://127.0.0.1:8080")),
        ));
        return Html(shell(&s, "overview", l.t("overview"), &main)).into_response();
    }
    let loc = l.locale();
    let mut ex = Exports::new("", l, &q);
    let share = if stats.customers > 0 { stats.buyers as f64 / stats.customers as f64 } else { 0.0 };
    let card = |n: String, label: &str| {
        format!("<div class=\"card\"><div class=\"n\">{n}</div><div class=\"l\">{label}</div></div>")
    };
    main.push_str("<div class=\"cards\">");
    main.push_str(&card(loc.int(stats.customers), l.t("customers")));
    main.push_str(&card(loc.int(stats.events), l.t("events")));
    main.push_str(&card(loc.percent(share), l.t("buyers")));
    let revenue_label = format!("{}, {}", l.t("revenue"), settings.currency);
    main.push_str(&card(loc.int(stats.revenue.max(0.0).round() as u64), &esc(&revenue_label)));
    // the first and the last local day with events
    let day = |r: Option<&tropa_core::analysis::stats::CountRow>| r.map(|r| l.date(&r.value)).unwrap_or_default();
    let period = format!("{} — {}", day(stats.events_by_day.first()), day(stats.events_by_day.last()));
    main.push_str(&format!(
        "<div class=\"card\"><div class=\"n small\">{period}</div><div class=\"l\">{} ({})</div></div>",
        l.t("period"),
        esc(settings.calendar.name())
    ));
    main.push_str("</div><div class=\"charts\">");
    if let Some(st) = &stages {
        let chart = BarChart {
            title: l.t("stages_now").into(),
            bars: st
                .stages
                .iter()
                .map(|x| {
                    (if l == crate::i18n::Lang::Ru { x.names.ru.clone() } else { x.names.en.clone() }, x.current as f64)
                })
                .collect(),
            format: ValueFormat::Count,
            highlight: None,
        };
        main.push_str(&ex.chart("stages", &chart));
    }
    let channels = BarChart {
        title: l.t("top_channels").into(),
        bars: stats.events_by_channel.iter().take(10).map(|r| (l.channel(&r.value), r.events as f64)).collect(),
        format: ValueFormat::Count,
        highlight: None,
    };
    main.push_str(&ex.chart("channels", &channels));
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
    main.push_str(&ex.chart("events", &trend));
    let revenue_days: Vec<_> = stats.revenue_by_day.iter().rev().take(60).rev().collect();
    let revenue = LineChart {
        title: l.t("revenue_by_day").into(),
        x_labels: revenue_days.iter().map(|r| l.date(&r.value)).collect(),
        series: vec![Series {
            name: revenue_label.clone(),
            values: revenue_days.iter().map(|r| Some(r.revenue)).collect(),
        }],
        format: ValueFormat::Count,
    };
    main.push_str(&ex.chart("revenue", &revenue));
    main.push_str("</div>");
    if let Some(file) = ex.into_file() {
        return file;
    }
    Html(shell(&s, "overview", l.t("overview"), &main)).into_response()
}
