//! Every chart on fixed data: a readable snapshot of its SVG (insta), well-formed XML, and the numbers a reader
//! needs present in the text.

use tropa_render::*;

fn check(svg: &str, must: &[&str]) {
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed: {e}\n{svg}"));
    for m in must {
        assert!(svg.contains(m), "'{m}' missing from\n{svg}");
    }
}

fn shop_funnel() -> FunnelChart {
    let steps = [("Просмотр товара", 10_000), ("Корзина", 3_100), ("Оформление", 930), ("Покупка", 651)];
    FunnelChart {
        title: "Воронка покупки, 7 дней".into(),
        steps: steps.iter().map(|(l, c)| FunnelStep { label: l.to_string(), customers: *c }).collect(),
    }
}

#[test]
fn funnel_chart() {
    let svg = funnel(&shop_funnel(), Locale::Ru);
    // counts, share of the first step, the 70 % cart abandonment of seed 001 as drop-off
    check(&svg, &["10\u{202f}000", "6,5\u{a0}%", "−70,0\u{a0}%", "4. Покупка"]);
    insta::assert_snapshot!("funnel_ru", svg);
    let en = funnel(&shop_funnel(), Locale::En);
    check(&en, &["10,000", "6.5%", "−70.0%"]);
}

#[test]
fn problem_share_by_stage() {
    // seed 003: the chart "stage × % of customers who met a problem", worst stage highlighted
    let chart = BarChart {
        title: "Доля клиентов, столкнувшихся с проблемой".into(),
        bars: vec![
            ("Осведомленность".into(), 0.04),
            ("Интерес".into(), 0.11),
            ("Рассмотрение".into(), 0.23),
            ("Покупка".into(), 0.70),
            ("Повторная покупка".into(), 0.18),
        ],
        format: ValueFormat::Percent,
        highlight: Some(3),
    };
    let svg = bars(&chart, Locale::Ru);
    check(&svg, &["70,0\u{a0}%", "#D55E00", "Повторная покупка"]);
    insta::assert_snapshot!("problem_share_ru", svg);
}

#[test]
fn conversion_trend() {
    let chart = LineChart {
        title: "Conversion by week of entry".into(),
        x_labels: (1..=8).map(|w| format!("2026-W{w:02}")).collect(),
        series: vec![
            Series {
                name: "email".into(),
                values: vec![Some(0.18), Some(0.17), Some(0.2), None, Some(0.19), Some(0.18), Some(0.21), Some(0.2)],
            },
            Series {
                name: "paid_search".into(),
                values: vec![
                    Some(0.08),
                    Some(0.081),
                    Some(0.079),
                    Some(0.08),
                    Some(0.07),
                    Some(0.085),
                    Some(0.08),
                    Some(0.078),
                ],
            },
        ],
        format: ValueFormat::Percent,
    };
    let svg = line(&chart, Locale::En);
    check(&svg, &["email", "paid_search", "2026-W01", "25.0%"]);
    insta::assert_snapshot!("trend_en", svg);
}

#[test]
fn retention_heatmap() {
    let chart = Heatmap {
        title: "Weekly retention".into(),
        row_labels: vec!["2026-W01".into(), "2026-W02".into(), "2026-W03".into()],
        row_sizes: vec![1200, 980, 1430],
        col_labels: vec!["0".into(), "1".into(), "2".into(), "3".into()],
        cells: vec![
            vec![Some(1.0), Some(0.31), Some(0.22), Some(0.19)],
            vec![Some(1.0), Some(0.28), Some(0.2), None],
            vec![Some(1.0), Some(0.33), None, None],
        ],
    };
    let svg = heatmap(&chart, Locale::En);
    check(&svg, &["2026-W02 (980)", "31.0%", "100.0%"]);
    insta::assert_snapshot!("retention_en", svg);
}

#[test]
fn paths_sankey() {
    let node = |id: &str, column, label: &str, value| SankeyNode { id: id.into(), column, label: label.into(), value };
    let link = |from: &str, to: &str, value| SankeyLink { from: from.into(), to: to.into(), value };
    let chart = Sankey {
        title: "Paths from view_item".into(),
        nodes: vec![
            node("0:view_item", 0, "view_item", 1000),
            node("1:add_to_cart", 1, "add_to_cart", 420),
            node("1:view_item", 1, "view_item", 380),
            node("1:$end", 1, "$end", 200),
            node("2:purchase", 2, "purchase", 150),
            node("2:$end", 2, "$end", 650),
        ],
        links: vec![
            link("0:view_item", "1:add_to_cart", 420),
            link("0:view_item", "1:view_item", 380),
            link("0:view_item", "1:$end", 200),
            link("1:add_to_cart", "2:purchase", 150),
            link("1:add_to_cart", "2:$end", 270),
            link("1:view_item", "2:$end", 380),
        ],
    };
    let svg = sankey(&chart, Locale::En);
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
