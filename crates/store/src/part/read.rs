//! Reading a part in place (mmap or an aligned in-memory buffer).

use std::collections::HashMap;
use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tropa_core::TextCol;
use tropa_engine::EngineError;

use super::blocks::{self, Directory, ENC_BLOCKS, ENC_RAW};
use super::build::PartData;
use super::format::{align8, id, write_sections_to_vec, FOOTER, FORMAT_VERSION, HEADER_LEN, MAGIC};
use super::DICT_COLS;

/// The bytes of a part: a read-only mmap of its file, or an 8-byte aligned buffer (the in-memory part).
pub enum Bytes {
    Mmap(memmap2::Mmap),
    Owned(Vec<u64>, usize),
}

impl Bytes {
    pub fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Mmap(m) => m,
            Bytes::Owned(v, len) => &bytemuck::cast_slice(v)[..*len],
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Sec {
    id: u32,
    width: u32,
    enc: u16,
    /// Where the section's stored bytes are in the part.
    off: usize,
    len: usize,
    /// Bytes of its logical array (= `len` in place).
    logical: usize,
    /// Index of its directory and caches (encoded sections).
    slot: usize,
}

/// A section decoded whole: its words, and what went wrong if it is damaged (then the words are zeros).
type Whole = (Vec<u64>, Option<String>);

/// How a text column is stored in this part.
#[derive(Debug, Clone, Copy)]
enum TextEnc {
    Empty,
    Plain {
        offsets: Sec,
        bytes: Sec,
    },
    Dict {
        codes: Sec,
        offsets: Sec,
        bytes: Sec,
    },
    /// A section of the column has a damaged block directory: the part opens (scans that do not read the
    /// column are unaffected) and reading the column is an error.
    Damaged,
}

/// An open part.
pub struct PartReader {
    bytes: Bytes,
    pub path: PathBuf,
    pub rows: usize,
    pub customers: usize,
    pub min_ts: i64,
    pub max_ts: i64,
    pub min_key: u32,
    pub max_key: u32,
    keys: Sec,
    starts: Sec,
    ts: Sec,
    seq: Sec,
    name: Sec,
    kind: Sec,
    recv: Sec,
    dict: [Option<Sec>; DICT_COLS],
    rev_rows: Option<Sec>,
    rev_vals: Option<Sec>,
    text: [TextEnc; TextCol::COUNT],
    /// Per encoded section: its block directory, its whole decoding and its single blocks (decoded on first use).
    dirs: Vec<Directory>,
    whole: Vec<OnceLock<Whole>>,
    blocks: Vec<Vec<OnceLock<Option<Vec<u64>>>>>,
}

/// Bytes `a..z` of `b` as text ("" when out of range or not UTF-8).
fn str_of(b: &[u8], a: u32, z: u32) -> &str {
    b.get(a as usize..z as usize).and_then(|v| std::str::from_utf8(v).ok()).unwrap_or("")
}

fn le_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn le_u64(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

impl PartReader {
    /// Opens a part file with mmap.
    pub fn open(path: &Path) -> Result<Self, EngineError> {
        let file = File::open(path).map_err(EngineError::io("open", path))?;
        // SAFETY: part files are immutable once renamed into place; tropa never writes to them again, and a
        // folder lock keeps other tropa processes from deleting them while open.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(EngineError::io("mmap", path))?;
        PartReader::from_bytes(Bytes::Mmap(map), path.to_path_buf())
    }

    /// Builds the in-memory part of unflushed events.
    pub fn in_memory(data: &PartData) -> Result<Self, EngineError> {
        let bytes =
            write_sections_to_vec(data).map_err(|reason| EngineError::Corrupt { path: "memtable".into(), reason })?;
        let len = bytes.len();
        let mut words = vec![0u64; len.div_ceil(8)];
        bytemuck::cast_slice_mut::<u64, u8>(&mut words)[..len].copy_from_slice(&bytes);
        PartReader::from_bytes(Bytes::Owned(words, len), PathBuf::from("memtable"))
    }

    fn from_bytes(bytes: Bytes, path: PathBuf) -> Result<Self, EngineError> {
        let corrupt = |reason: &str| EngineError::Corrupt { path: path.clone(), reason: reason.to_string() };
        let b = bytes.as_slice();
        if b.len() < HEADER_LEN + 16 || &b[..8] != MAGIC {
            return Err(corrupt("not a tropa part (bad magic)"));
        }
        let version = le_u32(b, 8);
        if version > FORMAT_VERSION {
            return Err(EngineError::Version { path, found: version, supported: FORMAT_VERSION });
        }
        if &b[b.len() - 8..] != FOOTER {
            return Err(corrupt("truncated (no footer)"));
        }
        let nsec = le_u32(b, 12) as usize;
        let table_end = HEADER_LEN + nsec * 24;
        if table_end > b.len() {
            return Err(corrupt("section table out of bounds"));
        }
        if le_u32(b, b.len() - 16) != crc32fast::hash(&b[..table_end]) {
            return Err(corrupt("header checksum mismatch"));
        }
        let mut secs = HashMap::new();
        let mut dirs = Vec::new();
        // text columns whose block directory is damaged (the part still opens; see `TextEnc::Damaged`)
        let mut damaged_text = [false; TextCol::COUNT];
        let text_col = |id: u32| -> Option<usize> {
            [id::TEXT_A, id::TEXT_B, id::TEXT_C]
                .iter()
                .find_map(|&b| id.checked_sub(b).filter(|&c| (c as usize) < TextCol::COUNT).map(|c| c as usize))
        };
        for i in 0..nsec {
            let at = HEADER_LEN + i * 24;
            let wide = le_u32(b, at + 4);
            let (off, len) = (le_u64(b, at + 8) as usize, le_u64(b, at + 16) as usize);
            let mut s = Sec {
                id: le_u32(b, at),
                width: wide & 0xffff,
                enc: (wide >> 16) as u16,
                off,
                len,
                logical: len,
                slot: 0,
            };
            if !s.off.is_multiple_of(8) || s.off.checked_add(s.len).is_none_or(|end| end > b.len()) || s.width == 0 {
                return Err(corrupt("section out of bounds"));
            }
            match s.enc {
                ENC_RAW => {}
                ENC_BLOCKS if version >= 2 => {
                    let dir = match (Directory::parse(&b[off..off + len], s.width as usize), text_col(s.id)) {
                        (Ok(dir), _) => dir,
                        (Err(_), Some(c)) => {
                            damaged_text[c] = true;
                            continue;
                        }
                        (Err(e), None) => return Err(corrupt(&format!("section {}: {e}", s.id))),
                    };
                    s.logical = dir.len;
                    s.slot = dirs.len();
                    dirs.push(dir);
                }
                _ => return Err(corrupt("unknown section encoding")),
            }
            secs.insert(s.id, s);
        }
        let rows = le_u64(b, 16) as usize;
        let customers = le_u64(b, 24) as usize;
        let need = |id: u32, width: u32, count: usize| -> Result<Sec, EngineError> {
            match secs.get(&id) {
                Some(s) if s.width == width && s.logical == count * width as usize => Ok(*s),
                _ => Err(corrupt(&format!("section {id} is missing or has the wrong size"))),
            }
        };
        let keys = need(id::KEYS, 4, customers)?;
        let starts = need(id::STARTS, 4, customers + 1)?;
        let ts = need(id::TS, 8, rows)?;
        let seq = need(id::SEQ, 8, rows)?;
        let name = need(id::NAME, 2, rows)?;
        let kind = need(id::KIND, 1, rows)?;
        let recv = need(id::RECV, 8, rows)?;
        let mut dict = [None; DICT_COLS];
        for (i, d) in dict.iter_mut().enumerate() {
            if let Some(s) = secs.get(&(id::DICT + i as u32)) {
                if s.logical != rows * s.width as usize || ![1, 2, 4].contains(&s.width) {
                    return Err(corrupt("dictionary column has the wrong size"));
                }
                *d = Some(*s);
            }
        }
        let rev_rows = secs.get(&id::REV_ROWS).copied();
        let rev_vals = secs.get(&id::REV_VALS).copied();
        if rev_rows.map(|s| s.logical / 4) != rev_vals.map(|s| s.logical / 8) {
            return Err(corrupt("revenue sections disagree"));
        }
        let mut text = [TextEnc::Empty; TextCol::COUNT];
        for (c, t) in text.iter_mut().enumerate() {
            let c = c as u32;
            let (a, bsec, csec) =
                (secs.get(&(id::TEXT_A + c)), secs.get(&(id::TEXT_B + c)), secs.get(&(id::TEXT_C + c)));
            *t = match (a, bsec, csec) {
                _ if damaged_text[c as usize] => TextEnc::Damaged,
                (None, _, _) => TextEnc::Empty,
                (Some(&a), Some(&o), Some(&d))
                    if a.logical == rows * a.width as usize && [1, 2, 4].contains(&a.width) && o.width == 4 =>
                {
                    TextEnc::Dict { codes: a, offsets: o, bytes: d }
                }
                (Some(&o), Some(&d), None) if o.width == 4 && o.logical == (rows + 1) * 4 => {
                    TextEnc::Plain { offsets: o, bytes: d }
                }
                _ => return Err(corrupt("text column sections are inconsistent")),
            };
        }
        let part = PartReader {
            path: path.clone(),
            rows,
            customers,
            min_ts: le_u64(b, 32) as i64,
            max_ts: le_u64(b, 40) as i64,
            min_key: le_u32(b, 48),
            max_key: le_u32(b, 52),
            keys,
            starts,
            ts,
            seq,
            name,
            kind,
            recv,
            dict,
            rev_rows,
            rev_vals,
            text,
            whole: dirs.iter().map(|_| OnceLock::new()).collect(),
            blocks: dirs.iter().map(|d| d.blocks.iter().map(|_| OnceLock::new()).collect()).collect(),
            dirs,
            bytes,
        };
        part.decode(&[keys, starts])?;
        let st = part.starts();
        // without an early exit the order test is vectorised (it reads every customer's start at each open)
        let unordered = st.iter().zip(st.iter().skip(1)).fold(false, |bad, (a, b)| bad | (a > b));
        if st.first() != Some(&0) || st.last().copied() != Some(rows as u32) || unordered {
            return Err(corrupt("customer directory is inconsistent"));
        }
        // checked: read in place, its pages leave memory until a lookup or a scan reads them again
        if let (Bytes::Mmap(map), true) = (&part.bytes, part.starts.enc == ENC_RAW) {
            crate::fsutil::let_go(map, part.starts.off, part.starts.off + part.starts.logical);
        }
        Ok(part)
    }

    /// The stored bytes of a section.
    fn stored(&self, s: Sec) -> &[u8] {
        &self.bytes.as_slice()[s.off..s.off + s.len]
    }

    /// A whole encoded section, decoded on first use (zeros if it is damaged: [`PartReader::load`] reports that).
    fn whole(&self, s: Sec) -> &Whole {
        self.whole[s.slot].get_or_init(|| {
            match blocks::decode_all(self.stored(s), &self.dirs[s.slot], s.width as usize) {
                Ok(words) => (words, None),
                Err(e) => (vec![0; s.logical.div_ceil(8)], Some(e)),
            }
        })
    }

    /// The logical bytes of a section: in place, or decoded whole.
    fn data(&self, s: Sec) -> &[u8] {
        if s.enc == ENC_RAW {
            return self.stored(s);
        }
        &bytemuck::cast_slice::<u64, u8>(&self.whole(s).0)[..s.logical]
    }

    fn slice<T: bytemuck::Pod>(&self, s: Sec) -> &[T] {
        bytemuck::cast_slice(self.data(s))
    }

    /// Whether reading `s` needs no decoding (in place, or decoded whole already).
    fn ready(&self, s: Sec) -> bool {
        s.enc == ENC_RAW || self.whole[s.slot].get().is_some()
    }

    /// The decoded block of encoded section `s` holding logical byte `at`, and where that block starts.
    fn block(&self, s: Sec, at: usize) -> Option<(&[u8], usize)> {
        let dir = &self.dirs[s.slot];
        let i = dir.find(at)?;
        let b = &dir.blocks[i];
        let words = self.blocks[s.slot][i].get_or_init(|| {
            let mut w = vec![0u64; b.len.div_ceil(8)];
            let out = &mut bytemuck::cast_slice_mut::<u64, u8>(&mut w)[..b.len];
            blocks::decode_block(self.stored(s), b, s.width as usize, out).ok().map(|()| w)
        });
        words.as_ref().map(|w| (&bytemuck::cast_slice::<u64, u8>(w)[..b.len], b.out))
    }

    /// Value `i` of a section, decoding at most one block (`None` if out of range or damaged).
    fn elem<T: bytemuck::Pod>(&self, s: Sec, i: usize) -> Option<T> {
        if self.ready(s) {
            return self.slice::<T>(s).get(i).copied();
        }
        let w = std::mem::size_of::<T>();
        let (b, start) = self.block(s, i.checked_mul(w)?)?;
        b.get(i * w - start..i * w - start + w).map(bytemuck::pod_read_unaligned)
    }

    /// Logical bytes `a..z` of a byte section whose blocks end on value ends.
    fn range(&self, s: Sec, a: usize, z: usize) -> Option<&[u8]> {
        if self.ready(s) || a == z {
            return self.data(s).get(a..z);
        }
        let (b, start) = self.block(s, a)?;
        b.get(a - start..z - start)
    }

    /// Decodes `secs` whole (now, in parallel), naming the first that is damaged.
    fn decode(&self, secs: &[Sec]) -> Result<(), EngineError> {
        use rayon::prelude::*;
        secs.par_iter().filter(|s| s.enc != ENC_RAW).try_for_each(|&s| match &self.whole(s).1 {
            None => Ok(()),
            Some(e) => Err(EngineError::Corrupt { path: self.path.clone(), reason: format!("section {}: {e}", s.id) }),
        })
    }

    /// Whether time and names are read in place or decoded already (else a scan decodes them chunk by chunk).
    pub fn hot_ready(&self) -> bool {
        self.ready(self.ts) && self.ready(self.name)
    }

    /// Appends the values of `rows` of section `s` to `out`, decoding only the blocks that hold them (through
    /// `tmp`, reused), nothing cached.
    fn read_rows<T: bytemuck::Pod>(
        &self,
        s: Sec,
        rows: Range<usize>,
        out: &mut Vec<T>,
        tmp: &mut Vec<u64>,
    ) -> Result<(), EngineError> {
        if self.ready(s) {
            out.extend_from_slice(&self.slice::<T>(s)[rows]);
            return Ok(());
        }
        let damaged =
            |e: String| EngineError::Corrupt { path: self.path.clone(), reason: format!("section {}: {e}", s.id) };
        let w = std::mem::size_of::<T>();
        let (a, z) = (rows.start * w, rows.end * w);
        if a >= z {
            return Ok(());
        }
        let dir = &self.dirs[s.slot];
        let mut i = dir.find(a).ok_or_else(|| damaged("rows out of range".into()))?;
        while let Some(b) = dir.blocks.get(i).filter(|b| b.out < z) {
            if a <= b.out && b.out + b.len <= z {
                // a whole block: decoded straight into `out`
                let at = out.len();
                out.resize(at + b.len / w, T::zeroed());
                let bytes = bytemuck::cast_slice_mut::<T, u8>(&mut out[at..]);
                blocks::decode_block(self.stored(s), b, s.width as usize, bytes).map_err(damaged)?;
                i += 1;
                continue;
            }
            // every decoded byte is written: the buffer only grows, never needs clearing
            if tmp.len() < b.len.div_ceil(8) {
                tmp.resize(b.len.div_ceil(8), 0);
            }
            let bytes = &mut bytemuck::cast_slice_mut::<u64, u8>(tmp)[..b.len];
            blocks::decode_block(self.stored(s), b, s.width as usize, bytes).map_err(damaged)?;
            let (lo, hi) = (a.max(b.out) - b.out, z.min(b.out + b.len) - b.out);
            out.extend_from_slice(bytemuck::cast_slice::<u8, T>(&bytes[lo..hi]));
            i += 1;
        }
        Ok(())
    }

    /// Appends the times and names of `rows` (see [`PartReader::hot_ready`]).
    pub fn hot_rows(
        &self,
        rows: Range<usize>,
        ts: &mut Vec<i64>,
        names: &mut Vec<u16>,
        tmp: &mut Vec<u64>,
    ) -> Result<(), EngineError> {
        self.read_rows(self.ts, rows.clone(), ts, tmp)?;
        self.read_rows(self.name, rows, names, tmp)
    }

    /// Decodes the columns a scan reads whole (time and names when `hot`, else the scan decodes them chunk by
    /// chunk; sequence numbers when `seq`; kinds, revenue and dictionary columns as `cols` asks), so that damage
    /// is an error before the scan starts.
    pub fn load(&self, cols: tropa_core::Columns, hot: bool, seq: bool) -> Result<(), EngineError> {
        use tropa_core::{Columns, DictCol};
        let mut need = if hot { vec![self.ts, self.name] } else { Vec::new() };
        if seq {
            need.push(self.seq);
        }
        if cols.has(Columns::KIND) {
            need.push(self.kind);
        }
        if cols.has(Columns::REVENUE) {
            need.extend(self.rev_rows.iter().chain(self.rev_vals.iter()).copied());
        }
        for (i, d) in self.dict.iter().enumerate() {
            if cols.has_dict(DictCol::ALL[i + 1]) {
                need.extend(d.iter().copied());
            }
        }
        self.decode(&need)
    }

    /// Decodes every section (compaction reads whole rows).
    pub fn load_all(&self) -> Result<(), EngineError> {
        if let Some(c) = self.text.iter().position(|t| matches!(t, TextEnc::Damaged)) {
            return Err(self.text_damaged(c));
        }
        let mut need = vec![self.ts, self.name, self.seq, self.kind, self.recv];
        need.extend(self.dict.iter().flatten().copied());
        need.extend(self.rev_rows.iter().chain(self.rev_vals.iter()).copied());
        for t in &self.text {
            match *t {
                TextEnc::Empty | TextEnc::Damaged => {}
                TextEnc::Plain { offsets, bytes } => need.extend([offsets, bytes]),
                TextEnc::Dict { codes, offsets, bytes } => need.extend([codes, offsets, bytes]),
            }
        }
        self.decode(&need)
    }

    /// Bytes of the stored sections of each encoding: (in place, encoded), for size reports.
    pub fn section_sizes(&self) -> Vec<(u32, usize, usize)> {
        let mut out: Vec<(u32, usize, usize)> = Vec::new();
        let mut all = vec![self.keys, self.starts, self.ts, self.seq, self.name, self.kind, self.recv];
        all.extend(self.dict.iter().flatten().copied());
        all.extend(self.rev_rows.iter().chain(self.rev_vals.iter()).copied());
        for t in &self.text {
            match *t {
                TextEnc::Empty | TextEnc::Damaged => {}
                TextEnc::Plain { offsets, bytes } => all.extend([offsets, bytes]),
                TextEnc::Dict { codes, offsets, bytes } => all.extend([codes, offsets, bytes]),
            }
        }
        for s in all {
            out.push((s.id, s.len, s.logical));
        }
        out
    }

    /// Customer keys, ascending.
    pub fn keys(&self) -> &[u32] {
        self.slice(self.keys)
    }

    /// Row starts per customer (`customers + 1` entries).
    pub fn starts(&self) -> &[u32] {
        self.slice(self.starts)
    }

    pub fn ts(&self) -> &[i64] {
        self.slice(self.ts)
    }

    pub fn seq(&self) -> &[u64] {
        self.slice(self.seq)
    }

    pub fn names(&self) -> &[u16] {
        self.slice(self.name)
    }

    pub fn recv(&self) -> &[i64] {
        self.slice(self.recv)
    }

    pub fn kinds(&self) -> &[u8] {
        self.slice(self.kind)
    }

    /// Time of one row, decoding at most one block (0 if damaged).
    pub fn ts_at(&self, row: usize) -> i64 {
        self.elem(self.ts, row).unwrap_or(0)
    }

    /// Sequence number of one row, decoding at most one block (0 if damaged).
    pub fn seq_at(&self, row: usize) -> u64 {
        self.elem(self.seq, row).unwrap_or(0)
    }

    /// Arrival time of one row, decoding at most one block (0 if damaged).
    pub fn recv_at(&self, row: usize) -> i64 {
        self.elem(self.recv, row).unwrap_or(0)
    }

    /// Event name code of one row, decoding at most one block (0 if damaged).
    pub fn name_at(&self, row: usize) -> u16 {
        self.elem(self.name, row).unwrap_or(0)
    }

    /// Kind of one row, decoding at most one block (0 if damaged).
    pub fn kind_at(&self, row: usize) -> u8 {
        self.elem(self.kind, row).unwrap_or(0)
    }

    /// Appends the codes of dictionary column `i` (index into `DictCol::ALL[1..]`) for `rows`.
    pub fn dict_codes(&self, i: usize, rows: Range<usize>, out: &mut Vec<u32>) {
        self.codes(i).extend(rows, out);
    }

    pub fn dict_code(&self, i: usize, row: usize) -> u32 {
        match self.dict[i] {
            None => 0,
            Some(s) => self.code(s, row).unwrap_or(0),
        }
    }

    /// Code `row` of a code section of width 1, 2 or 4.
    fn code(&self, s: Sec, row: usize) -> Option<u32> {
        match s.width {
            1 => self.elem::<u8>(s, row).map(u32::from),
            2 => self.elem::<u16>(s, row).map(u32::from),
            _ => self.elem::<u32>(s, row),
        }
    }

    /// Appends revenue (NaN where absent) for `rows` (a reader of many ranges in order: [`RevenueIndex::fill`]).
    pub fn revenue(&self, rows: Range<usize>, out: &mut Vec<f64>) {
        self.revenue_index().fill(rows, out, &mut 0);
    }

    /// Hands back to the kernel the pages that hold rows `rows` (and customers `customers`) of the sections read
    /// in place: a scan that is done with a range keeps only what it reads now resident. The pages stay in the
    /// page cache and come back on the next read, the same bytes (the map is read-only and shared), so this
    /// changes memory, never data. Only whole pages inside the range are let go: a neighbour's are kept.
    pub fn release(&self, rows: Range<usize>, customers: Range<usize>) {
        let Bytes::Mmap(map) = &self.bytes else { return };
        let let_go = |s: Sec, count: usize, span: &Range<usize>| {
            if s.enc != ENC_RAW || count == 0 || !s.logical.is_multiple_of(count) {
                return;
            }
            let per = s.logical / count;
            crate::fsutil::let_go(map, s.off + span.start * per, s.off + span.end.min(count) * per);
        };
        for s in
            [self.ts, self.seq, self.name, self.kind, self.recv].into_iter().chain(self.dict.iter().flatten().copied())
        {
            let_go(s, self.rows, &rows);
        }
        for s in [self.keys, self.starts] {
            let_go(s, self.customers, &customers);
        }
    }

    /// The rows with revenue and their values, resolved once for many reads.
    pub fn revenue_index(&self) -> RevenueIndex<'_> {
        match (self.rev_rows, self.rev_vals) {
            (Some(r), Some(v)) => {
                let (rows, vals): (&[u32], &[f64]) = (self.slice(r), self.slice(v));
                let n = rows.len().min(vals.len());
                RevenueIndex { rows: &rows[..n], vals: &vals[..n] }
            }
            _ => RevenueIndex { rows: &[], vals: &[] },
        }
    }

    /// Dictionary column `i`'s codes, resolved once for many reads (in place, or decoded whole).
    pub fn codes(&self, i: usize) -> Codes<'_> {
        match self.dict[i] {
            None => Codes::None,
            Some(s) => match s.width {
                1 => Codes::U8(self.slice(s)),
                2 => Codes::U16(self.slice(s)),
                _ => Codes::U32(self.slice(s)),
            },
        }
    }

    /// Calls `f(row, revenue)` for each row of `rows` that has revenue, in row order.
    pub fn revenue_rows(&self, rows: Range<usize>, mut f: impl FnMut(usize, f64)) {
        let RevenueIndex { rows: rr, vals: vv } = self.revenue_index();
        let mut k = rr.partition_point(|&x| (x as usize) < rows.start);
        while k < rr.len() && (rr[k] as usize) < rows.end {
            f(rr[k] as usize, vv[k]);
            k += 1;
        }
    }

    pub fn revenue_at(&self, row: usize) -> f64 {
        let mut v = Vec::with_capacity(1);
        self.revenue(row..row + 1, &mut v);
        v[0]
    }

    /// One text cell ("" when absent or damaged).
    pub fn text(&self, col: TextCol, row: usize) -> &str {
        let cell = |offsets: Sec, bytes: Sec, i: usize| -> &str {
            match (self.elem::<u32>(offsets, i), self.elem::<u32>(offsets, i + 1)) {
                (Some(a), Some(z)) if a <= z && z as usize <= bytes.logical => {
                    self.range(bytes, a as usize, z as usize).and_then(|v| std::str::from_utf8(v).ok()).unwrap_or("")
                }
                _ => "",
            }
        };
        match self.text[col as usize] {
            TextEnc::Empty | TextEnc::Damaged => "",
            TextEnc::Plain { offsets, bytes } => cell(offsets, bytes, row),
            TextEnc::Dict { codes, offsets, bytes } => match self.code(codes, row) {
                Some(code) => cell(offsets, bytes, code as usize),
                None => "",
            },
        }
    }

    /// Calls `f` with every value of text column `col` in row order, decoding block by block into buffers that
    /// are dropped afterwards (nothing stays cached: the duplicate index reads every message id once). A damaged
    /// block is an error.
    pub fn each_text(&self, col: TextCol, mut f: impl FnMut(&str)) -> Result<(), EngineError> {
        let damaged = |s: Sec, e: String| EngineError::Corrupt {
            path: self.path.clone(),
            reason: format!("section {}: {e}", s.id),
        };
        // a section's logical bytes, decoded for this call only where not in place or cached
        let whole = |s: Sec| -> Result<std::borrow::Cow<'_, [u8]>, EngineError> {
            if self.ready(s) {
                return Ok(std::borrow::Cow::Borrowed(self.data(s)));
            }
            let words =
                blocks::decode_all(self.stored(s), &self.dirs[s.slot], s.width as usize).map_err(|e| damaged(s, e))?;
            Ok(std::borrow::Cow::Owned(bytemuck::cast_slice::<u64, u8>(&words)[..s.logical].to_vec()))
        };
        match self.text[col as usize] {
            TextEnc::Empty => (0..self.rows).for_each(|_| f("")),
            TextEnc::Damaged => return Err(self.text_damaged(col as usize)),
            TextEnc::Dict { codes, offsets, bytes } => {
                let (c, o, b) = (whole(codes)?, whole(offsets)?, whole(bytes)?);
                let o: &[u32] = bytemuck::cast_slice(&o);
                for row in 0..self.rows {
                    let code = match codes.width {
                        1 => c[row] as usize,
                        2 => u16::from_le_bytes([c[2 * row], c[2 * row + 1]]) as usize,
                        _ => bytemuck::pod_read_unaligned::<u32>(&c[4 * row..4 * row + 4]) as usize,
                    };
                    match (o.get(code), o.get(code + 1)) {
                        (Some(&a), Some(&z)) if a <= z => f(str_of(&b, a, z)),
                        _ => f(""),
                    }
                }
            }
            TextEnc::Plain { offsets, bytes } => {
                let o = whole(offsets)?;
                let o: &[u32] = bytemuck::cast_slice(&o);
                if self.ready(bytes) {
                    let b = self.data(bytes);
                    o.windows(2).for_each(|w| f(str_of(b, w[0], w[1])));
                    return Ok(());
                }
                let dir = &self.dirs[bytes.slot];
                let mut buf: Vec<u8> = Vec::new();
                let mut at = 0usize; // decoded block covers at..at + buf.len()
                for w in o.windows(2) {
                    let (a, z) = (w[0] as usize, w[1] as usize);
                    if a < z && (a < at || z > at + buf.len()) {
                        let i = dir.find(a).ok_or_else(|| damaged(bytes, "text offset out of range".into()))?;
                        let blk = &dir.blocks[i];
                        buf.resize(blk.len, 0);
                        blocks::decode_block(self.stored(bytes), blk, 1, &mut buf).map_err(|e| damaged(bytes, e))?;
                        at = blk.out;
                    }
                    if a < z && z <= at + buf.len() && a >= at {
                        f(str_of(&buf, (a - at) as u32, (z - at) as u32));
                    } else {
                        f("");
                    }
                }
            }
        }
        Ok(())
    }

    fn text_damaged(&self, c: usize) -> EngineError {
        EngineError::Corrupt {
            path: self.path.clone(),
            reason: format!("text column {:?}: a block directory is damaged", TextCol::ALL[c]),
        }
    }

    /// Row `row` as builder input, filed under `key` (dictionary codes are global, so they carry over as is).
    pub fn row(&self, row: usize, key: u32) -> super::Row<'_> {
        let mut dict = [0u32; DICT_COLS];
        for (i, d) in dict.iter_mut().enumerate() {
            *d = self.dict_code(i, row);
        }
        let mut text = [""; TextCol::COUNT];
        for (i, t) in text.iter_mut().enumerate() {
            *t = self.text(TextCol::ALL[i], row);
        }
        super::Row {
            key,
            seq: self.seq()[row],
            ts: self.ts()[row],
            received_at: self.recv()[row],
            kind: self.kinds()[row],
            name: self.names()[row],
            dict,
            revenue: self.revenue_at(row),
            text,
        }
    }

    /// Index of the first customer with key ≥ `key`.
    pub fn seek(&self, key: u32) -> usize {
        self.keys().partition_point(|&k| k < key)
    }

    /// Bytes on disk (or in memory).
    pub fn size(&self) -> usize {
        align8(self.bytes.as_slice().len())
    }
}

/// The first index `i >= from` with `list[i] >= target` (or `list.len()`), for a sorted `list`, found by doubling
/// steps from `from` then halving: cheap when the answer is near `from`. A `target` below `list[from]` gives
/// `from` — readers only move forward.
fn gallop(list: &[u32], from: usize, target: usize) -> usize {
    let below = |i: usize| (list[i] as usize) < target;
    if from >= list.len() || !below(from) {
        return from;
    }
    // list[lo] < target; find hi with list[hi] >= target or hi = len
    let (mut lo, mut step) = (from, 1);
    let mut hi = loop {
        let h = lo + step;
        if h >= list.len() {
            break list.len();
        }
        if !below(h) {
            break h;
        }
        lo = h;
        step *= 2;
    };
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if below(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// A dictionary column's codes in their stored width (see [`PartReader::codes`]).
#[derive(Debug, Clone, Copy)]
pub enum Codes<'a> {
    /// The column is absent from the part: every code is 0 (the empty value).
    None,
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
}

impl Codes<'_> {
    /// Appends the codes of `rows` to `out`.
    pub fn extend(&self, rows: Range<usize>, out: &mut Vec<u32>) {
        match self {
            Codes::None => out.extend(std::iter::repeat_n(0, rows.len())),
            Codes::U8(c) => out.extend(c[rows].iter().map(|&v| u32::from(v))),
            Codes::U16(c) => out.extend(c[rows].iter().map(|&v| u32::from(v))),
            Codes::U32(c) => out.extend_from_slice(&c[rows]),
        }
    }
}

/// A part's rows with revenue (sorted) and their values (see [`PartReader::revenue_index`]).
#[derive(Debug, Clone, Copy)]
pub struct RevenueIndex<'a> {
    rows: &'a [u32],
    vals: &'a [f64],
}

impl RevenueIndex<'_> {
    /// Appends revenue (NaN where absent) for `rows`. `at` is where the previous call stopped in the list of rows
    /// with revenue (0 at first). The search gallops forward from there, so a scan of many customers in order
    /// costs one pass over the list instead of two binary searches per customer.
    pub fn fill(&self, rows: Range<usize>, out: &mut Vec<f64>, at: &mut usize) {
        let base = out.len();
        out.extend(std::iter::repeat_n(f64::NAN, rows.len()));
        let (rr, vv) = (self.rows, self.vals);
        let n = rr.len();
        let mut k = gallop(rr, (*at).min(n), rows.start);
        while k < n && (rr[k] as usize) < rows.end {
            // a damaged (unsorted) section can point outside the range: skip such entries
            if let Some(slot) = (rr[k] as usize).checked_sub(rows.start).and_then(|i| out.get_mut(base + i)) {
                *slot = vv[k];
            }
            k += 1;
        }
        *at = k;
    }
}

#[cfg(test)]
mod tests {
    use super::gallop;
    use proptest::prelude::*;

    proptest! {
        /// Galloping from any earlier start finds what a binary search of the whole list finds.
        #[test]
        fn gallop_equals_partition_point(
            mut list in proptest::collection::vec(0u32..500, 0..200),
            target in 0usize..520,
            from_frac in 0.0f64..1.0,
        ) {
            list.sort_unstable();
            let want = list.partition_point(|&x| (x as usize) < target);
            let from = ((want as f64) * from_frac) as usize;
            prop_assert_eq!(gallop(&list, from, target), want);
        }
    }
}
