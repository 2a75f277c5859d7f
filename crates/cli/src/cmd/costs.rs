//! `tropa costs import FILE` / `tropa costs list`: the project's ad spend, for attribution's cost columns.

use std::path::Path;

use clap::{Args, Subcommand};
use tropa_core::analysis::attribution::costs::CostImport;

use crate::lang::{lang, tr};
use crate::table::{print, print_json, Table};
use crate::{OutFormat, UserError};

#[derive(Args)]
pub struct CostsArgs {
    #[command(subcommand)]
    command: CostsCommand,
}

#[derive(Subcommand)]
enum CostsCommand {
    /// Import a cost file (CSV/TSV: tropa's own columns, a Yandex Direct, VK Ads or Google Ads export); the days
    /// it covers are replaced. Nothing is imported when any line has a problem.
    Import(ImportArgs),
    /// The imported spend by day, source, medium, campaign and channel.
    List(ListArgs),
}

#[derive(Args)]
struct ImportArgs {
    file: std::path::PathBuf,
    /// Source of rows without one (a platform export: yandex, vk, google).
    #[arg(long)]
    source: Option<String>,
    /// Medium of rows without one (cpc).
    #[arg(long)]
    medium: Option<String>,
    /// Currency of rows without a currency column (default: the project's).
    #[arg(long)]
    currency: Option<String>,
    /// A rate for rows in another currency than the project's: `USD=92.5` (repeatable). Without one such rows
    /// are refused.
    #[arg(long = "rate", value_name = "CUR=RATE")]
    rates: Vec<String>,
    /// Amounts are without VAT: add this percent (e.g. 20).
    #[arg(long, value_name = "PERCENT")]
    add_vat: Option<f64>,
    #[arg(long, value_enum, default_value = "table")]
    format: OutFormat,
}

#[derive(Args)]
struct ListArgs {
    /// First day (YYYY-MM-DD).
    #[arg(long)]
    from: Option<String>,
    /// Last day (YYYY-MM-DD).
    #[arg(long)]
    to: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: OutFormat,
}

pub fn run(root: &Path, project: &str, args: CostsArgs) -> anyhow::Result<()> {
    let meta = tropa_app::layout::open_meta(root).map_err(super::app_error)?;
    let settings = tropa_app::settings::in_folder(root, project).map_err(super::app_error)?;
    match args.command {
        CostsCommand::Import(a) => {
            let text = std::fs::read_to_string(&a.file)
                .map_err(|e| UserError::arg("FILE", format!("{}: {e}", a.file.display())))?;
            let mut rates = Vec::new();
            for r in &a.rates {
                match r
                    .split_once('=')
                    .map(|(c, v)| (c.trim().to_uppercase(), v.trim().replace(',', ".").parse::<f64>()))
                {
                    Some((c, Ok(v))) if c.len() == 3 && v > 0.0 => rates.push((c, v)),
                    _ => {
                        return Err(UserError::arg(
                            "--rate",
                            format!(
                                "'{r}': {}",
                                tr("use CUR=RATE, e.g. USD=92.5", "укажите ВАЛЮТА=КУРС, например USD=92.5")
                            ),
                        ))
                    }
                }
            }
            if a.add_vat.is_some_and(|v| !(0.0..=100.0).contains(&v)) {
                return Err(UserError::arg(
                    "--add-vat",
                    tr("use a percent from 0 to 100", "укажите процент от 0 до 100"),
                ));
            }
            let opts = CostImport {
                currency: settings.currency.to_string(),
                rates,
                add_vat: a.add_vat,
                source: a.source,
                medium: a.medium,
                file_currency: a.currency,
            };
            let who = super::audit::who();
            match tropa_app::costs::import(&meta, project, &text, &opts, &who, tropa_app::now_ms())
                .map_err(super::app_error)?
            {
                Ok(s) if a.format == OutFormat::Json => print_json(&s),
                Ok(s) => print(&format!(
                    "{} {} ({} {}..{}, {} {}), {}: {:.2} {}\n",
                    tr("imported", "загружено"),
                    s.rows,
                    tr("days", "дни"),
                    s.from,
                    s.to,
                    s.replaced,
                    tr("rows replaced", "строк заменено"),
                    tr("total", "всего"),
                    s.total,
                    s.currency
                )),
                Err(problems) => {
                    let lines: Vec<String> = problems.iter().map(|p| p.words(lang())).collect();
                    Err(UserError(format!(
                        "{} {}:\n{}",
                        a.file.display(),
                        tr("was not imported", "не загружен"),
                        lines.join("\n")
                    ))
                    .into())
                }
            }
        }
        CostsCommand::List(a) => {
            let rows =
                tropa_app::costs::rows(&meta, project, a.from.as_deref(), a.to.as_deref()).map_err(super::app_error)?;
            if a.format == OutFormat::Json {
                return print_json(&rows);
            }
            let mut t = Table::new(&[
                tr("day", "день"),
                tr("source", "источник"),
                tr("medium", "тип трафика"),
                tr("campaign", "кампания"),
                tr("channel", "канал"),
                tr("cost", "расход"),
                tr("currency", "валюта"),
            ]);
            for r in &rows {
                t.row(vec![
                    r.day.clone(),
                    r.source.clone(),
                    r.medium.clone(),
                    r.campaign.clone(),
                    r.channel.clone(),
                    format!("{:.2}", r.cost),
                    r.currency.clone(),
                ]);
            }
            let total: f64 = rows.iter().map(|r| r.cost).sum();
            print(&format!("{}\n{}: {total:.2} {}\n", t.render(), tr("total", "всего"), settings.currency))
        }
    }
}
