//! What the tests of this crate run on: a fresh store of each backend, and [`backend_tests!`], which runs the same
//! tests on SQLite and on PostgreSQL (one throw-away server per test process, a new database per test; the
//! PostgreSQL tests print that they skipped when PostgreSQL is not installed).

use std::sync::OnceLock;

use crate::Meta;

#[path = "../tests/support/cluster.rs"]
mod cluster;

/// A fresh SQLite database in a temporary folder.
pub(crate) fn sqlite() -> (tempfile::TempDir, Meta) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let m = Meta::open(&dir.path().join("meta.sqlite")).expect("a new metadata database");
    (dir, m)
}

fn cluster() -> Result<&'static cluster::Cluster, &'static str> {
    static CLUSTER: OnceLock<Result<cluster::Cluster, String>> = OnceLock::new();
    CLUSTER.get_or_init(cluster::Cluster::start).as_ref().map_err(String::as_str)
}

/// The connection string of a new database, or why there is none (PostgreSQL is not installed).
pub(crate) fn postgres_url() -> Result<String, &'static str> {
    Ok(cluster()?.database())
}

/// A fresh PostgreSQL database (with an empty folder, so both factories look alike).
pub(crate) fn postgres() -> (tempfile::TempDir, Meta) {
    let url = postgres_url().unwrap_or_else(|e| panic!("no PostgreSQL for the tests: {e}"));
    let dir = tempfile::tempdir().expect("a temporary folder");
    (dir, Meta::connect(&url).expect("a new metadata database"))
}

/// True (after saying so) when there is no PostgreSQL to test on: only when its binaries are not installed; a
/// server that is installed but does not start fails the test.
pub(crate) fn postgres_missing(test: &str) -> bool {
    if cluster::find("initdb").is_some() && cluster::find("postgres").is_some() {
        return false;
    }
    eprintln!("skipped {test} on PostgreSQL: initdb and postgres are not installed");
    true
}

/// Each test written once, run twice: `sqlite::name` on SQLite and `postgres::name` on PostgreSQL. Inside, `meta()`
/// gives a fresh store of the backend, `(folder, Meta)`.
macro_rules! backend_tests {
    ($($(#[$attr:meta])* fn $name:ident() $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;

            fn meta() -> (tempfile::TempDir, crate::Meta) {
                crate::testing::sqlite()
            }

            $(#[test] $(#[$attr])* fn $name() $body)*
        }

        mod postgres {
            #[allow(unused_imports)]
            use super::*;

            fn meta() -> (tempfile::TempDir, crate::Meta) {
                crate::testing::postgres()
            }

            $(
                #[test]
                $(#[$attr])*
                fn $name() {
                    if crate::testing::postgres_missing(stringify!($name)) {
                        return;
                    }
                    $body
                }
            )*
        }
    };
}
pub(crate) use backend_tests;
