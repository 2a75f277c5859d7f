//! A small pool of synchronous clients: at most `size` connections, opened on demand, a broken one dropped when
//! it comes back; callers beyond `size` wait for a free client.

use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::{Condvar, Mutex, MutexGuard};

use postgres::{Client, Config, NoTls};

use crate::MetaError;

/// The number of clients when the URL does not say.
const DEFAULT_SIZE: usize = 8;

pub(crate) struct Pool {
    config: Config,
    size: usize,
    /// Idle clients and how many are open in all (idle or lent).
    state: Mutex<(Vec<Client>, usize)>,
    freed: Condvar,
    /// The database as errors name it: host, port and database, never the password.
    pub(crate) name: String,
}

/// A lent client, given back when dropped.
pub(crate) struct Lent<'a> {
    pool: &'a Pool,
    client: Option<Client>,
}

impl Pool {
    pub(crate) fn new(url: &str) -> Result<Pool, MetaError> {
        let (url, size) = pool_size(url)?;
        let mut config = Config::from_str(&url).map_err(|e| MetaError::Invalid {
            field: "meta".into(),
            reason: format!("not a PostgreSQL connection URL: {e}"),
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("tropa");
        }
        let name = describe(&config);
        Ok(Pool { config, size, state: Mutex::new((Vec::new(), 0)), freed: Condvar::new(), name })
    }

    fn state(&self) -> MutexGuard<'_, (Vec<Client>, usize)> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn get(&self) -> Result<Lent<'_>, MetaError> {
        let mut state = self.state();
        loop {
            if let Some(client) = state.0.pop() {
                return Ok(Lent { pool: self, client: Some(client) });
            }
            if state.1 < self.size {
                state.1 += 1;
                drop(state);
                return match self.config.connect(NoTls) {
                    Ok(client) => Ok(Lent { pool: self, client: Some(client) }),
                    Err(e) => {
                        self.state().1 -= 1;
                        self.freed.notify_one();
                        Err(e.into())
                    }
                };
            }
            state = self.freed.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }
}

impl Drop for Pool {
    /// A client closes through its own runtime, which may not start on a thread that drives async tasks: the
    /// clients are closed on a thread of their own.
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.state().0);
        if !idle.is_empty() {
            let _ = std::thread::spawn(move || drop(idle)).join();
        }
    }
}

impl Deref for Lent<'_> {
    type Target = Client;

    fn deref(&self) -> &Client {
        self.client.as_ref().expect("a lent client until it is dropped")
    }
}

impl DerefMut for Lent<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("a lent client until it is dropped")
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else { return };
        let mut state = self.pool.state();
        if client.is_closed() {
            state.1 -= 1;
            drop(state);
            let _ = std::thread::spawn(move || drop(client)).join();
        } else {
            state.0.push(client);
        }
        self.pool.freed.notify_one();
    }
}

/// The URL without tropa's own `pool_size` parameter, and that size.
fn pool_size(url: &str) -> Result<(String, usize), MetaError> {
    let bad = |reason: String| MetaError::Invalid { field: "meta".into(), reason };
    let Some((base, query)) = url.split_once('?') else { return Ok((url.into(), DEFAULT_SIZE)) };
    let mut size = DEFAULT_SIZE;
    let mut kept = Vec::new();
    for pair in query.split('&') {
        match pair.strip_prefix("pool_size=") {
            Some(n) => {
                size = n
                    .parse()
                    .ok()
                    .filter(|n| (1..=256).contains(n))
                    .ok_or_else(|| bad(format!("pool_size must be a number from 1 to 256, not '{n}'")))?;
            }
            None => kept.push(pair),
        }
    }
    Ok((if kept.is_empty() { base.into() } else { format!("{base}?{}", kept.join("&")) }, size))
}

/// Host, port and database of a configuration.
fn describe(c: &Config) -> String {
    let hosts: Vec<String> = c
        .get_hosts()
        .iter()
        .map(|h| match h {
            postgres::config::Host::Tcp(h) => h.clone(),
            #[cfg(unix)]
            postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .collect();
    let ports: Vec<String> = c.get_ports().iter().map(u16::to_string).collect();
    format!("postgres {}:{}/{}", hosts.join(","), ports.join(","), c.get_dbname().unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_size_is_tropas_own_parameter() {
        let (url, n) = pool_size("postgres://u:p@h:5432/db?pool_size=3&sslmode=disable").unwrap();
        assert_eq!((url.as_str(), n), ("postgres://u:p@h:5432/db?sslmode=disable", 3));
        assert_eq!(pool_size("postgres://h/db").unwrap().1, DEFAULT_SIZE);
        assert_eq!(pool_size("postgres://h/db?pool_size=2").unwrap().0, "postgres://h/db");
        assert!(matches!(pool_size("postgres://h/db?pool_size=0"), Err(MetaError::Invalid { .. })));
        let pool = Pool::new("postgres://u:secret@db.local:6543/meta").unwrap();
        assert_eq!(pool.name, "postgres db.local:6543/meta");
        assert!(matches!(Pool::new("postgres://h:notaport/db"), Err(MetaError::Invalid { .. })));
    }
}
