//! Experiments (A/B tests) of a project: definitions checked and kept (audited), and evaluated over the
//! project's events with the decision the registered rule gives. Variants are assigned by the site's own tool
//! (any feature-flag system); tropa only evaluates.

use serde::Serialize;
use tropa_core::analysis::experiment::definition::{decide, Decision, ExperimentDefinition};
use tropa_core::analysis::experiment::fold::ExperimentFold;
use tropa_core::analysis::experiment::report::{report, Evaluation, ExperimentReport};
use tropa_core::analysis::scope::ScopeSpec;
use tropa_core::analysis::stages::JourneyDefinition;
use tropa_core::calendar::Calendar;
use tropa_core::lang::Lang;
use tropa_engine::Engine;
use tropa_meta::experiments::StoredExperiment;
use tropa_meta::{Meta, MetaError};

use crate::audit::{record, Action, Done, Who};
use crate::{AppError, Reason};

/// The expected total customers the sequential test is tuned for when the definition does not say.
const TUNING: f64 = 5000.0;

fn invalid(problems: Vec<tropa_core::error::FieldError>) -> AppError {
    let words = |lang: Lang| -> String {
        problems.iter().map(|p| format!("{}: {}", p.field, p.reason_in(lang))).collect::<Vec<_>>().join("; ")
    };
    AppError::Invalid { field: "definition", reason: Reason::Words(words(Lang::En), words(Lang::Ru)) }
}

/// Checks and keeps a definition (saving a key again replaces it); audited.
pub fn save(
    meta: &Meta,
    who: &Who,
    project: &str,
    def: &ExperimentDefinition,
    calendar: Calendar,
    now: i64,
) -> Result<StoredExperiment, AppError> {
    def.spec(calendar).map_err(invalid)?;
    let json = serde_json::to_string(def)
        .map_err(|e| AppError::Invalid { field: "definition", reason: Reason::Document(e.to_string()) })?;
    let user = match &who.actor {
        tropa_meta::audit::Actor::User { id, .. } => Some(*id),
        _ => None,
    };
    let stored = meta.save_experiment(project, &def.key, &json, user, now)?;
    record(meta, who, Done::new(Action::ExperimentSave, Some(project), def.key.clone()), now)?;
    Ok(stored)
}

/// The definition stored under `key`.
pub fn get(meta: &Meta, project: &str, key: &str) -> Result<ExperimentDefinition, AppError> {
    let stored = meta
        .experiment(project, key)?
        .ok_or_else(|| AppError::Meta(MetaError::NotFound { what: "experiment", name: key.into() }))?;
    read(&stored)
}

fn read(stored: &StoredExperiment) -> Result<ExperimentDefinition, AppError> {
    serde_json::from_str(&stored.definition)
        .map_err(|e| AppError::Invalid { field: "definition", reason: Reason::Document(e.to_string()) })
}

/// Every experiment of the project, by key.
pub fn list(meta: &Meta, project: &str) -> Result<Vec<ExperimentDefinition>, AppError> {
    meta.experiments(project)?.iter().map(read).collect()
}

/// Deletes an experiment; audited.
pub fn delete(meta: &Meta, who: &Who, project: &str, key: &str, now: i64) -> Result<(), AppError> {
    meta.delete_experiment(project, key)?;
    record(meta, who, Done::new(Action::ExperimentDelete, Some(project), key.to_string()), now)?;
    Ok(())
}

/// An experiment evaluated at `now`.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluated {
    pub definition: ExperimentDefinition,
    /// Whole days from the first counted exposure to `now` (or the end).
    pub days_running: i64,
    pub decision: Decision,
    pub report: ExperimentReport,
}

/// Evaluates `def` over the engine's events in the project's calendar; with `stages` (the project's journey
/// definition, [`crate::definitions::project`]) the report compares the variants stage by stage as of `now`.
pub fn evaluate(
    engine: &dyn Engine,
    def: &ExperimentDefinition,
    calendar: Calendar,
    now: i64,
    stages: Option<&JourneyDefinition>,
) -> Result<Evaluated, AppError> {
    let mut spec = def.spec(calendar).map_err(invalid)?;
    if let Some(j) = spec.journey.as_mut() {
        j.definition = stages.cloned();
        j.now = now;
    }
    let fold = ExperimentFold::new(spec.clone(), &engine.dictionaries());
    let columns = fold.columns();
    let having = fold.having();
    let (acc, _) =
        tropa_engine::report::scoped_fold_having(engine, fold, columns, ScopeSpec::default(), Vec::new(), having)?;
    let ev = Evaluation { alpha: def.rule.alpha, tuning: TUNING, weights: def.weights() };
    let r = report(&spec, &acc, &ev)
        .map_err(|e| AppError::Invalid { field: "key", reason: Reason::Document(e.to_string()) })?;
    let first = spec.start.map(|s| calendar.day(s)).or_else(|| r.lift.first().map(|p| p.day));
    let last = calendar.day(spec.end.map_or(now, |e| e.min(now)));
    let days_running = first.map_or(0, |f| (last - f).max(0));
    let decision = decide(def, &r, days_running);
    Ok(Evaluated { definition: def.clone(), days_running, decision, report: r })
}

/// The demo's two planted experiments: `checkout_v2` (on `begin_checkout`; B converts better) and `cart_page_v3`
/// (on the cart page view; its logger loses B exposures: a sample-ratio mismatch). Kept unless already defined.
pub fn starter(meta: &Meta, who: &Who, project: &str, lang: tropa_core::lang::Lang, now: i64) -> Result<(), AppError> {
    use tropa_core::analysis::experiment::definition::{DecisionRule, FunnelDef, VariantDef};
    let variants = || vec![VariantDef { name: "A".into(), weight: 1.0 }, VariantDef { name: "B".into(), weight: 1.0 }];
    let defs = [
        ExperimentDefinition {
            key: "checkout_v2".into(),
            hypothesis: lang
                .pick(
                    "The new checkout turns more checkouts into purchases without lowering revenue per customer.",
                    "Новое оформление заказа чаще завершается покупкой и не снижает выручку на клиента.",
                )
                .into(),
            variants: variants(),
            exposure: "begin_checkout".into(),
            experiment_property: "experiment".into(),
            variant_property: "variant".into(),
            start: String::new(),
            end: String::new(),
            primary: "conversion:purchase:7d".into(),
            guardrails: vec![
                "revenue:30d".into(),
                "events:7d".into(),
                "retention:7".into(),
                "time_to_convert:purchase:7d".into(),
            ],
            rule: DecisionRule { alpha: 0.05, min_effect: 0.01, min_weeks: 2 },
            capping: None,
            funnel: Some(FunnelDef {
                steps: vec!["begin_checkout".into(), "add_payment_info".into(), "purchase".into()],
                window: "7d".into(),
            }),
        },
        ExperimentDefinition {
            key: "cart_page_v3".into(),
            hypothesis: lang
                .pick(
                    "The new cart page brings more customers to a purchase.",
                    "Новая страница корзины приводит к покупке больше клиентов.",
                )
                .into(),
            variants: variants(),
            exposure: "page_view".into(),
            experiment_property: "experiment".into(),
            variant_property: "variant".into(),
            start: String::new(),
            end: String::new(),
            primary: "conversion:purchase:7d".into(),
            guardrails: vec!["revenue:30d".into()],
            rule: DecisionRule { alpha: 0.05, min_effect: 0.02, min_weeks: 2 },
            capping: None,
            funnel: None,
        },
    ];
    for def in defs {
        if meta.experiment(project, &def.key)?.is_none() {
            save(meta, who, project, &def, Calendar::UTC, now)?;
        }
    }
    Ok(())
}
