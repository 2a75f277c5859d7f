//! Failpoints: named places in the store where a test injects an I/O failure or a pause.
//!
//! Compiled in only with the cargo feature `failpoints` (the store's own tests enable it through a
//! dev-dependency on the crate itself); without it every failpoint passes and costs nothing.
//!
//! A test takes a [`Scope`] (one at a time per process), sets hooks with [`Scope::set`] — a closure returning
//! `Err(io::Error)` is the failure the store sees there, a closure that blocks is a pause — and drops the scope
//! to clear them.

/// A place in the store where a test can step in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Failpoint {
    /// An ingest call has queued its batch and is about to wait for the writer lock (a pause point: an error
    /// from the hook is ignored).
    IngestQueued,
    /// An ingest call holds the writer lock and is about to pick up its result or take every queued batch as
    /// one group (a pause point: an error from the hook is ignored).
    IngestLead,
    /// Writing a WAL record. On failure half of the record is written first, as a full disk would leave it.
    WalAppend,
    /// The fsync that makes the WAL durable.
    WalSync,
    /// The background flusher is about to write a frozen memtable as a part (a pause point, or a failure of
    /// the part write).
    FlushWrite,
}

/// The mask applied to message-id hashes in the duplicate index (all ones unless a test forces collisions).
#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub(crate) fn id_hash_mask() -> u64 {
    u64::MAX
}

#[cfg(feature = "failpoints")]
pub(crate) fn id_hash_mask() -> u64 {
    on::ID_MASK.load(std::sync::atomic::Ordering::Relaxed)
}

#[cfg(feature = "failpoints")]
pub use on::{scope, Scope};

#[cfg(feature = "failpoints")]
pub(crate) use on::hit;

/// Without the feature: never fails.
#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub(crate) fn hit(_at: Failpoint) -> std::io::Result<()> {
    Ok(())
}

#[cfg(feature = "failpoints")]
mod on {
    use std::sync::{Arc, Mutex, MutexGuard};

    use super::Failpoint;

    type Hook = Arc<dyn Fn() -> std::io::Result<()> + Send + Sync>;

    static HOOKS: Mutex<Vec<(Failpoint, Hook)>> = Mutex::new(Vec::new());
    pub(super) static ID_MASK: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(u64::MAX);
    /// Held by the one [`Scope`] alive: failpoints are global to the process, so tests using them take turns.
    static TURN: Mutex<()> = Mutex::new(());

    fn hooks() -> MutexGuard<'static, Vec<(Failpoint, Hook)>> {
        HOOKS.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs the hook set for `at`, if any (outside the registry lock: a hook may block).
    pub(crate) fn hit(at: Failpoint) -> std::io::Result<()> {
        let hook = hooks().iter().find(|(p, _)| *p == at).map(|(_, h)| h.clone());
        match hook {
            Some(h) => h(),
            None => Ok(()),
        }
    }

    /// The right to set failpoints; they are all cleared when it is dropped (also when a test panics).
    pub struct Scope {
        _turn: MutexGuard<'static, ()>,
    }

    /// Waits for the other tests of the process that set failpoints, then starts with none set.
    pub fn scope() -> Scope {
        let turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
        hooks().clear();
        ID_MASK.store(u64::MAX, std::sync::atomic::Ordering::Relaxed);
        Scope { _turn: turn }
    }

    impl Scope {
        /// Runs `hook` every time the store passes `at` (replacing an earlier hook); an `Err` is the failure the
        /// store sees there.
        pub fn set(&self, at: Failpoint, hook: impl Fn() -> std::io::Result<()> + Send + Sync + 'static) {
            let mut h = hooks();
            h.retain(|(p, _)| *p != at);
            h.push((at, Arc::new(hook)));
        }

        /// Keeps only the bits of `mask` of every message-id hash of the duplicate index, so that distinct ids
        /// collide (e.g. a mask of 0xff: 256 hash values). Stores must be opened after this and dropped before
        /// the scope: sidecars written under one mask are not the index under another.
        pub fn set_id_hash_mask(&self, mask: u64) {
            ID_MASK.store(mask, std::sync::atomic::Ordering::Relaxed);
        }

        /// Removes the hook of `at`.
        pub fn clear(&self, at: Failpoint) {
            hooks().retain(|(p, _)| *p != at);
        }
    }

    impl Drop for Scope {
        fn drop(&mut self) {
            hooks().clear();
            ID_MASK.store(u64::MAX, std::sync::atomic::Ordering::Relaxed);
        }
    }
}
