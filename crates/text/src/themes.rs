//! Themes: what a text talks about (delivery, price, payment…), from an editable ru/en theme list.
//!
//! Definition: a theme has a key, a name in English and Russian, and terms in each language. A term is one
//! or more words; a word matches any word of the text with the same Snowball stem ("deliveries" matches
//! "delivery"), a word ending in `*` matches any word that starts with it ("достав*" matches "доставили").
//! A term of several words matches those words in a row, with no punctuation between. A text has a theme
//! when any of its terms, in either language, matches; [`ThemeList::assign`] returns the keys in list
//! order. The default list (`data/themes.toml`) is embedded; a project can edit a copy, in TOML
//! (`[[theme]]` tables) or JSON (`{"theme": [...]}`) of the same shape: `key`, `name_en`, `name_ru`,
//! `en`, `ru`. Every problem of a list is reported at once, each naming its field
//! (`theme[2].ru[0]`) and the reason. Example: `assign("Курьер опоздал, доставка долгая")` is
//! `["delivery", "courier"]`.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{TextError, ThemeIssue, ThemeReason};
use crate::stem::stem;
use crate::token::{tokenize, TokenKind};

/// Longest key, name or term, in characters.
const MAX_LEN: usize = 100;
/// Most themes in a list.
const MAX_THEMES: usize = 200;

/// One theme of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Theme {
    /// A stable identifier: lowercase letters, digits, `_` or `-`.
    pub key: String,
    /// The name shown in English.
    pub name_en: String,
    /// The name shown in Russian.
    pub name_ru: String,
    /// English terms.
    pub en: Vec<String>,
    /// Russian terms.
    pub ru: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Stem(String),
    Prefix(String),
}

impl Part {
    fn matches(&self, word: &str, word_stem: &str) -> bool {
        match self {
            Part::Stem(s) => s == word_stem,
            Part::Prefix(p) => word.starts_with(p.as_str()),
        }
    }
}

/// A validated theme list, ready to assign themes to texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeList {
    themes: Vec<Theme>,
    /// Per theme, its terms compiled to word patterns.
    patterns: Vec<Vec<Vec<Part>>>,
    /// (theme, term) by the term's first word: by stem, and by prefix.
    by_stem: FxHashMap<String, Vec<(usize, usize)>>,
    by_prefix: FxHashMap<String, Vec<(usize, usize)>>,
}

/// How many texts mention each theme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThemeCounts {
    /// Texts counted.
    pub texts: usize,
    /// `(key, texts with the theme)` in list order, zeros included.
    pub counts: Vec<(String, usize)>,
}

/// A term compiled to its word patterns, or why it cannot be.
fn compile(term: &str) -> Result<Vec<Part>, ThemeReason> {
    let mut parts = Vec::new();
    for raw in term.split_whitespace() {
        let (body, prefix) = match raw.strip_suffix('*') {
            Some(b) => (b, true),
            None => (raw, false),
        };
        let words: Vec<String> =
            tokenize(body).into_iter().filter(|t| t.kind == TokenKind::Word).map(|t| t.text).collect();
        match (words.as_slice(), prefix) {
            ([w], true) => parts.push(Part::Prefix(w.clone())),
            ([w], false) => parts.push(Part::Stem(stem(w).into_owned())),
            _ => return Err(ThemeReason::NotAWord),
        }
    }
    if parts.is_empty() {
        return Err(ThemeReason::Empty);
    }
    Ok(parts)
}

fn text_field(item: &Value, name: &str, path: &str, issues: &mut Vec<ThemeIssue>) -> String {
    let field = format!("{path}.{name}");
    match item.get(name) {
        None => issues.push(ThemeIssue { field, reason: ThemeReason::Missing }),
        Some(Value::String(s)) if s.trim().is_empty() => issues.push(ThemeIssue { field, reason: ThemeReason::Empty }),
        Some(Value::String(s)) if s.chars().count() > MAX_LEN => {
            issues.push(ThemeIssue { field, reason: ThemeReason::TooLong { max: MAX_LEN } })
        }
        Some(Value::String(s)) => return s.trim().to_string(),
        Some(_) => issues.push(ThemeIssue { field, reason: ThemeReason::NotAString }),
    }
    String::new()
}

impl ThemeList {
    /// The default list, embedded from `data/themes.toml`.
    pub fn builtin() -> &'static ThemeList {
        static LIST: OnceLock<ThemeList> = OnceLock::new();
        LIST.get_or_init(|| {
            ThemeList::from_toml(include_str!("../data/themes.toml")).unwrap_or_else(|_| ThemeList::new(vec![], vec![]))
        })
    }

    /// The default list's file, to start an edited copy from.
    pub fn builtin_toml() -> &'static str {
        include_str!("../data/themes.toml")
    }

    /// Parses a list in TOML (`[[theme]]` tables).
    pub fn from_toml(text: &str) -> Result<ThemeList, TextError> {
        let table = toml::de::DeTable::parse(text).map_err(|e| TextError::Syntax {
            line: e.span().map(|s| 1 + text[..s.start.min(text.len())].matches('\n').count()),
            message: e.message().trim().to_string(),
        })?;
        ThemeList::from_value(&toml_to_json(&toml::de::DeValue::Table(table.into_inner())))
    }

    /// Parses a list in JSON (`{"theme": [...]}`).
    pub fn from_json(text: &str) -> Result<ThemeList, TextError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| TextError::Syntax { line: Some(e.line()), message: e.to_string() })?;
        ThemeList::from_value(&value)
    }

    /// Validates a parsed list: every problem is returned, each with its field.
    fn from_value(value: &Value) -> Result<ThemeList, TextError> {
        let mut issues = Vec::new();
        let items = match value.get("theme") {
            Some(Value::Array(items)) => items.as_slice(),
            Some(_) => {
                return Err(TextError::Invalid(vec![ThemeIssue {
                    field: "theme".into(),
                    reason: ThemeReason::NotAList,
                }]))
            }
            None => {
                return Err(TextError::Invalid(vec![ThemeIssue {
                    field: "theme".into(),
                    reason: ThemeReason::Missing,
                }]))
            }
        };
        if let Some(Value::Object(map)) = Some(value) {
            for k in map.keys().filter(|k| *k != "theme") {
                issues.push(ThemeIssue { field: k.clone(), reason: ThemeReason::UnknownField });
            }
        }
        if items.len() > MAX_THEMES {
            issues.push(ThemeIssue { field: "theme".into(), reason: ThemeReason::TooMany { max: MAX_THEMES } });
        }
        let (mut themes, mut patterns) = (Vec::new(), Vec::new());
        for (i, item) in items.iter().enumerate() {
            let path = format!("theme[{i}]");
            let Some(map) = item.as_object() else {
                issues.push(ThemeIssue { field: path, reason: ThemeReason::NotATable });
                continue;
            };
            for k in map.keys().filter(|k| !["key", "name_en", "name_ru", "en", "ru"].contains(&k.as_str())) {
                issues.push(ThemeIssue { field: format!("{path}.{k}"), reason: ThemeReason::UnknownField });
            }
            let key = text_field(item, "key", &path, &mut issues);
            if !key.is_empty()
                && !key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            {
                issues.push(ThemeIssue { field: format!("{path}.key"), reason: ThemeReason::BadKey });
            } else if !key.is_empty() && themes.iter().any(|t: &Theme| t.key == key) {
                issues.push(ThemeIssue { field: format!("{path}.key"), reason: ThemeReason::Duplicate });
            }
            let name_en = text_field(item, "name_en", &path, &mut issues);
            let name_ru = text_field(item, "name_ru", &path, &mut issues);
            let mut compiled = Vec::new();
            let mut terms = [Vec::new(), Vec::new()];
            for (lang, slot) in ["en", "ru"].into_iter().zip(&mut terms) {
                let field = format!("{path}.{lang}");
                let list = match item.get(lang) {
                    None => continue,
                    Some(Value::Array(list)) => list,
                    Some(_) => {
                        issues.push(ThemeIssue { field, reason: ThemeReason::NotAList });
                        continue;
                    }
                };
                for (j, term) in list.iter().enumerate() {
                    let field = format!("{field}[{j}]");
                    let Some(term) = term.as_str() else {
                        issues.push(ThemeIssue { field, reason: ThemeReason::NotAString });
                        continue;
                    };
                    if term.chars().count() > MAX_LEN {
                        issues.push(ThemeIssue { field, reason: ThemeReason::TooLong { max: MAX_LEN } });
                        continue;
                    }
                    match compile(term) {
                        Ok(parts) => {
                            compiled.push(parts);
                            slot.push(term.trim().to_string());
                        }
                        Err(reason) => issues.push(ThemeIssue { field, reason }),
                    }
                }
            }
            if terms.iter().all(Vec::is_empty)
                && !issues
                    .iter()
                    .any(|x| x.field.starts_with(&format!("{path}.en")) || x.field.starts_with(&format!("{path}.ru")))
            {
                issues.push(ThemeIssue { field: format!("{path}.en"), reason: ThemeReason::NoTerms });
            }
            let [en, ru] = terms;
            themes.push(Theme { key, name_en, name_ru, en, ru });
            patterns.push(compiled);
        }
        if issues.is_empty() {
            Ok(ThemeList::new(themes, patterns))
        } else {
            Err(TextError::Invalid(issues))
        }
    }

    fn new(themes: Vec<Theme>, patterns: Vec<Vec<Vec<Part>>>) -> ThemeList {
        let (mut by_stem, mut by_prefix) = (FxHashMap::default(), FxHashMap::default());
        for (t, terms) in patterns.iter().enumerate() {
            for (j, parts) in terms.iter().enumerate() {
                let (map, key) = match &parts[0] {
                    Part::Stem(s) => (&mut by_stem, s),
                    Part::Prefix(p) => (&mut by_prefix, p),
                };
                map.entry(key.clone()).or_insert_with(Vec::new).push((t, j));
            }
        }
        ThemeList { themes, patterns, by_stem, by_prefix }
    }

    /// The themes in list order.
    pub fn themes(&self) -> &[Theme] {
        &self.themes
    }

    /// The list as JSON of the shape [`ThemeList::from_json`] reads.
    pub fn to_json(&self) -> Value {
        serde_json::json!({ "theme": self.themes })
    }

    /// The keys of the themes `text` mentions, in list order.
    pub fn assign(&self, text: &str) -> Vec<&str> {
        // words of the text with their stems; punctuation breaks runs (None)
        let words: Vec<Option<(String, String)>> = tokenize(text)
            .into_iter()
            .filter(|t| t.kind != TokenKind::Emoji)
            .map(|t| match t.kind {
                TokenKind::Word => {
                    let s = stem(&t.text).into_owned();
                    Some((t.text, s))
                }
                _ => None,
            })
            .collect();
        let mut found = vec![false; self.themes.len()];
        for (at, word) in words.iter().enumerate() {
            let Some((w, s)) = word else { continue };
            let prefixes = w.char_indices().skip(1).map(|(i, _)| &w[..i]).chain(std::iter::once(w.as_str()));
            let candidates =
                self.by_stem.get(s.as_str()).into_iter().chain(prefixes.filter_map(|p| self.by_prefix.get(p)));
            for &(t, j) in candidates.flatten() {
                if found[t] {
                    continue;
                }
                let rest = &self.patterns[t][j][1..];
                found[t] = rest
                    .iter()
                    .enumerate()
                    .all(|(k, p)| matches!(words.get(at + 1 + k), Some(Some((w, s))) if p.matches(w, s)));
            }
        }
        self.themes.iter().zip(found).filter(|(_, f)| *f).map(|(t, _)| t.key.as_str()).collect()
    }

    /// How many of `texts` mention each theme.
    pub fn count<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> ThemeCounts {
        let mut counts = vec![0usize; self.themes.len()];
        let mut n = 0;
        for text in texts {
            n += 1;
            for key in self.assign(text) {
                if let Some(i) = self.themes.iter().position(|t| t.key == key) {
                    counts[i] += 1;
                }
            }
        }
        ThemeCounts { texts: n, counts: self.themes.iter().map(|t| t.key.clone()).zip(counts).collect() }
    }
}

fn toml_to_json(v: &toml::de::DeValue<'_>) -> Value {
    use toml::de::DeValue;
    match v {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => Value::from(i.to_string().parse::<i64>().unwrap_or(0)),
        DeValue::Float(_) => Value::from(0.5),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(a) => Value::Array(a.iter().map(|x| toml_to_json(x.get_ref())).collect()),
        DeValue::Table(t) => {
            Value::Object(t.iter().map(|(k, x)| (k.get_ref().to_string(), toml_to_json(x.get_ref()))).collect())
        }
    }
}

#[cfg(test)]
mod tests;
