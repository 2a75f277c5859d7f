"""Helpers for tests against a live `tropa serve` process: the binary, free ports, data folders with projects and
keys (made with the CLI before a server starts), server processes, and small helpers for the HTTP APIs."""
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

TROPA = os.environ.get("TROPA_BIN", str(Path(__file__).resolve().parents[2] / "target" / "debug" / "tropa"))
START_TIMEOUT_S = 30


def clean_env():
    """The environment for tropa: English messages and no TROPA_* settings leaking in from the caller's shell
    (TROPA_LISTEN, TROPA_DATA, TROPA_PROJECT… would change what the tests talk to)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TROPA_")}
    env["TROPA_LANG"] = "en"
    env.setdefault("RUST_BACKTRACE", "1")
    return env


def tropa(data, *args, check=True, input=None, parse=False):
    """Runs the CLI on a data folder; returns stdout, parsed as JSON with parse=True (fails the test on a non-zero
    exit)."""
    assert Path(TROPA).is_file(), f"the tropa binary is missing at {TROPA}: build it (cargo build -p tropa) or set TROPA_BIN"
    out = subprocess.run([TROPA, "--data", str(data), *map(str, args)], capture_output=True, text=True, env=clean_env(), timeout=120, input=input)
    if check:
        assert out.returncode == 0, f"tropa {' '.join(map(str, args))} failed ({out.returncode}): {out.stderr}"
    return json.loads(out.stdout) if parse else out.stdout


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Project:
    """A project of a data folder with one write key and one read key."""

    def __init__(self, data, slug):
        self.data = Path(data)
        self.slug = slug
        if slug != "default":
            tropa(data, "project", "create", slug)
        self.write_key = json.loads(tropa(data, "key", "create", "--project", slug, "--kind", "write", "--format", "json"))["secret"]
        self.read_key = json.loads(tropa(data, "key", "create", "--project", slug, "--kind", "read", "--format", "json"))["secret"]
        assert self.write_key.startswith("tw_") and self.read_key.startswith("tr_"), (self.write_key, self.read_key)

    def export(self, out):
        """Every stored event of the project as Segment messages (the server must not hold the folder)."""
        tropa(self.data, "--project", self.slug, "export", out, "--format", "ndjson")
        return [json.loads(line) for line in Path(out).read_text().splitlines() if line.strip()]


class Server:
    """A `tropa serve` process on a free port of 127.0.0.1."""

    def __init__(self, data, log_dir, args=(), env=None):
        self.args = list(args)
        self.extra_env = dict(env or {})
        self.data = Path(data)
        self.log_dir = Path(log_dir)
        self.proc = None
        self.port = None
        self.log = None
        self.starts = 0

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        assert self.proc is None or self.proc.poll() is not None, "the server is already running"
        last = ""
        for _ in range(3):  # another process may take the port between free_port() and the bind
            self.starts += 1
            self.port = free_port()
            self.log = self.log_dir / f"server-{self.port}-{self.starts}.log"
            with open(self.log, "wb") as log:
                self.proc = subprocess.Popen(
                    [TROPA, "--data", str(self.data), "serve", "--listen", f"127.0.0.1:{self.port}", *self.args],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env={**clean_env(), **self.extra_env},
                    cwd=self.log_dir,  # never pick up a tropa.toml from the caller's folder
                )
            deadline = time.monotonic() + START_TIMEOUT_S
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                        return self
                except requests.RequestException:
                    pass
                time.sleep(0.05)
            last = self.output()
            if self.proc.poll() is None:
                self.kill()
                pytest.fail(f"tropa serve did not answer /healthz within {START_TIMEOUT_S} s:\n{last}")
            if "--listen" not in last:
                break
        pytest.fail(f"tropa serve exited with {self.proc.returncode} before answering /healthz:\n{last}")

    def output(self):
        return self.log.read_text(errors="replace") if self.log and self.log.exists() else ""

    def stop(self):
        """SIGTERM, then wait; returns the exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"tropa serve did not stop within 30 s of SIGTERM:\n{self.output()}")

    def kill(self):
        """SIGKILL: no shutdown at all."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    # --- the HTTP APIs ---

    def get(self, path, read_key, **kw):
        return requests.get(self.url + path, headers={"Authorization": f"Bearer {read_key}"}, timeout=30, **kw)

    def customer(self, read_key, ident):
        r = self.get(f"/api/v1/customers/{requests.utils.quote(ident, safe='')}", read_key)
        if r.status_code == 404:
            return None
        assert r.status_code == 200, f"GET customer {ident}: {r.status_code} {r.text}"
        return r.json()

    def post(self, path, body, write_key=None, session=None, **kw):
        auth = (write_key, "") if write_key else None
        return (session or requests).post(self.url + path, json=body, auth=auth, timeout=30, **kw)


def ids_count(events):
    """message_id → how many times it is present."""
    counts = {}
    for e in events:
        counts[e["message_id"]] = counts.get(e["message_id"], 0) + 1
    return counts


def wait_for(fn, timeout_s, what):
    """Polls fn() until it returns a truthy value; fails with `what` and the last value after timeout_s."""
    deadline = time.monotonic() + timeout_s
    last = None
    while True:
        last = fn()
        if last:
            return last
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not reached in {timeout_s} s (last: {json.dumps(last, ensure_ascii=False)[:2000]})")
        time.sleep(0.2)
