//! Writing a part file (see the module doc of `part` for the layout).

use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::fs::File;
use std::io::Write;

use rayon::prelude::*;
use std::path::Path;

use tropa_engine::EngineError;

use super::blocks::{self, Hint, ENC_BLOCKS, ENC_RAW};
use super::build::{PartData, TextData};
use crate::fsutil;
use crate::manifest::PartMeta;

pub const MAGIC: &[u8; 8] = b"TROPART\0";
pub const FOOTER: &[u8; 8] = b"TRPEND\0\0";
/// The newest on-disk format version of parts (what the reader accepts and the writer writes).
pub const FORMAT_VERSION: u32 = 2;

pub const HEADER_LEN: usize = 8 + 4 + 4 + 8 + 8 + 8 + 8 + 4 + 4 + 8 + 8;

pub mod id {
    pub const KEYS: u32 = 1;
    pub const STARTS: u32 = 2;
    pub const TS: u32 = 3;
    pub const SEQ: u32 = 4;
    pub const NAME: u32 = 5;
    pub const KIND: u32 = 6;
    pub const RECV: u32 = 7;
    pub const DICT: u32 = 100;
    pub const REV_ROWS: u32 = 200;
    pub const REV_VALS: u32 = 201;
    /// Plain: offsets `[u32]`; dictionary: codes.
    pub const TEXT_A: u32 = 300;
    /// Plain: bytes; dictionary: dictionary offsets `[u32]`.
    pub const TEXT_B: u32 = 400;
    /// Dictionary bytes (present only for dictionary-encoded text).
    pub const TEXT_C: u32 = 500;
}

struct Section<'a> {
    id: u32,
    width: u32,
    /// [`ENC_RAW`] or [`ENC_BLOCKS`].
    enc: u16,
    bytes: Cow<'a, [u8]>,
    hint: Hint,
    /// Value ends of a byte section (its blocks end on them).
    ends: Option<Cow<'a, [u64]>>,
}

fn hint_of(id: u32) -> Hint {
    match id {
        id::NAME | id::KIND => Hint::Codes,
        i if (id::DICT..id::REV_ROWS).contains(&i) => Hint::Codes,
        id::REV_VALS => Hint::Plain,
        _ => Hint::Delta,
    }
}

fn sec<T: bytemuck::Pod>(id: u32, data: &[T]) -> Section<'_> {
    Section {
        id,
        width: std::mem::size_of::<T>() as u32,
        enc: ENC_RAW,
        bytes: Cow::Borrowed(bytemuck::cast_slice(data)),
        hint: hint_of(id),
        ends: None,
    }
}

fn owned<T: bytemuck::Pod>(id: u32, data: &[T]) -> Section<'static> {
    Section {
        id,
        width: std::mem::size_of::<T>() as u32,
        enc: ENC_RAW,
        bytes: Cow::Owned(bytemuck::cast_slice(data).to_vec()),
        hint: hint_of(id),
        ends: None,
    }
}

/// A byte section of text values ending at `ends`.
fn text_bytes<'a>(id: u32, bytes: Cow<'a, [u8]>, ends: Cow<'a, [u64]>) -> Section<'a> {
    Section { id, width: 1, enc: ENC_RAW, bytes, hint: Hint::Plain, ends: Some(ends) }
}

/// Offsets of a text column (ascending: stored as differences).
fn text_offsets(s: Section<'static>) -> Section<'static> {
    Section { hint: Hint::Delta, ..s }
}

fn codes(id: u32, values: &[u32]) -> Option<Section<'static>> {
    let max = values.iter().copied().max().unwrap_or(0);
    if max == 0 {
        return None;
    }
    Some(if max <= u8::MAX as u32 {
        owned(id, &values.iter().map(|&v| v as u8).collect::<Vec<u8>>())
    } else if max <= u16::MAX as u32 {
        owned(id, &values.iter().map(|&v| v as u16).collect::<Vec<u16>>())
    } else {
        owned(id, values)
    })
}

fn offsets32(id: u32, offsets: &[u64]) -> Result<Section<'static>, String> {
    let v: Result<Vec<u32>, _> = offsets.iter().map(|&o| u32::try_from(o)).collect();
    v.map(|v| owned(id, &v)).map_err(|_| "a text column exceeds 4 GiB in one part".to_string())
}

/// Dictionary-encodes a text column when values repeat enough, else stores it plain; `None` if all empty.
fn text_sections<'a>(c: u32, t: &'a TextData, rows: usize, out: &mut Vec<Section<'a>>) -> Result<(), String> {
    if t.bytes.is_empty() {
        return Ok(());
    }
    // decide from a sample: a column whose first rows are mostly distinct (ids, JSON) is stored plain
    let sample = rows.min(4096);
    let distinct = (0..sample).map(|i| t.get(i)).collect::<rustc_hash::FxHashSet<&str>>().len();
    if distinct * 4 > sample * 3 && sample > 16 {
        out.push(text_offsets(offsets32(id::TEXT_A + c, &t.offsets)?));
        out.push(text_bytes(id::TEXT_B + c, Cow::Borrowed(&t.bytes), Cow::Borrowed(&t.offsets[1..])));
        return Ok(());
    }
    let mut index: FxHashMap<&str, u32> = FxHashMap::default();
    let mut dict = TextData { offsets: vec![0], bytes: Vec::new() };
    let mut codes_v = Vec::with_capacity(rows);
    let sample_limit = rows / 2 + 1;
    for i in 0..rows {
        let s = t.get(i);
        let next = index.len() as u32;
        let code = *index.entry(s).or_insert_with(|| {
            dict.bytes.extend_from_slice(s.as_bytes());
            dict.offsets.push(dict.bytes.len() as u64);
            next
        });
        codes_v.push(code);
        if index.len() > sample_limit {
            break;
        }
    }
    if index.len() <= sample_limit && codes_v.len() == rows {
        // code 0 may be any value here; store all codes (even if the max is 0 there is one value)
        out.push(match codes(id::TEXT_A + c, &codes_v) {
            Some(s) => s,
            None => owned(id::TEXT_A + c, &vec![0u8; rows]),
        });
        out.push(text_offsets(offsets32(id::TEXT_B + c, &dict.offsets)?));
        let ends = dict.offsets[1..].to_vec();
        out.push(text_bytes(id::TEXT_C + c, Cow::Owned(dict.bytes), Cow::Owned(ends)));
    } else {
        out.push(text_offsets(offsets32(id::TEXT_A + c, &t.offsets)?));
        out.push(text_bytes(id::TEXT_B + c, Cow::Borrowed(&t.bytes), Cow::Borrowed(&t.offsets[1..])));
    }
    Ok(())
}

/// Encodes the sections of a part in format `version` and its header (header, table); section bytes follow at
/// 8-byte alignment.
fn encode(data: &PartData, version: u32) -> Result<(Vec<u8>, Vec<Section<'_>>), String> {
    let rows = data.rows();
    let mut sections = vec![
        sec(id::KEYS, &data.keys),
        sec(id::STARTS, &data.starts),
        sec(id::TS, &data.ts),
        sec(id::SEQ, &data.seq),
        sec(id::NAME, &data.name),
        sec(id::KIND, &data.kind),
        sec(id::RECV, &data.recv),
    ];
    for (i, col) in data.dict.iter().enumerate() {
        if let Some(s) = codes(id::DICT + i as u32, col) {
            sections.push(s);
        }
    }
    let (rev_rows, rev_vals): (Vec<u32>, Vec<f64>) =
        data.revenue.iter().enumerate().filter(|(_, v)| !v.is_nan()).map(|(i, &v)| (i as u32, v)).unzip();
    if !rev_rows.is_empty() {
        sections.push(owned(id::REV_ROWS, &rev_rows));
        sections.push(owned(id::REV_VALS, &rev_vals));
    }
    let texts: Vec<Result<Vec<Section<'_>>, String>> = data
        .text
        .par_iter()
        .enumerate()
        .map(|(c, t)| {
            let mut out = Vec::new();
            text_sections(c as u32, t, rows, &mut out).map(|()| out)
        })
        .collect();
    for t in texts {
        sections.extend(t?);
    }
    if version >= 2 {
        sections = sections
            .into_par_iter()
            .map(|s| {
                // every non-empty section is encoded, so every one has a checksum (a small one costs about 40
                // bytes more than in place)
                if s.bytes.is_empty() {
                    return s;
                }
                let bytes = blocks::encode(&s.bytes, s.width as usize, s.hint, s.ends.as_deref());
                Section { enc: ENC_BLOCKS, bytes: Cow::Owned(bytes), ends: None, ..s }
            })
            .collect();
    }
    let minmax = |v: &[i64]| (v.iter().copied().min().unwrap_or(0), v.iter().copied().max().unwrap_or(0));
    let (min_ts, max_ts) = minmax(&data.ts);
    let min_seq = data.seq.iter().copied().min().unwrap_or(0);
    let max_seq = data.seq.iter().copied().max().unwrap_or(0);
    let (min_key, max_key) = (data.keys.first().copied().unwrap_or(0), data.keys.last().copied().unwrap_or(0));

    let mut head = Vec::with_capacity(HEADER_LEN + sections.len() * 24);
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&version.to_le_bytes());
    head.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    head.extend_from_slice(&(rows as u64).to_le_bytes());
    head.extend_from_slice(&(data.keys.len() as u64).to_le_bytes());
    head.extend_from_slice(&min_ts.to_le_bytes());
    head.extend_from_slice(&max_ts.to_le_bytes());
    head.extend_from_slice(&min_key.to_le_bytes());
    head.extend_from_slice(&max_key.to_le_bytes());
    head.extend_from_slice(&min_seq.to_le_bytes());
    head.extend_from_slice(&max_seq.to_le_bytes());
    let table_end = HEADER_LEN + sections.len() * 24;
    let mut offset = align8(table_end) as u64;
    for s in &sections {
        head.extend_from_slice(&s.id.to_le_bytes());
        // format 1 has a u32 width here; format 2 splits it into u16 width and u16 encoding
        head.extend_from_slice(&(s.width | (s.enc as u32) << 16).to_le_bytes());
        head.extend_from_slice(&offset.to_le_bytes());
        head.extend_from_slice(&(s.bytes.len() as u64).to_le_bytes());
        offset = align8(offset as usize + s.bytes.len()) as u64;
    }
    Ok((head, sections))
}

/// Writes header, sections and footer to `out`; returns the bytes written.
fn emit(out: &mut impl Write, head: &[u8], sections: &[Section<'_>]) -> std::io::Result<u64> {
    let mut written = 0usize;
    let mut put = |out: &mut dyn Write, b: &[u8]| -> std::io::Result<()> {
        out.write_all(b)?;
        let pad = align8(b.len()) - b.len();
        out.write_all(&[0u8; 8][..pad])?;
        written += b.len() + pad;
        Ok(())
    };
    put(out, head)?;
    for s in sections {
        put(out, &s.bytes)?;
    }
    put(out, &crc32fast::hash(head).to_le_bytes())?;
    put(out, FOOTER)?;
    Ok(written as u64)
}

/// Encodes `data` into the bytes of a part (header, table, sections, footer) in format 1: the in-memory part
/// of unflushed events is read in place.
pub fn write_sections_to_vec(data: &PartData) -> Result<Vec<u8>, String> {
    let (head, sections) = encode(data, 1)?;
    let mut out = Vec::new();
    emit(&mut out, &head, &sections).map_err(|e| e.to_string())?;
    Ok(out)
}

/// The format new parts are written in: 1 by default (zero-copy columns, the fastest scans today), or 2 (compressed
/// blocks, about a quarter of the size, about twice the scan CPU until its decode gets cheaper) where the
/// environment variable `TROPA_PART_FORMAT=2` asks for it. Both are always read.
pub fn write_version() -> u32 {
    static VERSION: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *VERSION.get_or_init(|| match std::env::var("TROPA_PART_FORMAT").ok().as_deref() {
        Some("2") => 2,
        _ => 1,
    })
}

/// Writes `data` as a part at `path` in the format of [`write_version`] (atomically: temporary file, fsync,
/// rename, fsync of the folder).
pub fn write_part(path: &Path, data: &PartData, part_id: u64) -> Result<PartMeta, EngineError> {
    write_part_as(path, data, part_id, write_version())
}

/// [`write_part`] in format `version` (1 or 2).
pub fn write_part_as(path: &Path, data: &PartData, part_id: u64, version: u32) -> Result<PartMeta, EngineError> {
    let (head, sections) =
        encode(data, version).map_err(|reason| EngineError::Corrupt { path: path.to_path_buf(), reason })?;
    let tmp = path.with_extension("tmp");
    let file = File::create(&tmp).map_err(EngineError::io("create", &tmp))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let bytes = emit(&mut w, &head, &sections).map_err(EngineError::io("write", &tmp))?;
    let file =
        w.into_inner().map_err(|e| EngineError::Io { op: "write", path: tmp.clone(), source: e.into_error() })?;
    file.sync_all().map_err(EngineError::io("fsync", &tmp))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(EngineError::io("rename", path))?;
    if let Some(dir) = path.parent() {
        fsutil::sync_dir(dir)?;
    }
    let minmax = |v: &[i64]| (v.iter().copied().min().unwrap_or(0), v.iter().copied().max().unwrap_or(0));
    let (min_ts, max_ts) = minmax(&data.ts);
    Ok(PartMeta {
        id: part_id,
        rows: data.rows() as u64,
        customers: data.keys.len() as u64,
        min_ts,
        max_ts,
        min_key: data.keys.first().copied().unwrap_or(0),
        max_key: data.keys.last().copied().unwrap_or(0),
        min_seq: data.seq.iter().copied().min().unwrap_or(0),
        max_seq: data.seq.iter().copied().max().unwrap_or(0),
        bytes,
    })
}

pub fn align8(n: usize) -> usize {
    (n + 7) & !7
}
