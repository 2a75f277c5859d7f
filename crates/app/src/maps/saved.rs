//! A project's journey maps and personas as stored in the metadata: a map made from a template (with the
//! template's personas the project lacks), a map's latest or given version read back, a persona by key.

use tropa_core::cjm::persona::Persona;
use tropa_core::cjm::{template, JourneyMap};
use tropa_core::lang::Lang;
use tropa_meta::{Meta, StageLink};

use crate::{AppError, Missing, Reason};

/// Who makes a map and when: the signed-in user (None from the command line) and the clock, epoch ms.
#[derive(Debug, Clone, Copy)]
pub struct Author {
    pub user: Option<i64>,
    pub now: i64,
}

/// Creates a map of `project` from the template `key`, its texts in `lang` (and titled `title` when given), and
/// saves the template's personas the project has none of that key; returns the map's id.
pub fn create_from_template(
    meta: &Meta,
    project: &str,
    (key, lang): (&str, Lang),
    title: Option<&str>,
    by: Author,
) -> Result<i64, AppError> {
    create_with_stages(meta, project, (key, lang), title, StageLink::Detached, by)
}

/// [`create_from_template`] with the map's stages either the project's (`Linked`: the template's cells carried
/// by position) or the template's own (`Detached`).
pub fn create_with_stages(
    meta: &Meta,
    project: &str,
    (key, lang): (&str, Lang),
    title: Option<&str>,
    stages: StageLink,
    by: Author,
) -> Result<i64, AppError> {
    let t = template::by_key(key).ok_or_else(|| AppError::NotFound(Missing::Template(key.into())))?;
    let mut map = t.instantiate(lang.code());
    if stages == StageLink::Linked {
        let def = crate::definitions::project(meta, project)?.definition;
        map = super::versions::with_stages(&map, &def, super::versions::Carry::ByPosition);
    }
    if let Some(title) = title.map(str::trim).filter(|t| !t.is_empty()) {
        map.title = title.into();
    }
    map.validate().map_err(|e| AppError::Invalid { field: "title", reason: Reason::Document(e.to_string()) })?;
    let have: Vec<String> = meta.personas(project)?.into_iter().map(|(k, _)| k).collect();
    for p in t.personas(lang.code()) {
        if !have.contains(&p.key) {
            let doc = serde_json::to_string(&p)
                .map_err(|e| AppError::Invalid { field: "persona", reason: Reason::Document(e.to_string()) })?;
            meta.save_persona(project, &p.key, &doc, by.now)?;
        }
    }
    let summary = format!("{} {key}", lang.pick("from the template", "из шаблона"));
    let id = meta.create_map(project, &map.title, &map.to_json(), &summary, by.user, by.now)?.id;
    if stages == StageLink::Linked {
        meta.set_map_stages(project, id, stages)?;
    }
    Ok(id)
}

/// The latest (or the given) version of map `id` of `project`, read; with its version number.
pub fn load(meta: &Meta, project: &str, id: i64, version: Option<i64>) -> Result<(JourneyMap, i64), AppError> {
    let v = meta.map_version(project, id, version)?.ok_or(AppError::NotFound(Missing::Map { id, version }))?;
    let map = JourneyMap::from_json(&v.document)
        .map_err(|e| AppError::Invalid { field: "map", reason: Reason::Document(e.to_string()) })?;
    Ok((map, v.version))
}

/// The persona `key` of `project`.
pub fn persona(meta: &Meta, project: &str, key: &str) -> Result<Persona, AppError> {
    let doc = meta
        .personas(project)?
        .into_iter()
        .find(|(k, _)| k == key)
        .ok_or_else(|| AppError::NotFound(Missing::Persona(key.into())))?
        .1;
    Persona::from_json(&doc)
        .map_err(|e| AppError::Invalid { field: "persona", reason: Reason::Document(e.to_string()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_from_a_template_brings_its_personas_once_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let meta = crate::layout::open_meta(dir.path()).unwrap();
        let by = Author { user: None, now: 1_000 };
        let id = create_from_template(&meta, "default", ("online_store", Lang::Ru), None, by).unwrap();
        let (map, v) = load(&meta, "default", id, None).unwrap();
        assert_eq!((map.lang.as_str(), v), ("ru", 1));
        let personas = meta.personas("default").unwrap();
        assert!(!personas.is_empty());
        let key = personas[0].0.clone();
        assert_eq!(persona(&meta, "default", &key).unwrap().key, key);

        // a second map with its own title keeps the personas already there
        let id2 = create_from_template(&meta, "default", ("online_store", Lang::En), Some("Q3"), by).unwrap();
        assert_eq!(load(&meta, "default", id2, None).unwrap().0.title, "Q3");
        assert_eq!(meta.personas("default").unwrap().len(), personas.len());

        let e = create_from_template(&meta, "default", ("bakery", Lang::En), None, by).unwrap_err();
        assert!(matches!(e, AppError::NotFound(Missing::Template(ref k)) if k == "bakery"));
        let e = load(&meta, "default", id, Some(9)).unwrap_err();
        assert!(matches!(e, AppError::NotFound(Missing::Map { version: Some(9), .. })));
        assert!(matches!(persona(&meta, "default", "nobody").unwrap_err(), AppError::NotFound(_)));
    }
}
