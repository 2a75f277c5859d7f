//! Identity: actors (anonymous ids and user ids) linked into customers by a union–find.
//!
//! A customer is a connected set of actors. `identify` and `alias` calls and any event that carries both an
//! anonymous id and a user id link two actors. The representative of a set is its **smallest actor id**, so the
//! partition and its representatives do not depend on the order in which links arrive.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

use crate::event::MessageKind;

/// Dense identifier of one actor string, in order of first appearance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ActorId(pub u32);

/// One link that joined two customers, with the message that caused it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merge {
    pub a: ActorId,
    pub b: ActorId,
    /// Message id of the event that linked them.
    pub message_id: String,
    /// Kind of the linking message (`identify`, `alias`, `track`, …).
    pub via: MessageKind,
    pub at: i64,
}

/// Actor registry plus union–find over actors.
///
/// Names live in one arena indexed by a 64-bit hash (exact: a colliding hash falls back to a second map), so ten
/// million actors cost well under a gigabyte. The merge log is not kept here: [`Identity::link`] returns the
/// [`Merge`] and the caller persists it.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    arena: String,
    starts: Vec<u64>,
    index: HashIndex,
    collided: HashMap<String, u32>,
    parent: Vec<u32>,
    members: usize,
}

/// Hasher for keys that are xxh3 hashes already.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
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

type HashIndex = HashMap<u64, u32, BuildHasherDefault<Prehashed>>;

fn key(name: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(name.as_bytes())
}

impl Identity {
    pub fn new() -> Self {
        Identity::default()
    }

    /// Number of actors.
    pub fn actors(&self) -> usize {
        self.parent.len()
    }

    /// Number of actors that are not the representative of their set (so customers = actors - this).
    pub fn merged_actors(&self) -> usize {
        self.members
    }

    pub fn lookup(&self, name: &str) -> Option<ActorId> {
        match self.index.get(&key(name)) {
            Some(&i) if self.name(ActorId(i)) == name => Some(ActorId(i)),
            Some(_) => self.collided.get(name).map(|&i| ActorId(i)),
            None => None,
        }
    }

    pub fn name(&self, id: ActorId) -> &str {
        let i = id.0 as usize;
        let Some(&start) = self.starts.get(i) else { return "" };
        let end = self.starts.get(i + 1).copied().unwrap_or(self.arena.len() as u64);
        self.arena.get(start as usize..end as usize).unwrap_or("")
    }

    /// The actor id of `name`, registering it if new.
    pub fn actor(&mut self, name: &str) -> ActorId {
        if let Some(id) = self.lookup(name) {
            return id;
        }
        let id = self.parent.len() as u32;
        if let std::collections::hash_map::Entry::Vacant(slot) = self.index.entry(key(name)) {
            slot.insert(id);
        } else {
            self.collided.insert(name.to_string(), id);
        }
        self.starts.push(self.arena.len() as u64);
        self.arena.push_str(name);
        self.parent.push(id);
        ActorId(id)
    }

    /// The customer (set representative) of an actor.
    pub fn root(&self, id: ActorId) -> ActorId {
        let mut x = id.0;
        while let Some(&p) = self.parent.get(x as usize) {
            if p == x {
                break;
            }
            x = p;
        }
        ActorId(x)
    }

    /// Links two actors. When two different customers are joined, returns the [`Merge`] to log.
    pub fn link(&mut self, a: ActorId, b: ActorId, message_id: &str, via: MessageKind, at: i64) -> Option<Merge> {
        let (ra, rb) = (self.find(a.0), self.find(b.0));
        if ra == rb {
            return None;
        }
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[hi as usize] = lo;
        self.members += 1;
        Some(Merge { a, b, message_id: message_id.to_string(), via, at })
    }

    fn find(&mut self, x: u32) -> u32 {
        let mut root = x;
        while self.parent[root as usize] != root {
            root = self.parent[root as usize];
        }
        let mut cur = x;
        while self.parent[cur as usize] != root {
            let next = self.parent[cur as usize];
            self.parent[cur as usize] = root;
            cur = next;
        }
        root
    }

    /// Every actor's customer, indexed by actor id (a flat copy for scans).
    pub fn roots(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.parent.len());
        for (i, &p) in self.parent.iter().enumerate() {
            // parents always point to smaller ids, so out[p] is final already
            out.push(if p as usize == i { p } else { out[p as usize] });
        }
        out
    }

    /// All actors of the customer that `id` belongs to, smallest first.
    pub fn members_of(&self, id: ActorId) -> Vec<ActorId> {
        let r = self.root(id);
        if self.members == 0 {
            return vec![r];
        }
        let roots = self.roots();
        (0..roots.len() as u32).filter(|&a| roots[a as usize] == r.0).map(ActorId).collect()
    }

    /// Snapshot for persistence: the name arena, name start offsets, parents.
    pub fn parts(&self) -> (&str, &[u64], &[u32]) {
        (&self.arena, &self.starts, &self.parent)
    }

    /// Rebuilds from a snapshot made by [`Identity::parts`].
    pub fn from_parts(arena: String, starts: Vec<u64>, parent: Vec<u32>) -> Result<Self, String> {
        if starts.len() != parent.len() {
            return Err(format!("identity snapshot has {} names but {} parents", starts.len(), parent.len()));
        }
        if let Some((i, p)) = parent.iter().enumerate().find(|(i, &p)| p as usize > *i) {
            return Err(format!("identity snapshot: actor {i} has invalid parent {p}"));
        }
        let mut last = 0u64;
        for &s in &starts {
            if s < last || s as usize > arena.len() || !arena.is_char_boundary(s as usize) {
                return Err("identity snapshot: name offsets are corrupt".into());
            }
            last = s;
        }
        let mut id = Identity { arena, starts, parent, ..Identity::default() };
        id.members = id.parent.iter().enumerate().filter(|(i, &p)| p as usize != *i).count();
        id.index.reserve(id.parent.len());
        for i in 0..id.parent.len() as u32 {
            let k = key(id.name(ActorId(i)));
            if let std::collections::hash_map::Entry::Vacant(slot) = id.index.entry(k) {
                slot.insert(i);
            } else {
                let owned = id.name(ActorId(i)).to_string();
                id.collided.insert(owned, i);
            }
        }
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn links_and_keeps_smallest_root() {
        let mut id = Identity::new();
        let anon = id.actor("anon-1");
        let user = id.actor("user-1");
        let other = id.actor("anon-2");
        assert!(id.link(user, anon, "m1", MessageKind::Identify, 0).is_some());
        assert!(id.link(anon, user, "m2", MessageKind::Identify, 0).is_none());
        assert!(id.link(other, user, "m3", MessageKind::Alias, 0).is_some());
        assert_eq!(id.root(other), anon);
        assert_eq!(id.members_of(user), vec![anon, user, other]);
        let (arena, starts, parent) = id.parts();
        let back = Identity::from_parts(arena.to_string(), starts.to_vec(), parent.to_vec()).unwrap();
        assert_eq!(back.roots(), id.roots());
        assert_eq!(back.lookup("anon-2"), Some(other));
        assert_eq!(id.merged_actors(), 2);
    }

    proptest! {
        #[test]
        fn merge_order_does_not_change_customers(links in proptest::collection::vec((0u32..30, 0u32..30), 0..60), seed in any::<u64>()) {
            let build = |order: &[(u32, u32)]| {
                let mut id = Identity::new();
                for i in 0..30 { id.actor(&format!("a{i}")); }
                for &(a, b) in order { id.link(ActorId(a), ActorId(b), "m", MessageKind::Alias, 0); }
                id.roots()
            };
            let mut shuffled = links.clone();
            let n = shuffled.len();
            let mut s = seed;
            for i in (1..n).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (s >> 33) as usize % (i + 1));
            }
            let flipped: Vec<_> = shuffled.iter().map(|&(a, b)| (b, a)).collect();
            prop_assert_eq!(build(&links), build(&shuffled));
            prop_assert_eq!(build(&links), build(&flipped));
        }
    }
}
