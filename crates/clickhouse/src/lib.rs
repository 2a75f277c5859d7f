//! tropa's [`Engine`] on ClickHouse: events, identity links and their closure in MergeTree tables (see
//! [`schema`]), ingestion with exact deduplication ([`ingest`](crate::ClickHouseEngine)), and scans that stream
//! each customer's journey, ordered and filtered in ClickHouse, to tropa's folds.
//!
//! Customer keys in ClickHouse are 64-bit hashes of actor ids ([`ident::key`]); the [`ActorId`]s this engine
//! hands to folds are handles of those keys, given by this process in the order it meets them (like dictionary
//! codes, they mean nothing to another server).
//!
//! ```no_run
//! use tropa_clickhouse::{ClickHouseEngine, ClickHouseOptions};
//! use tropa_engine::Engine;
//! let o = ClickHouseOptions::parse("clickhouse://default:@localhost:8123/tropa", "demo")?;
//! let engine = ClickHouseEngine::open(o)?;
//! println!("{} events", engine.summary()?.events);
//! # Ok::<(), tropa_engine::EngineError>(())
//! ```

pub mod ident;
mod ingest;
mod remote;
mod rows;
mod scan;
pub mod schema;

use std::any::Any;
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;
use tropa_core::{ActorId, DictCol, Dictionaries, Event, MessageKind};
use tropa_engine::{
    CustomerRecord, Engine, EngineError, EngineSummary, IngestReport, MergeRecord, ScanSpec, ScanVisitor,
};

pub use remote::ClickHouseOptions;
use remote::Remote;
use rows::{ChangeRow, EventRow};
pub use scan::scan_sql;
use schema::{EVENT_COLUMNS, OVERRIDES, SCHEMA_VERSION};

/// The engine on ClickHouse. See the crate docs.
pub struct ClickHouseEngine {
    remote: Remote,
    project: String,
    database: String,
    dicts: Mutex<Dictionaries>,
    /// The data version the dictionaries were last refreshed at.
    dicts_at: Mutex<Option<u64>>,
    handles: Mutex<Handles>,
    /// The last `seq` handed out.
    seq: Mutex<u64>,
    /// One ingest at a time per process.
    writer: Mutex<()>,
}

#[derive(Default)]
struct Handles {
    keys: Vec<u64>,
    index: FxHashMap<u64, u32>,
}

impl ClickHouseEngine {
    /// Connects, creates the database and the tables if missing, and checks the schema version.
    pub fn open(o: ClickHouseOptions) -> Result<Self, EngineError> {
        let remote = Remote::new(&o)?;
        let engine = ClickHouseEngine {
            remote,
            project: o.project,
            database: o.database,
            dicts: Mutex::new(Dictionaries::default()),
            dicts_at: Mutex::new(None),
            handles: Mutex::new(Handles::default()),
            seq: Mutex::new(0),
            writer: Mutex::new(()),
        };
        engine.migrate()?;
        Ok(engine)
    }

    fn migrate(&self) -> Result<(), EngineError> {
        let q = self.remote.server.query(&format!("CREATE DATABASE IF NOT EXISTS `{}`", self.database));
        self.remote.run("created the database", async move { q.execute().await })?;
        for stmt in schema::create_statements() {
            let q = self.remote.client.query(stmt);
            self.remote.run("created the tables", async move { q.execute().await })?;
        }
        let q = self.remote.client.query("SELECT toUInt32(max(version)) FROM tropa_schema");
        let found: u32 = self.remote.run("read the schema version", async move { q.fetch_one().await })?;
        if found > SCHEMA_VERSION {
            return Err(EngineError::Version {
                path: format!("clickhouse database {}", self.database).into(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found < SCHEMA_VERSION {
            let q = self.remote.client.query("INSERT INTO tropa_schema (version) VALUES (?)").bind(SCHEMA_VERSION);
            self.remote.run("wrote the schema version", async move { q.execute().await })?;
        }
        Ok(())
    }

    /// Reserves `n` consecutive `seq` stamps: nanoseconds of the clock, never going back within the process.
    fn next_seq(&self, n: u64) -> Result<u64, EngineError> {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        let mut last = self.seq.lock().map_err(|_| EngineError::Busy)?;
        let base = now.max(*last + 1);
        *last = base + n.saturating_sub(1);
        Ok(base)
    }

    /// The handle of a customer key in this process.
    fn handle(&self, key: u64) -> Result<ActorId, EngineError> {
        let mut h = self.handles.lock().map_err(|_| EngineError::Busy)?;
        if let Some(&i) = h.index.get(&key) {
            return Ok(ActorId(i));
        }
        let i = u32::try_from(h.keys.len()).map_err(|_| EngineError::Busy)?;
        h.keys.push(key);
        h.index.insert(key, i);
        Ok(ActorId(i))
    }

    fn key_of(&self, id: ActorId) -> Result<Option<u64>, EngineError> {
        let h = self.handles.lock().map_err(|_| EngineError::Busy)?;
        Ok(h.keys.get(id.0 as usize).copied())
    }

    fn insert<T>(&self, what: &'static str, table: &'static str, rows: Vec<T>) -> Result<(), EngineError>
    where
        T: clickhouse::RowOwned + clickhouse::RowWrite + Send + Sync,
    {
        if rows.is_empty() {
            return Ok(());
        }
        let c = self.remote.client.clone();
        self.remote.run(what, async move {
            let mut ins = c.insert::<T>(table).await?;
            for r in &rows {
                ins.write(r).await?;
            }
            ins.end().await
        })
    }

    fn change(&self, what: &str) -> Result<(), EngineError> {
        let seq = self.next_seq(1)?;
        self.insert(
            "recorded a change",
            "changes",
            vec![ChangeRow { project: self.project.clone(), seq, what: what.into() }],
        )
    }

    /// The key an actor id was stored under, if known.
    fn actor_key(&self, actor: &str) -> Result<Option<u64>, EngineError> {
        if actor.is_empty() {
            return Ok(None);
        }
        let q = self
            .remote
            .client
            .query("SELECT key FROM actors WHERE project = ? AND actor = ? LIMIT 1")
            .bind(&self.project)
            .bind(actor);
        self.remote.run("looked an id up", async move { q.fetch_optional::<u64>().await })
    }

    /// The representative of `key`'s set.
    fn resolve(&self, key: u64) -> Result<u64, EngineError> {
        let q = self
            .remote
            .client
            .query("SELECT min(rep) FROM overrides WHERE project = ? AND key = ?")
            .bind(&self.project)
            .bind(key);
        let rep: u64 = self.remote.run("resolved an id", async move { q.fetch_one().await })?;
        Ok(if rep == 0 { key } else { rep })
    }

    /// Every key of the set `rep` represents (itself included).
    fn members(&self, rep: u64) -> Result<Vec<u64>, EngineError> {
        let q = self
            .remote
            .client
            .query(
                "SELECT key FROM overrides WHERE project = ? AND key IN \
                 (SELECT key FROM overrides WHERE project = ? AND rep = ?) GROUP BY key HAVING min(rep) = ?",
            )
            .bind(&self.project)
            .bind(&self.project)
            .bind(rep)
            .bind(rep);
        let mut keys: Vec<u64> = self.remote.run("read a customer's ids", async move { q.fetch_all().await })?;
        keys.push(rep);
        keys.sort_unstable();
        keys.dedup();
        Ok(keys)
    }

    /// Actor names of `keys`, in first-seen order.
    fn actors_of(&self, keys: &[u64]) -> Result<Vec<String>, EngineError> {
        let q = self
            .remote
            .client
            .query("SELECT actor, min(seen) AS s FROM actors WHERE project = ? AND key IN ? GROUP BY actor ORDER BY s, actor")
            .bind(&self.project)
            .bind(keys);
        let rows: Vec<(String, u64)> = self.remote.run("read a customer's ids", async move { q.fetch_all().await })?;
        Ok(rows.into_iter().map(|(a, _)| a).collect())
    }

    /// Refreshes the dictionaries with every value stored, when the data version moved since the last time.
    fn refresh_dictionaries(&self) -> Result<(), EngineError> {
        let version = self.data_version()?;
        if *self.dicts_at.lock().map_err(|_| EngineError::Busy)? == Some(version) {
            return Ok(());
        }
        let cols: Vec<String> = DictCol::ALL
            .iter()
            .map(|c| format!("arraySort(groupUniqArray(toString({0}))) AS d_{0}", dict_column(*c)))
            .collect();
        let sql = format!("SELECT {} FROM events WHERE project = ?", cols.join(", "));
        let q = self.remote.client.query(&sql).bind(&self.project);
        let v: DictValues = self.remote.run("read the dictionaries", async move { q.fetch_one().await })?;
        let all = [
            v.d_name,
            v.d_touchpoint,
            v.d_source,
            v.d_medium,
            v.d_campaign,
            v.d_term,
            v.d_content,
            v.d_channel,
            v.d_currency,
            v.d_country,
            v.d_city,
        ];
        let mut dicts = self.dicts.lock().map_err(|_| EngineError::Busy)?;
        for (col, values) in DictCol::ALL.into_iter().zip(all) {
            for value in values {
                dicts.intern(col, &value)?;
            }
        }
        *self.dicts_at.lock().map_err(|_| EngineError::Busy)? = Some(version);
        Ok(())
    }
}

/// Every stored value of each dictionary column, in [`DictCol::ALL`] order.
#[derive(clickhouse::Row, serde::Deserialize)]
struct DictValues {
    d_name: Vec<String>,
    d_touchpoint: Vec<String>,
    d_source: Vec<String>,
    d_medium: Vec<String>,
    d_campaign: Vec<String>,
    d_term: Vec<String>,
    d_content: Vec<String>,
    d_channel: Vec<String>,
    d_currency: Vec<String>,
    d_country: Vec<String>,
    d_city: Vec<String>,
}

fn dict_column(col: DictCol) -> &'static str {
    match col {
        DictCol::Name => "name",
        DictCol::Channel => "channel",
        other => other.as_str(),
    }
}

impl Engine for ClickHouseEngine {
    fn ingest(&self, events: Vec<Event>) -> Result<IngestReport, EngineError> {
        self.ingest_impl(events)
    }

    fn dictionaries(&self) -> Arc<Dictionaries> {
        // a failed refresh keeps the values this process knows (codes never change meaning either way)
        let _ = self.refresh_dictionaries();
        Arc::new(self.dicts.lock().map(|d| d.clone()).unwrap_or_default())
    }

    fn scan(&self, spec: &ScanSpec, visitor: &dyn ScanVisitor) -> Result<Vec<Box<dyn Any + Send>>, EngineError> {
        self.scan_impl(spec, visitor)
    }

    fn customer(&self, actor: &str) -> Result<Option<CustomerRecord>, EngineError> {
        let Some(key) = self.actor_key(actor)? else { return Ok(None) };
        let members = self.members(self.resolve(key)?)?;
        let actors = self.actors_of(&members)?;
        let q = self
            .remote
            .client
            .query("SELECT a_actor, b_actor, message_id, via, at FROM links WHERE project = ? AND (a IN ? OR b IN ?) ORDER BY seq")
            .bind(&self.project)
            .bind(&members)
            .bind(&members);
        let links: Vec<(String, String, String, u8, i64)> =
            self.remote.run("read a customer's merges", async move { q.fetch_all().await })?;
        let mut merges: Vec<MergeRecord> = Vec::new();
        for (a, b, message_id, via, at) in links {
            let via = MessageKind::from_u8(via).unwrap_or_default().as_str().to_string();
            let m = MergeRecord { a, b, message_id, via, at };
            if !merges.contains(&m) {
                merges.push(m);
            }
        }
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE project = ? AND actor_key IN ? ORDER BY ts, seq");
        let q = self.remote.client.query(&sql).bind(&self.project).bind(&members);
        let rows: Vec<EventRow> = self.remote.run("read a customer's events", async move { q.fetch_all().await })?;
        Ok(Some(CustomerRecord {
            customer: actors.first().cloned().unwrap_or_else(|| actor.to_string()),
            actors,
            merges,
            events: rows.into_iter().map(EventRow::into_event).collect(),
        }))
    }

    fn customer_key(&self, id: &str) -> Result<Option<ActorId>, EngineError> {
        let Some(key) = self.actor_key(id)? else { return Ok(None) };
        Ok(Some(self.handle(self.resolve(key)?)?))
    }

    fn data_version(&self) -> Result<u64, EngineError> {
        let q = self.remote.client.query("SELECT count() FROM changes WHERE project = ?").bind(&self.project);
        self.remote.run("read the data version", async move { q.fetch_one::<u64>().await })
    }

    fn forget(&self, actor: &str) -> Result<u64, EngineError> {
        let Some(key) = self.actor_key(actor)? else { return Ok(0) };
        let members = self.members(self.resolve(key)?)?;
        let _writer = self.writer.lock().map_err(|_| EngineError::Busy)?;
        let q = self
            .remote
            .client
            .query("SELECT count() FROM events WHERE project = ? AND actor_key IN ?")
            .bind(&self.project)
            .bind(&members);
        let n: u64 = self.remote.run("counted a customer's events", async move { q.fetch_one().await })?;
        if n == 0 {
            return Ok(0);
        }
        let q = self
            .remote
            .client
            .query("DELETE FROM events WHERE project = ? AND actor_key IN ? SETTINGS lightweight_deletes_sync = 2")
            .bind(&self.project)
            .bind(&members);
        self.remote.run("forgot a customer", async move { q.execute().await })?;
        self.change("forget")?;
        Ok(n)
    }

    fn actor_names(&self, ids: &[ActorId]) -> Result<Vec<String>, EngineError> {
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            let Some(rep) = self.key_of(id)? else {
                out.push(String::new());
                continue;
            };
            out.push(self.actors_of(&self.members(rep)?)?.into_iter().next().unwrap_or_default());
        }
        Ok(out)
    }

    fn summary(&self) -> Result<EngineSummary, EngineError> {
        let sql = format!(
            "SELECT count(), uniqExact(if(o.rep = 0, e.actor_key, o.rep)), min(e.ts), max(e.ts) \
             FROM events AS e LEFT JOIN {OVERRIDES} AS o ON e.actor_key = o.key WHERE e.project = ?"
        );
        let q = self.remote.client.query(&sql).bind(&self.project).bind(&self.project);
        let (events, customers, min_ts, max_ts): (u64, u64, i64, i64) =
            self.remote.run("counted events", async move { q.fetch_one().await })?;
        let q = self.remote.client.query("SELECT uniqExact(actor) FROM actors WHERE project = ?").bind(&self.project);
        let actors: u64 = self.remote.run("counted ids", async move { q.fetch_one().await })?;
        let some = events > 0;
        Ok(EngineSummary { events, actors, customers, min_ts: some.then_some(min_ts), max_ts: some.then_some(max_ts) })
    }

    fn time_bounds(&self) -> Result<(Option<i64>, Option<i64>), EngineError> {
        let q = self
            .remote
            .client
            .query("SELECT count(), min(ts), max(ts) FROM events WHERE project = ?")
            .bind(&self.project);
        let (n, lo, hi): (u64, i64, i64) =
            self.remote.run("read the time bounds", async move { q.fetch_one().await })?;
        Ok(if n == 0 { (None, None) } else { (Some(lo), Some(hi)) })
    }
}
