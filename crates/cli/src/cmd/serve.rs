//! `tropa serve`: the HTTP server (`tropa-server`) with the web app's pages (`tropa-web`) over a data folder (the application layer's [`tropa_app::App`]: projects in
//! `meta.sqlite` or the PostgreSQL database of `--meta`, each with its embedded store). This module and `demo` are the only places the CLI starts the
//! HTTP server; every other command goes through `tropa_app` alone.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use tropa_app::{App, Maintenance};
use tropa_server::{AppState, Config};
use tropa_web::WebState;

use crate::lang::tr;
use crate::UserError;

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

/// How often open stores merge their small parts in the background.
const MAINTAIN_EVERY: Duration = Duration::from_secs(10);

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
        ("meta", &tropa_app::layout::meta_url().map(String::from)),
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
    // the config file's or the environment's `meta` (the flag's was taken by main)
    if let Some(url) = &config.meta {
        tropa_app::layout::use_meta_url(url.expose()).map_err(|e| UserError(format!("meta: {e}")))?;
    }
    let app = App::open(root, super::store_options()?).map_err(super::app_error)?;
    // open every project now: a folder in use by another process is reported before the server says it is up
    app.open_all().map_err(super::app_error)?;
    let maintenance = Maintenance::start(app.projects().clone(), MAINTAIN_EVERY);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let state = AppState::new(config.clone(), app.meta().clone(), app.projects().clone());
    let pages =
        tropa_web::router(WebState::new(app.meta().clone(), app.projects().clone(), config.trusted_proxies.clone()));
    drop(app);
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|e| UserError(format!("--listen {}: {e}", config.listen)))?;
        let addr = listener.local_addr()?;
        banner(&format!("http://{addr}"));
        tracing::info!(%addr, "listening");
        tropa_server::serve(listener, state, pages, shutdown_signal()).await?;
        anyhow::Ok(())
    })?;
    // the state (and with it every store) is dropped here: each store checkpoints its memtable on drop
    runtime.shutdown_timeout(std::time::Duration::from_millis(config.shutdown_timeout_ms as u64));
    maintenance.stop();
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
