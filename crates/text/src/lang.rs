//! Language of a text: Russian or English, by the share of Cyrillic letters.
//!
//! Definition: among the alphabetic characters of the text, if at least half are Cyrillic the text is
//! Russian, otherwise English. A text without letters (only emoji, digits or punctuation) is English, the
//! neutral default of the models. Example: `detect_lang("Доставка OK")` is `Lang::Ru` (8 of 10 letters).

use serde::{Deserialize, Serialize};

/// A language the text analytics know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Russian.
    Ru,
    /// English.
    En,
}

impl Lang {
    /// The ISO 639-1 code: `ru` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }
}

/// Whether a character is a Cyrillic letter.
pub(crate) fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}' | '\u{0500}'..='\u{052F}')
}

/// The language of `text` by the share of Cyrillic letters (see the module doc).
pub fn detect_lang(text: &str) -> Lang {
    let (mut letters, mut cyrillic) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        cyrillic += usize::from(is_cyrillic(c));
    }
    if letters > 0 && cyrillic * 2 >= letters {
        Lang::Ru
    } else {
        Lang::En
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expect: Lang) {
        assert_eq!(detect_lang(text), expect, "{text:?}");
    }

    #[test]
    fn share_of_cyrillic_decides() {
        check("Доставка OK", Lang::Ru);
        check("Delivery was late", Lang::En);
        check("Заказ №123 via DHL express", Lang::En);
        check("👍👍", Lang::En);
        check("", Lang::En);
        check("ёжик", Lang::Ru);
    }
}
