//! Event conditions: an event name plus property filters, in a small syntax usable on the command line.
//!
//! ```text
//! step      := EVENT [ "where" cond { "and" cond } ]
//! cond      := FIELD op VALUE | FIELD "in" "(" VALUE { "," VALUE } ")"
//! op        := "=" | "!=" | "~" (contains) | "!~" (does not contain) | ">" | ">=" | "<" | "<="
//! VALUE     := number | 'quoted' | "quoted" | bare-word
//! FIELD     := channel | source | medium | campaign | term | content | touchpoint | currency | country | city
//!            | revenue | referrer | page_url | page_title | properties.KEY | KEY (a property) ; KEY may be dotted
//! ```
//! Examples: `purchase`, `purchase where revenue > 1000`, `add_to_cart where category = tents and price >= 5000`,
//! `page_view where page_url ~ /checkout`, `view_item where channel in (email, organic_search)`.
//! `*` as the event matches any event. Numbers compare numerically (a string property holding a number is read
//! as one); `=`/`!=` on a number field compare numerically too. A missing property matches only `!=` and `!~`.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::dict::DictCol;
use crate::text_error::TextError;

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    Eq,
    Ne,
    Contains,
    NotContains,
    Gt,
    Ge,
    Lt,
    Le,
    In,
}

/// What a condition looks at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    /// A dictionary-coded column.
    Dict(DictCol),
    Revenue,
    Referrer,
    PageUrl,
    PageTitle,
    /// Browser, operating system or device type read from the user agent ([`crate::useragent`]).
    Device(crate::useragent::DeviceField),
    /// A property path (`a.b` looks into nested objects).
    Property(Vec<String>),
}

/// One condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cond {
    pub field: Field,
    pub op: Op,
    pub values: Vec<String>,
}

/// An event name and its conditions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventMatch {
    /// Event name, or `*` for any.
    pub event: String,
    pub conds: Vec<Cond>,
    /// The text it was parsed from.
    pub text: String,
}

impl fmt::Display for EventMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn field(name: &str) -> Field {
    let dict = match name {
        "channel" => Some(DictCol::Channel),
        "source" | "utm_source" => Some(DictCol::Source),
        "medium" | "utm_medium" => Some(DictCol::Medium),
        "campaign" | "utm_campaign" => Some(DictCol::Campaign),
        "term" | "utm_term" => Some(DictCol::Term),
        "content" | "utm_content" => Some(DictCol::Content),
        "touchpoint" => Some(DictCol::Touchpoint),
        "currency" => Some(DictCol::Currency),
        "country" => Some(DictCol::Country),
        "city" => Some(DictCol::City),
        _ => None,
    };
    if let Some(d) = dict {
        return Field::Dict(d);
    }
    match name {
        "revenue" => Field::Revenue,
        "referrer" => Field::Referrer,
        "page_url" | "url" => Field::PageUrl,
        "page_title" | "title" => Field::PageTitle,
        "browser" => Field::Device(crate::useragent::DeviceField::Browser),
        "os" => Field::Device(crate::useragent::DeviceField::Os),
        "device" => Field::Device(crate::useragent::DeviceField::Device),
        _ => Field::Property(name.strip_prefix("properties.").unwrap_or(name).split('.').map(String::from).collect()),
    }
}

/// Splits the condition text into tokens: words, quoted strings, operators, parentheses and commas.
fn tokens(s: &str) -> Result<Vec<String>, TextError> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' || c == '"' {
            let end = chars[i + 1..].iter().position(|&d| d == c).ok_or(TextError::UnclosedQuote { quote: c })?;
            out.push(format!("\u{1}{}", chars[i + 1..i + 1 + end].iter().collect::<String>()));
            i += end + 2;
        } else if "(),".contains(c) {
            out.push(c.to_string());
            i += 1;
        } else if "=!<>~".contains(c) {
            let mut op = c.to_string();
            if i + 1 < chars.len() && "=~".contains(chars[i + 1]) && c != '=' && c != '~' {
                op.push(chars[i + 1]);
                i += 1;
            }
            out.push(op);
            i += 1;
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && !"(),=!<>~'\"".contains(chars[i]) {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        }
    }
    Ok(out)
}

fn value(tok: &str) -> String {
    tok.strip_prefix('\u{1}').unwrap_or(tok).to_string()
}

impl EventMatch {
    /// Any event with this name, no conditions.
    pub fn name(event: &str) -> Self {
        EventMatch { event: event.to_string(), conds: Vec::new(), text: event.to_string() }
    }

    /// Parses `EVENT [where COND and …]`; the error says what is wrong and where.
    pub fn parse(text: &str) -> Result<Self, TextError> {
        let text = text.trim();
        let mut parts = text.splitn(2, char::is_whitespace);
        let event = parts.next().unwrap_or("");
        let tail = parts.next().unwrap_or("").trim();
        if event.is_empty() || event == "where" {
            return Err(TextError::NoEventName);
        }
        let rest = if tail.is_empty() {
            None
        } else if let Some(conds) =
            tail.strip_prefix("where").filter(|r| r.is_empty() || r.starts_with(char::is_whitespace))
        {
            Some(conds)
        } else {
            return Err(TextError::NotOneEvent { text: text.to_string() });
        };
        let mut conds = Vec::new();
        if let Some(rest) = rest {
            let toks = tokens(rest)?;
            let mut i = 0;
            loop {
                let Some(f) = toks.get(i) else { return Err(TextError::ConditionMissing) };
                let op_tok = toks.get(i + 1).ok_or_else(|| TextError::OperatorMissing { field: value(f) })?;
                let op = match op_tok.as_str() {
                    "=" | "==" => Op::Eq,
                    "!=" => Op::Ne,
                    "~" => Op::Contains,
                    "!~" => Op::NotContains,
                    ">" => Op::Gt,
                    ">=" => Op::Ge,
                    "<" => Op::Lt,
                    "<=" => Op::Le,
                    "in" | "IN" => Op::In,
                    other => return Err(TextError::NotOperator { text: value(other) }),
                };
                let mut values = Vec::new();
                i += 2;
                if op == Op::In {
                    if toks.get(i).map(String::as_str) != Some("(") {
                        return Err(TextError::InNeedsList);
                    }
                    i += 1;
                    loop {
                        match toks.get(i).map(String::as_str) {
                            Some(")") => {
                                i += 1;
                                break;
                            }
                            Some(",") => i += 1,
                            Some(v) => {
                                values.push(value(v));
                                i += 1;
                            }
                            None => return Err(TextError::InNotClosed),
                        }
                    }
                    if values.is_empty() {
                        return Err(TextError::InEmpty);
                    }
                } else {
                    let v = toks.get(i).ok_or_else(|| TextError::ValueMissing { operator: op_tok.clone() })?;
                    values.push(value(v));
                    i += 1;
                }
                let fname = value(f);
                let field = field(&fname);
                if matches!(op, Op::Gt | Op::Ge | Op::Lt | Op::Le) && values[0].parse::<f64>().is_err() {
                    return Err(TextError::NotNumber {
                        field: fname,
                        operator: op_tok.clone(),
                        value: values[0].clone(),
                    });
                }
                conds.push(Cond { field, op, values });
                match toks.get(i).map(String::as_str) {
                    None => break,
                    Some("and" | "AND") => i += 1,
                    Some(other) => return Err(TextError::AndExpected { found: value(other) }),
                }
            }
        }
        Ok(EventMatch { event: event.to_string(), conds, text: text.to_string() })
    }

    /// Whether the conditions need event properties (the JSON text).
    pub fn needs_properties(&self) -> bool {
        self.conds.iter().any(|c| matches!(c.field, Field::Property(_)))
    }
}

/// Compares one value with a condition (`actual` is `None` when the field is absent).
pub fn test(cond: &Cond, actual: Option<&Value>) -> bool {
    let Some(actual) = actual.filter(|v| !v.is_null()) else { return matches!(cond.op, Op::Ne | Op::NotContains) };
    // the text form only where a comparison needs it (formatting a number per event is not free)
    let text = || match actual {
        Value::String(s) => std::borrow::Cow::Borrowed(s.as_str()),
        other => std::borrow::Cow::Owned(other.to_string()),
    };
    let num = match actual {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        Value::Bool(b) => Some(*b as u8 as f64),
        _ => None,
    };
    let eq = |want: &str| match (num, want.parse::<f64>()) {
        (Some(a), Ok(b)) => a == b,
        _ => text() == want,
    };
    let cmp = |f: fn(f64, f64) -> bool| match (num, cond.values[0].parse::<f64>()) {
        (Some(a), Ok(b)) => f(a, b),
        _ => false,
    };
    match cond.op {
        Op::Eq => eq(&cond.values[0]),
        Op::Ne => !eq(&cond.values[0]),
        Op::In => cond.values.iter().any(|v| eq(v)),
        Op::Contains => text().contains(&cond.values[0]),
        Op::NotContains => !text().contains(&cond.values[0]),
        Op::Gt => cmp(|a, b| a > b),
        Op::Ge => cmp(|a, b| a >= b),
        Op::Lt => cmp(|a, b| a < b),
        Op::Le => cmp(|a, b| a <= b),
    }
}

/// Looks up a property path in a parsed properties object.
pub fn property<'v>(props: &'v serde_json::Map<String, Value>, path: &[String]) -> Option<&'v Value> {
    let (first, rest) = path.split_first()?;
    let mut v = props.get(first)?;
    for k in rest {
        v = v.as_object()?.get(k)?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(text: &str, props: Value, expect: bool) {
        let m = EventMatch::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let props = props.as_object().cloned().unwrap_or_default();
        let got = m.conds.iter().all(|c| match &c.field {
            Field::Property(p) => test(c, property(&props, p)),
            _ => unreachable!(),
        });
        assert_eq!(got, expect, "{text} on {props:?}");
    }

    #[test]
    fn parses_and_tests_conditions() {
        check("buy where price > 1000", json!({"price": 1500}), true);
        check("buy where price > 1000", json!({"price": "999"}), false);
        check("buy where price >= 1000 and price <= 2000", json!({"price": 2000}), true);
        check("buy where category = 'sleeping bags'", json!({"category": "sleeping bags"}), true);
        check("buy where category in (tents, \"sleeping bags\")", json!({"category": "tents"}), true);
        check("buy where category in (tents, backpacks)", json!({"category": "jackets"}), false);
        check("buy where path ~ checkout", json!({"path": "/cart/checkout?x"}), true);
        check("buy where path !~ checkout", json!({}), true);
        check("buy where coupon != x", json!({}), true);
        check("buy where coupon = x", json!({}), false);
        check("buy where item.brand = acme", json!({"item": {"brand": "acme"}}), true);
        check("buy where qty = 2", json!({"qty": 2.0}), true);
        check("buy where vip = true", json!({"vip": true}), true);
    }

    #[test]
    fn knows_built_in_fields() {
        let m =
            EventMatch::parse("view_item where channel = email and revenue > 5 and properties.channel = x").unwrap();
        assert_eq!(m.conds[0].field, Field::Dict(DictCol::Channel));
        assert_eq!(m.conds[1].field, Field::Revenue);
        assert_eq!(m.conds[2].field, Field::Property(vec!["channel".into()]));
        assert!(m.needs_properties());
        assert!(!EventMatch::parse("purchase").unwrap().needs_properties());
    }

    #[test]
    fn explains_bad_syntax() {
        for (text, needle) in [
            ("", "no event name"),
            ("add to cart", "not one event name"),
            ("buy where", "missing"),
            ("buy where price", "no operator"),
            ("buy where price >", "no value"),
            ("buy where price > lots", "must be a number"),
            ("buy where price ? 3", "not an operator"),
            ("buy where a = 1 or b = 2", "expected 'and'"),
            ("buy where a in 1", "takes a list"),
            ("buy where a in (1, 2", "not closed"),
            ("buy where a = 'open", "unclosed quote"),
        ] {
            let err = EventMatch::parse(text).expect_err(text).to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }
}
