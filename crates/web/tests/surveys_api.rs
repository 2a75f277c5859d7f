//! Surveys defined through the query API: a signed-in analyst creates, replaces and deletes one; keys and viewers
//! cannot; a bad definition is refused with every problem named; the survey then lists like any other.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use common::*;
use tropa_meta::Role;

#[tokio::test]
async fn analysts_define_surveys_through_the_api_and_keys_cannot() {
    let h = harness();
    h.shop().await;
    h.user("an@x.ru", Role::Analyst);
    h.user("v@x.ru", Role::Viewer);
    let (analyst, _) = h.sign_in("an@x.ru", "correct horse battery").await;
    let (viewer, _) = h.sign_in("v@x.ru", "correct horse battery").await;
    let send = |method: &str, path: &str, auth: (&str, String), body: String| {
        Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json")
            .header(auth.0, auth.1)
            .body(Body::from(body))
            .unwrap()
    };
    let survey = json!({"key": "after_order", "kind": "nps",
        "question": {"en": "Would you recommend us?", "ru": "Порекомендуете нас?"},
        "follow_up": {"en": "Why?", "ru": "Почему?"},
        "targeting": {"after_event": "purchase", "percent": 100, "every_days": 30, "needs_consent": false},
        "active": true});
    let path = "/api/v1/surveys/after_order?project=a";

    // keys never define surveys; viewers read them only
    let r = h.send(send("PUT", path, ("authorization", format!("Bearer {}", h.read_a)), survey.to_string())).await;
    assert_eq!(
        (r.status, r.body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("wrong_key_kind")),
        "{}",
        r.body
    );
    let r = h.send(send("PUT", path, ("cookie", viewer), survey.to_string())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // a bad definition: every problem named, the first as the field; nothing saved
    let mut bad = survey.clone();
    bad["kind"] = json!("nps");
    bad["key"] = json!("After Order");
    let r = h
        .send(send("PUT", "/api/v1/surveys/After%20Order?project=a", ("cookie", analyst.clone()), bad.to_string()))
        .await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("key")), "{}", r.body);
    let r = h
        .send(send("PUT", path, ("cookie", analyst.clone()), json!({"key": "after_order", "colour": 1}).to_string()))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "unknown or missing fields are refused: {}", r.body);
    let r =
        h.send(send("PUT", "/api/v1/surveys/other?project=a", ("cookie", analyst.clone()), survey.to_string())).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("key")), "{}", r.body);
    assert!(tropa_app::surveys::list(&h.state.meta, "a").unwrap().is_empty());

    // created, listed with a read key, replaced, then deleted (audited each time)
    let r = h.send(send("PUT", path, ("cookie", analyst.clone()), survey.to_string())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let listed = h.query("/api/v1/surveys", &h.read_a, None).await;
    assert_eq!(listed.body["surveys"][0]["key"], "after_order", "{}", listed.body);
    let mut off = survey.clone();
    off["active"] = json!(false);
    let r = h.send(send("PUT", path, ("cookie", analyst.clone()), off.to_string())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!tropa_app::surveys::get(&h.state.meta, "a", "after_order").unwrap().active);
    let r = h.send(send("DELETE", path, ("cookie", analyst.clone()), String::new())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = h.send(send("DELETE", path, ("cookie", analyst), String::new())).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::NOT_FOUND, Some("key")), "{}", r.body);
    let filter = tropa_meta::audit::Filter { limit: 100, ..Default::default() };
    let actions: Vec<&str> = h.state.meta.audit(&filter).unwrap().iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions.iter().filter(|a| a.starts_with("survey.")).count(), 3, "{actions:?}");
}
