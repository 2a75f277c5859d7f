//! Persona cards (e.g. «Мария, 35 лет, мама двоих детей», «Алексей, 27 лет, активный путешественник»): who
//! the customer is, what they want and what hurts, the channels they prefer — and the segment rule over traits
//! and behaviour that finds such customers in the data, so that a map's data lanes can be read per persona.

use serde::{Deserialize, Serialize};

use super::{check_key, MapError, MapIssue, Segment, MAX_TEXT, MAX_TITLE};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    /// Stable id (`a-z 0-9 _`), used by maps.
    pub key: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u32>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub occupation: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub quote: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pains: Vec<String>,
    /// Preferred channels, as people say them («Instagram», «e-mail»).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    /// The customers this persona stands for.
    #[serde(default, skip_serializing_if = "Segment::is_empty")]
    pub segment: Segment,
}

impl Persona {
    /// The card as lines of text (who, their words, goals, needs, pains, channels), headings in `lang`.
    pub fn card_lines(&self, lang: &str) -> Vec<String> {
        let ru = lang == "ru";
        let mut who = self.name.clone();
        if let Some(age) = self.age {
            who.push_str(&format!(", {age}"));
        }
        if !self.occupation.is_empty() {
            who.push_str(&format!(" — {}", self.occupation));
        }
        let mut out = vec![who];
        if !self.quote.is_empty() {
            out.push(format!("«{}»", self.quote));
        }
        let lists = [
            (if ru { "Цели" } else { "Goals" }, &self.goals),
            (if ru { "Потребности" } else { "Needs" }, &self.needs),
            (if ru { "Боли" } else { "Pains" }, &self.pains),
            (if ru { "Каналы" } else { "Channels" }, &self.channels),
        ];
        out.extend(lists.into_iter().filter(|(_, v)| !v.is_empty()).map(|(t, v)| format!("{t}: {}", v.join("; "))));
        out
    }

    /// The card as Markdown (for a map's Markdown export read for this persona), headings in `lang`.
    pub fn to_markdown(&self, lang: &str) -> String {
        let ru = lang == "ru";
        let pick = |en: &'static str, r: &'static str| if ru { r } else { en };
        let mut out = format!("> **{}**", self.name);
        if let Some(age) = self.age {
            out.push_str(&format!(", {age}"));
        }
        if !self.occupation.is_empty() {
            out.push_str(&format!(" — {}", self.occupation));
        }
        out.push('\n');
        if !self.quote.is_empty() {
            out.push_str(&format!(">\n> «{}»\n", self.quote));
        }
        let lists = [
            (pick("Goals", "Цели"), &self.goals),
            (pick("Needs", "Потребности"), &self.needs),
            (pick("Pains", "Боли"), &self.pains),
            (pick("Channels", "Каналы"), &self.channels),
        ];
        for (title, items) in lists {
            if !items.is_empty() {
                out.push_str(&format!(">\n> {title}: {}\n", items.join("; ")));
            }
        }
        out.push('\n');
        out
    }

    pub fn validate(&self) -> Result<(), MapError> {
        let mut issues = Vec::new();
        let mut issue = |field: &str, reason: String| issues.push(MapIssue { field: field.into(), reason });
        if let Err(e) = check_key(&self.key) {
            issue("key", e);
        }
        if self.name.trim().is_empty() || self.name.chars().count() > MAX_TITLE {
            issue("name", format!("a name has 1–{MAX_TITLE} characters"));
        }
        if self.age.is_some_and(|a| a > 120) {
            issue("age", "is not an age".into());
        }
        for (field, text) in [("occupation", &self.occupation), ("quote", &self.quote)] {
            if text.chars().count() > MAX_TEXT {
                issue(field, format!("is longer than {MAX_TEXT} characters"));
            }
        }
        for (field, list) in
            [("goals", &self.goals), ("needs", &self.needs), ("pains", &self.pains), ("channels", &self.channels)]
        {
            if list.len() > 20 || list.iter().any(|t| t.chars().count() > MAX_TITLE) {
                issue(field, format!("at most 20 items of up to {MAX_TITLE} characters"));
            }
        }
        if let Err(v) = self.segment.scope("segment") {
            issues.extend(v);
        }
        if issues.is_empty() {
            Ok(())
        } else {
            Err(MapError::Invalid(issues))
        }
    }

    pub fn from_json(text: &str) -> Result<Persona, MapError> {
        let p: Persona =
            serde_json::from_str(text).map_err(|e| MapError::Unreadable { format: "JSON", message: e.to_string() })?;
        p.validate()?;
        Ok(p)
    }
}
