//! Experiments (A/B tests) defined per project: the key its exposures name and its definition, a JSON document
//! the application layer validates (`tropa_app::experiments`) before it is stored; the store only bounds its size.

use serde::Serialize;

use crate::MetaError;

/// The longest definition kept, in bytes.
pub const MAX_DEFINITION: usize = 64 * 1024;

/// A stored experiment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredExperiment {
    pub id: i64,
    pub project: String,
    pub key: String,
    /// The definition as JSON.
    pub definition: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A key (1–64 characters of letters, digits, `_`, `-`, `.`) and a definition of at most 64 KiB.
pub fn check_experiment(key: &str, definition: &str) -> Result<(), MetaError> {
    let ok = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.');
    if key.is_empty() || key.chars().count() > 64 || !key.chars().all(ok) {
        return Err(MetaError::Invalid {
            field: "key".into(),
            reason: "a key has 1–64 letters, digits, '_', '-' or '.'".into(),
        });
    }
    if definition.len() > MAX_DEFINITION {
        return Err(MetaError::Invalid {
            field: "definition".into(),
            reason: format!("is longer than {MAX_DEFINITION} bytes"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {

    crate::testing::backend_tests! {
        fn experiments_are_created_updated_listed_and_kept_per_project() {
            let (_d, m) = meta();
            m.create_project("a", "", 0).unwrap();
            m.create_project("b", "", 0).unwrap();
            let e = m.save_experiment("a", "checkout_v2", "{}", None, 1).unwrap();
            assert_eq!(e.key, "checkout_v2");
            let again = m.save_experiment("a", "checkout_v2", "{\"x\":1}", None, 2).unwrap();
            assert_eq!((again.id, again.created_at, again.updated_at), (e.id, 1, 2), "saving a key again updates it");
            m.save_experiment("a", "banner", "{}", None, 3).unwrap();
            let keys: Vec<String> = m.experiments("a").unwrap().into_iter().map(|e| e.key).collect();
            assert_eq!(keys, ["banner", "checkout_v2"]);
            assert!(m.experiments("b").unwrap().is_empty());
            assert!(m.experiment("b", "banner").unwrap().is_none());
            assert!(m.save_experiment("a", "bad key", "{}", None, 4).is_err());
            m.delete_experiment("a", "banner").unwrap();
            assert!(m.experiment("a", "banner").unwrap().is_none());
            assert!(m.delete_experiment("a", "banner").is_err());
        }
    }
}
