//! Parquet export in the schema of `schema.rs`: Snappy, row groups of about 1 M rows, a record batch handed to
//! the writer every 64 Ki rows.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, StringBuilder, TimestampMillisecondBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use crate::error::IoError;
use crate::output::PartialFile;
use crate::schema::{export_schema, COLUMNS, FORMAT_VERSION, FORMAT_VERSION_KEY, NCOLS};
use crate::{EventWriter, ExportRow};

const BATCH_ROWS: usize = 1 << 16;
const ROW_GROUP_ROWS: usize = 1 << 20;

fn object_text(s: &str) -> &str {
    if s.is_empty() {
        "{}"
    } else {
        s
    }
}

/// Appends the values of string column `name` of `rows`.
fn push_text(name: &str, b: &mut StringBuilder, rows: &[ExportRow<'_>]) {
    macro_rules! fill {
        ($r:ident => $e:expr) => {
            for $r in rows {
                b.append_value($e)
            }
        };
    }
    match name {
        "customer_id" => fill!(r => r.customer),
        "message_id" => fill!(r => &r.event.message_id),
        "type" => fill!(r => r.event.kind.as_str()),
        "anonymous_id" => fill!(r => &r.event.anonymous_id),
        "user_id" => fill!(r => &r.event.user_id),
        "event" => fill!(r => &r.event.name),
        "touchpoint" => fill!(r => &r.event.touchpoint),
        "source" => fill!(r => &r.event.channel.source),
        "medium" => fill!(r => &r.event.channel.medium),
        "campaign" => fill!(r => &r.event.channel.campaign),
        "term" => fill!(r => &r.event.channel.term),
        "content" => fill!(r => &r.event.channel.content),
        "referrer" => fill!(r => &r.event.channel.referrer),
        "channel" => fill!(r => &r.event.channel.group),
        "currency" => fill!(r => &r.event.currency),
        "properties" => fill!(r => object_text(&r.event.properties)),
        "traits" => fill!(r => object_text(&r.event.traits)),
        "page_url" => fill!(r => &r.event.context.page_url),
        "page_title" => fill!(r => &r.event.context.page_title),
        "user_agent" => fill!(r => &r.event.context.user_agent),
        "ip" => fill!(r => &r.event.context.ip),
        "country" => fill!(r => &r.event.context.country),
        "city" => fill!(r => &r.event.context.city),
        "locale" => fill!(r => &r.event.context.locale),
        _ => fill!(_r => ""),
    }
}

enum Column {
    Text(&'static str, StringBuilder),
    Timestamp(TimestampMillisecondBuilder),
    ReceivedAt(TimestampMillisecondBuilder),
    Revenue(Float64Builder),
}

impl Column {
    fn new(name: &'static str) -> Column {
        let ts = || TimestampMillisecondBuilder::with_capacity(BATCH_ROWS).with_timezone("UTC");
        match name {
            "timestamp" => Column::Timestamp(ts()),
            "received_at" => Column::ReceivedAt(ts()),
            "revenue" => Column::Revenue(Float64Builder::with_capacity(BATCH_ROWS)),
            _ => Column::Text(name, StringBuilder::with_capacity(BATCH_ROWS, BATCH_ROWS * 8)),
        }
    }

    fn push(&mut self, rows: &[ExportRow<'_>]) {
        match self {
            Column::Text(name, b) => push_text(name, b, rows),
            Column::Timestamp(b) => rows.iter().for_each(|r| b.append_value(r.event.timestamp)),
            Column::ReceivedAt(b) => rows.iter().for_each(|r| b.append_value(r.event.received_at)),
            Column::Revenue(b) => rows.iter().for_each(|r| b.append_option(r.event.revenue.filter(|v| v.is_finite()))),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Column::Text(_, b) => Arc::new(b.finish()),
            Column::Timestamp(b) | Column::ReceivedAt(b) => Arc::new(b.finish()),
            Column::Revenue(b) => Arc::new(b.finish()),
        }
    }
}

pub(crate) struct ParquetWriter {
    writer: ArrowWriter<File>,
    file: PartialFile,
    schema: SchemaRef,
    columns: Vec<Column>,
    buffered: usize,
    rows: u64,
}

impl ParquetWriter {
    pub(crate) fn create(path: &Path) -> Result<ParquetWriter, IoError> {
        let (partial, file) = PartialFile::create(path)?;
        let schema = export_schema();
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_key_value_metadata(Some(vec![KeyValue::new(
                FORMAT_VERSION_KEY.to_string(),
                FORMAT_VERSION.to_string(),
            )]))
            .set_created_by(format!("tropa {}", env!("CARGO_PKG_VERSION")));
        // long free-text columns: min/max statistics prune nothing and cost a third of the writing time
        let props = ["properties", "traits", "page_url", "page_title", "user_agent", "referrer"]
            .into_iter()
            .fold(props.set_column_dictionary_enabled(ColumnPath::from("message_id"), false), |p, c| {
                p.set_column_statistics_enabled(ColumnPath::from(c), EnabledStatistics::None)
            });
        let props = props.build();
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(props))
            .map_err(|source| IoError::ParquetWrite { path: path.to_path_buf(), source })?;
        let columns = COLUMNS.iter().map(|name| Column::new(name)).collect();
        debug_assert_eq!(COLUMNS.len(), NCOLS);
        Ok(ParquetWriter { writer, file: partial, schema, columns, buffered: 0, rows: 0 })
    }

    fn flush_batch(&mut self) -> Result<(), IoError> {
        if self.buffered == 0 {
            return Ok(());
        }
        let arrays: Vec<ArrayRef> = self.columns.iter_mut().map(Column::finish).collect();
        let path = &self.file.path;
        let batch = RecordBatch::try_new(self.schema.clone(), arrays).map_err(|e| IoError::ParquetWrite {
            path: path.clone(),
            source: parquet::errors::ParquetError::ArrowError(e.to_string()),
        })?;
        self.writer.write(&batch).map_err(|source| IoError::ParquetWrite { path: path.clone(), source })?;
        self.buffered = 0;
        Ok(())
    }
}

impl EventWriter for ParquetWriter {
    fn write(&mut self, rows: &[ExportRow<'_>]) -> Result<(), IoError> {
        let mut rest = rows;
        while !rest.is_empty() {
            let (now, later) = rest.split_at((BATCH_ROWS - self.buffered).min(rest.len()));
            for col in &mut self.columns {
                col.push(now);
            }
            self.buffered += now.len();
            if self.buffered >= BATCH_ROWS {
                self.flush_batch()?;
            }
            rest = later;
        }
        self.rows += rows.len() as u64;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<u64, IoError> {
        self.flush_batch()?;
        let ParquetWriter { writer, file, rows, .. } = *self;
        let f = writer.into_inner().map_err(|source| IoError::ParquetWrite { path: file.path.clone(), source })?;
        file.commit(f)?;
        Ok(rows)
    }
}
