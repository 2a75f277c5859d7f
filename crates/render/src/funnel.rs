//! The funnel chart: one column per step, the bar's height the customers who reached it, a pale full-height bar
//! behind for the first step's size, the count and the share of the first step above each bar, and the drop-off
//! from the previous step between bars in the alert colour.

use crate::format::Locale;
use crate::palette;
use crate::svg::{fit, Anchor, Svg};

#[derive(Debug, Clone, PartialEq)]
pub struct FunnelStep {
    pub label: String,
    pub customers: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunnelChart {
    pub title: String,
    pub steps: Vec<FunnelStep>,
}

pub fn funnel(chart: &FunnelChart, loc: Locale) -> String {
    let n = chart.steps.len().max(1) as f64;
    let col = (760.0 / n).clamp(90.0, 180.0);
    let w = 40.0 + col * n + 20.0;
    let h = 340.0;
    let mut s = Svg::new(w, h, &chart.title);
    let first = chart.steps.first().map(|s| s.customers).unwrap_or(0);
    if first == 0 {
        s.empty(w, h, loc.no_data());
        return s.finish();
    }
    let (top, bottom) = (80.0, h - 48.0);
    let full = bottom - top;
    let bar_w = col * 0.56;
    let mut prev: Option<u64> = None;
    for (i, step) in chart.steps.iter().enumerate() {
        let x0 = 40.0 + col * i as f64;
        let x = x0 + (col - bar_w) / 2.0;
        let share = step.customers as f64 / first as f64;
        let bh = full * share;
        s.rect(x, top, bar_w, full, palette::GHOST, None);
        let tip = format!("{}: {} ({})", step.label, loc.int(step.customers), loc.percent(share));
        s.rect(x, bottom - bh, bar_w, bh, palette::series(0), Some(&tip));
        s.text(x + bar_w / 2.0, top - 22.0, &loc.int(step.customers), 13.0, Anchor::Middle, palette::TEXT, "600");
        s.text(x + bar_w / 2.0, top - 7.0, &loc.percent(share), 11.0, Anchor::Middle, palette::MUTED, "400");
        let label = fit(&format!("{}. {}", i + 1, step.label), 12.0, col - 8.0);
        s.text(x0 + col / 2.0, bottom + 20.0, &label, 12.0, Anchor::Middle, palette::TEXT, "400");
        if let Some(p) = prev.filter(|p| *p > 0) {
            let lost = 1.0 - step.customers as f64 / p as f64;
            let y = bottom - full * (p as f64 / first as f64) / 2.0;
            s.text(
                x0,
                y.min(bottom - 12.0),
                &format!("−{}", loc.percent(lost)),
                11.0,
                Anchor::Middle,
                palette::ALERT,
                "600",
            );
        }
        prev = Some(step.customers);
    }
    s.line(34.0, bottom, w - 14.0, bottom, palette::GRID, 1.0);
    s.finish()
}
