//! What a team does with a map's versions and its stages: name a version (a snapshot to find again), restore
//! an earlier version (as the newest one), link the map to the project's stages or detach it; and what the map
//! page says about them — the link, the events its rules name that the data never had, the numbers recomputed.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{html, Markup};
use serde_json::json;
use tropa_app::audit::Action;
use tropa_app::maps::{versions, Author};
use tropa_app::request::{unknown_events, NamedEvents};
use tropa_core::cjm::JourneyMap;
use tropa_core::text_error::TextError;
use tropa_meta::{MapVersion, MetaError, Role, StageLink};

use super::{bad_request, fault, project_fields, redirect_or};
use crate::access::{Analyst, Member};
use crate::audit;
use crate::error::WebError;
use crate::i18n::{Lang, Words};
use crate::session::Session;
use crate::url::enc;
use crate::WebState;

fn by(st: &WebState, s: &Session) -> Author {
    Author { user: Some(s.user.id), now: (st.clock)() }
}

/// `POST /maps/{id}/versions/{v}/name`: names version `v` (`name` empty: removes its name).
pub(crate) async fn name(
    State(st): State<Arc<WebState>>,
    Path((id, v)): Path<(i64, i64)>,
    m: Member<Analyst>,
) -> Result<Response, WebError> {
    let name = m.field("name").to_string();
    let s = m.s;
    match st.meta.name_map_version(&s.project, id, v, &name) {
        Ok(()) => {
            let done = audit::on_map(&st, Action::MapVersionName, &s.project, id);
            audit::record(&st, &s, done.with(json!({"version": v, "name": name})));
            Ok(super::redirect(&format!("/maps/{id}/history?project={}", enc(&s.project))))
        }
        Err(MetaError::Invalid { .. }) => {
            Ok(bad_request(&s, &format!("{}: {}", s.lang.t("version_name"), s.lang.t("version_name_rule"))))
        }
        Err(e) => redirect_or(&s, Err(e)),
    }
}

/// `POST /maps/{id}/versions/{v}/restore`: version `v` becomes the newest, as a new version.
pub(crate) async fn restore(
    State(st): State<Arc<WebState>>,
    Path((id, v)): Path<(i64, i64)>,
    m: Member<Analyst>,
) -> Result<Response, WebError> {
    let s = m.s;
    match versions::restore(&st.meta, &s.project, id, v, by(&st, &s)) {
        Ok(newest) => {
            let done = audit::on_map(&st, Action::MapRestore, &s.project, id);
            audit::record(&st, &s, done.with(json!({"version": v, "as": newest})));
            Ok(super::redirect(&format!("/maps/{id}?project={}&done=restored", enc(&s.project))))
        }
        Err(tropa_app::AppError::NotFound(_)) => Err(WebError::NotFound(s.lang)),
        Err(e) => Err(fault(e)),
    }
}

/// `POST /maps/{id}/stages`: `link=linked` takes the project's stages (a new version when they differ) and
/// follows them from now on; `link=detached` keeps the stages the map has.
pub(crate) async fn stages(
    State(st): State<Arc<WebState>>,
    Path(id): Path<i64>,
    m: Member<Analyst>,
) -> Result<Response, WebError> {
    let link = m.field("link").to_string();
    let s = m.s;
    let done = match link.as_str() {
        "linked" => versions::link(&st.meta, &s.project, id, by(&st, &s)).map(|_| "recomputed"),
        "detached" => versions::detach(&st.meta, &s.project, id).map(|_| "detached"),
        _ => return Ok(bad_request(&s, &format!("link: {}", s.lang.t("stage_link_choice")))),
    };
    match done {
        Ok(note) => {
            let entry = audit::on_map(&st, Action::MapStages, &s.project, id);
            audit::record(&st, &s, entry.with(json!({"stages": link})));
            Ok(super::redirect(&format!("/maps/{id}?project={}&done={note}", enc(&s.project))))
        }
        Err(tropa_app::AppError::NotFound(_)) | Err(tropa_app::AppError::Meta(MetaError::NotFound { .. })) => {
            Err(WebError::NotFound(s.lang))
        }
        Err(e) => Err(fault(e)),
    }
}

/// Whether the map follows the project's stages, with the button that changes it (analysts, latest version).
pub(super) fn link_panel(s: &Session, id: i64, link: StageLink, editable: bool) -> Markup {
    let l = s.lang;
    let (state, other, button) = match link {
        StageLink::Linked => ("stages_linked", "detached", "detach_stages"),
        StageLink::Detached => ("stages_detached", "linked", "link_stages"),
    };
    html! {
        div.stage-link data-link=(link.as_str()) {
            span.badge { (l.t(state)) }
            " "
            @if link == StageLink::Linked {
                a href={ "/stages?project=" (enc(&s.project)) } { (l.t("edit_project_stages")) }
            } @else if editable && s.role >= Role::Analyst {
                a href={ "/maps/" (id) "/rules?project=" (enc(&s.project)) } { (l.t("edit_map_stages")) }
            }
            @if editable && s.role >= Role::Analyst {
                form.inline method="post" action={ "/maps/" (id) "/stages" } {
                    (project_fields(s))
                    input type="hidden" name="link" value=(other);
                    button.secondary.small type="submit" { (l.t(button)) }
                }
            }
        }
    }
}

/// The events the map's rules, problem events and segment name that the data never had, each with the name
/// it most likely meant: the numbers of those stages are zero because of them.
pub(super) fn missing_events(st: &WebState, project: &str, map: &JourneyMap) -> Vec<(String, TextError)> {
    match st.projects.engine(project) {
        Ok(engine) => unknown_events(&map.events(), &engine.dictionaries()),
        Err(_) => vec![],
    }
}

/// The warning naming them (nothing when there are none).
pub(super) fn missing_warning(l: Lang, map: &JourneyMap, missing: &[(String, TextError)]) -> Markup {
    let place = |field: &str| -> String {
        let stage =
            field.strip_prefix("stages[").and_then(|r| r.split(']').next()).and_then(|n| n.parse::<usize>().ok());
        match stage.and_then(|i| map.stages.get(i)) {
            Some(st) => format!("{} «{}»", l.t("stage"), st.name),
            None if field.starts_with("problems") => l.t("problem_lane").to_string(),
            None => l.t("map_segment").to_string(),
        }
    };
    html! {
        @if !missing.is_empty() {
            div.warn.missing-events role="alert" {
                p { b { (l.t("map_events_missing")) } }
                ul { @for (field, e) in missing { li { (place(field)) ": " (e.words(l)) } } }
            }
        }
    }
}

/// What the map page says after a change (`done` of its address).
pub(super) fn done_note(l: Lang, done: &str) -> Markup {
    let key = match done {
        "recomputed" => "numbers_recomputed",
        "restored" => "version_restored",
        "detached" => "stages_now_detached",
        _ => return html! {},
    };
    html! { p.ok.recomputed role="status" { (l.t(key)) } }
}

/// The history's tools for one version: its name (a form for analysts) and "restore" for the older ones.
pub(super) fn version_tools(s: &Session, id: i64, v: &MapVersion, latest: i64) -> Markup {
    let l = s.lang;
    let base = format!("/maps/{id}/versions/{}", v.version);
    html! {
        @if s.role >= Role::Analyst {
            form.inline.version-name method="post" action={ (base) "/name" } {
                (project_fields(s))
                input name="name" value=(v.name) maxlength="100" placeholder=(l.t("version_name_hint"))
                    aria-label={ (l.t("version_name")) " " (v.version) };
                button.secondary.small type="submit" { (l.t("name_version")) }
            }
            @if v.version != latest {
                form.inline method="post" action={ (base) "/restore" } {
                    (project_fields(s))
                    button.small type="submit" data-confirm=(l.t("confirm_restore")) { (l.t("restore_version")) }
                }
            }
        } @else if !v.name.is_empty() {
            span.badge { (v.name) }
        }
    }
}
