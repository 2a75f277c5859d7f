//! A Customer Journey Map as one landscape SVG: the stages as arrow-shaped column heads, then a band per lane —
//! written lanes as wrapped text, the emotion lane as a curve from −2 to +2 with coloured points (green above
//! zero, orange below), data lanes as numbers with a trend arrow (▲ ▼ ▶) coloured by whether the change is good
//! — and a footer line. Sized for A3/A4 landscape: 1,600 px wide whatever the number of stages; texts are
//! wrapped to their cell and cut with "…" after six lines.

use crate::palette;
use crate::svg::{esc, fit, width, Anchor, Svg};

/// What a lane draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Text,
    Emotion,
    Data,
}

/// A change against the previous period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    Up,
    Down,
    Flat,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapCell {
    pub text: String,
    /// Emotion lanes: −2…+2.
    pub score: Option<i8>,
    pub trend: Option<Trend>,
    /// Whether the trend is good news (colours the arrow); None: neutral.
    pub good: Option<bool>,
    /// Drawn in the alert colour (a data suggestion's cell, the worst stage).
    pub alert: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapRow {
    pub title: String,
    pub kind: RowKind,
    pub cells: Vec<MapCell>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapChart {
    pub title: String,
    /// A line under the title: persona, period, customers.
    pub subtitle: String,
    pub stages: Vec<String>,
    pub rows: Vec<MapRow>,
    /// A line at the bottom: the source of the data, the date.
    pub footer: String,
    /// Lines of the card of the persona the map is read for, under the subtitle (empty: none).
    pub card: Vec<String>,
}

const WIDTH: f64 = 1600.0;
const LABEL_W: f64 = 190.0;
const PAD: f64 = 16.0;
const FONT: f64 = 11.5;
const LINE: f64 = 15.0;
const MAX_LINES: usize = 6;

/// Greedy word wrap to `max` px at `size`, at most `lines` lines (the last cut with "…").
pub fn wrap(text: &str, size: f64, max: f64, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for para in text.split('\n') {
        let mut cur = String::new();
        for word in para.split_whitespace() {
            let candidate = if cur.is_empty() { word.to_string() } else { format!("{cur} {word}") };
            if width(&candidate, size) <= max || cur.is_empty() {
                cur = candidate;
            } else {
                out.push(std::mem::take(&mut cur));
                cur = word.to_string();
            }
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    if out.len() > lines {
        out.truncate(lines);
        if let Some(last) = out.last_mut() {
            *last = fit(&format!("{last} …"), size, max);
            if !last.ends_with('…') {
                last.push('…');
            }
        }
    }
    out.into_iter().map(|l| fit(&l, size, max)).collect()
}

fn row_height(row: &MapRow, col_w: f64) -> f64 {
    match row.kind {
        RowKind::Emotion => 96.0,
        RowKind::Data | RowKind::Text => {
            let lines = row
                .cells
                .iter()
                .map(|c| wrap(&c.text, FONT, col_w - 16.0, MAX_LINES).len())
                .chain(std::iter::once(wrap(&row.title, FONT, LABEL_W - 34.0, 3).len()))
                .max()
                .unwrap_or(1)
                .max(1);
            lines as f64 * LINE + 16.0
        }
    }
}

const GOOD: &str = "#009E73";

pub fn map(chart: &MapChart) -> String {
    let n = chart.stages.len().max(1);
    let col_w = (WIDTH - LABEL_W - 2.0 * PAD) / n as f64;
    let head_y = 66.0 + chart.card.len() as f64 * LINE;
    let head_h = 44.0;
    let heights: Vec<f64> = chart.rows.iter().map(|r| row_height(r, col_w)).collect();
    let body_h: f64 = heights.iter().sum();
    let h = head_y + head_h + 8.0 + body_h + 40.0;
    let mut s = Svg::new(WIDTH, h, &chart.title);
    s.text(PAD, 46.0, &fit(&chart.subtitle, 12.0, WIDTH - 2.0 * PAD), 12.0, Anchor::Start, palette::MUTED, "400");
    for (k, line) in chart.card.iter().enumerate() {
        let weight = if k == 0 { "600" } else { "400" };
        let y = 46.0 + LINE * (k + 1) as f64;
        s.text(PAD, y, &fit(line, FONT, WIDTH - 2.0 * PAD), FONT, Anchor::Start, palette::TEXT, weight);
    }
    let x0 = PAD + LABEL_W;
    // stage heads: chevrons in alternating shades
    for (i, name) in chart.stages.iter().enumerate() {
        let x = x0 + col_w * i as f64;
        let tip = 12.0;
        let fill = if i % 2 == 0 { "#0072B2" } else { "#2b86c5" };
        let d = format!(
            "M{},{} L{},{} L{},{} L{},{} L{},{} L{},{} Z",
            x + 1.0,
            head_y,
            x + col_w - tip,
            head_y,
            x + col_w,
            head_y + head_h / 2.0,
            x + col_w - tip,
            head_y + head_h,
            x + 1.0,
            head_y + head_h,
            x + 1.0 + if i == 0 { 0.0 } else { tip },
            head_y + head_h / 2.0
        );
        s.path(&d, fill, "none", "", Some(name));
        let lines = wrap(name, 12.5, col_w - 2.0 * tip - 8.0, 2);
        let top = head_y + head_h / 2.0 - (lines.len() as f64 - 1.0) * 7.5 + 4.5;
        for (k, l) in lines.iter().enumerate() {
            s.text(x + col_w / 2.0, top + 15.0 * k as f64, l, 12.5, Anchor::Middle, "#ffffff", "600");
        }
    }
    let mut y = head_y + head_h + 8.0;
    for (r, row) in chart.rows.iter().enumerate() {
        let rh = heights[r];
        let band = if r % 2 == 0 { "#f6f8fa" } else { "#ffffff" };
        s.rect(PAD, y, WIDTH - 2.0 * PAD, rh, band, None);
        let label_fill = if row.kind == RowKind::Data { "#0b5c8e" } else { palette::TEXT };
        for (k, l) in wrap(&row.title, FONT, LABEL_W - 34.0, 3).iter().enumerate() {
            s.text(PAD + 8.0, y + 19.0 + LINE * k as f64, l, FONT, Anchor::Start, label_fill, "600");
        }
        match row.kind {
            RowKind::Emotion => emotion_row(&mut s, row, x0, y, col_w, rh),
            RowKind::Text | RowKind::Data => {
                for (i, c) in row.cells.iter().enumerate().take(n) {
                    let x = x0 + col_w * i as f64;
                    let mut lines =
                        wrap(&c.text, FONT, col_w - 16.0 - if c.trend.is_some() { 14.0 } else { 0.0 }, MAX_LINES);
                    let ink = if c.alert { palette::ALERT } else { palette::TEXT };
                    let weight = if row.kind == RowKind::Data { "600" } else { "400" };
                    if lines.is_empty() && row.kind == RowKind::Data {
                        lines.push("—".into());
                    }
                    for (k, l) in lines.iter().enumerate() {
                        s.text(x + 8.0, y + 19.0 + LINE * k as f64, l, FONT, Anchor::Start, ink, weight);
                    }
                    if let (Some(t), Some(first)) = (c.trend, lines.first()) {
                        let (glyph, colour) = match (t, c.good) {
                            (Trend::Flat, _) => ("▶", palette::MUTED),
                            (Trend::Up, Some(true)) | (Trend::Down, Some(true)) => {
                                (if t == Trend::Up { "▲" } else { "▼" }, GOOD)
                            }
                            (Trend::Up, Some(false)) | (Trend::Down, Some(false)) => {
                                (if t == Trend::Up { "▲" } else { "▼" }, palette::ALERT)
                            }
                            (Trend::Up, None) => ("▲", palette::MUTED),
                            (Trend::Down, None) => ("▼", palette::MUTED),
                        };
                        let tx = x + 8.0 + width(first, FONT) * 1.12 + 6.0;
                        s.text(tx, y + 19.0, glyph, 10.0, Anchor::Start, colour, "400");
                    }
                }
            }
        }
        // column rules
        for i in 0..=n {
            let x = x0 + col_w * i as f64;
            s.line(x, y, x, y + rh, palette::GRID, 1.0);
        }
        y += rh;
    }
    s.line(PAD, y, WIDTH - PAD, y, palette::GRID, 1.0);
    s.text(PAD, y + 24.0, &fit(&chart.footer, 10.5, WIDTH - 2.0 * PAD), 10.5, Anchor::Start, palette::MUTED, "400");
    s.finish()
}

fn emotion_row(s: &mut Svg, row: &MapRow, x0: f64, y: f64, col_w: f64, rh: f64) {
    let top = y + 14.0;
    let bottom = y + rh - 14.0;
    let mid = (top + bottom) / 2.0;
    let ys = |score: i8| mid - (bottom - top) / 4.0 * f64::from(score);
    s.line(x0, mid, x0 + col_w * row.cells.len() as f64, mid, palette::GRID, 1.0);
    let points: Vec<(f64, f64, i8)> = row
        .cells
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.score.map(|v| (x0 + col_w * (i as f64 + 0.5), ys(v.clamp(-2, 2)), v)))
        .collect();
    if points.len() > 1 {
        let d: String = points
            .iter()
            .enumerate()
            .map(|(k, (x, y, _))| format!("{}{x:.1},{y:.1}", if k == 0 { "M" } else { " L" }))
            .collect();
        s.path(&d, "none", "#0072B2", "stroke-width=\"2.5\" stroke-linejoin=\"round\"", None);
    }
    for (x, y, v) in &points {
        let fill = match v {
            1..=2 => GOOD,
            0 => palette::MUTED,
            _ => palette::ALERT,
        };
        s.circle(*x, *y, 7.0, fill, &format!("{v:+}"));
        s.text(*x + 11.0, *y + 4.0, &format!("{v:+}"), 10.5, Anchor::Start, fill, "600");
    }
    let _ = esc;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_fits_and_cuts() {
        let lines = wrap("Более 70 % бросают корзину при оформлении заказа, это главная потеря", 11.5, 120.0, 3);
        assert!(lines.len() <= 3);
        assert!(lines.iter().all(|l| width(l, 11.5) <= 120.0 + 1e-9), "{lines:?}");
        assert!(lines.last().unwrap().ends_with('…'));
        assert_eq!(wrap("", 11.5, 100.0, 3), Vec::<String>::new());
        assert_eq!(wrap("a\nb", 11.5, 100.0, 3), ["a", "b"]);
    }
}
