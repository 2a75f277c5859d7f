//! NDJSON import: one Segment message per line, read by [`parse_message`].
//!
//! Lines are read in blocks (up to 8,192 lines or 16 MiB) and parsed in parallel, order kept. Blank lines are
//! skipped (but counted). A line over `max_line_bytes` is skipped up to its newline without being buffered; it,
//! a line that is not UTF-8 or not JSON, and a message with bad fields each give one [`RowError`] with the line
//! number, and the lines around it are read normally. `--set` defaults fill fields a message leaves out.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::{Map, Value};
use tropa_core::error::CoreError;
use tropa_core::message::{parse_message, ParseContext};
use tropa_core::time::{format_ts, parse_time};
use tropa_core::Event;

use crate::error::{IoError, RowError};
use crate::mapping::{Defaults, Field};
use crate::row::{revenue_json, untyped};
use crate::source::{self, Consumed};
use crate::{EventReader, ReadOptions};

const BLOCK_LINES: usize = 8192;
const BLOCK_BYTES: usize = 16 << 20;

/// A line of the current block.
enum Line {
    Text { line: u64, start: usize, end: usize },
    TooLong { line: u64 },
}

/// What turns one line into an event (shared by the parallel tasks).
struct Lines {
    ctx: ParseContext,
    /// `--set` defaults as (Segment path, JSON value).
    defaults: Vec<(&'static [&'static str], Value)>,
    max_line_bytes: usize,
    buf: Vec<u8>,
    lines: Vec<Line>,
}

pub(crate) struct NdjsonReader {
    path: PathBuf,
    input: BufReader<Box<dyn Read + Send>>,
    block: Lines,
    line_no: u64,
    consumed: Consumed,
    total: Option<u64>,
    done: bool,
}

impl NdjsonReader {
    pub(crate) fn open(path: &Path, opts: ReadOptions) -> Result<NdjsonReader, IoError> {
        if let Some((field, _)) = opts.mapping.iter().next() {
            return Err(IoError::Mapping {
                arg: format!("{}=…", field.name()),
                reason: "ndjson lines are Segment messages and take no column mapping: leave out --column".into(),
            });
        }
        let defaults = segment_defaults(&Defaults::parse(&opts.defaults)?, &opts)?;
        let src = source::open(path)?;
        Ok(NdjsonReader {
            path: path.to_path_buf(),
            input: BufReader::with_capacity(1 << 18, src.reader),
            block: Lines {
                ctx: ParseContext { make_ids: false, ..ParseContext::at(opts.received_at) },
                defaults,
                max_line_bytes: opts.max_line_bytes.max(1),
                buf: Vec::new(),
                lines: Vec::new(),
            },
            line_no: 0,
            consumed: src.consumed,
            total: src.total,
            done: false,
        })
    }

    /// Reads the next block of at most `n` non-blank lines; returns false at the end of the input.
    fn fill(&mut self, n: usize) -> Result<bool, IoError> {
        self.block.buf.clear();
        self.block.lines.clear();
        while self.block.lines.len() < n && self.block.buf.len() < BLOCK_BYTES {
            let start = self.block.buf.len();
            let limit = self.block.max_line_bytes as u64 + 1;
            let got = (&mut self.input)
                .take(limit)
                .read_until(b'\n', &mut self.block.buf)
                .map_err(|e| IoError::read(&self.path, self.line_no, e))?;
            if got == 0 {
                return Ok(false);
            }
            self.line_no += 1;
            let line = self.line_no;
            let newline = self.block.buf.last() == Some(&b'\n');
            if !newline && got as u64 == limit {
                self.block.buf.truncate(start);
                self.input.skip_until(b'\n').map_err(|e| IoError::read(&self.path, line, e))?;
                self.block.lines.push(Line::TooLong { line });
                continue;
            }
            let end = self.block.buf.len() - usize::from(newline);
            if self.block.buf[start..end].iter().all(u8::is_ascii_whitespace) {
                self.block.buf.truncate(start);
                continue;
            }
            self.block.lines.push(Line::Text { line, start, end });
        }
        Ok(true)
    }
}

impl Lines {
    fn parse(&self, line: &Line) -> Result<Event, RowError> {
        let (line, start, end) = match *line {
            Line::TooLong { line } => {
                let reason =
                    format!("is longer than {} bytes: split the message or raise the limit", self.max_line_bytes);
                return Err(RowError::new(line, "line", reason));
            }
            Line::Text { line, start, end } => (line, start, end),
        };
        let text = std::str::from_utf8(&self.buf[start..end]).map_err(|e| {
            RowError::new(
                line,
                "line",
                format!("is not valid UTF-8 (byte {}): save the file as UTF-8", e.valid_up_to()),
            )
        })?;
        let mut value: Value = serde_json::from_str(text).map_err(|e| {
            RowError::new(line, "line", format!("is not valid JSON: {e}: write one JSON object per line"))
        })?;
        if let Value::Object(obj) = &mut value {
            for (path, v) in &self.defaults {
                set_default(obj, path, v);
            }
        }
        parse_message(&value, &self.ctx).map_err(|e| match e {
            CoreError::Invalid(errs) => {
                let pairs: Vec<(String, String)> = errs
                    .into_iter()
                    .map(|f| (if f.field.is_empty() { "line".to_string() } else { f.field }, f.reason))
                    .collect();
                RowError::from_fields(line, &pairs)
            }
            other => RowError::new(line, "line", other.to_string()),
        })
    }
}

/// Puts `value` at `path` unless the message already has a non-empty value there.
fn set_default(obj: &mut Map<String, Value>, path: &[&str], value: &Value) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut cur = obj;
    for key in parents {
        let slot = cur.entry(key.to_string()).or_insert_with(|| Value::Object(Map::new()));
        if slot.is_null() {
            *slot = Value::Object(Map::new());
        }
        match slot {
            Value::Object(m) => cur = m,
            _ => return, // a malformed parent: parse_message reports it
        }
    }
    match (cur.get_mut(*last), value) {
        (Some(Value::Object(have)), Value::Object(add)) => {
            for (k, v) in add {
                have.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        (None | Some(Value::Null), _) => {
            cur.insert(last.to_string(), value.clone());
        }
        (Some(Value::String(s)), _) if s.trim().is_empty() => {
            cur.insert(last.to_string(), value.clone());
        }
        _ => {}
    }
}

/// `--set` defaults as values at their place in a Segment message.
fn segment_defaults(defaults: &Defaults, opts: &ReadOptions) -> Result<Vec<(&'static [&'static str], Value)>, IoError> {
    let mut out = Vec::new();
    for (field, text) in defaults.iter() {
        let bad = |reason: String| IoError::Default { arg: format!("{}={text}", field.name()), reason };
        let value = match field {
            Field::Timestamp => {
                Value::String(format_ts(parse_time(text, &opts.time_format).map_err(|e| bad(e.into()))?))
            }
            Field::Revenue => match untyped(text) {
                Value::Number(n) => n.as_f64().map(revenue_json).unwrap_or(Value::Null),
                _ => return Err(bad(format!("'{text}' is not a number"))),
            },
            Field::Properties | Field::Traits => match serde_json::from_str::<Value>(text) {
                Ok(v @ Value::Object(_)) => v,
                _ => return Err(bad("must be a JSON object such as {\"plan\":\"pro\"}".into())),
            },
            f if f.segment_path().is_empty() => {
                return Err(bad(format!("{} cannot be set for ndjson: Segment messages have no such field", f.name())))
            }
            _ => Value::String(text.to_string()),
        };
        out.push((field.segment_path(), value));
    }
    Ok(out)
}

impl EventReader for NdjsonReader {
    fn next_batch(&mut self, max: usize, out: &mut Vec<Event>, errors: &mut Vec<RowError>) -> Result<bool, IoError> {
        let mut left = max.max(1);
        while !self.done && left > 0 {
            let more = self.fill(left.min(BLOCK_LINES))?;
            let results: Vec<Result<Event, RowError>> =
                self.block.lines.par_iter().with_min_len(128).map(|l| self.block.parse(l)).collect();
            left = left.saturating_sub(results.len());
            for r in results {
                match r {
                    Ok(e) => out.push(e),
                    Err(e) => errors.push(e),
                }
            }
            self.done = !more;
        }
        Ok(!self.done)
    }

    fn progress(&self) -> (u64, Option<u64>) {
        (self.consumed.get(), self.total)
    }
}
