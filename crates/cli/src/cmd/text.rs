//! `tropa text`: the text analytics of tropa-text over files, one text per line, on this machine.
//! `text sentiment FILE` prints one JSON object per line (label, score, lang, themes);
//! `text phrases --group FILE --rest FILE` prints the group's distinctive phrases and quotes as JSON;
//! `text themes` prints the default theme list (TOML), to start an edited copy from.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use tropa_text::{distinctive_phrases, representative_quotes, sentiment, TextError, ThemeList};

use crate::lang::tr;
use crate::UserError;

#[derive(Args)]
pub struct TextArgs {
    #[command(subcommand)]
    command: TextCommand,
}

#[derive(Subcommand)]
enum TextCommand {
    /// Sentiment (negative/neutral/positive, score −1…1) and themes of each line of FILE (`-`: stdin).
    Sentiment {
        file: PathBuf,
        /// A theme list (TOML or JSON) instead of the default one.
        #[arg(long)]
        themes: Option<PathBuf>,
    },
    /// Phrases distinctive of the texts of --group against those of --rest (log-odds z-scores), with quotes.
    Phrases {
        #[arg(long)]
        group: PathBuf,
        #[arg(long)]
        rest: PathBuf,
        /// How many phrases.
        #[arg(long, default_value_t = 20)]
        k: usize,
        /// How many representative quotes of the group.
        #[arg(long, default_value_t = 5)]
        quotes: usize,
    },
    /// Print the default theme list (TOML).
    Themes,
}

fn lines(path: &Path, arg: &str) -> anyhow::Result<Vec<String>> {
    let read = |r: &mut dyn BufRead| r.lines().collect::<Result<Vec<_>, _>>();
    let out = if path == Path::new("-") {
        read(&mut std::io::stdin().lock())
    } else {
        std::fs::File::open(path).and_then(|f| read(&mut std::io::BufReader::new(f)))
    };
    out.map_err(|e| UserError::arg(arg, format!("{}: {e}", path.display())))
}

fn theme_list(path: Option<&Path>) -> anyhow::Result<ThemeList> {
    theme_list_arg(path, "--themes")
}

/// The theme list of a TOML or JSON file (`.json`) given as `arg`; none: the built-in list.
pub(crate) fn theme_list_arg(path: Option<&Path>, arg: &'static str) -> anyhow::Result<ThemeList> {
    let Some(path) = path else { return Ok(ThemeList::builtin().clone()) };
    let text = std::fs::read_to_string(path).map_err(|e| UserError::arg(arg, format!("{}: {e}", path.display())))?;
    let json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let parsed = if json { ThemeList::from_json(&text) } else { ThemeList::from_toml(&text) };
    parsed.map_err(|e| match e {
        TextError::Syntax { .. } => UserError::arg(arg, e),
        TextError::Invalid(issues) => UserError::arg(
            arg,
            issues.iter().map(|i| format!("{}: {}", i.field, i.reason)).collect::<Vec<_>>().join("; "),
        ),
    })
}

pub fn run(args: TextArgs) -> anyhow::Result<()> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    match args.command {
        TextCommand::Sentiment { file, themes } => {
            let themes = theme_list(themes.as_deref())?;
            for (i, text) in lines(&file, "FILE")?.iter().enumerate() {
                let s = sentiment(text);
                let row = serde_json::json!({
                    "line": i + 1, "label": s.label, "score": s.score, "lang": s.lang, "themes": themes.assign(text),
                });
                writeln!(out, "{row}")?;
            }
        }
        TextCommand::Phrases { group, rest, k, quotes } => {
            let group = lines(&group, "--group")?;
            let rest = lines(&rest, "--rest")?;
            if group.is_empty() {
                return Err(UserError::arg("--group", tr("the file has no texts", "в файле нет текстов")));
            }
            let g: Vec<&str> = group.iter().map(String::as_str).collect();
            let r: Vec<&str> = rest.iter().map(String::as_str).collect();
            let phrases = distinctive_phrases(&g, &r, k);
            let quotes = representative_quotes(&g, &phrases, quotes);
            writeln!(out, "{}", serde_json::json!({ "phrases": phrases, "quotes": quotes }))?;
        }
        TextCommand::Themes => out.write_all(ThemeList::builtin_toml().as_bytes())?,
    }
    out.flush()?;
    Ok(())
}
