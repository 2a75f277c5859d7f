//! Maps and charts as PDF (svg2pdf): vector, text as real text in the embedded DejaVu Sans (subset), one page
//! as wide as A3 landscape (420 mm) — the whole SVG scaled to it, so a map prints on A3 at its designed size
//! and on A4 at 71 %.

use crate::png::options;

/// A3 landscape width in PDF points (420 mm).
pub const A3_WIDTH_PT: f32 = 1190.55;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("not a drawable svg: {0}")]
    Svg(String),
    #[error("pdf conversion failed: {0}")]
    Convert(String),
}

/// `svg` as a one-page PDF, the page A3-landscape wide.
///
/// ```
/// use tropa_render::{bars, pdf, BarChart, Locale, ValueFormat};
/// let chart = BarChart { title: "Этапы".into(), bars: vec![("Покупка".into(), 3.0)], format: ValueFormat::Count, highlight: None };
/// let bytes = pdf(&bars(&chart, Locale::Ru))?;
/// assert!(bytes.starts_with(b"%PDF-"));
/// # Ok::<(), tropa_render::PdfError>(())
/// ```
pub fn pdf(svg: &str) -> Result<Vec<u8>, PdfError> {
    let tree = resvg::usvg::Tree::from_str(svg, &options()).map_err(|e| PdfError::Svg(e.to_string()))?;
    let dpi = 72.0 * tree.size().width() / A3_WIDTH_PT;
    let page = svg2pdf::PageOptions { dpi };
    svg2pdf::to_pdf(&tree, svg2pdf::ConversionOptions::default(), page).map_err(|e| PdfError::Convert(e.to_string()))
}
