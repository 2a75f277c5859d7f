//! The stages page: the project's journey definition in the stage editor (`ui::stage_editor`: fields and
//! buttons, every problem at its field, events the data never had refused with the name most likely meant; TOML,
//! YAML or JSON only to import and export) and the report it gives — customers reaching each stage (stage-to-stage conversion),
//! where customers are now, time in stage, customers stuck, lifecycle states and the lifecycle transition matrix
//! between two dates. Everyone may try a definition ("Show"); analysts and admins save it for the project, and
//! then the overview and the stage filters of every report use it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use tropa_app::audit::{Action, Done};
use tropa_app::request::{unknown_events, NamedEvents, Problems};
use tropa_app::AppError;
use tropa_core::analysis::filter::EventMatch;
use tropa_core::analysis::invalid::{SpecErrors, SpecField};
use tropa_core::analysis::lanes::{LanesReport, LanesSpec};
use tropa_core::analysis::lifecycle::{LifecycleSpec, LifecycleThresholds, TransitionsReport};
use tropa_core::analysis::stages::{DefinitionFormat, DefinitionIssue, JourneyDefinition, StagesReport, StagesSpec};
use tropa_engine::{report, Engine, EngineError};
use tropa_meta::Role;
use tropa_render::{BarChart, FunnelChart, FunnelStep, Heatmap, ValueFormat};

use crate::access::{Member, Viewer};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::i18n::Words;
use crate::pages::export::Exports;
use crate::project::{engine as project_engine, local};
use crate::session::{redirect, Session};
use crate::ui::chart::card;
use crate::ui::form::{csrf_field, FieldErrors};
use crate::ui::layout::shell;
use crate::ui::stage_editor::{self, field_of, Draft, Issues};
use crate::WebState;

const DAY_MS: i64 = 86_400_000;
/// The problem events the stages page starts with (the demo shop's support tickets and refunds).
const DEFAULT_PROBLEMS: &str = "support_ticket, refund";

/// What the page was asked: the stages in the editor and the report's instants.
struct Ask {
    project: String,
    draft: Draft,
    saved: bool,
    /// The editor's op was performed: the page shows the editor, not the report, until "show" or "save".
    editing: bool,
    /// A file pasted to import (TOML, YAML or JSON) and its format.
    import: String,
    import_format: DefinitionFormat,
    now: String,
    stuck: String,
    from: String,
    /// Problem events, comma-separated.
    problems: String,
    download: Option<String>,
    download_format: Option<String>,
}

impl Ask {
    /// The page's parameters for its downloads, which reload the page by GET: the project's saved definition
    /// with the same dates.
    fn download_params(&self) -> HashMap<String, String> {
        [("project", &self.project), ("now", &self.now), ("stuck", &self.stuck), ("from", &self.from)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .chain(self.download.clone().map(|d| ("download".to_string(), d)))
            .chain(self.download_format.clone().map(|d| ("format".to_string(), d)))
            .collect()
    }
}

fn param(q: &HashMap<String, String>, k: &str) -> String {
    q.get(k).map(|v| v.trim().to_string()).unwrap_or_default()
}

fn format_param(text: &str) -> DefinitionFormat {
    match text {
        "yaml" => DefinitionFormat::Yaml,
        "json" => DefinitionFormat::Json,
        _ => DefinitionFormat::Toml,
    }
}

pub(crate) async fn page(
    State(st): State<Arc<WebState>>,
    _headers: HeaderMap,
    m: Member<Viewer>,
) -> Result<Response, WebError> {
    let Member { s, f: q, .. } = m;
    let d = tropa_app::definitions::project(&st.meta, &s.project).map_err(|e| WebError::internal(&e))?;
    let ask = Ask {
        project: s.project.clone(),
        draft: Draft::of(&d.definition),
        saved: d.saved,
        editing: false,
        import: String::new(),
        import_format: DefinitionFormat::Toml,
        now: param(&q, "now"),
        stuck: param(&q, "stuck"),
        from: param(&q, "from"),
        problems: q.get("problems").map(|p| p.trim().to_string()).unwrap_or_else(|| DEFAULT_PROBLEMS.into()),
        download: q.get("download").cloned(),
        download_format: q.get("format").cloned(),
    };
    let note = match param(&q, "done").as_str() {
        "saved" => Some(s.lang.t("definition_saved")),
        "reset" => Some(s.lang.t("definition_reset")),
        _ => None,
    };
    show(&st, &s, &ask, &[], note, StatusCode::OK).await
}

/// `GET /stages/definition?format=toml|yaml|json`: the project's stages as a file.
pub(crate) async fn export(State(st): State<Arc<WebState>>, m: Member<Viewer>) -> Result<Response, WebError> {
    let format = format_param(m.field("format"));
    let d = tropa_app::definitions::project(&st.meta, &m.s.project).map_err(|e| WebError::internal(&e))?;
    let kind = match format {
        DefinitionFormat::Json => "application/json",
        DefinitionFormat::Yaml => "application/yaml; charset=utf-8",
        DefinitionFormat::Toml => "application/toml; charset=utf-8",
    };
    let disposition = format!("attachment; filename=\"stages.{}\"", format.name());
    let headers = [(header::CONTENT_TYPE, kind.to_string()), (header::CONTENT_DISPOSITION, disposition)];
    Ok((headers, d.definition.to_text(format)).into_response())
}

/// `POST /stages`: an editor button (`op`: add, move, remove a stage or an event) shows the changed editor;
/// `action=show` tries the stages in the editor (anyone), `import` reads a pasted file into the editor, `save`
/// keeps them for the project and `reset` goes back to the default (analysts and admins).
pub(crate) async fn post(State(st): State<Arc<WebState>>, m: Member<Viewer>) -> Result<Response, WebError> {
    let action = m.field("action").to_string();
    let op = m.field("op").to_string();
    let need = if action == "save" || action == "reset" { Role::Analyst } else { Role::Viewer };
    let Member { s, f, .. } = m.at_least(need)?;
    let mut ask = Ask {
        project: s.project.clone(),
        draft: Draft::read(&f),
        saved: false,
        editing: false,
        import: f.get("import").cloned().unwrap_or_default(),
        import_format: format_param(&param(&f, "import_format")),
        now: param(&f, "now"),
        stuck: param(&f, "stuck"),
        from: param(&f, "from"),
        problems: param(&f, "problems"),
        download: None,
        download_format: None,
    };
    if !op.is_empty() {
        ask.editing = ask.draft.apply(&op);
        return show(&st, &s, &ask, &[], None, StatusCode::OK).await;
    }
    match action.as_str() {
        "reset" => {
            tropa_app::definitions::reset(&st.meta, &s.project).map_err(|e| WebError::internal(&e))?;
            crate::audit::record(&st, &s, Done::new(Action::DefinitionReset, Some(&s.project), ""));
            follow(&st, &s);
            Ok(back(&s, "reset"))
        }
        "save" => save(&st, &s, &ask).await,
        "show" => show(&st, &s, &ask, &[], None, StatusCode::OK).await,
        "import" => match JourneyDefinition::parse(&ask.import, ask.import_format) {
            Ok(def) => {
                ask.draft = Draft::of(&def);
                ask.import.clear();
                show(&st, &s, &ask, &[], Some(s.lang.t("imported_check_save")), StatusCode::OK).await
            }
            Err(e) => {
                let issues: Vec<DefinitionIssue> = e
                    .issues
                    .into_iter()
                    .map(|i| DefinitionIssue { field: format!("import:{}", i.field), ..i })
                    .collect();
                show(&st, &s, &ask, &issues, None, StatusCode::BAD_REQUEST).await
            }
        },
        other => {
            let reason = format!("'{other}' {}", s.lang.t("stages_action"));
            let issue = DefinitionIssue { line: None, stage: None, field: "action".into(), reason };
            show(&st, &s, &ask, &[issue], None, StatusCode::BAD_REQUEST).await
        }
    }
}

/// The maps linked to the project's stages take the new ones (each a new version); a failure is logged, the
/// stages stay saved.
fn follow(st: &WebState, s: &Session) {
    let by = tropa_app::maps::Author { user: Some(s.user.id), now: (st.clock)() };
    if let Err(e) = tropa_app::maps::versions::follow_project(&st.meta, &s.project, by) {
        tracing::warn!(error = %e, "linked maps did not take the project's new stages");
    }
}

/// The definition in the editor, checked: its problems at their fields; or the definition with the events its
/// rules name that the data never had (each at its field with the name most likely meant).
#[allow(clippy::type_complexity)]
fn checked(
    st: &WebState,
    s: &Session,
    ask: &Ask,
) -> Result<Result<(JourneyDefinition, Vec<(String, DefinitionIssue)>), Vec<DefinitionIssue>>, WebError> {
    let text = ask.draft.to_value().to_string();
    let def = match JourneyDefinition::parse(&text, DefinitionFormat::Json) {
        Ok(def) => def,
        Err(e) => return Ok(Err(e.issues.into_iter().map(|i| DefinitionIssue { line: None, ..i }).collect())),
    };
    let named: Vec<(String, String)> =
        ask.draft.named_events().into_iter().map(|((i, j), t)| (format!("{i}:{j}"), t)).collect();
    let dicts = project_engine(st, s, &ask.project)?.dictionaries();
    let unknown = unknown_events(&named, &dicts)
        .into_iter()
        .filter_map(|(at, e)| {
            let text = named.iter().find(|(f, _)| *f == at).map(|(_, t)| t.clone()).unwrap_or_default();
            let (i, j) = at.split_once(':')?;
            let i: usize = i.parse().ok()?;
            let key = ask.draft.stages.get(i).map(|x| x.key.clone()).unwrap_or_default();
            let issue = DefinitionIssue {
                line: None,
                stage: Some((i + 1, key)),
                field: format!("event[{j}]"),
                reason: e.words(s.lang),
            };
            Some((text, issue))
        })
        .collect();
    Ok(Ok((def, unknown)))
}

/// Saves the stages in the editor for the project (the page again with their problems when they have any);
/// the maps linked to the project's stages follow.
async fn save(st: &WebState, s: &Session, ask: &Ask) -> Result<Response, WebError> {
    // an event the data never had is a typo until proven otherwise: refused when the stages bring it in (the
    // project's stages may already name events the data has yet to have)
    let before = tropa_app::definitions::project(&st.meta, &s.project).map_err(|e| WebError::internal(&e))?;
    let had: Vec<String> = before.definition.events().into_iter().map(|(_, t)| t).collect();
    let def = match checked(st, s, ask)? {
        Ok((def, unknown)) => {
            let fresh: Vec<DefinitionIssue> =
                unknown.into_iter().filter(|(t, _)| !had.contains(t)).map(|(_, i)| i).collect();
            if !fresh.is_empty() {
                return show(st, s, ask, &fresh, None, StatusCode::BAD_REQUEST).await;
            }
            def
        }
        Err(issues) => return show(st, s, ask, &issues, None, StatusCode::BAD_REQUEST).await,
    };
    let by = Some(s.user.id);
    let text = def.to_text(DefinitionFormat::Toml);
    match tropa_app::definitions::save(&st.meta, &s.project, (&text, DefinitionFormat::Toml), by, (st.clock)()) {
        Ok(def) => {
            let details = serde_json::json!({"format": "editor", "stages": def.stages.len()});
            let done = Done::new(Action::DefinitionSave, Some(&s.project), &def.name).with(details);
            crate::audit::record(st, s, done);
            follow(st, s);
            Ok(back(s, "saved"))
        }
        Err(AppError::Definition(e)) => show(st, s, ask, &e.issues, None, StatusCode::BAD_REQUEST).await,
        Err(AppError::Meta(tropa_meta::MetaError::Invalid { reason, .. })) => {
            let issue = DefinitionIssue { line: None, stage: None, field: String::new(), reason };
            show(st, s, ask, &[issue], None, StatusCode::BAD_REQUEST).await
        }
        Err(e) => Err(WebError::internal(&e)),
    }
}

/// Back to the stages page of the project, saying what was done.
fn back(s: &Session, done: &str) -> Response {
    redirect(&format!("/stages?project={}&done={done}", url_part(&s.project)))
}

/// A value for a query string (project ids are `a-z 0-9 - _`, so only `&`, `#`, `%`, spaces could matter).
fn url_part(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

enum Outcome {
    Report(Box<(StagesReport, LanesReport)>),
    NoEvents,
    Bad(SpecErrors),
    /// The engine could not run the report: the reason, shown at the definition.
    Failed(String),
}

/// The report's instants and problem events, read from the form (problems at their fields).
struct Inputs {
    now: Option<i64>,
    stuck_ms: i64,
    from: Option<i64>,
    problems: Vec<EventMatch>,
}

impl Inputs {
    fn read(ask: &Ask, p: &mut Problems) -> Inputs {
        let given = |t: &str| Some(t.to_string()).filter(|t| !t.is_empty());
        Inputs {
            now: p.time("now", &given(&ask.now)),
            stuck_ms: p.duration("stuck", &given(&ask.stuck)).unwrap_or(14 * DAY_MS),
            from: p.time("from", &given(&ask.from)),
            problems: ask
                .problems
                .split(',')
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .filter_map(|e| p.event("problems", e))
                .collect(),
        }
    }
}

/// The page: the editor with the definition's `issues` (or the report's problems) and the report it gives.
async fn show(
    st: &WebState,
    s: &Session,
    ask: &Ask,
    issues: &[DefinitionIssue],
    note: Option<&str>,
    mut status: StatusCode,
) -> Result<Response, WebError> {
    let l = s.lang;
    let mut ex = Exports::new("stages", l, &ask.download_params());
    let mut issues = issues.to_vec();
    // the project's time zone: dates without an offset and the report's days, weeks and months
    let calendar = st.settings_of(&ask.project)?.calendar;
    let mut problems = Problems::new(l).in_calendar(calendar);
    // events the data never had are shown at their fields; the numbers are shown all the same
    let mut warnings = Vec::new();
    let definition = if issues.is_empty() && !ask.editing {
        match checked(st, s, ask)? {
            Ok((def, unknown)) => {
                warnings = unknown.into_iter().map(|(_, i)| i).collect();
                Some(def)
            }
            Err(e) => {
                issues = e;
                None
            }
        }
    } else {
        None
    };
    let inputs = Inputs::read(ask, &mut problems);
    let mut result = html! {};
    if let (Some(definition), true) = (definition, problems.0.is_empty()) {
        let engine = project_engine(st, s, &ask.project)?;
        let done = tokio::task::spawn_blocking(move || run(&*engine, definition, inputs)).await;
        match done.map_err(|e| WebError::internal(&e))? {
            Outcome::Report(r) => result = render(l, &r.0, &r.1, &mut ex),
            Outcome::NoEvents => result = html! { div.empty { p { (l.t("no_events_title")) } } },
            Outcome::Bad(e) => {
                for p in e.0 {
                    // the page's fields: the report's instant, the stuck threshold, the start of the transitions
                    let field = match p.field {
                        SpecField::Stuck => "stuck",
                        SpecField::Now => "now",
                        _ => "from",
                    };
                    problems.0.push((field.into(), p.reason.words(l)));
                }
            }
            Outcome::Failed(reason) => problems.0.push(("definition".into(), reason)),
        }
    }
    if !issues.is_empty() || !problems.0.is_empty() {
        status = StatusCode::BAD_REQUEST;
    }
    if let Some(file) = ex.into_file() {
        return Ok(file);
    }
    let e = FieldErrors::new(l, &problems.0, "");
    let events = crate::project::offered_events(st, s, &ask.project)?;
    let shown: Vec<DefinitionIssue> = issues.iter().chain(&warnings).cloned().collect();
    let main = html! {
        h1 { (l.t("stages")) }
        (crate::ui::pin::report(st, s, "stages", &ask.download_params()))
        (form(s, ask, &shown, note, &e, &events))
        (result)
    };
    Ok((status, Html(shell(s, "stages", l.t("stages"), main).into_string())).into_response())
}

/// The report for a definition: where customers are at `now` (the latest event when not given), their lifecycle
/// and its transitions since `from`, and the problem events met in each stage.
fn run(engine: &dyn Engine, definition: JourneyDefinition, at: Inputs) -> Outcome {
    let inner = || {
        let latest = engine.time_bounds()?.1;
        let Some(now) = at.now.or(latest) else { return Ok(Outcome::NoEvents) };
        let defaults = LifecycleThresholds::default();
        let thresholds = LifecycleThresholds::new(
            definition.lifecycle.dormant_ms.unwrap_or(defaults.dormant_ms),
            definition.lifecycle.churn_ms.unwrap_or(defaults.churn_ms),
        )
        .unwrap_or(defaults);
        let from = at.from.unwrap_or(now - 30 * DAY_MS);
        let lifecycle = LifecycleSpec {
            activity: definition.lifecycle.activity.clone(),
            thresholds,
            at: now,
            transitions: (from < now).then_some((from, now)),
        };
        let lanes_spec = LanesSpec { definition: definition.clone(), now, problems: at.problems, top: 3 };
        let spec = StagesSpec { definition, now, stuck_ms: at.stuck_ms, lifecycle };
        if let Err(e) = spec.validate() {
            return Ok(Outcome::Bad(e));
        }
        let stages = report::stages(engine, spec, Default::default(), vec![])?;
        let lanes = report::lanes(engine, lanes_spec, Default::default(), vec![])?;
        Ok::<_, EngineError>(Outcome::Report(Box::new((stages, lanes))))
    };
    inner().unwrap_or_else(|e| Outcome::Failed(e.to_string()))
}

/// The page's form: the stage editor with its problems at their fields and whether the stages are saved, the
/// buttons (save and reset for analysts and admins), import and export as files, and the report's instants and
/// problem events.
fn form(
    s: &Session,
    ask: &Ask,
    issues: &[DefinitionIssue],
    note: Option<&str>,
    e: &FieldErrors,
    events: &[tropa_app::dictionary::Choice],
) -> Markup {
    let l = s.lang;
    let (imported, placed): (Vec<&DefinitionIssue>, Vec<&DefinitionIssue>) =
        issues.iter().partition(|i| i.field.starts_with("import:"));
    let placed: Vec<(String, String)> = placed.into_iter().map(|i| (field_of(i), i.reason.clone())).collect();
    let imported: Vec<DefinitionIssue> = imported
        .into_iter()
        .map(|i| DefinitionIssue { field: i.field.trim_start_matches("import:").to_string(), ..i.clone() })
        .collect();
    let formats = [("toml", "TOML"), ("yaml", "YAML"), ("json", "JSON")];
    let analyst = s.role >= Role::Analyst;
    let p = url_part(&ask.project);
    html! {
        form.builder.stages method="post" action="/stages" {
            (csrf_field(&s.csrf))
            input type="hidden" name="project" value=(ask.project);
            // the button Enter presses in a field: show the numbers
            button.default-submit type="submit" name="action" value="show" tabindex="-1" aria-hidden="true" { (l.t("run")) }
            div.stage-editor-col {
                h2 { (l.t("journey_stages")) }
                p.muted { (l.t("stage_editor_hint")) }
                @if !placed.is_empty() { p.err role="alert" { (l.t("stages_have_problems")) } }
                (stage_editor::editor(l, &ask.draft, events, &Issues::new(&placed), analyst))
                (e.at("definition"))
                (definition_state(l, ask.saved, note))
                div.actions {
                    button type="submit" name="action" value="show" { (l.t("show_numbers")) }
                    @if analyst {
                        button type="submit" name="action" value="save" { (l.t("save_definition")) }
                        button.secondary type="submit" name="action" value="reset" data-confirm=(l.t("confirm_reset_definition")) {
                            (l.t("reset_definition"))
                        }
                    } @else {
                        p.muted { (l.t("viewer_cannot_save")) }
                    }
                }
                details.import-export open[!imported.is_empty()] {
                    summary { (l.t("import_export_stages")) }
                    p {
                        (l.t("download")) ": "
                        @for (i, (f, name)) in formats.iter().enumerate() {
                            @if i > 0 { " · " }
                            a href={ "/stages/definition?project=" (p) "&format=" (f) } download { (name) }
                        }
                    }
                    label for="import" { (l.t("import_stages_hint")) }
                    textarea id="import" name="import" rows="6" spellcheck="false" aria-invalid=[(!imported.is_empty()).then_some("true")] {
                        (ask.import)
                    }
                    (issue_list(l, &imported))
                    (e.select("import_format", l.t("format"), ask.import_format.name(), &formats))
                    button.secondary type="submit" name="action" value="import" { (l.t("import_into_editor")) }
                }
            }
            div {
                (e.input("now", l.t("as_of"), &ask.now, "date", ""))
                (e.input("stuck", l.t("stuck_after"), &ask.stuck, "text", "14d"))
                (e.input("from", l.t("transitions_from"), &ask.from, "date", ""))
                (e.input("problems", l.t("problem_events"), &ask.problems, "text", DEFAULT_PROBLEMS))
                p.muted { (l.t("stages_hint")) }
                button type="submit" name="action" value="show" { (l.t("run")) }
            }
        }
    }
}

/// Every problem of the definition, by line.
fn issue_list(l: Lang, issues: &[DefinitionIssue]) -> Markup {
    html! {
        @if !issues.is_empty() {
            ul.err role="alert" {
                @for i in issues {
                    li {
                        @if let Some(n) = i.line { (l.t("line")) " " (n) ": " }
                        (DefinitionIssue { line: None, ..i.clone() })
                    }
                }
            }
        }
    }
}

/// Whether the definition shown is the project's saved one or the default (or what was just done).
fn definition_state(l: Lang, saved: bool, note: Option<&str>) -> Markup {
    html! {
        @match (saved, note) {
            (_, Some(n)) => p.ok role="status" { (n) },
            (true, None) => p.muted { (l.t("definition_is_saved")) },
            (false, None) => p.muted { (l.t("definition_is_default")) },
        }
    }
}

fn state_name(l: Lang, state: &str) -> &'static str {
    l.t(&format!("lc_{state}"))
}

/// The report: the cards, the charts, the table of stages and the lifecycle transitions.
fn render(l: Lang, r: &StagesReport, lanes: &LanesReport, ex: &mut Exports) -> Markup {
    let loc = l.locale();
    let reached_last = r.stages.last().map(|x| loc.percent(x.conversion_from_first.unwrap_or(0.0))).unwrap_or_default();
    html! {
        div.cards {
            (card(&loc.int(r.customers), l.t("customers"), false))
            (card(&loc.int(r.no_stage), l.t("no_stage"), false))
            (card(&reached_last, l.t("reached_last"), false))
            (card(&l.date(r.now.get(..10).unwrap_or(&r.now)), l.t("as_of"), true))
        }
        (charts(l, r, lanes, ex))
        (stage_table(l, r))
        @if let Some(t) = &r.lifecycle.transitions { (transitions(l, t, ex)) }
    }
}

/// The charts: customers who reached each stage, where they are now, who is stuck, lifecycle states and, when
/// problem events were met, their share in each stage.
fn charts(l: Lang, r: &StagesReport, lanes: &LanesReport, ex: &mut Exports) -> Markup {
    let reached = FunnelChart {
        title: l.t("stage_reached_chart").into(),
        steps: r.stages.iter().map(|x| FunnelStep { label: local(l, &x.names), customers: x.entered }).collect(),
    };
    let bars = |title: String, bars: Vec<(String, f64)>, format, highlight| BarChart { title, bars, format, highlight };
    let now = bars(
        l.t("stages_now").into(),
        r.stages.iter().map(|x| (local(l, &x.names), x.current as f64)).collect(),
        ValueFormat::Count,
        None,
    );
    let slowest = r
        .stages
        .iter()
        .enumerate()
        .filter_map(|(i, x)| x.stuck.filter(|n| *n > 0).map(|n| (i, n)))
        .max_by_key(|(_, n)| *n)
        .map(|(i, _)| i);
    let stuck = bars(
        format!("{} {}", l.t("stuck_chart"), l.duration(Some(r.stuck_seconds))),
        r.stages.iter().filter_map(|x| x.stuck.map(|n| (local(l, &x.names), n as f64))).collect(),
        ValueFormat::Count,
        slowest,
    );
    let states = bars(
        l.t("lifecycle_chart").into(),
        r.lifecycle.states.iter().map(|c| (state_name(l, c.state.as_str()).to_string(), c.customers as f64)).collect(),
        ValueFormat::Count,
        None,
    );
    let problems = lanes.stages.iter().any(|s| s.problem_share.is_some()).then(|| {
        let shares: Vec<f64> = lanes.stages.iter().map(|s| s.problem_share.unwrap_or(0.0)).collect();
        let worst =
            shares.iter().enumerate().filter(|(_, v)| **v > 0.0).max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i);
        let values = lanes.stages.iter().zip(&shares).map(|(s, v)| (local(l, &s.names), *v)).collect();
        bars(l.t("problem_chart").into(), values, ValueFormat::Percent, worst)
    });
    html! {
        div.charts {
            (ex.chart("reached", &reached))
            (ex.chart("now", &now))
            (ex.chart("stuck", &stuck))
            (ex.chart("lifecycle", &states))
            @if let Some(chart) = &problems { (ex.chart("problems", chart)) }
        }
    }
}

/// Each stage: entered, now in it, conversion to the next and from the first, time in it, stuck.
fn stage_table(l: Lang, r: &StagesReport) -> Markup {
    let loc = l.locale();
    let pct = |v: Option<f64>| v.map(|v| loc.percent(v)).unwrap_or_else(|| "—".into());
    let heads = [
        l.t("entered"),
        l.t("now_in_stage"),
        l.t("to_next"),
        l.t("of_first"),
        l.t("median_in_stage"),
        l.t("p90_in_stage"),
        l.t("median_still"),
        l.t("stuck"),
    ];
    html! {
        table {
            thead { tr { th { (l.t("stage")) } @for h in heads { th.num { (h) } } } }
            tbody {
                @for x in &r.stages {
                    tr {
                        td { (local(l, &x.names)) }
                        td.num { (loc.int(x.entered)) }
                        td.num { (loc.int(x.current)) }
                        td.num { (pct(x.conversion_to_next)) }
                        td.num { (pct(x.conversion_from_first)) }
                        td.num { (l.duration(x.median_seconds_in_stage)) }
                        td.num { (l.duration(x.p90_seconds_in_stage)) }
                        td.num { (l.duration(x.median_seconds_still_in_stage)) }
                        td.num { (x.stuck.map(|n| loc.int(n)).unwrap_or_else(|| "—".into())) }
                    }
                }
            }
        }
    }
}

/// The lifecycle transition matrix between two dates: the share of each state's customers in each state after.
fn transitions(l: Lang, t: &TransitionsReport, ex: &mut Exports) -> Markup {
    let labels: Vec<String> = t.states.iter().map(|s| state_name(l, s).to_string()).collect();
    let sizes: Vec<u64> = t.matrix.iter().map(|row| row.iter().sum()).collect();
    let cells = t
        .matrix
        .iter()
        .zip(&sizes)
        .map(|(row, n)| row.iter().map(|c| (*n > 0).then(|| *c as f64 / *n as f64)).collect())
        .collect();
    let chart = Heatmap {
        title: format!(
            "{} {} → {}",
            l.t("transitions_chart"),
            l.date(t.from.get(..10).unwrap_or(&t.from)),
            l.date(t.to.get(..10).unwrap_or(&t.to))
        ),
        row_labels: labels.clone(),
        row_sizes: sizes,
        col_labels: labels,
        cells,
    };
    html! {
        h2 { (l.t("transitions")) }
        p.muted { (l.t("transitions_hint")) }
        (ex.chart("transitions", &chart))
    }
}
