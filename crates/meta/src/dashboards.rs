//! Dashboards: named pages of a project that gather pinned charts ("tiles") under one date range and an
//! optional comparison period, in the order people arrange them; and their read-only share links, which, like
//! the maps' links, are random tokens stored as digests, revocable, and may expire.
//!
//! A tile names what it shows without running it: a report's page (`funnels`, `paths`, `retention`, `stages`)
//! with its canonical query string (as saved reports keep it), or a journey map and one of its data lanes.
//! The application layer reads and runs them; this crate only keeps them.

use serde::Serialize;

use crate::MetaError;

/// The longest dashboard or tile title, in characters.
pub const MAX_TITLE: usize = 120;
/// The most tiles on one dashboard.
pub const MAX_TILES: usize = 40;
/// What a tile may show.
pub const TILE_KINDS: [&str; 8] =
    ["funnels", "paths", "retention", "stages", "map", "attribution", "feedback", "experiments"];
/// How a dashboard compares: not at all, or with the period of the same length just before.
pub const COMPARE: [&str; 2] = ["none", "previous"];

/// A dashboard and its period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DashboardInfo {
    pub id: i64,
    pub project: String,
    pub name: String,
    /// The date range every tile is read in (`YYYY-MM-DD`, "" = open), checked by the application layer.
    pub since: String,
    pub until: String,
    /// `none` or `previous`.
    pub compare: String,
    pub tiles: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A dashboard's period as it is changed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DashboardPeriod {
    pub since: String,
    pub until: String,
    pub compare: String,
}

/// A tile to pin.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewTile {
    /// One of [`TILE_KINDS`].
    pub kind: String,
    pub title: String,
    /// The report's canonical query (empty for a map).
    pub query: String,
    /// The map and its data lane (a `map` tile only).
    pub map_id: Option<i64>,
    pub lane: String,
}

/// A pinned tile, in its dashboard's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tile {
    pub id: i64,
    pub position: i64,
    pub kind: String,
    pub title: String,
    pub query: String,
    pub map_id: Option<i64>,
    pub lane: String,
}

/// Which way a tile moves in its dashboard's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
}

/// What a share token opens, now: a live link, or one whose time is over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shared {
    /// (project, id of the map or dashboard)
    Live(String, i64),
    /// The link existed and expired at this time (epoch ms).
    Expired(i64),
}

fn invalid(field: &str, reason: String) -> MetaError {
    MetaError::Invalid { field: field.into(), reason }
}

/// A dashboard's name: trimmed, 1–120 characters.
pub fn check_name(name: &str) -> Result<&str, MetaError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_TITLE {
        return Err(invalid("name", format!("a name has 1–{MAX_TITLE} characters")));
    }
    Ok(name)
}

/// A period's comparison is one of [`COMPARE`]; its dates are at most 10 characters (the application layer
/// reads them).
pub fn check_period(p: &DashboardPeriod) -> Result<(), MetaError> {
    if !COMPARE.contains(&p.compare.as_str()) {
        return Err(invalid("compare", format!("use one of {}", COMPARE.join(", "))));
    }
    for (field, v) in [("since", &p.since), ("until", &p.until)] {
        if v.len() > 10 {
            return Err(invalid(field, "write YYYY-MM-DD".into()));
        }
    }
    Ok(())
}

/// A tile: a known kind, a title of at most 120 characters, a query of at most 16 KiB, a map tile with its map
/// and lane (and only it).
pub fn check_tile(t: &NewTile) -> Result<(), MetaError> {
    if !TILE_KINDS.contains(&t.kind.as_str()) {
        return Err(invalid("kind", format!("use one of {}", TILE_KINDS.join(", "))));
    }
    if t.title.trim().is_empty() || t.title.chars().count() > MAX_TITLE {
        return Err(invalid("title", format!("a title has 1–{MAX_TITLE} characters")));
    }
    if t.query.len() > crate::reports::MAX_QUERY {
        return Err(invalid("query", format!("is longer than {} bytes", crate::reports::MAX_QUERY)));
    }
    if (t.kind == "map") != t.map_id.is_some() || (t.kind == "map") == t.lane.is_empty() || t.lane.len() > 40 {
        return Err(invalid("map", "a map tile names a map and one of its lanes, other tiles none".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
