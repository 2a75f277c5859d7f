//! The journey definition a project uses: the one saved for it (on the stages page or with `tropa stages
//! save`), else the embedded default. Every report with stages — the stages report, stage filters, the overview,
//! the query API — reads it here, so all of them count the same stages.

use tropa_core::analysis::stages::{DefinitionFormat, JourneyDefinition, DEFAULT_DEFINITION};
use tropa_meta::Meta;

use crate::AppError;

/// A project's definition with the text it was read from.
#[derive(Debug, Clone)]
pub struct ProjectDefinition {
    pub text: String,
    pub format: DefinitionFormat,
    /// Saved for the project (false: the default).
    pub saved: bool,
    pub definition: JourneyDefinition,
}

/// The definition saved for `project`, if any. A saved text was validated when saved; one that no longer reads
/// (a newer tropa refusing an old rule) counts as not saved, and is logged.
pub fn saved(meta: &Meta, project: &str) -> Result<Option<ProjectDefinition>, AppError> {
    let Some(d) = meta.definition(project)? else { return Ok(None) };
    let format = DefinitionFormat::from_extension(&d.format).unwrap_or(DefinitionFormat::Toml);
    match JourneyDefinition::parse(&d.text, format) {
        Ok(definition) => Ok(Some(ProjectDefinition { text: d.text, format, saved: true, definition })),
        Err(e) => {
            tracing::warn!(project, problems = e.issues.len(), "the saved journey definition no longer reads");
            Ok(None)
        }
    }
}

/// The definition `project` uses: its saved one, else the default.
pub fn project(meta: &Meta, project: &str) -> Result<ProjectDefinition, AppError> {
    if let Some(d) = saved(meta, project)? {
        return Ok(d);
    }
    Ok(ProjectDefinition {
        text: DEFAULT_DEFINITION.to_string(),
        format: DefinitionFormat::Toml,
        saved: false,
        definition: JourneyDefinition::default_definition()?,
    })
}

/// Validates `text` and saves it as the project's definition; returns what was saved.
pub fn save(
    meta: &Meta,
    project: &str,
    (text, format): (&str, DefinitionFormat),
    user: Option<i64>,
    now: i64,
) -> Result<JourneyDefinition, AppError> {
    let definition = JourneyDefinition::parse(text, format)?;
    meta.save_definition(project, text, format.name(), user, now)?;
    Ok(definition)
}

/// The project goes back to the default definition.
pub fn reset(meta: &Meta, project: &str) -> Result<(), AppError> {
    Ok(meta.reset_definition(project)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_uses_its_saved_definition_else_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let meta = crate::layout::open_meta(dir.path()).unwrap();
        let d = project(&meta, "default").unwrap();
        assert!(!d.saved);
        assert_eq!(d.definition, JourneyDefinition::default_definition().unwrap());

        let text = "version = 1\nname = \"two\"\n\
                    [[stages]]\nkey = \"seen\"\nname = { en = \"Seen\", ru = \"Видел\" }\nevent = \"page\"\n\
                    [[stages]]\nkey = \"bought\"\nname = { en = \"Bought\", ru = \"Купил\" }\nevent = \"purchase\"\n";
        let saved_def = save(&meta, "default", (text, DefinitionFormat::Toml), None, 1).unwrap();
        let d = project(&meta, "default").unwrap();
        assert!(d.saved);
        assert_eq!(d.definition, saved_def);
        assert_eq!(d.definition.stages.len(), 2);

        // a broken one is refused with its line and leaves the saved one in place
        let e = save(&meta, "default", ("[[stages]]\nkey = 5\n", DefinitionFormat::Toml), None, 2).unwrap_err();
        assert!(matches!(&e, AppError::Definition(d) if d.issues.iter().any(|i| i.line.is_some())), "{e:?}");
        assert_eq!(project(&meta, "default").unwrap().definition, saved_def);

        reset(&meta, "default").unwrap();
        assert!(!project(&meta, "default").unwrap().saved);
    }
}
