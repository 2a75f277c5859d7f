//! Calendar periods for trends and cohorts: day, ISO week (Monday) and month, in UTC.

use serde::Serialize;

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
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "day" => Ok(Period::Day),
            "week" => Ok(Period::Week),
            "month" => Ok(Period::Month),
            other => Err(format!("unknown period '{other}': use day, week or month")),
        }
    }

    /// The first day (days since the epoch) of the period holding `ms`; weeks start on Monday.
    pub fn start(self, ms: i64) -> i64 {
        let day = ms.div_euclid(86_400_000);
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
        assert_eq!(Period::Week.start(wed), days_from_civil(2024, 1, 1));
        assert_eq!(Period::Month.start(wed), days_from_civil(2024, 1, 1));
        let a = days_from_civil(2023, 11, 1);
        let b = days_from_civil(2024, 2, 1);
        assert_eq!(Period::Month.offset(a, b), 3);
        assert_eq!(Period::Week.offset(days_from_civil(2024, 1, 1), days_from_civil(2024, 1, 15)), 2);
    }
}
