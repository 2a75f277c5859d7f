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
    assert!(even.contains("+100.0\u{a0}%"), "B converts at 50 % against A's 25 %: {even}");
    assert!(!even.contains("id=\"srm-warning\""));
    // in Russian the same figures with a decimal comma
    let mut ru = page_get("/experiments/even?project=a", &viewer);
    ru.headers_mut().insert("accept-language", "ru".parse().unwrap());
    let even_ru = html(&h.send(ru).await);
    assert!(even_ru.contains("+100,0\u{a0}%") && !even_ru.contains("+100.0"), "{even_ru}");

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

/// The experiment form: a viewer cannot save, a form without its CSRF token is refused, every problem comes back
/// at its field (400, what was typed kept), a good form saves the definition (capping and the funnel with it),
/// audited, and opens the experiment; editing keeps the key. The calculator answers in words.
#[tokio::test]
async fn the_form_saves_an_experiment_and_names_each_problem_at_its_field() {
    use tropa_app::audit::{Action, Filter};
    use tropa_core::analysis::experiment::capping::Cap;

    let h = harness();
    h.shop().await;
    h.user("an@x.ru", Role::Analyst);
    h.user("v@x.ru", Role::Viewer);
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;
    let (viewer, viewer_csrf) = h.sign_in("v@x.ru", "correct horse battery").await;
    let form = |csrf: &str, primary: &str, weights: &str, alpha: &str| {
        format!(
            "csrf={csrf}&project=a&mode=new&key=banner&hypothesis=More&variants=A%2C+B&weights={}&exposure=page_view\
             &start=&end=&primary={}&guardrails=revenue%3A30d%0Aretention%3A7&capping=percentile&cap_value=99\
             &funnel_steps=view_item+-%3E+purchase&funnel_window=3d&alpha={alpha}&min_effect=2&min_weeks=2",
            enc(weights),
            enc(primary)
        )
    };
    let good = form(&csrf, "conversion:purchase:7d", "1, 1", "0.05");

    let page = html(&h.send(page_get("/experiments?project=a&new=1", &analyst)).await);
    assert!(page.contains("id=\"exp-form\"") && page.contains("name=\"csrf\""), "{page}");
    let r =
        h.send(page_post("/experiments", &viewer, &form(&viewer_csrf, "conversion:purchase:7d", "1, 1", "0.05"))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a viewer reads only");
    let r = h.send(page_post("/experiments", &analyst, &good.replace(&csrf, "forged"))).await;
    assert!(r.status.is_client_error(), "no CSRF token, no save: {}", r.status);
    assert!(tropa_app::experiments::list(&h.state.meta, "a").unwrap().is_empty());

    // problems, each at its field
    let r = h.send(page_post("/experiments", &analyst, &form(&csrf, "conversion:purchase:0d", "1, x", "0.7"))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let page = html(&r);
    for (field, words) in [("primary", "longer than 0"), ("weights", "not a number"), ("alpha", "between 0 and 0.5")] {
        let at = page.find(&format!("id=\"err-{field}\"")).unwrap_or_else(|| panic!("no error at {field}: {page}"));
        assert!(page[at..at + 300].contains(words), "{field}: {}", &page[at..at + 300]);
    }
    assert!(page.contains("value=\"banner\""), "what was typed is kept");
    // a reader of Russian reads the same problems in Russian
    let user = h.state.meta.user("an@x.ru").unwrap().unwrap();
    h.state.meta.set_lang(user.id, "ru").unwrap();
    let r = h.send(page_post("/experiments", &analyst, &form(&csrf, "conversion:purchase:0d", "1, x", "0.7"))).await;
    let page = html(&r);
    for (field, words) in [("primary", "больше 0"), ("weights", "не число"), ("alpha", "от 0 до 0.5")]
    {
        let at = page.find(&format!("id=\"err-{field}\"")).unwrap_or_else(|| panic!("no error at {field}: {page}"));
        assert!(page[at..at + 300].contains(words), "{field}: {}", &page[at..at + 300]);
    }
    h.state.meta.set_lang(user.id, "en").unwrap();
    let r = h.send(page_post("/experiments", &analyst, &form(&csrf, "nonsense", "1, 1, 1", "0.05"))).await;
    let page = html(&r);
    assert!(page.contains("id=\"err-primary\"") && page.contains("id=\"err-weights\""), "{page}");
    assert!(tropa_app::experiments::list(&h.state.meta, "a").unwrap().is_empty());

    // saved, audited, opened
    let r = h.send(page_post("/experiments", &analyst, &good)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", html(&r));
    let saved = tropa_app::experiments::get(&h.state.meta, "a", "banner").unwrap();
    assert_eq!((saved.exposure.as_str(), saved.guardrails.len()), ("page_view", 2));
    assert_eq!(saved.capping, Some(Cap::Percentile(0.99)));
    assert_eq!(saved.funnel.as_ref().map(|f| (f.steps.len(), f.window.as_str())), Some((2, "3d")));
    assert_eq!((saved.rule.min_effect, saved.rule.min_weeks), (0.02, 2));
    let log = tropa_app::audit::list(&h.state.meta, &Filter { limit: 100, ..Filter::default() }).unwrap();
    assert!(log.iter().any(|e| e.action == Action::ExperimentSave && e.target == "banner"), "audited");
    // the same key again as new is refused at the key; editing keeps it
    let r = h.send(page_post("/experiments", &analyst, &good)).await;
    assert!(r.status == StatusCode::BAD_REQUEST && html(&r).contains("id=\"err-key\""));
    let edit = html(&h.send(page_get("/experiments?project=a&edit=banner", &analyst)).await);
    assert!(edit.contains("name=\"mode\" value=\"edit\"") && edit.contains("view_item -&gt; purchase"), "{edit}");
    let r = h
        .send(page_post(
            "/experiments",
            &analyst,
            &good.replace("mode=new", "mode=edit").replace("min_weeks=2", "min_weeks=3"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(tropa_app::experiments::get(&h.state.meta, "a", "banner").unwrap().rule.min_weeks, 3);
    let page = html(&h.send(page_get("/experiments/banner?project=a", &viewer)).await);
    assert!(page.contains("id=\"exp-capping\"") && !page.contains("id=\"exp-edit\""), "a viewer sees no edit link");

    // the calculator
    let calc = html(&h.send(page_get("/experiments?project=a&calc=1&baseline=10&effect=1&power=80", &viewer)).await);
    assert!(calc.contains("about 14128 customers in each variant"), "{calc}");
    let calc = html(&h.send(page_get("/experiments?project=a&calc=1&baseline=10&customers=14128", &viewer)).await);
    assert!(calc.contains("at least ±1.00 percentage points"), "{calc}");
    let calc = html(&h.send(page_get("/experiments?project=a&calc=1&baseline=abc&effect=1", &viewer)).await);
    assert!(calc.contains("Conversion now, %: 'abc' is not a number"), "{calc}");
}
