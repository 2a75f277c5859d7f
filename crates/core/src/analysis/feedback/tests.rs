use super::*;
use crate::event::Event;
use crate::journey::{EventAccess, RowRef, TextCol};

struct Props(Vec<String>);

impl EventAccess for Props {
    fn event(&self, _: RowRef) -> Event {
        Event::default()
    }
    fn text(&self, col: TextCol, r: RowRef) -> &str {
        match col {
            TextCol::Properties => self.0.get(r.row as usize).map_or("{}", String::as_str),
            _ => "",
        }
    }
}

/// Folds journeys of `(minute, name, properties)` events; purchases carry revenue.
fn run(customers: &[&[(i64, &str, &str)]], from: Option<i64>) -> FeedbackReport {
    let mut dicts = Dictionaries::default();
    for c in customers {
        for (_, name, _) in c.iter() {
            dicts.intern(DictCol::Name, name).unwrap();
        }
    }
    let spec = FeedbackSpec {
        definition: JourneyDefinition::default_definition().unwrap(),
        now: i64::MAX,
        from,
        to: None,
        period: Period::Day,
        calendar: Calendar::default(),
    };
    let fold = FeedbackFold::new(spec, &dicts).unwrap();
    let mut acc = fold.init();
    for (i, c) in customers.iter().enumerate() {
        let ts: Vec<i64> = c.iter().map(|e| e.0 * 60_000).collect();
        let name: Vec<u16> = c.iter().map(|e| dicts.name_code(e.1).unwrap()).collect();
        let revenue: Vec<f64> = c.iter().map(|e| if e.1 == "purchase" { 10.0 } else { f64::NAN }).collect();
        let rows: Vec<RowRef> = (0..c.len()).map(|r| RowRef { part: 0, row: r as u32 }).collect();
        let access = Props(c.iter().map(|e| e.2.to_string()).collect());
        let chan = vec![0u32; c.len()];
        let mut dict: [&[u32]; DictCol::COUNT] = [&[]; DictCol::COUNT];
        dict[DictCol::Channel as usize] = &chan;
        let j = Journey {
            customer: ActorId(i as u32),
            ts: &ts,
            name: &name,
            dict,
            revenue: &revenue,
            kind: &[],
            rows: &rows,
            access: &access,
        };
        // each customer in its own partial result, merged in order: the same as one pass
        let mut part = fold.init();
        fold.fold(&mut part, &j);
        fold.merge(&mut acc, part);
    }
    fold.report(&acc)
}

#[test]
fn an_answer_counts_at_the_stage_reached_when_it_was_given() {
    let r = run(
        &[&[
            (0, "page_view", "{}"),
            (5, "view_item", "{}"),
            (6, "add_to_cart", "{}"),
            (10, "purchase", "{}"),
            (20, "nps_response", "{\"score\":10}"),
            (30, "nps_response", "{\"score\":3}"),
        ]],
        None,
    );
    let p = r.stages.iter().find(|s| s.key == "purchase").unwrap();
    assert_eq!((p.scores.nps.n, p.scores.nps.value, p.respondents, p.reached), (2, Some(0.0), 1, 1));
    assert!(p.scores.nps.small_sample);
    assert_eq!(r.stages[0].scores.nps.n, 0);
}

#[test]
fn out_of_range_scores_are_invalid_and_a_quick_second_answer_replaces_the_first() {
    let q = |s: &str| format!("{{\"survey\":\"s\",\"question\":\"q\",\"kind\":\"csat\",\"score\":{s}}}");
    let (a, b, c, d) = (q("2"), q("5"), q("0"), q("\"x\""));
    let journey: &[(i64, &str, &str)] = &[
        (0, "survey_response", &a),
        (60, "survey_response", &b),
        (2000, "survey_response", &c),
        (2001, "survey_response", &d),
        (3000, "survey_response", &a),
    ];
    let r = run(&[journey], None);
    // 2 then 5 an hour later: only 5 counts; 0 and "x" invalid; 2 on the next day counts
    assert_eq!((r.answers, r.superseded, r.invalid), (2, 1, 2));
    assert_eq!(r.overall.csat.distribution, vec![0, 1, 0, 0, 1]);
    assert_eq!(r.trend.len(), 2);
}

#[test]
fn the_period_selects_answers_but_the_stage_sees_earlier_events() {
    let r = run(
        &[&[(0, "page_view", "{}"), (1, "view_item", "{}"), (100, "review", "{\"rating\":1,\"text\":\"bad\"}")]],
        Some(50 * 60_000),
    );
    let i = r.stages.iter().find(|s| s.key == "interest").unwrap();
    assert_eq!((i.scores.csat.n, i.scores.csat.negative, i.negative_share, i.texts), (1, 1, Some(1.0), 1));
}
