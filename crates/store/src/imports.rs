//! The import log: a digest of every chunk of rows a file import committed, so that importing the same rows
//! again is recognised without a message id per row (rows without one store an empty id).
//!
//! A chunk is one batch of an import (`--batch` rows of one file, row numbers from 1): its first row, its row
//! count, a 128-bit digest of its events (everything but the receive time) and the digest of the whole file
//! it came from. A re-import skips a chunk whose (first row, rows, digest) is in the log.
//!
//! Exactness across a crash: the chunks of a commit are written to `imports.bin` **before** the manifest that
//! commits their rows, tagged with that manifest's generation. At open, entries tagged with a generation the
//! manifest never reached (a crash between the two writes) are dropped and the file is rewritten, before any
//! later manifest could reach that generation. So an entry is in the log exactly when its rows are in the store.
//!
//! File layout (little-endian, replaced atomically like the manifest):
//! `TRPIMP1\n`, entry count u64, then per entry file digest u128, first row u64, rows u64, digest u128,
//! generation u64 (56 bytes); then the xxh3-64 of everything before it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use tropa_engine::EngineError;

use crate::fsutil;

/// The file name of the import log in the data folder.
pub const IMPORTS: &str = "imports.bin";

const MAGIC: &[u8; 8] = b"TRPIMP1\n";
const ENTRY: usize = 56;

/// One committed chunk of an imported file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Chunk {
    /// Digest of the whole file's bytes (recorded for the report; not part of the recognition key).
    pub file: u128,
    /// Row number (from 1) of the chunk's first row in its file.
    pub first_row: u64,
    pub rows: u64,
    /// Digest of the chunk's events and bad row numbers.
    pub digest: u128,
}

impl Chunk {
    /// What recognises a chunk: the same rows at the same place of a file (any file).
    pub fn key(&self) -> (u64, u64, u128) {
        (self.first_row, self.rows, self.digest)
    }
}

/// The chunks committed so far and the generation of the manifest that committed each.
#[derive(Debug, Default)]
pub struct ImportLog {
    path: PathBuf,
    entries: Vec<(Chunk, u64)>,
    keys: HashSet<(u64, u64, u128)>,
}

impl ImportLog {
    /// Reads the log of the data folder `dir`, dropping (and rewriting without) entries of a commit that the
    /// manifest of `generation` does not include.
    pub fn open(dir: &Path, generation: u64) -> Result<ImportLog, EngineError> {
        let path = dir.join(IMPORTS);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(ImportLog { path, ..ImportLog::default() })
            }
            Err(e) => return Err(EngineError::Io { op: "read", path, source: e }),
        };
        let all = decode(&bytes).map_err(|reason| EngineError::Corrupt { path: path.clone(), reason })?;
        let committed: Vec<(Chunk, u64)> = all.iter().copied().filter(|&(_, g)| g <= generation).collect();
        let log = ImportLog { path, keys: committed.iter().map(|(c, _)| c.key()).collect(), entries: committed };
        if log.entries.len() != all.len() {
            log.store()?;
        }
        Ok(log)
    }

    /// Whether a chunk with these rows was committed before.
    pub fn contains(&self, chunk: &Chunk) -> bool {
        self.keys.contains(&chunk.key())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds chunks to be committed by the manifest of `generation` and writes the log (before that manifest).
    pub fn add(&mut self, chunks: &[Chunk], generation: u64) -> Result<(), EngineError> {
        for c in chunks {
            if self.keys.insert(c.key()) {
                self.entries.push((*c, generation));
            }
        }
        self.store()
    }

    /// Re-tags the entries of `from` with `to` (a commit that turned out to write no new manifest).
    pub fn retag(&mut self, from: u64, to: u64) -> Result<(), EngineError> {
        let mut changed = false;
        for (_, g) in self.entries.iter_mut().filter(|(_, g)| *g == from) {
            *g = to;
            changed = true;
        }
        if changed {
            self.store()?;
        }
        Ok(())
    }

    fn store(&self) -> Result<(), EngineError> {
        fsutil::write_atomic(&self.path, &encode(&self.entries))
    }
}

fn encode(entries: &[(Chunk, u64)]) -> Vec<u8> {
    let mut b = Vec::with_capacity(16 + entries.len() * ENTRY + 8);
    b.extend_from_slice(MAGIC);
    b.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    for (c, g) in entries {
        b.extend_from_slice(&c.file.to_le_bytes());
        b.extend_from_slice(&c.first_row.to_le_bytes());
        b.extend_from_slice(&c.rows.to_le_bytes());
        b.extend_from_slice(&c.digest.to_le_bytes());
        b.extend_from_slice(&g.to_le_bytes());
    }
    let sum = xxhash_rust::xxh3::xxh3_64(&b);
    b.extend_from_slice(&sum.to_le_bytes());
    b
}

fn decode(b: &[u8]) -> Result<Vec<(Chunk, u64)>, String> {
    if b.len() < 24 || &b[..8] != MAGIC {
        return Err("import log: not a tropa import log".into());
    }
    let (body, sum) = b.split_at(b.len() - 8);
    if xxh3(body) != u64::from_le_bytes(sum.try_into().map_err(|_| "import log: short")?) {
        return Err("import log: checksum mismatch".into());
    }
    let n = u64::from_le_bytes(body[8..16].try_into().map_err(|_| "import log: short")?) as usize;
    let rest = &body[16..];
    if rest.len() != n.saturating_mul(ENTRY) {
        return Err(format!("import log: {} bytes for {n} entries", rest.len()));
    }
    let u64_at = |e: &[u8], i: usize| u64::from_le_bytes(e[i..i + 8].try_into().unwrap_or([0; 8]));
    let u128_at = |e: &[u8], i: usize| u128::from_le_bytes(e[i..i + 16].try_into().unwrap_or([0; 16]));
    Ok(rest
        .chunks_exact(ENTRY)
        .map(|e| {
            let c =
                Chunk { file: u128_at(e, 0), first_row: u64_at(e, 16), rows: u64_at(e, 24), digest: u128_at(e, 32) };
            (c, u64_at(e, 48))
        })
        .collect())
}

fn xxh3(b: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(first_row: u64, digest: u128) -> Chunk {
        Chunk { file: 7, first_row, rows: 10, digest }
    }

    #[test]
    fn round_trips_and_drops_uncommitted_entries() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = ImportLog::open(dir.path(), 0).unwrap();
        assert!(log.is_empty());
        log.add(&[chunk(1, 1), chunk(11, 2)], 1).unwrap();
        log.add(&[chunk(21, 3)], 2).unwrap();
        // the manifest reached generation 1 only: the chunk of generation 2 was never committed
        let log = ImportLog::open(dir.path(), 1).unwrap();
        assert_eq!(log.len(), 2);
        assert!(log.contains(&chunk(1, 1)) && log.contains(&chunk(11, 2)) && !log.contains(&chunk(21, 3)));
        // and it stays dropped once a later manifest reaches generation 2
        let log = ImportLog::open(dir.path(), 5).unwrap();
        assert_eq!(log.len(), 2);
        // recognition is by place and content, not by the file
        assert!(log.contains(&Chunk { file: 99, ..chunk(1, 1) }));
        assert!(!log.contains(&chunk(2, 1)));
    }

    #[test]
    fn a_damaged_log_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = ImportLog::open(dir.path(), 0).unwrap();
        log.add(&[chunk(1, 1)], 0).unwrap();
        let path = dir.path().join(IMPORTS);
        let mut b = std::fs::read(&path).unwrap();
        b[30] ^= 1;
        std::fs::write(&path, &b).unwrap();
        let err = ImportLog::open(dir.path(), 0).unwrap_err().to_string();
        assert!(err.contains("checksum"), "{err}");
    }
}
