//! One journey model through HTTP: the project's stages edited with the stage editor (no syntax typed; a
//! mistyped event refused at its field with the name most likely meant), maps linked to the project's stages
//! following them version by version, map edits of one cell in one sitting kept as one version, named versions,
//! restore, and the warning of a map whose rules name events the data never had.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::{json, Value};
use tropa_meta::StageLink;

/// A stages form: (name en, name ru, event, condition field, op, value) per stage.
fn stages_form(csrf: &str, action: &str, stages: &[(&str, &str, &str, &str, &str, &str)]) -> String {
    let mut f = format!("csrf={csrf}&project=a&action={action}&order=sequential&name=default");
    for (i, (en, ru, event, field, op, value)) in stages.iter().enumerate() {
        f.push_str(&format!(
            "&s{i}.key=&s{i}.name_en={}&s{i}.name_ru={}&s{i}.e0.event={}&s{i}.e0.field={}&s{i}.e0.op={}&s{i}.e0.value={}&s{i}.nth=&s{i}.within=",
            enc(en),
            enc(ru),
            enc(event),
            enc(field),
            enc(op),
            enc(value)
        ));
    }
    f
}

fn json_edit(cookie: &str, token: &str, body: Value) -> Request<Body> {
    Request::post("/maps/1/edit?project=a")
        .header("cookie", cookie)
        .header("content-type", "application/json")
        .header("x-csrf-token", token)
        .body(Body::from(body.to_string()))
        .unwrap()
}

#[tokio::test]
async fn the_projects_stages_are_edited_with_fields_and_linked_maps_follow_them() {
    let h = harness();
    h.shop().await;
    h.user("an@x.ru", tropa_meta::Role::Analyst);
    h.user("v@x.ru", tropa_meta::Role::Viewer);
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;
    let (viewer, vcsrf) = h.sign_in("v@x.ru", "correct horse battery").await;

    // the editor shows the default stages as fields, the data's events offered in a list
    let page = html(&h.send(page_get("/stages?project=a", &analyst)).await);
    assert_eq!(input_value(&page, "s0.name_en"), "Awareness");
    assert_eq!(input_value(&page, "s2.e0.event"), "add_to_cart");
    assert_eq!(input_value(&page, "s3.e0.field"), "revenue");
    assert!(page.contains("<datalist id=\"event-names\">") && page.contains("<option value=\"view_item\">"), "{page}");
    assert!(!page.contains("<textarea id=\"definition\""), "no raw file as the editor");

    // a button adds a stage (nothing saved)
    let three = [
        ("Seen", "Видел", "view_item", "", "=", ""),
        ("Cart", "Корзина", "add_to_cart", "", "=", ""),
        ("Bought", "Купил", "purchase", "revenue", ">", "1000"),
    ];
    let r = h.send(page_post("/stages", &analyst, &format!("{}&op=add", stages_form(&csrf, "", &three)))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(input_value(&html(&r), "s3.key"), "stage_4");
    assert!(h.state.meta.definition("a").unwrap().is_none());

    // a linked map made before the change
    let r = h
        .send(page_post(
            "/maps",
            &analyst,
            &format!("csrf={csrf}&project=a&template=online_store&lang=en&stages=linked"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(h.state.meta.map("a", 1).unwrap().unwrap().stages, StageLink::Linked);
    let page = html(&h.send(page_get("/maps/1?project=a", &analyst)).await);
    assert!(
        page.contains("Stages: the project&#39;s stages") || page.contains("Stages: the project's stages"),
        "{page}"
    );

    // a mistyped event is refused at its field with the name most likely meant; nothing is saved
    let mut typo = three;
    typo[1].2 = "add_to_card";
    let r = h.send(page_post("/stages", &analyst, &stages_form(&csrf, "save", &typo))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let page = html(&r);
    assert!(
        page.contains("no event &#39;add_to_card&#39; in the data: did you mean &#39;add_to_cart&#39;?")
            || page.contains("no event 'add_to_card' in the data: did you mean 'add_to_cart'?"),
        "{page}"
    );
    assert!(page.contains("name=\"s1.e0.event\" value=\"add_to_card\" list=\"event-names\""), "{page}");
    assert!(page
        .split("name=\"s1.e0.event\"")
        .nth(1)
        .unwrap()
        .split('>')
        .next()
        .unwrap()
        .contains("aria-invalid=\"true\""));
    assert!(h.state.meta.definition("a").unwrap().is_none());
    // viewers try, never save
    let r = h.send(page_post("/stages", &viewer, &stages_form(&vcsrf, "save", &three))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // saved: the project's stages, and the linked map has a new version with them
    let r = h.send(page_post("/stages", &analyst, &stages_form(&csrf, "save", &three))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", html(&r));
    let def = tropa_app::definitions::project(&h.state.meta, "a").unwrap().definition;
    let keys: Vec<&str> = def.stages.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["seen", "cart", "bought"]);
    assert_eq!(def.stages[2].any_of[0].text, "purchase where revenue > 1000");
    let (map, v) = tropa_app::maps::load(&h.state.meta, "a", 1, None).unwrap();
    assert_eq!(v, 2);
    assert_eq!(map.stages.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["Seen", "Cart", "Bought"]);
    // the map counts what the stages page counts: 3 saw, 2 carted, 1 bought over 1000
    let page = html(&h.send(page_get("/maps/1?project=a", &analyst)).await);
    let reached: Vec<&str> = page
        .split("data-lane=\"reached\"")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap()
        .split("<span class=\"value\">")
        .skip(1)
        .map(|c| c.split('<').next().unwrap())
        .collect();
    assert_eq!(reached, ["3", "2", "1"]);
    // version 1 keeps the stages it was computed with
    assert_eq!(tropa_app::maps::load(&h.state.meta, "a", 1, Some(1)).unwrap().0.stages.len(), 5);

    // the file export reads back as the same stages
    let r = h.send(page_get("/stages/definition?project=a&format=yaml", &viewer)).await;
    assert_eq!(r.status, StatusCode::OK);
    let text = html(&r);
    let back = tropa_core::analysis::stages::JourneyDefinition::parse(
        &text,
        tropa_core::analysis::stages::DefinitionFormat::Yaml,
    )
    .unwrap();
    assert_eq!(back, def);
    // … and a file imported goes into the editor, not saved
    let import = format!(
        "csrf={csrf}&project=a&action=import&import_format=toml&import={}",
        enc("version = 1\nname = \"x\"\n[[stages]]\nkey = \"k\"\nname = \"Only\"\nevent = \"view_item\"\n")
    );
    let r = h.send(page_post("/stages", &analyst, &import)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(input_value(&html(&r), "s0.name_en"), "Only");
    let r = h
        .send(page_post(
            "/stages",
            &analyst,
            &format!("csrf={csrf}&project=a&action=import&import_format=toml&import=%5B%5B"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn map_versions_are_one_per_cell_per_sitting_named_and_restored() {
    let h = harness();
    h.shop().await;
    h.user("an@x.ru", tropa_meta::Role::Analyst);
    h.user("v@x.ru", tropa_meta::Role::Viewer);
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;
    let (viewer, vcsrf) = h.sign_in("v@x.ru", "correct horse battery").await;
    let r = h.send(page_post("/maps", &analyst, &format!("csrf={csrf}&project=a&template=online_store&lang=en"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(h.state.meta.map("a", 1).unwrap().unwrap().stages, StageLink::Detached, "without the field: detached");

    // one sentence typed with pauses: one version
    let mut version = 1;
    for (i, text) in ["Slow", "Slow deliv", "Slow delivery"].iter().enumerate() {
        let body =
            json!({"version": version, "edit": {"op": "set_cell", "lane": "pains", "stage": "purchase", "text": text}});
        let r = h.send(json_edit(&analyst, &csrf, body)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!((r.body["version"].as_i64(), r.body["merged"].as_bool()), (Some(2), Some(i > 0)), "{}", r.body);
        assert_eq!(r.body["recomputed"].as_bool(), Some(false));
        version = 2;
    }
    assert_eq!(h.state.meta.map_history("a", 1).unwrap().len(), 2);

    // a stage rule naming an event the data never had: refused at its field with the name most likely meant
    let rule =
        |event: &str| json!({"version": 2, "edit": {"op": "set_stage_rule", "stage": "decision", "event": [event]}});
    let r = h.send(json_edit(&analyst, &csrf, rule("add_to_card"))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["field"].as_str(), Some("stages[2].event[0]"), "{}", r.body);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("did you mean 'add_to_cart'"), "{}", r.body);
    // a known one: a new version, and the answer says the numbers were recomputed
    let r = h.send(json_edit(&analyst, &csrf, rule("purchase"))).await;
    assert_eq!(
        (r.status, r.body["version"].as_i64(), r.body["recomputed"].as_bool()),
        (StatusCode::OK, Some(3), Some(true))
    );
    // a form adding a stage with a mistyped event is refused too
    let r = h
        .send(page_post(
            "/maps/1/edit",
            &analyst,
            &format!("csrf={csrf}&project=a&version=3&op=add_stage&name=Review&event=purchse&after=after_sale"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(html(&r).contains("purchase"), "{}", html(&r));

    // a name on version 2; restore version 1 as the newest
    let r =
        h.send(page_post("/maps/1/versions/2/name", &analyst, &format!("csrf={csrf}&project=a&name=Workshop"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = html(&h.send(page_get("/maps/1/history?project=a", &viewer)).await);
    assert!(page.contains("<span class=\"badge\">Workshop</span>"), "{page}");
    assert!(!page.contains("/restore"), "viewers see no restore button");
    let r = h.send(page_post("/maps/1/versions/1/restore", &viewer, &format!("csrf={vcsrf}&project=a"))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = h.send(page_post("/maps/1/versions/1/restore", &analyst, &format!("csrf={csrf}&project=a"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (now, v) = tropa_app::maps::load(&h.state.meta, "a", 1, None).unwrap();
    assert_eq!((now, v), (tropa_app::maps::load(&h.state.meta, "a", 1, Some(1)).unwrap().0, 4));
    let page = html(&h.send(page_get("/maps/1/history?project=a", &analyst)).await);
    assert!(page.contains("Restored version 1"), "{page}");
    let r = h.send(page_post("/maps/1/versions/9/name", &analyst, &format!("csrf={csrf}&project=a&name=x"))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // linking the map to the project's stages: a new version with them, and the page says so
    let r = h.send(page_post("/maps/1/stages", &analyst, &format!("csrf={csrf}&project=a&link=linked"))).await;
    assert_eq!(r.headers["location"].to_str().unwrap(), "/maps/1?project=a&done=recomputed");
    let page = html(&h.send(page_get("/maps/1?project=a&done=recomputed", &analyst)).await);
    assert!(page.contains("the numbers were recomputed"), "{page}");
    assert_eq!(h.state.meta.map("a", 1).unwrap().unwrap().version, 5);
    // … whose stages are then edited on the stages page, not on the map
    let r = h
        .send(json_edit(
            &analyst,
            &csrf,
            json!({"version": 5, "edit": {"op": "set_stage_rule", "stage": "purchase", "event": ["view_item"]}}),
        ))
        .await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("stages")), "{}", r.body);

    // audit: the restore, the name, the link
    let actions: Vec<String> = h
        .state
        .meta
        .audit(&tropa_meta::audit::Filter { limit: 100, ..Default::default() })
        .unwrap()
        .into_iter()
        .map(|e| e.action.as_str().to_string())
        .collect();
    for a in ["map.restore", "map.version_name", "map.stages"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn a_map_whose_rules_name_events_the_data_never_had_says_which() {
    let h = harness();
    h.shop().await;
    h.user("an@x.ru", tropa_meta::Role::Analyst);
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;
    let r =
        h.send(page_post("/maps", &analyst, &format!("csrf={csrf}&project=a&template=clothing_store&lang=en"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = html(&h.send(page_get("/maps/1?project=a", &analyst)).await);
    assert!(page.contains("class=\"warn missing-events\""), "{page}");
    assert!(page.contains("in the data"), "{page}");
}

#[tokio::test]
async fn a_maps_own_stages_are_edited_with_the_same_editor() {
    let h = harness();
    h.shop().await;
    h.user("an@x.ru", tropa_meta::Role::Analyst);
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;
    let r = h.send(page_post("/maps", &analyst, &format!("csrf={csrf}&project=a&template=online_store&lang=en"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = html(&h.send(page_get("/maps/1/rules?project=a", &analyst)).await);
    assert_eq!(input_value(&page, "s0.name_en"), "First contact");
    assert!(!page.contains("name=\"s0.name_ru\""), "a map's stage has one name, in the map's language");
    assert!(page.contains("/maps/1/rules?project=a") || page.contains("action=\"/maps/1/rules\""), "{page}");
    // the map's stages through the form: (key, name, event)
    let form = |action: &str, stages: &[(&str, &str, &str)]| {
        let mut f = format!("csrf={csrf}&project=a&action={action}&order=sequential");
        for (i, (key, name, event)) in stages.iter().enumerate() {
            f.push_str(&format!(
                "&s{i}.key={key}&s{i}.name_en={}&s{i}.e0.event={}&s{i}.e0.field=&s{i}.e0.op=%3D&s{i}.e0.value=&s{i}.nth=&s{i}.within=",
                enc(name),
                enc(event)
            ));
        }
        f
    };
    let three = [
        ("first_contact", "First contact", "*"),
        ("decision", "Decision", "add_to_cart"),
        ("purchase", "Purchase", "purchase"),
    ];
    let r = h.send(page_post("/maps/1/rules", &analyst, &format!("{}&op=add", form("", &three)))).await;
    assert_eq!((r.status, input_value(&html(&r), "s3.key")), (StatusCode::OK, "stage_4".to_string()));
    let mut typo = three;
    typo[1].2 = "add_to_card";
    let r = h.send(page_post("/maps/1/rules", &analyst, &form("save", &typo))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(html(&r).contains("add_to_cart"), "{}", html(&r));
    let r = h.send(page_post("/maps/1/rules", &analyst, &form("save", &three))).await;
    assert_eq!(r.headers["location"].to_str().unwrap(), "/maps/1?project=a&done=recomputed");
    let (map, v) = tropa_app::maps::load(&h.state.meta, "a", 1, None).unwrap();
    assert_eq!(v, 2, "one version for every change of the stages");
    assert_eq!(
        map.stages.iter().map(|x| x.key.as_str()).collect::<Vec<_>>(),
        ["first_contact", "decision", "purchase"]
    );
    assert!(map.lanes.iter().all(|l| !l.cells.contains_key("research")), "the cells of a removed stage go with it");
}

#[tokio::test]
async fn a_map_read_for_a_persona_exports_with_its_card_and_shows_all_customers_beside() {
    let h = harness();
    h.shop().await;
    h.user("an@x.ru", tropa_meta::Role::Analyst);
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;
    let r = h.send(page_post("/maps", &analyst, &format!("csrf={csrf}&project=a&template=online_store&lang=en"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let maria = tropa_app::maps::persona(&h.state.meta, "a", "maria").unwrap();
    for format in ["svg", "md"] {
        let r = h.send(page_get(&format!("/maps/1/export?project=a&format={format}&persona=maria"), &analyst)).await;
        assert_eq!(r.status, StatusCode::OK);
        let text = html(&r);
        assert!(text.contains(&maria.name) && text.contains(maria.goals[0].as_str()), "{format}: {text}");
    }
    let r = h.send(page_get("/maps/1/export?project=a&format=svg", &analyst)).await;
    assert!(!html(&r).contains(maria.goals[0].as_str()), "no card without a persona");
    // the persona's numbers with all customers' beside them
    let page = html(&h.send(page_get("/maps/1?project=a&persona=maria", &analyst)).await);
    assert!(page.contains("class=\"all-customers\""), "{page}");
    let page = html(&h.send(page_get("/maps/1?project=a", &analyst)).await);
    assert!(!page.contains("class=\"all-customers\""));
}
