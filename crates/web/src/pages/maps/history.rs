//! A map's history (named versions, restore) and the comparison of two versions (one grid, changed cells marked
//! with what they held before) or two periods (data lanes side by side).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{html, Markup};
use tropa_core::cjm::{diff, Change, JourneyMap, Period};
use tropa_meta::MapVersion;

use super::grid::{cell_key, grid, Grid};
use super::{bad_request, fault, load, map_data, maps_page, param};
use crate::access::{Member, Viewer};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::i18n::Words;
use crate::session::Session;
use crate::url::enc;
use crate::WebState;

// ---- history and comparison ---------------------------------------------------------------------------------

pub(crate) async fn history(
    State(st): State<Arc<WebState>>,
    Path(id): Path<i64>,
    m: Member<Viewer>,
) -> Result<Response, WebError> {
    let s = m.s;
    let l = s.lang;
    let info = st.meta.map(&s.project, id).map_err(fault)?.ok_or(WebError::NotFound(l))?;
    let list = st.meta.map_history(&s.project, id).map_err(fault)?;
    let p = enc(&s.project);
    let main = html! {
        h1 { (l.t("history")) ": " (info.title) }
        p { a href={ "/maps/" (id) "?project=" (p) } { "← " (l.t("back_to_map")) } }
        table {
            thead {
                tr {
                    th.num { (l.t("version")) }
                    th { (l.t("time")) }
                    th { (l.t("author")) }
                    th { (l.t("change")) }
                    th {}
                    th { (l.t("version_name")) }
                }
            }
            tbody { @for v in &list { (history_row(&s, id, &p, v, info.version)) } }
        }
    };
    Ok(maps_page(&s, l.t("history"), main))
}

/// One version: its number (a link to it), when, who, what changed and the link to the comparison with the one
/// before. `p` is the project, URL-encoded.
fn history_row(s: &Session, id: i64, p: &str, v: &MapVersion, latest: i64) -> Markup {
    let l = s.lang;
    // the changes are stored structured (read in the reader's language); older versions have a sentence
    let summary = match serde_json::from_str::<Vec<Change>>(&v.summary) {
        Ok(changes) => changes.iter().map(|c| change_text(l, c)).collect::<Vec<_>>().join("; "),
        Err(_) => v.summary.clone(),
    };
    html! {
        tr.named[!v.name.is_empty()] data-version=(v.version) {
            td.num {
                a href={ "/maps/" (id) "?project=" (p) "&version=" (v.version) } { (v.version) }
                @if !v.name.is_empty() { " " span.badge { (v.name) } }
            }
            td { (l.date(&tropa_core::time::format_ts(v.created_at))) }
            td { (v.author) }
            td { (summary) }
            td {
                @if v.version > 1 {
                    a href={ "/maps/" (id) "/compare?project=" (p) "&a=" (v.version - 1) "&b=" (v.version) } {
                        (l.t("what_changed"))
                    }
                }
            }
            td { (super::versions::version_tools(s, id, v, latest)) }
        }
    }
}

/// A change between two versions as a sentence in the reader's language (plain text).
pub(super) fn change_text(l: Lang, c: &Change) -> String {
    let show = |s: &str| if s.is_empty() { "∅".to_string() } else { format!("«{s}»") };
    match c {
        Change::Title { before, after } => format!("{}: {} → {}", l.t("map_title"), show(before), show(after)),
        Change::StageAdded { name, .. } => format!("+ {} {}", l.t("stage"), show(name)),
        Change::StageRemoved { name, .. } => format!("− {} {}", l.t("stage"), show(name)),
        Change::StageRenamed { before, after, .. } => format!("{}: {} → {}", l.t("stage"), show(before), show(after)),
        Change::StageRule { stage, after, .. } => format!("{} {stage}: {}", l.t("rule_of_stage"), after.join(", ")),
        Change::StagesReordered { after, .. } => format!("{}: {}", l.t("stage_order"), after.join(" → ")),
        Change::LaneAdded { title, .. } => format!("+ {} {}", l.t("lane"), show(title)),
        Change::LaneRemoved { title, .. } => format!("− {} {}", l.t("lane"), show(title)),
        Change::LaneRenamed { before, after, .. } => format!("{}: {} → {}", l.t("lane"), show(before), show(after)),
        Change::LanesReordered { after, .. } => format!("{}: {}", l.t("lane_order"), after.join(" → ")),
        Change::Cell { lane, stage, before, after } => format!("{lane} × {stage}: {} → {}", show(before), show(after)),
        Change::Score { lane, stage, before, after } => format!(
            "{lane} × {stage}: {} → {}",
            before.map(|v| format!("{v:+}")).unwrap_or("∅".into()),
            after.map(|v| format!("{v:+}")).unwrap_or("∅".into())
        ),
        Change::Settings { what } => format!("{}: {what}", l.t("settings")),
        Change::Restored { version } => format!("{} {version}", l.t("restored_from")),
        Change::LinkedToProject => l.t("stages_from_project").to_string(),
    }
}

/// `a..b` as a period (`YYYY-MM-DD..YYYY-MM-DD`, either side may be empty).
pub(super) fn period_arg(text: &str) -> Option<Period> {
    let (a, b) = text.split_once("..")?;
    let opt = |x: &str| Some(x.trim().to_string()).filter(|x| !x.is_empty());
    Some(Period { since: opt(a), until: opt(b) })
}

/// The two sides of a comparison: their grids and headings, and the list of changes (versions only).
struct Sides {
    left: Markup,
    /// Periods side by side; versions are one grid.
    right: Option<Markup>,
    heads: (String, String),
    changes: Markup,
}

pub(crate) async fn compare(
    State(st): State<Arc<WebState>>,
    Path(id): Path<i64>,
    m: Member<Viewer>,
) -> Result<Response, WebError> {
    let Member { s, f: q, .. } = m;
    let l = s.lang;
    let (pa, pb) = (param(&q, "pa"), param(&q, "pb"));
    let sides = if !pa.is_empty() || !pb.is_empty() {
        let (Some(a), Some(b)) = (period_arg(&pa), period_arg(&pb)) else {
            return Ok(bad_request(&s, l.t("period_syntax")));
        };
        let (base, _) = load(&st, &s, id, None)?;
        let (mut ma, mut mb) = (base.clone(), base);
        ma.period = a;
        mb.period = b;
        if let Some(e) = [&ma, &mb].iter().find_map(|m| m.period_ms(tropa_core::calendar::Calendar::UTC).err()) {
            return Ok(bad_request(&s, &e.to_string()));
        }
        period_sides(&st, &s, id, (ma, mb), (&pa, &pb)).await?
    } else {
        version_sides(&st, &s, id, &q).await?
    };
    Ok(maps_page(&s, l.t("compare"), compare_page(&s, id, &q, sides)))
}

/// Two periods of the map: its data lanes side by side, the right side's trends against the left side.
async fn period_sides(
    st: &WebState,
    s: &Session,
    id: i64,
    (ma, mb): (JourneyMap, JourneyMap),
    (pa, pb): (&str, &str),
) -> Result<Sides, WebError> {
    let da = map_data(st, &s.project, &ma, None).await?;
    let db = map_data(st, &s.project, &mb, None).await?;
    let db = db.map(|mut d| {
        d.previous = da.as_ref().map(|x| x.current.clone());
        d
    });
    let only_data = |mut m: JourneyMap| {
        m.lanes.retain(|x| x.kind.is_data());
        m
    };
    let (ma, mb) = (only_data(ma), only_data(mb));
    let plain = |map, data| Grid {
        map,
        data,
        editable: false,
        changed: vec![],
        id,
        was: HashMap::new(),
        all: None,
        linked: false,
    };
    let left = grid(s, &plain(&ma, da.as_ref()), 0);
    let right = grid(s, &plain(&mb, db.as_ref()), 0);
    Ok(Sides { left, right: Some(right), heads: (pa.to_string(), pb.to_string()), changes: html! {} })
}

/// Two versions of the map (`a` and `b`, the latest when absent) in one grid: version `b` with every cell that
/// differs from version `a` marked and what it held there under it — written cells, scores and the data lanes'
/// numbers, each version's computed with its own stages, rules and period (exactly what opening that version
/// shows) — and the list of changes.
async fn version_sides(st: &WebState, s: &Session, id: i64, q: &HashMap<String, String>) -> Result<Sides, WebError> {
    let l = s.lang;
    let (ma, va) = load(st, s, id, param(q, "a").parse::<i64>().ok())?;
    let (mb, vb) = load(st, s, id, param(q, "b").parse::<i64>().ok())?;
    let changes = diff(&ma, &mb);
    let (data_a, data_b) = (map_data(st, &s.project, &ma, None).await?, map_data(st, &s.project, &mb, None).await?);
    let was = earlier_cells(l.code(), (&ma, data_a.as_ref()), (&mb, data_b.as_ref()));
    let one = grid(
        s,
        &Grid { map: &mb, data: data_b.as_ref(), editable: false, changed: vec![], id, was, all: None, linked: false },
        vb,
    );
    let list = html! {
        @if changes.is_empty() {
            p.muted { (l.t("no_changes")) }
        } @else {
            ul.changes { @for c in &changes { li { (change_text(l, c)) } } }
        }
    };
    let heads = (format!("{} {va} → {vb}", l.t("version")), String::new());
    Ok(Sides { left: one, right: None, heads, changes: list })
}

/// What each cell of `b` held in `a` where the two differ (a cell `a` does not have reads "∅"); data cells in the
/// reader's `lang`, as the grid shows them.
fn earlier_cells(
    lang: &str,
    (ma, da): (&JourneyMap, Option<&tropa_app::maps::MapData>),
    (mb, db): (&JourneyMap, Option<&tropa_app::maps::MapData>),
) -> HashMap<(String, String), String> {
    let mut out = HashMap::new();
    let text = |m: &JourneyMap, d: Option<&tropa_app::maps::MapData>, lane: &str, stage: &str| -> Option<String> {
        let lane = m.lanes.iter().find(|x| x.key == lane)?;
        m.stage_index(stage)?;
        Some(if lane.kind == tropa_core::cjm::LaneKind::Emotions {
            lane.scores.get(stage).map(|v| format!("{v:+}")).unwrap_or_default()
        } else if lane.kind.is_data() {
            d.map(|d| tropa_app::maps::data_cell_in(lane.kind, stage, d, lang).text).unwrap_or_default()
        } else {
            lane.cells.get(stage).cloned().unwrap_or_default()
        })
    };
    for lane in &mb.lanes {
        for stage in &mb.stages {
            let now = text(mb, db, &lane.key, &stage.key).unwrap_or_default();
            let before = text(ma, da, &lane.key, &stage.key);
            if before.as_deref() != Some(now.as_str()) {
                let before = before.filter(|b| !b.is_empty()).unwrap_or_else(|| "∅".into());
                out.insert(cell_key(&lane.key, &stage.key), before);
            }
        }
    }
    out
}

/// The comparison page: the forms that pick two versions or two periods, the changes, the two sides.
fn compare_page(s: &Session, id: i64, q: &HashMap<String, String>, sides: Sides) -> Markup {
    let l = s.lang;
    html! {
        h1 { (l.t("compare")) }
        p { a href={ "/maps/" (id) "?project=" (enc(&s.project)) } { "← " (l.t("back_to_map")) } }
        form method="get" action={ "/maps/" (id) "/compare" } class="search" {
            input type="hidden" name="project" value=(s.project);
            label for="a" { (l.t("versions")) }
            input id="a" name="a" size="4" value=(param(q, "a"));
            " ↔ "
            input id="b" name="b" size="4" value=(param(q, "b"));
            " "
            button type="submit" { (l.t("run")) }
        }
        form method="get" action={ "/maps/" (id) "/compare" } class="search" {
            input type="hidden" name="project" value=(s.project);
            label for="pa" { (l.t("periods")) }
            input id="pa" name="pa" placeholder="2026-03-01..2026-06-01" value=(param(q, "pa"));
            " ↔ "
            input id="pb" name="pb" placeholder="2026-06-01..2026-09-01" value=(param(q, "pb"));
            " "
            button type="submit" { (l.t("run")) }
        }
        (sides.changes)
        @if let Some(right) = sides.right {
            div.compare {
                section { h2 { (sides.heads.0) } (sides.left) }
                section { h2 { (sides.heads.1) } (right) }
            }
        } @else {
            section.compare-one {
                h2 { (sides.heads.0) }
                p.muted { (l.t("compare_one_hint")) }
                (sides.left)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_is_two_dates_either_may_be_open() {
        let p = period_arg("2026-04-01..").unwrap();
        assert_eq!((p.since.as_deref(), p.until), (Some("2026-04-01"), None));
        assert!(period_arg("april").is_none());
    }

    #[test]
    fn a_change_reads_in_the_readers_language() {
        let c = Change::StageAdded { stage: "review".into(), name: "Review".into() };
        assert_eq!(change_text(Lang::Ru, &c), "+ Этап «Review»");
    }
}
