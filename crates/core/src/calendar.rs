//! The calendar of a report: which instants make up a day, and so an ISO week and a month. A project reports in
//! its IANA time zone (`Europe/Moscow`, default `UTC`): a day is the local calendar day, from local midnight to
//! local midnight, so a day around a daylight-saving change is 23 or 25 hours long.
//!
//! Days are numbered as civil dates (days since 1970-01-01 *of the local date*), so the day arithmetic of
//! [`crate::analysis::period`] (Monday weeks, months) is the same in every zone; only the step from an instant to
//! its local day ([`Calendar::day`]) and back ([`Calendar::day_start`]) looks at the zone. In a hot loop a
//! [`DayCursor`] remembers the bounds of the last day it saw, so the events of a journey look the zone up once
//! per local day, not once per event. The zone data is compiled in (`chrono-tz`); nothing is read at run time.
//!
//! Times written without an offset in a report's inputs (`2026-03-02`, `2026-03-02T10:00`) are local times of
//! the calendar ([`Calendar::parse_time`]); times with one (`…Z`, `…+03:00`) are the instants they name.
//!
//! ```
//! use tropa_core::calendar::Calendar;
//! use tropa_core::time::format_day;
//! let moscow = Calendar::parse("Europe/Moscow").unwrap();
//! let late = 1_767_302_000_000; // 2026-01-01T21:13:20Z, after midnight in Moscow (UTC+3)
//! assert_eq!(format_day(Calendar::UTC.day(late)), "2026-01-01");
//! assert_eq!(format_day(moscow.day(late)), "2026-01-02");
//! assert_eq!(moscow.parse_time("2026-01-02").unwrap(), 1_767_301_200_000); // 2026-01-01T21:00:00Z
//! ```
//!
//! The zone's offsets from 1970 to 2200 are read from chrono-tz once per zone and process into a table of spans
//! of one offset, so a lookup is a binary search over a few hundred instants.
//!
//! Edge cases: where local midnight does not exist (a clock that jumps over it), the day starts at the first
//! local time after it; where it happens twice, at the first. A zone whose clock moved twice within one day
//! (none since 1970) would have the first of the two changes missed.

use std::fmt;
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;
use serde::{Serialize, Serializer};

use crate::text_error::TextError;
use crate::time::check_range;

const DAY_MS: i64 = 86_400_000;

/// A report's calendar: an IANA time zone. `Copy`, cheap to pass in every spec.
#[derive(Clone, Copy)]
pub struct Calendar {
    tz: Tz,
    /// The zone's offsets, read from chrono-tz once per zone and process.
    spans: &'static Spans,
}

impl PartialEq for Calendar {
    fn eq(&self, other: &Self) -> bool {
        self.tz == other.tz
    }
}

impl Eq for Calendar {}

impl std::hash::Hash for Calendar {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.tz.hash(state)
    }
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Calendar({})", self.name())
    }
}

/// A zone's UTC offsets from 1970 to 2200 as spans of one offset: `offset[i]` (ms) holds from `start[i]` to
/// `start[i + 1]`; `start[0]` is `i64::MIN`. A lookup is a binary search over a few hundred instants.
struct Spans {
    start: &'static [i64],
    offset: &'static [i64],
}

static UTC_SPANS: Spans = Spans { start: &[i64::MIN], offset: &[0] };

/// The spans of every zone used so far (at most the ~600 of the database, each built once: ~84,000 lookups).
static SPANS: Mutex<Vec<(Tz, &'static Spans)>> = Mutex::new(Vec::new());

fn spans(tz: Tz) -> &'static Spans {
    if tz == Tz::UTC {
        return &UTC_SPANS;
    }
    let mut known = SPANS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, s)) = known.iter().find(|(t, _)| *t == tz) {
        return s;
    }
    let s: &'static Spans = Box::leak(Box::new(build_spans(tz)));
    known.push((tz, s));
    s
}

/// chrono-tz's offset at `ms`.
fn tz_offset(tz: Tz, ms: i64) -> i64 {
    match DateTime::from_timestamp_millis(ms) {
        Some(t) => i64::from(tz.offset_from_utc_datetime(&t.naive_utc()).fix().local_minus_utc()) * 1000,
        None => 0,
    }
}

/// Walks 1970..2200 a day at a time; where the offset changed, finds the instant to the millisecond (no zone
/// changes its clock twice within a day).
fn build_spans(tz: Tz) -> Spans {
    let (mut start, mut offset) = (vec![i64::MIN], vec![tz_offset(tz, 0)]);
    let mut t = 0;
    while t < crate::time::MAX_TS {
        let next = t + DAY_MS;
        let off = tz_offset(tz, next);
        if off != offset[offset.len() - 1] {
            let (mut lo, mut hi) = (t, next);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if tz_offset(tz, mid) == off {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            start.push(hi);
            offset.push(off);
        }
        t = next;
    }
    Spans { start: Vec::leak(start), offset: Vec::leak(offset) }
}

impl Spans {
    /// The span holding `ms`: (its start, its end, its offset).
    #[inline]
    fn at(&self, ms: i64) -> (i64, i64, i64) {
        let i = self.start.partition_point(|&s| s <= ms).max(1) - 1;
        let end = self.start.get(i + 1).copied().unwrap_or(i64::MAX);
        (self.start[i], end, self.offset[i])
    }
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar::UTC
    }
}

impl fmt::Display for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Serialised as its IANA name.
impl Serialize for Calendar {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Why a time zone name is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneProblem {
    /// Not a zone of the IANA database; `suggestion` is a zone whose city matches, if one does.
    Unknown { name: String, suggestion: Option<&'static str> },
}

impl Calendar {
    /// Days start at UTC midnight.
    pub const UTC: Calendar = Calendar { tz: Tz::UTC, spans: &UTC_SPANS };

    pub fn new(tz: Tz) -> Calendar {
        Calendar { tz, spans: spans(tz) }
    }

    /// The calendar of an IANA zone name (`Europe/Moscow`; any letter case, surrounding spaces ignored).
    pub fn parse(name: &str) -> Result<Calendar, ZoneProblem> {
        let name = name.trim();
        if let Ok(tz) = name.parse::<Tz>() {
            return Ok(Calendar::new(tz));
        }
        let lower = name.to_ascii_lowercase();
        if let Some(tz) = chrono_tz::TZ_VARIANTS.iter().find(|tz| tz.name().eq_ignore_ascii_case(name)) {
            return Ok(Calendar::new(*tz));
        }
        // `moscow` or `new york`: a zone whose last part is that city
        let city = lower.replace(' ', "_");
        let suggestion = (!city.is_empty())
            .then(|| {
                chrono_tz::TZ_VARIANTS
                    .iter()
                    .map(|tz| tz.name())
                    .filter(|n| n.contains('/') && !n.starts_with("Etc/"))
                    .find(|n| n.rsplit('/').next().is_some_and(|c| c.eq_ignore_ascii_case(&city)))
            })
            .flatten();
        // the name is echoed in messages: at most 64 characters of it
        Err(ZoneProblem::Unknown { name: name.chars().take(64).collect(), suggestion })
    }

    /// The IANA name.
    pub fn name(self) -> &'static str {
        self.tz.name()
    }

    pub fn tz(self) -> Tz {
        self.tz
    }

    fn is_utc(self) -> bool {
        self.tz == Tz::UTC
    }

    /// Local time minus UTC at instant `ms`, in milliseconds.
    pub fn offset_ms(self, ms: i64) -> i64 {
        if self.is_utc() {
            return 0;
        }
        self.spans.at(ms).2
    }

    /// The local day (days since 1970-01-01 of the local date) of instant `ms`.
    pub fn day(self, ms: i64) -> i64 {
        (ms + self.offset_ms(ms)).div_euclid(DAY_MS)
    }

    /// The first instant (epoch ms) of local day `day`: local midnight.
    pub fn day_start(self, day: i64) -> i64 {
        let midnight = day.saturating_mul(DAY_MS);
        if self.is_utc() {
            return midnight;
        }
        let local = |t: i64| t + self.offset_ms(t);
        // the usual case: one offset around midnight
        let guess = midnight - self.offset_ms(midnight - self.offset_ms(midnight));
        if local(guess) == midnight && local(guess - 1) < midnight {
            return guess;
        }
        // midnight skipped or repeated: the first instant whose local time is at or after it (offsets are
        // within ±26 hours)
        let (mut lo, mut hi) = (midnight - 26 * 3_600_000, midnight + 26 * 3_600_000);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if local(mid) >= midnight {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo
    }

    /// A cursor that maps instants to local days, remembering the last day's bounds.
    pub fn days(self) -> DayCursor {
        DayCursor { calendar: self, lo: i64::MAX, hi: i64::MIN, day: 0 }
    }

    /// A report input as epoch ms: RFC 3339 with an offset is that instant; a date (`2026-03-02`) or a date and
    /// time without an offset (`2026-03-02T10:00`, `2026-03-02 10:00:00`) is local time in this calendar.
    pub fn parse_time(self, text: &str) -> Result<i64, TextError> {
        let t = text.trim();
        let naive = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).or_else(|| {
            ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
                .iter()
                .find_map(|p| NaiveDateTime::parse_from_str(t, p).ok())
        });
        match naive {
            Some(n) => check_range(self.local_to_instant(n)),
            None => crate::time::parse_time(t, &crate::time::TimeFormat::Rfc3339),
        }
    }

    /// The instant of a local time: the earlier one where the clock repeats it; where the clock skips it, the
    /// instant that the offset before the jump gives (so it reads as that much later), as Java and Python do.
    fn local_to_instant(self, local: NaiveDateTime) -> i64 {
        let ms = local.and_utc().timestamp_millis();
        if self.is_utc() {
            return ms;
        }
        match self.tz.from_local_datetime(&local).earliest() {
            Some(t) => t.timestamp_millis(),
            // a day earlier is before the jump (offsets are within ±14 hours)
            None => ms - self.offset_ms(ms - DAY_MS),
        }
    }

    /// `YYYY-MM-DD` of the local day of `ms`.
    pub fn format_date(self, ms: i64) -> String {
        crate::time::format_day(self.day(ms))
    }
}

/// Maps instants to local days for one pass over time-ordered events: a zone lookup only when an instant falls
/// outside the last day seen (or, on a day whose clock changes, outside its part before or after the change).
#[derive(Debug, Clone)]
pub struct DayCursor {
    calendar: Calendar,
    lo: i64,
    hi: i64,
    day: i64,
}

impl DayCursor {
    /// The local day of `ms`.
    #[inline]
    pub fn day(&mut self, ms: i64) -> i64 {
        if ms >= self.lo && ms < self.hi {
            return self.day;
        }
        self.refill(ms)
    }

    #[cold]
    fn refill(&mut self, ms: i64) -> i64 {
        // the part of the local day that lies in one span of the zone's offsets
        let (span_lo, span_hi, off) = self.calendar.spans.at(ms);
        let day = (ms + off).div_euclid(DAY_MS);
        self.lo = (day * DAY_MS - off).max(span_lo);
        self.hi = ((day + 1) * DAY_MS - off).min(span_hi);
        self.day = day;
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{format_day, parse_time, TimeFormat};

    fn at(text: &str) -> i64 {
        parse_time(text, &TimeFormat::Rfc3339).unwrap()
    }

    fn cal(name: &str) -> Calendar {
        Calendar::parse(name).unwrap()
    }

    /// (zone, instant, its local date)
    fn check(zone: &str, instant: &str, date: &str) {
        let c = cal(zone);
        let ms = at(instant);
        assert_eq!(format_day(c.day(ms)), date, "{instant} in {zone}");
        assert_eq!(format_day(c.days().day(ms)), date, "{instant} in {zone} (cursor)");
    }

    #[test]
    fn an_instant_falls_on_its_local_date() {
        check("UTC", "2026-03-01T23:30:00Z", "2026-03-01");
        // Kamchatka is UTC+12: a late evening in UTC is the next morning there
        check("Asia/Kamchatka", "2026-03-01T22:00:00Z", "2026-03-02");
        check("Asia/Kamchatka", "2026-03-01T11:59:59Z", "2026-03-01");
        check("Asia/Kamchatka", "2026-03-01T12:00:00Z", "2026-03-02");
        check("America/Los_Angeles", "2026-03-02T07:59:00Z", "2026-03-01");
        check("Europe/Moscow", "2025-12-31T21:00:00Z", "2026-01-01");
    }

    #[test]
    fn days_around_a_clock_change_are_23_and_25_hours_long() {
        let berlin = cal("Europe/Berlin");
        let day = |d: &str| {
            crate::analysis::period::days_from_civil(
                d[..4].parse().unwrap(),
                d[5..7].parse().unwrap(),
                d[8..].parse().unwrap(),
            )
        };
        let len = |d: &str| (berlin.day_start(day(d) + 1) - berlin.day_start(day(d))) / 3_600_000;
        assert_eq!(len("2026-03-29"), 23);
        assert_eq!(len("2026-10-25"), 25);
        assert_eq!(len("2026-06-01"), 24);
        assert_eq!(berlin.day_start(day("2026-03-29")), at("2026-03-28T23:00:00Z"));
        assert_eq!(berlin.day_start(day("2026-03-30")), at("2026-03-29T22:00:00Z"));
        // every instant of the short day maps to it, and the cursor agrees with the plain lookup hour by hour
        let mut cursor = berlin.days();
        let mut t = at("2026-03-27T00:00:00Z");
        while t < at("2026-10-27T00:00:00Z") {
            assert_eq!(cursor.day(t), berlin.day(t), "{}", crate::time::format_ts(t));
            let d = berlin.day(t);
            assert!(berlin.day_start(d) <= t && t < berlin.day_start(d + 1));
            t += 1_799_999;
        }
    }

    #[test]
    fn the_table_of_offsets_agrees_with_chrono_tz() {
        for zone in ["Europe/Berlin", "America/New_York", "Asia/Kamchatka", "Australia/Lord_Howe", "Europe/Moscow"] {
            let c = cal(zone);
            let mut cursor = c.days();
            let mut t = 0;
            while t < at("2045-01-01T00:00:00Z") {
                let want = tz_offset(c.tz(), t);
                assert_eq!(c.offset_ms(t), want, "{zone} at {}", crate::time::format_ts(t));
                assert_eq!(cursor.day(t), (t + want).div_euclid(DAY_MS), "{zone} at {}", crate::time::format_ts(t));
                t += 3 * 3_600_000 + 7_919;
            }
        }
    }

    #[test]
    fn a_skipped_midnight_starts_the_day_at_the_first_local_time_after_it() {
        // Asia/Beirut moved its clocks from 00:00 to 01:00 on 2026-03-29 (last Sunday of March)
        let beirut = cal("Asia/Beirut");
        let d = beirut.day(at("2026-03-29T12:00:00Z"));
        let start = beirut.day_start(d);
        assert_eq!(start, at("2026-03-28T22:00:00Z"));
        assert_eq!(beirut.day(start), d);
        assert_eq!(beirut.day(start - 1), d - 1);
        assert_eq!(beirut.parse_time("2026-03-29").unwrap(), start);
        assert_eq!(beirut.parse_time("2026-03-29T00:30").unwrap(), at("2026-03-28T22:30:00Z"));
    }

    #[test]
    fn inputs_without_an_offset_are_local_times() {
        let moscow = cal("Europe/Moscow");
        assert_eq!(moscow.parse_time("2026-03-02").unwrap(), at("2026-03-01T21:00:00Z"));
        assert_eq!(moscow.parse_time("2026-03-02T10:00").unwrap(), at("2026-03-02T07:00:00Z"));
        assert_eq!(moscow.parse_time("2026-03-02 10:00:00").unwrap(), at("2026-03-02T07:00:00Z"));
        assert_eq!(moscow.parse_time("2026-03-02T10:00:00Z").unwrap(), at("2026-03-02T10:00:00Z"));
        assert_eq!(moscow.parse_time("2026-03-02T10:00:00+01:00").unwrap(), at("2026-03-02T09:00:00Z"));
        assert_eq!(Calendar::UTC.parse_time("2026-03-02").unwrap(), at("2026-03-02T00:00:00Z"));
        assert!(moscow.parse_time("yesterday").is_err());
        assert!(moscow.parse_time("2026-13-02").is_err());
        // the hour that happens twice in Berlin (2026-10-25 02:00–03:00): the first one
        assert_eq!(cal("Europe/Berlin").parse_time("2026-10-25T02:30").unwrap(), at("2026-10-25T00:30:00Z"));
    }

    #[test]
    fn zone_names_are_checked() {
        assert_eq!(cal("europe/moscow").name(), "Europe/Moscow");
        assert_eq!(cal(" UTC ").name(), "UTC");
        assert_eq!(Calendar::default(), Calendar::UTC);
        assert_eq!(serde_json::to_string(&cal("Asia/Kamchatka")).unwrap(), "\"Asia/Kamchatka\"");
        let unknown = |n: &str| match Calendar::parse(n) {
            Err(ZoneProblem::Unknown { suggestion, .. }) => suggestion,
            Ok(c) => panic!("{n} read as {c}"),
        };
        assert_eq!(unknown("Moscow"), Some("Europe/Moscow"));
        assert_eq!(unknown("new york"), Some("America/New_York"));
        assert_eq!(unknown("Mars/Olympus"), None);
        assert_eq!(unknown(""), None);
        assert_eq!(unknown("+03:00"), None);
        match Calendar::parse(&"x".repeat(1000)) {
            Err(ZoneProblem::Unknown { name, .. }) => assert_eq!(name.len(), 64),
            Ok(_) => panic!("a long name read"),
        }
    }
}
