//! Hand-made cases for the theme list: matching in ru and en, and every error named by field.

use super::*;

fn check(text: &str, expect: &[&str]) {
    assert_eq!(ThemeList::builtin().assign(text), expect, "{text:?}");
}

#[test]
fn the_builtin_list_parses() {
    assert!(ThemeList::builtin().themes().len() >= 10);
}

#[test]
fn russian_and_english_texts_get_their_themes() {
    check("Курьер опоздал, доставка долгая", &["delivery", "courier"]);
    check("Доставили быстро, но цена высокая", &["delivery", "price"]);
    check("Не прошла оплата картой", &["payment"]);
    check("Размер маломерит, пришлось оформить возврат", &["delivery", "size", "returns"]);
    check("Поддержка не отвечает", &["support"]);
    check("The delivery was late and the box was crushed", &["delivery", "packaging"]);
    check("Too expensive for this quality", &["price", "quality"]);
    check("The app keeps crashing at checkout", &["payment", "website"]);
    check("Nothing to say", &[]);
}

#[test]
fn terms_of_several_words_need_them_in_a_row() {
    let list = ThemeList::from_toml(
        "[[theme]]\nkey = \"cs\"\nname_en = \"Customer service\"\nname_ru = \"Сервис\"\nen = [\"customer service\"]\n",
    )
    .unwrap();
    assert_eq!(list.assign("Customer service was rude"), ["cs"]);
    assert!(list.assign("the customer, service").is_empty());
    assert!(list.assign("service for the customer").is_empty());
}

#[test]
fn json_and_toml_read_the_same_list() {
    let from_json = ThemeList::from_json(&ThemeList::builtin().to_json().to_string()).unwrap();
    assert_eq!(&from_json, ThemeList::builtin());
}

#[test]
fn counts_per_group() {
    let c = ThemeList::builtin().count(["доставка долгая", "курьер хамил", "цена", "ok"]);
    assert_eq!(c.texts, 4);
    let get = |k: &str| c.counts.iter().find(|(key, _)| key == k).map(|(_, n)| *n);
    assert_eq!(get("delivery"), Some(1));
    assert_eq!(get("courier"), Some(1));
    assert_eq!(get("price"), Some(1));
    assert_eq!(get("returns"), Some(0));
}

#[test]
fn every_problem_is_named_by_its_field() {
    let bad = r#"
extra = 1
[[theme]]
key = "Bad Key"
name_en = ""
ru = ["ок", "***", 5]
colour = "red"

[[theme]]
key = "x"
name_en = "X"
name_ru = "Икс"

[[theme]]
key = "x"
name_en = "X2"
name_ru = "Икс2"
en = ["x"]
"#;
    let Err(TextError::Invalid(issues)) = ThemeList::from_toml(bad) else { panic!("must fail") };
    let got: Vec<(String, ThemeReason)> = issues.into_iter().map(|i| (i.field, i.reason)).collect();
    for expect in [
        ("extra", ThemeReason::UnknownField),
        ("theme[0].colour", ThemeReason::UnknownField),
        ("theme[0].key", ThemeReason::BadKey),
        ("theme[0].name_en", ThemeReason::Empty),
        ("theme[0].name_ru", ThemeReason::Missing),
        ("theme[0].ru[1]", ThemeReason::NotAWord),
        ("theme[0].ru[2]", ThemeReason::NotAString),
        ("theme[1].en", ThemeReason::NoTerms),
        ("theme[2].key", ThemeReason::Duplicate),
    ] {
        assert!(got.contains(&(expect.0.to_string(), expect.1.clone())), "{expect:?} not in {got:?}");
    }
}

#[test]
fn syntax_errors_name_the_line() {
    let Err(TextError::Syntax { line, .. }) = ThemeList::from_toml("[[theme]]\nkey = \n") else { panic!() };
    assert_eq!(line, Some(2));
    assert!(matches!(ThemeList::from_json("{\"theme\": ["), Err(TextError::Syntax { .. })));
    assert!(matches!(ThemeList::from_json("{}"), Err(TextError::Invalid(_))));
}

#[test]
fn common_words_do_not_trigger_themes() {
    // "платье" is not a payment, "почти" not the post, "мало" not a size, "картон" not a card
    check("Платье красивое, почти идеальное", &[]);
    check("Мало информации в описании", &[]);
    check("Phone charger works", &[]);
}

#[test]
fn a_theme_without_terms_is_named_with_its_other_problems() {
    let Err(TextError::Invalid(issues)) = ThemeList::from_toml("[[theme]]\nkey = \"x\"\nname_en = \"X\"\n") else {
        panic!()
    };
    let fields: Vec<&str> = issues.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(fields, ["theme[0].name_ru", "theme[0].en"]);
}
