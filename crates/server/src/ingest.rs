//! The Segment-spec ingestion endpoints: `/v1/track`, `/v1/identify`, `/v1/page`, `/v1/screen`, `/v1/group`,
//! `/v1/alias` (one message each) and `/v1/batch`, `/v1/import` (`{"batch":[…]}`).
//!
//! A request is answered `200 {"success":true,…}` only after its events are in the engine's fsynced write-ahead
//! log (the engine commits concurrent requests together). In order:
//! 1. back-pressure: beyond `max_inflight_requests` waiting requests → 429 with `Retry-After`;
//! 2. `Content-Type` must be JSON or `text/plain` (what `navigator.sendBeacon` sends) → else 415;
//!    `Content-Encoding` identity or gzip → else 415; the body after decompression must fit `max_batch_size`
//!    (one message: `max_message_size`) → else 413; bytes beyond `max_inflight_size` → 429;
//! 3. the key: `Authorization: Basic base64(KEY:)` (Segment's convention), `Bearer KEY`, or `writeKey` in the
//!    body → 401 when missing or unknown, 403 for a read key;
//! 4. every message is parsed by [`tropa_core::message::parse_message`]; a batch-level `context` is merged
//!    under each message's own, a batch-level `sentAt` applies to messages without one.
//!
//! **The batch context counts once per message.** Merged into every message, a batch-level `context` is
//! stored once per event, so it is counted so: each message's size plus the context's must fit
//! `max_message_size` (→ 413 `message_too_large` naming `batch[i]`), and the body's size plus the context's
//! once per message must fit [`MERGED_BATCH_FACTOR`] × `max_batch_size` (→ 413 `payload_too_large` naming
//! `context`), checked before any message is parsed. The bytes the merge adds take their share of
//! `max_inflight_size` too.
//!
//! **Partial acceptance.** By default a batch is all or nothing: one bad message rejects the request with 400,
//! every bad message listed in `rejected` (index, field, message), and nothing is stored — a client that
//! retries the fixed batch never creates duplicates or gaps. With `?partial=true` the valid messages are stored
//! and the answer is 200 with `accepted`, `duplicates` and the same `rejected` list.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::Query;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use tropa_core::event::MessageKind;
use tropa_core::message::{parse_message, type_name, ParseContext};
use tropa_core::{CoreError, Event};
use tropa_meta::KeyKind;

use crate::auth;
use crate::error::{ApiError, Code, Rejected};
use crate::AppState;

/// The answer to an accepted request.
#[derive(Debug, Serialize)]
pub struct IngestResponse {
    pub success: bool,
    pub accepted: u64,
    pub duplicates: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<Rejected>,
}

/// How many times `max_batch_size` a batch may grow to once its batch-level context is merged into every message.
pub const MERGED_BATCH_FACTOR: usize = 2;

/// Batch-level keys besides `batch` (Segment and RudderStack SDKs send these).
const BATCH_KEYS: &[&str] = &["batch", "sentAt", "writeKey", "context", "integrations", "_metadata", "metadata"];

pub async fn handle(
    state: Arc<AppState>,
    kind: Option<MessageKind>,
    params: Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<IngestResponse>, ApiError> {
    let metrics = &state.metrics;
    let Ok(_request) = state.inflight_requests.clone().try_acquire_owned() else {
        metrics.overloaded.fetch_add(1, Ordering::Relaxed);
        return Err(ApiError::new(Code::Overloaded, "too many requests are waiting to be stored: retry in a second"));
    };
    let partial = match params.get("partial").map(|s| s.as_str()) {
        None | Some("false" | "0") => false,
        Some("true" | "1") => true,
        Some(other) => {
            return Err(ApiError::field(Code::InvalidQuery, "partial", format!("'{other}' is not true or false")))
        }
    };
    check_content_type(&headers)?;
    let limit = if kind.is_some() { state.config.max_message_bytes } else { state.config.max_batch_bytes };
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => too_large(limit),
        _ => ApiError::new(Code::InvalidJson, format!("the request body could not be read: {}", e.body_text())),
    })?;
    let body = decode(&headers, body, limit)?;
    let Ok(_bytes) = state.inflight_bytes.clone().try_acquire_many_owned(kib(body.len())) else {
        metrics.overloaded.fetch_add(1, Ordering::Relaxed);
        return Err(ApiError::new(Code::Overloaded, "too much data is waiting to be stored: retry in a second"));
    };
    metrics.queue_requests.fetch_add(1, Ordering::Relaxed);
    metrics.queue_bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
    let _gauge = Gauge { state: state.clone(), bytes: body.len() as u64 };

    let header_key = auth::presented_key(&headers)?;
    if let Some(key) = &header_key {
        auth::check(&state, key, KeyKind::Write)?;
    }
    let text = std::str::from_utf8(&body)
        .map_err(|e| ApiError::new(Code::InvalidJson, format!("the body is not UTF-8 (byte {})", e.valid_up_to())))?;
    let received_at = (state.clock)();
    let (messages, body_key, _merged) = match kind {
        Some(k) => {
            let (messages, key) = single(text, k, received_at)?;
            (messages, key, None)
        }
        None => {
            let limits = Limits { message: state.config.max_message_bytes, batch: state.config.max_batch_bytes };
            // the copies of the batch context are held in memory like the body
            let reserve = |added: usize| {
                state.inflight_bytes.clone().try_acquire_many_owned(kib(added)).map_err(|_| {
                    metrics.overloaded.fetch_add(1, Ordering::Relaxed);
                    ApiError::new(Code::Overloaded, "too much data is waiting to be stored: retry in a second")
                })
            };
            let (messages, key, permits) = batch(text, limits, received_at, reserve)?;
            (messages, key, Some(permits))
        }
    };
    let key = header_key.or(body_key).ok_or_else(|| {
        ApiError::new(
            Code::MissingKey,
            "no write key: send it as the Basic-auth user name (Segment's convention) or as writeKey in the body",
        )
    })?;
    let project = auth::check(&state, &key, KeyKind::Write)?.project;

    let mut events = Vec::with_capacity(messages.len());
    let mut rejected = Vec::new();
    for (index, m) in messages.into_iter().enumerate() {
        match m {
            Ok(e) => events.push(e),
            Err(r) => rejected.push(Rejected { index, ..r }),
        }
    }
    metrics.events_rejected.fetch_add(rejected.len() as u64, Ordering::Relaxed);
    if !rejected.is_empty() && !partial {
        let first = &rejected[0];
        let message = if kind.is_some() {
            first.message.clone()
        } else {
            format!(
                "{} of {} messages are invalid, nothing was stored: fix them, or send ?partial=true to store the \
                 valid ones",
                rejected.len(),
                rejected.len() + events.len()
            )
        };
        return Err(ApiError { code: first.code, message, field: Some(first.field.clone()), rejected });
    }
    let engine = state.projects.engine(&project)?;
    let mut report = tropa_engine::IngestReport::default();
    if !events.is_empty() {
        let started = Instant::now();
        report = tokio::task::spawn_blocking(move || engine.ingest(events))
            .await
            .map_err(|e| ApiError::internal("ingest task", &e))??;
        metrics.commit(started.elapsed().as_secs_f64());
    }
    metrics.events_accepted.fetch_add(report.accepted, Ordering::Relaxed);
    metrics.events_duplicate.fetch_add(report.duplicates, Ordering::Relaxed);
    Ok(Json(IngestResponse { success: true, accepted: report.accepted, duplicates: report.duplicates, rejected }))
}

/// Permits of the in-flight semaphore (KiB) for `bytes`.
fn kib(bytes: usize) -> u32 {
    bytes.div_ceil(1024).min(u32::MAX as usize) as u32
}

/// Keeps the queue gauges true however the request ends.
struct Gauge {
    state: Arc<AppState>,
    bytes: u64,
}

impl Drop for Gauge {
    fn drop(&mut self) {
        self.state.metrics.queue_requests.fetch_sub(1, Ordering::Relaxed);
        self.state.metrics.queue_bytes.fetch_sub(self.bytes, Ordering::Relaxed);
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        Code::PayloadTooLarge,
        format!("the request body is larger than {limit} bytes: send fewer messages per request"),
    )
}

fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(v) = headers.get(header::CONTENT_TYPE) else { return Ok(()) };
    let t = v.to_str().unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if t == "application/json" || t == "text/plain" || (t.starts_with("application/") && t.ends_with("+json")) {
        Ok(())
    } else {
        Err(ApiError::field(
            Code::UnsupportedMediaType,
            "Content-Type",
            format!("'{t}' is not accepted: send application/json"),
        ))
    }
}

/// The body after `Content-Encoding` (identity or gzip), at most `limit` bytes.
fn decode(headers: &HeaderMap, body: Bytes, limit: usize) -> Result<Bytes, ApiError> {
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase())
        .unwrap_or_default();
    let out = match encoding.as_str() {
        "" | "identity" => body,
        "gzip" | "x-gzip" => {
            use std::io::Read;
            let mut out = Vec::with_capacity(body.len() * 4);
            flate2::read::MultiGzDecoder::new(&body[..]).take(limit as u64 + 1).read_to_end(&mut out).map_err(|e| {
                ApiError::field(Code::InvalidGzip, "Content-Encoding", format!("the gzip body is damaged: {e}"))
            })?;
            Bytes::from(out)
        }
        other => {
            return Err(ApiError::field(
                Code::UnsupportedEncoding,
                "Content-Encoding",
                format!("'{other}' is not supported: send gzip or no encoding"),
            ))
        }
    };
    if out.len() > limit {
        return Err(too_large(limit));
    }
    Ok(out)
}

type Parsed = Result<Event, Rejected>;

fn rejected(field_prefix: &str, err: CoreError) -> Rejected {
    let (field, message) = match &err {
        CoreError::Invalid(errs) => {
            let first = &errs[0];
            let all = errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ");
            (first.field.clone(), all)
        }
        other => (String::new(), other.to_string()),
    };
    let field = match (field_prefix, field.as_str()) {
        (p, "") => p.to_string(),
        ("", f) => f.to_string(),
        (p, f) => format!("{p}.{f}"),
    };
    Rejected { index: 0, code: Code::InvalidMessage, field, message }
}

fn json_error(e: serde_json::Error) -> ApiError {
    ApiError::new(
        Code::InvalidJson,
        format!("the body is not valid JSON: {e} (line {}, column {})", e.line(), e.column()),
    )
}

/// One message from a single-message endpoint, and the body's `writeKey`.
fn single(text: &str, kind: MessageKind, received_at: i64) -> Result<(Vec<Parsed>, Option<String>), ApiError> {
    let mut v: Value = serde_json::from_str(text).map_err(json_error)?;
    let key = match &mut v {
        Value::Object(o) => take_key(o)?,
        other => {
            return Err(ApiError::field(
                Code::InvalidMessage,
                "",
                format!("the body must be a JSON object, not {}", type_name(other)),
            ))
        }
    };
    let parsed = parse_message(&v, &ParseContext::live(received_at, Some(kind))).map_err(|e| rejected("", e));
    Ok((vec![parsed], key))
}

fn take_key(o: &mut Map<String, Value>) -> Result<Option<String>, ApiError> {
    match o.remove("writeKey") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(ApiError::field(
            Code::InvalidMessage,
            "writeKey",
            format!("must be a string, not {}", type_name(&other)),
        )),
    }
}

/// The size limits of a batch, in bytes.
#[derive(Debug, Clone, Copy)]
struct Limits {
    message: usize,
    batch: usize,
}

/// The messages of a `{"batch":[…]}` body, each parsed or rejected, the body's `writeKey`, and what `reserve`
/// returned for the bytes that merging the batch context into every message adds at most (called after the size
/// checks, before any message is parsed).
fn batch<R>(
    text: &str,
    limits: Limits,
    received_at: i64,
    reserve: impl FnOnce(usize) -> Result<R, ApiError>,
) -> Result<(Vec<Parsed>, Option<String>, R), ApiError> {
    let top: HashMap<String, &RawValue> = match serde_json::from_str(text) {
        Ok(t) => t,
        Err(e) if e.is_data() => {
            return Err(ApiError::field(Code::InvalidMessage, "", "the body must be a JSON object with a batch array"))
        }
        Err(e) => return Err(json_error(e)),
    };
    if let Some(k) = top.keys().find(|k| !BATCH_KEYS.contains(&k.as_str())) {
        return Err(ApiError::field(
            Code::InvalidMessage,
            k.as_str(),
            format!("is not a field of a batch: use {}", BATCH_KEYS.join(", ")),
        ));
    }
    let field_value = |name: &str| -> Result<Option<Value>, ApiError> {
        top.get(name).map(|r| serde_json::from_str::<Value>(r.get()).map_err(json_error)).transpose()
    };
    let key = match field_value("writeKey")? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            return Err(ApiError::field(
                Code::InvalidMessage,
                "writeKey",
                format!("must be a string, not {}", type_name(&other)),
            ))
        }
    };
    let context = match field_value("context")? {
        None | Some(Value::Null) => None,
        Some(Value::Object(o)) => Some(o),
        Some(other) => {
            return Err(ApiError::field(
                Code::InvalidMessage,
                "context",
                format!("must be an object, not {}", type_name(&other)),
            ))
        }
    };
    let sent_at = field_value("sentAt")?.filter(|v| !v.is_null());
    let raw = top
        .get("batch")
        .ok_or_else(|| ApiError::field(Code::InvalidMessage, "batch", "is missing: send {\"batch\":[message, …]}"))?;
    let items: Vec<&RawValue> = serde_json::from_str(raw.get()).map_err(|e| {
        if e.is_data() {
            ApiError::field(Code::InvalidMessage, "batch", "must be an array of messages")
        } else {
            json_error(e)
        }
    })?;
    if items.is_empty() {
        return Err(ApiError::field(Code::EmptyBatch, "batch", "is empty: send at least one message"));
    }
    // each message gets a copy of the batch context: count it once per message, before copying anything
    let context_len = if context.is_some() { top.get("context").map_or(0, |r| r.get().len()) } else { 0 };
    let added = items.len().saturating_mul(context_len);
    let merged_limit = limits.batch.saturating_mul(MERGED_BATCH_FACTOR);
    if text.len().saturating_add(added) > merged_limit {
        return Err(ApiError::field(
            Code::PayloadTooLarge,
            "context",
            format!(
                "is copied into each of the {} messages, more than {merged_limit} bytes in all: send a smaller \
                 batch context, or fewer messages per request",
                items.len()
            ),
        ));
    }
    let reserved = reserve(added)?;
    let max_message = limits.message;
    let ctx = ParseContext::live(received_at, None);
    let parsed = items
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let prefix = format!("batch[{i}]");
            if raw.get().len() > max_message {
                return Err(Rejected {
                    index: i,
                    code: Code::MessageTooLarge,
                    field: prefix,
                    message: format!("the message is larger than {max_message} bytes: move bulky data out of it"),
                });
            }
            if raw.get().len() + context_len > max_message {
                return Err(Rejected {
                    index: i,
                    code: Code::MessageTooLarge,
                    field: prefix,
                    message: format!(
                        "with the batch context merged in, the message is larger than {max_message} bytes: send a \
                         smaller batch context"
                    ),
                });
            }
            let mut v: Value = serde_json::from_str(raw.get()).map_err(|e| Rejected {
                index: i,
                code: Code::InvalidJson,
                field: prefix.clone(),
                message: e.to_string(),
            })?;
            if let Value::Object(o) = &mut v {
                o.remove("writeKey");
                if let (Some(sent), false) = (&sent_at, o.contains_key("sentAt")) {
                    o.insert("sentAt".into(), sent.clone());
                }
                if let Some(batch_ctx) = &context {
                    merge_context(o, batch_ctx);
                }
            }
            parse_message(&v, &ctx).map_err(|e| rejected(&prefix, e))
        })
        .collect();
    Ok((parsed, key, reserved))
}

/// Puts the batch-level context under the message's own, object by object: keys the message sets win.
fn merge_context(message: &mut Map<String, Value>, batch_ctx: &Map<String, Value>) {
    match message.get_mut("context") {
        Some(Value::Object(own)) => merge_under(own, batch_ctx),
        None | Some(Value::Null) => {
            message.insert("context".into(), Value::Object(batch_ctx.clone()));
        }
        Some(_) => {} // the parser reports the message's malformed context
    }
}

fn merge_under(own: &mut Map<String, Value>, under: &Map<String, Value>) {
    for (k, v) in under {
        match (own.get_mut(k), v) {
            (None, _) => {
                own.insert(k.clone(), v.clone());
            }
            (Some(Value::Object(o)), Value::Object(u)) => merge_under(o, u),
            _ => {}
        }
    }
}
