//! A project's settings (for its admins): the time zone every report counts its days, weeks and months in, and
//! the currency its revenue is labelled with (never converted).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;
use tropa_app::audit::{Action, Done};
use tropa_app::AppError;

use super::export::enc;
use super::form::FieldErrors;
use super::{esc, internal, redirect, shell, Admin, Member, Session};
use crate::WebState;

pub(crate) async fn page(State(st): State<Arc<WebState>>, m: Member<Admin>) -> Response {
    let done = m.field("done") == "saved";
    settings_page(&st, &m.s, None, &[], done, StatusCode::OK)
}

fn settings_page(
    st: &WebState,
    s: &Session,
    asked: Option<(&str, &str)>,
    problems: &[(String, String)],
    done: bool,
    status: StatusCode,
) -> Response {
    let l = s.lang;
    let now = match tropa_app::settings::project(&st.meta, &s.project) {
        Ok(p) => p,
        Err(e) => return internal(&e),
    };
    let (zone, currency) = asked.unwrap_or((now.calendar.name(), now.currency.as_str()));
    let e = FieldErrors::new(l, problems, "");
    let note =
        if done { format!("<p class=\"ok\" role=\"status\">{}</p>", l.t("settings_saved")) } else { String::new() };
    let body = format!(
        "<h2>{title} · {project}</h2>{note}<form class=\"panel\" method=\"post\" action=\"/settings/project\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"project\" value=\"{project}\">\
         {zone_in}<p class=\"muted\">{zone_hint}</p>{currency_in}<p class=\"muted\">{currency_hint}</p>\
         <button type=\"submit\">{save}</button></form>",
        title = l.t("project_settings"),
        project = esc(&s.project),
        csrf = esc(&s.csrf),
        zone_in = e.input_html("time_zone", l.t("time_zone"), zone, "text", "Europe/Moscow"),
        zone_hint = l.t("time_zone_hint"),
        currency_in = e.input_html("currency", l.t("currency"), currency, "text", "RUB"),
        currency_hint = l.t("currency_hint"),
        save = l.t("save"),
    );
    let tabs = super::settings::tabs(s, "project_settings");
    (status, Html(shell(s, "settings", l.t("settings"), &format!("{tabs}{body}")))).into_response()
}

pub(crate) async fn save(State(st): State<Arc<WebState>>, m: Member<Admin>) -> Response {
    let (zone, currency) = (m.field("time_zone").to_string(), m.field("currency").to_string());
    let s = m.s;
    match tropa_app::settings::set(&st.meta, &s.project, Some(&zone), Some(&currency)) {
        Ok(now) => {
            let details = json!({"time_zone": now.calendar.name(), "currency": now.currency.as_str()});
            super::audit::record(
                &st,
                &s,
                Done::new(Action::ProjectSettings, Some(&s.project), &s.project).with(details),
            );
            redirect(&format!("/settings/project?project={}&done=saved", enc(&s.project)))
        }
        Err(AppError::Settings(problems)) => {
            let p: Vec<(String, String)> =
                problems.iter().map(|p| (p.setting.name().to_string(), p.reason.words(s.lang.core()))).collect();
            settings_page(&st, &s, Some((&zone, &currency)), &p, false, StatusCode::BAD_REQUEST)
        }
        Err(e) => internal(&e),
    }
}
