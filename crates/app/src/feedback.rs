//! The voice of the customer for the adapters (web pages, query API): a project's feedback scores and its
//! latest answers, reviews and tickets, each with the stage the customer had reached at the time, read with the
//! project's journey definition and time zone.
//!
//! **Sentiment joins here.** [`rows`] turns the listed feedback into the rows the feedback page and the API show;
//! each row has a `sentiment` slot that is empty today. The text analytics (sentiment, themes) plug in by
//! filling it from the texts in this one function, so every adapter gets them at once.

use serde::Serialize;
use tropa_core::analysis::feedback::score::ScoreKind;
use tropa_core::analysis::feedback::{FeedbackReport, FeedbackSpec};
use tropa_core::analysis::period::Period;
use tropa_core::analysis::scope::ScopeSpec;
use tropa_engine::report::{FeedbackItem, FeedbackListSpec};
use tropa_engine::Engine;
use tropa_meta::Meta;

use crate::AppError;

/// What to read: the answers of `[since, until)` (epoch ms; open when none), trends by `period`.
#[derive(Debug, Clone)]
pub struct FeedbackQuery {
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub period: Period,
    /// The list: only answers at this stage (key, or `none`), of this scale, negative ones.
    pub stage: Option<String>,
    pub kind: Option<ScoreKind>,
    pub negative_only: bool,
    /// Only answers given through this channel group.
    pub channel: Option<String>,
    pub limit: usize,
}

impl Default for FeedbackQuery {
    fn default() -> Self {
        FeedbackQuery {
            since: None,
            until: None,
            period: Period::Week,
            stage: None,
            kind: None,
            negative_only: false,
            channel: None,
            limit: 200,
        }
    }
}

fn spec(meta: &Meta, engine: &dyn Engine, project: &str, q: &FeedbackQuery) -> Result<FeedbackSpec, AppError> {
    let definition = crate::definitions::project(meta, project)?.definition;
    let calendar = crate::settings::project_or_default(meta, project)?.calendar;
    let last = engine.time_bounds()?.1.unwrap_or(0);
    let now = q.until.map_or(last, |u| u.saturating_sub(1));
    Ok(FeedbackSpec { definition, now, from: q.since, to: q.until, period: q.period, calendar })
}

/// The project's feedback scores.
pub fn scores(meta: &Meta, engine: &dyn Engine, project: &str, q: &FeedbackQuery) -> Result<FeedbackReport, AppError> {
    let spec = spec(meta, engine, project, q)?;
    Ok(tropa_engine::report::feedback(engine, spec, ScopeSpec::default(), vec![])?)
}

/// A feedback text or answer as the pages and the API show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedbackRow {
    #[serde(flatten)]
    pub item: FeedbackItem,
    /// Sentiment of the text (negative / neutral / positive with a score): filled by the text analytics once
    /// they join (see the module doc); none today.
    pub sentiment: Option<String>,
}

/// The rows of listed feedback (the seam where sentiment and themes join).
pub fn rows(items: Vec<FeedbackItem>) -> Vec<FeedbackRow> {
    items.into_iter().map(|item| FeedbackRow { item, sentiment: None }).collect()
}

/// The latest answers, reviews and tickets (newest first) with their stage at the time.
pub fn list(meta: &Meta, engine: &dyn Engine, project: &str, q: &FeedbackQuery) -> Result<Vec<FeedbackRow>, AppError> {
    let spec = spec(meta, engine, project, q)?;
    // a channel filter reads more, then keeps that channel's
    let limit = if q.channel.is_some() { q.limit.saturating_mul(20).max(2000) } else { q.limit };
    let list = FeedbackListSpec {
        feedback: spec,
        limit,
        stage: q.stage.clone(),
        kind: q.kind,
        negative_only: q.negative_only,
    };
    let mut items = tropa_engine::report::feedback_list(engine, list, ScopeSpec::default(), vec![])?;
    if let Some(c) = &q.channel {
        items.retain(|i| &i.channel == c);
        items.truncate(q.limit);
    }
    Ok(rows(items))
}
