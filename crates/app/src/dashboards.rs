//! Dashboards: named pages of a project that gather pinned charts — a funnel, paths, retention, stages (their
//! pages' canonical query strings, as saved reports keep them) or a journey map's data lane — under one date
//! range and an optional comparison with the period of the same length just before, applied to every tile.
//! Read-only share links like the maps', optionally expiring.
//!
//! A tile's parameters are its page's: [`tile_query`] replaces their date range with the dashboard's, so the
//! page's own reader (the same request translator the page uses) computes it. Results are kept in a
//! [`TileCache`] keyed by the tile, the period, the language and the project's [`data_version`], so a
//! dashboard whose results exist opens without scanning events again; new data, a new journey definition or
//! other settings make a new key.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::json;
use tropa_core::calendar::Calendar;
use tropa_core::cjm::markdown::data_value;
use tropa_core::cjm::{JourneyMap, LaneKind, Period};
use tropa_core::dict::DictCol;
use tropa_core::lang::Lang;
use tropa_core::time::{format_day, parse_duration};
use tropa_engine::Engine;
use tropa_meta::audit::Action;
use tropa_meta::dashboards::{check_name, check_tile, MAX_TITLE};
use tropa_meta::{DashboardInfo, DashboardPeriod, Meta, MetaError, Move, NewShare, NewTile, Tile};
use tropa_render::{BarChart, ValueFormat};

use crate::audit::{record, Done, Who};
use crate::error::Reason;
use crate::reports::canonical_query;
use crate::{AppError, Missing};

const DAY_MS: i64 = 86_400_000;
/// The longest a share link may live: a year.
pub const MAX_EXPIRY_MS: i64 = 366 * DAY_MS;

fn meta_err(e: MetaError, id: i64) -> AppError {
    match e {
        MetaError::NotFound { what: "dashboard", .. } => AppError::NotFound(Missing::Dashboard(id)),
        MetaError::NotFound { what: "tile", name } => AppError::NotFound(Missing::Tile(name.parse().unwrap_or(0))),
        MetaError::NotFound { what: "map", name } => {
            AppError::NotFound(Missing::Map { id: name.parse().unwrap_or(0), version: None })
        }
        MetaError::Invalid { field, .. } if field == "name" || field == "title" => {
            AppError::Invalid { field: "name", reason: Reason::ReportName { max: MAX_TITLE } }
        }
        MetaError::Invalid { field, .. } if field == "tiles" => AppError::Invalid {
            field: "tiles",
            reason: Reason::TooManyTiles { max: tropa_meta::dashboards::MAX_TILES },
        },
        other => other.into(),
    }
}

fn done<'a>(action: Action, project: &'a str, d: &DashboardInfo) -> Done<'a> {
    Done::new(action, Some(project), format!("{} {}", d.id, d.name))
}

/// The dashboard `id` of `project`.
pub fn get(meta: &Meta, project: &str, id: i64) -> Result<DashboardInfo, AppError> {
    meta.dashboard(project, id)?.ok_or(AppError::NotFound(Missing::Dashboard(id)))
}

/// A new dashboard (recorded in the audit log as `who`).
pub fn create(meta: &Meta, who: &Who, project: &str, name: &str, now: i64) -> Result<DashboardInfo, AppError> {
    check_name(name).map_err(|e| meta_err(e, 0))?;
    let d = meta.create_dashboard(project, name, now).map_err(|e| meta_err(e, 0))?;
    record(meta, who, done(Action::DashboardCreate, project, &d), now)?;
    Ok(d)
}

/// Renames a dashboard.
pub fn rename(meta: &Meta, who: &Who, project: &str, id: i64, name: &str, now: i64) -> Result<(), AppError> {
    meta.rename_dashboard(project, id, name, now).map_err(|e| meta_err(e, id))?;
    let d = get(meta, project, id)?;
    record(meta, who, done(Action::DashboardChange, project, &d).with(json!({"renamed": true})), now)?;
    Ok(())
}

/// Deletes a dashboard with its tiles and links.
pub fn delete(meta: &Meta, who: &Who, project: &str, id: i64, now: i64) -> Result<(), AppError> {
    let d = get(meta, project, id)?;
    meta.delete_dashboard(project, id).map_err(|e| meta_err(e, id))?;
    record(meta, who, done(Action::DashboardDelete, project, &d), now)?;
    Ok(())
}

/// A dashboard's period read from what a person chose: dates `YYYY-MM-DD` (either may be empty: open), the end
/// after the start, and a comparison (`none` / `previous`) that needs both dates. Every problem at its field.
pub fn read_period(since: &str, until: &str, compare: &str) -> Result<DashboardPeriod, Vec<(&'static str, Reason)>> {
    let mut problems = Vec::new();
    let day = |field: &'static str, text: &str, problems: &mut Vec<(&'static str, Reason)>| {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        match tropa_core::cjm::parse_date(t) {
            Ok(ms) => Some(ms.div_euclid(DAY_MS)),
            Err(_) => {
                problems.push((field, Reason::Date));
                None
            }
        }
    };
    let (s, u) = (day("since", since, &mut problems), day("until", until, &mut problems));
    if let (Some(s), Some(u)) = (s, u) {
        if u <= s {
            problems.push(("until", Reason::DateOrder));
        }
    }
    let compare = match compare.trim() {
        "" | "none" => "none",
        "previous" => "previous",
        _ => {
            problems.push(("compare", Reason::Compare));
            "none"
        }
    };
    if compare == "previous" && (since.trim().is_empty() || until.trim().is_empty()) {
        problems.push(("compare", Reason::CompareNeedsRange));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(DashboardPeriod {
        since: s.map(format_day).unwrap_or_default(),
        until: u.map(format_day).unwrap_or_default(),
        compare: compare.into(),
    })
}

/// Sets a dashboard's period (already read by [`read_period`]).
pub fn set_period(
    meta: &Meta,
    who: &Who,
    project: &str,
    id: i64,
    p: &DashboardPeriod,
    now: i64,
) -> Result<(), AppError> {
    meta.set_dashboard_period(project, id, p, now).map_err(|e| meta_err(e, id))?;
    let d = get(meta, project, id)?;
    let details = json!({"since": p.since, "until": p.until, "compare": p.compare});
    record(meta, who, done(Action::DashboardChange, project, &d).with(details), now)?;
    Ok(())
}

/// The period of the same length just before `[since, until)` (both `YYYY-MM-DD`); None for an open period.
pub fn previous(since: &str, until: &str) -> Option<(String, String)> {
    let s = tropa_core::cjm::parse_date(since).ok()?.div_euclid(DAY_MS);
    let u = tropa_core::cjm::parse_date(until).ok()?.div_euclid(DAY_MS);
    (u > s).then(|| (format_day(s - (u - s)), format_day(s)))
}

/// A tile to pin from a report page's parameters (made canonical: sorted, encoded, without the project).
pub fn report_tile<'a>(kind: &str, title: &str, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> NewTile {
    NewTile {
        kind: kind.trim().into(),
        title: title.trim().into(),
        query: canonical_query(pairs),
        ..NewTile::default()
    }
}

/// Pins a tile at the end of a dashboard.
pub fn pin(meta: &Meta, who: &Who, project: &str, id: i64, t: &NewTile, now: i64) -> Result<Tile, AppError> {
    check_tile(t).map_err(|e| match e {
        MetaError::Invalid { field, .. } if field == "kind" || field == "map" => {
            AppError::Invalid { field: "kind", reason: Reason::TileKind }
        }
        MetaError::Invalid { field, .. } if field == "query" => {
            AppError::Invalid { field: "query", reason: Reason::ReportTooLong { max: crate::reports::QUERY_MAX } }
        }
        other => meta_err(other, id),
    })?;
    if t.kind == "map" && LaneKind::parse(&t.lane).and_then(rise_or_data).is_none() {
        return Err(AppError::Invalid { field: "lane", reason: Reason::TileKind });
    }
    let tile = meta.add_tile(project, id, t, now).map_err(|e| meta_err(e, id))?;
    let d = get(meta, project, id)?;
    let details = json!({"pinned": t.kind, "tile": tile.id});
    record(meta, who, done(Action::DashboardChange, project, &d).with(details), now)?;
    Ok(tile)
}

/// Data lanes only (a map's written lanes have no numbers to chart).
fn rise_or_data(k: LaneKind) -> Option<LaneKind> {
    matches!(
        k,
        LaneKind::Reached
            | LaneKind::Conversion
            | LaneKind::Dropoff
            | LaneKind::TimeInStage
            | LaneKind::Revenue
            | LaneKind::Problems
            | LaneKind::CostPerCustomer
    )
    .then_some(k)
}

/// The lanes of a map that can be pinned: (key, title in the map's language).
pub fn pinnable_lanes(map: &JourneyMap) -> Vec<(String, String)> {
    map.lanes
        .iter()
        .filter_map(|l| rise_or_data(l.kind))
        .map(|k| (k.as_str().to_string(), k.title(&map.lang).to_string()))
        .collect()
}

/// Moves a tile up or down.
pub fn move_tile(
    meta: &Meta,
    who: &Who,
    project: &str,
    id: i64,
    tile: i64,
    to: Move,
    now: i64,
) -> Result<(), AppError> {
    meta.move_tile(project, id, tile, to, now).map_err(|e| meta_err(e, id))?;
    let d = get(meta, project, id)?;
    let dir = if to == Move::Up { "up" } else { "down" };
    record(meta, who, done(Action::DashboardChange, project, &d).with(json!({"moved": tile, "to": dir})), now)?;
    Ok(())
}

/// Unpins a tile.
pub fn unpin(meta: &Meta, who: &Who, project: &str, id: i64, tile: i64, now: i64) -> Result<(), AppError> {
    meta.remove_tile(project, id, tile, now).map_err(|e| meta_err(e, id))?;
    let d = get(meta, project, id)?;
    record(meta, who, done(Action::DashboardChange, project, &d).with(json!({"unpinned": tile})), now)?;
    Ok(())
}

/// When a share link chosen to last `text` (`""`: until revoked; else a duration such as `7d`, at most a year)
/// expires.
pub fn expiry(text: &str, now: i64) -> Result<Option<i64>, AppError> {
    let t = text.trim();
    if t.is_empty() || t == "never" {
        return Ok(None);
    }
    match parse_duration(t) {
        Ok(ms) if (3_600_000..=MAX_EXPIRY_MS).contains(&ms) => Ok(Some(now + ms)),
        _ => Err(AppError::Invalid { field: "expires", reason: Reason::Expiry }),
    }
}

/// A new share link of a dashboard, lasting as [`expiry`] reads `expires`.
pub fn share(meta: &Meta, who: &Who, project: &str, id: i64, expires: &str, now: i64) -> Result<NewShare, AppError> {
    let until = expiry(expires, now)?;
    let d = get(meta, project, id)?;
    let link = meta.create_dashboard_share(project, id, until, now).map_err(|e| meta_err(e, id))?;
    let details = json!({"hint": link.hint, "expires_at": until});
    record(meta, who, done(Action::DashboardShare, project, &d).with(details), now)?;
    Ok(link)
}

/// Revokes every share link of a dashboard; how many.
pub fn unshare(meta: &Meta, who: &Who, project: &str, id: i64, now: i64) -> Result<usize, AppError> {
    let d = get(meta, project, id)?;
    let n = meta.revoke_dashboard_shares(project, id, now).map_err(|e| meta_err(e, id))?;
    record(meta, who, done(Action::DashboardUnshare, project, &d).with(json!({"revoked": n})), now)?;
    Ok(n)
}

/// A report tile's parameters with the dashboard's period in place of its own: `since`/`until` for the
/// builders, the instant `now` (the period's end) for stages. An open end leaves the tile's own.
pub fn tile_query(t: &Tile, since: &str, until: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(&t.query).unwrap_or_default();
    let mut set = |k: &str, v: &str| {
        if v.is_empty() {
            return;
        }
        pairs.retain(|(key, _)| key != k);
        pairs.push((k.into(), v.into()));
    };
    if t.kind == "stages" {
        set("now", until);
    } else {
        set("since", since);
        set("until", until);
    }
    pairs
}

/// What the data of a project is now, cheaply: the count of its events (the catalog's, kept as events are filed),
/// its time bounds and the size of every dictionary, its journey definition and its settings. Results cached under another version are not used.
pub fn data_version(meta: &Meta, engine: &dyn Engine, project: &str) -> Result<String, AppError> {
    let (min, max) = engine.time_bounds()?;
    // every event filed (or forgotten) changes the catalog's counts, even inside the old bounds and names
    let events: u64 = engine.catalog()?.events.values().map(|e| e.seen.count).sum();
    let dicts = engine.dictionaries();
    let sizes: Vec<String> = DictCol::ALL.iter().map(|c| dicts.get(*c).len().to_string()).collect();
    let definition = meta.definition(project)?.map(|d| d.updated_at).unwrap_or(0);
    let settings = meta.project_settings(project)?.map(|s| format!("{}/{}", s.time_zone, s.currency));
    // the ad spend (attribution's cost columns, the map's cost lane): a re-import that changes any row
    let spend = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for c in meta.costs(project, None, None)? {
            (c.day, c.source, c.medium, c.campaign, c.channel, c.cost_micros, c.currency).hash(&mut h);
        }
        h.finish()
    };
    Ok(format!("{events}:{min:?}:{max:?}:{}:{definition}:{}:{spend:x}", sizes.join(","), settings.unwrap_or_default()))
}

/// Computed tiles, keyed by everything their result depends on (the caller builds the key with the tile,
/// the period, the language and [`data_version`]). Bounded: when full, the oldest half goes.
#[derive(Default)]
pub struct TileCache {
    entries: Mutex<Entries>,
}

/// The cache's clock (a count of puts) and each result with the tick it was put at.
type Entries = (u64, HashMap<String, (u64, Arc<String>)>);

/// A starter tile: the page, its title, its parameters.
type StarterTile<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

/// How many results a cache keeps.
const CACHE_ENTRIES: usize = 2_000;

impl TileCache {
    pub fn get(&self, key: &str) -> Option<Arc<String>> {
        let g = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        g.1.get(key).map(|(_, v)| v.clone())
    }

    pub fn put(&self, key: String, value: String) -> Arc<String> {
        let mut g = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        g.0 += 1;
        let tick = g.0;
        if g.1.len() >= CACHE_ENTRIES {
            let mut ticks: Vec<u64> = g.1.values().map(|(t, _)| *t).collect();
            ticks.sort_unstable();
            let cut = ticks[ticks.len() / 2];
            g.1.retain(|_, (t, _)| *t > cut);
        }
        let v = Arc::new(value);
        g.1.insert(key, (tick, v.clone()));
        v
    }

    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).1.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A map's data lane per stage for the period `[since, until)` (either open: the map's own), as a bar chart in
/// the map's language; None when the project has no data yet. `spend` is the project's ad spend
/// ([`crate::costs::rows`]), which the lane "cost per customer reaching the stage" divides.
pub fn map_lane(
    engine: &dyn Engine,
    map: &JourneyMap,
    lane: &str,
    (since, until): (&str, &str),
    calendar: Calendar,
    spend: &[tropa_core::analysis::attribution::costs::CostRow],
) -> Result<Option<BarChart>, AppError> {
    let kind = LaneKind::parse(lane)
        .and_then(rise_or_data)
        .ok_or(AppError::Invalid { field: "lane", reason: Reason::TileKind })?;
    let mut map = map.clone();
    let keep = |v: &str, own: &Option<String>| if v.is_empty() { own.clone() } else { Some(v.to_string()) };
    map.period = Period { since: keep(since, &map.period.since), until: keep(until, &map.period.until) };
    let Some(mut data) = crate::maps::data(engine, &map, None, calendar)? else { return Ok(None) };
    if kind == LaneKind::CostPerCustomer {
        crate::maps::apply_spend(&mut data, spend);
    }
    let format = match kind {
        LaneKind::Conversion | LaneKind::Dropoff | LaneKind::Problems => ValueFormat::Percent,
        _ => ValueFormat::Count,
    };
    let bars = map
        .stages
        .iter()
        .filter_map(|st| {
            let s = data.current.stages.iter().find(|x| x.key == st.key)?;
            let (_, v) = data_value(kind, s, &map.lang)?;
            Some((st.name.clone(), v))
        })
        .collect();
    Ok(Some(BarChart { title: format!("{} · {}", map.title, kind.title(&map.lang)), bars, format, highlight: None }))
}

/// A first dashboard for a new project (the demo's): the purchase funnel, the paths to a purchase, repeat
/// purchases by month, where customers are now and, with a map, its conversion lane; named in `lang`.
pub fn starter(
    meta: &Meta,
    who: &Who,
    project: &str,
    map: Option<i64>,
    lang: Lang,
    now: i64,
) -> Result<DashboardInfo, AppError> {
    let d = create(meta, who, project, lang.pick("The store at a glance", "Магазин с первого взгляда"), now)?;
    let reports: [StarterTile; 4] = [
        (
            "funnels",
            lang.pick("Purchase funnel", "Воронка покупки"),
            &[("steps", "view_item\nadd_to_cart\nbegin_checkout\npurchase")],
        ),
        (
            "paths",
            lang.pick("Paths to a purchase", "Пути к покупке"),
            &[("from", "view_item"), ("conversion", "purchase"), ("depth", "4"), ("collapse", "on")],
        ),
        (
            "retention",
            // weeks, so that a month-long dashboard period still shows returns
            lang.pick("Repeat purchases", "Повторные покупки"),
            &[("start", "purchase"), ("return", "purchase"), ("period", "week"), ("periods", "4")],
        ),
        ("stages", lang.pick("Where customers are now", "Где клиенты сейчас"), &[]),
    ];
    for (kind, title, pairs) in reports {
        pin(meta, who, project, d.id, &report_tile(kind, title, pairs.iter().copied()), now)?;
    }
    if let Some(map) = map {
        let lane = NewTile {
            kind: "map".into(),
            title: lang.pick("Conversion by stage", "Конверсия по этапам").into(),
            map_id: Some(map),
            lane: "conversion".into(),
            ..NewTile::default()
        };
        pin(meta, who, project, d.id, &lane, now)?;
    }
    Ok(d)
}

/// The language a map is written in.
pub fn map_lang(map: &JourneyMap) -> Lang {
    if map.lang == "ru" {
        Lang::Ru
    } else {
        Lang::En
    }
}

#[cfg(test)]
mod tests;
