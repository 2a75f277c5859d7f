//! `tropa map` and `tropa stages save|definition|reset` end to end: a map from a template with its data lanes,
//! exports (PDF, JSON) and a JSON re-imported as a new version; the project's saved definition used by
//! `tropa stages`; mistakes are user errors (exit 1) that name the problem.

mod common;

use common::{ok, tropa, user_error};

#[test]
fn maps_from_templates_export_and_import() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&tropa(d, &["demo", "generate", "--customers", "800", "--seed", "3"]));
    assert!(ok(&tropa(d, &["map", "templates"])).contains("travel_agency"));
    assert_eq!(ok(&tropa(d, &["map", "create", "--template", "online_store", "--lang", "en"])).trim(), "created map 1");
    user_error(&tropa(d, &["map", "create", "--template", "nope"]), "use one of online_store");
    user_error(&tropa(d, &["map", "create", "--lang", "de"]), "--lang");
    let md = ok(&tropa(d, &["map", "show", "1"]));
    assert!(
        md.starts_with("# Outdoor gear online store") && md.contains("| **Customers who reached the stage** | 800"),
        "{md}"
    );
    let personas = ok(&tropa(d, &["map", "persona", "list"]));
    assert!(personas.contains("maria") && personas.contains("alexey"));
    assert!(
        ok(&tropa(d, &["map", "show", "1", "--persona", "maria"])).contains("| **Customers who reached the stage** |")
    );
    user_error(&tropa(d, &["map", "show", "1", "--persona", "ivan"]), "no persona 'ivan'");
    let pdf = d.join("map.pdf");
    ok(&tropa(d, &["map", "export", "1", "--format", "pdf", "-o", pdf.to_str().unwrap()]));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    user_error(&tropa(d, &["map", "export", "1", "--format", "gif"]), "use pdf, png, svg");
    user_error(&tropa(d, &["map", "export", "9", "--format", "json"]), "no map 9");
    // the document as JSON, edited, back as version 2
    let json = ok(&tropa(d, &["map", "export", "1", "--format", "json"]));
    let edited = json.replace("Outdoor gear online store", "Our shop");
    let file = d.join("shop.json");
    std::fs::write(&file, edited).unwrap();
    assert_eq!(ok(&tropa(d, &["map", "import", file.to_str().unwrap(), "--into", "1"])).trim(), "map 1 v2");
    assert!(ok(&tropa(d, &["map", "list"])).contains("Our shop"));
    let broken = d.join("broken.yaml");
    std::fs::write(&broken, "title: x\nstages: []\nlanes: []\n").unwrap();
    user_error(&tropa(d, &["map", "import", broken.to_str().unwrap()]), "stages: a map has 1–");
    user_error(&tropa(d, &["map", "import", d.join("x.txt").to_str().unwrap()]), "x.txt");
}

#[test]
fn the_projects_saved_definition() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&tropa(d, &["demo", "generate", "--customers", "300", "--seed", "4"]));
    let file = d.join("two.yaml");
    std::fs::write(
        &file,
        "version: 1\nname: two\nstages:\n  - key: seen\n    name: {en: Seen, ru: Видел}\n    event: view_item\n  - key: bought\n    name: {en: Bought, ru: Купил}\n    event: purchase\n",
    )
    .unwrap();
    assert!(ok(&tropa(d, &["stages", "save", file.to_str().unwrap()])).contains("«two»: 2 stages"));
    assert!(ok(&tropa(d, &["stages", "definition"])).contains("key: seen"));
    let report: serde_json::Value = serde_json::from_str(&ok(&tropa(d, &["stages", "--format", "json"]))).unwrap();
    assert_eq!(report["definition"], "two", "tropa stages uses the saved definition");
    let bad = d.join("bad.toml");
    std::fs::write(
        &bad,
        "version = 1\nname = \"x\"\n[[stages]]\nkey = \"a\"\nname = \"A\"\nevent = \"purchase where\"\n",
    )
    .unwrap();
    user_error(&tropa(d, &["stages", "save", bad.to_str().unwrap()]), "line 6");
    ok(&tropa(d, &["stages", "reset"]));
    assert!(ok(&tropa(d, &["stages", "definition"])).contains("осведомленность"));
}
