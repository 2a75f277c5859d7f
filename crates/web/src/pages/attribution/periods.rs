//! The attribution page's periods: each day, week or month of the project's time zone attributed on its own (the
//! paths that end in it), with the spend of its days against its conversions — a table for the chosen model, a
//! line chart of each label's conversions over time, and a CSV of every model's figures (the chart's download).

use maud::{html, Markup};
use tropa_app::costs::Economics;
use tropa_core::analysis::attribution::costs::PeriodEconomics;
use tropa_core::analysis::attribution::{AttributionReport, Model};
use tropa_render::{LineChart, Locale, Series, ValueFormat};

use super::{dec, label, model_name};
use crate::i18n::{Lang, Words};
use crate::pages::export::{Chart, Exports};

/// Labels drawn as lines (the first of the report's rows); the table and the download keep all.
const LINES: usize = 8;

/// The line chart of one model's conversions per label and period; its CSV is the whole table, every model.
struct PeriodChart<'a> {
    line: LineChart,
    models: &'a [Model],
    periods: &'a [PeriodEconomics],
    costs: bool,
}

impl Chart for PeriodChart<'_> {
    fn svg(&self, loc: Locale) -> String {
        tropa_render::line(&self.line, loc)
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let mut head = vec!["period".to_string(), "label".to_string()];
        if self.costs {
            head.push("cost".into());
        }
        for m in self.models {
            let k = m.key();
            head.extend([format!("{k}_conversions"), format!("{k}_revenue")]);
            if self.costs {
                head.extend([format!("{k}_cpa"), format!("{k}_roas"), format!("{k}_romi")]);
            }
        }
        let num = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_default();
        let mut out = vec![head];
        for p in self.periods {
            for l in &p.labels {
                let mut row = vec![p.period.clone(), l.label.clone()];
                if self.costs {
                    row.push(num(Some(l.cost)));
                }
                for (k, _) in self.models.iter().enumerate() {
                    let c = l.credits[k];
                    row.extend([num(c.map(|c| c.conversions)), num(c.map(|c| c.revenue))]);
                    if self.costs {
                        let e = l.models[k];
                        row.extend([
                            num(e.and_then(|e| e.cpa)),
                            num(e.and_then(|e| e.roas)),
                            num(e.and_then(|e| e.romi)),
                        ]);
                    }
                }
                out.push(row);
            }
        }
        out
    }
}

/// The periods' section: the rule, the chart, the table of `model`.
pub(super) fn section(
    l: Lang,
    r: &AttributionReport,
    eco: &Economics,
    (model, head, currency): (Model, &str, &str),
    ex: &mut Exports,
) -> Markup {
    let k = r.models.iter().position(|m| *m == model).unwrap_or(0);
    let periods = &eco.period_costs;
    let costs = eco.costs.is_some();
    let x_labels: Vec<String> = periods.iter().map(|p| p.period.clone()).collect();
    let series = r
        .rows
        .iter()
        .take(LINES)
        .map(|row| Series {
            name: label(l, r, &row.label),
            values: periods
                .iter()
                .map(|p| {
                    let credit = p.labels.iter().find(|x| x.label == row.label).and_then(|x| x.credits[k]);
                    Some(credit.map_or(0.0, |c| c.conversions))
                })
                .collect(),
        })
        .collect();
    let chart = PeriodChart {
        line: LineChart {
            title: format!("{} · {}", l.t("attr_period_chart"), model_name(l, model)),
            x_labels,
            series,
            format: ValueFormat::Count,
        },
        models: &r.models,
        periods,
        costs,
    };
    let dash = || "—".to_string();
    html! {
        h2 { (l.t("attr_by_period")) " · " (model_name(l, model)) }
        p.muted.attr-period-rule { (l.t("attr_period_rule")) }
        (ex.chart("attr-periods", &chart))
        div.table-wrap {
            table.attr-periods {
                thead { tr {
                    th { (l.t("attr_period_col")) }
                    th { (head) }
                    @if costs { th.num { (l.t("attr_cost")) " (" (currency) ")" } }
                    th.num { (l.t("attr_conversions")) }
                    th.num { (l.t("revenue")) }
                    @if costs { th.num { "CPA" } th.num { "ROAS" } th.num { "ROMI" } }
                } }
                tbody {
                    @for p in periods {
                        @for (i, e) in p.labels.iter().enumerate() {
                            tr.period-start[i == 0] {
                                td { @if i == 0 { (p.period) } }
                                td { (label(l, r, &e.label)) }
                                @if costs { td.num { (dec(l, e.cost, 0)) } }
                                td.num { (e.credits[k].map_or_else(dash, |c| dec(l, c.conversions, 1))) }
                                td.num { (e.credits[k].map_or_else(dash, |c| dec(l, c.revenue, 0))) }
                                @if costs {
                                    td.num { (e.models[k].and_then(|m| m.cpa).filter(|_| e.cost > 0.0).map_or_else(dash, |v| dec(l, v, 0))) }
                                    td.num { (e.models[k].and_then(|m| m.roas).map_or_else(dash, |v| dec(l, v, 2))) }
                                    td.num { (e.models[k].and_then(|m| m.romi).map_or_else(dash, |v| format!("{} %", dec(l, v * 100.0, 0)))) }
                                }
                            }
                        }
                        @if !p.unmatched.is_empty() {
                            tr.attr-unmatched { td {} td colspan="7" {
                                (l.t("attr_unmatched")) ": "
                                (p.unmatched.iter().map(|(x, v)| format!("{} {}", label(l, r, x), dec(l, *v, 0))).collect::<Vec<_>>().join(", "))
                            } }
                        }
                    }
                }
            }
        }
    }
}
