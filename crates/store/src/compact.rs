//! Compaction: rewrite every part into few large parts, in key order, with merged identities re-filed under
//! their customer and forgotten events dropped. The manifest switch is atomic; old parts are deleted after it.

use std::sync::Arc;

use serde::Serialize;
use tropa_core::{Columns, Journey};
use tropa_engine::{EngineError, JourneySink, ScanSpec, ScanVisitor};

use crate::part::{write_part, PartBuilder, PartReader};
use crate::writer::Writer;

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

pub fn compact(w: &mut Writer) -> Result<CompactReport, EngineError> {
    w.flush()?;
    let before = w.parts.len();
    let snap = w.snapshot()?;
    let chunks = snap.scan(&ScanSpec::default().with_columns(Columns::ROWS), &Collect);
    let mut metas = Vec::new();
    let mut builder = PartBuilder::new();
    let mut rows = 0u64;
    let mut next_part = w.manifest.next_part;
    let mut written = Vec::new();
    for chunk in chunks {
        let Ok(list) = chunk.downcast::<Vec<(u32, Vec<tropa_core::RowRef>)>>() else { continue };
        for (customer, refs) in *list {
            for r in refs {
                builder.push(&snap.parts[r.part as usize].row(r.row as usize, customer));
                rows += 1;
            }
            if builder.len() >= w.opts.part_rows {
                let path = w.part_path(next_part);
                metas.push(write_part(&path, &std::mem::take(&mut builder).finish(), next_part)?);
                written.push(path);
                next_part += 1;
            }
        }
    }
    if !builder.is_empty() {
        let path = w.part_path(next_part);
        metas.push(write_part(&path, &builder.finish(), next_part)?);
        written.push(path);
        next_part += 1;
    }
    let old: Vec<_> = w.manifest.parts.iter().map(|m| w.part_path(m.id)).collect();
    w.write_dicts()?;
    let mut m = w.manifest.clone();
    m.parts = metas;
    m.next_part = next_part;
    m.tombstones.clear();
    m.generation += 1;
    m.store(&w.dir.join(crate::MANIFEST))?;
    w.manifest = m;
    w.tombstones.clear();
    let mut parts = Vec::with_capacity(written.len());
    for p in &written {
        parts.push(Arc::new(PartReader::open(p)?));
    }
    w.parts = parts;
    w.invalidate();
    for p in old {
        std::fs::remove_file(&p).map_err(EngineError::io("remove", &p))?;
    }
    Ok(CompactReport { parts_before: before, parts_after: w.parts.len(), rows })
}
