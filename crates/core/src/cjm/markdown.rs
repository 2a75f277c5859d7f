//! A map as Markdown: the title and description, then one table with a column per stage and a row per lane —
//! written cells as text, emotions as a score with a face, data lanes from the report (with the change against
//! the previous period when given). For wikis, tickets and git.

use super::{JourneyMap, Lane, LaneKind};
use crate::analysis::lanes::{LanesReport, StageLanes};

fn cell_text(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "<br>")
}

/// `12 345` (ru) or `12,345` (en).
pub fn int(n: u64, lang: &str) -> String {
    let digits = n.to_string();
    let sep = if lang == "ru" { "\u{202f}" } else { "," };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// `45,6 %` (ru) or `45.6%` (en).
pub fn percent(x: f64, lang: &str) -> String {
    let v = format!("{:.1}", x * 100.0);
    if lang == "ru" {
        format!("{}\u{a0}%", v.replace('.', ","))
    } else {
        format!("{v}%")
    }
}

/// `3 d 4 h`, `12 min`, `40 s` (Russian units in Russian).
pub fn duration(seconds: f64, lang: &str) -> String {
    let (s_, m_, h_, d_) = if lang == "ru" { ("с", "мин", "ч", "д") } else { ("s", "min", "h", "d") };
    let s = seconds.max(0.0).round() as u64;
    match s {
        0..=59 => format!("{s} {s_}"),
        60..=3599 => format!("{} {m_}", s / 60),
        3600..=86_399 => format!("{} {h_}", s / 3600),
        _ if s % 86_400 / 3600 == 0 => format!("{} {d_}", s / 86_400),
        _ => format!("{} {d_} {} {h_}", s / 86_400, s % 86_400 / 3600),
    }
}

/// An emotion score as text: `+2 😀`.
pub fn emotion(score: i8) -> String {
    let face = match score {
        2 => "😀",
        1 => "🙂",
        0 => "😐",
        -1 => "🙁",
        _ => "😣",
    };
    format!("{score:+} {face}")
}

/// Direction of a change against the previous period: ▲ up, ▼ down, ▶ the same (within 0.5 %).
pub fn trend(now: f64, before: f64) -> &'static str {
    if before == 0.0 && now == 0.0 {
        return "▶";
    }
    let rel = if before == 0.0 { 1.0 } else { (now - before) / before.abs() };
    if rel > 0.005 {
        "▲"
    } else if rel < -0.005 {
        "▼"
    } else {
        "▶"
    }
}

/// The value of a data lane in one stage as text (`None`: no value), with its numeric value for trends.
pub fn data_value(kind: LaneKind, s: &StageLanes, lang: &str) -> Option<(String, f64)> {
    let counts = |v: &[crate::analysis::lanes::Count]| {
        v.iter().map(|c| format!("{} ({})", c.value, int(c.customers, lang))).collect::<Vec<_>>().join(", ")
    };
    match kind {
        LaneKind::Reached => Some((int(s.reached, lang), s.reached as f64)),
        LaneKind::Conversion => s.conversion_from_previous.map(|c| (percent(c, lang), c)),
        LaneKind::Dropoff => {
            s.drop_share.map(|d| (format!("{} ({})", percent(d, lang), int(s.dropped.unwrap_or(0), lang)), d))
        }
        LaneKind::TimeInStage => s.median_seconds_in_stage.map(|m| {
            let p90 = s.p90_seconds_in_stage.map(|p| format!(" · {}", duration(p, lang))).unwrap_or_default();
            (format!("{}{p90}", duration(m, lang)), m)
        }),
        LaneKind::TopTouchpoints => (!s.touchpoints.is_empty()).then(|| (counts(&s.touchpoints), 0.0)),
        LaneKind::TopChannels => (!s.channels.is_empty()).then(|| (counts(&s.channels), 0.0)),
        LaneKind::Revenue => Some((int(s.revenue.max(0.0).round() as u64, lang), s.revenue)),
        LaneKind::Problems => {
            s.problem_share.map(|p| (format!("{} ({})", percent(p, lang), int(s.problem_customers, lang)), p))
        }
        _ => None,
    }
}

fn lane_cell(
    map: &JourneyMap,
    lane: &Lane,
    stage: usize,
    data: Option<&LanesReport>,
    prev: Option<&LanesReport>,
) -> String {
    let key = &map.stages[stage].key;
    if lane.kind == LaneKind::Emotions {
        return lane.scores.get(key).map(|s| emotion(*s)).unwrap_or_default();
    }
    if !lane.kind.is_data() {
        return lane.cells.get(key).map(|t| cell_text(t)).unwrap_or_default();
    }
    let find = |r: Option<&LanesReport>| r.and_then(|r| r.stages.iter().find(|s| &s.key == key).cloned());
    let Some(now) = find(data) else { return String::new() };
    let Some((text, v)) = data_value(lane.kind, &now, &map.lang) else { return "—".into() };
    let arrow = find(prev)
        .and_then(|p| data_value(lane.kind, &p, &map.lang))
        .filter(|_| !matches!(lane.kind, LaneKind::TopTouchpoints | LaneKind::TopChannels))
        .map(|(_, before)| format!(" {}", trend(v, before)))
        .unwrap_or_default();
    format!("{}{arrow}", cell_text(&text))
}

/// The map as Markdown; `data` fills the data lanes, `prev` (the previous period) adds trend arrows.
pub fn to_markdown(map: &JourneyMap, data: Option<&LanesReport>, prev: Option<&LanesReport>) -> String {
    let mut out = format!("# {}\n\n", map.title);
    if !map.description.is_empty() {
        out.push_str(&format!("{}\n\n", map.description));
    }
    if let Some(d) = data {
        let label = if map.lang == "ru" { "Клиентов в данных" } else { "Customers in the data" };
        out.push_str(&format!("{label}: {}\n\n", int(d.customers, &map.lang)));
    }
    let head = if map.lang == "ru" { "Этап" } else { "Stage" };
    out.push_str(&format!("| {head} |"));
    for s in &map.stages {
        out.push_str(&format!(" {} |", cell_text(&s.name)));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(map.stages.len()));
    out.push('\n');
    for lane in &map.lanes {
        out.push_str(&format!("| **{}** |", cell_text(&lane.title)));
        for i in 0..map.stages.len() {
            out.push_str(&format!(" {} |", lane_cell(map, lane, i, data, prev)));
        }
        out.push('\n');
    }
    if !map.problems.is_empty() {
        let label = if map.lang == "ru" { "Проблемные события" } else { "Problem events" };
        out.push_str(&format!(
            "\n{label}: {}\n",
            map.problems.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    out
}
