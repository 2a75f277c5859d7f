//! The dictionary's notes on PostgreSQL (`dictionary_notes`).

use super::{project_id, rows, PostgresRepository};
use crate::dictionary::{check_note, Note, NoteKind};
use crate::repository::Dictionary;
use crate::MetaError;

impl Dictionary for PostgresRepository {
    fn dictionary_notes(&self, project: &str) -> Result<Vec<(NoteKind, Note)>, MetaError> {
        let found = self.with(|c| {
            let found = c.query(
                "SELECT n.kind, n.name, n.name_en, n.name_ru, n.description, n.hidden, n.verified, n.updated_at
                 FROM dictionary_notes n JOIN projects p ON p.id = n.project_id WHERE p.slug = $1
                 ORDER BY n.kind, n.name",
                &[&project],
            )?;
            rows(found, |r| {
                Ok((
                    r.try_get::<_, String>(0)?,
                    Note {
                        name: r.try_get(1)?,
                        name_en: r.try_get(2)?,
                        name_ru: r.try_get(3)?,
                        description: r.try_get(4)?,
                        hidden: r.try_get(5)?,
                        verified: r.try_get(6)?,
                        updated_at: r.try_get(7)?,
                    },
                ))
            })
        })?;
        Ok(found.into_iter().filter_map(|(kind, note)| Some((NoteKind::parse(&kind)?, note))).collect())
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
        self.tx(|t| {
            let pid = project_id(t, project)?;
            t.execute(
                "INSERT INTO dictionary_notes
                   (project_id, kind, name, name_en, name_ru, description, hidden, verified, updated_by, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (project_id, kind, name) DO UPDATE SET name_en = excluded.name_en,
                   name_ru = excluded.name_ru, description = excluded.description, hidden = excluded.hidden,
                   verified = excluded.verified, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                &[
                    &pid,
                    &kind.as_str(),
                    &note.name,
                    &note.name_en,
                    &note.name_ru,
                    &note.description,
                    &note.hidden,
                    &note.verified,
                    &user,
                    &now,
                ],
            )?;
            Ok(())
        })
    }
}
