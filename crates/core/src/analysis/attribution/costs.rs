//! Ad spend: reading cost exports (CSV of Yandex Direct, VK Ads, Google Ads or tropa's own shape), and the
//! economics of each attributed label under each model (cost, CPA, ROAS, ROMI).
//!
//! Rows. A cost row is a day, a source, a medium, a campaign, optionally a channel group (a fixed cost of a
//! channel: `2026-03-01,,,,offline,50000,RUB` reads "the channel offline cost 50 000 that day"), a cost and a
//! currency. Columns are found by their header, in English or Russian, in any order, separated by `,`, `;` or a
//! tab: `date|day|дата|день`, `source|utm_source|источник`, `medium|utm_medium`, `campaign|campaign name|кампания|
//! название кампании|utm_campaign`, `channel|канал`, `cost|spend|amount spent|расход…|стоимость…` and
//! `currency|currency code|валюта`. Platform exports lack source and medium: the import gives them (Yandex
//! Direct: `yandex`/`cpc`). Dates are `YYYY-MM-DD` or `DD.MM.YYYY`; amounts may use a space as thousands
//! separator and a comma as decimal mark (`1 234,56`), or `1,234.56`.
//!
//! Checks (all problems at once, each with its line and column; nothing is imported when there is one): a bad
//! date, an amount that is not a number or negative, an unknown currency, a currency other than the project's
//! without a rate (never silently mixed: give a rate or refuse), the same day/source/medium/campaign/channel twice,
//! a file without rows or without a date or cost column. VAT: `Add(p)` multiplies amounts exported without VAT by
//! `1 + p/100` (Yandex Direct can export either); amounts are kept as the business pays them.
//!
//! Matching: a row's label for `by channel` is its channel, else `classify(source, medium)`; for `by source`,
//! `medium`, `campaign` that field. Spend whose label no touch has is **unmatched** and listed, never dropped.
//! Economics per label and model: CPA = cost / conversions, ROAS = revenue / cost, ROMI = (revenue − cost) / cost
//! (None when dividing by zero).

use serde::Serialize;

use super::report::{AttributionReport, Credit};
use super::TouchField;
use crate::analysis::filter::Field;
use crate::analysis::period::{days_from_civil, Period};
use crate::dict::DictCol;
use crate::lang::Lang;
use crate::time::format_day;

/// ISO 4217 codes the import knows (others are refused as unknown).
pub const CURRENCIES: &[&str] = &[
    "RUB", "USD", "EUR", "KZT", "BYN", "UAH", "CNY", "GBP", "TRY", "AMD", "GEL", "UZS", "KGS", "AZN", "TJS", "MDL",
    "JPY", "CHF", "INR", "AED", "PLN", "CZK", "SEK", "NOK", "DKK", "CAD", "AUD", "HKD", "SGD", "ILS", "THB", "VND",
];

/// One day's spend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostRow {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub source: String,
    pub medium: String,
    pub campaign: String,
    /// A channel group for fixed costs of a channel ("" when the source and medium say it).
    pub channel: String,
    /// In the project's currency, as paid (VAT as the import said).
    pub cost: f64,
    /// The currency of the file's row (converted by a rate when it is not the project's).
    pub currency: String,
}

/// How to read a cost file.
#[derive(Debug, Clone, PartialEq)]
pub struct CostImport {
    /// The project's currency.
    pub currency: String,
    /// Rows in another currency: (code, amount of the project's currency per unit).
    pub rates: Vec<(String, f64)>,
    /// Percent of VAT to add to amounts exported without it.
    pub add_vat: Option<f64>,
    /// Source and medium of rows whose file has none (`yandex`, `cpc`).
    pub source: Option<String>,
    pub medium: Option<String>,
    /// Currency of rows whose file has no currency column (default: the project's).
    pub file_currency: Option<String>,
}

/// A column of a cost file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CostColumn {
    Header,
    Date,
    Source,
    Medium,
    Campaign,
    Channel,
    Cost,
    Currency,
}

impl CostColumn {
    pub fn name(self) -> &'static str {
        match self {
            CostColumn::Header => "header",
            CostColumn::Date => "date",
            CostColumn::Source => "source",
            CostColumn::Medium => "medium",
            CostColumn::Campaign => "campaign",
            CostColumn::Channel => "channel",
            CostColumn::Cost => "cost",
            CostColumn::Currency => "currency",
        }
    }
}

/// Why a cell is refused.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum CostReason {
    NoRows,
    MissingColumn,
    BadDate { text: String },
    NotANumber { text: String },
    Negative { text: String },
    UnknownCurrency { text: String },
    NoRate { currency: String, project: String },
    Duplicate { first_line: usize },
    NoSource,
}

/// One problem of a cost file: 1-based line (the header is line 1), column, reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostProblem {
    pub line: usize,
    pub column: CostColumn,
    #[serde(flatten)]
    pub reason: CostReason,
}

impl CostProblem {
    /// `line 3, date: '31.02.2026' is not a date (use YYYY-MM-DD or DD.MM.YYYY)`.
    pub fn words(&self, lang: Lang) -> String {
        let ru = lang == Lang::Ru;
        let why = match &self.reason {
            CostReason::NoRows => lang.pick("the file has no cost rows", "в файле нет строк расходов").to_string(),
            CostReason::MissingColumn => {
                lang.pick("no such column in the header", "в заголовке нет такого столбца").to_string()
            }
            CostReason::BadDate { text } if ru => format!("'{text}' — не дата (используйте ГГГГ-ММ-ДД или ДД.ММ.ГГГГ)"),
            CostReason::BadDate { text } => format!("'{text}' is not a date (use YYYY-MM-DD or DD.MM.YYYY)"),
            CostReason::NotANumber { text } if ru => format!("'{text}' — не число"),
            CostReason::NotANumber { text } => format!("'{text}' is not a number"),
            CostReason::Negative { text } if ru => format!("'{text}': расход не может быть отрицательным"),
            CostReason::Negative { text } => format!("'{text}': a cost cannot be negative"),
            CostReason::UnknownCurrency { text } if ru => {
                format!("неизвестная валюта '{text}' (код ISO 4217: RUB, USD…)")
            }
            CostReason::UnknownCurrency { text } => format!("unknown currency '{text}' (an ISO 4217 code: RUB, USD…)"),
            CostReason::NoRate { currency, project } if ru => {
                format!("{currency} не {project}, а курса нет: укажите курс ({currency}=…) — валюты не смешиваются")
            }
            CostReason::NoRate { currency, project } => {
                format!("{currency} is not {project} and there is no rate: give one ({currency}=…); currencies are never mixed")
            }
            CostReason::Duplicate { first_line } if ru => {
                format!("повтор строки {first_line} (тот же день, источник, канал и кампания)")
            }
            CostReason::Duplicate { first_line } => {
                format!("repeats line {first_line} (the same day, source, medium, campaign and channel)")
            }
            CostReason::NoSource => lang
                .pick(
                    "no source, medium or channel: give the platform's source and medium (yandex / cpc)",
                    "нет источника, канала и типа трафика: укажите источник и тип трафика площадки (yandex / cpc)",
                )
                .to_string(),
        };
        let line = if ru { "строка" } else { "line" };
        format!("{line} {}, {}: {why}", self.line, self.column.name())
    }
}

fn column_of(header: &str) -> Option<CostColumn> {
    let h = header.trim().trim_matches('"').trim().to_lowercase();
    let h = h.trim_start_matches('\u{feff}');
    Some(match h {
        "date" | "day" | "дата" | "день" => CostColumn::Date,
        "source" | "utm_source" | "источник" => CostColumn::Source,
        "medium" | "utm_medium" | "тип трафика" => CostColumn::Medium,
        "campaign" | "campaign name" | "кампания" | "название кампании" | "utm_campaign" => {
            CostColumn::Campaign
        }
        "channel" | "канал" => CostColumn::Channel,
        "currency" | "currency code" | "валюта" => CostColumn::Currency,
        _ if ["cost", "spend", "amount spent", "расход", "стоимость"].iter().any(|p| h.starts_with(p)) => {
            CostColumn::Cost
        }
        _ => return None,
    })
}

/// Splits a line by `sep`, with `"…"` quoting (`""` inside is a quote).
fn split(line: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == sep && !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// `YYYY-MM-DD` of a date written `YYYY-MM-DD` or `DD.MM.YYYY`, if it is a real day.
pub fn parse_day(text: &str) -> Option<String> {
    let t = text.trim();
    let nums: Vec<&str> = t.split(['-', '.']).collect();
    let (y, m, d) = match nums.as_slice() {
        [y, m, d] if t.contains('-') && y.len() == 4 => (y, m, d),
        [d, m, y] if t.contains('.') && y.len() == 4 => (y, m, d),
        _ => return None,
    };
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    ((1..=12).contains(&m) && (1..=days[m as usize - 1]).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// An amount: `1234.5`, `1 234,50`, `1,234.50`.
pub fn parse_amount(text: &str) -> Option<f64> {
    let mut t: String = text.trim().chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}').collect();
    if t.contains(',') && t.contains('.') {
        t = t.replace(',', "");
    } else {
        t = t.replace(',', ".");
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn currency_code(text: &str) -> Option<String> {
    let t = text.trim().to_lowercase();
    let t = match t.trim_end_matches('.') {
        "руб" | "rur" | "₽" | "рубли" => "rub".to_string(),
        other => other.to_string(),
    };
    let up = t.to_uppercase();
    CURRENCIES.contains(&up.as_str()).then_some(up)
}

/// Reads a cost file; every problem at once, or the rows.
pub fn parse_costs(text: &str, opts: &CostImport) -> Result<Vec<CostRow>, Vec<CostProblem>> {
    let mut problems = Vec::new();
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let Some((hline, header)) = lines.next() else {
        return Err(vec![CostProblem { line: 1, column: CostColumn::Header, reason: CostReason::NoRows }]);
    };
    let sep =
        [('\t', header.matches('\t').count()), (';', header.matches(';').count()), (',', header.matches(',').count())]
            .into_iter()
            .max_by_key(|s| s.1)
            .map_or(',', |s| s.0);
    let cols: Vec<Option<CostColumn>> = split(header, sep).iter().map(|h| column_of(h)).collect();
    let at = |c: CostColumn| cols.iter().position(|x| *x == Some(c));
    for needed in [CostColumn::Date, CostColumn::Cost] {
        if at(needed).is_none() {
            problems.push(CostProblem { line: hline + 1, column: needed, reason: CostReason::MissingColumn });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let project = opts.currency.to_uppercase();
    let mut rows: Vec<CostRow> = Vec::new();
    let mut seen: std::collections::HashMap<(String, String, String, String, String), usize> = Default::default();
    for (i, line) in lines {
        let n = i + 1;
        let cells = split(line, sep);
        let cell = |c: CostColumn| at(c).and_then(|k| cells.get(k)).map(|s| s.trim().to_string());
        let mut bad = |column, reason| problems.push(CostProblem { line: n, column, reason });
        let date = cell(CostColumn::Date).unwrap_or_default();
        let day = parse_day(&date);
        if day.is_none() {
            bad(CostColumn::Date, CostReason::BadDate { text: date });
        }
        let amount_text = cell(CostColumn::Cost).unwrap_or_default();
        let amount = parse_amount(&amount_text);
        match amount {
            None => bad(CostColumn::Cost, CostReason::NotANumber { text: amount_text.clone() }),
            Some(a) if a < 0.0 => bad(CostColumn::Cost, CostReason::Negative { text: amount_text.clone() }),
            _ => {}
        }
        let cur_text = cell(CostColumn::Currency)
            .filter(|c| !c.is_empty())
            .or_else(|| opts.file_currency.clone())
            .unwrap_or_else(|| project.clone());
        let rate = match currency_code(&cur_text) {
            None => {
                bad(CostColumn::Currency, CostReason::UnknownCurrency { text: cur_text.clone() });
                None
            }
            Some(c) if c == project => Some((c, 1.0)),
            Some(c) => match opts.rates.iter().find(|r| r.0.eq_ignore_ascii_case(&c)) {
                Some(r) => Some((c, r.1)),
                None => {
                    bad(CostColumn::Currency, CostReason::NoRate { currency: c, project: project.clone() });
                    None
                }
            },
        };
        let source =
            cell(CostColumn::Source).filter(|s| !s.is_empty()).or_else(|| opts.source.clone()).unwrap_or_default();
        let medium =
            cell(CostColumn::Medium).filter(|s| !s.is_empty()).or_else(|| opts.medium.clone()).unwrap_or_default();
        let campaign = cell(CostColumn::Campaign).unwrap_or_default();
        let channel = cell(CostColumn::Channel).unwrap_or_default();
        if source.is_empty() && medium.is_empty() && channel.is_empty() {
            bad(CostColumn::Source, CostReason::NoSource);
        }
        let (Some(day), Some(amount), Some((currency, rate))) = (day, amount, rate) else { continue };
        if amount < 0.0 {
            continue;
        }
        let key = (day.clone(), source.clone(), medium.clone(), campaign.clone(), channel.clone());
        if let Some(&first_line) = seen.get(&key) {
            bad(CostColumn::Date, CostReason::Duplicate { first_line });
            continue;
        }
        seen.insert(key, n);
        let vat = opts.add_vat.map_or(1.0, |p| 1.0 + p / 100.0);
        rows.push(CostRow { day, source, medium, campaign, channel, cost: amount * rate * vat, currency });
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(CostProblem { line: hline + 1, column: CostColumn::Header, reason: CostReason::NoRows });
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// The label a cost row is spent on when touches are labelled by `by` (None: costs do not map to this field).
pub fn cost_label(row: &CostRow, by: &TouchField) -> Option<String> {
    let v = match &by.0 {
        Field::Dict(DictCol::Channel) if !row.channel.is_empty() => row.channel.clone(),
        Field::Dict(DictCol::Channel) => crate::channel::classify(&row.source, &row.medium, "", "").to_string(),
        Field::Dict(DictCol::Source) => row.source.clone(),
        Field::Dict(DictCol::Medium) => row.medium.clone(),
        Field::Dict(DictCol::Campaign) => row.campaign.clone(),
        _ => return None,
    };
    Some(if v.is_empty() { "(none)".into() } else { v })
}

/// Cost-based figures of one model for one label.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ModelEconomics {
    pub cpa: Option<f64>,
    pub roas: Option<f64>,
    pub romi: Option<f64>,
}

/// One label's spend and its figures per model (in the report's model order).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelEconomics {
    pub label: String,
    pub cost: f64,
    pub models: Vec<Option<ModelEconomics>>,
}

/// Spend set against the report.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct CostReport {
    pub total: f64,
    pub labels: Vec<LabelEconomics>,
    /// Spend on labels no touch has: (label, cost), largest first.
    pub unmatched: Vec<(String, f64)>,
    /// Rows whose field cannot be matched to the report's touch field at all.
    pub unmappable: f64,
}

/// The economics of `report` given the spend `rows` (already limited to the report's days).
pub fn economics(report: &AttributionReport, rows: &[CostRow], by: &TouchField) -> CostReport {
    let mut spend: std::collections::BTreeMap<String, f64> = Default::default();
    let mut out = CostReport::default();
    for r in rows {
        out.total += r.cost;
        match cost_label(r, by) {
            Some(l) => *spend.entry(l).or_default() += r.cost,
            None => out.unmappable += r.cost,
        }
    }
    for row in &report.rows {
        let cost = spend.remove(&row.label).unwrap_or(0.0);
        out.labels.push(LabelEconomics { label: row.label.clone(), cost, models: figures(cost, &row.credits) });
    }
    out.unmatched = spend.into_iter().filter(|s| s.1 != 0.0).collect();
    out.unmatched.sort_by(|a, b| b.1.total_cmp(&a.1));
    out
}

/// CPA, ROAS and ROMI of `cost` against each model's credit.
fn figures(cost: f64, credits: &[Option<Credit>]) -> Vec<Option<ModelEconomics>> {
    let div = |a: f64, b: f64| (b != 0.0).then(|| a / b);
    credits
        .iter()
        .map(|c| {
            c.map(|c| ModelEconomics {
                cpa: div(cost, c.conversions),
                roas: div(c.revenue, cost),
                romi: div(c.revenue - cost, cost),
            })
        })
        .collect()
}

/// One label in one period: its spend, its credit under each model and the figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodLabel {
    pub label: String,
    pub cost: f64,
    /// In the report's model order (None: inside Shapley's `(other)`).
    pub credits: Vec<Option<Credit>>,
    pub models: Vec<Option<ModelEconomics>>,
}

/// The economics of one calendar period: the spend of its days against the conversions of its days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodEconomics {
    /// The period's first local day, `YYYY-MM-DD`.
    pub period: String,
    pub conversions: u64,
    pub revenue: f64,
    /// All spend of the period (matched, unmatched and unmappable).
    pub cost: f64,
    /// Labels with a touch or a matched spend in the period, in the report's row order.
    pub labels: Vec<PeriodLabel>,
    /// Spend of the period on labels no touch of the whole report has.
    pub unmatched: Vec<(String, f64)>,
    pub unmappable: f64,
}

/// The first local day of the period holding the cost day `day` (`YYYY-MM-DD`).
fn period_of(day: &str, period: Period) -> Option<String> {
    let (y, m, d) = (day.get(..4)?.parse().ok()?, day.get(5..7)?.parse().ok()?, day.get(8..10)?.parse().ok()?);
    Some(format_day(period.first_day(days_from_civil(y, m, d))))
}

/// Per period of `report` (which was asked with a period): the spend of the period's days matched to labels
/// against the conversions and revenue each model credits in the same period. Costs of a period meet the
/// conversions of the same period — a conversion in March is not set against February's spend that brought it.
/// Periods with spend but no path are listed too. Empty when the report has no period.
pub fn economics_by_period(report: &AttributionReport, rows: &[CostRow], by: &TouchField) -> Vec<PeriodEconomics> {
    use std::collections::BTreeMap;
    let Some(period) = report.period else { return Vec::new() };
    let known: std::collections::HashSet<&str> = report.rows.iter().map(|r| r.label.as_str()).collect();
    let mut out: BTreeMap<String, PeriodEconomics> = BTreeMap::new();
    let empty = |p: &str| PeriodEconomics {
        period: p.to_string(),
        conversions: 0,
        revenue: 0.0,
        cost: 0.0,
        labels: Vec::new(),
        unmatched: Vec::new(),
        unmappable: 0.0,
    };
    for p in &report.periods {
        let e = out.entry(p.period.clone()).or_insert_with(|| empty(&p.period));
        e.conversions = p.conversions;
        e.revenue = p.revenue;
    }
    let mut spend: BTreeMap<(String, String), f64> = BTreeMap::new();
    let mut unmatched: BTreeMap<(String, String), f64> = BTreeMap::new();
    for r in rows {
        let Some(p) = period_of(&r.day, period) else { continue };
        let e = out.entry(p.clone()).or_insert_with(|| empty(&p));
        e.cost += r.cost;
        match cost_label(r, by) {
            Some(l) if known.contains(l.as_str()) => *spend.entry((p, l)).or_default() += r.cost,
            Some(l) => *unmatched.entry((p, l)).or_default() += r.cost,
            None => e.unmappable += r.cost,
        }
    }
    for ((p, l), v) in unmatched {
        if let Some(e) = out.get_mut(&p) {
            e.unmatched.push((l, v));
        }
    }
    let by_period: BTreeMap<&str, &super::report::PeriodAttribution> =
        report.periods.iter().map(|p| (p.period.as_str(), p)).collect();
    let none = vec![Some(Credit::default()); report.models.len()];
    for (p, e) in out.iter_mut() {
        e.unmatched.sort_by(|a, b| b.1.total_cmp(&a.1));
        let attributed = by_period.get(p.as_str());
        for row in &report.rows {
            let credits = attributed.and_then(|a| a.rows.iter().find(|r| r.label == row.label)).map(|r| &r.credits);
            let cost = spend.get(&(p.clone(), row.label.clone())).copied();
            if credits.is_none() && cost.is_none() {
                continue;
            }
            let credits = credits.unwrap_or(&none).clone();
            let cost = cost.unwrap_or(0.0);
            e.labels.push(PeriodLabel { label: row.label.clone(), cost, models: figures(cost, &credits), credits });
        }
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> CostImport {
        CostImport {
            currency: "RUB".into(),
            rates: vec![("USD".into(), 90.0)],
            add_vat: None,
            source: None,
            medium: None,
            file_currency: None,
        }
    }

    #[test]
    fn reads_the_three_platform_shapes() {
        let direct = "Дата;Кампания;Показы;Клики;Расход (руб.)\n01.03.2026;summer_hiking;1000;50;1 234,50\n";
        let o = CostImport { source: Some("yandex".into()), medium: Some("cpc".into()), add_vat: Some(20.0), ..opts() };
        let rows = parse_costs(direct, &o).unwrap();
        assert_eq!(
            (rows[0].day.as_str(), rows[0].source.as_str(), rows[0].campaign.as_str()),
            ("2026-03-01", "yandex", "summer_hiking")
        );
        assert!((rows[0].cost - 1234.5 * 1.2).abs() < 1e-9);
        let google = "Day,Campaign,Currency code,Cost\n2026-03-01,\"brand, exact\",USD,\"1,000.50\"\n";
        let o = CostImport { source: Some("google".into()), medium: Some("cpc".into()), ..opts() };
        let rows = parse_costs(google, &o).unwrap();
        assert_eq!(rows[0].campaign, "brand, exact");
        assert!((rows[0].cost - 1000.5 * 90.0).abs() < 1e-9);
        let own = "date,source,medium,campaign,channel,cost,currency\n2026-03-01,vk,cpc,spring,,500,RUB\n2026-03-01,,,,offline,900,RUB\n";
        let rows = parse_costs(own, &opts()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(cost_label(&rows[0], &TouchField::channel()).unwrap(), "paid_social");
        assert_eq!(cost_label(&rows[1], &TouchField::channel()).unwrap(), "offline");
    }

    #[test]
    fn every_bad_cell_is_reported_with_its_line_and_nothing_is_imported() {
        let text = "date,source,medium,campaign,cost,currency\n\
                    2026-02-30,yandex,cpc,a,10,RUB\n\
                    2026-03-01,yandex,cpc,a,10,XYZ\n\
                    2026-03-01,yandex,cpc,b,-5,RUB\n\
                    2026-03-02,yandex,cpc,a,10,RUB\n\
                    2026-03-02,yandex,cpc,a,12,RUB\n\
                    2026-03-03,yandex,cpc,a,10,EUR\n";
        let e = parse_costs(text, &opts()).unwrap_err();
        let got: Vec<(usize, &str)> = e.iter().map(|p| (p.line, p.column.name())).collect();
        assert_eq!(got, [(2, "date"), (3, "currency"), (4, "cost"), (6, "date"), (7, "currency")]);
        assert!(matches!(e[3].reason, CostReason::Duplicate { first_line: 5 }));
        assert_eq!(e[2].words(Lang::En), "line 4, cost: '-5': a cost cannot be negative");
        assert!(e[4].words(Lang::Ru).contains("валюты не смешиваются"));
        let empty = parse_costs("date,cost\n", &opts()).unwrap_err();
        assert_eq!(empty[0].reason, CostReason::NoRows);
        let no_cost = parse_costs("date,source\n2026-03-01,x\n", &opts()).unwrap_err();
        assert_eq!((no_cost[0].column, &no_cost[0].reason), (CostColumn::Cost, &CostReason::MissingColumn));
    }

    #[test]
    fn dates_and_amounts() {
        assert_eq!(parse_day("29.02.2024").as_deref(), Some("2024-02-29"));
        assert_eq!(parse_day("29.02.2026"), None);
        assert_eq!(parse_day("2026-13-01"), None);
        assert_eq!(parse_amount("1\u{a0}234,5"), Some(1234.5));
        assert_eq!(parse_amount("abc"), None);
    }
}
