//! What a report shows: the SVG charts that `tropa-render` draws (the one place the web app writes markup it did
//! not escape itself: the renderer escapes its own text), a chart's figure with its download links, and the cards
//! of one number each.

use maud::{html, Markup, PreEscaped};

use crate::i18n::Lang;
use crate::i18n::Words;

/// An SVG chart drawn by `tropa-render`, which escapes every text it writes.
pub fn svg(drawn: String) -> Markup {
    PreEscaped(drawn)
}

/// A chart's figure (`id="chart-ID"`): the chart and the links that download it as SVG, PNG or its data as
/// CSV. `page` is the URL of the page with its query, ready to extend (`/funnels?steps=…&`): a download is the
/// same page with `download=ID&format=…`.
pub fn figure(l: Lang, id: &str, drawn: String, page: &str) -> Markup {
    let link = |format: &str| format!("{page}download={id}&format={format}");
    html! {
        figure.chart id={ "chart-" (id) } {
            (svg(drawn))
            figcaption.dl {
                (l.t("download")) " "
                a href=(link("svg")) download { "SVG" } " · "
                a href=(link("png")) download { "PNG" } " · "
                a href=(link("csv")) download { "CSV" }
            }
        }
    }
}

/// A card with one number (`value`, already formatted for the language) and what it counts; `small` for a
/// longer value such as a period.
pub fn card(value: &str, label: &str, small: bool) -> Markup {
    html! {
        div.card {
            div.n.small[small] { (value) }
            div.l { (label) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_links_its_downloads_and_keeps_the_drawing() {
        let drawn = "<svg><text>A &amp; B</text></svg>".to_string();
        let out = figure(Lang::En, "funnel", drawn, "/funnels?steps=a%0Ab&").into_string();
        assert!(
            out.starts_with("<figure class=\"chart\" id=\"chart-funnel\"><svg><text>A &amp; B</text></svg>"),
            "{out}"
        );
        assert!(out.contains("<figcaption class=\"dl\">Download <a href=\"/funnels?steps=a%0Ab&amp;download=funnel&amp;format=svg\" download>SVG</a> · "), "{out}");
        assert!(out.contains("format=csv\" download>CSV</a></figcaption></figure>"), "{out}");
    }

    #[test]
    fn a_card_escapes_its_text() {
        assert_eq!(
            card("1,500", "Revenue, <RUB>", false).into_string(),
            "<div class=\"card\"><div class=\"n\">1,500</div><div class=\"l\">Revenue, &lt;RUB&gt;</div></div>"
        );
        assert!(card("01.05 — 02.05", "Period", true).into_string().contains("<div class=\"n small\">"));
    }
}
