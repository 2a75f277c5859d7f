//! The dictionary of a project: every event name and property the data has (counts, first and last seen, top
//! values — the engine's [`Catalog`], kept as events are stored, never counted on a page load) merged with what
//! people noted about them in the metadata (display names in English and Russian, a description, `hidden` and
//! `verified`). Adapters read it here: the web app's dictionary page and pickers, the query API's
//! `/v1/dictionary`, the CLI's `tropa events`.
//!
//! Display names: [`Names`] (the notes alone, no engine) turns a raw name into what people read, in their
//! language — the display name in that language, else in the other, else the raw name. Pages, charts, maps and
//! exports call [`Names::event`] / [`Names::property`]; the CLI and the API keep raw names.
//!
//! Counts after a forget: the catalog counts the events stored now, so a forgotten customer's events are no
//! longer counted, and first/last seen are those of the events left.
//!
//! ```
//! use tropa_app::dictionary::{self, Names};
//! use tropa_core::lang::Lang;
//! let dir = tempfile::tempdir()?;
//! let meta = tropa_app::layout::open_meta(dir.path())?;
//! let note = tropa_meta::Note { name: "purchase".into(), name_ru: "Покупка".into(), ..Default::default() };
//! dictionary::annotate(&meta, "default", tropa_meta::NoteKind::Event, note, &tropa_app::audit::Who::cli(""), 1)?;
//! let names = Names::of(&meta, "default")?;
//! assert_eq!(names.event("purchase", Lang::Ru), "Покупка");
//! assert_eq!(names.event("purchase", Lang::En), "Покупка");
//! assert_eq!(names.event("refund", Lang::En), "refund");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::json;
use tropa_core::catalog::{Catalog, PropertyStats};
use tropa_core::lang::Lang;
use tropa_engine::Engine;
use tropa_meta::dictionary::{MAX_DESCRIPTION, MAX_DISPLAY, MAX_NAME};
use tropa_meta::{Meta, Note, NoteKind};

use crate::audit::{Action, Done, Who};
use crate::{AppError, Reason};

/// One event name of the dictionary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventEntry {
    /// The raw name, as stored and as the CLI and the API take it.
    pub name: String,
    pub count: u64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    /// The property paths its events carried.
    pub properties: Vec<String>,
    pub note: Note,
}

/// One property (over every event name).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PropertyEntry {
    pub name: String,
    pub count: u64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    /// Its most frequent values with their counts (bounded, see [`tropa_core::catalog`]).
    pub values: Vec<(String, u64)>,
    /// The event names that carried it.
    pub events: Vec<String>,
    pub note: Note,
}

/// The whole dictionary: events and properties by raw name.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Dictionary {
    pub events: Vec<EventEntry>,
    pub properties: Vec<PropertyEntry>,
}

fn notes(meta: &Meta, project: &str) -> Result<HashMap<(NoteKind, String), Note>, AppError> {
    Ok(meta.dictionary_notes(project)?.into_iter().map(|(k, n)| ((k, n.name.clone()), n)).collect())
}

/// The dictionary of `project`: the engine's catalog (no scan on the embedded store) with the notes; names
/// someone noted that the data does not have (yet) are listed with zero counts.
pub fn load(meta: &Meta, engine: &dyn Engine, project: &str) -> Result<Dictionary, AppError> {
    from_catalog(meta, engine.catalog()?, project)
}

/// The dictionary of `project` from a catalog the caller has already.
pub fn from_catalog(meta: &Meta, catalog: Catalog, project: &str) -> Result<Dictionary, AppError> {
    Ok(merge(catalog, notes(meta, project)?))
}

fn merge(catalog: Catalog, mut notes: HashMap<(NoteKind, String), Note>) -> Dictionary {
    let mut note = |kind: NoteKind, name: &str| {
        notes.remove(&(kind, name.to_string())).unwrap_or_else(|| Note { name: name.into(), ..Note::default() })
    };
    let mut events: Vec<EventEntry> = catalog
        .events
        .iter()
        .filter(|(name, _)| !name.is_empty())
        .map(|(name, e)| EventEntry {
            name: name.clone(),
            count: e.seen.count,
            first_seen: e.seen.first,
            last_seen: e.seen.last,
            properties: e.properties.keys().cloned().collect(),
            note: note(NoteKind::Event, name),
        })
        .collect();
    let mut carriers: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (event, e) in &catalog.events {
        for path in e.properties.keys() {
            carriers.entry(path.as_str()).or_default().push(event.clone());
        }
    }
    let all: BTreeMap<String, PropertyStats> = catalog.properties();
    let mut properties: Vec<PropertyEntry> = all
        .into_iter()
        .map(|(name, p)| PropertyEntry {
            events: carriers.get(name.as_str()).cloned().unwrap_or_default(),
            count: p.seen.count,
            first_seen: p.seen.first,
            last_seen: p.seen.last,
            values: p.values,
            note: note(NoteKind::Property, &name),
            name,
        })
        .collect();
    // notes on names the data does not have
    let mut rest: Vec<((NoteKind, String), Note)> = notes.into_iter().collect();
    rest.sort_by(|a, b| a.0.cmp(&b.0));
    for ((kind, name), note) in rest {
        match kind {
            NoteKind::Event => events.push(EventEntry {
                name,
                count: 0,
                first_seen: None,
                last_seen: None,
                properties: Vec::new(),
                note,
            }),
            NoteKind::Property => properties.push(PropertyEntry {
                name,
                count: 0,
                first_seen: None,
                last_seen: None,
                values: Vec::new(),
                events: Vec::new(),
                note,
            }),
        }
    }
    events.sort_by(|a, b| a.name.cmp(&b.name));
    properties.sort_by(|a, b| a.name.cmp(&b.name));
    Dictionary { events, properties }
}

/// The dictionary of `project` in the data folder `root` from `catalog`, read without creating anything: a
/// folder without metadata (a bare store) has no notes.
pub fn in_folder(root: &std::path::Path, project: &str, catalog: Catalog) -> Result<Dictionary, AppError> {
    match crate::layout::existing_meta(root)? {
        Some(meta) => from_catalog(&meta, catalog, project),
        None => Ok(merge(catalog, HashMap::new())),
    }
}

/// Display names of a project's events and properties (the notes alone: cheap, no engine).
#[derive(Debug, Clone, Default)]
pub struct Names {
    events: HashMap<String, (String, String)>,
    properties: HashMap<String, (String, String)>,
}

fn pick<'a>(names: &'a HashMap<String, (String, String)>, raw: &'a str, lang: Lang) -> &'a str {
    match names.get(raw) {
        Some((en, ru)) => {
            let (mine, other) = if lang == Lang::Ru { (ru, en) } else { (en, ru) };
            [mine, other].into_iter().find(|s| !s.is_empty()).map_or(raw, String::as_str)
        }
        None => raw,
    }
}

impl Names {
    /// The display names noted in `project`.
    pub fn of(meta: &Meta, project: &str) -> Result<Names, AppError> {
        let mut n = Names::default();
        for (kind, note) in meta.dictionary_notes(project)? {
            if note.name_en.is_empty() && note.name_ru.is_empty() {
                continue;
            }
            let map = if kind == NoteKind::Event { &mut n.events } else { &mut n.properties };
            map.insert(note.name, (note.name_en, note.name_ru));
        }
        Ok(n)
    }

    /// What people read for the event `raw` in `lang`: its display name there, else in the other language, else
    /// `raw` itself.
    pub fn event<'a>(&'a self, raw: &'a str, lang: Lang) -> &'a str {
        pick(&self.events, raw, lang)
    }

    /// What people read for the property path `raw` in `lang` (as [`Names::event`]).
    pub fn property<'a>(&'a self, raw: &'a str, lang: Lang) -> &'a str {
        pick(&self.properties, raw, lang)
    }

    /// The event of a step's text (`purchase where revenue > 10`) with its display name in place of the raw
    /// one (the conditions as written).
    pub fn step(&self, text: &str, lang: Lang) -> String {
        let (event, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        let shown = self.event(event, lang);
        if rest.is_empty() {
            shown.to_string()
        } else {
            format!("{shown} {rest}")
        }
    }
}

/// Stores `note` about the event or property `note.name` of `project` after checking it (every field of a
/// person's form: the first problem, at its field), and records `dictionary.edit` in the audit log.
pub fn annotate(meta: &Meta, project: &str, kind: NoteKind, note: Note, who: &Who, now: i64) -> Result<(), AppError> {
    check(&note)?;
    let user = match &who.actor {
        crate::audit::Actor::User { id, .. } => Some(*id),
        _ => None,
    };
    meta.set_dictionary_note(project, kind, &note, user, now)?;
    let target = format!("{}:{}", kind.as_str(), note.name);
    let details = json!({
        "name_en": note.name_en, "name_ru": note.name_ru, "hidden": note.hidden, "verified": note.verified,
        "description": !note.description.is_empty(),
    });
    crate::audit::record(meta, who, Done::new(Action::DictionaryEdit, Some(project), &target).with(details), now)?;
    Ok(())
}

/// The note's fields as people give them: the reason a value, the field logical (`name`, `name_en`, `name_ru`,
/// `description`).
fn check(note: &Note) -> Result<(), AppError> {
    let control = |s: &str, lines: bool| s.chars().any(|c| c.is_control() && !(lines && (c == '\n' || c == '\r')));
    let invalid = |field: &'static str, reason: Reason| Err(AppError::Invalid { field, reason });
    if note.name.is_empty() || note.name.len() > MAX_NAME {
        return invalid("name", Reason::TextLength { max: MAX_NAME });
    }
    for (field, text) in [("name", &note.name), ("name_en", &note.name_en), ("name_ru", &note.name_ru)] {
        if control(text, false) {
            return invalid(field, Reason::ControlCharacters);
        }
    }
    for (field, text) in [("name_en", &note.name_en), ("name_ru", &note.name_ru)] {
        if text.chars().count() > MAX_DISPLAY {
            return invalid(field, Reason::TextLength { max: MAX_DISPLAY });
        }
    }
    if note.description.chars().count() > MAX_DESCRIPTION {
        return invalid("description", Reason::TextLength { max: MAX_DESCRIPTION });
    }
    if control(&note.description, true) {
        return invalid("description", Reason::ControlCharacters);
    }
    Ok(())
}

/// A choice of a picker: the raw value submitted and the label shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    /// Verified by someone (offered first).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub verified: bool,
}

/// What the pickers offer: events and properties not hidden, verified first, then the most frequent; each
/// property with its suggested values and the events that carry it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Choices {
    pub events: Vec<Choice>,
    pub properties: Vec<PropertyChoice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PropertyChoice {
    #[serde(flatten)]
    pub choice: Choice,
    pub values: Vec<String>,
    pub events: Vec<String>,
}

impl Dictionary {
    /// The pickers' choices in `lang`.
    pub fn choices(&self, lang: Lang) -> Choices {
        let label = |name: &str, note: &Note| {
            let (mine, other) =
                if lang == Lang::Ru { (&note.name_ru, &note.name_en) } else { (&note.name_en, &note.name_ru) };
            [mine, other].into_iter().find(|s| !s.is_empty()).cloned().unwrap_or_else(|| name.to_string())
        };
        let mut events: Vec<(&EventEntry, Choice)> = self
            .events
            .iter()
            .filter(|e| !e.note.hidden)
            .map(|e| (e, Choice { value: e.name.clone(), label: label(&e.name, &e.note), verified: e.note.verified }))
            .collect();
        events.sort_by(|a, b| {
            b.1.verified.cmp(&a.1.verified).then(b.0.count.cmp(&a.0.count)).then(a.1.value.cmp(&b.1.value))
        });
        let mut properties: Vec<(u64, PropertyChoice)> = self
            .properties
            .iter()
            .filter(|p| !p.note.hidden)
            .map(|p| {
                let choice =
                    Choice { value: p.name.clone(), label: label(&p.name, &p.note), verified: p.note.verified };
                let values = p.values.iter().map(|v| v.0.clone()).collect();
                (p.count, PropertyChoice { choice, values, events: p.events.clone() })
            })
            .collect();
        properties.sort_by(|a, b| {
            b.1.choice
                .verified
                .cmp(&a.1.choice.verified)
                .then(b.0.cmp(&a.0))
                .then(a.1.choice.value.cmp(&b.1.choice.value))
        });
        Choices {
            events: events.into_iter().map(|e| e.1).collect(),
            properties: properties.into_iter().map(|p| p.1).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(name: &str, en: &str, ru: &str) -> Note {
        Note { name: name.into(), name_en: en.into(), name_ru: ru.into(), ..Note::default() }
    }

    #[test]
    fn the_dictionary_merges_counts_and_notes_and_the_pickers_follow_the_flags() {
        let dir = tempfile::tempdir().unwrap();
        let meta = crate::layout::open_meta(dir.path()).unwrap();
        let who = Who::cli("ops");
        let engine = tropa_testkit::NaiveEngine::new();
        let (events, _) = tropa_engine::conformance::dataset(10, 3);
        engine.ingest(events).unwrap();
        annotate(&meta, "default", NoteKind::Event, note("purchase", "Purchase", "Покупка"), &who, 5).unwrap();
        annotate(&meta, "default", NoteKind::Event, Note { hidden: true, ..note("search", "", "") }, &who, 5).unwrap();
        annotate(&meta, "default", NoteKind::Event, Note { verified: true, ..note("page_view", "", "") }, &who, 5)
            .unwrap();
        annotate(&meta, "default", NoteKind::Event, note("refund", "Refund", ""), &who, 5).unwrap();
        annotate(&meta, "default", NoteKind::Property, note("k", "Step number", "Номер шага"), &who, 5).unwrap();
        let d = load(&meta, &engine, "default").unwrap();
        let purchase = d.events.iter().find(|e| e.name == "purchase").unwrap();
        assert!(purchase.count > 0 && purchase.first_seen.is_some() && purchase.properties == ["k"]);
        assert_eq!(purchase.note.name_ru, "Покупка");
        let refund = d.events.iter().find(|e| e.name == "refund").unwrap();
        assert_eq!((refund.count, refund.note.name_en.as_str()), (0, "Refund"), "noted before the data has it");
        assert_eq!(d.properties.len(), 1);
        assert_eq!(d.properties[0].note.name_ru, "Номер шага");
        assert_eq!(d.properties[0].count, d.events.iter().map(|e| e.count).sum::<u64>());
        let c = d.choices(Lang::Ru);
        assert_eq!(c.events[0].value, "page_view", "verified first");
        assert!(c.events.iter().all(|e| e.value != "search"), "hidden left out");
        let p = c.events.iter().find(|e| e.value == "purchase").unwrap();
        assert_eq!(p.label, "Покупка");
        assert_eq!(c.events.iter().find(|e| e.value == "refund").unwrap().label, "Refund", "other language");
        assert_eq!(c.properties[0].choice.label, "Номер шага");
        assert!(!c.properties[0].values.is_empty());
        let names = Names::of(&meta, "default").unwrap();
        assert_eq!(names.step("purchase where k = 1", Lang::En), "Purchase where k = 1");
        assert_eq!(names.property("k", Lang::Ru), "Номер шага");
        assert_eq!(names.event("search", Lang::Ru), "search");
        let log = crate::audit::list(&meta, &crate::audit::Filter { limit: 10, ..Default::default() }).unwrap();
        assert_eq!(log.len(), 5);
        assert_eq!((log[0].action, log[0].target.as_str()), (Action::DictionaryEdit, "property:k"));
    }

    #[test]
    fn bad_notes_are_refused_at_their_field() {
        let dir = tempfile::tempdir().unwrap();
        let meta = crate::layout::open_meta(dir.path()).unwrap();
        let who = Who::cli("ops");
        let field = |n: Note| match annotate(&meta, "default", NoteKind::Event, n, &who, 1) {
            Err(AppError::Invalid { field, reason }) => {
                assert_ne!(reason.words(Lang::En), reason.words(Lang::Ru));
                field
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(field(note("", "", "")), "name");
        assert_eq!(field(note("x", &"a".repeat(101), "")), "name_en");
        assert_eq!(field(note("x", "", "a\tb")), "name_ru");
        assert_eq!(field(Note { description: "\u{1b}[31m".into(), ..note("x", "", "") }), "description");
        assert!(matches!(
            annotate(&meta, "nope", NoteKind::Event, note("x", "", ""), &who, 1),
            Err(AppError::Meta(tropa_meta::MetaError::NotFound { .. }))
        ));
    }
}
