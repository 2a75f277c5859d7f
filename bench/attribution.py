"""Q4 — Markov attribution: tropa's whole `tropa attribution` process against ClickHouse (chdb) computing the
order-1 transition counts of the same paths, on a store made by `tropa demo generate` and its Parquet export.

Paths (both sides): per customer, the channel groups of session entries (a gap of 30 minutes or more starts a
session) up to and including the customer's first purchase, or all of them for customers who never buy; no
lookback. ClickHouse only counts the transitions (`(start)` → first channel … → `(conversion)` or `(null)`); tropa
does the whole attribution (every model: the heuristics, the exact Markov solve, Shapley, the journeys) in a fresh
process. Before timing, the answers must agree: paths, conversions and touches.

    python3 bench/attribution.py --tropa target/release/tropa --data /tmp/bench-data [--runs 3] [--table]

With `--table` ClickHouse also runs the query on a MergeTree table sorted by (customer, time) — the form BENCH.md's
anchor figure is measured on — with and without `optimize_aggregation_in_order`; its best is the ratio's base.

`--data` holds a store made by `tropa demo generate --customers N` (the Parquet export is written beside it once).
Prints best and median seconds and tropa's peak RSS; writes bench/results/attribution-<events>.json.
"""
import argparse
import json
import os
import statistics
import subprocess
import time
from pathlib import Path

CH_SQL = """
WITH per AS (
    SELECT customer_id AS c,
           arraySort(x -> x.1, groupArray((toUnixTimestamp64Milli(timestamp), event, channel))) AS evs
    FROM file('{parquet}', Parquet) GROUP BY c),
paths AS (
    SELECT arrayFirstIndex(x -> x.2 = 'purchase', evs) AS pi,
           if(pi = 0, evs, arraySlice(evs, 1, pi)) AS upto,
           arrayMap(x -> x.3, arrayFilter((x, i) -> i = 1 OR x.1 - upto[i - 1].1 >= 1800000, upto,
                                         arrayEnumerate(upto))) AS chans,
           pi > 0 AS conv
    FROM per)
SELECT tr.1 AS from_state, tr.2 AS to_state, count() AS n FROM (
    SELECT arrayJoin(arrayZip(arrayPushFront(chans, '(start)'),
                              arrayPushBack(chans, if(conv, '(conversion)', '(null)')))) AS tr
    FROM paths)
GROUP BY from_state, to_state ORDER BY from_state, to_state
SETTINGS max_threads = {threads}
"""


def run_tropa(tropa, data, threads):
    args = [tropa, "--data", str(data), "attribution", "--conversion", "purchase", "--lookback", "none",
            "--sessions", "gap", "--format", "json"]
    env = {**os.environ, "RAYON_NUM_THREADS": str(threads), "TROPA_LANG": "en"}
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", *args], capture_output=True, text=True, env=env)
    dt = time.perf_counter() - t
    assert p.returncode == 0, p.stderr
    rss_kb = int(p.stderr.strip().splitlines()[-1])
    return dt, json.loads(p.stdout), rss_kb


def run_chdb(parquet, threads):
    import chdb

    t = time.perf_counter()
    out = chdb.query(CH_SQL.format(parquet=parquet, threads=threads), "JSONCompact")
    dt = time.perf_counter() - t
    return dt, json.loads(out.bytes())["data"]


def table_session(parquet, folder):
    """A persistent chdb session holding the events in a MergeTree table sorted by (customer, time), as BENCH.md
    loads them for every engine (LowCardinality event and channel); loaded once, merged to one part."""
    from chdb import session

    s = session.Session(str(folder))
    have = s.query("SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'q4'", "CSV")
    if int(have.bytes().decode().strip() or 0) == 0:
        t = time.perf_counter()
        s.query("CREATE TABLE q4 (customer_id String, timestamp DateTime64(3), event LowCardinality(String), "
                "channel LowCardinality(String)) ENGINE = MergeTree ORDER BY (customer_id, timestamp)")
        s.query(f"INSERT INTO q4 SELECT customer_id, timestamp, event, channel FROM file('{parquet}', Parquet)")
        s.query("OPTIMIZE TABLE q4 FINAL")
        print(f"loaded the MergeTree table in {time.perf_counter() - t:.1f} s", flush=True)
    return s


def run_chdb_table(s, threads, in_order):
    """The same query on the MergeTree table: the expert formulation BENCH.md's Q4 figure is for."""
    sql = CH_SQL.replace("FROM file('{parquet}', Parquet)", "FROM q4").format(threads=threads)
    if in_order:
        sql += ", optimize_aggregation_in_order = 1"
    t = time.perf_counter()
    out = s.query(sql, "JSONCompact")
    dt = time.perf_counter() - t
    return dt, json.loads(out.bytes())["data"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tropa", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--table", action="store_true",
                    help="also time ClickHouse on a MergeTree table (loaded once beside the data, in chdb-q4/)")
    a = ap.parse_args()
    data = Path(a.data)
    parquet = data.parent / "events.parquet"
    if not parquet.exists():
        subprocess.run([a.tropa, "--data", str(data), "export", str(parquet)], check=True)
    # answers first
    _, r, _ = run_tropa(a.tropa, data, a.threads)
    _, rows = run_chdb(parquet, a.threads)
    starts = sum(n for f, _, n in rows if f == "(start)")
    convs = sum(n for _, t, n in rows if t == "(conversion)")
    touches = sum(n for f, _, n in rows if f != "(start)")
    mine = (r["conversions"] + r["null_paths"], r["conversions"], r["touches"])
    assert mine == (starts, convs, touches), f"tropa {mine} vs chdb {(starts, convs, touches)}"
    stats = subprocess.run([a.tropa, "--data", str(data), "stats", "--format", "json"], capture_output=True,
                           text=True, check=True).stdout
    events = json.loads(stats)["events"]
    t_tropa, t_ch, rss = [], [], 0
    for _ in range(a.runs):
        dt, _, kb = run_tropa(a.tropa, data, a.threads)
        t_tropa.append(dt)
        rss = max(rss, kb)
        t_ch.append(run_chdb(parquet, a.threads)[0])
    res = {
        "events": events,
        "paths": starts,
        "conversions": convs,
        "touches": touches,
        "markov_states": r["markov"]["states"],
        "tropa_s": {"best": min(t_tropa), "median": statistics.median(t_tropa)},
        "tropa_peak_rss_mb": rss / 1024,
        "chdb_transition_counts_s": {"best": min(t_ch), "median": statistics.median(t_ch)},
        "threads": a.threads,
    }
    res["ratio_best"] = res["chdb_transition_counts_s"]["best"] / res["tropa_s"]["best"]
    if a.table:
        s = table_session(parquet, data.parent / "chdb-q4")
        rows_t = run_chdb_table(s, a.threads, False)[1]
        assert sorted(map(tuple, rows_t)) == sorted(map(tuple, rows)), "the table's transitions differ from the file's"
        best = {}
        for in_order in (False, True):
            ts = [run_chdb_table(s, a.threads, in_order)[0] for _ in range(a.runs)]
            best["in_order" if in_order else "default"] = {"best": min(ts), "median": statistics.median(ts)}
        res["chdb_table_s"] = best
        fastest = min(v["best"] for v in best.values())
        res["ratio_table_best"] = fastest / res["tropa_s"]["best"]
    print(json.dumps(res, indent=2))
    out = Path(__file__).parent / "results" / f"attribution-{events}.json"
    out.write_text(json.dumps(res, indent=2) + "\n")


if __name__ == "__main__":
    main()
