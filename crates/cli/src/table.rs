//! Plain-text tables for terminal output, and the output helpers every command shares.

use std::io::Write;

use serde::Serialize;

/// A table with a header row; numbers are right-aligned.
pub struct Table {
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(head: &[&str]) -> Self {
        Table { head: head.iter().map(|s| s.to_string()).collect(), rows: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let n = self.head.len();
        let mut width = vec![0usize; n];
        for r in std::iter::once(&self.head).chain(self.rows.iter()) {
            for (i, c) in r.iter().enumerate().take(n) {
                width[i] = width[i].max(c.chars().count());
            }
        }
        let numeric: Vec<bool> = (0..n)
            .map(|i| !self.rows.is_empty() && self.rows.iter().all(|r| r.get(i).is_some_and(|c| is_number(c))))
            .collect();
        let line = |r: &[String]| {
            let cells: Vec<String> = (0..n)
                .map(|i| {
                    let c = r.get(i).map(String::as_str).unwrap_or("");
                    let pad = width[i].saturating_sub(c.chars().count());
                    if numeric[i] {
                        format!("{}{c}", " ".repeat(pad))
                    } else {
                        format!("{c}{}", " ".repeat(pad))
                    }
                })
                .collect();
            cells.join("  ").trim_end().to_string()
        };
        let mut out = line(&self.head);
        out.push('\n');
        out.push_str(&width.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>().join("  "));
        out.push('\n');
        for r in &self.rows {
            out.push_str(&line(r));
            out.push('\n');
        }
        out
    }
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | ' ' | '%' | ','))
}

/// Formats an integer with thin groups: 1234567 → "1 234 567".
/// A duration in seconds for people: `45 s`, `2.5 min`, `3.0 h`, `12.4 d` (`с`, `мин`, `ч`, `д` in Russian);
/// `—` when there is none.
pub fn duration(s: Option<f64>) -> String {
    use crate::lang::tr;
    match s {
        None => "—".into(),
        Some(s) if s < 120.0 => format!("{s:.0} {}", tr("s", "с")),
        Some(s) if s < 7200.0 => format!("{:.1} {}", s / 60.0, tr("min", "мин")),
        Some(s) if s < 172_800.0 => format!("{:.1} {}", s / 3600.0, tr("h", "ч")),
        Some(s) => format!("{:.1} {}", s / 86_400.0, tr("d", "д")),
    }
}

/// A share as a percentage with one decimal: `0.1234` → `12.3%`.
pub fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

pub fn int(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(ch);
    }
    out
}

/// Writes text to stdout (a closed pipe surfaces as an io error that main treats as success).
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Writes a value as pretty JSON to stdout.
pub fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let mut s = serde_json::to_string_pretty(value)?;
    s.push('\n');
    print(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_text_left_and_numbers_right() {
        let mut t = Table::new(&["event", "events"]);
        t.row(vec!["view".into(), int(1234567)]);
        t.row(vec!["purchase".into(), int(12)]);
        assert_eq!(t.render(), "event        events\n────────  ─────────\nview      1 234 567\npurchase         12\n");
    }
}
