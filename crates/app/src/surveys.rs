//! Surveys of a project: read, save (created or replaced by key), delete — each change recorded in the audit
//! log — and the one place an answer becomes a `survey_response` event, so the widget's endpoint, the query API
//! and files all make the same event.
//!
//! **Answered twice**: every answer is kept as its own event (nothing is lost); the scores count only the
//! latest answer of a customer to the same survey question within 24 hours (see
//! `tropa_core::analysis::feedback`), so a double click or a changed mind counts once.

use serde_json::json;
use tropa_core::event::{Event, MessageKind};
use tropa_core::survey::{AnswerIn, Survey};
use tropa_core::FieldError;
use tropa_meta::{Meta, MetaError, NewSurvey};

use crate::audit::{record, Action, Done, Who};
use crate::AppError;

fn invalid(e: FieldError) -> AppError {
    AppError::Meta(MetaError::Invalid { field: e.field, reason: e.reason })
}

fn missing(key: &str) -> AppError {
    AppError::Meta(MetaError::NotFound { what: "survey", name: key.into() })
}

/// The project's surveys by key (a stored document that no longer reads is left out).
pub fn list(meta: &Meta, project: &str) -> Result<Vec<Survey>, AppError> {
    Ok(meta.surveys(project)?.into_iter().filter_map(|s| Survey::from_json(&s.document).ok()).collect())
}

/// The active surveys of a project: what the widget may show.
pub fn active(meta: &Meta, project: &str) -> Result<Vec<Survey>, AppError> {
    Ok(list(meta, project)?.into_iter().filter(|s| s.active).collect())
}

/// One survey (`NotFound` naming the key).
pub fn get(meta: &Meta, project: &str, key: &str) -> Result<Survey, AppError> {
    let s = meta.survey(project, key)?.ok_or_else(|| missing(key))?;
    Survey::from_json(&s.document).map_err(invalid)
}

/// Every problem of a definition (field and reason), empty when it can be saved.
pub fn problems(survey: &Survey) -> Vec<FieldError> {
    survey.check()
}

/// Creates or replaces the survey with this key, after [`Survey::check`] (its first problem is the error).
pub fn save(meta: &Meta, who: &Who, project: &str, survey: &Survey, now: i64) -> Result<(), AppError> {
    if let Some(e) = survey.check().into_iter().next() {
        return Err(invalid(e));
    }
    let doc = survey.to_json();
    let new = NewSurvey { key: &survey.key, kind: survey.kind.as_str(), document: &doc, active: survey.active };
    meta.save_survey(project, &new, now)?;
    let details = json!({"kind": survey.kind.as_str(), "active": survey.active});
    record(meta, who, Done::new(Action::SurveySave, Some(project), survey.key.clone()).with(details), now)?;
    Ok(())
}

/// Deletes a survey (its answers stay: they are events).
pub fn delete(meta: &Meta, who: &Who, project: &str, key: &str, now: i64) -> Result<(), AppError> {
    meta.delete_survey(project, key).map_err(|e| match e {
        MetaError::NotFound { what: "survey", .. } => missing(key),
        other => other.into(),
    })?;
    record(meta, who, Done::new(Action::SurveyDelete, Some(project), key.to_string()), now)?;
    Ok(())
}

/// Who answered and where: the widget's anonymous id (and user id when known), the page.
#[derive(Debug, Clone, Default)]
pub struct Respondent {
    pub anonymous_id: String,
    pub user_id: String,
    pub page_url: String,
    pub locale: String,
    /// A message id chosen by the client (a retry then stores the answer once); empty: one is made.
    pub message_id: String,
}

/// The answer as a `survey_response` event of `survey`, or every problem of the answer at its field.
pub fn answer_event(survey: &Survey, answer: &AnswerIn, who: &Respondent, now: i64) -> Result<Event, Vec<FieldError>> {
    let mut problems = Vec::new();
    if who.anonymous_id.is_empty() && who.user_id.is_empty() {
        problems.push(FieldError::new("anonymousId", "give the visitor's anonymousId or userId"));
    }
    let props = match survey.answer_properties(answer) {
        Ok(p) => Some(p),
        Err(mut e) => {
            problems.append(&mut e);
            None
        }
    };
    let Some(props) = props.filter(|_| problems.is_empty()) else { return Err(problems) };
    let message_id = if who.message_id.is_empty() {
        format!("survey-{}-{}{}-{now}", survey.key, who.anonymous_id, who.user_id)
    } else {
        who.message_id.clone()
    };
    let mut e = Event {
        message_id,
        kind: MessageKind::Track,
        timestamp: now,
        received_at: now,
        anonymous_id: who.anonymous_id.clone(),
        user_id: who.user_id.clone(),
        name: tropa_core::analysis::feedback::SURVEY_RESPONSE.into(),
        touchpoint: "web".into(),
        properties: props.to_string(),
        ..Event::default()
    };
    e.context.page_url = who.page_url.clone();
    e.context.locale = who.locale.clone();
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tropa_core::survey::{SurveyKind, Targeting, Wording};

    fn nps(active: bool) -> Survey {
        Survey {
            key: "nps".into(),
            kind: SurveyKind::Nps,
            question: Wording::new("Recommend us?", "Порекомендуете нас?"),
            choices: vec![],
            follow_up: Wording::default(),
            targeting: Targeting::default(),
            active,
        }
    }

    #[test]
    fn surveys_are_saved_audited_listed_and_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let meta = crate::layout::open_meta(dir.path()).unwrap();
        meta.create_project("a", "", 0).unwrap();
        let who = Who::cli("ops");
        save(&meta, &who, "a", &nps(false), 1).unwrap();
        assert!(active(&meta, "a").unwrap().is_empty());
        save(&meta, &who, "a", &nps(true), 2).unwrap();
        assert_eq!(active(&meta, "a").unwrap().len(), 1);
        let bad = Survey { key: "No Good".into(), ..nps(true) };
        assert!(matches!(save(&meta, &who, "a", &bad, 3), Err(AppError::Meta(MetaError::Invalid { .. }))));
        delete(&meta, &who, "a", "nps", 4).unwrap();
        assert!(get(&meta, "a", "nps").is_err());
        let log = crate::audit::list(&meta, &crate::audit::Filter { limit: 10, ..Default::default() }).unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["survey.delete", "survey.save", "survey.save"]);
    }

    #[test]
    fn an_answer_becomes_a_survey_response_event() {
        let who = Respondent { anonymous_id: "a-1".into(), ..Respondent::default() };
        let a = AnswerIn { survey: "nps".into(), score: Some(10.into()), choices: vec![], text: "ok".into() };
        let e = answer_event(&nps(true), &a, &who, 5).unwrap();
        assert_eq!((e.name.as_str(), e.anonymous_id.as_str()), ("survey_response", "a-1"));
        assert!(e.properties.contains("\"score\":10"));
        let nobody = answer_event(&nps(true), &a, &Respondent::default(), 5).unwrap_err();
        assert_eq!(nobody[0].field, "anonymousId");
    }
}
