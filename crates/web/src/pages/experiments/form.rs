//! The experiment form (`/experiments?new=1`, `/experiments?edit=KEY`, saved by `POST /experiments`): key,
//! hypothesis, variants with their split, the exposure, start and end, the primary metric and guardrails,
//! capping of revenue outliers, the funnel compared per variant, and the decision rule (α, the minimum effect
//! worth shipping, the minimum full weeks). Every problem is shown at its field; analysts and admins save
//! (CSRF-checked like every form, audited by `tropa_app::experiments::save`).
//!
//! The sample-size calculator (a GET form on the list and on an experiment's page, [`calculator`]) answers in
//! words from `tropa_core::analysis::experiment::size`: customers per variant for an effect, or the smallest
//! effect a number of customers detects.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use tropa_core::analysis::experiment::capping::Cap;
use tropa_core::analysis::experiment::definition::{DecisionRule, ExperimentDefinition, FunnelDef, VariantDef};
use tropa_core::analysis::experiment::size;

use crate::access::{Analyst, Member};
use crate::error::WebError;
use crate::i18n::{Lang, Words};
use crate::session::{redirect, Session};
use crate::ui::form::csrf_field;
use crate::ui::layout::shell;
use crate::url::enc;
use crate::WebState;

/// The form's values as typed, by field name.
pub(crate) type Draft = HashMap<String, String>;

fn join(v: impl Iterator<Item = String>, sep: &str) -> String {
    v.collect::<Vec<_>>().join(sep)
}

/// A blank experiment's fields (two equal variants, the usual rule).
pub(crate) fn blank() -> Draft {
    draft_of(&ExperimentDefinition {
        key: String::new(),
        hypothesis: String::new(),
        variants: vec![VariantDef { name: "A".into(), weight: 1.0 }, VariantDef { name: "B".into(), weight: 1.0 }],
        exposure: "experiment_exposure".into(),
        experiment_property: "experiment".into(),
        variant_property: "variant".into(),
        start: String::new(),
        end: String::new(),
        primary: "conversion:purchase:7d".into(),
        guardrails: vec![],
        rule: DecisionRule { alpha: 0.05, min_effect: 0.01, min_weeks: 2 },
        capping: None,
        funnel: None,
    })
}

/// A saved experiment's fields.
pub(crate) fn draft_of(d: &ExperimentDefinition) -> Draft {
    let (capping, cap_value) = match d.capping {
        None => ("none", String::new()),
        Some(Cap::Percentile(q)) => ("percentile", format!("{}", q * 100.0)),
        Some(Cap::Fixed(c)) => ("fixed", format!("{c}")),
    };
    let f = d.funnel.as_ref();
    [
        ("key", d.key.clone()),
        ("hypothesis", d.hypothesis.clone()),
        ("variants", join(d.variants.iter().map(|v| v.name.clone()), ", ")),
        ("weights", join(d.variants.iter().map(|v| format!("{}", v.weight)), ", ")),
        ("exposure", d.exposure.clone()),
        ("start", d.start.clone()),
        ("end", d.end.clone()),
        ("primary", d.primary.clone()),
        ("guardrails", d.guardrails.join("\n")),
        ("capping", capping.into()),
        ("cap_value", cap_value),
        ("funnel_steps", f.map_or_else(String::new, |f| f.steps.join(" -> "))),
        ("funnel_window", f.map_or_else(|| "7d".to_string(), |f| f.window.clone())),
        ("alpha", format!("{}", d.rule.alpha)),
        ("min_effect", format!("{}", d.rule.min_effect * 100.0)),
        ("min_weeks", d.rule.min_weeks.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// A number typed in `field` (`default` when empty; a problem at the field when it is not a number).
fn number(l: Lang, problems: &mut Vec<(String, String)>, field: &str, text: &str, default: f64) -> f64 {
    if text.is_empty() {
        return default;
    }
    text.parse::<f64>().unwrap_or_else(|_| {
        problems.push((field.to_string(), format!("'{text}' {}", l.pick("is not a number", "— не число"))));
        default
    })
}

/// The definition the fields give, with the problems of fields that are not even numbers (by field name).
fn definition_of(l: Lang, f: &Draft) -> (ExperimentDefinition, Vec<(String, String)>) {
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let mut problems = Vec::new();
    let names: Vec<String> =
        get("variants").split([',', '\n']).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
    let weights: Vec<f64> = get("weights")
        .split([',', ';', ' ', '\n'])
        .filter(|w| !w.trim().is_empty())
        .map(|w| number(l, &mut problems, "weights", w.trim(), f64::NAN))
        .collect();
    if !weights.is_empty() && weights.len() != names.len() {
        let (w, n) = (weights.len(), names.len());
        problems.push((
            "weights".into(),
            l.pick(&format!("{w} weights for {n} variants"), &format!("долей: {w}, вариантов: {n}")).into(),
        ));
    }
    let alpha = number(l, &mut problems, "alpha", &get("alpha"), 0.05);
    let min_effect = number(l, &mut problems, "min_effect", &get("min_effect"), 0.0) / 100.0;
    let min_weeks = match get("min_weeks").parse::<u32>() {
        Ok(w) => w,
        Err(_) if get("min_weeks").is_empty() => 1,
        Err(_) => {
            problems.push(("min_weeks".into(), l.pick("a whole number of weeks", "целое число недель").into()));
            1
        }
    };
    let cap_value = get("cap_value");
    let capping = match get("capping").as_str() {
        "percentile" => Some(Cap::Percentile(number(l, &mut problems, "cap_value", &cap_value, f64::NAN) / 100.0)),
        "fixed" => Some(Cap::Fixed(number(l, &mut problems, "cap_value", &cap_value, f64::NAN))),
        _ => None,
    };
    let steps: Vec<String> = get("funnel_steps")
        .split("->")
        .flat_map(|s| s.split('→'))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let def = ExperimentDefinition {
        key: get("key"),
        hypothesis: get("hypothesis"),
        variants: names
            .iter()
            .enumerate()
            .map(|(i, n)| VariantDef { name: n.clone(), weight: weights.get(i).copied().unwrap_or(1.0) })
            .collect(),
        exposure: get("exposure"),
        experiment_property: "experiment".into(),
        variant_property: "variant".into(),
        start: get("start"),
        end: get("end"),
        primary: get("primary"),
        guardrails: get("guardrails").lines().map(str::trim).filter(|g| !g.is_empty()).map(String::from).collect(),
        rule: DecisionRule { alpha, min_effect, min_weeks },
        capping,
        funnel: (!steps.is_empty()).then(|| FunnelDef {
            steps,
            window: if get("funnel_window").is_empty() { "7d".into() } else { get("funnel_window") },
        }),
    };
    (def, problems)
}

/// The form field a definition's problem belongs to (`variants[1].weight` → `weights`).
fn form_field(field: &str) -> &'static str {
    match field {
        f if f.starts_with("variants") && f.ends_with("weight") => "weights",
        f if f.starts_with("variants") => "variants",
        f if f.starts_with("guardrails") => "guardrails",
        "rule.alpha" => "alpha",
        "rule.min_effect" => "min_effect",
        "rule.min_weeks" => "min_weeks",
        "funnel.steps" => "funnel_steps",
        "funnel.window" => "funnel_window",
        "capping" => "capping",
        "exposure" => "exposure",
        "start" => "start",
        "end" => "end",
        "primary" => "primary",
        _ => "key",
    }
}

/// The form (new when `editing` is None), each problem under its field.
pub(crate) fn form(l: Lang, s: &Session, f: &Draft, editing: bool, problems: &[(String, String)]) -> Markup {
    let v = |k: &str| f.get(k).cloned().unwrap_or_default();
    let err = |k: &str| -> Markup {
        html! { @for (_, r) in problems.iter().filter(|p| p.0 == k) { span.field-error id={ "err-" (k) } role="alert" { (r) } } }
    };
    let text = |k: &str, label: &str, hint: &str| -> Markup {
        html! {
            label.exp-field {
                span { (l.t(label)) }
                input type="text" name=(k) value=(v(k)) aria-invalid=[problems.iter().any(|p| p.0 == k).then_some("true")];
                @if !hint.is_empty() { small.muted { (l.t(hint)) } }
                (err(k))
            }
        }
    };
    let capping = v("capping");
    html! {
        h2 id="exp-form-title" { (l.t(if editing { "exp_edit" } else { "exp_new" })) }
        @if !problems.is_empty() { p.err role="alert" { (l.t("exp_form_problems")) } }
        form.exp-form method="post" action="/experiments" id="exp-form" {
            (csrf_field(&s.csrf))
            input type="hidden" name="project" value=(s.project);
            input type="hidden" name="mode" value=(if editing { "edit" } else { "new" });
            fieldset {
                legend { (l.t("exp_f_what")) }
                @if editing {
                    input type="hidden" name="key" value=(v("key"));
                    p { (l.t("exp_key")) ": " strong { (v("key")) } }
                } @else {
                    (text("key", "exp_f_key", "exp_f_key_hint"))
                }
                label.exp-field {
                    span { (l.t("exp_f_hypothesis")) }
                    textarea name="hypothesis" rows="2" { (v("hypothesis")) }
                }
                (text("variants", "exp_f_variants", "exp_f_variants_hint"))
                (text("weights", "exp_f_weights", "exp_f_weights_hint"))
                (text("exposure", "exp_f_exposure", "exp_f_exposure_hint"))
                (text("start", "exp_f_start", "exp_f_date_hint"))
                (text("end", "exp_f_end", "exp_f_date_hint"))
            }
            fieldset {
                legend { (l.t("exp_f_metrics")) }
                (text("primary", "exp_f_primary", "exp_f_metric_hint"))
                label.exp-field {
                    span { (l.t("exp_f_guardrails")) }
                    textarea name="guardrails" rows="3" aria-invalid=[problems.iter().any(|p| p.0 == "guardrails").then_some("true")] { (v("guardrails")) }
                    small.muted { (l.t("exp_f_guardrails_hint")) }
                    (err("guardrails"))
                }
                label.exp-field {
                    span { (l.t("exp_f_capping")) }
                    select name="capping" {
                        option value="none" selected[capping != "percentile" && capping != "fixed"] { (l.t("exp_f_cap_none")) }
                        option value="percentile" selected[capping == "percentile"] { (l.t("exp_f_cap_percentile")) }
                        option value="fixed" selected[capping == "fixed"] { (l.t("exp_f_cap_fixed")) }
                    }
                    (err("capping"))
                }
                (text("cap_value", "exp_f_cap_value", "exp_f_cap_value_hint"))
                (text("funnel_steps", "exp_f_funnel", "exp_f_funnel_hint"))
                (text("funnel_window", "exp_f_funnel_window", ""))
            }
            fieldset {
                legend { (l.t("exp_f_rule")) }
                (text("alpha", "exp_f_alpha", ""))
                (text("min_effect", "exp_f_min_effect", "exp_f_min_effect_hint"))
                (text("min_weeks", "exp_f_min_weeks", ""))
            }
            button type="submit" { (l.t("save")) }
        }
    }
}

/// `POST /experiments`: saves the form's experiment (an analyst or admin), or shows it again with each problem
/// at its field (400).
pub(crate) async fn save(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Result<Response, WebError> {
    let s = &m.s;
    let fields: Draft = m.f.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let editing = m.field("mode") == "edit";
    let (def, mut problems) = definition_of(s.lang, &fields);
    let calendar = st.settings_of(&s.project)?.calendar;
    if let Err(e) = def.spec(calendar) {
        problems.extend(e.iter().map(|p| (form_field(&p.field).to_string(), p.reason_in(s.lang).to_string())));
    }
    if !editing && problems.iter().all(|p| p.0 != "key") {
        if let Ok(Some(_)) = st.meta.experiment(&s.project, &def.key) {
            problems.push(("key".into(), s.lang.t("exp_f_key_taken").into()));
        }
    }
    if !problems.is_empty() {
        let l = s.lang;
        let main = html! {
            h1 { (l.t("experiments")) }
            (form(l, s, &fields, editing, &problems))
        };
        let page = shell(s, "experiments", l.t("experiments"), main).into_string();
        return Ok((StatusCode::BAD_REQUEST, Html(page)).into_response());
    }
    let who = crate::audit::who(&st, s);
    tropa_app::experiments::save(&st.meta, &who, &s.project, &def, calendar, (st.clock)())
        .map_err(|e| WebError::internal(&e))?;
    Ok(redirect(&format!("/experiments/{}?project={}", enc(&def.key), enc(&s.project))))
}

/// The sample-size / minimum-detectable-effect calculator: a GET form (`calc=1`) and its answer in words.
/// `baseline` is a conversion rate in %, `effect` an absolute change in percentage points, `customers` the
/// customers per variant (it gives the smallest detectable effect instead).
pub(crate) fn calculator(l: Lang, action: &str, project: &str, f: &HashMap<String, String>, baseline: f64) -> Markup {
    let v = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let asked = v("calc") == "1";
    let base_text = if asked { v("baseline") } else { format!("{:.1}", baseline * 100.0) };
    let answer = asked.then(|| answer(l, &base_text, &v("effect"), &v("customers"), &v("power")));
    html! {
        section id="calculator" {
            h2 { (l.t("exp_calc")) }
            p.muted { (l.t("exp_calc_hint")) }
            form.exp-calc method="get" action=(action) {
                input type="hidden" name="project" value=(project);
                input type="hidden" name="calc" value="1";
                label { (l.t("exp_calc_baseline")) " " input type="text" name="baseline" value=(base_text) size="6"; }
                label { (l.t("exp_calc_effect")) " " input type="text" name="effect" value=(v("effect")) size="6"; }
                label { (l.t("exp_calc_customers")) " " input type="text" name="customers" value=(v("customers")) size="8"; }
                label { (l.t("exp_calc_power")) " " input type="text" name="power" value=(if v("power").is_empty() { "80".to_string() } else { v("power") }) size="4"; }
                button type="submit" { (l.t("exp_calc_go")) }
            }
            @match answer {
                Some(Ok(words)) => { p.panel id="calc-answer" { (words) } }
                Some(Err(words)) => { p.err id="calc-answer" role="alert" { (words) } }
                None => {}
            }
        }
    }
}

fn answer(l: Lang, baseline: &str, effect: &str, customers: &str, power: &str) -> Result<String, String> {
    let num = |t: &str, field: &str| -> Result<Option<f64>, String> {
        if t.is_empty() {
            return Ok(None);
        }
        t.replace(',', ".")
            .parse::<f64>()
            .map(Some)
            .map_err(|_| format!("{}: '{t}' {}", l.t(field), l.t("exp_calc_nan")))
    };
    let p = num(baseline, "exp_calc_baseline")?
        .ok_or_else(|| format!("{}: {}", l.t("exp_calc_baseline"), l.t("exp_calc_need")))?
        / 100.0;
    if !(p > 0.0 && p < 1.0) {
        return Err(format!("{}: {}", l.t("exp_calc_baseline"), l.t("exp_calc_rate")));
    }
    let power = num(power, "exp_calc_power")?.unwrap_or(80.0) / 100.0;
    let sd = (p * (1.0 - p)).sqrt();
    let pct = |x: f64| format!("{:.1} %", x * 100.0);
    let fail = |e: tropa_core::analysis::experiment::StatsError| e.to_string();
    match (num(effect, "exp_calc_effect")?, num(customers, "exp_calc_customers")?) {
        (Some(e), None) => {
            let plan = size::sample_size(e / 100.0, sd, 0.05, power, 1.0).map_err(fail)?;
            let n = plan.control.ceil() as u64;
            Ok(match l {
                Lang::Ru => format!(
                    "Нужно около {n} клиентов в каждом варианте ({} всего), чтобы с мощностью {:.0} % при α = 0,05 заметить изменение конверсии с {} до {}.",
                    2 * n, power * 100.0, pct(p), pct(p + e / 100.0)
                ),
                Lang::En => format!(
                    "You need about {n} customers in each variant ({} in all) to detect a change of the conversion from {} to {} with {:.0} % power at α = 0.05.",
                    2 * n, pct(p), pct(p + e / 100.0), power * 100.0
                ),
            })
        }
        (None, Some(n)) => {
            let plan = size::mde(n, sd, 0.05, power, 1.0).map_err(fail)?;
            let d = plan.effect;
            Ok(match l {
                Lang::Ru => format!(
                    "С {n:.0} клиентами в каждом варианте можно заметить изменение не меньше ±{:.2} п. п. (с {} до {}) с мощностью {:.0} % при α = 0,05; меньшие изменения тест пропустит.",
                    d * 100.0, pct(p), pct(p + d), power * 100.0
                ),
                Lang::En => format!(
                    "With {n:.0} customers in each variant you can detect a change of at least ±{:.2} percentage points (from {} to {}) with {:.0} % power at α = 0.05; smaller changes will be missed.",
                    d * 100.0, pct(p), pct(p + d), power * 100.0
                ),
            })
        }
        _ => Err(l.t("exp_calc_one").to_string()),
    }
}
