//! The embedded journey store of tropa.
//!
//! A data folder holds:
//!
//! ```text
//! LOCK            held (flock) by the one process that has the store open
//! MANIFEST        which parts, identity log lengths and WAL segment make up the store (JSON, versioned)
//! wal/*.wal       write-ahead log segments (checksummed records, fsynced before an ingest returns)
//! parts/*.trp     immutable columnar parts sorted by (customer, time, sequence); see [`part`]
//! parts/*.ids     each part's duplicate index: id filter and sorted id hashes (derived; rebuilt if missing)
//! actors.log      actor names in id order     links.bin / reasons.log   identity merges
//! roots.bin       every actor's representative after the merges (derived; rebuilt when missing or stale)
//! actors.idx      sorted lookup from any actor name to its id (rebuilt when missing or damaged; [`idindex`])
//! dicts.json      dictionaries of low-cardinality columns (event names, channels, …)
//! catalog.json    every event name and property with counts, first/last seen, top values ([`catalog`])
//! imports.bin     digests of the imported chunks of files, to recognise a re-import ([`imports`])
//! ```
//!
//! ```no_run
//! use tropa_store::{Store, StoreOptions};
//! let store = Store::open(std::path::Path::new("tropa-data"), StoreOptions::default())?;
//! let counts = tropa_engine::fold(&store, &Default::default(), &tropa_core::CountFold)?;
//! println!("{} customers, {} events", counts.customers, counts.events);
//! # Ok::<(), tropa_engine::EngineError>(())
//! ```

pub mod catalog;
mod codec;
pub mod compact;
#[cfg(feature = "failpoints")]
pub mod failpoint;
#[cfg(not(feature = "failpoints"))]
mod failpoint;
mod fsutil;
mod group;
mod ident;
mod idindex;
pub mod imports;
pub mod manifest;
pub mod part;
mod scan;
mod wal;
mod writer;

use std::any::Any;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use tropa_core::{Dict, DictCol, Dictionaries, Event};
use tropa_engine::{
    CustomerRecord, Engine, EngineError, EngineSummary, IngestReport, MergeRecord, ScanSpec, ScanVisitor,
};

use group::{Queue, Turn};
pub use ident::Roots;
pub use scan::Snapshot;
pub use wal::WalRecord;
use writer::Writer;

pub const MANIFEST: &str = "MANIFEST";

fn dicts_file() -> &'static str {
    "dicts.json"
}

/// A customer's actor ids (smallest first) and their names.
/// A customer found on disk: its members (sorted, the representative first), their names, and its merges.
type Members = (Vec<u32>, std::collections::HashMap<u32, String>, Vec<tropa_core::identity::Merge>);

/// Tuning of a store.
#[derive(Debug, Clone, Copy)]
pub struct StoreOptions {
    /// Flush the memtable to a part after this many events.
    pub flush_rows: usize,
    /// Aim for scan chunks of about this many rows (parallelism grain).
    pub chunk_rows: usize,
    /// Compaction writes parts of at most about this many rows.
    pub part_rows: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions { flush_rows: 1_000_000, chunk_rows: 200_000, part_rows: 4_000_000 }
    }
}

/// The embedded engine.
pub struct Store {
    dir: PathBuf,
    flush_on_drop: bool,
    writer: Arc<Mutex<Writer>>,
    /// The background flusher writing the frozen memtable, if one was started.
    flusher: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// Set when the store is dropped as by a crash: a background flusher still running gives up.
    crashed: Arc<std::sync::atomic::AtomicBool>,
    /// Whether ingest answers [`EngineError::Busy`] when the memtable is full while the frozen one is still being
    /// written (the server: 429), instead of writing both itself, under the lock (embedded use: the default).
    reject_when_full: std::sync::atomic::AtomicBool,
    queue: Mutex<Queue>,
    /// Held by the one compaction that may run at a time.
    compacting: Mutex<()>,
    /// Held while `actors.idx` is written.
    indexing: Mutex<()>,
    /// The chunks of files imported so far ([`imports`]).
    imports: Mutex<imports::ImportLog>,
    _lock: File,
}

pub(crate) fn encode_dicts(d: &Dictionaries) -> Vec<u8> {
    let map: serde_json::Map<String, serde_json::Value> =
        DictCol::ALL.iter().map(|&c| (c.as_str().to_string(), serde_json::json!(d.get(c).values()))).collect();
    serde_json::to_vec(&serde_json::json!({"version": 1, "dicts": map})).unwrap_or_default()
}

fn decode_dicts(path: &Path) -> Result<Dictionaries, EngineError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Dictionaries::default()),
        Err(e) => return Err(EngineError::Io { op: "read", path: path.into(), source: e }),
    };
    let bad = |reason: String| EngineError::Corrupt { path: path.into(), reason };
    let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
    let mut d = Dictionaries::default();
    for col in DictCol::ALL {
        let values: Vec<String> = match v.pointer(&format!("/dicts/{}", col.as_str())) {
            Some(list) => serde_json::from_value(list.clone()).map_err(|e| bad(e.to_string()))?,
            None => continue,
        };
        if values.first().is_some_and(|s| !s.is_empty()) {
            return Err(bad(format!("dictionary {} does not start with the empty value", col.as_str())));
        }
        *d.get_mut(col) = Dict::from_values(values);
    }
    Ok(d)
}

impl Store {
    /// Opens (or creates) the store in `dir`, recovering from the WAL whatever was acknowledged but not flushed.
    pub fn open(dir: &Path, opts: StoreOptions) -> Result<Store, EngineError> {
        std::fs::create_dir_all(dir.join("parts")).map_err(EngineError::io("create", dir))?;
        let lock_path = dir.join("LOCK");
        let lock = File::create(&lock_path).map_err(EngineError::io("create", &lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(EngineError::Locked { path: dir.into() }),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(EngineError::Io { op: "lock", path: lock_path, source: e })
            }
        }
        let manifest = match manifest::Manifest::load(&dir.join(MANIFEST))? {
            Some(m) => m,
            None => {
                let m = manifest::Manifest::new();
                m.store(&dir.join(MANIFEST))?;
                m
            }
        };
        // chunks logged for a commit that did not happen go before anything can write a later manifest
        let import_log = imports::ImportLog::open(dir, manifest.generation)?;
        // remove what the manifest does not name: parts of a flush that crashed before its commit
        let live: std::collections::HashSet<u64> = manifest.parts.iter().map(|p| p.id).collect();
        let parts_dir = dir.join("parts");
        for entry in std::fs::read_dir(&parts_dir).map_err(EngineError::io("list", &parts_dir))? {
            let entry = entry.map_err(EngineError::io("list", &parts_dir))?;
            let name = entry.file_name().to_string_lossy().to_string();
            // a part and its duplicate-index sidecar
            let id = name
                .strip_prefix("part-")
                .and_then(|n| n.strip_suffix(".trp").or_else(|| n.strip_suffix(".ids")))
                .and_then(|n| n.parse::<u64>().ok());
            if id.is_none_or(|id| !live.contains(&id)) {
                std::fs::remove_file(entry.path()).map_err(EngineError::io("remove", entry.path()))?;
            }
        }
        let mut parts = Vec::with_capacity(manifest.parts.len());
        for meta in &manifest.parts {
            let p = part::PartReader::open(&parts_dir.join(format!("part-{:08}.trp", meta.id)))?;
            if p.rows as u64 != meta.rows {
                return Err(EngineError::Corrupt {
                    path: p.path.clone(),
                    reason: "row count differs from the manifest".into(),
                });
            }
            parts.push(Arc::new(p));
        }
        let dicts = decode_dicts(&dir.join(dicts_file()))?;
        let (wal, records) = wal::Wal::open(&dir.join("wal"), manifest.wal_from)?;
        let mut w = Writer::new(dir, opts, manifest, wal, parts, dicts)?;
        for rec in records {
            match rec {
                WalRecord::Events { first_seq, events } => w.apply(first_seq, &events)?,
                WalRecord::Forget { actor, .. } => {
                    w.forget(&actor, false)?;
                }
            }
        }
        if w.catalog_missing() {
            w.recount_catalog()?;
        }
        Ok(Store {
            dir: dir.to_path_buf(),
            flush_on_drop: true,
            writer: Arc::new(Mutex::new(w)),
            flusher: Mutex::new(None),
            crashed: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            reject_when_full: std::sync::atomic::AtomicBool::new(false),
            queue: Mutex::new(Queue::new()),
            compacting: Mutex::new(()),
            indexing: Mutex::new(()),
            imports: Mutex::new(import_log),
            _lock: lock,
        })
    }

    /// Closes without the final checkpoint, as a crash would: the next open recovers from the WAL. A background
    /// flush still running gives up before it writes or installs anything more.
    pub fn close_without_flush(mut self) {
        self.flush_on_drop = false;
    }

    /// Waits for the background flusher, if one is writing.
    fn wait_for_flusher(&self) {
        let handle = self.flusher.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }

    /// Makes ingest answer [`EngineError::Busy`] (back-pressure) while the memtable is full and the frozen one is
    /// still being written, instead of writing them under the writer lock (what a server wants: 429 at once
    /// rather than every request waiting).
    pub fn set_reject_when_full(&self, reject: bool) {
        self.reject_when_full.store(reject, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether a memtable is being written as a part in the background now.
    pub fn flushing(&self) -> bool {
        self.writer().flushing
    }

    /// Bytes of memory the duplicate index holds (in-memory ids of the memtables and the part filters).
    pub fn dedup_memory(&self) -> usize {
        self.writer().dedup_heap_bytes()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn writer(&self) -> MutexGuard<'_, Writer> {
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the memtable to a part and checkpoints the WAL (after the background flusher, if one runs).
    pub fn flush(&self) -> Result<(), EngineError> {
        self.wait_for_flusher();
        self.writer().flush()?;
        self.refresh_index(false)
    }

    /// Writes `actors.idx` again when it is missing (`always`) or the actors appended since it was written have
    /// grown past what a lookup should read linearly ([`idindex::needs_rebuild`]).
    fn refresh_index(&self, always: bool) -> Result<(), EngineError> {
        let (actors, len) = {
            let w = self.writer();
            (w.manifest.actors, w.manifest.actors_len)
        };
        // built without the writer lock (ingestion goes on: actors.log only grows past `len`), one at a time
        let _one = self.indexing.lock().unwrap_or_else(|e| e.into_inner());
        let stale = match idindex::ActorIndex::open(&self.dir, actors, len)? {
            Some(idx) => idindex::needs_rebuild(idx.actors, actors) || (always && idx.actors < actors),
            None => always || actors > 65_536,
        };
        if stale {
            idindex::build(&self.dir, actors, len)?;
        }
        Ok(())
    }

    /// The on-disk actor index, written first if it is missing, damaged or stale.
    fn actor_index(&self, w: &Writer) -> Result<idindex::ActorIndex, EngineError> {
        let (actors, len) = (w.manifest.actors, w.manifest.actors_len);
        if let Some(idx) = idindex::ActorIndex::open(&self.dir, actors, len)? {
            if !idindex::needs_rebuild(idx.actors, actors) {
                return Ok(idx);
            }
        }
        let _one = self.indexing.lock().unwrap_or_else(|e| e.into_inner());
        idindex::build(&self.dir, actors, len)?;
        idindex::ActorIndex::open(&self.dir, actors, len)?.ok_or_else(|| EngineError::Corrupt {
            path: self.dir.join(idindex::INDEX),
            reason: "the actor index just written does not read back".into(),
        })
    }

    /// The actor index and the id of the actor named `actor` in it; a damaged index block is rebuilt once.
    fn index_lookup(&self, w: &Writer, actor: &str) -> Result<(idindex::ActorIndex, Option<u32>), EngineError> {
        let len = w.manifest.actors_len;
        let idx = self.actor_index(w)?;
        match idx.lookup(actor, len) {
            Ok(found) => Ok((idx, found)),
            Err(EngineError::Corrupt { .. }) => {
                {
                    let _one = self.indexing.lock().unwrap_or_else(|e| e.into_inner());
                    idindex::build(&self.dir, w.manifest.actors, len)?;
                }
                let idx = self.actor_index(w)?;
                let found = idx.lookup(actor, len)?;
                Ok((idx, found))
            }
            Err(e) => Err(e),
        }
    }

    /// The actor named `actor` and its customer's members, by the on-disk index (the full identity is not
    /// loaded); names of the members by id.
    fn lookup_on_disk(&self, w: &mut Writer, actor: &str) -> Result<Option<Members>, EngineError> {
        let len = w.manifest.actors_len;
        let (idx, id) = self.index_lookup(w, actor)?;
        let Some(id) = id else { return Ok(None) };
        // the customer's members and merges from the links, read a piece at a time (not every actor's root)
        let (members, merges) = if w.manifest.links_len == 0 && w.pending_merges.is_empty() {
            (vec![id], Vec::new())
        } else {
            let pending: Vec<(u32, u32)> = w.pending_merges.iter().map(|m| (m.a.0, m.b.0)).collect();
            let links = self.dir.join(ident::LINKS);
            let (members, at) = ident::component(&links, w.manifest.links_len, &pending, &w.roots(), id)?;
            let map = ident::map_log(&links, w.manifest.links_len)?;
            let bytes = map.get(..w.manifest.links_len as usize).unwrap_or(&[]);
            let mut merges = ident::reasons_at(&self.dir.join(ident::REASONS), w.manifest.reasons_len, bytes, &at)?;
            let member = |a: u32| members.binary_search(&a).is_ok();
            merges.extend(w.pending_merges.iter().filter(|m| member(m.a.0) || member(m.b.0)).cloned());
            (members, merges)
        };
        let mut names = std::collections::HashMap::new();
        for &m in &members {
            names.insert(m, idx.name_any(m, len)?);
        }
        Ok(Some((members, names, merges)))
    }

    /// Merges all parts into few large ones, re-filing merged identities under their customer and dropping
    /// forgotten events.
    pub fn compact(&self) -> Result<compact::CompactReport, EngineError> {
        let report = compact::compact(self, compact::CompactScope::All)?;
        self.refresh_index(true)?;
        Ok(report)
    }

    /// Merges the small parts when there are at least `at_least` of them (the server's background compaction);
    /// ingestion and queries go on meanwhile.
    pub fn compact_small_parts(&self, at_least: usize) -> Result<compact::CompactReport, EngineError> {
        compact::compact(self, compact::CompactScope::SmallParts { at_least })
    }

    /// Number of parts (not counting the memtable).
    pub fn part_count(&self) -> usize {
        self.writer().parts.len()
    }

    /// Files whole customers' events (grouped by customer, time-ordered, unique message ids — generated data)
    /// into parts, each row under its customer as linked by the whole batch, bypassing the WAL and the duplicate check. Durable after the next [`Store::flush`] (a part is
    /// also written every `part_rows` rows).
    pub fn append_sorted(&self, events: &[Event]) -> Result<IngestReport, EngineError> {
        self.writer().append_sorted(events)
    }

    /// Bulk ingest for file imports: deduplicates, links identities and files events into the memtable **without
    /// the WAL**. Nothing is durable until the next [`Store::flush`] commits a part (the caller reports progress
    /// only after it); a crash before that loses exactly the unflushed batches, which a re-import adds again
    /// (duplicates are recognised by message id). Returns the report and the rows now waiting for a flush.
    pub fn ingest_unlogged(&self, events: Vec<Event>) -> Result<(IngestReport, usize), EngineError> {
        let mut w = self.writer();
        w.identity()?;
        w.precheck(&events, &mut Default::default())?;
        let (fresh, dups) = w.dedup(events, &mut writer::KeySet::default());
        let first_seq = w.manifest.next_seq;
        w.manifest.next_seq += fresh.len() as u64;
        w.apply(first_seq, &fresh)?;
        Ok((IngestReport { accepted: fresh.len() as u64, duplicates: dups }, w.mem.len()))
    }

    /// Whether `chunk` of a file was imported (committed) before.
    pub fn imported(&self, chunk: &imports::Chunk) -> bool {
        self.imports.lock().unwrap_or_else(|e| e.into_inner()).contains(chunk)
    }

    /// [`Store::flush`] that also commits `chunks` to the import log: they are logged (tagged with the
    /// generation of the manifest to come) before that manifest is written, so after a crash a chunk is in
    /// the log exactly when its rows are in the store.
    pub fn flush_import(&self, chunks: &[imports::Chunk]) -> Result<(), EngineError> {
        let mut w = self.writer();
        let mut log = self.imports.lock().unwrap_or_else(|e| e.into_inner());
        let before = w.manifest.generation;
        if !chunks.is_empty() {
            log.add(chunks, before + 1)?;
        }
        w.flush()?;
        if w.manifest.generation == before && !chunks.is_empty() {
            // nothing to write (every row a duplicate or rejected): the chunks are committed as they are
            log.retag(before + 1, before)?;
        }
        Ok(())
    }

    /// How many rows a flush makes a part of (the default import commit size).
    pub fn flush_rows(&self) -> usize {
        self.writer().opts.flush_rows
    }

    /// A consistent view for scans and lookups.
    pub fn snapshot(&self) -> Result<Arc<Snapshot>, EngineError> {
        self.writer().snapshot()
    }

    /// Starts the background flusher on the frozen memtable `f` (the caller set `flushing`).
    fn start_flusher(&self, f: Arc<writer::Frozen>) {
        let (writer, dir, crashed) = (self.writer.clone(), self.dir.clone(), self.crashed.clone());
        let mut slot = self.flusher.lock().unwrap_or_else(|e| e.into_inner());
        // the one before has finished: it cleared `flushing` as its last step
        if let Some(h) = slot.take() {
            let _ = h.join();
        }
        *slot = Some(std::thread::spawn(move || {
            let result = write_frozen(&writer, &dir, &crashed, &f);
            let mut w = writer.lock().unwrap_or_else(|e| e.into_inner());
            w.flushing = false;
            w.flush_failed_at = result.is_err().then(std::time::Instant::now);
        }));
    }
}

/// The background flusher: sorts and writes the frozen memtable `f` as a part with its sidecar (without the
/// writer lock: ingestion goes on), then installs it (with the lock). Its events stay in the WAL until then.
fn write_frozen(
    writer: &Mutex<Writer>,
    dir: &Path,
    crashed: &std::sync::atomic::AtomicBool,
    f: &Arc<writer::Frozen>,
) -> Result<(), EngineError> {
    use std::sync::atomic::Ordering;
    failpoint::hit(failpoint::Failpoint::FlushWrite).map_err(EngineError::io("write", dir))?;
    if crashed.load(Ordering::SeqCst) {
        return Err(EngineError::Busy);
    }
    let path = writer::part_path(dir, f.id);
    let data = f.src.sorted();
    let meta = part::write_part(&path, &data, f.id)?;
    let ids = writer::write_sidecar(&path, &data)?;
    drop(data);
    let mut w = writer.lock().unwrap_or_else(|e| e.into_inner());
    if crashed.load(Ordering::SeqCst) {
        // as a crash after the part's rename: the next open removes the files the manifest does not name
        return Err(EngineError::Busy);
    }
    w.install_frozen(f, meta, path, ids)?;
    Ok(())
}

impl Engine for Store {
    /// Group commit: callers queue their batch; whoever gets the writer lock logs every queued batch with one
    /// fsync and hands the others their results (see the `group` module).
    fn ingest(&self, events: Vec<Event>) -> Result<IngestReport, EngineError> {
        let ticket = self.queue().push(events);
        let _ = failpoint::hit(failpoint::Failpoint::IngestQueued);
        let mut w = self.writer();
        let _ = failpoint::hit(failpoint::Failpoint::IngestLead);
        let items = match self.queue().turn(ticket) {
            Turn::Done(result) => return result,
            Turn::Lead(items) => items,
        };
        let mut mine = Err(EngineError::Busy);
        if w.frozen.is_some() && w.mem.len() >= w.opts.flush_rows {
            if self.reject_when_full.load(std::sync::atomic::Ordering::Relaxed) {
                // back-pressure: the frozen memtable is still being written and the new one is full
                let mut q = self.queue();
                for (t, _) in items {
                    if t != ticket {
                        q.finish(t, Err(EngineError::Busy));
                    }
                }
                return mine;
            }
            // embedded: write both here (the background flusher finds its rows installed and drops its copy);
            // on failure the memtable grows and the WAL keeps the events
            let _ = w.flush();
        }
        {
            let results = group::commit(&mut w, items);
            let mut q = self.queue();
            for (t, result) in results {
                if t == ticket {
                    mine = result;
                } else {
                    q.finish(t, result);
                }
            }
        }
        // a full memtable is frozen and handed to the background flusher: this request does not wait for the
        // part write (its events are in the fsynced WAL already); a frozen one whose write failed is tried again
        let retry = w.flush_failed_at.is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(1));
        let due = if w.frozen.is_some() { retry } else { w.mem.len() >= w.opts.flush_rows };
        if due && !w.flushing {
            match w.freeze() {
                Ok(f) => {
                    w.flushing = true;
                    drop(w);
                    self.start_flusher(f);
                }
                // the events are logged: the freeze is tried again by the next request
                Err(_) => drop(w),
            }
        }
        mine
    }

    fn dictionaries(&self) -> Arc<Dictionaries> {
        match self.snapshot() {
            Ok(s) => s.dicts.clone(),
            Err(_) => Arc::new(self.writer().dicts.clone()),
        }
    }

    fn scan(&self, spec: &ScanSpec, visitor: &dyn ScanVisitor) -> Result<Vec<Box<dyn Any + Send>>, EngineError> {
        let snap = self.snapshot()?;
        snap.load(spec)?;
        snap.scan(spec, visitor)
    }

    /// By the on-disk actor index ([`idindex`]) unless the full identity is loaded already (a process that
    /// ingests): one customer's lookup never loads every actor name.
    fn customer(&self, actor: &str) -> Result<Option<CustomerRecord>, EngineError> {
        let mut w = self.writer();
        if !w.identity_loaded() {
            let Some((members, names, merges)) = self.lookup_on_disk(&mut w, actor)? else { return Ok(None) };
            let snap = w.snapshot()?;
            let rows = snap.customer_rows(&members);
            let name = |a: tropa_core::ActorId| names.get(&a.0).cloned().unwrap_or_default();
            use tropa_core::EventAccess;
            return Ok(Some(CustomerRecord {
                customer: name(tropa_core::ActorId(members[0])),
                actors: members.iter().map(|&m| name(tropa_core::ActorId(m))).collect(),
                merges: merges.iter().map(|m| MergeRecord::resolve(m, name)).collect(),
                events: rows.into_iter().map(|r| snap.event(r)).collect(),
            }));
        }
        let Some(id) = w.identity()?.lookup(actor) else { return Ok(None) };
        let members: Vec<u32> = w.identity()?.members_of(id).into_iter().map(|a| a.0).collect();
        let snap = w.snapshot()?;
        let rows = snap.customer_rows(&members);
        let merges = w.merges_of(&members)?;
        let ident = w.identity()?;
        let name = |a: tropa_core::ActorId| ident.name(a).to_string();
        use tropa_core::EventAccess;
        Ok(Some(CustomerRecord {
            customer: name(tropa_core::ActorId(members[0])),
            actors: members.iter().map(|&m| name(tropa_core::ActorId(m))).collect(),
            merges: merges.iter().map(|m| MergeRecord::resolve(m, name)).collect(),
            events: rows.into_iter().map(|r| snap.event(r)).collect(),
        }))
    }

    /// By the loaded identity, else by the on-disk actor index.
    fn customer_key(&self, id: &str) -> Result<Option<tropa_core::ActorId>, EngineError> {
        let mut w = self.writer();
        if w.identity_loaded() {
            let ident = w.identity()?;
            return Ok(ident.lookup(id).map(|a| ident.root(a)));
        }
        let (_, found) = self.index_lookup(&w, id)?;
        let roots = w.roots();
        Ok(found.map(|a| tropa_core::ActorId(roots.get(a as usize).copied().unwrap_or(a))))
    }

    /// The manifest's generation (every flush, compaction and forget written) above the events accepted and
    /// the customers forgotten since: within a generation both only grow.
    fn data_version(&self) -> Result<u64, EngineError> {
        let w = self.writer();
        Ok((w.manifest.generation << 40).wrapping_add(w.manifest.next_seq + w.tombstones.len() as u64))
    }

    fn actor_names(&self, ids: &[tropa_core::ActorId]) -> Result<Vec<String>, EngineError> {
        let mut w = self.writer();
        let ident = w.identity()?;
        Ok(ids.iter().map(|&a| ident.name(a).to_string()).collect())
    }

    fn forget(&self, actor: &str) -> Result<u64, EngineError> {
        let mut w = self.writer();
        w.forget(actor, true)
    }

    fn summary(&self) -> Result<EngineSummary, EngineError> {
        let snap = self.snapshot()?;
        let counts = tropa_engine::fold(self, &ScanSpec::default(), &tropa_core::CountFold)?;
        let (min_ts, max_ts) = time_bounds(&snap);
        Ok(EngineSummary {
            events: counts.events,
            actors: snap.roots.len() as u64,
            customers: counts.customers,
            min_ts,
            max_ts,
        })
    }

    /// Kept as events are filed ([`catalog`]), without a scan.
    fn catalog(&self) -> Result<tropa_core::catalog::Catalog, EngineError> {
        Ok(self.writer().catalog.clone().sorted())
    }

    /// From the parts' time ranges, without a scan.
    fn time_bounds(&self) -> Result<(Option<i64>, Option<i64>), EngineError> {
        let snap = self.snapshot()?;
        Ok(time_bounds(&snap))
    }
}

/// The earliest and latest event time of the snapshot's non-empty parts.
fn time_bounds(snap: &Snapshot) -> (Option<i64>, Option<i64>) {
    let live = snap.parts.iter().filter(|p| p.rows > 0);
    (live.clone().map(|p| p.min_ts).min(), live.map(|p| p.max_ts).max())
}

impl Drop for Store {
    fn drop(&mut self) {
        // a clean shutdown checkpoints; a crash relies on the WAL instead
        if self.flush_on_drop {
            self.wait_for_flusher();
            let _ = self.writer().flush();
        } else {
            self.crashed.store(true, std::sync::atomic::Ordering::SeqCst);
            self.wait_for_flusher();
        }
    }
}
