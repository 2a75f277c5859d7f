//! The personas page: each persona's card with the size and numbers of its customers; analysts add, update
//! and delete personas.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use tropa_app::audit::{Action, Done};
use tropa_core::analysis::stats::StatsReport;
use tropa_core::cjm::persona::Persona;
use tropa_core::cjm::Segment;
use tropa_meta::Role;

use super::{fault, map_action, param, persona_label, persona_list, project_fields, redirect_or, respond};
use crate::access::{Analyst, Member, Viewer};
use crate::audit;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::i18n::Words;
use crate::session::Session;
use crate::ui::layout::shell;
use crate::ui::stage_editor::{condition_fields, join_condition, split_condition};
use crate::url::enc;
use crate::WebState;

// ---- personas -----------------------------------------------------------------------------------------------

pub(crate) async fn personas(State(st): State<Arc<WebState>>, m: Member<Viewer>) -> Result<Response, WebError> {
    personas_page(&st, &m.s, None, StatusCode::OK, m.f.get("edit").map(String::as_str)).await
}

/// The cards and, for analysts, the form (filled with persona `editing`'s values when one is being edited);
/// `error` is why the form was not saved (shown with `status`).
pub(super) async fn personas_page(
    st: &WebState,
    s: &Session,
    error: Option<String>,
    status: StatusCode,
    editing: Option<&str>,
) -> Result<Response, WebError> {
    let l = s.lang;
    let list = persona_list(st, &s.project);
    let engine = st.projects.engine(&s.project).map_err(fault)?;
    let segs: Vec<Segment> = list.iter().map(|p| p.segment.clone()).collect();
    let counted = tokio::task::spawn_blocking(move || {
        let count = |seg: &Segment| {
            let scope = seg.scope("segment").ok()?;
            // only the customer count is read: days do not matter
            tropa_engine::report::stats(&*engine, Default::default(), scope, vec![]).ok()
        };
        segs.iter()
            .map(|seg| {
                let size = count(seg);
                // nobody: each condition alone, to name the ones that match no customer
                let nobody = match &size {
                    Some(r) if r.customers == 0 => {
                        let alone =
                            seg.traits.iter().map(|t| Segment { traits: vec![t.clone()], ..Segment::default() });
                        let did = seg.did.iter().map(|d| Segment { did: vec![d.clone()], ..Segment::default() });
                        alone
                            .chain(did)
                            .filter(|one| count(one).is_some_and(|r| r.customers == 0))
                            .map(|one| one.traits.into_iter().chain(one.did).collect::<Vec<_>>().join(""))
                            .collect()
                    }
                    _ => vec![],
                };
                (size, nobody)
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap_or_default();
    let sizes: Vec<Option<StatsReport>> = counted.iter().map(|c| c.0.clone()).collect();
    let nobody: Vec<Vec<String>> = counted.into_iter().map(|c| c.1).collect();
    let main = html! {
        h1 { (l.t("personas")) }
        p { a href={ "/maps?project=" (enc(&s.project)) } { "← " (l.t("maps")) } }
        @if let Some(e) = &error { p.err role="alert" { (e) } }
        div.persona-grid {
            @for (i, p) in list.iter().enumerate() {
                (persona_card(s, p, sizes.get(i).and_then(Option::as_ref), nobody.get(i).map(Vec::as_slice).unwrap_or(&[])))
            }
        }
        @if s.role >= Role::Analyst { (persona_form(s, list.iter().find(|p| Some(p.key.as_str()) == editing))) }
    };
    Ok(respond(status, shell(s, "maps", l.t("personas"), main)))
}

/// A persona's card: who they are, their customers' numbers, goals, needs, pains and channels, the rule that
/// finds them (and, for analysts, the way to delete it).
fn persona_card(s: &Session, p: &Persona, size: Option<&StatsReport>, nobody: &[String]) -> Markup {
    let l = s.lang;
    let seg: Vec<&str> = p.segment.traits.iter().chain(&p.segment.did).map(String::as_str).collect();
    html! {
        article.persona id={ "persona-" (p.key) } {
            (who(p))
            @if let Some(size) = size { (numbers(l, size)) }
            @if size.is_some_and(|r| r.customers == 0) && !seg.is_empty() {
                div.warn.persona-nobody role="alert" {
                    (l.t("persona_matches_nobody"))
                    @if nobody.is_empty() {
                        " " code { (seg.join(" · ")) }
                    } @else {
                        ul { @for c in nobody { li { (l.t("persona_condition_nobody")) " " code { (c) } } } }
                    }
                }
            }
            (what_they_want(l, p))
            p.muted.small {
                (l.t("segment_rule")) ": "
                code { @if seg.is_empty() { (l.t("everyone")) } @else { (seg.join(" · ")) } }
                " "
                @if s.role >= Role::Analyst {
                    a href={ "/personas?project=" (enc(&s.project)) "&edit=" (enc(&p.key)) "#persona-form" } { (l.t("edit")) }
                    " "
                    form method="post" action="/personas/delete" class="inline" data-confirm=(l.t("confirm_delete_persona")) {
                        (project_fields(s))
                        input type="hidden" name="key" value=(p.key);
                        button.link type="submit" { (l.t("delete")) }
                    }
                }
            }
        }
    }
}

/// Who the persona is: name and age, occupation, their words.
fn who(p: &Persona) -> Markup {
    html! {
        h2 { (persona_label(p)) }
        p.muted { (p.occupation) }
        @if !p.quote.is_empty() { blockquote { (p.quote) } }
    }
}

/// What the persona wants and where they are: goals, needs, pains, preferred channels.
fn what_they_want(l: Lang, p: &Persona) -> Markup {
    html! {
        div.cols {
            (items(l.t("persona_goals"), &p.goals))
            (items(l.t("persona_needs"), &p.needs))
            (items(l.t("persona_pains"), &p.pains))
            (items(l.t("persona_channels"), &p.channels))
        }
    }
}

/// The card of the persona a map is shown for, above the grid (its numbers are the map's data lanes).
pub(super) fn on_map(l: Lang, p: &Persona) -> Markup {
    html! {
        article.persona.on-map id="persona-card" { (who(p)) (what_they_want(l, p)) }
    }
}

/// A persona's customers: how many, the share who bought, the revenue.
fn numbers(l: Lang, size: &StatsReport) -> Markup {
    let loc = l.locale();
    let bought = if size.customers > 0 { size.buyers as f64 / size.customers as f64 } else { 0.0 };
    html! {
        div.numbers {
            span { (l.t("customers")) ": " b { (loc.int(size.customers)) } }
            span { (l.t("buyers")) ": " b { (loc.percent(bought)) } }
            span { (l.t("revenue")) ": " b { (loc.int(size.revenue.max(0.0).round() as u64)) } }
        }
    }
}

/// A titled list of a card.
fn items(title: &str, list: &[String]) -> Markup {
    html! {
        div {
            h3 { (title) }
            ul { @for x in list { li { (x) } } }
        }
    }
}

/// For analysts: a new persona, or persona `p` edited in place (its values filled in, its key kept).
fn persona_form(s: &Session, p: Option<&Persona>) -> Markup {
    let l = s.lang;
    let area = |id: &str, name: &str, label: &str, placeholder: Option<&str>, value: &[String]| {
        html! {
            label for=(id) { (label) }
            textarea id=(id) name=(name) rows="2" placeholder=[placeholder] { (value.join("\n")) }
        }
    };
    let none = Persona::default();
    let v = p.unwrap_or(&none);
    html! {
        form.panel #persona-form method="post" action="/personas" {
            (project_fields(s))
            @if let Some(p) = p {
                h2 { (l.t("edit_persona")) " · " (persona_label(p)) }
                input type="hidden" name="key" value=(p.key);
            } @else {
                h2 { (l.t("new_persona")) }
                label for="p-key" { (l.t("persona_key")) }
                input id="p-key" name="key" required placeholder="maria";
            }
            label for="p-name" { (l.t("persona_name")) }
            input id="p-name" name="name" required value=(v.name);
            label for="p-age" { (l.t("age")) }
            input id="p-age" name="age" type="number" min="0" max="120" value=[v.age];
            label for="p-occupation" { (l.t("occupation")) }
            input id="p-occupation" name="occupation" value=(v.occupation);
            label for="p-quote" { (l.t("quote")) }
            input id="p-quote" name="quote" value=(v.quote);
            (area("p-goals", "goals", l.t("persona_goals"), None, &v.goals))
            (area("p-needs", "needs", l.t("persona_needs"), None, &v.needs))
            (area("p-pains", "pains", l.t("persona_pains"), None, &v.pains))
            (area("p-channels", "channels", l.t("persona_channels"), None, &v.channels))
            (trait_rows(l, &v.segment.traits))
            (area("p-did", "did", l.t("did_event"), Some("purchase"), &v.segment.did))
            p.muted { (l.t("persona_hint")) }
            button type="submit" { (l.t("save")) }
        }
    }
}

pub(crate) async fn save_persona(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Result<Response, WebError> {
    let Member { s, f, .. } = m;
    let lines = |k: &str| -> Vec<String> {
        f.get(k)
            .map(|t| t.lines().map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect())
            .unwrap_or_default()
    };
    let age = match param(&f, "age") {
        a if a.is_empty() => None,
        a => match a.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                let why = format!("age: '{a}' is not a number");
                return personas_page(&st, &s, Some(why), StatusCode::BAD_REQUEST, None).await;
            }
        },
    };
    // an update changes the fields the form sent and keeps every other one (a form that leaves a field out
    // never wipes it); a new persona starts empty
    let key = param(&f, "key");
    let mut p = persona_list(&st, &s.project).into_iter().find(|p| p.key == key).unwrap_or_default();
    p.key = key;
    let text = |k: &str, to: &mut String| {
        if f.contains_key(k) {
            *to = param(&f, k);
        }
    };
    text("name", &mut p.name);
    text("occupation", &mut p.occupation);
    text("quote", &mut p.quote);
    if f.contains_key("age") {
        p.age = age;
    }
    let list = |k: &str, to: &mut Vec<String>| {
        if f.contains_key(k) {
            *to = lines(k);
        }
    };
    list("goals", &mut p.goals);
    list("needs", &mut p.needs);
    list("pains", &mut p.pains);
    list("channels", &mut p.channels);
    list("traits", &mut p.segment.traits);
    if f.contains_key("t0.field") {
        p.segment.traits = traits_of(&f);
    }
    list("did", &mut p.segment.did);
    if let Err(e) = p.validate() {
        let msg = e.issues().iter().map(|i| format!("{}: {}", i.field, i.reason)).collect::<Vec<_>>().join("; ");
        return personas_page(&st, &s, Some(msg), StatusCode::BAD_REQUEST, None).await;
    }
    let saved = st.meta.save_persona(&s.project, &p.key, &serde_json::to_string(&p).unwrap_or_default(), (st.clock)());
    if saved.is_ok() {
        audit::record(&st, &s, Done::new(Action::PersonaSave, Some(&s.project), &p.key));
    }
    redirect_or(&s, saved.map(|()| format!("/personas?project={}#persona-{}", enc(&s.project), p.key)))
}

pub(crate) async fn delete_persona(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Result<Response, WebError> {
    let key = m.field("key").to_string();
    map_action(&st, m, |meta, s| {
        meta.delete_persona(&s.project, &key)?;
        audit::record(&st, s, Done::new(Action::PersonaDelete, Some(&s.project), &key));
        Ok(format!("/personas?project={}", enc(&s.project)))
    })
}

/// The traits who the persona is, one condition a row (trait, comparison, value): the persona's own and two
/// empty rows to add more; a condition the rows cannot show stays as its text in the trait field.
fn trait_rows(l: Lang, traits: &[String]) -> Markup {
    let rows: Vec<(String, String, String)> = traits
        .iter()
        .map(|t| split_condition(t).unwrap_or_else(|| (t.clone(), "=".into(), String::new())))
        .chain(std::iter::repeat_with(|| (String::new(), "=".into(), String::new())).take(2))
        .collect();
    html! {
        fieldset.persona-traits {
            legend { (l.t("persona_trait_rows")) }
            datalist id="trait-names" { @for t in TRAITS { option value=(t) {} } }
            @for (i, (f, o, v)) in rows.iter().enumerate() {
                div.trait-row { (condition_fields(l, &format!("t{i}"), (f, o, v), "trait-names")) }
            }
            p.muted { (l.t("persona_traits_hint")) }
        }
    }
}

/// Traits customers usually have (any other may be typed).
const TRAITS: [&str; 8] = ["gender", "age", "city", "country", "income", "plan", "interests", "email"];

/// The trait conditions of the rows posted (`t0.field`, `t0.op`, `t0.value` …; empty rows skipped).
fn traits_of(f: &HashMap<String, String>) -> Vec<String> {
    (0..64)
        .map_while(|i| {
            let get = |k: &str| f.get(&format!("t{i}.{k}")).map(|v| v.trim().to_string());
            get("field").map(|field| {
                let value = get("value").unwrap_or_default();
                // a condition the rows could not split stays as its text
                if value.is_empty() && field.contains(' ') {
                    return Some(field);
                }
                join_condition(&field, &get("op").unwrap_or_default(), &value)
            })
        })
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_list_escapes_what_colleagues_wrote() {
        let html = items("Goals", &["<b>fast</b> & \"cheap\"".to_string()]).into_string();
        assert_eq!(html, "<div><h3>Goals</h3><ul><li>&lt;b&gt;fast&lt;/b&gt; &amp; &quot;cheap&quot;</li></ul></div>");
    }
}
