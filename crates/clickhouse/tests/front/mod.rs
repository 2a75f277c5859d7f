//! Starts the test front (`tests/fixtures/chfront.py`: ClickHouse's HTTP interface over chdb) once per test
//! binary, with `$TROPA_PYTHON` or `/work/main/.venv/bin/python` or the repository's `.venv`, and gives each test
//! a database of its own. Without Python or chdb the tests say so on stderr and pass without running.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use tropa_clickhouse::{ClickHouseEngine, ClickHouseOptions};

pub const USER: &str = "tropa";
pub const PASSWORD: &str = "s3cret";

pub struct Front {
    pub port: u16,
    _child: Child,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("TROPA_PYTHON") {
        return Some(p.into());
    }
    [repo().join(".venv/bin/python"), PathBuf::from("/work/main/.venv/bin/python")].into_iter().find(|p| p.exists())
}

fn start() -> Option<Front> {
    let Some(py) = python() else {
        eprintln!("SKIPPED: no Python with chdb (set TROPA_PYTHON): the ClickHouse backend tests did not run");
        return None;
    };
    let has_chdb = Command::new(&py).args(["-c", "import chdb, lz4, clickhouse_cityhash"]).status();
    if !has_chdb.is_ok_and(|s| s.success()) {
        eprintln!(
            "SKIPPED: {} lacks chdb, lz4 or clickhouse-cityhash: the ClickHouse backend tests did not run",
            py.display()
        );
        return None;
    }
    // the front keeps its chdb data in a temporary folder it removes when our end of its stdin closes
    let mut child = Command::new(&py)
        .arg(repo().join("tests/fixtures/chfront.py"))
        .args(["--user", USER, "--password", PASSWORD, "--exit-with-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the test front");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read the port");
    let port = line.trim().strip_prefix("port ").and_then(|p| p.parse().ok()).expect("the front prints its port");
    Some(Front { port, _child: child })
}

/// The shared front, or `None` (skipped) without chdb.
pub fn front() -> Option<&'static Front> {
    static FRONT: OnceLock<Option<Front>> = OnceLock::new();
    FRONT.get_or_init(start).as_ref()
}

/// Options for a fresh database on the shared front.
pub fn options(project: &str) -> Option<ClickHouseOptions> {
    static N: AtomicU32 = AtomicU32::new(0);
    let f = front()?;
    let db = format!("t{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    Some(
        ClickHouseOptions::parse(&format!("clickhouse://{USER}:{PASSWORD}@127.0.0.1:{}/{db}", f.port), project)
            .expect("url"),
    )
}

/// A fresh engine on its own database, or `None` (skipped).
#[allow(dead_code)] // not every test binary uses it
pub fn engine() -> Option<ClickHouseEngine> {
    Some(ClickHouseEngine::open(options("p")?).expect("open the engine"))
}
