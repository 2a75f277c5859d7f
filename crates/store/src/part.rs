//! Parts: immutable columnar files of events sorted by (customer key, time, sequence).
//!
//! Format version 2 (written; `docs/adr/0005-part-format-v2.md`) has the layout of version 1 below, with one
//! change: every non-empty section is stored **encoded in blocks** (table entry `u16 width | u16
//! encoding`, encoding 1; see the `blocks` module for the block layout): the section's logical bytes — exactly
//! what version 1 stores — cut into 256 KiB blocks (text bytes: on value ends), each transformed (zigzag delta
//! varints for time, sequence, arrival time, keys, row starts and text offsets; bit-packed or plain codes,
//! whichever is smaller, for names, kinds and dictionary codes), compressed with zstd and given a CRC-32. A
//! scan decodes only the columns it reads: time and names chunk by chunk into reused buffers, or (rows gathered
//! from several parts) whole, once; a single value decodes one block. Version 1 parts are read as before; the in-memory part of unflushed events is version 1.
//!
//! Format version 1, little-endian, every section 8-byte aligned so it can be viewed in place from an mmap:
//!
//! ```text
//! header   "TROPART\0" | u32 version | u32 sections | u64 rows | u64 customers | i64 min_ts | i64 max_ts
//!          | u32 min_key | u32 max_key | u64 min_seq | u64 max_seq
//! table    sections × (u32 id | u32 encoding | u64 offset | u64 len)
//! data     sections
//! footer   u32 crc32 of header+table | "TRPEND\0\0"
//! ```
//! Sections: customer keys `[u32]` and row starts `[u32; customers+1]`, `ts [i64]`, `seq [u64]`, `name [u16]`,
//! `kind [u8]`, one per dictionary column (codes of width 1, 2 or 4 bytes, or absent when all zero), revenue as
//! sparse `(row u32, value f64)` pairs, and one per text column (per-part dictionary or plain offsets + bytes, or
//! absent when all empty). A part is written to a temporary name, fsynced and renamed, so a reader never sees a
//! half-written part; the footer catches truncation.

mod blocks;
mod build;
mod format;
mod read;

pub use build::{PartBuilder, PartData, Row};
pub use format::{write_part, write_part_as, write_version, FORMAT_VERSION};
pub use read::{Bytes, Codes, PartReader, RevenueIndex};

/// Dictionary columns stored per row (every [`tropa_core::DictCol`] except `Name`, which has its own `u16` column).
pub const DICT_COLS: usize = tropa_core::DictCol::COUNT - 1;
