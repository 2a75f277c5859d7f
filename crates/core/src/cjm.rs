//! The Customer Journey Map document: a title, the journey's stages (the columns, each with its rule over events
//! so that data can fill it), the problem events, an optional segment and period, the personas it is read for,
//! and lanes (the rows). Lanes are either written by people — goals, actions, touchpoints, thoughts and quotes,
//! emotions (a score from −2 to +2 per stage), pain points, opportunities, owner team, notes — or **data lanes**
//! filled from events at read time (see [`crate::analysis::lanes`]): customers who reached the stage,
//! conversion, drop-off, time in stage, top touchpoints and channels, revenue, share who met a problem; a
//! feedback lane (NPS, CSAT, sentiment) has its place in the model and is filled once surveys exist.
//!
//! A map is plain data (JSON or YAML, [`JourneyMap::from_json`], [`JourneyMap::to_yaml`] …) so that a team can
//! keep it in git; every change is an [`Edit`] applied with [`JourneyMap::apply`], which keeps the map valid, and
//! [`diff`] lists what changed between two versions. [`template`] holds the ready maps for common businesses in
//! Russian and English; [`markdown`] writes a map with its data as Markdown; [`persona`] the persona cards.
//!
//! ```
//! use tropa_core::cjm::{template, Edit};
//! let mut map = template::by_key("online_store").unwrap().instantiate("ru");
//! assert_eq!(map.stages[0].name, "Первичный контакт");
//! map.apply(&Edit::SetCell { lane: "pains".into(), stage: "purchase".into(), text: "Долгая доставка".into() })?;
//! assert!(map.definition().is_ok());
//! # Ok::<(), tropa_core::cjm::MapError>(())
//! ```

mod diff;
mod edit;
pub mod markdown;
pub mod persona;
pub mod template;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::analysis::filter::EventMatch;
use crate::analysis::scope::ScopeSpec;
use crate::analysis::stages::{DefinitionFormat, JourneyDefinition, MAX_STAGES};
use crate::time::parse_duration;
pub use diff::{diff, Change};
pub use edit::Edit;

/// The format version of map documents.
pub const FORMAT_VERSION: u32 = 1;
/// Limits that keep a map readable and its storage bounded.
pub const MAX_TEXT: usize = 2_000;
pub const MAX_TITLE: usize = 200;
pub const MAX_LANES: usize = 40;

/// A problem with a map, at a field path (`stages[2].key`, `lanes[1].scores.purchase`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MapIssue {
    pub field: String,
    pub reason: String,
}

/// Every problem found (never empty), or a document that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    #[error("{}", .0.iter().map(|i| format!("{}: {}", i.field, i.reason)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<MapIssue>),
    #[error("{format} document: {message}")]
    Unreadable { format: &'static str, message: String },
}

impl MapError {
    fn one(field: impl Into<String>, reason: impl Into<String>) -> MapError {
        MapError::Invalid(vec![MapIssue { field: field.into(), reason: reason.into() }])
    }

    /// The problems, each with its field.
    pub fn issues(&self) -> Vec<MapIssue> {
        match self {
            MapError::Invalid(v) => v.clone(),
            MapError::Unreadable { message, .. } => vec![MapIssue { field: String::new(), reason: message.clone() }],
        }
    }
}

/// A stage: a column of the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapStage {
    /// Stable id (`a-z 0-9 _`), used by cells and data.
    pub key: String,
    pub name: String,
    /// The rule: events in the step syntax, any of them (`purchase where revenue > 0`, `*` any event).
    pub event: Vec<String>,
    /// The rule must be met for the nth time (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<u32>,
    /// At most this long after the previous stage (`30d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
}

/// What a lane holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LaneKind {
    Goals,
    Actions,
    Touchpoints,
    Thoughts,
    /// A score from −2 to +2 per stage, drawn as a curve.
    Emotions,
    Pains,
    Opportunities,
    Owner,
    Notes,
    // data lanes, filled from events
    Reached,
    Conversion,
    Dropoff,
    TimeInStage,
    TopTouchpoints,
    TopChannels,
    Revenue,
    Problems,
    /// NPS / CSAT / sentiment per stage: filled once feedback is collected (shown empty until then).
    Feedback,
    /// The period's ad spend carried by the stage's customers ÷ the customers who reached it (see
    /// `analysis::lanes::LanesReport::apply_spend`); empty until spend is imported.
    CostPerCustomer,
}

impl LaneKind {
    pub const ALL: [LaneKind; 19] = [
        LaneKind::Goals,
        LaneKind::Actions,
        LaneKind::Touchpoints,
        LaneKind::Thoughts,
        LaneKind::Emotions,
        LaneKind::Pains,
        LaneKind::Opportunities,
        LaneKind::Owner,
        LaneKind::Notes,
        LaneKind::Reached,
        LaneKind::Conversion,
        LaneKind::Dropoff,
        LaneKind::TimeInStage,
        LaneKind::TopTouchpoints,
        LaneKind::TopChannels,
        LaneKind::Revenue,
        LaneKind::Problems,
        LaneKind::Feedback,
        LaneKind::CostPerCustomer,
    ];

    /// Filled from events, not written.
    pub fn is_data(self) -> bool {
        matches!(
            self,
            LaneKind::Reached
                | LaneKind::Conversion
                | LaneKind::Dropoff
                | LaneKind::TimeInStage
                | LaneKind::TopTouchpoints
                | LaneKind::TopChannels
                | LaneKind::Revenue
                | LaneKind::Problems
                | LaneKind::Feedback
                | LaneKind::CostPerCustomer
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LaneKind::Goals => "goals",
            LaneKind::Actions => "actions",
            LaneKind::Touchpoints => "touchpoints",
            LaneKind::Thoughts => "thoughts",
            LaneKind::Emotions => "emotions",
            LaneKind::Pains => "pains",
            LaneKind::Opportunities => "opportunities",
            LaneKind::Owner => "owner",
            LaneKind::Notes => "notes",
            LaneKind::Reached => "reached",
            LaneKind::Conversion => "conversion",
            LaneKind::Dropoff => "dropoff",
            LaneKind::TimeInStage => "time_in_stage",
            LaneKind::TopTouchpoints => "top_touchpoints",
            LaneKind::TopChannels => "top_channels",
            LaneKind::Revenue => "revenue",
            LaneKind::Problems => "problems",
            LaneKind::Feedback => "feedback",
            LaneKind::CostPerCustomer => "cost_per_customer",
        }
    }

    pub fn parse(s: &str) -> Option<LaneKind> {
        LaneKind::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    /// The lane's default title.
    pub fn title(self, lang: &str) -> &'static str {
        let (en, ru) = match self {
            LaneKind::Goals => ("Customer goals", "Цели клиента"),
            LaneKind::Actions => ("Actions", "Действия"),
            LaneKind::Touchpoints => ("Touchpoints", "Точки контакта"),
            LaneKind::Thoughts => ("Thoughts and quotes", "Мысли и цитаты"),
            LaneKind::Emotions => ("Emotions", "Эмоции"),
            LaneKind::Pains => ("Pain points", "Проблемы"),
            LaneKind::Opportunities => ("Opportunities", "Возможности"),
            LaneKind::Owner => ("Owner team", "Ответственная команда"),
            LaneKind::Notes => ("Notes", "Заметки"),
            LaneKind::Reached => ("Customers who reached the stage", "Дошли до этапа"),
            LaneKind::Conversion => ("Conversion from the previous stage", "Конверсия из предыдущего этапа"),
            LaneKind::Dropoff => ("Did not go further", "Не пошли дальше"),
            LaneKind::TimeInStage => ("Time in stage (median · p90)", "Время на этапе (медиана · p90)"),
            LaneKind::TopTouchpoints => ("Top touchpoints", "Главные точки контакта"),
            LaneKind::TopChannels => ("Top channels", "Главные каналы"),
            LaneKind::Revenue => ("Revenue", "Выручка"),
            LaneKind::Problems => ("Met a problem", "Столкнулись с проблемой"),
            LaneKind::Feedback => ("Feedback (NPS, CSAT)", "Обратная связь (NPS, CSAT)"),
            LaneKind::CostPerCustomer => {
                ("Ad spend per customer reaching the stage", "Расходы на рекламу на клиента, дошедшего до этапа")
            }
        };
        if lang == "ru" {
            ru
        } else {
            en
        }
    }
}

/// A row of the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lane {
    pub key: String,
    pub kind: LaneKind,
    pub title: String,
    /// Text per stage key (written lanes).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cells: BTreeMap<String, String>,
    /// Emotion score per stage key, −2…+2 (emotion lanes).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scores: BTreeMap<String, i8>,
}

/// Which customers the data lanes count (all empty: everyone); the query API's filter syntax.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Segment {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub traits: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub did: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub did_not: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub first_channel: Vec<String>,
}

impl Segment {
    pub fn is_empty(&self) -> bool {
        self.traits.is_empty() && self.did.is_empty() && self.did_not.is_empty() && self.first_channel.is_empty()
    }

    /// The scope of the segment; problems name `PREFIX.traits[0]` ….
    pub fn scope(&self, prefix: &str) -> Result<ScopeSpec, Vec<MapIssue>> {
        let mut issues = Vec::new();
        let events = |name: &str, list: &[String], issues: &mut Vec<MapIssue>| -> Vec<EventMatch> {
            list.iter()
                .enumerate()
                .filter_map(|(i, t)| {
                    EventMatch::parse(t)
                        .map_err(|e| {
                            issues.push(MapIssue { field: format!("{prefix}.{name}[{i}]"), reason: e.to_string() })
                        })
                        .ok()
                })
                .collect()
        };
        let did = events("did", &self.did, &mut issues);
        let did_not = events("did_not", &self.did_not, &mut issues);
        let traits = self
            .traits
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                ScopeSpec::parse_trait(t)
                    .map_err(|e| {
                        issues.push(MapIssue { field: format!("{prefix}.traits[{i}]"), reason: e.to_string() })
                    })
                    .ok()
            })
            .collect();
        if !issues.is_empty() {
            return Err(issues);
        }
        Ok(ScopeSpec { did, did_not, traits, first_channel: self.first_channel.clone(), ..ScopeSpec::default() })
    }

    /// Both segments at once (a persona within a map's segment).
    pub fn and(&self, other: &Segment) -> Segment {
        let join = |a: &[String], b: &[String]| a.iter().chain(b).cloned().collect();
        Segment {
            traits: join(&self.traits, &other.traits),
            did: join(&self.did, &other.did),
            did_not: join(&self.did_not, &other.did_not),
            first_channel: if self.first_channel.is_empty() {
                other.first_channel.clone()
            } else if other.first_channel.is_empty() {
                self.first_channel.clone()
            } else {
                self.first_channel.iter().filter(|c| other.first_channel.contains(c)).cloned().collect()
            },
        }
    }
}

/// The dates the data lanes cover (`YYYY-MM-DD`, UTC; `until` exclusive); none: all the data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Period {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

impl Period {
    pub fn is_empty(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }
}

/// The map document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JourneyMap {
    #[serde(default = "format_version")]
    pub version: u32,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The language the map is written in (`ru` or `en`): names of data lanes and numbers follow it.
    #[serde(default = "default_lang")]
    pub lang: String,
    /// `sequential` (default) or `implied`, as in journey definitions.
    #[serde(default = "default_order")]
    pub order: String,
    pub stages: Vec<MapStage>,
    /// Events that count as a problem for the problem lane.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    #[serde(default, skip_serializing_if = "Segment::is_empty")]
    pub segment: Segment,
    #[serde(default, skip_serializing_if = "Period::is_empty")]
    pub period: Period,
    /// Keys of the project's personas this map is read for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub personas: Vec<String>,
    pub lanes: Vec<Lane>,
}

fn format_version() -> u32 {
    FORMAT_VERSION
}

fn default_lang() -> String {
    "en".into()
}

fn default_order() -> String {
    "sequential".into()
}

/// A key for ids: `a-z 0-9 _`, 1–40, starting with a letter.
pub fn check_key(key: &str) -> Result<(), String> {
    let ok = !key.is_empty()
        && key.len() <= 40
        && key.as_bytes()[0].is_ascii_lowercase()
        && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(format!("'{key}' is not a key: use 1–40 of a-z, 0-9, _ starting with a letter"))
    }
}

/// A `YYYY-MM-DD` date as epoch ms (UTC midnight).
pub fn parse_date(text: &str) -> Result<i64, String> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map(|d| d.and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp_millis()))
        .map_err(|_| format!("'{text}' is not a date: write YYYY-MM-DD"))
}

impl JourneyMap {
    /// An empty map with the given stages' names (rules `*` on the first, none elsewhere — edit them) and no
    /// lanes.
    pub fn blank(title: &str, lang: &str) -> JourneyMap {
        template::by_key("blank").map(|t| t.instantiate(lang)).unwrap_or_else(|| JourneyMap {
            version: FORMAT_VERSION,
            title: title.into(),
            description: String::new(),
            lang: lang.into(),
            order: default_order(),
            stages: vec![],
            problems: vec![],
            segment: Segment::default(),
            period: Period::default(),
            personas: vec![],
            lanes: vec![],
        })
    }

    pub fn from_json(text: &str) -> Result<JourneyMap, MapError> {
        let map: JourneyMap =
            serde_json::from_str(text).map_err(|e| MapError::Unreadable { format: "JSON", message: e.to_string() })?;
        map.validate()?;
        Ok(map)
    }

    pub fn from_yaml(text: &str) -> Result<JourneyMap, MapError> {
        let map: JourneyMap = serde_saphyr::from_str(text)
            .map_err(|e| MapError::Unreadable { format: "YAML", message: e.to_string() })?;
        map.validate()?;
        Ok(map)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn to_yaml(&self) -> String {
        serde_saphyr::to_string(self).unwrap_or_default()
    }

    pub fn stage_index(&self, key: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.key == key)
    }

    pub fn lane_index(&self, key: &str) -> Option<usize> {
        self.lanes.iter().position(|l| l.key == key)
    }

    /// The journey definition of the map's stages (names in both languages are the stage's name).
    pub fn definition(&self) -> Result<JourneyDefinition, MapError> {
        let stages: Vec<serde_json::Value> = self
            .stages
            .iter()
            .map(|s| {
                let mut v = serde_json::json!({
                    "key": s.key,
                    "name": {"en": s.name, "ru": s.name},
                    "event": s.event,
                });
                if let Some(n) = s.nth {
                    v["nth"] = n.into();
                }
                if let Some(w) = &s.within {
                    v["within"] = w.clone().into();
                }
                v
            })
            .collect();
        let doc = serde_json::json!({"version": 1, "name": self.title, "order": self.order, "stages": stages});
        JourneyDefinition::parse(&doc.to_string(), DefinitionFormat::Json).map_err(|e| {
            MapError::Invalid(
                e.issues
                    .into_iter()
                    .map(|i| MapIssue {
                        field: match &i.stage {
                            Some((n, _)) if i.field.is_empty() => format!("stages[{}]", n - 1),
                            Some((n, _)) => format!("stages[{}].{}", n - 1, i.field),
                            None => i.field.clone(),
                        },
                        reason: i.reason,
                    })
                    .collect(),
            )
        })
    }

    /// The problem events.
    pub fn problem_matchers(&self) -> Result<Vec<EventMatch>, MapError> {
        let mut issues = Vec::new();
        let out = self
            .problems
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                EventMatch::parse(p)
                    .map_err(|e| issues.push(MapIssue { field: format!("problems[{i}]"), reason: e.to_string() }))
                    .ok()
            })
            .collect();
        if issues.is_empty() {
            Ok(out)
        } else {
            Err(MapError::Invalid(issues))
        }
    }

    /// The period as epoch ms (since, until).
    pub fn period_ms(&self, calendar: crate::calendar::Calendar) -> Result<(Option<i64>, Option<i64>), MapError> {
        // a date is the local midnight of that day in the project's time zone
        let local = |d: &str| parse_date(d).map(|utc| calendar.day_start(utc.div_euclid(86_400_000)));
        let since =
            self.period.since.as_deref().map(local).transpose().map_err(|e| MapError::one("period.since", e))?;
        let until =
            self.period.until.as_deref().map(local).transpose().map_err(|e| MapError::one("period.until", e))?;
        if let (Some(a), Some(b)) = (since, until) {
            if b <= a {
                return Err(MapError::one("period.until", "must be after since"));
            }
        }
        Ok((since, until))
    }

    /// Checks everything; every problem with its field.
    pub fn validate(&self) -> Result<(), MapError> {
        let mut issues = Vec::new();
        let mut issue = |field: String, reason: String| issues.push(MapIssue { field, reason });
        if self.version != FORMAT_VERSION {
            issue(
                "version".into(),
                format!("{} is not a map format this tropa reads (use {FORMAT_VERSION})", self.version),
            );
        }
        if self.title.trim().is_empty() || self.title.chars().count() > MAX_TITLE {
            issue("title".into(), format!("a title has 1–{MAX_TITLE} characters"));
        }
        if self.description.chars().count() > MAX_TEXT {
            issue("description".into(), format!("is longer than {MAX_TEXT} characters"));
        }
        if !matches!(self.lang.as_str(), "ru" | "en") {
            issue("lang".into(), format!("'{}': use ru or en", self.lang));
        }
        if self.stages.is_empty() || self.stages.len() > MAX_STAGES {
            issue("stages".into(), format!("a map has 1–{MAX_STAGES} stages"));
        }
        for (i, s) in self.stages.iter().enumerate() {
            if let Err(e) = check_key(&s.key) {
                issue(format!("stages[{i}].key"), e);
            }
            if self.stages[..i].iter().any(|o| o.key == s.key) {
                issue(format!("stages[{i}].key"), format!("'{}' is used by an earlier stage", s.key));
            }
            if s.name.trim().is_empty() || s.name.chars().count() > MAX_TITLE {
                issue(format!("stages[{i}].name"), format!("a name has 1–{MAX_TITLE} characters"));
            }
        }
        if self.lanes.len() > MAX_LANES {
            issue("lanes".into(), format!("a map has at most {MAX_LANES} lanes"));
        }
        for (i, l) in self.lanes.iter().enumerate() {
            if let Err(e) = check_key(&l.key) {
                issue(format!("lanes[{i}].key"), e);
            }
            if self.lanes[..i].iter().any(|o| o.key == l.key) {
                issue(format!("lanes[{i}].key"), format!("'{}' is used by an earlier lane", l.key));
            }
            if l.title.trim().is_empty() || l.title.chars().count() > MAX_TITLE {
                issue(format!("lanes[{i}].title"), format!("a title has 1–{MAX_TITLE} characters"));
            }
            for (k, text) in &l.cells {
                if self.stage_index(k).is_none() {
                    issue(format!("lanes[{i}].cells.{k}"), "no stage has this key".into());
                }
                if text.chars().count() > MAX_TEXT {
                    issue(format!("lanes[{i}].cells.{k}"), format!("is longer than {MAX_TEXT} characters"));
                }
            }
            if !l.cells.is_empty() && l.kind.is_data() {
                issue(
                    format!("lanes[{i}].cells"),
                    format!("a {} lane is filled from data, not written", l.kind.as_str()),
                );
            }
            for (k, score) in &l.scores {
                if self.stage_index(k).is_none() {
                    issue(format!("lanes[{i}].scores.{k}"), "no stage has this key".into());
                }
                if !(-2..=2).contains(score) {
                    issue(format!("lanes[{i}].scores.{k}"), format!("{score} is not a score from -2 to 2"));
                }
            }
            if !l.scores.is_empty() && l.kind != LaneKind::Emotions {
                issue(format!("lanes[{i}].scores"), "only an emotions lane has scores".into());
            }
        }
        for (i, s) in self.stages.iter().enumerate() {
            if let Some(w) = &s.within {
                if let Err(e) = parse_duration(w) {
                    issue(format!("stages[{i}].within"), e.to_string());
                }
            }
        }
        for (field, what) in [("segment", &self.segment)] {
            if let Err(v) = what.scope(field) {
                issues.extend(v);
            }
        }
        if let Err(e) = self.problem_matchers() {
            issues.extend(e.issues());
        }
        if let Err(e) = self.period_ms(crate::calendar::Calendar::UTC) {
            issues.extend(e.issues());
        }
        if issues.is_empty() && !self.stages.is_empty() {
            if let Err(e) = self.definition() {
                issues.extend(e.issues());
            }
        }
        if issues.is_empty() {
            Ok(())
        } else {
            Err(MapError::Invalid(issues))
        }
    }
}

#[cfg(test)]
mod tests;
