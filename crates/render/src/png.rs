//! Charts as PNG: any SVG from this crate (or another one) rasterised with resvg, for e-mail, chat and
//! documents where an SVG will not do.
//!
//! The text is drawn with DejaVu Sans (regular and bold, Latin, Cyrillic and more) embedded in the binary,
//! never with the machine's fonts, so a PNG looks the same on every server (and, for one build, is the same
//! bytes every time). Every font family an SVG may name resolves to it: named families other than "DejaVu
//! Sans" find no match and fall through the `font-family` list to the generic ones (`sans-serif`, `serif`,
//! `monospace`, …), all of which are DejaVu Sans here. Weights above 500 (our titles use 600) take the bold
//! face.

use std::sync::{Arc, OnceLock};

use resvg::tiny_skia::{Color, Pixmap, Transform};
use resvg::usvg::{fontdb, ImageHrefResolver, Options, Tree};

const SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const SANS_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");
const FAMILY: &str = "DejaVu Sans";

/// The largest side of a PNG, in pixels: a bound on memory (4 bytes a pixel) for a mistaken scale.
pub const MAX_SIDE: u32 = 16_384;

/// Why an SVG could not become a PNG.
#[derive(Debug, thiserror::Error)]
pub enum PngError {
    #[error("scale must be a positive number, got {0}")]
    Scale(f32),
    #[error("not a drawable svg: {0}")]
    Svg(String),
    #[error("a {width}×{height} px image is too large (at most {MAX_SIDE} px a side): lower the scale")]
    TooLarge { width: f64, height: f64 },
    #[error("png encoding failed: {0}")]
    Encode(String),
}

/// The embedded fonts, loaded once; the generic families all point at DejaVu Sans.
fn fonts() -> Arc<fontdb::Database> {
    static DB: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_font_source(fontdb::Source::Binary(Arc::new(SANS)));
        db.load_font_source(fontdb::Source::Binary(Arc::new(SANS_BOLD)));
        db.set_sans_serif_family(FAMILY);
        db.set_serif_family(FAMILY);
        db.set_monospace_family(FAMILY);
        db.set_cursive_family(FAMILY);
        db.set_fantasy_family(FAMILY);
        Arc::new(db)
    })
    .clone()
}

/// How SVGs are read for PNG and PDF: the embedded fonts, and no files.
pub(crate) fn options() -> Options<'static> {
    Options {
        font_family: FAMILY.to_string(),
        fontdb: fonts(),
        // usvg reads `<image href="path">` from disk by default: no I/O here, only inline `data:` images
        image_href_resolver: ImageHrefResolver {
            resolve_string: Box::new(|_, _| None),
            ..ImageHrefResolver::default()
        },
        ..Options::default()
    }
}

/// `svg` rasterised to PNG bytes at `scale` pixels per SVG pixel (2.0 gives sharp images on high-density
/// screens), on a white background (transparent parts of the SVG come out white). The image is
/// ⌈width·scale⌉ × ⌈height·scale⌉ pixels, width and height being the SVG's own (`width`/`height`, else the
/// `viewBox`); neither side may exceed [`MAX_SIDE`].
///
/// Pure and deterministic: the fonts are embedded (see the module docs), and files an `<image>` names are
/// never read (inline `data:` SVG images are drawn; raster images are left out, as resvg is built without
/// its decoders).
///
/// ```
/// use tropa_render::{funnel, png, FunnelChart, FunnelStep, Locale};
/// let chart = FunnelChart { title: "Воронка".into(), steps: vec![FunnelStep { label: "вход".into(), customers: 10 }] };
/// let bytes = png(&funnel(&chart, Locale::Ru), 2.0)?;
/// assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
/// # Ok::<(), tropa_render::PngError>(())
/// ```
pub fn png(svg: &str, scale: f32) -> Result<Vec<u8>, PngError> {
    if !(scale.is_finite() && scale > 0.0) {
        return Err(PngError::Scale(scale));
    }
    let tree = Tree::from_str(svg, &options()).map_err(|e| PngError::Svg(e.to_string()))?;
    // rounded up, but a thousandth of a pixel over is float noise (780 × 0.3f32 = 234.00001), not a pixel more
    let side = |svg_px: f32| (f64::from(svg_px) * f64::from(scale) - 1e-3).ceil().max(1.0);
    let (width, height) = (side(tree.size().width()), side(tree.size().height()));
    let too_large = PngError::TooLarge { width, height };
    if width > f64::from(MAX_SIDE) || height > f64::from(MAX_SIDE) {
        return Err(too_large);
    }
    // both are within 1..=MAX_SIDE here: usvg refuses empty sizes and the check above bounds them
    let mut pixmap = Pixmap::new(width as u32, height as u32).ok_or(too_large)?;
    pixmap.fill(Color::WHITE);
    resvg::render(&tree, Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| PngError::Encode(e.to_string()))
}
