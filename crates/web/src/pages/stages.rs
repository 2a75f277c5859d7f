//! The stages page: the project's journey definition in an editor (TOML, YAML or JSON, validated with every
//! problem shown by line) and the report it gives — customers reaching each stage (stage-to-stage conversion),
//! where customers are now, time in stage, customers stuck, lifecycle states and the lifecycle transition matrix
//! between two dates. Everyone may try a definition ("Show"); analysts and admins save it for the project, and
//! then the overview and the stage filters of every report use it.

use crate::error::WebError;
use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use tropa_core::analysis::lifecycle::{LifecycleSpec, LifecycleThresholds};
use tropa_core::analysis::stages::{DefinitionFormat, DefinitionIssue, JourneyDefinition, StagesReport, StagesSpec};
use tropa_engine::report;
use tropa_meta::Role;
use tropa_render::{BarChart, FunnelChart, FunnelStep, Heatmap, ValueFormat};

use super::export::Exports;
use super::form::FieldErrors;
use super::i18n::Lang;
use super::{esc, internal, redirect, shell, Session};
use crate::WebState;
use crate::{Member, Viewer};
use tropa_app::audit::{Action, Done};
use tropa_app::request::Problems;
use tropa_app::AppError;
use tropa_core::analysis::invalid::{SpecErrors, SpecField};

const DAY_MS: i64 = 86_400_000;
/// The problem events the stages page starts with (the demo shop's support tickets and refunds).
const DEFAULT_PROBLEMS: &str = "support_ticket, refund";

/// The definition a project uses: its saved one, else the default. (text, format, saved?)
pub fn project_definition(st: &WebState, project: &str) -> Result<(String, DefinitionFormat, bool), WebError> {
    let d = tropa_app::definitions::project(&st.meta, project).map_err(|e| WebError::internal(&e))?;
    Ok((d.text, d.format, d.saved))
}

/// The parsed definition a project uses (a saved definition was validated when saved).
pub fn parsed_definition(st: &WebState, project: &str) -> Result<JourneyDefinition, WebError> {
    tropa_app::definitions::project(&st.meta, project).map(|d| d.definition).map_err(|e| WebError::internal(&e))
}

/// (key, name) of the project's stages, for stage filters.
pub fn stage_options(st: &WebState, project: &str, l: Lang) -> Vec<(String, String)> {
    parsed_definition(st, project)
        .map(|d| {
            d.stages
                .iter()
                .map(|s| (s.key.clone(), if l == Lang::Ru { s.name.ru.clone() } else { s.name.en.clone() }))
                .collect()
        })
        .unwrap_or_default()
}

/// What the page was asked: the definition text and the report's instants.
struct Ask {
    project: String,
    text: String,
    format: DefinitionFormat,
    saved: bool,
    now: String,
    stuck: String,
    from: String,
    /// Problem events, comma-separated.
    problems: String,
    download: Option<String>,
    download_format: Option<String>,
}

fn param(q: &HashMap<String, String>, k: &str) -> String {
    q.get(k).map(|v| v.trim().to_string()).unwrap_or_default()
}

pub(crate) async fn page(State(st): State<Arc<WebState>>, _headers: HeaderMap, m: Member<Viewer>) -> Response {
    let Member { s, f: q, .. } = m;
    let (text, format, saved) = match project_definition(&st, &s.project) {
        Ok(d) => d,
        Err(r) => return r.into_response(),
    };
    let ask = Ask {
        project: s.project.clone(),
        text,
        format,
        saved,
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

/// `POST /stages`: `action=show` tries the definition in the form (anyone), `save` keeps it for the project and
/// `reset` goes back to the default (analysts and admins).
pub(crate) async fn post(State(st): State<Arc<WebState>>, m: Member<Viewer>) -> Response {
    let action = m.field("action").to_string();
    let need = if action == "show" { Role::Viewer } else { Role::Analyst };
    let Member { s, f, .. } = match m.at_least(need) {
        Ok(m) => m,
        Err(r) => return r.into_response(),
    };
    let format = match param(&f, "format").as_str() {
        "yaml" => DefinitionFormat::Yaml,
        "json" => DefinitionFormat::Json,
        _ => DefinitionFormat::Toml,
    };
    let ask = Ask {
        project: s.project.clone(),
        text: f.get("definition").cloned().unwrap_or_default(),
        format,
        saved: false,
        now: param(&f, "now"),
        stuck: param(&f, "stuck"),
        from: param(&f, "from"),
        problems: param(&f, "problems"),
        download: None,
        download_format: None,
    };
    let back = |done: &str| redirect(&format!("/stages?project={}&done={done}", url_part(&s.project)));
    match action.as_str() {
        "reset" => match tropa_app::definitions::reset(&st.meta, &s.project) {
            Ok(()) => {
                super::audit::record(&st, &s, Done::new(Action::DefinitionReset, Some(&s.project), ""));
                back("reset")
            }
            Err(e) => internal(&e),
        },
        "save" => {
            let by = Some(s.user.id);
            match tropa_app::definitions::save(&st.meta, &s.project, (&ask.text, format), by, (st.clock)()) {
                Ok(def) => {
                    let details = serde_json::json!({"format": format.name(), "stages": def.stages.len()});
                    let done = Done::new(Action::DefinitionSave, Some(&s.project), &def.name).with(details);
                    super::audit::record(&st, &s, done);
                    back("saved")
                }
                Err(AppError::Definition(e)) => show(&st, &s, &ask, &e.issues, None, StatusCode::BAD_REQUEST).await,
                Err(AppError::Meta(tropa_meta::MetaError::Invalid { reason, .. })) => {
                    let issue = DefinitionIssue { line: None, stage: None, field: String::new(), reason };
                    show(&st, &s, &ask, &[issue], None, StatusCode::BAD_REQUEST).await
                }
                Err(e) => internal(&e),
            }
        }
        "show" => show(&st, &s, &ask, &[], None, StatusCode::OK).await,
        other => {
            let issue = DefinitionIssue {
                line: None,
                stage: None,
                field: "action".into(),
                reason: format!("'{other}': use show, save or reset"),
            };
            show(&st, &s, &ask, &[issue], None, StatusCode::BAD_REQUEST).await
        }
    }
}

/// A value for a query string (project ids are `a-z 0-9 - _`, so only `&`, `#`, `%`, spaces could matter).
fn url_part(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

enum Outcome {
    Report(Box<(StagesReport, tropa_core::analysis::lanes::LanesReport)>),
    NoEvents,
    Bad(SpecErrors),
}

async fn show(
    st: &WebState,
    s: &Session,
    ask: &Ask,
    issues: &[DefinitionIssue],
    note: Option<&str>,
    mut status: StatusCode,
) -> Response {
    let l = s.lang;
    // Downloads reload the page by GET: the project's saved definition with the same dates.
    let params: HashMap<String, String> =
        [("project", &ask.project), ("now", &ask.now), ("stuck", &ask.stuck), ("from", &ask.from)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .chain(ask.download.clone().map(|d| ("download".to_string(), d)))
            .chain(ask.download_format.clone().map(|d| ("format".to_string(), d)))
            .collect();
    let mut ex = Exports::new("stages", l, &params);
    let mut issues = issues.to_vec();
    // the project's time zone: dates without an offset and the report's days, weeks and months
    let calendar = match st.settings_of(&ask.project) {
        Ok(x) => x.calendar,
        Err(e) => return e.into_response(),
    };
    let mut problems = Problems::new(l.core()).in_calendar(calendar);
    let mut result = String::new();
    let definition = if issues.is_empty() {
        match JourneyDefinition::parse(&ask.text, ask.format) {
            Ok(d) => Some(d),
            Err(e) => {
                issues = e.issues;
                status = StatusCode::BAD_REQUEST;
                None
            }
        }
    } else {
        None
    };
    let now_in = problems.time("now", &Some(ask.now.clone()).filter(|t| !t.is_empty()));
    let stuck_ms =
        problems.duration("stuck", &Some(ask.stuck.clone()).filter(|t| !t.is_empty())).unwrap_or(14 * DAY_MS);
    let from_in = problems.time("from", &Some(ask.from.clone()).filter(|t| !t.is_empty()));
    let problem_events: Vec<tropa_core::analysis::filter::EventMatch> = ask
        .problems
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .filter_map(|p| problems.event("problems", p))
        .collect();
    if let (Some(definition), true) = (definition, problems.0.is_empty()) {
        let engine = match super::project_engine(st, s, &ask.project) {
            Ok(e) => e,
            Err(r) => return r.into_response(),
        };
        let done = tokio::task::spawn_blocking(move || {
            let latest = engine.time_bounds()?.1;
            let Some(now) = now_in.or(latest) else { return Ok(Outcome::NoEvents) };
            let defaults = LifecycleThresholds::default();
            let thresholds = match LifecycleThresholds::new(
                definition.lifecycle.dormant_ms.unwrap_or(defaults.dormant_ms),
                definition.lifecycle.churn_ms.unwrap_or(defaults.churn_ms),
            ) {
                Ok(t) => t,
                Err(_) => defaults,
            };
            let from = from_in.unwrap_or(now - 30 * DAY_MS);
            let lifecycle = LifecycleSpec {
                activity: definition.lifecycle.activity.clone(),
                thresholds,
                at: now,
                transitions: (from < now).then_some((from, now)),
            };
            let lanes_spec = tropa_core::analysis::lanes::LanesSpec {
                definition: definition.clone(),
                now,
                problems: problem_events,
                top: 3,
            };
            let spec = StagesSpec { definition, now, stuck_ms, lifecycle };
            if let Err(e) = spec.validate() {
                return Ok(Outcome::Bad(e));
            }
            let stages = report::stages(&*engine, spec, Default::default(), vec![])?;
            let lanes = report::lanes(&*engine, lanes_spec, Default::default(), vec![])?;
            Ok::<_, tropa_engine::EngineError>(Outcome::Report(Box::new((stages, lanes))))
        })
        .await;
        match done {
            Ok(Ok(Outcome::Report(r))) => result = render(l, &r.0, &r.1, &mut ex),
            Ok(Ok(Outcome::NoEvents)) => {
                result = format!("<div class=\"empty\"><p>{}</p></div>", l.t("no_events_title"))
            }
            Ok(Ok(Outcome::Bad(e))) => {
                for p in e.0 {
                    // the page's fields: the report's instant, the stuck threshold, the start of the transitions
                    let field = match p.field {
                        SpecField::Stuck => "stuck",
                        SpecField::Now => "now",
                        _ => "from",
                    };
                    problems.0.push((field.into(), p.reason.words(l.core())));
                }
            }
            Ok(Err(e)) => problems.0.push(("definition".into(), e.to_string())),
            Err(e) => return internal(&e),
        }
        if !problems.0.is_empty() {
            status = StatusCode::BAD_REQUEST;
        }
    } else if !problems.0.is_empty() {
        status = StatusCode::BAD_REQUEST;
    }
    let e = FieldErrors::new(l, &problems.0, "");
    let issue_list = if issues.is_empty() {
        String::new()
    } else {
        let items: String = issues
            .iter()
            .map(|i| {
                let at = i.line.map(|n| format!("{} {n}: ", l.t("line"))).unwrap_or_default();
                let rest = DefinitionIssue { line: None, ..i.clone() };
                format!("<li>{at}{}</li>", esc(&rest.to_string()))
            })
            .collect();
        format!("<ul class=\"err\" role=\"alert\">{items}</ul>")
    };
    let can_save = s.role >= Role::Analyst;
    let save_buttons = if can_save {
        format!(
            "<button type=\"submit\" name=\"action\" value=\"save\">{}</button>\
             <button type=\"submit\" name=\"action\" value=\"reset\" class=\"secondary\">{}</button>",
            l.t("save_definition"),
            l.t("reset_definition")
        )
    } else {
        format!("<p class=\"muted\">{}</p>", l.t("viewer_cannot_save"))
    };
    let fmt = ask.format.name();
    let state = match (ask.saved, note) {
        (_, Some(n)) => format!("<p class=\"ok\" role=\"status\">{}</p>", esc(n)),
        (true, None) => format!("<p class=\"muted\">{}</p>", l.t("definition_is_saved")),
        (false, None) => format!("<p class=\"muted\">{}</p>", l.t("definition_is_default")),
    };
    let form = format!(
        "<form class=\"builder stages\" method=\"post\" action=\"/stages\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <input type=\"hidden\" name=\"project\" value=\"{p}\">\
         <div><label for=\"definition\">{def_l}</label><textarea id=\"definition\" name=\"definition\" rows=\"18\" spellcheck=\"false\"{inv}>{text}</textarea>\
         {issue_list}{state}</div><div>{format}{now}{stuck}{from}{problems}<p class=\"muted\">{hint}</p>\
         <button type=\"submit\" name=\"action\" value=\"show\">{run}</button>{save_buttons}</div></form>",
        csrf = esc(&s.csrf),
        p = esc(&ask.project),
        def_l = l.t("definition"),
        inv = if issues.is_empty() { "" } else { " aria-invalid=\"true\"" },
        text = esc(&ask.text),
        format = e.select_html("format", l.t("format"), fmt, &[("toml", "TOML"), ("yaml", "YAML"), ("json", "JSON")]),
        now = e.input_html("now", l.t("as_of"), &ask.now, "date", ""),
        stuck = e.input_html("stuck", l.t("stuck_after"), &ask.stuck, "text", "14d"),
        problems = e.input_html("problems", l.t("problem_events"), &ask.problems, "text", DEFAULT_PROBLEMS),
        from = e.input_html("from", l.t("transitions_from"), &ask.from, "date", ""),
        hint = l.t("stages_hint"),
        run = l.t("run"),
    );
    let main = format!("<h1>{}</h1>{form}{result}", l.t("stages"));
    if let Some(file) = ex.into_file() {
        return file;
    }
    (status, Html(shell(s, "stages", l.t("stages"), &main))).into_response()
}

fn state_name(l: Lang, state: &str) -> &'static str {
    l.t(&format!("lc_{state}"))
}

fn render(l: Lang, r: &StagesReport, lanes: &tropa_core::analysis::lanes::LanesReport, ex: &mut Exports) -> String {
    let loc = l.locale();
    let name = |n: &tropa_core::analysis::stages::LocalName| if l == Lang::Ru { n.ru.clone() } else { n.en.clone() };
    let mut out = String::from("<div class=\"cards\">");
    for (n, label) in [
        (loc.int(r.customers), l.t("customers")),
        (loc.int(r.no_stage), l.t("no_stage")),
        (
            r.stages.last().map(|x| loc.percent(x.conversion_from_first.unwrap_or(0.0))).unwrap_or_default(),
            l.t("reached_last"),
        ),
    ] {
        out.push_str(&format!("<div class=\"card\"><div class=\"n\">{n}</div><div class=\"l\">{label}</div></div>"));
    }
    out.push_str(&format!(
        "<div class=\"card\"><div class=\"n small\">{}</div><div class=\"l\">{}</div></div></div>",
        esc(&l.date(r.now.get(..10).unwrap_or(&r.now))),
        l.t("as_of")
    ));
    let reached = FunnelChart {
        title: l.t("stage_reached_chart").into(),
        steps: r.stages.iter().map(|x| FunnelStep { label: name(&x.names), customers: x.entered }).collect(),
    };
    let slowest = r
        .stages
        .iter()
        .enumerate()
        .filter_map(|(i, x)| x.stuck.filter(|n| *n > 0).map(|n| (i, n)))
        .max_by_key(|(_, n)| *n)
        .map(|(i, _)| i);
    let now_chart = BarChart {
        title: l.t("stages_now").into(),
        bars: r.stages.iter().map(|x| (name(&x.names), x.current as f64)).collect(),
        format: ValueFormat::Count,
        highlight: None,
    };
    let stuck_chart = BarChart {
        title: format!("{} {}", l.t("stuck_chart"), l.duration(Some(r.stuck_seconds))),
        bars: r
            .stages
            .iter()
            .filter(|x| x.stuck.is_some())
            .map(|x| (name(&x.names), x.stuck.unwrap_or(0) as f64))
            .collect(),
        format: ValueFormat::Count,
        highlight: slowest,
    };
    out.push_str(&format!(
        "<div class=\"charts\">{}{}{}",
        ex.chart("reached", &reached),
        ex.chart("now", &now_chart),
        ex.chart("stuck", &stuck_chart)
    ));
    let lc = &r.lifecycle;
    let states = BarChart {
        title: l.t("lifecycle_chart").into(),
        bars: lc.states.iter().map(|c| (state_name(l, c.state.as_str()).to_string(), c.customers as f64)).collect(),
        format: ValueFormat::Count,
        highlight: None,
    };
    out.push_str(&ex.chart("lifecycle", &states));
    if lanes.stages.iter().any(|s| s.problem_share.is_some()) {
        let shares: Vec<f64> = lanes.stages.iter().map(|s| s.problem_share.unwrap_or(0.0)).collect();
        let worst =
            shares.iter().enumerate().filter(|(_, v)| **v > 0.0).max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i);
        let chart = BarChart {
            title: l.t("problem_chart").into(),
            bars: lanes.stages.iter().zip(&shares).map(|(s, v)| (name(&s.names), *v)).collect(),
            format: ValueFormat::Percent,
            highlight: worst,
        };
        out.push_str(&ex.chart("problems", &chart));
    }
    out.push_str("</div>");
    out.push_str(&format!(
        "<table><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>\
         <th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
        l.t("stage"),
        l.t("entered"),
        l.t("now_in_stage"),
        l.t("to_next"),
        l.t("of_first"),
        l.t("median_in_stage"),
        l.t("p90_in_stage"),
        l.t("median_still"),
        l.t("stuck"),
    ));
    for x in &r.stages {
        let pct = |v: Option<f64>| v.map(|v| loc.percent(v)).unwrap_or_else(|| "—".into());
        out.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&name(&x.names)),
            loc.int(x.entered),
            loc.int(x.current),
            pct(x.conversion_to_next),
            pct(x.conversion_from_first),
            l.duration(x.median_seconds_in_stage),
            l.duration(x.p90_seconds_in_stage),
            l.duration(x.median_seconds_still_in_stage),
            x.stuck.map(|n| loc.int(n)).unwrap_or_else(|| "—".into()),
        ));
    }
    out.push_str("</tbody></table>");
    if let Some(t) = &lc.transitions {
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
        out.push_str(&format!(
            "<h2>{}</h2><p class=\"muted\">{}</p>{}",
            l.t("transitions"),
            l.t("transitions_hint"),
            ex.chart("transitions", &chart)
        ));
    }
    out
}
