//! The PostgreSQL backend (`--meta postgres://…`, for several tropa servers sharing one metadata store): the
//! schema is [`crate::schema::MIGRATIONS`] rendered by [`crate::schema::postgres`], numbered by the one row of
//! `tropa_schema` and applied on open under an advisory lock (`postgres/migrate.rs`), so two servers starting at
//! once migrate once. Each area's trait is implemented in its own file of `postgres/`, the same SQL as SQLite's
//! in PostgreSQL's dialect (`$n` parameters, `RETURNING id` instead of the last rowid, `FOR UPDATE` where SQLite's
//! single writer made a read-then-write safe).
//!
//! **Connections.** The synchronous client of rust-postgres (`postgres`, no TLS: reach the server over a Unix
//! socket or a private network) in a small pool (`pool.rs`, 8 clients by default, `pool_size=` in the URL):
//! metadata calls are short, so a handful of clients serves many request threads, and unlike one client behind a
//! mutex a slow call (a large audit page) does not hold up the key checks of ingestion. That client drives its
//! own small runtime and must not block a thread that runs async tasks, so every call runs on a scoped helper
//! thread (see [`PostgresRepository::with`]).

mod audit;
mod costs;
mod dashboards;
mod dictionary;
mod experiments;
mod maps;
mod members;
mod migrate;
mod pool;
mod projects;
mod reports;
mod settings;
mod surveys;
mod users;

use postgres::{GenericClient, Row};

use crate::MetaError;

/// The metadata store in a PostgreSQL database.
pub struct PostgresRepository {
    pool: pool::Pool,
}

/// PostgreSQL's errors are the backend's own (a conflict a method expects is answered before it gets here, as
/// `MetaError::Conflict`).
impl From<postgres::Error> for MetaError {
    fn from(e: postgres::Error) -> MetaError {
        MetaError::Backend(Box::new(e))
    }
}

impl PostgresRepository {
    /// Connects to the database of `url` (`postgres://user:password@host:port/database`, or PostgreSQL's
    /// `key=value` form; `pool_size=N` sets the number of clients) and brings its schema up to date.
    pub fn connect(url: &str) -> Result<PostgresRepository, MetaError> {
        let repo = PostgresRepository { pool: pool::Pool::new(url)? };
        repo.with(|c| migrate::migrate(c, &repo.pool.name))?;
        Ok(repo)
    }

    /// Runs `f` with a client of the pool, on a scoped thread of its own while the caller waits (as it would for
    /// SQLite's file): the synchronous client drives a runtime of its own, which panics on a thread that runs
    /// async tasks — and the server's handlers call the metadata from such threads. A thread costs some tens of
    /// microseconds, little beside a round trip to the server (and this crate stays free of any async runtime).
    pub(crate) fn with<R: Send>(
        &self,
        f: impl FnOnce(&mut postgres::Client) -> Result<R, MetaError> + Send,
    ) -> Result<R, MetaError> {
        std::thread::scope(|s| {
            let call = s.spawn(|| {
                let mut client = self.pool.get()?;
                f(&mut client)
            });
            match call.join() {
                Ok(done) => done,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }

    /// As [`PostgresRepository::with`], inside one transaction that commits when `f` succeeds.
    pub(crate) fn tx<R: Send>(
        &self,
        f: impl FnOnce(&mut postgres::Transaction<'_>) -> Result<R, MetaError> + Send,
    ) -> Result<R, MetaError> {
        self.with(|c| {
            let mut t = c.transaction()?;
            let done = f(&mut t)?;
            t.commit()?;
            Ok(done)
        })
    }
}

/// The id of the project `project`, or NotFound.
fn project_id(c: &mut impl GenericClient, project: &str) -> Result<i64, MetaError> {
    match c.query_opt("SELECT id FROM projects WHERE slug = $1", &[&project])? {
        Some(r) => Ok(r.try_get(0)?),
        None => Err(MetaError::NotFound { what: "project", name: project.into() }),
    }
}

/// Rows converted one by one (a conversion error is the backend's).
fn rows<T>(found: Vec<Row>, f: impl Fn(&Row) -> Result<T, postgres::Error>) -> Result<Vec<T>, MetaError> {
    Ok(found.iter().map(f).collect::<Result<_, _>>()?)
}

/// A count of changed rows as the traits give it.
fn count(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests;
