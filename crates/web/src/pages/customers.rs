//! The customers page: find customers by a trait condition (`city = Казань`), an event they did and their first
//! channel (how many, and the first 100 with events, dates and revenue); look a customer up by any of their ids
//! (anonymous id or user id) and read the journey as a timeline across touchpoints and channels — every id linked to the customer and the message that linked it,
//! then each event with its time, channel, touchpoint, device and properties.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use tropa_engine::{report, CustomerRecord};

use super::form::FieldErrors;
use super::i18n::Lang;
use super::{esc, shell};
use crate::WebState;
use crate::{Member, Viewer};
use tropa_app::request::{Filters, Problems};

pub(crate) async fn page(State(st): State<Arc<WebState>>, _headers: HeaderMap, m: Member<Viewer>) -> Response {
    let Member { s, f: q, .. } = m;
    let l = s.lang;
    let field = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let project = s.project.clone();
    let id = field("id");
    let (trait_q, did, channel) = (field("trait"), field("did"), field("channel"));
    let mut main = format!("<h1>{}</h1>", l.t("customers_page"));
    // the project's time zone: dates without an offset and the report's days, weeks and months
    let calendar = match st.settings_of(&s.project) {
        Ok(x) => x.calendar,
        Err(e) => return e.into_response(),
    };
    let mut problems = Problems::new(l.core()).in_calendar(calendar);
    let mut found = String::new();
    let searching = !(trait_q.is_empty() && did.is_empty() && channel.is_empty());
    if searching {
        let filters = Filters {
            traits: Some(trait_q.clone()).filter(|t| !t.is_empty()).into_iter().collect(),
            did: Some(did.clone()).filter(|t| !t.is_empty()).into_iter().collect(),
            first_channel: Some(channel.clone()).filter(|t| !t.is_empty()).into_iter().collect(),
            ..Filters::default()
        };
        let (scope, state) = filters.scope(&mut problems);
        if problems.0.is_empty() {
            let run: crate::pages::builder::Run<usize, report::CustomerListReport> =
                |engine, limit, scope, tests| report::customer_list(engine, limit, scope, tests);
            match super::analysis(&st, &s, (LIST_LIMIT, scope, state), run).await {
                Ok(Ok(r)) => found = render_list(l, &project, &r),
                Ok(Err(e)) => problems.0.push(("trait".into(), e)),
                Err(r) => return r.into_response(),
            }
        }
    }
    // `filters.traits[0]` belongs to the trait box, `filters.did[0]` to the event box.
    let problems: Vec<(String, String)> = problems
        .0
        .into_iter()
        .map(|(f, m)| match f.as_str() {
            "filters.traits[0]" => ("trait".into(), m),
            "filters.did[0]" => ("did".into(), m),
            _ => (f, m),
        })
        .collect();
    let e = FieldErrors::new(l, &problems, "");
    let channels: Vec<(&str, String)> = std::iter::once(("", "—".to_string()))
        .chain(tropa_core::channel::GROUPS.iter().map(|g| (*g, l.channel(g))))
        .collect();
    let channel_opts: Vec<(&str, &str)> = channels.iter().map(|(v, t)| (*v, t.as_str())).collect();
    main.push_str(&format!(
        "<div class=\"panels\"><form class=\"panel\" method=\"get\" action=\"/customers\"><input type=\"hidden\" name=\"project\" value=\"{p}\">\
         <h2>{one}</h2>{id_in}<p class=\"muted\">{hint}</p><button type=\"submit\">{find}</button></form>\
         <form class=\"panel\" method=\"get\" action=\"/customers\"><input type=\"hidden\" name=\"project\" value=\"{p}\">\
         <h2>{many}</h2>{trait_in}{did_in}{channel_in}<button type=\"submit\">{find}</button></form></div>",
        p = esc(&project),
        one = l.t("find_one"),
        id_in = e.input_html("id", l.t("customer_id"), &id, "text", "u-1f3a, a-9c2e…"),
        hint = l.t("customers_hint"),
        find = l.t("find"),
        many = l.t("find_many"),
        trait_in = e.input_html("trait", l.t("trait_condition"), &trait_q, "text", "city = Казань"),
        did_in = e.input_html("did", l.t("did_event"), &did, "text", "purchase where revenue > 5000"),
        channel_in = e.select_html("channel", l.t("first_channel"), &channel, &channel_opts),
    ));
    main.push_str(&found);
    if !id.is_empty() {
        let engine = match super::project_engine(&st, &s, &project) {
            Ok(e) => e,
            Err(r) => return r.into_response(),
        };
        let lookup = id.clone();
        match tokio::task::spawn_blocking(move || engine.customer(&lookup)).await {
            Ok(Ok(Some(c))) => main.push_str(&render(l, &c)),
            Ok(Ok(None)) => {
                main.push_str(&format!("<p class=\"err\" role=\"alert\">{} '{}'</p>", l.t("no_customer"), esc(&id)))
            }
            Ok(Err(e)) => return super::internal(&e),
            Err(e) => return super::internal(&e),
        }
    }
    Html(shell(&s, "customers_page", l.t("customers_page"), &main)).into_response()
}

/// Customers listed by a search.
const LIST_LIMIT: usize = 100;

fn render_list(l: Lang, project: &str, r: &report::CustomerListReport) -> String {
    let loc = l.locale();
    let mut out = format!("<h2>{}: {}</h2>", l.t("customers_found"), loc.int(r.total),);
    if r.total > r.customers.len() as u64 {
        out.push_str(&format!("<p class=\"muted\">{} {}</p>", l.t("showing_first"), loc.int(r.customers.len() as u64)));
    }
    if r.customers.is_empty() {
        return out;
    }
    out.push_str(&format!(
        "<table><thead><tr><th>{}</th><th class=\"num\">{}</th><th>{}</th><th>{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
        l.t("customer"),
        l.t("events"),
        l.t("first_seen"),
        l.t("last_seen"),
        l.t("revenue")
    ));
    for c in &r.customers {
        out.push_str(&format!(
            "<tr><td><a href=\"/customers?project={p}&amp;id={id_q}\">{id}</a></td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            loc.int(c.events),
            esc(&l.date(&c.first_event)),
            esc(&l.date(&c.last_event)),
            loc.int(c.revenue.max(0.0).round() as u64),
            p = esc(project),
            id_q = esc(&super::export::enc(&c.id)),
            id = esc(&c.id),
        ));
    }
    out.push_str("</tbody></table>");
    out
}

fn render(l: Lang, c: &CustomerRecord) -> String {
    let loc = l.locale();
    let revenue: f64 = c.events.iter().filter_map(|e| e.revenue).sum();
    let mut out = format!(
        "<div class=\"cards\"><div class=\"card\"><div class=\"n small\">{}</div><div class=\"l\">{}</div></div>\
         <div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">{}</div></div>\
         <div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">{}</div></div></div>",
        esc(&c.actors.join(", ")),
        l.t("ids"),
        loc.int(c.events.len() as u64),
        l.t("events"),
        loc.int(revenue.round() as u64),
        l.t("revenue"),
    );
    if !c.merges.is_empty() {
        out.push_str(&format!("<h2>{}</h2><ul>", l.t("links")));
        for m in &c.merges {
            out.push_str(&format!(
                "<li>{} ↔ {} <span class=\"muted\">({}, {})</span></li>",
                esc(&m.a),
                esc(&m.b),
                esc(&m.via),
                esc(&l.date(&tropa_core::time::format_ts(m.at)))
            ));
        }
        out.push_str("</ul>");
    }
    out.push_str(&format!(
        "<h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        l.t("timeline"),
        l.t("time"),
        l.t("event"),
        l.t("channel"),
        l.t("touchpoint"),
        l.t("device"),
        l.t("details")
    ));
    for e in &c.events {
        let d = tropa_core::useragent::parse(&e.context.user_agent);
        let device =
            [d.device, d.os, d.browser].iter().filter(|x| !x.is_empty()).copied().collect::<Vec<_>>().join(" · ");
        let mut details: Vec<String> = e
            .properties_map()
            .iter()
            .take(4)
            .map(|(k, v)| format!("{k}: {}", tropa_core::analysis::matcher::value_text(v)))
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
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}<div class=\"muted\">{}</div></td><td>{}</td><td>{}</td><td class=\"muted\">{}</td></tr>",
            esc(&format!("{}{}", l.date(&tropa_core::time::format_ts(e.timestamp)), &tropa_core::time::format_ts(e.timestamp)[16..19])),
            esc(&e.name),
            esc(&l.channel(&e.channel.group)),
            esc(&channel),
            esc(&e.touchpoint),
            esc(&device),
            esc(&details.join(", "))
        ));
    }
    out.push_str("</tbody></table>");
    out
}
