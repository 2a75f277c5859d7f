//! Dashboards in the web app, in process: charts pinned from a funnel, paths and a map's data lane; one period
//! for every chart, compared with the previous one; arranging, renaming, deleting; what viewers and other
//! projects may do; share links with an expiry that hide the reports' rules, and expired links of dashboards and
//! maps answered in the reader's language; the cached charts follow new data.

mod common;

use axum::http::StatusCode;
use serde_json::json;

use common::*;
use tropa_meta::Role;

fn location(r: &Reply) -> String {
    r.headers["location"].to_str().unwrap().to_string()
}

fn tiles(page: &str) -> Vec<String> {
    page.split("<article class=\"tile\"")
        .skip(1)
        .map(|t| t.split("<h2>").nth(1).unwrap().split('<').next().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn charts_are_pinned_arranged_read_for_one_period_and_shared() {
    let h = harness();
    h.shop().await;
    h.user("v@x.ru", Role::Viewer);
    h.user("an@x.ru", Role::Analyst);
    let (viewer, vcsrf) = h.sign_in("v@x.ru", "correct horse battery").await;
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;
    let pin = |form: String| page_post("/dashboards/pin", &analyst, &format!("csrf={csrf}&project=a&{form}"));

    // the report pages carry the control for analysts only
    let funnels = html(&h.send(page_get("/funnels?project=a&steps=view_item%0Apurchase", &analyst)).await);
    assert!(
        funnels.contains("Pin to dashboard") && funnels.contains("name=\"query\" value=\"steps=view_item%0Apurchase\"")
    );
    let as_viewer = html(&h.send(page_get("/funnels?project=a&steps=view_item%0Apurchase", &viewer)).await);
    assert!(!as_viewer.contains("Pin to dashboard"));

    // a funnel pinned to a new dashboard, the paths to the same one
    let query = enc("steps=view_item%0Apurchase&project=b&since=2020-01-01");
    let r = h.send(pin(format!("kind=funnels&query={query}&title=Checkout&dashboard=new&new_name=Weekly"))).await;
    assert_eq!((r.status, location(&r).as_str()), (StatusCode::SEE_OTHER, "/dashboards/1?project=a&done=pinned"));
    let r = h.send(pin(format!("kind=paths&query={}&title=Paths&dashboard=1", enc("from=view_item&depth=3")))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", html(&r));
    // and a map's data lane
    let r = h.send(page_post("/maps", &analyst, &format!("csrf={csrf}&project=a&template=online_store&lang=en"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let map_page = html(&h.send(page_get("/maps/1?project=a", &analyst)).await);
    assert!(
        map_page.contains("name=\"lane\"") && map_page.contains("value=\"reached\""),
        "the map offers its data lanes"
    );
    let r = h.send(pin("kind=map&map=1&lane=reached&title=Reached&dashboard=1".into())).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", html(&r));
    let stored = h.state.meta.tiles("a", 1).unwrap();
    assert_eq!(stored[0].query, "since=2020-01-01&steps=view_item%0Apurchase", "the tile never names a project");

    let page = html(&h.send(page_get("/dashboards/1?project=a", &analyst)).await);
    assert_eq!(tiles(&page), ["Checkout", "Paths", "Reached"]);
    assert_eq!(page.matches("<figure class=\"chart\"><svg").count(), 3, "{page}");
    assert!(page.contains("href=\"/funnels?project=a&amp;since=2020-01-01&amp;steps=view_item%0Apurchase\""));

    // arranged: the map first
    let edit = |form: &str| page_post("/dashboards/1/edit", &analyst, &format!("csrf={csrf}&project=a&{form}"));
    let tile3 = stored[2].id;
    for _ in 0..2 {
        let r = h.send(edit(&format!("action=up&tile={tile3}"))).await;
        assert_eq!(
            (r.status, location(&r)),
            (StatusCode::SEE_OTHER, format!("/dashboards/1?project=a&done=#tile-{tile3}"))
        );
    }
    let page = html(&h.send(page_get("/dashboards/1?project=a", &analyst)).await);
    assert_eq!(tiles(&page), ["Reached", "Checkout", "Paths"]);

    // one period for every chart, compared with the previous one; every problem at its field
    let page = html(
        &h.send(page_get("/dashboards/1?project=a&since=2026-05-01&until=2026-05-08&compare=previous", &analyst)).await,
    );
    assert!(page.contains("Previous period: 2026-04-24 — 2026-04-30"), "{page}");
    assert_eq!(page.matches("<div class=\"compare\">").count(), 3);
    let r = h.send(page_get("/dashboards/1?project=a&since=May&until=2026-05-08&compare=previous", &analyst)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(html(&r).contains("write a date as YYYY-MM-DD") && html(&r).contains("aria-invalid=\"true\""));
    let r = h.send(edit("action=period&since=2026-05-01&until=&compare=previous")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(html(&r).contains("Compare with: to compare with the previous period, choose both"), "{}", html(&r));
    let r = h.send(edit("action=period&since=2026-05-01&until=2026-05-08&compare=previous")).await;
    assert_eq!(location(&r), "/dashboards/1?project=a&done=period");
    let d = h.state.meta.dashboard("a", 1).unwrap().unwrap();
    assert_eq!((d.since.as_str(), d.until.as_str(), d.compare.as_str()), ("2026-05-01", "2026-05-08", "previous"));
    // renamed; a name too long is refused at its field
    assert_eq!(location(&h.send(edit("action=rename&name=Monthly")).await), "/dashboards/1?project=a&done=renamed");
    let r = h.send(edit(&format!("action=rename&name={}", "x".repeat(121)))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(html(&r).contains("a name has 1 to 120 characters"));

    // viewers read the dashboard and change nothing
    let page = html(&h.send(page_get("/dashboards/1?project=a", &viewer)).await);
    assert_eq!(tiles(&page), ["Reached", "Checkout", "Paths"]);
    assert!(
        !page.contains("/dashboards/1/edit")
            && !page.contains("/dashboards/1/share")
            && !page.contains("Delete the dashboard")
    );
    for path in ["/dashboards/1/edit", "/dashboards/1/share", "/dashboards/1/delete", "/dashboards/pin", "/dashboards"]
    {
        let r = h.send(page_post(path, &viewer, &format!("csrf={vcsrf}&project=a&action=remove&tile=1&name=x"))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(h.state.meta.tiles("a", 1).unwrap().len(), 3);

    // a share link for 7 days: the charts without the rules, in the reader's language
    let r = h.send(page_post("/dashboards/1/share", &analyst, &format!("csrf={csrf}&project=a&expires=7d"))).await;
    let token = location(&r).split("share=").nth(1).unwrap().to_string();
    assert!(token.starts_with("sd_"), "{token}");
    let page = html(&h.send(page_get(&format!("/dashboards/1?project=a&share={token}"), &analyst)).await);
    assert!(page.contains(&format!("/share/d/{token}</pre>")) && page.contains("data-copy=\"share-link\""));
    let live = page.split("Live share links").nth(1).unwrap_or("").split("</p>").next().unwrap_or("").to_string();
    assert!(live.contains("(until 2026-06-08)"), "the live link shows its expiry: {live}");
    let public = h.send(page_get(&format!("/share/d/{token}"), "")).await;
    assert_eq!(public.status, StatusCode::OK);
    let text = html(&public);
    assert_eq!(tiles(&text), ["Reached", "Checkout", "Paths"]);
    // the previous week has no events: its funnel and paths say so instead of drawing empty charts
    assert_eq!(text.matches("<svg").count(), 4, "each chart, and its previous period where it has data");
    assert_eq!(text.matches("No data for this period.").count(), 2, "{text}");
    for technical in ["steps", "view_item%0A", "<nav", "csrf", "<form", "/funnels", "/maps/", "Open the report"] {
        assert!(!text.contains(technical), "{technical} in the shared page");
    }
    let mut ru = page_get(&format!("/share/d/{token}"), "");
    ru.headers_mut().insert("accept-language", "ru".parse().unwrap());
    assert!(html(&h.send(ru).await).contains("Предыдущий период"));
    assert!(
        h.send(page_post("/dashboards/1/share", &analyst, &format!("csrf={csrf}&project=a&expires=2y"))).await.status
            == StatusCode::BAD_REQUEST
    );
    // revoked: gone
    h.send(page_post("/dashboards/1/unshare", &analyst, &format!("csrf={csrf}&project=a"))).await;
    assert_eq!(h.send(page_get(&format!("/share/d/{token}"), "")).await.status, StatusCode::NOT_FOUND);

    // unpinned, then deleted (with its links)
    let r = h.send(edit(&format!("action=remove&tile={tile3}"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(h.send(edit(&format!("action=remove&tile={tile3}"))).await.status, StatusCode::NOT_FOUND);
    let r = h.send(page_post("/dashboards/1/delete", &analyst, &format!("csrf={csrf}&project=a"))).await;
    assert_eq!(location(&r), "/dashboards?project=a");
    assert!(h.state.meta.dashboards("a").unwrap().is_empty());
    let audit: Vec<String> =
        tropa_app::audit::list(&h.state.meta, &tropa_meta::audit::Filter { limit: 100, ..Default::default() })
            .unwrap()
            .into_iter()
            .map(|e| {
                let who = match e.actor {
                    tropa_meta::audit::Actor::User { email, .. } => email,
                    _ => String::new(),
                };
                format!("{} {who}", e.action.as_str())
            })
            .collect();
    for a in ["dashboard.create", "dashboard.change", "dashboard.share", "dashboard.unshare", "dashboard.delete"] {
        assert!(audit.iter().any(|e| e.starts_with(a) && e.ends_with("an@x.ru")), "{a}: {audit:?}");
    }
}

#[tokio::test]
async fn expired_links_of_dashboards_and_maps_say_so_in_the_readers_language() {
    let h = harness();
    h.shop().await;
    let d = h.state.meta.create_dashboard("a", "D", 0).unwrap();
    let map = h.state.meta.create_map("a", "M", "{}", "", None, 0).unwrap();
    let expired = h.state.meta.create_dashboard_share("a", d.id, Some(NOW - 86_400_000), 0).unwrap();
    let map_expired = h.state.meta.create_share("a", map.id, Some(NOW), 0).unwrap();
    for path in [format!("/share/d/{}", expired.token), format!("/share/{}", map_expired.token)] {
        let r = h.send(page_get(&path, "")).await;
        assert_eq!(r.status, StatusCode::GONE, "{path}");
        assert!(html(&r).contains("This link has expired"), "{}", html(&r));
        let mut ru = page_get(&path, "");
        ru.headers_mut().insert("accept-language", "ru-RU,ru;q=0.9".parse().unwrap());
        let r = h.send(ru).await;
        assert!(html(&r).contains("Срок действия ссылки истёк") && html(&r).contains("lang=\"ru\""), "{}", html(&r));
    }
    let live = h.state.meta.create_dashboard_share("a", d.id, Some(NOW + 1), 0).unwrap();
    assert_eq!(h.send(page_get(&format!("/share/d/{}", live.token), "")).await.status, StatusCode::OK);
    assert_eq!(h.send(page_get("/share/d/sd_unknown", "")).await.status, StatusCode::NOT_FOUND);
    // a map's link may be made to expire from its page too
    h.user("an@x.ru", Role::Analyst);
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;
    let r = h
        .send(page_post(&format!("/maps/{}/share", map.id), &analyst, &format!("csrf={csrf}&project=a&expires=30d")))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", html(&r));
    assert_eq!(h.state.meta.shares("a", map.id, NOW).unwrap()[0].expires_at, Some(NOW + 30 * 86_400_000));
    let r = h
        .send(page_post(&format!("/maps/{}/share", map.id), &analyst, &format!("csrf={csrf}&project=a&expires=soon")))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn another_project_neither_sees_nor_pins_to_a_dashboard() {
    let h = harness();
    h.shop().await;
    let d = h.state.meta.create_dashboard("a", "Secret plans", 0).unwrap();
    h.member("b@x.ru", "b", Role::Admin);
    let (cookie, csrf) = h.sign_in("b@x.ru", "correct horse battery").await;
    for path in [
        format!("/dashboards/{}?project=a", d.id),
        format!("/dashboards/{}?project=b", d.id),
        "/dashboards?project=a".into(),
    ] {
        let r = h.send(page_get(&path, &cookie)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!html(&r).contains("Secret plans"));
    }
    let list = html(&h.send(page_get("/dashboards?project=b", &cookie)).await);
    assert!(!list.contains("Secret plans"));
    let form = format!("csrf={csrf}&project=b&kind=funnels&query=steps%3Da&title=x&dashboard={}", d.id);
    assert_eq!(h.send(page_post("/dashboards/pin", &cookie, &form)).await.status, StatusCode::NOT_FOUND);
    let form = format!("csrf={csrf}&project=b&action=rename&name=Mine");
    assert_eq!(
        h.send(page_post(&format!("/dashboards/{}/edit", d.id), &cookie, &form)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(h.state.meta.dashboard("a", d.id).unwrap().unwrap().name, "Secret plans");
    assert!(h.state.meta.tiles("a", d.id).unwrap().is_empty());
}

#[tokio::test]
async fn a_cached_chart_follows_new_data() {
    let h = harness();
    h.shop().await;
    h.user("an@x.ru", Role::Analyst);
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;
    let form = format!(
        "csrf={csrf}&project=a&kind=funnels&query={}&title=F&dashboard=new&new_name=D",
        enc("steps=view_item%0Apurchase")
    );
    assert_eq!(h.send(page_post("/dashboards/pin", &analyst, &form)).await.status, StatusCode::SEE_OTHER);
    let chart = |page: String| {
        page.split("<figure class=\"chart\">").nth(1).unwrap().split("</figure>").next().unwrap().to_string()
    };
    let before = chart(html(&h.send(page_get("/dashboards/1?project=a", &analyst)).await));
    assert_eq!(
        before,
        chart(html(&h.send(page_get("/dashboards/1?project=a", &analyst)).await)),
        "the same data, the same chart"
    );
    let batch = json!({"batch": [
        {"type":"track","event":"view_item","userId":"u9","timestamp":"2026-05-02T10:00:00Z","messageId":"u9-0"},
        {"type":"track","event":"purchase","userId":"u9","timestamp":"2026-05-02T11:00:00Z","messageId":"u9-1"}
    ]});
    assert_eq!(h.post("/v1/batch", Some(&h.write_a), batch.to_string()).await.status, StatusCode::OK);
    let after = chart(html(&h.send(page_get("/dashboards/1?project=a", &analyst)).await));
    assert_ne!(before, after, "new events make a new chart");
    assert!(after.contains(">4<") || after.contains(">4 ") || after.contains("4</"), "{after}");
}

/// Attribution, feedback and an experiment are pinned like every report: their pages carry the control, the
/// dashboard draws each chart as its page does, and each tile opens its page (an experiment's own page).
#[tokio::test]
async fn attribution_feedback_and_an_experiment_are_pinned_as_their_pages_draw_them() {
    use tropa_app::audit::Who;
    use tropa_core::analysis::experiment::definition::{DecisionRule, ExperimentDefinition, VariantDef};
    use tropa_core::calendar::Calendar;

    let h = harness();
    h.shop().await;
    let mut batch = Vec::new();
    for (variant, n) in [("A", 20), ("B", 20)] {
        for i in 0..n {
            let user = format!("x-{variant}-{i}");
            batch.push(json!({"type": "track", "event": "experiment_exposure", "userId": user,
                "timestamp": "2026-05-02T10:00:00Z", "messageId": format!("x-{user}"),
                "properties": {"experiment": "checkout", "variant": variant}}));
            batch.push(json!({"type": "track", "event": "survey_response", "userId": user,
                "timestamp": "2026-05-03T10:00:00Z", "messageId": format!("s-{user}"),
                "properties": {"survey": "nps", "question": "nps", "score": (i % 11), "text": "fine"}}));
            if i % 3 == 0 {
                batch.push(json!({"type": "track", "event": "purchase", "userId": user,
                    "timestamp": "2026-05-02T12:00:00Z", "messageId": format!("p-{user}"),
                    "properties": {"revenue": 100}}));
            }
        }
    }
    let r = h.post("/v1/batch", Some(&h.write_a), json!({"batch": batch}).to_string()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let definition = ExperimentDefinition {
        key: "checkout".into(),
        hypothesis: "More buy".into(),
        variants: vec![VariantDef { name: "A".into(), weight: 1.0 }, VariantDef { name: "B".into(), weight: 1.0 }],
        exposure: "experiment_exposure".into(),
        experiment_property: "experiment".into(),
        variant_property: "variant".into(),
        start: String::new(),
        end: String::new(),
        primary: "conversion:purchase:7d".into(),
        guardrails: vec![],
        rule: DecisionRule { alpha: 0.05, min_effect: 0.0, min_weeks: 0 },
        capping: None,
        funnel: None,
    };
    tropa_app::experiments::save(&h.state.meta, &Who::cli("test"), "a", &definition, Calendar::UTC, 0).unwrap();
    h.user("an@x.ru", Role::Analyst);
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;

    // each page offers the control with its own kind and parameters
    for (path, kind) in [
        ("/attribution?project=a&conversion=purchase&lookback=30d", "attribution"),
        ("/feedback?project=a&period=day", "feedback"),
        ("/experiments/checkout?project=a", "experiments"),
    ] {
        let page = html(&h.send(page_get(path, &analyst)).await);
        assert!(
            page.contains("Pin to dashboard") && page.contains(&format!("name=\"kind\" value=\"{kind}\"")),
            "{path}"
        );
    }
    let pin = |form: String| page_post("/dashboards/pin", &analyst, &format!("csrf={csrf}&project=a&{form}"));
    let forms = [
        format!(
            "kind=attribution&query={}&title=Channels&dashboard=new&new_name=Growth",
            enc("conversion=purchase&lookback=30d")
        ),
        format!("kind=feedback&query={}&title=NPS&dashboard=1", enc("period=day")),
        format!("kind=experiments&query={}&title=Checkout+test&dashboard=1", enc("key=checkout")),
    ];
    for form in forms {
        let r = h.send(pin(form)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", html(&r));
    }
    let page = html(&h.send(page_get("/dashboards/1?project=a", &analyst)).await);
    assert_eq!(tiles(&page), ["Channels", "NPS", "Checkout test"]);
    assert_eq!(page.matches("<figure class=\"chart\"><svg").count(), 3, "{page}");
    assert!(page.contains("href=\"/experiments/checkout?project=a\""), "{page}");
    assert!(page.contains("href=\"/attribution?project=a&amp;conversion=purchase&amp;lookback=30d\""), "{page}");

    // a changed definition is drawn again, though the data did not change
    let chart = |page: &str| page.split("<figure class=\"chart\">").nth(3).unwrap_or_default().to_string();
    let before = chart(&page);
    let changed = ExperimentDefinition { primary: "revenue:7d".into(), ..definition.clone() };
    tropa_app::experiments::save(&h.state.meta, &Who::cli("test"), "a", &changed, Calendar::UTC, 1).unwrap();
    let page = html(&h.send(page_get("/dashboards/1?project=a", &analyst)).await);
    assert_ne!(chart(&page), before, "the tile follows the experiment's definition");

    // the experiment's chart as a download is the tile's chart
    let r = h.send(page_get("/experiments/checkout?project=a&download=lift&format=svg", &analyst)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("image/svg+xml"));
}
