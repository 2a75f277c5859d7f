//! Links the pages build: query components percent-encoded (project names, ids, saved queries).

/// Percent-encodes a query component (the application layer's encoding: saved reports keep their queries so).
pub use tropa_app::reports::query_component as enc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreserved_characters_stay() {
        assert_eq!(enc("a b&c=d/é~_.-"), "a%20b%26c%3Dd%2F%C3%A9~_.-");
    }
}
