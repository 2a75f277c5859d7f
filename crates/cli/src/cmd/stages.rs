//! `tropa stages`: which journey stage customers are in, conversion between stages, time in stage, customers
//! stuck, and lifecycle states with a transition matrix. `tropa stages definition` prints the default journey
//! definition; `tropa stages validate FILE` checks one.

use std::path::{Path, PathBuf};
use tropa_app::request::NamedEvents;

use clap::{Args, Subcommand};
use tropa_app::definitions::ProjectDefinition;
use tropa_app::request::{StagesRequest, TransitionsRequest};
use tropa_core::analysis::lifecycle::LifecycleState;
use tropa_core::analysis::stages::{
    DefinitionFormat, DefinitionIssue, JourneyDefinition, StageOrder, StagesReport, DEFAULT_DEFINITION,
};
use tropa_core::settings::ProjectSettings;
use tropa_engine::Engine;

use super::translate::{Names, Translation};
use crate::lang::tr;
use crate::table::{duration as human, int, percent, print, print_json, Table};
use crate::{OutFormat, UserError};

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct StagesArgs {
    #[command(subcommand)]
    cmd: Option<StagesCmd>,
    #[command(flatten)]
    report: ReportArgs,
}

#[derive(Subcommand)]
enum StagesCmd {
    /// Print the project's journey definition (the one saved with `stages save` or on the web app's stages
    /// page), else the default (TOML): save it, edit it, pass it with --definition or `stages save`.
    Definition,
    /// Keep a journey definition file (TOML, YAML or JSON) as the project's: the web app, the query API and
    /// `tropa stages` without --definition use it.
    Save { file: PathBuf },
    /// Go back to the default definition for the project.
    Reset,
    /// Check a journey definition file (TOML, YAML or JSON) and list its stages.
    Validate {
        /// The file: .toml, .yaml/.yml or .json.
        file: PathBuf,
    },
    /// The data lanes of a journey map: per stage, customers who reached it, conversion, drop-off, time in
    /// stage, touchpoints and channels used in it, revenue, and the share who met a problem there.
    Lanes(Box<LanesArgs>),
}

#[derive(Args)]
pub struct LanesArgs {
    /// Journey definition file (.toml, .yaml/.yml or .json). Default: the five stages of `tropa stages definition`.
    #[arg(long, value_name = "FILE")]
    definition: Option<PathBuf>,
    /// The instant of the report (RFC 3339, or YYYY-MM-DD in the project's time zone); later events are ignored. Default: the last event.
    #[arg(long)]
    now: Option<String>,
    /// An event that counts as a problem (repeatable; the step syntax: `support_ticket`, `error where code = 500`).
    #[arg(long = "problem", value_name = "EVENT")]
    problems: Vec<String>,
    /// Touchpoints and channels shown per stage.
    #[arg(long, default_value_t = 3)]
    top: usize,
    #[arg(long, value_enum, default_value = "table")]
    format: OutFormat,
    #[command(flatten)]
    filter: super::scope::FilterArgs,
}

#[derive(Args)]
struct ReportArgs {
    /// Journey definition file (.toml, .yaml/.yml or .json). Default: the five stages of `tropa stages definition`.
    #[arg(long, value_name = "FILE")]
    definition: Option<PathBuf>,
    /// The instant of the report (RFC 3339, or YYYY-MM-DD in the project's time zone); later events are ignored. Default: the time of the
    /// last event in the data.
    #[arg(long)]
    now: Option<String>,
    /// Customers in a stage (other than the last) for longer than this are stuck: 14d, 36h, 2w …
    #[arg(long, default_value = "14d")]
    stuck: String,
    /// No activity for longer than this: dormant. Default: the definition's `lifecycle.dormant`, else 30d.
    #[arg(long)]
    dormant: Option<String>,
    /// No activity for longer than this: churned. Default: the definition's `lifecycle.churn`, else 90d.
    #[arg(long)]
    churn: Option<String>,
    /// Lifecycle transition matrix between two instants, `FROM..TO` (RFC 3339, or YYYY-MM-DD in the project's time zone; at most --now).
    #[arg(long, value_name = "FROM..TO")]
    transitions: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: OutFormat,
    #[command(flatten)]
    filter: super::scope::FilterArgs,
}

/// Reads and validates a definition file; the error names the file and lists every problem with its line.
pub fn read_definition(path: &Path) -> anyhow::Result<JourneyDefinition> {
    let shown = path.display();
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let format = DefinitionFormat::from_extension(ext).ok_or_else(|| {
        UserError::arg(
            &shown.to_string(),
            tr(
                "unknown file type: use .toml, .yaml, .yml or .json",
                "неизвестный тип файла: используйте .toml, .yaml, .yml или .json",
            ),
        )
    })?;
    let text = std::fs::read_to_string(path).map_err(|e| {
        UserError::arg(&shown.to_string(), format!("{}: {e}", tr("cannot read the file", "не удаётся прочитать файл")))
    })?;
    JourneyDefinition::parse(&text, format).map_err(|e| {
        let list: Vec<String> = e.issues.iter().map(|i| format!("  {}", issue_text(i))).collect();
        UserError(format!(
            "{shown}: {}:\n{}",
            tr("invalid journey definition", "ошибки в описании пути клиента"),
            list.join("\n")
        ))
        .into()
    })
}

/// One problem of a definition, `line N: stage K 'key', field: reason`, in the user's language (reasons stay
/// English, as every validation message of the core).
fn issue_text(i: &DefinitionIssue) -> String {
    let mut out = String::new();
    if let Some(line) = i.line {
        out.push_str(&format!("{} {line}: ", tr("line", "строка")));
    }
    match &i.stage {
        Some((n, key)) if key.is_empty() => out.push_str(&format!("{} {n}, ", tr("stage", "этап"))),
        Some((n, key)) => out.push_str(&format!("{} {n} '{key}', ", tr("stage", "этап"))),
        None => {}
    }
    if !i.field.is_empty() {
        out.push_str(&format!("{}: ", i.field));
    }
    out.push_str(&i.reason);
    out
}

/// The query API's request for the report's arguments, and how the CLI names its fields; the `--definition`
/// file (else the project's saved definition) is read here, and the `FROM..TO` of `--transitions`.
fn request(args: &ReportArgs, project: Option<JourneyDefinition>) -> anyhow::Result<(StagesRequest, Names)> {
    let mut names = Names::default();
    let definition = match &args.definition {
        Some(path) => Some(read_definition(path)?),
        None => project,
    };
    let transitions = args.transitions.as_ref().and_then(|t| match t.split_once("..") {
        Some((from, to)) => Some(TransitionsRequest { from: from.to_string(), to: to.to_string() }),
        None => {
            let (en, ru) =
                ("write FROM..TO, e.g. 2026-06-01..2026-09-01", "укажите ОТ..ДО, например 2026-06-01..2026-09-01");
            names.syntax("--transitions", tr(en, ru));
            None
        }
    });
    let request = StagesRequest {
        definition: None,
        now: args.now.clone(),
        stuck: Some(args.stuck.clone()),
        dormant: args.dormant.clone(),
        churn: args.churn.clone(),
        transitions,
        filters: args.filter.request(&mut names),
        project_definition: definition,
    };
    Ok((request, names))
}

fn human_ms(ms: i64) -> String {
    human(Some(ms as f64 / 1000.0))
}

fn pct(x: Option<f64>) -> String {
    x.map_or("—".into(), percent)
}

fn state_name(s: Option<LifecycleState>) -> &'static str {
    match s {
        None => tr("not yet", "ещё нет"),
        Some(LifecycleState::New) => tr("new", "новый"),
        Some(LifecycleState::Active) => tr("active", "активный"),
        Some(LifecycleState::Returning) => tr("returning", "вернувшийся"),
        Some(LifecycleState::Reactivated) => tr("reactivated", "реактивированный"),
        Some(LifecycleState::Dormant) => tr("dormant", "спящий"),
        Some(LifecycleState::Churned) => tr("churned", "ушедший"),
    }
}

/// The project's saved definition, if one is saved (a folder without metadata has none, and gets none).
pub fn saved(root: &Path, project: &str) -> anyhow::Result<Option<ProjectDefinition>> {
    match tropa_app::layout::existing_meta(root).map_err(super::app_error)? {
        Some(meta) => tropa_app::definitions::saved(&meta, project).map_err(super::app_error),
        None => Ok(None),
    }
}

pub fn run(root: &Path, data: &Path, project: &str, args: StagesArgs) -> anyhow::Result<()> {
    let settings = tropa_app::settings::in_folder(root, project).map_err(super::app_error)?;
    match args.cmd {
        Some(StagesCmd::Definition) => {
            return match saved(root, project)? {
                Some(d) => print(&d.text),
                None => print(DEFAULT_DEFINITION),
            }
        }
        Some(StagesCmd::Save { file }) => {
            // the file's own problems first, with its name and lines
            let def = read_definition(&file)?;
            let text = std::fs::read_to_string(&file)?;
            let format = file
                .extension()
                .and_then(|e| e.to_str())
                .and_then(DefinitionFormat::from_extension)
                .unwrap_or(DefinitionFormat::Toml);
            let meta = tropa_app::layout::open_meta(root)?;
            tropa_app::definitions::save(&meta, project, (&text, format), None, tropa_app::now_ms())
                .map_err(super::app_error)?;
            let details = serde_json::json!({"format": format.name(), "stages": def.stages.len()});
            let done = tropa_app::audit::Done::new(tropa_app::audit::Action::DefinitionSave, Some(project), &def.name);
            super::audit::record(&meta, done.with(details))?;
            return print(&format!(
                "{} «{}»: {} {}\n",
                tr("saved the definition", "сохранено определение"),
                def.name,
                def.stages.len(),
                tr("stages", "этапов")
            ));
        }
        Some(StagesCmd::Reset) => {
            let meta = tropa_app::layout::open_meta(root)?;
            tropa_app::definitions::reset(&meta, project).map_err(super::app_error)?;
            let done = tropa_app::audit::Done::new(tropa_app::audit::Action::DefinitionReset, Some(project), "");
            super::audit::record(&meta, done)?;
            return print(tr(
                "the project uses the default definition\n",
                "проект использует определение по умолчанию\n",
            ));
        }
        Some(StagesCmd::Validate { file }) => return validate(&file),
        Some(StagesCmd::Lanes(a)) => {
            return lanes(data, &settings, saved(root, project)?.map(|d| d.definition), *a);
        }
        None => {}
    }
    let args = args.report;
    let (req, names) = request(&args, saved(root, project)?.map(|d| d.definition))?;
    let store = super::open_existing(data);
    // the report's instant defaults to the data's last event; without data, the arguments are checked as of the
    // end of time, then the missing data is reported
    let latest = match &store {
        Ok(store) => store.time_bounds()?.1,
        Err(_) => Some(i64::MAX),
    };
    let mut t = Translation::new(&settings, &req.filters, names);
    let spec = req.spec_at(latest, &mut t.problems);
    let scoped = t.finish(spec, &req.filters, &args.filter, req.filters.events())?;
    let store = store?;
    let mut r = scoped.report(&store, tropa_engine::report::stages)?;
    for s in &mut r.stages {
        s.name = tr(&s.names.en, &s.names.ru).to_string();
    }
    if args.format == OutFormat::Json {
        return print_json(&r);
    }
    print(&render(&r))
}

/// The data lanes of the project's stages (or of `--definition`).
fn lanes(
    data: &Path,
    settings: &ProjectSettings,
    project: Option<JourneyDefinition>,
    args: LanesArgs,
) -> anyhow::Result<()> {
    use tropa_core::analysis::filter::EventMatch;
    use tropa_core::analysis::lanes::LanesSpec;
    let definition = match (&args.definition, project) {
        (Some(path), _) => read_definition(path)?,
        (None, Some(d)) => d,
        (None, None) => JourneyDefinition::default_definition()?,
    };
    let mut names = Names::default();
    for (i, p) in args.problems.iter().enumerate() {
        names.typed(format!("problems[{i}]"), p);
    }
    let filters = args.filter.request(&mut names);
    let mut t = Translation::new(settings, &filters, names);
    let p = &mut t.problems;
    let problems: Vec<Option<EventMatch>> =
        args.problems.iter().enumerate().map(|(i, text)| p.event(&format!("problems[{i}]"), text)).collect();
    let now = p.time("now", &args.now);
    let given = problems.into_iter().collect::<Option<Vec<_>>>();
    let scoped = t.finish(given, &filters, &args.filter, filters.events())?;
    let store = super::open_existing(data)?;
    let now = match now {
        Some(t) => t,
        None => store
            .time_bounds()?
            .1
            .ok_or_else(|| UserError(tr("the data holds no events yet", "в данных ещё нет событий").to_string()))?,
    };
    let scoped = scoped.map(|problems| LanesSpec { definition, now, problems, top: args.top });
    let r = scoped.report(&store, tropa_engine::report::lanes)?;
    if args.format == OutFormat::Json {
        return print_json(&r);
    }
    let mut t = Table::new(&[
        tr("stage", "этап"),
        tr("reached", "дошли"),
        tr("from previous", "от предыдущего"),
        tr("dropped", "отвалились"),
        tr("median time", "медиана времени"),
        tr("top touchpoints", "точки контакта"),
        tr("top channels", "каналы"),
        tr("revenue", "выручка"),
        tr("met a problem", "столкнулись с проблемой"),
    ]);
    let list = |v: &[tropa_core::analysis::lanes::Count]| {
        v.iter().map(|c| format!("{} {}", c.value, int(c.customers))).collect::<Vec<_>>().join(", ")
    };
    for s in &r.stages {
        t.row(vec![
            tr(&s.names.en, &s.names.ru).to_string(),
            int(s.reached),
            pct(s.conversion_from_previous),
            s.dropped.map_or("—".into(), int),
            human(s.median_seconds_in_stage),
            list(&s.touchpoints),
            list(&s.channels),
            format!("{:.0}", s.revenue),
            pct(s.problem_share),
        ]);
    }
    print(&format!("{} {}\n\n{}", int(r.customers), tr("customers", "клиентов"), t.render()))
}

fn render(r: &StagesReport) -> String {
    let order = match r.order {
        StageOrder::Sequential => tr("sequential", "последовательно"),
        StageOrder::Implied => tr("implied", "с подразумеваемыми этапами"),
    };
    let mut out = format!(
        "{} «{}» ({order}) · {} {} · {} {}\n\n",
        tr("journey", "путь клиента"),
        r.definition,
        int(r.customers),
        tr("customers", "клиентов"),
        tr("as of", "на"),
        r.now
    );
    let stuck_head = format!("{} > {}", tr("stuck", "застряли"), human(Some(r.stuck_seconds)));
    let mut t = Table::new(&[
        "#",
        tr("stage", "этап"),
        tr("entered", "вошли"),
        tr("now in it", "сейчас в нём"),
        tr("to next", "в следующий"),
        tr("of first", "от первого"),
        tr("median time in stage", "медиана времени в этапе"),
        tr("p90", "p90"),
        tr("median so far", "медиана пока в этапе"),
        &stuck_head,
    ]);
    for (i, s) in r.stages.iter().enumerate() {
        t.row(vec![
            (i + 1).to_string(),
            s.name.clone(),
            int(s.entered),
            int(s.current),
            pct(s.conversion_to_next),
            pct(s.conversion_from_first),
            human(s.median_seconds_in_stage),
            human(s.p90_seconds_in_stage),
            human(s.median_seconds_still_in_stage),
            s.stuck.map_or("—".into(), int),
        ]);
    }
    out.push_str(&t.render());
    if r.no_stage > 0 {
        out.push_str(&format!("{}: {}\n", tr("customers in no stage", "клиентов вне этапов"), int(r.no_stage)));
    }
    let l = &r.lifecycle;
    out.push_str(&format!(
        "\n{} {} ({} > {}, {} > {})\n",
        tr("lifecycle at", "жизненный цикл на"),
        l.at,
        tr("dormant", "спящий"),
        human(Some(l.dormant_seconds)),
        tr("churned", "ушедший"),
        human(Some(l.churn_seconds))
    ));
    let total: u64 = l.states.iter().map(|s| s.customers).sum();
    let mut t = Table::new(&[tr("state", "состояние"), tr("customers", "клиентов"), tr("share", "доля")]);
    for s in &l.states {
        let share = (total > 0).then(|| s.customers as f64 / total as f64);
        t.row(vec![state_name(Some(s.state)).to_string(), int(s.customers), pct(share)]);
    }
    out.push_str(&t.render());
    if l.no_activity > 0 {
        out.push_str(&format!(
            "{}: {}\n",
            tr("customers with no activity yet", "клиентов без активности"),
            int(l.no_activity)
        ));
    }
    if let Some(x) = &l.transitions {
        out.push_str(&format!(
            "\n{} {} → {} ({})\n",
            tr("transitions", "переходы"),
            x.from,
            x.to,
            tr(
                "rows: state at the first instant, columns: at the second",
                "строки: состояние в первый момент, столбцы: во второй"
            )
        ));
        let states: Vec<Option<LifecycleState>> =
            std::iter::once(None).chain(LifecycleState::ALL.iter().copied().map(Some)).collect();
        let mut head = vec![tr("from \\ to", "из \\ в")];
        head.extend(states.iter().map(|&s| state_name(s)));
        let mut t = Table::new(&head);
        for (i, row) in x.matrix.iter().enumerate() {
            let mut cells = vec![state_name(states[i]).to_string()];
            cells.extend(row.iter().map(|&c| int(c)));
            t.row(cells);
        }
        out.push_str(&t.render());
    }
    out
}

fn validate(file: &Path) -> anyhow::Result<()> {
    let d = read_definition(file)?;
    let mut out = format!(
        "{}: «{}», {} {}, {} {}\n\n",
        tr("ok", "ок"),
        d.name,
        d.stages.len(),
        tr("stages", "этапов"),
        tr("order", "порядок"),
        match d.order {
            StageOrder::Sequential => "sequential",
            StageOrder::Implied => "implied",
        }
    );
    let mut t = Table::new(&[
        "#",
        tr("key", "ключ"),
        tr("name", "название"),
        tr("rule (any of)", "правило (любое из)"),
        "nth",
        tr("within", "в течение"),
    ]);
    for (i, s) in d.stages.iter().enumerate() {
        t.row(vec![
            (i + 1).to_string(),
            s.key.clone(),
            tr(&s.name.en, &s.name.ru).to_string(),
            s.any_of.iter().map(|m| m.text.as_str()).collect::<Vec<_>>().join(" | "),
            s.nth.to_string(),
            s.within_ms.map_or("—".into(), human_ms),
        ]);
    }
    out.push_str(&t.render());
    print(&out)
}
