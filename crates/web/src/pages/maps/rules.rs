//! A map's own stages edited with the stage editor the project's stages use (`ui::stage_editor`): names, the
//! events that enter each stage with their conditions, order, nth and time limits; buttons add, move and remove
//! stages and events. Saving makes one new version with every change, whose numbers are recomputed; an event
//! the data never had is refused at its field with the name most likely meant. A map linked to the project's
//! stages is edited on the stages page instead.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use tropa_app::request::unknown_events;
use tropa_core::analysis::stages::{DefinitionFormat, JourneyDefinition};
use tropa_core::cjm::{diff, JourneyMap};
use tropa_meta::{MetaError, StageLink};

use super::{fault, load, project_fields, respond};
use crate::access::{Analyst, Member};
use crate::error::WebError;
use crate::i18n::Words;
use crate::session::{redirect, Session};
use crate::ui::layout::shell;
use crate::ui::stage_editor::{editor_for, field_of, Draft, Issues, Owner};
use crate::url::enc;
use crate::WebState;

/// `GET /maps/{id}/rules`: the map's stages in the editor.
pub(crate) async fn page(
    State(st): State<Arc<WebState>>,
    Path(id): Path<i64>,
    m: Member<Analyst>,
) -> Result<Response, WebError> {
    let s = m.s;
    let (map, _) = load(&st, &s, id, None)?;
    show(&st, &s, id, &map, &Draft::of_map(&map), &[], StatusCode::OK)
}

/// `POST /maps/{id}/rules`: an editor button (`op`) shows the changed editor; `action=save` makes the version.
pub(crate) async fn post(
    State(st): State<Arc<WebState>>,
    Path(id): Path<i64>,
    m: Member<Analyst>,
) -> Result<Response, WebError> {
    let Member { s, f, .. } = m;
    let (map, latest) = load(&st, &s, id, None)?;
    let mut draft = Draft::read(&f);
    draft.name = map.title.clone();
    let op = f.get("op").map(|o| o.trim().to_string()).unwrap_or_default();
    if !op.is_empty() {
        draft.apply(&op);
        return show(&st, &s, id, &map, &draft, &[], StatusCode::OK);
    }
    if st.meta.map(&s.project, id).map_err(fault)?.is_some_and(|m| m.stages == StageLink::Linked) {
        let problem = ("stages".to_string(), s.lang.t("linked_stages_elsewhere").to_string());
        return show(&st, &s, id, &map, &draft, &[problem], StatusCode::BAD_REQUEST);
    }
    // the stages as a definition: every problem at its field
    if let Err(e) = JourneyDefinition::parse(&draft.to_value().to_string(), DefinitionFormat::Json) {
        let problems: Vec<(String, String)> = e.issues.iter().map(|i| (field_of(i), i.reason.clone())).collect();
        return show(&st, &s, id, &map, &draft, &problems, StatusCode::BAD_REQUEST);
    }
    // an event the map did not name before and the data never had: a typo until proven otherwise
    let had: Vec<&String> = map.stages.iter().flat_map(|x| &x.event).collect();
    let named: Vec<(String, String)> = draft
        .named_events()
        .into_iter()
        .filter(|(_, t)| !had.contains(&t))
        .map(|((i, j), t)| (format!("s{i}.e{j}.event"), t))
        .collect();
    let dicts = crate::project::engine(&st, &s, &s.project)?.dictionaries();
    let unknown: Vec<(String, String)> =
        unknown_events(&named, &dicts).into_iter().map(|(f, e)| (f, e.words(s.lang))).collect();
    if !unknown.is_empty() {
        return show(&st, &s, id, &map, &draft, &unknown, StatusCode::BAD_REQUEST);
    }
    let next = with_stages(&map, &draft);
    if let Err(e) = next.validate() {
        let problems: Vec<(String, String)> =
            e.issues().into_iter().map(|i| ("stages".to_string(), format!("{}: {}", i.field, i.reason))).collect();
        return show(&st, &s, id, &map, &draft, &problems, StatusCode::BAD_REQUEST);
    }
    let changes = diff(&map, &next);
    if !changes.is_empty() {
        let summary = serde_json::to_string(&changes).unwrap_or_default();
        let (doc, by, now) = (next.to_json(), Some(s.user.id), (st.clock)());
        match st.meta.save_map_version(&s.project, id, Some(latest), &next.title, &doc, &summary, by, now) {
            Ok(_) => {}
            Err(MetaError::Conflict { .. }) => {
                let problem = ("stages".to_string(), s.lang.t("map_changed_elsewhere").to_string());
                return show(&st, &s, id, &map, &draft, &[problem], StatusCode::CONFLICT);
            }
            Err(e) => return Err(fault(e)),
        }
    }
    Ok(redirect(&format!("/maps/{id}?project={}&done=recomputed", enc(&s.project))))
}

/// `map` with the stages of the form; the cells and scores of stages no longer there dropped.
fn with_stages(map: &JourneyMap, draft: &Draft) -> JourneyMap {
    let mut next = map.clone();
    next.stages = draft.map_stages();
    next.order = if draft.order == "implied" { "implied" } else { "sequential" }.into();
    let keys: Vec<String> = next.stages.iter().map(|x| x.key.clone()).collect();
    for lane in &mut next.lanes {
        lane.cells.retain(|k, _| keys.contains(k));
        lane.scores.retain(|k, _| keys.contains(k));
    }
    next
}

/// The page: the editor with its problems, the save button and the way back to the map.
fn show(
    st: &WebState,
    s: &Session,
    id: i64,
    map: &JourneyMap,
    draft: &Draft,
    problems: &[(String, String)],
    status: StatusCode,
) -> Result<Response, WebError> {
    let l = s.lang;
    let events = crate::project::offered_events(st, s, &s.project)?;
    let issues = Issues::new(problems);
    let main = html! {
        h1 { (l.t("map_stage_rules")) ": " (map.title) }
        p { a href={ "/maps/" (id) "?project=" (enc(&s.project)) } { "← " (l.t("back_to_map")) } }
        p.muted { (l.t("map_stage_rules_hint")) }
        form.builder.stages.map-rules method="post" action={ "/maps/" (id) "/rules" } {
            (project_fields(s))
            button.default-submit type="submit" name="action" value="save" tabindex="-1" aria-hidden="true" { (l.t("save")) }
            div.stage-editor-col {
                @if !problems.is_empty() { p.err role="alert" { (l.t("stages_have_problems")) } }
                (editor_for(Owner::Map, l, draft, (&events, &issues), true))
                div.actions { button type="submit" name="action" value="save" { (l.t("save_stage_rules")) } }
            }
        }
    };
    Ok(respond(status, shell(s, "maps", l.t("map_stage_rules"), main)))
}
