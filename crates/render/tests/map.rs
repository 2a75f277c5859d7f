//! The journey map on fixed data: an SVG snapshot, well-formed, every stage and lane present, long texts wrapped
//! inside their cell; the same map as PNG and as an A3-wide PDF.

use tropa_render::*;

fn cell(text: &str) -> MapCell {
    MapCell { text: text.into(), ..MapCell::default() }
}

fn data(text: &str, trend: Trend, good: bool) -> MapCell {
    MapCell { text: text.into(), trend: Some(trend), good: Some(good), ..MapCell::default() }
}

pub fn shop_map() -> MapChart {
    MapChart {
        title: "Интернет-магазин товаров для активного отдыха".into(),
        subtitle: "Персона: Мария, 35 лет · 01.03.2026 — 01.06.2026 · 10 000 клиентов".into(),
        stages: ["Первичный контакт", "Исследование", "Принятие решения", "Совершение покупки", "Послепродажное обслуживание"]
            .map(String::from)
            .to_vec(),
        rows: vec![
            MapRow {
                title: "Цели клиента".into(),
                kind: RowKind::Text,
                cells: vec![
                    cell("Найти снаряжение для следующей поездки"),
                    cell("Сравнить товары, прочитать отзывы"),
                    cell("Выбрать и проверить итоговую цену"),
                    cell("Быстро и безопасно оплатить"),
                    cell("Получить заказ вовремя"),
                ],
            },
            MapRow {
                title: "Эмоции".into(),
                kind: RowKind::Emotion,
                cells: [1, 1, -1, 0, -2].map(|s| MapCell { score: Some(s), ..MapCell::default() }).to_vec(),
            },
            MapRow {
                title: "Проблемы".into(),
                kind: RowKind::Text,
                cells: vec![
                    cell(""),
                    cell(""),
                    MapCell { alert: true, ..cell("Более 70 % бросают корзину при оформлении заказа: доставка дорогая, полей слишком много, способов оплаты мало, а напоминания о корзине не приходят никогда; покупатель уходит к конкурентам, где доставка бесплатна от трёх тысяч рублей и оплатить можно в два касания без регистрации") },
                    cell("Длинная форма"),
                    cell("Долгая доставка"),
                ],
            },
            MapRow {
                title: "Дошли до этапа".into(),
                kind: RowKind::Data,
                cells: vec![
                    data("10 000", Trend::Up, true),
                    data("8 163", Trend::Up, true),
                    data("3 381", Trend::Flat, true),
                    data("1 045", Trend::Down, false),
                    data("1 040", Trend::Down, false),
                ],
            },
            MapRow {
                title: "Столкнулись с проблемой".into(),
                kind: RowKind::Data,
                cells: vec![
                    cell("0,0 %"),
                    cell("0,0 %"),
                    cell("0,0 %"),
                    data("2,1 %", Trend::Up, false),
                    MapCell { alert: true, ..data("16,9 %", Trend::Up, false) },
                ],
            },
        ],
        footer: "tropa · данные на 13.09.2026 · стрелки — к предыдущему периоду".into(),
        card: vec![],
    }
}

#[test]
fn the_map_svg() {
    let svg = map(&shop_map());
    let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("not well-formed: {e}"));
    let texts: Vec<&str> = doc.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text()).collect();
    for must in ["Исследование", "Цели клиента", "Эмоции", "10 000", "16,9 %", "▲", "▼", "▶", "-2"]
    {
        assert!(texts.iter().any(|t| t.contains(must)), "{must} missing");
    }
    // the long pain point is wrapped into at most six lines, the last one cut
    assert!(texts.iter().any(|t| t.ends_with('…')), "the long cell is cut");
    let root = doc.root_element();
    assert_eq!(root.attribute("width"), Some("1600"));
    let height: f64 = root.attribute("height").unwrap().parse().unwrap();
    assert!(height < 1600.0 * 0.75, "landscape: {height}");
    insta::assert_snapshot!("map_ru", svg);
}

#[test]
fn the_map_as_png_and_pdf() {
    let svg = map(&shop_map());
    let bytes = png(&svg, 1.0).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let pdf = pdf(&svg).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/MediaBox [0 0 1190.55"), "one A3-wide page");
    assert!(text.contains("DejaVu"), "the embedded font");
    if let Ok(dir) = std::env::var("TROPA_RENDER_OUT") {
        std::fs::write(format!("{dir}/map.pdf"), &pdf).unwrap();
        std::fs::write(format!("{dir}/map.png"), &bytes).unwrap();
    }
}

#[test]
fn a_persona_card_is_drawn_under_the_subtitle() {
    let mut chart = shop_map();
    let plain = tropa_render::map(&chart);
    chart.card = vec!["Мария, 35 — мама двоих детей".into(), "Цели: палатка, которую не сломают дети".into()];
    let with = tropa_render::map(&chart);
    assert!(with.contains("Мария, 35 — мама двоих детей") && with.contains("Цели: палатка"), "{with}");
    assert!(!plain.contains("Мария, 35 — мама"));
}
