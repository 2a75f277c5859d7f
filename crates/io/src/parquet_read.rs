//! Parquet import. Our own export (marked by `tropa.format.version`, or holding every export column) is read
//! column by column with no mapping; any other file through a [`Mapping`](crate::Mapping) and the automatic
//! aliases, like CSV, with typed columns (see `parquet_cols.rs`). Each record batch is turned into events in
//! parallel over row ranges, order kept. Row numbers are 1-based row positions in the file.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, TimestampMillisecondType};
use arrow_array::{Array, RecordBatch, StringArray};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;
use parquet::errors::ParquetError;
use rayon::prelude::*;
use tropa_core::event::{Channel, Context, Event, MessageKind};
use tropa_core::time::check_range;

use crate::error::{IoError, RowError};
use crate::mapping::{resolve, Columns, Defaults, Field};
use crate::parquet_cols::{supported, Col};
use crate::row::RowPlan;
use crate::schema::{COLUMNS, FORMAT_VERSION, FORMAT_VERSION_KEY};
use crate::{EventReader, ReadOptions};

const BATCH_ROWS: usize = 1 << 16;
/// Rows per parallel task.
const MIN_TASK_ROWS: usize = 2048;

enum Plan {
    /// Our export: columns read by name.
    Own,
    /// Any file: `positions[c]` is where source column `c` sits in the projected batch.
    Mapped { plan: Box<RowPlan>, positions: Vec<Option<usize>> },
}

struct ParquetReader {
    path: PathBuf,
    reader: ParquetRecordBatchReader,
    plan: Plan,
    batch: Option<RecordBatch>,
    offset: usize,
    /// The next batch, decoded while the current one was converted.
    ahead: Option<Result<RecordBatch, arrow_schema::ArrowError>>,
    rows_done: u64,
    total_rows: u64,
    file_len: Option<u64>,
}

fn parquet_error(path: &Path) -> impl Fn(ParquetError) -> IoError + '_ {
    move |source| IoError::Parquet { path: path.to_path_buf(), source }
}

/// True if the schema is exactly the one our export writes.
fn is_own_schema(schema: &arrow_schema::Schema) -> bool {
    COLUMNS.iter().all(|name| match schema.field_with_name(name).map(|f| f.data_type()) {
        Ok(DataType::Timestamp(TimeUnit::Millisecond, _)) => matches!(*name, "timestamp" | "received_at"),
        Ok(DataType::Float64) => *name == "revenue",
        Ok(DataType::Utf8) => !matches!(*name, "timestamp" | "received_at" | "revenue"),
        _ => false,
    })
}

pub(crate) fn open(path: &Path, opts: ReadOptions) -> Result<Box<dyn EventReader>, IoError> {
    let defaults = Defaults::parse(&opts.defaults)?;
    let mut file = File::open(path).map_err(|e| IoError::open(path, e))?;
    if crate::source::is_gzip(&mut file).map_err(|e| IoError::read(path, 0, e))? {
        return Err(IoError::unsupported(path, "gzip-compressed parquet is not supported: gunzip it first"));
    }
    let file_len = file.metadata().ok().map(|m| m.len());
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(parquet_error(path))?;
    let meta = builder.metadata().clone();
    let total_rows = u64::try_from(meta.file_metadata().num_rows()).unwrap_or(0);
    let version = meta
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|kv| kv.key == FORMAT_VERSION_KEY))
        .map(|kv| kv.value.clone().unwrap_or_default());
    if let Some(v) = version.as_deref().filter(|v| *v != FORMAT_VERSION) {
        return Err(IoError::unsupported(
            path,
            format!("written by a newer tropa (export format version {v}): upgrade tropa to read it"),
        ));
    }
    let schema = builder.schema().clone();
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let own_columns = COLUMNS.iter().all(|c| names.iter().any(|n| n == c));
    let (plan, selected) = if is_own_schema(&schema) && opts.mapping.is_empty() && opts.defaults.is_empty() {
        let selected = names.iter().enumerate().filter(|(_, n)| *n != "customer_id").map(|(i, _)| i).collect();
        (Plan::Own, selected)
    } else {
        let own = version.is_some() || own_columns;
        let cols = Columns {
            path,
            names: &names,
            ignored: if own { &["customer_id"] } else { &[] },
            extra_aliases: if own { &[(Field::Channel, "channel")] } else { &[] },
        };
        let resolved = resolve(&opts.mapping, &defaults, &cols)?;
        for field in Field::ALL {
            if let Some(c) = resolved.get(field) {
                let dt = schema.field(c).data_type();
                if !supported(dt) {
                    return Err(IoError::UnsupportedColumn {
                        path: path.to_path_buf(),
                        column: names[c].clone(),
                        field: field.name().into(),
                        data_type: dt.to_string(),
                    });
                }
            }
        }
        let props: Vec<usize> =
            resolved.properties.iter().copied().filter(|c| supported(schema.field(*c).data_type())).collect();
        let mut selected: Vec<usize> = Field::ALL.iter().filter_map(|f| resolved.get(*f)).chain(props).collect();
        selected.sort_unstable();
        selected.dedup();
        let mut positions = vec![None; names.len()];
        for (k, c) in selected.iter().enumerate() {
            positions[*c] = Some(k);
        }
        let mut resolved = resolved;
        resolved.properties.retain(|c| positions[*c].is_some());
        let plan = RowPlan { resolved, names, defaults, time_format: opts.time_format, received_at: opts.received_at };
        (Plan::Mapped { plan: Box::new(plan), positions }, selected)
    };
    let mask = ProjectionMask::roots(builder.parquet_schema(), selected);
    let reader = builder.with_projection(mask).with_batch_size(BATCH_ROWS).build().map_err(parquet_error(path))?;
    Ok(Box::new(ParquetReader {
        path: path.to_path_buf(),
        reader,
        plan,
        batch: None,
        offset: 0,
        ahead: None,
        rows_done: 0,
        total_rows,
        file_len,
    }))
}

/// The string columns of our export in one batch.
struct OwnBatch<'a> {
    s: Vec<&'a StringArray>,
    timestamp: &'a [i64],
    received_at: &'a [i64],
    revenue: &'a arrow_array::Float64Array,
}

/// Index of each string column in `OwnBatch::s`.
const OWN_TEXT: [&str; 23] = [
    "message_id",
    "type",
    "anonymous_id",
    "user_id",
    "event",
    "touchpoint",
    "source",
    "medium",
    "campaign",
    "term",
    "content",
    "referrer",
    "channel",
    "currency",
    "properties",
    "traits",
    "page_url",
    "page_title",
    "user_agent",
    "ip",
    "country",
    "city",
    "locale",
];

impl<'a> OwnBatch<'a> {
    fn new(path: &Path, b: &'a RecordBatch) -> Result<OwnBatch<'a>, IoError> {
        let missing = |name: &str| IoError::unsupported(path, format!("column {name} changed type while reading"));
        let col = |name: &str| b.column_by_name(name).ok_or_else(|| missing(name));
        let mut s = Vec::with_capacity(OWN_TEXT.len());
        for name in OWN_TEXT {
            s.push(col(name)?.as_string_opt::<i32>().ok_or_else(|| missing(name))?);
        }
        let ts = |name: &str| -> Result<&'a [i64], IoError> {
            let a = col(name)?.as_primitive_opt::<TimestampMillisecondType>().ok_or_else(|| missing(name))?;
            Ok(a.values().as_ref())
        };
        let revenue = col("revenue")?.as_primitive_opt::<Float64Type>().ok_or_else(|| missing("revenue"))?;
        Ok(OwnBatch { s, timestamp: ts("timestamp")?, received_at: ts("received_at")?, revenue })
    }

    fn event(&self, i: usize, row: u64) -> Result<Event, RowError> {
        let t = |k: usize| self.s[k].value(i).to_string();
        let kind = MessageKind::parse(self.s[1].value(i))
            .ok_or_else(|| RowError::new(row, "type", format!("'{}' is not a message type", self.s[1].value(i))))?;
        let timestamp = check_range(self.timestamp[i]).map_err(|r| RowError::new(row, "timestamp", r))?;
        if self.s[2].value(i).is_empty() && self.s[3].value(i).is_empty() {
            return Err(RowError::new(row, "user_id", "is empty: every row needs user_id or anonymous_id"));
        }
        Ok(Event {
            message_id: t(0),
            kind,
            timestamp,
            received_at: self.received_at[i],
            anonymous_id: t(2),
            user_id: t(3),
            name: t(4),
            touchpoint: t(5),
            channel: Channel {
                source: t(6),
                medium: t(7),
                campaign: t(8),
                term: t(9),
                content: t(10),
                referrer: t(11),
                group: t(12),
            },
            revenue: if self.revenue.is_valid(i) {
                Some(self.revenue.value(i)).filter(|r| r.is_finite())
            } else {
                None
            },
            currency: t(13),
            properties: t(14),
            traits: t(15),
            context: Context {
                page_url: t(16),
                page_title: t(17),
                user_agent: t(18),
                ip: t(19),
                country: t(20),
                city: t(21),
                locale: t(22),
            },
        })
    }
}

/// Events of rows `start..end` of a batch whose row `start` is row `first_row` of the file.
fn convert(plan: &Plan, path: &Path, first_row: u64, b: &RecordBatch, start: usize, end: usize) -> Converted {
    let rows = (start..end).into_par_iter().with_min_len(MIN_TASK_ROWS);
    let at = |i: usize| first_row + (i - start) as u64;
    Ok(match plan {
        Plan::Own => {
            let own = OwnBatch::new(path, b)?;
            rows.map(|i| own.event(i, at(i))).collect()
        }
        Plan::Mapped { plan, positions } => {
            let cols: Vec<Col<'_>> = b.columns().iter().map(Col::new).collect();
            let cell = |c: usize, i: usize| positions[c].map_or(crate::row::Cell::Null, |k| cols[k].cell(i));
            rows.map(|i| plan.build(at(i), |c| cell(c, i))).collect()
        }
    })
}

type Converted = Result<Vec<Result<Event, RowError>>, IoError>;

impl EventReader for ParquetReader {
    fn next_batch(&mut self, max: usize, out: &mut Vec<Event>, errors: &mut Vec<RowError>) -> Result<bool, IoError> {
        let mut left = max.max(1);
        while left > 0 {
            let batch = match self.batch.take() {
                Some(b) if self.offset < b.num_rows() => b,
                _ => match self.ahead.take().or_else(|| self.reader.next()) {
                    Some(Ok(b)) => {
                        self.offset = 0;
                        b
                    }
                    Some(Err(e)) => {
                        return Err(IoError::Parquet { path: self.path.clone(), source: ParquetError::from(e) })
                    }
                    None => return Ok(false),
                },
            };
            let end = batch.num_rows().min(self.offset + left);
            // decode the next batch while this one becomes events
            let fetch = self.ahead.is_none() && end == batch.num_rows();
            let reader = &mut self.reader;
            let (ahead, results) = rayon::join(
                || if fetch { reader.next() } else { None },
                || convert(&self.plan, &self.path, self.rows_done + 1, &batch, self.offset, end),
            );
            if fetch {
                self.ahead = ahead;
            }
            for r in results? {
                match r {
                    Ok(e) => out.push(e),
                    Err(e) => errors.push(e),
                }
            }
            left -= end - self.offset;
            self.rows_done += (end - self.offset) as u64;
            self.offset = end;
            self.batch = Some(batch);
        }
        Ok(self.rows_done < self.total_rows)
    }

    fn progress(&self) -> (u64, Option<u64>) {
        match (self.file_len, self.total_rows) {
            (Some(len), rows) if rows > 0 => ((self.rows_done as f64 / rows as f64 * len as f64) as u64, Some(len)),
            (len, _) => (0, len),
        }
    }
}
