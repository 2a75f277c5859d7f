//! What people keep in a project besides its events: saved reports (a named funnel is its builder's query
//! string, so reopening it is opening that URL) and the project's journey definition (the text as typed, TOML,
//! YAML or JSON; the caller validates it before saving).

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::{project_id, Meta, MetaError};

/// The longest name and query kept.
const MAX_NAME: usize = 120;
const MAX_QUERY: usize = 16 * 1024;
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

impl Meta {
    /// Saves a report under `name`, replacing the one of the same name and kind (saving again updates it).
    pub fn save_report(
        &self,
        project: &str,
        kind: &str,
        name: &str,
        query: &str,
        user: Option<i64>,
        now: i64,
    ) -> Result<SavedReport, MetaError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME {
            return Err(invalid("name", format!("a name has 1–{MAX_NAME} characters")));
        }
        if query.len() > MAX_QUERY {
            return Err(invalid("query", format!("is longer than {MAX_QUERY} bytes")));
        }
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        conn.execute(
            "INSERT INTO saved_reports (project_id, kind, name, query, created_by, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (project_id, kind, name) DO UPDATE SET query = excluded.query, updated_at = excluded.updated_at",
            params![pid, kind, name, query, user, now],
        )?;
        let id = conn.query_row(
            "SELECT id FROM saved_reports WHERE project_id = ?1 AND kind = ?2 AND name = ?3",
            params![pid, kind, name],
            |r| r.get(0),
        )?;
        Ok(SavedReport {
            id,
            project: project.into(),
            kind: kind.into(),
            name: name.into(),
            query: query.into(),
            updated_at: now,
        })
    }

    /// The saved reports of a kind in a project, by name.
    pub fn saved_reports(&self, project: &str, kind: &str) -> Result<Vec<SavedReport>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT r.id, p.slug, r.kind, r.name, r.query, r.updated_at FROM saved_reports r
             JOIN projects p ON p.id = r.project_id WHERE p.slug = ?1 AND r.kind = ?2 ORDER BY r.name",
        )?;
        let rows = st.query_map(params![project, kind], |r| {
            Ok(SavedReport {
                id: r.get(0)?,
                project: r.get(1)?,
                kind: r.get(2)?,
                name: r.get(3)?,
                query: r.get(4)?,
                updated_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes a saved report of `project` (an id of another project is not found).
    pub fn delete_report(&self, project: &str, id: i64) -> Result<(), MetaError> {
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        if conn.execute("DELETE FROM saved_reports WHERE id = ?1 AND project_id = ?2", params![id, pid])? == 0 {
            return Err(MetaError::NotFound { what: "saved report", name: id.to_string() });
        }
        Ok(())
    }

    /// Keeps `text` as the project's journey definition.
    pub fn save_definition(
        &self,
        project: &str,
        text: &str,
        format: &str,
        user: Option<i64>,
        now: i64,
    ) -> Result<(), MetaError> {
        if !matches!(format, "toml" | "yaml" | "json") {
            return Err(invalid("format", format!("'{format}': use toml, yaml or json")));
        }
        if text.len() > MAX_DEFINITION {
            return Err(invalid("definition", format!("is longer than {MAX_DEFINITION} bytes")));
        }
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        conn.execute(
            "INSERT INTO definitions (project_id, text, format, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (project_id) DO UPDATE SET text = excluded.text, format = excluded.format,
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            params![pid, text, format, user, now],
        )?;
        Ok(())
    }

    /// The project's journey definition, None until one is saved (the default definition applies).
    pub fn definition(&self, project: &str) -> Result<Option<StoredDefinition>, MetaError> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT d.text, d.format, d.updated_at FROM definitions d JOIN projects p ON p.id = d.project_id
                 WHERE p.slug = ?1",
                [project],
                |r| Ok(StoredDefinition { text: r.get(0)?, format: r.get(1)?, updated_at: r.get(2)? }),
            )
            .optional()?)
    }

    /// Forgets the project's journey definition (back to the default).
    pub fn reset_definition(&self, project: &str) -> Result<(), MetaError> {
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        conn.execute("DELETE FROM definitions WHERE project_id = ?1", [pid])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_meta as meta;

    #[test]
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

    #[test]
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
