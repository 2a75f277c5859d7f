#!/usr/bin/env bash
# The macro benchmark, end to end: `bash bench/run.sh --customers 1000000` (arguments go to run.py; see
# `python bench/run.py --help`). Creates bench/.venv with DuckDB and chdb, builds tropa and tropa-bench in release
# mode, then runs bench/run.py.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null || python=python3
if [ ! -x "$here/.venv/bin/python" ]; then
    "$python" -m venv "$here/.venv"
fi
if ! "$here/.venv/bin/python" -c "import duckdb, chdb" 2>/dev/null; then
    "$here/.venv/bin/pip" install --quiet --upgrade pip
    "$here/.venv/bin/pip" install --quiet duckdb chdb
fi
(cd "$repo" && cargo build --release -p tropa -p tropa-bench)
exec "$here/.venv/bin/python" "$here/run.py" "$@"
