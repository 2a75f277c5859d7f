//! Links the pages build: query components percent-encoded (project names, ids, saved queries).

/// Percent-encodes a query component.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreserved_characters_stay() {
        assert_eq!(enc("a b&c=d/é~_.-"), "a%20b%26c%3Dd%2F%C3%A9~_.-");
    }
}
