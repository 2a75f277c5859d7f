//! tropa's application layer: the one place that knows how the pieces fit — the data folder and its project
//! layout, opening a project's engine, a project's settings (the time zone of its reports, its currency), the journey definition a project uses (saved or default), journey maps
//! (templates, data lanes, exports) and personas, the audit log of who changed what ([`audit`]) and forgetting a
//! customer ([`forget`]), the dictionary of event names and properties with their display names ([`dictionary`]),
//! and the one translator from request text (steps, filters, periods) to typed specs
//! ([`request`]), saved reports ([`reports`]), dashboards of pinned charts with their cached results ([`dashboards`]). The CLI, the query API and the web app are adapters over it:
//! they parse their own input, call one function here, and word the answer (or the [`AppError`]) their own way.
//!
//! ```no_run
//! # fn main() -> Result<(), tropa_app::AppError> {
//! let app = tropa_app::App::open(std::path::Path::new("tropa-data"), Default::default())?;
//! let engine = app.engine("default")?;
//! let definition = tropa_app::definitions::project(app.meta(), "default")?;
//! println!("{} events, {} stages", engine.summary()?.events, definition.definition.stages.len());
//! # Ok(())
//! # }
//! ```

pub mod audit;
pub mod costs;
pub mod dashboards;
pub mod definitions;
pub mod dictionary;
mod error;
pub mod experiments;
pub mod feedback;
pub mod forget;
pub mod layout;
pub mod maps;
pub mod projects;
pub mod reports;
pub mod request;
pub mod sessions;
pub mod settings;
pub mod surveys;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tropa_engine::Engine;
use tropa_meta::Meta;

pub use error::{AppError, Missing, Reason};
pub use projects::{Maintenance, Projects, StoreProjects};

/// A data folder opened for work: its metadata and its projects' engines.
pub struct App {
    root: PathBuf,
    meta: Arc<Meta>,
    projects: Arc<StoreProjects>,
}

impl App {
    /// Opens the data folder `root` (created if missing) on the embedded engine.
    pub fn open(root: &Path, options: tropa_store::StoreOptions) -> Result<App, AppError> {
        let meta = Arc::new(layout::open_meta(root)?);
        let projects = Arc::new(StoreProjects::new(root, options));
        Ok(App { root: root.to_path_buf(), meta, projects })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn meta(&self) -> &Arc<Meta> {
        &self.meta
    }

    /// Every project's engine, opened on first use.
    pub fn projects(&self) -> &Arc<StoreProjects> {
        &self.projects
    }

    /// The engine of `project`, which must be one of the folder's projects.
    pub fn engine(&self, project: &str) -> Result<Arc<dyn Engine>, AppError> {
        if self.meta.project(project)?.is_none() {
            return Err(AppError::NotFound(Missing::Project(project.into())));
        }
        Ok(self.projects.engine(project)?)
    }

    /// Opens every project's engine now, so that a folder in use by another process is reported at start.
    pub fn open_all(&self) -> Result<(), AppError> {
        for p in self.meta.projects()? {
            self.projects.engine(&p.slug)?;
        }
        Ok(())
    }
}

/// The wall clock, epoch ms (the adapters' clock; core never reads it).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}
