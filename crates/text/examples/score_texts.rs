//! Scores texts, one per line, from a file (or stdin with `-`): prints one JSON object per line,
//! `{"label": "negative|neutral|positive", "score": -1…1, "lang": "ru|en", "themes": [...]}`.
//! `cargo run --release -p tropa-text --example score_texts -- FILE`; the reference tests use it.
#![allow(clippy::disallowed_methods)]

use std::io::{BufRead, BufWriter, Write};

fn main() -> anyhow::Result<()> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "-".into());
    let input: Box<dyn BufRead> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(&path)?))
    };
    let themes = tropa_text::ThemeList::builtin();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in input.lines() {
        let line = line?;
        let s = tropa_text::sentiment(&line);
        let row = serde_json::json!({
            "label": s.label, "score": s.score, "lang": s.lang, "themes": themes.assign(&line),
        });
        writeln!(out, "{row}")?;
    }
    out.flush()?;
    Ok(())
}
