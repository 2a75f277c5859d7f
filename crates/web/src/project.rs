//! A project as the pages read it: its engine (for a member, 404 when there is no such project), the journey
//! definition it uses, its stages' names in the user's language.

use std::sync::Arc;

use tropa_core::analysis::stages::{JourneyDefinition, LocalName};
use tropa_engine::Engine;

use crate::error::WebError;
use crate::i18n::Lang;
use crate::session::Session;
use crate::WebState;

/// The engine of a project the signed-in user asked for by name (404 when there is no such project).
pub fn engine(st: &WebState, s: &Session, project: &str) -> Result<Arc<dyn Engine>, WebError> {
    match st.meta.project(project) {
        Ok(Some(_)) => st.projects.engine(project).map_err(|e| WebError::internal(&e)),
        Ok(None) => Err(WebError::NotFound(s.lang)),
        Err(e) => Err(WebError::internal(&e)),
    }
}

/// The parsed definition a project uses (a saved definition was validated when saved).
pub fn definition(st: &WebState, project: &str) -> Result<JourneyDefinition, WebError> {
    tropa_app::definitions::project(&st.meta, project).map(|d| d.definition).map_err(|e| WebError::internal(&e))
}

/// (key, name) of the project's stages, for stage filters.
pub fn stage_options(st: &WebState, project: &str, l: Lang) -> Vec<(String, String)> {
    definition(st, project)
        .map(|d| d.stages.iter().map(|s| (s.key.clone(), local(l, &s.name))).collect())
        .unwrap_or_default()
}

/// A stage's name in the language.
pub fn local(l: Lang, n: &LocalName) -> String {
    if l == Lang::Ru {
        n.ru.clone()
    } else {
        n.en.clone()
    }
}

/// The events an event input of `project` offers, as the dictionary gives them to the pickers: hidden ones left
/// out, verified first, each with its display name in `l` (the raw name is what the input takes).
pub fn offered_events(
    st: &WebState,
    s: &Session,
    project: &str,
) -> Result<Vec<tropa_app::dictionary::Choice>, WebError> {
    let catalog = engine(st, s, project)?.catalog().map_err(|e| WebError::internal(&e))?;
    let dictionary =
        tropa_app::dictionary::from_catalog(&st.meta, catalog, project).map_err(|e| WebError::internal(&e))?;
    Ok(dictionary.choices(s.lang).events)
}
