//! Attribution: which touches (channels, sources, campaigns …) earn a conversion and its revenue, under every
//! common model side by side.
//!
//! Definition. A customer's journey becomes **paths of touches**, each ending in a conversion or not:
//! - A **touch** is the entry of a session (sessions as [`crate::analysis::timeline`] defines them: a gap of 30
//!   minutes or more, or a different `session_id`, starts a new one) and/or any event matching one of the touch
//!   conditions (an e-mail open, a call). Its label is the entry event's value of the `by` field (channel group,
//!   source, medium, campaign or any field; empty values read `(none)`); a touch event whose value is empty or
//!   `direct` is labelled by its event name. An event that both opens a session and matches a touch condition is
//!   one touch. A touch is *direct* when its event's channel group is `direct` (a touch event never is).
//! - A **conversion** is an event matching the conversion condition (`purchase where revenue > 1000`), with its
//!   revenue (absent → 0). Counted `Once`, only the customer's first conversion ends a path; counted `Every`, each
//!   conversion ends a path and the next path starts after it (touches at or before it are spent). A conversion
//!   event that opens a session has its own session's touch.
//! - Touches more than `lookback` before the conversion are **cut** (and counted); a path without conversion
//!   (a *null* path: the touches after the last conversion) is cut relative to the customer's last event.
//! - With [`DirectRule::IgnoreWhenOther`] ("last significant click", Metrica's default) direct touches are dropped
//!   from a path that has any other touch.
//! - A conversion left with no touch is *unattributed* (counted, not credited).
//!
//! Models (each credits every converting path with 1 conversion and its revenue, split over its touches):
//! first touch, last touch, last non-direct (the last touch that is not direct, else the last), linear (1/n to
//! each touch), time decay (weight `2^(-(t_conversion - t_touch)/half_life)`, normalised), position-based (`first`
//! and `last` shares to the first and last touch, the rest evenly to the middle; two touches split
//! `first:last`; one touch takes all), Markov chain ([`markov`]: removal effects from the exact absorption
//! probabilities of an order-1..3 chain over all paths, null paths included) and Shapley ([`shapley`]:
//! `v(S)` = conversions (revenue) of the converting paths whose set of labels is inside `S`, exact by the
//! subset-sum transform).
//!
//! Periods: with `period` (day, ISO week, month of `calendar`, the project's time zone) each period is also
//! attributed on its own — the paths that end in it (a conversion path at its conversion, a null path at the
//! customer's last event), every model over them alone — and [`costs::economics_by_period`] sets the spend of the
//! period's days against the conversions of the same period.
//!
//! The fold keeps the heuristic credits (they need touch times) and a multiset of paths (labels → conversions,
//! null count, revenue) that the data-driven models and the journey figures (assists, top sequences, overlap) run
//! over; so the cost after the scan depends on the number of distinct paths, not of events.
//!
//! Example: `organic 1 Jan, email 3 Jan, purchase 3 Jan (100)`: first touch gives organic 1 conversion/100, last
//! touch email, linear ½ each; Markov over this one path gives each ½ (removing either breaks the path).
//! Edge cases: no conversions → every credit 0; a lookback of zero is refused; events with equal times keep
//! their ingestion order. View-through (impressions) counts only when sent as touch events.
//! References: DuckDB SQL and PyPI `channelattribution` (heuristics, transition counts), an absorbing-chain solve
//! in numpy (Markov), brute-force orderings (Shapley) — tests/reference/test_attribution_reference.py; the
//! hand-worked three-customer case in `attribution/tests.rs`; the engine conformance suite.

pub mod costs;
pub mod fold;
pub mod journeys;
pub mod markov;
pub mod models;
pub mod report;
pub mod shapley;

use serde::Serialize;

use super::filter::{EventMatch, Field};
use super::invalid::{SpecError, SpecErrors, SpecField, SpecReason};
use super::period::Period;
use crate::calendar::Calendar;
use crate::dict::DictCol;
pub use fold::{AttributionAcc, AttributionFold, PathStats};
pub use report::{AttributionReport, AttributionRow, Credit, PeriodAttribution};

/// A day in ms.
pub const DAY_MS: i64 = 86_400_000;

/// The most Markov order.
pub const MAX_ORDER: usize = 3;

/// The most labels Shapley values one by one (2^20 coalitions).
pub const MAX_PLAYERS: usize = 20;

/// How often a customer's conversions count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ConversionCount {
    /// The first conversion only.
    #[default]
    Once,
    /// Every conversion ends a path.
    Every,
}

/// Whether direct touches count when another touch exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DirectRule {
    /// Direct touches are touches like any other.
    #[default]
    Keep,
    /// "Last significant click": drop direct touches from a path that has another touch.
    IgnoreWhenOther,
}

/// Whether session entries are touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SessionTouches {
    /// Every session's entry is a touch (a 30-minute gap or a new `session_id` starts a session).
    #[default]
    Entries,
    /// The same with sessions split by the gap only (no properties read: faster).
    GapEntries,
    /// Only events matching the touch conditions are touches.
    None,
}

/// The attribution models, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Model {
    FirstTouch,
    LastTouch,
    LastNonDirect,
    Linear,
    TimeDecay,
    PositionBased,
    Markov,
    Shapley,
}

impl Model {
    pub const ALL: [Model; 8] = [
        Model::FirstTouch,
        Model::LastTouch,
        Model::LastNonDirect,
        Model::Linear,
        Model::TimeDecay,
        Model::PositionBased,
        Model::Markov,
        Model::Shapley,
    ];
    /// Models computed in the fold (they need touch times or positions).
    pub const HEURISTIC: [Model; 6] = [
        Model::FirstTouch,
        Model::LastTouch,
        Model::LastNonDirect,
        Model::Linear,
        Model::TimeDecay,
        Model::PositionBased,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Model::FirstTouch => "first_touch",
            Model::LastTouch => "last_touch",
            Model::LastNonDirect => "last_non_direct",
            Model::Linear => "linear",
            Model::TimeDecay => "time_decay",
            Model::PositionBased => "position_based",
            Model::Markov => "markov",
            Model::Shapley => "shapley",
        }
    }

    /// A model by its key (also `first`, `last`, `position`, `decay`).
    pub fn parse(s: &str) -> Option<Model> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        Some(match s.as_str() {
            "first" | "first_touch" => Model::FirstTouch,
            "last" | "last_touch" => Model::LastTouch,
            "last_non_direct" | "last_significant" => Model::LastNonDirect,
            "linear" => Model::Linear,
            "time_decay" | "decay" => Model::TimeDecay,
            "position" | "position_based" | "u_shaped" => Model::PositionBased,
            "markov" => Model::Markov,
            "shapley" => Model::Shapley,
            _ => return None,
        })
    }
}

/// What a touch is labelled by.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TouchField(pub Field);

impl TouchField {
    pub fn channel() -> Self {
        TouchField(Field::Dict(DictCol::Channel))
    }

    /// `channel`, `source`, `medium`, `campaign` or any field the condition syntax knows (`properties.x`, …).
    pub fn parse(s: &str) -> Self {
        match super::matcher::Breakdown::parse(s) {
            super::matcher::Breakdown::Step(f) => TouchField(f),
            super::matcher::Breakdown::Trait(t) => TouchField(Field::Property(vec![t])),
            super::matcher::Breakdown::FirstChannel => TouchField::channel(),
        }
    }
}

/// What to compute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributionSpec {
    /// The conversion event with its conditions.
    pub conversion: EventMatch,
    pub count: ConversionCount,
    /// Whether session entries are touches.
    pub sessions: SessionTouches,
    /// Events that are touches too (an e-mail open, a call).
    pub touch_events: Vec<EventMatch>,
    /// The touch label.
    pub by: TouchField,
    /// Touches more than this before the conversion are cut (ms); None: no limit.
    pub lookback_ms: Option<i64>,
    pub direct: DirectRule,
    /// Time decay: the age at which a touch weighs half (ms).
    pub half_life_ms: i64,
    /// Position-based: percent to the first and to the last touch.
    pub first_share: u32,
    pub last_share: u32,
    /// Markov chain order, 1..=[`MAX_ORDER`].
    pub order: usize,
    /// Shapley: labels valued one by one, 2..=[`MAX_PLAYERS`] (the rest together as `(other)`).
    pub players: usize,
    /// Top channel sequences listed.
    pub top: usize,
    /// Also attribute each calendar period on its own (see [`report::PeriodAttribution`]); None: the range only.
    pub period: Option<Period>,
    /// The calendar periods are counted in (the project's time zone).
    pub calendar: Calendar,
}

impl AttributionSpec {
    /// The defaults: sessions' channel groups, 30-day lookback, 7-day half-life, 40/20/40, order 1, 20 players.
    pub fn new(conversion: EventMatch) -> Self {
        AttributionSpec {
            conversion,
            count: ConversionCount::Once,
            sessions: SessionTouches::Entries,
            touch_events: Vec::new(),
            by: TouchField::channel(),
            lookback_ms: Some(30 * DAY_MS),
            direct: DirectRule::Keep,
            half_life_ms: 7 * DAY_MS,
            first_share: 40,
            last_share: 40,
            order: 1,
            players: MAX_PLAYERS,
            top: 10,
            period: None,
            calendar: Calendar::UTC,
        }
    }

    /// Checks the spec; returns every problem with its field.
    pub fn validate(&self) -> Result<(), SpecErrors> {
        let mut errors = Vec::new();
        let mut problem = |field, reason| errors.push(SpecError { field, reason });
        if self.lookback_ms.is_some_and(|l| l <= 0) {
            problem(SpecField::Lookback, SpecReason::NotPositive { example: "30d" });
        }
        if self.half_life_ms <= 0 {
            problem(SpecField::HalfLife, SpecReason::NotPositive { example: "7d" });
        }
        let shares = (self.first_share + self.last_share) as usize;
        if shares > 100 {
            problem(SpecField::Positions, SpecReason::OutOfRange { value: shares, min: 0, max: 100 });
        }
        if self.order == 0 || self.order > MAX_ORDER {
            problem(SpecField::MarkovOrder, SpecReason::OutOfRange { value: self.order, min: 1, max: MAX_ORDER });
        }
        if self.players < 2 || self.players > MAX_PLAYERS {
            problem(
                SpecField::ShapleyPlayers,
                SpecReason::OutOfRange { value: self.players, min: 2, max: MAX_PLAYERS },
            );
        }
        if self.top == 0 {
            problem(SpecField::Top, SpecReason::OutOfRange { value: 0, min: 1, max: usize::MAX });
        }
        if self.sessions == SessionTouches::None && self.touch_events.is_empty() {
            problem(SpecField::Steps, SpecReason::OutOfRange { value: 0, min: 1, max: usize::MAX });
        }
        SpecErrors::check(errors)
    }
}

#[cfg(test)]
mod tests;
