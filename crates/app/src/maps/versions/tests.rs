use tropa_core::analysis::stages::DefinitionFormat;
use tropa_core::cjm::Edit;
use tropa_core::lang::Lang;

use super::*;
use crate::maps::saved::create_with_stages;

fn setup() -> (tempfile::TempDir, Meta, i64) {
    let dir = tempfile::tempdir().unwrap();
    let meta = crate::layout::open_meta(dir.path()).unwrap();
    meta.create_project("p", "", 0).unwrap();
    let u = meta.create_user("ann@x.ru", tropa_meta::Role::Analyst, "long enough pw", 0).unwrap();
    (dir, meta, u.id)
}

fn edit(meta: &Meta, id: i64, e: Edit, by: Author, email: &str) -> Saved {
    let (before, latest) = load(meta, "p", id, None).unwrap();
    let mut after = before.clone();
    after.apply(&e).unwrap();
    save_edit(meta, ("p", id, latest), (&before, &after), by, email).unwrap()
}

fn cell(text: &str) -> Edit {
    Edit::SetCell { lane: "pains".into(), stage: "purchase".into(), text: text.into() }
}

#[test]
fn typing_one_cell_in_one_sitting_is_one_version() {
    let (_d, meta, user) = setup();
    let at = |now| Author { user: Some(user), now };
    let id = create_with_stages(&meta, "p", ("online_store", Lang::En), None, StageLink::Detached, at(0)).unwrap();
    // one sentence typed with pauses: one version
    assert_eq!(edit(&meta, id, cell("Slow"), at(1_000), "ann@x.ru"), Saved::New(2));
    assert_eq!(edit(&meta, id, cell("Slow deliv"), at(5_000), "ann@x.ru"), Saved::Merged(2));
    assert_eq!(edit(&meta, id, cell("Slow delivery"), at(9_000), "ann@x.ru"), Saved::Merged(2));
    let v = meta.map_version("p", id, None).unwrap().unwrap();
    assert_eq!(v.version, 2);
    let changes: Vec<Change> = serde_json::from_str(&v.summary).unwrap();
    assert!(matches!(&changes[..], [Change::Cell { after, .. }] if after == "Slow delivery"), "{changes:?}");
    // the same text again: nothing
    assert_eq!(edit(&meta, id, cell("Slow delivery"), at(9_500), "ann@x.ru"), Saved::Unchanged(2));
    // another cell, another person, or a long pause: a new version
    let other = Edit::SetCell { lane: "goals".into(), stage: "purchase".into(), text: "Pay fast".into() };
    assert_eq!(edit(&meta, id, other, at(10_000), "ann@x.ru"), Saved::New(3));
    assert_eq!(edit(&meta, id, cell("Slow"), at(11_000), "ann@x.ru"), Saved::New(4));
    assert_eq!(edit(&meta, id, cell("Slow!"), at(12_000), "bob@x.ru"), Saved::New(5));
    assert_eq!(edit(&meta, id, cell("Slow!!"), at(12_000 + MERGE_WINDOW_MS + 1), "bob@x.ru"), Saved::New(6));
    // a named version is kept as it is
    meta.name_map_version("p", id, 6, "Workshop").unwrap();
    assert_eq!(edit(&meta, id, cell("Slow!!!"), at(12_000 + MERGE_WINDOW_MS + 2), "bob@x.ru"), Saved::New(7));
}

#[test]
fn restoring_makes_a_new_version_with_the_old_document() {
    let (_d, meta, user) = setup();
    let by = Author { user: Some(user), now: 1 };
    let id = create_with_stages(&meta, "p", ("online_store", Lang::En), None, StageLink::Detached, by).unwrap();
    edit(&meta, id, cell("Slow delivery"), by, "ann@x.ru");
    let (v1, _) = load(&meta, "p", id, Some(1)).unwrap();
    assert_eq!(restore(&meta, "p", id, 1, by).unwrap(), 3);
    let (v3, latest) = load(&meta, "p", id, None).unwrap();
    assert_eq!((v3, latest), (v1, 3));
    let summary: Vec<Change> =
        serde_json::from_str(&meta.map_version("p", id, None).unwrap().unwrap().summary).unwrap();
    assert_eq!(summary[0], Change::Restored { version: 1 });
    assert_eq!(restore(&meta, "p", id, 3, by).unwrap(), 3, "the latest again: nothing to do");
    assert!(restore(&meta, "p", id, 9, by).is_err());
}

#[test]
fn a_linked_map_has_the_projects_stages_and_follows_them_version_by_version() {
    let (_d, meta, user) = setup();
    let by = Author { user: Some(user), now: 1 };
    let id = create_with_stages(&meta, "p", ("online_store", Lang::Ru), None, StageLink::Linked, by).unwrap();
    assert_eq!(meta.map("p", id).unwrap().unwrap().stages, StageLink::Linked);
    let (map, _) = load(&meta, "p", id, None).unwrap();
    let def = crate::definitions::project(&meta, "p").unwrap().definition;
    let keys: Vec<&str> = map.stages.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["awareness", "interest", "consideration", "purchase", "repeat_purchase"]);
    assert_eq!(map.stages[0].name, "Осведомленность");
    assert_eq!(map.stages[4].nth, Some(2));
    assert_eq!(map.definition().unwrap().stages.len(), def.stages.len());
    // the template's cells moved with their positions
    assert!(map.lanes.iter().any(|l| l.cells.contains_key("awareness")));

    // the project's stages change: the linked map gets a new version, the detached one does not
    let detached = create_with_stages(&meta, "p", ("online_store", Lang::Ru), None, StageLink::Detached, by).unwrap();
    let text = "version = 1\nname = \"two\"\n\
                [[stages]]\nkey = \"awareness\"\nname = { en = \"Seen\", ru = \"Видел\" }\nevent = \"*\"\n\
                [[stages]]\nkey = \"purchase\"\nname = { en = \"Bought\", ru = \"Купил\" }\nevent = \"purchase\"\nwithin = \"30d\"\n";
    crate::definitions::save(&meta, "p", (text, DefinitionFormat::Toml), None, 2).unwrap();
    assert_eq!(follow_project(&meta, "p", by).unwrap(), [(id, 2)]);
    let (map2, _) = load(&meta, "p", id, None).unwrap();
    assert_eq!(map2.stages.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["Видел", "Купил"]);
    assert_eq!(map2.stages[1].within.as_deref(), Some("30d"));
    // version 1 keeps the rules it was computed with
    assert_eq!(load(&meta, "p", id, Some(1)).unwrap().0, map);
    assert_eq!(load(&meta, "p", detached, None).unwrap().1, 1);
    assert!(follow_project(&meta, "p", by).unwrap().is_empty(), "already the project's stages");

    // linking the detached map: a version with the project's stages; detaching: none
    assert_eq!(link(&meta, "p", detached, by).unwrap(), 2);
    detach(&meta, "p", id).unwrap();
    assert_eq!(meta.map("p", id).unwrap().unwrap().stages, StageLink::Detached);
}
