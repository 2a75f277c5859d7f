//! Experiments in the web app, in process: the list with each experiment's customers and traffic-split state,
//! an experiment's page with its metrics table, the decision in words and a sample-ratio mismatch shown as a
//! blocking warning; an unknown experiment is a 404.

mod common;

use axum::http::StatusCode;
use serde_json::json;

use common::*;
use tropa_app::audit::Who;
use tropa_core::analysis::experiment::definition::{DecisionRule, ExperimentDefinition, VariantDef};
use tropa_core::calendar::Calendar;
use tropa_meta::Role;

fn definition(key: &str) -> ExperimentDefinition {
    ExperimentDefinition {
        key: key.into(),
        hypothesis: "More buy".into(),
        variants: vec![VariantDef { name: "A".into(), weight: 1.0 }, VariantDef { name: "B".into(), weight: 1.0 }],
        exposure: "experiment_exposure".into(),
        experiment_property: "experiment".into(),
        variant_property: "variant".into(),
        start: String::new(),
        end: String::new(),
        primary: "conversion:purchase:7d".into(),
        guardrails: vec!["revenue:7d".into()],
        rule: DecisionRule { alpha: 0.05, min_effect: 0.0, min_weeks: 0 },
        capping: None,
        funnel: None,
    }
}

#[tokio::test]
async fn experiments_are_listed_evaluated_and_an_srm_blocks_the_decision() {
    let h = harness();
    h.shop().await;
    let mut batch = Vec::new();
    // "even": 40 customers per variant, B buys more; "broken": 40 in A and 8 in B
    for (key, a, b) in [("even", 40, 40), ("broken", 40, 8)] {
        for (variant, n) in [("A", a), ("B", b)] {
            for i in 0..n {
                let user = format!("{key}-{variant}-{i}");
                batch.push(json!({"type": "track", "event": "experiment_exposure", "userId": user,
                    "timestamp": "2026-05-02T10:00:00Z", "messageId": format!("x-{user}"),
                    "properties": {"experiment": key, "variant": variant}}));
                if i % if variant == "B" { 2 } else { 4 } == 0 {
                    batch.push(json!({"type": "track", "event": "purchase", "userId": user,
                        "timestamp": "2026-05-02T12:00:00Z", "messageId": format!("p-{user}"),
                        "properties": {"revenue": 100}}));
                }
            }
        }
    }
    let r = h.post("/v1/batch", Some(&h.write_a), json!({"batch": batch}).to_string()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for key in ["even", "broken"] {
        tropa_app::experiments::save(&h.state.meta, &Who::cli("test"), "a", &definition(key), Calendar::UTC, 0)
            .unwrap();
    }
    h.user("v@x.ru", Role::Viewer);
    let (viewer, _) = h.sign_in("v@x.ru", "correct horse battery").await;

    let list = html(&h.send(page_get("/experiments?project=a", &viewer)).await);
    assert!(list.contains("/experiments/even?project=a") && list.contains("/experiments/broken?project=a"), "{list}");
    assert!(list.contains(">80<") && list.contains(">48<"), "customers so far: {list}");
    assert!(list.contains("Sample-ratio mismatch") && list.contains("as intended"));

    let even = html(&h.send(page_get("/experiments/even?project=a", &viewer)).await);
    assert!(even.contains("id=\"metrics\"") && even.contains("conversion:purchase:7d"), "{even}");
    assert!(even.contains("+100.0 %"), "B converts at 50 % against A's 25 %: {even}");
    assert!(!even.contains("id=\"srm-warning\""));

    let broken = html(&h.send(page_get("/experiments/broken?project=a", &viewer)).await);
    assert!(broken.contains("id=\"srm-warning\"") && broken.contains("Do not trust the results"), "{broken}");

    let r = h.send(page_get("/experiments/nope?project=a", &viewer)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// A signed-in analyst registers, replaces and deletes an experiment through the query API; a key never does,
/// and a definition with problems names them.
#[tokio::test]
async fn analysts_register_experiments_through_the_api() {
    use axum::body::Body;
    use axum::http::Request;

    let h = harness();
    h.shop().await;
    h.user("an@x.ru", Role::Analyst);
    let (analyst, _) = h.sign_in("an@x.ru", "correct horse battery").await;
    let send = |method: &str, path: &str, auth: (&str, String), body: String| {
        Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json")
            .header(auth.0, auth.1)
            .body(Body::from(body))
            .unwrap()
    };
    let doc = serde_json::to_value(definition("checkout")).unwrap();
    let path = "/api/v1/experiments/checkout?project=a";
    let r = h.send(send("PUT", path, ("authorization", format!("Bearer {}", h.read_a)), doc.to_string())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let mut bad = doc.clone();
    bad["variants"] = json!([{"name": "A", "weight": 1.0}]);
    let r = h.send(send("PUT", path, ("cookie", analyst.clone()), bad.to_string())).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body["error"]["field"].as_str().is_some_and(|f| f.contains("variants")), "{}", r.body);
    assert!(tropa_app::experiments::list(&h.state.meta, "a").unwrap().is_empty());
    let r = h.send(send("PUT", path, ("cookie", analyst.clone()), doc.to_string())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let listed = h.query("/api/v1/experiments", &h.read_a, None).await;
    assert_eq!(listed.body[0]["key"], "checkout", "{}", listed.body);
    let r = h.send(send("DELETE", path, ("cookie", analyst.clone()), String::new())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = h.send(send("DELETE", path, ("cookie", analyst), String::new())).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}
