//! The overview over a period compared with the one before it (changes, channels by first touch, bad dates at
//! their field), the customers page's lists, a customer's timeline in sessions with stage badges and traits, and
//! e-mails and phones masked for viewers.

mod common;

use axum::http::StatusCode;
use serde_json::json;

use common::*;

/// The shop of the harness (3 customers on 2026-05-01, u1 bought for 1500 through paid search) and, a week
/// before, u4 who came by the newsletter and u5 who bought for 3000, with u1's identify call.
async fn shop_and_the_week_before(h: &Harness) {
    h.shop().await;
    let event = |u: &str, i: usize, name: &str, day: &str, revenue: Option<u32>| {
        let properties = revenue.map_or(json!({}), |r| json!({"revenue": r}));
        json!({"type":"track","event":name,"userId":u,"timestamp":format!("2026-04-{day}T10:0{i}:00Z"),
            "messageId":format!("{u}-w{i}"),"properties":properties,
            "context":{"campaign":{"source":"newsletter","medium":"email"}}})
    };
    let batch = vec![
        event("u4", 0, "view_item", "20", None),
        event("u5", 1, "view_item", "21", None),
        event("u5", 2, "purchase", "21", Some(3000)),
        json!({"type":"identify","userId":"u1","timestamp":"2026-05-01T10:00:30Z","messageId":"u1-id",
            "traits":{"email":"maria@shop.ru","phone":"+7 912 345-67-89","city":"Казань"}}),
    ];
    let r = h.post("/v1/batch", Some(&h.write_a), json!({ "batch": batch }).to_string()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn the_overview_compares_a_period_with_the_one_before() {
    let h = harness();
    shop_and_the_week_before(&h).await;
    h.user("v@x.ru", tropa_meta::Role::Viewer);
    let (viewer, _) = h.sign_in("v@x.ru", "correct horse battery").await;
    // the clock says 2026-06-01 but the data ends on 2026-05-01: the last 7 days are 04-25..05-01
    let page = html(&h.send(page_get("/?project=a&range=7", &viewer)).await);
    assert!(
        page.contains("2026-04-25 — 2026-05-01") && page.contains("compared with 2026-04-18 — 2026-04-24"),
        "{page}"
    );
    // 3 customers against 2 (u4, u5), revenue 1500 against 3000, conversion 33.3 % against 50 %
    for must in ["▲ 50.0% against", "▼ 50.0% against", "▼ 16.7 pp against", "delta up", "delta down"] {
        assert!(page.contains(must), "{must}: {page}");
    }
    // the channels of the period: customers, buyers, conversion, revenue by first channel
    let table = page.split("channel-table").nth(1).unwrap();
    assert!(table.contains("<td>Paid social</td><td class=\"num\">2</td><td class=\"num\">0</td>"), "{table}");
    assert!(table.contains("<td>Paid search</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">100.0%</td><td class=\"num\">1,500\u{a0}RUB</td>"), "{table}");
    assert!(!table.contains("E-mail"), "u4 and u5 came in the previous period only");
    // the whole April: only the newsletter's customers; the CSV of the chart says the same
    let april = "/?project=a&range=custom&since=2026-04-01&until=2026-04-30";
    let csv = html(&h.send(page_get(&format!("{april}&download=channels&format=csv"), &viewer)).await);
    assert_eq!(csv, "\u{feff}label,value\r\nE-mail,2\r\n", "{csv}");
    // in Russian: Russian numbers and words
    let ru = h.state.meta.user("v@x.ru").unwrap().unwrap();
    h.state.meta.set_lang(ru.id, "ru").unwrap();
    let page = html(&h.send(page_get("/?project=a&range=7", &viewer)).await);
    assert!(
        page.contains("▼ 16,7 п.\u{a0}п. к предыдущему периоду") && page.contains("1\u{202f}500\u{a0}RUB"),
        "{page}"
    );
    assert!(page.contains("Каналы: откуда пришли клиенты периода"), "{page}");
    assert!(!page.contains("class=\"note\""), "no currency named by the events: no note");
}

#[tokio::test]
async fn revenue_in_another_currency_than_the_projects_is_pointed_out() {
    let h = harness();
    h.shop().await;
    let order = json!({"type":"track","event":"purchase","userId":"u2","timestamp":"2026-05-01T15:00:00Z",
        "messageId":"u2-usd","properties":{"revenue": 20, "currency": "USD"}});
    let r = h.post("/v1/batch", Some(&h.write_a), json!({ "batch": [order] }).to_string()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    h.user("v@x.ru", tropa_meta::Role::Viewer);
    let (viewer, _) = h.sign_in("v@x.ru", "correct horse battery").await;
    let page = html(&h.send(page_get("/?project=a", &viewer)).await);
    let note = page.split("<p class=\"note\" role=\"status\">").nth(1).unwrap_or_else(|| panic!("{page}"));
    assert!(note.starts_with("Some of the period's revenue is in <strong>USD</strong>; the project reports revenue in <strong>RUB</strong>"), "{note}");
    tropa_app::settings::set(&h.state.meta, "a", None, Some("USD")).unwrap();
    let page = html(&h.send(page_get("/?project=a", &viewer)).await);
    assert!(!page.contains("class=\"note\""), "the events' currency is the project's now");
}

#[tokio::test]
async fn bad_dates_are_refused_at_their_field() {
    let h = harness();
    h.shop().await;
    h.user("v@x.ru", tropa_meta::Role::Viewer);
    let (viewer, _) = h.sign_in("v@x.ru", "correct horse battery").await;
    let r = h.send(page_get("/?project=a&range=custom&since=2026-13-01&until=2026-05-01", &viewer)).await;
    assert_eq!(r.status, StatusCode::OK);
    let page = html(&r);
    assert!(page.contains("is not a date: write it as 2026-01-31") && page.contains("aria-invalid"), "{page}");
    assert!(!page.contains("channel-table"), "no numbers for a period that is not one");
    let page = html(&h.send(page_get("/?project=a&since=2026-05-02&until=2026-05-01", &viewer)).await);
    assert!(page.contains("is before the start date"), "{page}");
    let page = html(&h.send(page_get("/?project=a&range=since_forever", &viewer)).await);
    assert!(page.contains("is not a period of this list"), "{page}");
    let page = html(&h.send(page_get("/?project=a&range=custom&since=2026-05-01", &viewer)).await);
    assert!(page.contains("give a date"), "{page}");
}

#[tokio::test]
async fn customers_lists_timeline_in_sessions_and_contacts_masked_for_viewers() {
    let h = harness();
    shop_and_the_week_before(&h).await;
    h.user("v@x.ru", tropa_meta::Role::Viewer);
    h.user("an@x.ru", tropa_meta::Role::Analyst);
    let (viewer, _) = h.sign_in("v@x.ru", "correct horse battery").await;
    let (analyst, _) = h.sign_in("an@x.ru", "correct horse battery").await;
    // nothing asked: the most recent customers and the most valuable
    let page = html(&h.send(page_get("/customers?project=a", &viewer)).await);
    let (recent, valuable) = page.split_once("Most valuable (revenue)").unwrap();
    let ids = |s: &str| s.split("id=").skip(1).map(|x| x[..2].to_string()).collect::<Vec<_>>();
    assert_eq!(ids(recent.split("Seen recently").nth(1).unwrap()), ["u1", "u2", "u3", "u5", "u4"]);
    assert_eq!(ids(valuable), ["u5", "u1"], "only buyers, the largest revenue first");
    // u1's timeline: the identify call and three events an hour apart are three sessions (gaps over 30 minutes)
    let page = html(&h.send(page_get("/customers?project=a&id=u1", &viewer)).await);
    assert_eq!(page.matches("class=\"session-head\"").count(), 3, "{page}");
    assert!(page.contains("Timeline · 3 sessions"), "{page}");
    let last = page.rsplit("class=\"session-head\"").next().unwrap();
    assert!(last.contains("<span class=\"badge stage\">Purchase</span>"), "{last}");
    let first = page.split("class=\"session-head\"").nth(1).unwrap();
    assert!(first.contains("<span class=\"badge stage\">Interest</span>"), "{first}");
    // the traits panel: a viewer sees the e-mail and the phone masked, nowhere whole
    assert!(page.contains("<dt>city</dt><dd>Казань</dd>"), "{page}");
    assert!(page.contains("<dd>m•••@shop.ru</dd>") && page.contains("<dd>+7 ••• •••-••-89</dd>"), "{page}");
    assert!(!page.contains("maria@shop.ru") && !page.contains("345-67"), "{page}");
    // an analyst sees them whole
    let page = html(&h.send(page_get("/customers?project=a&id=u1", &analyst)).await);
    assert!(page.contains("<dd>maria@shop.ru</dd>") && page.contains("+7 912 345-67-89"), "{page}");
    // a viewer may still find the customer by the e-mail they know
    let page = html(&h.send(page_get("/customers?project=a&id=maria%40shop.ru", &viewer)).await);
    assert!(page.contains("Timeline · 3 sessions"), "{page}");
}
