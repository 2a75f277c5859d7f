//! The duplicate index: exact, and bounded in memory.
//!
//! A new event is a duplicate when an event with the same non-empty message id is stored already. Where the
//! stored events are, and how each is checked:
//! - the memtable, the frozen memtable (being written as a part) and the unflushed bulk rows: an exact in-memory
//!   index ([`MemIds`]) from the 64-bit hash of the id to the rows that have it; a hit is confirmed by comparing
//!   the full id of the row;
//! - each part: a sidecar file `part-NNNNNNNN.ids` next to it ([`PartIds`]) holding a split-block Bloom filter
//!   (12 bits per id, ≈ 0.5 % false positives, kept in memory) and the hashes of the part's ids sorted, each with
//!   its row (mmapped, read only on a filter hit); a hash found there is confirmed by reading the row's full id
//!   from the part. So the index costs ≈ 1.5 bytes of memory per stored event, and 13.5 bytes of disk (the
//!   filter and the sorted pairs).
//!
//! Hash equality alone never makes a duplicate, and an event with an empty message id is never a duplicate. A
//! batch is checked against the index and against the batches logged together with it (`pending`); its events
//! join the index when they are filed into the memtable ([`Writer::apply`]), after they are in the WAL.
//!
//! Sidecars are derived data: one missing or damaged (bad magic, length or checksum, or a row count other than
//! its part's) is built again from the part when the index is loaded. They are written atomically next to each
//! new part (flush, background flush, bulk rows, compaction), removed with their part, and a sidecar whose part
//! the manifest does not name is removed at open.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tropa_core::event::message_key;
use tropa_core::{Event, TextCol};
use tropa_engine::EngineError;

use super::Writer;
use crate::part::{PartData, PartReader};

/// A hasher for keys that are hashes already.
#[derive(Default)]
pub struct NoHash(u64);

impl Hasher for NoHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ b as u64;
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

type HashMapN<V> = HashMap<u64, V, BuildHasherDefault<NoHash>>;

/// The full message ids of the batches logged together with the one being checked.
pub type KeySet = HashSet<String, BuildHasherDefault<rustc_hash::FxHasher>>;

/// The 64-bit hash of a message id that the index files it under (tests can force collisions).
pub(crate) fn id_hash(id: &str) -> u64 {
    message_key(id) & crate::failpoint::id_hash_mask()
}

/// An exact index of the message ids of rows held in memory: hash → rows. A hit is confirmed against the row's
/// full id by the caller's `id_of`.
#[derive(Debug, Default, Clone)]
pub struct MemIds {
    first: HashMapN<u32>,
    /// Further rows whose id has a hash already in `first` (distinct ids with equal hashes).
    more: HashMapN<Vec<u32>>,
}

impl MemIds {
    /// Files `row`, whose message id is `id` (an empty id is not filed: it is never a duplicate).
    pub fn insert(&mut self, id: &str, row: u32) {
        if id.is_empty() {
            return;
        }
        let h = id_hash(id);
        match self.first.entry(h) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(row);
            }
            std::collections::hash_map::Entry::Occupied(_) => self.more.entry(h).or_default().push(row),
        }
    }

    /// Whether a row with id `id` (hash `h`) is filed; `id_of` gives a row's id.
    pub fn contains<'a>(&self, h: u64, id: &str, id_of: impl Fn(u32) -> &'a str) -> bool {
        match self.first.get(&h) {
            None => false,
            Some(&r) => id_of(r) == id || self.more.get(&h).is_some_and(|rows| rows.iter().any(|&r| id_of(r) == id)),
        }
    }

    pub fn reserve(&mut self, rows: usize) {
        self.first.reserve(rows);
    }

    pub fn clear(&mut self) {
        self.first.clear();
        self.more.clear();
    }
}

/// Bits of filter per id (≈ 0.5 % false positives).
const FILTER_BITS_PER_ID: usize = 12;
const MAGIC: &[u8; 8] = b"TRPIDS\x00\x01";
const HEADER: usize = 40;
/// Salts of the split-block Bloom filter (those of Parquet's): one bit in each of a block's eight words.
const SALT: [u32; 8] = [0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d, 0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31];

fn block_of(h: u64, blocks: usize) -> usize {
    (((h >> 32) * blocks as u64) >> 32) as usize
}

fn mask_of(h: u64) -> [u32; 8] {
    let k = h as u32;
    SALT.map(|s| 1u32 << (k.wrapping_mul(s) >> 27))
}

/// The sorted hashes and rows of a part's ids: built in memory, or mapped from its sidecar.
enum Sorted {
    Owned { hashes: Vec<u64>, rows: Vec<u32> },
    Mapped { map: memmap2::Mmap, n: usize, filter_bytes: usize },
}

/// The duplicate index of one part: its filter (in memory) and its sorted hashes with rows (mmapped).
pub struct PartIds {
    rows: usize,
    filter: Vec<[u32; 8]>,
    sorted: Sorted,
}

impl PartIds {
    /// Builds the index of `rows` ids given in row order.
    fn build<'a>(rows: usize, ids: impl Iterator<Item = &'a str>) -> PartIds {
        let mut pairs: Vec<(u64, u32)> = Vec::with_capacity(rows);
        for (row, id) in ids.enumerate() {
            if !id.is_empty() {
                pairs.push((id_hash(id), row as u32));
            }
        }
        PartIds::from_pairs(rows, pairs)
    }

    /// The index of (hash, row) pairs of a part of `rows` rows.
    fn from_pairs(rows: usize, mut pairs: Vec<(u64, u32)>) -> PartIds {
        pairs.sort_unstable();
        let blocks = (pairs.len() * FILTER_BITS_PER_ID).div_ceil(256).max(1);
        let mut filter = vec![[0u32; 8]; blocks];
        for &(h, _) in &pairs {
            let b = &mut filter[block_of(h, blocks)];
            for (w, m) in b.iter_mut().zip(mask_of(h)) {
                *w |= m;
            }
        }
        let (hashes, rows_of) = pairs.into_iter().unzip();
        PartIds { rows, filter, sorted: Sorted::Owned { hashes, rows: rows_of } }
    }

    /// Builds the index of a part about to be written.
    pub fn of_data(data: &PartData) -> PartIds {
        let col = &data.text[TextCol::MessageId as usize];
        PartIds::build(data.rows(), (0..data.rows()).map(|r| col.get(r)))
    }

    /// Builds the index from a part on disk (every message id is read once).
    pub fn of_part(part: &PartReader) -> Result<PartIds, EngineError> {
        let mut pairs: Vec<(u64, u32)> = Vec::with_capacity(part.rows);
        let mut row = 0u32;
        part.each_text(TextCol::MessageId, |id| {
            if !id.is_empty() {
                pairs.push((id_hash(id), row));
            }
            row += 1;
        })?;
        Ok(PartIds::from_pairs(part.rows, pairs))
    }

    fn hashes(&self) -> &[u64] {
        match &self.sorted {
            Sorted::Owned { hashes, .. } => hashes,
            Sorted::Mapped { map, n, filter_bytes } => {
                let at = HEADER + filter_bytes;
                bytemuck::try_cast_slice(&map[at..at + 8 * n]).unwrap_or(&[])
            }
        }
    }

    fn rows_of(&self) -> &[u32] {
        match &self.sorted {
            Sorted::Owned { rows, .. } => rows,
            Sorted::Mapped { map, n, filter_bytes } => {
                let at = HEADER + filter_bytes + 8 * n;
                bytemuck::try_cast_slice(&map[at..at + 4 * n]).unwrap_or(&[])
            }
        }
    }

    /// Ids indexed (non-empty ones).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.hashes().len()
    }

    /// Whether the filter may hold hash `h` (false: surely not).
    pub fn may_contain(&self, h: u64) -> bool {
        let b = &self.filter[block_of(h, self.filter.len())];
        b.iter().zip(mask_of(h)).all(|(w, m)| w & m != 0)
    }

    /// Whether `part` (the part of this index) has a row with message id `id` (hash `h`).
    pub fn contains(&self, h: u64, id: &str, part: &PartReader) -> bool {
        if !self.may_contain(h) {
            return false;
        }
        let hashes = self.hashes();
        let rows = self.rows_of();
        let mut i = hashes.partition_point(|&x| x < h);
        while i < hashes.len() && hashes[i] == h {
            if rows.get(i).is_some_and(|&r| part.text(TextCol::MessageId, r as usize) == id) {
                return true;
            }
            i += 1;
        }
        false
    }

    /// Memory held on the heap (the filter; the sorted hashes of a mapped sidecar are paged in on demand).
    pub fn heap_bytes(&self) -> usize {
        self.filter.len() * 32
            + match &self.sorted {
                Sorted::Owned { hashes, rows } => hashes.len() * 8 + rows.len() * 4,
                Sorted::Mapped { .. } => 0,
            }
    }

    fn encode(&self) -> Vec<u8> {
        let (hashes, rows) = (self.hashes(), self.rows_of());
        let mut body = Vec::with_capacity(self.filter.len() * 32 + hashes.len() * 12);
        for b in &self.filter {
            for w in b {
                body.extend_from_slice(&w.to_le_bytes());
            }
        }
        for h in hashes {
            body.extend_from_slice(&h.to_le_bytes());
        }
        for r in rows {
            body.extend_from_slice(&r.to_le_bytes());
        }
        let mut out = Vec::with_capacity(HEADER + body.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(self.rows as u64).to_le_bytes());
        out.extend_from_slice(&(hashes.len() as u64).to_le_bytes());
        out.extend_from_slice(&(self.filter.len() as u64).to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
        out.extend_from_slice(&[0u8; 4]);
        out.extend_from_slice(&body);
        out
    }

    /// Writes the sidecar at `path` (atomically) and returns the index with its sorted part mapped from it.
    pub fn store(self, path: &Path) -> Result<PartIds, EngineError> {
        let bytes = self.encode();
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let mut f = std::fs::File::create(&tmp).map_err(EngineError::io("create", &tmp))?;
        f.write_all(&bytes).map_err(EngineError::io("write", &tmp))?;
        f.sync_all().map_err(EngineError::io("fsync", &tmp))?;
        drop(f);
        std::fs::rename(&tmp, path).map_err(EngineError::io("rename", path))?;
        if let Some(dir) = path.parent() {
            crate::fsutil::sync_dir(dir)?;
        }
        match PartIds::load(path, self.rows)? {
            Some(ids) => Ok(ids),
            None => Ok(self),
        }
    }

    /// Reads the sidecar at `path` of a part of `rows` rows; `None` when missing, damaged or not that part's.
    pub fn load(path: &Path, rows: usize) -> Result<Option<PartIds>, EngineError> {
        let mut f = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(EngineError::Io { op: "open", path: path.into(), source: e }),
        };
        let mut head = [0u8; HEADER];
        if f.read_exact(&mut head).is_err() || &head[..8] != MAGIC {
            return Ok(None);
        }
        let u64_at = |at: usize| u64::from_le_bytes(head[at..at + 8].try_into().unwrap_or([0; 8]));
        let (part_rows, n, blocks) = (u64_at(8), u64_at(16), u64_at(24));
        let crc = u32::from_le_bytes(head[32..36].try_into().unwrap_or([0; 4]));
        let len = f.metadata().map_err(EngineError::io("stat", path))?.len();
        let want =
            (HEADER as u64).checked_add(blocks.saturating_mul(32)).and_then(|x| x.checked_add(n.saturating_mul(12)));
        if part_rows != rows as u64 || n > part_rows || blocks == 0 || want != Some(len) {
            return Ok(None);
        }
        // the checksum is read through the page cache, not the mapping: the sorted hashes stay out of this
        // process's resident memory until a filter hit needs them
        let mut hasher = crc32fast::Hasher::new();
        let mut filter = vec![[0u32; 8]; blocks as usize];
        let mut buf = vec![0u8; 1 << 20];
        let mut off = 0usize;
        let filter_bytes = blocks as usize * 32;
        loop {
            let got = f.read(&mut buf).map_err(EngineError::io("read", path))?;
            if got == 0 {
                break;
            }
            hasher.update(&buf[..got]);
            for (i, &b) in buf[..got].iter().enumerate() {
                let at = off + i;
                if at >= filter_bytes {
                    break;
                }
                let (blk, word, byte) = (at / 32, (at % 32) / 4, at % 4);
                filter[blk][word] |= (b as u32) << (8 * byte);
            }
            off += got;
        }
        if hasher.finalize() != crc {
            return Ok(None);
        }
        // SAFETY: sidecars are written once under a temporary name and renamed into place; tropa never writes
        // to them again, and the folder lock keeps other tropa processes away.
        let map = unsafe { memmap2::Mmap::map(&f) }.map_err(EngineError::io("mmap", path))?;
        let ids = PartIds { rows, filter, sorted: Sorted::Mapped { map, n: n as usize, filter_bytes } };
        if ids.hashes().len() != n as usize || ids.rows_of().len() != n as usize {
            return Ok(None);
        }
        Ok(Some(ids))
    }

    /// The index of `part`: its sidecar, or (missing or damaged) built from the part and written again.
    pub fn open(part: &PartReader) -> Result<PartIds, EngineError> {
        let path = sidecar_path(&part.path);
        if let Some(ids) = PartIds::load(&path, part.rows)? {
            return Ok(ids);
        }
        PartIds::of_part(part)?.store(&path)
    }
}

/// The sidecar of the part file `part`.
pub fn sidecar_path(part: &Path) -> PathBuf {
    part.with_extension("ids")
}

/// Writes the sidecar of the part just written at `part` from its data; returns the index (sorted part mapped).
pub fn write_sidecar(part: &Path, data: &PartData) -> Result<PartIds, EngineError> {
    PartIds::of_data(data).store(&sidecar_path(part))
}

/// The loaded per-part indexes, by part file.
#[derive(Default)]
pub struct PartIndex {
    parts: HashMap<PathBuf, Arc<PartIds>>,
}

impl PartIndex {
    pub fn insert(&mut self, part: &Path, ids: PartIds) {
        self.parts.insert(part.to_path_buf(), Arc::new(ids));
    }

    /// Memory held by the loaded filters (and any unmapped sorted ids).
    pub fn heap_bytes(&self) -> usize {
        self.parts.values().map(|p| p.heap_bytes()).sum()
    }
}

impl Writer {
    /// Adds the index of a part just written (when the index is loaded; else it is read at first use).
    pub fn index_part(&mut self, part: &Path, ids: PartIds) {
        if let Some(index) = self.part_ids.as_mut() {
            index.insert(part, ids);
        }
    }

    /// Loads the index of every part not loaded yet (their sidecars, rebuilt where missing or damaged) and drops
    /// those of parts no longer in the store.
    pub(super) fn part_index(&mut self) -> &PartIndex {
        let index = self.part_ids.get_or_insert_with(PartIndex::default);
        if index.parts.len() > self.parts.len() || self.parts.iter().any(|p| !index.parts.contains_key(&p.path)) {
            let live: HashSet<&PathBuf> = self.parts.iter().map(|p| &p.path).collect();
            index.parts.retain(|k, _| live.contains(k));
            for p in &self.parts {
                if !index.parts.contains_key(&p.path) {
                    // a part whose ids cannot be read (a damaged block) is left out of the index, as before; the
                    // scans that read the part report the damage
                    if let Ok(ids) = PartIds::open(p) {
                        index.parts.insert(p.path.clone(), Arc::new(ids));
                    }
                }
            }
        }
        index
    }

    /// Whether an event with message id `id` is stored (in the memtable, the frozen memtable, the bulk rows or
    /// a part). Call [`Writer::part_index`] first.
    fn is_stored(&self, id: &str) -> bool {
        let h = id_hash(id);
        let mid = TextCol::MessageId;
        if self.mem_ids.contains(h, id, |r| self.mem.text(mid, r as usize)) {
            return true;
        }
        if let Some(f) = &self.frozen {
            if f.ids.contains(h, id, |r| f.text(mid, r as usize)) {
                return true;
            }
        }
        if self.bulk_ids.contains(h, id, |r| self.bulk.text(mid, r as usize)) {
            return true;
        }
        let Some(index) = &self.part_ids else { return false };
        self.parts.iter().any(|p| index.parts.get(&p.path).is_some_and(|ids| ids.contains(h, id, p)))
    }

    /// Splits `events` into new ones and duplicates (of stored events, of `pending` — the ids of the batches
    /// logged together with this one — or of each other). The new events' ids go into `pending`; they join the
    /// index when the events are filed ([`Writer::apply`]), after they are logged. An empty message id is never
    /// a duplicate.
    pub fn dedup(&mut self, events: Vec<Event>, pending: &mut KeySet) -> (Vec<Event>, u64) {
        self.part_index();
        let mut fresh = Vec::with_capacity(events.len());
        let mut dups = 0;
        for ev in events {
            if ev.message_id.is_empty() {
                fresh.push(ev);
            } else if !pending.contains(&ev.message_id) && !self.is_stored(&ev.message_id) {
                pending.insert(ev.message_id.clone());
                fresh.push(ev);
            } else {
                dups += 1;
            }
        }
        (fresh, dups)
    }

    /// Memory held by the duplicate index: the in-memory indexes of the memtables and the part filters.
    pub fn dedup_heap_bytes(&self) -> usize {
        let mem = |m: &MemIds| m.first.capacity() * 12 + m.more.len() * 32;
        mem(&self.mem_ids)
            + mem(&self.bulk_ids)
            + self.frozen.as_ref().map_or(0, |f| mem(&f.ids))
            + self.part_ids.as_ref().map_or(0, PartIndex::heap_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_has_about_half_a_percent_false_positives() {
        let ids: Vec<String> = (0..200_000).map(|i| format!("m-{i}")).collect();
        let p = PartIds::build(ids.len(), ids.iter().map(|s| s.as_str()));
        assert!(ids.iter().all(|id| p.may_contain(id_hash(id))), "no false negatives");
        let hits = (0..200_000).filter(|i| p.may_contain(id_hash(&format!("other-{i}")))).count();
        let rate = hits as f64 / 200_000.0;
        assert!(rate < 0.01, "false positive rate {rate}");
    }

    #[test]
    fn a_sidecar_round_trips_and_a_damaged_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part-00000001.ids");
        let ids: Vec<String> = (0..1000).map(|i| if i % 7 == 0 { String::new() } else { format!("id{i}") }).collect();
        let p = PartIds::build(ids.len(), ids.iter().map(|s| s.as_str())).store(&path).unwrap();
        assert!(matches!(p.sorted, Sorted::Mapped { .. }));
        assert_eq!(p.len(), 1000 - 143);
        let loaded = PartIds::load(&path, 1000).unwrap().expect("loads");
        assert_eq!(loaded.hashes(), p.hashes());
        assert_eq!(loaded.rows_of(), p.rows_of());
        assert!(PartIds::load(&path, 999).unwrap().is_none(), "another part's row count");
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(PartIds::load(&path, 1000).unwrap().is_none(), "checksum");
        std::fs::write(&path, &bytes[..100]).unwrap();
        assert!(PartIds::load(&path, 1000).unwrap().is_none(), "truncated");
    }

    #[test]
    fn mem_ids_confirm_the_full_id() {
        let rows = ["a", "b", "c"];
        let mut m = MemIds::default();
        for (i, r) in rows.iter().enumerate() {
            m.insert(r, i as u32);
        }
        // pretend every id has hash 7: still exact
        let mut forced = MemIds::default();
        for (i, _) in rows.iter().enumerate() {
            match forced.first.entry(7) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(i as u32);
                }
                std::collections::hash_map::Entry::Occupied(_) => forced.more.entry(7).or_default().push(i as u32),
            }
        }
        let id_of = |r: u32| rows[r as usize];
        assert!(forced.contains(7, "c", id_of));
        assert!(!forced.contains(7, "d", id_of));
        assert!(m.contains(id_hash("b"), "b", id_of));
        assert!(!m.contains(id_hash("z"), "z", id_of));
    }
}
