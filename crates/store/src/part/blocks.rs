//! Format 2 section encoding: the logical array of a section (exactly the bytes format 1 stores in place) cut
//! into blocks, each transformed for its data, compressed with zstd and checksummed on its own.
//!
//! ```text
//! section  u64 decoded bytes | u32 blocks | u32 0
//!          | blocks × (u32 stored | u32 decoded | u32 crc32 of stored | u8 transform | u8 bits | u16 0)
//!          | the stored blocks, back to back
//! ```
//! Transforms: 0 none; 1 zigzag delta of consecutive values (width 4 or 8, the first from 0) as LEB128 varints;
//! 2 unsigned values bit-packed LSB first at `bits` bits (width 1, 2 or 4). The stored bytes are one zstd frame of
//! the transformed block. Blocks hold [`BLOCK_BYTES`] decoded bytes except the last, or (text bytes) end on a
//! value boundary so that every value lies in one block.

use crate::codec::{read_var, write_var};
use rayon::prelude::*;

/// Encoding of a section in the table: in place (format 1 and small format 2 sections) or in blocks.
pub const ENC_RAW: u16 = 0;
pub const ENC_BLOCKS: u16 = 1;

/// Decoded bytes per block.
pub const BLOCK_BYTES: usize = 256 << 10;
/// zstd level of part blocks.
const LEVEL: i32 = 3;
const HEAD: usize = 16;
const ENTRY: usize = 16;

const T_NONE: u8 = 0;
const T_DELTA: u8 = 1;
const T_PACK: u8 = 2;

/// What the writer knows of a section's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// Bytes or floats: compressed as they are.
    Plain,
    /// Integers that change little from one row to the next (time, sequence, offsets, keys).
    Delta,
    /// Small unsigned codes: bit-packed or as they are, whichever is smaller.
    Codes,
}

fn read_le(b: &[u8], width: usize) -> u64 {
    let mut a = [0u8; 8];
    a[..width].copy_from_slice(&b[..width]);
    u64::from_le_bytes(a)
}

fn delta(raw: &[u8], width: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() / width * 2);
    let mut prev = 0u64;
    for v in raw.chunks_exact(width) {
        let v = read_le(v, width);
        let d = v.wrapping_sub(prev) as i64;
        // widths below 8 keep the difference in their own range
        let d = if width == 4 { (v as i64) - (prev as i64) } else { d };
        write_var(&mut out, ((d << 1) ^ (d >> 63)) as u64);
        prev = v;
    }
    out
}

fn bits_for(max: u64) -> u8 {
    (64 - max.leading_zeros()) as u8
}

fn pack(raw: &[u8], width: usize) -> (Vec<u8>, u8) {
    let max = raw.chunks_exact(width).map(|v| read_le(v, width)).max().unwrap_or(0);
    let bits = bits_for(max);
    let n = raw.len() / width;
    let mut words = vec![0u64; (n * bits as usize).div_ceil(64)];
    if bits > 0 {
        for (i, v) in raw.chunks_exact(width).enumerate() {
            let v = read_le(v, width);
            let at = i * bits as usize;
            words[at / 64] |= v << (at % 64);
            if at % 64 + bits as usize > 64 {
                words[at / 64 + 1] |= v >> (64 - at % 64);
            }
        }
    }
    let bytes = (n * bits as usize).div_ceil(8);
    (bytemuck::cast_slice::<u64, u8>(&words)[..bytes].to_vec(), bits)
}

fn zstd(b: &[u8]) -> Vec<u8> {
    zstd::bulk::compress(b, LEVEL).expect("zstd compresses any input into a growable buffer")
}

/// One block: (transform, bits, stored bytes).
fn encode_block(raw: &[u8], width: usize, hint: Hint) -> (u8, u8, Vec<u8>) {
    match hint {
        Hint::Delta if width == 4 || width == 8 => (T_DELTA, 0, zstd(&delta(raw, width))),
        Hint::Codes if matches!(width, 1 | 2 | 4) => {
            let plain = zstd(raw);
            let (packed, bits) = pack(raw, width);
            let packed = zstd(&packed);
            if packed.len() < plain.len() {
                (T_PACK, bits, packed)
            } else {
                (T_NONE, 0, plain)
            }
        }
        _ => (T_NONE, 0, zstd(raw)),
    }
}

/// Block boundaries (decoded byte offsets, from 0 to `len`): every [`BLOCK_BYTES`], or for a byte section whose
/// values end at `ends`, the first value end at or past each [`BLOCK_BYTES`].
fn cuts(len: usize, ends: Option<&[u64]>) -> Vec<usize> {
    let mut out = vec![0];
    match ends {
        None => {
            let mut at = BLOCK_BYTES;
            while at < len {
                out.push(at);
                at += BLOCK_BYTES;
            }
        }
        Some(ends) => {
            let mut last = 0;
            for &e in ends {
                let e = e as usize;
                if e - last >= BLOCK_BYTES && e < len {
                    out.push(e);
                    last = e;
                }
            }
        }
    }
    out.push(len);
    out
}

/// Encodes the logical bytes of a section (values of `width` bytes); `ends` are value ends of a byte section.
pub fn encode(raw: &[u8], width: usize, hint: Hint, ends: Option<&[u64]>) -> Vec<u8> {
    let cut = cuts(raw.len(), ends);
    let blocks: Vec<(u8, u8, Vec<u8>)> =
        cut.par_windows(2).map(|w| encode_block(&raw[w[0]..w[1]], width, hint)).collect();
    let mut out = Vec::with_capacity(HEAD + blocks.len() * ENTRY + blocks.iter().map(|b| b.2.len()).sum::<usize>());
    out.extend_from_slice(&(raw.len() as u64).to_le_bytes());
    out.extend_from_slice(&(blocks.len() as u32).to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    for (w, (t, bits, stored)) in cut.windows(2).zip(&blocks) {
        out.extend_from_slice(&(stored.len() as u32).to_le_bytes());
        out.extend_from_slice(&((w[1] - w[0]) as u32).to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(stored).to_le_bytes());
        out.extend_from_slice(&[*t, *bits, 0, 0]);
    }
    for (_, _, stored) in &blocks {
        out.extend_from_slice(stored);
    }
    out
}

/// One block of an encoded section, as found in its directory.
#[derive(Debug, Clone, Copy)]
pub struct Block {
    /// Where its stored bytes are, relative to the section.
    pub at: usize,
    pub stored: usize,
    /// Where its decoded bytes go in the section's logical bytes.
    pub out: usize,
    pub len: usize,
    crc: u32,
    transform: u8,
    bits: u8,
}

/// The directory of an encoded section.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub len: usize,
    pub blocks: Vec<Block>,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl Directory {
    /// Reads the directory of the encoded section `b`, checking that it is consistent with its size and `width`.
    pub fn parse(b: &[u8], width: usize) -> Result<Directory, String> {
        let bad = |what: &str| Err(format!("encoded section: {what}"));
        if b.len() < HEAD {
            return bad("shorter than its header");
        }
        let len = u64::from_le_bytes(b[..8].try_into().unwrap_or_default()) as usize;
        let n = u32_at(b, 8) as usize;
        let Some(data) = n.checked_mul(ENTRY).map(|d| d + HEAD).filter(|&d| d <= b.len()) else {
            return bad("block directory out of bounds");
        };
        let mut blocks = Vec::with_capacity(n);
        let (mut at, mut out) = (data, 0usize);
        for i in 0..n {
            let e = HEAD + i * ENTRY;
            let stored = u32_at(b, e) as usize;
            let dlen = u32_at(b, e + 4) as usize;
            let (transform, bits) = (b[e + 12], b[e + 13]);
            if transform > T_PACK || bits > 32 || !dlen.is_multiple_of(width) || dlen > 64 * BLOCK_BYTES {
                return bad("block header is damaged");
            }
            blocks.push(Block { at, stored, out, len: dlen, crc: u32_at(b, e + 8), transform, bits });
            at += stored;
            out += dlen;
            if at > b.len() {
                return bad("block out of bounds");
            }
        }
        if out != len || !len.is_multiple_of(width) {
            return bad("block sizes disagree with the section size");
        }
        Ok(Directory { len, blocks })
    }

    /// The block holding decoded byte `at`.
    pub fn find(&self, at: usize) -> Option<usize> {
        let i = self.blocks.partition_point(|b| b.out + b.len <= at);
        (i < self.blocks.len()).then_some(i)
    }
}

/// The LEB128 varint starting the 8 bytes `w` (little-endian), and its length, if it is at most 8 bytes long:
/// without a branch per byte.
#[inline(always)]
fn var8(w: u64) -> Option<(u64, usize)> {
    let stops = !w & 0x8080_8080_8080_8080;
    if stops == 0 {
        return None;
    }
    let len = (stops.trailing_zeros() as usize + 1) / 8;
    let x = if len == 8 { w } else { w & ((1u64 << (8 * len)) - 1) };
    let v = (x & 0x7f)
        | (x >> 1 & 0x7f << 7)
        | (x >> 2 & 0x7f << 14)
        | (x >> 3 & 0x7f << 21)
        | (x >> 4 & 0x7f << 28)
        | (x >> 5 & 0x7f << 35)
        | (x >> 6 & 0x7f << 42)
        | (x >> 7 & 0x7f << 49);
    Some((v, len))
}

/// Undoes the zigzag delta varints of `t` into `out`; the bytes of `t` read (`None` if `t` ends early).
/// `padded` is `t` followed by at least 8 more bytes (or `t` itself): varints are then read 8 bytes at a time.
#[inline(always)]
fn undelta_into<T: Copy>(t: &[u8], padded: &[u8], out: &mut [T], cast: impl Fn(u64) -> T) -> Option<usize> {
    let (mut pos, mut prev) = (0usize, 0u64);
    let fast_end = padded.len().saturating_sub(8).min(t.len());
    for slot in out.iter_mut() {
        if pos < fast_end {
            let w = u64::from_le_bytes(padded[pos..pos + 8].try_into().unwrap_or_default());
            if let Some((z, len)) = var8(w) {
                if pos + len > t.len() {
                    return None;
                }
                pos += len;
                prev = prev.wrapping_add(((z >> 1) as i64 ^ -((z & 1) as i64)) as u64);
                *slot = cast(prev);
                continue;
            }
        }
        let z = match t.get(pos) {
            Some(&b) if b < 0x80 => {
                pos += 1;
                b as u64
            }
            _ => read_var(t, &mut pos)?,
        };
        prev = prev.wrapping_add(((z >> 1) as i64 ^ -((z & 1) as i64)) as u64);
        *slot = cast(prev);
    }
    Some(pos)
}

/// Undoes the zigzag delta varints of `t` into values of `W` bytes filling `out`; the bytes of `t` read.
fn undelta<const W: usize>(t: &[u8], padded: &[u8], out: &mut [u8]) -> Option<usize> {
    // the buffers a scan decodes into are 8-byte aligned: values are written as words, not byte by byte
    match W {
        8 => {
            if let Ok(words) = bytemuck::try_cast_slice_mut::<u8, u64>(out) {
                return undelta_into(t, padded, words, |v| v);
            }
        }
        4 => {
            if let Ok(words) = bytemuck::try_cast_slice_mut::<u8, u32>(out) {
                return undelta_into(t, padded, words, |v| v as u32);
            }
        }
        _ => {}
    }
    let (mut pos, mut prev) = (0usize, 0u64);
    for slot in out.chunks_exact_mut(W) {
        let z = match t.get(pos) {
            Some(&b) if b < 0x80 => {
                pos += 1;
                b as u64
            }
            _ => read_var(t, &mut pos)?,
        };
        let d = (z >> 1) as i64 ^ -((z & 1) as i64);
        prev = prev.wrapping_add(d as u64);
        let bytes = prev.to_le_bytes();
        let slot: &mut [u8; W] = slot.try_into().ok()?;
        slot.copy_from_slice(&bytes[..W]);
    }
    Some(pos)
}

/// Unpacks `bits`-bit values (LSB first) from `packed` (followed by at least 8 bytes of padding) into `out`.
#[inline(always)]
fn unpack_into<T: Copy>(packed: &[u8], bits: usize, out: &mut [T], cast: impl Fn(u64) -> T) {
    let mask = (1u64 << bits) - 1;
    for (i, slot) in out.iter_mut().enumerate() {
        let at = i * bits;
        let b = at / 8;
        let word = u64::from_le_bytes(packed[b..b + 8].try_into().unwrap_or_default());
        *slot = cast((word >> (at % 8)) & mask);
    }
}

/// Unpacks `bits`-bit values (at most 32) from `packed` (followed by at least 8 bytes of padding) into values of
/// `W` bytes filling `out`.
fn unpack<const W: usize>(packed: &[u8], bits: usize, out: &mut [u8]) {
    if bits == 0 {
        out.fill(0);
        return;
    }
    match W {
        1 => unpack_into(packed, bits, out, |v| v as u8),
        2 => match bytemuck::try_cast_slice_mut::<u8, u16>(out) {
            Ok(v) => unpack_into(packed, bits, v, |v| v as u16),
            Err(_) => {
                let mut tmp = vec![0u16; out.len() / 2];
                unpack_into(packed, bits, &mut tmp, |v| v as u16);
                out.copy_from_slice(bytemuck::cast_slice(&tmp));
            }
        },
        _ => match bytemuck::try_cast_slice_mut::<u8, u32>(out) {
            Ok(v) => unpack_into(packed, bits, v, |v| v as u32),
            Err(_) => {
                let mut tmp = vec![0u32; out.len() / 4];
                unpack_into(packed, bits, &mut tmp, |v| v as u32);
                out.copy_from_slice(bytemuck::cast_slice(&tmp));
            }
        },
    }
}

thread_local! {
    /// Each thread's zstd context and its buffer for transformed blocks, reused from block to block (a fresh
    /// context and buffer per block cost more than the decoding itself).
    static UNZSTD: std::cell::RefCell<(Option<zstd::bulk::Decompressor<'static>>, Vec<u8>)> =
        const { std::cell::RefCell::new((None, Vec::new())) };
}

/// Decompresses `stored` (at most `cap` bytes) into this thread's buffer, followed by 8 zero bytes, and calls `f`
/// with the decompressed bytes, without and with the padding.
fn with_unzstd<R>(stored: &[u8], cap: usize, f: impl FnOnce(&[u8], &[u8]) -> R) -> Result<R, String> {
    UNZSTD.with(|cell| {
        let mut guard = cell.borrow_mut();
        let (ctx, buf) = &mut *guard;
        if ctx.is_none() {
            *ctx = Some(zstd::bulk::Decompressor::new().map_err(|e| format!("block: {e}"))?);
        }
        let Some(d) = ctx.as_mut() else { return Err("block: no zstd context".to_string()) };
        buf.clear();
        buf.reserve(cap + 8);
        let n = d.decompress_to_buffer(stored, buf).map_err(|e| format!("block: {e}"))?;
        buf.truncate(n);
        buf.extend_from_slice(&[0u8; 8]);
        Ok(f(&buf[..n], &buf[..]))
    })
}

/// Decodes one block of section `sec` into `out` (exactly `block.len` bytes).
pub fn decode_block(sec: &[u8], block: &Block, width: usize, out: &mut [u8]) -> Result<(), String> {
    let stored = &sec[block.at..block.at + block.stored];
    if crc32fast::hash(stored) != block.crc {
        return Err("block checksum mismatch".into());
    }
    let n = block.len / width;
    let wrong = || "block decodes to the wrong size".to_string();
    match block.transform {
        T_NONE => {
            let got = UNZSTD
                .with(|cell| {
                    let mut guard = cell.borrow_mut();
                    if guard.0.is_none() {
                        guard.0 = zstd::bulk::Decompressor::new().ok();
                    }
                    match guard.0.as_mut() {
                        Some(d) => d.decompress_to_buffer(stored, out),
                        None => zstd::bulk::decompress_to_buffer(stored, out),
                    }
                })
                .map_err(|e| format!("block: {e}"))?;
            if got != block.len {
                return Err(wrong());
            }
        }
        T_DELTA => {
            let pos = with_unzstd(stored, n * 10 + 16, |t, padded| match width {
                8 => undelta::<8>(t, padded, out).filter(|&p| p == t.len()),
                4 => undelta::<4>(t, padded, out).filter(|&p| p == t.len()),
                _ => None,
            })?;
            if pos.is_none() {
                return Err(wrong());
            }
        }
        _ => {
            let bits = block.bits as usize;
            let need = (n * bits).div_ceil(8);
            let ok = with_unzstd(stored, need + 8, |t, padded| {
                if t.len() != need {
                    return false;
                }
                // `padded` is `t` and 8 zero bytes: unpack reads whole words past its end
                match width {
                    1 => unpack::<1>(padded, bits, out),
                    2 => unpack::<2>(padded, bits, out),
                    4 => unpack::<4>(padded, bits, out),
                    _ => return false,
                }
                true
            })?;
            if !ok {
                return Err(wrong());
            }
        }
    }
    Ok(())
}

/// Decodes a whole section into 8-byte aligned words (its logical bytes are the first `dir.len`), blocks in
/// parallel.
pub fn decode_all(sec: &[u8], dir: &Directory, width: usize) -> Result<Vec<u64>, String> {
    let mut words = vec![0u64; dir.len.div_ceil(8)];
    let bytes = &mut bytemuck::cast_slice_mut::<u64, u8>(&mut words)[..dir.len];
    let mut slices = Vec::with_capacity(dir.blocks.len());
    let mut rest = bytes;
    for b in &dir.blocks {
        let (head, tail) = rest.split_at_mut(b.len);
        slices.push((b, head));
        rest = tail;
    }
    slices.into_par_iter().try_for_each(|(b, out)| decode_block(sec, b, width, out))?;
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(raw: &[u8], width: usize, hint: Hint, ends: Option<&[u64]>) {
        let enc = encode(raw, width, hint, ends);
        let dir = Directory::parse(&enc, width).unwrap();
        let words = decode_all(&enc, &dir, width).unwrap();
        assert_eq!(&bytemuck::cast_slice::<u64, u8>(&words)[..raw.len()], raw);
        for b in &dir.blocks {
            let mut out = vec![0u8; b.len];
            decode_block(&enc, b, width, &mut out).unwrap();
            assert_eq!(&out[..], &raw[b.out..b.out + b.len]);
        }
    }

    #[test]
    fn every_transform_round_trips() {
        let ts: Vec<i64> = (0..200_000).map(|i| 1_700_000_000_000 + (i * 7919 % 100_003) - (i % 5) * 1000).collect();
        round(bytemuck::cast_slice(&ts), 8, Hint::Delta, None);
        let ext: Vec<u64> = vec![0, u64::MAX, 1, u64::MAX / 2, 7, 0];
        round(bytemuck::cast_slice(&ext), 8, Hint::Delta, None);
        let u: Vec<u32> = vec![u32::MAX, 0, 5, u32::MAX - 3, 1 << 31];
        round(bytemuck::cast_slice(&u), 4, Hint::Delta, None);
        for width in [1usize, 2, 4] {
            for max in [0u64, 1, 5, 255, 70_000] {
                let limit = if width == 8 { max } else { max.min((1u64 << (8 * width)) - 1) };
                let raw: Vec<u8> = (0..300_000u64)
                    .flat_map(|i| (i * 2_654_435_761 % (limit + 1)).to_le_bytes()[..width].to_vec())
                    .collect();
                round(&raw, width, Hint::Codes, None);
            }
        }
        let text: Vec<u8> = (0..400_000).map(|i| b"abc{\"x\":1}"[i % 10]).collect();
        let ends: Vec<u64> = (1..=40_000).map(|i| i * 10).collect();
        round(&text, 1, Hint::Plain, Some(&ends));
        round(&[], 8, Hint::Delta, None);
        round(&[], 1, Hint::Plain, Some(&[]));
    }

    #[test]
    fn varints_read_8_bytes_at_a_time_equal_the_plain_reader() {
        let mut values: Vec<u64> = vec![0, 1, 127, 128, 16_383, 16_384, u32::MAX as u64, 1 << 55, (1 << 56) - 1];
        values.extend([1u64 << 56, u64::MAX, u64::MAX / 3]);
        for v in values {
            let mut b = Vec::new();
            write_var(&mut b, v);
            let len = b.len();
            b.resize(16, 0xff);
            let w = u64::from_le_bytes(b[..8].try_into().unwrap());
            match var8(w) {
                Some(got) => assert_eq!(got, (v, len), "{v}"),
                None => assert!(len > 8, "{v}"),
            }
        }
    }

    #[test]
    fn text_blocks_end_on_value_ends() {
        let text = vec![b'x'; 3 * BLOCK_BYTES];
        let ends = [10u64, BLOCK_BYTES as u64 + 5, 3 * BLOCK_BYTES as u64];
        let enc = encode(&text, 1, Hint::Plain, Some(&ends));
        let dir = Directory::parse(&enc, 1).unwrap();
        let outs: Vec<usize> = dir.blocks.iter().map(|b| b.out).collect();
        assert_eq!(outs, vec![0, BLOCK_BYTES + 5]);
    }

    #[test]
    fn damage_is_an_error() {
        let ts: Vec<i64> = (0..1000).collect();
        let mut enc = encode(bytemuck::cast_slice(&ts), 8, Hint::Delta, None);
        let last = enc.len() - 3;
        enc[last] ^= 0x40;
        let dir = Directory::parse(&enc, 8).unwrap();
        assert!(decode_all(&enc, &dir, 8).is_err());
    }
}
