//! Colours: the Okabe–Ito palette (distinguishable with every common colour-vision deficiency) for series and
//! categories, and a single-hue sequential scale for heatmaps.

/// Okabe–Ito, starting with blue; black is left out (it is the text colour).
pub const SERIES: [&str; 7] = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"];

pub const TEXT: &str = "#1f2328";
pub const MUTED: &str = "#59636e";
pub const GRID: &str = "#d8dee4";
pub const GHOST: &str = "#eef1f4";
/// Drop-off and problems.
pub const ALERT: &str = "#D55E00";

pub fn series(i: usize) -> &'static str {
    SERIES[i % SERIES.len()]
}

/// A share 0..1 as a blue of increasing depth (white → #08306b), and the text colour readable on it.
pub fn sequential(share: f64) -> (String, &'static str) {
    let t = share.clamp(0.0, 1.0);
    let (a, b) = ((247.0, 251.0, 255.0), (8.0, 48.0, 107.0));
    let mix = |x: f64, y: f64| (x + (y - x) * t).round() as u8;
    let colour = format!("#{:02x}{:02x}{:02x}", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2));
    (colour, if t > 0.45 { "#ffffff" } else { TEXT })
}
