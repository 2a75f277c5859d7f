//! The demo's online-store map on generated journeys shows the planted truths of `tropa-synth` in its data
//! lanes: about 70 % of the customers who add to the cart never buy (the industry average cart abandonment, the drop-off
//! of "Decision"), and the problems come after the purchase (slow deliveries bring support tickets and refunds).

use tropa_app::maps;
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
    let data = maps::data(&engine, &map, None).unwrap().expect("data");
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
    let hers = maps::data(&engine, &map, Some(&maria.segment)).unwrap().unwrap();
    assert!(hers.current.customers > 0 && hers.current.customers * 5 < data.current.customers);
}
