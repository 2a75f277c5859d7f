"""Shared fixtures: the tropa binary and a small demo store exported to Parquet and NDJSON."""
import json
import os
import subprocess
from pathlib import Path

import pytest

TROPA = os.environ.get("TROPA_BIN", str(Path(__file__).resolve().parents[2] / "target" / "debug" / "tropa"))
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def tropa(data, *args):
    """Runs tropa on a data folder; returns stdout (fails the test on a non-zero exit)."""
    out = subprocess.run([TROPA, "--data", str(data), *map(str, args)], capture_output=True, text=True, env={**os.environ, "TROPA_LANG": "en"})
    assert out.returncode == 0, f"tropa {args} failed: {out.stderr}"
    return out.stdout


def tropa_json(data, *args):
    return json.loads(tropa(data, *args, "--format", "json"))


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    data = root / "data"
    tropa(data, "demo", "generate", "--customers", "3000", "--seed", "7", "--chunk", "1000")
    tropa(data, "export", root / "events.parquet")
    tropa(data, "export", root / "events.ndjson")
    return {"data": data, "parquet": root / "events.parquet", "ndjson": root / "events.ndjson", "stats": tropa_json(data, "stats")}
