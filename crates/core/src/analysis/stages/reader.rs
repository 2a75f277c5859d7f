//! Reads the tree of a definition file into a [`JourneyDefinition`], collecting every type problem (wrong kind
//! of value, unknown or missing field, bad event rule or duration) with its line, and remembering the line of each
//! field so that the problems [`JourneyDefinition::validate`] finds later can be placed too.

use std::collections::HashMap;

use super::definition::{
    DefinitionIssue, JourneyDefinition, LifecycleDef, LocalName, StageDef, StageOrder, DEFINITION_VERSION, MAX_NTH,
};
use super::source::{Node, Value};
use crate::analysis::filter::EventMatch;
use crate::time::parse_duration;

type Entries = [(String, Option<usize>, Node)];

/// Reads the tree into a definition, collecting type problems and remembering where each field is.
#[derive(Default)]
pub(super) struct Reader {
    pub issues: Vec<DefinitionIssue>,
    /// (1-based stage number, field) → line; field "" is the stage itself.
    pub lines: HashMap<(Option<usize>, String), Option<usize>>,
}

/// Where in the definition a value is.
#[derive(Clone, Copy)]
struct At<'k> {
    stage: Option<(usize, &'k str)>,
    line: Option<usize>,
}

impl Reader {
    fn issue(&mut self, at: At<'_>, field: &str, reason: impl Into<String>) {
        self.issues.push(DefinitionIssue {
            line: at.line,
            stage: at.stage.map(|(i, k)| (i + 1, k.to_string())),
            field: field.into(),
            reason: reason.into(),
        });
    }

    fn remember(&mut self, stage: Option<usize>, field: &str, line: Option<usize>) {
        self.lines.insert((stage, field.to_string()), line);
    }

    /// Reports keys outside `known`.
    fn unknown(&mut self, at: At<'_>, prefix: &str, entries: &Entries, known: &[&str]) {
        for (k, line, _) in entries {
            if !known.contains(&k.as_str()) {
                let hint = if k == "stage" { " (stages are written [[stages]])" } else { "" };
                let expected = known.join(", ");
                self.issue(
                    At { line: *line, ..at },
                    &format!("{prefix}{k}"),
                    format!("unknown field{hint}: expected one of {expected}"),
                );
            }
        }
    }

    fn string(&mut self, at: At<'_>, field: &str, n: &Node) -> Option<String> {
        match &n.value {
            Value::Str(s) => Some(s.clone()),
            other => {
                self.issue(At { line: n.line, ..at }, field, format!("must be a string, not {}", other.kind()));
                None
            }
        }
    }

    fn duration(&mut self, at: At<'_>, field: &str, n: &Node) -> Option<i64> {
        let text = self.string(at, field, n)?;
        match parse_duration(&text) {
            Ok(ms) => Some(ms),
            Err(e) => {
                self.issue(At { line: n.line, ..at }, field, e);
                None
            }
        }
    }

    /// One rule or a list of rules.
    fn rules(&mut self, at: At<'_>, field: &str, n: &Node) -> Vec<EventMatch> {
        let items: Vec<&Node> = match &n.value {
            Value::List(items) if !items.is_empty() => items.iter().collect(),
            Value::List(_) => {
                self.issue(At { line: n.line, ..at }, field, "the list is empty: give at least one event rule");
                return Vec::new();
            }
            _ => vec![n],
        };
        let many = items.len() > 1 || matches!(n.value, Value::List(_));
        let mut out = Vec::new();
        for (k, item) in items.into_iter().enumerate() {
            let name = if many { format!("{field}[{}]", k + 1) } else { field.to_string() };
            let Some(text) = self.string(at, &name, item) else { continue };
            match EventMatch::parse(&text) {
                Ok(m) => out.push(m),
                Err(e) => self.issue(At { line: item.line, ..at }, &name, format!("'{text}': {e}")),
            }
        }
        out
    }

    /// None when the file is not a table at all.
    pub fn definition(&mut self, root: &Node) -> Option<JourneyDefinition> {
        let mut def = JourneyDefinition {
            version: DEFINITION_VERSION as u32,
            name: String::new(),
            order: StageOrder::Sequential,
            stages: Vec::new(),
            lifecycle: LifecycleDef::default(),
        };
        let top = At { stage: None, line: root.line };
        let Value::Map(entries) = &root.value else {
            let kind = root.value.kind();
            self.issue(top, "", format!("the file holds {kind}: it must be a table with version, name and stages"));
            return None;
        };
        self.unknown(top, "", entries, &["version", "name", "order", "lifecycle", "stages"]);
        for (field, required) in
            [("version", "add version = 1"), ("name", "add name = \"…\""), ("stages", "add [[stages]] tables")]
        {
            if !entries.iter().any(|(k, ..)| k == field) {
                self.issue(top, field, format!("is missing: {required}"));
            }
        }
        for (k, line, v) in entries {
            self.remember(None, k, *line);
            let at = At { stage: None, line: *line };
            match k.as_str() {
                "version" => match v.value {
                    Value::Int(n) if n == DEFINITION_VERSION => {}
                    Value::Int(n) => {
                        self.issue(at, k, format!("version {n} is not supported: this tropa reads version 1"))
                    }
                    ref other => self.issue(at, k, format!("must be the number 1, not {}", other.kind())),
                },
                "name" => def.name = self.string(at, k, v).unwrap_or_else(|| "?".into()),
                "order" => match self.string(at, k, v).as_deref() {
                    Some("sequential") => def.order = StageOrder::Sequential,
                    Some("implied") => def.order = StageOrder::Implied,
                    Some(other) => self.issue(at, k, format!("unknown order '{other}': use sequential or implied")),
                    None => {}
                },
                "lifecycle" => def.lifecycle = self.lifecycle(v),
                "stages" => def.stages = self.stages(v),
                _ => {}
            }
        }
        Some(def)
    }

    fn lifecycle(&mut self, n: &Node) -> LifecycleDef {
        let mut out = LifecycleDef::default();
        let at = At { stage: None, line: n.line };
        let Value::Map(entries) = &n.value else {
            self.issue(at, "lifecycle", format!("must be a table, not {}", n.value.kind()));
            return out;
        };
        self.unknown(at, "lifecycle.", entries, &["activity", "dormant", "churn"]);
        for (k, line, v) in entries {
            let field = format!("lifecycle.{k}");
            self.remember(None, &field, *line);
            let at = At { stage: None, line: *line };
            match k.as_str() {
                "activity" => out.activity = self.rules(at, &field, v),
                "dormant" => out.dormant_ms = self.duration(at, &field, v),
                "churn" => out.churn_ms = self.duration(at, &field, v),
                _ => {}
            }
        }
        out
    }

    fn stages(&mut self, n: &Node) -> Vec<StageDef> {
        let at = At { stage: None, line: n.line };
        let Value::List(items) = &n.value else {
            self.issue(at, "stages", format!("must be a list of stage tables ([[stages]]), not {}", n.value.kind()));
            return Vec::new();
        };
        items.iter().enumerate().map(|(i, item)| self.stage(i, item)).collect()
    }

    fn stage(&mut self, i: usize, n: &Node) -> StageDef {
        let mut s = StageDef {
            key: String::new(),
            name: LocalName { en: "?".into(), ru: "?".into() },
            any_of: Vec::new(),
            nth: 1,
            within_ms: None,
        };
        self.remember(Some(i + 1), "", n.line);
        let Value::Map(entries) = &n.value else {
            let kind = n.value.kind();
            self.issue(
                At { stage: Some((i, "")), line: n.line },
                "",
                format!("must be a table with key, name and event, not {kind}"),
            );
            return s;
        };
        let key_node = entries.iter().find(|(k, ..)| k == "key").map(|(_, _, v)| v);
        let key = match key_node.map(|v| &v.value) {
            Some(Value::Str(k)) => k.clone(),
            _ => String::new(),
        };
        let at = At { stage: Some((i, key.as_str())), line: n.line };
        self.unknown(at, "", entries, &["key", "name", "event", "nth", "within"]);
        for (field, example) in [
            ("key", "key = \"purchase\""),
            ("name", "name = { en = \"…\", ru = \"…\" }"),
            ("event", "event = \"purchase\""),
        ] {
            if !entries.iter().any(|(k, ..)| k == field) {
                self.issue(at, field, format!("is missing: add {example}"));
            }
        }
        for (k, line, v) in entries {
            self.remember(Some(i + 1), k, *line);
            let at = At { line: *line, ..at };
            match k.as_str() {
                "key" => s.key = self.string(at, k, v).unwrap_or_default(),
                "name" => s.name = self.name(at, v).unwrap_or(s.name),
                "event" => s.any_of = self.rules(at, k, v),
                "nth" => match v.value {
                    Value::Int(n) if (1..=MAX_NTH as i64).contains(&n) => s.nth = n as u32,
                    Value::Int(n) => {
                        self.issue(at, k, format!("{n} is out of range: use 1 (the first time) up to {MAX_NTH}"))
                    }
                    ref other => self.issue(at, k, format!("must be a whole number such as 2, not {}", other.kind())),
                },
                "within" => s.within_ms = self.duration(at, k, v),
                _ => {}
            }
        }
        if s.key.is_empty() && key_node.is_some() {
            // a non-string key was reported already; keep the stage addressable by number
            s.key = format!("stage{}", i + 1);
        }
        s
    }

    /// `name = "…"` (both languages) or `name = { en = "…", ru = "…" }` (one may be left out).
    fn name(&mut self, at: At<'_>, n: &Node) -> Option<LocalName> {
        match &n.value {
            Value::Str(s) => Some(LocalName { en: s.clone(), ru: s.clone() }),
            Value::Map(entries) => {
                self.unknown(at, "name.", entries, &["en", "ru"]);
                let mut get = |lang: &str| {
                    let (_, line, v) = entries.iter().find(|(k, ..)| k == lang)?;
                    self.string(At { line: *line, ..at }, &format!("name.{lang}"), v)
                };
                let (en, ru) = (get("en"), get("ru"));
                match (en, ru) {
                    (Some(en), Some(ru)) => Some(LocalName { en, ru }),
                    (Some(one), None) | (None, Some(one)) => Some(LocalName { en: one.clone(), ru: one }),
                    (None, None) => {
                        self.issue(at, "name", "give at least one of en and ru");
                        None
                    }
                }
            }
            other => {
                self.issue(at, "name", format!("must be a string or a table {{ en, ru }}, not {}", other.kind()));
                None
            }
        }
    }
}
