//! The web app in a project's time zone: the pages build their reports through the query API's request types,
//! so the overview's days, the builders' dates and retention's cohorts are local, and revenue carries the
//! project's currency.

mod common;

use axum::http::StatusCode;

use common::*;

#[tokio::test]
async fn pages_count_local_days_and_label_revenue_with_the_currency() {
    let h = harness();
    // views at 10:00 and 11:00 UTC on 2026-05-01, u1's purchase at 12:00 UTC: midnight of May 2 in Kamchatka
    h.shop().await;
    h.user("v@x.ru", tropa_meta::Role::Viewer);
    let (viewer, _) = h.sign_in("v@x.ru", "correct horse battery").await;
    let get = |path: &str| page_get(path, &viewer);
    let until = "/funnels?project=a&steps=view_item%0Apurchase&until=2026-05-02&download=funnel&format=csv";
    let counts = |body: String| {
        body.lines().skip(1).map(|l| l.split(',').nth(2).unwrap().to_string()).collect::<Vec<_>>().join("/")
    };
    assert_eq!(counts(html(&h.send(get(until)).await)), "3/1", "in UTC the purchase is before May 2");
    let overview = html(&h.send(get("/?project=a")).await);
    assert!(overview.contains("Revenue, RUB") && overview.contains("(UTC)"), "{overview}");

    tropa_app::settings::set(&h.state.meta, "a", Some("Asia/Kamchatka"), Some("EUR")).unwrap();
    assert_eq!(counts(html(&h.send(get(until)).await)), "3/0", "May 2 starts at 12:00 UTC in Kamchatka");
    let overview = h.send(get("/?project=a")).await;
    assert_eq!(overview.status, StatusCode::OK);
    let overview = html(&overview);
    assert!(overview.contains("Revenue, EUR") && overview.contains("(Asia/Kamchatka)"), "{overview}");
    let events = html(&h.send(get("/?project=a&download=events&format=csv")).await);
    assert_eq!(events, "\u{feff}x,Events\r\n2026-05-01,5\r\n2026-05-02,1\r\n", "two local days");
    let cohorts = html(&h.send(get("/retention?project=a&period=day&periods=2&download=cohorts&format=csv")).await);
    // u1 came back (bought) the next local day
    assert_eq!(cohorts, "\u{feff}row,customers,0,1,2\r\n2026-05-01,3,1,0.333333,\r\n");
    // a customer's timeline reads in the project's time zone too: u1's purchase at 12:00 UTC is midnight there
    let timeline = html(&h.send(get("/customers?project=a&id=u1")).await);
    assert!(timeline.contains("Time (Asia/Kamchatka)") && timeline.contains("2026-05-02 00:00"), "{timeline}");
    assert!(!timeline.contains("2026-05-01 12:00"), "{timeline}");
    let bad = html(&h.send(get("/retention?project=a&period=day&since=2026-13-01")).await);
    assert!(bad.contains("aria-invalid"), "a bad date is still shown at its field: {bad}");
    // the other project keeps UTC
    let b = html(&h.send(get("/?project=b")).await);
    assert!(!b.contains("Asia/Kamchatka"));
}
