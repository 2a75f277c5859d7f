//! `tropa serve`: the HTTP server over a data folder. Projects live in the folder: `default` is the folder's own
//! store (the one `tropa import` fills without `--project`), any other project is `projects/<id>/`; projects and
//! keys are listed in `meta.sqlite`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use clap::Args;
use tropa_engine::{Engine, EngineError};
use tropa_meta::Meta;
use tropa_server::{AppState, Config, Projects};

use crate::lang::tr;
use crate::UserError;

/// The project that is the data folder's own store.
pub const DEFAULT_PROJECT: &str = "default";

#[derive(Args, Clone, Default)]
pub struct ServeArgs {
    /// Configuration file (TOML); default: tropa.toml in the current folder if there is one.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Address and port to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    pub listen: Option<String>,
    /// Largest accepted message, e.g. 32KiB.
    #[arg(long)]
    pub max_message_size: Option<String>,
    /// Largest accepted request body, e.g. 500KiB.
    #[arg(long)]
    pub max_batch_size: Option<String>,
    /// Ingest requests waiting for the write-ahead log before the server answers 429.
    #[arg(long)]
    pub max_inflight_requests: Option<String>,
    /// A second address that serves only /metrics, e.g. 127.0.0.1:9464 (the token, if any, comes from
    /// TROPA_METRICS_TOKEN or the config file, never from a flag, which other users of the machine can read).
    #[arg(long)]
    pub metrics_listen: Option<String>,
}

/// The store folder of `project` in the data folder `root`.
pub fn project_dir(root: &Path, project: &str) -> PathBuf {
    if project == DEFAULT_PROJECT {
        root.to_path_buf()
    } else {
        root.join("projects").join(project)
    }
}

/// Opens the metadata of `root`, registering the folder's own store as project `default`.
pub fn open_meta(root: &Path) -> anyhow::Result<Meta> {
    std::fs::create_dir_all(root)?;
    let meta = Meta::open(&root.join("meta.sqlite"))?;
    if meta.project(DEFAULT_PROJECT)?.is_none() {
        meta.create_project(DEFAULT_PROJECT, "Default", now_ms())?;
    }
    Ok(meta)
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Opens each project's store on first use and keeps it open.
struct StoreProjects {
    root: PathBuf,
    options: tropa_store::StoreOptions,
    open: Mutex<HashMap<String, Arc<tropa_store::Store>>>,
}

/// Small parts merged in the background once there are this many (each flush of the memtable makes one).
const COMPACT_AT_PARTS: usize = 8;

impl StoreProjects {
    /// Background maintenance: merges each open store's small parts (online: ingestion goes on meanwhile).
    fn maintain(&self) {
        let stores: Vec<(String, Arc<tropa_store::Store>)> =
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
        let store = Arc::new(tropa_store::Store::open(&project_dir(&self.root, project), self.options)?);
        open.insert(project.to_string(), store.clone());
        Ok(store)
    }
}

fn resolve_config(args: &ServeArgs) -> anyhow::Result<Config> {
    let path = args.config.clone().or_else(|| Path::new("tropa.toml").exists().then(|| "tropa.toml".into()));
    let text = match &path {
        Some(p) => Some(std::fs::read_to_string(p).map_err(|e| UserError(format!("{}: {e}", p.display())))?),
        None => None,
    };
    let name = path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    let env: Vec<(String, String)> = std::env::vars().filter(|(k, _)| k.starts_with("TROPA_")).collect();
    let mut flags = Vec::new();
    for (key, v) in [
        ("listen", &args.listen),
        ("max_message_size", &args.max_message_size),
        ("max_batch_size", &args.max_batch_size),
        ("max_inflight_requests", &args.max_inflight_requests),
        ("metrics_listen", &args.metrics_listen),
    ] {
        if let Some(v) = v {
            flags.push((key, v.clone()));
        }
    }
    Config::resolve(text.as_deref().map(|t| (name.as_str(), t)), &env, &flags)
        .map_err(|e| UserError(e.to_string()).into())
}

/// Serves `root` until Ctrl-C or SIGTERM; `banner` is printed once the socket is bound.
pub fn serve(root: &Path, args: &ServeArgs, banner: impl FnOnce(&str)) -> anyhow::Result<()> {
    let config = resolve_config(args)?;
    let meta = Arc::new(open_meta(root)?);
    let projects = Arc::new(StoreProjects {
        root: root.to_path_buf(),
        options: super::store_options()?,
        open: Mutex::new(HashMap::new()),
    });
    // open every project now: a folder in use by another process is reported before the server says it is up
    for p in meta.projects()? {
        projects.engine(&p.slug)?;
    }
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let maintenance = {
        let (projects, stop) = (projects.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut ticks = 0u32;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                std::thread::sleep(std::time::Duration::from_millis(500));
                ticks += 1;
                if ticks.is_multiple_of(20) {
                    projects.maintain();
                }
            }
        })
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let state = AppState::new(config.clone(), meta, projects);
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|e| UserError(format!("--listen {}: {e}", config.listen)))?;
        let addr = listener.local_addr()?;
        banner(&format!("http://{addr}"));
        tracing::info!(%addr, "listening");
        tropa_server::serve(listener, state, shutdown_signal()).await?;
        anyhow::Ok(())
    })?;
    // the state (and with it every store) is dropped here: each store checkpoints its memtable on drop
    runtime.shutdown_timeout(std::time::Duration::from_millis(config.shutdown_timeout_ms as u64));
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = maintenance.join();
    eprintln!("{}", tr("stopped: every acknowledged event is stored", "остановлено: все принятые события сохранены"));
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(t) => t,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

pub fn run(root: &Path, args: ServeArgs) -> anyhow::Result<()> {
    serve(root, &args, |url| {
        println!("tropa {} {url}", tr("is serving at", "работает по адресу"));
        println!(
            "  {}: {url}/t.js   API: {url}/api/openapi.json   {}: {url}/metrics",
            tr("snippet", "сниппет"),
            tr("metrics", "метрики")
        );
    })
}
