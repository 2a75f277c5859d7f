//! The one translator of request text: every problem at once, each at its JSON field; the stages request's
//! lifecycle fields.

use tropa_app::request::{FunnelRequest, Problems, RetentionRequest, StagesRequest};
use tropa_core::lang::Lang;

fn fields(p: &Problems) -> Vec<&str> {
    p.0.iter().map(|(f, _)| f.as_str()).collect()
}

#[test]
fn every_problem_comes_at_once_even_when_a_field_cannot_be_read() {
    let r: RetentionRequest = serde_json::from_str(
        r#"{"period": "fortnight", "periods": 0, "mode": "after", "repeat_within": "30 days", "from": "soon"}"#,
    )
    .unwrap();
    let mut p = Problems::new(Lang::En);
    assert!(r.spec(&mut p).is_none());
    assert_eq!(fields(&p), ["period", "mode", "repeat_within", "from", "periods"]);

    let f: FunnelRequest = serde_json::from_str(
        r#"{"steps": [{"event": "view where"}], "window": "0d", "to": "later",
            "exclusions": [{"after": 3, "event": "refund"}]}"#,
    )
    .unwrap();
    let mut p = Problems::new(Lang::Ru);
    assert!(f.spec(&mut p).is_none());
    assert_eq!(fields(&p), ["steps[0].event", "to", "steps", "window", "exclusions"]);
}

#[test]
fn the_stages_request_takes_thresholds_and_transitions_and_names_the_one_at_fault() {
    let spec = |body: &str| {
        let r: StagesRequest = serde_json::from_str(body).unwrap();
        let mut p = Problems::new(Lang::En);
        let spec = r.spec_at(Some(1_780_000_000_000), &mut p);
        (spec, p.0)
    };
    let (s, problems) =
        spec(r#"{"dormant": "10d", "churn": "20d", "transitions": {"from": "2026-01-01", "to": "2026-02-01"}}"#);
    let s = s.unwrap_or_else(|| panic!("{problems:?}"));
    assert_eq!(
        (s.lifecycle.thresholds.dormant_ms, s.lifecycle.thresholds.churn_ms),
        (10 * 86_400_000, 20 * 86_400_000)
    );
    assert_eq!(s.lifecycle.transitions, Some((1_767_225_600_000, 1_769_904_000_000)));
    // an old body means what it meant
    let (s, _) = spec(r#"{"stuck": "14d"}"#);
    assert_eq!(s.unwrap().lifecycle.thresholds, Default::default());
    let at = |body: &str| spec(body).1.into_iter().map(|(f, _)| f).collect::<Vec<_>>();
    assert_eq!(at(r#"{"dormant": "100d"}"#), ["dormant"], "churn 90d is the default: the given dormant is at fault");
    assert_eq!(at(r#"{"churn": "1d"}"#), ["churn"]);
    assert_eq!(at(r#"{"dormant": "0d", "stuck": "0d"}"#), ["dormant", "stuck"]);
    assert_eq!(at(r#"{"transitions": {"from": "2026-01-01", "to": "soon"}}"#), ["transitions.to"]);
    assert_eq!(at(r#"{"transitions": {"from": "2026-03-01", "to": "2026-02-01"}}"#), ["transitions"]);
}
