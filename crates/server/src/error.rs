//! The server's one error type and its one mapping to HTTP: every error answers
//! `{"error":{"code","message","field"}}` with a stable `code` from [`Code`]. Internal details are logged, never
//! echoed.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tropa_engine::{EngineError, ErrorKind};

/// Stable error codes, one per distinct problem a client can fix (or wait out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    InvalidJson,
    InvalidMessage,
    InvalidQuery,
    EmptyBatch,
    MessageTooLarge,
    PayloadTooLarge,
    UnsupportedMediaType,
    UnsupportedEncoding,
    InvalidGzip,
    MissingKey,
    InvalidKey,
    WrongKeyKind,
    NotFound,
    Overloaded,
    Unavailable,
    Internal,
}

impl Code {
    /// Every code, for the documentation and the tests.
    pub const ALL: [Code; 16] = [
        Code::InvalidJson,
        Code::InvalidMessage,
        Code::InvalidQuery,
        Code::EmptyBatch,
        Code::MessageTooLarge,
        Code::PayloadTooLarge,
        Code::UnsupportedMediaType,
        Code::UnsupportedEncoding,
        Code::InvalidGzip,
        Code::MissingKey,
        Code::InvalidKey,
        Code::WrongKeyKind,
        Code::NotFound,
        Code::Overloaded,
        Code::Unavailable,
        Code::Internal,
    ];

    pub fn kind(self) -> ErrorKind {
        match self {
            Code::InvalidJson | Code::InvalidMessage | Code::InvalidQuery | Code::EmptyBatch | Code::InvalidGzip => {
                ErrorKind::InvalidInput
            }
            Code::MessageTooLarge | Code::PayloadTooLarge => ErrorKind::PayloadTooLarge,
            Code::UnsupportedMediaType | Code::UnsupportedEncoding => ErrorKind::InvalidInput,
            Code::MissingKey | Code::InvalidKey => ErrorKind::Unauthenticated,
            Code::WrongKeyKind => ErrorKind::Forbidden,
            Code::NotFound => ErrorKind::NotFound,
            Code::Overloaded => ErrorKind::RateLimited,
            Code::Unavailable => ErrorKind::Unavailable,
            Code::Internal => ErrorKind::Internal,
        }
    }

    /// The one place where a problem becomes an HTTP status.
    pub fn status(self) -> StatusCode {
        match (self, self.kind()) {
            (Code::UnsupportedMediaType | Code::UnsupportedEncoding, _) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            (_, ErrorKind::InvalidInput) => StatusCode::BAD_REQUEST,
            (_, ErrorKind::NotFound) => StatusCode::NOT_FOUND,
            (_, ErrorKind::Conflict) => StatusCode::CONFLICT,
            (_, ErrorKind::Unauthenticated) => StatusCode::UNAUTHORIZED,
            (_, ErrorKind::Forbidden) => StatusCode::FORBIDDEN,
            (_, ErrorKind::PayloadTooLarge) => StatusCode::PAYLOAD_TOO_LARGE,
            (_, ErrorKind::RateLimited) => StatusCode::TOO_MANY_REQUESTS,
            (_, ErrorKind::Unavailable) => StatusCode::SERVICE_UNAVAILABLE,
            (_, ErrorKind::Internal) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// One rejected message of a batch.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Rejected {
    /// Position in the batch (0-based).
    pub index: usize,
    pub code: Code,
    /// The field at fault, as a path from the request body (`batch[3].event`).
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: Code,
    pub message: String,
    pub field: Option<String>,
    /// Per-message problems of a batch (all of them, not just the first).
    pub rejected: Vec<Rejected>,
}

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into(), field: None, rejected: Vec::new() }
    }

    pub fn field(code: Code, field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into(), field: Some(field.into()), rejected: Vec::new() }
    }

    /// A failure the client cannot fix: the details go to the log, the client gets a generic message.
    pub fn internal(context: &str, err: &dyn std::fmt::Display) -> Self {
        tracing::error!(context, error = %err, "internal error");
        ApiError::new(Code::Internal, "internal error: the server log has the details; try again later")
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        match e.kind() {
            ErrorKind::InvalidInput => ApiError::new(Code::InvalidQuery, e.to_string()),
            ErrorKind::NotFound => ApiError::new(Code::NotFound, e.to_string()),
            ErrorKind::RateLimited => ApiError::new(Code::Overloaded, "the server is busy: retry after a second"),
            ErrorKind::Unavailable => ApiError::new(Code::Unavailable, "the data folder is not available: retry later"),
            _ => ApiError::internal("engine", &e),
        }
    }
}

/// `code` and `message` also sit at the top level, where the Segment and RudderStack SDKs read a refusal
/// (rudder-sdk-python retries a permanent 4xx when it cannot find them).
#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
    code: Code,
    message: &'a str,
    #[serde(skip_serializing_if = "<[Rejected]>::is_empty")]
    rejected: &'a [Rejected],
}

#[derive(Serialize)]
struct Inner<'a> {
    code: Code,
    message: &'a str,
    field: Option<&'a str>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner { code: self.code, message: &self.message, field: self.field.as_deref() },
            code: self.code,
            message: &self.message,
            rejected: &self.rejected,
        };
        let mut res = (self.code.status(), axum::Json(body)).into_response();
        if self.code == Code::Overloaded {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if self.code.kind() == ErrorKind::Unauthenticated {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"tropa\""));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_client_or_server_status() {
        use Code::*;
        for c in Code::ALL {
            let s = c.status().as_u16();
            assert!((400..600).contains(&s), "{c:?}");
            assert_eq!(s >= 500, matches!(c, Unavailable | Internal), "{c:?}");
        }
    }
}
