use std::path::PathBuf;

/// The closed set of error kinds; only the server maps them to HTTP statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    InvalidInput,
    NotFound,
    Conflict,
    Unauthenticated,
    Forbidden,
    PayloadTooLarge,
    RateLimited,
    Unavailable,
    Internal,
}

/// Errors of an engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// An input value is invalid.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The data folder is in use by another process.
    #[error("the data folder {path} is in use by another tropa process: stop it or use another --data folder")]
    Locked { path: PathBuf },
    /// A file of the store is damaged.
    #[error("{path} is damaged: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    /// The store was written by a newer tropa.
    #[error("{path} has format version {found}, this tropa reads up to {supported}: upgrade tropa")]
    Version { path: PathBuf, found: u32, supported: u32 },
    /// An operating-system error while touching `path`.
    #[error("{op} {path}: {source}")]
    Io { op: &'static str, path: PathBuf, source: std::io::Error },
    /// The engine is overloaded; retry later.
    #[error("the engine is busy: retry in a moment")]
    Busy,
    /// A remote event store (ClickHouse) could not be reached or refused a statement; `what` names the step.
    #[error("the event store failed while it {what}: {reason}")]
    Remote { what: &'static str, reason: String },
    /// A dictionary limit or another internal limit was hit.
    #[error(transparent)]
    Core(#[from] tropa_core::CoreError),
}

impl EngineError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            EngineError::Invalid { .. } => ErrorKind::InvalidInput,
            EngineError::Locked { .. } => ErrorKind::Conflict,
            EngineError::Busy => ErrorKind::RateLimited,
            EngineError::Remote { .. } => ErrorKind::Unavailable,
            EngineError::Core(tropa_core::CoreError::Invalid(_)) => ErrorKind::InvalidInput,
            EngineError::Core(_) => ErrorKind::Conflict,
            EngineError::Corrupt { .. } | EngineError::Version { .. } | EngineError::Io { .. } => ErrorKind::Internal,
        }
    }

    /// Wraps an I/O error with the operation and the path it touched.
    pub fn io(op: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> EngineError {
        let path = path.into();
        move |source| EngineError::Io { op, path, source }
    }
}
