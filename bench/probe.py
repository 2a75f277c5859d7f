"""One timed query in a fresh process: `python probe.py ENGINE DATABASE SQL [RUNS]`.

ENGINE is `duckdb` (DATABASE: a DuckDB file, opened read-only with 2 threads) or `chdb` (DATABASE: a chdb session
folder; the SQL carries its own SETTINGS). Prints one JSON line: open_s (connect + a trivial query), the query times,
the answer rows, and memory measured as tropa-bench measures it: after the open the peak-RSS mark is reset
(/proc/self/clear_refs), idle_rss_mb is the RSS then, peak_rss_mb the highest RSS while querying.
"""

import json
import sys
import time


def rss_mb():
    peak = cur = 0.0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
            elif line.startswith("VmRSS:"):
                cur = int(line.split()[1]) / 1024
    return peak, cur


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def open_duckdb(path, threads):
    import duckdb

    con = duckdb.connect(path, read_only=True, config={"threads": threads})
    con.execute("SELECT 1").fetchall()
    return lambda sql: [list(r) for r in con.execute(sql).fetchall()]


def open_chdb(path, _threads):
    from chdb import session

    sess = session.Session(path)
    sess.query("SELECT 1", "CSV")

    def run(sql):
        res = sess.query(sql, "JSONCompact")
        return json.loads(res.bytes() if hasattr(res, "bytes") else str(res))["data"]

    return run


def main():
    engine, path, sql = sys.argv[1], sys.argv[2], sys.argv[3]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    threads = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    t = time.perf_counter()
    query = {"duckdb": open_duckdb, "chdb": open_chdb}[engine](path, threads)
    open_s = time.perf_counter() - t
    peak_reset = reset_peak()
    _, idle = rss_mb()
    times, rows = [], None
    for _ in range(runs):
        t = time.perf_counter()
        rows = query(sql)
        times.append(time.perf_counter() - t)
    peak, _ = rss_mb()
    print(
        json.dumps(
            {
                "open_s": open_s,
                "times_s": times,
                "best_s": min(times),
                "idle_rss_mb": idle,
                "peak_rss_mb": peak,
                "query_rss_mb": peak - idle if peak_reset else None,
                "peak_reset": peak_reset,
                "rows": rows,
            }
        )
    )


if __name__ == "__main__":
    main()
