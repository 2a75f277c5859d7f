//! The dictionary's notes: what people say about an event name or a property of a project — display names in
//! English and Russian, a description, and the `hidden` (left out of pickers) and `verified` (offered first)
//! flags. The counts and times of the dictionary live with the data (`tropa_core::catalog`); a note exists only
//! for names someone annotated, and may name an event not (or no longer) in the data.

use serde::{Deserialize, Serialize};

use crate::MetaError;

/// The longest raw name noted (event names and property paths).
pub const MAX_NAME: usize = 200;
/// The longest display name, in characters.
pub const MAX_DISPLAY: usize = 100;
/// The longest description, in characters.
pub const MAX_DESCRIPTION: usize = 2000;

/// What a note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteKind {
    Event,
    Property,
}

impl NoteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::Event => "event",
            NoteKind::Property => "property",
        }
    }

    pub fn parse(s: &str) -> Option<NoteKind> {
        match s {
            "event" => Some(NoteKind::Event),
            "property" => Some(NoteKind::Property),
            _ => None,
        }
    }
}

/// One note as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// The raw event name or property path.
    pub name: String,
    pub name_en: String,
    pub name_ru: String,
    pub description: String,
    pub hidden: bool,
    pub verified: bool,
    /// When it was last changed (epoch ms); 0 for a note never stored.
    pub updated_at: i64,
}

/// A note to store: a raw name of 1–200 bytes, display names of at most 100 characters, a description of at most
/// 2000, none with control characters (a description may have line breaks). Every problem at once is not needed
/// here: the application layer checks fields for people first; this is the last line.
pub fn check_note(note: &Note) -> Result<(), MetaError> {
    let bad = |field: &str, reason: &str| Err(MetaError::Invalid { field: field.into(), reason: reason.into() });
    let control = |s: &str, lines: bool| s.chars().any(|c| c.is_control() && !(lines && (c == '\n' || c == '\r')));
    if note.name.is_empty() || note.name.len() > MAX_NAME || control(&note.name, false) {
        return bad("name", "must be 1 to 200 bytes without control characters");
    }
    for (field, text) in [("name_en", &note.name_en), ("name_ru", &note.name_ru)] {
        if text.chars().count() > MAX_DISPLAY || control(text, false) {
            return bad(field, "must be at most 100 characters without control characters");
        }
    }
    if note.description.chars().count() > MAX_DESCRIPTION || control(&note.description, true) {
        return bad("description", "must be at most 2000 characters without control characters");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(name: &str, en: &str, ru: &str) -> Note {
        Note { name: name.into(), name_en: en.into(), name_ru: ru.into(), ..Note::default() }
    }

    crate::testing::backend_tests! {
        fn notes_are_kept_per_project_and_kind_and_replaced() {
            let (_d, m) = meta();
            m.create_project("a", "", 0).unwrap();
            m.create_project("b", "", 0).unwrap();
            assert!(m.dictionary_notes("a").unwrap().is_empty());
            m.set_dictionary_note("a", NoteKind::Event, &note("purchase", "Purchase", "Покупка"), None, 5).unwrap();
            m.set_dictionary_note("a", NoteKind::Property, &note("purchase", "", "Покупка (свойство)"), None, 6).unwrap();
            let mut changed = note("purchase", "Order placed", "Заказ");
            changed.hidden = true;
            changed.verified = true;
            changed.description = "line one\nline two".into();
            m.set_dictionary_note("a", NoteKind::Event, &changed, None, 7).unwrap();
            let notes = m.dictionary_notes("a").unwrap();
            assert_eq!(notes.len(), 2);
            assert_eq!(notes[0], (NoteKind::Event, Note { updated_at: 7, ..changed }));
            assert_eq!(notes[1].0, NoteKind::Property);
            assert_eq!(notes[1].1.name_ru, "Покупка (свойство)");
            assert!(m.dictionary_notes("b").unwrap().is_empty());
            assert!(m.dictionary_notes("zz").unwrap().is_empty());
            assert!(matches!(
                m.set_dictionary_note("zz", NoteKind::Event, &note("x", "", ""), None, 1),
                Err(MetaError::NotFound { what: "project", .. })
            ));
        }

        fn bad_notes_are_refused_naming_the_field() {
            let (_d, m) = meta();
            m.create_project("a", "", 0).unwrap();
            let field = |n: Note| match m.set_dictionary_note("a", NoteKind::Event, &n, None, 1) {
                Err(MetaError::Invalid { field, .. }) => field,
                other => panic!("{other:?}"),
            };
            assert_eq!(field(note("", "", "")), "name");
            assert_eq!(field(note("a\u{7}b", "", "")), "name");
            assert_eq!(field(note("x", &"я".repeat(101), "")), "name_en");
            assert_eq!(field(note("x", "", "a\nb")), "name_ru");
            assert_eq!(field(Note { description: "d".repeat(2001), ..note("x", "", "") }), "description");
            assert!(m.set_dictionary_note("a", NoteKind::Event, &note("x", &"я".repeat(100), ""), None, 1).is_ok());
        }
    }
}
