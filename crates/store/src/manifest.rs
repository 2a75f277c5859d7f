//! The manifest: the one file that says which parts, snapshots and WAL segments make up the store.
//!
//! It is replaced atomically; whatever it does not name (a part written just before a crash, an old snapshot) is
//! garbage and removed at open.

use std::path::Path;

use serde::{Deserialize, Serialize};
use tropa_engine::EngineError;

use crate::fsutil;

/// Format version of the manifest and of the store folder layout.
pub const MANIFEST_VERSION: u32 = 1;

/// Statistics of one part, kept in the manifest for pruning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartMeta {
    pub id: u64,
    pub rows: u64,
    pub customers: u64,
    pub min_ts: i64,
    pub max_ts: i64,
    pub min_key: u32,
    pub max_key: u32,
    pub min_seq: u64,
    pub max_seq: u64,
    pub bytes: u64,
}

/// Events of `actor` with sequence ≤ `max_seq` are deleted (right to be forgotten) until compaction drops them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tombstone {
    pub actor: u32,
    pub max_seq: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub version: u32,
    pub generation: u64,
    pub next_part: u64,
    pub next_seq: u64,
    pub parts: Vec<PartMeta>,
    /// First WAL segment whose events are not in parts yet.
    pub wal_from: u64,
    /// Actors in `actors.log` and its valid length in bytes.
    pub actors: u64,
    pub actors_len: u64,
    /// Valid lengths of `links.bin` and `reasons.log` (the identity merges).
    pub links_len: u64,
    pub reasons_len: u64,
    pub tombstones: Vec<Tombstone>,
}

impl Manifest {
    pub fn new() -> Self {
        Manifest { version: MANIFEST_VERSION, wal_from: 1, next_part: 1, ..Manifest::default() }
    }

    pub fn load(path: &Path) -> Result<Option<Self>, EngineError> {
        let text = match std::fs::read(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(EngineError::Io { op: "read", path: path.into(), source: e }),
        };
        #[derive(Deserialize)]
        struct Probe {
            version: u32,
        }
        let probe: Probe = serde_json::from_slice(&text)
            .map_err(|e| EngineError::Corrupt { path: path.into(), reason: format!("manifest: {e}") })?;
        if probe.version > MANIFEST_VERSION {
            return Err(EngineError::Version { path: path.into(), found: probe.version, supported: MANIFEST_VERSION });
        }
        let m = serde_json::from_slice(&text)
            .map_err(|e| EngineError::Corrupt { path: path.into(), reason: format!("manifest: {e}") })?;
        Ok(Some(m))
    }

    pub fn store(&self, path: &Path) -> Result<(), EngineError> {
        let text = serde_json::to_vec_pretty(self)
            .map_err(|e| EngineError::Corrupt { path: path.into(), reason: format!("manifest: {e}") })?;
        fsutil::write_atomic(path, &text)
    }
}
