//! Line trends: one line per series over labelled periods (conversion by week, retention curves), y axis with
//! nice ticks and gridlines, a legend, points with their values as tooltips. Missing values break the line.

use crate::format::{Locale, ValueFormat};
use crate::palette;
use crate::svg::{fit, n, ticks, Anchor, Svg};

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    pub title: String,
    pub x_labels: Vec<String>,
    pub series: Vec<Series>,
    pub format: ValueFormat,
}

pub fn line(chart: &LineChart, loc: Locale) -> String {
    let (w, h) = (760.0, 340.0);
    let mut s = Svg::new(w, h, &chart.title);
    let values = chart.series.iter().flat_map(|se| se.values.iter().flatten().copied());
    let max = values.fold(f64::NEG_INFINITY, f64::max);
    if chart.x_labels.is_empty() || !max.is_finite() {
        s.empty(w, h, loc.no_data());
        return s.finish();
    }
    let items: Vec<(&str, &str)> =
        chart.series.iter().enumerate().map(|(i, se)| (se.name.as_str(), palette::series(i))).collect();
    if items.len() > 1 {
        s.legend(16.0, 48.0, &items, w - 32.0);
    }
    let (left, right, top, bottom) = (64.0, w - 44.0, 68.0, h - 44.0);
    let ts = ticks(if chart.format == ValueFormat::Percent { max.clamp(0.05, 1.0) } else { max }, 5);
    let y_max = *ts.last().unwrap_or(&1.0);
    let y = |v: f64| bottom - (bottom - top) * (v / y_max);
    for t in &ts {
        s.line(left, y(*t), right, y(*t), palette::GRID, 1.0);
        s.text(left - 6.0, y(*t) + 4.0, &loc.value(*t, chart.format), 11.0, Anchor::End, palette::MUTED, "400");
    }
    let k = chart.x_labels.len();
    let step = if k > 1 { (right - left) / (k - 1) as f64 } else { 0.0 };
    let x = |i: usize| if k > 1 { left + step * i as f64 } else { (left + right) / 2.0 };
    let every = ((k as f64 * 70.0) / (right - left)).ceil().max(1.0) as usize;
    for (i, label) in chart.x_labels.iter().enumerate() {
        if i % every == 0 {
            s.text(
                x(i),
                bottom + 18.0,
                &fit(label, 11.0, 70.0 * every as f64 - 6.0),
                11.0,
                Anchor::Middle,
                palette::MUTED,
                "400",
            );
        }
    }
    for (si, se) in chart.series.iter().enumerate() {
        let colour = palette::series(si);
        let mut d = String::new();
        let mut pen_down = false;
        for (i, v) in se.values.iter().enumerate().take(k) {
            match v {
                Some(v) => {
                    d.push_str(&format!("{}{} {} ", if pen_down { "L" } else { "M" }, n(x(i)), n(y(*v))));
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !d.is_empty() {
            s.path(d.trim_end(), "none", colour, "stroke-width=\"2\" stroke-linejoin=\"round\"", None);
        }
        for (i, v) in se.values.iter().enumerate().take(k) {
            if let Some(v) = v {
                let tip = format!("{} · {}: {}", se.name, chart.x_labels[i], loc.value(*v, chart.format));
                s.circle(x(i), y(*v), 3.0, colour, &tip);
            }
        }
    }
    s.line(left, bottom, right, bottom, palette::MUTED, 1.0);
    s.finish()
}
