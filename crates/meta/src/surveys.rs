//! Surveys of a project as stored: key, kind, active flag and the survey's JSON document (wording, choices,
//! targeting), which the application layer checked (`tropa_core::survey::Survey::check`). Answers are never
//! stored here: they are `survey_response` events in the event store, so `tropa forget` removes them with the
//! customer's other events.

use serde::Serialize;

use crate::MetaError;

/// The largest survey document, in bytes.
pub const MAX_DOCUMENT: usize = 64 * 1024;
/// What a survey may ask.
pub const SURVEY_KINDS: [&str; 6] = ["nps", "csat", "ces", "single", "multiple", "text"];

/// A stored survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredSurvey {
    pub id: i64,
    pub project: String,
    pub key: String,
    pub kind: String,
    pub document: String,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A survey to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSurvey<'a> {
    pub key: &'a str,
    pub kind: &'a str,
    pub document: &'a str,
    pub active: bool,
}

/// Bounds every backend applies before storing.
pub fn check_survey(s: &NewSurvey<'_>) -> Result<(), MetaError> {
    let bad = |field: &str, reason: &str| MetaError::Invalid { field: field.into(), reason: reason.into() };
    if s.key.is_empty() || s.key.len() > 40 {
        return Err(bad("key", "must be 1 to 40 characters long"));
    }
    if !SURVEY_KINDS.contains(&s.kind) {
        return Err(bad("kind", "must be nps, csat, ces, single, multiple or text"));
    }
    if s.document.len() > MAX_DOCUMENT {
        return Err(bad("document", "must be at most 64 KiB"));
    }
    Ok(())
}

/// The largest theme list document, in bytes.
pub const MAX_THEMES_DOCUMENT: usize = 256 * 1024;

/// Bounds every backend applies before storing a theme list (its content is checked by the application).
pub fn check_themes(document: &str) -> Result<(), MetaError> {
    if document.len() > MAX_THEMES_DOCUMENT {
        return Err(MetaError::Invalid { field: "themes".into(), reason: "must be at most 256 KiB".into() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::testing::backend_tests! {
        fn surveys_are_kept_per_project_and_replaced_by_key() {
            let (_d, m) = meta();
            m.create_project("a", "", 0).unwrap();
            m.create_project("b", "", 0).unwrap();
            let s = NewSurvey { key: "nps", kind: "nps", document: "{}", active: true };
            let first = m.save_survey("a", &s, 5).unwrap();
            assert_eq!((first.key.as_str(), first.active, first.created_at), ("nps", true, 5));
            let again = m.save_survey("a", &NewSurvey { active: false, document: "{\"x\":1}", ..s.clone() }, 9).unwrap();
            assert_eq!((again.id, again.active, again.created_at, again.updated_at), (first.id, false, 5, 9));
            assert_eq!(m.surveys("a").unwrap().len(), 1);
            assert!(m.surveys("b").unwrap().is_empty());
            assert!(m.survey("b", "nps").unwrap().is_none());
            assert!(matches!(m.save_survey("zz", &s, 0), Err(MetaError::NotFound { .. })));
            assert!(matches!(
                m.save_survey("a", &NewSurvey { kind: "poll", ..s.clone() }, 0),
                Err(MetaError::Invalid { .. })
            ));
            m.delete_survey("a", "nps").unwrap();
            assert!(m.survey("a", "nps").unwrap().is_none());
            assert!(matches!(m.delete_survey("a", "nps"), Err(MetaError::NotFound { what: "survey", .. })));
        }

        fn a_theme_list_is_kept_per_project_and_reset() {
            let (_dir, m) = meta();
            m.create_project("a", "", 0).unwrap();
            assert_eq!(m.feedback_themes("a").unwrap(), None);
            m.save_feedback_themes("a", "{\"theme\":[]}", 5).unwrap();
            m.save_feedback_themes("a", "{\"theme\":[1]}", 7).unwrap();
            assert_eq!(m.feedback_themes("a").unwrap(), Some(("{\"theme\":[1]}".to_string(), 7)));
            assert_eq!(m.feedback_themes("b").unwrap(), None);
            assert!(matches!(m.save_feedback_themes("zz", "{}", 0), Err(MetaError::NotFound { .. })));
            let big = "x".repeat(MAX_THEMES_DOCUMENT + 1);
            assert!(matches!(m.save_feedback_themes("a", &big, 0), Err(MetaError::Invalid { .. })));
            assert!(m.reset_feedback_themes("a").unwrap());
            assert!(!m.reset_feedback_themes("a").unwrap());
            assert_eq!(m.feedback_themes("a").unwrap(), None);
        }
    }
}
