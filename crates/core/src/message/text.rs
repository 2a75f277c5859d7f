//! How long a message's context texts are kept.
//!
//! **Context texts are cut, not refused.** A page's URL or title is the visitor's browser's doing, not the
//! sender's, so an over-long one cuts the text (at a character boundary) rather than losing the event:
//! URLs (`context.page.url`, `context.page.referrer`, `context.referrer.link`) to [`MAX_URL_BYTES`], the other
//! stored texts (`context.userAgent`, `context.page.title`, `context.ip`, `context.locale`,
//! `context.location.country` and `.city`, the campaign tags) to [`MAX_CONTEXT_TEXT_BYTES`]. UTM tags are read
//! from the whole URL before it is cut. `context.page.path` and `.search` are not stored (the URL holds them).
//!
//! ```
//! use tropa_core::message::cut;
//! assert_eq!(cut("жжж".to_string(), 5), "жж");
//! ```

/// Longest kept URL of the context, in bytes of UTF-8.
pub const MAX_URL_BYTES: usize = 8 * 1024;
/// Longest kept other text of the context (user agent, page title, campaign tags, …), in bytes of UTF-8.
pub const MAX_CONTEXT_TEXT_BYTES: usize = 2 * 1024;

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

    #[test]
    fn cuts_at_a_character_boundary() {
        assert_eq!(cut("abc".into(), 3), "abc");
        assert_eq!(cut("abcd".into(), 3), "abc");
        assert_eq!(cut("жжж".into(), 5), "жж");
        assert_eq!(cut("🛒🛒".into(), 7), "🛒");
        assert_eq!(cut("🛒".into(), 3), "");
    }
}
