//! The write-ahead log: checksummed records in numbered segment files, fsynced before an ingest returns.
//!
//! Record: `u32 length | u32 crc32(payload) | payload`; payload starts with a record type byte. A record cut
//! short or failing its checksum at the end of the newest segment is a write that was never acknowledged: it is
//! cut off at open. The same damage inside an older segment is real corruption and stops the open.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use tropa_core::Event;
use tropa_engine::EngineError;

use crate::codec::{get_event, put_event, Dec, Enc};
use crate::failpoint::{self, Failpoint};
use crate::fsutil;

const EVENTS: u8 = 1;
const FORGET: u8 = 2;
/// Largest record accepted when reading (a guard against a damaged length field).
const MAX_RECORD: usize = 1 << 31;

/// A logged operation.
#[derive(Debug, Clone, PartialEq)]
pub enum WalRecord {
    /// Events with sequence numbers `first_seq..first_seq + events.len()`.
    Events { first_seq: u64, events: Vec<Event> },
    /// Forget the customer of `actor`: hide its events with sequence ≤ `max_seq`.
    Forget { actor: String, max_seq: u64 },
}

impl WalRecord {
    pub fn encode(&self, out: &mut Vec<u8>) {
        let mut e = Enc(out);
        match self {
            WalRecord::Events { first_seq, events } => {
                e.u8(EVENTS);
                e.u64(*first_seq);
                e.var(events.len() as u64);
                for ev in events {
                    put_event(&mut e, ev);
                }
            }
            WalRecord::Forget { actor, max_seq } => {
                e.u8(FORGET);
                e.str(actor);
                e.u64(*max_seq);
            }
        }
    }

    fn decode(buf: &[u8]) -> Result<Self, String> {
        let mut d = Dec::new(buf);
        let rec = match d.u8()? {
            EVENTS => {
                let first_seq = d.u64()?;
                let n = d.var()? as usize;
                let mut events = Vec::with_capacity(n.min(1 << 20));
                for _ in 0..n {
                    events.push(get_event(&mut d)?);
                }
                WalRecord::Events { first_seq, events }
            }
            FORGET => WalRecord::Forget { actor: d.str()?, max_seq: d.u64()? },
            t => return Err(format!("unknown record type {t}")),
        };
        if !d.done() {
            return Err("trailing bytes in record".into());
        }
        Ok(rec)
    }
}

/// The open log.
pub struct Wal {
    dir: PathBuf,
    segment: u64,
    file: File,
    /// Bytes of the current segment written whole (appended records, synced or not).
    len: u64,
    /// A failed write could not be cut off the end: nothing more may be appended behind it.
    broken: bool,
    frame: Vec<u8>,
}

/// Where the log ended, to cut it back there when the writes after it fail.
#[derive(Debug, Clone, Copy)]
struct WalMark {
    segment: u64,
    len: u64,
}

fn segment_path(dir: &Path, n: u64) -> PathBuf {
    dir.join(format!("{n:08}.wal"))
}

fn segments(dir: &Path) -> Result<Vec<u64>, EngineError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(EngineError::io("list", dir))? {
        let entry = entry.map_err(EngineError::io("list", dir))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if let Some(n) = name.strip_suffix(".wal").and_then(|n| n.parse::<u64>().ok()) {
            out.push(n);
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// Reads the records of one segment; returns them and the length of the valid prefix.
fn read_segment(path: &Path) -> Result<(Vec<WalRecord>, u64, Option<String>), EngineError> {
    let buf = std::fs::read(path).map_err(EngineError::io("read", path))?;
    let mut recs = Vec::new();
    let mut pos = 0usize;
    while pos < buf.len() {
        if buf.len() - pos < 8 {
            return Ok((recs, pos as u64, Some("record header cut short".into())));
        }
        let len = u32::from_le_bytes([buf[pos], buf[pos + 1], buf[pos + 2], buf[pos + 3]]) as usize;
        let crc = u32::from_le_bytes([buf[pos + 4], buf[pos + 5], buf[pos + 6], buf[pos + 7]]);
        if len > MAX_RECORD || buf.len() - pos - 8 < len {
            return Ok((recs, pos as u64, Some("record cut short".into())));
        }
        let payload = &buf[pos + 8..pos + 8 + len];
        if crc32fast::hash(payload) != crc {
            return Ok((recs, pos as u64, Some("record checksum mismatch".into())));
        }
        match WalRecord::decode(payload) {
            Ok(r) => recs.push(r),
            Err(reason) => return Err(EngineError::Corrupt { path: path.into(), reason }),
        }
        pos += 8 + len;
    }
    Ok((recs, pos as u64, None))
}

impl Wal {
    /// Opens the log in `dir`, replaying segments from `from` on. Older segments are deleted.
    pub fn open(dir: &Path, from: u64) -> Result<(Wal, Vec<WalRecord>), EngineError> {
        std::fs::create_dir_all(dir).map_err(EngineError::io("create", dir))?;
        let all = segments(dir)?;
        for &n in all.iter().filter(|&&n| n < from) {
            let p = segment_path(dir, n);
            std::fs::remove_file(&p).map_err(EngineError::io("remove", &p))?;
        }
        let live: Vec<u64> = all.into_iter().filter(|&n| n >= from).collect();
        let mut records = Vec::new();
        for (i, &n) in live.iter().enumerate() {
            let path = segment_path(dir, n);
            let (recs, valid, damage) = read_segment(&path)?;
            records.extend(recs);
            if let Some(reason) = damage {
                if i + 1 != live.len() {
                    return Err(EngineError::Corrupt { path, reason });
                }
                // an unacknowledged torn write at the tail: cut it off
                let f = OpenOptions::new().write(true).open(&path).map_err(EngineError::io("open", &path))?;
                f.set_len(valid).map_err(EngineError::io("truncate", &path))?;
                f.sync_all().map_err(EngineError::io("fsync", &path))?;
            }
        }
        let segment = live.last().copied().unwrap_or(from);
        let path = segment_path(dir, segment);
        let file = OpenOptions::new().create(true).append(true).open(&path).map_err(EngineError::io("open", &path))?;
        let len = file.metadata().map_err(EngineError::io("stat", &path))?.len();
        fsutil::sync_dir(dir)?;
        Ok((Wal { dir: dir.to_path_buf(), segment, file, len, broken: false, frame: Vec::new() }, records))
    }

    fn usable(&self) -> Result<(), EngineError> {
        if self.broken {
            return Err(EngineError::Corrupt {
                path: segment_path(&self.dir, self.segment),
                reason: "a failed write could not be cut off the end of the log: restart tropa to recover".into(),
            });
        }
        Ok(())
    }

    /// Appends a record (not yet durable: call [`Wal::sync`]).
    pub fn append(&mut self, rec: &WalRecord) -> Result<(), EngineError> {
        self.usable()?;
        self.frame.clear();
        self.frame.extend_from_slice(&[0u8; 8]);
        rec.encode(&mut self.frame);
        let len = (self.frame.len() - 8) as u32;
        let crc = crc32fast::hash(&self.frame[8..]);
        self.frame[..4].copy_from_slice(&len.to_le_bytes());
        self.frame[4..8].copy_from_slice(&crc.to_le_bytes());
        let path = segment_path(&self.dir, self.segment);
        if let Err(e) = failpoint::hit(Failpoint::WalAppend) {
            // a torn write: part of the record reaches the file
            let _ = self.file.write_all(&self.frame[..self.frame.len() / 2]);
            return Err(EngineError::Io { op: "write", path, source: e });
        }
        self.file.write_all(&self.frame).map_err(EngineError::io("write", &path))?;
        self.len += self.frame.len() as u64;
        Ok(())
    }

    /// Makes everything appended so far durable.
    pub fn sync(&mut self) -> Result<(), EngineError> {
        self.usable()?;
        let path = segment_path(&self.dir, self.segment);
        failpoint::hit(Failpoint::WalSync).and_then(|()| self.file.sync_data()).map_err(EngineError::io("fsync", &path))
    }

    /// Runs `write` (its appends), then fsyncs — all or nothing: when a write or the fsync fails, what it wrote
    /// is cut off the log again (the callers are told it failed, so it must not come back at the next open) and
    /// the error is returned.
    pub fn commit(&mut self, write: impl FnOnce(&mut Wal) -> Result<(), EngineError>) -> Result<(), EngineError> {
        let mark = self.mark();
        let done = write(self).and_then(|()| self.sync());
        if done.is_err() {
            // the first error is the one to report; a failed cut leaves the log refusing writes
            let _ = self.rollback(mark);
        }
        done
    }

    /// The end of the log now.
    fn mark(&self) -> WalMark {
        WalMark { segment: self.segment, len: self.len }
    }

    /// Cuts off everything written after `mark` and makes the cut durable. If that fails too, the log refuses
    /// further writes.
    fn rollback(&mut self, mark: WalMark) -> Result<(), EngineError> {
        self.usable()?;
        let path = segment_path(&self.dir, self.segment);
        if mark.segment != self.segment {
            self.broken = true;
            return Err(EngineError::Corrupt { path, reason: "cannot cut back across a segment switch".into() });
        }
        match self.file.set_len(mark.len).and_then(|()| self.file.sync_data()) {
            Ok(()) => {
                self.len = mark.len;
                Ok(())
            }
            Err(e) => {
                self.broken = true;
                Err(EngineError::Io { op: "truncate", path, source: e })
            }
        }
    }

    /// Starts a new segment; returns its number. Everything before it can be removed once flushed.
    pub fn rotate(&mut self) -> Result<u64, EngineError> {
        self.sync()?;
        let next = self.segment + 1;
        let path = segment_path(&self.dir, next);
        let file = OpenOptions::new().create(true).append(true).open(&path).map_err(EngineError::io("open", &path))?;
        let len = file.metadata().map_err(EngineError::io("stat", &path))?.len();
        fsutil::sync_dir(&self.dir)?;
        self.file = file;
        self.segment = next;
        self.len = len;
        Ok(next)
    }

    /// Deletes segments older than `keep_from`.
    pub fn remove_before(&self, keep_from: u64) -> Result<(), EngineError> {
        for n in segments(&self.dir)?.into_iter().filter(|&n| n < keep_from) {
            let p = segment_path(&self.dir, n);
            std::fs::remove_file(&p).map_err(EngineError::io("remove", &p))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: &str) -> Event {
        Event { message_id: id.into(), name: "x".into(), user_id: "u".into(), revenue: Some(1.5), ..Event::default() }
    }

    #[test]
    fn replays_and_cuts_a_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let (mut wal, recs) = Wal::open(dir.path(), 1).unwrap();
        assert!(recs.is_empty());
        let a = WalRecord::Events { first_seq: 0, events: vec![ev("a"), ev("b")] };
        let f = WalRecord::Forget { actor: "u".into(), max_seq: 1 };
        wal.append(&a).unwrap();
        wal.append(&f).unwrap();
        wal.sync().unwrap();
        drop(wal);
        // a torn write: half a record at the end
        let path = segment_path(dir.path(), 1);
        let mut bytes = std::fs::read(&path).unwrap();
        let good = bytes.len();
        bytes.extend_from_slice(&[200, 0, 0, 0, 1, 2, 3, 4, 5]);
        std::fs::write(&path, &bytes).unwrap();
        let (_, recs) = Wal::open(dir.path(), 1).unwrap();
        assert_eq!(recs, vec![a.clone(), f.clone()]);
        assert_eq!(std::fs::metadata(&path).unwrap().len() as usize, good);
        // a flipped bit in the last record is cut off as well
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let (_, recs) = Wal::open(dir.path(), 1).unwrap();
        assert_eq!(recs, vec![a]);
    }

    #[test]
    fn a_failed_commit_leaves_nothing_to_replay() {
        let dir = tempfile::tempdir().unwrap();
        let (mut wal, _) = Wal::open(dir.path(), 1).unwrap();
        let a = WalRecord::Events { first_seq: 0, events: vec![ev("a")] };
        wal.commit(|w| w.append(&a)).unwrap();
        let failed = wal.commit(|w| {
            w.append(&WalRecord::Events { first_seq: 1, events: vec![ev("b"), ev("c")] })?;
            Err(EngineError::Busy)
        });
        assert!(matches!(failed, Err(EngineError::Busy)));
        let d = WalRecord::Events { first_seq: 1, events: vec![ev("d")] };
        wal.commit(|w| w.append(&d)).unwrap();
        drop(wal);
        let (_, recs) = Wal::open(dir.path(), 1).unwrap();
        assert_eq!(recs, vec![a, d]);
    }

    #[test]
    fn damage_in_an_older_segment_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let (mut wal, _) = Wal::open(dir.path(), 1).unwrap();
        wal.append(&WalRecord::Events { first_seq: 0, events: vec![ev("a")] }).unwrap();
        wal.rotate().unwrap();
        wal.append(&WalRecord::Events { first_seq: 1, events: vec![ev("b")] }).unwrap();
        wal.sync().unwrap();
        drop(wal);
        let path = segment_path(dir.path(), 1);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[10] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        assert!(matches!(Wal::open(dir.path(), 1), Err(EngineError::Corrupt { .. })));
        // once flushed past segment 2, the damaged segment is simply removed
        let (_, recs) = Wal::open(dir.path(), 2).unwrap();
        assert_eq!(recs.len(), 1);
    }
}
