//! `tropa map` and `tropa stages save|definition|reset` end to end: a map from a template with its data lanes,
//! exports (PDF, JSON) and a JSON re-imported as a new version; the project's saved definition used by
//! `tropa stages`; mistakes are user errors (exit 1) that name the problem.

mod common;

use std::process::Command;

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

/// Regression (the application-layer issue): the ready maps say which business they fit, never where they came
/// from; the application layer's errors name the CLI's flags, in the CLI's language.
#[test]
fn templates_speak_of_the_business_and_errors_name_the_flag_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let list = ok(&tropa(d, &["map", "templates"]));
    assert!(list.contains("Online store (e-commerce)") && list.contains("Travel agency"), "{list}");
    assert!(!list.to_lowercase().contains("seed") && !list.contains("source"), "{list}");
    let ru = |args: &[&str]| {
        Command::new(common::TROPA).env("TROPA_LANG", "ru").arg("--data").arg(d).args(args).output().unwrap()
    };
    let list_ru = ok(&ru(&["map", "templates"]));
    assert!(list_ru.contains("Интернет-магазин") && !list_ru.contains("статья"), "{list_ru}");
    user_error(&tropa(d, &["map", "create", "--template", "bakery"]), "--template: no template 'bakery'");
    user_error(&ru(&["map", "create", "--template", "bakery"]), "--template: нет шаблона 'bakery'");
    user_error(&ru(&["map", "create", "--lang", "de"]), "--lang: используйте ru или en");
    ok(&tropa(d, &["map", "create"]));
    user_error(&ru(&["map", "show", "1", "--persona", "ivan"]), "--persona: нет персоны 'ivan'");
    user_error(&ru(&["map", "export", "7", "--format", "json"]), "нет карты 7");
    // the pain point of the store's map says what the figure is
    let doc = ok(&tropa(d, &["map", "export", "1", "--format", "json"]));
    assert!(doc.contains("средняя доля брошенных корзин в отрасли") && !doc.contains("статья 000"), "{doc}");
}

/// `tropa stages` and `tropa stages lanes` read the project's saved definition, its lifecycle thresholds too.
#[test]
fn the_saved_definition_drives_the_lanes_and_the_lifecycle_thresholds() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&tropa(d, &["demo", "generate", "--customers", "300", "--seed", "5"]));
    let file = d.join("two.toml");
    std::fs::write(
        &file,
        "version = 1\nname = \"two\"\n[lifecycle]\nactivity = \"*\"\ndormant = \"1d\"\nchurn = \"2d\"\n\
         [[stages]]\nkey = \"seen\"\nname = { en = \"Seen\", ru = \"Видел\" }\nevent = \"view_item\"\n\
         [[stages]]\nkey = \"bought\"\nname = { en = \"Bought\", ru = \"Купил\" }\nevent = \"purchase\"\n",
    )
    .unwrap();
    let default: serde_json::Value = serde_json::from_str(&ok(&tropa(d, &["stages", "--format", "json"]))).unwrap();
    ok(&tropa(d, &["stages", "save", file.to_str().unwrap()]));
    let saved: serde_json::Value = serde_json::from_str(&ok(&tropa(d, &["stages", "--format", "json"]))).unwrap();
    assert_eq!(saved["definition"], "two");
    // with dormant after one day and churned after two, more customers have churned than under 30/90 days
    let churned = |r: &serde_json::Value| {
        r["lifecycle"]["states"].as_array().unwrap().iter().find(|s| s["state"] == "churned").unwrap()["customers"]
            .as_u64()
            .unwrap()
    };
    assert!(churned(&saved) > churned(&default), "{} vs {}", churned(&saved), churned(&default));
    let lanes = ok(&tropa(d, &["stages", "lanes", "--format", "json"]));
    assert!(lanes.contains("\"seen\"") && lanes.contains("\"bought\"") && !lanes.contains("\"awareness\""), "{lanes}");
}
