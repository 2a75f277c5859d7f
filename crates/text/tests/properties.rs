//! Properties of tropa-text over arbitrary input: nothing panics, scores stay in −1…1, results are
//! deterministic, and themes and phrases only ever name what the input holds.

use proptest::prelude::*;
use tropa_text::{distinctive_phrases, representative_quotes, sentiment, tokenize, ThemeList, TokenKind};

fn texts() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Zа-яА-ЯёЁ0-9 .,!?:;()'\\-]{0,80}",
        proptest::collection::vec(
            prop::sample::select(vec![
                "не",
                "очень",
                "хорошо",
                "плохо",
                "доставка",
                "not",
                "very",
                "good",
                "bad",
                "but",
                "но",
                "!",
                "😡",
                "🙂",
                ")))",
                ":(",
                "Ё",
                "42"
            ]),
            0..12
        )
        .prop_map(|w| w.join(" ")),
    ]
}

proptest! {
    #[test]
    fn sentiment_is_bounded_and_deterministic(text in texts()) {
        let a = sentiment(&text);
        prop_assert!((-1.0..=1.0).contains(&a.score));
        prop_assert_eq!(a, sentiment(&text));
    }

    #[test]
    fn tokens_are_lowercase_words_without_yo(text in texts()) {
        for t in tokenize(&text) {
            prop_assert!(!t.text.is_empty());
            if t.kind == TokenKind::Word {
                prop_assert!(!t.text.contains('ё'));
                prop_assert_eq!(t.text.to_lowercase(), t.text.clone());
            }
        }
    }

    #[test]
    fn themes_are_keys_of_the_list_in_order(text in texts()) {
        let list = ThemeList::builtin();
        let keys: Vec<&str> = list.themes().iter().map(|t| t.key.as_str()).collect();
        let got = list.assign(&text);
        let positions: Vec<usize> = got.iter().map(|k| keys.iter().position(|x| x == k).unwrap()).collect();
        prop_assert!(positions.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn phrases_and_quotes_come_from_the_group(group in proptest::collection::vec(texts(), 0..8),
                                              rest in proptest::collection::vec(texts(), 0..8)) {
        let g: Vec<&str> = group.iter().map(String::as_str).collect();
        let r: Vec<&str> = rest.iter().map(String::as_str).collect();
        let phrases = distinctive_phrases(&g, &r, 10);
        prop_assert!(phrases.len() <= 10);
        prop_assert!(phrases.iter().all(|p| p.z > 0.0 && p.group_count >= 2));
        prop_assert!(phrases.windows(2).all(|w| w[0].z >= w[1].z));
        for q in representative_quotes(&g, &phrases, 3) {
            prop_assert!(q.index < g.len());
            prop_assert!(q.text.chars().count() <= tropa_text::MAX_QUOTE_CHARS);
        }
    }
}
