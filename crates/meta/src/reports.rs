//! What people keep in a project besides its events: saved reports (a named funnel is its builder's query
//! string, so reopening it is opening that URL) and the project's journey definition (the text as typed, TOML,
//! YAML or JSON; the caller validates it before saving).

use serde::Serialize;

use crate::MetaError;

/// The longest name and query kept.
/// The longest name of a saved report, in characters.
pub const MAX_NAME: usize = 120;
/// The longest parameters of a saved report, in bytes.
pub const MAX_QUERY: usize = 16 * 1024;
const MAX_DEFINITION: usize = 256 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SavedReport {
    pub id: i64,
    pub project: String,
    /// The page it belongs to: `funnel`, `paths`, `retention`.
    pub kind: String,
    pub name: String,
    /// The builder's query string (without `project`).
    pub query: String,
    pub updated_at: i64,
}

/// A project's journey definition as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredDefinition {
    pub text: String,
    /// `toml`, `yaml` or `json`.
    pub format: String,
    pub updated_at: i64,
}

fn invalid(field: &str, reason: String) -> MetaError {
    MetaError::Invalid { field: field.into(), reason }
}

/// A report to save: its trimmed name (1–120 characters) and a query of at most 16 KiB.
pub fn check_report<'a>(name: &'a str, query: &str) -> Result<&'a str, MetaError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(invalid("name", format!("a name has 1–{MAX_NAME} characters")));
    }
    if query.len() > MAX_QUERY {
        return Err(invalid("query", format!("is longer than {MAX_QUERY} bytes")));
    }
    Ok(name)
}

/// A journey definition to keep: `toml`, `yaml` or `json`, at most 256 KiB.
pub fn check_definition(text: &str, format: &str) -> Result<(), MetaError> {
    if !matches!(format, "toml" | "yaml" | "json") {
        return Err(invalid("format", format!("'{format}': use toml, yaml or json")));
    }
    if text.len() > MAX_DEFINITION {
        return Err(invalid("definition", format!("is longer than {MAX_DEFINITION} bytes")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::testing::backend_tests! {
        fn reports_save_update_list_and_stay_in_their_project() {
            let (_d, m) = meta();
            m.create_project("a", "", 0).unwrap();
            m.create_project("b", "", 0).unwrap();
            let r = m.save_report("a", "funnel", " Checkout ", "steps=x", None, 1).unwrap();
            assert_eq!(r.name, "Checkout");
            let again = m.save_report("a", "funnel", "Checkout", "steps=y", None, 2).unwrap();
            assert_eq!(again.id, r.id, "saving under the same name updates");
            m.save_report("a", "funnel", "Browse", "steps=z", None, 3).unwrap();
            let list = m.saved_reports("a", "funnel").unwrap();
            assert_eq!(
                list.iter().map(|r| (r.name.as_str(), r.query.as_str())).collect::<Vec<_>>(),
                [("Browse", "steps=z"), ("Checkout", "steps=y")]
            );
            assert!(m.saved_reports("b", "funnel").unwrap().is_empty());
            assert!(matches!(m.delete_report("b", r.id), Err(MetaError::NotFound { .. })), "another project's id");
            m.delete_report("a", r.id).unwrap();
            assert_eq!(m.saved_reports("a", "funnel").unwrap().len(), 1);
            assert!(matches!(m.save_report("a", "funnel", "  ", "", None, 0), Err(MetaError::Invalid { .. })));
            assert!(matches!(m.save_report("zz", "funnel", "x", "", None, 0), Err(MetaError::NotFound { .. })));
        }

        fn definitions_are_kept_per_project() {
            let (_d, m) = meta();
            m.create_project("a", "", 0).unwrap();
            m.create_project("b", "", 0).unwrap();
            assert_eq!(m.definition("a").unwrap(), None);
            m.save_definition("a", "version = 1", "toml", None, 5).unwrap();
            m.save_definition("a", "version: 1", "yaml", None, 6).unwrap();
            let d = m.definition("a").unwrap().unwrap();
            assert_eq!((d.text.as_str(), d.format.as_str(), d.updated_at), ("version: 1", "yaml", 6));
            assert_eq!(m.definition("b").unwrap(), None);
            assert!(matches!(m.save_definition("a", "", "xml", None, 0), Err(MetaError::Invalid { .. })));
            m.reset_definition("a").unwrap();
            assert_eq!(m.definition("a").unwrap(), None);
        }
    }
}
