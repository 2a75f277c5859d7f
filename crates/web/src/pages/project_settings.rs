//! A project's settings (for its admins): the time zone every report counts its days, weeks and months in, and
//! the currency its revenue is labelled with (never converted).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use serde_json::json;
use tropa_app::audit::{Action, Done};
use tropa_app::AppError;

use crate::access::{Admin, Member};
use crate::audit::record;
use crate::error::WebError;
use crate::i18n::Words;
use crate::session::{redirect, Session};
use crate::ui::form::{csrf_field, FieldErrors};
use crate::ui::settings::settings_page;
use crate::url::enc;
use crate::WebState;

pub(crate) async fn page(State(st): State<Arc<WebState>>, m: Member<Admin>) -> Result<Response, WebError> {
    let done = m.field("done") == "saved";
    project_page(&st, &m.s, None, &[], done, StatusCode::OK)
}

/// The form of the project's settings: as saved, or `asked` with its `problems`; `done` after a save.
fn project_page(
    st: &WebState,
    s: &Session,
    asked: Option<(&str, &str)>,
    problems: &[(String, String)],
    done: bool,
    status: StatusCode,
) -> Result<Response, WebError> {
    let l = s.lang;
    let now = tropa_app::settings::project(&st.meta, &s.project).map_err(|e| WebError::internal(&e))?;
    let (zone, currency) = asked.unwrap_or((now.calendar.name(), now.currency.as_str()));
    let e = FieldErrors::new(l, problems, "");
    let body = html! {
        h2 { (l.t("project_settings")) " · " (s.project) }
        @if done { p.ok role="status" { (l.t("settings_saved")) } }
        form.panel method="post" action="/settings/project" {
            (csrf_field(&s.csrf))
            input type="hidden" name="project" value=(s.project);
            (e.input("time_zone", l.t("time_zone"), zone, "text", "Europe/Moscow"))
            p.muted { (l.t("time_zone_hint")) }
            (e.input("currency", l.t("currency"), currency, "text", "RUB"))
            p.muted { (l.t("currency_hint")) }
            button type="submit" { (l.t("save")) }
        }
    };
    Ok(settings_page(s, "project_settings", status, body))
}

pub(crate) async fn save(State(st): State<Arc<WebState>>, m: Member<Admin>) -> Result<Response, WebError> {
    let (zone, currency, s) = (m.field("time_zone"), m.field("currency"), &m.s);
    match tropa_app::settings::set(&st.meta, &s.project, Some(zone), Some(currency)) {
        Ok(now) => {
            let details = json!({"time_zone": now.calendar.name(), "currency": now.currency.as_str()});
            record(&st, s, Done::new(Action::ProjectSettings, Some(&s.project), &s.project).with(details));
            Ok(redirect(&format!("/settings/project?project={}&done=saved", enc(&s.project))))
        }
        Err(AppError::Settings(problems)) => {
            let p: Vec<(String, String)> =
                problems.iter().map(|p| (p.setting.name().to_string(), p.reason.words(s.lang))).collect();
            project_page(&st, s, Some((zone, currency)), &p, false, StatusCode::BAD_REQUEST)
        }
        Err(e) => Err(WebError::internal(&e)),
    }
}
