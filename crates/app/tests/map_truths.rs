//! The demo's online-store map on generated journeys shows the planted truths of `tropa-synth` in its data
//! lanes: about 70 % of the customers who add to the cart never buy (the industry average cart abandonment, the drop-off
//! of "Decision"), and the problems come after the purchase (slow deliveries bring support tickets and refunds).

use tropa_app::maps;
use tropa_core::calendar::Calendar;
use tropa_core::cjm::template;
use tropa_engine::Engine;
use tropa_synth::SynthConfig;
use tropa_testkit::NaiveEngine;

#[test]
fn the_online_store_map_shows_the_planted_truths() {
    let engine = NaiveEngine::new();
    let cfg = SynthConfig { customers: 4_000, ..SynthConfig::default() };
    engine.ingest(tropa_synth::chunk(&cfg, 0..cfg.customers)).unwrap();
    let map = template::by_key("online_store").unwrap().instantiate("ru");
    let data = maps::data(&engine, &map, None, Calendar::UTC).unwrap().expect("data");
    let stage = |key: &str| data.current.stages.iter().find(|s| s.key == key).unwrap().clone();
    let decision = stage("decision");
    let drop = decision.drop_share.unwrap();
    assert!((0.62..0.78).contains(&drop), "cart abandonment at checkout ≈ 70 %: {drop}");
    let problems = |key: &str| stage(key).problem_share.unwrap();
    let after = problems("purchase").max(problems("after_sale"));
    assert!(after > 0.1, "the slow-delivery problem after purchase: {after}");
    for before in ["first_contact", "research", "decision"] {
        assert!(problems(before) * 10.0 < after, "{before}: {} vs {after}", problems(before));
    }
    // the chart and the suggestions say so too
    let chart = maps::chart(&map, Some(&data), "", "");
    let dropoff = chart.rows.iter().find(|r| r.title == "Не пошли дальше").unwrap();
    assert!(
        dropoff.cells[2].text.starts_with(&format!("{:.1}", drop * 100.0).replace('.', ",")),
        "{:?}",
        dropoff.cells[2]
    );
    let tips = maps::suggestions(&engine, &map, &data).unwrap();
    assert!(tips.iter().any(|t| t.stage == "decision" && t.text.contains("Самый большой отвал")), "{tips:?}");
    // a persona's lanes count only its customers
    let maria = template::by_key("online_store").unwrap().personas("ru").remove(0);
    let hers = maps::data(&engine, &map, Some(&maria.segment), Calendar::UTC).unwrap().unwrap();
    assert!(hers.current.customers > 0 && hers.current.customers * 5 < data.current.customers);
}

/// A map's period is days of the project's time zone (regression: its dates were UTC days whatever the project's
/// zone): in Kamchatka (UTC+12) 2026-03-02 starts at 12:00 UTC on March 1, so a visit at 13:00 UTC that day is in
/// the period, one at 11:00 UTC is not; in UTC neither is.
#[test]
fn a_maps_period_is_read_in_the_projects_time_zone() {
    let engine = NaiveEngine::new();
    let at = |h: i64| 1_772_323_200_000 + h * 3_600_000; // 2026-03-01T00:00:00Z + h hours
    engine
        .ingest(vec![
            tropa_testkit::track(1, "early", at(11), "view_item"),
            tropa_testkit::track(2, "late", at(13), "view_item"),
            tropa_testkit::track(3, "later", at(40), "view_item"),
        ])
        .unwrap();
    let mut map = template::by_key("online_store").unwrap().instantiate("en");
    map.period.since = Some("2026-03-02".into());
    map.period.until = Some("2026-03-03".into());
    let kamchatka = Calendar::parse("Asia/Kamchatka").unwrap();
    let local = maps::data(&engine, &map, None, kamchatka).unwrap().unwrap();
    assert_eq!((local.since, local.until), (Some(at(12)), at(36)));
    assert_eq!(local.current.customers, 1, "only the 13:00 UTC visit is on March 2 in Kamchatka");
    let utc = maps::data(&engine, &map, None, Calendar::UTC).unwrap().unwrap();
    assert_eq!((utc.since, utc.until), (Some(at(24)), at(48)));
    assert_eq!(utc.current.customers, 1, "only the March 2 (UTC) visit");
    assert!(maps::subtitle(&map, None, Some(&local)).contains("2026-03-02 — 2026-03-02"));
}

/// The demo's ad spend on the map's lane "cost per customer reaching the stage" (issue 15): every customer reaches
/// the first stage, so it carries all the matched spend; deeper stages carry the shares of their customers only,
/// never more; matched and unmatched spend add up to the spend of the period; the cell shows the numbers, in
/// Russian and English, and the Markdown export has the lane.
#[test]
fn the_cost_lane_shares_the_demo_spend_by_the_customers_channels() {
    use tropa_core::analysis::attribution::costs::CostRow;
    use tropa_core::cjm::{Lane, LaneKind};
    let engine = NaiveEngine::new();
    let cfg = SynthConfig { customers: 3_000, ..SynthConfig::default() };
    engine.ingest(tropa_synth::chunk(&cfg, 0..cfg.customers)).unwrap();
    let spend: Vec<CostRow> = tropa_synth::ad_spend(&cfg)
        .into_iter()
        .map(|s| CostRow {
            day: s.day,
            source: s.source.into(),
            medium: s.medium.into(),
            campaign: s.campaign,
            channel: String::new(),
            cost: s.cost,
            currency: "RUB".into(),
        })
        .collect();
    let mut map = template::by_key("online_store").unwrap().instantiate("ru");
    map.lanes.push(Lane {
        key: "cost".into(),
        kind: LaneKind::CostPerCustomer,
        title: LaneKind::CostPerCustomer.title("ru").into(),
        cells: Default::default(),
        scores: Default::default(),
    });
    let mut data = maps::data(&engine, &map, None, Calendar::UTC).unwrap().expect("data");
    let before = maps::data_cell_in(LaneKind::CostPerCustomer, &map.stages[0].key, &data, "en");
    assert_eq!(before.text, "—", "no spend applied: no value");
    maps::apply_spend(&mut data, &spend);
    let (first, last) = (engine.time_bounds().unwrap().0.unwrap(), data.until - 1);
    let in_period: f64 = spend
        .iter()
        .filter(|r| {
            r.day.as_str() >= Calendar::UTC.format_date(first).as_str() && r.day <= Calendar::UTC.format_date(last)
        })
        .map(|r| r.cost)
        .sum();
    let stages = &data.current.stages;
    assert_eq!(stages[0].reached, data.current.customers, "everyone reaches the first stage");
    let carried = stages[0].spend.unwrap();
    let unmatched = data.current.unmatched_spend.unwrap();
    assert!(
        carried > 0.0 && (carried + unmatched - in_period).abs() < 1e-6 * in_period,
        "{carried} + {unmatched} vs {in_period}"
    );
    for w in stages.windows(2) {
        assert!(w[1].spend.unwrap() <= w[0].spend.unwrap() + 1e-9, "a deeper stage carries less");
    }
    for s in stages.iter().filter(|s| s.reached > 0) {
        let cpc = s.cost_per_customer.unwrap();
        assert!((cpc * s.reached as f64 - s.spend.unwrap()).abs() < 1e-6, "{}", s.key);
    }
    let purchase = stages.iter().find(|s| s.key == "purchase").unwrap();
    let cell = maps::data_cell_in(LaneKind::CostPerCustomer, "purchase", &data, "en");
    let whole = |v: f64| tropa_core::cjm::markdown::int(v.round() as u64, "en");
    let expect = format!(
        "{} ({} / {} customers)",
        whole(purchase.cost_per_customer.unwrap()),
        whole(purchase.spend.unwrap()),
        whole(purchase.reached as f64)
    );
    assert_eq!(cell.text, expect);
    assert!(maps::data_cell_in(LaneKind::CostPerCustomer, "purchase", &data, "ru").text.contains("клиентов"));
    let md = tropa_core::cjm::markdown::to_markdown(&map, Some(&data.current), data.previous.as_ref());
    assert!(md.contains(LaneKind::CostPerCustomer.title("ru")) && md.contains("клиентов)"), "{md}");

    // pinned to a dashboard: the lane's chart has each stage's cost per customer, and nothing without spend
    let lanes = tropa_app::dashboards::pinnable_lanes(&map);
    assert!(lanes.iter().any(|(k, _)| k == "cost_per_customer"), "{lanes:?}");
    let chart = tropa_app::dashboards::map_lane(&engine, &map, "cost_per_customer", ("", ""), Calendar::UTC, &spend)
        .unwrap()
        .expect("a chart");
    let expected: Vec<f64> =
        map.stages.iter().filter_map(|st| stages.iter().find(|s| s.key == st.key)?.cost_per_customer).collect();
    let got: Vec<f64> = chart.bars.iter().map(|(_, v)| *v).collect();
    assert_eq!(got, expected);
    let none = tropa_app::dashboards::map_lane(&engine, &map, "cost_per_customer", ("", ""), Calendar::UTC, &[])
        .unwrap()
        .expect("a chart");
    assert!(none.bars.is_empty(), "no spend, no bars: {:?}", none.bars);
}
