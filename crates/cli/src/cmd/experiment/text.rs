//! `tropa experiment results` as text: the decision in plain words, the variants and the sample-ratio check,
//! one table of metrics (each treatment against the control), the problems, and the journey per variant (stages
//! and the funnel, each lane's difference with its interval). `--format json` prints everything the API returns.

use tropa_app::experiments::Evaluated;
use tropa_core::analysis::experiment::definition::{parse_metric, Decision};
use tropa_core::analysis::experiment::fold::MetricDef;
use tropa_core::analysis::experiment::frequentist::Effect;
use tropa_core::analysis::experiment::journey::{JourneyReport, JourneyRow};
use tropa_core::analysis::experiment::request::Outcome;

use crate::lang::{lang, tr};
use crate::table::{int, Table};

/// A number in the CLI's language: a decimal comma in Russian.
fn local(s: String) -> String {
    lang().decimal(s)
}

/// A share: `0.1234` → `12.3%`.
fn share(x: f64) -> String {
    local(format!("{:.1}%", x * 100.0))
}

/// A signed change in percent: `0.05` → `+5.0%`.
fn change(x: f64) -> String {
    local(format!("{:+.1}%", x * 100.0))
}

/// A difference of two shares in percentage points: `0.03` → `+3.0 pp`.
fn points(x: f64) -> String {
    format!("{} {}", local(format!("{:+.1}", x * 100.0)), tr("pp", "п. п."))
}

fn value(x: f64) -> String {
    let s = if x.abs() < 10.0 { format!("{x:.3}") } else { format!("{x:.1}") };
    // a value that rounds to zero shows no sign
    local(if s.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
        s.trim_start_matches('-').to_string()
    } else {
        s
    })
}

fn p(x: f64) -> String {
    local(if x < 0.001 { "<0.001".to_string() } else { format!("{x:.3}") })
}

fn decision_words(d: &Decision) -> (&'static str, &'static str) {
    match d {
        Decision::DoNotTrust => (
            tr("Do not trust the results", "Результатам нельзя доверять"),
            tr("the traffic split is broken (sample-ratio mismatch).", "деление трафика нарушено (несоответствие долей)."),
        ),
        Decision::KeepRunning => (
            tr("Keep running", "Продолжайте тест"),
            tr(
                "the test has run fewer full weeks than the rule asks, or a variant has no customers yet.",
                "тест шёл меньше полных недель, чем требует правило, или у варианта ещё нет клиентов.",
            ),
        ),
        Decision::Ship => (
            tr("Ship the treatment", "Внедряйте новый вариант"),
            tr(
                "the primary metric improved by at least the smallest lift worth shipping, with the whole interval above it.",
                "основная метрика выросла не меньше минимального полезного прироста: весь интервал выше него.",
            ),
        ),
        Decision::KeepControl => (
            tr("Keep the control", "Оставьте контрольный вариант"),
            tr(
                "the primary metric got worse: the whole interval is below zero.",
                "основная метрика ухудшилась: весь интервал ниже нуля.",
            ),
        ),
        Decision::Inconclusive => (
            tr("No clear winner yet", "Победителя пока нет"),
            tr(
                "the interval of the primary metric still holds both no effect and an effect worth shipping.",
                "интервал основной метрики пока включает и отсутствие эффекта, и полезный эффект.",
            ),
        ),
    }
}

/// Whether the metric's per-customer value is 0 or 1 (shown as a share).
fn is_share(text: &str) -> bool {
    matches!(
        parse_metric(text),
        Ok(MetricDef::Conversion { .. } | MetricDef::Retention { .. } | MetricDef::Funnel { .. })
    )
}

fn interval(e: &Effect, f: fn(f64) -> String) -> String {
    // the Russian decimal comma: bounds apart by a semicolon
    format!("[{}{} {}]", f(e.ci[0]), tr(",", ";"), f(e.ci[1]))
}

pub fn render(e: &Evaluated) -> String {
    let def = &e.definition;
    let r = &e.report;
    let mut out = def.key.clone();
    if !def.hypothesis.is_empty() {
        out.push_str(&format!(" — {}", def.hypothesis));
    }
    let (verdict, why) = decision_words(&e.decision);
    out.push_str(&format!(
        "\n{}: {}; {}: {verdict}: {why}\n",
        tr("days running", "дней в работе"),
        e.days_running,
        tr("decision", "решение"),
    ));
    let mut t =
        Table::new(&[tr("variant", "вариант"), tr("customers", "клиентов"), tr("in two variants", "в двух вариантах")]);
    for v in &r.variants {
        t.row(vec![v.name.clone(), int(v.customers), int(v.mixed)]);
    }
    out.push('\n');
    out.push_str(&t.render());
    match &r.srm {
        Outcome::Ok(s) if s.mismatch => out.push_str(&format!(
            "{}: χ² = {}, p = {} — {}\n",
            tr("SAMPLE-RATIO MISMATCH", "НЕСООТВЕТСТВИЕ ДОЛЕЙ ВАРИАНТОВ"),
            value(s.chi2),
            p(s.p_value),
            tr(
                "the split differs from the intended one: assignment or logging is broken",
                "доли отличаются от задуманных: назначение вариантов или сбор событий нарушены"
            ),
        )),
        Outcome::Ok(s) => out.push_str(&format!(
            "{}: χ² = {}, p = {}\n",
            tr("sample ratio as intended", "доли вариантов как задумано"),
            value(s.chi2),
            p(s.p_value)
        )),
        Outcome::Err { error } => out.push_str(&format!("{}: {error}\n", tr("sample-ratio check", "проверка долей"))),
    }
    out.push('\n');
    out.push_str(&metrics(e));
    for problem in &r.problems {
        out.push_str(&format!("! {problem}\n"));
    }
    if let Some(j) = &r.journey {
        out.push_str(&journey(j, &r.variants.iter().map(|v| v.name.clone()).collect::<Vec<_>>()));
    }
    out
}

/// Per metric and treatment: control and treatment values, the relative lift with its interval, the
/// Holm-adjusted p-value, and the Bayesian chance to beat the control.
fn metrics(e: &Evaluated) -> String {
    let def = &e.definition;
    let r = &e.report;
    let names: Vec<&String> = std::iter::once(&def.primary).chain(def.guardrails.iter()).collect();
    let mut t = Table::new(&[
        tr("metric", "метрика"),
        tr("variant", "вариант"),
        tr("control", "контроль"),
        tr("variant value", "значение варианта"),
        tr("lift", "прирост"),
        tr("interval", "интервал"),
        tr("p (Holm)", "p (Холм)"),
        tr("chance to beat", "шанс выиграть"),
    ]);
    for m in &r.metrics {
        let name = names.get(m.index).map_or(String::new(), |n| n.to_string());
        let shown: fn(f64) -> String = if is_share(&name) { share } else { value };
        for (v, c) in m.comparisons.iter().enumerate() {
            let control = m.samples.first().map_or("—".into(), |s| shown(s.unadjusted_mean));
            let treated = m.samples.get(v + 1).map_or("—".into(), |s| shown(s.unadjusted_mean));
            let (lift, ci) = match &c.relative {
                Outcome::Ok(x) => (change(x.estimate), interval(x, change)),
                Outcome::Err { error } => ("—".into(), error.clone()),
            };
            let chance = match &c.bayes_relative {
                Outcome::Ok(b) => share(b.chance_to_win),
                Outcome::Err { .. } => "—".into(),
            };
            let label = if v == 0 { name.clone() } else { String::new() };
            t.row(vec![
                label,
                c.variant.clone(),
                control,
                treated,
                lift,
                ci,
                c.p_adjusted.map_or("—".into(), p),
                chance,
            ]);
        }
    }
    t.render()
}

fn stage_name(row: &JourneyRow) -> String {
    match &row.names {
        Some(n) if lang() == tropa_core::lang::Lang::Ru && !n.ru.is_empty() => n.ru.clone(),
        Some(n) if !n.en.is_empty() => n.en.clone(),
        _ => row.key.clone(),
    }
}

fn lane_words(lane: &str) -> &'static str {
    match lane {
        "reached" => tr("reached", "дошли"),
        "entered_after_exposure" => tr("entered after exposure", "вошли после показа"),
        "conversion_to_next" => tr("conversion to the next stage", "переход на следующий этап"),
        "conversion_from_previous" => tr("conversion from the previous step", "переход с предыдущего шага"),
        "drop_share" => tr("drop-off", "отток"),
        "revenue_per_customer" => tr("revenue per customer", "выручка на клиента"),
        "events_per_customer" => tr("events per customer", "событий на клиента"),
        _ => tr("hours to the next stage", "часов до следующего этапа"),
    }
}

/// The stages and the funnel per variant: each lane's value per variant and each treatment's difference.
fn journey(j: &JourneyReport, variants: &[String]) -> String {
    let mut out = String::new();
    let sections = [
        (tr("Journey stages", "Этапы пути"), tr("stage", "этап"), &j.stages),
        (tr("Funnel", "Воронка"), tr("step", "шаг"), &j.funnel),
    ];
    for (title, unit, rows) in sections {
        if rows.is_empty() {
            continue;
        }
        let mut head: Vec<String> = vec![unit.into(), tr("lane", "показатель").into()];
        head.extend(variants.iter().cloned());
        for v in variants.iter().skip(1) {
            head.push(format!("{v} − {}", variants[0]));
            head.push(format!("{} {v}", tr("interval", "интервал")));
            head.push(format!("p {v}"));
        }
        let head: Vec<&str> = head.iter().map(String::as_str).collect();
        let mut t = Table::new(&head);
        for row in rows.iter() {
            for (k, lane) in row.lanes.iter().enumerate() {
                let shown: fn(f64) -> String = if lane.share { share } else { value };
                let mut cells =
                    vec![if k == 0 { stage_name(row) } else { String::new() }, lane_words(lane.lane).into()];
                cells.extend(lane.values.iter().map(|v| v.map_or("—".into(), shown)));
                for d in &lane.comparisons {
                    let diff: fn(f64) -> String = if lane.share { points } else { value };
                    match &d.difference {
                        Outcome::Ok(x) => {
                            cells.push(diff(x.estimate));
                            cells.push(interval(x, diff));
                        }
                        Outcome::Err { .. } => cells.extend(["—".to_string(), "—".to_string()]),
                    }
                    cells.push(d.p_adjusted.map_or("—".into(), p));
                }
                t.row(cells);
            }
        }
        out.push_str(&format!(
            "\n{title} ({}: {}, {})\n",
            tr("correction", "поправка"),
            if j.correction == "holm" { tr("Holm", "Холма") } else { j.correction },
            local(format!("{} {}", j.comparisons, tr("comparisons", "сравнений")))
        ));
        out.push_str(&t.render());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_percent_and_other_metrics_are_values() {
        assert!(is_share("conversion:purchase:7d"));
        assert!(is_share("funnel:view_item->purchase:7d"));
        assert!(!is_share("revenue:7d"));
        assert_eq!(share(0.1234), "12.3%");
        assert_eq!(change(-0.05), "-5.0%");
        assert_eq!(p(0.0001), "<0.001");
        assert_eq!(points(0.03), "+3.0 pp");
        assert_eq!(value(-0.0001), "0.000");
        assert_eq!(value(-0.5), "-0.500");
    }
}
