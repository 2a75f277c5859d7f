//! The frame of every page: the document (language, title, the one stylesheet and script), the signed-in header
//! (brand, navigation that keeps the project, language switch, sign-out) and the error page.

use axum::http::StatusCode;
use maud::{html, Markup, DOCTYPE};

use crate::i18n::Lang;
use crate::i18n::Words;
use crate::session::Session;
use crate::ui::form::csrf_field;

tokio::task_local! {
    /// The page being answered (path and query of a GET), for the language switch to come back to: pages send
    /// no `Referer` (see the server's security headers).
    static HERE: String;
}

/// Middleware: keeps the path of a GET for [`shell`]'s language switch.
pub async fn keep_here(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let here = (req.method() == axum::http::Method::GET)
        .then(|| req.uri().path_and_query().map(|p| p.as_str().to_string()))
        .flatten()
        .unwrap_or_default();
    HERE.scope(here, next.run(req)).await
}

/// A whole page: `body` goes inside `<body>`.
pub fn document(lang: Lang, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · tropa" }
                link rel="stylesheet" href="/app.css";
                script src="/app.js" defer {}
            }
            body { (body) }
        }
    }
}

/// The sections of the navigation: (path, word key).
const NAV: [(&str, &str); 14] = [
    ("/", "overview"),
    ("/dashboards", "dashboards"),
    ("/maps", "maps"),
    ("/funnels", "funnels"),
    ("/paths", "paths"),
    ("/stages", "stages"),
    ("/retention", "retention"),
    ("/customers", "customers_page"),
    ("/dictionary", "dictionary"),
    ("/settings", "settings"),
    ("/attribution", "attribution"),
    ("/feedback", "feedback_page"),
    ("/surveys", "surveys_page"),
    ("/experiments", "experiments"),
];

/// A signed-in page: the header (navigation with `active` marked) and `main`.
pub fn shell(s: &Session, active: &str, title: &str, main: Markup) -> Markup {
    let l = s.lang;
    let keep = match s.project.as_str() {
        "" | "default" => String::new(),
        p => format!("?project={}", crate::url::enc(p)),
    };
    let other = if l == Lang::Ru { "en" } else { "ru" };
    let back = HERE.try_with(|h| h.clone()).unwrap_or_default();
    let body = html! {
        header {
            a.brand href="/" { "tropa" }
            nav {
                @for (href, key) in NAV {
                    a href={ (href) (keep) } class=[(key == active).then_some("on")] { (l.t(key)) }
                }
            }
            span.grow {}
            span.muted { (s.user.email) " · " (l.t(s.user.role.as_str())) }
            form method="post" action="/settings/lang" {
                (csrf_field(&s.csrf))
                input type="hidden" name="lang" value=(other);
                @if !back.is_empty() { input type="hidden" name="back" value=(back); }
                button.link type="submit" { (l.t("language")) }
            }
            form method="post" action="/logout" {
                (csrf_field(&s.csrf))
                button.link type="submit" { (l.t("sign_out")) }
            }
        }
        main { (main) }
    };
    document(l, title, body)
}

/// The page of an error: its status and what happened (each of `lines` a sentence), with the way back.
pub fn error_page(l: Lang, status: StatusCode, lines: &[&str]) -> Markup {
    let body = html! {
        header { a.brand href="/" { "tropa" } }
        main {
            h1 { (status.as_u16()) }
            @for line in lines { p { (line) } }
            p { a href="/" { (l.t("overview")) } }
        }
    };
    document(l, &status.as_u16().to_string(), body)
}
