//! Problems with an analysis's parameters, as values: which parameter ([`SpecField`], named the domain's way)
//! and why ([`SpecReason`]). No adapter's words are inside: the CLI names the field as its flag (`--window`),
//! the query API as its JSON field (`window`), the web app as its form field, and each words the reason in the
//! user's language with [`SpecReason::words`]. Every `validate()` of a spec returns all its problems at once.
//!
//! ```
//! use tropa_core::analysis::invalid::{SpecError, SpecField, SpecReason};
//! use tropa_core::lang::Lang;
//! let e = SpecError { field: SpecField::Window, reason: SpecReason::NotPositive { example: "7d" } };
//! assert_eq!(e.reason.words(Lang::En), "must be longer than zero, e.g. 7d");
//! assert_eq!(e.reason.words(Lang::Ru), "должно быть больше нуля, например 7d");
//! ```

use std::fmt;

use crate::lang::Lang;
use crate::time::format_ts;

/// A parameter of an analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpecField {
    /// Funnel steps.
    Steps,
    /// Funnel conversion window.
    Window,
    /// Funnel exclusions (`after` step, event).
    Exclusions,
    /// Paths: the start event or the end event (at least one).
    StartOrEnd,
    /// Paths: events per path.
    Depth,
    /// Paths: the gap that ends a session.
    Session,
    /// Paths: how many paths are listed.
    Top,
    /// Retention: how many periods are followed.
    Periods,
    /// Retention: the window of the repeat rate.
    RepeatWithin,
    /// The start of a report's date range (retention cohorts).
    From,
    /// Stages: how long in a stage counts as stuck.
    Stuck,
    /// Lifecycle: the two dates of the transition matrix.
    Transitions,
    /// The instant the report is computed at.
    Now,
    /// Attribution: how far before a conversion touches count.
    Lookback,
    /// Attribution: the half-life of the time-decay model.
    HalfLife,
    /// Attribution: the first and last shares of the position-based model (percent).
    Positions,
    /// Attribution: the order of the Markov chain.
    MarkovOrder,
    /// Attribution: channels valued one by one in the Shapley model.
    ShapleyPlayers,
}

impl SpecField {
    /// The domain's name of the field (snake case); adapters map it to their own.
    pub fn name(self) -> &'static str {
        match self {
            SpecField::Steps => "steps",
            SpecField::Window => "window",
            SpecField::Exclusions => "exclusions",
            SpecField::StartOrEnd => "from",
            SpecField::Depth => "depth",
            SpecField::Session => "session",
            SpecField::Top => "top",
            SpecField::Periods => "periods",
            SpecField::RepeatWithin => "repeat_within",
            SpecField::From => "from",
            SpecField::Stuck => "stuck",
            SpecField::Transitions => "transitions",
            SpecField::Now => "now",
            SpecField::Lookback => "lookback",
            SpecField::HalfLife => "half_life",
            SpecField::Positions => "positions",
            SpecField::MarkovOrder => "order",
            SpecField::ShapleyPlayers => "players",
        }
    }
}

/// Why a parameter is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecReason {
    /// A funnel needs at least two steps.
    TooFewSteps,
    /// More steps than the funnel can follow.
    TooManySteps { max: usize },
    /// The first step of a funnel cannot be optional.
    FirstStepOptional,
    /// A duration must be longer than zero; `example` is a valid one.
    NotPositive { example: &'static str },
    /// An exclusion after a step that has no next step; steps are 1..=`last`.
    NoNextStep { after: usize, last: usize },
    /// Neither a start event nor an end event.
    NeitherStartNorEnd,
    /// A count outside `min..=max`.
    OutOfRange { value: usize, min: usize, max: usize },
    /// The start of a range is not before its end.
    NotBeforeEnd,
    /// The second date of the transitions comes after the report's instant (both epoch ms).
    AfterNow { at: i64, now: i64 },
    /// The lifecycle instant differs from the report's instant.
    LifecycleNotAtNow,
    /// The churn threshold is not longer than the dormant one.
    ChurnNotAfterDormant,
}

impl SpecReason {
    /// The reason for people, lower case, saying what to do next.
    pub fn words(&self, lang: Lang) -> String {
        let ru = lang == Lang::Ru;
        match self {
            SpecReason::TooFewSteps => {
                lang.pick("a funnel needs at least two steps", "в воронке нужно не меньше двух шагов").into()
            }
            SpecReason::TooManySteps { max } => {
                if ru {
                    format!("не больше {max} шагов")
                } else {
                    format!("at most {max} steps")
                }
            }
            SpecReason::FirstStepOptional => {
                lang.pick("the first step cannot be optional", "первый шаг не может быть необязательным").into()
            }
            SpecReason::NotPositive { example } => {
                if ru {
                    format!("должно быть больше нуля, например {example}")
                } else {
                    format!("must be longer than zero, e.g. {example}")
                }
            }
            SpecReason::NoNextStep { after, last } => {
                if ru {
                    format!("у шага {after} нет следующего шага (используйте 1..{last})")
                } else {
                    format!("step {after} has no next step (use 1..{last})")
                }
            }
            SpecReason::NeitherStartNorEnd => lang
                .pick("give a start event, an end event or both", "укажите начальное событие, конечное событие или оба")
                .into(),
            SpecReason::OutOfRange { value, min, max } => {
                if ru {
                    format!("{value} вне диапазона: используйте {min}..{max}")
                } else {
                    format!("{value} is out of range: use {min}..{max}")
                }
            }
            SpecReason::NotBeforeEnd => {
                lang.pick("the start must be before the end", "начало должно быть раньше конца").into()
            }
            SpecReason::AfterNow { at, now } => {
                let (at, now) = (format_ts(*at), format_ts(*now));
                if ru {
                    format!("{at} позже момента отчёта ({now}): выберите дату раньше или момент позже")
                } else {
                    format!("{at} is after the report's instant ({now}): pick an earlier date or a later instant")
                }
            }
            SpecReason::LifecycleNotAtNow => lang
                .pick(
                    "the lifecycle instant must be the report's instant",
                    "момент жизненного цикла должен совпадать с моментом отчёта",
                )
                .into(),
            SpecReason::ChurnNotAfterDormant => {
                lang.pick("must be longer than the dormant threshold", "должно быть дольше порога «уснувших»").into()
            }
        }
    }
}

/// One problem with one parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub field: SpecField,
    pub reason: SpecReason,
}

/// Every problem of a spec (never empty when returned as an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecErrors(pub Vec<SpecError>);

impl SpecErrors {
    /// Ok when there is no problem, else all of them.
    pub fn check(errors: Vec<SpecError>) -> Result<(), SpecErrors> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(SpecErrors(errors))
        }
    }

    /// One problem.
    pub fn one(field: SpecField, reason: SpecReason) -> SpecErrors {
        SpecErrors(vec![SpecError { field, reason }])
    }
}

/// `field: reason; …` in English with the domain's field names (logs, engine errors).
impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all: Vec<String> =
            self.0.iter().map(|e| format!("{}: {}", e.field.name(), e.reason.words(Lang::En))).collect();
        f.write_str(&all.join("; "))
    }
}

impl std::error::Error for SpecErrors {}

/// The folds' constructors report problems as text.
impl From<SpecErrors> for String {
    fn from(e: SpecErrors) -> String {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_reads_in_both_languages_without_an_adapters_words() {
        let all = [
            SpecReason::TooFewSteps,
            SpecReason::TooManySteps { max: 32 },
            SpecReason::FirstStepOptional,
            SpecReason::NotPositive { example: "30m" },
            SpecReason::NoNextStep { after: 3, last: 2 },
            SpecReason::NeitherStartNorEnd,
            SpecReason::OutOfRange { value: 0, min: 1, max: 20 },
            SpecReason::NotBeforeEnd,
            SpecReason::AfterNow { at: 86_400_000, now: 0 },
            SpecReason::LifecycleNotAtNow,
            SpecReason::ChurnNotAfterDormant,
        ];
        for r in &all {
            let (en, ru) = (r.words(Lang::En), r.words(Lang::Ru));
            assert_ne!(en, ru);
            assert!(ru.chars().any(|c| ('а'..='я').contains(&c)), "{ru}");
            for w in [en, ru] {
                assert!(!w.contains("--") && w.chars().next().is_some_and(|c| !c.is_uppercase()), "{w}");
            }
        }
        let e = SpecErrors(vec![
            SpecError { field: SpecField::Window, reason: SpecReason::NotPositive { example: "7d" } },
            SpecError { field: SpecField::Depth, reason: SpecReason::OutOfRange { value: 0, min: 1, max: 20 } },
        ]);
        assert_eq!(e.to_string(), "window: must be longer than zero, e.g. 7d; depth: 0 is out of range: use 1..20");
    }
}
