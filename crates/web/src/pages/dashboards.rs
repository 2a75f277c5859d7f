//! Dashboards: the list of a project's dashboards, one dashboard with its pinned charts in a grid under one
//! period (a date range and, optionally, the previous period of the same length beside each chart), and the
//! changes analysts make — create, rename, keep a period, move a chart up or down, unpin it, delete the
//! dashboard (confirmed by `assets/app.js` through `data-confirm`). Charts are pinned from the report pages
//! (`ui/pin.rs` posts to [`pin`]); each is computed by its own page ([`tiles`]) and cached. Share links and the
//! public read-only page are in [`share`].

pub mod share;
pub mod tiles;

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use tropa_app::dashboards::{self as app, previous, read_period};
use tropa_app::AppError;
use tropa_meta::{DashboardInfo, DashboardPeriod, Move, NewTile, Role, Tile};

use crate::access::{Analyst, Member, Viewer};
use crate::error::WebError;
use crate::i18n::{Lang, Words};
use crate::session::{origin, redirect, Session};
use crate::ui::form::{csrf_field, FieldErrors};
use crate::ui::layout::shell;
use crate::url::enc;
use crate::WebState;

fn field<'a>(q: &'a HashMap<String, String>, k: &str) -> &'a str {
    q.get(k).map(|v| v.trim()).unwrap_or("")
}

fn page(s: &Session, status: StatusCode, title: &str, main: Markup) -> Response {
    let mut res = (status, Html(shell(s, "dashboards", title, main).into_string())).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, "no-store".parse().expect("a header value"));
    res
}

fn hidden(s: &Session) -> Markup {
    html! {
        (csrf_field(&s.csrf))
        input type="hidden" name="project" value=(s.project);
    }
}

/// The URL of dashboard `id` in the session's project.
pub(crate) fn url(s: &Session, id: i64) -> String {
    format!("/dashboards/{id}?project={}", enc(&s.project))
}

/// An application error as the page answers it: what is missing is 404, a refused value a problem at its field.
fn refused(l: Lang, e: AppError) -> Result<(String, String), WebError> {
    match e {
        AppError::Invalid { field, reason } => Ok((field.to_string(), reason.words(l))),
        other => Err(failed(l, other)),
    }
}

/// An application error of a change that takes no input: 404 for what is missing, else a server fault.
fn failed(l: Lang, e: AppError) -> WebError {
    match e {
        AppError::NotFound(_) => WebError::NotFound(l),
        other => WebError::internal(&other),
    }
}

// ---- the list -------------------------------------------------------------------------------------------------

pub(crate) async fn list(State(st): State<Arc<WebState>>, m: Member<Viewer>) -> Result<Response, WebError> {
    list_page(&st, &m.s, &[], "", StatusCode::OK)
}

fn list_page(
    st: &WebState,
    s: &Session,
    problems: &[(String, String)],
    name: &str,
    status: StatusCode,
) -> Result<Response, WebError> {
    let l = s.lang;
    let all = st.meta.dashboards(&s.project).map_err(|e| WebError::internal(&e))?;
    let e = FieldErrors::new(l, problems, "");
    let main = html! {
        h1 { (l.t("dashboards")) }
        p.muted { (l.t("dashboards_hint")) }
        @if all.is_empty() {
            p { (l.t("no_dashboards")) }
        } @else {
            ul.dashboards {
                @for d in &all {
                    li {
                        a href=(url(s, d.id)) { (d.name) }
                        " " span.muted { "· " (l.t("charts")) ": " (d.tiles) " · " (period_words(l, &period_of(d))) }
                    }
                }
            }
        }
        @if s.role >= Role::Analyst {
            form.inline.newdash method="post" action="/dashboards" {
                (hidden(s))
                (e.input("name", l.t("new_dashboard"), name, "text", l.t("dashboard_name_example")))
                button type="submit" { (l.t("create")) }
            }
        }
    };
    Ok(page(s, status, l.t("dashboards"), main))
}

pub(crate) async fn create(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Result<Response, WebError> {
    let s = &m.s;
    let now = (st.clock)();
    match app::create(&st.meta, &crate::audit::who(&st, s), &s.project, m.field("name"), now) {
        Ok(d) => Ok(redirect(&url(s, d.id))),
        Err(e) => {
            let p = refused(s.lang, e)?;
            list_page(&st, s, &[p], m.field("name"), StatusCode::BAD_REQUEST)
        }
    }
}

// ---- one dashboard --------------------------------------------------------------------------------------------

fn period_of(d: &DashboardInfo) -> DashboardPeriod {
    DashboardPeriod { since: d.since.clone(), until: d.until.clone(), compare: d.compare.clone() }
}

/// A period for people: `2026-03-01 — 2026-03-31`, open ends as "all time", and the comparison.
pub(crate) fn period_words(l: Lang, p: &DashboardPeriod) -> String {
    let range = match (p.since.as_str(), p.until.as_str()) {
        ("", "") => l.t("all_time").to_string(),
        (s, "") => format!("{} {}", l.t("from_date"), l.date(s)),
        ("", u) => format!("{} {}", l.t("before_date"), l.date(u)),
        (s, u) => format!("{} — {}", l.date(s), l.date(&last_day(u))),
    };
    if p.compare == "previous" {
        format!("{range} · {}", l.t("compared_previous"))
    } else {
        range
    }
}

/// The last day inside a range that ends before `until`.
fn last_day(until: &str) -> String {
    tropa_core::cjm::parse_date(until)
        .map(|ms| tropa_core::time::format_day(ms.div_euclid(86_400_000) - 1))
        .unwrap_or_else(|_| until.to_string())
}

pub(crate) async fn view(
    State(st): State<Arc<WebState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    m: Member<Viewer>,
) -> Result<Response, WebError> {
    let Member { s, f: q, .. } = m;
    let d = app::get(&st.meta, &s.project, id).map_err(|e| failed(s.lang, e))?;
    // a period asked for in the page's form, else the dashboard's own
    let asked = q.contains_key("compare") || q.contains_key("since") || q.contains_key("until");
    let (period, problems) = if asked {
        match read_period(field(&q, "since"), field(&q, "until"), field(&q, "compare")) {
            Ok(p) => (p, vec![]),
            Err(v) => (period_of(&d), v.into_iter().map(|(f, r)| (f.to_string(), r.words(s.lang))).collect()),
        }
    } else {
        (period_of(&d), vec![])
    };
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let form = Shown { asked: (field(&q, "since"), field(&q, "until"), field(&q, "compare")), problems: &problems };
    let main = dashboard_page(&st, &s, &d, (&period, &form), &q, &origin(&headers)).await?;
    Ok(page(&s, status, &d.name, main))
}

/// The period form as the reader filled it, with its problems.
struct Shown<'a> {
    asked: (&'a str, &'a str, &'a str),
    problems: &'a [(String, String)],
}

async fn dashboard_page(
    st: &Arc<WebState>,
    s: &Session,
    d: &DashboardInfo,
    (period, shown): (&DashboardPeriod, &Shown<'_>),
    q: &HashMap<String, String>,
    origin: &str,
) -> Result<Markup, WebError> {
    let l = s.lang;
    let tiles = st.meta.tiles(&s.project, d.id).map_err(|e| WebError::internal(&e))?;
    let drawn = tiles::draw_all(st, s, &tiles, period).await?;
    let editor = s.role >= Role::Analyst;
    let stored = period_of(d);
    Ok(html! {
        h1 { (d.name) }
        p.muted { (period_words(l, period)) }
        @if let Some(n) = q.get("done").filter(|n| !n.is_empty()) { p.ok role="status" { (l.t(done_key(n))) } }
        (share::created_note(l, origin, field(q, "share")))
        (period_form(s, d, period, shown, editor && *period != stored))
        @if tiles.is_empty() {
            p.empty { (l.t("no_tiles")) }
        } @else {
            div.tiles {
                @for (i, (t, charts)) in tiles.iter().zip(&drawn).enumerate() {
                    (tile(s, d.id, t, charts, period, TilePlace { first: i == 0, last: i + 1 == tiles.len(), editor }))
                }
            }
        }
        @if editor {
            (manage(st, s, d))
        }
    })
}

fn done_key(n: &str) -> &'static str {
    match n {
        "pinned" => "tile_pinned",
        "period" => "period_kept",
        "renamed" => "dashboard_renamed",
        _ => "saved_note",
    }
}

/// The period picker: a date range and the comparison, shown for anyone (a GET); analysts may keep it as the
/// dashboard's own.
fn period_form(s: &Session, d: &DashboardInfo, p: &DashboardPeriod, shown: &Shown<'_>, can_keep: bool) -> Markup {
    let l = s.lang;
    let e = FieldErrors::new(l, shown.problems, "");
    let (since, until, compare) =
        if shown.problems.is_empty() { (p.since.as_str(), p.until.as_str(), p.compare.as_str()) } else { shown.asked };
    let compares = [("none", l.t("compare_none")), ("previous", l.t("compare_previous"))];
    html! {
        form.builder.period method="get" action={ "/dashboards/" (d.id) } {
            input type="hidden" name="project" value=(s.project);
            div {
                (e.input("since", l.t("since"), since, "date", ""))
                (e.input("until", l.t("until_excl"), until, "date", ""))
            }
            div {
                (e.select("compare", l.t("compare_with"), compare, &compares))
                button type="submit" { (l.t("show_period")) }
            }
        }
        @if can_keep {
            form.inline method="post" action={ "/dashboards/" (d.id) "/edit" } {
                (hidden(s))
                input type="hidden" name="action" value="period";
                input type="hidden" name="since" value=(p.since);
                input type="hidden" name="until" value=(p.until);
                input type="hidden" name="compare" value=(p.compare);
                button.secondary type="submit" { (l.t("keep_period")) }
            }
        }
    }
}

#[derive(Clone, Copy)]
struct TilePlace {
    first: bool,
    last: bool,
    editor: bool,
}

/// The link that opens a tile's report with its parameters (a map tile opens its map).
fn report_link(s: &Session, t: &Tile, p: &DashboardPeriod) -> String {
    match t.map_id {
        Some(map) => format!("/maps/{map}?project={}", enc(&s.project)),
        None => {
            let pairs = app::tile_query(t, &p.since, &p.until);
            // an experiment's tile opens the experiment's own page (its dates are the experiment's)
            if t.kind == "experiments" {
                let key = pairs.iter().find(|(k, _)| k == "key").map_or("", |(_, v)| v.as_str());
                return format!("/experiments/{}?project={}", enc(key), enc(&s.project));
            }
            let q = tropa_app::reports::canonical_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            format!("/{}?project={}&{q}", t.kind, enc(&s.project))
        }
    }
}

fn tile(s: &Session, id: i64, t: &Tile, charts: &tiles::Drawn, p: &DashboardPeriod, at: TilePlace) -> Markup {
    let l = s.lang;
    let step = |action: &str, label: &str, text: &str, on: bool| {
        html! {
            @if on {
                form.inline method="post" action={ "/dashboards/" (id) "/edit" } {
                    (hidden(s))
                    input type="hidden" name="action" value=(action);
                    input type="hidden" name="tile" value=(t.id);
                    button.link type="submit" title=(label) aria-label={ (label) ": " (t.title) } { (text) }
                }
            }
        }
    };
    html! {
        article.tile id={ "tile-" (t.id) } {
            header {
                h2 { (t.title) }
                @if t.title != l.t(tiles::kind_word(&t.kind)) { span.muted.kind { (l.t(tiles::kind_word(&t.kind))) } }
                span.grow {}
                @if at.editor {
                    (step("up", l.t("move_up"), "↑", !at.first))
                    (step("down", l.t("move_down"), "↓", !at.last))
                    (step("remove", l.t("unpin"), "×", true))
                }
            }
            (tiles::figures(l, charts, p))
            p.open { a href=(report_link(s, t, p)) { (l.t("open_report")) " →" } }
        }
    }
}

/// Analysts' tools under the charts: rename, share links, delete (asked first).
fn manage(st: &WebState, s: &Session, d: &DashboardInfo) -> Markup {
    let l = s.lang;
    let shares = st.meta.dashboard_shares(&s.project, d.id, (st.clock)()).unwrap_or_default();
    html! {
        div.manage {
            form.inline method="post" action={ "/dashboards/" (d.id) "/edit" } {
                (hidden(s))
                input type="hidden" name="action" value="rename";
                label for="rename" { (l.t("rename_dashboard")) } " "
                input id="rename" name="name" value=(d.name) required maxlength="120";
                " "
                button.secondary type="submit" { (l.t("rename")) }
            }
            (share::panel(s, d.id, &shares))
            form.inline method="post" action={ "/dashboards/" (d.id) "/delete" } data-confirm=(l.t("confirm_delete_dashboard")) {
                (hidden(s))
                button.danger type="submit" { (l.t("delete_dashboard")) }
            }
        }
    }
}

/// `POST /dashboards/{id}/edit`: `action` = `rename` (name), `period` (since, until, compare), `up`, `down` or
/// `remove` (tile).
pub(crate) async fn edit(
    State(st): State<Arc<WebState>>,
    Path(id): Path<i64>,
    m: Member<Analyst>,
) -> Result<Response, WebError> {
    let s = &m.s;
    let (meta, now, who) = (&st.meta, (st.clock)(), crate::audit::who(&st, s));
    let tile: i64 = m.field("tile").parse().unwrap_or(0);
    let done = match m.field("action") {
        "rename" => app::rename(meta, &who, &s.project, id, m.field("name"), now).map(|_| "renamed"),
        "period" => match read_period(m.field("since"), m.field("until"), m.field("compare")) {
            Ok(p) => app::set_period(meta, &who, &s.project, id, &p, now).map(|_| "period"),
            Err(v) => return again(&st, s, id, v.into_iter().map(|(f, r)| (f.to_string(), r.words(s.lang))).collect()),
        },
        "up" => app::move_tile(meta, &who, &s.project, id, tile, Move::Up, now).map(|_| ""),
        "down" => app::move_tile(meta, &who, &s.project, id, tile, Move::Down, now).map(|_| ""),
        "remove" => app::unpin(meta, &who, &s.project, id, tile, now).map(|_| ""),
        _ => return Err(WebError::BadRequest(s.lang, StatusCode::BAD_REQUEST, "not_a_form")),
    };
    match done {
        Ok(n) => {
            let anchor = if tile > 0 && n.is_empty() { format!("#tile-{tile}") } else { String::new() };
            Ok(redirect(&format!("{}&done={n}{anchor}", url(s, id))))
        }
        Err(e) => {
            let p = refused(s.lang, e)?;
            again(&st, s, id, vec![p])
        }
    }
}

/// The dashboard again with the problems of a change (400).
fn again(st: &Arc<WebState>, s: &Session, id: i64, problems: Vec<(String, String)>) -> Result<Response, WebError> {
    let l = s.lang;
    let d = app::get(&st.meta, &s.project, id).map_err(|e| failed(l, e))?;
    let main = html! {
        h1 { (d.name) }
        ul.problems role="alert" {
            @for (f, why) in &problems { li { (l.t(problem_field(f))) ": " (why) } }
        }
        p { a href=(url(s, id)) { "← " (d.name) } }
    };
    Ok(page(s, StatusCode::BAD_REQUEST, &d.name, main))
}

fn problem_field(f: &str) -> &'static str {
    match f {
        "name" => "name",
        "since" => "since",
        "until" => "until_excl",
        "compare" => "compare_with",
        "tiles" => "charts",
        "expires" => "expires",
        "lane" => "lane",
        _ => "dashboard",
    }
}

pub(crate) async fn delete(
    State(st): State<Arc<WebState>>,
    Path(id): Path<i64>,
    m: Member<Analyst>,
) -> Result<Response, WebError> {
    let s = &m.s;
    match app::delete(&st.meta, &crate::audit::who(&st, s), &s.project, id, (st.clock)()) {
        Ok(()) => Ok(redirect(&format!("/dashboards?project={}", enc(&s.project)))),
        Err(e) => Err(failed(s.lang, e)),
    }
}

/// `POST /dashboards/pin` from a report page (`ui/pin.rs`): `kind` and `query` (the page's parameters) or
/// `map` and `lane`, a `title`, and `dashboard` (an id, or `new` with `new_name`).
pub(crate) async fn pin(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Result<Response, WebError> {
    let s = &m.s;
    let (meta, now, who) = (&st.meta, (st.clock)(), crate::audit::who(&st, s));
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(m.field("query")).unwrap_or_default();
    let kind = m.field("kind");
    let t = match m.field("map").parse::<i64>() {
        Ok(map) if kind == "map" => NewTile {
            kind: "map".into(),
            title: m.field("title").into(),
            map_id: Some(map),
            lane: m.field("lane").into(),
            ..NewTile::default()
        },
        _ => app::report_tile(kind, m.field("title"), pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
    };
    let dashboard = match m.field("dashboard") {
        "new" | "" => {
            let name = if m.field("new_name").is_empty() { m.field("title") } else { m.field("new_name") };
            match app::create(meta, &who, &s.project, name, now) {
                Ok(d) => d.id,
                Err(e) => return pin_refused(s, refused(s.lang, e)?),
            }
        }
        other => other.parse().map_err(|_| WebError::NotFound(s.lang))?,
    };
    match app::pin(meta, &who, &s.project, dashboard, &t, now) {
        Ok(_) => Ok(redirect(&format!("{}&done=pinned", url(s, dashboard)))),
        Err(e) => pin_refused(s, refused(s.lang, e)?),
    }
}

/// Why a chart was not pinned (400), with the way to the dashboards.
fn pin_refused(s: &Session, (f, why): (String, String)) -> Result<Response, WebError> {
    let l = s.lang;
    let main = html! {
        h1 { (l.t("pin_to_dashboard")) }
        ul.problems role="alert" { li { (l.t(problem_field(&f))) ": " (why) } }
        p { a href={ "/dashboards?project=" (enc(&s.project)) } { (l.t("dashboards")) } }
    };
    Ok(page(s, StatusCode::BAD_REQUEST, l.t("pin_to_dashboard"), main))
}

/// The previous period of a dashboard's, when it compares.
pub(crate) fn compared(p: &DashboardPeriod) -> Option<(String, String)> {
    (p.compare == "previous").then(|| previous(&p.since, &p.until)).flatten()
}
