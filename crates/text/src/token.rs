//! Tokens of a text: words, numbers, emoji and emoticons, and the punctuation that bounds clauses.
//!
//! Definition: words are runs of letters (any script) and digits starting with a letter, joined by an inner
//! apostrophe or hyphen (`don't`, `кое-что`, `wi-fi`); they are lowercased and `ё` becomes `е`. Numbers
//! are runs of digits with inner `.` or `,` (`4.5`, `1,000`). Each emoji is a token of its own (skin tones,
//! variation selectors and joiners are dropped). Text emoticons become `:)` or `:(` — `:)`, `:-)`, `;)`,
//! `:D`, and runs of two or more `)` (Russian `спасибо)))`) are `:)`; `:(`, `:-(` and runs of `(` are `:(`.
//! Punctuation `. , ! ? ; : …` is kept as `Punct` tokens so clauses (for negation and "but") can be found.
//! Example: `tokenize("Ёлки, NOT good!!! 👍")` gives `елки` `,` `not` `good` `!` `!` `!` `👍`.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A word, lowercased, `ё` → `е`.
    Word,
    /// A number.
    Number,
    /// An emoji or a normalised text emoticon (`:)` or `:(`).
    Emoji,
    /// A clause-bounding punctuation mark: `. , ! ? ; : …`.
    Punct,
}

/// One token of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The normalised text of the token.
    pub text: String,
    /// What the token is.
    pub kind: TokenKind,
    /// Whether the word was written in capitals in the source (`GREAT`), an emphasis.
    pub upper: bool,
}

/// Whether a character is an emoji base (pictographs, symbols, dingbats).
pub(crate) fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F300..=0x1F3FA | 0x1F400..=0x1F64F | 0x1F680..=0x1F6FF | 0x1F900..=0x1FAFF
        | 0x2600..=0x27BF | 0x1F1E6..=0x1F1FF | 0x2B50 | 0x2B55)
}

fn is_punct(c: char) -> bool {
    matches!(c, '.' | ',' | '!' | '?' | ';' | ':' | '…')
}

fn push(tokens: &mut Vec<Token>, text: String, kind: TokenKind, upper: bool) {
    tokens.push(Token { text, kind, upper });
}

/// Splits `text` into tokens (see the module doc).
pub fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::with_capacity(chars.len() / 5 + 1);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphabetic() {
            let start = i;
            i += 1;
            while i < chars.len() {
                let d = chars[i];
                let joined = matches!(d, '\'' | '’' | '-') && chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
                if !(d.is_alphanumeric() || joined) {
                    break;
                }
                i += 1;
            }
            let raw = &chars[start..i];
            let letters = raw.iter().filter(|c| c.is_alphabetic()).count();
            let upper = letters > 1 && raw.iter().all(|c| !c.is_lowercase());
            let mut word = String::with_capacity(raw.len() * 2);
            for &r in raw {
                match r {
                    '’' => word.push('\''),
                    'ё' | 'Ё' => word.push('е'),
                    _ => word.extend(r.to_lowercase()),
                }
            }
            push(&mut tokens, word, TokenKind::Word, upper);
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || (matches!(chars[i], '.' | ',') && chars.get(i + 1).is_some_and(char::is_ascii_digit)))
            {
                i += 1;
            }
            push(&mut tokens, chars[start..i].iter().collect(), TokenKind::Number, false);
        } else if is_emoji(c) {
            push(&mut tokens, c.to_string(), TokenKind::Emoji, false);
            i += 1;
        } else if let Some((face, len)) = matches!(c, ':' | ';').then(|| emoticon(&chars[i + 1..])).flatten() {
            push(&mut tokens, face.to_string(), TokenKind::Emoji, false);
            i += 1 + len;
        } else if matches!(c, ')' | '(') {
            let run = chars[i..].iter().take_while(|&&d| d == c).count();
            if run >= 2 {
                let face = if c == ')' { ":)" } else { ":(" };
                push(&mut tokens, face.to_string(), TokenKind::Emoji, false);
            }
            i += run;
        } else if is_punct(c) {
            push(&mut tokens, c.to_string(), TokenKind::Punct, false);
            i += 1;
        } else {
            // spaces, quotes, single brackets, emoji modifiers (skin tones 1F3FB..1F3FF are outside the
            // emoji ranges above), variation selectors and joiners separate tokens
            i += 1;
        }
    }
    tokens
}

/// The face after `:` or `;`: `)`, `-)`, `D`, `(`, `-(` and repeats; returns the face and the characters used.
fn emoticon(rest: &[char]) -> Option<(&'static str, usize)> {
    let skip = usize::from(rest.first() == Some(&'-'));
    let c = *rest.get(skip)?;
    let face = match c {
        ')' | 'D' | ']' => ":)",
        '(' | '[' => ":(",
        _ => return None,
    };
    let run = rest[skip..].iter().take_while(|&&d| d == c).count();
    Some((face, skip + run))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expect: &[&str]) {
        let got: Vec<String> = tokenize(text).into_iter().map(|t| t.text).collect();
        assert_eq!(got, expect, "{text:?}");
    }

    #[test]
    fn words_numbers_emoji_and_punctuation() {
        check("Ёлки, NOT good!!! 👍", &["елки", ",", "not", "good", "!", "!", "!", "👍"]);
        check("don't кое-что wi-fi", &["don't", "кое-что", "wi-fi"]);
        check("Цена 4.5 и 1,000 руб.", &["цена", "4.5", "и", "1,000", "руб", "."]);
        check("спасибо))) но жаль((", &["спасибо", ":)", "но", "жаль", ":("]);
        check("ok :-) bad :( fun :D", &["ok", ":)", "bad", ":(", "fun", ":)"]);
        check("👍🏻❤️ (скобки)", &["👍", "❤", "скобки"]);
        check("It’s", &["it's"]);
    }

    #[test]
    fn capitals_are_marked() {
        let t = tokenize("GREAT Ok I");
        assert!(t[0].upper);
        assert!(!t[1].upper);
        assert!(!t[2].upper);
    }
}
