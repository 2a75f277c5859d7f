//! The survey endpoints (issue 14): the widget reads a project's active surveys by write key; an answer is checked
//! against its survey and stored as a `survey_response` event; bad input is refused naming the field, and an
//! answer given twice is stored twice while the scores count the latest.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::json;
use tropa_core::survey::{Survey, SurveyKind, Targeting, Wording};
use tropa_engine::Engine;

fn nps(active: bool) -> Survey {
    Survey {
        key: "post_purchase".into(),
        kind: SurveyKind::Nps,
        question: Wording::new("How likely are you to recommend us?", "Насколько вероятно, что вы порекомендуете нас?"),
        choices: vec![],
        follow_up: Wording::new("Why?", "Почему?"),
        targeting: Targeting { after_event: "purchase".into(), ..Targeting::default() },
        active,
    }
}

fn with_survey(active: bool) -> Harness {
    let h = harness();
    let who = tropa_app::audit::Who::cli("test");
    tropa_app::surveys::save(&h.state.meta, &who, "a", &nps(active), 0).unwrap();
    h
}

async fn answer(h: &Harness, body: serde_json::Value) -> Reply {
    let req = Request::post("/v1/survey").header("content-type", "text/plain").body(Body::from(body.to_string()));
    h.send(req.unwrap()).await
}

#[tokio::test]
async fn the_widget_reads_the_active_surveys_by_write_key() {
    let h = with_survey(true);
    let r = h.send(Request::get(format!("/v1/surveys?writeKey={}", h.write_a)).body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["surveys"][0]["key"], "post_purchase");
    assert_eq!(r.body["surveys"][0]["targeting"]["after_event"], "purchase");
    let other = h.send(Request::get(format!("/v1/surveys?writeKey={}", h.write_b)).body(Body::empty()).unwrap()).await;
    assert_eq!(other.body["surveys"], json!([]), "another project's key sees none");
    let read = h.send(Request::get(format!("/v1/surveys?writeKey={}", h.read_a)).body(Body::empty()).unwrap()).await;
    assert_eq!(read.status, StatusCode::FORBIDDEN, "a read key is not the widget's");
    let js = h.send(Request::get("/v1/survey.js").body(Body::empty()).unwrap()).await;
    assert_eq!(js.status, StatusCode::OK);
    let text = js.body.as_str().unwrap_or_default().to_string();
    assert!(text.contains("attachShadow") && text.contains("/v1/survey.css") && !text.contains(".style."), "{text}");
}

#[tokio::test]
async fn an_answer_is_stored_as_a_survey_response_event() {
    let h = with_survey(true);
    let body =
        json!({"writeKey": h.write_a, "survey": "post_purchase", "score": 9, "text": "быстро", "anonymousId": "a-1"});
    let r = answer(&h, body).await;
    assert_eq!((r.status, r.body["accepted"].clone()), (StatusCode::OK, json!(1)), "{}", r.body);
    let c = h.engines["a"].customer("a-1").unwrap().expect("the visitor");
    assert_eq!(c.events.len(), 1);
    let e = &c.events[0];
    assert_eq!(e.name, "survey_response");
    let p = e.properties_map();
    assert_eq!(
        (p["survey"].clone(), p["kind"].clone(), p["score"].clone(), p["text"].clone()),
        (json!("post_purchase"), json!("nps"), json!(9), json!("быстро"))
    );
}

#[tokio::test]
async fn bad_answers_are_refused_naming_the_field() {
    let h = with_survey(true);
    let base = json!({"writeKey": h.write_a, "survey": "post_purchase", "score": 9, "anonymousId": "a-1"});
    let with = |k: &str, v: serde_json::Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let r = answer(&h, with("survey", json!("nope"))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(
        (r.body["error"]["field"].clone(), r.body["error"]["message"].clone()),
        (json!("survey"), json!("no survey \"nope\" in this project"))
    );
    let r = answer(&h, with("score", json!(11))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        (r.body["error"]["field"].clone(), r.body["error"]["message"].clone()),
        (json!("score"), json!("a whole number from 0 to 10"))
    );
    let r = answer(&h, with("score", json!("ten"))).await;
    assert_eq!(r.body["error"]["field"], "score");
    let r = answer(&h, with("text", json!("a".repeat(2001)))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["field"], "text");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("2000"), "{}", r.body);
    let r = answer(&h, with("anonymousId", json!(""))).await;
    assert_eq!(r.body["error"]["field"], "anonymousId");
    let r = answer(&h, with("writeKey", json!(h.read_a))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = h.send(Request::post("/v1/survey").body(Body::from("{not json")).unwrap()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(h.events("a"), 0, "nothing refused was stored");
}

#[tokio::test]
async fn an_answer_given_twice_is_kept_twice_and_counted_once() {
    let h = with_survey(true);
    for (score, id) in [(3, "m1"), (10, "m2")] {
        let body = json!({"writeKey": h.write_a, "survey": "post_purchase", "score": score, "anonymousId": "a-2", "messageId": id});
        assert_eq!(answer(&h, body).await.status, StatusCode::OK);
    }
    assert_eq!(h.events("a"), 2, "both answers are stored");
    let engine = h.engines["a"].clone();
    let spec = tropa_core::analysis::feedback::FeedbackSpec {
        definition: tropa_core::analysis::stages::JourneyDefinition::default_definition().unwrap(),
        now: NOW + 1,
        from: None,
        to: None,
        period: tropa_core::analysis::period::Period::Day,
        calendar: Default::default(),
    };
    let r = tropa_engine::report::feedback(&*engine, spec, Default::default(), vec![]).unwrap();
    assert_eq!((r.answers, r.superseded, r.overall.nps.value), (1, 1, Some(100.0)), "the latest answer counts");
    // a retry with the same message id is stored once
    let again =
        json!({"writeKey": h.write_a, "survey": "post_purchase", "score": 10, "anonymousId": "a-2", "messageId": "m2"});
    assert_eq!(answer(&h, again).await.body["duplicates"], 1);
    // an inactive survey still takes answers (a visitor may have it open): nothing is lost
    let h = with_survey(false);
    let body = json!({"writeKey": h.write_a, "survey": "post_purchase", "score": 5, "anonymousId": "a-3"});
    assert_eq!(answer(&h, body).await.status, StatusCode::OK);
}
