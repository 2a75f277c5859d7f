//! The event names a request names, each at its field, checked against the names the project's data has had:
//! a name the data never had is most likely a typo or the wrong keyboard layout, so it is reported with the known
//! name it most likely meant ([`tropa_core::suggest`]). The web app refuses such a request at the field; the
//! query API and the CLI answer with a warning (a team may define its events before the data arrives).

use tropa_core::analysis::filter::{EventMatch, Field};
use tropa_core::analysis::matcher::Breakdown;
use tropa_core::catalog::Catalog;
use tropa_core::dict::{DictCol, Dictionaries};
use tropa_core::lang::Lang;
use tropa_core::suggest::did_you_mean;
use tropa_core::text_error::TextError;

use super::{Filters, FunnelRequest, PathsRequest, RetentionRequest};

/// (field, the text of an event condition) of every event a request names.
pub trait NamedEvents {
    fn events(&self) -> Vec<(String, String)>;
    /// (field, text) of the breakdown, when the request has one.
    fn breakdown(&self) -> Option<(String, String)> {
        None
    }
}

impl NamedEvents for Filters {
    fn events(&self) -> Vec<(String, String)> {
        let list = |name: &str, v: &[String]| {
            v.iter().enumerate().map(|(i, t)| (format!("filters.{name}[{i}]"), t.clone())).collect::<Vec<_>>()
        };
        [list("did", &self.did), list("did_not", &self.did_not)].concat()
    }
}

impl NamedEvents for FunnelRequest {
    fn breakdown(&self) -> Option<(String, String)> {
        self.breakdown.clone().map(|b| ("breakdown".into(), b))
    }

    fn events(&self) -> Vec<(String, String)> {
        let steps = self.steps.iter().enumerate().map(|(i, s)| (format!("steps[{i}].event"), s.event.clone()));
        let out = self.exclusions.iter().enumerate().map(|(i, x)| (format!("exclusions[{i}].event"), x.event.clone()));
        steps.chain(out).chain(self.filters.events()).collect()
    }
}

impl NamedEvents for PathsRequest {
    fn events(&self) -> Vec<(String, String)> {
        let named = [("from", &self.from), ("to", &self.to), ("conversion", &self.conversion)];
        let own = named.into_iter().filter_map(|(f, v)| v.as_ref().map(|t| (f.to_string(), t.clone())));
        own.chain(self.filters.events()).collect()
    }
}

impl NamedEvents for RetentionRequest {
    fn breakdown(&self) -> Option<(String, String)> {
        self.breakdown.clone().map(|b| ("breakdown".into(), b))
    }

    fn events(&self) -> Vec<(String, String)> {
        let named = [("start", &self.start), ("return_event", &self.return_event)];
        let own = named.into_iter().filter_map(|(f, v)| v.as_ref().map(|t| (f.to_string(), t.clone())));
        own.chain(self.filters.events()).collect()
    }
}

impl NamedEvents for tropa_core::cjm::JourneyMap {
    /// The stages' rules (`stages[0].event[1]`), the problem events and the segment's events.
    fn events(&self) -> Vec<(String, String)> {
        let stages = self.stages.iter().enumerate().flat_map(|(i, s)| {
            s.event.iter().enumerate().map(move |(j, e)| (format!("stages[{i}].event[{j}]"), e.clone()))
        });
        let problems = self.problems.iter().enumerate().map(|(i, e)| (format!("problems[{i}]"), e.clone()));
        let seg = &self.segment;
        let did = seg.did.iter().enumerate().map(|(i, e)| (format!("segment.did[{i}]"), e.clone()));
        let did_not = seg.did_not.iter().enumerate().map(|(i, e)| (format!("segment.did_not[{i}]"), e.clone()));
        stages.chain(problems).chain(did).chain(did_not).collect()
    }
}

impl NamedEvents for tropa_core::analysis::stages::JourneyDefinition {
    /// The stages' rules (`stages[0].event[1]`) and the lifecycle's activity events.
    fn events(&self) -> Vec<(String, String)> {
        let stages = self.stages.iter().enumerate().flat_map(|(i, s)| {
            s.any_of.iter().enumerate().map(move |(j, e)| (format!("stages[{i}].event[{j}]"), e.text.clone()))
        });
        let activity = self.lifecycle.activity.iter().enumerate();
        stages.chain(activity.map(|(i, e)| (format!("lifecycle.activity[{i}]"), e.text.clone()))).collect()
    }
}

/// The events of `named` the data has never had (`*`, any event, and texts that do not parse — already a
/// problem of their own — are skipped), each at its field with the known name it most likely meant. Nothing
/// when the data has no events at all (every name would be unknown: there is nothing to check against).
pub fn unknown_events(named: &[(String, String)], dicts: &Dictionaries) -> Vec<(String, TextError)> {
    let known: Vec<&str> =
        dicts.get(DictCol::Name).values().iter().map(String::as_str).filter(|n| !n.is_empty()).collect();
    if known.is_empty() {
        return Vec::new();
    }
    named
        .iter()
        .filter_map(|(field, text)| {
            let name = EventMatch::parse(text).ok()?.event;
            if name == "*" || dicts.name_code(&name).is_some() {
                return None;
            }
            let suggestion = did_you_mean(&name, known.iter().copied()).map(str::to_string);
            Some((field.clone(), TextError::UnknownEvent { name, suggestion }))
        })
        .collect()
}

/// The properties that the conditions of `named` events and the `breakdown` (field, text) name and that no event
/// of the data has carried ([`tropa_core::catalog`]), each at its field with the known property most likely meant.
/// A condition on an event the data knows is checked against that event's properties first (a property of
/// another event is then suggested as well); built-in fields (`channel`, `revenue`, …) and customer traits are
/// never properties. Nothing when the data has no properties at all.
pub fn unknown_properties(
    named: &[(String, String)],
    breakdown: Option<(&str, &str)>,
    catalog: &Catalog,
) -> Vec<(String, TextError)> {
    let all = catalog.property_names("*");
    if all.is_empty() {
        return Vec::new();
    }
    let unknown = |path: &[String], event: &str| -> Option<TextError> {
        let name = path.join(".");
        if all.binary_search(&name).is_ok() {
            return None;
        }
        let own = catalog.property_names(event);
        let suggestion = did_you_mean(&name, own.iter().map(String::as_str))
            .or_else(|| did_you_mean(&name, all.iter().map(String::as_str)))
            .map(str::to_string);
        Some(TextError::UnknownProperty { name, suggestion })
    };
    let mut out = Vec::new();
    for (field, text) in named {
        let Ok(m) = EventMatch::parse(text) else { continue };
        for c in &m.conds {
            if let Field::Property(path) = &c.field {
                if let Some(e) = unknown(path, &m.event) {
                    out.push((field.clone(), e));
                }
            }
        }
    }
    if let Some((field, text)) = breakdown {
        if let Breakdown::Step(Field::Property(path)) = Breakdown::parse(text) {
            if let Some(e) = unknown(&path, "*") {
                out.push((field.to_string(), e));
            }
        }
    }
    out
}

/// [`unknown_properties`] as warnings in `lang`, in the shape of [`event_warnings`].
pub fn property_warnings(
    named: &[(String, String)],
    breakdown: Option<(&str, &str)>,
    catalog: &Catalog,
    lang: Lang,
) -> Vec<Warning> {
    unknown_properties(named, breakdown, catalog)
        .into_iter()
        .map(|(field, e)| {
            let suggestion = match &e {
                TextError::UnknownProperty { suggestion, .. } => suggestion.clone(),
                _ => None,
            };
            Warning { field, message: e.words(lang), suggestion }
        })
        .collect()
}

/// A warning of an answer (the query API's `warnings`, the CLI's): the report was made, but something it was
/// asked for may not be what was meant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// The field the warning is about, named the API's way (`steps[1].event`); adapters name it their own way.
    pub field: String,
    /// What is wrong, in the reader's language.
    pub message: String,
    /// The known name most likely meant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

/// [`unknown_events`] as warnings in `lang`.
pub fn event_warnings(named: &[(String, String)], dicts: &Dictionaries, lang: Lang) -> Vec<Warning> {
    unknown_events(named, dicts)
        .into_iter()
        .map(|(field, e)| {
            let suggestion = match &e {
                TextError::UnknownEvent { suggestion, .. } => suggestion.clone(),
                _ => None,
            };
            Warning { field, message: e.words(lang), suggestion }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{ExclusionRequest, FunnelStepRequest};

    fn dicts(names: &[&str]) -> Dictionaries {
        let mut d = Dictionaries::default();
        for n in names {
            d.intern(DictCol::Name, n).unwrap();
        }
        d
    }

    #[test]
    fn unknown_events_are_named_at_their_fields_with_a_suggestion() {
        let step = |e: &str| FunnelStepRequest { event: e.into(), optional: false, min_time: None, max_time: None };
        let funnel = FunnelRequest {
            steps: vec![step("view_itme"), step("purchase where revenue > 10"), step("*"), step("мшуц_шеуь")],
            exclusions: vec![ExclusionRequest { after: 1, event: "refnud".into() }],
            filters: Filters { did: vec!["totally_new".into()], ..Filters::default() },
            ..FunnelRequest::default()
        };
        let d = dicts(&["view_item", "purchase", "refund"]);
        let found: Vec<(String, String)> =
            unknown_events(&funnel.events(), &d).into_iter().map(|(f, e)| (f, e.to_string())).collect();
        assert_eq!(
            found,
            [
                (
                    "steps[0].event".to_string(),
                    "no event 'view_itme' in the data: did you mean 'view_item'?".to_string()
                ),
                ("steps[3].event".into(), "no event 'мшуц_шеуь' in the data: did you mean 'view_item'?".into()),
                ("exclusions[0].event".into(), "no event 'refnud' in the data: did you mean 'refund'?".into()),
                ("filters.did[0]".into(), "no event 'totally_new' in the data yet".into()),
            ]
        );
        assert!(unknown_events(&funnel.events(), &Dictionaries::default()).is_empty(), "no data, nothing to check");
        let w = event_warnings(&funnel.events(), &d, Lang::Ru);
        assert_eq!(w[0].suggestion.as_deref(), Some("view_item"));
        assert_eq!(w[0].message, "события 'view_itme' нет в данных: может быть, 'view_item'?");
        assert_eq!(w[3].suggestion, None);
        let paths = PathsRequest { from: Some("purchse".into()), ..PathsRequest::default() };
        assert_eq!(unknown_events(&paths.events(), &d)[0].0, "from");
        let retention = RetentionRequest { return_event: Some("purchase".into()), ..RetentionRequest::default() };
        assert!(unknown_events(&retention.events(), &d).is_empty());
    }

    #[test]
    fn unknown_properties_are_named_at_their_fields_with_a_suggestion() {
        let mut catalog = Catalog::default();
        catalog.add("view_item", 1, r#"{"color":"red","price":5}"#);
        catalog.add("purchase", 2, r#"{"plan":"pro"}"#);
        let step = |e: &str| FunnelStepRequest { event: e.into(), optional: false, min_time: None, max_time: None };
        let funnel = FunnelRequest {
            steps: vec![
                step("view_item where colour = red and price > 1"),
                step("purchase where channel = email and plan = pro"),
                step("purchase where colr = red"),
                step("not an event where"),
            ],
            breakdown: Some("plna".into()),
            ..FunnelRequest::default()
        };
        let found: Vec<(String, String)> = unknown_properties(
            &funnel.events(),
            funnel.breakdown().as_ref().map(|(f, t)| (f.as_str(), t.as_str())),
            &catalog,
        )
        .into_iter()
        .map(|(f, e)| (f, e.words(Lang::En)))
        .collect();
        assert_eq!(
            found,
            [
                ("steps[0].event".to_string(), "no property 'colour' in the data: did you mean 'color'?".to_string()),
                ("steps[2].event".into(), "no property 'colr' in the data: did you mean 'color'?".into()),
                ("breakdown".into(), "no property 'plna' in the data: did you mean 'plan'?".into()),
            ]
        );
        for known in ["first_channel", "channel", "trait.plan", "price", "properties.color"] {
            assert!(unknown_properties(&[], Some(("breakdown", known)), &catalog).is_empty(), "{known}");
        }
        assert!(unknown_properties(&funnel.events(), None, &Catalog::default()).is_empty(), "no data, no check");
        let w = property_warnings(&funnel.events(), None, &catalog, Lang::Ru);
        assert_eq!(w[0].suggestion.as_deref(), Some("color"));
        assert_eq!(w[0].message, "свойства 'colour' нет в данных: может быть, 'color'?");
    }
}
