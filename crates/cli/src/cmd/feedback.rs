//! `tropa feedback`: the voice of the customer — NPS, CSAT and CES by the journey stage reached at the time of
//! each answer, by channel and period, with intervals and response rates (`feedback scores`), and the latest
//! answers, reviews and tickets with their stage (`feedback list`), and the project's theme list the texts are
//! sorted by (`feedback themes list|set|reset`).

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
    /// The project's theme list (what its feedback texts talk about): list it, replace it from a file, or reset
    /// it to the built-in list.
    Themes {
        #[command(subcommand)]
        cmd: ThemesCmd,
    },
}

/// The reports of the events (what is not about the theme list).
enum Report {
    Scores(Box<ScoresArgs>),
    List(Box<ListArgs>),
}

#[derive(Subcommand)]
enum ThemesCmd {
    /// The themes the project's texts are sorted by (its own list, or the built-in one).
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Replaces the project's list by a file: TOML (`[[theme]]` tables, as `tropa text themes` prints) or JSON
    /// (`{"theme": [...]}`); every problem is named with its field.
    Set {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Goes back to the built-in list.
    Reset,
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

fn themes(root: &Path, project: &str, cmd: ThemesCmd) -> anyhow::Result<()> {
    use tropa_app::feedback::themes;
    let meta = tropa_app::layout::open_meta(root)?;
    let now = tropa_app::now_ms();
    match cmd {
        ThemesCmd::List { format } => {
            let list = themes::list(&meta, project).map_err(super::app_error)?;
            if format == OutFormat::Json {
                return print_json(&list.to_json());
            }
            let mut t = Table::new(&[tr("key", "ключ"), tr("name", "название"), tr("terms", "слова")]);
            for th in list.themes() {
                let terms: Vec<&str> = th.en.iter().chain(&th.ru).map(String::as_str).collect();
                t.row(vec![th.key.clone(), tr(&th.name_en, &th.name_ru).to_string(), terms.join(", ")]);
            }
            let own = themes::is_own(&meta, project).map_err(super::app_error)?;
            let whose = if own {
                tr("the project's own list", "свой список проекта")
            } else {
                tr("the built-in list", "встроенный список")
            };
            print(&format!("{}{whose}\n", t.render()))
        }
        ThemesCmd::Set { file } => {
            let list = super::text::theme_list_arg(Some(file.as_path()), "FILE")?;
            themes::save(&meta, &super::audit::who(), project, &list, "*", now).map_err(super::app_error)?;
            print(&format!("{}: {}\n", tr("saved the theme list", "сохранён список тем"), list.themes().len()))
        }
        ThemesCmd::Reset => {
            themes::reset(&meta, &super::audit::who(), project, now).map_err(super::app_error)?;
            print(&format!("{}\n", tr("the built-in theme list applies", "действует встроенный список тем")))
        }
    }
}

pub fn run(root: &Path, data: &Path, project: &str, args: FeedbackArgs) -> anyhow::Result<()> {
    let cmd = match args.cmd {
        FeedbackCmd::Themes { cmd } => return themes(root, project, cmd),
        FeedbackCmd::Scores(a) => Report::Scores(a),
        FeedbackCmd::List(a) => Report::List(a),
    };
    let settings = tropa_app::settings::in_folder(root, project).map_err(super::app_error)?;
    let common = match &cmd {
        Report::Scores(a) => &a.common,
        Report::List(a) => &a.common,
    };
    let def = definition(root, project, &common.definition)?;
    let mut names = Names::default();
    let filters = common.filter.request(&mut names);
    let mut t = Translation::new(&settings, &filters, names);
    let now = t.problems.time("now", &common.now);
    let period = match &cmd {
        Report::Scores(a) => {
            Period::parse(&a.period).map_err(|e| UserError::arg("--period", crate::lang::words(&e)))?
        }
        Report::List(_) => Period::Week,
    };
    let kind =
        match &cmd {
            Report::List(a) => match a.kind.as_deref() {
                None => None,
                Some(k) => Some(ScoreKind::parse(k).ok_or_else(|| {
                    UserError::arg("--kind", tr("write nps, csat or ces", "укажите nps, csat или ces"))
                })?),
            },
            Report::Scores(_) => None,
        };
    let scoped = t.finish(Some(()), &filters, &common.filter, Vec::new())?;
    let calendar = scoped.calendar;
    let store = super::open_existing(data)?;
    let now = spec_now(&store, now)?;
    let spec = FeedbackSpec { definition: def, now, from: None, to: None, period, calendar };
    let format = common.format;
    match cmd {
        Report::Scores(_) => {
            let r = scoped.map(|_| spec).report(&store, tropa_engine::report::feedback)?;
            if format == OutFormat::Json {
                return print_json(&r);
            }
            print(&render(&r))
        }
        Report::List(a) => {
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
