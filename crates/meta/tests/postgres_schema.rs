//! The PostgreSQL rendering of the schema on a real server: a throw-away cluster (`initdb` in a temporary folder,
//! `pg_ctl` listening on a Unix socket there only), every migration applied in order with `psql`, then the tables,
//! the members backfill, the append-only audit log and the write-once salt checked. Skipped, with a message, when
//! the PostgreSQL binaries are not installed. PostgreSQL refuses to run as root: as root the server runs as
//! `nobody` (through `runuser`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tropa_meta::schema::{postgres, Step, MIGRATIONS};

/// `name` on the PATH or where PostgreSQL is usually installed.
fn find(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
    dirs.push("/usr/local/bin".into());
    dirs.push("/usr/local/pgsql/bin".into());
    if let Ok(versions) = std::fs::read_dir("/usr/lib/postgresql") {
        dirs.extend(versions.flatten().map(|v| v.path().join("bin")));
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

fn output(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    }
}

/// A running throw-away cluster, stopped when dropped.
struct Cluster {
    _dir: tempfile::TempDir,
    data: PathBuf,
    socket: PathBuf,
    pg_ctl: PathBuf,
    psql: PathBuf,
    /// `runuser -u nobody --` when we are root.
    as_user: Vec<String>,
}

const PORT: &str = "54329";

impl Cluster {
    fn start(initdb: PathBuf, pg_ctl: PathBuf, psql: PathBuf) -> Cluster {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = output(Command::new("id").arg("-u")).expect("id -u") == "0";
        let as_user: Vec<String> = if root {
            let uid: u32 = output(Command::new("id").args(["-u", "nobody"])).expect("a user nobody").parse().unwrap();
            let gid: u32 =
                output(Command::new("id").args(["-g", "nobody"])).expect("a group of nobody").parse().unwrap();
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).expect("chown the cluster's folder");
            ["runuser", "-u", "nobody", "--"].map(String::from).to_vec()
        } else {
            Vec::new()
        };
        let data = dir.path().join("data");
        let socket = dir.path().to_path_buf();
        let cluster = Cluster { _dir: dir, data, socket, pg_ctl, psql, as_user };
        cluster
            .run(
                &initdb,
                &["-D", &path(&cluster.data), "-U", "tropa", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"],
            )
            .expect("initdb");
        let opts = format!("-k {} -p {PORT} -h ''", path(&cluster.socket));
        let log = path(&cluster.socket.join("log"));
        cluster
            .run(&cluster.pg_ctl, &["-D", &path(&cluster.data), "-o", &opts, "-l", &log, "-w", "start"])
            .unwrap_or_else(|e| panic!("pg_ctl start: {e}\n{}", std::fs::read_to_string(&log).unwrap_or_default()));
        cluster
    }

    fn run(&self, program: &Path, args: &[&str]) -> Result<String, String> {
        let mut cmd = match self.as_user.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(program);
                c
            }
            None => Command::new(program),
        };
        output(cmd.args(args).current_dir(&self.socket))
    }

    /// Runs `sql` in one transaction; the rows it prints (unaligned, `|` between columns) or the server's error.
    fn sql(&self, sql: &str) -> Result<String, String> {
        let mut child = Command::new(&self.psql)
            .args(["-X", "-q", "-A", "-t", "-1", "-v", "ON_ERROR_STOP=1", "-U", "tropa", "-d", "postgres", "-p", PORT])
            .arg("-h")
            .arg(&self.socket)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("psql: {e}"))?;
        use std::io::Write;
        child.stdin.take().expect("psql's input").write_all(sql.as_bytes()).map_err(|e| e.to_string())?;
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).to_string())
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.run(&self.pg_ctl, &["-D", &path(&self.data), "-m", "immediate", "-w", "stop"]);
    }
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

/// Every table the migrations make, with its columns in order (added columns last).
fn tables() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut out: Vec<(&str, Vec<&str>)> = Vec::new();
    for m in MIGRATIONS {
        for s in m.steps {
            match s {
                Step::CreateTable(t) => out.push((t.name, t.columns.iter().map(|c| c.name).collect())),
                Step::AddColumn { table, column } => {
                    out.iter_mut().find(|(t, _)| t == table).expect("an earlier table").1.push(column.name)
                }
                _ => {}
            }
        }
    }
    out
}

#[test]
fn every_migration_applies_to_postgresql_and_the_guards_hold() {
    let (Some(initdb), Some(pg_ctl), Some(psql)) = (find("initdb"), find("pg_ctl"), find("psql")) else {
        eprintln!("skipped: PostgreSQL's initdb, pg_ctl and psql are not installed (PATH, /usr/local/bin, /usr/lib/postgresql/*/bin)");
        return;
    };
    let pg = Cluster::start(initdb, pg_ctl, psql);
    pg.sql(postgres::BOOTSTRAP).expect("the version table");
    pg.sql(postgres::BOOTSTRAP).expect("bootstrapping twice changes nothing");
    for (n, m) in MIGRATIONS.iter().enumerate() {
        assert_eq!(pg.sql(postgres::VERSION).unwrap(), n.to_string(), "before migration {n}");
        if n == 4 {
            // what the members backfill turns into memberships: 2 users × 2 projects
            pg.sql(
                "INSERT INTO projects (slug, name, created_at) VALUES ('a', 'A', 0), ('b', 'B', 0);
                 INSERT INTO users (email, role, password_hash, created_at)
                 VALUES ('x@y.ru', 'analyst', 'h', 0), ('z@y.ru', 'viewer', 'h', 0);",
            )
            .unwrap();
        }
        let script = postgres::render(m) + &postgres::set_version(n);
        pg.sql(&script).unwrap_or_else(|e| panic!("migration {n} ({}): {e}\n{script}", m.note));
    }
    assert_eq!(pg.sql(postgres::VERSION).unwrap(), MIGRATIONS.len().to_string());

    // the tables and their columns, as described
    let mut expect: Vec<String> = tables().iter().map(|(t, _)| t.to_string()).collect();
    expect.push("tropa_schema".into());
    expect.sort();
    let found = pg
        .sql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name")
        .unwrap();
    assert_eq!(found.lines().collect::<Vec<_>>(), expect);
    for (table, columns) in tables() {
        let found = pg
            .sql(&format!(
                "SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' ORDER BY ordinal_position"
            ))
            .unwrap();
        assert_eq!(found.lines().collect::<Vec<_>>(), columns, "{table}");
    }
    let types = pg
        .sql("SELECT data_type, is_identity FROM information_schema.columns WHERE table_name = 'keys' ORDER BY ordinal_position")
        .unwrap();
    assert_eq!(types.lines().take(4).collect::<Vec<_>>(), ["bigint|YES", "bigint|NO", "text|NO", "bytea|NO"]);

    // data steps and defaults
    assert_eq!(
        pg.sql("SELECT role, count(*) FROM members GROUP BY role ORDER BY role").unwrap(),
        "analyst|2\nviewer|2"
    );
    assert_eq!(pg.sql("SELECT time_zone, currency FROM projects WHERE slug = 'a'").unwrap(), "UTC|RUB");
    assert_eq!(pg.sql("INSERT INTO projects (slug, name, created_at) VALUES ('c', 'C', 0) RETURNING id").unwrap(), "3");

    // constraints
    let refused = |sql: &str| pg.sql(sql).expect_err(sql);
    assert!(refused("INSERT INTO projects (slug, name, created_at) VALUES ('a', 'again', 0)").contains("unique"));
    assert!(refused(
        "INSERT INTO keys (project_id, kind, digest, hint, label, created_at) VALUES (1, 'admin', '\\x00', '', '', 0)"
    )
    .contains("check"));
    assert!(refused(
        "INSERT INTO keys (project_id, kind, digest, hint, label, created_at) VALUES (99, 'read', '\\x00', '', '', 0)"
    )
    .contains("foreign key"));
    pg.sql("DELETE FROM users WHERE email = 'z@y.ru'").expect("a user's memberships go with them");
    assert_eq!(pg.sql("SELECT count(*) FROM members").unwrap(), "2");

    // the audit log is append-only
    pg.sql(
        "INSERT INTO audit (at, actor_kind, actor, address, action, target, details)
         VALUES (1, 'system', '', '', 'map.create', 't', '{}')",
    )
    .unwrap();
    for change in ["UPDATE audit SET target = 'x'", "DELETE FROM audit", "TRUNCATE audit"] {
        assert!(refused(change).contains("the audit log is append-only"), "{change}");
    }
    assert_eq!(pg.sql("SELECT count(*), min(target) FROM audit").unwrap(), "1|t");

    // the salt is written once, in one row
    pg.sql("INSERT INTO audit_salt (id, salt) VALUES (1, '\\x0102')").unwrap();
    assert!(refused("UPDATE audit_salt SET salt = '\\x03'").contains("the salt is made once"));
    assert!(refused("INSERT INTO audit_salt (id, salt) VALUES (2, '\\x04')").contains("check"));
    assert_eq!(pg.sql("SELECT encode(salt, 'hex') FROM audit_salt").unwrap(), "0102");
}
