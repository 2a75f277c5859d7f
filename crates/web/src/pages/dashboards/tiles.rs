//! A dashboard's charts. A report tile is computed by its own page — the page's handler asked for its chart as
//! a download, with the tile's parameters and the dashboard's period — so a pinned chart always shows what its
//! page shows, read by the same request translator; a map tile is a data lane of the map per stage
//! (`tropa_app::dashboards::map_lane`). Results are kept in the state's `TileCache` under the tile, the period,
//! the language and the project's data version, so a dashboard whose results exist opens without a scan.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use maud::{html, Markup};
use tropa_app::dashboards::{data_version, map_lane, tile_query};
use tropa_app::reports::canonical_query;
use tropa_core::cjm::JourneyMap;
use tropa_meta::{DashboardPeriod, Tile};

use crate::access::{Member, Viewer};
use crate::error::WebError;
use crate::i18n::{Lang, Words};
use crate::pages::{attribution, experiments, feedback, funnels, paths, retention, stages};
use crate::session::Session;
use crate::ui::chart::svg;
pub(crate) use crate::ui::pin::kind_word;
use crate::WebState;

/// A tile's charts: this period's and, when the dashboard compares, the previous period's (None: nothing to
/// draw — no data, or the report cannot be read for this period).
pub(crate) struct Drawn {
    pub now: Option<Arc<String>>,
    pub before: Option<Option<Arc<String>>>,
}

/// The chart each report page gives a dashboard (the first of its page).
fn chart_of(kind: &str) -> &'static str {
    match kind {
        "funnels" => "funnel",
        "paths" => "paths",
        "retention" => "curve",
        "attribution" => "attr-markov",
        "feedback" => "trend",
        "experiments" => "lift",
        _ => "now",
    }
}

/// The same reader for another request.
fn again(s: &Session) -> Session {
    Session { user: s.user.clone(), csrf: s.csrf.clone(), lang: s.lang, project: s.project.clone(), role: s.role }
}

/// Every tile of a dashboard for its period (and the previous one when it compares), computed side by side.
pub(crate) async fn draw_all(
    st: &Arc<WebState>,
    s: &Session,
    tiles: &[Tile],
    p: &DashboardPeriod,
) -> Result<Vec<Drawn>, WebError> {
    let engine = crate::project::engine(st, s, &s.project)?;
    let version = data_version(&st.meta, &*engine, &s.project).map_err(|e| WebError::internal(&e))?;
    let mut periods = vec![(p.since.clone(), p.until.clone())];
    periods.extend(super::compared(p));
    let mut jobs = tokio::task::JoinSet::new();
    for (i, t) in tiles.iter().enumerate() {
        for (slot, (since, until)) in periods.iter().enumerate() {
            let (st, s, t) = (st.clone(), again(s), t.clone());
            let (since, until, version) = (since.clone(), until.clone(), version.clone());
            jobs.spawn(async move { (i, slot, draw(&st, &s, &t, (&since, &until), &version).await) });
        }
    }
    let mut out: Vec<Drawn> =
        tiles.iter().map(|_| Drawn { now: None, before: (periods.len() > 1).then_some(None) }).collect();
    while let Some(done) = jobs.join_next().await {
        let (i, slot, chart) = done.map_err(|e| WebError::internal(&e))?;
        match slot {
            0 => out[i].now = chart?,
            _ => out[i].before = Some(chart?),
        }
    }
    Ok(out)
}

/// One tile for one period, from the cache when it was drawn for the same data.
async fn draw(
    st: &Arc<WebState>,
    s: &Session,
    t: &Tile,
    (since, until): (&str, &str),
    version: &str,
) -> Result<Option<Arc<String>>, WebError> {
    let pairs = tile_query(t, since, until);
    let map = match t.map_id {
        Some(id) => match st.meta.map_version(&s.project, id, None).map_err(|e| WebError::internal(&e))? {
            Some(v) => Some((JourneyMap::from_json(&v.document).map_err(|e| WebError::internal(&e))?, v.version)),
            None => return Ok(None),
        },
        None => None,
    };
    // an experiment's chart follows its definition too (dates, metrics), which the data's version does not see
    let definition = match t.kind.as_str() {
        "experiments" => {
            let key = pairs.iter().find(|(k, _)| k == "key").map_or("", |(_, v)| v.as_str());
            let stored = st.meta.experiment(&s.project, key).map_err(|e| WebError::internal(&e))?;
            stored.map_or(0, |e| e.updated_at)
        }
        _ => 0,
    };
    let key = format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{:?}\u{1f}{}\u{1f}{}\u{1f}{since}..{until}\u{1f}{}\u{1f}{version}\u{1f}{definition}",
        s.project,
        t.kind,
        canonical_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        t.map_id,
        map.as_ref().map_or(0, |m| m.1),
        t.lane,
        s.lang.code(),
    );
    if let Some(hit) = st.tiles.get(&key) {
        return Ok((!hit.is_empty()).then_some(hit));
    }
    let drawn = match map {
        Some((map, _)) => lane_chart(st, s, map, &t.lane, (since, until)).await?,
        None => report_chart(st, s, &t.kind, pairs).await?,
    };
    let kept = st.tiles.put(key, drawn.unwrap_or_default());
    Ok((!kept.is_empty()).then_some(kept))
}

/// A report page's chart for the tile's parameters: the page itself asked for its chart as SVG.
async fn report_chart(
    st: &Arc<WebState>,
    s: &Session,
    kind: &str,
    pairs: Vec<(String, String)>,
) -> Result<Option<String>, WebError> {
    let mut q: HashMap<String, String> = pairs.into_iter().collect();
    q.insert("project".into(), s.project.clone());
    // a page with several charts names the pinned one (`chart`); an attribution pinned with a period draws its
    // conversions over time; else the page's first chart
    let chart = match q.get("chart") {
        Some(c) => c.clone(),
        None if kind == "attribution" && q.get("period").is_some_and(|p| !p.is_empty()) => "attr-periods".into(),
        None => chart_of(kind).into(),
    };
    q.insert("download".into(), chart);
    q.insert("format".into(), "svg".into());
    let m = Member::<Viewer>::checked(again(s), q);
    let answer = match kind {
        "funnels" => funnels::page(State(st.clone()), m).await,
        "paths" => paths::page(State(st.clone()), m).await,
        "retention" => retention::page(State(st.clone()), m).await,
        "stages" => stages::page(State(st.clone()), HeaderMap::new(), m).await,
        "attribution" => attribution::page(State(st.clone()), m).await,
        "feedback" => feedback::page(State(st.clone()), m).await,
        "experiments" => {
            let key = m.f.get("key").cloned().unwrap_or_default();
            experiments::view(State(st.clone()), axum::extract::Path(key), m).await
        }
        _ => return Ok(None),
    };
    let res = match answer {
        Ok(r) => r,
        Err(WebError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let is_svg = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"image/svg"));
    if res.status() != StatusCode::OK || !is_svg {
        // the report cannot be read for this period (its page shows why); the tile says so
        return Ok(None);
    }
    let bytes = axum::body::to_bytes(res.into_body(), 64 << 20).await.map_err(|e| WebError::internal(&e))?;
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// A map's data lane per stage.
async fn lane_chart(
    st: &Arc<WebState>,
    s: &Session,
    map: JourneyMap,
    lane: &str,
    (since, until): (&str, &str),
) -> Result<Option<String>, WebError> {
    let engine = crate::project::engine(st, s, &s.project)?;
    let calendar = st.settings_of(&s.project)?.calendar;
    let (lane, since, until) = (lane.to_string(), since.to_string(), until.to_string());
    let loc = s.lang.locale();
    // the project's ad spend, for the lane "cost per customer reaching the stage"
    let spend = if lane == "cost_per_customer" {
        tropa_app::costs::rows(&st.meta, &s.project, None, None).map_err(|e| WebError::internal(&e))?
    } else {
        Vec::new()
    };
    let chart =
        tokio::task::spawn_blocking(move || map_lane(&*engine, &map, &lane, (&since, &until), calendar, &spend))
            .await
            .map_err(|e| WebError::internal(&e))?;
    match chart {
        Ok(Some(c)) => Ok(Some(tropa_render::bars(&c, loc))),
        Ok(None) | Err(_) => Ok(None),
    }
}

/// A tile's figures: the chart, or both periods side by side with their dates.
pub(crate) fn figures(l: Lang, d: &Drawn, p: &DashboardPeriod) -> Markup {
    let one = |chart: &Option<Arc<String>>| {
        html! {
            @match chart {
                Some(c) => figure.chart { (svg(c.to_string())) },
                None => p.empty { (l.t("tile_empty")) },
            }
        }
    };
    html! {
        @match (&d.before, super::compared(p)) {
            (Some(before), Some((since, until))) => {
                div.compare {
                    div {
                        p.muted.caption { (l.t("this_period")) ": " (super::period_words(l, &DashboardPeriod { compare: String::new(), ..p.clone() })) }
                        (one(&d.now))
                    }
                    div {
                        p.muted.caption { (l.t("previous_period")) ": " (super::period_words(l, &DashboardPeriod { since, until, compare: String::new() })) }
                        (one(before))
                    }
                }
            }
            _ => (one(&d.now)),
        }
    }
}
