//! Surveys defined per project: what the widget asks (an NPS, CSAT or CES score, or a custom question with
//! single or multiple choice or free text), its follow-up "why?" question, its wording in English and Russian,
//! and when it is shown (after an event, on a URL pattern, to a share of visitors sticky per anonymous id, at
//! most once per customer per N days, only after consent). And the check of one answer against its survey —
//! the rules the answer endpoint applies before an answer becomes a `survey_response` event.
//!
//! A survey is stored as its JSON document ([`Survey::to_json`]); [`Survey::check`] returns every problem at once,
//! each naming its field.

use serde::{Deserialize, Serialize};

use crate::analysis::feedback::score::ScoreKind;
use crate::error::FieldError;

/// The longest answer text, in characters.
pub const MAX_TEXT: usize = 2000;
/// The longest question or choice wording, in characters.
pub const MAX_WORDING: usize = 300;
/// The most choices of a custom question.
pub const MAX_CHOICES: usize = 12;

/// What a survey asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyKind {
    Nps,
    Csat,
    Ces,
    /// One choice of several.
    Single,
    /// Any choices of several.
    Multiple,
    /// A free text.
    Text,
}

impl SurveyKind {
    pub const ALL: [SurveyKind; 6] = [
        SurveyKind::Nps,
        SurveyKind::Csat,
        SurveyKind::Ces,
        SurveyKind::Single,
        SurveyKind::Multiple,
        SurveyKind::Text,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SurveyKind::Nps => "nps",
            SurveyKind::Csat => "csat",
            SurveyKind::Ces => "ces",
            SurveyKind::Single => "single",
            SurveyKind::Multiple => "multiple",
            SurveyKind::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<SurveyKind> {
        SurveyKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The score scale, for NPS, CSAT and CES.
    pub fn scale(self) -> Option<ScoreKind> {
        match self {
            SurveyKind::Nps => Some(ScoreKind::Nps),
            SurveyKind::Csat => Some(ScoreKind::Csat),
            SurveyKind::Ces => Some(ScoreKind::Ces),
            _ => None,
        }
    }
}

/// A wording in English and Russian.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wording {
    #[serde(default)]
    pub en: String,
    #[serde(default)]
    pub ru: String,
}

impl Wording {
    pub fn new(en: &str, ru: &str) -> Wording {
        Wording { en: en.into(), ru: ru.into() }
    }
}

/// When the widget shows a survey; every condition given must hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targeting {
    /// Show after the visitor does this event on the page (`purchase`); empty: on page load.
    #[serde(default)]
    pub after_event: String,
    /// Show only on pages whose URL path matches (`*` any run of characters, e.g. `/order/*/done`); empty: any.
    #[serde(default)]
    pub url: String,
    /// The share of visitors asked, 0–100 %, sticky per anonymous id (a hash of the id and the survey key).
    #[serde(default = "full")]
    pub percent: u32,
    /// At most once per visitor in this many days (0: once ever).
    #[serde(default = "thirty")]
    pub every_days: u32,
    /// Show only after the visitor gave consent (`tropa.consent(true)`).
    #[serde(default = "yes")]
    pub needs_consent: bool,
}

fn full() -> u32 {
    100
}
fn thirty() -> u32 {
    30
}
fn yes() -> bool {
    true
}

impl Default for Targeting {
    fn default() -> Self {
        Targeting { after_event: String::new(), url: String::new(), percent: 100, every_days: 30, needs_consent: true }
    }
}

/// A survey of a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Survey {
    /// `[a-z0-9_]`, 1–40 characters: the `survey` property of its answers.
    pub key: String,
    pub kind: SurveyKind,
    pub question: Wording,
    /// Choices of a single or multiple choice question.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Wording>,
    /// The "why?" question asked after the score; empty: none.
    #[serde(default)]
    pub follow_up: Wording,
    #[serde(default)]
    pub targeting: Targeting,
    #[serde(default)]
    pub active: bool,
}

/// One answer as the widget or the API sends it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AnswerIn {
    pub survey: String,
    #[serde(default)]
    pub score: Option<serde_json::Value>,
    #[serde(default)]
    pub choices: Vec<String>,
    #[serde(default)]
    pub text: String,
}

fn key_ok(k: &str) -> bool {
    (1..=40).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Survey {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<Survey, FieldError> {
        serde_json::from_str(text).map_err(|e| FieldError::new("survey", format!("not a survey document: {e}")))
    }

    /// Every problem of the definition, each at its field.
    pub fn check(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if !key_ok(&self.key) {
            out.push(FieldError::new("key", "use 1 to 40 lower-case latin letters, digits and _"));
        }
        let words = |out: &mut Vec<FieldError>, field: &str, w: &Wording, required: bool| {
            for (lang, t) in [("en", &w.en), ("ru", &w.ru)] {
                if required && t.trim().is_empty() {
                    out.push(FieldError::new(format!("{field}.{lang}"), "write the wording in both languages"));
                }
                if t.chars().count() > MAX_WORDING {
                    out.push(FieldError::new(format!("{field}.{lang}"), format!("at most {MAX_WORDING} characters")));
                }
            }
        };
        words(&mut out, "question", &self.question, true);
        let has_follow_up = !self.follow_up.en.trim().is_empty() || !self.follow_up.ru.trim().is_empty();
        words(&mut out, "follow_up", &self.follow_up, has_follow_up);
        let choice = matches!(self.kind, SurveyKind::Single | SurveyKind::Multiple);
        if choice && !(2..=MAX_CHOICES).contains(&self.choices.len()) {
            out.push(FieldError::new("choices", format!("give 2 to {MAX_CHOICES} choices")));
        }
        if !choice && !self.choices.is_empty() {
            out.push(FieldError::new("choices", "only single and multiple choice questions have choices"));
        }
        for (i, c) in self.choices.iter().enumerate() {
            words(&mut out, &format!("choices[{i}]"), c, true);
        }
        let t = &self.targeting;
        if t.percent > 100 {
            out.push(FieldError::new("targeting.percent", "a share from 0 to 100"));
        }
        if t.every_days > 3650 {
            out.push(FieldError::new("targeting.every_days", "at most 3650 days"));
        }
        if t.after_event.len() > 200 || t.url.len() > 500 {
            out.push(FieldError::new("targeting", "the event at most 200 characters, the URL pattern at most 500"));
        }
        out
    }

    /// The survey's answer as `survey_response` properties, or every problem of the answer at its field:
    /// a score out of the scale's range, a choice the survey does not offer, a text over [`MAX_TEXT`].
    pub fn answer_properties(&self, a: &AnswerIn) -> Result<serde_json::Value, Vec<FieldError>> {
        let mut out = Vec::new();
        let mut props = serde_json::Map::new();
        props.insert("survey".into(), self.key.clone().into());
        props.insert("question".into(), self.kind.as_str().into());
        props.insert("kind".into(), self.kind.as_str().into());
        match self.kind.scale() {
            Some(scale) => {
                let (lo, hi) = scale.range();
                let v = a.score.as_ref().and_then(|v| v.as_f64());
                match v.and_then(|v| scale.check(v)) {
                    Some(s) => {
                        props.insert("score".into(), s.into());
                    }
                    None => out.push(FieldError::new("score", format!("a whole number from {lo} to {hi}"))),
                }
            }
            None => {
                if a.score.as_ref().is_some_and(|v| !v.is_null()) {
                    out.push(FieldError::new("score", "this question takes no score"));
                }
            }
        }
        let choice = matches!(self.kind, SurveyKind::Single | SurveyKind::Multiple);
        if choice {
            let known = |c: &String| self.choices.iter().any(|w| &w.en == c || &w.ru == c);
            if a.choices.is_empty() || (self.kind == SurveyKind::Single && a.choices.len() > 1) {
                out.push(FieldError::new(
                    "choices",
                    if self.kind == SurveyKind::Single { "pick one choice" } else { "pick at least one choice" },
                ));
            } else if let Some(bad) = a.choices.iter().find(|c| !known(c)) {
                out.push(FieldError::new("choices", format!("\"{bad}\" is not one of the survey's choices")));
            } else {
                props.insert("choices".into(), a.choices.clone().into());
            }
        } else if !a.choices.is_empty() {
            out.push(FieldError::new("choices", "this question has no choices"));
        }
        let n = a.text.chars().count();
        if n > MAX_TEXT {
            out.push(FieldError::new("text", format!("at most {MAX_TEXT} characters (this one has {n})")));
        } else if !a.text.trim().is_empty() {
            props.insert("text".into(), a.text.trim().into());
        }
        if self.kind == SurveyKind::Text && a.text.trim().is_empty() {
            out.push(FieldError::new("text", "write an answer"));
        }
        if out.is_empty() {
            Ok(serde_json::Value::Object(props))
        } else {
            Err(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nps() -> Survey {
        Survey {
            key: "post_purchase".into(),
            kind: SurveyKind::Nps,
            question: Wording::new(
                "How likely are you to recommend us?",
                "Насколько вероятно, что вы порекомендуете нас?",
            ),
            choices: vec![],
            follow_up: Wording::new("Why?", "Почему?"),
            targeting: Targeting { after_event: "purchase".into(), ..Targeting::default() },
            active: true,
        }
    }

    #[test]
    fn a_definition_reads_back_and_names_every_problem() {
        let s = nps();
        assert!(s.check().is_empty());
        assert_eq!(Survey::from_json(&s.to_json()).unwrap(), s);
        let bad = Survey {
            key: "Bad Key".into(),
            kind: SurveyKind::Single,
            question: Wording::new("", "x"),
            targeting: Targeting { percent: 120, ..Targeting::default() },
            ..nps()
        };
        let fields: Vec<String> = bad.check().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["key", "question.en", "choices", "targeting.percent"]);
        assert!(Survey::from_json("{\"key\":\"a\"}").is_err());
    }

    #[test]
    fn answers_are_checked_against_their_survey() {
        let s = nps();
        let a = |score: serde_json::Value, text: &str| AnswerIn {
            survey: s.key.clone(),
            score: Some(score),
            choices: vec![],
            text: text.into(),
        };
        let ok = s.answer_properties(&a(9.into(), " great ")).unwrap();
        assert_eq!(ok["score"], 9);
        assert_eq!(ok["text"], "great");
        assert_eq!(ok["kind"], "nps");
        let e = s.answer_properties(&a(11.into(), "")).unwrap_err();
        assert_eq!((e[0].field.as_str(), e[0].reason.as_str()), ("score", "a whole number from 0 to 10"));
        let long = "я".repeat(MAX_TEXT + 1);
        let e = s.answer_properties(&a(5.into(), &long)).unwrap_err();
        assert_eq!(e[0].field, "text");
        assert!(e[0].reason.contains("2000"));
        assert!(s.answer_properties(&a(serde_json::Value::Null, "")).is_err());
        let pick = Survey {
            kind: SurveyKind::Single,
            choices: vec![Wording::new("Price", "Цена"), Wording::new("Delivery", "Доставка")],
            ..nps()
        };
        let c = |v: &[&str]| AnswerIn {
            survey: "x".into(),
            score: None,
            choices: v.iter().map(|s| s.to_string()).collect(),
            text: String::new(),
        };
        assert_eq!(pick.answer_properties(&c(&["Доставка"])).unwrap()["choices"][0], "Доставка");
        assert_eq!(pick.answer_properties(&c(&["Weather"])).unwrap_err()[0].field, "choices");
        assert_eq!(pick.answer_properties(&c(&["Price", "Delivery"])).unwrap_err()[0].reason, "pick one choice");
    }
}
