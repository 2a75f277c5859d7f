//! The dictionary's notes on SQLite (`dictionary_notes`).

use rusqlite::params;

use super::{project_id, SqliteRepository};
use crate::dictionary::{check_note, Note, NoteKind};
use crate::repository::Dictionary;
use crate::MetaError;

impl Dictionary for SqliteRepository {
    fn dictionary_notes(&self, project: &str) -> Result<Vec<(NoteKind, Note)>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT n.kind, n.name, n.name_en, n.name_ru, n.description, n.hidden, n.verified, n.updated_at
             FROM dictionary_notes n JOIN projects p ON p.id = n.project_id WHERE p.slug = ?1
             ORDER BY n.kind, n.name",
        )?;
        let rows = st.query_map([project], |r| {
            let kind: String = r.get(0)?;
            Ok((
                kind,
                Note {
                    name: r.get(1)?,
                    name_en: r.get(2)?,
                    name_ru: r.get(3)?,
                    description: r.get(4)?,
                    hidden: r.get(5)?,
                    verified: r.get(6)?,
                    updated_at: r.get(7)?,
                },
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (kind, note) = row?;
            if let Some(kind) = NoteKind::parse(&kind) {
                out.push((kind, note));
            }
        }
        Ok(out)
    }

    fn set_dictionary_note(
        &self,
        project: &str,
        kind: NoteKind,
        note: &Note,
        user: Option<i64>,
        now: i64,
    ) -> Result<(), MetaError> {
        check_note(note)?;
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        conn.execute(
            "INSERT INTO dictionary_notes
               (project_id, kind, name, name_en, name_ru, description, hidden, verified, updated_by, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (project_id, kind, name) DO UPDATE SET name_en = excluded.name_en,
               name_ru = excluded.name_ru, description = excluded.description, hidden = excluded.hidden,
               verified = excluded.verified, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            params![
                pid,
                kind.as_str(),
                note.name,
                note.name_en,
                note.name_ru,
                note.description,
                note.hidden,
                note.verified,
                user,
                now
            ],
        )?;
        Ok(())
    }
}
