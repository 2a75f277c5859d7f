//! The duplicate index: the message keys of every stored event, loaded on first use. A batch is checked against
//! it and against the batches logged together with it; its new keys join the index only once its events are in
//! the WAL ([`Writer::remember`]), so a batch that fails to be logged leaves no keys behind.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use tropa_core::event::message_key;
use tropa_core::{Event, TextCol};

use super::Writer;

/// A hasher for keys that are hashes already.
#[derive(Default)]
pub struct NoHash(u64);

impl Hasher for NoHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ b as u64;
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

pub type KeySet = HashSet<u64, BuildHasherDefault<NoHash>>;

impl Writer {
    pub(super) fn seen(&mut self) -> &mut KeySet {
        if self.seen.is_none() {
            let mut set = KeySet::default();
            set.reserve(self.parts.iter().map(|p| p.rows).sum::<usize>() + self.mem.len());
            for p in &self.parts {
                // a damaged block of ids: its rows are left out of the index (what a format 1 part with damaged
                // bytes did too); the scans that read the part report the damage
                let _ = p.each_text(TextCol::MessageId, |id| {
                    set.insert(message_key(id));
                });
            }
            let mem = self.mem.clone().finish();
            for i in 0..mem.rows() {
                set.insert(message_key(mem.text[TextCol::MessageId as usize].get(i)));
            }
            if let Some(f) = &self.frozen {
                for i in 0..f.data.rows() {
                    set.insert(message_key(f.data.text[TextCol::MessageId as usize].get(i)));
                }
            }
            self.seen = Some(set);
        }
        self.seen.get_or_insert_with(KeySet::default)
    }

    /// Splits `events` into new ones and duplicates (of stored events, of `pending` — the new keys of the
    /// batches logged together with this one — or of each other). The new events' keys go into `pending`, not
    /// into the index: [`Writer::remember`] adds them once the events are logged.
    pub fn dedup(&mut self, events: Vec<Event>, pending: &mut KeySet) -> (Vec<Event>, u64) {
        let seen = self.seen();
        let mut fresh = Vec::with_capacity(events.len());
        let mut dups = 0;
        for ev in events {
            if ev.message_id.is_empty() {
                // an event without a message id (an imported row without one) is never a duplicate by id: a
                // re-import is recognised by the import log's chunk digests instead
                fresh.push(ev);
                continue;
            }
            let key = message_key(&ev.message_id);
            if !seen.contains(&key) && pending.insert(key) {
                fresh.push(ev);
            } else {
                dups += 1;
            }
        }
        (fresh, dups)
    }

    /// Adds the keys of logged events (from [`Writer::dedup`]) to the index.
    pub fn remember(&mut self, keys: KeySet) {
        if keys.is_empty() {
            return;
        }
        self.seen().extend(keys);
    }
}
