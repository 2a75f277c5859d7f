//! The store's catalog of event names and properties ([`tropa_core::catalog`]), kept as events are filed so that
//! the dictionary page never scans.
//!
//! `catalog.json` (`{"version": 1, "watermark": W, "catalog": …}`) counts exactly the stored events with a
//! sequence number below `W`. It is written atomically at each checkpoint (a flush, or the install of a part
//! written outside the lock), before the manifest: the WAL records replayed at open are added only from `W` on,
//! so a crash between the two writes counts nothing twice. Compaction moves rows but changes no event, so it
//! leaves the catalog alone. A forget recounts the catalog from a scan of what is left (under the writer lock;
//! forgetting is rare), and so does an open whose WAL replayed a forget: counts are always those of the events a
//! scan sees, never of forgotten customers. A missing file (a data folder older than the catalog) is recounted
//! once at open.

use std::any::Any;
use std::path::Path;

use tropa_core::catalog::{Catalog, CatalogFold};
use tropa_core::Journey;
use tropa_engine::{EngineError, JourneySink, ScanSpec, ScanVisitor};

use crate::scan::Snapshot;

pub const FILE: &str = "catalog.json";
const VERSION: u64 = 1;

/// The catalog in `dir` and its watermark; `None` when there is no file yet.
pub fn load(dir: &Path) -> Result<Option<(Catalog, u64)>, EngineError> {
    let path = dir.join(FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(EngineError::Io { op: "read", path, source: e }),
    };
    let bad = |reason: String| EngineError::Corrupt { path: path.clone(), reason };
    let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
    if v.get("version").and_then(|v| v.as_u64()) != Some(VERSION) {
        return Err(bad(format!("not catalog version {VERSION}")));
    }
    let watermark = v.get("watermark").and_then(|w| w.as_u64()).ok_or_else(|| bad("no watermark".into()))?;
    let catalog =
        serde_json::from_value(v.get("catalog").cloned().unwrap_or_default()).map_err(|e| bad(e.to_string()))?;
    Ok(Some((catalog, watermark)))
}

/// Replaces `catalog.json` with `catalog`, which counts the events with sequence numbers below `watermark`.
pub fn store(dir: &Path, catalog: &Catalog, watermark: u64) -> Result<(), EngineError> {
    let doc = serde_json::json!({"version": VERSION, "watermark": watermark, "catalog": catalog});
    crate::fsutil::write_atomic(&dir.join(FILE), &serde_json::to_vec(&doc).unwrap_or_default())
}

struct Visitor<'d>(CatalogFold<'d>);

impl<'d> ScanVisitor for Visitor<'d> {
    fn start(&self) -> Box<dyn JourneySink + '_> {
        Box::new(FoldSink { fold: &self.0, acc: Catalog::default() })
    }
}

struct FoldSink<'f, 'd> {
    fold: &'f CatalogFold<'d>,
    acc: Catalog,
}

impl JourneySink for FoldSink<'_, '_> {
    fn journey(&mut self, journey: &Journey<'_>) {
        tropa_core::JourneyFold::fold(self.fold, &mut self.acc, journey);
    }

    fn finish(self: Box<Self>) -> Box<dyn Any + Send> {
        Box::new(self.acc)
    }
}

/// Counts the catalog of everything `snap` shows (after a forget).
pub fn recount(snap: &Snapshot) -> Result<Catalog, EngineError> {
    let spec = ScanSpec::default().with_columns(CatalogFold::columns());
    let visitor = Visitor(CatalogFold { dicts: &snap.dicts });
    let mut out = Catalog::default();
    for part in snap.scan(&spec, &visitor)? {
        if let Ok(c) = part.downcast::<Catalog>() {
            out.merge(&c);
        }
    }
    Ok(out.sorted())
}
