//! Digests that recognise imported rows without a message id per row: of a chunk of events (what the store's
//! import log keeps) and of a whole file.

use std::io::Read;
use std::path::Path;

use tropa_core::Event;
use xxhash_rust::xxh3::Xxh3;

use crate::{IoError, RowError};

/// The 128-bit digest of a chunk of imported rows: every field of its events except the receive time (the
/// time of the import, unless a column gives it — a re-import must digest the same), and the row numbers of
/// its bad rows. Two chunks with the same events in the same order, from any file, digest the same.
pub fn chunk_digest(events: &[Event], errors: &[RowError]) -> u128 {
    let mut h = Xxh3::new();
    let text = |h: &mut Xxh3, s: &str| {
        h.update(&(s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    for e in events {
        text(&mut h, &e.message_id);
        h.update(&[e.kind as u8]);
        h.update(&e.timestamp.to_le_bytes());
        for s in [&e.anonymous_id, &e.user_id, &e.name, &e.touchpoint] {
            text(&mut h, s);
        }
        let c = &e.channel;
        for s in [&c.source, &c.medium, &c.campaign, &c.term, &c.content, &c.referrer, &c.group] {
            text(&mut h, s);
        }
        match e.revenue {
            Some(r) => h.update(&r.to_bits().to_le_bytes()),
            None => h.update(&[0xff]),
        }
        for s in [&e.currency, &e.properties, &e.traits] {
            text(&mut h, s);
        }
        let x = &e.context;
        for s in [&x.page_url, &x.page_title, &x.user_agent, &x.ip, &x.country, &x.city, &x.locale] {
            text(&mut h, s);
        }
    }
    h.update(&(events.len() as u64).to_le_bytes());
    for r in errors {
        h.update(&r.row.to_le_bytes());
    }
    h.digest128()
}

/// The 128-bit xxh3 of a file's bytes (as stored: compressed bytes for a gzip file).
pub fn file_digest(path: &Path) -> Result<u128, IoError> {
    let mut f = std::fs::File::open(path).map_err(|e| IoError::read(path, 0, e))?;
    let mut h = Xxh3::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| IoError::read(path, 0, e))?;
        if n == 0 {
            return Ok(h.digest128());
        }
        h.update(&buf[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_ignore_the_receive_time_only() {
        let e = Event { name: "buy".into(), user_id: "u1".into(), timestamp: 5, ..Event::default() };
        let d = chunk_digest(std::slice::from_ref(&e), &[]);
        let later = Event { received_at: 99, ..e.clone() };
        assert_eq!(chunk_digest(&[later], &[]), d);
        let other = Event { timestamp: 6, ..e.clone() };
        assert_ne!(chunk_digest(&[other], &[]), d);
        // field boundaries count: "ab" + "" is not "a" + "b"
        let a = Event { anonymous_id: "ab".into(), user_id: String::new(), ..e.clone() };
        let b = Event { anonymous_id: "a".into(), user_id: "b".into(), ..e.clone() };
        assert_ne!(chunk_digest(&[a], &[]), chunk_digest(&[b], &[]));
        assert_ne!(chunk_digest(&[e.clone(), e.clone()], &[]), d);
        assert_ne!(chunk_digest(&[e], &[RowError::new(3, "timestamp", "bad")]), d);
    }
}
