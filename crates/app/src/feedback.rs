//! The voice of the customer for the adapters (web pages, query API): a project's feedback scores and its
//! latest answers, reviews and tickets, each with the stage the customer had reached at the time, read with the
//! project's journey definition and time zone.
//!
//! **What the texts say.** [`rows`] turns the listed feedback into the rows the feedback page and the API show,
//! each text with its sentiment (negative / neutral / positive and a score in −1…1) and its themes (delivery,
//! price, payment, …) from `tropa_text`, on this machine; [`insights`] sums them up: sentiment per stage at the
//! time of the answer, themes with their share of unhappy texts, the phrases distinctive of the unhappy texts
//! against the rest (weighted log-odds) and representative quotes. A text is *unhappy* when its score is
//! negative (a detractor, CSAT 1–2, CES 5–7, a review of 1–2 stars) or, without a score, its sentiment is.
//! Themes come from the project's own list ([`themes`]), the built-in one until it is edited.
//!
//! **Whose feedback.** [`FeedbackQuery::segment`] keeps the answers of some customers only: a persona's
//! segment ([`persona_segment`]) and/or a condition on traits or an event done (the condition builder's
//! syntax), applied to scores and texts alike.

use serde::Serialize;
use tropa_core::analysis::feedback::score::ScoreKind;
use tropa_core::analysis::feedback::{FeedbackReport, FeedbackSpec};
use tropa_core::analysis::period::Period;
use tropa_core::analysis::scope::ScopeSpec;
use tropa_core::cjm::Segment;
use tropa_engine::report::{FeedbackItem, FeedbackListSpec};
use tropa_engine::Engine;
use tropa_meta::Meta;

use crate::error::Reason;
use crate::AppError;

pub mod themes;

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
    /// Only the answers of these customers (empty: everyone's).
    pub segment: Segment,
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
            segment: Segment::default(),
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

/// The customers of `segment` as a scope; a condition that does not read is `Invalid` at `traits`, `did` or
/// `did_not`.
pub fn scope(segment: &Segment) -> Result<ScopeSpec, AppError> {
    segment.scope("segment").map_err(|issues| {
        let first = &issues[0];
        let field = ["traits", "did_not", "did"]
            .into_iter()
            .find(|f| first.field.starts_with(&format!("segment.{f}")))
            .unwrap_or("traits");
        AppError::Invalid { field, reason: Reason::Document(first.reason.clone()) }
    })
}

/// The segment of the persona `key` of the project (its customers; `NotFound` naming the persona).
pub fn persona_segment(meta: &Meta, project: &str, key: &str) -> Result<Segment, AppError> {
    Ok(crate::maps::saved::persona(meta, project, key)?.segment)
}

/// The project's feedback scores.
pub fn scores(meta: &Meta, engine: &dyn Engine, project: &str, q: &FeedbackQuery) -> Result<FeedbackReport, AppError> {
    let scope = scope(&q.segment)?;
    let spec = spec(meta, engine, project, q)?;
    Ok(tropa_engine::report::feedback(engine, spec, scope, vec![])?)
}

/// A feedback text or answer as the pages and the API show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedbackRow {
    #[serde(flatten)]
    pub item: FeedbackItem,
    /// Sentiment of the text (none without a text).
    pub sentiment: Option<tropa_text::Sentiment>,
    /// The keys of the themes it mentions (the project's list).
    pub themes: Vec<String>,
}

impl FeedbackRow {
    /// Unhappy: a negative score, or without a score a negative sentiment.
    pub fn unhappy(&self) -> bool {
        match self.item.score {
            Some(_) => self.item.negative,
            None => self.sentiment.is_some_and(|s| s.label == tropa_text::Label::Negative),
        }
    }
}

/// The rows of listed feedback, each text with its sentiment and its themes of `list`.
pub fn rows(items: Vec<FeedbackItem>, list: &tropa_text::ThemeList) -> Vec<FeedbackRow> {
    items
        .into_iter()
        .map(|item| {
            let text = item.text.trim();
            let (sentiment, themes) = if text.is_empty() {
                (None, Vec::new())
            } else {
                (Some(tropa_text::sentiment(text)), list.assign(text).into_iter().map(String::from).collect())
            };
            FeedbackRow { item, sentiment, themes }
        })
        .collect()
}

/// Sentiment of the texts answered at one stage (`None`: before the first stage).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageSentiment {
    pub stage: Option<String>,
    pub texts: u64,
    pub negative: u64,
    pub neutral: u64,
    pub positive: u64,
    /// The mean sentiment score, −1…1.
    pub mean: f64,
}

/// One theme: how many texts mention it and how many of those are unhappy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeRow {
    pub key: String,
    pub name_en: String,
    pub name_ru: String,
    pub texts: u64,
    pub unhappy: u64,
}

/// What the texts of the listed feedback say, summed up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextInsights {
    /// Texts read (rows with a text).
    pub texts: u64,
    pub unhappy: u64,
    /// By stage at the time of the answer, in the order of first appearance in `rows`.
    pub by_stage: Vec<StageSentiment>,
    /// Themes mentioned at least once, most mentioned first.
    pub themes: Vec<ThemeRow>,
    /// Phrases distinctive of the unhappy texts against the rest.
    pub phrases: Vec<tropa_text::Phrase>,
    /// Unhappy texts that say those phrases.
    pub quotes: Vec<tropa_text::Quote>,
}

/// Sums up the texts of `rows` (see the module doc), themes named by `list`.
pub fn insights(rows: &[FeedbackRow], list: &tropa_text::ThemeList) -> TextInsights {
    let with_text: Vec<&FeedbackRow> = rows.iter().filter(|r| r.sentiment.is_some()).collect();
    let mut by_stage: Vec<StageSentiment> = Vec::new();
    let mut sums: Vec<f64> = Vec::new();
    for r in &with_text {
        let s = r.sentiment.expect("rows with a text have a sentiment");
        let i = match by_stage.iter().position(|x| x.stage == r.item.stage) {
            Some(i) => i,
            None => {
                by_stage.push(StageSentiment {
                    stage: r.item.stage.clone(),
                    texts: 0,
                    negative: 0,
                    neutral: 0,
                    positive: 0,
                    mean: 0.0,
                });
                sums.push(0.0);
                by_stage.len() - 1
            }
        };
        let st = &mut by_stage[i];
        st.texts += 1;
        match s.label {
            tropa_text::Label::Negative => st.negative += 1,
            tropa_text::Label::Neutral => st.neutral += 1,
            tropa_text::Label::Positive => st.positive += 1,
        }
        sums[i] += s.score;
    }
    for (st, sum) in by_stage.iter_mut().zip(sums) {
        st.mean = sum / st.texts as f64;
    }
    let mut themes: Vec<ThemeRow> = list
        .themes()
        .iter()
        .map(|t| ThemeRow {
            key: t.key.clone(),
            name_en: t.name_en.clone(),
            name_ru: t.name_ru.clone(),
            texts: 0,
            unhappy: 0,
        })
        .collect();
    for r in &with_text {
        for k in &r.themes {
            if let Some(t) = themes.iter_mut().find(|t| &t.key == k) {
                t.texts += 1;
                t.unhappy += u64::from(r.unhappy());
            }
        }
    }
    themes.retain(|t| t.texts > 0);
    themes.sort_by(|a, b| b.texts.cmp(&a.texts).then_with(|| a.key.cmp(&b.key)));
    let group: Vec<&str> = with_text.iter().filter(|r| r.unhappy()).map(|r| r.item.text.as_str()).collect();
    let rest: Vec<&str> = with_text.iter().filter(|r| !r.unhappy()).map(|r| r.item.text.as_str()).collect();
    let phrases = if group.is_empty() { Vec::new() } else { tropa_text::distinctive_phrases(&group, &rest, 10) };
    let quotes = if phrases.is_empty() { Vec::new() } else { tropa_text::representative_quotes(&group, &phrases, 3) };
    TextInsights { texts: with_text.len() as u64, unhappy: group.len() as u64, by_stage, themes, phrases, quotes }
}

/// The latest answers, reviews and tickets (newest first) with their stage at the time.
pub fn list(meta: &Meta, engine: &dyn Engine, project: &str, q: &FeedbackQuery) -> Result<Vec<FeedbackRow>, AppError> {
    let scope = scope(&q.segment)?;
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
    let mut items = tropa_engine::report::feedback_list(engine, list, scope, vec![])?;
    if let Some(c) = &q.channel {
        items.retain(|i| &i.channel == c);
        items.truncate(q.limit);
    }
    Ok(rows(items, &themes::list(meta, project)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(stage: &str, score: Option<u32>, negative: bool, text: &str) -> FeedbackItem {
        FeedbackItem {
            customer: "c".into(),
            ts: 0,
            time: String::new(),
            event: "survey_response".into(),
            survey: "nps".into(),
            question: "nps".into(),
            kind: score.map(|_| ScoreKind::Nps),
            score,
            negative,
            invalid: false,
            superseded: false,
            text: text.into(),
            stage: Some(stage.into()),
            channel: "direct".into(),
        }
    }

    /// Hand-made: two detractors complain about a late delivery (one in Russian), two promoters are happy, one
    /// review without a score is negative by its words; one answer has no text.
    #[test]
    fn texts_are_read_and_summed_up() {
        let list = tropa_text::ThemeList::builtin();
        let rows = rows(
            vec![
                item("purchase", Some(2), true, "Доставка опоздала на неделю, ждал доставку очень долго"),
                item("purchase", Some(3), true, "The delivery was late again, terrible delivery"),
                item("purchase", Some(10), false, "Отличный магазин, всё понравилось!"),
                item("repeat", Some(9), false, "Great store, I love it"),
                item("repeat", None, false, "Ужасное качество, не понравилось"),
                item("repeat", Some(8), false, ""),
            ],
            list,
        );
        assert_eq!(rows[5].sentiment, None, "no text, no sentiment");
        assert!(rows[0].themes.contains(&"delivery".to_string()), "{:?}", rows[0].themes);
        assert_eq!(rows[2].sentiment.unwrap().label, tropa_text::Label::Positive);
        assert!(rows[4].unhappy(), "without a score the words decide");
        assert!(!rows[2].unhappy() && rows[0].unhappy());
        let x = insights(&rows, list);
        assert_eq!((x.texts, x.unhappy), (5, 3));
        assert_eq!(
            x.by_stage.iter().map(|s| (s.stage.as_deref().unwrap(), s.texts)).collect::<Vec<_>>(),
            [("purchase", 3), ("repeat", 2)]
        );
        let delivery = x.themes.iter().find(|t| t.key == "delivery").unwrap();
        assert_eq!((delivery.texts, delivery.unhappy), (2, 2));
        assert!(
            x.phrases.iter().any(|p| p.surface.contains("deliver") || p.surface.contains("достав")),
            "{:?}",
            x.phrases
        );
        assert!(
            !x.quotes.is_empty() && x.quotes.iter().all(|q| rows.iter().any(|r| r.unhappy() && r.item.text == q.text))
        );
    }
}
