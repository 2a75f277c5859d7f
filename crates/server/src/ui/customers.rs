//! The customer page: look a customer up by any of their ids (anonymous id or user id) and read the journey as a
//! timeline across touchpoints and channels — every id linked to the customer and the message that linked it,
//! then each event with its time, channel, touchpoint, device and properties.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use tropa_engine::CustomerRecord;
use tropa_meta::Role;

use super::i18n::Lang;
use super::{esc, session, shell};
use crate::AppState;

pub async fn page(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut s = match session(&st, &headers, Role::Viewer) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let l = s.lang;
    let project =
        q.get("project").map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).unwrap_or_else(|| "default".into());
    let id = q.get("id").map(|i| i.trim().to_string()).unwrap_or_default();
    s.project = project.clone();
    let form = format!(
        "<form class=\"search\" method=\"get\" action=\"/customers\"><input type=\"hidden\" name=\"project\" value=\"{}\">\
         <label for=\"id\">{}</label><input id=\"id\" name=\"id\" value=\"{}\" placeholder=\"u-1f3a, a-9c2e…\"> \
         <button type=\"submit\">{}</button></form>",
        esc(&project),
        l.t("customer_id"),
        esc(&id),
        l.t("find")
    );
    let mut main = format!("<h1>{}</h1>{form}", l.t("customers_page"));
    if !id.is_empty() {
        let engine = match super::project_engine(&st, &s, &project) {
            Ok(e) => e,
            Err(r) => return *r,
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
    } else {
        main.push_str(&format!("<p class=\"muted\">{}</p>", l.t("customers_hint")));
    }
    Html(shell(&s, "customers", l.t("customers_page"), &main)).into_response()
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
                esc(&tropa_core::time::format_ts(m.at))
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
            esc(&tropa_core::time::format_ts(e.timestamp)[..19]),
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
