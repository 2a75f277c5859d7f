//! Who may see and do what in the web app. Every page and form about a project's data takes a [`Member<R>`]:
//! the extractor signs the request in (or sends the browser to the sign-in page), checks a form's CSRF token,
//! finds the project the request names and the user's role there, and refuses — 404 for a non-member, exactly
//! like a project that does not exist, so names do not leak; 403 below `R`'s role — before the handler runs. A
//! handler that reads a project's data cannot be written without one: the role is in its signature.
//!
//! ```text
//! async fn page(State(st): State<Arc<WebState>>, m: Member<Viewer>) -> Response { … m.s.project … }
//! async fn save(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Response { … m.f["name"] … }
//! ```

use crate::error::WebError;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use axum::body::to_bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tropa_meta::{Role, User};

use crate::session::{checked, session, Session};
use crate::WebState;

/// The least role a route needs, as a type.
pub trait Need: Send + Sync + 'static {
    const ROLE: Role;
}

/// Reads.
pub enum Viewer {}
/// Also edits reports, definitions and maps.
pub enum Analyst {}
/// Also manages the project's keys and members.
pub enum Admin {}

impl Need for Viewer {
    const ROLE: Role = Role::Viewer;
}
impl Need for Analyst {
    const ROLE: Role = Role::Analyst;
}
impl Need for Admin {
    const ROLE: Role = Role::Admin;
}

/// A signed-in member of the project the request names, with at least `R`'s role there. `f` holds the
/// query's fields, and for a form (POST) the form's over them (its CSRF token checked).
pub struct Member<R: Need> {
    pub s: Session,
    pub f: HashMap<String, String>,
    need: PhantomData<R>,
}

/// The largest form a page sends (a map document pasted into the import form is the biggest).
const FORM_LIMIT: usize = 4 << 20;

impl<R: Need> FromRequest<Arc<WebState>> for Member<R> {
    type Rejection = Response;

    async fn from_request(req: Request, st: &Arc<WebState>) -> Result<Self, Response> {
        let (parts, body) = req.into_parts();
        let lang = crate::i18n::lang_of("", &parts.headers);
        let mut f: HashMap<String, String> =
            serde_urlencoded::from_str(parts.uri.query().unwrap_or("")).unwrap_or_default();
        let s = if parts.method == Method::GET || parts.method == Method::HEAD {
            page_session(st, &parts.headers, &f, R::ROLE)
        } else {
            let bytes = to_bytes(body, FORM_LIMIT).await.map_err(|_| {
                WebError::BadRequest(lang, StatusCode::PAYLOAD_TOO_LARGE, "form_too_large").into_response()
            })?;
            let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
                .map_err(|_| WebError::BadRequest(lang, StatusCode::BAD_REQUEST, "not_a_form").into_response())?;
            f.extend(form);
            form_session(st, &parts.headers, &f, R::ROLE)
        };
        Ok(Member { s: s.map_err(IntoResponse::into_response)?, f, need: PhantomData })
    }
}

impl<R: Need> Member<R> {
    /// A member already checked (`s` in its project with at least `R`'s role), asking `f`: how a dashboard
    /// reads a pinned report through its page, with the dashboard's own member or a share link's reader.
    pub(crate) fn checked(s: Session, f: HashMap<String, String>) -> Member<R> {
        Member { s, f, need: PhantomData }
    }

    /// A form field, trimmed ("" when absent).
    pub fn field(&self, name: &str) -> &str {
        self.f.get(name).map(|v| v.trim()).unwrap_or("")
    }

    /// The same member if their role is at least `role` (for a route whose need depends on the action).
    pub fn at_least(self, role: Role) -> Result<Self, WebError> {
        if self.s.role < role {
            return Err(WebError::Forbidden(Box::new(self.s), role));
        }
        Ok(self)
    }
}

/// The signed-in user `s` in `project` with at least `need` there (their membership's role; an instance admin
/// is an admin everywhere). Not a member, or no such project: 404 — the same answer, so project names do not
/// leak; a member below `need`: 403.
pub fn in_project(st: &WebState, mut s: Session, project: &str, need: Role) -> Result<Session, WebError> {
    let role = st.meta.project_role(&s.user, project).map_err(|e| WebError::internal(&e))?;
    s.project = project.to_string();
    let Some(role) = role else { return Err(WebError::NotFound(s.lang)) };
    s.role = role;
    if role < need {
        return Err(WebError::Forbidden(Box::new(s), need));
    }
    Ok(s)
}

/// The project a page or form names (`project=`); when none, `default` if the user may open it, else their
/// first project.
pub fn project_param_for(st: &WebState, user: &User, q: &HashMap<String, String>) -> String {
    if let Some(p) = q.get("project").map(|p| p.trim()).filter(|p| !p.is_empty()) {
        return p.to_string();
    }
    let mine = st.meta.user_projects(user).unwrap_or_default();
    if mine.is_empty() || mine.iter().any(|p| p.slug == "default") {
        return "default".into();
    }
    mine[0].slug.clone()
}

/// The session of a page about the project its query names, with at least `role` in that project.
fn page_session(
    st: &WebState,
    headers: &HeaderMap,
    q: &HashMap<String, String>,
    role: Role,
) -> Result<Session, WebError> {
    let s = session(st, headers, Role::Viewer)?;
    let project = project_param_for(st, &s.user, q);
    in_project(st, s, &project, role)
}

/// The member who sent a form about the form's `project` (its CSRF token checked), with at least `role` there.
fn form_session(
    st: &WebState,
    headers: &HeaderMap,
    f: &HashMap<String, String>,
    role: Role,
) -> Result<Session, WebError> {
    let s = checked(st, headers, f.get("csrf").map(String::as_str).unwrap_or(""), Role::Viewer)?;
    let project = project_param_for(st, &s.user, f);
    in_project(st, s, &project, role)
}
