//! What a message's texts may hold: the characters refused in names and ids, and how long a context text is
//! kept.
//!
//! **Refused characters.** An event name or an id (`event`, `userId`, `anonymousId`, `previousId`, `groupId`,
//! `messageId`) is shown in tables, terminals, CSV and the web app, and compared byte for byte. A character that
//! does not print, or that reorders the text around it where it is shown, makes two different ids look alike
//! (`u1` and `u\u{202e}1`) or breaks the screen it lands on, so it is refused, after surrounding whitespace is
//! trimmed:
//! - control characters U+0000–U+001F and U+007F–U+009F (NUL, tab, newline, escape, …);
//! - bidirectional controls U+200E, U+200F (marks), U+202A–U+202E (embeddings and overrides) and U+2066–U+2069
//!   (isolates).
//!
//! Property, trait and context values keep any character: they are data, not names.
//!
//! **Context texts are cut, not refused.** A page's URL or title is the visitor's browser's doing, not the
//! sender's, so an over-long one cuts the text (at a character boundary) rather than losing the event:
//! URLs (`context.page.url`, `context.page.referrer`, `context.referrer.link`) to [`MAX_URL_BYTES`], the other
//! stored texts (`context.userAgent`, `context.page.title`, `context.ip`, `context.locale`,
//! `context.location.country` and `.city`, the campaign tags) to [`MAX_CONTEXT_TEXT_BYTES`]. UTM tags are read
//! from the whole URL before it is cut. `context.page.path` and `.search` are not stored (the URL holds them).
//!
//! ```
//! use tropa_core::message::{cut, text_fault, TextFault};
//! assert_eq!(text_fault("order completed"), None);
//! assert_eq!(text_fault("u\u{0}1"), Some(TextFault::Control('\u{0}')));
//! assert_eq!(cut("жжж".to_string(), 5), "жж");
//! ```

use std::fmt;

/// Longest kept URL of the context, in bytes of UTF-8.
pub const MAX_URL_BYTES: usize = 8 * 1024;
/// Longest kept other text of the context (user agent, page title, campaign tags, …), in bytes of UTF-8.
pub const MAX_CONTEXT_TEXT_BYTES: usize = 2 * 1024;

/// Why a name or an id is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFault {
    /// U+0000–U+001F or U+007F–U+009F.
    Control(char),
    /// U+200E, U+200F, U+202A–U+202E or U+2066–U+2069.
    Bidi(char),
}

impl fmt::Display for TextFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextFault::Control(c) => write!(f, "contains a control character (U+{:04X}): remove it", *c as u32),
            TextFault::Bidi(c) => write!(f, "contains a bidirectional override (U+{:04X}): remove it", *c as u32),
        }
    }
}

/// The first refused character of a name or an id, if any.
pub fn text_fault(s: &str) -> Option<TextFault> {
    s.chars().find_map(|c| match c {
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => Some(TextFault::Control(c)),
        '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => Some(TextFault::Bidi(c)),
        _ => None,
    })
}

/// `s` cut to at most `max` bytes, at a character boundary.
pub fn cut(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: Option<TextFault>) {
        assert_eq!(text_fault(input), expect, "{input:?}");
    }

    #[test]
    fn refuses_controls_and_bidi_overrides_only() {
        check("Order Completed", None);
        check("заказ оформлен 🛒", None);
        check("user@example.com", None);
        check("a\u{0}b", Some(TextFault::Control('\u{0}')));
        check("a\tb", Some(TextFault::Control('\t')));
        check("a\u{1b}[31mb", Some(TextFault::Control('\u{1b}')));
        check("a\u{7f}", Some(TextFault::Control('\u{7f}')));
        check("a\u{85}b", Some(TextFault::Control('\u{85}')));
        check("a\u{9f}", Some(TextFault::Control('\u{9f}')));
        check("\u{a0}", None);
        check("a\u{200e}", Some(TextFault::Bidi('\u{200e}')));
        check("a\u{200f}", Some(TextFault::Bidi('\u{200f}')));
        check("a\u{202a}", Some(TextFault::Bidi('\u{202a}')));
        check("u\u{202e}1", Some(TextFault::Bidi('\u{202e}')));
        check("\u{2066}x\u{2069}", Some(TextFault::Bidi('\u{2066}')));
        check("\u{200d}", None); // the zero-width joiner builds emoji
        check("\u{2070}", None);
    }

    #[test]
    fn reasons_name_the_character() {
        assert_eq!(TextFault::Control('\u{0}').to_string(), "contains a control character (U+0000): remove it");
        assert_eq!(TextFault::Bidi('\u{202e}').to_string(), "contains a bidirectional override (U+202E): remove it");
    }

    #[test]
    fn cuts_at_a_character_boundary() {
        assert_eq!(cut("abc".into(), 3), "abc");
        assert_eq!(cut("abcd".into(), 3), "abc");
        assert_eq!(cut("жжж".into(), 5), "жж");
        assert_eq!(cut("🛒🛒".into(), 7), "🛒");
        assert_eq!(cut("🛒".into(), 3), "");
    }
}
