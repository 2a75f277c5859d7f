//! The tables tropa keeps in ClickHouse, and their migrations.
//!
//! Every table carries the project, so one database serves many projects. Schema version 1:
//! - `events`: one row per stored event, `MergeTree` ordered by (project, actor_key, ts) — `actor_key` is the
//!   customer key of the actor the event was written under (a hash of its id, so every server computes the same
//!   key and a `Distributed` table can shard by it); monthly partitions; `LowCardinality` names and channels;
//!   `seq` (a per-server monotonic stamp) orders ties in ingest order and tells copies of one message apart;
//! - `message_ids`: (project, message_id, seq, inserted), filled by the materialized view `message_ids_mv` in the
//!   same insert as the events (`inserted`: ClickHouse's clock when it wrote them), ordered by message id: the
//!   index of exact deduplication;
//! - `actors`: each id (anonymous or user) with its key and when it was first seen (names a customer);
//! - `links`: identity merges (two keys, the two ids, the message that linked them);
//! - `overrides`: the transitive closure of the links, key → representative (the smallest key of its set),
//!   resolved with `min(rep)` per key, so rows written by concurrent servers converge;
//! - `changes`: one row per visible change (events accepted, merges, forgets); its count is the data version;
//! - `tropa_schema`: the schema version written by the migration.

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// The statements that create schema version 1 (idempotent).
pub fn create_statements() -> Vec<&'static str> {
    vec![
        "CREATE TABLE IF NOT EXISTS tropa_schema (version UInt32, at DateTime DEFAULT now()) \
         ENGINE = MergeTree ORDER BY version",
        "CREATE TABLE IF NOT EXISTS events (
            project LowCardinality(String),
            actor_key UInt64,
            ts Int64,
            seq UInt64,
            received_at Int64,
            message_id String,
            kind UInt8,
            anonymous_id String,
            user_id String,
            name LowCardinality(String),
            touchpoint LowCardinality(String),
            source LowCardinality(String),
            medium LowCardinality(String),
            campaign LowCardinality(String),
            term String,
            content String,
            referrer String,
            channel LowCardinality(String),
            revenue Nullable(Float64),
            currency LowCardinality(String),
            properties String,
            traits String,
            page_url String,
            page_title String,
            user_agent String,
            ip String,
            country LowCardinality(String),
            city LowCardinality(String),
            locale LowCardinality(String)
        ) ENGINE = MergeTree
        PARTITION BY toYYYYMM(fromUnixTimestamp64Milli(ts))
        ORDER BY (project, actor_key, ts)",
        "CREATE TABLE IF NOT EXISTS message_ids (project LowCardinality(String), message_id String, seq UInt64, \
         inserted DateTime64(9)) ENGINE = MergeTree ORDER BY (project, message_id)",
        "CREATE MATERIALIZED VIEW IF NOT EXISTS message_ids_mv TO message_ids AS \
         SELECT project, message_id, seq, now64(9) AS inserted FROM events WHERE message_id != ''",
        "CREATE TABLE IF NOT EXISTS actors (project LowCardinality(String), actor String, key UInt64, seen UInt64) \
         ENGINE = MergeTree ORDER BY (project, actor)",
        "CREATE TABLE IF NOT EXISTS links (project LowCardinality(String), a UInt64, b UInt64, a_actor String, \
         b_actor String, message_id String, via UInt8, at Int64, seq UInt64) \
         ENGINE = MergeTree ORDER BY (project, seq)",
        "CREATE TABLE IF NOT EXISTS overrides (project LowCardinality(String), key UInt64, rep UInt64) \
         ENGINE = MergeTree ORDER BY (project, key)",
        "CREATE TABLE IF NOT EXISTS changes (project LowCardinality(String), seq UInt64, what LowCardinality(String)) \
         ENGINE = MergeTree ORDER BY (project, seq)",
    ]
}

/// The event columns in table order (the order of the fields of the crate's `EventRow`).
pub const EVENT_COLUMNS: &str =
    "project, actor_key, ts, seq, received_at, message_id, kind, anonymous_id, user_id, name, \
    touchpoint, source, medium, campaign, term, content, referrer, channel, revenue, currency, properties, traits, \
    page_url, page_title, user_agent, ip, country, city, locale";

/// The sub-query that resolves a key to its customer: `key → rep` for merged keys only.
pub const OVERRIDES: &str = "(SELECT key, min(rep) AS rep FROM overrides WHERE project = ? GROUP BY key)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_statement_is_idempotent() {
        for s in create_statements() {
            assert!(s.contains("IF NOT EXISTS"), "{s}");
        }
    }

    #[test]
    fn the_schema_reads_as_written() {
        insta::assert_snapshot!("schema_v1", create_statements().join(";\n\n"));
    }

    #[test]
    fn event_columns_name_every_column_of_the_table() {
        let table = create_statements()[1];
        for col in EVENT_COLUMNS.split(',').map(str::trim).skip(1) {
            assert!(table.contains(&format!("\n            {col} ")), "{col}");
        }
    }
}
