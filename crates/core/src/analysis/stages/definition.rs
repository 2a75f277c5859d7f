//! Journey definitions: ordered stages, each a rule over events, plus the lifecycle settings; read from TOML,
//! YAML or JSON and validated with every problem named by line, stage and field.
//!
//! ```toml
//! version = 1                  # format version; this tropa reads 1
//! name = "default"
//! order = "sequential"         # or "implied" (see the `stages` module)
//!
//! [lifecycle]                  # optional
//! activity = "*"               # one rule or a list; default: any event
//! dormant = "30d"              # optional defaults for `tropa stages --dormant/--churn`
//! churn = "90d"
//!
//! [[stages]]
//! key = "purchase"             # letters, digits, `_` or `-`; unique
//! name = { en = "Purchase", ru = "Покупка" }   # or one string for both languages
//! event = "purchase where revenue > 0"        # or a list of alternatives (any of them)
//! nth = 1                      # optional: the nth time the rule is met (2 = the second purchase)
//! within = "30d"               # optional, sequential order only: at most this long after the previous stage
//! ```
//! In YAML and JSON the same fields: `stages:` is a list of maps. The embedded default is [`DEFAULT_DEFINITION`].

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use super::reader::Reader;
use super::source::{self, DefinitionFormat};
use crate::analysis::filter::EventMatch;

/// The format version this build reads.
pub const DEFINITION_VERSION: i64 = 1;
/// The most stages a definition may have.
pub const MAX_STAGES: usize = 32;
/// The largest `nth`.
pub const MAX_NTH: u32 = 1_000_000;
/// The embedded default definition: the five stages of a customer's journey (awareness to repeat purchase), fitted to the demo data.
pub const DEFAULT_DEFINITION: &str = include_str!("default.toml");

/// A name in English and Russian.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalName {
    pub en: String,
    pub ru: String,
}

/// How stages follow each other (see the `stages` module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageOrder {
    /// A stage is entered at the first event meeting its rule at or after the previous stage's entry.
    #[default]
    Sequential,
    /// A stage is entered when its rule is first met; entering a stage enters every earlier stage too.
    Implied,
}

/// One stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageDef {
    pub key: String,
    pub name: LocalName,
    /// The rule: an event matching any of these.
    pub any_of: Vec<EventMatch>,
    /// The rule is met at its `nth` matching event (1 = the first).
    pub nth: u32,
    /// Sequential order only: entered at most this many milliseconds after the previous stage.
    pub within_ms: Option<i64>,
}

/// Lifecycle settings of a definition.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LifecycleDef {
    /// Events that count as activity (any of them); empty: every event.
    pub activity: Vec<EventMatch>,
    pub dormant_ms: Option<i64>,
    pub churn_ms: Option<i64>,
}

/// A journey definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JourneyDefinition {
    pub version: u32,
    pub name: String,
    pub order: StageOrder,
    pub stages: Vec<StageDef>,
    pub lifecycle: LifecycleDef,
}

/// One problem with a definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefinitionIssue {
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    /// 1-based stage number and key ("" when the key is missing) for a problem inside a stage.
    pub stage: Option<(usize, String)>,
    /// The field: `version`, `stages`, `nth`, `name.ru`, `event[2]`, `lifecycle.churn` …
    pub field: String,
    /// Lower-case reason that says what to do.
    pub reason: String,
}

impl fmt::Display for DefinitionIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        match &self.stage {
            Some((n, key)) if key.is_empty() => write!(f, "stage {n}, ")?,
            Some((n, key)) => write!(f, "stage {n} '{key}', ")?,
            None => {}
        }
        if self.field.is_empty() {
            write!(f, "{}", self.reason)
        } else {
            write!(f, "{}: {}", self.field, self.reason)
        }
    }
}

/// Every problem found in a definition (never empty).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.issues.iter().map(|i| i.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct DefinitionError {
    pub issues: Vec<DefinitionIssue>,
}

impl JourneyDefinition {
    /// Reads and validates a definition.
    pub fn parse(text: &str, format: DefinitionFormat) -> Result<Self, DefinitionError> {
        let root = source::read(text, format).map_err(|e| DefinitionError {
            issues: vec![DefinitionIssue { line: e.line, stage: None, field: String::new(), reason: e.message }],
        })?;
        let mut r = Reader::default();
        let Some(def) = r.definition(&root) else { return Err(DefinitionError { issues: r.issues }) };
        let read_failed: Vec<(Option<usize>, String)> =
            r.issues.iter().map(|i| (i.stage.as_ref().map(|s| s.0), i.field.clone())).collect();
        let mut issues = r.issues;
        if let Err(e) = def.validate() {
            for mut i in e.issues {
                let at = (i.stage.as_ref().map(|s| s.0), i.field.clone());
                if read_failed.contains(&at) {
                    continue;
                }
                i.line = r.lines.get(&at).copied().flatten().or_else(|| {
                    i.stage.as_ref().and_then(|s| r.lines.get(&(Some(s.0), String::new())).copied().flatten())
                });
                issues.push(i);
            }
        }
        if issues.is_empty() {
            Ok(def)
        } else {
            issues.sort_by_key(|i| i.line.unwrap_or(0));
            Err(DefinitionError { issues })
        }
    }

    /// The embedded default definition ([`DEFAULT_DEFINITION`]).
    pub fn default_definition() -> Result<Self, DefinitionError> {
        Self::parse(DEFAULT_DEFINITION, DefinitionFormat::Toml)
    }

    /// Checks the rules a definition built in code must follow too.
    pub fn validate(&self) -> Result<(), DefinitionError> {
        let mut issues = Vec::new();
        let mut top = |field: &str, reason: String| {
            issues.push(DefinitionIssue { line: None, stage: None, field: field.into(), reason })
        };
        if self.version as i64 != DEFINITION_VERSION {
            top("version", format!("version {} is not supported: this tropa reads version 1", self.version));
        }
        if self.name.trim().is_empty() {
            top("name", "is empty: name the definition, e.g. name = \"default\"".into());
        }
        if self.stages.is_empty() {
            top("stages", "no stages: add at least one [[stages]] table with a key, a name and an event".into());
        }
        if self.stages.len() > MAX_STAGES {
            top("stages", format!("{} stages: at most {MAX_STAGES} are supported", self.stages.len()));
        }
        let (d, c) = (self.lifecycle.dormant_ms, self.lifecycle.churn_ms);
        for (field, v) in [("lifecycle.dormant", d), ("lifecycle.churn", c)] {
            if v.is_some_and(|v| v <= 0) {
                top(field, "must be longer than zero".into());
            }
        }
        if let (Some(d), Some(c)) = (d, c) {
            if c <= d {
                top("lifecycle.churn", "must be longer than lifecycle.dormant".into());
            }
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, s) in self.stages.iter().enumerate() {
            let mut at = |field: &str, reason: String| {
                issues.push(DefinitionIssue {
                    line: None,
                    stage: Some((i + 1, s.key.clone())),
                    field: field.into(),
                    reason,
                })
            };
            if s.key.is_empty() || !s.key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                at("key", format!("'{}' is not a key: use letters, digits, '_' or '-', e.g. repeat_purchase", s.key));
            } else if let Some(first) = seen.insert(&s.key, i + 1) {
                at("key", format!("'{}' is already the key of stage {first}: keys must be unique", s.key));
            }
            if s.name.en.trim().is_empty() || s.name.ru.trim().is_empty() {
                at("name", "is empty: give names such as name = { en = \"Purchase\", ru = \"Покупка\" }".into());
            }
            if s.any_of.is_empty() {
                at("event", "no rule: give an event such as \"purchase\" or a list of alternatives".into());
            }
            if s.nth == 0 || s.nth > MAX_NTH {
                at("nth", format!("{} is out of range: use 1 (the first time) up to {MAX_NTH}", s.nth));
            }
            if let Some(w) = s.within_ms {
                if w <= 0 {
                    at("within", "must be longer than zero".into());
                } else if i == 0 {
                    at("within", "the first stage has no previous stage to count from: remove it".into());
                } else if self.order == StageOrder::Implied {
                    at("within", "only works with order = \"sequential\": remove it or change the order".into());
                }
            }
        }
        if issues.is_empty() {
            Ok(())
        } else {
            Err(DefinitionError { issues })
        }
    }

    /// The index of the stage with this key.
    pub fn stage_index(&self, key: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toml(text: &str) -> Result<JourneyDefinition, DefinitionError> {
        JourneyDefinition::parse(text, DefinitionFormat::Toml)
    }

    /// Expects the parse to fail with exactly these issues, written `line: stage 'key', field: …` (a prefix).
    fn check(text: &str, format: DefinitionFormat, expect: &[&str]) {
        let err = JourneyDefinition::parse(text, format).expect_err(text);
        let got: Vec<String> = err.issues.iter().map(|i| i.to_string()).collect();
        assert_eq!(got.len(), expect.len(), "{got:#?}");
        for (g, e) in got.iter().zip(expect) {
            assert!(g.starts_with(e), "got {g:?}, want it to start with {e:?}");
        }
    }

    #[test]
    fn the_default_definition_reads_and_has_the_five_seed_stages() {
        let d = JourneyDefinition::default_definition().unwrap();
        let keys: Vec<&str> = d.stages.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys, ["awareness", "interest", "consideration", "purchase", "repeat_purchase"]);
        let ru: Vec<&str> = d.stages.iter().map(|s| s.name.ru.as_str()).collect();
        assert_eq!(ru, ["Осведомленность", "Интерес", "Рассмотрение", "Покупка", "Повторная покупка"]);
        assert_eq!(d.stages[4].nth, 2);
        assert_eq!(d.stages[3].any_of[0].text, "purchase where revenue > 0");
        assert_eq!(d.stages[1].any_of.len(), 2);
        assert_eq!(d.order, StageOrder::Sequential);
        assert_eq!(d.lifecycle.dormant_ms, Some(30 * 86_400_000));
        assert_eq!(d.lifecycle.churn_ms, Some(90 * 86_400_000));
    }

    #[test]
    fn toml_yaml_and_json_give_the_same_definition() {
        let t = "version = 1\nname = \"n\"\norder = \"sequential\"\n[lifecycle]\nactivity = [\"view\", \"buy\"]\n\
                 [[stages]]\nkey = \"a\"\nname = \"A\"\nevent = \"view\"\n\
                 [[stages]]\nkey = \"b\"\nname = { en = \"B\", ru = \"Б\" }\nevent = [\"buy where revenue > 5\", \"call\"]\nnth = 2\nwithin = \"7d\"\n";
        let y = "version: 1\nname: n\norder: sequential\nlifecycle:\n  activity: [view, buy]\nstages:\n\
                 - key: a\n  name: A\n  event: view\n\
                 - key: b\n  name: {en: B, ru: Б}\n  event: ['buy where revenue > 5', call]\n  nth: 2\n  within: 7d\n";
        let j = r#"{"version": 1, "name": "n", "order": "sequential", "lifecycle": {"activity": ["view", "buy"]},
                   "stages": [{"key": "a", "name": "A", "event": "view"},
                              {"key": "b", "name": {"en": "B", "ru": "Б"}, "event": ["buy where revenue > 5", "call"],
                               "nth": 2, "within": "7d"}]}"#;
        let a = toml(t).unwrap();
        assert_eq!(a, JourneyDefinition::parse(y, DefinitionFormat::Yaml).unwrap());
        assert_eq!(a, JourneyDefinition::parse(j, DefinitionFormat::Json).unwrap());
        assert_eq!(a.stages[1].within_ms, Some(7 * 86_400_000));
        assert_eq!(a.stages[0].name, LocalName { en: "A".into(), ru: "A".into() });
        assert_eq!(a.lifecycle.activity.len(), 2);
    }

    #[test]
    fn every_problem_is_named_by_line_stage_and_field() {
        let text = "version = 1\nname = \"x\"\nextra = 3\n\n\
                    [[stages]]\nkey = \"a\"\nname = \"A\"\nevent = \"view\"\nwithin = \"3d\"\n\n\
                    [[stages]]\nkey = \"b\"\nname = { en = \"B\" }\nevent = [\"buy wher x\", \"cart\"]\nnth = \"two\"\n\n\
                    [[stages]]\nkey = \"a\"\nname = 5\nevent = \"pay\"\nwithin = \"3x\"\n\n\
                    [[stages]]\nname = \"D\"\nevent = \"*\"\nnth = 0\n";
        check(
            text,
            DefinitionFormat::Toml,
            &[
                "line 3: extra: unknown field",
                "line 9: stage 1 'a', within: the first stage has no previous stage",
                "line 14: stage 2 'b', event[1]: 'buy wher x':",
                "line 15: stage 2 'b', nth: must be a whole number such as 2, not a string",
                "line 18: stage 3 'a', key: 'a' is already the key of stage 1",
                "line 19: stage 3 'a', name: must be a string or a table",
                "line 21: stage 3 'a', within: '3x': unknown unit 'x'",
                "line 23: stage 4, key: is missing",
                "line 26: stage 4, nth: 0 is out of range",
            ],
        );
    }

    #[test]
    fn top_level_problems_and_other_formats() {
        check(
            "name = \"x\"\n[[stage]]\nkey = \"a\"\n",
            DefinitionFormat::Toml,
            &[
                "version: is missing",
                "stages: is missing",
                "line 2: stage: unknown field (stages are written [[stages]])",
            ],
        );
        check(
            "version = 2\nname = \"x\"\norder = \"loose\"\nstages = []\n",
            DefinitionFormat::Toml,
            &[
                "line 1: version: version 2 is not supported",
                "line 3: order: unknown order 'loose'",
                "line 4: stages: no stages",
            ],
        );
        check(
            "version = 1\nname = \"x\"\n[lifecycle]\ndormant = \"90d\"\nchurn = \"30d\"\n[[stages]]\nkey = \"a\"\nname = \"A\"\nevent = \"v\"\n",
            DefinitionFormat::Toml,
            &["line 5: lifecycle.churn: must be longer than lifecycle.dormant"],
        );
        check(
            "version: 1\nname: x\norder: implied\nstages:\n  - key: a\n    name: A\n    event: v\n  - key: b\n    name: B\n    event: w\n    within: 2d\n",
            DefinitionFormat::Yaml,
            &["line 11: stage 2 'b', within: only works with order = \"sequential\""],
        );
        check(
            "{\"version\": 1, \"name\": \"x\",\n \"stages\": [\n  {\"key\": \"a\", \"name\": \"A\", \"event\": []}]}",
            DefinitionFormat::Json,
            &["line 3: stage 1 'a', event: the list is empty"],
        );
        check("[1, 2]", DefinitionFormat::Json, &["line 1: the file holds a list"]);
        check("version = 1\nname = [\n", DefinitionFormat::Toml, &["line 2: not valid TOML"]);
    }
}
