//! `tropa stats`: events per name, channel, touchpoint and day; customers, buyers, revenue; time range; customers,
//! buyers, conversion and revenue by the channel of their first event.

use std::path::Path;

use clap::Args;
use tropa_app::request::NamedEvents;
use tropa_app::request::StatsRequest;
use tropa_core::analysis::stats::StatsReport;

use super::translate::{Names, Translation};
use crate::lang::tr;
use crate::table::{int, print, print_json, Table};
use crate::OutFormat;

#[derive(Args)]
pub struct StatsArgs {
    #[arg(long, value_enum, default_value = "table")]
    format: OutFormat,
    /// Show at most this many days (the most recent).
    #[arg(long, default_value_t = 14)]
    days: usize,
    #[command(flatten)]
    filter: super::scope::FilterArgs,
}
/// The report as JSON: the time zone of its days and the currency of its revenue, then the report.
#[derive(serde::Serialize)]
struct Answer<'a> {
    time_zone: &'a str,
    currency: String,
    #[serde(flatten)]
    report: &'a StatsReport,
}

pub fn run(data: &Path, settings: tropa_core::settings::ProjectSettings, args: StatsArgs) -> anyhow::Result<()> {
    let mut names = Names::default();
    let req = StatsRequest { filters: args.filter.request(&mut names) };
    let t = Translation::new(&settings, &req.filters, names);
    let spec = req.spec(&t.problems);
    let scoped = t.finish(Some(spec), &req.filters, &args.filter, req.filters.events())?;
    let calendar = scoped.calendar;
    let store = super::open_existing(data)?;
    let r = scoped.report(&store, tropa_engine::report::stats)?;
    let currency = settings.currency.to_string();
    if args.format == OutFormat::Json {
        return print_json(&Answer { time_zone: calendar.name(), currency, report: &r });
    }
    let mut out = String::new();
    out.push_str(&format!(
        "{}: {}   {}: {}   {}: {}   {}: {:.2} {currency}\n{}: {} … {}\n{}: {}\n\n",
        tr("customers", "клиентов"),
        int(r.customers),
        tr("events", "событий"),
        int(r.events),
        tr("buyers", "покупателей"),
        int(r.buyers),
        tr("revenue", "выручка"),
        r.revenue,
        tr("time range", "период"),
        r.first_event.as_deref().unwrap_or("—"),
        r.last_event.as_deref().unwrap_or("—"),
        tr("days in", "дни по времени"),
        calendar.name(),
    ));
    let mut t = Table::new(&[tr("event", "событие"), tr("events", "событий"), tr("customers", "клиентов")]);
    for row in &r.events_by_name {
        t.row(vec![row.value.clone(), int(row.events), int(row.customers.unwrap_or(0))]);
    }
    out.push_str(&t.render());
    for (title, rows) in
        [(tr("channel", "канал"), &r.events_by_channel), (tr("touchpoint", "точка контакта"), &r.events_by_touchpoint)]
    {
        let mut t = Table::new(&[title, tr("events", "событий")]);
        for row in rows.iter() {
            t.row(vec![row.value.clone(), int(row.events)]);
        }
        out.push('\n');
        out.push_str(&t.render());
    }
    let mut t = Table::new(&[
        tr("first channel", "первый канал"),
        tr("customers", "клиентов"),
        tr("buyers", "покупателей"),
        tr("conversion", "конверсия"),
        tr("revenue", "выручка"),
    ]);
    for row in &r.channels {
        t.row(vec![
            row.value.clone(),
            int(row.customers),
            int(row.buyers),
            format!("{:.1} %", row.conversion * 100.0),
            format!("{:.2}", row.revenue),
        ]);
    }
    out.push('\n');
    out.push_str(&t.render());
    let mut t = Table::new(&[tr("day", "день"), tr("events", "событий")]);
    let skip = r.events_by_day.len().saturating_sub(args.days);
    for row in r.events_by_day.iter().skip(skip) {
        t.row(vec![row.value.clone(), int(row.events)]);
    }
    out.push('\n');
    if skip > 0 {
        out.push_str(&format!(
            "{} {} {}\n",
            tr("last", "последние"),
            args.days,
            tr("days (see --days)", "дней (см. --days)")
        ));
    }
    out.push_str(&t.render());
    print(&out)
}
