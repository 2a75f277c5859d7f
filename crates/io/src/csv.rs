//! CSV import: records are read in blocks and turned into events in parallel (order kept).
//!
//! Row numbers are line numbers with the header as line 1 (a quoted field spanning lines counts its lines).
//! A record with the wrong number of columns, invalid UTF-8 or over `max_line_bytes` is a [`RowError`] for the
//! `row` field; the records around it are read normally. Without a header, columns are named `column_0`,
//! `column_1`, … and mapped by index (`--column user_id=0`).

use std::path::{Path, PathBuf};

use csv::ByteRecord;
use rayon::prelude::*;
use tropa_core::Event;

use crate::error::{IoError, RowError};
use crate::mapping::{resolve, Columns, Defaults};
use crate::row::{Cell, RowPlan};
use crate::source::{self, Consumed};
use crate::{EventReader, ReadOptions};

/// Records parsed per parallel block.
const BLOCK: usize = 8192;

/// What turns one record into an event (shared by the parallel tasks).
struct Records {
    plan: RowPlan,
    max_line_bytes: usize,
}

pub(crate) struct CsvReader {
    path: PathBuf,
    rdr: csv::Reader<Box<dyn std::io::Read + Send>>,
    rows: Records,
    /// The first record, already read to learn the column count of a file without a header.
    pending: Option<ByteRecord>,
    records: Vec<ByteRecord>,
    consumed: Consumed,
    total: Option<u64>,
    done: bool,
}

impl CsvReader {
    pub(crate) fn open(path: &Path, opts: ReadOptions) -> Result<CsvReader, IoError> {
        let defaults = Defaults::parse(&opts.defaults)?;
        let src = source::open(path)?;
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(opts.csv_delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(src.reader);
        let mut first = ByteRecord::new();
        let got = rdr.read_byte_record(&mut first).map_err(|e| csv_error(path, e))?;
        let (names, pending) = match (got, opts.csv_has_header) {
            (false, true) => {
                return Err(IoError::Header {
                    path: path.to_path_buf(),
                    reason: "the file is empty: expected a header row (or read it with --no-header)".into(),
                })
            }
            (true, true) => (header_names(path, &first)?, None),
            (false, false) => (Vec::new(), None),
            (true, false) => ((0..first.len()).map(|i| format!("column_{i}")).collect(), Some(first)),
        };
        let done = names.is_empty();
        let resolved = if done {
            crate::mapping::Resolved { columns: [None; crate::mapping::FIELDS], properties: Vec::new() }
        } else {
            let cols = Columns { path, names: &names, ignored: &[], extra_aliases: &[] };
            resolve(&opts.mapping, &defaults, &cols)?
        };
        let plan = RowPlan { resolved, names, defaults, time_format: opts.time_format, received_at: opts.received_at };
        Ok(CsvReader {
            path: path.to_path_buf(),
            rdr,
            rows: Records { plan, max_line_bytes: opts.max_line_bytes },
            pending,
            records: Vec::new(),
            consumed: src.consumed,
            total: src.total,
            done,
        })
    }

    /// Reads up to `n` records into `self.records`; returns how many, and whether the input goes on.
    fn fill(&mut self, n: usize) -> Result<(usize, bool), IoError> {
        if self.records.len() < n {
            self.records.resize_with(n, ByteRecord::new);
        }
        let mut got = 0;
        if let Some(first) = self.pending.take() {
            self.records[0] = first;
            got = 1;
        }
        while got < n {
            match self.rdr.read_byte_record(&mut self.records[got]) {
                Ok(true) => got += 1,
                Ok(false) => return Ok((got, false)),
                Err(e) => return Err(csv_error(&self.path, e)),
            }
        }
        Ok((got, true))
    }
}

impl Records {
    fn event(&self, rec: &ByteRecord) -> Result<Event, RowError> {
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let ncols = self.plan.names.len();
        if rec.as_slice().len() > self.max_line_bytes {
            let reason = format!("is longer than {} bytes: split it or raise the limit", self.max_line_bytes);
            return Err(RowError::new(line, "row", reason));
        }
        if rec.len() != ncols {
            return Err(RowError::new(line, "row", format!("expected {ncols} columns, found {}", rec.len())));
        }
        let mut texts: Vec<&str> = Vec::with_capacity(ncols);
        for (i, field) in rec.iter().enumerate() {
            match std::str::from_utf8(field) {
                Ok(s) => texts.push(s),
                Err(e) => {
                    let name = self.plan.names.get(i).map(String::as_str).unwrap_or("");
                    let reason = format!(
                        "column '{name}' is not valid UTF-8 (byte {}): save the file as UTF-8",
                        e.valid_up_to()
                    );
                    return Err(RowError::new(line, "row", reason));
                }
            }
        }
        self.plan.build(line, |i| texts.get(i).map_or(Cell::Null, |s| Cell::Text(s)))
    }
}

fn csv_error(path: &Path, e: csv::Error) -> IoError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    match e.into_kind() {
        csv::ErrorKind::Io(io) => IoError::read(path, line, io),
        other => IoError::read(path, line, std::io::Error::other(format!("{other:?}"))),
    }
}

fn header_names(path: &Path, header: &ByteRecord) -> Result<Vec<String>, IoError> {
    let mut names = Vec::with_capacity(header.len());
    for (i, raw) in header.iter().enumerate() {
        let raw = if i == 0 { raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw) } else { raw };
        let name = std::str::from_utf8(raw).map_err(|_| IoError::Header {
            path: path.to_path_buf(),
            reason: format!("header column {} is not valid UTF-8: save the file as UTF-8", i + 1),
        })?;
        let name = name.trim();
        names.push(if name.is_empty() { format!("column_{i}") } else { name.to_string() });
    }
    Ok(names)
}

impl EventReader for CsvReader {
    fn next_batch(&mut self, max: usize, out: &mut Vec<Event>, errors: &mut Vec<RowError>) -> Result<bool, IoError> {
        let mut left = max.max(1);
        while !self.done && left > 0 {
            let (n, more) = self.fill(left.min(BLOCK))?;
            let results: Vec<Result<Event, RowError>> =
                self.records[..n].par_iter().with_min_len(256).map(|rec| self.rows.event(rec)).collect();
            for r in results {
                match r {
                    Ok(e) => out.push(e),
                    Err(e) => errors.push(e),
                }
            }
            left -= n;
            self.done = !more;
        }
        Ok(!self.done)
    }

    fn progress(&self) -> (u64, Option<u64>) {
        (self.consumed.get(), self.total)
    }
}
