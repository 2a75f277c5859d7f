//! Identity on disk: `actors.log` (actor names in id order), `links.bin` (the merges as id pairs, replayed into
//! the union–find at open) and `reasons.log` (the message behind each merge). All three are append-only and cut
//! back at open to the lengths the manifest vouches for, so a crash in the middle of a flush leaves no trace.
//!
//! `roots.bin` keeps the result of the replay — every actor's representative — for the identity state it was
//! computed from, so that an open maps it instead of replaying millions of links (see [`roots`]). It is derived:
//! missing, damaged or written for another state, it is rebuilt from `links.bin` and written again.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

use tropa_core::identity::Merge;
use tropa_core::{ActorId, MessageKind};
use tropa_engine::EngineError;

use crate::codec::{Dec, Enc};

pub const ACTORS: &str = "actors.log";
pub const LINKS: &str = "links.bin";
pub const REASONS: &str = "reasons.log";
pub const ROOTS: &str = "roots.bin";

/// Cuts `path` back to `len` bytes (creating it if missing) and returns its content.
pub fn read_prefix(path: &Path, len: u64) -> Result<Vec<u8>, EngineError> {
    cut_to(path, len)?;
    let mut buf = std::fs::read(path).map_err(EngineError::io("read", path))?;
    buf.truncate(len as usize);
    Ok(buf)
}

/// Cuts `path` back to `len` bytes (creating it if missing) without reading it: what an append left beyond
/// what the manifest vouches for is dropped. Shorter than `len` is damage.
pub fn cut_to(path: &Path, len: u64) -> Result<(), EngineError> {
    let f = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
        .map_err(EngineError::io("open", path))?;
    let have = f.metadata().map_err(EngineError::io("stat", path))?.len();
    if have < len {
        return Err(EngineError::Corrupt {
            path: path.into(),
            reason: format!("{have} bytes, the manifest expects {len}"),
        });
    }
    if have > len {
        f.set_len(len).map_err(EngineError::io("truncate", path))?;
        f.sync_all().map_err(EngineError::io("fsync", path))?;
    }
    Ok(())
}

/// Appends `bytes` durably; returns the new length.
pub fn append(path: &Path, bytes: &[u8]) -> Result<u64, EngineError> {
    let mut f: File = OpenOptions::new().create(true).append(true).open(path).map_err(EngineError::io("open", path))?;
    f.write_all(bytes).map_err(EngineError::io("write", path))?;
    f.sync_data().map_err(EngineError::io("fsync", path))?;
    f.metadata().map(|m| m.len()).map_err(EngineError::io("stat", path))
}

/// Encodes actor names for `actors.log`.
pub fn encode_actors<'a>(names: impl Iterator<Item = &'a str>, out: &mut Vec<u8>) {
    let mut e = Enc(out);
    for n in names {
        e.str(n);
    }
}

/// Decodes `actors.log` into a name arena and start offsets.
pub fn decode_actors(buf: &[u8], path: &Path) -> Result<(String, Vec<u64>), EngineError> {
    let mut d = Dec::new(buf);
    let mut arena = String::with_capacity(buf.len());
    let mut starts = Vec::new();
    while !d.done() {
        let s = d.str().map_err(|reason| EngineError::Corrupt { path: path.into(), reason })?;
        starts.push(arena.len() as u64);
        arena.push_str(&s);
    }
    Ok((arena, starts))
}

/// Encodes merges: id pairs for `links.bin`, reasons for `reasons.log`.
pub fn encode_merges(merges: &[Merge], links: &mut Vec<u8>, reasons: &mut Vec<u8>) {
    for m in merges {
        links.extend_from_slice(&m.a.0.to_le_bytes());
        links.extend_from_slice(&m.b.0.to_le_bytes());
        let mut e = Enc(reasons);
        e.var(m.a.0 as u64);
        e.var(m.b.0 as u64);
        e.u8(m.via as u8);
        e.i64(m.at);
        e.str(&m.message_id);
    }
}

pub fn decode_links(buf: &[u8]) -> Vec<(u32, u32)> {
    buf.chunks_exact(8)
        .map(|c| (u32::from_le_bytes([c[0], c[1], c[2], c[3]]), u32::from_le_bytes([c[4], c[5], c[6], c[7]])))
        .collect()
}

pub fn decode_reasons(buf: &[u8], path: &Path) -> Result<Vec<Merge>, EngineError> {
    let bad = |reason: String| EngineError::Corrupt { path: path.into(), reason };
    let mut d = Dec::new(buf);
    let mut out = Vec::new();
    while !d.done() {
        let a = d.var().map_err(bad)? as u32;
        let b = d.var().map_err(bad)? as u32;
        let via = MessageKind::from_u8(d.u8().map_err(bad)?).unwrap_or_default();
        let at = d.i64().map_err(bad)?;
        let message_id = d.str().map_err(bad)?;
        out.push(Merge { a: ActorId(a), b: ActorId(b), message_id, via, at });
    }
    Ok(out)
}

/// The parent array of `actors` actors after replaying `links` (representative = smallest id).
pub fn parents_from_links(actors: usize, links: &[(u32, u32)]) -> Result<Vec<u32>, String> {
    let mut parent: Vec<u32> = (0..actors as u32).collect();
    fn find(p: &mut [u32], x: u32) -> u32 {
        let mut r = x;
        while p[r as usize] != r {
            r = p[r as usize];
        }
        let mut c = x;
        while p[c as usize] != r {
            let n = p[c as usize];
            p[c as usize] = r;
            c = n;
        }
        r
    }
    for &(a, b) in links {
        if a as usize >= actors || b as usize >= actors {
            return Err(format!("a link names actor {} but there are {actors}", a.max(b)));
        }
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            parent[hi as usize] = lo;
        }
    }
    for i in 0..actors {
        let r = find(&mut parent, i as u32);
        parent[i] = r;
    }
    Ok(parent)
}

/// Every actor's representative (the smallest id of its merged group), indexed by actor id: built in memory, or
/// mapped from `roots.bin`.
pub enum Roots {
    Owned(Vec<u32>),
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Roots {
    type Target = [u32];
    fn deref(&self) -> &[u32] {
        match self {
            Roots::Owned(v) => v,
            // checked at load: 4-byte aligned (the map is page aligned, the header 32 bytes) and whole entries
            Roots::Mapped(m) => bytemuck::cast_slice(&m[ROOTS_HEADER..]),
        }
    }
}

impl From<Vec<u32>> for Roots {
    fn from(v: Vec<u32>) -> Self {
        Roots::Owned(v)
    }
}

impl std::fmt::Debug for Roots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = if matches!(self, Roots::Mapped(_)) { "mapped" } else { "owned" };
        write!(f, "Roots({} actors, {how})", self.len())
    }
}

/// `roots.bin`: magic, actors (u64), the length of `links.bin` (u64), a CRC-32 of its last [`LINKS_TAIL`] bytes
/// and a CRC-32 of the entries; then one little-endian u32 per actor. The links the manifest vouches for are
/// append-only and never rewritten, so their length names the state; the tail's CRC guards against a
/// `links.bin` of the same length from elsewhere (a folder put together from two copies).
const ROOTS_MAGIC: &[u8; 8] = b"TRPROOT1";
const ROOTS_HEADER: usize = 32;
const LINKS_TAIL: u64 = 64 * 1024;

fn roots_header(actors: u64, links_len: u64, links_tail: &[u8], entries: &[u8]) -> [u8; ROOTS_HEADER] {
    let mut h = [0u8; ROOTS_HEADER];
    h[..8].copy_from_slice(ROOTS_MAGIC);
    h[8..16].copy_from_slice(&actors.to_le_bytes());
    h[16..24].copy_from_slice(&links_len.to_le_bytes());
    h[24..28].copy_from_slice(&crc32fast::hash(links_tail).to_le_bytes());
    h[28..32].copy_from_slice(&crc32fast::hash(entries).to_le_bytes());
    h
}

/// The stored roots, if `roots.bin` holds them for exactly this state, undamaged.
fn mapped_roots(path: &Path, actors: u64, links_len: u64, links_tail: &[u8]) -> Option<Roots> {
    let f = File::open(path).ok()?;
    // SAFETY: the store holds the folder's LOCK, and roots.bin is only ever replaced by a rename, never
    // written in place, so the mapped file does not change under the map.
    let m = unsafe { memmap2::Mmap::map(&f) }.ok()?;
    let entries = m.get(ROOTS_HEADER..)?;
    if entries.len() as u64 != actors.checked_mul(4)?
        || m[..ROOTS_HEADER] != roots_header(actors, links_len, links_tail, entries)
    {
        return None;
    }
    Some(Roots::Mapped(m))
}

/// The roots of `actors` actors after replaying the first `links_len` bytes of `links.bin` (what the manifest
/// vouches for; the file is cut back to them): mapped from `roots.bin` when it was written for this state,
/// else rebuilt and written there for the next open (best effort: a folder that cannot be written to only
/// loses the shortcut).
pub fn roots(dir: &Path, actors: u64, links_len: u64) -> Result<Roots, EngineError> {
    use std::io::{Read, Seek, SeekFrom};
    let links_path = dir.join(LINKS);
    cut_to(&links_path, links_len)?;
    let mut tail = Vec::new();
    let mut f = File::open(&links_path).map_err(EngineError::io("open", &links_path))?;
    f.seek(SeekFrom::Start(links_len.saturating_sub(LINKS_TAIL)))
        .and_then(|_| f.take(LINKS_TAIL.min(links_len)).read_to_end(&mut tail))
        .map_err(EngineError::io("read", &links_path))?;
    let path = dir.join(ROOTS);
    if let Some(r) = mapped_roots(&path, actors, links_len, &tail) {
        return Ok(r);
    }
    // already cut back to `links_len` above
    let links = std::fs::read(&links_path).map_err(EngineError::io("read", &links_path))?;
    let parents = parents_from_links(actors as usize, &decode_links(&links))
        .map_err(|reason| EngineError::Corrupt { path: links_path, reason })?;
    let entries: &[u8] = bytemuck::cast_slice(&parents);
    let tmp = path.with_extension("tmp");
    let written = File::create(&tmp).and_then(|mut f| {
        f.write_all(&roots_header(actors, links_len, &tail, entries))?;
        f.write_all(entries)
    });
    // derived and checked by its CRCs at every open: no fsync needed, a torn file is rebuilt
    if written.and_then(|()| std::fs::rename(&tmp, &path)).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    Ok(Roots::Owned(parents))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_is_cut_back_to_the_manifest_without_being_read_and_a_short_one_is_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(REASONS);
        std::fs::write(&path, b"0123456789").unwrap();
        cut_to(&path, 4).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"0123");
        cut_to(&path, 4).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"0123");
        assert!(matches!(cut_to(&path, 9), Err(EngineError::Corrupt { .. })));
        // a missing log is created empty
        let fresh = dir.path().join("fresh.log");
        cut_to(&fresh, 0).unwrap();
        assert_eq!(std::fs::read(&fresh).unwrap(), b"");
        assert_eq!(read_prefix(&path, 2).unwrap(), b"01");
    }
}
