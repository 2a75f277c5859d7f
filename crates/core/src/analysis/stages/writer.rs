//! A journey definition written back as a file in any of the formats it is read from (TOML, YAML, JSON), so
//! that a definition made in an editor can be exported, kept in git and read again unchanged:
//! `JourneyDefinition::parse(&d.to_text(f), f) == Ok(d)` for every format `f`.

use serde_json::{json, Map, Value};

use super::definition::{JourneyDefinition, StageOrder};
use super::source::DefinitionFormat;

/// Milliseconds in the largest whole unit of the duration syntax (`30d`, `6h`, `90s`; sub-second parts dropped).
pub fn duration_text(ms: i64) -> String {
    for (unit, size) in [("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)] {
        if ms % size == 0 {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{}s", ms / 1_000)
}

impl JourneyDefinition {
    /// The definition as a document in the file shape (`version`, `name`, `order`, `lifecycle`, `stages`).
    pub fn to_value(&self) -> Value {
        let stages: Vec<Value> = self
            .stages
            .iter()
            .map(|s| {
                let mut v = Map::new();
                v.insert("key".into(), json!(s.key));
                v.insert("name".into(), json!({"en": s.name.en, "ru": s.name.ru}));
                v.insert("event".into(), Value::from(s.any_of.iter().map(|e| e.text.clone()).collect::<Vec<_>>()));
                if s.nth != 1 {
                    v.insert("nth".into(), json!(s.nth));
                }
                if let Some(w) = s.within_ms {
                    v.insert("within".into(), json!(duration_text(w)));
                }
                Value::Object(v)
            })
            .collect();
        let mut root = Map::new();
        root.insert("version".into(), json!(self.version));
        root.insert("name".into(), json!(self.name));
        let order = match self.order {
            StageOrder::Sequential => "sequential",
            StageOrder::Implied => "implied",
        };
        root.insert("order".into(), json!(order));
        let lc = &self.lifecycle;
        let mut life = Map::new();
        if !lc.activity.is_empty() {
            life.insert("activity".into(), Value::from(lc.activity.iter().map(|e| e.text.clone()).collect::<Vec<_>>()));
        }
        for (k, v) in [("dormant", lc.dormant_ms), ("churn", lc.churn_ms)] {
            if let Some(ms) = v {
                life.insert(k.into(), json!(duration_text(ms)));
            }
        }
        if !life.is_empty() {
            root.insert("lifecycle".into(), Value::Object(life));
        }
        root.insert("stages".into(), Value::from(stages));
        Value::Object(root)
    }

    /// The definition as a file in `format`.
    pub fn to_text(&self, format: DefinitionFormat) -> String {
        let v = self.to_value();
        match format {
            DefinitionFormat::Json => serde_json::to_string_pretty(&v).unwrap_or_default() + "\n",
            DefinitionFormat::Yaml => serde_saphyr::to_string(&v).unwrap_or_default(),
            DefinitionFormat::Toml => toml_text(&v),
        }
    }
}

/// A TOML basic string.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value of the definition's shape as TOML (strings, integers, lists and inline tables of them).
fn inline(v: &Value) -> String {
    match v {
        Value::String(s) => quoted(s),
        Value::Array(a) => format!("[{}]", a.iter().map(inline).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => {
            format!("{{ {} }}", o.iter().map(|(k, v)| format!("{k} = {}", inline(v))).collect::<Vec<_>>().join(", "))
        }
        other => other.to_string(),
    }
}

fn toml_text(root: &Value) -> String {
    let mut out = String::new();
    let Some(o) = root.as_object() else { return out };
    for k in ["version", "name", "order"] {
        if let Some(v) = o.get(k) {
            out.push_str(&format!("{k} = {}\n", inline(v)));
        }
    }
    if let Some(Value::Object(life)) = o.get("lifecycle") {
        out.push_str("\n[lifecycle]\n");
        for (k, v) in life {
            out.push_str(&format!("{k} = {}\n", inline(v)));
        }
    }
    for s in o.get("stages").and_then(Value::as_array).into_iter().flatten() {
        out.push_str("\n[[stages]]\n");
        for (k, v) in s.as_object().into_iter().flatten() {
            out.push_str(&format!("{k} = {}\n", inline(v)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_definition_reads_back_the_same_in_every_format() {
        let mut d = JourneyDefinition::default_definition().unwrap();
        d.stages[1].name.ru = "Интерес \"к товару\" \\ тест".into();
        d.stages[4].within_ms = Some(30 * 86_400_000);
        for f in [DefinitionFormat::Toml, DefinitionFormat::Yaml, DefinitionFormat::Json] {
            let text = d.to_text(f);
            assert_eq!(JourneyDefinition::parse(&text, f).as_ref(), Ok(&d), "{f:?}:\n{text}");
        }
    }

    #[test]
    fn durations_are_written_in_their_largest_unit() {
        assert_eq!(duration_text(14 * 86_400_000), "2w");
        assert_eq!(duration_text(30 * 86_400_000), "30d");
        assert_eq!(duration_text(90_000), "90s");
        assert_eq!(duration_text(3_600_000), "1h");
    }
}
