//! Calendar periods for trends and cohorts: day, ISO week (Monday) and month, of a report's [`Calendar`] (the
//! project's time zone). Periods are counted in local days (see [`crate::calendar`]), so a week starts at local
//! midnight on Monday and a month at local midnight on its first day, whatever the zone.

use crate::text_error::TextError;
use serde::Serialize;

use crate::calendar::Calendar;
use crate::time::format_day;

/// A calendar period for trends and cohorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Day,
    Week,
    Month,
}

impl Period {
    pub fn parse(s: &str) -> Result<Self, TextError> {
        match s {
            "day" => Ok(Period::Day),
            "week" => Ok(Period::Week),
            "month" => Ok(Period::Month),
            other => Err(TextError::UnknownChoice { text: other.into(), choices: &["day", "week", "month"] }),
        }
    }

    /// The first local day (days since the epoch) of the period holding instant `ms` in `calendar`.
    pub fn start(self, calendar: Calendar, ms: i64) -> i64 {
        self.first_day(calendar.day(ms))
    }

    /// The first day of the period holding day `day`; weeks start on Monday.
    pub fn first_day(self, day: i64) -> i64 {
        match self {
            Period::Day => day,
            Period::Week => day - (day + 3).rem_euclid(7),
            Period::Month => {
                let (y, m) = year_month(day);
                days_from_civil(y, m, 1)
            }
        }
    }

    /// How many whole periods lie between the periods starting on days `from` and `to` (`to - from` in periods).
    pub fn offset(self, from: i64, to: i64) -> i64 {
        match self {
            Period::Day => to - from,
            Period::Week => (to - from).div_euclid(7),
            Period::Month => {
                let (y0, m0) = year_month(from);
                let (y1, m1) = year_month(to);
                (y1 - y0) * 12 + (m1 - m0)
            }
        }
    }

    /// The first day of the period `k` periods after the one starting on day `start`.
    pub fn shift(self, start: i64, k: i64) -> i64 {
        match self {
            Period::Day => start + k,
            Period::Week => start + 7 * k,
            Period::Month => {
                let (y, m) = year_month(start);
                let m = m - 1 + k;
                days_from_civil(y + m.div_euclid(12), m.rem_euclid(12) + 1, 1)
            }
        }
    }
}

fn year_month(day: i64) -> (i64, i64) {
    let label = format_day(day);
    (label[..4].parse::<i64>().unwrap_or(1970), label[5..7].parse::<i64>().unwrap_or(1))
}

/// Days since the epoch of a civil date (proleptic Gregorian).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday_and_months_count_across_years() {
        // 2024-01-03 is a Wednesday; its week starts on Monday 2024-01-01.
        let wed = days_from_civil(2024, 1, 3) * 86_400_000 + 5_000;
        assert_eq!(Period::Week.start(Calendar::UTC, wed), days_from_civil(2024, 1, 1));
        assert_eq!(Period::Month.start(Calendar::UTC, wed), days_from_civil(2024, 1, 1));
        assert_eq!(Period::Month.shift(days_from_civil(2023, 11, 1), 3), days_from_civil(2024, 2, 1));
        assert_eq!(Period::Month.shift(days_from_civil(2024, 2, 1), -14), days_from_civil(2022, 12, 1));
        let a = days_from_civil(2023, 11, 1);
        let b = days_from_civil(2024, 2, 1);
        assert_eq!(Period::Month.offset(a, b), 3);
        assert_eq!(Period::Week.offset(days_from_civil(2024, 1, 1), days_from_civil(2024, 1, 15)), 2);
    }

    /// (zone, instant, period, the period's first day, its first instant)
    fn check(zone: &str, at: &str, period: Period, first: &str, starts: &str) {
        use crate::time::{format_day, parse_time, TimeFormat};
        let c = Calendar::parse(zone).unwrap();
        let ms = parse_time(at, &TimeFormat::Rfc3339).unwrap();
        let day = period.start(c, ms);
        assert_eq!(format_day(day), first, "{at} {period:?} in {zone}");
        assert_eq!(c.day_start(day), parse_time(starts, &TimeFormat::Rfc3339).unwrap(), "{at} {period:?} in {zone}");
    }

    #[test]
    fn periods_are_local_to_the_zone() {
        // Sunday 22:30 UTC is already Monday in Moscow: a new ISO week there
        check("UTC", "2026-03-01T22:30:00Z", Period::Week, "2026-02-23", "2026-02-23T00:00:00Z");
        check("Europe/Moscow", "2026-03-01T22:30:00Z", Period::Week, "2026-03-02", "2026-03-01T21:00:00Z");
        // the last evening of January in New York is February in UTC
        check("America/New_York", "2026-02-01T03:00:00Z", Period::Month, "2026-01-01", "2026-01-01T05:00:00Z");
        check("UTC", "2026-02-01T03:00:00Z", Period::Month, "2026-02-01", "2026-02-01T00:00:00Z");
        // a month that starts in winter time and ends in summer time
        check("Europe/Berlin", "2026-03-31T21:59:59Z", Period::Month, "2026-03-01", "2026-02-28T23:00:00Z");
        check("Europe/Berlin", "2026-03-31T22:00:00Z", Period::Month, "2026-04-01", "2026-03-31T22:00:00Z");
        // ISO week across a year end in Kamchatka (UTC+12)
        check("Asia/Kamchatka", "2026-12-31T13:00:00Z", Period::Week, "2026-12-28", "2026-12-27T12:00:00Z");
        check("Asia/Kamchatka", "2027-01-03T12:00:00Z", Period::Week, "2027-01-04", "2027-01-03T12:00:00Z");
        check("Asia/Kamchatka", "2026-03-01T12:00:00Z", Period::Day, "2026-03-02", "2026-03-01T12:00:00Z");
    }
}
