//! `tropa survey`: a project's surveys — `list`, `show KEY` (its JSON document), `create FILE` (a JSON survey
//! document: created, or replaced when its key exists; audited), `delete KEY`, and `results KEY` (who was shown
//! it, who answered, its scores with intervals).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use tropa_core::analysis::feedback::score::Score;
use tropa_core::survey::Survey;

use crate::lang::tr;
use crate::table::{int, percent, print, print_json, Table};
use crate::{OutFormat, UserError};

#[derive(Args)]
pub struct SurveyArgs {
    #[command(subcommand)]
    cmd: SurveyCmd,
}

#[derive(Subcommand)]
enum SurveyCmd {
    /// The project's surveys.
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// One survey as its JSON document.
    Show { key: String },
    /// Create a survey from a JSON document (or replace the one with the same key), e.g.
    /// {"key":"post_purchase","kind":"nps","question":{"en":"…","ru":"…"},"follow_up":{"en":"Why?","ru":"Почему?"},
    /// "targeting":{"after_event":"purchase","percent":100,"every_days":30,"needs_consent":true},"active":true}
    Create { file: PathBuf },
    /// Delete a survey (its answers stay: they are events).
    Delete { key: String },
    /// Who was shown the survey, who answered, and its scores.
    Results {
        key: String,
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
}

fn score(s: &Score) -> String {
    match (s.value, s.low, s.high) {
        (Some(v), Some(l), Some(h)) => {
            format!("{v:.1} [{l:.1}; {h:.1}] n={}{}", int(s.n), if s.small_sample { "*" } else { "" })
        }
        (Some(v), _, _) => format!("{v:.1} n={}*", int(s.n)),
        _ => "—".into(),
    }
}

pub fn run(root: &Path, data: &Path, project: &str, args: SurveyArgs) -> anyhow::Result<()> {
    let meta = tropa_app::layout::open_meta(root)?;
    match args.cmd {
        SurveyCmd::List { format } => {
            let list = tropa_app::surveys::list(&meta, project).map_err(super::app_error)?;
            if format == OutFormat::Json {
                return print_json(&list);
            }
            let mut t = Table::new(&[
                tr("key", "ключ"),
                tr("kind", "вид"),
                tr("active", "активен"),
                tr("shown after", "показ после"),
                tr("question", "вопрос"),
            ]);
            for s in &list {
                t.row(vec![
                    s.key.clone(),
                    s.kind.as_str().into(),
                    if s.active { tr("yes", "да") } else { tr("no", "нет") }.into(),
                    s.targeting.after_event.clone(),
                    tr(&s.question.en, &s.question.ru).to_string(),
                ]);
            }
            print(&t.render())
        }
        SurveyCmd::Show { key } => {
            let s = tropa_app::surveys::get(&meta, project, &key).map_err(super::app_error)?;
            print_json(&s)
        }
        SurveyCmd::Create { file } => {
            let text = std::fs::read_to_string(&file).map_err(|e| UserError(format!("{}: {e}", file.display())))?;
            let s = Survey::from_json(&text).map_err(|e| UserError(format!("{}: {}", file.display(), e.reason)))?;
            let problems = s.check();
            if !problems.is_empty() {
                let all: Vec<String> = problems.iter().map(|p| format!("{}: {}", p.field, p.reason)).collect();
                return Err(UserError(format!("{}: {}", file.display(), all.join("; "))).into());
            }
            tropa_app::surveys::save(&meta, &super::audit::who(), project, &s, tropa_app::now_ms())
                .map_err(super::app_error)?;
            print(&format!("{} «{}»\n", tr("saved the survey", "сохранён опрос"), s.key))
        }
        SurveyCmd::Delete { key } => {
            tropa_app::surveys::delete(&meta, &super::audit::who(), project, &key, tropa_app::now_ms())
                .map_err(super::app_error)?;
            print(&format!("{} «{key}»\n", tr("deleted the survey", "удалён опрос")))
        }
        SurveyCmd::Results { key, format } => {
            let s = tropa_app::surveys::get(&meta, project, &key).map_err(super::app_error)?;
            let store = super::open_existing(data)?;
            let q = tropa_app::feedback::FeedbackQuery::default();
            let r = tropa_app::feedback::scores(&meta, &store, project, &q).map_err(super::app_error)?;
            let found = r.surveys.into_iter().find(|x| x.survey == s.key);
            if format == OutFormat::Json {
                return print_json(&found);
            }
            let Some(f) = found else {
                return print(&format!("{}\n", tr("no answers yet", "ответов пока нет")));
            };
            let mut t = Table::new(&[
                tr("shown", "показан"),
                tr("answered", "ответили"),
                tr("response rate", "доля ответивших"),
                "NPS",
                "CSAT %",
                "CES",
            ]);
            t.row(vec![
                int(f.shown),
                int(f.answered),
                f.response_rate.map_or("—".into(), percent),
                score(&f.scores.nps),
                score(&f.scores.csat),
                score(&f.scores.ces),
            ]);
            print(&t.render())
        }
    }
}
