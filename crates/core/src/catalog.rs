//! The catalog of a project's data: every event name and every property key seen, with counts, first and
//! last seen times, and a bounded sample of each property's most frequent values (the dictionary's numbers).
//!
//! Definition: an event counts once under its name; a property counts once per event that carries it, under the
//! event's name, at its path (`plan`, or `address.city` inside objects, up to [`MAX_DEPTH`] levels). `first` and
//! `last` are the smallest and largest event time (epoch ms) of what was counted. Values: scalars (text,
//! numbers, true/false) cut to [`MAX_VALUE_CHARS`] characters; each property keeps at most [`TOP_VALUES`] of
//! them, by the space-saving rule (a new value, when the sample is full, replaces the least counted one and
//! inherits its count), so counts of values are exact while a property has at most [`TOP_VALUES`] distinct
//! values and an upper bound after. An event name keeps at most [`MAX_PROPERTIES`] paths (the first seen).
//!
//! Example: `view {plan: "pro"}`, `view {plan: "free", size: 2}` → `view`: 2 events; `plan`: 2, values
//! `pro` 1, `free` 1; `size`: 1.
//!
//! Built two ways that must agree (the engine conformance suite checks it): incrementally, event by event
//! ([`Catalog::add`], what the embedded store does as it ingests), or as a fold over journeys ([`CatalogFold`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::dict::Dictionaries;
use crate::fold::JourneyFold;
use crate::journey::{Columns, Journey, TextCol};

/// Values kept per property.
pub const TOP_VALUES: usize = 20;
/// Characters kept of a value.
pub const MAX_VALUE_CHARS: usize = 80;
/// Property paths kept per event name.
pub const MAX_PROPERTIES: usize = 300;
/// How deep property paths go into nested objects.
pub const MAX_DEPTH: usize = 3;

/// Counts and times of one event name or property.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Seen {
    pub count: u64,
    pub first: Option<i64>,
    pub last: Option<i64>,
}

impl Seen {
    fn add(&mut self, ts: i64) {
        self.count += 1;
        self.first = Some(self.first.map_or(ts, |f| f.min(ts)));
        self.last = Some(self.last.map_or(ts, |l| l.max(ts)));
    }

    fn merge(&mut self, other: &Seen) {
        self.count += other.count;
        self.first = match (self.first, other.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = match (self.last, other.last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
}

/// One property of one event name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PropertyStats {
    #[serde(flatten)]
    pub seen: Seen,
    /// Most frequent values with their counts, most frequent first (see the module doc for the bound).
    pub values: Vec<(String, u64)>,
}

impl PropertyStats {
    fn add_value(&mut self, value: &str, by: u64) {
        if let Some(v) = self.values.iter_mut().find(|v| v.0 == value) {
            v.1 += by;
        } else if self.values.len() < TOP_VALUES {
            self.values.push((value.to_string(), by));
        } else if let Some(min) = self.values.iter_mut().min_by_key(|v| v.1) {
            *min = (value.to_string(), min.1 + by);
        }
    }

    fn sort(&mut self) {
        self.values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    }

    /// Adds `other`'s counts (values by the same space-saving rule).
    pub fn merge(&mut self, other: &PropertyStats) {
        self.seen.merge(&other.seen);
        for (v, n) in &other.values {
            self.add_value(v, *n);
        }
        self.sort();
    }
}

/// One event name and its properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventStats {
    #[serde(flatten)]
    pub seen: Seen,
    pub properties: BTreeMap<String, PropertyStats>,
}

/// Every event name seen, by name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub events: BTreeMap<String, EventStats>,
}

fn scalar(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    Some(s.chars().take(MAX_VALUE_CHARS).collect())
}

fn walk(ev: &mut EventStats, prefix: &str, obj: &serde_json::Map<String, Value>, depth: usize, ts: i64) {
    for (k, v) in obj {
        let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        if let (Value::Object(inner), true) = (v, depth + 1 < MAX_DEPTH) {
            walk(ev, &path, inner, depth + 1, ts);
            continue;
        }
        if !ev.properties.contains_key(&path) && ev.properties.len() >= MAX_PROPERTIES {
            continue;
        }
        let p = ev.properties.entry(path).or_default();
        p.seen.add(ts);
        if let Some(s) = scalar(v) {
            p.add_value(&s, 1);
        }
    }
}

impl Catalog {
    /// Counts one event: its name, time and properties (the JSON text of the event; empty or not an object
    /// counts no property).
    pub fn add(&mut self, name: &str, ts: i64, properties: &str) {
        let ev = match self.events.get_mut(name) {
            Some(e) => e,
            None => self.events.entry(name.to_string()).or_default(),
        };
        ev.seen.add(ts);
        if properties.len() > 2 {
            if let Ok(Value::Object(obj)) = serde_json::from_str::<Value>(properties) {
                walk(ev, "", &obj, 0, ts);
            }
        }
    }

    /// Adds `other` to this catalog.
    pub fn merge(&mut self, other: &Catalog) {
        for (name, o) in &other.events {
            let e = self.events.entry(name.clone()).or_default();
            e.seen.merge(&o.seen);
            for (path, p) in &o.properties {
                if !e.properties.contains_key(path) && e.properties.len() >= MAX_PROPERTIES {
                    continue;
                }
                e.properties.entry(path.clone()).or_default().merge(p);
            }
        }
    }

    /// Puts each property's values in order, most frequent first (call before showing or comparing).
    pub fn sorted(mut self) -> Catalog {
        for e in self.events.values_mut() {
            for p in e.properties.values_mut() {
                p.sort();
            }
        }
        self
    }

    /// Every property path with its counts over all event names.
    pub fn properties(&self) -> BTreeMap<String, PropertyStats> {
        let mut out: BTreeMap<String, PropertyStats> = BTreeMap::new();
        for e in self.events.values() {
            for (path, p) in &e.properties {
                out.entry(path.clone()).or_default().merge(p);
            }
        }
        out
    }

    /// The property paths known for `event` (`*` or empty: any event).
    pub fn property_names(&self, event: &str) -> Vec<String> {
        if event.is_empty() || event == "*" {
            return self.properties().into_keys().collect();
        }
        self.events.get(event).map(|e| e.properties.keys().cloned().collect()).unwrap_or_default()
    }

    /// The number of events counted.
    pub fn total(&self) -> u64 {
        self.events.values().map(|e| e.seen.count).sum()
    }
}

/// The catalog as a fold over journeys (what an engine without its own catalog computes by a scan).
pub struct CatalogFold<'d> {
    pub dicts: &'d Dictionaries,
}

impl CatalogFold<'_> {
    /// Event names, times and row access for the properties.
    pub fn columns() -> Columns {
        Columns::ROWS
    }
}

impl JourneyFold for CatalogFold<'_> {
    type Acc = Catalog;

    fn init(&self) -> Catalog {
        Catalog::default()
    }

    fn fold(&self, acc: &mut Catalog, journey: &Journey<'_>) {
        for i in 0..journey.len() {
            let name = self.dicts.name(journey.name[i]);
            let props = journey.rows.get(i).map_or("", |&r| journey.access.text(TextCol::Properties, r));
            acc.add(name, journey.ts[i], props);
        }
    }

    fn merge(&self, into: &mut Catalog, other: Catalog) {
        into.merge(&other);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(events: &[(&str, i64, &str)], expect: serde_json::Value) {
        let mut c = Catalog::default();
        for (n, t, p) in events {
            c.add(n, *t, p);
        }
        assert_eq!(serde_json::to_value(c.sorted()).unwrap(), expect);
    }

    #[test]
    fn counts_events_properties_and_values() {
        check(
            &[("view", 5, r#"{"plan":"pro"}"#), ("view", 3, r#"{"plan":"free","size":2,"a":{"b":true}}"#)],
            serde_json::json!({"events": {"view": {"count": 2, "first": 3, "last": 5, "properties": {
                "a.b": {"count": 1, "first": 3, "last": 3, "values": [["true", 1]]},
                "plan": {"count": 2, "first": 3, "last": 5, "values": [["free", 1], ["pro", 1]]},
                "size": {"count": 1, "first": 3, "last": 3, "values": [["2", 1]]}
            }}}}),
        );
        check(
            &[("x", 1, ""), ("x", 2, "not json")],
            serde_json::json!({"events": {"x": {
            "count": 2, "first": 1, "last": 2, "properties": {}}}}),
        );
    }

    #[test]
    fn values_stay_bounded_and_merge_adds() {
        let mut a = Catalog::default();
        for i in 0..100 {
            a.add("e", i, &format!(r#"{{"k":"v{}"}}"#, i % 30));
        }
        let p = &a.events["e"].properties["k"];
        assert_eq!(p.values.len(), TOP_VALUES);
        assert_eq!(p.values.iter().map(|v| v.1).sum::<u64>(), 100);
        let mut b = Catalog::default();
        b.add("e", 500, r#"{"z":1}"#);
        a.merge(&b);
        assert_eq!(a.events["e"].seen, Seen { count: 101, first: Some(0), last: Some(500) });
        assert_eq!(a.property_names("e"), vec!["k", "z"]);
        assert_eq!(a.property_names("*"), vec!["k", "z"]);
    }
}
