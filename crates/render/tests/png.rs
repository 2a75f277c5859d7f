//! PNG export: every chart of the snapshot tests rasterises to a PNG of the expected size, the embedded font
//! draws Cyrillic text (real glyphs, not boxes), and a bad input is an error, not a panic.

#[path = "fixtures/charts.rs"]
mod fixtures;

use resvg::tiny_skia::Pixmap;
use tropa_render::*;

const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Width and height from the IHDR chunk, which a PNG must start with right after the signature.
fn ihdr_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(SIGNATURE), "no PNG signature: {:?}", &png[..png.len().min(8)]);
    assert_eq!(&png[12..16], b"IHDR", "IHDR is not the first chunk");
    let be = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    (be(16), be(20))
}

/// The `width` and `height` attributes of the root `<svg>`.
fn svg_size(svg: &str) -> (f64, f64) {
    let doc = roxmltree::Document::parse(svg).expect("well-formed svg");
    let attr = |name| doc.root_element().attribute(name).and_then(|v: &str| v.parse::<f64>().ok());
    (attr("width").expect("svg width"), attr("height").expect("svg height"))
}

fn all_charts() -> Vec<(&'static str, String)> {
    vec![
        ("funnel_ru", funnel(&fixtures::shop_funnel(), Locale::Ru)),
        ("funnel_en", funnel(&fixtures::shop_funnel(), Locale::En)),
        ("problem_share_ru", bars(&fixtures::problem_share(), Locale::Ru)),
        ("trend_en", line(&fixtures::conversion_trend(), Locale::En)),
        ("retention_en", heatmap(&fixtures::retention(), Locale::En)),
        ("sankey_en", sankey(&fixtures::paths(), Locale::En)),
    ]
}

#[test]
fn every_chart_becomes_a_png_of_its_size_times_the_scale() {
    for (name, svg) in all_charts() {
        let (w, h) = svg_size(&svg);
        assert!(w.fract() == 0.0 && h.fract() == 0.0, "{name}: {w}×{h}");
        // scales in tenths, so that the expected size is exact integer arithmetic: ⌈w·tenths/10⌉
        for tenths in [10u32, 15, 20, 3, 7] {
            let scale = tenths as f32 / 10.0;
            let bytes = png(&svg, scale).unwrap_or_else(|e| panic!("{name} at {scale}: {e}"));
            let want = ((w as u32 * tenths).div_ceil(10), (h as u32 * tenths).div_ceil(10));
            assert_eq!(ihdr_size(&bytes), want, "{name} at {scale}");
        }
    }
}

#[test]
fn fractional_sizes_round_up() {
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="100.5" height="40.2"><rect width="10" height="10" fill="#000"/></svg>"##;
    assert_eq!(ihdr_size(&png(svg, 1.0).expect("png")), (101, 41));
    assert_eq!(ihdr_size(&png(svg, 3.0).expect("png")), (302, 121));
}

/// Pixels in the box (`x0`..`x1`, `y0`..`y1`, in image pixels) that are clearly not the white background.
fn inked(img: &Pixmap, (x0, y0, x1, y1): (u32, u32, u32, u32)) -> Vec<(u32, u32)> {
    let mut out = vec![];
    for y in y0..y1.min(img.height()) {
        for x in x0..x1.min(img.width()) {
            let p = img.pixel(x, y).expect("inside the image");
            if p.red().min(p.green()).min(p.blue()) < 160 {
                out.push((x, y));
            }
        }
    }
    out
}

#[test]
fn cyrillic_title_is_drawn_with_real_glyphs() {
    let title = |t: &str| {
        let mut chart = fixtures::shop_funnel();
        chart.title = t.into();
        let bytes = png(&funnel(&chart, Locale::Ru), 2.0).expect("png");
        Pixmap::decode_png(&bytes).expect("decodable png")
    };
    // the title sits at x = 16, baseline y = 24, 15 px: the box above its baseline, at scale 2
    let area = (0, 0, 2 * 400, 2 * 30);
    let a = title("Воронка покупки");
    let ink = inked(&a, area);
    assert!(ink.len() > 1_000, "only {} dark pixels in the title area", ink.len());
    let left = ink.iter().map(|p| p.0).min().unwrap_or(0);
    assert!((28..=40).contains(&left), "title starts at x = {left} px, not near 2 × 16");
    // the same letters in another order: real glyphs move, missing-glyph boxes would all look alike
    let b = title("Покупка воронки");
    assert_ne!(inked(&a, area), inked(&b, area), "the Cyrillic letters are not told apart");
    // and the rest of the chart is still there below the title
    assert!(inked(&a, (0, 2 * 40, a.width(), a.height())).len() > 10_000);
}

#[test]
fn the_same_svg_gives_the_same_bytes() {
    let svg = funnel(&fixtures::shop_funnel(), Locale::Ru);
    assert_eq!(png(&svg, 2.0).expect("png"), png(&svg, 2.0).expect("png"));
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let chart = sankey(&fixtures::paths(), Locale::En);
    for (svg, scale) in [
        ("not an svg", 1.0),
        ("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">", 1.0),
        ("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"0\" height=\"10\"/>", 1.0),
        ("<html/>", 1.0),
        ("", 1.0),
        (chart.as_str(), 0.0),
        (chart.as_str(), -2.0),
        (chart.as_str(), f32::NAN),
        (chart.as_str(), f32::INFINITY),
        (chart.as_str(), 1_000.0),
    ] {
        let err = png(svg, scale).expect_err(&format!("{svg:.40} at {scale} should fail"));
        let msg = err.to_string();
        assert!(msg.starts_with(|c: char| c.is_lowercase()), "{msg}");
    }
    assert!(matches!(png(&chart, 1_000.0), Err(PngError::TooLarge { .. })));
    assert!(matches!(png("not an svg", 1.0), Err(PngError::Svg(_))));
}

#[test]
fn every_font_family_resolves_to_the_embedded_font() {
    let text = |family: &str| {
        let attr = if family.is_empty() { String::new() } else { format!(" font-family=\"{family}\"") };
        let svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"40\"><text x=\"4\" y=\"28\" \
             font-size=\"20\"{attr}>Шрифт ok</text></svg>"
        );
        let img = Pixmap::decode_png(&png(&svg, 1.0).expect("png")).expect("decodable png");
        inked(&img, (0, 0, 200, 40))
    };
    let dejavu = text("DejaVu Sans");
    assert!(dejavu.len() > 100, "only {} dark pixels", dejavu.len());
    // named families we do not embed, every generic one, our own stack, and no family at all
    let svg_stack = roxmltree::Document::parse(&funnel(&fixtures::shop_funnel(), Locale::Ru))
        .expect("well-formed svg")
        .root_element()
        .attribute("font-family")
        .expect("a font-family on the chart")
        .to_string();
    for family in ["Roboto", "system-ui", "serif", "sans-serif", "monospace", "cursive", "fantasy", &svg_stack, ""] {
        assert_eq!(text(family), dejavu, "font-family {family:?} draws something else");
    }
}

#[test]
fn files_named_by_the_svg_are_not_read() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let black = dir.path().join("black.svg");
    let inner =
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><rect width="20" height="20"/></svg>"##;
    std::fs::write(&black, inner).expect("write the image");
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"20\" \
         height=\"20\"><image width=\"20\" height=\"20\" xlink:href=\"{}\"/></svg>",
        black.display()
    );
    let img = Pixmap::decode_png(&png(&svg, 1.0).expect("png")).expect("decodable png");
    assert_eq!(inked(&img, (0, 0, 20, 20)), vec![], "the image file was drawn");
}
