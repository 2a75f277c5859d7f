//! `tropa text`: sentiment and themes per line, distinctive phrases with quotes, and bad input refused at
//! its argument with the reason.

mod common;

use common::{ok, tropa, user_error};

#[test]
fn sentiment_gives_one_json_object_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("texts.txt");
    std::fs::write(&file, "Курьер опоздал на три часа 😡\nGreat service, thank you!\n\n").unwrap();
    let out = ok(&tropa(&dir.path().join("data"), &["text", "sentiment", file.to_str().unwrap()]));
    let rows: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["label"], "negative");
    assert_eq!(rows[0]["lang"], "ru");
    assert_eq!(rows[0]["themes"], serde_json::json!(["delivery", "courier"]));
    assert_eq!(rows[1]["label"], "positive");
    assert_eq!(rows[2]["line"], 3);
}

#[test]
fn phrases_name_what_sets_the_group_apart() {
    let dir = tempfile::tempdir().unwrap();
    let group = dir.path().join("g.txt");
    let rest = dir.path().join("r.txt");
    std::fs::write(&group, "доставка опоздала\nопоздала доставка, курьер хамил\nкурьер опоздал\n").unwrap();
    std::fs::write(&rest, "отличное качество\nцена хорошая\nкачество супер\n").unwrap();
    let out = ok(&tropa(
        &dir.path().join("data"),
        &["text", "phrases", "--group", group.to_str().unwrap(), "--rest", rest.to_str().unwrap(), "--k", "3"],
    ));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["phrases"].as_array().unwrap().len(), 3);
    assert!(v["phrases"].as_array().unwrap().iter().all(|p| p["z"].as_f64().unwrap() > 0.0));
    assert!(!v["quotes"].as_array().unwrap().is_empty());
}

#[test]
fn bad_input_is_refused_at_its_argument() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let texts = dir.path().join("t.txt");
    std::fs::write(&texts, "ok\n").unwrap();
    let themes = dir.path().join("themes.toml");
    std::fs::write(&themes, "[[theme]]\nkey = \"x\"\nname_en = \"X\"\n").unwrap();
    let t = texts.to_str().unwrap();
    user_error(
        &tropa(&data, &["text", "sentiment", t, "--themes", themes.to_str().unwrap()]),
        "theme[0].name_ru: is required",
    );
    std::fs::write(&themes, "[[theme]\n").unwrap();
    user_error(
        &tropa(&data, &["text", "sentiment", t, "--themes", themes.to_str().unwrap()]),
        "--themes: the theme list is not valid (line 1)",
    );
    user_error(&tropa(&data, &["text", "sentiment", "/no/such/file"]), "FILE: /no/such/file");
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    user_error(
        &tropa(&data, &["text", "phrases", "--group", empty.to_str().unwrap(), "--rest", t]),
        "--group: the file has no texts",
    );
}
