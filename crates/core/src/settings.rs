//! A project's settings as values: the calendar its reports use (an IANA time zone, default `UTC`) and the
//! currency its revenue is shown in (an ISO 4217 code, default `RUB`: tropa's demo shop and most of its users sell
//! in roubles; the code is a label — amounts are never converted). The checks are here, pure; a problem is a value
//! ([`SettingError`]: which setting, why), worded in English or Russian by [`SettingReason::words`], and each
//! adapter names the setting its own way (`--time-zone`, `time_zone`, a form field).
//!
//! ```
//! use tropa_core::settings::{ProjectSettings, Setting};
//! let s = ProjectSettings::parse(Some("Europe/Moscow"), Some("eur")).unwrap();
//! assert_eq!((s.calendar.name(), s.currency.as_str()), ("Europe/Moscow", "EUR"));
//! let e = ProjectSettings::parse(Some("Moscow"), Some("euro")).unwrap_err();
//! assert_eq!(e.iter().map(|e| e.setting).collect::<Vec<_>>(), [Setting::TimeZone, Setting::Currency]);
//! assert_eq!(e[0].reason.words(tropa_core::lang::Lang::En), "unknown time zone 'Moscow': did you mean Europe/Moscow?");
//! ```

use std::fmt;

use serde::{Serialize, Serializer};

use crate::calendar::{Calendar, ZoneProblem};
use crate::lang::Lang;

/// A currency code: three ASCII capital letters (ISO 4217's shape; the list itself is not checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    /// Russian roubles, the default.
    pub const RUB: Currency = Currency(*b"RUB");

    /// Three letters, any case (`eur` → `EUR`).
    pub fn parse(code: &str) -> Option<Currency> {
        let c = code.trim().as_bytes();
        match c {
            [a, b, d] if c.iter().all(u8::is_ascii_alphabetic) => {
                Some(Currency([a.to_ascii_uppercase(), b.to_ascii_uppercase(), d.to_ascii_uppercase()]))
            }
            _ => None,
        }
    }

    pub fn as_str(&self) -> &str {
        // three ASCII letters by construction
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl Default for Currency {
    fn default() -> Self {
        Currency::RUB
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A project's settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ProjectSettings {
    /// Every day, week and month of every report is a local one of this zone.
    #[serde(rename = "time_zone")]
    pub calendar: Calendar,
    /// The label of revenue figures.
    pub currency: Currency,
}

/// A setting of a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setting {
    TimeZone,
    Currency,
}

impl Setting {
    /// The domain's name (snake case); adapters map it to their own.
    pub fn name(self) -> &'static str {
        match self {
            Setting::TimeZone => "time_zone",
            Setting::Currency => "currency",
        }
    }
}

/// Why a setting's value is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingReason {
    /// Not a zone of the IANA database.
    UnknownTimeZone(ZoneProblem),
    /// Not three letters.
    BadCurrency { code: String },
}

impl SettingReason {
    /// The reason for people, lower case, saying what to do next.
    pub fn words(&self, lang: Lang) -> String {
        let ru = lang == Lang::Ru;
        match self {
            SettingReason::UnknownTimeZone(ZoneProblem::Unknown { name, suggestion: Some(s) }) => {
                if ru {
                    format!("неизвестный часовой пояс '{name}': может быть, {s}?")
                } else {
                    format!("unknown time zone '{name}': did you mean {s}?")
                }
            }
            SettingReason::UnknownTimeZone(ZoneProblem::Unknown { name, suggestion: None }) => {
                if ru {
                    format!(
                        "неизвестный часовой пояс '{name}': укажите имя из базы IANA, например Europe/Moscow или UTC"
                    )
                } else {
                    format!("unknown time zone '{name}': use an IANA name such as Europe/Moscow or UTC")
                }
            }
            SettingReason::BadCurrency { code } => {
                if ru {
                    format!("'{code}' — не код валюты: укажите три буквы ISO 4217, например RUB, EUR или USD")
                } else {
                    format!("'{code}' is not a currency code: use three ISO 4217 letters such as RUB, EUR or USD")
                }
            }
        }
    }
}

/// One problem with one setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    pub setting: Setting,
    pub reason: SettingReason,
}

impl fmt::Display for SettingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.setting.name(), self.reason.words(Lang::En))
    }
}

/// A time zone name as a calendar, or the problem.
pub fn parse_time_zone(name: &str) -> Result<Calendar, SettingError> {
    Calendar::parse(name)
        .map_err(|p| SettingError { setting: Setting::TimeZone, reason: SettingReason::UnknownTimeZone(p) })
}

/// A currency code, or the problem.
pub fn parse_currency(code: &str) -> Result<Currency, SettingError> {
    Currency::parse(code).ok_or_else(|| SettingError {
        setting: Setting::Currency,
        reason: SettingReason::BadCurrency { code: code.trim().chars().take(40).collect() },
    })
}

impl ProjectSettings {
    /// The settings from their texts (absent: the default); every problem at once.
    pub fn parse(time_zone: Option<&str>, currency: Option<&str>) -> Result<ProjectSettings, Vec<SettingError>> {
        ProjectSettings::default().change(time_zone, currency)
    }

    /// These settings with the given ones changed; every problem at once.
    pub fn change(self, time_zone: Option<&str>, currency: Option<&str>) -> Result<ProjectSettings, Vec<SettingError>> {
        let calendar = time_zone.map(parse_time_zone).transpose();
        let code = currency.map(parse_currency).transpose();
        match (calendar, code) {
            (Ok(c), Ok(m)) => {
                Ok(ProjectSettings { calendar: c.unwrap_or(self.calendar), currency: m.unwrap_or(self.currency) })
            }
            (c, m) => Err(c.err().into_iter().chain(m.err()).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(tz: Option<&str>, cur: Option<&str>, expect: Result<(&str, &str), Vec<Setting>>) {
        let got = ProjectSettings::parse(tz, cur)
            .map(|s| (s.calendar.name(), s.currency.as_str().to_string()))
            .map_err(|e| e.iter().map(|e| e.setting).collect::<Vec<_>>());
        assert_eq!(got, expect.map(|(a, b)| (a, b.to_string())), "{tz:?} {cur:?}");
    }

    #[test]
    fn settings_are_checked_all_at_once() {
        check(None, None, Ok(("UTC", "RUB")));
        check(Some("Asia/Kamchatka"), Some(" usd "), Ok(("Asia/Kamchatka", "USD")));
        check(Some("Europe/Atlantis"), None, Err(vec![Setting::TimeZone]));
        check(None, Some("RU"), Err(vec![Setting::Currency]));
        check(None, Some("RUБ"), Err(vec![Setting::Currency]));
        check(Some(""), Some("1234"), Err(vec![Setting::TimeZone, Setting::Currency]));
        let s = ProjectSettings::parse(Some("Europe/Berlin"), Some("EUR")).unwrap();
        assert_eq!(s.change(None, Some("chf")).unwrap().calendar.name(), "Europe/Berlin");
        assert_eq!(
            serde_json::to_value(s).unwrap(),
            serde_json::json!({"time_zone": "Europe/Berlin", "currency": "EUR"})
        );
    }

    #[test]
    fn every_reason_reads_in_both_languages_without_an_adapters_words() {
        let all = [
            SettingReason::UnknownTimeZone(ZoneProblem::Unknown {
                name: "Moscow".into(),
                suggestion: Some("Europe/Moscow"),
            }),
            SettingReason::UnknownTimeZone(ZoneProblem::Unknown { name: "x".into(), suggestion: None }),
            SettingReason::BadCurrency { code: "euro".into() },
        ];
        for r in &all {
            let (en, ru) = (r.words(Lang::En), r.words(Lang::Ru));
            assert_ne!(en, ru);
            assert!(ru.chars().any(|c| ('а'..='я').contains(&c)), "{ru}");
            for w in [en, ru] {
                assert!(
                    !w.contains("--")
                        && !w.contains("time_zone")
                        && w.chars().next().is_some_and(|c| !c.is_uppercase()),
                    "{w}"
                );
            }
        }
    }
}
