//! Every chart on fixed data: a readable snapshot of its SVG (insta), well-formed XML, and the numbers a reader
//! needs present in the text.

#[path = "fixtures/charts.rs"]
mod fixtures;

use tropa_render::*;

fn check(svg: &str, must: &[&str]) {
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed: {e}\n{svg}"));
    for m in must {
        assert!(svg.contains(m), "'{m}' missing from\n{svg}");
    }
}

#[test]
fn funnel_chart() {
    let svg = funnel(&fixtures::shop_funnel(), Locale::Ru);
    // counts, share of the first step, the 70 % cart abandonment of seed 001 as drop-off
    check(&svg, &["10\u{202f}000", "6,5\u{a0}%", "−70,0\u{a0}%", "4. Покупка"]);
    insta::assert_snapshot!("funnel_ru", svg);
    let en = funnel(&fixtures::shop_funnel(), Locale::En);
    check(&en, &["10,000", "6.5%", "−70.0%"]);
}

#[test]
fn problem_share_by_stage() {
    let svg = bars(&fixtures::problem_share(), Locale::Ru);
    check(&svg, &["70,0\u{a0}%", "#D55E00", "Повторная покупка"]);
    insta::assert_snapshot!("problem_share_ru", svg);
}

#[test]
fn conversion_trend() {
    let svg = line(&fixtures::conversion_trend(), Locale::En);
    check(&svg, &["email", "paid_search", "2026-W01", "25.0%"]);
    insta::assert_snapshot!("trend_en", svg);
}

#[test]
fn retention_heatmap() {
    let svg = heatmap(&fixtures::retention(), Locale::En);
    check(&svg, &["2026-W02 (980)", "31.0%", "100.0%"]);
    insta::assert_snapshot!("retention_en", svg);
}

#[test]
fn paths_sankey() {
    let svg = sankey(&fixtures::paths(), Locale::En);
    check(&svg, &["view_item → add_to_cart: 420", "purchase 150"]);
    insta::assert_snapshot!("sankey_en", svg);
}

#[test]
fn empty_data_says_so() {
    let svg = funnel(&FunnelChart { title: "x".into(), steps: vec![] }, Locale::Ru);
    check(&svg, &["данных пока нет"]);
    let svg = line(
        &LineChart { title: "x".into(), x_labels: vec![], series: vec![], format: ValueFormat::Count },
        Locale::En,
    );
    check(&svg, &["no data yet"]);
    let svg = sankey(&Sankey { title: "<x & y>".into(), nodes: vec![], links: vec![] }, Locale::En);
    check(&svg, &["&lt;x &amp; y&gt;"]);
}
