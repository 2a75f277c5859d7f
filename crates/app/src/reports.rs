//! Saved reports: a report's parameters kept under a name in a project (a funnel, paths, retention), listed beside
//! the report and reopened with the same parameters. The parameters are kept as a canonical query string —
//! sorted, percent-encoded, without the project or a download — so that a crafted one can neither reach another
//! project nor break the link that reopens it.

use tropa_meta::{Meta, MetaError, SavedReport};

use crate::error::Reason;
use crate::{AppError, Missing};

/// The reports that can be saved (their pages' names).
pub const KINDS: [&str; 3] = ["funnels", "paths", "retention"];
/// The longest name, in characters, and the longest parameters, in bytes (what `tropa-meta` keeps).
pub use tropa_meta::reports::{MAX_NAME as NAME_MAX, MAX_QUERY as QUERY_MAX};

/// Parameters that are not the report's: where it is shown and how it is downloaded.
const NOT_PARAMETERS: [&str; 4] = ["project", "download", "format", "saved"];

/// The kind of report `text` names.
pub fn kind(text: &str) -> Result<&'static str, AppError> {
    KINDS
        .iter()
        .copied()
        .find(|k| *k == text.trim())
        .ok_or(AppError::Invalid { field: "kind", reason: Reason::ReportKind })
}

/// A query component percent-encoded (everything but `A–Z a–z 0–9 - _ . ~`).
pub fn query_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A report's parameters as the canonical query string: non-empty values, sorted, encoded, without
/// [`NOT_PARAMETERS`].
pub fn canonical_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut kept: Vec<(&str, &str)> =
        pairs.into_iter().filter(|(k, v)| !NOT_PARAMETERS.contains(k) && !v.is_empty()).collect();
    kept.sort();
    kept.dedup();
    kept.iter().map(|(k, v)| format!("{}={}", query_component(k), query_component(v))).collect::<Vec<_>>().join("&")
}

/// The saved reports of one kind in a project, by name.
pub fn list(meta: &Meta, project: &str, kind: &str) -> Result<Vec<SavedReport>, AppError> {
    Ok(meta.saved_reports(project, kind)?)
}

/// Saves the report `pairs` describe under `name` (saving the same name again replaces it).
pub fn save<'a>(
    meta: &Meta,
    project: &str,
    kind: &str,
    name: &str,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    user: Option<i64>,
    now: i64,
) -> Result<SavedReport, AppError> {
    let kind = self::kind(kind)?;
    let query = canonical_query(pairs);
    // the one check of names and lengths is tropa-meta's; its refusals become typed reasons here
    let name = tropa_meta::reports::check_report(name, &query).map_err(|e| match e {
        MetaError::Invalid { field, .. } if field == "name" => {
            AppError::Invalid { field: "name", reason: Reason::ReportName { max: NAME_MAX } }
        }
        MetaError::Invalid { .. } => {
            AppError::Invalid { field: "query", reason: Reason::ReportTooLong { max: QUERY_MAX } }
        }
        other => other.into(),
    })?;
    Ok(meta.save_report(project, kind, name, &query, user, now)?)
}

/// Deletes saved report `id` of `project`.
pub fn delete(meta: &Meta, project: &str, id: i64) -> Result<(), AppError> {
    match meta.delete_report(project, id) {
        Err(MetaError::NotFound { .. }) => Err(AppError::NotFound(Missing::Report(id))),
        other => Ok(other?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> (tempfile::TempDir, Meta) {
        let dir = tempfile::tempdir().unwrap();
        let meta = Meta::open(&dir.path().join("meta.sqlite")).unwrap();
        meta.create_project("shop", "", 0).unwrap();
        (dir, meta)
    }

    #[test]
    fn the_query_is_canonical_and_cannot_name_another_project() {
        let pairs = [("steps", "view\npurchase"), ("project", "other"), ("window", "7d"), ("format", "csv"), ("x", "")];
        assert_eq!(canonical_query(pairs), "steps=view%0Apurchase&window=7d");
        assert_eq!(canonical_query([("b", "1"), ("a", "2 &=")]), "a=2%20%26%3D&b=1");
    }

    #[test]
    fn saved_reports_are_checked_listed_and_deleted() {
        let (_dir, meta) = meta();
        let r = save(&meta, "shop", "funnels", "  Checkout  ", [("steps", "a\nb")], None, 5).unwrap();
        assert_eq!((r.name.as_str(), r.query.as_str()), ("Checkout", "steps=a%0Ab"));
        // the same name again replaces it
        save(&meta, "shop", "funnels", "Checkout", [("steps", "a\nc")], None, 6).unwrap();
        let all = list(&meta, "shop", "funnels").unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].query, "steps=a%0Ac");
        let bad = |r: Result<SavedReport, AppError>| match r {
            Err(AppError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(bad(save(&meta, "shop", "sankey", "x", [], None, 0)), "kind");
        assert_eq!(bad(save(&meta, "shop", "paths", " ", [], None, 0)), "name");
        let long = "й".repeat(NAME_MAX + 1);
        assert_eq!(bad(save(&meta, "shop", "paths", &long, [], None, 0)), "name");
        let exact = "й".repeat(NAME_MAX);
        assert!(save(&meta, "shop", "paths", &exact, [], None, 0).is_ok(), "meta takes the longest name too");
        let huge = "x".repeat(QUERY_MAX);
        assert_eq!(bad(save(&meta, "shop", "paths", "big", [("steps", huge.as_str())], None, 0)), "query");
        assert!(matches!(save(&meta, "nope", "paths", "x", [], None, 0), Err(AppError::Meta(_))));
        delete(&meta, "shop", all[0].id).unwrap();
        assert!(list(&meta, "shop", "funnels").unwrap().is_empty());
        assert!(matches!(delete(&meta, "shop", all[0].id), Err(AppError::NotFound(Missing::Report(_)))));
    }
}
