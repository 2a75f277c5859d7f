//! The voice of the customer, finished: a project's own theme list (API, web form, reset) changes the themes the
//! feedback page shows; the feedback is filtered by whose answers they are (persona, condition, event done);
//! every chart of the page downloads as SVG, PNG and CSV and pins to a dashboard.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use common::*;
use tropa_meta::Role;

fn send(method: &str, path: &str, cookie: &str, body: String) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .header("cookie", cookie)
        .body(Body::from(body))
        .unwrap()
}

/// u1 (who bought) and u2 answer NPS with texts about a crumpled box and a late delivery.
async fn answers(h: &Harness) {
    h.shop().await;
    let mut batch = Vec::new();
    for (i, (user, score, text)) in [
        ("u1", 3, "Подарок пришёл мятым, ужасно"),
        ("u1", 9, "Great store, fast delivery"),
        ("u2", 2, "The delivery was late, terrible"),
        ("u3", 10, "Всё понравилось"),
    ]
    .into_iter()
    .enumerate()
    {
        batch.push(json!({"type": "track", "event": "survey_response", "userId": user,
            "timestamp": format!("2026-05-0{}T10:00:00Z", i + 2), "messageId": format!("s-{i}"),
            "properties": {"survey": "nps", "question": "nps", "kind": "nps", "score": score, "text": text}}));
    }
    let r = h.post("/v1/batch", Some(&h.write_a), json!({"batch": batch}).to_string()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

fn themes_table(page: &str) -> String {
    page.split("id=\"themes\"").nth(1).unwrap_or_default().split("</table>").next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_changed_theme_list_changes_the_themes_of_the_feedback_page() {
    let h = harness();
    answers(&h).await;
    h.user("an@x.ru", Role::Analyst);
    h.user("v@x.ru", Role::Viewer);
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;
    let (viewer, viewer_csrf) = h.sign_in("v@x.ru", "correct horse battery").await;
    let page = html(&h.send(page_get("/feedback?project=a", &analyst)).await);
    assert!(themes_table(&page).contains("Delivery"), "{}", themes_table(&page));
    assert!(!page.contains("Gifts"));

    // the API: read with a key, one theme added by an analyst, refused to keys and viewers
    let r = h.query("/api/v1/feedback/themes?project=a", &h.read_a, None).await;
    assert_eq!((r.status, r.body["own"].as_bool()), (StatusCode::OK, Some(false)), "{}", r.body);
    let builtin = r.body["theme"].as_array().unwrap().len();
    let theme = json!({"name_en": "Gifts", "name_ru": "Подарки", "en": ["gift*"], "ru": ["подар*"]});
    let path = "/api/v1/feedback/themes/gifts?project=a";
    let r = h.send(send("PUT", path, &viewer, theme.to_string())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = h.send(send("PUT", path, &analyst, theme.to_string())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["theme"].as_array().unwrap().len(), builtin + 1);
    let page = html(&h.send(page_get("/feedback?project=a", &analyst)).await);
    assert!(themes_table(&page).contains("Gifts"), "{}", themes_table(&page));
    let list = h.query("/api/v1/feedback/list?project=a", &h.read_a, None).await;
    let gift =
        list.body["feedback"].as_array().unwrap().iter().find(|r| r["text"].as_str().unwrap().starts_with("Подарок"));
    assert!(gift.unwrap()["themes"].as_array().unwrap().contains(&json!("gifts")), "{}", list.body);

    // bad input: every problem named at its field, nothing saved
    let bad = json!({"name_en": "", "name_ru": "Подарки", "ru": ["!!"]});
    let r = h.send(send("PUT", path, &analyst, bad.to_string())).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("name_en")), "{}", r.body);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("ru[0]"), "{}", r.body);
    let r = h
        .send(send("PUT", "/api/v1/feedback/themes?project=a", &analyst, json!({"theme": [{"key": "A"}]}).to_string()))
        .await;
    assert_eq!(
        (r.status, r.body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("theme[0].key")),
        "{}",
        r.body
    );
    let r =
        h.send(send("PUT", "/api/v1/feedback/themes/other?project=a", &analyst, json!({"key": "x"}).to_string())).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("key")), "{}", r.body);
    let r = h.send(send("DELETE", "/api/v1/feedback/themes/nothing?project=a", &analyst, String::new())).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::NOT_FOUND, Some("key")), "{}", r.body);

    // the web form: a theme renamed, a bad one shown at its field, one deleted; viewers only read
    let form = |body: &str, cookie: &str, csrf: &str| {
        let mut r = page_post("/feedback/themes", cookie, &format!("csrf={csrf}&project=a&{body}"));
        r.headers_mut().insert("accept-language", "en".parse().unwrap());
        r
    };
    let r = h
        .send(form("action=save&key=gifts&was=gifts&name_en=Presents&name_ru=x&en=present*", &viewer, &viewer_csrf))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let body = format!(
        "action=save&was=gifts&key=gifts&name_en=Presents&name_ru={}&en={}&ru={}",
        enc("Подарки"),
        enc("present*"),
        enc("подар*, сувенир*")
    );
    let r = h.send(form(&body, &analyst, &csrf)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", html(&r));
    let r = h.send(form("action=save&key=Bad+Key&name_en=x&name_ru=x&en=", &analyst, &csrf)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let bad = html(&r);
    assert!(bad.contains("use lowercase Latin letters") && bad.contains("give at least one term"), "{bad}");
    let r = h.send(form("action=delete&key=delivery", &analyst, &csrf)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = html(&h.send(page_get("/feedback?project=a", &analyst)).await);
    let table = themes_table(&page);
    assert!(table.contains("Presents") && !table.contains("Delivery"), "{table}");
    let themes_page = html(&h.send(page_get("/feedback/themes?project=a", &viewer)).await);
    assert!(
        themes_page.contains("Presents") && !themes_page.contains("action=\"/feedback/themes\""),
        "viewers read only"
    );

    // reset: the built-in list again; every change audited
    let r = h.send(form("action=reset", &analyst, &csrf)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = html(&h.send(page_get("/feedback?project=a", &analyst)).await);
    assert!(themes_table(&page).contains("Delivery") && !page.contains("Presents"));
    let filter = tropa_meta::audit::Filter { limit: 100, ..Default::default() };
    let actions: Vec<&str> = h.state.meta.audit(&filter).unwrap().iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions.iter().filter(|a| a.starts_with("themes.")).count(), 4, "{actions:?}");
}

#[tokio::test]
async fn feedback_is_filtered_by_whose_answers_and_every_chart_downloads_and_pins() {
    let h = harness();
    answers(&h).await;
    h.user("an@x.ru", Role::Analyst);
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;

    // the API: customers who bought (u1) only; a condition that does not read, an unknown persona
    let all = h.query("/api/v1/feedback?project=a", &h.read_a, None).await;
    assert_eq!(all.body["overall"]["nps"]["n"], 4, "{}", all.body);
    let bought = h.query("/api/v1/feedback?project=a&did=purchase", &h.read_a, None).await;
    assert_eq!(bought.body["overall"]["nps"]["n"], 2, "{}", bought.body);
    let list = h.query("/api/v1/feedback/list?project=a&did=purchase", &h.read_a, None).await;
    assert!(list.body["feedback"].as_array().unwrap().iter().all(|r| r["customer"] == "u1"), "{}", list.body);
    let r = h.query("/api/v1/feedback?project=a&traits=plan%20%3D", &h.read_a, None).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("traits")), "{}", r.body);
    let r = h.query("/api/v1/feedback?project=a&persona=nobody", &h.read_a, None).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::NOT_FOUND, Some("persona")), "{}", r.body);

    // the page: the same filter, and its problems shown
    let page = html(&h.send(page_get("/feedback?project=a&did=purchase", &analyst)).await);
    assert!(page.contains("name=\"did\" value=\"purchase\""));
    assert!(!page.contains("The delivery was late") && page.contains("Great store"), "only u1's texts");
    let page = html(&h.send(page_get("/feedback?project=a&persona=nobody", &analyst)).await);
    assert!(page.contains("no such persona in this project"));

    // every chart downloads as SVG, PNG and CSV
    for chart in ["trend", "dist-nps", "sentiment", "themes"] {
        for (format, kind) in [("svg", "image/svg+xml"), ("png", "image/png"), ("csv", "text/csv")] {
            let r = h.send(page_get(&format!("/feedback?project=a&download={chart}&format={format}"), &analyst)).await;
            assert_eq!(r.status, StatusCode::OK, "{chart} {format}");
            assert!(r.headers["content-type"].to_str().unwrap().starts_with(kind), "{chart} {format}");
        }
    }
    let csv = html(&h.send(page_get("/feedback?project=a&download=themes&format=csv", &analyst)).await);
    assert!(csv.contains("Delivery,3"), "{csv}");
    let csv = html(&h.send(page_get("/feedback?project=a&download=dist-nps&format=csv", &analyst)).await);
    assert!(csv.lines().next().unwrap().contains("0,1,2"), "{csv}");

    // each chart can be pinned: the select's choice is the page's query with the chart
    let page = html(&h.send(page_get("/feedback?project=a", &analyst)).await);
    assert!(page.contains("value=\"chart=themes\"") && page.contains("value=\"chart=sentiment\""), "{page}");
    let form = format!(
        "csrf={csrf}&project=a&kind=feedback&query={}&title=Themes&dashboard=new&new_name=VoC",
        enc("chart=themes")
    );
    let r = h.send(page_post("/dashboards/pin", &analyst, &form)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", html(&r));
    let dash = html(&h.send(page_get("/dashboards/1?project=a", &analyst)).await);
    assert!(dash.contains("<figure class=\"chart\"><svg") && dash.contains("Delivery"), "{dash}");
}
