//! The surveys page (`/surveys`): the project's surveys (kind, active, trigger) with their results (shown,
//! answered, response rate, NPS / CSAT / CES with intervals), and the form that creates or edits one — kind,
//! the question and its "why?" follow-up in English and Russian, choices, targeting (after an event, URL
//! pattern, share of visitors, once per N days, consent) and the active flag — beside a live preview of the
//! widget in the reader's language (app.js redraws it as the wording changes). Analysts and admins change
//! surveys (audited); viewers read them. The snippet shows active surveys with `data-surveys="true"`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use tropa_core::survey::{Survey, SurveyKind, Targeting, Wording};
use tropa_meta::Role;

use crate::access::{Analyst, Member, Viewer};
use crate::error::WebError;
use crate::i18n::{Lang, Words};
use crate::project::engine;
use crate::session::{redirect, Session};
use crate::ui::form::csrf_field;
use crate::ui::layout::shell;
use crate::url::enc;
use crate::WebState;

fn blank() -> Survey {
    Survey {
        key: String::new(),
        kind: SurveyKind::Nps,
        question: Wording::new(
            "How likely are you to recommend us to a friend?",
            "Насколько вероятно, что вы порекомендуете нас другу?",
        ),
        choices: vec![],
        follow_up: Wording::new("Why?", "Почему?"),
        targeting: Targeting::default(),
        active: false,
    }
}

pub(crate) async fn page(State(st): State<Arc<WebState>>, m: Member<Viewer>) -> Result<Response, WebError> {
    let s = &m.s;
    let editing = match m.field("edit") {
        "" if m.field("new") == "1" => Some(blank()),
        "" => None,
        key => Some(tropa_app::surveys::get(&st.meta, &s.project, key).map_err(|_| WebError::NotFound(s.lang))?),
    };
    render(&st, s, editing, &[], StatusCode::OK).await
}

async fn render(
    st: &Arc<WebState>,
    s: &Session,
    editing: Option<Survey>,
    problems: &[(String, String)],
    status: StatusCode,
) -> Result<Response, WebError> {
    let l = s.lang;
    let list = tropa_app::surveys::list(&st.meta, &s.project).map_err(|e| WebError::internal(&e))?;
    let eng = engine(st, s, &s.project)?;
    let (meta, project) = (st.meta.clone(), s.project.clone());
    let report = tokio::task::spawn_blocking(move || {
        tropa_app::feedback::scores(&meta, &*eng, &project, &tropa_app::feedback::FeedbackQuery::default())
    })
    .await
    .map_err(|e| WebError::internal(&e))?
    .map_err(|e| WebError::internal(&e))?;
    let can_edit = s.role >= Role::Analyst;
    let main = html! {
        h1 { (l.t("surveys_page")) }
        p.muted { (l.t("sv_intro")) }
        @if list.is_empty() { p.muted { (l.t("sv_none")) } } @else {
            table.surveys {
                thead { tr {
                    th { (l.t("sv_key")) } th { (l.t("sv_kind")) } th { (l.t("sv_active")) } th { (l.t("sv_after_event")) }
                    th { (l.t("sv_shown")) } th { (l.t("sv_answered")) } th { (l.t("fb_response_rate")) } th { (l.t("sv_result")) } th {}
                } }
                tbody { @for sv in &list {
                    @let res = report.surveys.iter().find(|r| r.survey == sv.key);
                    tr {
                        td { (sv.key) } td { (sv.kind.as_str().to_uppercase()) }
                        td { (if sv.active { l.t("sv_yes") } else { l.t("sv_no") }) }
                        td { (sv.targeting.after_event) }
                        td { (res.map_or(0, |r| r.shown)) } td { (res.map_or(0, |r| r.answered)) }
                        td { (res.and_then(|r| r.response_rate).map_or("—".into(), |v| tropa_core::cjm::markdown::percent(v, l.code()))) }
                        td { @if let Some(r) = res { (result(l, sv, r)) } @else { "—" } }
                        td { @if can_edit { a href={ "/surveys?project=" (enc(&s.project)) "&edit=" (enc(&sv.key)) } { (l.t("sv_edit")) } } }
                    }
                } }
            }
        }
        @if can_edit && editing.is_none() {
            p { a.button href={ "/surveys?project=" (enc(&s.project)) "&new=1" } { (l.t("sv_new")) } }
        }
        @if let (true, Some(sv)) = (can_edit, &editing) { (form(l, s, sv, problems)) }
        p { a href={ "/feedback?project=" (enc(&s.project)) } { (l.t("sv_to_feedback")) } }
    };
    let mut res = Html(shell(s, "surveys_page", l.t("surveys_page"), main).into_string()).into_response();
    *res.status_mut() = status;
    Ok(res)
}

fn result(l: Lang, sv: &Survey, r: &tropa_core::analysis::feedback::SurveyFeedback) -> String {
    let sc = match sv.kind {
        SurveyKind::Csat => &r.scores.csat,
        SurveyKind::Ces => &r.scores.ces,
        _ => &r.scores.nps,
    };
    match sc.value {
        Some(v) => {
            let small = if sc.small_sample { format!(" · {}", l.t("fb_small")) } else { String::new() };
            format!("{v:.1} [{:.1}; {:.1}], n = {}{small}", sc.low.unwrap_or(v), sc.high.unwrap_or(v), sc.n)
        }
        None => "—".into(),
    }
}

fn form(l: Lang, s: &Session, sv: &Survey, problems: &[(String, String)]) -> Markup {
    let t = &sv.targeting;
    let choices: String = sv.choices.iter().map(|c| format!("{} | {}\n", c.en, c.ru)).collect();
    let ru = l == Lang::Ru;
    let words = |w: &Wording| if ru { w.ru.clone() } else { w.en.clone() };
    html! {
        h2 { (if sv.key.is_empty() { l.t("sv_new") } else { l.t("sv_edit") }) }
        @for (f, r) in problems { p.err role="alert" { (f) ": " (r) } }
        div.sv-edit {
            form.sv-form method="post" action="/surveys" data-survey-form="1" {
                (csrf_field(&s.csrf))
                input type="hidden" name="project" value=(s.project);
                label { (l.t("sv_key")) " " input type="text" name="key" value=(sv.key) required pattern="[a-z0-9_]{1,40}"; }
                label { (l.t("sv_kind")) " "
                    select name="kind" data-preview="kind" {
                        @for k in SurveyKind::ALL { option value=(k.as_str()) selected[k == sv.kind] { (l.t(&format!("sv_kind_{}", k.as_str()))) } }
                    }
                }
                label { (l.t("sv_question")) " (EN) " input type="text" name="question_en" value=(sv.question.en) data-preview="question_en"; }
                label { (l.t("sv_question")) " (RU) " input type="text" name="question_ru" value=(sv.question.ru) data-preview="question_ru"; }
                label { (l.t("sv_follow_up")) " (EN) " input type="text" name="follow_en" value=(sv.follow_up.en) data-preview="follow_en"; }
                label { (l.t("sv_follow_up")) " (RU) " input type="text" name="follow_ru" value=(sv.follow_up.ru) data-preview="follow_ru"; }
                label { (l.t("sv_choices")) textarea name="choices" rows="3" { (choices) } }
                label { (l.t("sv_after_event")) " " input type="text" name="after_event" value=(t.after_event); }
                label { (l.t("sv_url")) " " input type="text" name="url" value=(t.url) placeholder="/order/*/done"; }
                label { (l.t("sv_percent")) " " input type="number" name="percent" min="0" max="100" value=(t.percent); }
                label { (l.t("sv_every_days")) " " input type="number" name="every_days" min="0" max="3650" value=(t.every_days); }
                label { input type="checkbox" name="needs_consent" value="on" checked[t.needs_consent]; " " (l.t("sv_needs_consent")) }
                label { input type="checkbox" name="active" value="on" checked[sv.active]; " " (l.t("sv_active")) }
                button type="submit" { (l.t("save")) }
            }
            div.sv-preview aria-label=(l.t("sv_preview")) data-lang=(if ru { "ru" } else { "en" }) {
                p.muted { (l.t("sv_preview")) }
                div.sv-box {
                    p.sv-q data-preview-out="question" { (words(&sv.question)) }
                    div.sv-scale data-preview-out="scale" data-kind=(sv.kind.as_str()) {
                        @if let Some(scale) = sv.kind.scale() {
                            @let (lo, hi) = scale.range();
                            @for v in lo..=hi { span.sv-b { (v) } }
                        }
                    }
                    p.sv-why data-preview-out="follow" { (words(&sv.follow_up)) }
                    span.sv-send { (l.t("sv_send")) }
                }
            }
        }
    }
}

fn survey_of(m: &Member<Analyst>) -> Survey {
    let f = |k: &str| m.field(k).trim().to_string();
    let choices = f("choices")
        .lines()
        .filter(|x| !x.trim().is_empty())
        .map(|x| {
            let (en, ru) = x.split_once('|').unwrap_or((x, x));
            Wording::new(en.trim(), ru.trim())
        })
        .collect();
    Survey {
        key: f("key"),
        kind: SurveyKind::parse(&f("kind")).unwrap_or(SurveyKind::Nps),
        question: Wording::new(&f("question_en"), &f("question_ru")),
        choices,
        follow_up: Wording::new(&f("follow_en"), &f("follow_ru")),
        targeting: Targeting {
            after_event: f("after_event"),
            url: f("url"),
            percent: f("percent").parse().unwrap_or(101),
            every_days: f("every_days").parse().unwrap_or(u32::MAX),
            needs_consent: f("needs_consent") == "on",
        },
        active: f("active") == "on",
    }
}

pub(crate) async fn save(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Result<Response, WebError> {
    let s = &m.s;
    let sv = survey_of(&m);
    let problems = sv.check();
    if !problems.is_empty() {
        let list: Vec<(String, String)> =
            problems.into_iter().map(|p| (field_name(s.lang, &p.field), p.reason)).collect();
        return render(&st, s, Some(sv), &list, StatusCode::BAD_REQUEST).await;
    }
    let who = crate::audit::who(&st, s);
    tropa_app::surveys::save(&st.meta, &who, &s.project, &sv, (st.clock)()).map_err(|e| WebError::internal(&e))?;
    Ok(redirect(&format!("/surveys?project={}", enc(&s.project))))
}

/// A field of the survey as the form names it.
fn field_name(l: Lang, field: &str) -> String {
    let key = match field.split(['.', '[']).next().unwrap_or(field) {
        "key" => "sv_key",
        "question" => "sv_question",
        "follow_up" => "sv_follow_up",
        "choices" => "sv_choices",
        "targeting" if field.ends_with("percent") => "sv_percent",
        "targeting" if field.ends_with("every_days") => "sv_every_days",
        _ => "sv_after_event",
    };
    let lang = if field.ends_with(".ru") {
        " (RU)"
    } else if field.ends_with(".en") {
        " (EN)"
    } else {
        ""
    };
    format!("{}{lang}", l.t(key))
}
