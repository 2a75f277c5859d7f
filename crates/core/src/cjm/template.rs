//! Ready maps for common businesses, in Russian and English: the outdoor-goods online store (what `tropa demo`
//! opens on), an online health consultation, a clothing store in a mall, an online education platform, a travel
//! agency with six stages, the five-stage sales funnel, and a blank map. Each template is a YAML file in
//! `templates/` whose texts are given in both languages; [`Template::instantiate`] picks one.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::persona::Persona;
use super::{JourneyMap, Lane, LaneKind, MapStage, Period, Segment, FORMAT_VERSION};

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub ru: String,
}

impl Text {
    pub fn get(&self, lang: &str) -> &str {
        if lang == "ru" {
            &self.ru
        } else {
            &self.en
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TStage {
    key: String,
    name: Text,
    event: Vec<String>,
    #[serde(default)]
    nth: Option<u32>,
    #[serde(default)]
    within: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TLane {
    key: String,
    kind: LaneKind,
    #[serde(default)]
    title: Option<Text>,
    #[serde(default)]
    cells: BTreeMap<String, Text>,
    #[serde(default)]
    scores: BTreeMap<String, i8>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TPersona {
    key: String,
    name: Text,
    #[serde(default)]
    age: Option<u32>,
    #[serde(default)]
    occupation: Option<Text>,
    #[serde(default)]
    quote: Option<Text>,
    #[serde(default)]
    goals: Vec<Text>,
    #[serde(default)]
    needs: Vec<Text>,
    #[serde(default)]
    pains: Vec<Text>,
    #[serde(default)]
    channels: Vec<Text>,
    #[serde(default)]
    segment: Segment,
}

/// A ready map.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub key: String,
    pub title: Text,
    pub description: Text,
    /// The kind of business it fits, for people choosing one.
    pub business: Text,
    #[serde(default)]
    order: Option<String>,
    stages: Vec<TStage>,
    #[serde(default)]
    problems: Vec<String>,
    #[serde(default)]
    personas: Vec<TPersona>,
    lanes: Vec<TLane>,
}

const SOURCES: [&str; 7] = [
    include_str!("templates/online_store.yaml"),
    include_str!("templates/health_consultation.yaml"),
    include_str!("templates/clothing_store.yaml"),
    include_str!("templates/education.yaml"),
    include_str!("templates/travel_agency.yaml"),
    include_str!("templates/sales_funnel.yaml"),
    include_str!("templates/blank.yaml"),
];

/// Every template, in the order above (a broken template is a bug the tests catch).
pub fn all() -> &'static [Template] {
    static ALL: OnceLock<Vec<Template>> = OnceLock::new();
    ALL.get_or_init(|| SOURCES.iter().filter_map(|s| serde_saphyr::from_str::<Template>(s).ok()).collect())
}

pub fn by_key(key: &str) -> Option<&'static Template> {
    all().iter().find(|t| t.key == key)
}

impl Template {
    /// The map in one language (`ru` or `en`).
    pub fn instantiate(&self, lang: &str) -> JourneyMap {
        let lang = if lang == "ru" { "ru" } else { "en" };
        JourneyMap {
            version: FORMAT_VERSION,
            title: self.title.get(lang).into(),
            description: self.description.get(lang).into(),
            lang: lang.into(),
            order: self.order.clone().unwrap_or_else(|| "sequential".into()),
            stages: self
                .stages
                .iter()
                .map(|s| MapStage {
                    key: s.key.clone(),
                    name: s.name.get(lang).into(),
                    event: s.event.clone(),
                    nth: s.nth,
                    within: s.within.clone(),
                })
                .collect(),
            problems: self.problems.clone(),
            segment: Segment::default(),
            period: Period::default(),
            personas: self.personas.iter().map(|p| p.key.clone()).collect(),
            lanes: self
                .lanes
                .iter()
                .map(|l| Lane {
                    key: l.key.clone(),
                    kind: l.kind,
                    title: l.title.as_ref().map_or_else(|| l.kind.title(lang).to_string(), |t| t.get(lang).to_string()),
                    cells: l.cells.iter().map(|(k, v)| (k.clone(), v.get(lang).to_string())).collect(),
                    scores: l.scores.clone(),
                })
                .collect(),
        }
    }

    /// The template's personas in one language.
    pub fn personas(&self, lang: &str) -> Vec<Persona> {
        let list = |v: &[Text]| v.iter().map(|t| t.get(lang).to_string()).collect();
        self.personas
            .iter()
            .map(|p| Persona {
                key: p.key.clone(),
                name: p.name.get(lang).into(),
                age: p.age,
                occupation: p.occupation.as_ref().map(|t| t.get(lang).to_string()).unwrap_or_default(),
                quote: p.quote.as_ref().map(|t| t.get(lang).to_string()).unwrap_or_default(),
                goals: list(&p.goals),
                needs: list(&p.needs),
                pains: list(&p.pains),
                channels: list(&p.channels),
                segment: p.segment.clone(),
            })
            .collect()
    }

    /// The parse error of each template source that does not read (empty when all do): for the tests.
    pub fn source_errors() -> Vec<String> {
        SOURCES
            .iter()
            .enumerate()
            .filter_map(|(i, s)| serde_saphyr::from_str::<Template>(s).err().map(|e| format!("template {i}: {e}")))
            .collect()
    }
}
