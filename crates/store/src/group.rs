//! Group commit: concurrent ingest calls queue their batches; whoever takes the writer lock logs every queued
//! batch with one WAL fsync and hands the others their results.
//!
//! A group is all or nothing in the WAL. When a write or the fsync fails, the group's records are cut off the log
//! and every caller of the group gets the error, each its own copy with the same kind (an I/O failure stays an
//! internal error), while nothing of the group has been applied — no duplicate-index ids, sequence numbers,
//! rows, actors or dictionary values — so a retry stores the events. A batch that fails its checks fails only its
//! own caller; the others are logged without it.

use std::collections::{HashMap, HashSet};

use tropa_core::{CoreError, Event};
use tropa_engine::{EngineError, IngestReport};

use crate::wal::{Wal, WalRecord};
use crate::writer::{KeySet, Writer};

/// Batches waiting to be logged, and the results of those logged by another caller.
pub(crate) struct Queue {
    next: u64,
    items: Vec<(u64, Vec<Event>)>,
    done: HashMap<u64, Result<IngestReport, EngineError>>,
}

impl Queue {
    pub fn new() -> Self {
        Queue { next: 0, items: Vec::new(), done: HashMap::new() }
    }

    /// Queues a batch; returns its ticket.
    pub fn push(&mut self, events: Vec<Event>) -> u64 {
        let ticket = self.next;
        self.next += 1;
        self.items.push((ticket, events));
        ticket
    }

    /// What the caller of `ticket` does now that it holds the writer lock.
    pub fn turn(&mut self, ticket: u64) -> Turn {
        match self.done.remove(&ticket) {
            Some(r) => Turn::Done(r),
            None => Turn::Lead(std::mem::take(&mut self.items)),
        }
    }

    /// Hands a result to the caller waiting for `ticket`.
    pub fn finish(&mut self, ticket: u64, result: Result<IngestReport, EngineError>) {
        self.done.insert(ticket, result);
    }
}

/// A caller's turn at the writer lock.
pub(crate) enum Turn {
    /// Another caller logged the batch: here is its result.
    Done(Result<IngestReport, EngineError>),
    /// Log these queued batches (the caller's own among them) as one group.
    Lead(Vec<(u64, Vec<Event>)>),
}

/// A batch that passed its checks: its new events, to be logged from sequence number `first_seq`.
struct Batch {
    ticket: u64,
    first_seq: u64,
    fresh: Vec<Event>,
    duplicates: u64,
}

/// Logs `items` as one group and applies what was logged; returns every caller's result.
pub(crate) fn commit(w: &mut Writer, items: Vec<(u64, Vec<Event>)>) -> Vec<(u64, Result<IngestReport, EngineError>)> {
    // applying needs the identity: load it before anything is logged
    if let Err(e) = w.identity() {
        return items.into_iter().map(|(t, _)| (t, Err(for_each_caller(&e)))).collect();
    }
    let mut results = Vec::with_capacity(items.len());
    let mut batches = Vec::with_capacity(items.len());
    let (mut ids, mut names) = (KeySet::default(), HashSet::new());
    let mut next_seq = w.manifest.next_seq;
    for (ticket, events) in items {
        if let Err(e) = w.precheck(&events, &mut names) {
            results.push((ticket, Err(e)));
            continue;
        }
        let (fresh, duplicates) = w.dedup(events, &mut ids);
        let first_seq = next_seq;
        next_seq += fresh.len() as u64;
        batches.push(Batch { ticket, first_seq, fresh, duplicates });
    }
    if batches.iter().any(|b| !b.fresh.is_empty()) {
        if let Err(e) = w.wal.commit(|wal| batches.iter_mut().try_for_each(|b| append(wal, b))) {
            results.extend(batches.into_iter().map(|b| (b.ticket, Err(for_each_caller(&e)))));
            return results;
        }
    }
    w.manifest.next_seq = next_seq;
    for b in batches {
        let report = IngestReport { accepted: b.fresh.len() as u64, duplicates: b.duplicates };
        results.push((b.ticket, w.apply(b.first_seq, &b.fresh).map(|()| report)));
    }
    results
}

/// Appends the record of a batch with new events (the record borrows them for encoding and hands them back).
fn append(wal: &mut Wal, b: &mut Batch) -> Result<(), EngineError> {
    if b.fresh.is_empty() {
        return Ok(());
    }
    let rec = WalRecord::Events { first_seq: b.first_seq, events: std::mem::take(&mut b.fresh) };
    let written = wal.append(&rec);
    if let WalRecord::Events { events, .. } = rec {
        b.fresh = events;
    }
    written
}

/// The same error for another caller of the group: same variant, kind and message (`EngineError` is not
/// `Clone`, as `std::io::Error` is not; an I/O error keeps its OS code or `io::ErrorKind`).
fn for_each_caller(e: &EngineError) -> EngineError {
    match e {
        EngineError::Invalid { field, reason } => EngineError::Invalid { field: field.clone(), reason: reason.clone() },
        EngineError::Locked { path } => EngineError::Locked { path: path.clone() },
        EngineError::Corrupt { path, reason } => EngineError::Corrupt { path: path.clone(), reason: reason.clone() },
        EngineError::Version { path, found, supported } => {
            EngineError::Version { path: path.clone(), found: *found, supported: *supported }
        }
        EngineError::Io { op, path, source } => EngineError::Io {
            op,
            path: path.clone(),
            source: match source.raw_os_error() {
                Some(code) => std::io::Error::from_raw_os_error(code),
                None => std::io::Error::new(source.kind(), source.to_string()),
            },
        },
        EngineError::Busy => EngineError::Busy,
        EngineError::Remote { what, reason } => EngineError::Remote { what, reason: reason.clone() },
        EngineError::Core(CoreError::Invalid(errs)) => EngineError::Core(CoreError::Invalid(errs.clone())),
        EngineError::Core(CoreError::DictionaryFull { column, limit }) => {
            EngineError::Core(CoreError::DictionaryFull { column, limit: *limit })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(e: EngineError) {
        let copy = for_each_caller(&e);
        assert_eq!(copy.kind(), e.kind(), "{e:?}");
        assert_eq!(copy.to_string(), e.to_string());
    }

    #[test]
    fn every_caller_gets_the_error_with_its_kind_and_message() {
        let path = std::path::PathBuf::from("wal/00000001.wal");
        check(EngineError::Invalid { field: "[1].userId".into(), reason: "is missing".into() });
        check(EngineError::Locked { path: path.clone() });
        check(EngineError::Corrupt { path: path.clone(), reason: "torn".into() });
        check(EngineError::Version { path: path.clone(), found: 9, supported: 1 });
        check(EngineError::Io { op: "fsync", path: path.clone(), source: std::io::Error::from_raw_os_error(5) });
        check(EngineError::Io { op: "write", path, source: std::io::Error::other("injected") });
        check(EngineError::Busy);
        check(EngineError::Core(CoreError::Invalid(vec![tropa_core::FieldError::new("name", "empty")])));
        check(EngineError::Core(CoreError::DictionaryFull { column: "event", limit: 65_535 }));
    }
}
