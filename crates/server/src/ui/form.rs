//! Pieces of the builder forms: problems keyed by field and shown beside it, selects, text inputs.

use std::collections::HashMap;

use super::esc;
use super::i18n::Lang;

/// Problems of a form, by the form field they belong to.
pub struct FieldErrors(HashMap<String, String>);

impl FieldErrors {
    /// From the query API's (field path, message) pairs: `steps[2].event` belongs to the `steps` box and is told
    /// as "line 3"; `filters.since` to `since`; other paths to their own field.
    pub fn new(lang: Lang, problems: &[(String, String)], lines_of: &str) -> FieldErrors {
        let map = problems
            .iter()
            .map(|(f, m)| {
                let line = f
                    .strip_prefix(&format!("{lines_of}["))
                    .and_then(|r| r.split(']').next())
                    .and_then(|n| n.parse::<usize>().ok());
                match line {
                    Some(i) => (lines_of.to_string(), format!("{} {}: {m}", lang.t("line"), i + 1)),
                    None if !lines_of.is_empty() && f.starts_with(lines_of) => (lines_of.to_string(), m.clone()),
                    None => (f.strip_prefix("filters.").unwrap_or(f).to_string(), format!("{f}: {m}")),
                }
            })
            .collect();
        FieldErrors(map)
    }

    /// The message paragraph for `field` ("" when it has none).
    pub fn at(&self, field: &str) -> String {
        self.0.get(field).map(|m| format!("<p class=\"err\" role=\"alert\">{}</p>", esc(m))).unwrap_or_default()
    }

    /// ` aria-invalid="true"` for a field with a problem.
    pub fn invalid(&self, field: &str) -> &'static str {
        if self.0.contains_key(field) {
            " aria-invalid=\"true\""
        } else {
            ""
        }
    }

    /// A labelled text input with its problem.
    pub fn input(&self, name: &str, label: &str, value: &str, kind: &str, placeholder: &str) -> String {
        format!(
            "<label for=\"{name}\">{label}</label><input id=\"{name}\" name=\"{name}\" type=\"{kind}\" value=\"{}\" \
             placeholder=\"{}\"{}>{}",
            esc(value),
            esc(placeholder),
            self.invalid(name),
            self.at(name)
        )
    }

    /// A labelled select with its problem.
    pub fn select(&self, name: &str, label: &str, current: &str, options: &[(&str, &str)]) -> String {
        let opts: String = options
            .iter()
            .map(|(v, text)| {
                let sel = if *v == current { " selected" } else { "" };
                format!("<option value=\"{}\"{sel}>{}</option>", esc(v), esc(text))
            })
            .collect();
        format!(
            "<label for=\"{name}\">{label}</label><select id=\"{name}\" name=\"{name}\"{}>{opts}</select>{}",
            self.invalid(name),
            self.at(name)
        )
    }
}
