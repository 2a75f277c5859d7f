//! What changed between two versions of a map: title, stages added, removed, renamed, re-ruled or reordered,
//! lanes likewise, and every cell and emotion score whose content differs (matched by stage and lane key, so a
//! renamed stage keeps its cells).

use serde::{Deserialize, Serialize};

use super::JourneyMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    Title {
        before: String,
        after: String,
    },
    StageAdded {
        stage: String,
        name: String,
    },
    StageRemoved {
        stage: String,
        name: String,
    },
    StageRenamed {
        stage: String,
        before: String,
        after: String,
    },
    StageRule {
        stage: String,
        before: Vec<String>,
        after: Vec<String>,
    },
    StagesReordered {
        before: Vec<String>,
        after: Vec<String>,
    },
    LaneAdded {
        lane: String,
        title: String,
    },
    LaneRemoved {
        lane: String,
        title: String,
    },
    LaneRenamed {
        lane: String,
        before: String,
        after: String,
    },
    LanesReordered {
        before: Vec<String>,
        after: Vec<String>,
    },
    Cell {
        lane: String,
        stage: String,
        before: String,
        after: String,
    },
    Score {
        lane: String,
        stage: String,
        before: Option<i8>,
        after: Option<i8>,
    },
    Settings {
        what: String,
    },
    /// The version was made by restoring an earlier one (never found by [`diff`]: written by whoever restores).
    Restored {
        version: i64,
    },
    /// The stages follow the project's journey definition again (written by whoever links the map).
    LinkedToProject,
}

/// The changes from `a` to `b`, in map order.
pub fn diff(a: &JourneyMap, b: &JourneyMap) -> Vec<Change> {
    let mut out = Vec::new();
    if a.title != b.title {
        out.push(Change::Title { before: a.title.clone(), after: b.title.clone() });
    }
    for s in &a.stages {
        match b.stages.iter().find(|t| t.key == s.key) {
            None => out.push(Change::StageRemoved { stage: s.key.clone(), name: s.name.clone() }),
            Some(t) => {
                if t.name != s.name {
                    out.push(Change::StageRenamed {
                        stage: s.key.clone(),
                        before: s.name.clone(),
                        after: t.name.clone(),
                    });
                }
                if t.event != s.event || t.nth != s.nth || t.within != s.within {
                    out.push(Change::StageRule {
                        stage: s.key.clone(),
                        before: s.event.clone(),
                        after: t.event.clone(),
                    });
                }
            }
        }
    }
    for t in &b.stages {
        if a.stage_index(&t.key).is_none() {
            out.push(Change::StageAdded { stage: t.key.clone(), name: t.name.clone() });
        }
    }
    let order = |m: &JourneyMap, other: &JourneyMap| -> Vec<String> {
        m.stages.iter().filter(|s| other.stage_index(&s.key).is_some()).map(|s| s.key.clone()).collect()
    };
    if order(a, b) != order(b, a) {
        out.push(Change::StagesReordered { before: order(a, b), after: order(b, a) });
    }
    for l in &a.lanes {
        match b.lanes.iter().find(|m| m.key == l.key) {
            None => out.push(Change::LaneRemoved { lane: l.key.clone(), title: l.title.clone() }),
            Some(m) if m.title != l.title => {
                out.push(Change::LaneRenamed { lane: l.key.clone(), before: l.title.clone(), after: m.title.clone() })
            }
            Some(_) => {}
        }
    }
    for m in &b.lanes {
        if a.lane_index(&m.key).is_none() {
            out.push(Change::LaneAdded { lane: m.key.clone(), title: m.title.clone() });
        }
    }
    let lane_order = |m: &JourneyMap, other: &JourneyMap| -> Vec<String> {
        m.lanes.iter().filter(|l| other.lane_index(&l.key).is_some()).map(|l| l.key.clone()).collect()
    };
    if lane_order(a, b) != lane_order(b, a) {
        out.push(Change::LanesReordered { before: lane_order(a, b), after: lane_order(b, a) });
    }
    for m in &b.lanes {
        let old = a.lanes.iter().find(|l| l.key == m.key);
        for s in &b.stages {
            let before = old.and_then(|l| l.cells.get(&s.key)).cloned().unwrap_or_default();
            let after = m.cells.get(&s.key).cloned().unwrap_or_default();
            if before != after {
                out.push(Change::Cell { lane: m.key.clone(), stage: s.key.clone(), before, after });
            }
            let (sb, sa) = (old.and_then(|l| l.scores.get(&s.key)).copied(), m.scores.get(&s.key).copied());
            if sb != sa {
                out.push(Change::Score { lane: m.key.clone(), stage: s.key.clone(), before: sb, after: sa });
            }
        }
    }
    for (what, same) in [
        ("description", a.description == b.description),
        ("problems", a.problems == b.problems),
        ("segment", a.segment == b.segment),
        ("period", a.period == b.period),
        ("personas", a.personas == b.personas),
        ("order", a.order == b.order),
    ] {
        if !same {
            out.push(Change::Settings { what: what.into() });
        }
    }
    out
}
