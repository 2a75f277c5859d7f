//! The overview page over a period (the last 7, 30 or 90 days, this month, last month or two dates; default the
//! last 30 days) compared with the period before it: customers, buyers, conversion, revenue and events with their
//! change (arrows, green when it grew), the channels that brought the period's customers (customers, buyers,
//! conversion and revenue by the channel of their first event in the period), where customers are in the journey
//! now, events and revenue per day. Periods end today, or on the data's last day when it ended earlier; days are
//! the project's local days (its time zone), revenue is in its currency and numbers follow the reader's language.
//! `?project=ID` picks the project (default: `default`, else the first).

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use tropa_core::analysis::scope::ScopeSpec;
use tropa_core::analysis::stages::StagesReport;
use tropa_core::analysis::stats::{ChannelRow, StatsReport};
use tropa_core::calendar::Calendar;
use tropa_core::date_range::{periods, DayRange, Preset};
use tropa_core::settings::ProjectSettings;
use tropa_engine::report;
use tropa_meta::Project;
use tropa_render::{BarChart, LineChart, Series, ValueFormat};

use crate::access::{Member, Viewer};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::i18n::Words;
use crate::pages::export::Exports;
use crate::project::definition as parsed_definition;
use crate::session::origin;
use crate::ui::form::FieldErrors;
use crate::ui::layout::shell;
use crate::WebState;

/// How a site sends its first event: the key to create, the snippet for its pages, a call from a server.
const SNIPPET_TAG: &str = "<script async src=\"/t.js\" data-key=\"tw_…\"></script>";

pub(crate) async fn page(
    State(st): State<Arc<WebState>>,
    headers: HeaderMap,
    m: Member<Viewer>,
) -> Result<Response, WebError> {
    let Member { s, f: q, .. } = m;
    let l = s.lang;
    // the picker offers the projects this user may open
    let projects = st.meta.user_projects(&s.user).map_err(|e| WebError::internal(&e))?;
    let settings = st.settings_of(&s.project)?;
    let calendar = settings.calendar;
    let asked = Asked::read(&q);
    let head = html! {
        h1 { (l.t("overview")) }
        (picker(l, &projects, &s.project))
    };
    let engine = st.projects.engine(&s.project).map_err(|e| WebError::internal(&e))?;
    let bounds = tokio::task::spawn_blocking(move || engine.time_bounds()).await;
    let Some(last) = bounds.map_err(|e| WebError::internal(&e))?.map_err(|e| WebError::internal(&e))?.1 else {
        let main = html! { (head) (no_events(l, &s.project, &origin(&headers))) };
        return Ok(Html(shell(&s, "overview", l.t("overview"), main).into_string()).into_response());
    };
    // periods end today, or on the data's last day when it ended earlier
    let anchor = calendar.day((st.clock)()).min(calendar.day(last));
    let (preset, problems) = asked.preset(l, calendar);
    let e = FieldErrors::new(l, &problems, "");
    let Some(preset) = preset else {
        let main = html! { (head) (range_form(l, &s.project, &asked, &e, None)) };
        return Ok(Html(shell(&s, "overview", l.t("overview"), main).into_string()).into_response());
    };
    let (now, before) = periods(preset, anchor);
    let form = range_form(l, &s.project, &asked, &e, Some(now));
    let (stats, previous, stages) = reports(&st, &s.project, settings, (now, before)).await?;
    let mut ex = Exports::new("", l, &q);
    let revenue_label = format!("{}, {}", l.t("revenue"), settings.currency);
    let charts = charts(l, &stats, stages.as_ref(), &revenue_label, &mut ex);
    if let Some(file) = ex.into_file() {
        return Ok(file);
    }
    let main = html! {
        (head)
        (form)
        (cards(l, (&stats, &previous), &revenue_label, calendar, (now, before)))
        @if stats.events == 0 { p.muted role="status" { (l.t("no_events_in_range")) } }
        (currency_note(l, &stats, settings.currency.as_str()))
        (channels(l, &stats, &previous, settings.currency.as_str()))
        (charts)
    };
    Ok(Html(shell(&s, "overview", l.t("overview"), main).into_string()).into_response())
}

/// What the range form asks: a preset (`7`, `30`, `90`, `this_month`, `last_month`, `custom`) and, for
/// `custom`, two dates.
struct Asked {
    range: String,
    since: String,
    until: String,
}

impl Asked {
    fn read(q: &std::collections::HashMap<String, String>) -> Asked {
        let field = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
        let mut range = field("range");
        if range.is_empty() {
            range = if field("since").is_empty() && field("until").is_empty() { "30".into() } else { "custom".into() };
        }
        Asked { range, since: field("since"), until: field("until") }
    }

    /// The period asked for, or the problems at their fields.
    fn preset(&self, l: Lang, calendar: Calendar) -> (Option<Preset>, Vec<(String, String)>) {
        if self.range != "custom" {
            return match Preset::parse(&self.range) {
                Some(p) => (Some(p), vec![]),
                None => (None, vec![("range".into(), l.t("range_unknown").into())]),
            };
        }
        if self.since.is_empty() && self.until.is_empty() {
            // custom picked, no dates yet: the default period, its dates in the form to change
            return (Some(Preset::Last(30)), vec![]);
        }
        let mut problems = Vec::new();
        let mut day = |field: &str, text: &str| {
            if text.is_empty() {
                problems.push((field.to_string(), l.t("date_required").to_string()));
                return None;
            }
            match calendar.parse_time(text) {
                Ok(t) if text.len() == 10 => Some(calendar.day(t)),
                _ => {
                    problems.push((field.to_string(), l.t("date_invalid").to_string()));
                    None
                }
            }
        };
        let (first, last) = (day("since", &self.since), day("until", &self.until));
        match (first, last) {
            (Some(first), Some(last)) if first > last => {
                problems.push(("until".into(), l.t("until_before_since").into()));
                (None, problems)
            }
            (Some(first), Some(last)) if last - first > 3660 => {
                problems.push(("until".into(), l.t("range_too_long").into()));
                (None, problems)
            }
            (Some(first), Some(last)) => (Some(Preset::Custom { first, last }), problems),
            _ => (None, problems),
        }
    }
}

/// The period picker: presets submitted on change (`/app.js`), two dates for a custom period (the shown period's
/// own dates when none were written, to start from).
fn range_form(l: Lang, project: &str, asked: &Asked, e: &FieldErrors, shown: Option<DayRange>) -> Markup {
    // a preset shows its own dates (the ones sent with it were the previous period's)
    let or_shown = |text: &str, day: Option<i64>| {
        if text.is_empty() || (asked.range != "custom" && day.is_some()) {
            day.map(tropa_core::time::format_day).unwrap_or_default()
        } else {
            text.to_string()
        }
    };
    let since = or_shown(&asked.since, shown.map(|r| r.first));
    let until = or_shown(&asked.until, shown.map(|r| r.last));
    let presets = [
        ("7", l.t("range_7")),
        ("30", l.t("range_30")),
        ("90", l.t("range_90")),
        ("this_month", l.t("range_this_month")),
        ("last_month", l.t("range_last_month")),
        ("custom", l.t("range_custom")),
    ];
    html! {
        form.range method="get" action="/" {
            input type="hidden" name="project" value=(project);
            label for="range" { (l.t("range")) }
            select id="range" name="range" data-autosubmit aria-invalid=[e.invalid("range")] {
                @for (v, text) in presets { option value=(v) selected[v == asked.range] { (text) } }
            }
            (e.at("range"))
            (e.input("since", l.t("date_from"), &since, "date", "2026-01-01"))
            (e.input("until", l.t("date_to"), &until, "date", "2026-01-31"))
            button type="submit" { (l.t("show")) }
        }
    }
}

/// The period's numbers, the previous period's and, when the project has events, where its customers are in the
/// journey now (the project's definition), off the async threads.
async fn reports(
    st: &WebState,
    project: &str,
    settings: ProjectSettings,
    (now, before): (DayRange, DayRange),
) -> Result<(StatsReport, StatsReport, Option<StagesReport>), WebError> {
    let engine = st.projects.engine(project).map_err(|e| WebError::internal(&e))?;
    let definition = parsed_definition(st, project)?;
    let calendar = settings.calendar;
    let done = tokio::task::spawn_blocking(move || {
        let spec = tropa_core::analysis::stats::StatsFold { calendar };
        let scope = |r: DayRange| {
            let (since, until) = r.instants(calendar);
            ScopeSpec { since: Some(since), until: Some(until), ..ScopeSpec::default() }
        };
        let stats = report::stats(&*engine, spec, scope(now), vec![])?;
        let previous = report::stats(&*engine, spec, scope(before), vec![])?;
        let stages = match engine.time_bounds()?.1 {
            Some(now) => {
                let lifecycle = tropa_core::analysis::lifecycle::LifecycleSpec {
                    activity: definition.lifecycle.activity.clone(),
                    thresholds: Default::default(),
                    at: now,
                    transitions: None,
                };
                let spec =
                    tropa_core::analysis::stages::StagesSpec { definition, now, stuck_ms: 14 * 86_400_000, lifecycle };
                Some(report::stages(&*engine, spec, Default::default(), vec![])?)
            }
            None => None,
        };
        Ok::<_, tropa_engine::EngineError>((stats, previous, stages))
    })
    .await;
    done.map_err(|e| WebError::internal(&e))?.map_err(|e| WebError::internal(&e))
}

/// The project picker: the projects this user may open, submitted on change (`/app.js`), with a button
/// without scripts.
fn picker(l: Lang, projects: &[Project], current: &str) -> Markup {
    html! {
        form.muted method="get" action="/" {
            (l.t("project")) ": "
            select name="project" data-autosubmit {
                @for p in projects {
                    option value=(p.slug) selected[p.slug == current] { (p.name) }
                }
            }
            " "
            noscript { button type="submit" { "OK" } }
        }
    }
}

/// A project without events: how to send the first one (a write key, the snippet, or a call from a server).
fn no_events(l: Lang, project: &str, host: &str) -> Markup {
    html! {
        div.empty {
            h2 { (l.t("no_events_title")) }
            p { (l.t("no_events_text")) }
            pre {
                "tropa key create --project " (project) " --kind write\n\n" (SNIPPET_TAG) "\n\n"
                "curl -u tw_…: -H 'Content-Type: application/json' " (host) "/v1/track \\\n"
                "  -d '{\"event\":\"signup\",\"userId\":\"u1\"}'"
            }
        }
    }
}

/// A number's change against the previous period: an arrow, the relative change (points for a share), green
/// when it grew, red when it fell; "—" when the previous period had nothing to compare with.
fn delta(l: Lang, now: f64, before: f64, share: bool, words: Wording) -> Markup {
    let loc = l.locale();
    let change = if share {
        now - before
    } else if before != 0.0 {
        (now - before) / before.abs()
    } else {
        f64::NAN
    };
    if change.is_nan() || (!share && before == 0.0) {
        return html! { div.delta.flat { "—" @if words == Wording::Long { " " (l.t("vs_previous")) } } };
    }
    let text = if share {
        let points = format!("{:.1}", change.abs() * 100.0);
        let points = l.decimal(points);
        format!("{points} {}", l.t("points"))
    } else {
        loc.percent(change.abs())
    };
    let (arrow, class) = match change {
        c if c > 0.0005 => ("▲", "delta up"),
        c if c < -0.0005 => ("▼", "delta down"),
        _ => ("●", "delta flat"),
    };
    html! { div class=(class) { (arrow) " " (text) @if words == Wording::Long { " " (l.t("vs_previous")) } } }
}

/// Whether a change says what it is compared with (cards) or not (table cells under a heading that does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wording {
    Long,
    Short,
}

/// Revenue in the reader's number format with the project's currency.
fn money(l: Lang, v: f64, currency: &str) -> String {
    format!("{}\u{a0}{currency}", l.locale().int(v.max(0.0).round() as u64))
}

/// A number card with its change.
fn compared(value: &str, label: &str, change: Markup) -> Markup {
    html! { div.card { div.n { (value) } div.l { (label) } (change) } }
}

/// The cards: customers, buyers, conversion, revenue and events of the period with their change, and the period
/// (local days) with the one it is compared with.
fn cards(
    l: Lang,
    (stats, previous): (&StatsReport, &StatsReport),
    revenue_label: &str,
    calendar: Calendar,
    (now, before): (DayRange, DayRange),
) -> Markup {
    let loc = l.locale();
    let share = |r: &StatsReport| if r.customers > 0 { r.buyers as f64 / r.customers as f64 } else { 0.0 };
    let day = |d: i64| l.date(&tropa_core::time::format_day(d));
    let period = format!("{} — {}", day(now.first), day(now.last));
    let versus = format!("{} {} — {}", l.t("compared_with"), day(before.first), day(before.last));
    let n = |v: u64| v as f64;
    html! {
        div.cards.five {
            (compared(&loc.int(stats.customers), l.t("customers"), delta(l, n(stats.customers), n(previous.customers), false, Wording::Long)))
            (compared(&loc.int(stats.buyers), l.t("buyers_n"), delta(l, n(stats.buyers), n(previous.buyers), false, Wording::Long)))
            (compared(&loc.percent(share(stats)), l.t("buyers"), delta(l, share(stats), share(previous), true, Wording::Long)))
            (compared(&loc.int(stats.revenue.max(0.0).round() as u64), revenue_label, delta(l, stats.revenue, previous.revenue, false, Wording::Long)))
            (compared(&loc.int(stats.events), l.t("events"), delta(l, n(stats.events), n(previous.events), false, Wording::Long)))
        }
        p.period.muted { (l.t("period")) ": " strong { (period) } " (" (calendar.name()) ") · " (versus) }
    }
}

/// A note when the events name a currency other than the project's: amounts are shown as they are, never
/// converted, so the reader should know (and where to change the project's currency).
fn currency_note(l: Lang, stats: &StatsReport, currency: &str) -> Markup {
    let other: Vec<&str> =
        stats.currencies.iter().map(|c| c.value.as_str()).filter(|c| *c != "(none)" && *c != currency).collect();
    html! {
        @if !other.is_empty() {
            p.note role="status" {
                (l.t("currency_events")) " " strong { (other.join(", ")) } "; " (l.t("currency_project")) " "
                strong { (currency) } ". " (l.t("currency_fix"))
            }
        }
    }
}

/// The channels that brought the period's customers: customers, buyers, conversion and revenue by the channel
/// of each customer's first event in the period, with the change in customers.
fn channels(l: Lang, stats: &StatsReport, previous: &StatsReport, currency: &str) -> Markup {
    let loc = l.locale();
    let before = |r: &ChannelRow| previous.channels.iter().find(|p| p.value == r.value).map_or(0, |p| p.customers);
    html! {
        @if !stats.channels.is_empty() {
            section.channels {
                h2 { (l.t("channels_title")) }
                p.muted { (l.t("channels_hint")) }
                table.channel-table {
                    thead {
                        tr {
                            th { (l.t("channel")) } th.num { (l.t("customers")) } th.num { (l.t("buyers_n")) }
                            th.num { (l.t("conversion")) } th.num { (l.t("revenue")) } th.num { (l.t("change")) ", " (l.t("customers_lower")) }
                        }
                    }
                    tbody {
                        @for r in &stats.channels {
                            tr {
                                td { (l.channel(&r.value)) }
                                td.num { (loc.int(r.customers)) }
                                td.num { (loc.int(r.buyers)) }
                                td.num { (loc.percent(r.conversion)) }
                                td.num { (money(l, r.revenue, currency)) }
                                td.num { (delta(l, r.customers as f64, before(r) as f64, false, Wording::Short)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The charts: customers by stage now, the period's customers by first channel, events and revenue per day of the
/// period (its last 100 days).
fn charts(
    l: Lang,
    stats: &StatsReport,
    stages: Option<&StagesReport>,
    revenue_label: &str,
    ex: &mut Exports,
) -> Markup {
    let stages = stages.map(|st| BarChart {
        title: l.t("stages_now").into(),
        bars: st
            .stages
            .iter()
            .map(|x| (if l == Lang::Ru { x.names.ru.clone() } else { x.names.en.clone() }, x.current as f64))
            .collect(),
        format: ValueFormat::Count,
        highlight: None,
    });
    let channels = BarChart {
        title: l.t("customers_by_channel").into(),
        bars: stats.channels.iter().take(10).map(|r| (l.channel(&r.value), r.customers as f64)).collect(),
        format: ValueFormat::Count,
        highlight: None,
    };
    let days: Vec<_> = stats.events_by_day.iter().rev().take(100).rev().collect();
    let trend = LineChart {
        title: l.t("events_by_day").into(),
        x_labels: days.iter().map(|r| l.date(&r.value)).collect(),
        series: vec![Series {
            name: l.t("events").into(),
            values: days.iter().map(|r| Some(r.events as f64)).collect(),
        }],
        format: ValueFormat::Count,
    };
    let revenue_days: Vec<_> = stats.revenue_by_day.iter().rev().take(100).rev().collect();
    let revenue = LineChart {
        title: l.t("revenue_by_day").into(),
        x_labels: revenue_days.iter().map(|r| l.date(&r.value)).collect(),
        series: vec![Series {
            name: revenue_label.to_string(),
            values: revenue_days.iter().map(|r| Some(r.revenue)).collect(),
        }],
        format: ValueFormat::Count,
    };
    html! {
        div.charts {
            @if let Some(chart) = &stages { (ex.chart("stages", chart)) }
            (ex.chart("channels", &channels))
            (ex.chart("events", &trend))
            (ex.chart("revenue", &revenue))
        }
    }
}
