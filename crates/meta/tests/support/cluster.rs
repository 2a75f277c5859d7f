//! A throw-away PostgreSQL server for tests: `initdb` in a temporary folder, then `postgres` listening only on a
//! Unix socket there (fsync off), with `tropa` as its trusting superuser. The server runs under a small shell that
//! waits on a pipe from the test process: when that process ends, however it ends, the pipe closes and the shell
//! stops the server and removes the folder. PostgreSQL refuses to run as root: as root it runs as `nobody`
//! (through `runuser`). `Cluster::start` is None when the PostgreSQL binaries are not installed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The port only names the socket file in the private folder, so every cluster can use the same.
const PORT: u16 = 54329;

pub struct Cluster {
    socket: PathBuf,
    /// The shell that runs the server; its input is the pipe whose end stops it.
    _server: Child,
    admin: Mutex<postgres::Client>,
    databases: AtomicUsize,
}

/// `name` on the PATH or where PostgreSQL is usually installed.
pub fn find(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
    dirs.push("/usr/local/bin".into());
    dirs.push("/usr/local/pgsql/bin".into());
    if let Ok(versions) = std::fs::read_dir("/usr/lib/postgresql") {
        dirs.extend(versions.flatten().map(|v| v.path().join("bin")));
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

fn output(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// `program` as the user the server runs as.
fn command(as_nobody: bool, program: &Path) -> Command {
    if as_nobody {
        let mut c = Command::new("runuser");
        c.args(["-u", "nobody", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

impl Cluster {
    /// Starts a server, or None (with the reason) when PostgreSQL is not installed.
    pub fn start() -> Result<Cluster, String> {
        let (Some(initdb), Some(server)) = (find("initdb"), find("postgres")) else {
            return Err("PostgreSQL's initdb and postgres are not installed (PATH, /usr/local/bin, \
                        /usr/lib/postgresql/*/bin)"
                .into());
        };
        let dir = tempfile::Builder::new().prefix("tropa-pg-").tempdir().expect("a temporary folder").keep();
        let as_nobody = output(Command::new("id").arg("-u")) == "0";
        if as_nobody {
            let uid: u32 = output(Command::new("id").args(["-u", "nobody"])).parse().expect("nobody's uid");
            let gid: u32 = output(Command::new("id").args(["-g", "nobody"])).parse().expect("nobody's gid");
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).expect("chown the cluster's folder");
        }
        let data = dir.join("data");
        output(
            command(as_nobody, &initdb)
                .arg("-D")
                .arg(&data)
                .args(["-U", "tropa", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"])
                .current_dir(&dir),
        );
        let script = r#"
            "$1" -D "$2/data" -k "$2" -p "$3" -h '' -F -c max_connections=300 >"$2/log" 2>&1 &
            pid=$!
            read _ignored
            kill -INT "$pid"
            wait "$pid"
            rm -rf "$2"
        "#;
        let mut sh = command(as_nobody, Path::new("/bin/sh"));
        sh.args(["-c", script, "sh"]).arg(&server).arg(&dir).arg(PORT.to_string());
        let mut child = sh.current_dir(&dir).stdin(Stdio::piped()).spawn().expect("the server's shell");
        let url = url(&dir, "postgres");
        let started = Instant::now();
        let admin = loop {
            match postgres::Client::connect(&url, postgres::NoTls) {
                Ok(c) => break c,
                Err(e) => {
                    if started.elapsed() > Duration::from_secs(60) || child.try_wait().ok().flatten().is_some() {
                        let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
                        return Err(format!("the test server did not start: {e}\n{log}"));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        };
        Ok(Cluster { socket: dir, _server: child, admin: Mutex::new(admin), databases: AtomicUsize::new(0) })
    }

    /// A new empty database; its connection string.
    pub fn database(&self) -> String {
        let name = format!("t{}", self.databases.fetch_add(1, Ordering::Relaxed));
        let mut admin = self.admin.lock().unwrap_or_else(|p| p.into_inner());
        admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("a new database");
        url(&self.socket, &name)
    }
}

fn url(socket: &Path, database: &str) -> String {
    format!("host={} port={PORT} user=tropa dbname={database}", socket.display())
}
