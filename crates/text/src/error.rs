//! Errors of tropa-text: a theme list that cannot be read or used.

use serde::Serialize;

/// Why a theme list cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// The file is not valid TOML or JSON.
    #[error("the theme list is not valid{}: {message}", line.map(|l| format!(" (line {l})")).unwrap_or_default())]
    Syntax {
        /// The line (1-based), when the parser knows it.
        line: Option<usize>,
        /// The parser's message.
        message: String,
    },
    /// The file parses but has problems: all of them, each with its field.
    #[error("the theme list has {} problem(s): {}", .0.len(), .0.iter().map(|i| format!("{}: {}", i.field, i.reason)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<ThemeIssue>),
}

/// One problem of a theme list: the field (`theme[2].ru[0]`) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThemeIssue {
    /// The path of the field.
    pub field: String,
    /// What is wrong with it.
    pub reason: ThemeReason,
}

/// What is wrong with a field of a theme list; adapters word it in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ThemeReason {
    /// The field is required.
    #[error("is required")]
    Missing,
    /// The field is empty.
    #[error("is empty")]
    Empty,
    /// The field must be a string.
    #[error("must be a string")]
    NotAString,
    /// The field must be a list.
    #[error("must be a list")]
    NotAList,
    /// The item must be a table (an object).
    #[error("must be a table")]
    NotATable,
    /// The field is not one of the known ones.
    #[error("is not a known field (key, name_en, name_ru, en, ru)")]
    UnknownField,
    /// A key must be lowercase ASCII letters, digits, `_` or `-`.
    #[error("must be lowercase letters, digits, _ or -")]
    BadKey,
    /// Another theme has this key.
    #[error("repeats the key of an earlier theme")]
    Duplicate,
    /// The theme has no terms in either language.
    #[error("a theme needs at least one term in en or ru")]
    NoTerms,
    /// A term's word is not a word (punctuation, digits, a lone `*`).
    #[error("each word of a term must be letters, optionally ending in *")]
    NotAWord,
    /// The field is too long.
    #[error("is longer than {max} characters")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// Too many themes.
    #[error("has more than {max} themes")]
    TooMany {
        /// The limit.
        max: usize,
    },
}
