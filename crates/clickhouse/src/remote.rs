//! The transport: the official `clickhouse` client on a small tokio runtime owned by the engine.
//!
//! The [`tropa_engine::Engine`] contract is synchronous. Every call spawns its future on the engine's own runtime
//! and waits for the answer on a plain channel, so it works from any thread — also from a worker of another
//! runtime (the server's), where `Runtime::block_on` would panic.

use std::future::Future;
use std::sync::mpsc;

use tropa_engine::EngineError;

/// Where the events live: `clickhouse://user:password@host:port/database`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClickHouseOptions {
    /// `http://host:port` of ClickHouse's HTTP interface.
    pub url: String,
    pub user: String,
    pub password: String,
    pub database: String,
    /// The project whose events this engine reads and writes (every table carries it).
    pub project: String,
}

impl ClickHouseOptions {
    /// Parses `clickhouse://user:password@host:port/database` (user, password, port and database optional:
    /// `default`, empty, 8123, `tropa`).
    pub fn parse(url: &str, project: &str) -> Result<Self, EngineError> {
        let bad = |reason: &str| EngineError::Invalid { field: "events".into(), reason: reason.into() };
        let rest = url
            .strip_prefix("clickhouse://")
            .ok_or_else(|| bad("must start with clickhouse:// (clickhouse://user:password@host:8123/database)"))?;
        let (auth, host_db) = match rest.rsplit_once('@') {
            Some((a, h)) => (Some(a), h),
            None => (None, rest),
        };
        let (user, password) = match auth {
            Some(a) => match a.split_once(':') {
                Some((u, p)) => (u.to_string(), p.to_string()),
                None => (a.to_string(), String::new()),
            },
            None => ("default".to_string(), String::new()),
        };
        let (host, database) = match host_db.split_once('/') {
            Some((h, d)) => (h, d.trim_end_matches('/')),
            None => (host_db, ""),
        };
        if host.is_empty() {
            return Err(bad("names no host (clickhouse://user:password@host:8123/database)"));
        }
        let database = if database.is_empty() { "tropa" } else { database };
        if !database.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(bad("the database name may hold only letters, digits and _"));
        }
        let host = if host.contains(':') { host.to_string() } else { format!("{host}:8123") };
        Ok(ClickHouseOptions {
            url: format!("http://{host}"),
            user: if user.is_empty() { "default".into() } else { user },
            password,
            database: database.into(),
            project: project.into(),
        })
    }
}

/// The client and the runtime it runs on.
pub struct Remote {
    runtime: tokio::runtime::Runtime,
    /// A client bound to the database.
    pub client: clickhouse::Client,
    /// A client without a database (to create it).
    pub server: clickhouse::Client,
}

impl Remote {
    pub fn new(o: &ClickHouseOptions) -> Result<Self, EngineError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("tropa-clickhouse")
            .enable_all()
            .build()
            .map_err(|e| EngineError::Remote { what: "started its runtime", reason: e.to_string() })?;
        let server = clickhouse::Client::default().with_url(&o.url).with_user(&o.user).with_password(&o.password);
        let client = server.clone().with_database(&o.database);
        Ok(Remote { runtime, client, server })
    }

    /// Runs `f` on the engine's runtime and waits for it, from any thread.
    pub fn run<T, F>(&self, what: &'static str, f: F) -> Result<T, EngineError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, clickhouse::error::Error>> + Send + 'static,
    {
        let (tx, rx) = mpsc::sync_channel(1);
        self.runtime.spawn(async move {
            let _ = tx.send(f.await);
        });
        match rx.recv() {
            Ok(r) => r.map_err(|e| EngineError::Remote { what, reason: e.to_string() }),
            Err(_) => Err(EngineError::Remote { what, reason: "the request was dropped".into() }),
        }
    }

    /// Spawns `f` on the engine's runtime without waiting (a streaming reader).
    pub fn spawn<F>(&self, f: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.runtime.spawn(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_with_defaults() {
        let o = ClickHouseOptions::parse("clickhouse://u:p@db.local:9000/ev", "p1").expect("parse");
        assert_eq!((o.url.as_str(), o.user.as_str(), o.password.as_str()), ("http://db.local:9000", "u", "p"));
        assert_eq!((o.database.as_str(), o.project.as_str()), ("ev", "p1"));
        let o = ClickHouseOptions::parse("clickhouse://localhost", "p").expect("parse");
        assert_eq!(
            (o.url.as_str(), o.user.as_str(), o.database.as_str()),
            ("http://localhost:8123", "default", "tropa")
        );
        for bad in ["http://x", "clickhouse://", "clickhouse://h/bad-name"] {
            assert!(ClickHouseOptions::parse(bad, "p").is_err(), "{bad}");
        }
    }
}
