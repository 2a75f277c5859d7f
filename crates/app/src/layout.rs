//! The data folder: `meta.sqlite` (projects, keys, users, definitions, maps — tropa-meta), the store of project
//! `default` in the folder itself (what `tropa import` fills without `--project`), and every other project's
//! store in `projects/<id>/`. The metadata may live in PostgreSQL instead (`--meta postgres://…`, for several
//! servers sharing it): the binary says so once, with [`use_meta_url`], and every [`open_meta`] of the process
//! connects there.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tropa_meta::Meta;

use crate::{AppError, Missing};

/// The project that is the data folder's own store.
pub const DEFAULT_PROJECT: &str = "default";

/// The metadata file of a data folder.
pub const META_FILE: &str = "meta.sqlite";

/// The store folder of `project` in the data folder `root`.
pub fn project_dir(root: &Path, project: &str) -> PathBuf {
    if project == DEFAULT_PROJECT {
        root.to_path_buf()
    } else {
        root.join("projects").join(project)
    }
}

/// Where this process keeps its metadata when not in the data folder.
static META_URL: OnceLock<String> = OnceLock::new();

/// Makes every later [`open_meta`] and [`project_data`] of this process use the PostgreSQL database at `url`
/// (`postgres://user:password@host:port/database`) instead of the data folder's `meta.sqlite`. Called once, by the
/// binary (`--meta`, `TROPA_META` or the config file's `meta`); a second call with another URL is refused.
pub fn use_meta_url(url: &str) -> Result<(), AppError> {
    if !Meta::is_url(url) {
        return Err(tropa_meta::MetaError::Invalid {
            field: "meta".into(),
            reason: "must be a PostgreSQL URL: postgres://user:password@host:port/database".into(),
        }
        .into());
    }
    if META_URL.get_or_init(|| url.to_string()) != url {
        return Err(tropa_meta::MetaError::Invalid {
            field: "meta".into(),
            reason: "the metadata database was already chosen for this process".into(),
        }
        .into());
    }
    Ok(())
}

/// The PostgreSQL database this process keeps its metadata in, if not the data folder.
pub fn meta_url() -> Option<&'static str> {
    META_URL.get().map(String::as_str)
}

/// Opens the metadata of `root` (creating the folder), registering the folder's own store as project `default`:
/// the folder's `meta.sqlite`, or the database of [`use_meta_url`].
pub fn open_meta(root: &Path) -> Result<Meta, AppError> {
    std::fs::create_dir_all(root).map_err(|source| AppError::Io { path: root.display().to_string(), source })?;
    let meta = match meta_url() {
        Some(url) => Meta::connect(url)?,
        None => Meta::open(&root.join(META_FILE))?,
    };
    if meta.project(DEFAULT_PROJECT)?.is_none() {
        meta.create_project(DEFAULT_PROJECT, "Default", crate::now_ms())?;
    }
    Ok(meta)
}

/// The metadata of `root` if there is any, opened without creating anything: the database of [`use_meta_url`],
/// else the folder's `meta.sqlite` when it exists (None for a bare store).
pub fn existing_meta(root: &Path) -> Result<Option<Meta>, AppError> {
    if let Some(url) = meta_url() {
        return Ok(Some(Meta::connect(url)?));
    }
    let file = root.join(META_FILE);
    Ok(if file.exists() { Some(Meta::open(&file)?) } else { None })
}

/// The store folder of `project`, which must be `default` or one of the folder's projects (checked without
/// creating anything, so a mistyped project leaves no trace).
pub fn project_data(root: &Path, project: &str) -> Result<PathBuf, AppError> {
    if project != DEFAULT_PROJECT {
        let known = match existing_meta(root)? {
            Some(meta) => meta.project(project)?.is_some(),
            None => false,
        };
        if !known {
            return Err(AppError::NotFound(Missing::Project(project.into())));
        }
    }
    Ok(project_dir(root, project))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projects_live_in_the_folder_and_unknown_ones_are_refused_without_a_trace() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("data");
        assert_eq!(project_dir(&root, "default"), root);
        assert_eq!(project_dir(&root, "shop"), root.join("projects").join("shop"));
        let e = project_data(&root, "shop").unwrap_err();
        assert!(matches!(e, AppError::NotFound(Missing::Project(ref p)) if p == "shop"));
        assert!(!root.exists(), "looking up a project created nothing");
        let meta = open_meta(&root).unwrap();
        assert!(meta.project(DEFAULT_PROJECT).unwrap().is_some());
        meta.create_project("shop", "Shop", 0).unwrap();
        assert_eq!(project_data(&root, "shop").unwrap(), root.join("projects/shop"));
    }
}
