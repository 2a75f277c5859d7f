//! The CLI's language: Russian when `TROPA_LANG` (or else `LANG`) starts with `ru`, English otherwise.

use std::sync::OnceLock;

fn russian() -> bool {
    static RU: OnceLock<bool> = OnceLock::new();
    *RU.get_or_init(|| {
        let v = std::env::var("TROPA_LANG").or_else(|_| std::env::var("LANG")).unwrap_or_default();
        v.to_ascii_lowercase().starts_with("ru")
    })
}

/// Picks the English or Russian text.
pub fn tr<'a>(en: &'a str, ru: &'a str) -> &'a str {
    if russian() {
        ru
    } else {
        en
    }
}

/// `ru` or `en`.
pub fn code() -> &'static str {
    tr("en", "ru")
}

/// The CLI's language as the domain knows it.
pub fn lang() -> tropa_core::lang::Lang {
    if russian() {
        tropa_core::lang::Lang::Ru
    } else {
        tropa_core::lang::Lang::En
    }
}

/// A problem with text the user wrote (a time, a duration, an event condition), in the CLI's language.
pub fn words(e: &tropa_core::time::TextError) -> String {
    e.words(lang())
}
