//! `actors.idx`: an on-disk, sorted lookup from any actor name (anonymous id, user id, any alias the identity
//! log knows) to its actor id, read with a binary search by positioned reads, so that looking up one customer
//! never loads every actor name.
//!
//! ```text
//! header  "TRPIDX1\0" | u64 actors | u64 bytes of actors.log covered | u64 entry blocks | u64 mark blocks
//!         | u32 crc32 of the block checksums | u32 crc32 of the header before it
//! entries blocks of ENTRIES × (u64 xxh3 of the name | u32 actor id), sorted by (hash, id); the last is shorter
//! marks   blocks of MARKS × u64: where the record of actor 64·i starts in actors.log
//! crcs    one u32 crc32 per entry block, then per mark block
//! ```
//! Every block read is checked against its checksum; a name found by its hash is confirmed against the name
//! in `actors.log`, so a collision never answers the wrong actor. The index covers the first `actors` actors;
//! those appended since are read from the rest of `actors.log` ([`ActorIndex::lookup`]), and the index is
//! written again when that rest grows ([`needs_rebuild`]) or when the file is missing or damaged.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use tropa_engine::EngineError;

use crate::codec::read_var;
use crate::fsutil;

pub const INDEX: &str = "actors.idx";
const MAGIC: &[u8; 8] = b"TRPIDX1\0";
const HEAD: usize = 48;
/// Entries per entry block (48 KiB).
const ENTRIES: usize = 4096;
const ENTRY: usize = 12;
/// Marks per mark block (32 KiB).
const MARKS: usize = 4096;
/// One mark every this many actors.
const EVERY: usize = 64;

/// The hash names are sorted by (stable across versions: xxh3, 64 bits).
pub fn hash(name: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(name.as_bytes())
}

/// An open `actors.idx` and the `actors.log` it points into.
pub struct ActorIndex {
    file: File,
    log: File,
    path: PathBuf,
    /// Actors covered, and the bytes of `actors.log` they take.
    pub actors: u64,
    pub covered: u64,
    entry_blocks: usize,
    crcs: Vec<u32>,
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or_default())
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap_or_default())
}

/// Calls `f(id, record start, name)` for every record of `buf` (actor records as `ident::encode_actors` writes
/// them), ids from `first`.
fn each_record(buf: &[u8], first: u64, mut f: impl FnMut(u64, usize, &str)) -> Result<(), String> {
    let (mut pos, mut id) = (0usize, first);
    while pos < buf.len() {
        let start = pos;
        let n = read_var(buf, &mut pos).ok_or("actor record: bad length")? as usize;
        let bytes = pos.checked_add(n).and_then(|end| buf.get(pos..end)).ok_or("actor record ends early")?;
        let name = std::str::from_utf8(bytes).map_err(|_| "actor record: invalid utf-8")?;
        f(id, start, name);
        pos += n;
        id += 1;
    }
    Ok(())
}

fn read_at(file: &File, at: u64, len: usize, path: &Path) -> Result<Vec<u8>, EngineError> {
    let mut buf = vec![0u8; len];
    file.read_exact_at(&mut buf, at).map_err(EngineError::io("read", path))?;
    Ok(buf)
}

/// Writes the index of the first `actors` actors of `dir`'s `actors.log` (its first `len` bytes), atomically.
pub fn build(dir: &Path, actors: u64, len: u64) -> Result<(), EngineError> {
    let log_path = dir.join(crate::ident::ACTORS);
    let log = File::open(&log_path).map_err(EngineError::io("open", &log_path))?;
    let buf = read_at(&log, 0, len as usize, &log_path)?;
    drop(log);
    let mut entries: Vec<(u64, u32)> = Vec::with_capacity(actors as usize);
    let mut marks: Vec<u64> = Vec::with_capacity((actors as usize).div_ceil(EVERY));
    each_record(&buf, 0, |id, start, name| {
        entries.push((hash(name), id as u32));
        if (id as usize).is_multiple_of(EVERY) {
            marks.push(start as u64);
        }
    })
    .map_err(|reason| EngineError::Corrupt { path: log_path.clone(), reason })?;
    drop(buf);
    if entries.len() as u64 != actors {
        return Err(EngineError::Corrupt { path: log_path, reason: "actor count differs from the manifest".into() });
    }
    entries.sort_unstable();
    let mut body = Vec::with_capacity(entries.len() * ENTRY + marks.len() * 8);
    let mut crcs = Vec::new();
    for block in entries.chunks(ENTRIES) {
        let at = body.len();
        for &(h, id) in block {
            body.extend_from_slice(&h.to_le_bytes());
            body.extend_from_slice(&id.to_le_bytes());
        }
        crcs.push(crc32fast::hash(&body[at..]));
    }
    let entry_blocks = crcs.len();
    for block in marks.chunks(MARKS) {
        let at = body.len();
        for &m in block {
            body.extend_from_slice(&m.to_le_bytes());
        }
        crcs.push(crc32fast::hash(&body[at..]));
    }
    let crc_bytes: Vec<u8> = crcs.iter().flat_map(|c| c.to_le_bytes()).collect();
    let mut head = Vec::with_capacity(HEAD);
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&actors.to_le_bytes());
    head.extend_from_slice(&len.to_le_bytes());
    head.extend_from_slice(&(entry_blocks as u64).to_le_bytes());
    head.extend_from_slice(&((crcs.len() - entry_blocks) as u64).to_le_bytes());
    head.extend_from_slice(&crc32fast::hash(&crc_bytes).to_le_bytes());
    head.extend_from_slice(&crc32fast::hash(&head).to_le_bytes());
    let path = dir.join(INDEX);
    let tmp = path.with_extension("tmp");
    let mut out = head;
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc_bytes);
    std::fs::write(&tmp, &out).map_err(EngineError::io("write", &tmp))?;
    File::open(&tmp).and_then(|f| f.sync_all()).map_err(EngineError::io("fsync", &tmp))?;
    std::fs::rename(&tmp, &path).map_err(EngineError::io("rename", &path))?;
    fsutil::sync_dir(dir)
}

/// Whether the index of `covered` actors should be written again for a log of `actors` actors: its rest (read
/// linearly by every lookup) has grown past 64 Ki actors and an eighth of the index.
pub fn needs_rebuild(covered: u64, actors: u64) -> bool {
    let rest = actors.saturating_sub(covered);
    rest > 65_536 && rest * 8 > covered
}

impl ActorIndex {
    /// Opens `dir`'s index for a log of `actors` actors in `len` bytes; `None` if it is missing, damaged or
    /// does not describe a prefix of that log (then [`build`] writes it again).
    pub fn open(dir: &Path, actors: u64, len: u64) -> Result<Option<ActorIndex>, EngineError> {
        let path = dir.join(INDEX);
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(EngineError::Io { op: "open", path, source: e }),
        };
        let size = file.metadata().map_err(EngineError::io("stat", &path))?.len();
        if size < HEAD as u64 {
            return Ok(None);
        }
        let head = read_at(&file, 0, HEAD, &path)?;
        if &head[..8] != MAGIC || u32_at(&head, 44) != crc32fast::hash(&head[..44]) {
            return Ok(None);
        }
        let (n, covered) = (u64_at(&head, 8), u64_at(&head, 16));
        let (entry_blocks, mark_blocks) = (u64_at(&head, 24) as usize, u64_at(&head, 32) as usize);
        let marks = (n as usize).div_ceil(EVERY);
        let expect = HEAD as u64 + n * ENTRY as u64 + marks as u64 * 8 + (entry_blocks + mark_blocks) as u64 * 4;
        if n > actors
            || covered > len
            || entry_blocks != (n as usize).div_ceil(ENTRIES)
            || mark_blocks != marks.div_ceil(MARKS)
            || size != expect
        {
            return Ok(None);
        }
        let crc_bytes =
            read_at(&file, expect - (entry_blocks + mark_blocks) as u64 * 4, (entry_blocks + mark_blocks) * 4, &path)?;
        if crc32fast::hash(&crc_bytes) != u32_at(&head, 40) {
            return Ok(None);
        }
        let crcs = crc_bytes.chunks_exact(4).map(|c| u32_at(c, 0)).collect();
        let log_path = dir.join(crate::ident::ACTORS);
        let log = File::open(&log_path).map_err(EngineError::io("open", &log_path))?;
        Ok(Some(ActorIndex { file, log, path, actors: n, covered, entry_blocks, crcs }))
    }

    fn damaged(&self, what: &str) -> EngineError {
        EngineError::Corrupt { path: self.path.clone(), reason: what.to_string() }
    }

    /// Entry block `b`, checked.
    fn entry_block(&self, b: usize) -> Result<Vec<(u64, u32)>, EngineError> {
        let first = b * ENTRIES;
        let count = (self.actors as usize - first).min(ENTRIES);
        let buf = read_at(&self.file, (HEAD + first * ENTRY) as u64, count * ENTRY, &self.path)?;
        if crc32fast::hash(&buf) != self.crcs[b] {
            return Err(self.damaged("entry block checksum mismatch"));
        }
        Ok(buf.chunks_exact(ENTRY).map(|e| (u64_at(e, 0), u32_at(e, 8))).collect())
    }

    /// Where the record of actor 64·`m` starts in `actors.log`, checked.
    fn mark(&self, m: usize) -> Result<u64, EngineError> {
        let marks = (self.actors as usize).div_ceil(EVERY);
        let b = m / MARKS;
        let first = b * MARKS;
        let count = (marks - first).min(MARKS);
        let at = HEAD + self.actors as usize * ENTRY + first * 8;
        let buf = read_at(&self.file, at as u64, count * 8, &self.path)?;
        if crc32fast::hash(&buf) != self.crcs[self.entry_blocks + b] {
            return Err(self.damaged("mark block checksum mismatch"));
        }
        Ok(u64_at(&buf, (m - first) * 8))
    }

    /// Name of actor `id` (< [`ActorIndex::actors`]), read from `actors.log` by its mark.
    pub fn name(&self, id: u32) -> Result<String, EngineError> {
        let id = id as usize;
        if id as u64 >= self.actors {
            return Err(self.damaged("actor id out of range"));
        }
        let m = id / EVERY;
        let from = self.mark(m)?;
        let to = if (m + 1) * EVERY < self.actors as usize { self.mark(m + 1)? } else { self.covered };
        if to < from || to > self.covered {
            return Err(self.damaged("marks out of order"));
        }
        let buf = read_at(&self.log, from, (to - from) as usize, &self.path)?;
        let mut out = None;
        each_record(&buf, (m * EVERY) as u64, |i, _, name| {
            if i as usize == id {
                out = Some(name.to_string());
            }
        })
        .map_err(|e| self.damaged(&e))?;
        out.ok_or_else(|| self.damaged("a mark points to the wrong record"))
    }

    /// The actor named `name` among the indexed ones, then among the `actors.log` records from byte
    /// [`ActorIndex::covered`] to `len` (actors appended since the index was written).
    pub fn lookup(&self, name: &str, len: u64) -> Result<Option<u32>, EngineError> {
        let h = hash(name);
        if self.entry_blocks > 0 {
            // the last block whose first hash is below h holds the first entry ≥ h (or it starts the next one)
            let (mut lo, mut hi) = (0usize, self.entry_blocks);
            while hi - lo > 1 {
                let mid = (lo + hi) / 2;
                if self.entry_block(mid)?[0].0 < h {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let mut b = lo;
            let mut block = self.entry_block(b)?;
            let mut i = block.partition_point(|e| e.0 < h);
            loop {
                if i == block.len() {
                    b += 1;
                    if b == self.entry_blocks {
                        break;
                    }
                    block = self.entry_block(b)?;
                    i = 0;
                }
                if block[i].0 != h {
                    break;
                }
                if self.name(block[i].1)? == name {
                    return Ok(Some(block[i].1));
                }
                i += 1;
            }
        }
        if len > self.covered {
            let rest = read_at(&self.log, self.covered, (len - self.covered) as usize, &self.path)?;
            let mut found = None;
            each_record(&rest, self.actors, |id, _, n| {
                if found.is_none() && n == name {
                    found = Some(id as u32);
                }
            })
            .map_err(|e| self.damaged(&e))?;
            return Ok(found);
        }
        Ok(None)
    }

    /// Name of any actor below `actors` (those past the index read from the rest of `actors.log`).
    pub fn name_any(&self, id: u32, len: u64) -> Result<String, EngineError> {
        if (id as u64) < self.actors {
            return self.name(id);
        }
        let rest = read_at(&self.log, self.covered, (len.saturating_sub(self.covered)) as usize, &self.path)?;
        let mut out = None;
        each_record(&rest, self.actors, |i, _, n| {
            if i == id as u64 {
                out = Some(n.to_string());
            }
        })
        .map_err(|e| self.damaged(&e))?;
        out.ok_or_else(|| self.damaged("actor id out of range"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(dir: &Path, names: &[String]) -> u64 {
        let mut buf = Vec::new();
        crate::ident::encode_actors(names.iter().map(|s| s.as_str()), &mut buf);
        std::fs::write(dir.join(crate::ident::ACTORS), &buf).unwrap();
        buf.len() as u64
    }

    #[test]
    fn finds_every_name_and_none_other() {
        let dir = tempfile::tempdir().unwrap();
        let names: Vec<String> =
            (0..20_000).map(|i| if i % 3 == 0 { format!("user-{i}") } else { format!("anon-{i:x}-ж") }).collect();
        let len = log(dir.path(), &names);
        build(dir.path(), names.len() as u64, len).unwrap();
        let idx = ActorIndex::open(dir.path(), names.len() as u64, len).unwrap().unwrap();
        for (i, n) in names.iter().enumerate().step_by(7) {
            assert_eq!(idx.lookup(n, len).unwrap(), Some(i as u32), "{n}");
            assert_eq!(&idx.name(i as u32).unwrap(), n);
        }
        assert_eq!(idx.lookup("nobody", len).unwrap(), None);
        assert_eq!(idx.lookup("", len).unwrap(), None);
    }

    #[test]
    fn actors_appended_after_the_index_are_found_in_the_rest_of_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let mut names: Vec<String> = (0..500).map(|i| format!("a{i}")).collect();
        let len = log(dir.path(), &names);
        build(dir.path(), names.len() as u64, len).unwrap();
        names.extend((0..100).map(|i| format!("late{i}")));
        let len2 = log(dir.path(), &names);
        let idx = ActorIndex::open(dir.path(), names.len() as u64, len2).unwrap().unwrap();
        assert_eq!(idx.lookup("late7", len2).unwrap(), Some(507));
        assert_eq!(idx.name_any(507, len2).unwrap(), "late7");
        assert_eq!(idx.lookup("a499", len2).unwrap(), Some(499));
        assert!(!needs_rebuild(500, 600));
        assert!(needs_rebuild(100_000, 200_000));
    }

    #[test]
    fn damage_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let names: Vec<String> = (0..10_000).map(|i| format!("c{i}")).collect();
        let len = log(dir.path(), &names);
        build(dir.path(), names.len() as u64, len).unwrap();
        let path = dir.path().join(INDEX);
        let mut bytes = std::fs::read(&path).unwrap();
        // a damaged header: the index is not used (and is written again)
        bytes[9] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(ActorIndex::open(dir.path(), names.len() as u64, len).unwrap().is_none());
        bytes[9] ^= 1;
        // a damaged entry: every lookup that reads its block is an error, never a wrong answer
        bytes[HEAD + 5 * ENTRY + 3] ^= 0x10;
        std::fs::write(&path, &bytes).unwrap();
        let idx = ActorIndex::open(dir.path(), names.len() as u64, len).unwrap().unwrap();
        let mut errors = 0;
        for (i, n) in names.iter().enumerate() {
            match idx.lookup(n, len) {
                Ok(got) => assert_eq!(got, Some(i as u32)),
                Err(_) => errors += 1,
            }
        }
        assert!(errors > 0);
        // a log shorter than the index covers: not used
        assert!(ActorIndex::open(dir.path(), 10, 50).unwrap().is_none());
    }
}
