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

/// The link (a, b) stored in 8 bytes of `links.bin`.
fn link_pair(c: &[u8]) -> (u32, u32) {
    (u32::from_le_bytes([c[0], c[1], c[2], c[3]]), u32::from_le_bytes([c[4], c[5], c[6], c[7]]))
}

pub fn decode_links(buf: &[u8]) -> Vec<(u32, u32)> {
    buf.chunks_exact(8).map(link_pair).collect()
}

/// The front of a `reasons.log` record: the two actors, the linking message's kind and time (the message id
/// follows).
fn merge_head(d: &mut Dec<'_>) -> Result<(u32, u32, MessageKind, i64), String> {
    let (a, b) = (d.var()? as u32, d.var()? as u32);
    let via = MessageKind::from_u8(d.u8()?).unwrap_or_default();
    Ok((a, b, via, d.i64()?))
}

/// A whole `reasons.log` record.
fn read_merge(d: &mut Dec<'_>) -> Result<Merge, String> {
    let (a, b, via, at) = merge_head(d)?;
    Ok(Merge { a: ActorId(a), b: ActorId(b), message_id: d.str()?, via, at })
}

#[cfg(test)]
fn decode_reasons(buf: &[u8], path: &Path) -> Result<Vec<Merge>, EngineError> {
    let bad = |reason: String| EngineError::Corrupt { path: path.into(), reason };
    let mut d = Dec::new(buf);
    let mut out = Vec::new();
    while !d.done() {
        out.push(read_merge(&mut d).map_err(bad)?);
    }
    Ok(out)
}

/// The log at `path` cut back to `len` bytes and mapped read-only (slice it to `..len`).
pub fn map_log(path: &Path, len: u64) -> Result<memmap2::Mmap, EngineError> {
    cut_to(path, len)?;
    let f = File::open(path).map_err(EngineError::io("open", path))?;
    // SAFETY: the store holds the folder's LOCK and the identity logs are only appended to past the manifest's
    // length (and cut back to it at open), so the mapped bytes below `len` do not change under the map.
    unsafe { memmap2::Mmap::map(&f) }.map_err(EngineError::io("map", path))
}

/// Calls `each(i, a, b)` for every link of the first `len` bytes of `links.bin` at `path`, in order, the file read
/// a piece at a time.
fn each_link(path: &Path, len: u64, mut each: impl FnMut(usize, u32, u32)) -> Result<(), EngineError> {
    use std::io::Read;
    const PIECE: usize = 1 << 20;
    let mut file = File::open(path).map_err(EngineError::io("open", path))?.take(len - len % 8);
    let mut buf = vec![0u8; PIECE];
    let mut i = 0;
    loop {
        let mut got = 0;
        while got < PIECE {
            match file.read(&mut buf[got..]).map_err(EngineError::io("read", path))? {
                0 => break,
                n => got += n,
            }
        }
        for c in buf[..got - got % 8].chunks_exact(8) {
            let (a, b) = link_pair(c);
            each(i, a, b);
            i += 1;
        }
        if got < PIECE {
            return Ok(());
        }
    }
}

/// The customer of actor `id`: every actor linked to it, directly or not, by the first `len` bytes of
/// `links.bin` at `path` or by `pending` pairs (sorted: the first is the representative, the smallest id, as
/// [`parents_from_links`] chooses), and the indices of the file's links among them (their records in
/// `reasons.log`). The links are read a piece at a time, again until no member is added, so a lookup neither
/// walks every actor's root nor holds every link; a customer still growing after a few passes (a long chain
/// written backwards, thousands of members) is read from `roots` instead: every actor of `id`'s root.
pub fn component(
    path: &Path,
    len: u64,
    pending: &[(u32, u32)],
    roots: &[u32],
    id: u32,
) -> Result<(Vec<u32>, Vec<usize>), EngineError> {
    const PASSES: usize = 4;
    const MEMBERS: usize = 4096;
    cut_to(path, len)?;
    // sorted, small: a binary search per end of each link
    let mut members = vec![id];
    let add = |members: &mut Vec<u32>, a: u32, b: u32| {
        // nearly every link misses: a branch-free test of a few members, a binary search of many
        let touches = if members.len() <= 16 {
            members.iter().fold(false, |t, &m| t | (m == a) | (m == b))
        } else {
            members.binary_search(&a).is_ok() || members.binary_search(&b).is_ok()
        };
        if !touches {
            return false;
        }
        for x in [a, b] {
            if let Err(at) = members.binary_search(&x) {
                members.insert(at, x);
            }
        }
        true
    };
    let mut hits = Vec::new();
    let mut settled = false;
    for _ in 0..PASSES {
        let before = members.len();
        hits.clear();
        each_link(path, len, |i, a, b| {
            if add(&mut members, a, b) {
                hits.push(i);
            }
        })?;
        for &(a, b) in pending {
            add(&mut members, a, b);
        }
        if members.len() == before {
            settled = true;
            break;
        }
        if members.len() > MEMBERS {
            break;
        }
    }
    if !settled {
        let root = roots.get(id as usize).copied().unwrap_or(id);
        let of_root = |a: u32| roots.get(a as usize).is_some_and(|&r| r == root);
        members = (0..roots.len() as u32).filter(|&a| of_root(a)).collect();
        hits.clear();
        // a link joins two actors of one customer: one end tells
        each_link(path, len, |i, a, _| {
            if of_root(a) {
                hits.push(i);
            }
        })?;
    }
    Ok((members, hits))
}

/// Pages of a mapped log walked past are let go every this many bytes.
const WALKED: usize = 4 << 20;

/// The merges among the first `len` bytes of `reasons.log` at `path` that touch an actor `keep` accepts. The file
/// is mapped and walked record by record, the message ids of the others stepped over, each 4 MB's pages let go
/// once passed: one customer's merges never hold every merge (nor the whole file) in memory. Same records, same
/// order as [`decode_reasons`] then a filter.
pub fn reasons_where(path: &Path, len: u64, keep: impl Fn(u32) -> bool) -> Result<Vec<Merge>, EngineError> {
    let bad = |reason: String| EngineError::Corrupt { path: path.into(), reason };
    let map = map_log(path, len)?;
    let b = map.get(..len as usize).ok_or_else(|| bad("shorter than the manifest says".into()))?;
    let (mut pos, mut passed, mut out) = (0usize, 0usize, Vec::new());
    while pos < b.len() {
        let mut d = Dec::new(&b[pos..]);
        let (a, b, via, at) = merge_head(&mut d).map_err(bad)?;
        if keep(a) || keep(b) {
            out.push(Merge { a: ActorId(a), b: ActorId(b), message_id: d.str().map_err(bad)?, via, at });
        } else {
            d.skip_str().map_err(bad)?;
        }
        pos += d.pos;
        if pos - passed >= WALKED {
            crate::fsutil::let_go(&map, passed, pos);
            passed = pos;
        }
    }
    crate::fsutil::let_go(&map, passed, pos);
    Ok(out)
}

/// The records of `reasons.log` at the (sorted) indices `at` (those [`component`] found), walked as in
/// [`reasons_where`] no further than the last, the others stepped over by their lengths alone: the sizes of their
/// actor ids from `links` (the bytes of `links.bin`, whose link i is record i; without them the ids are read), so a
/// lookup of the newest customers, which walks nearly the whole file, reads one length per record.
pub fn reasons_at(path: &Path, len: u64, links: &[u8], at: &[usize]) -> Result<Vec<Merge>, EngineError> {
    let link = |i: usize| links.get(i * 8..i * 8 + 8).map(link_pair);
    if at.is_empty() {
        return Ok(Vec::new());
    }
    let bad = |reason: &str| EngineError::Corrupt { path: path.into(), reason: reason.into() };
    let map = map_log(path, len)?;
    let b = map.get(..len as usize).ok_or_else(|| bad("shorter than the manifest says"))?;
    let (mut pos, mut i, mut out, mut passed) = (0usize, 0usize, Vec::with_capacity(at.len()), 0usize);
    for &want in at {
        while i < want {
            // a, b (varints), kind (1 byte), time (8 bytes), then the message id's length and bytes; a and b are
            // the link's, so their sizes are known without reading them (checked where the record is read)
            match link(i) {
                Some((x, y)) => pos += var_len(x) + var_len(y),
                None => {
                    for _ in 0..2 {
                        pos = skip_var(b, pos).ok_or_else(|| bad("record ends early"))?;
                    }
                }
            }
            pos += 9;
            let n = crate::codec::read_var(b, &mut pos).ok_or_else(|| bad("record ends early"))?;
            pos = pos.checked_add(n as usize).filter(|&p| p <= b.len()).ok_or_else(|| bad("record ends early"))?;
            i += 1;
            if pos - passed >= WALKED {
                crate::fsutil::let_go(&map, passed, pos);
                passed = pos;
            }
        }
        let mut d = Dec::new(b.get(pos..).ok_or_else(|| bad("record ends early"))?);
        let m = read_merge(&mut d).map_err(|e| bad(&e))?;
        if link(i).is_some_and(|(x, y)| (x, y) != (m.a.0, m.b.0)) {
            return Err(bad("reasons do not match links.bin"));
        }
        out.push(m);
        pos += d.pos;
        i += 1;
    }
    crate::fsutil::let_go(&map, passed, pos);
    Ok(out)
}

/// The bytes of `x` as a varint.
fn var_len(x: u32) -> usize {
    (32 - (x | 1).leading_zeros() as usize).div_ceil(7)
}

/// The position after the varint at `pos`, eight bytes tested at once where there are eight.
fn skip_var(b: &[u8], pos: usize) -> Option<usize> {
    if let Some(w) = b.get(pos..pos + 8) {
        let stop = !u64::from_le_bytes(w.try_into().ok()?) & 0x8080_8080_8080_8080;
        if stop != 0 {
            return Some(pos + stop.trailing_zeros() as usize / 8 + 1);
        }
    }
    let mut p = pos;
    crate::codec::read_var(b, &mut p).map(|_| p)
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

fn roots_header(actors: u64, links_len: u64, links_tail: &[u8], entries_crc: u32) -> [u8; ROOTS_HEADER] {
    let mut h = [0u8; ROOTS_HEADER];
    h[..8].copy_from_slice(ROOTS_MAGIC);
    h[8..16].copy_from_slice(&actors.to_le_bytes());
    h[16..24].copy_from_slice(&links_len.to_le_bytes());
    h[24..28].copy_from_slice(&crc32fast::hash(links_tail).to_le_bytes());
    h[28..32].copy_from_slice(&entries_crc.to_le_bytes());
    h
}

/// The stored roots, if `roots.bin` holds them for exactly this state, undamaged.
fn mapped_roots(path: &Path, actors: u64, links_len: u64, links_tail: &[u8]) -> Option<Roots> {
    let f = File::open(path).ok()?;
    // SAFETY: the store holds the folder's LOCK, and roots.bin is only ever replaced by a rename, never
    // written in place, so the mapped file does not change under the map.
    let m = unsafe { memmap2::Mmap::map(&f) }.ok()?;
    if m.len().checked_sub(ROOTS_HEADER)? as u64 != actors.checked_mul(4)? {
        return None;
    }
    // the entries' CRC read a piece at a time, their pages let go (a lookup reads a few of them)
    let crc = crate::fsutil::crc_let_go(&m, ROOTS_HEADER, m.len());
    if m[..ROOTS_HEADER] != roots_header(actors, links_len, links_tail, crc) {
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
        f.write_all(&roots_header(actors, links_len, &tail, crc32fast::hash(entries)))?;
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

    #[test]
    fn a_component_read_from_the_links_is_every_actor_of_the_same_root() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LINKS);
        // 150,000 links (1.2 MB: two pieces) among 400,000 actors, mostly small customers; a chain written
        // backwards (more passes than allowed: read from the roots) and one of 20,000 members
        let mut state = 12345u64;
        let mut next = |n: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) % n) as u32
        };
        let mut links: Vec<(u32, u32)> = (0..130_000).map(|_| (next(300_000), next(300_000))).collect();
        links.extend((0..50).rev().map(|i| (399_000 + i, 399_001 + i)));
        links.extend((0..20_000).map(|i| (300_000 + i, 300_000 + next(20_000))));
        let pending = [(7u32, 399_050u32), (123_456, 123_457)];
        let bytes: Vec<u8> = links.iter().flat_map(|&(a, b)| [a.to_le_bytes(), b.to_le_bytes()]).flatten().collect();
        std::fs::write(&path, &bytes).unwrap();
        let all: Vec<(u32, u32)> = links.iter().chain(&pending).copied().collect();
        let parents = parents_from_links(400_000, &all).unwrap();
        for id in [0u32, 7, 399_000, 399_025, 123_456, 250_001, 399_999, 310_000, 350_000] {
            let (members, at) = component(&path, bytes.len() as u64, &pending, &parents, id).unwrap();
            let root = parents[id as usize];
            let want: Vec<u32> = (0..400_000u32).filter(|&a| parents[a as usize] == root).collect();
            assert_eq!(members, want, "actor {id}");
            assert_eq!(members[0], root);
            let touching: Vec<usize> = (0..links.len())
                .filter(|&i| want.binary_search(&links[i].0).is_ok() || want.binary_search(&links[i].1).is_ok())
                .collect();
            assert_eq!(at, touching, "actor {id}");
        }
    }

    #[test]
    fn merges_read_a_piece_at_a_time_are_the_decoded_ones_filtered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(REASONS);
        // about 3 MB: records cross the 1 MB pieces, some message ids longer than a piece
        let merges: Vec<Merge> = (0..60_000u32)
            .map(|i| Merge {
                a: ActorId(i * 7 % 50_000),
                b: ActorId(i % 997 + 1),
                message_id: if i % 20_000 == 7 { "м".repeat(700_000) } else { format!("msg-{i}") },
                via: if i % 2 == 0 { MessageKind::Identify } else { MessageKind::Alias },
                at: 1_700_000_000_000 + i64::from(i),
            })
            .collect();
        let (mut links, mut reasons) = (Vec::new(), Vec::new());
        encode_merges(&merges, &mut links, &mut reasons);
        std::fs::write(&path, &reasons).unwrap();
        let len = reasons.len() as u64;
        assert!(len > 3 << 20);
        for keep in [&[0u32, 7, 49_999][..], &[5], &[], &[42, 996, 997]] {
            let member = |a: u32| keep.contains(&a);
            let want: Vec<Merge> = decode_reasons(&reasons, &path)
                .unwrap()
                .into_iter()
                .filter(|m| member(m.a.0) || member(m.b.0))
                .collect();
            assert_eq!(reasons_where(&path, len, member).unwrap(), want, "{keep:?}");
        }
        // by index, reading no further than the last asked for
        let at = [3usize, 7, 20_007, 59_999];
        let want: Vec<Merge> = at.iter().map(|&i| merges[i].clone()).collect();
        assert_eq!(reasons_at(&path, len, &links, &at).unwrap(), want);
        assert_eq!(reasons_at(&path, len, &[], &at).unwrap(), want);
        assert_eq!(reasons_at(&path, len, &links, &[]).unwrap(), Vec::new());
        // all of them, and none of a file the manifest says is empty
        assert_eq!(reasons_where(&path, len, |_| true).unwrap(), merges);
        assert_eq!(reasons_where(&dir.path().join("none.log"), 0, |_| true).unwrap(), Vec::new());
        // a record cut inside is damage, named with the file
        std::fs::write(&path, &reasons[..reasons.len() - 3]).unwrap();
        let err = reasons_where(&path, len - 3, |_| false).unwrap_err();
        assert!(matches!(&err, EngineError::Corrupt { reason, .. } if reason.contains("ends early")), "{err}");
        let err = reasons_at(&path, len - 3, &links, &[5, 59_999]).unwrap_err();
        assert!(matches!(&err, EngineError::Corrupt { reason, .. } if reason.contains("ends early")), "{err}");
        // records before the cut still read
        assert_eq!(
            reasons_at(&path, len - 3, &links, &[5, 59_998]).unwrap(),
            vec![merges[5].clone(), merges[59_998].clone()]
        );
        // links that do not match the reasons are damage, not a wrong merge shown
        let mut other = links.clone();
        other[8 * 7] ^= 1;
        let err = reasons_at(&path, len - 3, &other, &[7]).unwrap_err();
        assert!(matches!(&err, EngineError::Corrupt { reason, .. } if reason.contains("do not match")), "{err}");
    }
}
