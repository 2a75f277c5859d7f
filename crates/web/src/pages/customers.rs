//! The customers page: find customers by a trait condition (`city = Казань`), an event they did and their first
//! channel (how many, and the first 100 with events, dates and revenue); look a customer up by any of their ids
//! (anonymous id or user id) and read the journey as a timeline across touchpoints and channels — every id linked
//! to the customer and the message that linked it, then each event with its time, channel, touchpoint, device and
//! properties, grouped by session (30-minute gaps) with the journey stage each session reached, beside the
//! customer's traits. With nothing asked the page lists the customers seen most recently and the most valuable.
//! Viewers see e-mails and phones masked (`m•••@shop.ru`, `+7 ••• •••-••-89`); analysts and admins see them whole.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use tropa_app::dictionary::Names;
use tropa_app::request::{Filters, Problems};
use tropa_core::analysis::timeline::timeline;
use tropa_core::calendar::Calendar;
use tropa_core::Event;
use tropa_engine::report::{self, CustomerListReport, TopCustomersReport};
use tropa_engine::CustomerRecord;
use tropa_meta::Role;

use crate::access::{Member, Viewer};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::i18n::Words;
use crate::pages::builder::{analysis, Run};
use crate::project::{definition as project_definition, engine as project_engine, local};
use crate::session::Session;
use crate::ui::form::FieldErrors;
use crate::ui::layout::shell;
use crate::url::enc;
use crate::WebState;

/// What the forms ask: a customer's id, or a trait condition, an event done and the first channel.
struct Asked {
    id: String,
    trait_q: String,
    did: String,
    channel: String,
}

pub(crate) async fn page(State(st): State<Arc<WebState>>, m: Member<Viewer>) -> Result<Response, WebError> {
    let field = |k: &str| m.field(k).to_string();
    let asked = Asked { id: field("id"), trait_q: field("trait"), did: field("did"), channel: field("channel") };
    let s = &m.s;
    let l = s.lang;
    // the project's time zone: dates without an offset and the report's days, weeks and months
    let calendar = st.settings_of(&s.project)?.calendar;
    let mut problems = Problems::new(l).in_calendar(calendar);
    let found = search(&st, s, &asked, &mut problems).await?;
    let e = FieldErrors::new(l, &field_problems(problems), "");
    let customer = if asked.id.is_empty() { None } else { Some(find(&st, s, &asked.id).await?) };
    let mask = Mask::for_role(s.role);
    // events by the names the team gave them (the raw name beside)
    let shown = Names::of(&st.meta, &s.project).map_err(|e| WebError::internal(&e))?;
    let top = if customer.is_none() && found.is_none() { Some(top(&st, s).await?) } else { None };
    let stages = match &customer {
        Some(Some(c)) => {
            let def = project_definition(&st, &s.project)?;
            let sessions = timeline(&def, &c.events);
            let names = def.stages.iter().map(|x| local(l, &x.name)).collect::<Vec<_>>();
            Some((sessions, names))
        }
        _ => None,
    };
    let main = html! {
        h1 { (l.t("customers_page")) }
        (search_forms(l, &s.project, &e, &asked))
        @if let Some(r) = &found { (render_list(l, &s.project, r)) }
        @if let Some(t) = &top { (render_top(l, &s.project, t, mask)) }
        @match (&customer, &stages) {
            (Some(Some(c)), Some((sessions, names))) => (render(l, c, mask, (sessions, names), (calendar, &shown))),
            (Some(None), _) => p.err role="alert" { (l.t("no_customer")) " '" (asked.id) "'" },
            _ => {},
        }
    };
    Ok(Html(shell(s, "customers_page", l.t("customers_page"), main).into_string()).into_response())
}

/// Customers listed by a search.
const LIST_LIMIT: usize = 100;
/// Customers in each of the lists shown when nothing is asked.
const TOP_LIMIT: usize = 10;

/// The customers seen most recently and the most valuable.
async fn top(st: &WebState, s: &Session) -> Result<TopCustomersReport, WebError> {
    let engine = project_engine(st, s, &s.project)?;
    match tokio::task::spawn_blocking(move || report::top_customers(&*engine, TOP_LIMIT, Default::default(), vec![]))
        .await
    {
        Ok(found) => found.map_err(|e| WebError::internal(&e)),
        Err(e) => Err(WebError::internal(&e)),
    }
}

/// Whether contacts (e-mails, phones) are shown whole or masked: viewers see them masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mask {
    Whole,
    Contacts,
}

impl Mask {
    pub(crate) fn for_role(role: Role) -> Mask {
        if role == Role::Viewer {
            Mask::Contacts
        } else {
            Mask::Whole
        }
    }

    /// The text as this reader may see it: an e-mail keeps its first letter and domain, a phone its last two
    /// digits.
    pub(crate) fn text(self, key: &str, value: &str) -> String {
        if self == Mask::Whole {
            return value.to_string();
        }
        let key = key.to_ascii_lowercase();
        if value.contains('@') || key.contains("email") || key.contains("e-mail") {
            return match value.split_once('@') {
                Some((name, domain)) => format!("{}•••@{domain}", name.chars().next().unwrap_or('•')),
                None => "•••".into(),
            };
        }
        let digits = value.chars().filter(char::is_ascii_digit).count();
        if key.contains("phone") || key.contains("tel") || (digits >= 7 && !value.chars().any(char::is_alphabetic)) {
            let mut seen = 0;
            return value
                .chars()
                .map(|c| {
                    if c.is_ascii_digit() {
                        seen += 1;
                        if seen > 1 && seen <= digits - 2 {
                            return '•';
                        }
                    }
                    c
                })
                .collect();
        }
        value.to_string()
    }

    /// Whether an id may be a link: a masked contact used as an id is not put in a link.
    fn linkable(self, id: &str) -> bool {
        self.text("id", id) == id
    }
}

/// The customers the search finds (none when nothing is asked, or when the search has problems).
async fn search(
    st: &WebState,
    s: &Session,
    asked: &Asked,
    problems: &mut Problems,
) -> Result<Option<CustomerListReport>, WebError> {
    if asked.trait_q.is_empty() && asked.did.is_empty() && asked.channel.is_empty() {
        return Ok(None);
    }
    let one = |v: &str| if v.is_empty() { vec![] } else { vec![v.to_string()] };
    let filters = Filters {
        traits: one(&asked.trait_q),
        did: one(&asked.did),
        first_channel: one(&asked.channel),
        ..Filters::default()
    };
    let (scope, state) = filters.scope(problems);
    if !problems.0.is_empty() {
        return Ok(None);
    }
    let run: Run<usize, CustomerListReport> =
        |engine, limit, scope, tests| report::customer_list(engine, limit, scope, tests);
    match analysis(st, s, (LIST_LIMIT, scope, state), run).await? {
        Ok(r) => Ok(Some(r)),
        Err(e) => {
            problems.0.push(("trait".into(), e));
            Ok(None)
        }
    }
}

/// The problems by the form field they belong to: `filters.traits[0]` to the trait box, `filters.did[0]` to the
/// event box.
fn field_problems(problems: Problems) -> Vec<(String, String)> {
    problems
        .0
        .into_iter()
        .map(|(f, m)| match f.as_str() {
            "filters.traits[0]" => ("trait".into(), m),
            "filters.did[0]" => ("did".into(), m),
            _ => (f, m),
        })
        .collect()
}

/// The customer a person asked for by anything they know: one of the customer's ids, else an e-mail or a phone
/// among their traits, else an order id among their events' properties.
async fn find(st: &WebState, s: &Session, asked: &str) -> Result<Option<CustomerRecord>, WebError> {
    if let Some(c) = lookup(st, s, asked).await? {
        return Ok(Some(c));
    }
    for filters in contact_filters(asked) {
        let mut problems = Problems::new(s.lang);
        let (scope, state) = filters.scope(&mut problems);
        if !problems.0.is_empty() {
            continue;
        }
        let run: Run<usize, CustomerListReport> =
            |engine, limit, scope, tests| report::customer_list(engine, limit, scope, tests);
        if let Ok(found) = analysis(st, s, (1, scope, state), run).await? {
            if let Some(first) = found.customers.first() {
                return lookup(st, s, &first.id).await;
            }
        }
    }
    Ok(None)
}

/// The searches that find a customer by a contact: an e-mail or a phone trait (as written), an order id on any
/// event. The text is quoted for the condition syntax.
fn contact_filters(asked: &str) -> Vec<Filters> {
    let text = asked.trim();
    if text.is_empty() {
        return Vec::new();
    }
    let quoted = if text.contains('\'') { format!("\"{text}\"") } else { format!("'{text}'") };
    if text.contains('"') && text.contains('\'') {
        return Vec::new();
    }
    let traits = |field: &str| Filters { traits: vec![format!("{field} = {quoted}")], ..Filters::default() };
    let mut out = Vec::new();
    if text.contains('@') {
        out.push(traits("email"));
    }
    if text.chars().filter(char::is_ascii_digit).count() >= 5 {
        out.push(traits("phone"));
    }
    out.push(Filters { did: vec![format!("* where order_id = {quoted}")], ..Filters::default() });
    out
}

/// The customer with the id, if there is one.
async fn lookup(st: &WebState, s: &Session, id: &str) -> Result<Option<CustomerRecord>, WebError> {
    let engine = project_engine(st, s, &s.project)?;
    let id = id.to_string();
    match tokio::task::spawn_blocking(move || engine.customer(&id)).await {
        Ok(found) => found.map_err(|e| WebError::internal(&e)),
        Err(e) => Err(WebError::internal(&e)),
    }
}

/// The two forms: one customer by an id; many by a trait, an event and the first channel.
fn search_forms(l: Lang, project: &str, e: &FieldErrors, asked: &Asked) -> Markup {
    let channels: Vec<(&str, String)> = std::iter::once(("", "—".to_string()))
        .chain(tropa_core::channel::GROUPS.iter().map(|g| (*g, l.channel(g))))
        .collect();
    let channel_opts: Vec<(&str, &str)> = channels.iter().map(|(v, t)| (*v, t.as_str())).collect();
    html! {
        div.panels {
            form.panel method="get" action="/customers" {
                input type="hidden" name="project" value=(project);
                h2 { (l.t("find_one")) }
                (e.input("id", l.t("customer_id"), &asked.id, "text", "u-1f3a, a-9c2e…"))
                p.muted { (l.t("customers_hint")) }
                button type="submit" { (l.t("find")) }
            }
            form.panel method="get" action="/customers" {
                input type="hidden" name="project" value=(project);
                h2 { (l.t("find_many")) }
                (e.input("trait", l.t("trait_condition"), &asked.trait_q, "text", "city = Казань"))
                (e.input("did", l.t("did_event"), &asked.did, "text", "purchase where revenue > 5000"))
                (e.select("channel", l.t("first_channel"), &asked.channel, &channel_opts))
                button type="submit" { (l.t("find")) }
            }
        }
    }
}

fn render_list(l: Lang, project: &str, r: &CustomerListReport) -> Markup {
    let loc = l.locale();
    let project = enc(project);
    html! {
        h2 { (l.t("customers_found")) ": " (loc.int(r.total)) }
        @if r.total > r.customers.len() as u64 {
            p.muted { (l.t("showing_first")) " " (loc.int(r.customers.len() as u64)) }
        }
        @if !r.customers.is_empty() {
            table {
                thead {
                    tr {
                        th { (l.t("customer")) } th.num { (l.t("events")) } th { (l.t("first_seen")) }
                        th { (l.t("last_seen")) } th.num { (l.t("revenue")) }
                    }
                }
                tbody {
                    @for c in &r.customers {
                        tr {
                            td { a href={ "/customers?project=" (project) "&id=" (enc(&c.id)) } { (c.id) } }
                            td.num { (loc.int(c.events)) }
                            td { (l.date(&c.first_event)) }
                            td { (l.date(&c.last_event)) }
                            td.num { (loc.int(c.revenue.max(0.0).round() as u64)) }
                        }
                    }
                }
            }
        }
    }
}

/// The customers seen most recently and the most valuable, side by side.
fn render_top(l: Lang, project: &str, t: &TopCustomersReport, mask: Mask) -> Markup {
    let loc = l.locale();
    let project = enc(project);
    let list = |title: &str, rows: &[tropa_engine::report::CustomerListRow]| {
        html! {
            div.panel.top-list {
                h2 { (title) }
                @if rows.is_empty() { p.muted { (loc.no_data()) } }
                @else {
                    table {
                        thead { tr { th { (l.t("customer")) } th { (l.t("last_seen")) } th.num { (l.t("events")) } th.num { (l.t("revenue")) } } }
                        tbody {
                            @for c in rows {
                                tr {
                                    td {
                                        @if mask.linkable(&c.id) {
                                            a href={ "/customers?project=" (project) "&id=" (enc(&c.id)) } { (c.id) }
                                        } @else { (mask.text("id", &c.id)) }
                                    }
                                    td { (l.date(&c.last_event)) }
                                    td.num { (loc.int(c.events)) }
                                    td.num { (loc.int(c.revenue.max(0.0).round() as u64)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    html! {
        div.panels {
            (list(l.t("recent_customers"), &t.recent))
            (list(l.t("valuable_customers"), &t.valuable))
        }
    }
}

/// The customer's latest traits (later identify calls override earlier ones), keys sorted.
fn traits(c: &CustomerRecord) -> Vec<(String, String)> {
    let mut out = std::collections::BTreeMap::new();
    for e in &c.events {
        for (k, v) in e.traits_map() {
            out.insert(k, tropa_core::analysis::matcher::value_text(&v));
        }
    }
    out.into_iter().collect()
}

/// A customer: their ids, events and revenue, the links between their ids, their traits and the timeline in
/// sessions.
fn render(
    l: Lang,
    c: &CustomerRecord,
    mask: Mask,
    (sessions, stage_names): (&[tropa_core::analysis::timeline::TimelineSession], &[String]),
    (calendar, shown): (Calendar, &Names),
) -> Markup {
    let loc = l.locale();
    let revenue: f64 = c.events.iter().filter_map(|e| e.revenue).sum();
    let ids: Vec<String> = c.actors.iter().map(|a| mask.text("id", a)).collect();
    let traits = traits(c);
    html! {
        div.cards {
            div.card { div.n.small { (ids.join(", ")) } div.l { (l.t("ids")) } }
            div.card { div.n { (loc.int(c.events.len() as u64)) } div.l { (l.t("events")) } }
            div.card { div.n { (loc.int(revenue.round() as u64)) } div.l { (l.t("revenue")) } }
        }
        @if !c.merges.is_empty() {
            h2 { (l.t("links")) }
            ul {
                @for m in &c.merges {
                    li {
                        (mask.text("id", &m.a)) " ↔ " (mask.text("id", &m.b)) " "
                        span.muted { "(" (m.via) ", " (l.date(&local_time(calendar, m.at))) ")" }
                    }
                }
            }
        }
        div.timeline-grid {
            div {
                h2 { (l.t("timeline")) " · " (loc.int(sessions.len() as u64)) " " (l.t("sessions_n")) }
                table.timeline {
                    thead {
                        tr {
                            th { (l.t("time_in")) " (" (calendar.name()) ")" } th { (l.t("event")) } th { (l.t("channel")) } th { (l.t("touchpoint")) }
                            th { (l.t("device")) } th { (l.t("details")) }
                        }
                    }
                    @for (n, session) in sessions.iter().enumerate() {
                        tbody.session {
                            (session_row(l, calendar, n + 1, &c.events[session.events.clone()], session.stage.and_then(|i| stage_names.get(i))))
                            @for e in &c.events[session.events.clone()] { (event_row(l, (calendar, shown), e, mask)) }
                        }
                    }
                }
            }
            aside.panel.traits {
                h2 { (l.t("traits")) }
                @if traits.is_empty() { p.muted { (l.t("no_traits")) } }
                @else {
                    dl {
                        @for (k, v) in &traits { dt { (k) } dd { (mask.text(k, v)) } }
                    }
                }
                @if mask == Mask::Contacts { p.muted { (l.t("contacts_masked")) } }
            }
        }
    }
}

/// An instant as the project's local time, `YYYY-MM-DDTHH:MM:SS` (the timeline reads in the project's time zone,
/// like every report).
fn local_time(calendar: Calendar, ms: i64) -> String {
    let t = tropa_core::time::format_ts(ms + calendar.offset_ms(ms));
    t.get(..19).unwrap_or(&t).to_string()
}

/// The head of a session: its number, day and hours, length, channel and the stage reached by its end.
fn session_row(l: Lang, calendar: Calendar, n: usize, events: &[Event], stage: Option<&String>) -> Markup {
    let (Some(first), Some(last)) = (events.first(), events.last()) else { return html! {} };
    let (a, b) = (local_time(calendar, first.timestamp), local_time(calendar, last.timestamp));
    let seconds = (last.timestamp - first.timestamp) as f64 / 1000.0;
    html! {
        tr.session-head {
            td colspan="6" {
                strong { (l.t("session")) " " (n) } " · " (l.date(&a)) (a.get(16..19).unwrap_or("")) "–" (b.get(11..16).unwrap_or(""))
                " · " (l.duration(Some(seconds))) " · " (l.channel(&first.channel.group))
                @if let Some(stage) = stage { " " span.badge.stage { (stage) } }
            }
        }
    }
}

/// An event of the timeline: its time, name, channel (group, then source / medium / campaign), touchpoint, device
/// and revenue with the first properties.
fn event_row(l: Lang, (calendar, shown): (Calendar, &Names), e: &Event, mask: Mask) -> Markup {
    let d = tropa_core::useragent::parse(&e.context.user_agent);
    let device = [d.device, d.os, d.browser].iter().filter(|x| !x.is_empty()).copied().collect::<Vec<_>>().join(" · ");
    let mut details: Vec<String> = e
        .properties_map()
        .iter()
        .take(4)
        .map(|(k, v)| format!("{k}: {}", mask.text(k, &tropa_core::analysis::matcher::value_text(v))))
        .collect();
    if let Some(r) = e.revenue {
        details.insert(0, format!("{} {}", r, e.currency));
    }
    let channel = [e.channel.source.as_str(), e.channel.medium.as_str(), e.channel.campaign.as_str()]
        .iter()
        .filter(|x| !x.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" / ");
    let ts = local_time(calendar, e.timestamp);
    html! {
        tr {
            td { (l.date(&ts)) (ts.get(16..19).unwrap_or("")) }
            td {
                (shown.event(&e.name, l))
                @if shown.event(&e.name, l) != e.name { div.muted { (e.name) } }
            }
            td { (l.channel(&e.channel.group)) div.muted { (channel) } }
            td { (e.touchpoint) }
            td { (device) }
            td.muted { (details.join(", ")) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tropa_engine::report::CustomerListRow;

    #[test]
    fn a_found_customer_links_to_their_timeline_by_an_encoded_id() {
        let row = |id: &str| CustomerListRow {
            id: id.into(),
            events: 3,
            first_event: "2026-05-01".into(),
            last_event: "2026-05-02".into(),
            revenue: 1500.4,
        };
        let r = CustomerListReport { total: 2, customers: vec![row("u1"), row("a&<b>")] };
        let list = render_list(Lang::En, "a", &r).into_string();
        assert!(list.starts_with("<h2>Customers found: 2</h2><table>"), "{list}");
        assert!(list.contains("<a href=\"/customers?project=a&amp;id=u1\">u1</a>"), "{list}");
        assert!(list.contains("<a href=\"/customers?project=a&amp;id=a%26%3Cb%3E\">a&amp;&lt;b&gt;</a>"), "{list}");
        assert!(list.contains("<td class=\"num\">1,500</td>"), "{list}");
        let more = CustomerListReport { total: 200, customers: vec![] };
        let list = render_list(Lang::En, "a", &more).into_string();
        assert!(list.contains("<p class=\"muted\">") && !list.contains("<table>"), "{list}");
    }

    #[test]
    fn viewers_see_contacts_masked() {
        let m = Mask::Contacts;
        assert_eq!(m.text("email", "maria@shop.ru"), "m•••@shop.ru");
        assert_eq!(m.text("phone", "+7 912 345-67-89"), "+7 ••• •••-••-89");
        assert_eq!(m.text("id", "u-1f3a"), "u-1f3a");
        assert_eq!(m.text("city", "Казань"), "Казань");
        assert_eq!(m.text("contact", "maria@shop.ru"), "m•••@shop.ru", "an e-mail under any key");
        assert_eq!(Mask::Whole.text("email", "maria@shop.ru"), "maria@shop.ru");
        assert_eq!(Mask::for_role(Role::Viewer), m);
        assert_eq!(Mask::for_role(Role::Analyst), Mask::Whole);
    }
}
