//! One tabular row (a CSV record, a Parquet row) → [`Event`], with the same normalisation as a Segment message.
//!
//! The event a row yields is the one [`tropa_core::message::parse_message`] would yield for the equivalent
//! Segment message, so exporting it to NDJSON and importing that gives it back unchanged:
//! - ids are trimmed and at most [`MAX_ID_CHARS`] characters; the event name at most [`MAX_NAME_CHARS`]; neither
//!   may hold a control or bidirectional-override character ([`text_fault`]);
//! - `type` defaults to `track`, or `page` when the event is `page_view`; other types take their default name
//!   (a page or screen row's own event text goes to `properties.name`); a group row needs a `group_id` column
//!   (a property), as a group message needs `groupId`;
//! - revenue and currency are also written to properties (`revenue`, `currency`), as Segment carries them; with
//!   no revenue column, `properties.revenue` or `properties.total` is the revenue;
//! - UTM tags missing from their columns are taken from `utm_*` parameters of the page URL; the touchpoint of a
//!   page is `web`, of a screen `app`, unless given; the channel group is derived unless mapped;
//! - over-long context texts are cut like a message's (URLs to [`MAX_URL_BYTES`], user agent, title, campaign
//!   tags and the rest to [`MAX_CONTEXT_TEXT_BYTES`]);
//! - unmapped columns become properties: typed values keep their type, untyped CSV text becomes a JSON number
//!   when it is one (by JSON's grammar, integers only within i64), else a string; empty cells are left out.

use std::borrow::Cow;

use serde_json::{Map, Number, Value};
use tropa_core::channel::classify;
use tropa_core::event::{Channel, Context, Event, MessageKind};
use tropa_core::message::{
    cut, has_group_id_property, query_param, text_fault, MAX_CONTEXT_TEXT_BYTES, MAX_ID_CHARS, MAX_NAME_CHARS,
    MAX_URL_BYTES,
};
use tropa_core::time::{check_range, format_ts, parse_time, TimeFormat};

use crate::error::RowError;
use crate::mapping::{Defaults, Field, Resolved, FIELDS};

/// One value of a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'a> {
    Null,
    /// Untyped text (CSV): numbers in it become JSON numbers in properties.
    Text(&'a str),
    /// A value of a string column.
    Str(&'a str),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A value of a time or date column, epoch ms.
    TimeMs(i64),
}

impl<'a> Cell<'a> {
    pub(crate) fn text(&self) -> Cow<'a, str> {
        match *self {
            Cell::Null => Cow::Borrowed(""),
            Cell::Text(s) | Cell::Str(s) => Cow::Borrowed(s),
            Cell::Int(v) => Cow::Owned(v.to_string()),
            Cell::Float(v) => Cow::Owned(v.to_string()),
            Cell::Bool(b) => Cow::Borrowed(if b { "true" } else { "false" }),
            Cell::TimeMs(ms) => Cow::Owned(format_ts(ms)),
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Cell::Null => true,
            Cell::Text(s) | Cell::Str(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The property value of an unmapped column (`None` for an empty cell).
    fn to_json(self) -> Option<Value> {
        match self {
            Cell::Null => None,
            Cell::Text(s) if s.trim().is_empty() => None,
            Cell::Text(s) => Some(untyped(s)),
            Cell::Str(s) => Some(Value::String(s.to_string())),
            Cell::Int(v) => Some(Value::Number(v.into())),
            Cell::Float(v) => Number::from_f64(v).map(Value::Number),
            Cell::Bool(b) => Some(Value::Bool(b)),
            Cell::TimeMs(ms) => Some(Value::String(format_ts(ms))),
        }
    }
}

/// Untyped text as a JSON number when it is one by JSON's grammar (integers only within i64/u64), else a string.
pub(crate) fn untyped(s: &str) -> Value {
    let t = s.trim();
    if t.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        if let Ok(n) = serde_json::from_str::<Number>(t) {
            let integral = !t.contains(['.', 'e', 'E']);
            if !integral || !n.is_f64() {
                return Value::Number(n);
            }
        }
    }
    Value::String(s.to_string())
}

fn short(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

/// A revenue as a JSON number: integral values as integers.
pub(crate) fn revenue_json(r: f64) -> Value {
    if r.fract() == 0.0 && r.abs() < 9.0e15 {
        Value::Number((r as i64).into())
    } else {
        Number::from_f64(r).map(Value::Number).unwrap_or(Value::Null)
    }
}

/// Revenue from properties, as `parse_message` derives it: `revenue`, else `total`.
pub(crate) fn revenue_from(props: &Map<String, Value>) -> Result<Option<f64>, String> {
    match props.get("revenue").or_else(|| props.get("total")) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64().filter(|v| v.is_finite())),
        Some(Value::String(s)) => match s.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(format!("properties.revenue '{}' is not a number", short(s))),
        },
        Some(_) => Err("properties.revenue must be a number".into()),
    }
}

/// Currency from properties, as `parse_message` derives it.
pub(crate) fn currency_from(props: &Map<String, Value>) -> String {
    match props.get("currency") {
        Some(Value::String(s)) => s.trim().to_ascii_uppercase(),
        _ => String::new(),
    }
}

/// Edits `props` as little as possible so that they yield `revenue` and `currency` when read as a Segment
/// message's properties.
pub(crate) fn settle_money(props: &mut Map<String, Value>, revenue: Option<f64>, currency: &str) {
    match (revenue, revenue_from(props)) {
        (Some(r), Ok(Some(have))) if have == r => {}
        (Some(r), _) => {
            props.insert("revenue".into(), revenue_json(r));
        }
        (None, Ok(None)) => {}
        (None, _) => {
            props.insert("revenue".into(), Value::Null);
        }
    }
    if currency_from(props) != currency {
        let v = if currency.is_empty() { Value::Null } else { Value::String(currency.to_string()) };
        props.insert("currency".into(), v);
    }
}

fn parse_time_cell(cell: Cell<'_>, format: &TimeFormat) -> Result<Option<i64>, String> {
    let unit_ms = |secs: f64| -> Result<i64, String> {
        if secs.is_finite() {
            check_range((secs * 1000.0).round() as i64).map_err(String::from)
        } else {
            Err("is not a finite number".into())
        }
    };
    let ok = |r: Result<i64, tropa_core::time::TextError>| r.map(Some).map_err(String::from);
    match cell {
        Cell::Null => Ok(None),
        Cell::Text(s) | Cell::Str(s) if s.trim().is_empty() => Ok(None),
        Cell::Text(s) | Cell::Str(s) => ok(parse_time(s, format)),
        Cell::TimeMs(ms) => ok(check_range(ms)),
        Cell::Bool(_) => Err("a boolean is not a time".into()),
        Cell::Int(v) => match format {
            TimeFormat::UnixMillis => ok(check_range(v)),
            TimeFormat::UnixSeconds => ok(check_range(v.saturating_mul(1000))),
            TimeFormat::Pattern(_) => ok(parse_time(&v.to_string(), format)),
            // a bare number with no format given: seconds if it is small enough to be seconds
            TimeFormat::Rfc3339 if v.abs() < 100_000_000_000 => ok(check_range(v.saturating_mul(1000))),
            TimeFormat::Rfc3339 => ok(check_range(v)),
        },
        Cell::Float(v) => match format {
            TimeFormat::UnixMillis => unit_ms(v / 1000.0).map(Some),
            TimeFormat::Pattern(_) => ok(parse_time(&v.to_string(), format)),
            _ => unit_ms(v).map(Some),
        },
    }
}

/// How the rows of one file become events.
#[derive(Debug, Clone)]
pub(crate) struct RowPlan {
    pub resolved: Resolved,
    /// Column names (property keys of unmapped columns).
    pub names: Vec<String>,
    pub defaults: Defaults,
    pub time_format: TimeFormat,
    pub received_at: i64,
}

impl RowPlan {
    /// Builds the event of row number `row`; `get` yields the cell of a column. A row without a message id
    /// keeps an empty one (a re-import is recognised by the store's import log, not by ids).
    pub(crate) fn build<'a>(&'a self, row: u64, get: impl Fn(usize) -> Cell<'a>) -> Result<Event, RowError> {
        let mut cells = [Cell::Null; FIELDS];
        let mut from_default = [false; FIELDS];
        for f in Field::ALL {
            let i = f.index();
            if let Some(c) = self.resolved.get(f) {
                cells[i] = get(c);
            }
            if cells[i].is_empty() {
                cells[i] = Cell::Null;
                if let Some(d) = self.defaults.get(f) {
                    cells[i] = Cell::Text(d);
                    from_default[i] = true;
                }
            }
        }
        let mut errs: Vec<(String, String)> = Vec::new();
        let origin = |f: Field| match (from_default[f.index()], self.resolved.get(f)) {
            (true, _) => format!("--set {}", f.name()),
            (false, Some(c)) => format!("column '{}'", self.names.get(c).map(String::as_str).unwrap_or("")),
            (false, None) => String::new(),
        };
        let bad = |errs: &mut Vec<(String, String)>, f: Field, reason: String| {
            let o = origin(f);
            let reason = if o.is_empty() { reason } else { format!("{o}: {reason}") };
            errs.push((f.name().to_string(), reason));
        };
        let text = |f: Field| cells[f.index()].text();
        let id = |errs: &mut Vec<(String, String)>, f: Field| -> String {
            let t = text(f);
            let t = t.trim();
            if t.chars().count() > MAX_ID_CHARS {
                bad(errs, f, format!("is longer than {MAX_ID_CHARS} characters"));
                return String::new();
            }
            if let Some(fault) = text_fault(t) {
                bad(errs, f, fault.to_string());
                return String::new();
            }
            t.to_string()
        };

        let type_text = text(Field::Type);
        let type_text = type_text.trim();
        let explicit = if type_text.is_empty() {
            None
        } else {
            let k = MessageKind::parse(&type_text.to_ascii_lowercase());
            if k.is_none() {
                bad(
                    &mut errs,
                    Field::Type,
                    format!(
                        "'{}' is not a message type: use track, page, screen, identify, alias or group",
                        short(type_text)
                    ),
                );
            }
            k
        };
        let event_text = text(Field::Event);
        let event_text = event_text.trim();
        let kind = explicit.unwrap_or(if event_text == "page_view" { MessageKind::Page } else { MessageKind::Track });
        let name = if kind == MessageKind::Track { event_text } else { kind.default_name() };
        if kind == MessageKind::Track && name.is_empty() {
            bad(&mut errs, Field::Event, "is empty: every row needs an event name (or --set event=NAME)".into());
        }
        if name.chars().count() > MAX_NAME_CHARS {
            bad(&mut errs, Field::Event, format!("is longer than {MAX_NAME_CHARS} characters"));
        } else if let Some(fault) = text_fault(name) {
            bad(&mut errs, Field::Event, fault.to_string());
        }
        let page_name = matches!(kind, MessageKind::Page | MessageKind::Screen)
            && !event_text.is_empty()
            && event_text != kind.default_name();

        let user_id = id(&mut errs, Field::UserId);
        let anonymous_id = id(&mut errs, Field::AnonymousId);
        let id_errors = errs.iter().any(|(f, _)| f == "user_id" || f == "anonymous_id");
        if kind == MessageKind::Alias && !id_errors && (user_id.is_empty() || anonymous_id.is_empty()) {
            let f = if user_id.is_empty() { Field::UserId } else { Field::AnonymousId };
            bad(&mut errs, f, "is empty: an alias links anonymous_id (the previous id) to user_id".into());
        } else if !id_errors && user_id.is_empty() && anonymous_id.is_empty() {
            bad(&mut errs, Field::UserId, "is empty: every row needs user_id or anonymous_id".into());
        }

        let time =
            |errs: &mut Vec<(String, String)>, f: Field| match parse_time_cell(cells[f.index()], &self.time_format) {
                Ok(t) => t,
                Err(reason) => {
                    let hint = match (&self.time_format, cells[f.index()]) {
                        (TimeFormat::Rfc3339, Cell::Text(_) | Cell::Str(_)) if !reason.contains("out of range") => {
                            ": give --time-format (unix, unix_ms or a pattern such as %Y-%m-%d)"
                        }
                        _ => "",
                    };
                    bad(errs, f, format!("{reason}{hint}"));
                    Some(0)
                }
            };
        let timestamp = time(&mut errs, Field::Timestamp).unwrap_or_else(|| {
            bad(&mut errs, Field::Timestamp, "is empty: every row needs a time".into());
            0
        });
        let received_at = time(&mut errs, Field::ReceivedAt).unwrap_or(self.received_at);
        let message_id = id(&mut errs, Field::MessageId);

        let page_url = text(Field::PageUrl).into_owned();
        let ctx_text = |f: Field| cut(text(f).into_owned(), MAX_CONTEXT_TEXT_BYTES);
        let utm = |f: Field, key: &str| {
            let v = text(f);
            let v = if v.is_empty() { query_param(&page_url, key) } else { v.into_owned() };
            cut(v, MAX_CONTEXT_TEXT_BYTES)
        };
        let source = utm(Field::Source, "utm_source");
        let medium = utm(Field::Medium, "utm_medium");
        let campaign = utm(Field::Campaign, "utm_campaign");
        let term = utm(Field::Term, "utm_term");
        let content = utm(Field::Content, "utm_content");
        let referrer = cut(text(Field::Referrer).into_owned(), MAX_URL_BYTES);
        let touchpoint = match (text(Field::Touchpoint), kind) {
            (t, _) if !t.is_empty() => t.into_owned(),
            (_, MessageKind::Page) => "web".into(),
            (_, MessageKind::Screen) => "app".into(),
            _ => String::new(),
        };
        let group = match text(Field::Channel) {
            g if !g.is_empty() => g.into_owned(),
            _ => classify(&source, &medium, &referrer, &touchpoint).to_string(),
        };

        let mut revenue = match cells[Field::Revenue.index()] {
            Cell::Null => None,
            Cell::Int(v) => Some(v as f64),
            Cell::Float(v) if v.is_finite() => Some(v),
            Cell::Text(s) | Cell::Str(s) => match s.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => Some(v),
                _ => {
                    bad(&mut errs, Field::Revenue, format!("'{}' is not a number: write it like 1990.50", short(s)));
                    None
                }
            },
            _ => {
                bad(&mut errs, Field::Revenue, "must be a number".into());
                None
            }
        };
        let mut currency = text(Field::Currency).trim().to_ascii_uppercase();
        let object = |errs: &mut Vec<(String, String)>, f: Field| -> Map<String, Value> {
            let t = text(f);
            if t.trim().is_empty() {
                return Map::new();
            }
            match serde_json::from_str::<Value>(&t) {
                Ok(Value::Object(m)) => m,
                Ok(_) => {
                    bad(errs, f, "must be a JSON object text such as {\"plan\":\"pro\"}".into());
                    Map::new()
                }
                Err(e) => {
                    bad(errs, f, format!("is not valid JSON: {e}"));
                    Map::new()
                }
            }
        };
        let mut properties = object(&mut errs, Field::Properties);
        let traits = object(&mut errs, Field::Traits);
        for &c in &self.resolved.properties {
            if let (Some(v), Some(key)) = (get(c).to_json(), self.names.get(c)) {
                properties.entry(key.clone()).or_insert(v);
            }
        }
        if page_name {
            properties.entry("name").or_insert_with(|| Value::String(event_text.to_string()));
        }
        if revenue.is_none() {
            match revenue_from(&properties) {
                Ok(r) => revenue = r,
                Err(reason) => bad(&mut errs, Field::Revenue, reason),
            }
        }
        if currency.is_empty() {
            currency = currency_from(&properties);
        }
        if kind == MessageKind::Group && !has_group_id_property(Some(&properties)) {
            bad(&mut errs, Field::Type, "is group, but the row has no group_id: add a group_id column".into());
        }
        if !errs.is_empty() {
            return Err(RowError::from_fields(row, &errs));
        }
        settle_money(&mut properties, revenue, &currency);
        Ok(Event {
            message_id,
            kind,
            timestamp,
            received_at,
            anonymous_id,
            user_id,
            name: name.to_string(),
            touchpoint,
            channel: Channel { source, medium, campaign, term, content, referrer, group },
            revenue,
            currency,
            properties: Value::Object(properties).to_string(),
            traits: Value::Object(traits).to_string(),
            context: Context {
                page_url: cut(page_url, MAX_URL_BYTES),
                page_title: ctx_text(Field::PageTitle),
                user_agent: ctx_text(Field::UserAgent),
                ip: ctx_text(Field::Ip),
                country: ctx_text(Field::Country),
                city: ctx_text(Field::City),
                locale: ctx_text(Field::Locale),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untyped_text_keeps_numbers_that_are_numbers() {
        let check = |s: &str, expect: Value| assert_eq!(untyped(s), expect, "{s}");
        check("42", serde_json::json!(42));
        check("-7", serde_json::json!(-7));
        check("35.79", serde_json::json!(35.79));
        check("1e3", serde_json::json!(1000.0));
        check("2103807459595387724", serde_json::json!(2103807459595387724i64));
        check("007", serde_json::json!("007"));
        check("99999999999999999999999", serde_json::json!("99999999999999999999999"));
        check("+1", serde_json::json!("+1"));
        check("NaN", serde_json::json!("NaN"));
        check("1.", serde_json::json!("1."));
        check("shiseido", serde_json::json!("shiseido"));
    }

    #[test]
    fn numbers_as_times() {
        let check = |c: Cell<'_>, f: TimeFormat, expect: Option<i64>| {
            assert_eq!(parse_time_cell(c, &f).ok().flatten(), expect, "{c:?} {f:?}");
        };
        check(Cell::Int(1_511_544_070), TimeFormat::Rfc3339, Some(1_511_544_070_000));
        check(Cell::Int(1_511_544_070_123), TimeFormat::Rfc3339, Some(1_511_544_070_123));
        check(Cell::Int(1_511_544_070_123), TimeFormat::UnixMillis, Some(1_511_544_070_123));
        check(Cell::Int(19_970_101), TimeFormat::Pattern("%Y%m%d".into()), Some(852_076_800_000));
        check(Cell::Float(1.5), TimeFormat::UnixSeconds, Some(1_500));
        check(Cell::Int(-1), TimeFormat::UnixSeconds, None);
        check(Cell::TimeMs(5), TimeFormat::Rfc3339, Some(5));
    }
}
