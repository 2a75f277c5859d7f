//! A dashboard's read-only share links — made with an optional expiry, shown once with a copy button, revoked
//! all at once — and the public page they open: the dashboard's charts for its period in the reader's language,
//! without sign-in, navigation, report parameters or links into the project. An expired link answers 410 with
//! the day it expired; a revoked or unknown one 404.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use tropa_app::dashboards as app;
use tropa_meta::{Role, ShareInfo, Shared, User};

use super::{hidden, period_of, period_words, refused, url};
use crate::access::{Analyst, Member};
use crate::error::WebError;
use crate::i18n::{Lang, Words};
use crate::session::{redirect, Session};
use crate::ui::layout::document;
use crate::WebState;

/// How long a new link may last: (value for `expiry`, word key).
pub(crate) const EXPIRIES: [(&str, &str); 5] =
    [("", "expires_never"), ("1d", "expires_1d"), ("7d", "expires_7d"), ("30d", "expires_30d"), ("90d", "expires_90d")];

/// The choice of a new link's life, for the share forms of dashboards and maps.
pub(crate) fn expiry_select(l: Lang, id: &str) -> Markup {
    html! {
        label for=(id) { (l.t("expires")) } " "
        select id=(id) name="expires" {
            @for (v, k) in EXPIRIES { option value=(v) { (l.t(k)) } }
        }
    }
}

/// The link of a share just made, shown once, with its copy button (`token` empty: nothing).
pub(crate) fn created_note(l: Lang, origin: &str, token: &str) -> Markup {
    html! {
        @if !token.is_empty() {
            div.secret role="status" {
                h2 { (l.t("share_created")) }
                p { (l.t("share_once_dashboard")) }
                pre id="share-link" { (origin) "/share/d/" (token) }
                button.secondary type="button" data-copy="share-link" data-copied=(l.t("copied")) { (l.t("copy_link")) }
            }
        }
    }
}

/// The live links (their first characters and when each expires), a new one, revoking them all.
pub(crate) fn panel(s: &Session, id: i64, shares: &[ShareInfo]) -> Markup {
    let l = s.lang;
    html! {
        div.share {
            h2 { (l.t("share_link")) }
            p.muted { (live_words(l, shares)) }
            form.inline method="post" action={ "/dashboards/" (id) "/share" } {
                (hidden(s))
                (expiry_select(l, "expires"))
                " "
                button.secondary type="submit" { (l.t("new_share")) }
            }
            " "
            @if !shares.is_empty() {
                form.inline method="post" action={ "/dashboards/" (id) "/unshare" } {
                    (hidden(s))
                    button.secondary type="submit" { (l.t("revoke_shares")) }
                }
            }
        }
    }
}

/// "Live links: sd_abcd… (until 2026-03-08), …" or "no link".
pub(crate) fn live_words(l: Lang, shares: &[ShareInfo]) -> String {
    if shares.is_empty() {
        return l.t("no_share").into();
    }
    let each: Vec<String> = shares
        .iter()
        .map(|x| match x.expires_at {
            Some(t) => format!("{}… ({} {})", x.hint, l.t("until_day"), l.date(&day(t))),
            None => format!("{}…", x.hint),
        })
        .collect();
    format!("{}: {}", l.t("live_shares"), each.join(", "))
}

fn day(ms: i64) -> String {
    tropa_core::time::format_day(ms.div_euclid(86_400_000))
}

pub(crate) async fn share(
    State(st): State<Arc<WebState>>,
    Path(id): Path<i64>,
    m: Member<Analyst>,
) -> Result<Response, WebError> {
    let s = &m.s;
    match app::share(&st.meta, &crate::audit::who(&st, s), &s.project, id, m.field("expires"), (st.clock)()) {
        Ok(link) => Ok(redirect(&format!("{}&share={}", url(s, id), link.token))),
        Err(e) => {
            let p = refused(s.lang, e)?;
            super::again(&st, s, id, vec![p])
        }
    }
}

pub(crate) async fn unshare(
    State(st): State<Arc<WebState>>,
    Path(id): Path<i64>,
    m: Member<Analyst>,
) -> Result<Response, WebError> {
    let s = &m.s;
    match app::unshare(&st.meta, &crate::audit::who(&st, s), &s.project, id, (st.clock)()) {
        Ok(_) => Ok(redirect(&url(s, id))),
        Err(e) => Err(super::failed(s.lang, e)),
    }
}

/// A page for a reader without a session.
fn public(status: StatusCode, l: Lang, title: &str, body: Markup) -> Response {
    let mut res = (status, Html(document(l, title, body).into_string())).into_response();
    res.headers_mut().insert("x-robots-tag", "noindex".parse().expect("a header value"));
    res
}

/// The answer for a link that no longer opens anything: expired (410, with its day) or gone (404).
pub(crate) fn closed(l: Lang, expired: Option<i64>) -> Response {
    match expired {
        Some(t) => {
            let body = html! {
                main {
                    h1 { (l.t("share_expired_title")) }
                    p { (l.t("share_expired")) " " (l.date(&day(t))) "." }
                    p { (l.t("share_ask_new")) }
                }
            };
            public(StatusCode::GONE, l, l.t("share_expired_title"), body)
        }
        None => public(StatusCode::NOT_FOUND, l, "404", html! { main { h1 { "404" } p { (l.t("share_gone")) } } }),
    }
}

/// The public read-only page of a dashboard's share link.
pub(crate) async fn shared(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let l = crate::i18n::lang_of("", &headers);
    let (project, id) = match st.meta.shared_dashboard(&token, (st.clock)()).map_err(|e| WebError::internal(&e))? {
        Some(Shared::Live(p, id)) => (p, id),
        Some(Shared::Expired(t)) => return Ok(closed(l, Some(t))),
        None => return Ok(closed(l, None)),
    };
    let Ok(d) = app::get(&st.meta, &project, id) else { return Ok(closed(l, None)) };
    // the charts are computed for a reader without rights, in the reader's language
    let user = User { id: 0, email: String::new(), role: Role::Viewer, lang: l.code().into(), created_at: 0 };
    let s = Session { user, csrf: String::new(), lang: l, role: Role::Viewer, project: project.clone() };
    let tiles = st.meta.tiles(&project, id).map_err(|e| WebError::internal(&e))?;
    let period = period_of(&d);
    let drawn = super::tiles::draw_all(&st, &s, &tiles, &period).await?;
    let body = html! {
        main.wide {
            h1 { (d.name) }
            p.muted { (period_words(l, &period)) " · " (l.t("shared_read_only")) }
            @if tiles.is_empty() { p.empty { (l.t("no_tiles")) } }
            div.tiles {
                @for (t, charts) in tiles.iter().zip(&drawn) {
                    article.tile {
                        header { h2 { (t.title) } }
                        (super::tiles::figures(l, charts, &period))
                    }
                }
            }
        }
    };
    Ok(public(StatusCode::OK, l, &d.name, body))
}
