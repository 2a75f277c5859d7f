//! The writer state: WAL, memtable, identity, dictionaries, dedup index, and the flush that turns the memtable
//! into a part and checkpoints the WAL.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use tropa_core::catalog::Catalog;
use tropa_core::identity::Merge;
use tropa_core::{CoreError, DictCol, Dictionaries, Event, Identity, TextCol};
use tropa_engine::{EngineError, IngestReport};

use crate::ident::{self, Roots, ACTORS, LINKS, REASONS};
use crate::manifest::{Manifest, PartMeta, Tombstone};
use crate::part::{write_part, PartBuilder, PartReader, Row, DICT_COLS};
use crate::scan::Snapshot;
use crate::wal::{Wal, WalRecord};
use crate::{dicts_file, StoreOptions};

mod dedup;

pub use dedup::{sidecar_path, write_sidecar, KeySet, MemIds, PartIds, PartIndex};

pub struct Writer {
    pub dir: PathBuf,
    pub opts: StoreOptions,
    pub manifest: Manifest,
    pub wal: Wal,
    pub parts: Vec<Arc<PartReader>>,
    identity: Option<Identity>,
    roots: Arc<Roots>,
    roots_stale: bool,
    pub dicts: Dictionaries,
    dicts_dirty: bool,
    /// The duplicate index of the parts (loaded on first use).
    part_ids: Option<PartIndex>,
    pub mem: PartBuilder,
    /// The message ids of `mem`'s rows.
    mem_ids: MemIds,
    /// Rows of [`Writer::append_sorted`] not yet written as a part (not in the WAL: durable at the next flush).
    bulk: PartBuilder,
    /// The message ids of `bulk`'s rows.
    bulk_ids: MemIds,
    pub pending_merges: Vec<Merge>,
    pub tombstones: Vec<Tombstone>,
    snapshot: Option<Arc<Snapshot>>,
    /// A full memtable being written as a part outside the writer lock ([`Writer::freeze`]); scans see it.
    pub frozen: Option<Arc<Frozen>>,
    /// Whether the background flusher is writing `frozen` now.
    pub flushing: bool,
    /// When the last background write of `frozen` failed (it is tried again a second later).
    pub flush_failed_at: Option<std::time::Instant>,
    /// Every event name and property stored ([`crate::catalog`]).
    pub catalog: Catalog,
    /// Replayed events below this sequence number are counted in `catalog` already.
    catalog_from: u64,
    /// Whether `catalog` changed since `catalog.json` was written.
    catalog_dirty: bool,
    /// How many times `catalog` was counted again from a scan (a frozen memtable's catalog taken before a
    /// recount is stale by the time its part is installed).
    catalog_epoch: u64,
}

/// A memtable taken out of the writer to be written as part `id` by the background flusher while ingestion goes
/// on. Its events are in WAL segments before `wal_from`, which stay until the part is installed.
pub struct Frozen {
    pub id: u64,
    pub wal_from: u64,
    /// The rows in arrival order (sorted by the flusher as it writes them).
    pub src: PartBuilder,
    /// The message ids of `src`'s rows (the duplicate index of the frozen rows).
    ids: MemIds,
    /// The rows as an in-memory part, for scans while the part is being written (built on first use).
    reader: OnceLock<Arc<PartReader>>,
    /// The catalog as of the freeze and its watermark, written when the part is installed (none while
    /// unflushed bulk rows are counted in it).
    catalog: Option<(Catalog, u64)>,
    /// [`Writer::catalog_epoch`] at the freeze.
    catalog_epoch: u64,
}

impl Frozen {
    fn text(&self, col: TextCol, row: usize) -> &str {
        self.src.text(col, row)
    }

    /// The frozen rows as an in-memory part.
    fn reader(&self) -> Result<Arc<PartReader>, EngineError> {
        if let Some(r) = self.reader.get() {
            return Ok(r.clone());
        }
        let r = Arc::new(PartReader::in_memory(&self.src.sorted())?);
        Ok(self.reader.get_or_init(|| r).clone())
    }
}

fn dict_value(ev: &Event, col: DictCol) -> &str {
    match col {
        DictCol::Name => &ev.name,
        DictCol::Touchpoint => &ev.touchpoint,
        DictCol::Source => &ev.channel.source,
        DictCol::Medium => &ev.channel.medium,
        DictCol::Campaign => &ev.channel.campaign,
        DictCol::Term => &ev.channel.term,
        DictCol::Content => &ev.channel.content,
        DictCol::Channel => &ev.channel.group,
        DictCol::Currency => &ev.currency,
        DictCol::Country => &ev.context.country,
        DictCol::City => &ev.context.city,
    }
}

fn text_value(ev: &Event, col: TextCol) -> &str {
    match col {
        TextCol::MessageId => &ev.message_id,
        TextCol::AnonymousId => &ev.anonymous_id,
        TextCol::UserId => &ev.user_id,
        TextCol::Referrer => &ev.channel.referrer,
        TextCol::Properties => &ev.properties,
        TextCol::Traits => &ev.traits,
        TextCol::PageUrl => &ev.context.page_url,
        TextCol::PageTitle => &ev.context.page_title,
        TextCol::UserAgent => &ev.context.user_agent,
        TextCol::Ip => &ev.context.ip,
        TextCol::Locale => &ev.context.locale,
    }
}

impl Writer {
    pub fn new(
        dir: &Path,
        opts: StoreOptions,
        manifest: Manifest,
        wal: Wal,
        parts: Vec<Arc<PartReader>>,
        dicts: Dictionaries,
    ) -> Result<Self, EngineError> {
        let roots = ident::roots(dir, manifest.actors, manifest.links_len)?;
        // cut the other logs back to what the manifest vouches for (read when needed, not here)
        ident::cut_to(&dir.join(REASONS), manifest.reasons_len)?;
        let actors_path = dir.join(ACTORS);
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&actors_path)
            .map_err(EngineError::io("open", &actors_path))?;
        let have = f.metadata().map_err(EngineError::io("stat", &actors_path))?.len();
        if have < manifest.actors_len {
            return Err(EngineError::Corrupt { path: actors_path, reason: "shorter than the manifest says".into() });
        }
        if have > manifest.actors_len {
            f.set_len(manifest.actors_len).map_err(EngineError::io("truncate", &actors_path))?;
        }
        let tombstones = manifest.tombstones.clone();
        let (catalog, catalog_from, catalog_dirty) = match crate::catalog::load(dir)? {
            Some((c, w)) => (c, w, false),
            // no catalog yet: recounted after the replay ([`Writer::recount_catalog`])
            None => (Catalog::default(), u64::MAX, true),
        };
        Ok(Writer {
            dir: dir.to_path_buf(),
            opts,
            manifest,
            wal,
            parts,
            identity: None,
            roots: Arc::new(roots),
            roots_stale: false,
            dicts,
            dicts_dirty: false,
            part_ids: None,
            mem: PartBuilder::new(),
            mem_ids: MemIds::default(),
            bulk: PartBuilder::new(),
            bulk_ids: MemIds::default(),
            pending_merges: Vec::new(),
            tombstones,
            snapshot: None,
            frozen: None,
            flushing: false,
            flush_failed_at: None,
            catalog,
            catalog_from,
            catalog_dirty,
            catalog_epoch: 0,
        })
    }

    /// Whether the full identity is loaded (then it knows actors not yet in `actors.log`).
    pub fn identity_loaded(&self) -> bool {
        self.identity.is_some()
    }

    /// The full identity (names and index), loaded on first use.
    pub fn identity(&mut self) -> Result<&mut Identity, EngineError> {
        if self.identity.is_none() {
            let path = self.dir.join(ACTORS);
            let buf = ident::read_prefix(&path, self.manifest.actors_len)?;
            let (arena, starts) = ident::decode_actors(&buf, &path)?;
            if starts.len() as u64 != self.manifest.actors {
                return Err(EngineError::Corrupt { path, reason: "actor count differs from the manifest".into() });
            }
            let parents = self.roots.to_vec();
            let id =
                Identity::from_parts(arena, starts, parents).map_err(|reason| EngineError::Corrupt { path, reason })?;
            self.identity = Some(id);
        }
        self.identity.as_mut().ok_or(EngineError::Busy)
    }

    /// Checks what could fail after the WAL write — an event without an actor, no room left for new event
    /// names — without changing anything. `new_names` holds the names the batches accepted so far (logged
    /// together with this one) will add; this batch's go in when it passes.
    pub fn precheck(&self, events: &[Event], new_names: &mut HashSet<String>) -> Result<(), EngineError> {
        if let Some(i) = events.iter().position(|e| e.anonymous_id.is_empty() && e.user_id.is_empty()) {
            return Err(EngineError::Invalid {
                field: format!("[{i}].userId"),
                reason: "is missing: give userId or anonymousId".into(),
            });
        }
        let dict = self.dicts.get(DictCol::Name);
        let mut mine: HashSet<&str> = HashSet::new();
        let mut last = "";
        for ev in events {
            let name = ev.name.as_str();
            if name != last && !name.is_empty() && dict.code(name).is_none() && !new_names.contains(name) {
                mine.insert(name);
            }
            last = name;
        }
        let limit = DictCol::Name.limit();
        if dict.len() + new_names.len() + mine.len() > limit {
            return Err(CoreError::DictionaryFull { column: DictCol::Name.as_str(), limit }.into());
        }
        new_names.extend(mine.into_iter().map(String::from));
        Ok(())
    }

    /// Files already-logged events into the memtable, identity and dictionaries.
    pub fn apply(&mut self, first_seq: u64, events: &[Event]) -> Result<(), EngineError> {
        self.identity()?;
        for (i, ev) in events.iter().enumerate() {
            let id = self.identity.as_mut().ok_or(EngineError::Busy)?;
            let anon = (!ev.anonymous_id.is_empty()).then(|| id.actor(&ev.anonymous_id));
            let user = (!ev.user_id.is_empty()).then(|| id.actor(&ev.user_id));
            if let (Some(a), Some(u)) = (anon, user) {
                if let Some(m) = id.link(u, a, &ev.message_id, ev.kind, ev.timestamp) {
                    self.pending_merges.push(m);
                }
            }
            let Some(primary) = user.or(anon) else { continue };
            let key = id.root(primary).0;
            let seq = first_seq + i as u64;
            let row = self.row(ev, key, seq)?;
            self.mem.push(&row);
            self.mem_ids.insert(&ev.message_id, (self.mem.len() - 1) as u32);
            if seq >= self.catalog_from {
                self.catalog.add(&ev.name, ev.timestamp, &ev.properties);
                self.catalog_dirty = true;
            }
        }
        self.manifest.next_seq = self.manifest.next_seq.max(first_seq + events.len() as u64);
        self.roots_stale = true;
        self.dicts_dirty = true;
        self.snapshot = None;
        Ok(())
    }

    pub fn row<'e>(&mut self, ev: &'e Event, key: u32, seq: u64) -> Result<Row<'e>, EngineError> {
        let name = self.dicts.intern(DictCol::Name, &ev.name)? as u16;
        let mut dict = [0u32; DICT_COLS];
        for (i, d) in dict.iter_mut().enumerate() {
            let col = DictCol::ALL[i + 1];
            *d = self.dicts.intern(col, dict_value(ev, col))?;
        }
        let mut text = [""; TextCol::COUNT];
        for (i, t) in text.iter_mut().enumerate() {
            *t = text_value(ev, TextCol::ALL[i]);
        }
        Ok(Row {
            key,
            seq,
            ts: ev.timestamp,
            received_at: ev.received_at,
            kind: ev.kind as u8,
            name,
            dict,
            revenue: ev.revenue.unwrap_or(f64::NAN),
            text,
        })
    }

    /// Logs and applies a forget; returns how many events it hid.
    pub fn forget(&mut self, actor: &str, log: bool) -> Result<u64, EngineError> {
        let max_seq = self.manifest.next_seq;
        let Some(id) = self.identity()?.lookup(actor) else { return Ok(0) };
        let members: Vec<u32> = self.identity()?.members_of(id).into_iter().map(|a| a.0).collect();
        let snap = self.snapshot()?;
        let hidden = snap.customer_rows(&members).len() as u64;
        if log {
            let rec = WalRecord::Forget { actor: actor.to_string(), max_seq };
            self.wal.commit(|wal| wal.append(&rec))?;
        }
        for m in members {
            self.tombstones.retain(|t| t.actor != m);
            if max_seq > 0 {
                self.tombstones.push(Tombstone { actor: m, max_seq: max_seq - 1 });
            }
        }
        self.snapshot = None;
        if hidden > 0 {
            self.recount_catalog()?;
        }
        Ok(hidden)
    }

    /// Counts the catalog again from a scan of what is visible now (after a forget, or at the first open of a
    /// data folder without one). Events filed after this are added as usual.
    pub fn recount_catalog(&mut self) -> Result<(), EngineError> {
        let snap = self.snapshot()?;
        snap.load(&tropa_engine::ScanSpec::default().with_columns(tropa_core::catalog::CatalogFold::columns()))?;
        self.catalog = crate::catalog::recount(&snap)?;
        self.catalog_epoch += 1;
        self.catalog_from = 0;
        self.catalog_dirty = true;
        Ok(())
    }

    /// Whether the catalog must be counted again at open (no `catalog.json` was found).
    pub fn catalog_missing(&self) -> bool {
        self.catalog_from == u64::MAX
    }

    pub fn roots(&mut self) -> Arc<Roots> {
        if self.roots_stale {
            if let Some(id) = &self.identity {
                self.roots = Arc::new(id.roots().into());
            }
            self.roots_stale = false;
        }
        self.roots.clone()
    }

    /// The current snapshot (cached until the next write).
    pub fn snapshot(&mut self) -> Result<Arc<Snapshot>, EngineError> {
        if let Some(s) = &self.snapshot {
            return Ok(s.clone());
        }
        let mut parts = self.parts.clone();
        if !self.bulk.is_empty() {
            parts.push(Arc::new(PartReader::in_memory(&self.bulk.clone().finish())?));
        }
        if let Some(f) = &self.frozen {
            parts.push(f.reader()?);
        }
        if !self.mem.is_empty() {
            parts.push(Arc::new(PartReader::in_memory(&self.mem.clone().finish())?));
        }
        let tomb: HashMap<u32, u64> = self.tombstones.iter().map(|t| (t.actor, t.max_seq)).collect();
        let snap =
            Arc::new(Snapshot::new(parts, self.roots(), Arc::new(self.dicts.clone()), tomb, self.opts.chunk_rows));
        self.snapshot = Some(snap.clone());
        Ok(snap)
    }

    /// Takes the full memtable out to be written as a part by the background flusher; the WAL moves on to a new
    /// segment, so the frozen events' segments can go once the part is installed. Cheap: the rows are sorted and
    /// written by the flusher. A frozen memtable whose write failed is handed out again.
    pub fn freeze(&mut self) -> Result<Arc<Frozen>, EngineError> {
        if let Some(f) = &self.frozen {
            return Ok(f.clone());
        }
        let wal_from = self.wal.rotate()?;
        let roots = self.roots();
        let mut src = std::mem::take(&mut self.mem);
        src.rekey(|k| roots.get(k as usize).copied().unwrap_or(k));
        let ids = std::mem::take(&mut self.mem_ids);
        // room for a memtable like this one, so that filling it never copies a column under the lock
        self.mem.reserve_like(&src);
        self.mem_ids.reserve(src.len());
        let id = self.manifest.next_part;
        self.manifest.next_part += 1;
        let catalog = self.bulk.is_empty().then(|| (self.catalog.clone(), self.manifest.next_seq));
        let catalog_epoch = self.catalog_epoch;
        let f = Arc::new(Frozen { id, wal_from, src, ids, reader: OnceLock::new(), catalog, catalog_epoch });
        self.frozen = Some(f.clone());
        self.snapshot = None;
        Ok(f)
    }

    /// Makes the written part of `f` part of the store (the checkpoint of a flush). Returns false, removing the
    /// file and its sidecar, when a flush installed the frozen rows meanwhile.
    pub fn install_frozen(
        &mut self,
        f: &Arc<Frozen>,
        meta: PartMeta,
        path: PathBuf,
        ids: PartIds,
    ) -> Result<bool, EngineError> {
        if !self.frozen.as_ref().is_some_and(|g| Arc::ptr_eq(g, f)) {
            std::fs::remove_file(&path).map_err(EngineError::io("remove", &path))?;
            let side = sidecar_path(&path);
            std::fs::remove_file(&side).map_err(EngineError::io("remove", &side))?;
            return Ok(false);
        }
        self.write_identity()?;
        self.write_dicts()?;
        if self.catalog_epoch == f.catalog_epoch {
            if let Some((catalog, watermark)) = &f.catalog {
                crate::catalog::store(&self.dir, catalog, *watermark)?;
            }
        } else if self.bulk.is_empty() {
            // counted again since the freeze (a forget): the catalog as of now, which counts every event filed
            // so far; those not in a part yet are in the WAL and replayed from the watermark on
            crate::catalog::store(&self.dir, &self.catalog, self.manifest.next_seq)?;
        }
        let mut m = self.manifest.clone();
        m.parts.push(meta);
        m.wal_from = f.wal_from;
        m.tombstones = self.tombstones.clone();
        m.generation += 1;
        m.store(&self.dir.join(crate::MANIFEST))?;
        self.manifest = m;
        self.wal.remove_before(f.wal_from)?;
        self.parts.push(Arc::new(PartReader::open(&path)?));
        if let Some(index) = self.part_ids.as_mut() {
            index.insert(&path, ids);
        }
        self.frozen = None;
        self.snapshot = None;
        Ok(true)
    }

    pub fn invalidate(&mut self) {
        self.snapshot = None;
    }

    /// Writes the memtable as a part and checkpoints: identity logs, dictionaries, manifest, then drops old WAL.
    pub fn flush(&mut self) -> Result<(), EngineError> {
        let has_identity = self.identity.as_ref().is_some_and(|i| i.actors() as u64 != self.manifest.actors);
        if self.mem.is_empty()
            && self.frozen.is_none()
            && self.bulk.is_empty()
            && self.pending_merges.is_empty()
            && !has_identity
            && self.tombstones == self.manifest.tombstones
            && !self.catalog_dirty
        {
            return Ok(());
        }
        let mut new_parts = Vec::new();
        // each part with its duplicate-index sidecar; the builders and their id indexes are emptied only once
        // everything is written
        let write = |w: &Writer, data: &crate::part::PartData, n: usize| -> Result<_, EngineError> {
            let id = w.manifest.next_part + n as u64;
            let path = w.part_path(id);
            let meta = write_part(&path, data, id)?;
            let ids = write_sidecar(&path, data)?;
            Ok((meta, path, ids))
        };
        if let Some(f) = self.frozen.clone() {
            // written here under a fresh id: the background flusher may be writing it under its own id right
            // now, and will find it installed already and drop its copy
            new_parts.push(write(self, &f.src.sorted(), new_parts.len())?);
        }
        if !self.bulk.is_empty() {
            // the bulk rows are not in the WAL: a failed write loses them (the import is told and runs again)
            let data = std::mem::take(&mut self.bulk).finish();
            let written = write(self, &data, new_parts.len());
            self.bulk = PartBuilder::recycle(data);
            self.bulk_ids.clear();
            new_parts.push(written?);
        }
        let mut mem_data = None;
        if !self.mem.is_empty() {
            // file rows under their customer as linked now (what compaction would do), so that customers whose
            // ids were linked after their first rows stay on the scan's zero-copy path
            let roots = self.roots();
            self.mem.rekey(|k| roots.get(k as usize).copied().unwrap_or(k));
            let data = self.mem.sorted();
            new_parts.push(write(self, &data, new_parts.len())?);
            mem_data = Some(data);
        }
        self.frozen = None;
        if let Some(data) = mem_data {
            self.mem = PartBuilder::recycle(data);
            self.mem_ids.clear();
        }
        let next_segment = self.wal.rotate()?;
        self.write_identity()?;
        self.write_dicts()?;
        if self.catalog_dirty {
            crate::catalog::store(&self.dir, &self.catalog, self.manifest.next_seq)?;
            self.catalog_dirty = false;
        }
        let mut m = self.manifest.clone();
        for (meta, _, _) in &new_parts {
            m.parts.push(*meta);
            m.next_part += 1;
        }
        m.wal_from = next_segment;
        m.tombstones = self.tombstones.clone();
        m.generation += 1;
        m.store(&self.dir.join(crate::MANIFEST))?;
        self.manifest = m;
        self.wal.remove_before(next_segment)?;
        for (_, path, ids) in new_parts {
            self.parts.push(Arc::new(PartReader::open(&path)?));
            if let Some(index) = self.part_ids.as_mut() {
                index.insert(&path, ids);
            }
        }
        self.snapshot = None;
        Ok(())
    }

    pub fn part_path(&self, id: u64) -> PathBuf {
        part_path(&self.dir, id)
    }

    /// Appends new actors and merges to the identity logs (the manifest is updated by the caller).
    pub fn write_identity(&mut self) -> Result<(), EngineError> {
        let from = self.manifest.actors as usize;
        if let Some(id) = &self.identity {
            if id.actors() > from {
                let mut buf = Vec::new();
                ident::encode_actors((from..id.actors()).map(|i| id.name(tropa_core::ActorId(i as u32))), &mut buf);
                self.manifest.actors_len = ident::append(&self.dir.join(ACTORS), &buf)?;
                self.manifest.actors = id.actors() as u64;
            }
        }
        if !self.pending_merges.is_empty() {
            let (mut links, mut reasons) = (Vec::new(), Vec::new());
            ident::encode_merges(&self.pending_merges, &mut links, &mut reasons);
            self.manifest.links_len = ident::append(&self.dir.join(LINKS), &links)?;
            self.manifest.reasons_len = ident::append(&self.dir.join(REASONS), &reasons)?;
            self.pending_merges.clear();
        }
        Ok(())
    }

    pub fn write_dicts(&mut self) -> Result<(), EngineError> {
        if !self.dicts_dirty {
            return Ok(());
        }
        crate::fsutil::write_atomic(&self.dir.join(dicts_file()), &crate::encode_dicts(&self.dicts))?;
        self.dicts_dirty = false;
        Ok(())
    }

    /// Files events of whole customers into the bulk builder (no WAL). A part is written every `part_rows` rows
    /// and at the next [`Writer::flush`], which is when the events become durable.
    pub fn append_sorted(&mut self, events: &[Event]) -> Result<IngestReport, EngineError> {
        if let Some(i) = events.iter().position(|e| e.anonymous_id.is_empty() && e.user_id.is_empty()) {
            return Err(EngineError::Invalid {
                field: format!("[{i}].userId"),
                reason: "is missing: give userId or anonymousId".into(),
            });
        }
        self.identity()?;
        let first_seq = self.manifest.next_seq;
        // whole customers: link every identity of the batch first, then file each row under its final customer
        let mut primaries = Vec::with_capacity(events.len());
        let id = self.identity.as_mut().ok_or(EngineError::Busy)?;
        for ev in events {
            let anon = (!ev.anonymous_id.is_empty()).then(|| id.actor(&ev.anonymous_id));
            let user = (!ev.user_id.is_empty()).then(|| id.actor(&ev.user_id));
            if let (Some(a), Some(u)) = (anon, user) {
                if let Some(m) = id.link(u, a, &ev.message_id, ev.kind, ev.timestamp) {
                    self.pending_merges.push(m);
                }
            }
            primaries.push(user.or(anon).unwrap_or(tropa_core::ActorId(0)));
        }
        let keys: Vec<u32> = primaries.iter().map(|&p| id.root(p).0).collect();
        let mut builder = std::mem::take(&mut self.bulk);
        builder.reserve(events.len());
        for (i, (ev, key)) in events.iter().zip(keys).enumerate() {
            let row = self.row(ev, key, first_seq + i as u64)?;
            builder.push(&row);
            self.bulk_ids.insert(&ev.message_id, (builder.len() - 1) as u32);
            self.catalog.add(&ev.name, ev.timestamp, &ev.properties);
        }
        self.catalog_dirty = true;
        self.manifest.next_seq = first_seq + events.len() as u64;
        self.roots_stale = true;
        self.dicts_dirty = true;
        self.snapshot = None;
        let full = builder.len() >= self.opts.part_rows;
        self.bulk = builder;
        if full {
            self.flush()?;
        }
        Ok(IngestReport { accepted: events.len() as u64, duplicates: 0 })
    }

    /// Resolved merge records of the given actors (persisted and pending).
    pub fn merges_of(&mut self, members: &[u32]) -> Result<Vec<Merge>, EngineError> {
        let member = |a: u32| members.binary_search(&a).is_ok();
        let mut all = ident::reasons_where(&self.dir.join(REASONS), self.manifest.reasons_len, member)?;
        all.extend(self.pending_merges.iter().filter(|m| member(m.a.0) || member(m.b.0)).cloned());
        Ok(all)
    }
}

/// The file of part `id` in the data folder `dir`.
pub fn part_path(dir: &std::path::Path, id: u64) -> PathBuf {
    dir.join("parts").join(format!("part-{id:08}.trp"))
}
