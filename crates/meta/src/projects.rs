//! Projects and their API keys: the types, the checks every backend runs before storing them, and their tests.

use serde::Serialize;

use crate::MetaError;

/// Who may do what with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    /// Sends events only.
    Write,
    /// Queries its project only.
    Read,
}

impl KeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Write => "write",
            KeyKind::Read => "read",
        }
    }

    pub fn parse(s: &str) -> Result<KeyKind, MetaError> {
        match s {
            "write" => Ok(KeyKind::Write),
            "read" => Ok(KeyKind::Read),
            other => Err(MetaError::Invalid {
                field: "kind".into(),
                reason: format!("'{other}' is not a key kind: use write or read"),
            }),
        }
    }

    /// What every secret of this kind starts with.
    pub fn prefix(self) -> &'static str {
        match self {
            KeyKind::Write => "tw_",
            KeyKind::Read => "tr_",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Project {
    pub slug: String,
    pub name: String,
    pub created_at: i64,
}

/// A stored key (without its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    pub id: i64,
    pub project: String,
    pub kind: KeyKind,
    pub label: String,
    /// The first characters of the secret, to recognise it in lists.
    pub hint: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A key just created: the only moment its secret is known.
#[derive(Debug, Clone, Serialize)]
pub struct NewKey {
    pub info: KeyInfo,
    pub secret: String,
}

/// A project slug: 1–40 of `a-z 0-9 - _`, starting with a letter or digit.
pub fn check_slug(slug: &str) -> Result<(), MetaError> {
    let ok = !slug.is_empty()
        && slug.len() <= 40
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && slug.as_bytes()[0].is_ascii_alphanumeric();
    if ok {
        Ok(())
    } else {
        Err(MetaError::Invalid {
            field: "project".into(),
            reason: format!(
                "'{slug}' is not a project id: use 1–40 of a-z, 0-9, '-', '_', starting with a letter or digit"
            ),
        })
    }
}

/// A key secret the caller chose: the kind's prefix and at least 8 more characters.
pub fn check_key_secret(kind: KeyKind, secret: &str) -> Result<(), MetaError> {
    if !secret.starts_with(kind.prefix()) || secret.len() < kind.prefix().len() + 8 {
        return Err(MetaError::Invalid {
            field: "key".into(),
            reason: format!(
                "a {} key starts with '{}' and has at least 8 more characters",
                kind.as_str(),
                kind.prefix()
            ),
        });
    }
    Ok(())
}

/// The name a project gets: the trimmed `name`, or its slug when that is blank.
pub(crate) fn project_name<'a>(slug: &'a str, name: &'a str) -> &'a str {
    if name.trim().is_empty() {
        slug
    } else {
        name.trim()
    }
}

/// What a key is listed by: its prefix and 4 more characters.
pub(crate) fn key_hint(kind: KeyKind, secret: &str) -> String {
    secret.chars().take(kind.prefix().len() + 4).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_meta as meta;
    use crate::Meta;

    #[test]
    fn secrets_are_not_stored() {
        let (d, m) = meta();
        m.create_project("p1", "P", 1).unwrap();
        let k = m.create_key("p1", KeyKind::Write, "", 2).unwrap();
        drop(m);
        let bytes = std::fs::read(d.path().join("meta.sqlite")).unwrap();
        let needle = &k.secret.as_bytes()[3..];
        assert!(!bytes.windows(needle.len()).any(|w| w == needle));
    }

    #[test]
    fn reopening_keeps_everything() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("meta.sqlite");
        let secret = {
            let m = Meta::open(&path).unwrap();
            m.create_project("x", "X", 0).unwrap();
            m.create_key("x", KeyKind::Read, "", 0).unwrap().secret
        };
        let m = Meta::open(&path).unwrap();
        assert_eq!(m.projects().unwrap().len(), 1);
        assert!(m.authenticate(&secret).unwrap().is_some());
    }

    crate::testing::backend_tests! {
        fn keys_authenticate_until_revoked() {
            let (_d, m) = meta();
            m.create_project("shop", "", 1).unwrap();
            let w = m.create_key("shop", KeyKind::Write, "site", 2).unwrap();
            let r = m.create_key("shop", KeyKind::Read, "bi", 3).unwrap();
            assert!(w.secret.starts_with("tw_") && w.secret.len() == 35);
            assert_eq!(m.authenticate(&w.secret).unwrap().unwrap().kind, KeyKind::Write);
            assert_eq!(m.authenticate(&r.secret).unwrap().unwrap().kind, KeyKind::Read);
            assert!(m.authenticate("tw_nope").unwrap().is_none());
            m.revoke_key(w.info.id, 9).unwrap();
            assert!(m.authenticate(&w.secret).unwrap().is_none());
            assert_eq!(m.keys(Some("shop")).unwrap()[0].revoked_at, Some(9));
        }

        fn bad_names_and_conflicts_are_errors() {
            let (_d, m) = meta();
            for bad in ["", "Shop", "-x", "a b", &"x".repeat(41), "ш"] {
                assert!(matches!(m.create_project(bad, "", 0), Err(MetaError::Invalid { .. })), "{bad}");
            }
            m.create_project("a", "", 0).unwrap();
            assert!(matches!(m.create_project("a", "", 0), Err(MetaError::Conflict { .. })));
            assert!(matches!(m.create_key("b", KeyKind::Read, "", 0), Err(MetaError::NotFound { .. })));
            assert!(matches!(m.insert_key("a", KeyKind::Read, "", "tw_12345678", 0), Err(MetaError::Invalid { .. })));
            assert!(matches!(m.revoke_key(99, 0), Err(MetaError::NotFound { .. })));
        }
    }
}
