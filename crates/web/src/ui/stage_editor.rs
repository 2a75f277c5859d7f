//! The stage editor: a journey's stages edited with fields and buttons, no syntax typed — each stage's names in
//! English and Russian and its entry rule (one or more events, any of them, each with an optional condition
//! built from a field, an operator and a value), the nth time and the time limit; stages added, removed and moved
//! with buttons. The project's stages page uses it; the same draft becomes a journey definition (and so a map's
//! stage rules).
//!
//! The form posts every field as `s{i}.…` and a button's `op` (`add`, `remove:I`, `up:I`, `down:I`,
//! `add_event:I`, `remove_event:I:J`); [`Draft::read`] reads it back and [`Draft::apply`] performs the op, so
//! the editor works without JavaScript. Event names are offered by a `<datalist>` of the dictionary's choices
//! (display names as labels, hidden events left out, verified first; [`event_input`], the one place to switch to
//! a picker).

use std::collections::HashMap;

use maud::{html, Markup};
use serde_json::{json, Value};
use tropa_app::dictionary::Choice;
use tropa_core::analysis::stages::{duration_text, DefinitionIssue, JourneyDefinition, StageOrder};

use crate::i18n::{Lang, Words};

/// The operators a condition offers: (syntax, words key).
const OPS: [(&str, &str); 8] = [
    ("=", "op_eq"),
    ("!=", "op_ne"),
    ("~", "op_contains"),
    ("!~", "op_not_contains"),
    (">", "op_gt"),
    (">=", "op_ge"),
    ("<", "op_lt"),
    ("<=", "op_le"),
];

/// Fields a condition usually looks at (any property name may be typed too).
const FIELDS: [&str; 12] = [
    "revenue",
    "channel",
    "source",
    "medium",
    "campaign",
    "touchpoint",
    "country",
    "city",
    "page_url",
    "device",
    "category",
    "price",
];

/// One event of a rule: the event and an optional condition; `more` holds further conditions written elsewhere
/// (kept as they are).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventDraft {
    pub event: String,
    pub field: String,
    pub op: String,
    pub value: String,
    pub more: String,
}

/// One stage as the form holds it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageDraft {
    pub key: String,
    pub name_en: String,
    pub name_ru: String,
    pub events: Vec<EventDraft>,
    pub nth: String,
    pub within: String,
}

/// A journey definition as the form holds it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    pub name: String,
    pub order: String,
    pub stages: Vec<StageDraft>,
    /// Lifecycle: activity events (one per line), dormant and churn durations.
    pub activity: String,
    pub dormant: String,
    pub churn: String,
}

/// `text` as a value of the condition syntax: bare when it is a number or a plain word, else quoted.
fn value_text(v: &str) -> String {
    let plain = !v.is_empty() && v.chars().all(|c| c.is_alphanumeric() || "_-./:@".contains(c));
    if plain {
        v.to_string()
    } else if v.contains('\'') {
        format!("\"{v}\"")
    } else {
        format!("'{v}'")
    }
}

impl EventDraft {
    /// Splits a rule's text (`purchase where revenue > 0 and city = Kazan`) into the event, its first
    /// condition and the rest.
    pub fn from_text(text: &str) -> EventDraft {
        let (event, conds) = match text.split_once(" where ") {
            Some((e, c)) => (e.trim(), c.trim()),
            None => (text.trim(), ""),
        };
        let mut d = EventDraft { event: event.into(), op: "=".into(), ..EventDraft::default() };
        if conds.is_empty() {
            return d;
        }
        let (first, more) = conds.split_once(" and ").unwrap_or((conds, ""));
        let found = ["!~", "!=", ">=", "<=", "=", "~", ">", "<"].iter().find_map(|op| {
            first.split_once(op).map(|(f, v)| (f.trim().to_string(), op.to_string(), v.trim().to_string()))
        });
        match found {
            Some((field, op, value)) if !field.contains(' ') => {
                let unquoted = value.trim_matches(|c| c == '\'' || c == '"').to_string();
                d.field = field;
                d.op = op;
                d.value = unquoted;
                d.more = more.trim().to_string();
            }
            _ => d.more = conds.to_string(),
        }
        d
    }

    /// The rule's text in the step syntax.
    pub fn text(&self) -> String {
        let mut conds = Vec::new();
        if !self.field.trim().is_empty() {
            let op = if OPS.iter().any(|(o, _)| *o == self.op) { self.op.as_str() } else { "=" };
            conds.push(format!("{} {op} {}", self.field.trim(), value_text(self.value.trim())));
        }
        if !self.more.trim().is_empty() {
            conds.push(self.more.trim().to_string());
        }
        let event = self.event.trim();
        if conds.is_empty() {
            event.to_string()
        } else {
            format!("{event} where {}", conds.join(" and "))
        }
    }
}

/// A condition `FIELD OP VALUE` split into its parts (None when it is not one plain comparison).
pub fn split_condition(text: &str) -> Option<(String, String, String)> {
    let d = EventDraft::from_text(&format!("x where {text}"));
    (!d.field.is_empty() && d.more.is_empty()).then_some((d.field, d.op, d.value))
}

/// A condition from its parts (`city = 'Нижний Новгород'`); None when the field is empty.
pub fn join_condition(field: &str, op: &str, value: &str) -> Option<String> {
    let e =
        EventDraft { event: "x".into(), field: field.into(), op: op.into(), value: value.into(), more: String::new() };
    e.text().strip_prefix("x where ").map(str::to_string)
}

/// A condition's fields, named `{prefix}.field`, `.op`, `.value`, the field offered from the list `fields`.
pub fn condition_fields(l: Lang, prefix: &str, (field, op, value): (&str, &str, &str), fields: &str) -> Markup {
    html! {
        span.condition {
            input.cond-field name={ (prefix) ".field" } value=(field) list=(fields) autocomplete="off"
                aria-label=(l.t("condition_field")) placeholder=(l.t("condition_field"));
            select name={ (prefix) ".op" } aria-label=(l.t("condition_op")) {
                @for (o, key) in OPS { option value=(o) selected[op == o] { (l.t(key)) } }
            }
            input.cond-value name={ (prefix) ".value" } value=(value) aria-label=(l.t("condition_value"))
                placeholder=(l.t("condition_value"));
        }
    }
}

/// A key from a stage's name: lower-case letters, digits and `_` (`stage_N` when the name has none).
fn key_of(name: &str, i: usize) -> String {
    let mut key = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c);
        } else if !key.ends_with('_') && !key.is_empty() {
            key.push('_');
        }
    }
    let key = key.trim_end_matches('_').to_string();
    if key.is_empty() || !key.as_bytes()[0].is_ascii_lowercase() {
        format!("stage_{}", i + 1)
    } else {
        key
    }
}

impl Draft {
    /// The form of a definition.
    pub fn of(def: &JourneyDefinition) -> Draft {
        let lc = &def.lifecycle;
        Draft {
            name: def.name.clone(),
            order: if def.order == StageOrder::Implied { "implied" } else { "sequential" }.into(),
            stages: def
                .stages
                .iter()
                .map(|s| StageDraft {
                    key: s.key.clone(),
                    name_en: s.name.en.clone(),
                    name_ru: s.name.ru.clone(),
                    events: s.any_of.iter().map(|e| EventDraft::from_text(&e.text)).collect(),
                    nth: if s.nth == 1 { String::new() } else { s.nth.to_string() },
                    within: s.within_ms.map(duration_text).unwrap_or_default(),
                })
                .collect(),
            activity: lc.activity.iter().map(|e| e.text.clone()).collect::<Vec<_>>().join("\n"),
            dormant: lc.dormant_ms.map(duration_text).unwrap_or_default(),
            churn: lc.churn_ms.map(duration_text).unwrap_or_default(),
        }
    }

    /// The form of a map's stages (one name each, in the map's language).
    pub fn of_map(map: &tropa_core::cjm::JourneyMap) -> Draft {
        Draft {
            name: map.title.clone(),
            order: map.order.clone(),
            stages: map
                .stages
                .iter()
                .map(|s| StageDraft {
                    key: s.key.clone(),
                    name_en: s.name.clone(),
                    name_ru: s.name.clone(),
                    events: s.event.iter().map(|e| EventDraft::from_text(e)).collect(),
                    nth: s.nth.map(|n| n.to_string()).unwrap_or_default(),
                    within: s.within.clone().unwrap_or_default(),
                })
                .collect(),
            ..Draft::default()
        }
    }

    /// The stages of a map the form describes, once it reads as a definition (`to_value` checked): keys,
    /// names, rules, nth and within.
    pub fn map_stages(&self) -> Vec<tropa_core::cjm::MapStage> {
        let v = self.to_value();
        let text = |x: &Value| x.as_str().unwrap_or_default().to_string();
        v["stages"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| tropa_core::cjm::MapStage {
                key: text(&s["key"]),
                name: text(&s["name"]["en"]),
                event: s["event"].as_array().into_iter().flatten().map(text).collect(),
                nth: s["nth"].as_u64().and_then(|n| u32::try_from(n).ok()).filter(|n| *n != 1),
                within: s["within"].as_str().map(str::to_string),
            })
            .collect()
    }

    /// The form as posted (`s0.key`, `s0.e0.event` …; stages and events until the first missing one).
    pub fn read(f: &HashMap<String, String>) -> Draft {
        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
        let mut stages = Vec::new();
        for i in 0..64 {
            if !f.contains_key(&format!("s{i}.key")) {
                break;
            }
            let mut events = Vec::new();
            for j in 0..64 {
                let at = |x: &str| get(&format!("s{i}.e{j}.{x}"));
                if !f.contains_key(&format!("s{i}.e{j}.event")) {
                    break;
                }
                events.push(EventDraft {
                    event: at("event"),
                    field: at("field"),
                    op: at("op"),
                    value: at("value"),
                    more: at("more"),
                });
            }
            let s = |x: &str| get(&format!("s{i}.{x}")).trim().to_string();
            stages.push(StageDraft {
                key: s("key"),
                name_en: s("name_en"),
                name_ru: s("name_ru"),
                events,
                nth: s("nth"),
                within: s("within"),
            });
        }
        Draft {
            name: get("name").trim().to_string(),
            order: get("order"),
            stages,
            activity: get("activity"),
            dormant: get("dormant").trim().to_string(),
            churn: get("churn").trim().to_string(),
        }
    }

    /// Performs a button's op; false when it is none of them.
    pub fn apply(&mut self, op: &str) -> bool {
        let mut parts = op.split(':');
        let name = parts.next().unwrap_or("");
        let nums: Vec<usize> = parts.filter_map(|p| p.parse().ok()).collect();
        let n = self.stages.len();
        match (name, nums.as_slice()) {
            ("add", []) => {
                let blank = EventDraft { op: "=".into(), ..EventDraft::default() };
                let key = format!("stage_{}", n + 1);
                self.stages.push(StageDraft { key, events: vec![blank], ..StageDraft::default() });
            }
            ("remove", [i]) if *i < n => {
                self.stages.remove(*i);
            }
            ("up", [i]) if *i > 0 && *i < n => self.stages.swap(*i - 1, *i),
            ("down", [i]) if *i + 1 < n => self.stages.swap(*i, *i + 1),
            ("add_event", [i]) if *i < n => {
                self.stages[*i].events.push(EventDraft { op: "=".into(), ..EventDraft::default() })
            }
            ("remove_event", [i, j]) if *i < n && *j < self.stages[*i].events.len() => {
                self.stages[*i].events.remove(*j);
            }
            _ => return false,
        }
        true
    }

    /// The definition document (the file shape) the form describes; names fill each other when one is empty,
    /// keys come from the names when left empty.
    pub fn to_value(&self) -> Value {
        let stages: Vec<Value> = self
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (en, ru) = match (s.name_en.is_empty(), s.name_ru.is_empty()) {
                    (true, false) => (s.name_ru.clone(), s.name_ru.clone()),
                    (false, true) => (s.name_en.clone(), s.name_en.clone()),
                    _ => (s.name_en.clone(), s.name_ru.clone()),
                };
                let key = if s.key.is_empty() { key_of(&en, i) } else { s.key.clone() };
                let events: Vec<String> = s.events.iter().map(EventDraft::text).collect();
                let mut v = json!({"key": key, "name": {"en": en, "ru": ru}, "event": events});
                if !s.nth.is_empty() {
                    v["nth"] = s.nth.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::from(s.nth.clone()));
                }
                if !s.within.is_empty() {
                    v["within"] = s.within.clone().into();
                }
                v
            })
            .collect();
        let mut root = json!({
            "version": 1,
            "name": if self.name.is_empty() { "default" } else { &self.name },
            "order": if self.order == "implied" { "implied" } else { "sequential" },
            "stages": stages,
        });
        let activity: Vec<&str> = self.activity.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let mut life = serde_json::Map::new();
        if !activity.is_empty() {
            life.insert("activity".into(), activity.into());
        }
        for (k, v) in [("dormant", &self.dormant), ("churn", &self.churn)] {
            if !v.is_empty() {
                life.insert(k.into(), v.clone().into());
            }
        }
        if !life.is_empty() {
            root["lifecycle"] = Value::Object(life);
        }
        root
    }

    /// (stage index, event index) of each event the rules name, with its text: for the check against the data.
    pub fn named_events(&self) -> Vec<((usize, usize), String)> {
        let mut out = Vec::new();
        for (i, s) in self.stages.iter().enumerate() {
            for (j, e) in s.events.iter().enumerate() {
                out.push(((i, j), e.text()));
            }
        }
        out
    }
}

/// The form field a definition problem belongs to (`s2.e0.event`, `s2.name_ru`, `dormant` …).
pub fn field_of(issue: &DefinitionIssue) -> String {
    let Some((n, _)) = &issue.stage else {
        return match issue.field.as_str() {
            "lifecycle.dormant" => "dormant".into(),
            "lifecycle.churn" => "churn".into(),
            f if f.starts_with("lifecycle") => "activity".into(),
            "order" => "order".into(),
            _ => "stages".into(),
        };
    };
    let i = n.saturating_sub(1);
    let f = issue.field.as_str();
    let event = f.strip_prefix("event").map(|r| r.trim_start_matches('[').trim_end_matches(']').parse().unwrap_or(0));
    match (f, event) {
        (_, Some(j)) => format!("s{i}.e{j}.event"),
        ("name.ru", _) => format!("s{i}.name_ru"),
        (f, _) if f.starts_with("name") => format!("s{i}.name_en"),
        ("nth", _) | ("within", _) | ("key", _) => format!("s{i}.{f}"),
        _ => format!("s{i}.key"),
    }
}

/// Problems by form field.
pub struct Issues(HashMap<String, Vec<String>>);

impl Issues {
    pub fn new(list: &[(String, String)]) -> Issues {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (f, m) in list {
            map.entry(f.clone()).or_default().push(m.clone());
        }
        Issues(map)
    }

    fn at(&self, field: &str) -> Markup {
        html! { @for m in self.0.get(field).into_iter().flatten() { p.err role="alert" { (m) } } }
    }

    fn invalid(&self, field: &str) -> Option<&'static str> {
        self.0.contains_key(field).then_some("true")
    }
}

/// An input of an event name offered from the project's events (the `event-names` list).
pub fn event_input(name: &str, value: &str, label: &str, e: &Issues) -> Markup {
    html! {
        input.event name=(name) value=(value) list="event-names" aria-label=(label) placeholder="*"
            autocomplete="off" aria-invalid=[e.invalid(name)];
    }
}

/// Whose stages the editor holds: the project's (names in both languages, the lifecycle) or a map's (one name,
/// in the map's language).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Project,
    Map,
}

/// The editor: the stages as cards with their fields and buttons, the lifecycle, and the lists the inputs
/// offer. `editable` false shows the same fields read-only (viewers).
pub fn editor(l: Lang, d: &Draft, events: &[Choice], e: &Issues, editable: bool) -> Markup {
    editor_for(Owner::Project, l, d, (events, e), editable)
}

/// The editor of `owner`'s stages.
pub fn editor_for(owner: Owner, l: Lang, d: &Draft, (events, e): (&[Choice], &Issues), editable: bool) -> Markup {
    let n = d.stages.len();
    html! {
        div.stage-editor data-stages=(n) {
            datalist id="event-names" {
                option value="*" { (l.t("any_event")) }
                // the dictionary's choices: hidden events left out, verified first, display names as labels
                @for c in events {
                    @if c.label != c.value { option value=(c.value) { (c.label) } } @else { option value=(c.value) {} }
                }
            }
            datalist id="condition-fields" { @for f in FIELDS { option value=(f) {} } }
            (e.at("stages"))
            ol.stage-list {
                @for (i, s) in d.stages.iter().enumerate() { (stage_card(owner, l, (i, n), s, e, editable)) }
            }
            @if editable {
                button.secondary type="submit" name="op" value="add" formnovalidate { "+ " (l.t("add_stage")) }
            }
            @if owner == Owner::Map {
                input type="hidden" name="name" value=(d.name);
                label for="order" { (l.t("stage_order_rule")) }
                select id="order" name="order" {
                    option value="sequential" selected[d.order != "implied"] { (l.t("order_sequential")) }
                    option value="implied" selected[d.order == "implied"] { (l.t("order_implied")) }
                }
            } @else {
            details.lifecycle-fields {
                summary { (l.t("order_and_lifecycle")) }
                label for="order" { (l.t("stage_order_rule")) }
                select id="order" name="order" {
                    option value="sequential" selected[d.order != "implied"] { (l.t("order_sequential")) }
                    option value="implied" selected[d.order == "implied"] { (l.t("order_implied")) }
                }
                input type="hidden" name="name" value=(d.name);
                label for="activity" { (l.t("activity_events")) }
                textarea id="activity" name="activity" rows="2" aria-invalid=[e.invalid("activity")] { (d.activity) }
                (e.at("activity"))
                label for="dormant" { (l.t("dormant_after")) }
                input id="dormant" name="dormant" value=(d.dormant) placeholder="30d" aria-invalid=[e.invalid("dormant")];
                (e.at("dormant"))
                label for="churn" { (l.t("churned_after")) }
                input id="churn" name="churn" value=(d.churn) placeholder="90d" aria-invalid=[e.invalid("churn")];
                (e.at("churn"))
            }
            }
        }
    }
}

/// One stage: its number, names, rule and limits, and its buttons.
fn stage_card(owner: Owner, l: Lang, (i, n): (usize, usize), s: &StageDraft, e: &Issues, editable: bool) -> Markup {
    let f = |x: &str| format!("s{i}.{x}");
    let title = if l == Lang::Ru { &s.name_ru } else { &s.name_en };
    html! {
        li.stage-card data-stage=(i) {
            div.stage-card-head {
                span.stage-number { (i + 1) }
                strong { (title) }
                @if editable {
                    span.controls {
                        @if i > 0 {
                            button.icon type="submit" name="op" value={ "up:" (i) } title=(l.t("move_up"))
                                aria-label={ (l.t("move_up")) " " (i + 1) } formnovalidate { "▲" }
                        }
                        @if i + 1 < n {
                            button.icon type="submit" name="op" value={ "down:" (i) } title=(l.t("move_down"))
                                aria-label={ (l.t("move_down")) " " (i + 1) } formnovalidate { "▼" }
                        }
                        @if n > 1 {
                            button.icon.danger type="submit" name="op" value={ "remove:" (i) } title=(l.t("remove_stage"))
                                aria-label={ (l.t("remove_stage")) " " (i + 1) } formnovalidate { "✕" }
                        }
                    }
                }
            }
            @if owner == Owner::Map {
                div.stage-names {
                    label { (l.t("stage_name")) input name=(f("name_en")) value=(s.name_en) aria-invalid=[e.invalid(&f("name_en"))]; }
                    (e.at(&f("name_en")))
                }
            } @else {
                div.stage-names {
                    label { (l.t("name_en")) input name=(f("name_en")) value=(s.name_en) aria-invalid=[e.invalid(&f("name_en"))]; }
                    (e.at(&f("name_en")))
                    label { (l.t("name_ru")) input name=(f("name_ru")) value=(s.name_ru) aria-invalid=[e.invalid(&f("name_ru"))]; }
                    (e.at(&f("name_ru")))
                }
            }
            fieldset.stage-rule {
                legend { (l.t("entered_when")) }
                @for (j, ev) in s.events.iter().enumerate() { (event_row(l, i, j, ev, e, editable)) }
                @if editable {
                    button.secondary.small type="submit" name="op" value={ "add_event:" (i) } formnovalidate {
                        "+ " (l.t("or_event"))
                    }
                }
            }
            details.stage-more open[!s.nth.is_empty() || !s.within.is_empty() || e.invalid(&f("nth")).is_some() || e.invalid(&f("within")).is_some() || e.invalid(&f("key")).is_some()] {
                summary { (l.t("more_settings")) }
                label { (l.t("nth_time")) input name=(f("nth")) value=(s.nth) type="number" placeholder="1" aria-invalid=[e.invalid(&f("nth"))]; }
                (e.at(&f("nth")))
                label { (l.t("within_previous")) input name=(f("within")) value=(s.within) placeholder="30d" aria-invalid=[e.invalid(&f("within"))]; }
                (e.at(&f("within")))
                label { (l.t("stage_key")) input name=(f("key")) value=(s.key) aria-invalid=[e.invalid(&f("key"))]; }
                (e.at(&f("key")))
            }
        }
    }
}

/// One event of a stage's rule: the event, the condition (field, operator, value) and its remove button.
fn event_row(l: Lang, i: usize, j: usize, ev: &EventDraft, e: &Issues, editable: bool) -> Markup {
    let f = |x: &str| format!("s{i}.e{j}.{x}");
    html! {
        div.event-row {
            @if j > 0 { span.muted { (l.t("or")) } }
            (event_input(&f("event"), &ev.event, l.t("event"), e))
            span.muted { (l.t("where_field")) }
            input.cond-field name=(f("field")) value=(ev.field) list="condition-fields" aria-label=(l.t("condition_field"))
                placeholder=(l.t("condition_field")) autocomplete="off";
            select name=(f("op")) aria-label=(l.t("condition_op")) {
                @for (op, key) in OPS { option value=(op) selected[ev.op == op] { (l.t(key)) } }
            }
            input.cond-value name=(f("value")) value=(ev.value) aria-label=(l.t("condition_value")) placeholder=(l.t("condition_value"));
            @if !ev.more.is_empty() {
                input.cond-more name=(f("more")) value=(ev.more) aria-label=(l.t("more_conditions"));
            }
            @if editable && j > 0 {
                button.icon.danger type="submit" name="op" value={ "remove_event:" (i) ":" (j) } title=(l.t("remove_event"))
                    aria-label=(l.t("remove_event")) formnovalidate { "✕" }
            }
            (e.at(&f("event")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tropa_core::analysis::stages::DefinitionFormat;

    #[test]
    fn a_rule_splits_into_event_and_condition_and_back() {
        for text in [
            "purchase",
            "purchase where revenue > 0",
            "view_item where city = 'Нижний Новгород'",
            "add_to_cart where category = tents and price >= 5000",
            "*",
        ] {
            assert_eq!(EventDraft::from_text(text).text(), text);
        }
        let d = EventDraft::from_text("purchase where revenue >= 1000");
        assert_eq!((d.field.as_str(), d.op.as_str(), d.value.as_str()), ("revenue", ">=", "1000"));
    }

    #[test]
    fn the_default_definition_goes_through_the_form_unchanged() {
        let def = JourneyDefinition::default_definition().unwrap();
        let text = Draft::of(&def).to_value().to_string();
        assert_eq!(JourneyDefinition::parse(&text, DefinitionFormat::Json).unwrap(), def);
    }

    #[test]
    fn buttons_add_move_and_remove() {
        let mut d = Draft::of(&JourneyDefinition::default_definition().unwrap());
        assert!(d.apply("down:0"));
        assert_eq!(d.stages[1].key, "awareness");
        assert!(d.apply("remove:4"));
        assert!(d.apply("add"));
        assert_eq!((d.stages.len(), d.stages[4].key.as_str()), (5, "stage_5"));
        assert!(d.apply("add_event:4") && d.stages[4].events.len() == 2);
        assert!(d.apply("remove_event:4:1") && d.stages[4].events.len() == 1);
        assert!(!d.apply("up:0") && !d.apply("remove:9") && !d.apply("explode"));
    }

    #[test]
    fn problems_land_at_their_fields() {
        let at = |stage: Option<usize>, field: &str| {
            field_of(&DefinitionIssue {
                line: None,
                stage: stage.map(|n| (n, String::new())),
                field: field.into(),
                reason: String::new(),
            })
        };
        assert_eq!(at(Some(2), "event[1]"), "s1.e1.event");
        assert_eq!(at(Some(1), "event"), "s0.e0.event");
        assert_eq!(at(Some(3), "name.ru"), "s2.name_ru");
        assert_eq!(at(Some(1), "within"), "s0.within");
        assert_eq!(at(None, "lifecycle.churn"), "churn");
        assert_eq!(at(None, "stages"), "stages");
    }

    #[test]
    fn an_empty_key_comes_from_the_name() {
        assert_eq!(key_of("Check out!", 0), "check_out");
        assert_eq!(key_of("Оформление", 3), "stage_4");
    }
}
