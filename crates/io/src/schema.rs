//! The Parquet export schema (version 1): flat, so DuckDB, ClickHouse and pandas read it as a plain table.
//!
//! | column | type |
//! |---|---|
//! | `customer_id`, `message_id`, `type` | utf8 |
//! | `timestamp`, `received_at` | timestamp(ms, UTC) |
//! | `anonymous_id`, `user_id`, `event`, `touchpoint`, `source`, `medium`, `campaign`, `term`, `content`, `referrer`, `channel` | utf8 |
//! | `revenue` | float64, null when absent |
//! | `currency`, `properties` (JSON), `traits` (JSON), `page_url`, `page_title`, `user_agent`, `ip`, `country`, `city`, `locale` | utf8 |
//!
//! Strings are never null (`""` when absent). The file's key-value metadata holds
//! [`FORMAT_VERSION_KEY`] = [`FORMAT_VERSION`]; a reader seeing it reads the file without a mapping.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// Key-value metadata entry that marks a tropa export.
pub const FORMAT_VERSION_KEY: &str = "tropa.format.version";
/// Version of the export schema written by this build.
pub const FORMAT_VERSION: &str = "1";

/// The columns, in file order.
pub(crate) const COLUMNS: [&str; NCOLS] = [
    "customer_id",
    "message_id",
    "type",
    "timestamp",
    "received_at",
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
    "revenue",
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

/// Number of columns of the export schema.
pub(crate) const NCOLS: usize = 27;

pub(crate) fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
}

/// The Arrow schema of the Parquet export.
pub fn export_schema() -> SchemaRef {
    let fields: Vec<Field> = COLUMNS
        .iter()
        .map(|&name| match name {
            "timestamp" | "received_at" => Field::new(name, timestamp_type(), false),
            "revenue" => Field::new(name, DataType::Float64, true),
            _ => Field::new(name, DataType::Utf8, false),
        })
        .collect();
    Arc::new(Schema::new(fields))
}
