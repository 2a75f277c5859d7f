//! A path nobody serves: the 404 page in the reader's language (their setting when signed in, else the
//! browser's). The server answers its own paths (`/v1/…`, `/api/…`) in JSON before this is asked.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use tropa_meta::Role;

use crate::error::WebError;
use crate::i18n::lang_of;
use crate::session::session;
use crate::WebState;

pub(crate) async fn page(State(st): State<Arc<WebState>>, headers: HeaderMap) -> Response {
    let lang = match session(&st, &headers, Role::Viewer) {
        Ok(s) => s.lang,
        Err(_) => lang_of("", &headers),
    };
    WebError::NotFound(lang).into_response()
}
