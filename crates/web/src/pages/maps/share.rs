//! Exports of a map, its read-only share links and the public page they open, and deleting a map.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde_json::json;
use tropa_app::audit::Action;
use tropa_app::maps::{self, Format};
use tropa_core::cjm::persona::Persona;
use tropa_core::cjm::JourneyMap;
use tropa_meta::{Role, ShareInfo, Shared, User};

use super::grid::{grid, Grid};
use super::{fault, lang_of, load, map_action, map_data, param, persona_label, persona_list, project_fields, respond};
use crate::access::{Analyst, Member, Viewer};
use crate::audit;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::i18n::Words;
use crate::session::Session;
use crate::ui::layout::document;
use crate::url::enc;
use crate::WebState;

// ---- export and sharing -------------------------------------------------------------------------------------

pub(super) async fn render_export(
    st: &WebState,
    project: &str,
    map: &JourneyMap,
    v: i64,
    persona: Option<&Persona>,
    format: Format,
) -> Result<Response, WebError> {
    let data =
        if matches!(format, Format::Json | Format::Yaml) { None } else { map_data(st, project, map, persona).await? };
    let sub = maps::subtitle(map, persona.map(persona_label).as_deref(), data.as_ref());
    let foot = maps::footer(map, v, data.as_ref());
    let (map2, fmt) = (map.clone(), format);
    // the persona's card goes with the map read for them
    let card = persona.map(|p| p.card_lines(&map.lang)).unwrap_or_default();
    let mut bytes =
        tokio::task::spawn_blocking(move || maps::export_with_card(&map2, data.as_ref(), (&sub, &foot, &card), fmt))
            .await
            .map_err(fault)?
            .map_err(fault)?;
    // … under the Markdown's title too
    if let (Some(p), Format::Markdown) = (persona, format) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let (head, rest) = text.split_once("\n\n").unwrap_or((&text, ""));
        bytes = format!("{head}\n\n{}{rest}", p.to_markdown(&map.lang)).into_bytes();
    }
    let name: String = map.title.chars().map(|c| if c.is_alphanumeric() { c } else { '_' }).take(60).collect();
    let disposition = format!(
        "attachment; filename=\"map-v{v}.{ext}\"; filename*=UTF-8''{}.{ext}",
        enc(&name),
        ext = format.extension()
    );
    let headers =
        [(header::CONTENT_TYPE, format.content_type().to_string()), (header::CONTENT_DISPOSITION, disposition)];
    Ok((headers, bytes).into_response())
}

pub(crate) async fn export(
    State(st): State<Arc<WebState>>,
    Path(id): Path<i64>,
    m: Member<Viewer>,
) -> Result<Response, WebError> {
    let Member { s, f: q, .. } = m;
    let Some(format) = Format::parse(&param(&q, "format")) else {
        return Ok((StatusCode::BAD_REQUEST, "format: use pdf, png, svg, md, json or yaml\n").into_response());
    };
    let (map, v) = load(&st, &s, id, param(&q, "version").parse().ok())?;
    let personas = persona_list(&st, &s.project);
    let persona = personas.iter().find(|p| p.key == param(&q, "persona"));
    render_export(&st, &s.project, &map, v, persona, format).await
}

pub(crate) async fn share(
    State(st): State<Arc<WebState>>,
    Path(id): Path<i64>,
    m: Member<Analyst>,
) -> Result<Response, WebError> {
    let now = (st.clock)();
    // an optional expiry, read as a dashboard's link's is
    let expires = match tropa_app::dashboards::expiry(m.field("expires"), now) {
        Ok(t) => t,
        Err(_) => return Err(WebError::BadRequest(m.s.lang, StatusCode::BAD_REQUEST, "expires_invalid")),
    };
    map_action(&st, m, |meta, s| {
        let t = meta.create_share(&s.project, id, expires, now)?;
        audit::record(&st, s, audit::on_map(&st, Action::MapShare, &s.project, id));
        Ok(format!("/maps/{id}?project={}&share={}", enc(&s.project), t.token))
    })
}

pub(crate) async fn unshare(
    State(st): State<Arc<WebState>>,
    Path(id): Path<i64>,
    m: Member<Analyst>,
) -> Result<Response, WebError> {
    let now = (st.clock)();
    map_action(&st, m, |meta, s| {
        let n = meta.revoke_shares(&s.project, id, now)?;
        let done = audit::on_map(&st, Action::MapUnshare, &s.project, id).with(json!({"revoked": n}));
        audit::record(&st, s, done);
        Ok(format!("/maps/{id}?project={}", enc(&s.project)))
    })
}

pub(crate) async fn delete(
    State(st): State<Arc<WebState>>,
    Path(id): Path<i64>,
    m: Member<Analyst>,
) -> Result<Response, WebError> {
    map_action(&st, m, |meta, s| {
        let done = audit::on_map(&st, Action::MapDelete, &s.project, id);
        meta.delete_map(&s.project, id)?;
        audit::record(&st, s, done);
        Ok(format!("/maps?project={}", enc(&s.project)))
    })
}

/// The link of a share just made, shown once on the map (`token` empty: nothing).
pub(super) fn created_note(l: Lang, origin: &str, token: &str) -> Markup {
    html! {
        @if !token.is_empty() {
            div.secret role="status" {
                h2 { (l.t("share_created")) }
                p { (l.t("share_once")) }
                pre id="share-link" { (origin) "/share/" (token) }
                button.secondary type="button" data-copy="share-link" data-copied=(l.t("copied")) { (l.t("copy_link")) }
            }
        }
    }
}

/// For analysts, under the map: the live links (their first characters), a new link, revoking them all, and
/// deleting the map (confirmed by `assets/app.js` through `data-confirm`).
pub(super) fn share_panel(s: &Session, id: i64, shares: &[ShareInfo]) -> Markup {
    let l = s.lang;
    html! {
        div.share {
            h2 { (l.t("share_link")) }
            p.muted {
                (crate::pages::dashboards::share::live_words(l, shares))
            }
            form method="post" action={ "/maps/" (id) "/share" } class="inline" {
                (project_fields(s))
                (crate::pages::dashboards::share::expiry_select(l, "map-expires"))
                " "
                button type="submit" class="secondary" { (l.t("new_share")) }
            }
            " "
            form method="post" action={ "/maps/" (id) "/unshare" } class="inline" {
                (project_fields(s))
                button type="submit" class="secondary" { (l.t("revoke_shares")) }
            }
            " "
            form method="post" action={ "/maps/" (id) "/delete" } class="inline" data-confirm=(l.t("confirm_delete_map")) {
                (project_fields(s))
                button type="submit" class="danger" { (l.t("delete_map")) }
            }
        }
    }
}

/// The map a share link opens, its project and id, and its latest version; else why the link leads nowhere:
/// `Some(time)` it expired then (410 with its day), `None` it was revoked or its map is gone (404) — answered by
/// [`closed`] on a page without the signed-in frame, in the reader's language (the reader has no session).
fn shared_map(st: &WebState, token: &str) -> Result<(String, i64, JourneyMap, i64), Option<i64>> {
    let (project, id) = match st.meta.shared_map(token, (st.clock)()) {
        Ok(Some(Shared::Live(p, id))) => (p, id),
        Ok(Some(Shared::Expired(t))) => return Err(Some(t)),
        _ => return Err(None),
    };
    let v = st.meta.map_version(&project, id, None).ok().flatten().ok_or(None)?;
    let map = JourneyMap::from_json(&v.document).map_err(|_| None)?;
    Ok((project, id, map, v.version))
}

/// The answer for a link that leads nowhere, in the reader's language.
fn closed(headers: &HeaderMap, expired: Option<i64>) -> Response {
    crate::pages::dashboards::share::closed(crate::i18n::lang_of("", headers), expired)
}

/// The public read-only page of a share link: no sign-in, no navigation, the map and its PDF.
pub(crate) async fn shared(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let (project, id, map, version) = match shared_map(&st, &token) {
        Ok(found) => found,
        Err(expired) => return Ok(closed(&headers, expired)),
    };
    let data = map_data(&st, &project, &map, None).await?;
    let l = lang_of(&map);
    // the grid is drawn for a reader without rights: read-only, in the map's language
    let user = User { id: 0, email: String::new(), role: Role::Viewer, lang: l.code().into(), created_at: 0 };
    let s = Session { user, csrf: String::new(), lang: l, role: Role::Viewer, project };
    let g = Grid {
        map: &map,
        data: data.as_ref(),
        editable: false,
        changed: vec![],
        id,
        was: Default::default(),
        all: None,
        linked: false,
    };
    let body = html! {
        main.wide {
            h1 { (map.title) }
            p.muted { (maps::subtitle(&map, None, data.as_ref())) }
            p.muted {
                (l.t("shared_read_only")) " · "
                a href={ "/share/" (token) "/export?format=pdf" } { "PDF" }
                " · "
                a href={ "/share/" (token) "/export?format=png" } { "PNG" }
            }
            (grid(&s, &g, version))
        }
    };
    let mut res = respond(StatusCode::OK, document(l, &map.title, body));
    res.headers_mut().insert("x-robots-tag", "noindex".parse().expect("a header value"));
    Ok(res)
}

pub(crate) async fn shared_export(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let (project, map, version) = match shared_map(&st, &token) {
        Ok((project, _, map, version)) => (project, map, version),
        Err(expired) => return Ok(closed(&headers, expired)),
    };
    let Some(format) = Format::parse(&param(&q, "format")).filter(|f| !matches!(f, Format::Json | Format::Yaml)) else {
        return Ok((StatusCode::BAD_REQUEST, "format: use pdf, png, svg or md\n").into_response());
    };
    render_export(&st, &project, &map, version, None, format).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_link_is_shown_once_and_escaped() {
        assert_eq!(created_note(Lang::En, "https://x", "").into_string(), "");
        let note = created_note(Lang::En, "https://x", "sh_<a>").into_string();
        assert!(note.contains("<pre id=\"share-link\">https://x/share/sh_&lt;a&gt;</pre>"), "{note}");
    }
}
