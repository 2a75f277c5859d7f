//! File-system helpers for durability: fsync of folders and atomic replacement of small files.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use tropa_engine::EngineError;

/// Makes a rename or file creation in `dir` durable.
pub fn sync_dir(dir: &Path) -> Result<(), EngineError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(EngineError::io("fsync", dir))
}

/// Replaces `path` with `bytes` atomically: write a temporary file, fsync it, rename over, fsync the folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), EngineError> {
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).map_err(EngineError::io("create", &tmp))?;
    f.write_all(bytes).map_err(EngineError::io("write", &tmp))?;
    f.sync_all().map_err(EngineError::io("fsync", &tmp))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(EngineError::io("rename", path))?;
    if let Some(dir) = path.parent() {
        sync_dir(dir)?;
    }
    Ok(())
}

/// Lets the whole pages of bytes `a..z` of a read-only shared file map leave the process's memory
/// (`MADV_DONTNEED`): they stay in the page cache and are read back, the same bytes, on the next access, so this
/// changes resident memory, never data. Pages only partly inside the range are kept.
pub fn let_go(map: &memmap2::Mmap, a: usize, z: usize) {
    const PAGE: usize = 4096;
    let base = map.as_ptr() as usize;
    // page boundaries of the address space (the map starts on one)
    let a = (base + a).div_ceil(PAGE) * PAGE - base;
    let z = (base + z.min(map.len())) / PAGE * PAGE - base;
    if a < z {
        // SAFETY: a read-only shared file mapping: dropped pages are read again from the file on the next
        // access, with the same contents, so no reference into the map ever sees other bytes.
        let _ = unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, a, z - a) };
    }
}

/// The CRC-32 of bytes `a..z` of a read-only file map, read a piece at a time, each piece's pages let go once
/// read ([`let_go`]): checking a large mapped file does not leave it all resident.
pub fn crc_let_go(map: &memmap2::Mmap, a: usize, z: usize) -> u32 {
    const PIECE: usize = 4 << 20;
    let mut h = crc32fast::Hasher::new();
    let mut at = a;
    while at < z {
        let end = (at + PIECE).min(z);
        h.update(&map[at..end]);
        let_go(map, at, end);
        at = end;
    }
    h.finalize()
}
