//! Journey definition files (TOML, YAML, JSON) read into one small tree that remembers the line of every value,
//! so that validation can say where a problem is whatever the format.
//!
//! TOML is read with `toml`'s span-keeping parser, YAML with `saphyr` (a YAML 1.2 parser that marks every node).
//! JSON is checked with `serde_json` (strict syntax, exact error position) and then read through `saphyr` for the
//! lines (JSON is YAML 1.2); should `saphyr` ever refuse valid JSON, the tree comes from `serde_json`, without
//! lines.

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};
use toml::de::{DeTable, DeValue};

/// The format of a definition file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefinitionFormat {
    Toml,
    Yaml,
    Json,
}

impl DefinitionFormat {
    /// The format of a file with this extension (`toml`, `yaml`, `yml`, `json`; any case).
    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext.to_ascii_lowercase().as_str() {
            "toml" => Some(DefinitionFormat::Toml),
            "yaml" | "yml" => Some(DefinitionFormat::Yaml),
            "json" => Some(DefinitionFormat::Json),
            _ => None,
        }
    }

    /// The format's name, also the extension of its files (`toml`, `yaml`, `json`).
    pub fn name(self) -> &'static str {
        match self {
            DefinitionFormat::Toml => "toml",
            DefinitionFormat::Yaml => "yaml",
            DefinitionFormat::Json => "json",
        }
    }
}

/// A value of a definition file and the line (1-based) it starts on, when known.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub line: Option<usize>,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    List(Vec<Node>),
    /// Keys in file order, each with its own line.
    Map(Vec<(String, Option<usize>, Node)>),
    /// Something a definition never holds (a date, a null, an alias …), named for the error message.
    Other(&'static str),
}

impl Value {
    /// What the value is, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::List(_) => "a list",
            Value::Map(_) => "a table",
            Value::Other(what) => what,
        }
    }
}

/// A syntax error: the line (when known) and the parser's message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SyntaxError {
    pub line: Option<usize>,
    pub message: String,
}

/// Reads `text` into a tree.
pub(crate) fn read(text: &str, format: DefinitionFormat) -> Result<Node, SyntaxError> {
    match format {
        DefinitionFormat::Toml => read_toml(text),
        DefinitionFormat::Yaml => read_yaml(text),
        DefinitionFormat::Json => {
            let v: serde_json::Value = serde_json::from_str(text)
                .map_err(|e| SyntaxError { line: Some(e.line()), message: format!("not valid JSON: {e}") })?;
            Ok(read_yaml(text).unwrap_or_else(|_| from_json(&v)))
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    1 + text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count()
}

fn read_toml(text: &str) -> Result<Node, SyntaxError> {
    let doc = DeTable::parse(text).map_err(|e| SyntaxError {
        line: e.span().map(|s| line_of(text, s.start)),
        message: format!("not valid TOML: {}", e.message().trim()),
    })?;
    let root = toml_table(text, doc.get_ref());
    Ok(Node { line: None, value: root })
}

fn toml_table(text: &str, t: &DeTable<'_>) -> Value {
    let mut entries: Vec<(String, Option<usize>, Node)> = t
        .iter()
        .map(|(k, v)| {
            let node = Node { line: Some(line_of(text, v.span().start)), value: toml_value(text, v.get_ref()) };
            (k.get_ref().to_string(), Some(line_of(text, k.span().start)), node)
        })
        .collect();
    // the parser keeps keys sorted; file order reads better in messages
    entries.sort_by_key(|(_, line, _)| *line);
    Value::Map(entries)
}

fn toml_value(text: &str, v: &DeValue<'_>) -> Value {
    match v {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
            Ok(n) => Value::Int(n),
            Err(_) => Value::Other("an integer out of range"),
        },
        DeValue::Float(f) => f.as_str().replace('_', "").parse().map_or(Value::Other("a number"), Value::Float),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(_) => Value::Other("a date"),
        DeValue::Array(a) => Value::List(
            a.iter()
                .map(|e| Node { line: Some(line_of(text, e.span().start)), value: toml_value(text, e.get_ref()) })
                .collect(),
        ),
        DeValue::Table(t) => toml_table(text, t),
    }
}

fn read_yaml(text: &str) -> Result<Node, SyntaxError> {
    let docs = MarkedYaml::load_from_str(text)
        .map_err(|e| SyntaxError { line: Some(e.marker().line()), message: format!("not valid YAML: {}", e.info()) })?;
    match docs.first() {
        Some(doc) => Ok(yaml_node(doc)),
        None => Ok(Node { line: None, value: Value::Map(Vec::new()) }),
    }
}

fn yaml_node(n: &MarkedYaml<'_>) -> Node {
    let line = Some(n.span.start.line());
    let value = match &n.data {
        YamlData::Value(s) => scalar(s),
        YamlData::Representation(v, style, tag) => {
            scalar(&Scalar::parse_from_cow_and_metadata(v.clone(), *style, tag.as_ref()).unwrap_or(Scalar::Null))
        }
        YamlData::Sequence(items) => Value::List(items.iter().map(yaml_node).collect()),
        YamlData::Mapping(m) => Value::Map(
            m.iter()
                .map(|(k, v)| {
                    let key = match &yaml_node(k).value {
                        Value::Str(s) => s.clone(),
                        Value::Int(i) => i.to_string(),
                        Value::Bool(b) => b.to_string(),
                        other => other.kind().to_string(),
                    };
                    (key, Some(k.span.start.line()), yaml_node(v))
                })
                .collect(),
        ),
        YamlData::Tagged(_, inner) => return yaml_node(inner),
        YamlData::Alias(_) => Value::Other("an alias"),
        YamlData::BadValue => Value::Other("an unreadable value"),
    };
    Node { line, value }
}

fn scalar(s: &Scalar<'_>) -> Value {
    match s {
        Scalar::Null => Value::Other("empty (null)"),
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::Int(*i),
        Scalar::FloatingPoint(f) => Value::Float(f.into_inner()),
        Scalar::String(s) => Value::Str(s.to_string()),
    }
}

/// The tree of a JSON value, without lines.
fn from_json(v: &serde_json::Value) -> Node {
    let value = match v {
        serde_json::Value::Null => Value::Other("null"),
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::Str(s.clone()),
        serde_json::Value::Array(a) => Value::List(a.iter().map(from_json).collect()),
        serde_json::Value::Object(m) => Value::Map(m.iter().map(|(k, v)| (k.clone(), None, from_json(v))).collect()),
    };
    Node { line: None, value }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(n: &Node) -> &[(String, Option<usize>, Node)] {
        match &n.value {
            Value::Map(m) => m,
            other => panic!("not a map: {other:?}"),
        }
    }

    /// The values of a tree without lines, keys sorted.
    fn plain(n: &Node) -> String {
        match &n.value {
            Value::Str(s) => format!("{s:?}"),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Other(w) => w.to_string(),
            Value::List(items) => format!("[{}]", items.iter().map(plain).collect::<Vec<_>>().join(",")),
            Value::Map(m) => {
                let mut kv: Vec<String> = m.iter().map(|(k, _, v)| format!("{k}:{}", plain(v))).collect();
                kv.sort();
                format!("{{{}}}", kv.join(","))
            }
        }
    }

    /// The same document in three formats reads into the same values, with lines where the format gives them.
    #[test]
    fn formats_agree_and_keep_lines() {
        let toml =
            "version = 1\nname = \"x\"\n\n[[stages]]\nkey = \"a\"\nnth = 2\nevent = [\"v\", \"w where p > 1.5\"]\n";
        let yaml = "version: 1\nname: x\nstages:\n  - key: a\n    nth: 2\n    event: [v, 'w where p > 1.5']\n";
        let json = "{\n\t\"version\": 1,\n\t\"name\": \"x\",\n\t\"stages\": [\n\t\t{\"key\": \"a\", \"nth\": 2,\n\t\t \"event\": [\"v\", \"w where p > 1.5\"]}\n\t]\n}";
        let (t, y, j) = (
            read(toml, DefinitionFormat::Toml).unwrap(),
            read(yaml, DefinitionFormat::Yaml).unwrap(),
            read(json, DefinitionFormat::Json).unwrap(),
        );
        let stage_line = |n: &Node| match &map(n).iter().find(|(k, ..)| k == "stages").unwrap().2.value {
            Value::List(items) => {
                let m = map(&items[0]);
                (items[0].line, m.iter().find(|(k, ..)| k == "nth").unwrap().1)
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(stage_line(&t), (Some(4), Some(6)));
        assert_eq!(stage_line(&y), (Some(4), Some(5)));
        assert_eq!(stage_line(&j), (Some(5), Some(5)));
        assert_eq!(plain(&t), plain(&y));
        assert_eq!(plain(&t), plain(&j));
        assert_eq!(plain(&t), r#"{name:"x",stages:[{event:["v","w where p > 1.5"],key:"a",nth:2}],version:1}"#);
    }

    #[test]
    fn syntax_errors_name_the_line() {
        for (text, format, line) in [
            ("version = 1\nname = [1,\n\n", DefinitionFormat::Toml, 2),
            ("version: 1\nstages: [a,\nb: c", DefinitionFormat::Yaml, 3),
            ("{\"version\": 1,\n\"name\": }", DefinitionFormat::Json, 2),
        ] {
            let e = read(text, format).unwrap_err();
            assert_eq!(e.line, Some(line), "{format:?}: {e:?}");
        }
    }

    #[test]
    fn json_without_yaml_still_reads() {
        let v: serde_json::Value = serde_json::json!({"a": [1, 2.5, "x", true, null]});
        let n = from_json(&v);
        let Value::List(items) = &map(&n)[0].2.value else { panic!() };
        let kinds: Vec<&str> = items.iter().map(|i| i.value.kind()).collect();
        assert_eq!(kinds, ["an integer", "a number", "a string", "a boolean", "null"]);
    }
}
