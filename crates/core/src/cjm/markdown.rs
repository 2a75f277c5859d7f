//! A map as Markdown: the title and description, then one table with a column per stage and a row per lane —
//! written cells as text, emotions as a score with a face, data lanes from the report (with the change against
//! the previous period when given). For wikis, tickets and git.
//!
//! Everything written by people or taken from events (titles, cards, stage and lane names, touchpoints) is text,
//! never markup: `&`, `<`, `>` become entities, and `\\`, `` ` ``, `[`, `]`, `|` are escaped, so a card holding
//! `<script>` or `![x](http://…)` shows as written wherever the Markdown is rendered. Line breaks inside a table
//! cell are the one piece of HTML written (`<br>`).

use super::{JourneyMap, Lane, LaneKind};
use crate::analysis::lanes::{LanesReport, StageLanes};

/// Text as Markdown that shows it as written (inline: no block syntax can start, as lines are joined by the
/// caller).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '[' | ']' | '|' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Text in a table cell: escaped, line breaks as `<br>`.
fn cell_text(s: &str) -> String {
    s.lines().map(text).collect::<Vec<_>>().join("<br>")
}

/// An event name as inline code, with a fence longer than any run of backticks inside.
fn code(s: &str) -> String {
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{s}{pad}{fence}")
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
        LaneKind::CostPerCustomer => s.cost_per_customer.map(|c| {
            let spend = int(s.spend.unwrap_or(0.0).max(0.0).round() as u64, lang);
            let who = if lang == "ru" { "клиентов" } else { "customers" };
            (format!("{} ({spend} / {} {who})", int(c.max(0.0).round() as u64, lang), int(s.reached, lang)), c)
        }),
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
    let mut out = format!("# {}\n\n", map.title.lines().map(text).collect::<Vec<_>>().join(" "));
    if !map.description.trim().is_empty() {
        out.push_str(&format!("{}\n\n", map.description.lines().map(text).collect::<Vec<_>>().join("  \n")));
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
        out.push_str(&format!("\n{label}: {}\n", map.problems.iter().map(|p| code(p)).collect::<Vec<_>>().join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cjm::template;

    #[test]
    fn people_s_text_shows_as_written_never_as_markup() {
        let check = |input: &str, want: &str| assert_eq!(cell_text(input), want, "{input}");
        check("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
        check("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;");
        check("&lt; & &amp;", "&amp;lt; &amp; &amp;amp;");
        check(
            "![pixel](http://t.example/p.png) [x](javascript:alert(1))",
            "!\\[pixel\\](http://t.example/p.png) \\[x\\](javascript:alert(1))",
        );
        check("a | b\nc\\", "a \\| b<br>c\\\\");
        check("view_item *2*", "view_item *2*");
        assert_eq!(code("purchase"), "`purchase`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");

        let mut m = template::by_key("online_store").unwrap().instantiate("en");
        m.title = "Shop <b>map</b>\n# not a heading".into();
        m.description = "<iframe src=//x.example>\nsecond line".into();
        let lane = m.lanes.iter_mut().find(|l| l.key == "pains").unwrap();
        lane.cells.insert("research".into(), "<script>alert(1)</script>".into());
        m.problems = vec!["bad`event".into()];
        let md = to_markdown(&m, None, None);
        assert!(
            md.starts_with(
                "# Shop &lt;b&gt;map&lt;/b&gt; # not a heading\n\n&lt;iframe src=//x.example&gt;  \nsecond line\n"
            ),
            "{md}"
        );
        assert!(md.contains("| &lt;script&gt;alert(1)&lt;/script&gt; |") && !md.contains("<script"), "{md}");
        assert!(md.contains("``bad`event``"), "{md}");
    }
}
