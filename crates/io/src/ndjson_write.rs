//! NDJSON export: one Segment message per line, which [`tropa_core::message::parse_message`] reads back into the
//! same event (given the same receive time).
//!
//! Field names are those the parser reads: `type`, `messageId`, `timestamp` (RFC 3339, ms), `userId`,
//! `anonymousId` (`previousId` for an alias), `event` (track), `touchpoint`, `properties` (with `revenue` and
//! `currency`), `traits`, `context.campaign`, `context.page`, `context.userAgent`, `context.ip`,
//! `context.locale`, `context.location`. `receivedAt` and `context.tropa` (customer id and channel group) are
//! informational: the parser ignores them.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use flate2::write::GzEncoder;
use rayon::prelude::*;
use serde_json::{Map, Value};
use tropa_core::event::{Event, MessageKind};
use tropa_core::time::format_ts;

use crate::error::IoError;
use crate::output::PartialFile;
use crate::row::settle_money;
use crate::{EventWriter, ExportRow};

fn put(m: &mut Map<String, Value>, key: &str, value: &str) {
    if !value.is_empty() {
        m.insert(key.to_string(), Value::String(value.to_string()));
    }
}

fn object(text: &str) -> Map<String, Value> {
    match serde_json::from_str(text) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

/// The Segment message of an event; `customer` ("" for none) goes to `context.tropa.customer_id`.
pub fn to_message(e: &Event, customer: &str) -> Value {
    let mut m = Map::new();
    put(&mut m, "type", e.kind.as_str());
    put(&mut m, "messageId", &e.message_id);
    put(&mut m, "timestamp", &format_ts(e.timestamp));
    put(&mut m, "receivedAt", &format_ts(e.received_at));
    put(&mut m, "userId", &e.user_id);
    let anonymous = if e.kind == MessageKind::Alias { "previousId" } else { "anonymousId" };
    put(&mut m, anonymous, &e.anonymous_id);
    if e.kind == MessageKind::Track {
        put(&mut m, "event", &e.name);
    }
    put(&mut m, "touchpoint", &e.touchpoint);

    let mut props = object(&e.properties);
    settle_money(&mut props, e.revenue, &e.currency);
    // a group call carries its groupId, as Segment's spec asks (the id is kept in properties.group_id)
    if e.kind == MessageKind::Group {
        if let Some(Value::String(g)) = props.get("group_id") {
            m.insert("groupId".into(), Value::String(g.clone()));
        }
    }
    m.insert("properties".into(), Value::Object(props));
    let traits = object(&e.traits);
    if !traits.is_empty() {
        m.insert("traits".into(), Value::Object(traits));
    }

    let mut ctx = Map::new();
    let ch = &e.channel;
    let mut campaign = Map::new();
    for (k, v) in [("source", &ch.source), ("medium", &ch.medium), ("name", &ch.campaign)] {
        put(&mut campaign, k, v);
    }
    put(&mut campaign, "term", &ch.term);
    put(&mut campaign, "content", &ch.content);
    let c = &e.context;
    let mut page = Map::new();
    put(&mut page, "url", &c.page_url);
    put(&mut page, "title", &c.page_title);
    put(&mut page, "referrer", &ch.referrer);
    let mut location = Map::new();
    put(&mut location, "country", &c.country);
    put(&mut location, "city", &c.city);
    for (k, v) in [("campaign", campaign), ("page", page), ("location", location)] {
        if !v.is_empty() {
            ctx.insert(k.into(), Value::Object(v));
        }
    }
    put(&mut ctx, "userAgent", &c.user_agent);
    put(&mut ctx, "ip", &c.ip);
    put(&mut ctx, "locale", &c.locale);
    let mut tropa = Map::new();
    put(&mut tropa, "customer_id", customer);
    put(&mut tropa, "channel", &ch.group);
    if !tropa.is_empty() {
        ctx.insert("tropa".into(), Value::Object(tropa));
    }
    if !ctx.is_empty() {
        m.insert("context".into(), Value::Object(ctx));
    }
    Value::Object(m)
}

enum Sink {
    Plain(BufWriter<File>),
    Gzip(GzEncoder<BufWriter<File>>),
}

impl Sink {
    fn out(&mut self) -> &mut dyn Write {
        match self {
            Sink::Plain(w) => w,
            Sink::Gzip(w) => w,
        }
    }

    fn into_file(self) -> std::io::Result<File> {
        let buffered = match self {
            Sink::Plain(w) => w,
            Sink::Gzip(w) => w.finish()?,
        };
        buffered.into_inner().map_err(|e| e.into_error())
    }
}

pub(crate) struct NdjsonWriter {
    sink: Sink,
    file: PartialFile,
    rows: u64,
}

impl NdjsonWriter {
    pub(crate) fn create(path: &Path) -> Result<NdjsonWriter, IoError> {
        let (partial, file) = PartialFile::create(path)?;
        let buffered = BufWriter::with_capacity(1 << 20, file);
        let gz = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
        let sink =
            if gz { Sink::Gzip(GzEncoder::new(buffered, flate2::Compression::fast())) } else { Sink::Plain(buffered) };
        Ok(NdjsonWriter { sink, file: partial, rows: 0 })
    }
}

impl EventWriter for NdjsonWriter {
    fn write(&mut self, rows: &[ExportRow<'_>]) -> Result<(), IoError> {
        let chunks: Vec<Vec<u8>> = rows
            .par_chunks(1024)
            .map(|chunk| {
                let mut buf = Vec::with_capacity(chunk.len() * 400);
                for r in chunk {
                    buf.extend_from_slice(to_message(r.event, r.customer).to_string().as_bytes());
                    buf.push(b'\n');
                }
                buf
            })
            .collect();
        for c in chunks {
            self.sink.out().write_all(&c).map_err(|e| IoError::write(&self.file.path, e))?;
        }
        self.rows += rows.len() as u64;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<u64, IoError> {
        let NdjsonWriter { sink, file, rows } = *self;
        let f = sink.into_file().map_err(|e| IoError::write(&file.path, e))?;
        file.commit(f)?;
        Ok(rows)
    }
}
