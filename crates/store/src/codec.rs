//! Compact binary encoding of events for the WAL (format version 1).

use tropa_core::event::{Channel, Context};
use tropa_core::{Event, MessageKind};

pub struct Enc<'a>(pub &'a mut Vec<u8>);

impl Enc<'_> {
    pub fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    pub fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub fn var(&mut self, v: u64) {
        write_var(self.0, v);
    }
    pub fn str(&mut self, s: &str) {
        self.var(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
}

/// Appends `v` as a LEB128 varint (7 bits a byte, the high bit saying more follow): the WAL's records and the
/// delta-coded columns of format 2 parts.
pub fn write_var(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads the LEB128 varint at `*pos` of `b`, moving `pos` past the bytes read; `None` when `b` ends inside it or
/// it runs past ten bytes.
pub fn read_var(b: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let x = *b.get(*pos)?;
        *pos += 1;
        v |= ((x & 0x7f) as u64) << shift;
        if x < 0x80 {
            return Some(v);
        }
    }
    None
}

pub struct Dec<'a> {
    pub buf: &'a [u8],
    pub pos: usize,
}

type R<T> = Result<T, String>;

impl<'a> Dec<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Dec { buf, pos: 0 }
    }
    fn take(&mut self, n: usize) -> R<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len()).ok_or("record ends early")?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    pub fn u8(&mut self) -> R<u8> {
        Ok(self.take(1)?[0])
    }
    pub fn u64(&mut self) -> R<u64> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }
    pub fn i64(&mut self) -> R<i64> {
        Ok(self.u64()? as i64)
    }
    pub fn var(&mut self) -> R<u64> {
        let start = self.pos;
        match read_var(self.buf, &mut self.pos) {
            Some(v) => Ok(v),
            // ten bytes each saying "more" is no u64; fewer means the record ended inside the number
            None if self.pos - start >= 10 => Err("bad varint".into()),
            None => Err("record ends early".into()),
        }
    }
    pub fn str(&mut self) -> R<String> {
        let n = self.var()? as usize;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| "invalid utf-8 in record".into())
    }
    /// Steps over a string without reading it.
    pub fn skip_str(&mut self) -> R<()> {
        let n = self.var()? as usize;
        self.take(n).map(|_| ())
    }
    pub fn done(&self) -> bool {
        self.pos == self.buf.len()
    }
}

pub fn put_event(e: &mut Enc<'_>, ev: &Event) {
    e.str(&ev.message_id);
    e.u8(ev.kind as u8);
    e.i64(ev.timestamp);
    e.i64(ev.received_at);
    e.str(&ev.anonymous_id);
    e.str(&ev.user_id);
    e.str(&ev.name);
    e.str(&ev.touchpoint);
    let c = &ev.channel;
    for s in [&c.source, &c.medium, &c.campaign, &c.term, &c.content, &c.referrer, &c.group] {
        e.str(s);
    }
    match ev.revenue {
        Some(v) => {
            e.u8(1);
            e.u64(v.to_bits());
        }
        None => e.u8(0),
    }
    e.str(&ev.currency);
    e.str(&ev.properties);
    e.str(&ev.traits);
    let x = &ev.context;
    for s in [&x.page_url, &x.page_title, &x.user_agent, &x.ip, &x.country, &x.city, &x.locale] {
        e.str(s);
    }
}

pub fn get_event(d: &mut Dec<'_>) -> R<Event> {
    let message_id = d.str()?;
    let kind = MessageKind::from_u8(d.u8()?).ok_or("bad message kind")?;
    let timestamp = d.i64()?;
    let received_at = d.i64()?;
    let anonymous_id = d.str()?;
    let user_id = d.str()?;
    let name = d.str()?;
    let touchpoint = d.str()?;
    let channel = Channel {
        source: d.str()?,
        medium: d.str()?,
        campaign: d.str()?,
        term: d.str()?,
        content: d.str()?,
        referrer: d.str()?,
        group: d.str()?,
    };
    let revenue = match d.u8()? {
        0 => None,
        _ => Some(f64::from_bits(d.u64()?)),
    };
    Ok(Event {
        message_id,
        kind,
        timestamp,
        received_at,
        anonymous_id,
        user_id,
        name,
        touchpoint,
        channel,
        revenue,
        currency: d.str()?,
        properties: d.str()?,
        traits: d.str()?,
        context: Context {
            page_url: d.str()?,
            page_title: d.str()?,
            user_agent: d.str()?,
            ip: d.str()?,
            country: d.str()?,
            city: d.str()?,
            locale: d.str()?,
        },
    })
}
