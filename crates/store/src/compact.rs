//! Compaction: rewrite parts into few large parts, in key order, with merged identities re-filed under their
//! customer and forgotten events dropped. Online: the store keeps ingesting and answering while rows are merged.
//! The manifest switch is atomic; old parts are deleted after it.

use std::sync::Arc;

use serde::Serialize;
use tropa_core::{Columns, Journey};
use tropa_engine::{EngineError, JourneySink, ScanSpec, ScanVisitor};

use crate::part::{write_part, PartBuilder, PartReader};
use std::collections::HashMap;

use crate::scan::Snapshot;
use crate::Store;

/// What a compaction did.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct CompactReport {
    pub parts_before: usize,
    pub parts_after: usize,
    pub rows: u64,
}

struct Collect;

struct Rows(Vec<(u32, Vec<tropa_core::RowRef>)>);

impl ScanVisitor for Collect {
    fn start(&self) -> Box<dyn JourneySink + '_> {
        Box::new(Rows(Vec::new()))
    }
}

impl JourneySink for Rows {
    fn journey(&mut self, j: &Journey<'_>) {
        self.0.push((j.customer.0, j.rows.to_vec()));
    }
    fn finish(self: Box<Self>) -> Box<dyn std::any::Any + Send> {
        Box::new(self.0)
    }
}

/// Which parts a compaction merges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompactScope {
    /// Every part: a full rewrite that also drops the rows of forgotten customers for good.
    All,
    /// Only parts smaller than half the target part size, and only when there are at least this many of them,
    /// written as parts of half the target size (what a long-running server does in the background: few
    /// rewrites, a bounded number of parts, and half the memory of a full compaction while it runs).
    SmallParts { at_least: usize },
}

/// Merges parts while the store keeps taking events and answering queries: the writer lock is held only to pick
/// the parts (after a flush) and to install the result, not while rows are read and written.
///
/// Why this is safe: parts are immutable; a part flushed meanwhile is not picked and stays; a customer forgotten
/// meanwhile keeps its tombstone (its `max_seq` covers the merged rows); identities linked meanwhile leave rows
/// keyed by a former representative, which the scan gathers anyway (a "member" row).
pub fn compact(store: &Store, scope: CompactScope) -> Result<CompactReport, EngineError> {
    let _one_at_a_time = store.compacting.lock().unwrap_or_else(|p| p.into_inner());
    if scope == CompactScope::All {
        // a full compaction takes the memtable too: wait for a background flush, then flush the rest below
        store.wait_for_flusher();
    }
    // 1. pick (locked)
    let (snap, picked, picked_tombstones, first_id, part_rows) = {
        let mut w = store.writer();
        // the small-parts merge of a running server leaves the memtable alone: writing it here, under the lock,
        // would hold up every ingest request for the length of a part write (the background flusher writes it)
        if scope == CompactScope::All {
            w.flush()?;
        }
        let half = w.opts.part_rows / 2;
        let picked: Vec<Arc<PartReader>> = match scope {
            CompactScope::All => w.parts.clone(),
            CompactScope::SmallParts { at_least } => {
                let small: Vec<_> = w.parts.iter().filter(|p| p.rows < half).cloned().collect();
                if small.len() < at_least.max(2) {
                    return Ok(CompactReport { parts_before: w.parts.len(), parts_after: w.parts.len(), rows: 0 });
                }
                small
            }
        };
        let rows: usize = picked.iter().map(|p| p.rows).sum();
        // reserve part ids, so that flushes meanwhile never take one of ours
        let first_id = w.manifest.next_part;
        let out_rows = match scope {
            CompactScope::All => w.opts.part_rows,
            CompactScope::SmallParts { .. } => half,
        }
        .max(1);
        w.manifest.next_part += (rows / out_rows) as u64 + 2;
        let tomb: HashMap<u32, u64> = w.tombstones.iter().map(|t| (t.actor, t.max_seq)).collect();
        let snap = Snapshot::new(picked.clone(), w.roots(), Arc::new(w.dicts.clone()), tomb, w.opts.chunk_rows);
        (snap, picked, w.tombstones.clone(), first_id, out_rows)
    };
    // 2. merge (unlocked); every column is read, so a damaged part stops the merge here
    for p in &picked {
        p.load_all()?;
    }
    let chunks = snap.scan(&ScanSpec::default().with_columns(Columns::ROWS), &Collect)?;
    let mut metas = Vec::new();
    let mut builder = PartBuilder::new();
    let mut rows = 0u64;
    let mut next_id = first_id;
    let mut written = Vec::new();
    let dir = store.dir().to_path_buf();
    let mut write = |builder: PartBuilder, next_id: &mut u64| -> Result<(), EngineError> {
        let path = crate::writer::part_path(&dir, *next_id);
        let data = builder.finish();
        metas.push(write_part(&path, &data, *next_id)?);
        let ids = crate::writer::write_sidecar(&path, &data)?;
        written.push((path, ids));
        *next_id += 1;
        Ok(())
    };
    for chunk in chunks {
        let Ok(list) = chunk.downcast::<Vec<(u32, Vec<tropa_core::RowRef>)>>() else { continue };
        for (customer, refs) in *list {
            for r in refs {
                builder.push(&snap.parts[r.part as usize].row(r.row as usize, customer));
                rows += 1;
            }
            if builder.len() >= part_rows {
                write(std::mem::take(&mut builder), &mut next_id)?;
            }
        }
    }
    if !builder.is_empty() {
        write(builder, &mut next_id)?;
    }
    // 3. install (locked)
    let mut w = store.writer();
    let before = w.parts.len();
    let is_picked = |p: &Arc<PartReader>| picked.iter().any(|q| Arc::ptr_eq(p, q));
    let kept: Vec<Arc<PartReader>> = w.parts.iter().filter(|p| !is_picked(p)).cloned().collect();
    let old: Vec<_> = picked.iter().map(|p| p.path.clone()).collect();
    let mut m = w.manifest.clone();
    m.parts.retain(|meta| !old.contains(&w.part_path(meta.id)));
    m.parts.extend(metas.iter().copied());
    m.next_part = m.next_part.max(next_id);
    if scope == CompactScope::All {
        // tombstones the merge applied are done; one set or replaced meanwhile still applies
        let current = w.tombstones.clone();
        w.tombstones = current.into_iter().filter(|t| !picked_tombstones.contains(t)).collect();
    }
    m.tombstones = w.tombstones.clone();
    m.generation += 1;
    w.write_dicts()?;
    m.store(&w.dir.join(crate::MANIFEST))?;
    w.manifest = m;
    let mut parts = kept;
    for (p, ids) in written {
        parts.push(Arc::new(PartReader::open(&p)?));
        w.index_part(&p, ids);
    }
    w.parts = parts;
    w.invalidate();
    for p in old {
        std::fs::remove_file(&p).map_err(EngineError::io("remove", &p))?;
        // its duplicate-index sidecar (absent when never written: ignore)
        let _ = std::fs::remove_file(crate::writer::sidecar_path(&p));
    }
    Ok(CompactReport { parts_before: before, parts_after: w.parts.len(), rows })
}
