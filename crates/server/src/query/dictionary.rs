//! The dictionary on the query API: `GET /api/v1/dictionary` (a read key, or a signed-in member) answers every
//! event name and property of the project with counts, first/last seen (epoch ms), top values and the notes
//! people made — always by raw name; `PUT` and `PATCH /api/v1/dictionary/{events|properties}/{name}` change a
//! note (`name_en`, `name_ru`, `description`, `hidden`, `verified`; PUT replaces it, PATCH changes the fields
//! given). Notes are metadata people write, so a change needs a signed-in analyst or admin of the project (the
//! web app's session, with a JSON body — which a cross-site form cannot send); read keys only read, and write keys
//! only send events.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, Method};
use axum::Json;
use serde::Deserialize;
use tropa_app::audit::Who;
use tropa_app::dictionary::Dictionary;
use tropa_app::AppError;
use tropa_meta::{Note, NoteKind, Role};

use super::{blocking, body, project_engine, signed_in};
use crate::error::{ApiError, Code};
use crate::{auth, AppState};

pub async fn get(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Dictionary>, ApiError> {
    let (project, engine) = project_engine(&s, &headers, &q)?;
    blocking(move || {
        tropa_app::dictionary::load(&s.meta, &*engine, &project)
            .map(Json)
            .map_err(|e| ApiError::internal("dictionary", &e))
    })
    .await
}

/// A note's fields in a request body (PATCH: only those given change).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    pub name_en: Option<String>,
    pub name_ru: Option<String>,
    pub description: Option<String>,
    pub hidden: Option<bool>,
    pub verified: Option<bool>,
}

pub async fn put(
    State(s): State<Arc<AppState>>,
    method: Method,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    Path((kind, name)): Path<(String, String)>,
    bytes: Bytes,
) -> Result<Json<Note>, ApiError> {
    let kind = match kind.as_str() {
        "events" => NoteKind::Event,
        "properties" => NoteKind::Property,
        _ => {
            return Err(ApiError::field(
                Code::NotFound,
                "kind",
                "use /api/v1/dictionary/events/NAME or /properties/NAME",
            ))
        }
    };
    let (user, project) = analyst(&s, &headers, q.as_deref(), "the dictionary")?;
    let req: NoteRequest = body(&bytes, true)?;
    let old = s
        .meta
        .dictionary_notes(&project)
        .map_err(|e| ApiError::internal("dictionary", &e))?
        .into_iter()
        .find(|(k, n)| *k == kind && n.name == name)
        .map(|(_, n)| n)
        .filter(|_| method == Method::PATCH)
        .unwrap_or_else(|| Note { name: name.clone(), ..Note::default() });
    let note = Note {
        name: name.clone(),
        name_en: req.name_en.map_or(old.name_en, |v| v.trim().to_string()),
        name_ru: req.name_ru.map_or(old.name_ru, |v| v.trim().to_string()),
        description: req.description.map_or(old.description, |v| v.trim().to_string()),
        hidden: req.hidden.unwrap_or(old.hidden),
        verified: req.verified.unwrap_or(old.verified),
        updated_at: 0,
    };
    let now = (s.clock)();
    let who = Who::user(user.id, &user.email, None);
    match tropa_app::dictionary::annotate(&s.meta, &project, kind, note.clone(), &who, now) {
        Ok(()) => Ok(Json(Note { updated_at: now, ..note })),
        Err(AppError::Invalid { field, reason }) => {
            Err(ApiError::field(Code::InvalidQuery, field, reason.words(tropa_core::lang::Lang::En)))
        }
        Err(e) => Err(ApiError::internal("dictionary", &e)),
    }
}

/// The signed-in analyst or admin changing a project's definitions (`what`: "the dictionary", "surveys"), and
/// the project (`?project=`, else `default`): JSON bodies only, never a key — keys send events or read reports.
pub(crate) fn analyst(
    s: &AppState,
    headers: &HeaderMap,
    q: Option<&str>,
    what: &str,
) -> Result<(tropa_meta::User, String), ApiError> {
    let json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !json.trim_start().to_ascii_lowercase().starts_with("application/json") {
        return Err(ApiError::new(Code::UnsupportedMediaType, "send JSON (Content-Type: application/json)"));
    }
    if auth::presented_key(headers)?.is_some() {
        return Err(ApiError::new(
            Code::WrongKeyKind,
            format!("keys do not change {what}: sign in to the web app as an analyst or an admin of the project"),
        ));
    }
    let Some(user) = signed_in(s, headers)? else {
        return Err(ApiError::new(Code::MissingKey, "sign in to the web app as an analyst or an admin of the project"));
    };
    let project = q.unwrap_or("").split('&').find_map(|kv| kv.strip_prefix("project=")).unwrap_or("default");
    let project = project.to_string();
    let role = s.meta.project_role(&user, &project).map_err(|e| ApiError::internal("project lookup", &e))?;
    match role {
        None => Err(ApiError::field(Code::NotFound, "project", format!("no project '{project}'"))),
        Some(r) if r < Role::Analyst => {
            Err(ApiError::new(Code::WrongKeyKind, format!("viewers read {what}; analysts and admins change it")))
        }
        Some(_) => Ok((user, project)),
    }
}
