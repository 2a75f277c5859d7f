use super::template::{self, Template};
use super::*;

#[test]
fn every_template_reads_and_instantiates_valid_maps_in_both_languages() {
    assert_eq!(Template::source_errors(), Vec::<String>::new());
    let keys: Vec<&str> = template::all().iter().map(|t| t.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "online_store",
            "health_consultation",
            "clothing_store",
            "education",
            "travel_agency",
            "sales_funnel",
            "blank"
        ]
    );
    for t in template::all() {
        for lang in ["ru", "en"] {
            let m = t.instantiate(lang);
            m.validate().unwrap_or_else(|e| panic!("{} ({lang}): {e}", t.key));
            assert_eq!(m.definition().unwrap().stages.len(), m.stages.len());
            for p in t.personas(lang) {
                p.validate().unwrap_or_else(|e| panic!("{} persona {}: {e}", t.key, p.key));
            }
        }
    }
    let travel = template::by_key("travel_agency").unwrap().instantiate("ru");
    assert_eq!(travel.stages.len(), 6, "the travel agency's journey has six stages");
    assert_eq!(travel.stages[2].name, "Подбор и индивидуальная консультация");
    let shop = template::by_key("online_store").unwrap();
    let names: Vec<String> = shop.personas("ru").iter().map(|p| format!("{}, {}", p.name, p.age.unwrap())).collect();
    assert_eq!(names, ["Мария, 35", "Алексей, 27"]);
}

#[test]
fn json_and_yaml_round_trip() {
    let m = template::by_key("online_store").unwrap().instantiate("en");
    assert_eq!(JourneyMap::from_json(&m.to_json()).unwrap(), m);
    assert_eq!(JourneyMap::from_yaml(&m.to_yaml()).unwrap(), m);
}

#[test]
fn bad_documents_name_every_field() {
    let mut m = template::by_key("blank").unwrap().instantiate("en");
    m.title = " ".into();
    m.stages[1].key = "Bad Key".into();
    m.stages[2].key = "before".into();
    m.lanes[4].scores.insert("before".into(), 3);
    m.lanes[0].cells.insert("nowhere".into(), "x".into());
    m.problems = vec!["purchase where".into()];
    m.period.since = Some("yesterday".into());
    let fields: Vec<String> = m.validate().unwrap_err().issues().into_iter().map(|i| i.field).collect();
    for f in [
        "title",
        "stages[1].key",
        "stages[2].key",
        "lanes[4].scores.before",
        "lanes[0].cells.nowhere",
        "problems[0]",
        "period.since",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} missing in {fields:?}");
    }
    assert!(matches!(JourneyMap::from_json("{\"title\": 1}"), Err(MapError::Unreadable { .. })));
    assert!(matches!(
        JourneyMap::from_json("{\"title\":\"x\",\"stages\":[],\"lanes\":[],\"extra\":1}"),
        Err(MapError::Unreadable { .. })
    ));
    let mut bad_rule = template::by_key("blank").unwrap().instantiate("en");
    bad_rule.stages[1].event = vec!["purchase where revenue >".into()];
    let e = bad_rule.validate().unwrap_err().issues();
    assert!(e[0].field.starts_with("stages[1]"), "{e:?}");
}

#[test]
fn edits_keep_the_map_valid_and_diff_lists_them() {
    let before = template::by_key("online_store").unwrap().instantiate("ru");
    let mut m = before.clone();
    m.apply(&Edit::SetCell { lane: "pains".into(), stage: "research".into(), text: "Нет фото".into() }).unwrap();
    m.apply(&Edit::SetScore { lane: "emotions".into(), stage: "purchase".into(), score: Some(-2) }).unwrap();
    m.apply(&Edit::RenameStage { stage: "decision".into(), name: "Корзина".into() }).unwrap();
    m.apply(&Edit::MoveStage { stage: "research".into(), to: 0 }).unwrap();
    m.apply(&Edit::AddStage {
        name: "Отзыв".into(), event: vec!["review".into()], after: Some("after_sale".into())
    })
    .unwrap();
    m.apply(&Edit::AddLane { kind: LaneKind::Notes, title: None, after: None }).unwrap();
    assert_eq!(m.stages.last().unwrap().key, "otzyv");
    assert_eq!(m.lanes.last().unwrap().title, "Заметки");
    // refused edits change nothing
    let kept = m.clone();
    assert!(m.apply(&Edit::SetScore { lane: "emotions".into(), stage: "purchase".into(), score: Some(5) }).is_err());
    assert!(m.apply(&Edit::SetCell { lane: "reached".into(), stage: "purchase".into(), text: "x".into() }).is_err());
    assert!(m.apply(&Edit::SetCell { lane: "pains".into(), stage: "nope".into(), text: "x".into() }).is_err());
    assert!(m.apply(&Edit::SetStageRule { stage: "purchase".into(), event: vec!["purchase where".into()] }).is_err());
    assert!(m.apply(&Edit::RenameStage { stage: "purchase".into(), name: " ".into() }).is_err());
    assert_eq!(m, kept);
    let changes = diff(&before, &m);
    assert!(changes.contains(&Change::Cell {
        lane: "pains".into(),
        stage: "research".into(),
        before: String::new(),
        after: "Нет фото".into()
    }));
    assert!(changes.contains(&Change::Score {
        lane: "emotions".into(),
        stage: "purchase".into(),
        before: Some(0),
        after: Some(-2)
    }));
    assert!(changes.contains(&Change::StageRenamed {
        stage: "decision".into(),
        before: "Принятие решения".into(),
        after: "Корзина".into()
    }));
    assert!(changes.iter().any(|c| matches!(c, Change::StagesReordered { .. })));
    assert!(changes.contains(&Change::StageAdded { stage: "otzyv".into(), name: "Отзыв".into() }));
    assert!(changes.iter().any(|c| matches!(c, Change::LaneAdded { .. })));
    assert_eq!(diff(&m, &m), vec![]);
    // removing a stage removes its cells
    m.apply(&Edit::RemoveStage { stage: "research".into() }).unwrap();
    assert!(m.lanes.iter().all(|l| !l.cells.contains_key("research")));
    // edits arrive as JSON from the editor
    let e: Edit =
        serde_json::from_str(r#"{"op":"set_cell","lane":"goals","stage":"purchase","text":"Быстро"}"#).unwrap();
    m.apply(&e).unwrap();
    assert!(serde_json::from_str::<Edit>(r#"{"op":"set_cell","lane":"goals"}"#).is_err());
}

#[test]
fn markdown_has_every_stage_and_lane() {
    let m = template::by_key("online_store").unwrap().instantiate("ru");
    let md = markdown::to_markdown(&m, None, None);
    assert!(md.starts_with("# Интернет-магазин товаров для активного отдыха"));
    assert!(md.contains("| Этап | Первичный контакт | Исследование |"));
    assert!(md.contains("| **Эмоции** | +1 🙂 | +1 🙂 | -1 🙁 | +0 😐 | -1 🙁 |"), "{md}");
    assert_eq!(md.lines().filter(|l| l.starts_with("| **")).count(), m.lanes.len());
    assert_eq!(markdown::trend(110.0, 100.0), "▲");
    assert_eq!(markdown::trend(100.0, 100.2), "▶");
    assert_eq!(markdown::int(1234567, "ru"), "1\u{202f}234\u{202f}567");
}

#[test]
fn segments_combine_and_personas_validate() {
    let a = Segment {
        traits: vec!["city = Казань".into()],
        first_channel: vec!["email".into(), "direct".into()],
        ..Segment::default()
    };
    let b = Segment { did: vec!["purchase".into()], first_channel: vec!["email".into()], ..Segment::default() };
    let both = a.and(&b);
    assert_eq!((both.traits.len(), both.did.len(), both.first_channel.clone()), (1, 1, vec!["email".to_string()]));
    assert!(both.scope("segment").is_ok());
    let bad = Segment { traits: vec!["city".into()], ..Segment::default() };
    assert_eq!(bad.scope("segment").unwrap_err()[0].field, "segment.traits[0]");
    let p = persona::Persona::from_json(
        r#"{"key":"maria","name":"Мария","age":35,"segment":{"traits":["gender = female"]}}"#,
    )
    .unwrap();
    assert_eq!(p.age, Some(35));
    assert!(persona::Persona::from_json(r#"{"key":"Maria","name":""}"#).is_err());
}
