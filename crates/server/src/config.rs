//! The server's configuration, resolved by one pure function: defaults < `tropa.toml` < `TROPA_*` environment <
//! command-line flags. Sizes are written like `32KiB`, `500KB`, `64MiB` (or plain bytes), durations like `30s`.
//! The commented example is `tropa.example.toml` at the repository root; a test parses it.

use std::net::{IpAddr, SocketAddr};

use serde::Deserialize;

/// Everything `tropa serve` can be told.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// Largest accepted message (one event), in bytes after decompression (Segment: 32 KB).
    pub max_message_bytes: usize,
    /// Largest accepted request body, in bytes after decompression (Segment: 500 KB per batch).
    pub max_batch_bytes: usize,
    /// Ingest requests waiting for the write-ahead log at once; more are answered 429 with `Retry-After`.
    pub max_inflight_requests: usize,
    /// Bytes of request bodies held in memory at once by ingest requests; more are answered 429.
    pub max_inflight_bytes: usize,
    /// Origins allowed to send events from browsers (`*` for any).
    pub cors_origins: Vec<String>,
    /// How long a graceful shutdown waits for requests in flight, in milliseconds.
    pub shutdown_timeout_ms: i64,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for the web app's sign-in throttle).
    pub trusted_proxies: Vec<IpAddr>,
    /// The token `/metrics` asks for (`Authorization: Bearer TOKEN`) from every client. Without one, `/metrics`
    /// on `listen` answers only clients on this machine that come straight, not through a proxy.
    pub metrics_token: Option<Secret>,
    /// A second address that serves only `/metrics` (to anyone who reaches it, or to the token's bearer).
    pub metrics_listen: Option<SocketAddr>,
    /// The PostgreSQL database of the metadata (`postgres://user:password@host:port/database`), shared by every
    /// server that names it; None keeps it in the data folder (SQLite). A secret: it may hold a password.
    pub meta: Option<Secret>,
}

/// A secret setting: never shown by `Debug`, so a logged configuration does not leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Shortest accepted secret, in characters.
    pub const MIN_CHARS: usize = 16;

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_message_bytes: 32 * 1024,
            max_batch_bytes: 500 * 1024,
            max_inflight_requests: 256,
            max_inflight_bytes: 64 << 20,
            cors_origins: vec!["*".into()],
            shutdown_timeout_ms: 30_000,
            trusted_proxies: Vec::new(),
            metrics_token: None,
            metrics_listen: None,
            meta: None,
        }
    }
}

/// A configuration problem, naming where the value came from.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{source_name}: {key}: {reason}")]
pub struct ConfigError {
    pub source_name: String,
    pub key: String,
    pub reason: String,
}

/// The file's shape: every key optional, unknown keys rejected.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    max_message_size: Option<toml::Value>,
    max_batch_size: Option<toml::Value>,
    max_inflight_requests: Option<i64>,
    max_inflight_size: Option<toml::Value>,
    cors_origins: Option<Vec<String>>,
    shutdown_timeout: Option<String>,
    trusted_proxies: Option<Vec<String>>,
    metrics_token: Option<String>,
    metrics_listen: Option<String>,
    meta: Option<String>,
}

/// Keys as written in the file; the environment variable is `TROPA_` + the key in upper case, the flag
/// `--` + the key with `-` for `_`.
pub const KEYS: &[&str] = &[
    "listen",
    "max_message_size",
    "max_batch_size",
    "max_inflight_requests",
    "max_inflight_size",
    "cors_origins",
    "shutdown_timeout",
    "trusted_proxies",
    "metrics_token",
    "metrics_listen",
    "meta",
];

impl Config {
    /// Resolves defaults < `file` (TOML text) < `env` (`TROPA_*` pairs; others ignored) < `flags` (key, value).
    pub fn resolve(
        file: Option<(&str, &str)>,
        env: &[(String, String)],
        flags: &[(&str, String)],
    ) -> Result<Config, ConfigError> {
        let mut c = Config::default();
        if let Some((name, text)) = file {
            let f: FileConfig = toml::from_str(text).map_err(|e| ConfigError {
                source_name: name.into(),
                key: "".into(),
                reason: e.to_string().trim().replace('\n', " "),
            })?;
            let as_text = |v: &toml::Value| match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                other => format!("a {}", other.type_str()),
            };
            let mut set = |key: &str, value: Option<String>| match value {
                Some(v) => {
                    c.set(key, &v).map_err(|reason| ConfigError { source_name: name.into(), key: key.into(), reason })
                }
                None => Ok(()),
            };
            set("listen", f.listen)?;
            set("max_message_size", f.max_message_size.as_ref().map(as_text))?;
            set("max_batch_size", f.max_batch_size.as_ref().map(as_text))?;
            set("max_inflight_requests", f.max_inflight_requests.map(|v| v.to_string()))?;
            set("max_inflight_size", f.max_inflight_size.as_ref().map(as_text))?;
            set("cors_origins", f.cors_origins.map(|v| v.join(",")))?;
            set("shutdown_timeout", f.shutdown_timeout)?;
            set("trusted_proxies", f.trusted_proxies.map(|v| v.join(",")))?;
            set("metrics_token", f.metrics_token)?;
            set("metrics_listen", f.metrics_listen)?;
            set("meta", f.meta)?;
        }
        for (name, value) in env {
            let Some(key) = name.strip_prefix("TROPA_") else { continue };
            let key = key.to_ascii_lowercase();
            if KEYS.contains(&key.as_str()) {
                c.set(&key, value).map_err(|reason| ConfigError {
                    source_name: "environment".into(),
                    key: name.clone(),
                    reason,
                })?;
            }
        }
        for (key, value) in flags {
            c.set(key, value).map_err(|reason| ConfigError {
                source_name: "command line".into(),
                key: format!("--{}", key.replace('_', "-")),
                reason,
            })?;
        }
        if c.max_message_bytes > c.max_batch_bytes {
            return Err(ConfigError {
                source_name: "configuration".into(),
                key: "max_message_size".into(),
                reason: "must not exceed max_batch_size".into(),
            });
        }
        if c.metrics_listen.is_some_and(|m| m == c.listen) {
            return Err(ConfigError {
                source_name: "configuration".into(),
                key: "metrics_listen".into(),
                reason: "must differ from listen: give the metrics an address of their own, or leave it out".into(),
            });
        }
        Ok(c)
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let value = value.trim();
        match key {
            "listen" => {
                self.listen =
                    value.parse().map_err(|_| format!("'{value}' is not an address: write e.g. 127.0.0.1:8080"))?
            }
            "max_message_size" => self.max_message_bytes = parse_size(value)?,
            "max_batch_size" => self.max_batch_bytes = parse_size(value)?,
            "max_inflight_size" => self.max_inflight_bytes = parse_size(value)?,
            "max_inflight_requests" => {
                self.max_inflight_requests = value
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("'{value}' is not a positive whole number"))?
            }
            "cors_origins" => {
                self.cors_origins = value.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
            }
            "shutdown_timeout" => self.shutdown_timeout_ms = tropa_core::time::parse_duration(value)?,
            "trusted_proxies" => {
                self.trusted_proxies = value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| s.parse().map_err(|_| format!("'{s}' is not an IP address: write e.g. 10.0.0.1 or ::1")))
                    .collect::<Result<_, _>>()?
            }
            // the value is a secret: never repeated in an error
            "metrics_token" if value.is_empty() => self.metrics_token = None,
            "metrics_token" => {
                if value.chars().count() < Secret::MIN_CHARS
                    || value.chars().any(|c| c.is_whitespace() || c.is_control())
                {
                    return Err(format!(
                        "must be at least {} characters without spaces: use a long random string",
                        Secret::MIN_CHARS
                    ));
                }
                self.metrics_token = Some(Secret(value.to_string()))
            }
            "metrics_listen" if value.is_empty() => self.metrics_listen = None,
            "metrics_listen" => {
                self.metrics_listen =
                    Some(value.parse().map_err(|_| format!("'{value}' is not an address: write e.g. 127.0.0.1:9464"))?)
            }
            // the value may hold a password: never repeated in an error
            "meta" if value.is_empty() => self.meta = None,
            "meta" => {
                if !(value.starts_with("postgres://") || value.starts_with("postgresql://")) {
                    return Err("must be a PostgreSQL URL: postgres://user:password@host:port/database".into());
                }
                self.meta = Some(Secret(value.to_string()))
            }
            other => return Err(format!("'{other}' is not a setting; known: {}", KEYS.join(", "))),
        }
        Ok(())
    }
}

/// `32KiB`, `500KB`, `64MiB`, `1GiB`, `1024` → bytes (KB = 1000, KiB = 1024).
pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: usize = num.parse().map_err(|_| format!("'{text}' is not a size: write e.g. 32KiB, 500KB or 64MiB"))?;
    let mult: usize = match unit.trim() {
        "" | "B" => 1,
        "KB" | "kB" => 1000,
        "KiB" => 1 << 10,
        "MB" => 1_000_000,
        "MiB" => 1 << 20,
        "GB" => 1_000_000_000,
        "GiB" => 1 << 30,
        u => return Err(format!("'{u}' is not a size unit: use B, KB, KiB, MB, MiB, GB or GiB")),
    };
    match n.checked_mul(mult) {
        Some(0) | None => Err(format!("'{text}' must be between 1 byte and the memory of this machine")),
        Some(v) => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        let check = |t: &str, want: Result<usize, ()>| assert_eq!(parse_size(t).map_err(|_| ()), want, "{t}");
        check("32KiB", Ok(32768));
        check("500KB", Ok(500_000));
        check("64MiB", Ok(64 << 20));
        check("1024", Ok(1024));
        check("0", Err(()));
        check("12 parsecs", Err(()));
        check("KiB", Err(()));
    }

    #[test]
    fn layers_override_in_order() {
        let file = ("tropa.toml", "listen = \"0.0.0.0:9000\"\nmax_batch_size = \"1MiB\"\nmax_inflight_requests = 8\n");
        let env = vec![("TROPA_MAX_BATCH_SIZE".to_string(), "2MiB".to_string()), ("HOME".into(), "/x".into())];
        let flags = [("max_inflight_requests", "16".to_string())];
        let c = Config::resolve(Some(file), &env, &flags).unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.max_batch_bytes, 2 << 20);
        assert_eq!(c.max_inflight_requests, 16);
        assert_eq!(c.max_message_bytes, 32 * 1024);
    }

    #[test]
    fn errors_name_the_source_and_key() {
        let e = Config::resolve(Some(("t.toml", "lisen = 1")), &[], &[]).unwrap_err();
        assert_eq!(e.source_name, "t.toml");
        assert!(e.reason.contains("lisen"), "{e}");
        let e = Config::resolve(None, &[("TROPA_LISTEN".into(), "nowhere".into())], &[]).unwrap_err();
        assert_eq!((e.source_name.as_str(), e.key.as_str()), ("environment", "TROPA_LISTEN"));
        let e = Config::resolve(None, &[], &[("max_message_size", "1MiB".into())]).unwrap_err();
        assert_eq!(e.key, "max_message_size");
    }

    #[test]
    fn trusted_proxies_are_addresses() {
        let file = ("t.toml", "trusted_proxies = [\"10.0.0.1\", \"::1\"]\n");
        let c = Config::resolve(Some(file), &[], &[]).unwrap();
        assert_eq!(c.trusted_proxies, ["10.0.0.1".parse::<IpAddr>().unwrap(), "::1".parse().unwrap()]);
        let env = [("TROPA_TRUSTED_PROXIES".to_string(), "10.0.0.2, 10.0.0.3".to_string())];
        assert_eq!(Config::resolve(None, &env, &[]).unwrap().trusted_proxies.len(), 2);
        let e = Config::resolve(None, &[("TROPA_TRUSTED_PROXIES".into(), "10.0.0.0/8".into())], &[]).unwrap_err();
        assert!(e.reason.contains("'10.0.0.0/8' is not an IP address"), "{e}");
        assert!(Config::default().trusted_proxies.is_empty());
    }

    #[test]
    fn metrics_token_and_listen() {
        let file = ("t.toml", "metrics_token = \"from-the-file-0123456789\"\nmetrics_listen = \"127.0.0.1:9464\"\n");
        let c = Config::resolve(Some(file), &[], &[]).unwrap();
        assert_eq!(c.metrics_token.as_ref().map(Secret::expose), Some("from-the-file-0123456789"));
        assert_eq!(c.metrics_listen, Some(SocketAddr::from(([127, 0, 0, 1], 9464))));
        assert!(!format!("{c:?}").contains("from-the-file"), "Debug never shows the token");
        let env = vec![("TROPA_METRICS_TOKEN".to_string(), "from-the-environment".to_string())];
        let c = Config::resolve(Some(file), &env, &[]).unwrap();
        assert_eq!(c.metrics_token.as_ref().map(Secret::expose), Some("from-the-environment"));
        let c = Config::resolve(Some(file), &[("TROPA_METRICS_TOKEN".into(), "".into())], &[]).unwrap();
        assert_eq!(c.metrics_token, None);
        let e = Config::resolve(None, &[("TROPA_METRICS_TOKEN".into(), "short secret".into())], &[]).unwrap_err();
        assert_eq!(e.key, "TROPA_METRICS_TOKEN");
        assert!(!e.to_string().contains("short secret"), "{e}");
        let e = Config::resolve(None, &[], &[("metrics_listen", "127.0.0.1:8080".into())]).unwrap_err();
        assert_eq!(e.key, "metrics_listen");
        assert_eq!(Config::default().metrics_token, None);
    }

    #[test]
    fn the_metadata_database_is_a_postgresql_url_never_shown() {
        let file = ("t.toml", "meta = \"postgres://tropa:pa55word@db:5432/tropa\"\n");
        let c = Config::resolve(Some(file), &[], &[]).unwrap();
        assert_eq!(c.meta.as_ref().map(Secret::expose), Some("postgres://tropa:pa55word@db:5432/tropa"));
        assert!(!format!("{c:?}").contains("pa55word"), "Debug never shows the URL");
        let c = Config::resolve(Some(file), &[("TROPA_META".into(), "".into())], &[]).unwrap();
        assert_eq!(c.meta, None, "an empty value keeps the metadata in the data folder");
        let e = Config::resolve(None, &[], &[("meta", "mysql://root:pa55word@db/x".into())]).unwrap_err();
        assert_eq!(e.key, "--meta");
        assert!(e.reason.contains("postgres://") && !e.to_string().contains("pa55word"), "{e}");
        assert_eq!(Config::default().meta, None);
    }

    #[test]
    fn the_example_file_parses() {
        let text = include_str!("../../../tropa.example.toml");
        Config::resolve(Some(("tropa.example.toml", text)), &[], &[]).unwrap();
    }
}
