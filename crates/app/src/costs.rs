//! Ad spend of a project: importing a cost file (see `tropa_core::analysis::attribution::costs` for the shapes
//! and checks) into the metadata, replacing the days it covers, and reading it back for the attribution report.
//! An import is all or nothing: a file with any problem changes nothing and returns every problem with its line.

use serde::Serialize;
use serde_json::json;
use tropa_core::analysis::attribution::costs::{
    economics, economics_by_period, parse_costs, CostImport, CostProblem, CostReport, CostRow, PeriodEconomics,
};
use tropa_core::analysis::attribution::{AttributionReport, TouchField};
use tropa_meta::{Meta, StoredCost};

use crate::audit::{Action, Done, Who};
use crate::AppError;

/// What an import did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostImportSummary {
    pub rows: usize,
    /// The first and last day of the file: the days replaced.
    pub from: String,
    pub to: String,
    /// Rows of those days that were there before (now replaced).
    pub replaced: usize,
    /// Total cost in the project's currency.
    pub total: f64,
    pub currency: String,
}

/// Imports `text` into `project`'s spend; `Ok(Err(problems))` when the file has problems (nothing changed).
pub fn import(
    meta: &Meta,
    project: &str,
    text: &str,
    opts: &CostImport,
    who: &Who,
    now: i64,
) -> Result<Result<CostImportSummary, Vec<CostProblem>>, AppError> {
    let rows = match parse_costs(text, opts) {
        Ok(r) => r,
        Err(p) => return Ok(Err(p)),
    };
    let from = rows.iter().map(|r| r.day.as_str()).min().unwrap_or_default().to_string();
    let to = rows.iter().map(|r| r.day.as_str()).max().unwrap_or_default().to_string();
    let stored: Vec<StoredCost> = rows
        .iter()
        .map(|r| StoredCost {
            day: r.day.clone(),
            source: r.source.clone(),
            medium: r.medium.clone(),
            campaign: r.campaign.clone(),
            channel: r.channel.clone(),
            cost_micros: (r.cost * 1e6).round() as i64,
            currency: r.currency.clone(),
        })
        .collect();
    let replaced = meta.replace_costs(project, &from, &to, &stored)?;
    let total = rows.iter().map(|r| r.cost).sum();
    let summary =
        CostImportSummary { rows: rows.len(), from, to, replaced, total, currency: opts.currency.to_uppercase() };
    let details = json!({"rows": summary.rows, "from": summary.from, "to": summary.to, "replaced": replaced});
    let target = format!("{}..{}", summary.from, summary.to);
    crate::audit::record(meta, who, Done::new(Action::CostsImport, Some(project), &target).with(details), now)?;
    Ok(Ok(summary))
}

/// The spend of `project` with days in `from..=to` (`YYYY-MM-DD`, either open), in the project's currency.
pub fn rows(meta: &Meta, project: &str, from: Option<&str>, to: Option<&str>) -> Result<Vec<CostRow>, AppError> {
    Ok(meta
        .costs(project, from, to)?
        .into_iter()
        .map(|c| CostRow {
            day: c.day,
            source: c.source,
            medium: c.medium,
            campaign: c.campaign,
            channel: c.channel,
            cost: c.cost_micros as f64 / 1e6,
            currency: c.currency,
        })
        .collect())
}

/// The spend of a report's days: from the date of `since` to the day before the date of `until` (either open),
/// as the report's filters give them (`YYYY-MM-DD…`, local to the project's time zone).
pub fn rows_of_report(
    meta: &Meta,
    project: &str,
    since: Option<&str>,
    until: Option<&str>,
) -> Result<Vec<CostRow>, AppError> {
    let day = |t: Option<&str>| t.filter(|t| t.len() >= 10).map(|t| t[..10].to_string());
    let (from, until) = (day(since), day(until));
    Ok(rows(meta, project, from.as_deref(), None)?
        .into_iter()
        .filter(|r| until.as_ref().is_none_or(|u| r.day < *u))
        .collect())
}

/// An attribution report's economics: the whole range's (None without spend) and, when the report was asked
/// with a period, each period's (spend of its days against its conversions).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Economics {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub costs: Option<CostReport>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub period_costs: Vec<PeriodEconomics>,
}

impl Economics {
    pub fn of(report: &AttributionReport, spend: &[CostRow], by: &TouchField) -> Economics {
        Economics {
            costs: (!spend.is_empty()).then(|| economics(report, spend, by)),
            period_costs: economics_by_period(report, spend, by),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_with_a_problem_changes_nothing_and_a_good_one_is_audited() {
        let dir = tempfile::tempdir().unwrap();
        let meta = crate::layout::open_meta(dir.path()).unwrap();
        let opts = CostImport {
            currency: "RUB".into(),
            rates: Vec::new(),
            add_vat: None,
            source: None,
            medium: None,
            file_currency: None,
        };
        let who = Who::cli("");
        let good = "date,source,medium,campaign,cost\n2026-03-01,yandex,cpc,a,100\n2026-03-02,yandex,cpc,a,50.5\n";
        let s = import(&meta, "default", good, &opts, &who, 1).unwrap().unwrap();
        assert_eq!(
            (s.rows, s.from.as_str(), s.to.as_str(), s.replaced, s.total),
            (2, "2026-03-01", "2026-03-02", 0, 150.5)
        );
        let bad = "date,source,medium,campaign,cost\n2026-03-01,yandex,cpc,a,100\n2026-03-02,yandex,cpc,a,-1\n";
        let problems = import(&meta, "default", bad, &opts, &who, 2).unwrap().unwrap_err();
        assert_eq!(problems[0].line, 3);
        assert_eq!(rows(&meta, "default", None, None).unwrap().len(), 2);
        let again = "date,source,medium,campaign,cost\n2026-03-02,yandex,cpc,a,70\n";
        let s = import(&meta, "default", again, &opts, &who, 3).unwrap().unwrap();
        assert_eq!(s.replaced, 1);
        let all = rows(&meta, "default", None, None).unwrap();
        assert_eq!(all.iter().map(|r| r.cost).collect::<Vec<_>>(), [100.0, 70.0]);
        let log = crate::audit::list(&meta, &tropa_meta::audit::Filter { limit: 100, ..Default::default() }).unwrap();
        assert_eq!(log.iter().filter(|e| e.action == Action::CostsImport).count(), 2);
    }
}
