//! Voice of the customer: scored answers and feedback texts on the journey, by the stage the customer had
//! reached **at the time of the answer**, by channel, by period, with response rates.
//!
//! # Which events are feedback
//! - `survey_response` (from the survey widget, the API or a file): properties `survey`, `question`, `kind`
//!   (`nps`, `csat`, `ces`; anything else is a custom question without a score), `score`, `text`;
//! - `nps_response`: an NPS answer (`score` 0–10, `survey`);
//! - `review`: `rating` 1–5 is a CSAT answer; without it, `score` 0–10 is read on the NPS scale; `text`;
//! - `support_ticket`: a text only (`text`, else `topic`), never scored.
//!
//! A score that is not an integer of its scale (an NPS of 11, a CSAT of 0, `"abc"`) is not scored and is counted
//! in `invalid` — never clipped. **Answered twice**: when a customer answers the same `survey` and `question` of
//! a `survey_response` again within 24 hours, only the latest answer is scored (the earlier one is counted in
//! `superseded`); both stay as events and as texts.
//!
//! # Definition
//! Stages are those of [`super::stages`] ([`StageModel::classify`] over the customer's journey up to `now`):
//! an answer at time t belongs to the highest stage entered at or before t (answers before the first stage are
//! reported apart, in `before_first_stage`). Only answers with `from <= t < to` count; the stage still looks at
//! every earlier event. Per stage k: `reached` = customers who entered k (as of `now`); `respondents` =
//! customers with at least one scored answer at stage k; **response rate** = respondents / reached (who reached
//! the stage is who could be asked there); `negative_share` = negative answers (NPS detractors 0–6, CSAT 1–2,
//! CES 1–2) / scored answers. The channel of an answer is the channel group of its event. Per survey key, the
//! response rate is customers who answered / customers shown the survey (`survey_shown` events of the widget).
//! Scores and intervals: [`score`]. Trend: per calendar period (day, ISO week, month) of the project's time zone.
//!
//! Example (default stages): `page_view@0, purchase@10 (revenue), nps_response@20 {score 10},
//! nps_response@30 {score 3}` — two NPS answers at Purchase: NPS = 100 · (1/2 − 1/2) = 0, n = 2, a small sample.
//!
//! References: DuckDB SQL over the demo export and a hand-made case, intervals with scipy, in
//! `tests/reference/test_feedback_reference.py`; the engine conformance suite runs this fold on every engine.

pub mod score;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use self::score::{Hist, Score, ScoreKind};
use super::matcher::EventView;
use super::period::Period;
use super::stages::{JourneyDefinition, LocalName, StageModel};
use crate::calendar::Calendar;
use crate::dict::{DictCol, Dictionaries};
use crate::fold::JourneyFold;
use crate::identity::ActorId;
use crate::journey::{Columns, Journey};
use crate::time::format_day;

/// Two answers to the same survey question this close: only the latest is scored.
pub const REANSWER_MS: i64 = 24 * 3_600_000;

/// The feedback event names.
pub const SURVEY_RESPONSE: &str = "survey_response";
pub const SURVEY_SHOWN: &str = "survey_shown";
pub const NPS_RESPONSE: &str = "nps_response";
pub const REVIEW: &str = "review";
pub const SUPPORT_TICKET: &str = "support_ticket";

/// What to compute.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackSpec {
    pub definition: JourneyDefinition,
    /// The instant of the report (epoch ms): events after it are ignored.
    pub now: i64,
    /// Only answers at or after this time.
    pub from: Option<i64>,
    /// Only answers before this time.
    pub to: Option<i64>,
    /// Trend periods, in `calendar`.
    pub period: Period,
    pub calendar: Calendar,
}

/// Where a feedback event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Survey,
    Nps,
    Review,
    Ticket,
}

impl Source {
    pub fn event(self) -> &'static str {
        match self {
            Source::Survey => SURVEY_RESPONSE,
            Source::Nps => NPS_RESPONSE,
            Source::Review => REVIEW,
            Source::Ticket => SUPPORT_TICKET,
        }
    }
}

/// One feedback event read from a journey.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Index of the event in the journey.
    pub index: usize,
    pub ts: i64,
    pub source: Source,
    pub survey: String,
    pub question: String,
    /// The scale and the valid score, when scored.
    pub score: Option<(ScoreKind, u32)>,
    /// A score was given but is not one of its scale.
    pub invalid: bool,
    /// A later answer to the same question replaces this one in the scores.
    pub superseded: bool,
    pub text: String,
    /// The stage reached at `ts` (index into the definition's stages).
    pub stage: Option<usize>,
}

fn num(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn text(v: Option<&Value>) -> String {
    v.map(super::matcher::value_text).unwrap_or_default()
}

/// The names of the feedback events, as codes of the dictionaries.
#[derive(Debug, Clone, Copy)]
struct Names {
    survey: Option<u16>,
    shown: Option<u16>,
    nps: Option<u16>,
    review: Option<u16>,
    ticket: Option<u16>,
}

/// Reads a customer's feedback events and the stage each was given at.
pub struct AnswerReader {
    model: StageModel,
    names: Names,
    dicts: Dictionaries,
}

impl AnswerReader {
    pub fn new(definition: &JourneyDefinition, dicts: &Dictionaries) -> Result<Self, String> {
        let model = StageModel::new(definition, dicts).map_err(|e| e.to_string())?;
        let c = |n: &str| dicts.name_code(n);
        let names = Names {
            survey: c(SURVEY_RESPONSE),
            shown: c(SURVEY_SHOWN),
            nps: c(NPS_RESPONSE),
            review: c(REVIEW),
            ticket: c(SUPPORT_TICKET),
        };
        Ok(AnswerReader { model, names, dicts: dicts.clone() })
    }

    /// Columns the scan must fill.
    pub fn columns(&self) -> Columns {
        self.model.columns().with(Columns::ROWS).with(Columns::dict(DictCol::Channel))
    }

    pub fn stages(&self) -> usize {
        self.model.len()
    }

    /// The stage entries (first [`AnswerReader::stages`]) and the feedback events of journey `j` (already cut at
    /// `now`), with the rule on repeated answers applied.
    pub fn read(&self, j: &Journey<'_>) -> (Vec<Option<i64>>, Vec<Answer>) {
        let mut view = EventView::new(j, &self.dicts);
        let c = self.model.classify(&mut view);
        let entered = c.entered[..self.model.len()].to_vec();
        let n = self.names;
        let mut out: Vec<Answer> = Vec::new();
        for i in 0..j.len() {
            let name = Some(j.name[i]);
            let source = if name == n.survey {
                Source::Survey
            } else if name == n.nps {
                Source::Nps
            } else if name == n.review {
                Source::Review
            } else if name == n.ticket {
                Source::Ticket
            } else {
                continue;
            };
            let p = view.props(i);
            let (kind, raw) = match source {
                Source::Survey => (p.get("kind").and_then(|v| v.as_str()).and_then(ScoreKind::parse), p.get("score")),
                Source::Nps => (Some(ScoreKind::Nps), p.get("score")),
                Source::Review => match p.get("rating") {
                    Some(r) => (Some(ScoreKind::Csat), Some(r)),
                    None => (Some(ScoreKind::Nps), p.get("score")),
                },
                Source::Ticket => (None, None),
            };
            let given = raw.is_some_and(|v| !v.is_null());
            let score = kind.zip(num(raw)).and_then(|(k, v)| k.check(v).map(|s| (k, s)));
            let body = match p.get("text").or_else(|| p.get("comment")) {
                Some(v) => text(Some(v)),
                None if source == Source::Ticket => text(p.get("topic")),
                None => String::new(),
            };
            let ts = j.ts[i];
            out.push(Answer {
                index: i,
                ts,
                source,
                survey: text(p.get("survey")),
                question: text(p.get("question")),
                score,
                invalid: kind.is_some() && given && score.is_none(),
                superseded: false,
                text: body,
                stage: entered.iter().rposition(|t| t.is_some_and(|t| t <= ts)),
            });
        }
        for a in 0..out.len() {
            if out[a].source != Source::Survey || out[a].score.is_none() {
                continue;
            }
            let later = out[a + 1..].iter().any(|b| {
                b.source == Source::Survey
                    && b.score.is_some()
                    && b.survey == out[a].survey
                    && b.question == out[a].question
                    && b.ts - out[a].ts < REANSWER_MS
            });
            out[a].superseded = later;
        }
        (entered, out)
    }

    /// Whether event `i` of `j` is a `survey_shown`.
    fn shown(&self, j: &Journey<'_>, i: usize) -> bool {
        self.names.shown == Some(j.name[i])
    }
}

/// Scores of the three scales.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Kinds(pub [Hist; 3]);

impl Kinds {
    fn add(&mut self, k: ScoreKind, s: u32) {
        self.0[k as usize].add(s);
    }

    fn merge(&mut self, o: &Kinds) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            a.merge(b);
        }
    }
}

/// Partial result of one stage (or of the answers before the first stage).
#[derive(Debug, Clone, Default)]
pub struct StageAcc {
    pub reached: u64,
    pub respondents: u64,
    pub scores: Kinds,
    pub negative: u64,
    pub texts: u64,
}

/// Partial result of one survey key.
#[derive(Debug, Clone, Default)]
pub struct SurveyAcc {
    pub shown: u64,
    pub answered: u64,
    pub scores: Kinds,
}

/// Partial result.
#[derive(Debug, Clone, Default)]
pub struct FeedbackAcc {
    pub customers: u64,
    /// One per stage, then the answers before the first stage.
    pub stages: Vec<StageAcc>,
    pub overall: Kinds,
    pub channels: BTreeMap<u32, Kinds>,
    pub periods: BTreeMap<i64, Kinds>,
    pub surveys: BTreeMap<String, SurveyAcc>,
    pub answers: u64,
    pub texts: u64,
    pub invalid: u64,
    pub superseded: u64,
}

/// The fold.
pub struct FeedbackFold {
    spec: FeedbackSpec,
    reader: AnswerReader,
}

impl FeedbackFold {
    pub fn new(spec: FeedbackSpec, dicts: &Dictionaries) -> Result<Self, String> {
        let reader = AnswerReader::new(&spec.definition, dicts)?;
        Ok(FeedbackFold { spec, reader })
    }

    pub fn columns(&self) -> Columns {
        self.reader.columns()
    }

    pub fn spec(&self) -> &FeedbackSpec {
        &self.spec
    }

    fn in_range(&self, t: i64) -> bool {
        self.spec.from.is_none_or(|f| t >= f) && self.spec.to.is_none_or(|u| t < u)
    }
}

impl JourneyFold for FeedbackFold {
    type Acc = FeedbackAcc;

    fn init(&self) -> FeedbackAcc {
        FeedbackAcc { stages: vec![StageAcc::default(); self.reader.stages() + 1], ..FeedbackAcc::default() }
    }

    fn fold(&self, acc: &mut FeedbackAcc, j: &Journey<'_>) {
        let now = self.spec.now;
        let j = j.slice(0..j.ts.partition_point(|&t| t <= now));
        if j.is_empty() {
            return;
        }
        acc.customers += 1;
        let (entered, answers) = self.reader.read(&j);
        let n = entered.len();
        for (k, st) in acc.stages.iter_mut().enumerate().take(n) {
            if entered[k].is_some() {
                st.reached += 1;
            }
        }
        let chan = j.codes(DictCol::Channel);
        let mut responded = vec![false; n + 1];
        let mut surveys: Vec<&str> = Vec::new();
        for a in answers.iter().filter(|a| self.in_range(a.ts)) {
            let slot = a.stage.unwrap_or(n);
            let st = &mut acc.stages[slot];
            if !a.text.is_empty() {
                st.texts += 1;
                acc.texts += 1;
            }
            acc.invalid += u64::from(a.invalid);
            let Some((kind, s)) = a.score else { continue };
            if a.superseded {
                acc.superseded += 1;
                continue;
            }
            acc.answers += 1;
            st.scores.add(kind, s);
            st.negative += u64::from(kind.negative(s));
            responded[slot] = true;
            acc.overall.add(kind, s);
            acc.channels.entry(chan.get(a.index).copied().unwrap_or(0)).or_default().add(kind, s);
            acc.periods.entry(self.spec.period.start(self.spec.calendar, a.ts)).or_default().add(kind, s);
            if !a.survey.is_empty() {
                let sv = acc.surveys.entry(a.survey.clone()).or_default();
                sv.scores.add(kind, s);
                if !surveys.contains(&a.survey.as_str()) {
                    sv.answered += 1;
                    surveys.push(&a.survey);
                }
            }
        }
        for (st, r) in acc.stages.iter_mut().zip(responded) {
            st.respondents += u64::from(r);
        }
        // customers shown each survey (in the range)
        let mut shown: Vec<String> = Vec::new();
        let mut view = EventView::new(&j, &self.reader.dicts);
        for i in 0..j.len() {
            if self.reader.shown(&j, i) && self.in_range(j.ts[i]) {
                let key = text(view.props(i).get("survey"));
                if !key.is_empty() && !shown.contains(&key) {
                    shown.push(key);
                }
            }
        }
        for key in shown {
            acc.surveys.entry(key).or_default().shown += 1;
        }
    }

    fn merge(&self, into: &mut FeedbackAcc, other: FeedbackAcc) {
        into.customers += other.customers;
        for (a, b) in into.stages.iter_mut().zip(other.stages) {
            a.reached += b.reached;
            a.respondents += b.respondents;
            a.scores.merge(&b.scores);
            a.negative += b.negative;
            a.texts += b.texts;
        }
        into.overall.merge(&other.overall);
        for (k, v) in other.channels {
            into.channels.entry(k).or_default().merge(&v);
        }
        for (k, v) in other.periods {
            into.periods.entry(k).or_default().merge(&v);
        }
        for (k, v) in other.surveys {
            let s = into.surveys.entry(k).or_default();
            s.shown += v.shown;
            s.answered += v.answered;
            s.scores.merge(&v.scores);
        }
        into.answers += other.answers;
        into.texts += other.texts;
        into.invalid += other.invalid;
        into.superseded += other.superseded;
    }
}

/// NPS, CSAT and CES of a set of answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    pub nps: Score,
    pub csat: Score,
    pub ces: Score,
}

impl Scores {
    pub fn new(k: &Kinds) -> Scores {
        Scores {
            nps: Score::new(ScoreKind::Nps, &k.0[0]),
            csat: Score::new(ScoreKind::Csat, &k.0[1]),
            ces: Score::new(ScoreKind::Ces, &k.0[2]),
        }
    }

    /// All answers.
    pub fn n(&self) -> u64 {
        self.nps.n + self.csat.n + self.ces.n
    }
}

/// One stage's feedback.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageFeedback {
    pub key: String,
    pub names: LocalName,
    pub reached: u64,
    pub respondents: u64,
    pub response_rate: Option<f64>,
    /// Negative answers / scored answers.
    pub negative_share: Option<f64>,
    pub texts: u64,
    pub scores: Scores,
}

/// Scores of the answers given through one channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelFeedback {
    /// The channel group ("" when the events carry none).
    pub channel: String,
    pub scores: Scores,
}

/// Scores of one calendar period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodFeedback {
    /// The period's first day, YYYY-MM-DD in the project's time zone.
    pub period: String,
    pub scores: Scores,
}

/// One survey key's answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyFeedback {
    pub survey: String,
    /// Customers shown the survey by the widget.
    pub shown: u64,
    /// Customers who answered.
    pub answered: u64,
    /// answered / shown; none when nobody was shown it (answers from e-mail, files, the API).
    pub response_rate: Option<f64>,
    pub scores: Scores,
}

/// The feedback report (its JSON shape is stable).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedbackReport {
    pub customers: u64,
    /// Scored answers counted (after the rule on repeated answers).
    pub answers: u64,
    pub texts: u64,
    pub invalid: u64,
    pub superseded: u64,
    pub overall: Scores,
    pub stages: Vec<StageFeedback>,
    pub before_first_stage: Scores,
    pub channels: Vec<ChannelFeedback>,
    pub trend: Vec<PeriodFeedback>,
    pub surveys: Vec<SurveyFeedback>,
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

impl FeedbackFold {
    /// Turns the merged partial result into the report.
    pub fn report(&self, acc: &FeedbackAcc) -> FeedbackReport {
        let defs = &self.spec.definition.stages;
        let stages = defs
            .iter()
            .zip(&acc.stages)
            .map(|(d, a)| StageFeedback {
                key: d.key.clone(),
                names: d.name.clone(),
                reached: a.reached,
                respondents: a.respondents,
                response_rate: ratio(a.respondents, a.reached),
                negative_share: ratio(a.negative, a.scores.0.iter().map(Hist::n).sum()),
                texts: a.texts,
                scores: Scores::new(&a.scores),
            })
            .collect();
        let dict = self.reader.dicts.get(DictCol::Channel);
        let mut channels: Vec<ChannelFeedback> = acc
            .channels
            .iter()
            .map(|(&c, k)| ChannelFeedback { channel: dict.value(c).to_string(), scores: Scores::new(k) })
            .collect();
        channels.sort_by(|a, b| b.scores.n().cmp(&a.scores.n()).then_with(|| a.channel.cmp(&b.channel)));
        FeedbackReport {
            customers: acc.customers,
            answers: acc.answers,
            texts: acc.texts,
            invalid: acc.invalid,
            superseded: acc.superseded,
            overall: Scores::new(&acc.overall),
            stages,
            before_first_stage: Scores::new(&acc.stages.last().map(|s| s.scores).unwrap_or_default()),
            channels,
            trend: acc
                .periods
                .iter()
                .map(|(&d, k)| PeriodFeedback { period: format_day(d), scores: Scores::new(k) })
                .collect(),
            surveys: acc
                .surveys
                .iter()
                .map(|(key, s)| SurveyFeedback {
                    survey: key.clone(),
                    shown: s.shown,
                    answered: s.answered,
                    response_rate: ratio(s.answered, s.shown),
                    scores: Scores::new(&s.scores),
                })
                .collect(),
        }
    }
}

/// One feedback text or answer for the feedback page.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackRow {
    pub customer: ActorId,
    pub answer: Answer,
    /// The channel group code of the event.
    pub channel: u32,
}

/// Collects the latest `limit` feedback events (newest first) with their stage at the time; the list the
/// feedback page shows. Filters: answers in `[from, to)`, and optionally only those with a score kind, a stage.
pub struct FeedbackListFold {
    pub spec: FeedbackSpec,
    pub reader: AnswerReader,
    pub limit: usize,
    /// Keep only answers given at this stage (index); `Some(None)`: before the first stage.
    pub stage: Option<Option<usize>>,
    /// Keep only scored answers of this scale.
    pub kind: Option<ScoreKind>,
    /// Keep only negative (true) answers.
    pub negative_only: bool,
}

impl FeedbackListFold {
    fn keep(&self, a: &Answer) -> bool {
        self.spec.from.is_none_or(|f| a.ts >= f)
            && self.spec.to.is_none_or(|u| a.ts < u)
            && self.stage.is_none_or(|s| s == a.stage)
            && self.kind.is_none_or(|k| a.score.is_some_and(|(x, _)| x == k))
            && (!self.negative_only || a.score.is_some_and(|(k, s)| k.negative(s)))
    }
}

pub fn newest_first(v: &mut Vec<FeedbackRow>, limit: usize) {
    v.sort_by(|a, b| b.answer.ts.cmp(&a.answer.ts).then_with(|| a.customer.cmp(&b.customer)));
    v.truncate(limit);
}

impl JourneyFold for FeedbackListFold {
    type Acc = Vec<FeedbackRow>;

    fn init(&self) -> Self::Acc {
        Vec::new()
    }

    fn fold(&self, acc: &mut Self::Acc, j: &Journey<'_>) {
        let j = j.slice(0..j.ts.partition_point(|&t| t <= self.spec.now));
        let (_, answers) = self.reader.read(&j);
        let chan = j.codes(DictCol::Channel);
        for a in answers.into_iter().filter(|a| self.keep(a)) {
            acc.push(FeedbackRow { customer: j.customer, channel: chan.get(a.index).copied().unwrap_or(0), answer: a });
        }
        if acc.len() > 2 * self.limit.max(16) {
            newest_first(acc, self.limit);
        }
    }

    fn merge(&self, into: &mut Self::Acc, other: Self::Acc) {
        into.extend(other);
        newest_first(into, self.limit);
    }
}

#[cfg(test)]
mod tests;
