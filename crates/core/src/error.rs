//! Errors of the pure domain layer: every validation problem names its field and, where known, its row.

use std::fmt;

/// One problem with one field of one input record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `context.campaign.source` or `timestamp`.
    pub field: String,
    /// Lower-case reason that says what to do next.
    pub reason: String,
    /// The reason in Russian, where the check words it in both languages (the API answers `reason`).
    #[serde(skip)]
    pub ru: Option<String>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        FieldError { field: field.into(), reason: reason.into(), ru: None }
    }

    /// A problem worded in English and Russian.
    pub fn words(field: impl Into<String>, en: impl Into<String>, ru: impl Into<String>) -> Self {
        FieldError { field: field.into(), reason: en.into(), ru: Some(ru.into()) }
    }

    /// The reason in `lang` (English where there are no Russian words).
    pub fn reason_in(&self, lang: crate::lang::Lang) -> &str {
        match (&self.ru, lang) {
            (Some(ru), crate::lang::Lang::Ru) => ru,
            _ => &self.reason,
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// Errors raised by `tropa-core`.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CoreError {
    /// The record is invalid; all field problems are listed, not only the first.
    #[error("invalid message: {}", join(.0))]
    Invalid(Vec<FieldError>),
    /// A dictionary ran out of codes (e.g. more than 65,535 distinct event names).
    #[error("too many distinct values in {column}: the limit is {limit}")]
    DictionaryFull { column: &'static str, limit: usize },
}

fn join(errs: &[FieldError]) -> String {
    errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")
}

impl CoreError {
    /// The first offending field, if the error is about a field.
    pub fn field(&self) -> Option<&str> {
        match self {
            CoreError::Invalid(errs) => errs.first().map(|e| e.field.as_str()),
            CoreError::DictionaryFull { column, .. } => Some(column),
        }
    }
}
