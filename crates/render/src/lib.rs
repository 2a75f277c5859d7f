//! tropa's charts as SVG: pure functions from chart data to an SVG document (no I/O, no clock, no randomness,
//! so the same data always gives the same bytes). Every chart has a title, labelled axes or values written on
//! the marks, a legend where there is more than one series, the colour-blind-safe Okabe–Ito palette, and labels
//! shortened with "…" rather than overlapping. Numbers and percentages follow the [`Locale`] (Russian: `12 345`,
//! `45,6 %`; English: `12,345`, `45.6%`). [`png()`] rasterises any of them, with embedded fonts, for places where
//! an SVG will not do, and [`pdf()`] makes a vector PDF; [`map()`] draws a whole Customer Journey Map.
//!
//! ```
//! use tropa_render::{funnel, FunnelChart, FunnelStep, Locale};
//! let chart = FunnelChart {
//!     title: "Checkout".into(),
//!     steps: vec![FunnelStep { label: "view".into(), customers: 1000 }, FunnelStep { label: "buy".into(), customers: 120 }],
//! };
//! let svg = funnel(&chart, Locale::En);
//! assert!(svg.starts_with("<svg") && svg.contains("12.0%"));
//! ```

mod bars;
mod format;
mod funnel;
mod heatmap;
mod line;
pub mod map;
mod palette;
mod pdf;
mod png;
mod sankey;
mod svg;

pub use bars::{bars, BarChart};
pub use format::{Locale, ValueFormat};
pub use funnel::{funnel, FunnelChart, FunnelStep};
pub use heatmap::{heatmap, Heatmap};
pub use line::{line, LineChart, Series};
pub use map::{map, MapCell, MapChart, MapRow, RowKind, Trend};
pub use pdf::{pdf, PdfError, A3_WIDTH_PT};
pub use png::{png, PngError, MAX_SIDE};
pub use sankey::{sankey, Sankey, SankeyLink, SankeyNode};
