//! The one error type of the web app. A handler returns `Result<_, WebError>`; the error renders itself as a page
//! with the right status (or, for a request that is not signed in, as the way to the sign-in page), so no
//! handler picks a status or writes an error page by hand.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use tropa_meta::Role;

use crate::i18n::Lang;
use crate::i18n::Words;
use crate::session::{redirect, Session};
use crate::ui::layout;

/// Why a page cannot be shown.
pub enum WebError {
    /// Not signed in, or the session has expired: 303 to the sign-in page (which opens the page after).
    SignIn,
    /// No such page or thing — or a project the user is not a member of, which reads exactly the same so that
    /// names do not leak: 404.
    NotFound(Lang),
    /// The user's role is below the one the page needs: 403 naming that role, in the signed-in frame.
    Forbidden(Box<Session>, Role),
    /// The form's CSRF token is not the session's (an old tab, or another site posting): 403.
    ExpiredForm(Lang),
    /// A request no page sends (a form too large, a body that is no form): 400 or 413 with the reason's key.
    BadRequest(Lang, StatusCode, &'static str),
    /// Something failed on the server: logged where it happened, 500 with a page that says so (in both
    /// languages: the failure may come before the user's language is known).
    Internal,
}

impl WebError {
    /// An internal error: logged here (the message is for the log, never for the page), then 500.
    pub fn internal(e: &dyn std::fmt::Display) -> WebError {
        tracing::error!(error = %e, "web app");
        WebError::Internal
    }

    /// The status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::SignIn => StatusCode::SEE_OTHER,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Forbidden(..) | WebError::ExpiredForm(_) => StatusCode::FORBIDDEN,
            WebError::BadRequest(_, status, _) => *status,
            WebError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        let page = match self {
            WebError::SignIn => return redirect("/login"),
            WebError::NotFound(l) => layout::error_page(l, status, &[l.t("not_found")]),
            WebError::Forbidden(s, need) => {
                let l = s.lang;
                let main = html! {
                    h1 { "403" }
                    p { (l.t("forbidden")) " " b { (l.t(need.as_str())) } "." }
                    p { a href="/" { (l.t("overview")) } }
                };
                layout::shell(&s, "", "403", main)
            }
            WebError::ExpiredForm(l) => layout::error_page(l, status, &[l.t("expired_form")]),
            WebError::BadRequest(l, _, key) => layout::error_page(l, status, &[l.t(key)]),
            WebError::Internal => {
                // worded in both languages here; [`in_reader_language`] rewords it in the reader's own
                let (en, ru) = (Lang::En, Lang::Ru);
                let page = layout::error_page(en, status, &[en.t("internal_error"), ru.t("internal_error")]);
                let mut r = (status, axum::response::Html(page.into_string())).into_response();
                r.extensions_mut().insert(InternalPage);
                return r;
            }
        };
        (status, axum::response::Html(page.into_string())).into_response()
    }
}

/// Marks the answer of [`WebError::Internal`], so that [`in_reader_language`] can reword it.
#[derive(Clone, Copy)]
struct InternalPage;

/// Middleware: the 500 page in the reader's language — their setting when signed in, else the browser's. A
/// failure may happen before a handler knows the language (or because of what it would read it with), so the
/// page is made in both and reworded here, after the fact, when the language can be found.
pub(crate) async fn in_reader_language(
    axum::extract::State(st): axum::extract::State<std::sync::Arc<crate::WebState>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let headers = req.headers().clone();
    let r = next.run(req).await;
    if r.extensions().get::<InternalPage>().is_none() {
        return r;
    }
    let l = match crate::session::session(&st, &headers, Role::Viewer) {
        Ok(s) => s.lang,
        Err(_) => crate::i18n::lang_of("", &headers),
    };
    let status = StatusCode::INTERNAL_SERVER_ERROR;
    (status, axum::response::Html(layout::error_page(l, status, &[l.t("internal_error")]).into_string()))
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoProjects;
    impl tropa_app::projects::Projects for NoProjects {
        fn engine(&self, _: &str) -> Result<std::sync::Arc<dyn tropa_engine::Engine>, tropa_engine::EngineError> {
            Err(tropa_engine::EngineError::Invalid { field: "project".into(), reason: "none here".into() })
        }
    }

    #[tokio::test]
    async fn a_server_failure_is_worded_in_the_readers_language() {
        use tower::ServiceExt;
        let dir = tempfile::tempdir().unwrap();
        let meta = std::sync::Arc::new(tropa_meta::Meta::open(&dir.path().join("meta.db")).unwrap());
        let st = crate::WebState::with_clock(meta, std::sync::Arc::new(NoProjects), Vec::new(), Box::new(|| 0));
        let failing = "/fails"; // a test route, not a page of the web app
        let app = axum::Router::new()
            .route(failing, axum::routing::get(|| async { WebError::Internal }))
            .layer(axum::middleware::from_fn_with_state(st.clone(), in_reader_language))
            .with_state(st);
        let ask = |lang: &'static str| {
            let req = axum::http::Request::get("/fails").header("accept-language", lang);
            app.clone().oneshot(req.body(axum::body::Body::empty()).unwrap())
        };
        for (lang, own, other) in [("ru-RU,ru;q=0.9", Lang::Ru, Lang::En), ("en-GB", Lang::En, Lang::Ru)] {
            let r = ask(lang).await.unwrap();
            assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
            let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
            let page = String::from_utf8_lossy(&body);
            assert!(page.contains(own.t("internal_error")) && !page.contains(other.t("internal_error")), "{page}");
        }
    }

    #[test]
    fn each_error_has_its_status_and_a_page_in_the_language() {
        let cases = [
            (WebError::NotFound(Lang::Ru), StatusCode::NOT_FOUND),
            (WebError::ExpiredForm(Lang::En), StatusCode::FORBIDDEN),
            (
                WebError::BadRequest(Lang::En, StatusCode::PAYLOAD_TOO_LARGE, "form_too_large"),
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
            (WebError::Internal, StatusCode::INTERNAL_SERVER_ERROR),
        ];
        for (e, status) in cases {
            assert_eq!(e.status(), status);
            let r = e.into_response();
            assert_eq!(r.status(), status);
        }
        let r = WebError::SignIn.into_response();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/login");
        let ru = layout::error_page(Lang::Ru, StatusCode::NOT_FOUND, &[Lang::Ru.t("not_found")]).into_string();
        assert!(ru.contains("lang=\"ru\"") && ru.contains(Lang::Ru.t("not_found")), "{ru}");
        let admin = layout::error_page(Lang::En, StatusCode::FORBIDDEN, &[Lang::En.t("forbidden"), "<b>"]);
        assert!(admin.into_string().contains("&lt;b&gt;"), "text in an error page is escaped");
    }
}
