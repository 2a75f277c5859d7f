//! `tropa`: the command-line entry point and composition root. Every command opens the data folder, runs one
//! library call, and prints a table (default) or JSON (`--format json`). Data goes to stdout, logs and progress
//! to stderr. Exit codes: 0 ok, 1 user error (bad input, bad arguments, folder in use), 2 internal error.

mod cmd;
mod lang;
mod table;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use tropa_engine::{EngineError, ErrorKind};

/// Journeys are many small strings: mimalloc allocates them about twice as fast as the system allocator.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "tropa",
    version,
    about = "tropa — customer journey analytics and journey maps / аналитика клиентского пути"
)]
struct Cli {
    /// Data folder.
    #[arg(long, global = true, env = "TROPA_DATA", default_value = "tropa-data")]
    data: PathBuf,
    /// Project inside the data folder (`tropa project list`); `default` is the folder's own store.
    #[arg(long, global = true, env = "TROPA_PROJECT")]
    project: Option<String>,
    /// Metadata in PostgreSQL, shared by several servers: postgres://user:password@host:port/database (default:
    /// meta.sqlite in the data folder).
    #[arg(long, global = true, env = "TROPA_META", hide_env_values = true)]
    meta: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum OutFormat {
    Table,
    Json,
}

/// Parsed once per run: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Import events from NDJSON (Segment messages), CSV or Parquet files.
    Import(cmd::import::ImportArgs),
    /// Export all events to Parquet or NDJSON.
    Export(cmd::export::ExportArgs),
    /// Events per name, channel, touchpoint and day; customers; time range.
    Stats(cmd::stats::StatsArgs),
    /// The dictionary: every event name (or `--properties`) with counts, first and last seen, marks.
    Events(cmd::events::EventsArgs),
    /// One customer's journey as a timeline (by anonymous id or user id).
    Customer(cmd::customer::CustomerArgs),
    /// Demo data: `tropa demo generate`, or `tropa demo` to fill an empty folder and show what to try.
    Demo(cmd::demo::DemoArgs),
    /// Funnel: how many customers reach each step, how fast, and where the others went.
    Funnel(cmd::funnel::FunnelArgs),
    /// Paths: the top paths after a start event or before an end event, with conversion and Sankey flows.
    Paths(cmd::paths::PathsArgs),
    /// Retention: cohorts by first occurrence of an event, who comes back period after period, repeat rate.
    Retention(cmd::retention::RetentionArgs),
    /// Journey stages: stage distribution, conversion, time in stage, stuck customers, lifecycle states and
    /// transitions; `stages definition` prints the default definition, `stages validate FILE` checks one.
    Stages(cmd::stages::StagesArgs),
    /// Serve the HTTP API: Segment-compatible ingestion, the web snippet /t.js, the query API, metrics.
    Serve(cmd::serve::ServeArgs),
    /// Projects: `project create ID`, `project list`.
    Project(cmd::project::ProjectArgs),
    /// API keys: `key create --project P --kind write|read`, `key list`, `key revoke N`.
    Key(cmd::project::KeyArgs),
    /// Journey maps: `map templates`, `map create --template online_store`, `map list`, `map show ID`,
    /// `map export ID --format pdf|png|svg|md|json|yaml`, `map import FILE`, `map persona list|import FILE`.
    Map(cmd::map::MapArgs),
    /// Dashboards of pinned charts (made in the web app): `dashboard list`, `dashboard show ID`.
    Dashboard(cmd::dashboard::DashboardArgs),
    /// Users of the web app: `user create --email E --role admin|analyst|viewer`, `user list`, `user password`.
    User(cmd::user::UserArgs),
    /// Merge parts, re-file merged identities, drop forgotten events.
    Compact(cmd::admin::FormatArgs),
    /// Delete every event of a customer (right to be forgotten); the audit log keeps a salted digest and counts.
    Forget(cmd::admin::ForgetArgs),
    /// The audit log: who changed projects, keys, users, maps, definitions and data, when and from where.
    Audit(cmd::audit::AuditArgs),
    /// Text analytics on this machine: `text sentiment FILE` (label, score, themes per line),
    /// `text phrases --group FILE --rest FILE` (distinctive phrases and quotes), `text themes`.
    Text(cmd::text::TextArgs),
    /// Attribution: conversions and revenue each channel, source or campaign earns under every model side by side.
    Attribution(cmd::attribution::AttributionArgs),
    /// Ad spend: import cost files (Yandex Direct, VK Ads, Google Ads, CSV) and list them.
    Costs(cmd::costs::CostsArgs),
    /// Voice of the customer: `feedback scores` (NPS, CSAT, CES by the stage at the time of the answer, channel,
    /// period), `feedback list` (the latest answers, reviews and tickets).
    Feedback(cmd::feedback::FeedbackArgs),
    /// Surveys shown by the web snippet: `survey list`, `survey show KEY`, `survey create FILE.json`,
    /// `survey delete KEY`, `survey results KEY`.
    Survey(cmd::survey::SurveyArgs),
    /// A/B tests (variants assigned by your own tool; tropa evaluates): `experiment create KEY --primary …`,
    /// `experiment list|show|delete`, `experiment results KEY`, `experiment size --baseline 0.1 --effect 0.01`,
    /// `experiment stats FILE` (statistics from per-variant sums, JSON).
    Experiment(cmd::experiment::ExperimentArgs),
}

/// An error meant for the user: printed as is, exit code 1.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);

impl UserError {
    /// An error about one command-line argument: `ARG: MESSAGE`.
    pub fn arg(arg: &str, msg: impl std::fmt::Display) -> anyhow::Error {
        UserError(format!("{arg}: {msg}")).into()
    }
}

/// The store folder of `--project` (checked against the folder's projects unless it is `default`).
fn project_data(root: &std::path::Path, project: &str) -> anyhow::Result<PathBuf> {
    tropa_app::layout::project_data(root, project).map_err(|e| match e {
        tropa_app::AppError::NotFound(_) => UserError(format!(
            "--project {project}: {}",
            lang::tr(
                "no such project in this data folder: create it with tropa project create",
                "такого проекта нет в папке данных: создайте его командой tropa project create"
            )
        ))
        .into(),
        other => cmd::app_error(other),
    })
}

fn exit_code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::BrokenPipe {
                return 0;
            }
        }
        if cause.downcast_ref::<UserError>().is_some() {
            return 1;
        }
        if let Some(e) = cause.downcast_ref::<EngineError>() {
            return match e.kind() {
                ErrorKind::Internal => 2,
                _ => 1,
            };
        }
        if let Some(e) = cause.downcast_ref::<tropa_app::AppError>() {
            return match e.kind() {
                ErrorKind::Internal => 2,
                _ => 1,
            };
        }
        if cause.downcast_ref::<tropa_io::IoError>().is_some() {
            return 1;
        }
        if let Some(e) = cause.downcast_ref::<tropa_meta::MetaError>() {
            return match e {
                tropa_meta::MetaError::Backend(_) | tropa_meta::MetaError::Random(_) => 2,
                _ => 1,
            };
        }
    }
    2
}

/// The settings of `--project` (its time zone, its currency) for a report command.
fn settings(root: &std::path::Path, project: &Option<String>) -> anyhow::Result<tropa_core::settings::ProjectSettings> {
    let project = project.as_deref().unwrap_or(tropa_app::layout::DEFAULT_PROJECT);
    tropa_app::settings::in_folder(root, project).map_err(cmd::app_error)
}

fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TROPA_LOG").unwrap_or_else(|_| "warn".into());
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // TROPA_LOG_FORMAT=json: one JSON object per line, for log collectors
    if std::env::var("TROPA_LOG_FORMAT").is_ok_and(|f| f == "json") {
        logs.json().init();
    } else {
        logs.with_ansi(std::env::var_os("NO_COLOR").is_none()).init();
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 1 } else { 0 });
        }
    };
    if let Some(url) = cli.meta.as_deref().filter(|u| !u.is_empty()) {
        if !tropa_meta::Meta::is_url(url) || tropa_app::layout::use_meta_url(url).is_err() {
            let reason = lang::tr(
                "must be a PostgreSQL URL: postgres://user:password@host:port/database",
                "нужен адрес базы PostgreSQL: postgres://пользователь:пароль@сервер:порт/база",
            );
            let _ = writeln!(std::io::stderr(), "{}: --meta: {reason}", lang::tr("error", "ошибка"));
            return ExitCode::from(1);
        }
    }
    let data = match project_data(&cli.data, cli.project.as_deref().unwrap_or(tropa_app::layout::DEFAULT_PROJECT)) {
        Ok(d) => d,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "{}: {err:#}", lang::tr("error", "ошибка"));
            return ExitCode::from(exit_code(&err));
        }
    };
    let result = match cli.command {
        Command::Serve(a) => cmd::serve::run(&cli.data, a),
        Command::Project(a) => cmd::project::project(&cli.data, a),
        Command::Key(a) => cmd::project::key(&cli.data, cli.project.as_deref(), a),
        Command::User(a) => cmd::user::run(&cli.data, cli.project.as_deref(), a),
        Command::Map(a) => {
            cmd::map::run(&cli.data, &data, cli.project.as_deref().unwrap_or(tropa_app::layout::DEFAULT_PROJECT), a)
        }
        Command::Dashboard(a) => {
            cmd::dashboard::run(&cli.data, cli.project.as_deref().unwrap_or(tropa_app::layout::DEFAULT_PROJECT), a)
        }
        Command::Import(a) => cmd::import::run(&data, a),
        Command::Export(a) => cmd::export::run(&data, a),
        Command::Stats(a) => settings(&cli.data, &cli.project).and_then(|s| cmd::stats::run(&data, s, a)),
        Command::Customer(a) => cmd::customer::run(&data, a),
        Command::Events(a) => {
            cmd::events::run(&cli.data, &data, cli.project.as_deref().unwrap_or(tropa_app::layout::DEFAULT_PROJECT), a)
        }
        Command::Demo(a) => cmd::demo::run(&cli.data, a),
        Command::Funnel(a) => settings(&cli.data, &cli.project).and_then(|s| cmd::funnel::run(&data, s, a)),
        Command::Paths(a) => settings(&cli.data, &cli.project).and_then(|s| cmd::paths::run(&data, s, a)),
        Command::Retention(a) => settings(&cli.data, &cli.project).and_then(|s| cmd::retention::run(&data, s, a)),
        Command::Survey(a) => {
            cmd::survey::run(&cli.data, &data, cli.project.as_deref().unwrap_or(tropa_app::layout::DEFAULT_PROJECT), a)
        }
        Command::Feedback(a) => cmd::feedback::run(
            &cli.data,
            &data,
            cli.project.as_deref().unwrap_or(tropa_app::layout::DEFAULT_PROJECT),
            a,
        ),
        Command::Stages(a) => {
            cmd::stages::run(&cli.data, &data, cli.project.as_deref().unwrap_or(tropa_app::layout::DEFAULT_PROJECT), a)
        }
        Command::Compact(a) => cmd::admin::compact(&data, a),
        Command::Forget(a) => cmd::admin::forget(
            &cli.data,
            &data,
            cli.project.as_deref().unwrap_or(tropa_app::layout::DEFAULT_PROJECT),
            a,
        ),
        Command::Audit(a) => cmd::audit::run(&cli.data, cli.project.as_deref(), a),
        Command::Text(a) => cmd::text::run(a),
        Command::Attribution(a) => settings(&cli.data, &cli.project).and_then(|s| {
            let project = cli.project.as_deref().unwrap_or(tropa_app::layout::DEFAULT_PROJECT);
            cmd::attribution::run(&cli.data, &data, project, s, a)
        }),
        Command::Costs(a) => {
            cmd::costs::run(&cli.data, cli.project.as_deref().unwrap_or(tropa_app::layout::DEFAULT_PROJECT), a)
        }
        Command::Experiment(a) => cmd::experiment::run(
            cmd::experiment::Place {
                root: &cli.data,
                data: &data,
                project: cli.project.as_deref().unwrap_or(tropa_app::layout::DEFAULT_PROJECT),
            },
            settings(&cli.data, &cli.project),
            a,
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let code = exit_code(&err);
            if code != 0 {
                let _ = writeln!(std::io::stderr(), "{}: {err:#}", lang::tr("error", "ошибка"));
            }
            ExitCode::from(code)
        }
    }
}
