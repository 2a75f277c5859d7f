//! Problems with text a user wrote — a time, a duration, an event with conditions — as values. Like
//! [`crate::analysis::invalid`], no adapter's words are inside: the adapter knows the field (a flag, a JSON field, a
//! form field) and words the reason in the user's language with [`TextError::words`]. `Display` is the English
//! wording (for logs and for callers that have no language), and a `TextError` converts into a `String` so that
//! code which only reports messages can keep using `?`.
//!
//! ```
//! use tropa_core::lang::Lang;
//! use tropa_core::time::parse_duration;
//! let e = parse_duration("7x").unwrap_err();
//! assert_eq!(e.words(Lang::En), "'7x': unknown unit 'x': use w, d, h, m or s (e.g. 7d)");
//! assert_eq!(e.words(Lang::Ru), "'7x': неизвестная единица 'x': используйте w, d, h, m или s (например, 7d)");
//! ```

use std::fmt;

use crate::lang::Lang;
use crate::time::format_ts;

/// What is wrong with a piece of text, with the parts of it the message quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    /// A time was asked for and the text is empty.
    EmptyTime,
    /// Not an RFC 3339 time (nor a date).
    NotTime { text: String },
    /// Not a number of seconds (`unix` time format).
    NotSeconds { text: String },
    /// Not a whole number of milliseconds (`unix_ms` time format).
    NotMillis { text: String },
    /// A number of seconds that is infinite or not a number.
    NotFinite,
    /// The text does not match the given strftime pattern.
    NoMatch { text: String, pattern: String },
    /// A time before 1970 or after 2200 (epoch ms).
    OutOfRange { ms: i64 },
    /// An unknown `--time-format`.
    UnknownTimeFormat { text: String },
    /// A duration was asked for and the text is empty.
    EmptyDuration,
    /// A duration with a unit other than w, d, h, m, s.
    DurationUnit { text: String, unit: char },
    /// A unit without a number before it (`d7`).
    DurationNumberMissing { text: String, unit: char },
    /// A number without a unit after it (`7`).
    DurationUnitMissing { text: String, number: String },
    /// A duration too long to count in milliseconds.
    DurationTooLong { text: String },
    /// An event condition without an event name.
    NoEventName,
    /// Words after the event name that do not start with `where`.
    NotOneEvent { text: String },
    /// `where` or `and` with nothing after it.
    ConditionMissing,
    /// A field without an operator after it.
    OperatorMissing { field: String },
    /// Something in the place of an operator that is none.
    NotOperator { text: String },
    /// An operator without a value after it.
    ValueMissing { operator: String },
    /// `in` without a list.
    InNeedsList,
    /// `in (a, b` without `)`.
    InNotClosed,
    /// `in ()`.
    InEmpty,
    /// `>`, `<`… with a value that is no number.
    NotNumber { field: String, operator: String, value: String },
    /// Two conditions without `and` between them.
    AndExpected { found: String },
    /// A quote that is never closed.
    UnclosedQuote { quote: char },
    /// Not one of the values a setting takes (a funnel's order, a period, a retention mode).
    UnknownChoice { text: String, choices: &'static [&'static str] },
    /// A trait condition that is not exactly one condition.
    OneCondition,
    /// An event name the project's data has never had, with the known name it most likely meant.
    UnknownEvent { name: String, suggestion: Option<String> },
    /// A property (in a condition or a breakdown) that no event of the data has carried, with the known
    /// property most likely meant.
    UnknownProperty { name: String, suggestion: Option<String> },
}

impl TextError {
    /// The problem in `lang`, quoting the text at fault.
    pub fn words(&self, lang: Lang) -> String {
        let ru = lang == Lang::Ru;
        let w = |en: String, ru_text: String| if ru { ru_text } else { en };
        match self {
            TextError::EmptyTime => lang.pick("is empty: give a time", "пусто: укажите время").into(),
            TextError::NotTime { text } => w(
                format!("'{}' is not an RFC 3339 time such as 2026-01-02T10:00:00Z", short(text)),
                format!("'{}' — не время в формате RFC 3339, например 2026-01-02T10:00:00Z", short(text)),
            ),
            TextError::NotSeconds { text } => w(
                format!("'{}' is not a number of seconds", short(text)),
                format!("'{}' — не число секунд", short(text)),
            ),
            TextError::NotMillis { text } => w(
                format!("'{}' is not a whole number of milliseconds", short(text)),
                format!("'{}' — не целое число миллисекунд", short(text)),
            ),
            TextError::NotFinite => lang.pick("is not a finite number", "не конечное число").into(),
            TextError::NoMatch { text, pattern } => w(
                format!("'{}' does not match the pattern '{pattern}'", short(text)),
                format!("'{}' не подходит под шаблон '{pattern}'", short(text)),
            ),
            TextError::OutOfRange { ms } => w(
                format!("{} is out of range: times must lie between 1970-01-01 and 2200-01-01", format_ts(*ms)),
                format!("{} вне допустимого диапазона: время должно быть между 1970-01-01 и 2200-01-01", format_ts(*ms)),
            ),
            TextError::UnknownTimeFormat { text } => w(
                format!("unknown time format '{text}': use rfc3339, unix, unix_ms or a strftime pattern such as %Y-%m-%d"),
                format!("неизвестный формат времени '{text}': используйте rfc3339, unix, unix_ms или шаблон strftime, например %Y-%m-%d"),
            ),
            TextError::EmptyDuration => lang
                .pick("is empty: write e.g. 7d, 36h, 90m or 45s", "пусто: напишите, например, 7d, 36h, 90m или 45s")
                .into(),
            TextError::DurationUnit { text, unit } => w(
                format!("'{text}': unknown unit '{unit}': use w, d, h, m or s (e.g. 7d)"),
                format!("'{text}': неизвестная единица '{unit}': используйте w, d, h, m или s (например, 7d)"),
            ),
            TextError::DurationNumberMissing { text, unit } => w(
                format!("'{text}': a number must come before '{unit}'"),
                format!("'{text}': перед '{unit}' должно стоять число"),
            ),
            TextError::DurationUnitMissing { text, number } => w(
                format!("'{text}': give a unit after {number} (w, d, h, m or s)"),
                format!("'{text}': укажите единицу после {number} (w, d, h, m или s)"),
            ),
            TextError::DurationTooLong { text } => {
                w(format!("'{text}' is too long"), format!("'{text}' — слишком большой срок"))
            }
            TextError::NoEventName => lang
                .pick(
                    "no event name: write e.g. 'purchase' or 'purchase where revenue > 1000'",
                    "нет названия события: напишите, например, 'purchase' или 'purchase where revenue > 1000'",
                )
                .into(),
            TextError::NotOneEvent { text } => w(
                format!("'{text}' is not one event name: conditions start with 'where'"),
                format!("'{text}' — не одно название события: условия начинаются со слова 'where'"),
            ),
            TextError::ConditionMissing => lang
                .pick("a condition is missing after 'where'/'and'", "после 'where'/'and' не хватает условия")
                .into(),
            TextError::OperatorMissing { field } => {
                w(format!("no operator after '{field}'"), format!("после '{field}' нет оператора"))
            }
            TextError::NotOperator { text } => w(
                format!("'{text}' is not an operator: use = != ~ !~ > >= < <= in"),
                format!("'{text}' — не оператор: используйте = != ~ !~ > >= < <= in"),
            ),
            TextError::ValueMissing { operator } => {
                w(format!("no value after '{operator}'"), format!("после '{operator}' нет значения"))
            }
            TextError::InNeedsList => {
                lang.pick("'in' takes a list: in (a, b, c)", "после 'in' нужен список: in (a, b, c)").into()
            }
            TextError::InNotClosed => lang
                .pick("the list after 'in' is not closed with ')'", "список после 'in' не закрыт скобкой ')'")
                .into(),
            TextError::InEmpty => lang.pick("the list after 'in' is empty", "список после 'in' пуст").into(),
            TextError::NotNumber { field, operator, value } => w(
                format!("'{field}' compares with {operator}, so its value must be a number, not '{value}'"),
                format!("'{field}' сравнивается через {operator}, поэтому значение должно быть числом, а не '{value}'"),
            ),
            TextError::AndExpected { found } => w(
                format!("expected 'and' between conditions, found '{found}'"),
                format!("между условиями нужно 'and', а стоит '{found}'"),
            ),
            TextError::UnclosedQuote { quote } => {
                w(format!("unclosed quote {quote}"), format!("кавычка {quote} не закрыта"))
            }
            TextError::UnknownChoice { text, choices } => {
                let (init, last) = choices.split_at(choices.len().saturating_sub(1));
                let list = |or: &str| match init.is_empty() {
                    true => last.join(""),
                    false => format!("{} {or} {}", init.join(", "), last.join("")),
                };
                w(
                    format!("unknown value '{}': use {}", short(text), list("or")),
                    format!("неизвестное значение '{}': используйте {}", short(text), list("или")),
                )
            }
            TextError::UnknownEvent { name, suggestion: Some(s) } => w(
                format!("no event '{}' in the data: did you mean '{s}'?", short(name)),
                format!("события '{}' нет в данных: может быть, '{s}'?", short(name)),
            ),
            TextError::UnknownEvent { name, suggestion: None } => w(
                format!("no event '{}' in the data yet", short(name)),
                format!("события '{}' в данных пока нет", short(name)),
            ),
            TextError::UnknownProperty { name, suggestion: Some(s) } => w(
                format!("no property '{}' in the data: did you mean '{s}'?", short(name)),
                format!("свойства '{}' нет в данных: может быть, '{s}'?", short(name)),
            ),
            TextError::UnknownProperty { name, suggestion: None } => w(
                format!("no property '{}' in the data yet", short(name)),
                format!("свойства '{}' в данных пока нет", short(name)),
            ),
            TextError::OneCondition => lang
                .pick("write one condition, e.g. plan = pro", "напишите одно условие, например plan = pro")
                .into(),
        }
    }
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words(Lang::En))
    }
}

impl std::error::Error for TextError {}

impl From<TextError> for String {
    fn from(e: TextError) -> String {
        e.to_string()
    }
}

/// At most 40 characters of `s` (a long input is quoted by its start).
pub(crate) fn short(s: &str) -> String {
    if s.chars().count() > 40 {
        let head: String = s.chars().take(40).collect();
        format!("{head}…")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::filter::EventMatch;
    use crate::time::{parse_duration, parse_time, TimeFormat};

    /// Every problem reads in both languages, quotes what the user wrote, and the Russian is not the English.
    #[test]
    fn each_problem_is_worded_in_both_languages() {
        let problems = [
            parse_time("", &TimeFormat::Rfc3339).unwrap_err(),
            parse_time("yesterday", &TimeFormat::Rfc3339).unwrap_err(),
            parse_time("x", &TimeFormat::UnixSeconds).unwrap_err(),
            parse_time("1.5", &TimeFormat::UnixMillis).unwrap_err(),
            parse_time("inf", &TimeFormat::UnixSeconds).unwrap_err(),
            parse_time("02/01", &TimeFormat::Pattern("%d.%m.%Y".into())).unwrap_err(),
            parse_time("1960-01-01", &TimeFormat::Rfc3339).unwrap_err(),
            TimeFormat::from_arg("julian").unwrap_err(),
            parse_duration(" ").unwrap_err(),
            parse_duration("7x").unwrap_err(),
            parse_duration("d").unwrap_err(),
            parse_duration("7").unwrap_err(),
            parse_duration("99999999999999999w").unwrap_err(),
            EventMatch::parse("").unwrap_err(),
            EventMatch::parse("a b").unwrap_err(),
            EventMatch::parse("a where").unwrap_err(),
            EventMatch::parse("a where x").unwrap_err(),
            EventMatch::parse("a where x ^ 1").unwrap_err(),
            EventMatch::parse("a where x =").unwrap_err(),
            EventMatch::parse("a where x in 1").unwrap_err(),
            EventMatch::parse("a where x in (1").unwrap_err(),
            EventMatch::parse("a where x in ()").unwrap_err(),
            EventMatch::parse("a where x > many").unwrap_err(),
            EventMatch::parse("a where x = 1 or y = 2").unwrap_err(),
            EventMatch::parse("a where x = 'open").unwrap_err(),
            crate::analysis::funnel::FunnelMode::parse("zigzag").unwrap_err(),
            crate::analysis::scope::ScopeSpec::parse_trait("a = 1 and b = 2").unwrap_err(),
            TextError::UnknownEvent { name: "view_itme".into(), suggestion: Some("view_item".into()) },
            TextError::UnknownProperty { name: "colour".into(), suggestion: Some("color".into()) },
        ];
        let kinds: std::collections::HashSet<_> = problems.iter().map(std::mem::discriminant).collect();
        assert_eq!(kinds.len(), problems.len(), "one example per kind: {problems:?}");
        for p in &problems {
            let (en, ru) = (p.words(Lang::En), p.words(Lang::Ru));
            assert!(!en.is_empty() && en != ru, "{p:?}: {en} / {ru}");
            assert!(ru.chars().any(|c| ('а'..='я').contains(&c)), "{p:?}: {ru}");
            assert_eq!(p.to_string(), en);
        }
        let period = crate::analysis::period::Period::parse("fortnight").unwrap_err();
        assert_eq!(period.words(Lang::En), "unknown value 'fortnight': use day, week or month");
        assert_eq!(period.words(Lang::Ru), "неизвестное значение 'fortnight': используйте day, week или month");
        assert_eq!(
            EventMatch::parse("a where x > many").unwrap_err().words(Lang::Ru),
            "'x' сравнивается через >, поэтому значение должно быть числом, а не 'many'"
        );
    }
}
