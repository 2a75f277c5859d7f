//! Event conditions compiled against the dictionaries, tested on a journey's columns, and breakdown values.
//!
//! [`Matcher`] is an [`EventMatch`] with names and dictionary values resolved to codes once per query;
//! [`EventView`] tests matchers on the events of one journey, parsing an event's properties at most once.
//! Every analysis that has steps, start/return events or stage rules uses these two.

use serde::Serialize;
use serde_json::Value;

use super::filter::{property, test, Cond, EventMatch, Field, Op};
use crate::dict::{DictCol, Dictionaries};
use crate::event::MessageKind;
use crate::journey::{Columns, Journey, TextCol};

/// An event condition with codes resolved.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// None: `*` (any event); Some(None): a name never seen (matches nothing).
    name: Option<Option<u16>>,
    conds: Vec<(Cond, Option<Vec<u32>>)>,
    columns: Columns,
}

impl Matcher {
    pub fn new(m: &EventMatch, dicts: &Dictionaries) -> Self {
        let name = if m.event == "*" { None } else { Some(dicts.name_code(&m.event)) };
        let conds = m
            .conds
            .iter()
            .map(|c| {
                let codes = match &c.field {
                    Field::Dict(col) => Some(c.values.iter().filter_map(|v| dicts.get(*col).code(v)).collect()),
                    _ => None,
                };
                (c.clone(), codes)
            })
            .collect();
        Matcher { name, conds, columns: columns_for(m) }
    }

    /// Columns the scan must fill for this matcher (beyond time and name).
    pub fn columns(&self) -> Columns {
        self.columns
    }

    /// The event name it asks for: None for `*`, `Some(None)` for a name never seen (conditions aside).
    pub fn name(&self) -> Option<Option<u16>> {
        self.name
    }

    /// For a matcher without conditions: `Some(None)` for `*`, `Some(Some(code))` for a name (`Some(Some(None))`
    /// for a name never seen); `None` when there are conditions.
    pub fn bare(&self) -> Option<Option<Option<u16>>> {
        if self.conds.is_empty() {
            Some(self.name)
        } else {
            None
        }
    }
}

/// Columns needed to test `m`.
pub fn columns_for(m: &EventMatch) -> Columns {
    let mut cols = Columns::NONE;
    for c in &m.conds {
        cols = cols.with(match &c.field {
            Field::Dict(d) => Columns::dict(*d),
            Field::Revenue => Columns::REVENUE,
            _ => Columns::ROWS,
        });
    }
    cols
}

/// Per-journey context for condition tests (properties parsed lazily, once per event).
pub struct EventView<'j, 'a> {
    pub j: &'j Journey<'a>,
    pub dicts: &'j Dictionaries,
    props: Vec<Option<serde_json::Map<String, Value>>>,
}

impl<'j, 'a> EventView<'j, 'a> {
    pub fn new(j: &'j Journey<'a>, dicts: &'j Dictionaries) -> Self {
        EventView { j, dicts, props: Vec::new() }
    }

    /// The parsed properties of event `i` (parsed once; empty without [`Columns::ROWS`]).
    pub fn props(&mut self, i: usize) -> &serde_json::Map<String, Value> {
        if self.props.len() <= i {
            self.props.resize(i + 1, None);
        }
        let j = self.j;
        self.props[i].get_or_insert_with(|| {
            let text = j.rows.get(i).map(|&r| j.access.text(TextCol::Properties, r)).unwrap_or("{}");
            match serde_json::from_str(text) {
                Ok(Value::Object(m)) => m,
                _ => serde_json::Map::new(),
            }
        })
    }

    /// Whether event `i` satisfies `p`. The name is compared here, inlined into the caller's loop (most events
    /// fail on it); the conditions, when there are any, out of line.
    #[inline]
    pub fn matches(&mut self, p: &Matcher, i: usize) -> bool {
        match p.name {
            Some(None) => return false,
            Some(Some(code)) if self.j.name[i] != code => return false,
            _ => {}
        }
        p.conds.is_empty() || self.conditions_hold(p, i)
    }

    fn conditions_hold(&mut self, p: &Matcher, i: usize) -> bool {
        for (c, codes) in &p.conds {
            let ok = match &c.field {
                Field::Dict(col) => {
                    let code = self.j.codes(*col).get(i).copied().unwrap_or(0);
                    match (c.op, codes) {
                        (Op::Eq | Op::In, Some(set)) => set.contains(&code),
                        (Op::Ne, Some(set)) => !set.contains(&code),
                        _ => {
                            let v = self.dicts.get(*col).value(code);
                            test(c, (!v.is_empty()).then(|| Value::String(v.to_string())).as_ref())
                        }
                    }
                }
                Field::Revenue => {
                    let r = self.j.revenue.get(i).copied().unwrap_or(f64::NAN);
                    test(c, serde_json::Number::from_f64(r).map(Value::Number).as_ref())
                }
                Field::Referrer | Field::PageUrl | Field::PageTitle => {
                    let v = self.j.rows.get(i).map(|&r| self.j.access.text(text_col(&c.field), r)).unwrap_or("");
                    test(c, (!v.is_empty()).then(|| Value::String(v.to_string())).as_ref())
                }
                Field::Device(f) => {
                    let ua = self.j.rows.get(i).map(|&r| self.j.access.text(TextCol::UserAgent, r)).unwrap_or("");
                    let v = crate::useragent::parse(ua).get(*f);
                    test(c, (!v.is_empty()).then(|| Value::String(v.to_string())).as_ref())
                }
                Field::Property(path) => test(c, property(self.props(i), path)),
            };
            if !ok {
                return false;
            }
        }
        true
    }

    /// The latest value of the trait at `path` from the customer's identify calls (None when never set).
    /// Needs [`Columns::ROWS`] and [`Columns::KIND`].
    pub fn trait_json(&self, path: &[String]) -> Option<Value> {
        let j = self.j;
        for (i, &k) in j.kind.iter().enumerate().rev() {
            if k == MessageKind::Identify as u8 {
                let text = j.rows.get(i).map(|&r| j.access.text(TextCol::Traits, r)).unwrap_or("{}");
                if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(text) {
                    if let Some(v) = property(&m, path) {
                        return Some(v.clone());
                    }
                }
            }
        }
        None
    }

    /// The latest value of trait `key` (dotted path) as text, "" when never set.
    pub fn trait_value(&self, key: &str) -> String {
        let path: Vec<String> = key.split('.').map(String::from).collect();
        self.trait_json(&path).as_ref().map(value_text).unwrap_or_default()
    }

    /// The text of `field` on event `i` ("" when absent).
    pub fn field_text(&mut self, field: &Field, i: usize) -> String {
        let j = self.j;
        match field {
            Field::Dict(d) => self.dicts.get(*d).value(j.codes(*d).get(i).copied().unwrap_or(0)).to_string(),
            Field::Revenue => j.revenue.get(i).filter(|r| !r.is_nan()).map(|r| r.to_string()).unwrap_or_default(),
            Field::Property(path) => property(self.props(i), path).map(value_text).unwrap_or_default(),
            Field::Device(f) => j
                .rows
                .get(i)
                .map(|&r| crate::useragent::parse(j.access.text(TextCol::UserAgent, r)).get(*f).to_string())
                .unwrap_or_default(),
            f => j.rows.get(i).map(|&r| j.access.text(text_col(f), r).to_string()).unwrap_or_default(),
        }
    }
}

fn text_col(field: &Field) -> TextCol {
    match field {
        Field::Referrer => TextCol::Referrer,
        Field::PageUrl => TextCol::PageUrl,
        _ => TextCol::PageTitle,
    }
}

/// A JSON value as breakdown text: strings bare, null empty, the rest as JSON.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// How to split a report by customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Breakdown {
    /// A field of the customer's anchor event (a funnel's step 1, a cohort's entry event): channel, campaign, a
    /// property …
    Step(Field),
    /// A customer trait (latest value from identify calls).
    Trait(String),
    /// The channel group of the customer's first event.
    FirstChannel,
}

impl Breakdown {
    pub fn parse(s: &str) -> Self {
        if s == "first_channel" || s == "first_touch" {
            Breakdown::FirstChannel
        } else if let Some(t) = s.strip_prefix("trait.").or_else(|| s.strip_prefix("traits.")) {
            Breakdown::Trait(t.to_string())
        } else {
            let m = EventMatch::parse(&format!("x where {s} = 0")).ok();
            Breakdown::Step(
                m.and_then(|m| m.conds.into_iter().next()).map_or(Field::Property(vec![s.to_string()]), |c| c.field),
            )
        }
    }

    /// Columns the scan must fill to compute the breakdown value.
    pub fn columns(&self) -> Columns {
        match self {
            Breakdown::FirstChannel => Columns::dict(DictCol::Channel),
            Breakdown::Step(Field::Dict(d)) => Columns::dict(*d),
            Breakdown::Step(Field::Revenue) => Columns::REVENUE,
            Breakdown::Step(_) => Columns::ROWS,
            Breakdown::Trait(_) => Columns::ROWS.with(Columns::KIND),
        }
    }

    /// The customer's value; `anchor` is the index of the anchor event. Empty values read `(none)`.
    pub fn value(&self, view: &mut EventView<'_, '_>, anchor: usize) -> String {
        let s = match self {
            Breakdown::FirstChannel => view.field_text(&Field::Dict(DictCol::Channel), 0),
            Breakdown::Step(f) => view.field_text(f, anchor),
            Breakdown::Trait(key) => view.trait_value(key),
        };
        if s.is_empty() {
            "(none)".to_string()
        } else {
            s
        }
    }
}
