//! Journey maps filled from data (the web app's map pages and `tropa map` share this): the data lanes
//! of a map for its period — and for the previous period of the same length, for the trend arrows — within the
//! map's segment and, when chosen, a persona's; the map drawn as a `tropa_render::MapChart`; exports (SVG, PNG,
//! PDF, Markdown, JSON, YAML); and suggestions of pain points and opportunities from the data, each citing
//! its number.
//!
//! Periods: a map with `period.since`/`until` reads the events in `[since, until)` (until: the data's end) and
//! compares with the same length just before; a map without a period reads all data up to the last event and
//! compares with the data as it stood 30 days earlier.

pub mod feedback;
pub mod saved;
pub mod versions;

pub use saved::{create_from_template, create_with_stages, load, persona, Author};

use tropa_core::analysis::lanes::{LanesReport, LanesSpec};
use tropa_core::analysis::scope::ScopeSpec;
use tropa_core::calendar::Calendar;
use tropa_core::cjm::markdown::{self, data_value};
use tropa_core::cjm::{JourneyMap, LaneKind, Segment};
use tropa_core::lang::Lang;
use tropa_core::time::format_day;
use tropa_engine::{report, Engine, EngineError};
use tropa_render::{MapCell, MapChart, MapRow, RowKind, Trend};

const DAY_MS: i64 = 86_400_000;
/// Touchpoints and channels shown per stage.
const TOP: usize = 3;

/// A map's data: the lanes now and in the previous period.
#[derive(Debug, Clone)]
pub struct MapData {
    pub current: LanesReport,
    pub previous: Option<LanesReport>,
    /// The period read, epoch ms: `[since, until)`, from and to local midnights of the project's time zone.
    pub since: Option<i64>,
    pub until: i64,
    /// The project's calendar the period's days are read in.
    pub calendar: Calendar,
    /// The answers of the period (scores by the stage at the time of the answer): the feedback lane, the computed
    /// emotion, suggestions ([`feedback`]).
    pub feedback: Option<tropa_core::analysis::feedback::FeedbackReport>,
    /// Per stage key, the emotion of the texts written there from their sentiment ([`feedback::text_emotion`]).
    pub text_emotion: Vec<(String, feedback::DataEmotion)>,
}

fn invalid(field: &str, reason: String) -> EngineError {
    EngineError::Invalid { field: field.into(), reason }
}

fn lanes_for(
    engine: &dyn Engine,
    map: &JourneyMap,
    segment: &Segment,
    since: Option<i64>,
    until: i64,
) -> Result<LanesReport, EngineError> {
    let definition = map.definition().map_err(|e| invalid("stages", e.to_string()))?;
    let problems = map.problem_matchers().map_err(|e| invalid("problems", e.to_string()))?;
    let scope = segment.scope("segment").map_err(|v| invalid(&v[0].field, v[0].reason.clone()))?;
    let scope = ScopeSpec { since, until: Some(until), ..scope };
    let spec = LanesSpec { definition, now: until - 1, problems, top: TOP };
    report::lanes(engine, spec, scope, vec![])
}

fn feedback_for(
    engine: &dyn Engine,
    map: &JourneyMap,
    segment: &Segment,
    (since, until): (Option<i64>, i64),
    calendar: Calendar,
) -> Result<tropa_core::analysis::feedback::FeedbackReport, EngineError> {
    use tropa_core::analysis::feedback::FeedbackSpec;
    let definition = map.definition().map_err(|e| invalid("stages", e.to_string()))?;
    let scope = segment.scope("segment").map_err(|v| invalid(&v[0].field, v[0].reason.clone()))?;
    let period = tropa_core::analysis::period::Period::Week;
    let spec = FeedbackSpec { definition, now: until - 1, from: since, to: Some(until), period, calendar };
    report::feedback(engine, spec, scope, vec![])
}

/// The emotion of the period's texts per stage at the time they were written (the latest 5,000 texts).
fn text_emotions_for(
    engine: &dyn Engine,
    map: &JourneyMap,
    segment: &Segment,
    (since, until): (Option<i64>, i64),
    calendar: Calendar,
) -> Result<Vec<(String, feedback::DataEmotion)>, EngineError> {
    use tropa_core::analysis::feedback::FeedbackSpec;
    let definition = map.definition().map_err(|e| invalid("stages", e.to_string()))?;
    let scope = segment.scope("segment").map_err(|v| invalid(&v[0].field, v[0].reason.clone()))?;
    let period = tropa_core::analysis::period::Period::Week;
    let feedback = FeedbackSpec { definition, now: until - 1, from: since, to: Some(until), period, calendar };
    let spec = report::FeedbackListSpec { feedback, limit: 5000, stage: None, kind: None, negative_only: false };
    let mut by_stage: Vec<(String, Vec<f64>)> = Vec::new();
    for i in report::feedback_list(engine, spec, scope, vec![])? {
        let (Some(stage), text) = (i.stage, i.text.trim()) else { continue };
        if text.is_empty() {
            continue;
        }
        let score = tropa_text::sentiment(text).score;
        match by_stage.iter_mut().find(|(k, _)| *k == stage) {
            Some((_, v)) => v.push(score),
            None => by_stage.push((stage, vec![score])),
        }
    }
    Ok(by_stage.into_iter().filter_map(|(k, v)| Some((k, feedback::text_emotion(&v)?))).collect())
}

/// The map's data lanes within its segment (and `persona`'s, when given).
/// The period's dates are days of `calendar` (the project's time zone).
pub fn data(
    engine: &dyn Engine,
    map: &JourneyMap,
    persona: Option<&Segment>,
    calendar: Calendar,
) -> Result<Option<MapData>, EngineError> {
    let Some(last) = engine.time_bounds()?.1 else { return Ok(None) };
    let (since, until) = map.period_ms(calendar).map_err(|e| invalid("period", e.to_string()))?;
    let until = until.unwrap_or(last + 1);
    let segment = match persona {
        Some(p) => map.segment.and(p),
        None => map.segment.clone(),
    };
    let current = lanes_for(engine, map, &segment, since, until)?;
    let (prev_since, prev_until) = match since {
        Some(s) => (Some(s - (until - s)), s),
        None => (None, until - 30 * DAY_MS),
    };
    let first = engine.time_bounds()?.0.unwrap_or(until);
    let previous =
        if prev_until > first { Some(lanes_for(engine, map, &segment, prev_since, prev_until)?) } else { None };
    let feedback = Some(feedback_for(engine, map, &segment, (since, until), calendar)?);
    let text_emotion = text_emotions_for(engine, map, &segment, (since, until), calendar)?;
    Ok(Some(MapData { current, previous, since, until, calendar, feedback, text_emotion }))
}

/// The spend lane ("cost per customer reaching the stage"): the project's ad spend of the map's period (and of
/// the previous period, for the trend), matched to channel groups as attribution matches it, applied to the lanes
/// by [`LanesReport::apply_spend`]. Days are the cost rows' dates, read in the map's calendar. Nothing happens
/// when the project has no spend (the lane then reads "—").
pub fn apply_spend(data: &mut MapData, spend: &[tropa_core::analysis::attribution::costs::CostRow]) {
    use tropa_core::analysis::attribution::costs::cost_label;
    use tropa_core::analysis::attribution::TouchField;
    if spend.is_empty() {
        return;
    }
    let cal = data.calendar;
    let day_of = |d: &str| -> Option<i64> {
        let (y, m, dd) = (d.get(..4)?.parse().ok()?, d.get(5..7)?.parse().ok()?, d.get(8..10)?.parse().ok()?);
        Some(tropa_core::analysis::period::days_from_civil(y, m, dd))
    };
    let by_channel = |since: Option<i64>, until: i64| {
        let (from, to) = (since.map(|s| cal.day(s)), cal.day(until - 1));
        let mut out: std::collections::BTreeMap<String, f64> = Default::default();
        for r in spend {
            let Some(day) = day_of(&r.day) else { continue };
            if from.is_some_and(|f| day < f) || day > to {
                continue;
            }
            if let Some(label) = cost_label(r, &TouchField::channel()) {
                *out.entry(label).or_default() += r.cost;
            }
        }
        out.into_iter().collect::<Vec<_>>()
    };
    data.current.apply_spend(&by_channel(data.since, data.until));
    let (prev_since, prev_until) = match data.since {
        Some(s) => (Some(s - (data.until - s)), s),
        None => (None, data.until - 30 * DAY_MS),
    };
    if let Some(p) = data.previous.as_mut() {
        p.apply_spend(&by_channel(prev_since, prev_until));
    }
}

/// Whether a rise of the lane's value is good news (None: neither).
pub fn rise_is_good(kind: LaneKind) -> Option<bool> {
    match kind {
        LaneKind::Reached | LaneKind::Conversion | LaneKind::Revenue => Some(true),
        LaneKind::Dropoff | LaneKind::TimeInStage | LaneKind::Problems | LaneKind::CostPerCustomer => Some(false),
        _ => None,
    }
}

/// One data cell: text, trend and whether the trend is good.
pub fn data_cell(map: &JourneyMap, kind: LaneKind, stage: &str, data: &MapData) -> MapCell {
    data_cell_in(kind, stage, data, &map.lang)
}

/// [`data_cell`] worded and formatted in `lang` (`ru`, `en`): the language of whoever reads it — the web app's
/// reader — rather than the map's own (which its exports keep).
pub fn data_cell_in(kind: LaneKind, stage: &str, data: &MapData, lang: &str) -> MapCell {
    let find = |r: &LanesReport| r.stages.iter().find(|s| s.key == stage).cloned();
    let Some(now) = find(&data.current) else { return MapCell::default() };
    if kind == LaneKind::Feedback {
        let text = match data.feedback.as_ref().and_then(|f| feedback::stage(f, stage)) {
            Some(s) => feedback::lane_text(s, lang),
            None if lang == "ru" => "ответов пока нет".into(),
            None => "no answers yet".into(),
        };
        return MapCell { text, ..MapCell::default() };
    }
    let Some((mut text, v)) = data_value(kind, &now, lang) else {
        return MapCell { text: "—".into(), ..MapCell::default() };
    };
    if kind == LaneKind::TopChannels {
        // channel groups by their names for people
        let reader = if lang == "ru" { Lang::Ru } else { Lang::En };
        text = now
            .channels
            .iter()
            .map(|c| format!("{} ({})", reader.channel(&c.value), markdown::int(c.customers, lang)))
            .collect::<Vec<_>>()
            .join(", ");
    }
    let comparable = !matches!(kind, LaneKind::TopTouchpoints | LaneKind::TopChannels);
    let before = data.previous.as_ref().and_then(find).and_then(|p| data_value(kind, &p, lang)).filter(|_| comparable);
    let trend = before.map(|(_, b)| match markdown::trend(v, b) {
        "▲" => Trend::Up,
        "▼" => Trend::Down,
        _ => Trend::Flat,
    });
    let good = match (trend, rise_is_good(kind)) {
        (Some(Trend::Up), Some(g)) => Some(g),
        (Some(Trend::Down), Some(g)) => Some(!g),
        _ => None,
    };
    MapCell { text, trend, good, ..MapCell::default() }
}

/// The map as chart data for `tropa_render::map`.
pub fn chart(map: &JourneyMap, data: Option<&MapData>, subtitle: &str, footer: &str) -> MapChart {
    let rows = map
        .lanes
        .iter()
        .flat_map(|lane| {
            let (kind, cells) = match lane.kind {
                LaneKind::Emotions => (
                    RowKind::Emotion,
                    map.stages
                        .iter()
                        .map(|s| MapCell { score: lane.scores.get(&s.key).copied(), ..MapCell::default() })
                        .collect(),
                ),
                k if k.is_data() => (
                    RowKind::Data,
                    map.stages.iter().map(|s| data.map(|d| data_cell(map, k, &s.key, d)).unwrap_or_default()).collect(),
                ),
                _ => (
                    RowKind::Text,
                    map.stages
                        .iter()
                        .map(|s| MapCell {
                            text: lane.cells.get(&s.key).cloned().unwrap_or_default(),
                            ..MapCell::default()
                        })
                        .collect(),
                ),
            };
            let mut rows = vec![MapRow { title: lane.title.clone(), kind, cells }];
            if lane.kind == LaneKind::Emotions {
                rows.extend(data.and_then(|d| emotion_row(map, d)));
                rows.extend(data.and_then(|d| text_emotion_row(map, d)));
            }
            rows
        })
        .collect();
    MapChart {
        title: map.title.clone(),
        subtitle: subtitle.into(),
        stages: map.stages.iter().map(|s| s.name.clone()).collect(),
        rows,
        footer: footer.into(),
        card: vec![],
    }
}

/// The emotion computed from the answers per stage (see [`feedback`]), drawn beside the hand-set curve; none
/// without answers.
fn emotion_row(map: &JourneyMap, data: &MapData) -> Option<MapRow> {
    let f = data.feedback.as_ref()?;
    let cells: Vec<MapCell> = map
        .stages
        .iter()
        .map(|s| {
            let e = feedback::stage(f, &s.key).and_then(|st| feedback::emotion(&st.scores));
            MapCell {
                score: e.as_ref().map(|e| e.value.round().clamp(-2.0, 2.0) as i8),
                text: e.map(|e| feedback::emotion_text(&e, &map.lang)).unwrap_or_default(),
                ..MapCell::default()
            }
        })
        .collect();
    if cells.iter().all(|c| c.score.is_none()) {
        return None;
    }
    let title = if map.lang == "ru" {
        "Эмоции по ответам клиентов"
    } else {
        "Emotion from customers' answers"
    };
    Some(MapRow { title: title.into(), kind: RowKind::Emotion, cells })
}

/// The emotion of the customers' texts per stage (see [`feedback::text_emotion`]), drawn beside the others;
/// none without texts.
fn text_emotion_row(map: &JourneyMap, data: &MapData) -> Option<MapRow> {
    if data.text_emotion.is_empty() {
        return None;
    }
    let cells: Vec<MapCell> = map
        .stages
        .iter()
        .map(|s| {
            let e = data.text_emotion.iter().find(|(k, _)| *k == s.key).map(|(_, e)| e);
            MapCell {
                score: e.map(|e| e.value.round().clamp(-2.0, 2.0) as i8),
                text: e.map(|e| feedback::emotion_text(e, &map.lang)).unwrap_or_default(),
                ..MapCell::default()
            }
        })
        .collect();
    if cells.iter().all(|c| c.score.is_none()) {
        return None;
    }
    let title = if map.lang == "ru" {
        "Эмоции по словам клиентов"
    } else {
        "Emotion from customers' words"
    };
    Some(MapRow { title: title.into(), kind: RowKind::Emotion, cells })
}

/// The subtitle line: persona, period, customers.
pub fn subtitle(map: &JourneyMap, persona: Option<&str>, data: Option<&MapData>) -> String {
    let ru = map.lang == "ru";
    let mut parts = Vec::new();
    if let Some(p) = persona {
        parts.push(format!("{}: {p}", if ru { "Персона" } else { "Persona" }));
    }
    if let Some(d) = data {
        let day = |ms: i64| {
            let iso = format_day(d.calendar.day(ms));
            if ru {
                format!("{}.{}.{}", &iso[8..10], &iso[5..7], &iso[..4])
            } else {
                iso
            }
        };
        let from = d.since.map(day).unwrap_or_else(|| (if ru { "начало данных" } else { "start of data" }).into());
        parts.push(format!("{from} — {}", day(d.until - 1)));
        let label = if ru { "клиентов" } else { "customers" };
        parts.push(format!("{label}: {}", markdown::int(d.current.customers, &map.lang)));
    }
    parts.join(" · ")
}

/// The footer line.
pub fn footer(map: &JourneyMap, version: i64, data: Option<&MapData>) -> String {
    let ru = map.lang == "ru";
    let arrows = match data.and_then(|d| d.previous.as_ref()) {
        Some(_) if map.period.since.is_some() => {
            if ru {
                "стрелки — к предыдущему периоду той же длины"
            } else {
                "arrows: against the previous period of the same length"
            }
        }
        Some(_) => {
            if ru {
                "стрелки — к данным 30 дней назад"
            } else {
                "arrows: against the data 30 days earlier"
            }
        }
        None => "",
    };
    let v = if ru { format!("версия {version}") } else { format!("version {version}") };
    ["tropa", &v, arrows].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" · ")
}

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
    Pdf,
    Markdown,
    Json,
    Yaml,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "svg" => Format::Svg,
            "png" => Format::Png,
            "pdf" => Format::Pdf,
            "md" | "markdown" => Format::Markdown,
            "json" => Format::Json,
            "yaml" | "yml" => Format::Yaml,
            _ => return None,
        })
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
            Format::Pdf => "pdf",
            Format::Markdown => "md",
            Format::Json => "json",
            Format::Yaml => "yaml",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Svg => "image/svg+xml",
            Format::Png => "image/png",
            Format::Pdf => "application/pdf",
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Json => "application/json",
            Format::Yaml => "application/yaml",
        }
    }
}

/// The map in `format` (JSON and YAML are the document itself, for git; the others carry the data).
pub fn export(
    map: &JourneyMap,
    data: Option<&MapData>,
    subtitle: &str,
    footer: &str,
    format: Format,
) -> Result<Vec<u8>, String> {
    export_with_card(map, data, (subtitle, footer, &[]), format)
}

/// [`export`] of a map read for a persona: the SVG, PNG and PDF carry `card` (the persona's card, a line each)
/// under the subtitle.
pub fn export_with_card(
    map: &JourneyMap,
    data: Option<&MapData>,
    (subtitle, footer, card): (&str, &str, &[String]),
    format: Format,
) -> Result<Vec<u8>, String> {
    let svg = || {
        let mut c = chart(map, data, subtitle, footer);
        c.card = card.to_vec();
        tropa_render::map(&c)
    };
    Ok(match format {
        Format::Svg => svg().into_bytes(),
        Format::Png => tropa_render::png(&svg(), 1.5).map_err(|e| e.to_string())?,
        Format::Pdf => tropa_render::pdf(&svg()).map_err(|e| e.to_string())?,
        Format::Markdown => {
            markdown::to_markdown(map, data.map(|d| &d.current), data.and_then(|d| d.previous.as_ref())).into_bytes()
        }
        Format::Json => map.to_json().into_bytes(),
        Format::Yaml => map.to_yaml().into_bytes(),
    })
}

/// A pain point or opportunity the data suggests, with the number behind it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Suggestion {
    /// `pains` or `opportunities`.
    pub kind: LaneKind,
    pub stage: String,
    pub text: String,
}

/// Suggestions from the data: the stage with the largest drop-off, the slowest stage, the stage where most
/// customers meet a problem, and the first channel whose customers reach the last stage least often. Worded in
/// the map's language; [`suggestions_for`] words them for a reader.
pub fn suggestions(engine: &dyn Engine, map: &JourneyMap, data: &MapData) -> Result<Vec<Suggestion>, EngineError> {
    let reader = if map.lang == "ru" { Lang::Ru } else { Lang::En };
    suggestions_for(engine, map, data, reader)
}

/// The suggestions worded, numbers written, in the reader's language (what tropa writes follows the interface;
/// the map's own texts, such as its stage names, stay as written).
pub fn suggestions_for(
    engine: &dyn Engine,
    map: &JourneyMap,
    data: &MapData,
    reader: Lang,
) -> Result<Vec<Suggestion>, EngineError> {
    let ru = reader == Lang::Ru;
    let l = &reader.code().to_string();
    let stages = &data.current.stages;
    let mut out = Vec::new();
    let n = stages.len();
    if let Some(s) = stages[..n.saturating_sub(1)]
        .iter()
        .filter(|s| s.reached >= 20)
        .max_by(|a, b| a.drop_share.unwrap_or(0.0).total_cmp(&b.drop_share.unwrap_or(0.0)))
    {
        if let Some(d) = s.drop_share.filter(|d| *d > 0.0) {
            let pct = markdown::percent(d, l);
            let num = markdown::int(s.dropped.unwrap_or(0), l);
            out.push(Suggestion {
                kind: LaneKind::Pains,
                stage: s.key.clone(),
                text: if ru {
                    format!("Самый большой отвал: {pct} ({num}) не идут дальше этого этапа")
                } else {
                    format!("Largest drop-off: {pct} ({num}) do not go further than this stage")
                },
            });
        }
    }
    if let Some(s) = stages
        .iter()
        .filter(|s| s.median_seconds_in_stage.is_some())
        .max_by(|a, b| a.median_seconds_in_stage.unwrap_or(0.0).total_cmp(&b.median_seconds_in_stage.unwrap_or(0.0)))
    {
        let med = markdown::duration(s.median_seconds_in_stage.unwrap_or(0.0), l);
        let p90 = s.p90_seconds_in_stage.map(|p| markdown::duration(p, l)).unwrap_or_default();
        out.push(Suggestion {
            kind: LaneKind::Pains,
            stage: s.key.clone(),
            text: if ru {
                format!("Самый долгий этап: медиана {med}, у 10 % дольше {p90}")
            } else {
                format!("Slowest stage: median {med}, 10% take longer than {p90}")
            },
        });
    }
    if let Some(s) = stages
        .iter()
        .filter(|s| s.reached >= 20)
        .max_by(|a, b| a.problem_share.unwrap_or(0.0).total_cmp(&b.problem_share.unwrap_or(0.0)))
    {
        if let Some(p) = s.problem_share.filter(|p| *p > 0.0) {
            let pct = markdown::percent(p, l);
            let num = markdown::int(s.problem_customers, l);
            out.push(Suggestion {
                kind: LaneKind::Pains,
                stage: s.key.clone(),
                text: if ru {
                    format!("Здесь чаще всего проблемы: {pct} клиентов этапа ({num})")
                } else {
                    format!("Most problems are met here: {pct} of the stage's customers ({num})")
                },
            });
        }
    }
    // the answers: customers lost at the stage × share of negative feedback there
    if let Some(f) = &data.feedback {
        let lost = |key: &str| stages.iter().find(|s| s.key == key).and_then(|s| s.dropped);
        if let Some(p) = feedback::pains(f, &lost).into_iter().next() {
            let (share, lost, answers) =
                (markdown::percent(p.negative_share, l), markdown::int(p.lost, l), markdown::int(p.answers, l));
            out.push(Suggestion {
                kind: LaneKind::Pains,
                stage: p.stage,
                text: if ru {
                    format!("Негативные отзывы и ответы: {share} из {answers} ответов здесь, и {lost} клиентов не пошли дальше")
                } else {
                    format!("Negative feedback: {share} of {answers} answers here, and {lost} customers did not go further")
                },
            });
        }
    }
    // real verbatims for the quotes lane: per stage, the latest text of a negative answer given there
    if data.feedback.is_some() {
        for (stage, quote) in quotes(engine, map, data)? {
            out.push(Suggestion { kind: LaneKind::Thoughts, stage, text: quote });
        }
    }
    // conversion to the last stage by first channel, against everyone's
    if n >= 2 && stages[0].reached > 0 {
        let overall = stages[n - 1].reached as f64 / stages[0].reached as f64;
        // only its channels are read: days do not matter
        let stats = report::stats(
            engine,
            Default::default(),
            ScopeSpec { since: data.since, until: Some(data.until), ..ScopeSpec::default() },
            vec![],
        )?;
        let mut worst: Option<(String, f64, u64)> = None;
        for ch in stats.events_by_channel.iter().take(8).map(|c| c.value.clone()).filter(|c| c != "(none)") {
            let seg = Segment { first_channel: vec![ch.clone()], ..map.segment.clone() };
            let r = lanes_for(engine, map, &seg, data.since, data.until)?;
            let first = r.stages.first().map_or(0, |s| s.reached);
            if first < 50 {
                continue;
            }
            let conv = r.stages.last().map_or(0, |s| s.reached) as f64 / first as f64;
            if worst.as_ref().is_none_or(|w| conv < w.1) {
                worst = Some((ch, conv, first));
            }
        }
        if let Some((ch, conv, first)) = worst.filter(|w| w.1 < overall) {
            let ch = reader.channel(&ch);
            let (a, b) = (markdown::percent(conv, l), markdown::percent(overall, l));
            let last = &map.stages[n - 1].name;
            out.push(Suggestion {
                kind: LaneKind::Opportunities,
                stage: map.stages[0].key.clone(),
                text: if ru {
                    format!("Канал {ch}: до этапа «{last}» доходят {a} против {b} в среднем ({} клиентов) — пересмотреть кампании", markdown::int(first, l))
                } else {
                    format!("Channel {ch}: {a} reach “{last}” against {b} on average ({} customers) — rethink its campaigns", markdown::int(first, l))
                },
            });
        }
    }
    Ok(out)
}

/// Per stage of the map, the latest text of a negative answer given at that stage (the customers' own words, for
/// the quotes lane): `«text» (NPS 3)`.
fn quotes(engine: &dyn Engine, map: &JourneyMap, data: &MapData) -> Result<Vec<(String, String)>, EngineError> {
    use tropa_core::analysis::feedback::FeedbackSpec;
    let definition = map.definition().map_err(|e| invalid("stages", e.to_string()))?;
    let scope = map.segment.scope("segment").map_err(|v| invalid(&v[0].field, v[0].reason.clone()))?;
    let period = tropa_core::analysis::period::Period::Week;
    let feedback = FeedbackSpec {
        definition,
        now: data.until - 1,
        from: data.since,
        to: Some(data.until),
        period,
        calendar: data.calendar,
    };
    let spec = report::FeedbackListSpec { feedback, limit: 500, stage: None, kind: None, negative_only: true };
    let items = report::feedback_list(engine, spec, scope, vec![])?;
    let mut out: Vec<(String, String)> = Vec::new();
    for i in items.into_iter().filter(|i| !i.text.trim().is_empty()) {
        let Some(stage) = i.stage else { continue };
        if out.iter().any(|(s, _)| *s == stage) {
            continue;
        }
        let score = match (i.kind, i.score) {
            (Some(k), Some(v)) => format!(" ({} {v})", k.as_str().to_uppercase()),
            _ => String::new(),
        };
        out.push((stage, format!("«{}»{score}", i.text.trim())));
    }
    Ok(out)
}
