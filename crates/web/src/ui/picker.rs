//! Point-and-click pickers over the project's dictionary, for every builder (funnels, paths, retention, and
//! the persona and stage rules that want them). Each produces the text syntax the application layer reads
//! (`tropa_core::analysis::filter`), so there is one parser underneath, and each works from the keyboard
//! (labels, arrow keys in the list, Enter picks, Escape closes); the behaviour is `assets/app.js`.
//!
//! The API, all functions returning `Markup`:
//! - [`sources`] — once per page: the hidden lists every picker draws from (events not hidden, verified first,
//!   display names shown and raw names as values; properties with their suggested values; built-in fields).
//! - [`combobox`] — a text input with an autocomplete list ([`Combo`]: its id and name, label, value, which
//!   list it draws from). The input holds the raw name (what is submitted); the list shows display names with
//!   the raw name beside them. Use it for any single event (`from`, `to`, `start`, `did`…).
//! - [`steps_builder`] — rows of steps, each an event picker, an "optional" box and conditions (property picker,
//!   operator select, value picker with the property's suggested values); it writes the text of the steps, one
//!   per line, into the text box it names (which stays, folded, for people who write the syntax). Text the rows
//!   cannot show (an `in (…)` list, a device field) leaves the builder off, saying so, and the text box open.
//! - [`condition_builder`] — the same condition rows alone, writing `FIELD op VALUE` conditions joined by `and`
//!   into the text input it names (a persona's or a stage's rule, a trait filter).
//! - [`duration`] and [`duration_value`] — a number and a unit (minutes, hours, days, weeks) sent as
//!   `NAME_n` and `NAME_unit`, read back as the duration text (`7d`); works without scripts.
//! - [`breakdown_select`] — the breakdowns a report can have: the first channel, built-in fields and the
//!   dictionary's properties by display name.

use std::collections::HashMap;

use maud::{html, Markup};
use tropa_app::dictionary::Choices;
use tropa_core::analysis::filter::{EventMatch, Field, Op};

use crate::i18n::{Lang, Words};
use crate::ui::form::FieldErrors;

/// The id of the hidden list of events.
pub const EVENTS: &str = "dict-events";
/// The id of the hidden list of properties and built-in fields.
pub const PROPERTIES: &str = "dict-properties";

/// Built-in fields a condition or a breakdown may name: (field, word key).
const BUILT_IN: [(&str, &str); 9] = [
    ("channel", "field_channel"),
    ("source", "field_source"),
    ("medium", "field_medium"),
    ("campaign", "field_campaign"),
    ("country", "field_country"),
    ("city", "field_city"),
    ("device", "field_device"),
    ("browser", "field_browser"),
    ("revenue", "field_revenue"),
];

/// Whether a name is a built-in field (a property of that name is read as the field, so it is offered once).
fn built_in(name: &str) -> bool {
    BUILT_IN.iter().any(|(f, _)| *f == name) || name == "first_channel"
}

/// Operators of a condition: (syntax, word key).
const OPS: [(&str, &str); 8] = [
    ("=", "op_eq"),
    ("!=", "op_ne"),
    ("~", "op_contains"),
    ("!~", "op_not_contains"),
    (">", "op_gt"),
    (">=", "op_ge"),
    ("<", "op_lt"),
    ("<=", "op_le"),
];

/// The hidden lists the pickers of a page draw from (once per page).
pub fn sources(l: Lang, choices: &Choices) -> Markup {
    html! {
        ul.picker-source id=(EVENTS) hidden {
            @for c in &choices.events {
                li data-value=(c.value) data-verified=[c.verified.then_some("1")] { (c.label) }
            }
        }
        ul.picker-source id=(PROPERTIES) hidden {
            @for p in choices.properties.iter().filter(|p| !built_in(&p.choice.value)) {
                li data-value=(p.choice.value) data-verified=[p.choice.verified.then_some("1")]
                    data-values=(serde_json::to_string(&p.values).unwrap_or_default()) { (p.choice.label) }
            }
            @for (field, key) in BUILT_IN { li data-value=(field) data-values="[]" { (l.t(key)) } }
        }
    }
}

/// A combobox: a text input with its autocomplete list.
pub struct Combo<'a> {
    /// The input's id (and its list's, with `-list`); empty: the script gives one.
    pub id: &'a str,
    /// The form field it sends; empty for a builder's inputs, which send nothing themselves.
    pub name: &'a str,
    pub label: &'a str,
    pub value: &'a str,
    /// Which list it draws from: [`EVENTS`], [`PROPERTIES`], or `values` (the suggested values of the property
    /// picked in the same condition row).
    pub source: &'a str,
    pub placeholder: &'a str,
    /// What the input is within a builder row (`event`, `prop`, `value`), for the script.
    pub role: &'a str,
}

/// A combobox with its label (visible, or only for screen readers inside builder rows) and its problem.
pub fn combobox(c: &Combo, e: Option<&FieldErrors>) -> Markup {
    let id = (!c.id.is_empty()).then_some(c.id);
    let list = id.map(|i| format!("{i}-list"));
    let invalid = e.and_then(|e| e.invalid(c.name));
    html! {
        div.picker data-picker=(c.source) data-role=[(!c.role.is_empty()).then_some(c.role)] {
            @if let Some(id) = id {
                label for=(id) { (c.label) }
            }
            input id=[id] name=[(!c.name.is_empty()).then_some(c.name)] type="text" value=(c.value) role="combobox"
                aria-label=[id.is_none().then_some(c.label)] aria-autocomplete="list" aria-expanded="false"
                aria-controls=[list.as_deref()] autocomplete="off" spellcheck="false"
                placeholder=[(!c.placeholder.is_empty()).then_some(c.placeholder)] aria-invalid=[invalid];
            @if let Some(e) = e { (e.at(c.name)) }
            ul.picker-list id=[list.as_deref()] role="listbox" hidden {}
        }
    }
}

/// One condition as the rows show it: field, operator, value.
struct CondRow {
    field: String,
    op: &'static str,
    value: String,
}

/// One step as the rows show it.
struct StepRow {
    event: String,
    optional: bool,
    conds: Vec<CondRow>,
}

fn field_text(f: &Field) -> Option<String> {
    Some(match f {
        Field::Property(path) => path.join("."),
        Field::Dict(d) => d.as_str().to_string(),
        Field::Revenue => "revenue".into(),
        Field::Referrer => "referrer".into(),
        Field::PageUrl => "page_url".into(),
        Field::PageTitle => "page_title".into(),
        Field::Device(_) => return None,
    })
}

fn op_text(op: Op) -> Option<&'static str> {
    Some(match op {
        Op::Eq => "=",
        Op::Ne => "!=",
        Op::Contains => "~",
        Op::NotContains => "!~",
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::Lt => "<",
        Op::Le => "<=",
        Op::In => return None,
    })
}

/// The conditions of `m` as rows; `None` when one cannot be shown as a row.
fn cond_rows(m: &EventMatch) -> Option<Vec<CondRow>> {
    m.conds
        .iter()
        .map(|c| Some(CondRow { field: field_text(&c.field)?, op: op_text(c.op)?, value: c.values.first()?.clone() }))
        .collect()
}

/// The steps of `text` (one per line, `?` for optional) as rows; `None` when a line cannot be shown.
fn step_rows(text: &str) -> Option<Vec<StepRow>> {
    text.lines()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|line| {
            let (optional, rest) = match line.strip_prefix('?') {
                Some(r) => (true, r.trim()),
                None => (false, line),
            };
            let m = EventMatch::parse(rest).ok()?;
            Some(StepRow { event: m.event.clone(), optional, conds: cond_rows(&m)? })
        })
        .collect()
}

fn cond_row(l: Lang, c: &CondRow) -> Markup {
    let prop = Combo {
        id: "",
        name: "",
        label: l.t("property"),
        value: &c.field,
        source: PROPERTIES,
        placeholder: l.t("property"),
        role: "prop",
    };
    let value = Combo {
        id: "",
        name: "",
        label: l.t("value"),
        value: &c.value,
        source: "values",
        placeholder: l.t("value"),
        role: "value",
    };
    html! {
        li.cond-row {
            span.muted.cond-where { (l.t("where_word")) }
            (combobox(&prop, None))
            select data-role="op" aria-label=(l.t("operator")) {
                @for (op, key) in OPS { option value=(op) selected[op == c.op] { (l.t(key)) } }
            }
            (combobox(&value, None))
            button.link type="button" data-remove-cond aria-label=(l.t("remove_condition")) { "×" }
        }
    }
}

fn step_row(l: Lang, s: &StepRow) -> Markup {
    let event = Combo {
        id: "",
        name: "",
        label: l.t("step_event"),
        value: &s.event,
        source: EVENTS,
        placeholder: l.t("pick_event"),
        role: "event",
    };
    html! {
        li.step-row {
            div.step-head {
                (combobox(&event, None))
                label.check { input type="checkbox" data-role="optional" checked[s.optional]; " " (l.t("optional_step")) }
                button.link type="button" data-remove-step aria-label=(l.t("remove_step")) { "×" }
            }
            ul.cond-rows { @for c in &s.conds { (cond_row(l, c)) } }
            button.link type="button" data-add-cond { "+ " (l.t("add_condition")) }
        }
    }
}

fn empty_cond() -> CondRow {
    CondRow { field: String::new(), op: "=", value: String::new() }
}

/// The step rows writing into the text box `target` (whose text they start from).
pub fn steps_builder(l: Lang, target: &str, text: &str) -> Markup {
    let rows = step_rows(text);
    let off = rows.is_none();
    let rows = rows.unwrap_or_default();
    let blank = StepRow { event: String::new(), optional: false, conds: Vec::new() };
    html! {
        div.steps-builder data-steps-builder=(target) data-detached=[off.then_some("1")] {
            p.muted.builder-off role="status" { (l.t("builder_off")) }
            ol.step-rows { @for s in &rows { (step_row(l, s)) } }
            button type="button" data-add-step { "+ " (l.t("add_step")) }
            template data-step-template { (step_row(l, &blank)) }
            template data-cond-template { (cond_row(l, &empty_cond())) }
        }
    }
}

/// Condition rows writing `FIELD op VALUE and …` into the text input `target` (whose text they start from, as
/// the conditions of an event: `x where <text>`).
// for the persona and stage rule editors, which are being rebuilt to use it; tested below
#[allow(dead_code)]
pub fn condition_builder(l: Lang, target: &str, text: &str) -> Markup {
    let rows = if text.trim().is_empty() {
        Some(Vec::new())
    } else {
        EventMatch::parse(&format!("x where {text}")).ok().as_ref().and_then(cond_rows)
    };
    let off = rows.is_none();
    html! {
        div.cond-builder data-cond-builder=(target) data-detached=[off.then_some("1")] {
            p.muted.builder-off role="status" { (l.t("builder_off_conds")) }
            ul.cond-rows { @for c in rows.iter().flatten() { (cond_row(l, c)) } }
            button.link type="button" data-add-cond { "+ " (l.t("add_condition")) }
            template data-cond-template { (cond_row(l, &empty_cond())) }
        }
    }
}

/// Units of a duration: (suffix, milliseconds, word key), largest first.
const UNITS: [(&str, i64, &str); 4] = [
    ("w", 604_800_000, "unit_weeks"),
    ("d", 86_400_000, "unit_days"),
    ("h", 3_600_000, "unit_hours"),
    ("m", 60_000, "unit_minutes"),
];

/// The units a duration is shown in: the largest of days, hours and minutes that holds it whole (a week reads as
/// 7 days).
const SHOWN_IN: [(&str, i64, &str); 3] = [UNITS[1], UNITS[2], UNITS[3]];

/// A duration as a number and a unit, sent as `NAME_n` and `NAME_unit` ([`duration_value`] reads them back);
/// `value` is the duration text now in force (`7d`, `90m`). Text that is not a duration (a link written by hand)
/// is shown as it is, in a text input `NAME`, with its problem.
pub fn duration(l: Lang, e: &FieldErrors, name: &str, label: &str, value: &str) -> Markup {
    let ms = tropa_core::time::parse_duration(value).ok();
    let Some((n, unit)) =
        ms.and_then(|ms| SHOWN_IN.iter().find(|u| ms > 0 && ms % u.1 == 0).map(|u| ((ms / u.1).to_string(), u.0)))
    else {
        return e.input(name, label, value, "text", "7d");
    };
    html! {
        div.duration {
            label for=(name) { (label) }
            span.duration-row {
                input id=(name) name={ (name) "_n" } type="number" min="1" step="1" value=(n)
                    aria-invalid=[e.invalid(name)];
                select name={ (name) "_unit" } aria-label=(l.t("unit")) {
                    @for (u, _, key) in UNITS { option value=(u) selected[u == unit] { (l.t(key)) } }
                }
            }
            (e.at(name))
        }
    }
}

/// The duration text of the [`duration`] fields `NAME_n` and `NAME_unit` of a form (`7d`), else the plain
/// field `NAME` (a link written by hand), else `default`.
pub fn duration_value(q: &HashMap<String, String>, name: &str, default: &str) -> String {
    let get = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    match (get(&format!("{name}_n")), get(&format!("{name}_unit"))) {
        (Some(n), unit) => format!("{n}{}", unit.unwrap_or("d")),
        (None, _) => get(name).unwrap_or(default).to_string(),
    }
}

/// The breakdowns of a report: none, the first channel, built-in fields and the dictionary's properties (by
/// display name), and `current` itself when it is none of them (a link written by hand).
pub fn breakdown_select(l: Lang, e: &FieldErrors, current: &str, choices: &Choices) -> Markup {
    let mut options: Vec<(String, String)> =
        vec![(String::new(), "—".into()), ("first_channel".into(), l.t("field_first_channel").into())];
    options.extend(BUILT_IN.iter().map(|(f, k)| (f.to_string(), l.t(k).to_string())));
    options.extend(choices.properties.iter().filter(|p| !built_in(&p.choice.value)).map(|p| {
        let label = if p.choice.label == p.choice.value {
            p.choice.value.clone()
        } else {
            format!("{} ({})", p.choice.label, p.choice.value)
        };
        (p.choice.value.clone(), label)
    }));
    if !options.iter().any(|o| o.0 == current) {
        options.push((current.to_string(), current.to_string()));
    }
    let refs: Vec<(&str, &str)> = options.iter().map(|(v, t)| (v.as_str(), t.as_str())).collect();
    e.select("breakdown", l.t("breakdown"), current, &refs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_become_rows_unless_the_rows_cannot_show_them() {
        let rows = step_rows("view_item\n?add_to_cart where price >= 10 and color = 'dark red'\n\npurchase").unwrap();
        assert_eq!(rows.len(), 3);
        assert!(rows[1].optional);
        assert_eq!(
            (rows[1].conds[1].field.as_str(), rows[1].conds[1].op, rows[1].conds[1].value.as_str()),
            ("color", "=", "dark red")
        );
        assert!(step_rows("a where channel in (email, cpc)").is_none());
        assert!(step_rows("a where").is_none());
        let b = steps_builder(Lang::En, "steps", "a where x in (1)").into_string();
        assert!(b.contains("data-detached=\"1\""), "{b}");
    }

    #[test]
    fn condition_rows_start_from_their_text() {
        let b = condition_builder(Lang::Ru, "rule", "plan = pro and price > 10").into_string();
        assert_eq!(b.matches("class=\"cond-row\"").count(), 3, "two rows and the template: {b}");
        assert!(b.contains("value=\"plan\"") && b.contains("<option value=\"&gt;\" selected>больше</option>"), "{b}");
        let off = condition_builder(Lang::En, "rule", "channel in (email)").into_string();
        assert!(off.contains("data-detached=\"1\""));
    }

    #[test]
    fn durations_are_a_number_and_a_unit() {
        let e = FieldErrors::new(Lang::En, &[], "");
        let out = duration(Lang::En, &e, "window", "Window", "14d").into_string();
        assert!(out.contains("value=\"14\"") && out.contains("<option value=\"d\" selected>"), "{out}");
        let odd = duration(Lang::En, &e, "window", "Window", "soon").into_string();
        assert!(odd.contains("name=\"window\" type=\"text\" value=\"soon\""), "{odd}");
        let q: HashMap<String, String> =
            [("window_n".to_string(), "3".to_string()), ("window_unit".to_string(), "h".to_string())].into();
        assert_eq!(duration_value(&q, "window", "7d"), "3h");
        assert_eq!(duration_value(&HashMap::new(), "window", "7d"), "7d");
        let q: HashMap<String, String> = [("window".to_string(), "90m".to_string())].into();
        assert_eq!(duration_value(&q, "window", "7d"), "90m");
    }
}
