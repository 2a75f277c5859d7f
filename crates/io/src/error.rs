//! Errors of the readers and writers: file-level problems are [`IoError`]s, problems of one row are
//! [`RowError`]s (collected, never fatal).

use std::fmt;
use std::path::{Path, PathBuf};

/// One rejected input row. Every problem of the row is listed in `reason`; `field` names the first one.
///
/// A bad row yields exactly one `RowError`, so `events + errors` is the number of rows read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line number in the file (CSV: the header is line 1; Parquet: 1-based row number).
    pub row: u64,
    /// The offending field: an event field (`timestamp`, `revenue`), a Segment path (`properties.revenue`),
    /// or `line` / `row` when the whole line is unreadable.
    pub field: String,
    /// Lower-case reason that says what to do next.
    pub reason: String,
}

impl RowError {
    pub(crate) fn new(row: u64, field: impl Into<String>, reason: impl Into<String>) -> Self {
        RowError { row, field: field.into(), reason: reason.into() }
    }

    /// One error for a row with several field problems: the first field, all reasons.
    pub(crate) fn from_fields(row: u64, errors: &[(String, String)]) -> Self {
        let field = errors.first().map(|(f, _)| f.clone()).unwrap_or_default();
        let reason = errors
            .iter()
            .enumerate()
            .map(|(i, (f, r))| if i == 0 { r.clone() } else { format!("{f}: {r}") })
            .collect::<Vec<_>>()
            .join("; ");
        RowError { row, field, reason }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}: {}: {}", self.row, self.field, self.reason)
    }
}

/// A problem with a whole file or with the reader's options; reading stops.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    #[error("cannot open {}: {source}: check the path and the permissions", path.display())]
    Open { path: PathBuf, source: std::io::Error },
    #[error("cannot read {} after line {line}: {source}: check that the file is complete", path.display())]
    Read { path: PathBuf, line: u64, source: std::io::Error },
    #[error("cannot write {}: {source}: check the free disk space and the permissions", path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{}: cannot read it as parquet: {source}", path.display())]
    Parquet { path: PathBuf, source: parquet::errors::ParquetError },
    #[error("{}: cannot write parquet: {source}", path.display())]
    ParquetWrite { path: PathBuf, source: parquet::errors::ParquetError },
    #[error("--column {arg}: {reason}")]
    Mapping { arg: String, reason: String },
    #[error("--set {arg}: {reason}")]
    Default { arg: String, reason: String },
    #[error("{}: no column for {field}: map one with --column {field}=COLUMN{hint} (columns: {available})", path.display())]
    MissingField { path: PathBuf, field: String, hint: String, available: String },
    #[error("{}: --column {field}={column}: there is no such column (columns: {available})", path.display())]
    MissingColumn { path: PathBuf, field: String, column: String, available: String },
    #[error("{}: column {column} of type {data_type} cannot be read as {field}: map a text, number or time column", path.display())]
    UnsupportedColumn { path: PathBuf, column: String, field: String, data_type: String },
    #[error("{}: {reason}", path.display())]
    Unsupported { path: PathBuf, reason: String },
    #[error("{}: {reason}", path.display())]
    Header { path: PathBuf, reason: String },
}

impl IoError {
    pub(crate) fn open(path: &Path, source: std::io::Error) -> Self {
        IoError::Open { path: path.to_path_buf(), source }
    }

    pub(crate) fn read(path: &Path, line: u64, source: std::io::Error) -> Self {
        IoError::Read { path: path.to_path_buf(), line, source }
    }

    pub(crate) fn write(path: &Path, source: std::io::Error) -> Self {
        IoError::Write { path: path.to_path_buf(), source }
    }

    pub(crate) fn unsupported(path: &Path, reason: impl Into<String>) -> Self {
        IoError::Unsupported { path: path.to_path_buf(), reason: reason.into() }
    }

    /// The row or line the error refers to, if any.
    pub fn line(&self) -> Option<u64> {
        match self {
            IoError::Read { line, .. } => Some(*line),
            _ => None,
        }
    }
}
