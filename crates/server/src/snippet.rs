//! `/t.js`, the web snippet: hand-written, embedded in the binary, served with a one-hour cache. What it does is
//! documented at the top of `assets/t.js`; the whitespace and comments are stripped at build time by
//! [`minify`], a line-based cut that is safe for the snippet because it never puts `//` inside strings.

use axum::http::header;
use axum::response::IntoResponse;

const SOURCE: &str = include_str!("../assets/t.js");

/// The snippet without comments, indentation and blank lines.
pub fn minify(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut in_block = false;
    for line in src.lines() {
        let mut l = line.trim();
        if in_block {
            match l.find("*/") {
                Some(i) => {
                    in_block = false;
                    l = l[i + 2..].trim();
                }
                None => continue,
            }
        }
        if l.starts_with("/*") {
            match l.find("*/") {
                Some(i) => l = l[i + 2..].trim(),
                None => {
                    in_block = true;
                    continue;
                }
            }
        }
        if l.starts_with("//") || l.is_empty() {
            continue;
        }
        out.push_str(l);
        out.push('\n');
    }
    out
}

pub async fn serve() -> impl IntoResponse {
    static MIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = MIN.get_or_init(|| minify(SOURCE)).clone();
    (
        [
            (header::CONTENT_TYPE, "application/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_snippet_is_small_and_keeps_its_code() {
        let min = super::minify(super::SOURCE);
        assert!(min.len() < 5 * 1024, "{} bytes", min.len());
        assert!(!min.contains("/*") && !min.contains("\n//"));
        for api in ["track:", "identify:", "consent:", "sendBeacon", "pushState", "/v1/batch", "writeKey"] {
            assert!(min.contains(api), "{api}");
        }
    }
}
