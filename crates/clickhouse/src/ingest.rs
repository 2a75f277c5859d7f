//! Ingestion: exact deduplication by message id, identity links and overrides, then the events.
//!
//! Order of the writes, so that a crash at any point loses nothing acknowledged and stores nothing twice:
//! 1. message ids already stored are looked up in `message_ids` (ordered by message id: an index read) and left
//!    out, as are repeats within the call — whatever time a retry carries;
//! 2. new actors, links and overrides are inserted (a crash after this step leaves links without events,
//!    harmless: a retry inserts the events and finds the links in place);
//! 3. the events are inserted; the materialized view writes their message ids in the same insert, so an event
//!    acknowledged by ClickHouse is always found by step 1 of a retry;
//! 4. two servers that raced on one message id (both passed step 1) both look their ids up again: the copy
//!    ClickHouse wrote first (`inserted`, then `seq`) wins and the other is removed by a lightweight delete — the
//!    later of the two inserts always sees both, and a server that saw its copy alone saw the winner, so each
//!    message is reported accepted by exactly one server;
//! 5. a row in `changes` moves the data version.

use rustc_hash::{FxHashMap, FxHashSet};
use tropa_core::{DictCol, Event};
use tropa_engine::{EngineError, IngestReport};

use crate::ident::{key, Closure};
use crate::rows::{ActorRow, EventRow, LinkRow, OverrideRow};
use crate::ClickHouseEngine;

/// Ids per `IN` list of a lookup.
const LOOKUP: usize = 10_000;

impl ClickHouseEngine {
    pub(crate) fn ingest_impl(&self, events: Vec<Event>) -> Result<IngestReport, EngineError> {
        if let Some(i) = events.iter().position(|e| e.anonymous_id.is_empty() && e.user_id.is_empty()) {
            return Err(EngineError::Invalid {
                field: format!("[{i}].userId"),
                reason: "is missing: give userId or anonymousId".into(),
            });
        }
        let _writer = self.writer.lock().map_err(|_| EngineError::Busy)?;
        let mut report = IngestReport::default();
        let mut seen = FxHashSet::default();
        let mut fresh = Vec::with_capacity(events.len());
        for e in events {
            if !e.message_id.is_empty() && !seen.insert(e.message_id.clone()) {
                report.duplicates += 1;
            } else {
                fresh.push(e);
            }
        }
        let ids: Vec<String> =
            fresh.iter().filter(|e| !e.message_id.is_empty()).map(|e| e.message_id.clone()).collect();
        let stored = self.stored_ids(&ids)?;
        let before = fresh.len();
        fresh.retain(|e| e.message_id.is_empty() || !stored.contains(&e.message_id));
        report.duplicates += (before - fresh.len()) as u64;
        if fresh.is_empty() {
            return Ok(report);
        }
        let base = self.next_seq(fresh.len() as u64)?;
        self.add_actors(&fresh, base)?;
        let merged = self.add_links(&fresh, base)?;
        {
            let mut dicts = self.dicts.lock().map_err(|_| EngineError::Busy)?;
            for e in &fresh {
                dicts.intern(DictCol::Name, &e.name)?;
            }
        }
        let n = fresh.len() as u64;
        let rows: Vec<EventRow> = fresh
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                let k = key(e.actor());
                EventRow::new(&self.project, e, k, base + i as u64)
            })
            .collect();
        self.insert("inserted events", "events", rows)?;
        let lost = self.settle_races(&ids, base..base + n)?;
        report.accepted += n - lost;
        report.duplicates += lost;
        self.change(if merged { "ingest+merge" } else { "ingest" })?;
        Ok(report)
    }

    /// Which of `ids` are stored already.
    fn stored_ids(&self, ids: &[String]) -> Result<FxHashSet<String>, EngineError> {
        let mut out = FxHashSet::default();
        for part in ids.chunks(LOOKUP) {
            let q = self
                .remote
                .client
                .query("SELECT DISTINCT message_id FROM message_ids WHERE project = ? AND message_id IN ?")
                .bind(&self.project)
                .bind(part);
            let got: Vec<String> = self.remote.run("looked message ids up", async move { q.fetch_all().await })?;
            out.extend(got);
        }
        Ok(out)
    }

    /// Inserts the actors not stored yet, first seen in ingest order (an anonymous id before the user id of
    /// the same event).
    fn add_actors(&self, events: &[Event], base: u64) -> Result<(), EngineError> {
        let mut first: FxHashMap<&str, u64> = FxHashMap::default();
        let mut order = Vec::new();
        for (i, e) in events.iter().enumerate() {
            let seen = (base + i as u64) << 1;
            for (actor, s) in [(e.anonymous_id.as_str(), seen), (e.user_id.as_str(), seen | 1)] {
                if !actor.is_empty() && !first.contains_key(actor) {
                    first.insert(actor, s);
                    order.push(actor);
                }
            }
        }
        let mut known = FxHashSet::default();
        for part in order.chunks(LOOKUP) {
            let q = self
                .remote
                .client
                .query("SELECT DISTINCT actor FROM actors WHERE project = ? AND actor IN ?")
                .bind(&self.project)
                .bind(part);
            let got: Vec<String> = self.remote.run("looked actors up", async move { q.fetch_all().await })?;
            known.extend(got);
        }
        let rows: Vec<ActorRow> = order
            .into_iter()
            .filter(|a| !known.contains(*a))
            .map(|a| ActorRow { project: self.project.clone(), actor: a.into(), key: key(a), seen: first[a] })
            .collect();
        if rows.is_empty() {
            return Ok(());
        }
        for r in &rows {
            self.handle(r.key)?;
        }
        self.insert("inserted actors", "actors", rows)
    }

    /// Links the anonymous id and the user id of every event that carries both, when they belong to different
    /// customers, and writes the overrides ClickHouse lacks. Returns whether anything merged.
    ///
    /// The closure is computed again from every link *after* this call's links are in: of two servers linking
    /// at once, the one whose insert came last reads both links, and it writes every override whose stored
    /// `min(rep)` is not the true representative — also those a crashed or concurrent call left out.
    fn add_links(&self, events: &[Event], base: u64) -> Result<bool, EngineError> {
        if !events.iter().any(|e| !e.anonymous_id.is_empty() && !e.user_id.is_empty()) {
            return Ok(false);
        }
        let mut closure = self.closure()?;
        let mut links = Vec::new();
        for (i, e) in events.iter().enumerate() {
            if e.anonymous_id.is_empty() || e.user_id.is_empty() {
                continue;
            }
            let (user, anon) = (key(&e.user_id), key(&e.anonymous_id));
            if closure.union(user, anon) {
                links.push(LinkRow {
                    project: self.project.clone(),
                    a: user,
                    b: anon,
                    a_actor: e.user_id.clone(),
                    b_actor: e.anonymous_id.clone(),
                    message_id: e.message_id.clone(),
                    via: e.kind as u8,
                    at: e.timestamp,
                    seq: base + i as u64,
                });
            }
        }
        let merged = !links.is_empty();
        if merged {
            self.insert("inserted identity links", "links", links)?;
            closure = self.closure()?;
        }
        let q = self
            .remote
            .client
            .query("SELECT key, min(rep) FROM overrides WHERE project = ? GROUP BY key")
            .bind(&self.project);
        let stored: Vec<(u64, u64)> = self.remote.run("read identity overrides", async move { q.fetch_all().await })?;
        let stored: FxHashMap<u64, u64> = stored.into_iter().collect();
        let missing: Vec<OverrideRow> = closure
            .overrides()
            .into_iter()
            .filter(|(k, r)| stored.get(k) != Some(r))
            .map(|(key, rep)| OverrideRow { project: self.project.clone(), key, rep })
            .collect();
        let repaired = !missing.is_empty();
        self.insert("inserted identity overrides", "overrides", missing)?;
        Ok(merged || repaired)
    }

    /// The closure of every link of the project.
    pub(crate) fn closure(&self) -> Result<Closure, EngineError> {
        let q = self.remote.client.query("SELECT a, b FROM links WHERE project = ? ORDER BY seq").bind(&self.project);
        let links: Vec<(u64, u64)> = self.remote.run("read identity links", async move { q.fetch_all().await })?;
        let mut c = Closure::default();
        for (a, b) in links {
            c.union(a, b);
        }
        Ok(c)
    }

    /// Removes the copies of `ids` that lost a race with another server (the copy written first wins); returns
    /// how many of them were this call's.
    fn settle_races(&self, ids: &[String], mine: std::ops::Range<u64>) -> Result<u64, EngineError> {
        let mut copies: FxHashMap<String, Vec<(i64, u64)>> = FxHashMap::default();
        for part in ids.chunks(LOOKUP) {
            let q = self
                .remote
                .client
                .query(
                    "SELECT message_id, seq, toUnixTimestamp64Nano(inserted) FROM message_ids \
                     WHERE project = ? AND message_id IN ?",
                )
                .bind(&self.project)
                .bind(part);
            let got: Vec<(String, u64, i64)> =
                self.remote.run("looked message ids up", async move { q.fetch_all().await })?;
            for (id, seq, inserted) in got {
                copies.entry(id).or_default().push((inserted, seq));
            }
        }
        let mut losers = Vec::new();
        for (id, mut written) in copies {
            written.sort_unstable();
            written.dedup_by_key(|w| w.1);
            losers.extend(written.into_iter().skip(1).map(|(_, s)| (id.clone(), s)));
        }
        if losers.is_empty() {
            return Ok(0);
        }
        let lost = losers.iter().filter(|(_, s)| mine.contains(s)).count() as u64;
        for part in losers.chunks(LOOKUP) {
            let q = self
                .remote
                .client
                .query("DELETE FROM events WHERE project = ? AND (message_id, seq) IN ? SETTINGS lightweight_deletes_sync = 2")
                .bind(&self.project)
                .bind(part);
            self.remote.run("removed a copy of a message sent twice", async move { q.execute().await })?;
        }
        self.change("race")?;
        Ok(lost)
    }
}
