"""Loads the benchmark Parquet into an engine's native storage, sorted by (customer_id, ts), in a fresh process:
`python load.py duckdb DB_FILE PARQUET [THREADS]` or `python load.py chdb SESSION_DIR PARQUET [THREADS]`.
Prints one JSON line: seconds (the load statement alone), open_s, rows loaded, parts (chdb), table bytes (chdb).

The ClickHouse table is the expert layout: MergeTree ORDER BY (customer_id, ts), LowCardinality names and
channels, DateTime64(3, 'UTC') times.
"""

import json
import sys
import time

CHDB_TABLE = """
CREATE TABLE bench.events (
    customer_id Int64,
    ts DateTime64(3, 'UTC'),
    event_name LowCardinality(String),
    channel LowCardinality(String),
    properties String
) ENGINE = MergeTree ORDER BY (customer_id, ts)
"""


def load_duckdb(db, parquet, threads):
    import duckdb

    t = time.perf_counter()
    con = duckdb.connect(db, config={"threads": threads})
    open_s = time.perf_counter() - t
    t = time.perf_counter()
    con.execute(
        "CREATE TABLE events AS SELECT * FROM read_parquet(?) ORDER BY customer_id, ts",
        [parquet],
    )
    con.execute("CHECKPOINT")
    seconds = time.perf_counter() - t
    rows = con.execute("SELECT count(*) FROM events").fetchone()[0]
    con.close()
    return {"open_s": open_s, "seconds": seconds, "rows": rows}


def load_chdb(path, parquet, threads):
    from chdb import session

    def q(sess, sql, fmt="JSONCompact"):
        res = sess.query(sql, fmt)
        return res.bytes() if hasattr(res, "bytes") else str(res)

    t = time.perf_counter()
    sess = session.Session(path)
    q(sess, "SELECT 1", "CSV")
    open_s = time.perf_counter() - t
    q(sess, "CREATE DATABASE IF NOT EXISTS bench", "CSV")
    q(sess, "DROP TABLE IF EXISTS bench.events SYNC", "CSV")
    q(sess, CHDB_TABLE, "CSV")
    quoted = parquet.replace("\\", "\\\\").replace("'", "\\'")
    t = time.perf_counter()
    q(
        sess,
        f"INSERT INTO bench.events SELECT * FROM file('{quoted}', Parquet) "
        f"SETTINGS max_threads={threads}, max_insert_threads={threads}",
        "CSV",
    )
    seconds = time.perf_counter() - t
    optimize_s = None
    if OPTIMIZE:
        t = time.perf_counter()
        q(sess, f"OPTIMIZE TABLE bench.events FINAL SETTINGS max_threads={threads}", "CSV")
        optimize_s = time.perf_counter() - t
    rows = json.loads(q(sess, "SELECT count() FROM bench.events"))["data"][0][0]
    parts, table_bytes = json.loads(
        q(
            sess,
            "SELECT count(), sum(bytes_on_disk) FROM system.parts "
            "WHERE database = 'bench' AND table = 'events' AND active",
        )
    )["data"][0]
    sess.close()
    return {"open_s": open_s, "seconds": seconds, "rows": rows, "parts": parts, "table_bytes": int(table_bytes),
            "optimize_s": optimize_s}


# `python load.py chdb DIR PARQUET THREADS optimize`: also `OPTIMIZE TABLE … FINAL` (timed apart, as optimize_s),
# so that table_bytes is the size once merged
OPTIMIZE = len(sys.argv) > 5 and sys.argv[5] == "optimize"


def main():
    engine, target, parquet = sys.argv[1], sys.argv[2], sys.argv[3]
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    out = {"duckdb": load_duckdb, "chdb": load_chdb}[engine](target, parquet, threads)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
