//! Hands out each project's engine. [`Projects`] is what the adapters see (`Arc<dyn Engine>`, never a backend);
//! [`StoreProjects`] is the embedded default — one `tropa_store::Store` per project, opened on first use and kept
//! open — with its background maintenance ([`Maintenance`]: small parts merged while ingestion goes on).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tropa_engine::{Engine, EngineError};
use tropa_store::{Store, StoreOptions};

use crate::layout::project_dir;

/// Hands out the engine of a project (opening it on first use).
pub trait Projects: Send + Sync {
    fn engine(&self, project: &str) -> Result<Arc<dyn Engine>, EngineError>;
}

/// Small parts merged in the background once there are this many (each flush of the memtable makes one).
const COMPACT_AT_PARTS: usize = 8;

/// The embedded engine of every project of a data folder.
pub struct StoreProjects {
    root: PathBuf,
    options: StoreOptions,
    open: Mutex<HashMap<String, Arc<Store>>>,
}

impl StoreProjects {
    pub fn new(root: &Path, options: StoreOptions) -> StoreProjects {
        StoreProjects { root: root.to_path_buf(), options, open: Mutex::new(HashMap::new()) }
    }

    /// Merges each open store's small parts (online: ingestion goes on meanwhile).
    pub fn maintain(&self) {
        let stores: Vec<(String, Arc<Store>)> =
            self.open.lock().unwrap_or_else(|p| p.into_inner()).iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        for (project, store) in stores {
            match store.compact_small_parts(COMPACT_AT_PARTS) {
                Ok(r) if r.rows > 0 => {
                    tracing::info!(
                        project,
                        rows = r.rows,
                        parts_before = r.parts_before,
                        parts_after = r.parts_after,
                        "compacted"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::error!(project, error = %e, "background compaction failed"),
            }
        }
    }
}

impl Projects for StoreProjects {
    fn engine(&self, project: &str) -> Result<Arc<dyn Engine>, EngineError> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = open.get(project) {
            return Ok(s.clone());
        }
        let store = Arc::new(Store::open(&project_dir(&self.root, project), self.options)?);
        // a full memtable while the last one is still being written answers 429 rather than holding requests
        store.set_reject_when_full(true);
        open.insert(project.to_string(), store.clone());
        Ok(store)
    }
}

/// A thread that calls [`StoreProjects::maintain`] every `every` until [`Maintenance::stop`].
pub struct Maintenance {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Maintenance {
    pub fn start(projects: Arc<StoreProjects>, every: Duration) -> Maintenance {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let tick = Duration::from_millis(100).min(every);
            let mut waited = Duration::ZERO;
            while !flag.load(Ordering::SeqCst) {
                std::thread::sleep(tick);
                waited += tick;
                if waited >= every {
                    waited = Duration::ZERO;
                    projects.maintain();
                }
            }
        });
        Maintenance { stop, thread: Some(thread) }
    }

    /// Stops the thread and waits for a maintenance round in progress to finish.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
