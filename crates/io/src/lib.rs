//! Import and export of events: NDJSON (Segment messages), CSV and Parquet in; Parquet and NDJSON out.
//!
//! Readers hand out events in batches and report bad rows as [`RowError`]s (row number, field, reason) without
//! losing the good rows around them; problems with the whole file or the options are [`IoError`]s. Every input
//! may be gzip-compressed (recognised by its magic bytes). Each NDJSON line is a Segment message read by
//! [`tropa_core::message::parse_message`]; CSV and Parquet rows are mapped to event fields by column name
//! ([`Mapping`]) and normalised the same way (see `row.rs`), so any imported event survives an NDJSON round trip.
//!
//! Decisions worth knowing:
//! - a bad row yields exactly one [`RowError`] naming its first bad field and listing every problem, so
//!   `events + errors` counts the rows read;
//! - a row (or NDJSON message) without a message id keeps an empty one — no synthetic id is stored; `tropa
//!   import` recognises a re-imported file by [`chunk_digest`]s kept in the store's import log, and two identical
//!   rows (two equal purchases on one day, as in CDNOW) stay two events;
//! - the Parquet export (`schema.rs`) carries `tropa.format.version = 1`; a file of a newer version is refused;
//! - writers write `NAME.partial` and rename it when finished, so a failed export leaves no half file;
//! - `max_line_bytes` bounds the memory of an NDJSON line; a CSV record is checked after it is read.
//!
//! ```
//! use tropa_core::time::TimeFormat;
//! use tropa_io::{read_all, Format, Mapping, ReadOptions};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("behaviour.csv");
//! std::fs::write(&path, "user,behavior_type,ts,item\n1,pv,1511544070,2268318\n2,,1511544071,5\n").unwrap();
//! let opts = ReadOptions {
//!     time_format: TimeFormat::UnixSeconds,
//!     mapping: Mapping::parse(&["event=behavior_type".to_string()]).unwrap(),
//!     ..ReadOptions::default()
//! };
//! let (events, errors) = read_all(&path, Format::Csv, opts).unwrap();
//! assert_eq!(events[0].name, "pv");
//! assert_eq!(events[0].properties, r#"{"item":2268318}"#);
//! assert_eq!((errors[0].row, errors[0].field.as_str()), (3, "event"));
//! ```

use std::path::Path;

use tropa_core::time::TimeFormat;
use tropa_core::Event;

mod csv;
mod digest;
mod error;
mod mapping;
mod ndjson;
mod ndjson_write;
mod output;
mod parquet_cols;
mod parquet_read;
mod parquet_write;
mod row;
mod schema;
mod source;

pub use digest::{chunk_digest, file_digest};
pub use error::{IoError, RowError};
pub use mapping::{Field, Mapping};
pub use ndjson_write::to_message;
pub use schema::{export_schema, FORMAT_VERSION, FORMAT_VERSION_KEY};

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ndjson,
    Csv,
    Parquet,
}

impl Format {
    /// Guesses the format from the extension (`.ndjson`, `.jsonl`, `.json`, `.csv`, `.parquet`, each optionally
    /// followed by `.gz`), ignoring case.
    pub fn from_path(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        let ext = name.rsplit_once('.')?.1;
        match ext {
            "ndjson" | "jsonl" | "json" => Some(Format::Ndjson),
            "csv" => Some(Format::Csv),
            "parquet" | "pq" => Some(Format::Parquet),
            _ => None,
        }
    }
}

/// How to read an input file.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Receive time given to every event, epoch ms (the time of the import).
    pub received_at: i64,
    /// How CSV/Parquet text times are written; also used for a `--set timestamp=` default.
    pub time_format: TimeFormat,
    /// Column mapping for CSV and Parquet (NDJSON takes none).
    pub mapping: Mapping,
    /// Longest accepted NDJSON line or CSV record, in bytes.
    pub max_line_bytes: usize,
    pub csv_delimiter: u8,
    /// The CSV file starts with a header row; without one, map columns by 0-based index (`user_id=0`).
    pub csv_has_header: bool,
    /// Field values for rows that leave the field empty, e.g. `("touchpoint", "store")`.
    pub defaults: Vec<(String, String)>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            received_at: 0,
            time_format: TimeFormat::Rfc3339,
            mapping: Mapping::default(),
            max_line_bytes: 1 << 20,
            csv_delimiter: b',',
            csv_has_header: true,
            defaults: Vec::new(),
        }
    }
}

/// A source of events.
pub trait EventReader: Send {
    /// Reads up to `max` rows; valid ones are pushed to `out`, bad ones to `errors`; returns Ok(false) at end of
    /// input (the rows read by that call are already pushed).
    fn next_batch(&mut self, max: usize, out: &mut Vec<Event>, errors: &mut Vec<RowError>) -> Result<bool, IoError>;
    /// Input bytes consumed so far (compressed bytes for gzip) and the total size if known, for a progress bar.
    fn progress(&self) -> (u64, Option<u64>);
}

/// Opens `path` for reading in `format`; header, mapping and defaults are checked here.
pub fn open_reader(path: &Path, format: Format, opts: ReadOptions) -> Result<Box<dyn EventReader>, IoError> {
    match format {
        Format::Ndjson => Ok(Box::new(ndjson::NdjsonReader::open(path, opts)?)),
        Format::Csv => Ok(Box::new(csv::CsvReader::open(path, opts)?)),
        Format::Parquet => parquet_read::open(path, opts),
    }
}

/// Reads a whole file into memory (for tests and small files).
pub fn read_all(path: &Path, format: Format, opts: ReadOptions) -> Result<(Vec<Event>, Vec<RowError>), IoError> {
    let mut reader = open_reader(path, format, opts)?;
    let (mut events, mut errors) = (Vec::new(), Vec::new());
    while reader.next_batch(65_536, &mut events, &mut errors)? {}
    Ok((events, errors))
}

/// One exported event and the customer it is filed under.
#[derive(Debug, Clone, Copy)]
pub struct ExportRow<'a> {
    pub customer: &'a str,
    pub event: &'a Event,
}

/// A sink of exported events. The file appears under its final name only when [`EventWriter::finish`] succeeds.
pub trait EventWriter: Send {
    fn write(&mut self, rows: &[ExportRow<'_>]) -> Result<(), IoError>;
    /// Completes the file and returns the number of events written.
    fn finish(self: Box<Self>) -> Result<u64, IoError>;
}

/// Creates `path` for writing in `format` (Parquet, or NDJSON — gzip-compressed when the name ends in `.gz`).
pub fn create_writer(path: &Path, format: Format) -> Result<Box<dyn EventWriter>, IoError> {
    match format {
        Format::Parquet => Ok(Box::new(parquet_write::ParquetWriter::create(path)?)),
        Format::Ndjson => Ok(Box::new(ndjson_write::NdjsonWriter::create(path)?)),
        Format::Csv => Err(IoError::unsupported(path, "events are exported as parquet or ndjson, not csv")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_formats() {
        let check = |p: &str, f: Option<Format>| assert_eq!(Format::from_path(Path::new(p)), f, "{p}");
        check("a/events.ndjson", Some(Format::Ndjson));
        check("events.JSONL.gz", Some(Format::Ndjson));
        check("x.json", Some(Format::Ndjson));
        check("UserBehavior.csv.gz", Some(Format::Csv));
        check("e.parquet", Some(Format::Parquet));
        check("e.txt", None);
        check("gz", None);
    }
}
