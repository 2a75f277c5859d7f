//! A map's versions as a team works with them, and its link to the project's stages.
//!
//! - **One version per cell per sitting**: an edit of one cell right after an edit of the same cell by the same
//!   person (within [`MERGE_WINDOW_MS`]) goes into that version instead of making a new one, so typing a sentence
//!   with pauses is one version, not three. A named version is never changed.
//! - **Named snapshots** and **restore** (an earlier version becomes the newest, as a new version).
//! - **Linked stages**: a map linked to the project's journey definition takes the project's stages (names in the
//!   map's language, rules, order); each version keeps the stages it was computed with, so an old version shows
//!   the numbers it showed then. When the project's stages change, every linked map gets a new version.

use tropa_core::analysis::stages::{duration_text, JourneyDefinition};
use tropa_core::cjm::{diff, Change, JourneyMap, MapStage};
use tropa_meta::{Meta, MetaError, StageLink};

use super::saved::{load, Author};
use crate::AppError;

/// Edits of the same cell by the same person closer than this to the last one join its version.
pub const MERGE_WINDOW_MS: i64 = 10 * 60_000;

/// What saving an edit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// Nothing changed: no version was made.
    Unchanged(i64),
    /// A new version.
    New(i64),
    /// The edit joined the latest version (the same cell, the same person, one sitting).
    Merged(i64),
}

impl Saved {
    pub fn version(self) -> i64 {
        match self {
            Saved::Unchanged(v) | Saved::New(v) | Saved::Merged(v) => v,
        }
    }
}

/// The one cell a list of changes touches, if that is all it does.
fn one_cell(changes: &[Change]) -> Option<(&str, &str)> {
    match changes {
        [Change::Cell { lane, stage, .. }] | [Change::Score { lane, stage, .. }] => Some((lane, stage)),
        _ => None,
    }
}

/// The change from the first edit's before to the last edit's after.
fn joined(first: &Change, last: &Change) -> Change {
    match (first, last) {
        (Change::Cell { before, .. }, Change::Cell { lane, stage, after, .. }) => {
            Change::Cell { lane: lane.clone(), stage: stage.clone(), before: before.clone(), after: after.clone() }
        }
        (Change::Score { before, .. }, Change::Score { lane, stage, after, .. }) => {
            Change::Score { lane: lane.clone(), stage: stage.clone(), before: *before, after: *after }
        }
        (_, last) => last.clone(),
    }
}

/// Saves `after`, the map `before` (version `latest`, the newest) with one edit made by `by` (`email` names
/// them as the history does). A second edit of the same cell by the same person within [`MERGE_WINDOW_MS`] of
/// the last one joins that version; otherwise a new version, refused with `Conflict` when the map moved on.
pub fn save_edit(
    meta: &Meta,
    (project, id, latest): (&str, i64, i64),
    (before, after): (&JourneyMap, &JourneyMap),
    by: Author,
    email: &str,
) -> Result<Saved, AppError> {
    let changes = diff(before, after);
    if changes.is_empty() {
        return Ok(Saved::Unchanged(latest));
    }
    if let Some(cell) = one_cell(&changes) {
        let last = meta.map_version(project, id, Some(latest))?;
        let last_changes = last.as_ref().and_then(|v| serde_json::from_str::<Vec<Change>>(&v.summary).ok());
        let same_sitting = last.as_ref().is_some_and(|v| {
            v.name.is_empty()
                && !email.is_empty()
                && v.author == email
                && latest > 1
                && by.now - v.created_at <= MERGE_WINDOW_MS
        });
        if let (true, Some(prior)) = (same_sitting, last_changes) {
            if one_cell(&prior) == Some(cell) {
                let summary = serde_json::to_string(&[joined(&prior[0], &changes[0])]).unwrap_or_default();
                match meta.amend_map_version(project, id, latest, &after.to_json(), &summary, by.now) {
                    Ok(()) => return Ok(Saved::Merged(latest)),
                    // named or overtaken meanwhile: a version of its own
                    Err(MetaError::Conflict { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    let summary = serde_json::to_string(&changes).unwrap_or_default();
    let v =
        meta.save_map_version(project, id, Some(latest), &after.title, &after.to_json(), &summary, by.user, by.now)?;
    Ok(Saved::New(v))
}

/// Makes version `version` of map `id` the newest, as a new version (the history says which one it restored);
/// nothing when it is the same as the latest. Returns the newest version.
pub fn restore(meta: &Meta, project: &str, id: i64, version: i64, by: Author) -> Result<i64, AppError> {
    let (old, _) = load(meta, project, id, Some(version))?;
    let (now, latest) = load(meta, project, id, None)?;
    let changes = diff(&now, &old);
    if changes.is_empty() {
        return Ok(latest);
    }
    let summary = serde_json::to_string(&[vec![Change::Restored { version }], changes].concat()).unwrap_or_default();
    Ok(meta.save_map_version(project, id, None, &old.title, &old.to_json(), &summary, by.user, by.now)?)
}

/// How cells follow new stages: by stage key (a project's stages edited) or by position (a template's stages
/// replaced by the project's when a map is made).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carry {
    ByKey,
    ByPosition,
}

/// The project's stages as a map's: names in `lang`, the rules as written, `nth` and `within`.
pub fn project_stages(def: &JourneyDefinition, lang: &str) -> Vec<MapStage> {
    def.stages
        .iter()
        .map(|s| MapStage {
            key: s.key.clone(),
            name: if lang == "ru" { s.name.ru.clone() } else { s.name.en.clone() },
            event: s.any_of.iter().map(|e| e.text.clone()).collect(),
            nth: (s.nth != 1).then_some(s.nth),
            within: s.within_ms.map(duration_text),
        })
        .collect()
}

/// `map` with the project's stages; written cells and scores carried over (`carry`), those of stages that no
/// longer exist dropped.
pub fn with_stages(map: &JourneyMap, def: &JourneyDefinition, carry: Carry) -> JourneyMap {
    let mut out = map.clone();
    out.stages = project_stages(def, &map.lang);
    out.order = serde_json::to_value(def.order).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or(out.order);
    let rename: Vec<(String, String)> = match carry {
        Carry::ByKey => out.stages.iter().map(|s| (s.key.clone(), s.key.clone())).collect(),
        Carry::ByPosition => map.stages.iter().zip(&out.stages).map(|(a, b)| (a.key.clone(), b.key.clone())).collect(),
    };
    let moved = |k: &String| rename.iter().find(|(from, _)| from == k).map(|(_, to)| to.clone());
    for lane in &mut out.lanes {
        lane.cells = std::mem::take(&mut lane.cells).into_iter().filter_map(|(k, v)| Some((moved(&k)?, v))).collect();
        lane.scores = std::mem::take(&mut lane.scores).into_iter().filter_map(|(k, v)| Some((moved(&k)?, v))).collect();
    }
    out
}

/// Links map `id` to the project's stages: a new version with them when its stages differ. Returns the newest
/// version.
pub fn link(meta: &Meta, project: &str, id: i64, by: Author) -> Result<i64, AppError> {
    let def = crate::definitions::project(meta, project)?.definition;
    let (map, latest) = load(meta, project, id, None)?;
    let next = with_stages(&map, &def, Carry::ByKey);
    meta.set_map_stages(project, id, StageLink::Linked)?;
    save_whole(meta, (project, id, latest), (&map, &next), Change::LinkedToProject, by)
}

/// Detaches map `id`: it keeps the stages it has and no longer follows the project's.
pub fn detach(meta: &Meta, project: &str, id: i64) -> Result<(), AppError> {
    Ok(meta.set_map_stages(project, id, StageLink::Detached)?)
}

/// After the project's stages changed: every linked map of `project` gets a new version with them (maps whose
/// stages are already those: none). Returns (map id, new version) of each map that changed.
pub fn follow_project(meta: &Meta, project: &str, by: Author) -> Result<Vec<(i64, i64)>, AppError> {
    let def = crate::definitions::project(meta, project)?.definition;
    let mut out = Vec::new();
    for info in meta.maps(project)?.into_iter().filter(|m| m.stages == StageLink::Linked) {
        let Ok((map, latest)) = load(meta, project, info.id, None) else { continue };
        let next = with_stages(&map, &def, Carry::ByKey);
        if next.validate().is_err() {
            continue;
        }
        let v = save_whole(meta, (project, info.id, latest), (&map, &next), Change::LinkedToProject, by)?;
        if v != latest {
            out.push((info.id, v));
        }
    }
    Ok(out)
}

/// Saves `next` as a new version when it differs from `map`, its changes headed by `why`.
fn save_whole(
    meta: &Meta,
    (project, id, latest): (&str, i64, i64),
    (map, next): (&JourneyMap, &JourneyMap),
    why: Change,
    by: Author,
) -> Result<i64, AppError> {
    let changes = diff(map, next);
    if changes.is_empty() {
        return Ok(latest);
    }
    next.validate()
        .map_err(|e| AppError::Invalid { field: "stages", reason: crate::Reason::Document(e.to_string()) })?;
    let summary = serde_json::to_string(&[vec![why], changes].concat()).unwrap_or_default();
    Ok(meta.save_map_version(project, id, None, &next.title, &next.to_json(), &summary, by.user, by.now)?)
}

#[cfg(test)]
mod tests;
