//! Journey maps, kept with every version (each save is a new version; nothing is overwritten), read-only share
//! links (random tokens stored as digests, revocable), and the project's personas. Documents are stored as the
//! JSON text the caller validated (`tropa_core::cjm`); this crate does not read them.

use serde::Serialize;

use crate::MetaError;

/// How a map's stages relate to the project's journey definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageLink {
    /// The map's stages are the project's: a change of the project's stages makes a new version of the map.
    Linked,
    /// The map keeps its own stages (maps made before links existed are detached).
    #[default]
    Detached,
}

impl StageLink {
    pub fn as_str(self) -> &'static str {
        match self {
            StageLink::Linked => "linked",
            StageLink::Detached => "detached",
        }
    }

    /// The stored text (anything else reads as detached).
    pub fn parse(text: &str) -> StageLink {
        if text == "linked" {
            StageLink::Linked
        } else {
            StageLink::Detached
        }
    }
}

/// A map and its latest version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MapInfo {
    pub id: i64,
    pub project: String,
    pub title: String,
    pub version: i64,
    pub stages: StageLink,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One stored version of a map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MapVersion {
    pub version: i64,
    pub document: String,
    pub summary: String,
    /// The author's e-mail ("" when unknown or deleted).
    pub author: String,
    /// When it was saved (for a version whose edits were merged: the last of them).
    pub created_at: i64,
    /// The name a person gave the version (a named snapshot); "" when none.
    pub name: String,
}

/// A share link just created: the only moment its token is known.
#[derive(Debug, Clone, Serialize)]
pub struct NewShare {
    pub token: String,
    pub hint: String,
}

/// The live share link of a map (without its token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareInfo {
    pub hint: String,
    pub created_at: i64,
    /// When it stops working (None: until revoked).
    pub expires_at: Option<i64>,
}

const MAX_DOCUMENT: usize = 1024 * 1024;
/// The longest name of a version, in characters.
pub const MAX_VERSION_NAME: usize = 100;

/// A version's name: at most [`MAX_VERSION_NAME`] characters, no control characters ("" clears it).
pub fn check_version_name(name: &str) -> Result<(), MetaError> {
    let reason = if name.chars().count() > MAX_VERSION_NAME {
        format!("is longer than {MAX_VERSION_NAME} characters")
    } else if name.chars().any(char::is_control) {
        "has control characters".to_string()
    } else {
        return Ok(());
    };
    Err(MetaError::Invalid { field: "name".into(), reason })
}

/// A map or persona document: at most 1 MiB.
pub fn check_document(document: &str) -> Result<(), MetaError> {
    if document.len() > MAX_DOCUMENT {
        return Err(MetaError::Invalid {
            field: "document".into(),
            reason: format!("is larger than {} KiB", MAX_DOCUMENT / 1024),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_meta as meta;

    #[test]
    fn share_links_open_one_map_until_revoked() {
        let (d, m) = meta();
        m.create_project("a", "", 0).unwrap();
        let map = m.create_map("a", "Shop", "{}", "", None, 0).unwrap();
        let s = m.create_share("a", map.id, None, 5).unwrap();
        assert!(s.token.starts_with("sh_") && s.token.len() == 35);
        assert_eq!(m.shared_map(&s.token, 6).unwrap(), Some(crate::Shared::Live("a".into(), map.id)));
        assert_eq!(m.shares("a", map.id, 6).unwrap().len(), 1);
        assert!(m.shared_map("sh_forged", 6).unwrap().is_none());
        assert_eq!(m.revoke_shares("a", map.id, 9).unwrap(), 1);
        assert!(m.shared_map(&s.token, 10).unwrap().is_none());
        drop(m);
        let bytes = std::fs::read(d.path().join("meta.sqlite")).unwrap();
        assert!(!bytes.windows(20).any(|w| w == &s.token.as_bytes()[3..23]), "tokens are stored as digests");
    }

    crate::testing::backend_tests! {
        fn maps_keep_every_version_and_stay_in_their_project() {
            let (_d, m) = meta();
            m.create_project("a", "", 0).unwrap();
            m.create_project("b", "", 0).unwrap();
            let u = m.create_user("x@y.ru", crate::Role::Analyst, "long enough pw", 0).unwrap();
            let map = m.create_map("a", "Shop", "{\"v\":1}", "from template", Some(u.id), 10).unwrap();
            assert_eq!(map.version, 1);
            assert_eq!(m.save_map_version("a", map.id, Some(1), "Shop 2", "{\"v\":2}", "cell", Some(u.id), 20).unwrap(), 2);
            assert!(matches!(
                m.save_map_version("a", map.id, Some(1), "x", "{}", "stale", None, 30),
                Err(MetaError::Conflict { .. })
            ));
            assert_eq!(m.save_map_version("a", map.id, None, "Shop 3", "{\"v\":3}", "again", None, 40).unwrap(), 3);
            let latest = m.map_version("a", map.id, None).unwrap().unwrap();
            assert_eq!((latest.version, latest.document.as_str()), (3, "{\"v\":3}"));
            let first = m.map_version("a", map.id, Some(1)).unwrap().unwrap();
            assert_eq!((first.document.as_str(), first.author.as_str()), ("{\"v\":1}", "x@y.ru"));
            let history: Vec<(i64, String)> =
                m.map_history("a", map.id).unwrap().into_iter().map(|v| (v.version, v.summary)).collect();
            assert_eq!(history, [(3, "again".to_string()), (2, "cell".into()), (1, "from template".into())]);
            assert_eq!(m.maps("a").unwrap()[0].title, "Shop 3");
            // another project sees nothing
            assert!(m.map("b", map.id).unwrap().is_none());
            assert!(m.map_version("b", map.id, None).unwrap().is_none());
            assert!(matches!(
                m.save_map_version("b", map.id, None, "x", "{}", "", None, 0),
                Err(MetaError::NotFound { .. })
            ));
            assert!(matches!(m.delete_map("b", map.id), Err(MetaError::NotFound { .. })));
            m.delete_map("a", map.id).unwrap();
            assert!(m.maps("a").unwrap().is_empty());
        }

        fn versions_are_named_amended_while_latest_and_maps_linked() {
            let (_d, m) = meta();
            m.create_project("a", "", 0).unwrap();
            m.create_project("b", "", 0).unwrap();
            let map = m.create_map("a", "Shop", "{\"v\":1}", "new", None, 10).unwrap();
            assert_eq!(map.stages, StageLink::Detached, "a map starts detached until told otherwise");
            m.set_map_stages("a", map.id, StageLink::Linked).unwrap();
            assert_eq!(m.map("a", map.id).unwrap().unwrap().stages, StageLink::Linked);
            assert!(matches!(m.set_map_stages("b", map.id, StageLink::Linked), Err(MetaError::NotFound { .. })));
            let v2 = m.save_map_version("a", map.id, None, "Shop", "{\"v\":2}", "cell", None, 20).unwrap();
            // the latest version takes further edits of the same session in place
            m.amend_map_version("a", map.id, v2, "{\"v\":22}", "cell again", 30).unwrap();
            let latest = m.map_version("a", map.id, None).unwrap().unwrap();
            assert_eq!((latest.version, latest.document.as_str(), latest.created_at), (2, "{\"v\":22}", 30));
            assert!(matches!(m.amend_map_version("a", map.id, 1, "{}", "", 40), Err(MetaError::Conflict { .. })));
            // a named version is kept as it is
            m.name_map_version("a", map.id, 2, "Before the sale").unwrap();
            assert_eq!(m.map_history("a", map.id).unwrap()[0].name, "Before the sale");
            assert!(matches!(m.amend_map_version("a", map.id, 2, "{}", "", 40), Err(MetaError::Conflict { .. })));
            assert!(matches!(m.name_map_version("a", map.id, 2, &"x".repeat(101)), Err(MetaError::Invalid { .. })));
            assert!(matches!(m.name_map_version("a", map.id, 9, "x"), Err(MetaError::NotFound { .. })));
            assert!(matches!(m.name_map_version("b", map.id, 2, "x"), Err(MetaError::NotFound { .. })));
            m.name_map_version("a", map.id, 2, "").unwrap();
            assert_eq!(m.map_version("a", map.id, Some(2)).unwrap().unwrap().name, "");
        }

        fn personas_by_key() {
            let (_d, m) = meta();
            m.create_project("a", "", 0).unwrap();
            m.save_persona("a", "maria", "{\"v\":1}", 1).unwrap();
            m.save_persona("a", "maria", "{\"v\":2}", 2).unwrap();
            m.save_persona("a", "alexey", "{}", 3).unwrap();
            assert_eq!(
                m.personas("a").unwrap(),
                [("alexey".to_string(), "{}".to_string()), ("maria".into(), "{\"v\":2}".into())]
            );
            m.delete_persona("a", "maria").unwrap();
            assert!(matches!(m.delete_persona("a", "maria"), Err(MetaError::NotFound { .. })));
        }
    }
}
