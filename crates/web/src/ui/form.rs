//! Pieces of the builder forms: problems keyed by field and shown beside it, selects, text inputs, and the
//! customer filters every builder page shares.

use std::collections::HashMap;

use maud::{html, Markup};
use tropa_app::request::Filters;

use crate::i18n::Lang;
use crate::i18n::Words;

/// The customer filters of a builder page: a trait condition, an event done, an event not done, the first
/// channel and the current stage (the project's journey definition) — the query API's `filters`.
pub struct FilterFields {
    pub traits: String,
    pub did: String,
    pub did_not: String,
    pub first_channel: String,
    pub stage: String,
}

impl FilterFields {
    pub fn read(q: &HashMap<String, String>) -> FilterFields {
        let f = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
        FilterFields {
            traits: f("traits"),
            did: f("did"),
            did_not: f("did_not"),
            first_channel: f("first_channel"),
            stage: f("stage"),
        }
    }

    fn any(&self) -> bool {
        [&self.traits, &self.did, &self.did_not, &self.first_channel, &self.stage].iter().any(|v| !v.is_empty())
    }

    /// Adds the filters to a request's.
    pub fn apply(&self, to: &mut Filters) {
        let one = |v: &str| if v.is_empty() { vec![] } else { vec![v.to_string()] };
        to.traits = one(&self.traits);
        to.did = one(&self.did);
        to.did_not = one(&self.did_not);
        to.first_channel = one(&self.first_channel);
        to.stage = one(&self.stage);
    }

    /// The block of inputs, open when a filter is set or has a problem; `stages` are (key, name) of the
    /// project's definition.
    pub fn html(&self, l: Lang, e: &FieldErrors, stages: &[(String, String)]) -> Markup {
        let channels: Vec<(&str, String)> = std::iter::once(("", "—".to_string()))
            .chain(tropa_core::channel::GROUPS.iter().map(|g| (*g, l.channel(g))))
            .collect();
        let channel_opts: Vec<(&str, &str)> = channels.iter().map(|(v, t)| (*v, t.as_str())).collect();
        let stage_opts: Vec<(&str, &str)> = std::iter::once(("", "—"))
            .chain(stages.iter().map(|(k, n)| (k.as_str(), n.as_str())))
            .chain(std::iter::once(("none", l.t("no_stage"))))
            .collect();
        let problem = ["traits", "did", "did_not", "first_channel", "stage"].iter().any(|f| e.has(f));
        html! {
            details.filters open[self.any() || problem] {
                summary { (l.t("filters")) }
                div.filter-grid {
                    div { (e.input("traits", l.t("trait_condition"), &self.traits, "text", "city = Казань")) }
                    div { (event_picker(e, "did", l.t("did_event"), &self.did, "email_open")) }
                    div { (event_picker(e, "did_not", l.t("did_not_event"), &self.did_not, "support_ticket")) }
                    div { (e.select("first_channel", l.t("first_channel"), &self.first_channel, &channel_opts)) }
                    div { (e.select("stage", l.t("current_stage"), &self.stage, &stage_opts)) }
                }
            }
        }
    }
}

/// An event field of the filters with the dictionary's autocomplete (the page renders the picker sources).
fn event_picker(e: &FieldErrors, name: &str, label: &str, value: &str, placeholder: &str) -> Markup {
    use crate::ui::picker::{combobox, Combo, EVENTS};
    combobox(&Combo { id: name, name, label, value, source: EVENTS, placeholder, role: "" }, Some(e))
}

/// The hidden CSRF field every form of a signed-in page carries.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// Problems of a form, by the form field they belong to.
pub struct FieldErrors(HashMap<String, Vec<String>>);

impl FieldErrors {
    /// From the query API's (field path, message) pairs: `steps[2].event` belongs to the `steps` box and is told
    /// as "line 3"; `filters.since` to `since`; other paths to their own field. The message is shown beside its
    /// field, so it is the reason alone, without the path.
    /// A field with several problems shows each, in order.
    pub fn new(lang: Lang, problems: &[(String, String)], lines_of: &str) -> FieldErrors {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        let placed = problems.iter().map(|(f, m)| {
            let line = f
                .strip_prefix(&format!("{lines_of}["))
                .and_then(|r| r.split(']').next())
                .and_then(|n| n.parse::<usize>().ok());
            match line {
                Some(i) => (lines_of.to_string(), format!("{} {}: {m}", lang.t("line"), i + 1)),
                None if !lines_of.is_empty() && f.starts_with(lines_of) => (lines_of.to_string(), m.clone()),
                None => {
                    // `filters.did[0]` belongs to the `did` box of the filter block
                    let name = f.strip_prefix("filters.").unwrap_or(f);
                    (name.strip_suffix("[0]").unwrap_or(name).to_string(), m.clone())
                }
            }
        });
        for (field, message) in placed {
            map.entry(field).or_default().push(message);
        }
        FieldErrors(map)
    }

    /// Whether `field` has a problem.
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// The message paragraphs for `field` (nothing when it has none).
    pub fn at(&self, field: &str) -> Markup {
        html! { @for m in self.0.get(field).into_iter().flatten() { p.err role="alert" { (m) } } }
    }

    /// `"true"` for the `aria-invalid` attribute of a field with a problem (`aria-invalid=[e.invalid(f)]`).
    pub fn invalid(&self, field: &str) -> Option<&'static str> {
        self.has(field).then_some("true")
    }

    /// A labelled text input with its problem.
    pub fn input(&self, name: &str, label: &str, value: &str, kind: &str, placeholder: &str) -> Markup {
        html! {
            label for=(name) { (label) }
            input id=(name) name=(name) type=(kind) value=(value) placeholder=(placeholder) aria-invalid=[self.invalid(name)];
            (self.at(name))
        }
    }

    /// A labelled text box of `rows` lines with its problem (`placeholder` when not empty).
    pub fn textarea(&self, name: &str, label: &str, value: &str, rows: u32, placeholder: &str) -> Markup {
        let placeholder = (!placeholder.is_empty()).then_some(placeholder);
        html! {
            label for=(name) { (label) }
            textarea id=(name) name=(name) rows=(rows) placeholder=[placeholder] aria-invalid=[self.invalid(name)] {
                (value)
            }
            (self.at(name))
        }
    }

    /// A labelled select with its problem.
    pub fn select(&self, name: &str, label: &str, current: &str, options: &[(&str, &str)]) -> Markup {
        html! {
            label for=(name) { (label) }
            select id=(name) name=(name) aria-invalid=[self.invalid(name)] {
                @for (v, text) in options { option value=(v) selected[*v == current] { (text) } }
            }
            (self.at(name))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(f, m)| (f.to_string(), m.to_string())).collect()
    }

    #[test]
    fn a_problem_sits_beside_its_field_in_the_users_words() {
        let e = FieldErrors::new(
            Lang::En,
            &problems(&[
                ("steps[2].event", "unknown operator"),
                ("filters.did[0]", "a condition needs a value"),
                ("filters.since", "not a date"),
                ("window", "'soon' is not a duration"),
            ]),
            "steps",
        );
        assert_eq!(e.at("steps").into_string(), "<p class=\"err\" role=\"alert\">line 3: unknown operator</p>");
        assert_eq!(e.at("did").into_string(), "<p class=\"err\" role=\"alert\">a condition needs a value</p>");
        assert_eq!(e.at("since").into_string(), "<p class=\"err\" role=\"alert\">not a date</p>");
        assert_eq!(e.at("window").into_string(), "<p class=\"err\" role=\"alert\">'soon' is not a duration</p>");
        assert!(e.has("did") && !e.has("traits") && e.at("traits").into_string().is_empty());
    }

    #[test]
    fn a_text_box_carries_its_value_escaped_and_its_problem() {
        let e = FieldErrors::new(Lang::En, &problems(&[("exclude", "line 1: write N: EVENT")]), "");
        let out = e.textarea("exclude", "Exclusions", "1: <b>", 2, "2: support_ticket").into_string();
        assert_eq!(
            out,
            "<label for=\"exclude\">Exclusions</label><textarea id=\"exclude\" name=\"exclude\" rows=\"2\" \
             placeholder=\"2: support_ticket\" aria-invalid=\"true\">1: &lt;b&gt;</textarea>\
             <p class=\"err\" role=\"alert\">line 1: write N: EVENT</p>"
        );
        let fine = FieldErrors::new(Lang::En, &[], "");
        let out = fine.textarea("steps", "Steps", "a\nb", 6, "").into_string();
        assert_eq!(
            out,
            "<label for=\"steps\">Steps</label><textarea id=\"steps\" name=\"steps\" rows=\"6\">a\nb</textarea>"
        );
    }
}
