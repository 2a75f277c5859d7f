//! The cohort heatmap: one row per cohort (its size beside it), one column per period, each cell the share that
//! came back, written in the cell and coloured on a single-hue scale; unobserved cells are left blank.

use crate::format::Locale;
use crate::palette;
use crate::svg::{fit, width, Anchor, Svg};

#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    pub title: String,
    pub row_labels: Vec<String>,
    /// Customers in each row (written beside the label).
    pub row_sizes: Vec<u64>,
    pub col_labels: Vec<String>,
    /// Shares 0..1; `None` for a period not observed yet.
    pub cells: Vec<Vec<Option<f64>>>,
}

pub fn heatmap(chart: &Heatmap, loc: Locale) -> String {
    let cols = chart.col_labels.len();
    let rows = chart.row_labels.len();
    // Cells as wide as the longest column label (within limits), rows' labels likewise.
    let cell_w = chart.col_labels.iter().map(|c| width(c, 11.0) + 10.0).fold(58.0, f64::max).min(120.0);
    let cell_h = 24.0;
    let label_w = chart
        .row_labels
        .iter()
        .zip(chart.row_sizes.iter().map(Some).chain(std::iter::repeat(None)))
        .map(|(l, n)| width(&format!("{l} ({})", n.map(|n| loc.int(*n)).unwrap_or_default()), 12.0) + 12.0)
        .fold(150.0, f64::max)
        .min(260.0);
    let w = 16.0 + label_w + cell_w * cols.max(1) as f64 + 16.0;
    let h = 72.0 + cell_h * rows.max(1) as f64 + 16.0;
    let mut s = Svg::new(w.max(360.0), h, &chart.title);
    if rows == 0 || cols == 0 {
        s.empty(w.max(360.0), h, loc.no_data());
        return s.finish();
    }
    let x0 = 16.0 + label_w;
    let y0 = 64.0;
    for (j, c) in chart.col_labels.iter().enumerate() {
        s.text(
            x0 + cell_w * (j as f64 + 0.5),
            y0 - 8.0,
            &fit(c, 11.0, cell_w - 4.0),
            11.0,
            Anchor::Middle,
            palette::MUTED,
            "400",
        );
    }
    for (i, label) in chart.row_labels.iter().enumerate() {
        let y = y0 + cell_h * i as f64;
        let size = chart.row_sizes.get(i).map(|n| format!(" ({})", loc.int(*n))).unwrap_or_default();
        s.text(
            x0 - 8.0,
            y + 16.0,
            &fit(&format!("{label}{size}"), 12.0, label_w - 8.0),
            12.0,
            Anchor::End,
            palette::TEXT,
            "400",
        );
        for j in 0..cols {
            let Some(Some(v)) = chart.cells.get(i).and_then(|r| r.get(j)) else { continue };
            let (fill, ink) = palette::sequential(*v);
            let text = loc.percent(*v);
            s.rect(
                x0 + cell_w * j as f64 + 1.0,
                y + 1.0,
                cell_w - 2.0,
                cell_h - 2.0,
                &fill,
                Some(&format!("{label} · {}: {text}", chart.col_labels[j])),
            );
            s.text(x0 + cell_w * (j as f64 + 0.5), y + 16.0, &text, 10.5, Anchor::Middle, ink, "400");
        }
    }
    s.finish()
}
