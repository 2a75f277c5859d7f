//! Morphology: Snowball stems for Russian and English words.
//!
//! Definition: a word with Cyrillic letters goes through the Snowball Russian stemmer, any other word
//! through the Snowball English (Porter2) stemmer; the stemmer is picked per word, so mixed texts work.
//! Numbers, emoji and punctuation stem to themselves. The stemmers are the `rust-stemmers` crate (MIT,
//! the Snowball algorithms of snowballstem.org). Example: `stem("доставили")` is `достав`,
//! `stem("delivered")` is `deliv`.

use std::borrow::Cow;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

use crate::lang::is_cyrillic;

fn stemmers() -> &'static (Stemmer, Stemmer) {
    static STEMMERS: OnceLock<(Stemmer, Stemmer)> = OnceLock::new();
    STEMMERS.get_or_init(|| (Stemmer::create(Algorithm::Russian), Stemmer::create(Algorithm::English)))
}

/// The stem of a lowercased word (see the module doc).
pub fn stem(word: &str) -> Cow<'_, str> {
    let (ru, en) = stemmers();
    if word.chars().any(is_cyrillic) {
        ru.stem(word)
    } else if word.chars().next().is_some_and(char::is_alphabetic) {
        en.stem(word)
    } else {
        Cow::Borrowed(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(word: &str, expect: &str) {
        assert_eq!(stem(word), expect, "{word:?}");
    }

    #[test]
    fn russian_and_english_words_share_stems_across_forms() {
        check("доставили", "достав");
        check("доставка", "доставк");
        check("доставку", "доставк");
        check("понравилось", "понрав");
        check("понравился", "понрав");
        check("delivered", "deliv");
        check("delivery", "deliveri");
        check("prices", "price");
        check("42", "42");
        check("👍", "👍");
    }
}
