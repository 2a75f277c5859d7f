//! A project's feedback theme list: the themes its texts are sorted into (delivery, price, payment…), each a key,
//! a name in English and Russian and terms in each language (see `tropa_text::ThemeList` for how a term
//! matches). A project starts from the built-in list; an analyst or an admin edits a copy of it — one theme
//! saved or deleted, or the whole list replaced — and can reset it to the built-in list. The copy is stored in
//! the metadata as one JSON document, each change recorded in the audit log. The feedback page, the query API
//! and the journey map read [`list`].
//!
//! Checking is separate from saving, so an adapter can show every problem at its field first:
//! [`with_theme`] and [`without_theme`] give the list a change would make (or every problem of it, each with
//! its field: `theme[2].ru[0]`, or for one theme `ru[0]`), and [`save`] stores a checked list.

use serde_json::{json, Value};
use tropa_meta::{Meta, MetaError};
use tropa_text::TextError;
pub use tropa_text::{ThemeIssue, ThemeList};

use crate::audit::{record, Action, Done, Who};
use crate::AppError;

/// The project's theme list: its own copy when it has one, else the built-in list (a stored copy that no
/// longer reads falls back to the built-in list too).
pub fn list(meta: &Meta, project: &str) -> Result<ThemeList, AppError> {
    Ok(match meta.feedback_themes(project)? {
        Some((doc, _)) => ThemeList::from_json(&doc).unwrap_or_else(|_| ThemeList::builtin().clone()),
        None => ThemeList::builtin().clone(),
    })
}

/// Whether the project edited its list (false: it reads the built-in one).
pub fn is_own(meta: &Meta, project: &str) -> Result<bool, AppError> {
    Ok(meta.feedback_themes(project)?.is_some())
}

/// Every problem of a list given whole (`{"theme": [...]}`), or the list.
pub fn parse(value: &Value) -> Result<ThemeList, Vec<ThemeIssue>> {
    ThemeList::from_json(&value.to_string()).map_err(issues)
}

fn issues(e: TextError) -> Vec<ThemeIssue> {
    match e {
        TextError::Invalid(v) => v,
        // JSON made from a value always parses
        TextError::Syntax { .. } => {
            vec![ThemeIssue { field: "theme".into(), reason: tropa_text::ThemeReason::NotATable }]
        }
    }
}

/// The list `current` with `theme` (an object: `key`, `name_en`, `name_ru`, `en`, `ru`) saved: replacing the
/// theme with its key, or added at the end. Problems name the theme's own fields (`ru[0]`, `key`).
pub fn with_theme(current: &ThemeList, theme: &Value) -> Result<ThemeList, Vec<ThemeIssue>> {
    let mut themes: Vec<Value> = current.themes().iter().map(|t| json!(t)).collect();
    let key = theme.get("key").and_then(Value::as_str).unwrap_or_default();
    let at = match themes.iter().position(|t| t.get("key").and_then(Value::as_str) == Some(key)) {
        Some(i) => {
            themes[i] = theme.clone();
            i
        }
        None => {
            themes.push(theme.clone());
            themes.len() - 1
        }
    };
    let own = format!("theme[{at}]");
    parse(&json!({ "theme": themes })).map_err(|v| {
        v.into_iter()
            .map(|mut i| {
                if let Some(rest) = i.field.strip_prefix(&own) {
                    i.field = rest.trim_start_matches('.').to_string();
                }
                i
            })
            .collect()
    })
}

/// The list `current` without the theme `key` (None when it has no such theme).
pub fn without_theme(current: &ThemeList, key: &str) -> Option<ThemeList> {
    let themes: Vec<Value> = current.themes().iter().filter(|t| t.key != key).map(|t| json!(t)).collect();
    if themes.len() == current.themes().len() {
        return None;
    }
    parse(&json!({ "theme": themes })).ok()
}

/// Stores `list` as the project's own, recorded in the audit log with `what` changed (a theme's key, or `*`
/// for the whole list).
pub fn save(meta: &Meta, who: &Who, project: &str, list: &ThemeList, what: &str, now: i64) -> Result<(), AppError> {
    meta.save_feedback_themes(project, &list.to_json().to_string(), now)?;
    let details = json!({ "themes": list.themes().len() });
    record(meta, who, Done::new(Action::ThemesSave, Some(project), what.to_string()).with(details), now)?;
    Ok(())
}

/// Deletes the theme `key` from the project's list (`NotFound { what: "theme" }` when it has none).
pub fn delete(meta: &Meta, who: &Who, project: &str, key: &str, now: i64) -> Result<ThemeList, AppError> {
    let current = list(meta, project)?;
    let next = without_theme(&current, key)
        .ok_or_else(|| AppError::Meta(MetaError::NotFound { what: "theme", name: key.into() }))?;
    save(meta, who, project, &next, key, now)?;
    Ok(next)
}

/// Resets the project's list to the built-in one (recorded even when it had no copy).
pub fn reset(meta: &Meta, who: &Who, project: &str, now: i64) -> Result<(), AppError> {
    meta.reset_feedback_themes(project)?;
    record(meta, who, Done::new(Action::ThemesReset, Some(project), "*".to_string()), now)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_edits_its_copy_of_the_built_in_list_and_resets_it() {
        let dir = tempfile::tempdir().unwrap();
        let meta = crate::layout::open_meta(dir.path()).unwrap();
        meta.create_project("a", "", 0).unwrap();
        let who = Who::cli("ops");
        let builtin = ThemeList::builtin();
        assert_eq!(&list(&meta, "a").unwrap(), builtin);
        assert!(!is_own(&meta, "a").unwrap());

        // a new theme is added at the end and assigned
        let t = json!({"key": "gifts", "name_en": "Gifts", "name_ru": "Подарки",
                       "en": ["gift*"], "ru": ["подар*"]});
        let next = with_theme(&list(&meta, "a").unwrap(), &t).unwrap();
        save(&meta, &who, "a", &next, "gifts", 1).unwrap();
        let own = list(&meta, "a").unwrap();
        assert_eq!(own.themes().len(), builtin.themes().len() + 1);
        assert_eq!(own.themes().last().unwrap().key, "gifts");
        assert!(own.assign("Подарок пришёл мятым").contains(&"gifts"));
        assert!(!builtin.assign("Подарок пришёл мятым").contains(&"gifts"));
        assert!(is_own(&meta, "a").unwrap());

        // problems name the theme's own fields, every one of them
        let bad = json!({"key": "Bad Key", "name_en": "", "name_ru": "x", "ru": ["!!"]});
        let got = with_theme(&own, &bad).unwrap_err();
        let fields: Vec<&str> = got.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(fields, ["key", "name_en", "ru[0]"]);

        // replaced by key, deleted, reset
        let t2 = json!({"key": "gifts", "name_en": "Presents", "name_ru": "Подарки", "en": ["present*"]});
        let next = with_theme(&own, &t2).unwrap();
        assert_eq!(next.themes().len(), own.themes().len());
        assert!(!next.assign("Подарок пришёл мятым").contains(&"gifts"), "the Russian terms went");
        delete(&meta, &who, "a", "delivery", 2).unwrap();
        assert!(!list(&meta, "a").unwrap().themes().iter().any(|t| t.key == "delivery"));
        assert!(matches!(delete(&meta, &who, "a", "delivery", 3), Err(AppError::Meta(MetaError::NotFound { .. }))));
        reset(&meta, &who, "a", 4).unwrap();
        assert_eq!(&list(&meta, "a").unwrap(), builtin);
        let log = crate::audit::list(&meta, &crate::audit::Filter { limit: 10, ..Default::default() }).unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["themes.reset", "themes.save", "themes.save"]);
    }
}
