//! Identity on a cluster: keys are hashes of actor ids, merges are links, and the overrides hold the links'
//! transitive closure with the smallest key of each set as its representative.
//!
//! Every server computes the same key for the same id (no counter to coordinate), and the closure of a set of
//! links does not depend on the order they are replayed in. Overrides are resolved with `min(rep)` per key:
//! a server that saw only some links writes a representative that is a member of the true set, so never smaller
//! than the true one. After inserting its links a server reads every link again and writes each override whose
//! stored minimum differs from its closure: the server whose link insert came last reads every link, so the true
//! representatives get written and the minimum converges whatever order concurrent servers write in; rewriting a
//! row is harmless (idempotent), and any later identify repairs what a crashed server left out.

use rustc_hash::FxHashMap;

/// The customer key of an actor id: a 64-bit hash of it (never 0: 0 means "no override" in SQL).
pub fn key(actor: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(actor.as_bytes()).max(1)
}

/// A union–find over keys where the representative of a set is its smallest key.
#[derive(Debug, Default)]
pub struct Closure {
    parent: FxHashMap<u64, u64>,
}

impl Closure {
    pub fn find(&mut self, x: u64) -> u64 {
        let mut root = x;
        while let Some(&p) = self.parent.get(&root) {
            if p == root {
                break;
            }
            root = p;
        }
        let mut cur = x;
        while cur != root {
            let next = self.parent.get(&cur).copied().unwrap_or(root);
            self.parent.insert(cur, root);
            cur = next;
        }
        root
    }

    /// Joins the sets of `a` and `b`; false if they were one set already.
    pub fn union(&mut self, a: u64, b: u64) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent.insert(hi, lo);
        self.parent.entry(lo).or_insert(lo);
        true
    }

    /// Every key that is not its own representative, with its representative, sorted by key.
    pub fn overrides(&mut self) -> Vec<(u64, u64)> {
        let keys: Vec<u64> = self.parent.keys().copied().collect();
        let mut out: Vec<(u64, u64)> = keys.into_iter().map(|k| (k, self.find(k))).filter(|&(k, r)| k != r).collect();
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closure(links: &[(u64, u64)]) -> Vec<(u64, u64)> {
        let mut c = Closure::default();
        for &(a, b) in links {
            c.union(a, b);
        }
        c.overrides()
    }

    #[test]
    fn the_smallest_key_represents_the_set_in_any_replay_order() {
        let links = [(9, 4), (4, 7), (3, 12), (12, 9), (20, 21)];
        let want = vec![(4, 3), (7, 3), (9, 3), (12, 3), (21, 20)];
        assert_eq!(closure(&links), want);
        let mut rev = links.to_vec();
        rev.reverse();
        assert_eq!(closure(&rev), want);
    }

    #[test]
    fn a_partial_view_never_picks_a_representative_below_the_true_one() {
        let all = closure(&[(5, 8), (8, 2), (9, 5)]);
        let part = closure(&[(5, 8), (9, 5)]);
        for (k, r) in part {
            let truth = all.iter().find(|x| x.0 == k).map_or(k, |x| x.1);
            assert!(r >= truth, "{k}: {r} < {truth}");
        }
    }

    #[test]
    fn keys_are_stable_and_never_zero() {
        assert_eq!(key("anon-1"), key("anon-1"));
        assert_ne!(key("anon-1"), key("anon-2"));
        assert_ne!(key(""), 0);
    }
}
