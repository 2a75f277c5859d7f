//! Report periods a person picks (the last 7, 30 or 90 days, this month, last month, or two dates) as local days
//! of a [`Calendar`], and the period each is compared with.
//!
//! Days are local day numbers (days since 1970-01-01 in the project's time zone, [`Calendar::day`]); a period
//! holds its first and last day. "The last 7 days" ends on the anchor day (today, or the data's last day when it
//! ended earlier) and is compared with the 7 days before it; "this month" runs from the 1st to the anchor and is
//! compared with the same days of the previous month (cut at that month's end); "last month" is the whole
//! calendar month before the anchor's, compared with the month before it; two dates are compared with as many
//! days right before them. Example: anchor 2026-03-31, `Last(7)` = 03-25..03-31, previous 03-18..03-24.

use chrono::{Datelike, Days, NaiveDate};

use crate::calendar::Calendar;

/// Which period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// The last n days up to the anchor, the anchor included.
    Last(u32),
    ThisMonth,
    LastMonth,
    /// Two dates a person wrote (local day numbers, both included).
    Custom {
        first: i64,
        last: i64,
    },
}

impl Preset {
    /// The preset a form's value names: `7`, `30`, `90`, `this_month`, `last_month` (custom dates are read apart).
    pub fn parse(text: &str) -> Option<Preset> {
        match text {
            "7" => Some(Preset::Last(7)),
            "30" => Some(Preset::Last(30)),
            "90" => Some(Preset::Last(90)),
            "this_month" => Some(Preset::ThisMonth),
            "last_month" => Some(Preset::LastMonth),
            _ => None,
        }
    }
}

/// Local days `first..=last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub first: i64,
    pub last: i64,
}

impl DayRange {
    /// How many days.
    pub fn len(self) -> i64 {
        self.last - self.first + 1
    }

    pub fn is_empty(self) -> bool {
        self.len() <= 0
    }

    /// The instants `[since, until)` of the range in `calendar` (local midnights).
    pub fn instants(self, calendar: Calendar) -> (i64, i64) {
        (calendar.day_start(self.first), calendar.day_start(self.last + 1))
    }
}

fn date(day: i64) -> NaiveDate {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    if day >= 0 {
        epoch.checked_add_days(Days::new(day as u64)).unwrap_or(epoch)
    } else {
        epoch.checked_sub_days(Days::new(day.unsigned_abs())).unwrap_or(epoch)
    }
}

fn day(d: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    (d - epoch).num_days()
}

/// The first day of the month `back` months before the month of `d`.
fn month_start(d: NaiveDate, back: u32) -> NaiveDate {
    let months = d.year() * 12 + d.month0() as i32 - back as i32;
    NaiveDate::from_ymd_opt(months.div_euclid(12), months.rem_euclid(12) as u32 + 1, 1).unwrap_or(d)
}

/// The period of `preset` at `anchor` (a local day) and the period it is compared with.
pub fn periods(preset: Preset, anchor: i64) -> (DayRange, DayRange) {
    let same_length_before = |r: DayRange| DayRange { first: r.first - r.len(), last: r.first - 1 };
    match preset {
        Preset::Last(n) => {
            let r = DayRange { first: anchor - i64::from(n.max(1)) + 1, last: anchor };
            (r, same_length_before(r))
        }
        Preset::Custom { first, last } => {
            let r = DayRange { first: first.min(last), last: first.max(last) };
            (r, same_length_before(r))
        }
        Preset::ThisMonth => {
            let a = date(anchor);
            let first = day(month_start(a, 0));
            let previous_first = day(month_start(a, 1));
            let previous_last = (previous_first + (anchor - first)).min(first - 1);
            (DayRange { first, last: anchor }, DayRange { first: previous_first, last: previous_last })
        }
        Preset::LastMonth => {
            let a = date(anchor);
            let (this, last, before) = (day(month_start(a, 0)), day(month_start(a, 1)), day(month_start(a, 2)));
            (DayRange { first: last, last: this - 1 }, DayRange { first: before, last: last - 1 })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_day;

    fn check(preset: Preset, anchor: &str, want: [&str; 4]) {
        let anchor = day(NaiveDate::parse_from_str(anchor, "%Y-%m-%d").unwrap());
        let (r, p) = periods(preset, anchor);
        assert_eq!([r.first, r.last, p.first, p.last].map(format_day), want.map(String::from), "{preset:?}");
    }

    #[test]
    fn presets_and_the_periods_they_are_compared_with() {
        check(Preset::Last(7), "2026-03-31", ["2026-03-25", "2026-03-31", "2026-03-18", "2026-03-24"]);
        check(Preset::Last(30), "2026-03-01", ["2026-01-31", "2026-03-01", "2026-01-01", "2026-01-30"]);
        check(Preset::ThisMonth, "2026-03-31", ["2026-03-01", "2026-03-31", "2026-02-01", "2026-02-28"]);
        check(Preset::ThisMonth, "2026-03-10", ["2026-03-01", "2026-03-10", "2026-02-01", "2026-02-10"]);
        check(Preset::LastMonth, "2026-01-15", ["2025-12-01", "2025-12-31", "2025-11-01", "2025-11-30"]);
        let (first, last) = (day(date(20_000)), 20_002);
        assert_eq!(format_day(first), "2024-10-04");
        let (r, p) = periods(Preset::Custom { first: last, last: first }, 0);
        assert_eq!((r.first, r.last, r.len(), p.first, p.last), (20_000, 20_002, 3, 19_997, 19_999));
        assert_eq!(Preset::parse("90"), Some(Preset::Last(90)));
        assert_eq!(Preset::parse("91"), None);
    }

    #[test]
    fn a_period_is_its_local_midnights() {
        let moscow = Calendar::parse("Europe/Moscow").unwrap();
        let (r, _) = periods(Preset::Last(1), 20_000);
        let (since, until) = r.instants(moscow);
        assert_eq!((since, until - since), (20_000 * 86_400_000 - 3 * 3_600_000, 86_400_000));
    }
}
