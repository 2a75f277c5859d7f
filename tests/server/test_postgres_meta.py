"""Two `tropa serve` processes sharing their metadata in one PostgreSQL database (`--meta postgres://…`): a user made
with the CLI signs in on one server and goes on, with the same session cookie, on the other; a change made on one
is seen on the other; signing out on one ends the session on both; a key made with the CLI is accepted by both.
PostgreSQL is Debian's, started here in a temporary folder on a free port (as `nobody` when the tests run as root)
and stopped afterwards; without it installed the test is skipped, saying so.

Each server keeps its events in its own data folder: the embedded engine serves one process, so sharing the events
of stateless servers is the ClickHouse backend's part, not this test's."""
import glob
import os
import re
import shutil
import subprocess
import sys

import pytest
import requests

from .live import Server, free_port, tropa

EMAIL, PASSWORD = "ops@tropa.local", "a-long-enough-password"


def pg_bin(name):
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    return found


@pytest.fixture(scope="module")
def postgres_url(tmp_path_factory):
    initdb, pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        print("skipped: PostgreSQL's initdb and pg_ctl are not installed", file=sys.stderr)
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed")
    folder = tmp_path_factory.mktemp("postgres")
    as_user = []
    if os.getuid() == 0:  # PostgreSQL refuses to run as root
        os.chmod(folder, 0o777)
        for p in folder.parents:
            if str(p).startswith("/tmp/") or str(p) == "/tmp":
                os.chmod(p, os.stat(p).st_mode | 0o711)
        as_user = ["runuser", "-u", "nobody", "--"]
    data = folder / "data"
    subprocess.run([*as_user, initdb, "-D", str(data), "-U", "tropa", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"],
                   check=True, capture_output=True, cwd=folder)
    port = free_port()
    opts = f"-k {folder} -p {port} -h 127.0.0.1 -F"
    log = folder / "log"
    started = subprocess.run([*as_user, pg_ctl, "-D", str(data), "-o", opts, "-l", str(log), "-w", "start"], capture_output=True, cwd=folder)
    assert started.returncode == 0, f"pg_ctl start: {started.stderr}\n{log.read_text() if log.exists() else ''}"
    try:
        yield f"postgres://tropa@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], capture_output=True, cwd=folder)


def sign_in(server):
    s = requests.Session()
    s.get(server.url + "/login", timeout=30)
    r = s.post(server.url + "/login", data={"csrf": s.cookies.get("tropa_csrf"), "email": EMAIL, "password": PASSWORD},
               allow_redirects=False, timeout=30)
    assert r.status_code == 303, r.text
    return s


def csrf(page):
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def on(server, session, path):
    """A page of `server` with the cookies of `session` (made on another server), without following redirects."""
    return requests.get(server.url + path, cookies=session.cookies, allow_redirects=False, timeout=30)


def test_two_servers_share_users_sessions_projects_and_keys(postgres_url, tmp_path):
    data_a, data_b = tmp_path / "a", tmp_path / "b"
    # the CLI's admin commands work on PostgreSQL: a user, a project and its key, made once for both servers
    tropa(data_a, "--meta", postgres_url, "user", "create", "--email", EMAIL, "--role", "admin", "--password-stdin",
          input=PASSWORD + "\n")
    tropa(data_a, "--meta", postgres_url, "project", "create", "shop")
    key = tropa(data_b, "--meta", postgres_url, "key", "create", "--project", "shop", "--kind", "write", "--format", "json", parse=True)["secret"]
    listed = tropa(data_b, "--meta", postgres_url, "project", "list", "--format", "json", parse=True)
    assert "shop" in [p["slug"] for p in (listed if isinstance(listed, list) else listed["projects"])], listed
    assert not (data_a / "meta.sqlite").exists() and not (data_b / "meta.sqlite").exists(), "no metadata in the folders"

    # one server named by the flag, the other by the environment
    a = Server(data_a, tmp_path, args=["--meta", postgres_url]).start()
    b = Server(data_b, tmp_path, env={"TROPA_META": postgres_url}).start()
    try:
        s = sign_in(a)
        page = on(b, s, "/settings")
        assert page.status_code == 200, (page.status_code, page.headers.get("location"))
        assert EMAIL in page.text, "the other server knows who signed in"
        # a change made through one server is seen by the other (the form's CSRF token is the session's)
        r = requests.post(b.url + "/settings/lang", data={"csrf": csrf(page.text), "lang": "ru"}, cookies=s.cookies,
                          allow_redirects=False, timeout=30)
        assert r.status_code == 303, r.text
        assert "Настройки" in on(a, s, "/settings").text or 'lang="ru"' in on(a, s, "/settings").text
        # a key made with the CLI works on both
        for server in (a, b):
            r = requests.post(server.url + "/v1/track", json={"userId": "u1", "event": "Signed Up"}, auth=(key, ""), timeout=30)
            assert r.status_code == 200, (server.url, r.status_code, r.text)
        # signing out on one server ends the session on both
        page = on(a, s, "/settings")
        r = requests.post(a.url + "/logout", data={"csrf": csrf(page.text)}, cookies=s.cookies, allow_redirects=False, timeout=30)
        assert r.status_code == 303, r.text
        gone = on(b, s, "/settings")
        assert gone.status_code == 303 and "/login" in gone.headers.get("location", ""), (gone.status_code, gone.headers)
    finally:
        a.stop()
        b.stop()
