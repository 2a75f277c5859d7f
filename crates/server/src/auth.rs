//! Keys on requests: `Authorization: Basic base64(KEY:)` (Segment's convention: the key is the user name, the
//! password empty) or `Authorization: Bearer KEY`. Write keys only send events; read keys only query their own
//! project. The key itself never reaches a log.

use axum::http::{header, HeaderMap};
use base64::Engine as _;
use tropa_meta::{KeyInfo, KeyKind};

use crate::error::{ApiError, Code};
use crate::AppState;

/// The key in the `Authorization` header, if there is one.
pub fn presented_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else { return Ok(None) };
    let bad = |why: &str| ApiError::field(Code::InvalidKey, "Authorization", why.to_string());
    let text = value.to_str().map_err(|_| bad("the header is not ASCII"))?.trim();
    let (scheme, rest) = text.split_once(' ').ok_or_else(|| bad("write 'Basic base64(KEY:)' or 'Bearer KEY'"))?;
    let key = match scheme.to_ascii_lowercase().as_str() {
        "basic" => {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(rest.trim())
                .map_err(|_| bad("the Basic credentials are not base64"))?;
            let pair = String::from_utf8(raw).map_err(|_| bad("the Basic credentials are not UTF-8"))?;
            pair.split_once(':').map(|(user, _)| user.to_string()).unwrap_or(pair)
        }
        "bearer" => rest.trim().to_string(),
        _ => return Err(bad("write 'Basic base64(KEY:)' or 'Bearer KEY'")),
    };
    if key.is_empty() {
        return Err(ApiError::field(Code::MissingKey, "Authorization", "the key is empty"));
    }
    Ok(Some(key))
}

/// The key's record if it exists, is not revoked and is of `kind`.
pub fn check(state: &AppState, key: &str, kind: KeyKind) -> Result<KeyInfo, ApiError> {
    let info = state.meta.authenticate(key).map_err(|e| ApiError::internal("key lookup", &e))?.ok_or_else(|| {
        ApiError::new(Code::InvalidKey, "the key is unknown or revoked: create one with tropa key create")
    })?;
    if info.kind != kind {
        let msg = match kind {
            KeyKind::Write => "this is a read key: sending events needs a write key of the project",
            KeyKind::Read => "this is a write key: it can only send events; queries need a read key",
        };
        return Err(ApiError::new(Code::WrongKeyKind, msg));
    }
    Ok(info)
}
