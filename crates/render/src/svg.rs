//! A small SVG writer: elements appended in order, text escaped, widths of text estimated (no font metrics in a
//! pure crate: an average glyph is 0.56 em wide for Latin, 0.64 em for Cyrillic), labels shortened
//! with "…" to fit.

use std::fmt::Write;

use crate::palette;

pub const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";

pub struct Svg {
    out: String,
}

/// Text escaped for SVG content and attributes.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => o.push(c),
        }
    }
    o
}

/// Estimated width of `text` at `size` px.
pub fn width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| match c {
            c if c.is_whitespace() => 0.3,
            c if c.is_ascii_uppercase() => 0.66,
            c if c.is_ascii() => 0.56,
            // Cyrillic and other scripts run wider in the usual sans-serif fonts
            _ => 0.64,
        })
        .sum::<f64>()
        * size
}

/// `text` shortened with "…" so that it fits `max` px at `size` px.
pub fn fit(text: &str, size: f64, max: f64) -> String {
    if width(text, size) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if width(&out, size) + width(&c.to_string(), size) + width("…", size) > max {
            break;
        }
        out.push(c);
    }
    format!("{}…", out.trim_end())
}

/// Numbers in SVG: at most one decimal, no trailing zeros.
pub fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

#[derive(Clone, Copy)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

impl Svg {
    /// A document of `w`×`h` px with a white background and the chart's title at the top left.
    pub fn new(w: f64, h: f64, title: &str) -> Svg {
        let mut out = String::new();
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
             font-family=\"{FONT}\" font-size=\"12\" role=\"img\" aria-label=\"{t}\">\n<title>{t}</title>\n\
             <rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n",
            w = n(w),
            h = n(h),
            t = esc(title)
        );
        let mut s = Svg { out };
        s.text(16.0, 24.0, &fit(title, 15.0, w - 32.0), 15.0, Anchor::Start, palette::TEXT, "600");
        s
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, tip: Option<&str>) {
        let _ = write!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"",
            n(x),
            n(y),
            n(w.max(0.0)),
            n(h.max(0.0))
        );
        match tip {
            Some(t) => {
                let _ = writeln!(self.out, "><title>{}</title></rect>", esc(t));
            }
            None => self.out.push_str("/>\n"),
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn text(&mut self, x: f64, y: f64, text: &str, size: f64, anchor: Anchor, fill: &str, weight: &str) {
        let _ = writeln!(
            self.out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{}\" fill=\"{fill}\" font-weight=\"{weight}\">{}</text>",
            n(x),
            n(y),
            n(size),
            anchor.as_str(),
            esc(text)
        );
    }

    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, width: f64) {
        let _ = writeln!(
            self.out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\" stroke-width=\"{}\"/>",
            n(x1),
            n(y1),
            n(x2),
            n(y2),
            n(width)
        );
    }

    /// A path; `d` is built by the caller with [`n`].
    pub fn path(&mut self, d: &str, fill: &str, stroke: &str, extra: &str, tip: Option<&str>) {
        let _ = write!(self.out, "<path d=\"{d}\" fill=\"{fill}\" stroke=\"{stroke}\" {extra}");
        match tip {
            Some(t) => {
                let _ = writeln!(self.out, "><title>{}</title></path>", esc(t));
            }
            None => self.out.push_str("/>\n"),
        }
    }

    pub fn circle(&mut self, cx: f64, cy: f64, r: f64, fill: &str, tip: &str) {
        let _ = writeln!(
            self.out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{fill}\"><title>{}</title></circle>",
            n(cx),
            n(cy),
            n(r),
            esc(tip)
        );
    }

    /// A legend row of coloured squares and names, starting at (`x`, `y`).
    pub fn legend(&mut self, x: f64, y: f64, items: &[(&str, &str)], max_w: f64) {
        let mut at = x;
        for (name, colour) in items {
            let label = fit(name, 12.0, 160.0);
            let w = 18.0 + width(&label, 12.0) + 14.0;
            if at + w > x + max_w {
                break;
            }
            self.rect(at, y - 9.0, 10.0, 10.0, colour, None);
            self.text(at + 14.0, y, &label, 12.0, Anchor::Start, palette::TEXT, "400");
            at += w;
        }
    }

    /// A centred message where the chart would be.
    pub fn empty(&mut self, w: f64, h: f64, msg: &str) {
        self.text(w / 2.0, h / 2.0, msg, 13.0, Anchor::Middle, palette::MUTED, "400");
    }

    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

/// "Nice" axis ticks from 0 to at least `max`: 0, step, 2·step, … with step 1, 2 or 5 × 10ᵏ.
pub fn ticks(max: f64, want: usize) -> Vec<f64> {
    if max <= 0.0 || !max.is_finite() {
        return vec![0.0, 1.0];
    }
    let raw = max / want.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let mut out = vec![0.0];
    while *out.last().unwrap_or(&0.0) < max - 1e-9 {
        let next = out.len() as f64 * step;
        out.push((next * 1e9).round() / 1e9);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_fitting_and_ticks() {
        assert_eq!(esc("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(fit("short", 12.0, 200.0), "short");
        let f = fit("a very long label that does not fit", 12.0, 80.0);
        assert!(f.ends_with('…') && width(&f, 12.0) <= 80.0, "{f}");
        assert_eq!(ticks(100.0, 5), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(ticks(0.37, 4), vec![0.0, 0.1, 0.2, 0.3, 0.4]);
        assert_eq!(n(1.25), "1.3");
        assert_eq!(n(2.0), "2");
    }
}
