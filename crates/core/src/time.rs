//! Timestamps: milliseconds since the Unix epoch, UTC, and the parsers the importers share.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

pub use crate::text_error::TextError;

/// Earliest accepted timestamp: 1970-01-01T00:00:00Z.
pub const MIN_TS: i64 = 0;
/// Latest accepted timestamp (exclusive): 2200-01-01T00:00:00Z.
pub const MAX_TS: i64 = 7_258_118_400_000;

/// How a textual time value is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeFormat {
    /// RFC 3339 / ISO 8601 (`2019-10-01T00:00:00Z`, `2019-10-01 00:00:00+03:00`, `2019-10-01 00:00:00 UTC`).
    Rfc3339,
    /// Seconds since the epoch (fractions allowed).
    UnixSeconds,
    /// Milliseconds since the epoch.
    UnixMillis,
    /// A `strftime` pattern, e.g. `%Y%m%d` or `%d.%m.%Y %H:%M`; read as UTC.
    Pattern(String),
}

impl TimeFormat {
    /// Parses a `--time-format` argument: `rfc3339`, `unix`, `unix_ms`, or a pattern containing `%`.
    pub fn from_arg(s: &str) -> Result<Self, TextError> {
        match s {
            "rfc3339" | "iso8601" => Ok(TimeFormat::Rfc3339),
            "unix" | "unix_s" | "epoch" => Ok(TimeFormat::UnixSeconds),
            "unix_ms" | "epoch_ms" => Ok(TimeFormat::UnixMillis),
            p if p.contains('%') => Ok(TimeFormat::Pattern(p.to_string())),
            other => Err(TextError::UnknownTimeFormat { text: other.to_string() }),
        }
    }
}

/// Parses `text` in `format` to epoch milliseconds and checks the accepted range.
pub fn parse_time(text: &str, format: &TimeFormat) -> Result<i64, TextError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(TextError::EmptyTime);
    }
    let ms = match format {
        TimeFormat::Rfc3339 => parse_rfc3339(text)?,
        TimeFormat::UnixSeconds => {
            let secs: f64 = text.parse().map_err(|_| TextError::NotSeconds { text: text.to_string() })?;
            if !secs.is_finite() {
                return Err(TextError::NotFinite);
            }
            (secs * 1000.0).round() as i64
        }
        TimeFormat::UnixMillis => text.parse::<i64>().map_err(|_| TextError::NotMillis { text: text.to_string() })?,
        TimeFormat::Pattern(p) => parse_pattern(text, p)?,
    };
    check_range(ms)
}

/// Checks that `ms` lies in the accepted range.
pub fn check_range(ms: i64) -> Result<i64, TextError> {
    if (MIN_TS..MAX_TS).contains(&ms) {
        Ok(ms)
    } else {
        Err(TextError::OutOfRange { ms })
    }
}

fn parse_rfc3339(text: &str) -> Result<i64, TextError> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Ok(dt.timestamp_millis());
    }
    let t = text.strip_suffix(" UTC").unwrap_or(text);
    for pat in ["%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"] {
        if let Ok(dt) = DateTime::parse_from_str(t, pat) {
            return Ok(dt.timestamp_millis());
        }
    }
    for pat in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, pat) {
            return Ok(dt.and_utc().timestamp_millis());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).map(|d| d.and_utc().timestamp_millis()).unwrap_or(i64::MIN));
    }
    Err(TextError::NotTime { text: text.to_string() })
}

fn parse_pattern(text: &str, pattern: &str) -> Result<i64, TextError> {
    if let Ok(dt) = DateTime::parse_from_str(text, pattern) {
        return Ok(dt.timestamp_millis());
    }
    if let Ok(dt) = NaiveDateTime::parse_from_str(text, pattern) {
        return Ok(dt.and_utc().timestamp_millis());
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, pattern) {
        if let Some(dt) = d.and_hms_opt(0, 0, 0) {
            return Ok(dt.and_utc().timestamp_millis());
        }
    }
    Err(TextError::NoMatch { text: text.to_string(), pattern: pattern.to_string() })
}

/// Formats epoch milliseconds as RFC 3339 UTC with millisecond precision.
pub fn format_ts(ms: i64) -> String {
    match DateTime::from_timestamp_millis(ms) {
        Some(dt) => dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => format!("{ms}ms"),
    }
}

/// Formats a day number (days since the epoch; a local day of a [`crate::calendar::Calendar`]) as `YYYY-MM-DD`.
pub fn format_day(day: i64) -> String {
    format_ts(day * 86_400_000)[..10].to_string()
}

/// Parses a duration such as `7d`, `36h`, `90m`, `45s`, `2w` or `1h30m` into milliseconds.
pub fn parse_duration(text: &str) -> Result<i64, TextError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(TextError::EmptyDuration);
    }
    let mut total: i64 = 0;
    let mut num = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit: i64 = match c {
            'w' => 7 * 86_400_000,
            'd' => 86_400_000,
            'h' => 3_600_000,
            'm' => 60_000,
            's' => 1_000,
            _ => return Err(TextError::DurationUnit { text: t.to_string(), unit: c }),
        };
        let n: i64 = num.parse().map_err(|_| TextError::DurationNumberMissing { text: t.to_string(), unit: c })?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| TextError::DurationTooLong { text: t.to_string() })?;
        num.clear();
    }
    if !num.is_empty() {
        return Err(TextError::DurationUnitMissing { text: t.to_string(), number: num });
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, format: TimeFormat, expect: Result<i64, ()>) {
        let got = parse_time(text, &format).map_err(|_| ());
        assert_eq!(got, expect, "{text} as {format:?}");
    }

    #[test]
    fn parses_the_supported_formats() {
        check("2019-10-01T00:00:00Z", TimeFormat::Rfc3339, Ok(1_569_888_000_000));
        check("2019-10-01 00:00:00 UTC", TimeFormat::Rfc3339, Ok(1_569_888_000_000));
        check("2019-10-01T03:00:00+03:00", TimeFormat::Rfc3339, Ok(1_569_888_000_000));
        check("2019-10-01T00:00:00.250Z", TimeFormat::Rfc3339, Ok(1_569_888_000_250));
        check("2019-10-01", TimeFormat::Rfc3339, Ok(1_569_888_000_000));
        check("1511544070", TimeFormat::UnixSeconds, Ok(1_511_544_070_000));
        check("1511544070123", TimeFormat::UnixMillis, Ok(1_511_544_070_123));
        check("19970101", TimeFormat::Pattern("%Y%m%d".into()), Ok(852_076_800_000));
        check("01.10.2019 10:30", TimeFormat::Pattern("%d.%m.%Y %H:%M".into()), Ok(1_569_925_800_000));
    }

    #[test]
    fn parses_durations() {
        assert_eq!(parse_duration("7d"), Ok(604_800_000));
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000));
        assert_eq!(parse_duration("2w"), Ok(1_209_600_000));
        assert_eq!(parse_duration("45s"), Ok(45_000));
        for bad in ["", "7", "d", "7x", "99999999999999999w"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rejects_garbage_and_out_of_range() {
        check("", TimeFormat::Rfc3339, Err(()));
        check("yesterday", TimeFormat::Rfc3339, Err(()));
        check("1e300", TimeFormat::UnixSeconds, Err(()));
        check("-5", TimeFormat::UnixSeconds, Err(()));
        check("9999-01-01T00:00:00Z", TimeFormat::Rfc3339, Err(()));
        check("2019-13-01", TimeFormat::Pattern("%Y-%m-%d".into()), Err(()));
        assert!(TimeFormat::from_arg("weird").is_err());
    }
}
