//! Attribution per period (issue 15, requirement 3): the page's table, chart and download, the query API's
//! `period_costs`, and a pinned period chart — a day's spend meets the conversions of the same day.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;
use tropa_app::audit::Who;
use tropa_core::analysis::attribution::costs::CostImport;
use tropa_meta::Role;

/// u1 buys 300 on 1 May from paid search, u2 buys 100 on 2 May from paid search, u3 comes from VK on 2 May and
/// does not buy; spend on paid search: 150 on 1 May, 50 on 2 May, 20 on 3 May.
async fn shop_with_spend(h: &Harness) {
    let mut batch = Vec::new();
    let visits = [
        ("u1", "2026-05-01", "google", Some(300)),
        ("u2", "2026-05-02", "google", Some(100)),
        ("u3", "2026-05-02", "vk", None),
    ];
    for (u, day, source, revenue) in visits {
        let campaign = json!({"campaign": {"source": source, "medium": "cpc"}});
        batch.push(json!({"type":"track","event":"page_view","userId":u,"timestamp":format!("{day}T10:00:00Z"),
            "messageId":format!("{u}-v"),"context":campaign}));
        if let Some(r) = revenue {
            batch.push(json!({"type":"track","event":"purchase","userId":u,"timestamp":format!("{day}T10:10:00Z"),
                "messageId":format!("{u}-p"),"properties":{"revenue":r},"context":campaign}));
        }
    }
    let r = h.post("/v1/batch", Some(&h.write_a), json!({"batch": batch}).to_string()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let opts = CostImport {
        currency: "RUB".into(),
        rates: Vec::new(),
        add_vat: None,
        source: None,
        medium: None,
        file_currency: None,
    };
    let file = "date,source,medium,campaign,cost\n2026-05-01,google,cpc,,150\n2026-05-02,google,cpc,,50\n2026-05-03,google,cpc,,20\n";
    tropa_app::costs::import(&h.state.meta, "a", file, &opts, &Who::cli("test"), 0).unwrap().unwrap();
}

#[tokio::test]
async fn the_page_shows_each_days_spend_against_its_conversions_and_downloads_them() {
    let h = harness();
    shop_with_spend(&h).await;
    h.user("an@x.ru", Role::Analyst);
    let (cookie, _) = h.sign_in("an@x.ru", "correct horse battery").await;
    let q = "/attribution?project=a&conversion=purchase&lookback=30d&period=day&pmodel=last_touch";
    let page = html(&h.send(page_get(q, &cookie)).await);
    assert!(page.contains("By period") && page.contains("Last touch"), "{page}");
    assert!(page.contains("A period's spend meets the conversions of the same period"), "{page}");
    for day in ["2026-05-01", "2026-05-02", "2026-05-03"] {
        assert!(page.contains(&format!("<td>{day}</td>")), "{day} missing");
    }
    assert!(page.contains("id=\"attr-periods\"") || page.contains("attr-periods"), "the chart");
    // CPA 150, ROAS 2.00, ROMI 100 % on 1 May
    let table =
        page.split("attr-periods\"><thead>").nth(1).or_else(|| page.split("class=\"attr-periods\"").nth(1)).unwrap();
    assert!(table.contains("<td class=\"num\">150</td><td class=\"num\">1.0</td><td class=\"num\">300</td><td class=\"num\">150</td><td class=\"num\">2.00</td><td class=\"num\">100 %</td>"), "{table}");

    let csv = h.send(page_get(&format!("{q}&download=attr-periods&format=csv"), &cookie)).await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.body.as_str().map(str::to_string).unwrap_or_else(|| csv.body.to_string());
    assert!(text.contains("period,label,cost,first_touch_conversions"), "{text}");
    assert!(text.contains("2026-05-03,paid_search,20,0,0,,0,-1"), "{text}");

    // in Russian the section speaks Russian
    let user = h.state.meta.user("an@x.ru").unwrap().unwrap();
    h.state.meta.set_lang(user.id, "ru").unwrap();
    let ru = html(&h.send(page_get(q, &cookie)).await);
    assert!(ru.contains("По периодам · Последнее касание") && !ru.contains("By period"), "{ru}");
    assert!(ru.contains("<td class=\"num\">2,00</td>"), "Russian decimals");
}

#[tokio::test]
async fn the_api_answers_period_costs_and_names_a_bad_period() {
    let h = harness();
    shop_with_spend(&h).await;
    let r = h.query("/api/v1/attribution", &h.read_a, Some(json!({"conversion": "purchase", "period": "day"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["period"], "day");
    let days = r.body["period_costs"].as_array().unwrap();
    let summary: Vec<(String, f64, u64)> = days
        .iter()
        .map(|d| {
            (d["period"].as_str().unwrap().to_string(), d["cost"].as_f64().unwrap(), d["conversions"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(
        summary,
        [("2026-05-01".into(), 150.0, 1), ("2026-05-02".into(), 50.0, 1), ("2026-05-03".into(), 20.0, 0)]
    );
    let paid = &days[1]["labels"].as_array().unwrap().iter().find(|l| l["label"] == "paid_search").unwrap()["models"];
    // last touch (the model at index 1): CPA 50, ROAS 2
    assert_eq!((paid[1]["cpa"].as_f64(), paid[1]["roas"].as_f64()), (Some(50.0), Some(2.0)));
    assert_eq!(r.body["costs"]["total"].as_f64(), Some(220.0));

    let bad =
        h.query("/api/v1/attribution", &h.read_a, Some(json!({"conversion": "purchase", "period": "quarter"}))).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.to_string().contains("period"), "{}", bad.body);
}
