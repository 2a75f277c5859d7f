//! Chart downloads. Every chart on a page carries links to itself as SVG, PNG (rendered by `tropa-render` with
//! resvg) and its data as CSV: the page's own URL plus `download=CHART&format=svg|png|csv`. The page computes as
//! usual and, when a download is asked for, answers with that file instead of the HTML — so a download always
//! shows exactly what the page shows for the same parameters.

use std::collections::HashMap;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::Markup;
use tropa_render::{BarChart, FunnelChart, Heatmap, LineChart, Locale, Sankey};

use crate::error::WebError;
use crate::i18n::Lang;
use crate::i18n::Words;
use crate::ui::chart::figure;
use crate::url::enc;

/// A chart that can be drawn and written as a table.
pub trait Chart {
    fn svg(&self, loc: Locale) -> String;
    /// The chart's data as CSV rows (header first).
    fn rows(&self) -> Vec<Vec<String>>;
}

impl Chart for BarChart {
    fn svg(&self, loc: Locale) -> String {
        tropa_render::bars(self, loc)
    }
    fn rows(&self) -> Vec<Vec<String>> {
        let mut out = vec![vec!["label".to_string(), "value".to_string()]];
        out.extend(self.bars.iter().map(|(l, v)| vec![l.clone(), num(*v)]));
        out
    }
}

impl Chart for LineChart {
    fn svg(&self, loc: Locale) -> String {
        tropa_render::line(self, loc)
    }
    fn rows(&self) -> Vec<Vec<String>> {
        let mut out =
            vec![std::iter::once("x".to_string()).chain(self.series.iter().map(|s| s.name.clone())).collect()];
        for (i, x) in self.x_labels.iter().enumerate() {
            let values = self.series.iter().map(|s| s.values.get(i).copied().flatten().map(num).unwrap_or_default());
            out.push(std::iter::once(x.clone()).chain(values).collect());
        }
        out
    }
}

impl Chart for FunnelChart {
    fn svg(&self, loc: Locale) -> String {
        tropa_render::funnel(self, loc)
    }
    fn rows(&self) -> Vec<Vec<String>> {
        let first = self.steps.first().map(|s| s.customers).unwrap_or(0);
        let mut out = vec![vec!["step".into(), "label".into(), "customers".into(), "of_first".into()]];
        for (i, s) in self.steps.iter().enumerate() {
            let share = if first > 0 { num(s.customers as f64 / first as f64) } else { String::new() };
            out.push(vec![(i + 1).to_string(), s.label.clone(), s.customers.to_string(), share]);
        }
        out
    }
}

impl Chart for Heatmap {
    fn svg(&self, loc: Locale) -> String {
        tropa_render::heatmap(self, loc)
    }
    fn rows(&self) -> Vec<Vec<String>> {
        let mut head = vec!["row".to_string(), "customers".to_string()];
        head.extend(self.col_labels.iter().cloned());
        let mut out = vec![head];
        for (i, label) in self.row_labels.iter().enumerate() {
            let mut row = vec![label.clone(), self.row_sizes.get(i).map(|n| n.to_string()).unwrap_or_default()];
            if let Some(cells) = self.cells.get(i) {
                row.extend(cells.iter().map(|c| c.map(num).unwrap_or_default()));
            }
            out.push(row);
        }
        out
    }
}

impl Chart for Sankey {
    fn svg(&self, loc: Locale) -> String {
        tropa_render::sankey(self, loc)
    }
    fn rows(&self) -> Vec<Vec<String>> {
        let label = |id: &str| {
            self.nodes.iter().find(|n| n.id == id).map(|n| format!("{}. {}", n.column + 1, n.label)).unwrap_or_default()
        };
        let mut out = vec![vec!["from".to_string(), "to".to_string(), "customers".to_string()]];
        out.extend(self.links.iter().map(|l| vec![label(&l.from), label(&l.to), l.value.to_string()]));
        out
    }
}

/// A number as CSV text: integers without a fraction, others with up to 6 decimals (dot, no grouping).
fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// RFC 4180 CSV; a text cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) gets a
/// leading `'`.
pub fn csv(rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| {
                let numeric = c.parse::<f64>().is_ok();
                let c = if !numeric && c.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                    format!("'{c}")
                } else {
                    c.clone()
                };
                if c.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c
                }
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Svg,
    Png,
    Csv,
}

/// The charts of one page and the download it was asked for, if any.
pub struct Exports {
    page: &'static str,
    lang: Lang,
    /// The page's query without `download` and `format`, ready to extend.
    base: String,
    want: Option<(String, Option<Format>)>,
    file: Option<Response>,
}

impl Exports {
    pub fn new(page: &'static str, lang: Lang, q: &HashMap<String, String>) -> Exports {
        let mut keys: Vec<(&String, &String)> =
            q.iter().filter(|(k, v)| *k != "download" && *k != "format" && !v.is_empty()).collect();
        keys.sort();
        let base = keys.iter().map(|(k, v)| format!("{}={}&", enc(k), enc(v))).collect();
        let want = q.get("download").map(|id| {
            let format = match q.get("format").map(String::as_str) {
                Some("svg") => Some(Format::Svg),
                Some("png") => Some(Format::Png),
                Some("csv") => Some(Format::Csv),
                _ => None,
            };
            (id.clone(), format)
        });
        Exports { page, lang, base, want, file: None }
    }

    /// The chart's figure (the SVG and its download links); keeps the file when this is the chart asked for.
    pub fn chart(&mut self, id: &str, chart: &dyn Chart) -> Markup {
        let loc = self.lang.locale();
        let svg = chart.svg(loc);
        if let Some((want, format)) = &self.want {
            if want == id && self.file.is_none() {
                self.file = Some(self.file_of(id, *format, &svg, chart));
            }
        }
        figure(self.lang, id, svg, &format!("/{}?{}", self.page, self.base))
    }

    fn file_of(&self, id: &str, format: Option<Format>, svg: &str, chart: &dyn Chart) -> Response {
        let name = format!("tropa-{}-{id}", if self.page.is_empty() { "overview" } else { self.page });
        let (body, kind, ext): (Vec<u8>, &str, &str) = match format {
            Some(Format::Svg) => (svg.as_bytes().to_vec(), "image/svg+xml", "svg"),
            Some(Format::Csv) => {
                // A byte-order mark so that spreadsheet programs read the Cyrillic labels as UTF-8.
                let text = format!("\u{feff}{}", csv(&chart.rows()));
                (text.into_bytes(), "text/csv; charset=utf-8", "csv")
            }
            Some(Format::Png) => match tropa_render::png(svg, 2.0) {
                Ok(b) => (b, "image/png", "png"),
                Err(e) => return WebError::internal(&e).into_response(),
            },
            None => {
                return WebError::BadRequest(self.lang, StatusCode::BAD_REQUEST, "download_format").into_response();
            }
        };
        (
            [
                (header::CONTENT_TYPE, kind.to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.{ext}\"")),
            ],
            body,
        )
            .into_response()
    }

    /// The file asked for: `Some` when the request was a download (404 when the page has no such chart).
    pub fn into_file(self) -> Option<Response> {
        self.want?;
        Some(self.file.unwrap_or_else(|| WebError::NotFound(self.lang).into_response()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let rows = vec![
            vec!["label".to_string(), "value".to_string()],
            vec!["a, b".into(), "1".into()],
            vec!["say \"hi\"".into(), "-2.5".into()],
            vec!["=cmd()".into(), "0.125".into()],
        ];
        assert_eq!(csv(&rows), "label,value\r\n\"a, b\",1\r\n\"say \"\"hi\"\"\",-2.5\r\n'=cmd(),0.125\r\n");
        assert_eq!(num(3.0), "3");
        assert_eq!(num(0.1234567), "0.123457");
    }
}
