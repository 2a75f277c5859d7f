//! Horizontal bars with their values written at the end: stage distribution, "share of customers who met a
//! problem at each stage", top channels. The highlighted bar (e.g. the worst stage) is drawn in the
//! alert colour.

use crate::format::{Locale, ValueFormat};
use crate::palette;
use crate::svg::{fit, width, Anchor, Svg};

#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    pub title: String,
    pub bars: Vec<(String, f64)>,
    pub format: ValueFormat,
    /// A bar to draw in the alert colour.
    pub highlight: Option<usize>,
}

pub fn bars(chart: &BarChart, loc: Locale) -> String {
    let row = 30.0;
    let w = 720.0;
    let h = 56.0 + row * chart.bars.len().max(1) as f64 + 16.0;
    let mut s = Svg::new(w, h, &chart.title);
    let max = chart.bars.iter().map(|b| b.1).fold(0.0, f64::max);
    if chart.bars.is_empty() || max <= 0.0 {
        s.empty(w, h, loc.no_data());
        return s.finish();
    }
    let label_w = chart.bars.iter().map(|b| width(&b.0, 12.0)).fold(0.0, f64::max).clamp(60.0, 220.0);
    let x0 = 16.0 + label_w + 10.0;
    let value_w = 90.0;
    let span = w - x0 - value_w - 16.0;
    let scale = match chart.format {
        ValueFormat::Percent => 1.0f64.max(max),
        ValueFormat::Count => max,
    };
    for (i, (label, v)) in chart.bars.iter().enumerate() {
        let y = 50.0 + row * i as f64;
        let bw = span * (v / scale).max(0.0);
        let colour = if chart.highlight == Some(i) { palette::ALERT } else { palette::series(0) };
        let value = loc.value(*v, chart.format);
        s.text(x0 - 10.0, y + 15.0, &fit(label, 12.0, label_w), 12.0, Anchor::End, palette::TEXT, "400");
        s.rect(x0, y + 4.0, span, 16.0, palette::GHOST, None);
        s.rect(x0, y + 4.0, bw, 16.0, colour, Some(&format!("{label}: {value}")));
        s.text(x0 + bw + 6.0, y + 16.0, &value, 12.0, Anchor::Start, palette::TEXT, "600");
    }
    s.finish()
}
