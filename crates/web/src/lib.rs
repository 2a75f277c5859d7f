//! The web app: server-rendered pages with inline SVG charts from `tropa-render`, Russian and English
//! ([`i18n`]), on maud templates that escape every value (docs/adr/0003-web-templates.md). Sign-in with e-mail
//! and password (argon2id, see `tropa_meta::users`) gives an HttpOnly, SameSite=Lax session cookie (Secure behind
//! TLS, i.e. with `X-Forwarded-Proto: https`); every form carries a CSRF token (the session's, or before sign-in a
//! double-submit cookie) and is refused without it.
//!
//! This file is the router and nothing else: which page answers which path, and the least role each needs is in
//! the page's signature ([`Member`]). Pages (`pages/`) compose components (`ui/`); components import no page.
//! The binary merges [`router`] beside the server's routes (`tropa_server::router_with`).

mod access;
mod audit;
mod error;
pub mod i18n;
mod pages;
mod project;
mod session;
pub(crate) mod throttle;
mod ui;
mod url;

use std::net::IpAddr;
use std::sync::Arc;

use axum::http::header;
use axum::routing::{get, post};
use axum::Router;
use tropa_app::Projects;
use tropa_core::settings::ProjectSettings;
use tropa_meta::Meta;

pub use access::{in_project, project_param_for, Admin, Analyst, Member, Viewer};
pub use error::WebError;
pub use session::Session;

use pages::maps::{history, personas, share};
use pages::{customers, funnels, maps, members, overview, paths, project_settings, retention, saved};
use pages::{dashboards, settings, sign_in, stages};

const CSS: &str = include_str!("../assets/app.css");
const SCRIPT: &str = include_str!("../assets/app.js");
const MAP_SCRIPT: &str = include_str!("../assets/map.js");

/// What the web app's handlers share. The binary builds it next to the server's state, over the same metadata
/// and projects.
pub struct WebState {
    pub meta: Arc<Meta>,
    pub projects: Arc<dyn Projects>,
    /// The clock, epoch ms (tests pass a fixed one).
    pub clock: Box<dyn Fn() -> i64 + Send + Sync>,
    /// Proxies whose `X-Forwarded-For` names the client (sign-in throttle, audit log).
    pub trusted_proxies: Vec<IpAddr>,
    /// Failed sign-ins and the bound on password hashes (in memory, per process).
    sign_in: throttle::SignInThrottle,
    /// Dashboards' computed charts (in memory, per process), keyed by the data's version.
    pub(crate) tiles: tropa_app::dashboards::TileCache,
}

impl WebState {
    pub fn new(meta: Arc<Meta>, projects: Arc<dyn Projects>, trusted_proxies: Vec<IpAddr>) -> Arc<WebState> {
        Self::with_clock(meta, projects, trusted_proxies, Box::new(system_ms))
    }

    /// The same state with another clock.
    pub fn with_clock(
        meta: Arc<Meta>,
        projects: Arc<dyn Projects>,
        trusted_proxies: Vec<IpAddr>,
        clock: Box<dyn Fn() -> i64 + Send + Sync>,
    ) -> Arc<WebState> {
        Arc::new(WebState {
            meta,
            projects,
            clock,
            trusted_proxies,
            sign_in: throttle::SignInThrottle::default(),
            tiles: Default::default(),
        })
    }

    /// The settings of a project the user may read (its time zone, its currency).
    pub(crate) fn settings_of(&self, project: &str) -> Result<ProjectSettings, WebError> {
        tropa_app::settings::project_or_default(&self.meta, project).map_err(|e| WebError::internal(&e))
    }
}

fn system_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Every page of the web app, with its state.
pub fn router(state: Arc<WebState>) -> Router {
    Router::new()
        // reports about a project
        .route("/", get(overview::page))
        .route("/funnels", get(funnels::page))
        .route("/paths", get(paths::page))
        .route("/attribution", get(pages::attribution::page))
        .route("/retention", get(retention::page))
        .route("/experiments", get(pages::experiments::list).post(pages::experiments::save))
        .route("/experiments/{key}", get(pages::experiments::view))
        .route("/stages", get(stages::page).post(stages::post))
        .route("/stages/definition", get(stages::export))
        .route("/customers", get(customers::page))
        .route("/dictionary", get(pages::dictionary::page).post(pages::dictionary::save))
        .route("/reports/save", post(saved::save))
        .route("/reports/delete", post(saved::delete))
        // journey maps and personas
        .route("/maps", get(maps::list).post(maps::create))
        .route("/maps/import", post(maps::import))
        .route("/maps/{id}", get(maps::view))
        .route("/maps/{id}/edit", post(maps::edit))
        .route("/maps/{id}/history", get(history::history))
        .route("/maps/{id}/compare", get(history::compare))
        .route("/maps/{id}/export", get(share::export))
        .route("/maps/{id}/share", post(share::share))
        .route("/maps/{id}/unshare", post(share::unshare))
        .route("/maps/{id}/delete", post(share::delete))
        .route("/maps/{id}/stages", post(maps::versions::stages))
        .route("/maps/{id}/rules", get(maps::rules::page).post(maps::rules::post))
        .route("/maps/{id}/versions/{v}/name", post(maps::versions::name))
        .route("/maps/{id}/versions/{v}/restore", post(maps::versions::restore))
        .route("/share/{token}", get(share::shared))
        .route("/share/{token}/export", get(share::shared_export))
        // dashboards of pinned charts and their share links
        .route("/dashboards", get(dashboards::list).post(dashboards::create))
        .route("/dashboards/pin", post(dashboards::pin))
        .route("/dashboards/{id}", get(dashboards::view))
        .route("/dashboards/{id}/edit", post(dashboards::edit))
        .route("/dashboards/{id}/share", post(dashboards::share::share))
        .route("/dashboards/{id}/unshare", post(dashboards::share::unshare))
        .route("/dashboards/{id}/delete", post(dashboards::delete))
        .route("/share/d/{token}", get(dashboards::share::shared))
        .route("/personas", get(personas::personas).post(personas::save_persona))
        .route("/personas/delete", post(personas::delete_persona))
        // settings: the account, the project, the instance
        .route("/settings", get(settings::account))
        .route("/settings/lang", post(settings::set_lang))
        .route("/settings/password", post(settings::set_password))
        .route("/settings/project", get(project_settings::page).post(project_settings::save))
        .route("/settings/members", get(members::page).post(members::set))
        .route("/settings/members/remove", post(members::remove))
        .route("/settings/projects", get(settings::projects).post(settings::create_project))
        .route("/settings/keys", get(settings::keys).post(settings::create_key))
        .route("/settings/keys/revoke", post(settings::revoke_key))
        .route("/settings/users", get(settings::users).post(settings::create_user))
        .route("/settings/users/role", post(settings::set_role))
        .route("/settings/users/password", post(settings::reset_password))
        .route("/settings/users/delete", post(settings::delete_user))
        .route("/settings/audit", get(pages::audit::page))
        .route("/feedback", get(pages::feedback::page))
        .route("/feedback/themes", get(pages::feedback::themes::page).post(pages::feedback::themes::post))
        .route("/surveys", get(pages::surveys::page).post(pages::surveys::save))
        // signing in and out
        .route("/login", get(sign_in::login_form).post(sign_in::login))
        .route("/logout", post(sign_in::logout))
        // the pages' own assets
        .route("/app.css", get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS) }))
        .route("/app.js", get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT) }))
        .route("/map.js", get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], MAP_SCRIPT) }))
        .fallback(pages::missing::page)
        .layer(axum::middleware::from_fn_with_state(state.clone(), error::in_reader_language))
        .layer(axum::middleware::from_fn(session::remember_next))
        .layer(axum::middleware::from_fn(ui::layout::keep_here))
        .layer(axum::middleware::from_fn(crate::audit::keep_client))
        .with_state(state)
}
