//! The dictionary: the page (counts, first/last seen, notes edited by analysts, read by viewers), display names
//! in the report pages, the pickers' lists (hidden left out, verified first), unknown properties refused at
//! their field with a suggestion, and the query API's dictionary (raw names; notes changed by signed-in
//! analysts only; property warnings).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use common::*;

/// The shop, with properties: views carry `color` and `price`, purchases `plan`.
async fn shop_with_properties(h: &Harness) {
    h.shop().await;
    let mut batch = Vec::new();
    for (i, (u, event, props)) in [
        ("u4", "view_item", json!({"color": "red", "price": 990})),
        ("u4", "add_to_cart", json!({"color": "red"})),
        ("u5", "view_item", json!({"color": "blue", "price": 1990})),
        ("u4", "purchase", json!({"plan": "pro", "revenue": 990})),
    ]
    .into_iter()
    .enumerate()
    {
        let ts = format!("2026-05-02T{:02}:00:00Z", 10 + i);
        batch.push(json!({"type": "track", "event": event, "userId": u, "timestamp": ts,
            "messageId": format!("p-{i}"), "properties": props}));
    }
    let r = h.post("/v1/batch", Some(&h.write_a), json!({"batch": batch}).to_string()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

fn row<'p>(page: &'p str, name: &str) -> &'p str {
    let at = page.find(&format!("<tr data-name=\"{name}\">")).unwrap_or_else(|| panic!("no row {name}: {page}"));
    page[at..].split("</tr>").next().unwrap()
}

#[tokio::test]
async fn the_dictionary_lists_counts_and_analysts_name_events_for_the_reports() {
    let h = harness();
    shop_with_properties(&h).await;
    h.user("v@x.ru", tropa_meta::Role::Viewer);
    h.user("an@x.ru", tropa_meta::Role::Analyst);
    let (viewer, viewer_csrf) = h.sign_in("v@x.ru", "correct horse battery").await;
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;

    let page = html(&h.send(page_get("/dictionary?project=a", &viewer)).await);
    assert!(page.contains("href=\"/dictionary?project=a\" class=\"on\""), "the navigation marks the page: {page}");
    let view = row(&page, "view_item");
    assert!(view.contains("<td class=\"num\">5</td>") && view.contains("2026-05-01") && view.contains("2026-05-02"));
    assert!(view.contains("<code>color</code>") && view.contains("<code>price</code>"), "{view}");
    let color = row(&page, "color");
    assert!(color.contains("<td class=\"num\">3</td>") && color.contains("<code>red</code>"), "{color}");
    assert!(!page.contains("action=\"/dictionary\""), "viewers read only");
    let r = h.send(page_post("/dictionary", &viewer, &format!("csrf={viewer_csrf}&project=a&kind=event&name=x"))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // an analyst names the purchase in both languages and verifies it; hides the search
    let page = html(&h.send(page_get("/dictionary?project=a", &analyst)).await);
    assert!(page.contains("action=\"/dictionary\""));
    let form = |kind: &str, name: &str, extra: &str| {
        format!("csrf={csrf}&project=a&kind={kind}&name={name}&description=&{extra}")
    };
    let r = h
        .send(page_post(
            "/dictionary",
            &analyst,
            &form("event", "purchase", &format!("name_en=Order+placed&name_ru={}&verified=on", enc("Заказ"))),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/dictionary?project=a&done=saved");
    let r = h.send(page_post("/dictionary", &analyst, &form("event", "add_to_cart", "hidden=on"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = h
        .send(page_post("/dictionary", &analyst, &form("property", "color", &format!("name_ru={}", enc("Цвет")))))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // a bad note is refused at its field, with what was typed kept
    let long = "x".repeat(101);
    let r = h.send(page_post("/dictionary", &analyst, &form("event", "view_item", &format!("name_en={long}")))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let page = html(&r);
    assert!(page.contains("write at most 100 characters") && page.contains(&long), "{page}");
    assert!(page.contains("aria-invalid=\"true\""));

    let page = html(&h.send(page_get("/dictionary?project=a", &viewer)).await);
    let purchase = row(&page, "purchase");
    assert!(purchase.contains("Order placed") && purchase.contains("Verified"), "{purchase}");

    // the funnel shows the display names, the raw name beside them; the pickers leave the hidden event out
    let funnel = html(&h.send(page_get("/funnels?project=a&steps=view_item%0Apurchase", &viewer)).await);
    assert!(funnel.contains("Order placed <small class=\"muted raw\">purchase</small>"), "{funnel}");
    assert!(funnel.contains(">2. Order placed</text>"), "the chart: {funnel}");
    let events = funnel.split("id=\"dict-events\"").nth(1).unwrap().split("</ul>").next().unwrap();
    assert!(
        events.starts_with(" hidden><li data-value=\"purchase\" data-verified=\"1\">Order placed</li>"),
        "{events}"
    );
    assert!(!events.contains("add_to_cart"), "hidden: {events}");
    let props = funnel.split("id=\"dict-properties\"").nth(1).unwrap().split("</ul>").next().unwrap();
    assert!(props.contains("data-value=\"color\""), "{props}");
    assert!(funnel.contains("data-steps-builder=\"steps\""), "the step rows");
    assert!(funnel.contains("<option value=\"color\">Цвет (color)</option>"), "the breakdown by display name");
    // where customers went instead of the next step: the purchase after the cart, by its display name
    let instead = html(&h.send(page_get("/funnels?project=a&steps=add_to_cart%0Aview_item", &viewer)).await);
    assert!(instead.contains("Order placed <small class=\"muted raw\">purchase</small>"), "{instead}");
    // the stage editor offers the same choices: the display name as the label, the hidden event left out
    let stages = html(&h.send(page_get("/stages?project=a", &viewer)).await);
    let offered = stages.split("<datalist id=\"event-names\">").nth(1).unwrap().split("</datalist>").next().unwrap();
    assert!(offered.contains("<option value=\"purchase\">Order placed</option>"), "{offered}");
    assert!(!offered.contains("add_to_cart") && offered.contains("<option value=\"view_item\">"), "{offered}");
    // a customer's timeline too
    let timeline = html(&h.send(page_get("/customers?project=a&id=u4", &viewer)).await);
    assert!(timeline.contains("Order placed<div class=\"muted\">purchase</div>"), "{timeline}");
    // the audit log has the changes
    let log =
        tropa_app::audit::list(&h.state.meta, &tropa_app::audit::Filter { limit: 100, ..Default::default() }).unwrap();
    assert!(log.iter().any(|e| e.action.as_str() == "dictionary.edit" && e.target == "event:purchase"), "{log:?}");
}

#[tokio::test]
async fn unknown_properties_are_refused_at_their_field_with_a_suggestion() {
    let h = harness();
    shop_with_properties(&h).await;
    h.user("v@x.ru", tropa_meta::Role::Viewer);
    let (cookie, _) = h.sign_in("v@x.ru", "correct horse battery").await;
    let page = |q: &str| page_get(&format!("/funnels?project=a&{q}"), &cookie);
    let text = html(&h.send(page("steps=view_item+where+colour+%3D+red%0Apurchase")).await);
    assert!(text.contains("line 1: no property 'colour' in the data: did you mean 'color'?"), "{text}");
    assert!(!text.contains("<svg"), "no report");
    let text = html(&h.send(page("steps=view_item%0Apurchase&breakdown=colr")).await);
    assert!(text.contains("no property 'colr' in the data: did you mean 'color'?"), "{text}");
    // spelled right: the report, broken down by colour
    let text = html(&h.send(page("steps=view_item+where+color+%3D+red%0Apurchase&breakdown=color")).await);
    assert!(text.contains("<svg") && !text.contains("no property"), "{text}");
    let text = html(&h.send(page_get("/retention?project=a&breakdown=plna", &cookie)).await);
    assert!(text.contains("did you mean 'plan'?"), "{text}");
}

#[tokio::test]
async fn the_query_api_answers_the_dictionary_by_raw_name_and_only_analysts_change_notes() {
    let h = harness();
    shop_with_properties(&h).await;
    let r = h.query("/api/v1/dictionary", &h.read_a, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let view = r.body["events"].as_array().unwrap().iter().find(|e| e["name"] == "view_item").unwrap().clone();
    assert_eq!(view["count"], 5);
    assert!(view["first_seen"].as_i64().is_some());
    let color = r.body["properties"].as_array().unwrap().iter().find(|p| p["name"] == "color").unwrap().clone();
    assert_eq!(color["values"][0], json!(["red", 2]));
    assert_eq!(color["events"], json!(["add_to_cart", "view_item"]));
    // project b's key sees project b only
    let b = h.query("/api/v1/dictionary", &h.read_b, None).await;
    assert!(b.body["events"].as_array().unwrap().is_empty(), "{}", b.body);

    let put = |auth: (&str, String), body: serde_json::Value, method: &str| {
        Request::builder()
            .method(method)
            .uri("/api/v1/dictionary/events/purchase?project=a")
            .header("content-type", "application/json")
            .header(auth.0, auth.1)
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let r = h.send(put(("authorization", format!("Bearer {}", h.read_a)), json!({"name_en": "Order"}), "PUT")).await;
    assert_eq!(
        (r.status, r.body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("wrong_key_kind")),
        "{}",
        r.body
    );
    h.user("v@x.ru", tropa_meta::Role::Viewer);
    h.user("an@x.ru", tropa_meta::Role::Analyst);
    let (viewer, _) = h.sign_in("v@x.ru", "correct horse battery").await;
    let (analyst, _) = h.sign_in("an@x.ru", "correct horse battery").await;
    let r = h.send(put(("cookie", viewer), json!({"name_en": "Order"}), "PUT")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = h.send(put(("cookie", analyst.clone()), json!({"name_en": "Order", "verified": true}), "PUT")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = h.send(put(("cookie", analyst.clone()), json!({"name_ru": "Заказ"}), "PATCH")).await;
    assert_eq!(
        (r.body["name_en"].as_str(), r.body["name_ru"].as_str(), r.body["verified"].as_bool()),
        (Some("Order"), Some("Заказ"), Some(true))
    );
    let r = h.send(put(("cookie", analyst.clone()), json!({"description": "a\u{1b}b"}), "PATCH")).await;
    assert_eq!(
        (r.status, r.body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("description")),
        "{}",
        r.body
    );
    let r = h.send(put(("cookie", analyst), json!({"colour": 1}), "PATCH")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "unknown fields are refused: {}", r.body);
    let r = h.query("/api/v1/dictionary", &h.read_a, None).await;
    let p = r.body["events"].as_array().unwrap().iter().find(|e| e["name"] == "purchase").unwrap().clone();
    assert_eq!((p["note"]["name_en"].as_str(), p["note"]["name_ru"].as_str()), (Some("Order"), Some("Заказ")));

    // a funnel naming a property the data does not have is answered with a warning, the report made anyway
    let body =
        json!({"steps": [{"event": "view_item where colour = red"}, {"event": "purchase"}], "breakdown": "plna"});
    let r = h.query("/api/v1/funnel", &h.read_a, Some(body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let w = r.body["warnings"].as_array().unwrap();
    assert_eq!(w[0]["field"], "steps[0].event");
    assert_eq!(w[0]["suggestion"], "color");
    assert_eq!((w[1]["field"].as_str(), w[1]["suggestion"].as_str()), (Some("breakdown"), Some("plan")));
}
