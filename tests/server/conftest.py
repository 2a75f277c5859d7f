"""Fixtures for the tests against a live `tropa serve` (the helpers themselves are in live.py). This folder is a
package so that its conftest does not shadow tests/reference's `conftest` module when both run in one session."""
from pathlib import Path

import pytest

from . import live


@pytest.fixture(scope="session")
def tropa_bin():
    """The binary under test: TROPA_BIN, default target/debug/tropa."""
    assert Path(live.TROPA).is_file(), f"the tropa binary is missing at {live.TROPA}: build it (cargo build -p tropa) or set TROPA_BIN"
    return live.TROPA


@pytest.fixture
def free_port():
    """A TCP port of 127.0.0.1 that was free a moment ago."""
    return live.free_port()


@pytest.fixture
def make_project(tropa_bin):
    """make_project(data, slug) → a Project with a write key and a read key, made with the CLI."""
    return live.Project


@pytest.fixture
def start_server(tmp_path, tropa_bin):
    """start_server(data) → a running Server on a free port; every server started is stopped (SIGTERM, then
    SIGKILL) when the test ends."""
    servers = []

    def start(data, **kw):
        s = live.Server(data, tmp_path, **kw)
        servers.append(s)
        return s.start()

    yield start
    for s in servers:
        try:
            s.stop()
        finally:
            s.kill()
