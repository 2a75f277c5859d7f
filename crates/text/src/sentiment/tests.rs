//! Hand-made cases in Russian and English: negation, intensifiers, "but", emoji, exclamation.

use super::*;

fn check(text: &str, expect: Label) {
    let s = sentiment(text);
    assert_eq!(s.label, expect, "{text:?} scored {s:?}");
    assert!((-1.0..=1.0).contains(&s.score));
}

#[test]
fn russian_cases() {
    check("Отличный магазин, всё пришло быстро, спасибо!", Label::Positive);
    check("Очень понравилось, рекомендую", Label::Positive);
    check("Не понравилось, качество ужасное", Label::Negative);
    check("Курьер опоздал на три часа 😡", Label::Negative);
    check("Никогда больше не буду заказывать здесь", Label::Negative);
    check("Товар хороший, но доставка ужасная и очень долгая", Label::Negative);
    check("Ужас, деньги не вернули", Label::Negative);
    check("Всё супер 👍", Label::Positive);
    check("Заказ оформлен 12 мая, номер 4417", Label::Neutral);
}

#[test]
fn english_cases() {
    check("Great service, fast delivery, thank you!", Label::Positive);
    check("I love it", Label::Positive);
    check("Not good at all, the quality is terrible", Label::Negative);
    check("The courier was late again 😡", Label::Negative);
    check("Nice box but the product broke after a day, very disappointed", Label::Negative);
    check("It was bad at first but the support team was amazing", Label::Positive);
    check("The order number is 4417", Label::Neutral);
}

#[test]
fn negation_flips_and_intensifiers_strengthen() {
    assert!(sentiment("понравилось").score > sentiment("не понравилось").score);
    assert!(sentiment("good").score > sentiment("not good").score);
    assert!(sentiment("очень хорошо").score >= sentiment("хорошо").score - 1e-9);
    assert!(sentiment("very good!!!").score > sentiment("good").score);
    assert!(sentiment("🙂").score > sentiment("😡").score);
}

#[test]
fn empty_and_odd_texts_are_neutral_and_bounded() {
    for text in ["", "   ", "...", "12345", "ъъъ"] {
        let s = sentiment(text);
        assert!((-1.0..=1.0).contains(&s.score), "{text:?}");
    }
    assert_eq!(sentiment("").lang, Lang::En);
    assert_eq!(sentiment("плохо").lang, Lang::Ru);
}
