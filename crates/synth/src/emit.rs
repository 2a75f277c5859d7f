//! Turns the journey's decisions into [`Event`]s: one clock that only moves forward, message ids, and the
//! "scene" (touchpoint, channel, device, login state) shared by the events of a session.

use tropa_core::channel::classify;
use tropa_core::event::{Event, MessageKind};

use crate::catalog::Page;
use crate::channels::Visit;
use crate::profile::Profile;
use crate::rng::mix;
use crate::SynthConfig;

/// Where the next events happen and who they are filed under.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scene {
    pub touchpoint: &'static str,
    /// UTM tags and referrer, if any.
    pub visit: Option<&'static Visit>,
    /// `classify` of the visit and touchpoint.
    pub group: &'static str,
    /// The browser (index into [`Profile::anon`]); `None` for server-side events (email, support, store).
    pub device: Option<usize>,
    /// Whether events carry the user id.
    pub user: bool,
    /// Whether events carry the customer's country, city and locale.
    pub geo: bool,
}

impl Scene {
    /// A browsing session on `device` arriving through `visit`, anonymous until [`Scene::user`] is set.
    pub(crate) fn web(visit: &'static Visit, device: usize) -> Scene {
        Scene { user: false, ..Scene::new("web", Some(visit), Some(device)) }
    }

    /// A logged-in customer on the site outside any tracked visit (e.g. leaving a review from a link).
    pub(crate) fn site(device: usize) -> Scene {
        Scene::new("web", None, Some(device))
    }

    /// Events about an identified customer recorded by some back office (touchpoint `email`, `support`, …).
    pub(crate) fn back_office(touchpoint: &'static str, visit: Option<&'static Visit>) -> Scene {
        Scene { geo: false, ..Scene::new(touchpoint, visit, None) }
    }

    /// A visit to a shop or a call to the call centre by an identified customer.
    pub(crate) fn offline(touchpoint: &'static str) -> Scene {
        Scene::new(touchpoint, None, None)
    }

    /// An identified customer's events with country, city and locale.
    fn new(touchpoint: &'static str, visit: Option<&'static Visit>, device: Option<usize>) -> Scene {
        let group = match visit {
            Some(v) => v.group(touchpoint),
            None => classify("", "", "", touchpoint),
        };
        Scene { touchpoint, visit, group, device, user: true, geo: true }
    }
}

/// Appends one customer's events to the output, in time order, never past the end of the period.
pub(crate) struct Emitter<'a> {
    /// Events before `filled` are output; those after it are stale ones being refilled (see [`crate::refill`]),
    /// overwritten so that their strings' memory is reused.
    out: &'a mut Vec<Event>,
    filled: usize,
    profile: &'a Profile,
    id_prefix: String,
    id_hash: u64,
    n: u32,
    now: i64,
    end: i64,
    stopped: bool,
    pub scene: Scene,
}

impl<'a> Emitter<'a> {
    /// Writes events into `out` from index `filled` on.
    pub(crate) fn new(
        out: &'a mut Vec<Event>,
        filled: usize,
        profile: &'a Profile,
        cfg: &SynthConfig,
        index: u64,
    ) -> Self {
        use std::fmt::Write as _;
        let seed = cfg.seed;
        let mut id_prefix = String::with_capacity(40);
        let _ = write!(id_prefix, "s{seed:x}-{index:x}-");
        Emitter {
            out,
            filled,
            profile,
            id_hash: mix(seed ^ index.rotate_left(17)),
            id_prefix,
            n: 0,
            now: i64::MIN,
            end: cfg.end_ms(),
            stopped: false,
            scene: Scene::back_office("web", None),
        }
    }

    /// The index after the last event written.
    pub(crate) fn filled(&self) -> usize {
        self.filled
    }

    /// The time of the last event (or of the last [`Emitter::at`]).
    pub(crate) fn now(&self) -> i64 {
        self.now
    }

    /// Whether the period ended: nothing more is emitted.
    pub(crate) fn stopped(&self) -> bool {
        self.stopped
    }

    /// Moves the clock to `t`, never backwards.
    pub(crate) fn at(&mut self, t: i64) {
        self.now = self.now.max(t);
    }

    /// Moves the clock `ms` forward.
    pub(crate) fn after(&mut self, ms: i64) {
        self.now += ms;
    }

    /// Emits one event in the current scene at the current time; `None` once the period is over.
    pub(crate) fn emit(
        &mut self,
        kind: MessageKind,
        name: &'static str,
        page: Page,
        properties: impl Text,
    ) -> Option<&mut Event> {
        if self.stopped || self.now >= self.end {
            self.stopped = true;
            return None;
        }
        let s = self.scene;
        let p = self.profile;
        if self.filled == self.out.len() {
            self.out.push(Event::default());
        }
        self.filled += 1;
        let ev = &mut self.out[self.filled - 1];
        ev.message_id.clear();
        ev.message_id.push_str(&self.id_prefix);
        push_decimal(&mut ev.message_id, self.n);
        // Delivery to the collector takes 0.1–3 s (a hash, not a random draw, so the journey stays the same).
        let delay = 100 + (mix(self.id_hash ^ u64::from(self.n)) % 2_900) as i64;
        self.n += 1;
        ev.kind = kind;
        ev.timestamp = self.now;
        ev.received_at = self.now + delay;
        set(&mut ev.anonymous_id, s.device.map_or("", |d| &p.anon[d]));
        set(&mut ev.user_id, if s.user { &p.user } else { "" });
        set(&mut ev.name, name);
        set(&mut ev.touchpoint, s.touchpoint);
        let c = &mut ev.channel;
        match s.visit {
            Some(v) => {
                set(&mut c.source, v.source);
                set(&mut c.medium, v.medium);
                set(&mut c.campaign, v.campaign);
                set(&mut c.term, v.term);
                set(&mut c.content, v.content);
                set(&mut c.referrer, v.referrer);
            }
            None => {
                for f in [&mut c.source, &mut c.medium, &mut c.campaign, &mut c.term, &mut c.content, &mut c.referrer] {
                    f.clear();
                }
            }
        }
        set(&mut c.group, s.group);
        ev.revenue = None;
        ev.currency.clear();
        properties.write_to(&mut ev.properties);
        set(&mut ev.traits, if kind == MessageKind::Identify { &p.traits } else { "{}" });
        let x = &mut ev.context;
        set(&mut x.page_url, page.url);
        set(&mut x.page_title, page.title);
        set(&mut x.user_agent, s.device.map_or("", |d| p.user_agent[d]));
        x.ip.clear();
        let (country, city, locale) = if s.geo { (p.city.country, p.city.name, p.locale) } else { ("", "", "") };
        set(&mut x.country, country);
        set(&mut x.city, city);
        set(&mut x.locale, locale);
        Some(ev)
    }
}

/// Overwrites `dst` with `src`, keeping its allocation.
#[inline]
fn set(dst: &mut String, src: &str) {
    dst.clear();
    dst.push_str(src);
}

/// Text that can be written into a (possibly recycled) string: static text is copied, an owned string moved in.
pub(crate) trait Text {
    fn write_to(self, dst: &mut String);
}

impl Text for &str {
    fn write_to(self, dst: &mut String) {
        set(dst, self);
    }
}

impl Text for String {
    fn write_to(self, dst: &mut String) {
        *dst = self;
    }
}

/// Appends the decimal digits of `n` (what `write!(s, "{n}")` does, without the formatting machinery).
pub(crate) fn push_decimal(s: &mut String, mut n: u32) {
    let mut buf = [0u8; 10];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        s.push(char::from(b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals() {
        for n in [0, 7, 10, 99, 12_345, u32::MAX] {
            let mut s = String::from("x");
            push_decimal(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
    }
}
