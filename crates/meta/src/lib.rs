//! tropa's metadata: projects and their API keys, each project's settings — time zone and currency ([`settings`]) —, users and their sessions ([`users`]), saved reports and
//! journey definitions ([`reports`]), journey maps with their versions, share links and personas ([`maps`]), dashboards of pinned charts with
//! their share links ([`dashboards`]), and
//! the append-only audit log of who changed them ([`audit`]), and the dictionary's notes on event names and
//! properties ([`dictionary`]).
//!
//! Every operation is a method of a trait of [`repository`] (one per area, combined by [`Repository`]); the
//! default backend is SQLite ([`sqlite::SqliteRepository`], `meta.sqlite` in the data folder); several servers
//! share PostgreSQL ([`postgres::PostgresRepository`], `--meta postgres://…`). The schema is described once as
//! data ([`schema`]) and rendered for each dialect. Callers hold a [`Meta`], which opens SQLite ([`Meta::open`]),
//! connects to PostgreSQL ([`Meta::connect`]) or wraps any other backend ([`Meta::from_repository`]) and
//! dereferences to the repository, so `meta.create_project(…)` needs no trait in scope.
//!
//! A **project** is an isolated set of journeys (its events live in `projects/<slug>/` of the data folder); a
//! **key** lets a client into one project, either to send events (`write`, the Segment "write key") or to query
//! them (`read`). Keys are 32 random bytes shown once at creation (`tw_…` / `tr_…`, base62) and stored only as
//! their SHA-256 digest: a key has 190 bits of entropy, so a fast digest cannot be brute-forced and every request
//! can be checked in microseconds (argon2 is for low-entropy secrets such as passwords).
//!
//! ```
//! use tropa_meta::{KeyKind, Meta};
//! let dir = tempfile::tempdir()?;
//! let meta = Meta::open(&dir.path().join("meta.sqlite"))?;
//! let project = meta.create_project("shop", "My shop", 0)?;
//! let key = meta.create_key(&project.slug, KeyKind::Write, "site", 0)?;
//! assert_eq!(meta.authenticate(&key.secret)?.unwrap().project, "shop");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod audit;
pub mod costs;
pub mod dashboards;
pub mod dictionary;
pub mod experiments;
pub mod maps;
pub mod members;
pub mod postgres;
mod projects;
pub mod reports;
pub mod repository;
pub mod schema;
pub mod secret;
pub mod settings;
pub mod sqlite;
pub mod surveys;
pub mod users;

pub use costs::StoredCost;
pub use dashboards::{DashboardInfo, DashboardPeriod, Move, NewTile, Shared, Tile};
pub use dictionary::{Note, NoteKind};
pub use maps::{MapInfo, MapVersion, NewShare, ShareInfo, StageLink};
pub use projects::{check_key_secret, check_slug, KeyInfo, KeyKind, NewKey, Project};
pub use reports::{SavedReport, StoredDefinition};
pub use repository::Repository;
pub use secret::random_password;
pub use settings::StoredSettings;
pub use surveys::{NewSurvey, StoredSurvey};
pub use users::{NewSession, Role, User};

use std::ops::Deref;
use std::path::Path;

/// Errors of the metadata store.
#[derive(Debug, thiserror::Error)]
pub enum MetaError {
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("{what} '{name}' does not exist")]
    NotFound { what: &'static str, name: String },
    #[error("{what} '{name}' already exists")]
    Conflict { what: &'static str, name: String },
    /// The backend failed (SQLite, PostgreSQL, …): its own error, kept as the source.
    #[error("metadata database: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("metadata database {path}: schema version {found} is newer than this tropa understands ({known})")]
    TooNew { path: String, found: i64, known: i64 },
    #[error("random source: {0}")]
    Random(String),
}

/// The metadata store everyone holds (`Arc<Meta>`): a backend behind [`Repository`], whose methods it exposes
/// through `Deref`.
pub struct Meta {
    repo: Box<dyn Repository>,
}

impl Meta {
    /// Opens (or creates) the SQLite database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Meta, MetaError> {
        Ok(Meta::from_repository(Box::new(sqlite::SqliteRepository::open(path)?)))
    }

    /// Connects to the PostgreSQL database of `url` (`postgres://user:password@host:port/database`, see
    /// [`postgres::PostgresRepository::connect`]) and brings its schema up to date.
    pub fn connect(url: &str) -> Result<Meta, MetaError> {
        Ok(Meta::from_repository(Box::new(postgres::PostgresRepository::connect(url)?)))
    }

    /// Whether `location` names a PostgreSQL database (`postgres://` or `postgresql://`) rather than a file.
    pub fn is_url(location: &str) -> bool {
        location.starts_with("postgres://") || location.starts_with("postgresql://")
    }

    /// Any other backend.
    pub fn from_repository(repo: Box<dyn Repository>) -> Meta {
        Meta { repo }
    }
}

impl Deref for Meta {
    type Target = dyn Repository;

    fn deref(&self) -> &(dyn Repository + 'static) {
        &*self.repo
    }
}

/// A fresh SQLite database in a temporary folder, for the tests of this crate that are SQLite's own.
#[cfg(test)]
pub(crate) fn test_meta() -> (tempfile::TempDir, Meta) {
    testing::sqlite()
}

#[cfg(test)]
mod testing;
