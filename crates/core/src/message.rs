//! Segment-spec messages → [`Event`]: one parser for NDJSON files and the HTTP API.
//!
//! Accepted shape (Segment's): `type` (track, page, screen, identify, alias, group), `event` (track), `name`
//! (page/screen), `userId`, `anonymousId`, `previousId` (alias), `groupId` (group), `timestamp`,
//! `originalTimestamp`, `sentAt`, `messageId`, `properties`, `traits`, `context` (`campaign`, `page`, `userAgent`,
//! `ip`, `locale`, `location`, `traits`), plus tropa's `touchpoint`. Every problem is reported with its field; all
//! problems of a message are listed at once. Unknown top-level fields are rejected, except the ones Segment and
//! RudderStack SDKs are known to send (`integrations`, `_metadata`, `options`, `version`, `channel`, …).
//!
//! Rules:
//! - an alias is filed with `anonymous_id = previousId`, so it links the two ids like any event carrying both;
//! - time: `timestamp` if given; else `originalTimestamp` corrected for clock skew by `receivedAt - sentAt`
//!   when [`ParseContext::correct_skew`] is on; else the receive time;
//! - a missing `messageId` becomes `h-` + a 128-bit hash of the message's canonical JSON (and of the receive time
//!   when the message has no time of its own), so re-sending the same message is recognised as a duplicate
//!   (unless [`ParseContext::make_ids`] is off: file imports keep it empty);
//! - revenue comes from `properties.revenue`, else `properties.total`; it must be a finite number;
//! - UTM tags come from `context.campaign`, else from `utm_*` parameters of `context.page.url`;
//! - a group call needs `groupId` (Segment's spec); a message without it but with `properties.group_id` (the
//!   form in which tropa's NDJSON export writes a group call) is read as that group;
//! - names and ids refuse control and bidirectional-override characters, and over-long context texts (URLs,
//!   user agent, title, …) are cut: see [`text`] for which characters and which lengths.

use serde_json::{Map, Value};

use crate::channel::classify;
use crate::error::{CoreError, FieldError};
use crate::event::{Channel, Context, Event, MessageKind};
use crate::time::{check_range, parse_time, TimeFormat};

pub mod text;
pub use text::{cut, text_fault, TextFault, MAX_CONTEXT_TEXT_BYTES, MAX_URL_BYTES};

/// Longest accepted event name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest accepted id (user, anonymous, message), in characters.
pub const MAX_ID_CHARS: usize = 512;
/// One day in milliseconds: how far in the future live traffic may claim an event happened.
const DAY_MS: i64 = 86_400_000;

const KNOWN_FIELDS: &[&str] = &[
    "type",
    "event",
    "name",
    "category",
    "userId",
    "anonymousId",
    "previousId",
    "groupId",
    "timestamp",
    "originalTimestamp",
    "sentAt",
    "receivedAt",
    "messageId",
    "properties",
    "traits",
    "context",
    "integrations",
    "touchpoint",
    "_metadata",
    "options",
    "version",
    "channel",
    "writeKey",
    "rudderId",
    "request_ip",
    "projectId",
    "library",
];

/// What the parser needs to know besides the message.
#[derive(Debug, Clone)]
pub struct ParseContext {
    /// Server receive time, epoch ms (the default timestamp).
    pub received_at: i64,
    /// The type implied by the endpoint (e.g. `/v1/track`); a message's own `type` must agree.
    pub kind: Option<MessageKind>,
    /// Correct client clock skew with `sentAt` (on for live traffic, off for historical imports).
    pub correct_skew: bool,
    /// Reject events that claim to happen more than this many ms after `received_at` (live traffic: a wrong
    /// client clock); `None` accepts any time up to 2200.
    pub future_limit_ms: Option<i64>,
    /// Give a message without `messageId` the hashed id below (on for live traffic and [`ParseContext::at`]);
    /// a file import turns it off and keeps the id empty (it recognises re-imports by chunk digests).
    pub make_ids: bool,
}

impl ParseContext {
    /// A context for a historical import received at `received_at`.
    pub fn at(received_at: i64) -> Self {
        ParseContext { received_at, kind: None, correct_skew: false, future_limit_ms: None, make_ids: true }
    }

    /// A context for live traffic received at `received_at` through an endpoint of `kind` (`None`: batch):
    /// clock skew is corrected, and events more than a day in the future are rejected.
    pub fn live(received_at: i64, kind: Option<MessageKind>) -> Self {
        ParseContext { received_at, kind, correct_skew: true, future_limit_ms: Some(DAY_MS), make_ids: true }
    }
}

struct Fields<'a> {
    obj: &'a Map<String, Value>,
    errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    fn err(&mut self, field: &str, reason: impl Into<String>) {
        self.errors.push(FieldError::new(field, reason));
    }

    /// A string or number field as text ("" if absent or null).
    fn id(&mut self, key: &str) -> String {
        match self.obj.get(key) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => {
                if s.chars().count() > MAX_ID_CHARS {
                    self.err(key, format!("is longer than {MAX_ID_CHARS} characters"));
                    return String::new();
                }
                let s = s.trim();
                if let Some(fault) = text_fault(s) {
                    self.err(key, fault.to_string());
                    return String::new();
                }
                s.to_string()
            }
            Some(Value::Number(n)) => n.to_string(),
            Some(other) => {
                self.err(key, format!("must be a string, not {}", type_name(other)));
                String::new()
            }
        }
    }

    fn text(&mut self, key: &str) -> String {
        match self.obj.get(key) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                self.err(key, format!("must be a string, not {}", type_name(other)));
                String::new()
            }
        }
    }

    fn object(&mut self, key: &str) -> Option<&'a Map<String, Value>> {
        match self.obj.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Object(m)) => Some(m),
            Some(other) => {
                self.err(key, format!("must be an object, not {}", type_name(other)));
                None
            }
        }
    }

    fn time(&mut self, key: &str) -> Option<i64> {
        match self.obj.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => match parse_time(s, &TimeFormat::Rfc3339) {
                Ok(t) => Some(t),
                Err(reason) => {
                    self.err(key, reason);
                    None
                }
            },
            Some(other) => {
                self.err(key, format!("must be an RFC 3339 time string, not {}", type_name(other)));
                None
            }
        }
    }
}

/// Short JSON type name for error messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn nested_str(m: Option<&Map<String, Value>>, key: &str, path: &str, errors: &mut Vec<FieldError>) -> String {
    match m.and_then(|m| m.get(key)) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => {
            errors
                .push(FieldError::new(format!("{path}.{key}"), format!("must be a string, not {}", type_name(other))));
            String::new()
        }
    }
}

fn nested_obj<'a>(
    m: Option<&'a Map<String, Value>>,
    key: &str,
    path: &str,
    errors: &mut Vec<FieldError>,
) -> Option<&'a Map<String, Value>> {
    match m.and_then(|m| m.get(key)) {
        None | Some(Value::Null) => None,
        Some(Value::Object(o)) => Some(o),
        Some(other) => {
            errors
                .push(FieldError::new(format!("{path}.{key}"), format!("must be an object, not {}", type_name(other))));
            None
        }
    }
}

/// Value of a query parameter in a URL (percent-decoding `+` and `%XX`).
pub fn query_param(url: &str, key: &str) -> String {
    let Some((_, query)) = url.split_once('?') else { return String::new() };
    let query = query.split('#').next().unwrap_or("");
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == key {
            return percent_decode(v);
        }
    }
    String::new()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether `properties.group_id` holds a group id, as tropa's NDJSON export writes a group call (and a CSV or
/// Parquet row carries it).
pub fn has_group_id_property(properties: Option<&Map<String, Value>>) -> bool {
    match properties.and_then(|p| p.get("group_id")) {
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Number(_)) => true,
        _ => false,
    }
}

/// Parses one Segment message.
pub fn parse_message(value: &Value, ctx: &ParseContext) -> Result<Event, CoreError> {
    let Value::Object(obj) = value else {
        return Err(CoreError::Invalid(vec![FieldError::new(
            "",
            format!("a message must be a JSON object, not {}", type_name(value)),
        )]));
    };
    let mut f = Fields { obj, errors: Vec::new() };
    for key in obj.keys() {
        if !KNOWN_FIELDS.contains(&key.as_str()) {
            f.err(key, "is not a field of a Segment message: remove it or move it into properties");
        }
    }
    let kind = match (obj.get("type"), ctx.kind) {
        (None | Some(Value::Null), Some(k)) => k,
        (None | Some(Value::Null), None) => {
            f.err("type", "is missing: use track, page, screen, identify, alias or group");
            MessageKind::Track
        }
        (Some(Value::String(s)), implied) => match MessageKind::parse(s) {
            Some(k) if implied.is_none_or(|i| i == k) => k,
            Some(k) => {
                f.err(
                    "type",
                    format!(
                        "is '{}' but this endpoint takes {} messages",
                        k.as_str(),
                        implied.map(|i| i.as_str()).unwrap_or("")
                    ),
                );
                k
            }
            None => {
                f.err(
                    "type",
                    format!("'{s}' is not a message type: use track, page, screen, identify, alias or group"),
                );
                MessageKind::Track
            }
        },
        (Some(other), _) => {
            f.err("type", format!("must be a string, not {}", type_name(other)));
            MessageKind::Track
        }
    };
    let user_id = f.id("userId");
    let mut anonymous_id = f.id("anonymousId");
    if kind == MessageKind::Alias {
        let previous = f.id("previousId");
        // an id refused above is not also reported missing
        let reported = |f: &Fields<'_>, key: &str| f.errors.iter().any(|e| e.field == key);
        if previous.is_empty() && !reported(&f, "previousId") {
            f.err("previousId", "is missing: an alias links previousId to userId");
        }
        if user_id.is_empty() && !reported(&f, "userId") {
            f.err("userId", "is missing: an alias links previousId to userId");
        }
        anonymous_id = previous;
    } else if user_id.is_empty()
        && anonymous_id.is_empty()
        && f.errors.iter().all(|e| e.field != "userId" && e.field != "anonymousId")
    {
        f.err("userId", "is missing: give userId or anonymousId");
    }
    let name = match kind {
        MessageKind::Track => {
            let n = f.text("event");
            if n.trim().is_empty() && !f.errors.iter().any(|e| e.field == "event") {
                f.err("event", "is missing: a track call needs an event name");
            }
            n.trim().to_string()
        }
        k => k.default_name().to_string(),
    };
    if name.chars().count() > MAX_NAME_CHARS {
        f.err("event", format!("is longer than {MAX_NAME_CHARS} characters"));
    } else if let Some(fault) = text_fault(&name) {
        f.err("event", fault.to_string());
    }
    let mut message_id = f.id("messageId");
    let timestamp = f.time("timestamp");
    let original = f.time("originalTimestamp");
    let sent_at = f.time("sentAt");
    let props_obj = f.object("properties");
    let traits_obj = f.object("traits");
    let context = f.object("context");
    let touchpoint_field = f.text("touchpoint");
    let page_name =
        if matches!(kind, MessageKind::Page | MessageKind::Screen) { f.text("name") } else { String::new() };
    let group_id = if kind == MessageKind::Group { f.id("groupId") } else { String::new() };
    if kind == MessageKind::Group
        && group_id.is_empty()
        && !f.errors.iter().any(|e| e.field == "groupId")
        && !has_group_id_property(props_obj)
    {
        f.err("groupId", "is missing: a group call links the user to groupId");
    }

    let mut errors = std::mem::take(&mut f.errors);
    let campaign = nested_obj(context, "campaign", "context", &mut errors);
    let page = nested_obj(context, "page", "context", &mut errors);
    let location = nested_obj(context, "location", "context", &mut errors);
    let ctx_traits = nested_obj(context, "traits", "context", &mut errors);
    let page_url = nested_str(page, "url", "context.page", &mut errors);
    let utm = |key: &str, errors: &mut Vec<FieldError>| {
        let v = nested_str(campaign, key, "context.campaign", errors);
        if v.is_empty() {
            query_param(&page_url, &format!("utm_{}", if key == "name" { "campaign" } else { key }))
        } else {
            v
        }
    };
    let short = |s: String| cut(s, MAX_CONTEXT_TEXT_BYTES);
    let source = short(utm("source", &mut errors));
    let medium = short(utm("medium", &mut errors));
    let campaign_name = short(utm("name", &mut errors));
    let term = short(utm("term", &mut errors));
    let content = short(utm("content", &mut errors));
    let referrer = {
        let r = nested_str(page, "referrer", "context.page", &mut errors);
        let r = if r.is_empty() {
            nested_str(nested_obj(context, "referrer", "context", &mut errors), "link", "context.referrer", &mut errors)
        } else {
            r
        };
        cut(r, MAX_URL_BYTES)
    };
    let touchpoint = if !touchpoint_field.is_empty() {
        touchpoint_field
    } else {
        let t = nested_str(context, "touchpoint", "context", &mut errors);
        if !t.is_empty() {
            t
        } else {
            match (kind, nested_str(context, "channel", "context", &mut errors).as_str()) {
                (MessageKind::Page, _) | (_, "browser") => "web".into(),
                (MessageKind::Screen, _) | (_, "mobile") => "app".into(),
                (_, "server") => "server".into(),
                _ => String::new(),
            }
        }
    };
    let ctx_out = Context {
        page_url: cut(page_url, MAX_URL_BYTES),
        page_title: short(nested_str(page, "title", "context.page", &mut errors)),
        user_agent: short(nested_str(context, "userAgent", "context", &mut errors)),
        ip: short(nested_str(context, "ip", "context", &mut errors)),
        country: short(nested_str(location, "country", "context.location", &mut errors)),
        city: short(nested_str(location, "city", "context.location", &mut errors)),
        locale: short(nested_str(context, "locale", "context", &mut errors)),
    };

    let mut properties = props_obj.cloned().unwrap_or_default();
    if !page_name.is_empty() {
        properties.entry("name").or_insert(Value::String(page_name));
    }
    if !group_id.is_empty() {
        properties.insert("group_id".into(), Value::String(group_id));
    }
    let revenue = match properties.get("revenue").or_else(|| properties.get("total")) {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => n.as_f64().filter(|v| v.is_finite()),
        Some(Value::String(s)) => match s.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ => {
                errors.push(FieldError::new("properties.revenue", format!("'{s}' is not a number")));
                None
            }
        },
        Some(other) => {
            errors.push(FieldError::new("properties.revenue", format!("must be a number, not {}", type_name(other))));
            None
        }
    };
    let currency = match properties.get("currency") {
        Some(Value::String(s)) => s.trim().to_ascii_uppercase(),
        _ => String::new(),
    };
    let mut traits = traits_obj.cloned().unwrap_or_default();
    if let Some(ct) = ctx_traits {
        for (k, v) in ct {
            traits.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }

    let ts = match (timestamp, original) {
        (Some(t), _) => t,
        (None, Some(o)) => match (ctx.correct_skew, sent_at) {
            (true, Some(s)) => o + (ctx.received_at - s),
            _ => o,
        },
        (None, None) => ctx.received_at,
    };
    let ts = match check_range(ts) {
        Ok(t) => t,
        Err(reason) => {
            errors.push(FieldError::new("timestamp", reason));
            ts
        }
    };
    if let Some(limit) = ctx.future_limit_ms {
        if ts > ctx.received_at + limit && errors.iter().all(|e| e.field != "timestamp") {
            let hours = (ts - ctx.received_at) / 3_600_000;
            errors.push(FieldError::new(
                "timestamp",
                format!("is {hours} hours after the time it was received: check the sending device's clock"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    if message_id.is_empty() && ctx.make_ids {
        // a message without a time of its own happens when it is received: two such sends are two events
        let mut canonical = value.to_string();
        if timestamp.is_none() && original.is_none() {
            canonical.push_str(&ctx.received_at.to_string());
        }
        message_id = format!("h-{:032x}", xxhash_rust::xxh3::xxh3_128(canonical.as_bytes()));
    }
    let group = classify(&source, &medium, &referrer, &touchpoint).to_string();
    Ok(Event {
        message_id,
        kind,
        timestamp: ts,
        received_at: ctx.received_at,
        anonymous_id,
        user_id,
        name,
        touchpoint,
        channel: Channel { source, medium, campaign: campaign_name, term, content, referrer, group },
        revenue,
        currency,
        properties: Value::Object(properties).to_string(),
        traits: Value::Object(traits).to_string(),
        context: ctx_out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(v: Value) -> Vec<String> {
        match parse_message(&v, &ParseContext::at(1_700_000_000_000)) {
            Ok(_) => vec![],
            Err(CoreError::Invalid(errs)) => errs.into_iter().map(|e| e.field).collect(),
            Err(e) => vec![e.to_string()],
        }
    }

    #[test]
    fn parses_a_full_track_call() {
        let v = json!({"type":"track","event":"Order Completed","userId":"u1","anonymousId":"a1",
            "timestamp":"2026-01-02T10:00:00Z","messageId":"m1","properties":{"revenue":1990.5,"currency":"rub"},
            "context":{"campaign":{"source":"yandex","medium":"cpc","name":"winter"},
                       "page":{"url":"https://shop.example/?x=1","referrer":"https://ya.ru/"},
                       "location":{"country":"RU","city":"Kazan"}}});
        let e = parse_message(&v, &ParseContext::at(0)).unwrap();
        assert_eq!(e.revenue, Some(1990.5));
        assert_eq!(e.currency, "RUB");
        assert_eq!(e.channel.group, "paid_search");
        assert_eq!(e.channel.campaign, "winter");
        assert_eq!(e.context.city, "Kazan");
        assert_eq!(e.timestamp, 1_767_348_000_000);
    }

    #[test]
    fn page_takes_utm_from_url_and_defaults() {
        let v = json!({"type":"page","anonymousId":"a1","name":"Home",
            "context":{"page":{"url":"https://s.example/?utm_source=vk&utm_medium=cpc&utm_campaign=spring%20sale"}}});
        let e = parse_message(&v, &ParseContext::at(1_700_000_000_000)).unwrap();
        assert_eq!(e.name, "page_view");
        assert_eq!(e.touchpoint, "web");
        assert_eq!(e.channel.campaign, "spring sale");
        assert_eq!(e.channel.group, "paid_social");
        assert_eq!(e.timestamp, 1_700_000_000_000);
        assert!(e.message_id.starts_with("h-"));
        assert!(e.properties.contains("Home"));
    }

    #[test]
    fn skew_is_corrected_with_sent_at() {
        let v = json!({"type":"track","event":"x","userId":"u","originalTimestamp":"2026-01-01T00:00:00Z","sentAt":"2026-01-01T00:00:10Z"});
        let ctx = ParseContext { correct_skew: true, ..ParseContext::at(1_767_225_600_000 + 70_000) };
        let e = parse_message(&v, &ctx).unwrap();
        assert_eq!(e.timestamp, 1_767_225_600_000 + 60_000);
    }

    #[test]
    fn live_traffic_rejects_the_far_future() {
        let now = 1_767_225_600_000;
        let v = |ts: &str| json!({"type":"track","event":"x","userId":"u","timestamp":ts});
        let live = ParseContext::live(now, None);
        assert!(parse_message(&v("2026-01-01T12:00:00Z"), &live).is_ok());
        let err = parse_message(&v("2026-01-03T00:00:00Z"), &live).unwrap_err();
        assert_eq!(err.field(), Some("timestamp"));
        assert!(err.to_string().contains("48 hours"), "{err}");
        assert!(parse_message(&v("2026-01-03T00:00:00Z"), &ParseContext::at(now)).is_ok());
    }

    #[test]
    fn alias_links_previous_id() {
        let e = parse_message(&json!({"type":"alias","previousId":"anon","userId":"u"}), &ParseContext::at(1)).unwrap();
        assert_eq!((e.anonymous_id.as_str(), e.user_id.as_str(), e.name.as_str()), ("anon", "u", "alias"));
    }

    #[test]
    fn reports_every_bad_field() {
        assert_eq!(fields(json!([1])), vec![""]);
        assert_eq!(fields(json!({"type":"track","userId":"u"})), vec!["event"]);
        assert_eq!(fields(json!({"type":"track","event":"x"})), vec!["userId"]);
        assert_eq!(fields(json!({"type":"nope","event":"x","userId":"u"})), vec!["type"]);
        assert_eq!(fields(json!({"event":"x","userId":"u"})), vec!["type"]);
        assert_eq!(fields(json!({"type":"track","event":"x","userId":{"a":1}})), vec!["userId"]);
        let mut many =
            fields(json!({"type":"track","event":5,"userId":"u","properties":[1],"timestamp":"soon","foo":1}));
        many.sort();
        assert_eq!(many, vec!["event", "foo", "properties", "timestamp"]);
        assert_eq!(
            fields(json!({"type":"track","event":"x","userId":"u","timestamp":"2300-01-01T00:00:00Z"})),
            vec!["timestamp"]
        );
        assert_eq!(
            fields(json!({"type":"track","event":"x","userId":"u","properties":{"revenue":"lots"}})),
            vec!["properties.revenue"]
        );
        assert_eq!(
            fields(json!({"type":"track","event":"x","userId":"u","context":{"campaign":"x"}})),
            vec!["context.campaign"]
        );
        assert_eq!(fields(json!({"type":"alias","userId":"u"})), vec!["previousId"]);
        assert_eq!(fields(json!({"type":"group","userId":"u"})), vec!["groupId"]);
        assert_eq!(fields(json!({"type":"group","userId":"u","groupId":" "})), vec!["groupId"]);
        assert_eq!(fields(json!({"type":"group","userId":"u","groupId":["g"]})), vec!["groupId"]);
        assert_eq!(fields(json!({"type":"group","userId":"u","properties":{"group_id":""}})), vec!["groupId"]);
        assert_eq!(fields(json!({"type":"group","userId":"u","groupId":7})), Vec::<String>::new());
        assert_eq!(fields(json!({"type":"group","userId":"u","properties":{"group_id":"g7"}})), Vec::<String>::new());
        assert_eq!(fields(json!({"type":"track","event":"x".repeat(201),"userId":"u"})), vec!["event"]);
        assert_eq!(fields(json!({"type":"track","event":"a\u{0}b","userId":"u"})), vec!["event"]);
        assert_eq!(fields(json!({"type":"track","event":"x","userId":"u\u{202e}1"})), vec!["userId"]);
        assert_eq!(fields(json!({"type":"track","event":"x","anonymousId":"a\u{1b}"})), vec!["anonymousId"]);
        assert_eq!(fields(json!({"type":"track","event":"x","userId":"u","messageId":"m\n1"})), vec!["messageId"]);
        assert_eq!(fields(json!({"type":"group","userId":"u","groupId":"g\u{2066}"})), vec!["groupId"]);
        assert_eq!(fields(json!({"type":"alias","userId":"u","previousId":"p\u{7f}"})), vec!["previousId"]);
        assert_eq!(fields(json!({"type":"alias","userId":"u\u{200f}","previousId":"p"})), vec!["userId"]);
        // trimmed first; property values keep any character
        assert_eq!(
            fields(json!({"type":"track","event":"x\n","userId":"\tu","properties":{"p":"\u{0}"}})),
            Vec::<String>::new()
        );
    }

    #[test]
    fn decodes_query_parameters() {
        assert_eq!(query_param("https://a/?utm_source=ya%2Eru&b=2", "utm_source"), "ya.ru");
        assert_eq!(query_param("https://a/?q=a+b#frag", "q"), "a b");
        assert_eq!(query_param("https://a/?q=%E2%82%AC", "q"), "€");
        assert_eq!(query_param("https://a/?q=%", "q"), "%");
        assert_eq!(query_param("https://a/", "q"), "");
    }
}
