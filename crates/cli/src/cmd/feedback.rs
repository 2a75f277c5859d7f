//! `tropa feedback`: the voice of the customer — NPS, CSAT and CES by the journey stage reached at the time of
//! each answer, by channel and period, with intervals and response rates (`feedback scores`), and the latest
//! answers, reviews and tickets with their stage (`feedback list`).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use tropa_core::analysis::feedback::score::{Score, ScoreKind};
use tropa_core::analysis::feedback::FeedbackSpec;
use tropa_core::analysis::period::Period;
use tropa_core::analysis::stages::JourneyDefinition;
use tropa_engine::report::FeedbackListSpec;
use tropa_engine::Engine;

use super::translate::{Names, Translation};
use crate::lang::tr;
use crate::table::{int, percent, print, print_json, Table};
use crate::{OutFormat, UserError};

#[derive(Args)]
pub struct FeedbackArgs {
    #[command(subcommand)]
    cmd: FeedbackCmd,
}

#[derive(Subcommand)]
enum FeedbackCmd {
    /// NPS, CSAT and CES per journey stage (the stage reached when the customer answered), channel, period and
    /// survey, with 95 % intervals, response rates; samples under 30 answers are marked.
    Scores(Box<ScoresArgs>),
    /// The latest answers, reviews and tickets (newest first) with score, stage at the time and channel.
    List(Box<ListArgs>),
}

#[derive(Args)]
struct Common {
    /// Journey definition file (.toml, .yaml/.yml or .json). Default: the project's.
    #[arg(long, value_name = "FILE")]
    definition: Option<PathBuf>,
    /// The instant of the report (RFC 3339, or YYYY-MM-DD in the project's time zone). Default: the last event.
    #[arg(long)]
    now: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: OutFormat,
    #[command(flatten)]
    filter: super::scope::FilterArgs,
}

#[derive(Args)]
struct ScoresArgs {
    /// Trend periods: day, week or month (the project's time zone).
    #[arg(long, default_value = "week")]
    period: String,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct ListArgs {
    /// How many (newest first).
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// Only answers given at this stage (a key of the definition, or `none`).
    #[arg(long = "at-stage", value_name = "KEY")]
    at_stage: Option<String>,
    /// Only scored answers of this scale: nps, csat or ces.
    #[arg(long)]
    kind: Option<String>,
    /// Only negative answers (NPS detractors 0–6, CSAT and CES 1–2).
    #[arg(long)]
    negative: bool,
    #[command(flatten)]
    common: Common,
}

fn definition(root: &Path, project: &str, file: &Option<PathBuf>) -> anyhow::Result<JourneyDefinition> {
    Ok(match file {
        Some(path) => super::stages::read_definition(path)?,
        None => match super::stages::saved(root, project)? {
            Some(d) => d.definition,
            None => JourneyDefinition::default_definition()?,
        },
    })
}

fn spec_now(store: &dyn Engine, now: Option<i64>) -> anyhow::Result<i64> {
    match now {
        Some(t) => Ok(t),
        None => store.time_bounds()?.1.ok_or_else(|| {
            UserError(tr("the data holds no events yet", "в данных ещё нет событий").to_string()).into()
        }),
    }
}

pub fn run(root: &Path, data: &Path, project: &str, args: FeedbackArgs) -> anyhow::Result<()> {
    let settings = tropa_app::settings::in_folder(root, project).map_err(super::app_error)?;
    let common = match &args.cmd {
        FeedbackCmd::Scores(a) => &a.common,
        FeedbackCmd::List(a) => &a.common,
    };
    let def = definition(root, project, &common.definition)?;
    let mut names = Names::default();
    let filters = common.filter.request(&mut names);
    let mut t = Translation::new(&settings, &filters, names);
    let now = t.problems.time("now", &common.now);
    let period = match &args.cmd {
        FeedbackCmd::Scores(a) => {
            Period::parse(&a.period).map_err(|e| UserError::arg("--period", crate::lang::words(&e)))?
        }
        FeedbackCmd::List(_) => Period::Week,
    };
    let kind =
        match &args.cmd {
            FeedbackCmd::List(a) => match a.kind.as_deref() {
                None => None,
                Some(k) => Some(ScoreKind::parse(k).ok_or_else(|| {
                    UserError::arg("--kind", tr("write nps, csat or ces", "укажите nps, csat или ces"))
                })?),
            },
            FeedbackCmd::Scores(_) => None,
        };
    let scoped = t.finish(Some(()), &filters, &common.filter, Vec::new())?;
    let calendar = scoped.calendar;
    let store = super::open_existing(data)?;
    let now = spec_now(&store, now)?;
    let spec = FeedbackSpec { definition: def, now, from: None, to: None, period, calendar };
    let format = common.format;
    match args.cmd {
        FeedbackCmd::Scores(_) => {
            let r = scoped.map(|_| spec).report(&store, tropa_engine::report::feedback)?;
            if format == OutFormat::Json {
                return print_json(&r);
            }
            print(&render(&r))
        }
        FeedbackCmd::List(a) => {
            let list =
                FeedbackListSpec { feedback: spec, limit: a.limit, stage: a.at_stage, kind, negative_only: a.negative };
            let r = scoped.map(|_| list).report(&store, tropa_engine::report::feedback_list)?;
            if format == OutFormat::Json {
                return print_json(&*r);
            }
            let mut table = Table::new(&[
                tr("time", "время"),
                tr("customer", "клиент"),
                tr("event", "событие"),
                tr("score", "оценка"),
                tr("stage then", "этап тогда"),
                tr("channel", "канал"),
                tr("text", "текст"),
            ]);
            for i in r.iter() {
                table.row(vec![
                    i.time.clone(),
                    i.customer.clone(),
                    i.event.clone(),
                    match (i.kind, i.score) {
                        (Some(k), Some(s)) => format!("{} {s}", k.as_str()),
                        _ => "—".into(),
                    },
                    i.stage.clone().unwrap_or_else(|| "—".into()),
                    i.channel.clone(),
                    i.text.chars().take(80).collect(),
                ]);
            }
            print(&table.render())
        }
    }
}

fn cell(s: &Score) -> String {
    let Some(v) = s.value else { return "—".into() };
    let iv = match (s.low, s.high) {
        (Some(l), Some(h)) => format!(" [{l:.1}; {h:.1}]"),
        _ => String::new(),
    };
    let small = if s.small_sample { "*" } else { "" };
    format!("{v:.1}{iv} n={}{small}", int(s.n))
}

fn render(r: &tropa_core::analysis::feedback::FeedbackReport) -> String {
    let mut t = Table::new(&[
        tr("stage at the answer", "этап в момент ответа"),
        tr("reached", "дошли"),
        tr("answered", "ответили"),
        tr("response rate", "доля ответивших"),
        "NPS",
        "CSAT %",
        "CES",
        tr("negative", "негатив"),
    ]);
    for s in &r.stages {
        t.row(vec![
            tr(&s.names.en, &s.names.ru).to_string(),
            int(s.reached),
            int(s.respondents),
            s.response_rate.map_or("—".into(), percent),
            cell(&s.scores.nps),
            cell(&s.scores.csat),
            cell(&s.scores.ces),
            s.negative_share.map_or("—".into(), percent),
        ]);
    }
    let o = &r.overall;
    format!(
        "{} {} · {} {} · NPS {} · CSAT {} · CES {}\n\n{}\n* {}\n",
        int(r.customers),
        tr("customers", "клиентов"),
        int(r.answers),
        tr("answers", "ответов"),
        cell(&o.nps),
        cell(&o.csat),
        cell(&o.ces),
        t.render(),
        tr(
            "fewer than 30 answers: a small sample, read with care; [low; high] is the 95 % interval",
            "меньше 30 ответов: малая выборка, выводы осторожно; [от; до] — 95 % интервал"
        )
    )
}
