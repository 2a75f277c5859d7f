"""Paths checked by two independent engines: DuckDB (window functions) and ClickHouse through chdb (groupArray,
arraySort, arrayFilter, arraySlice), on the demo data exported to Parquet and on the real REES46 event log.

Both formulations follow the rules in crates/core/src/analysis/paths.rs: one path per customer, from the first
`--from` event or ending at the first `--to` event, bounded by the anchor's session (a gap longer than `--session`
starts a new one) or the whole journey, repeats collapsed within the bound, at most `--depth` elements; conversion
is the conversion event anywhere later than the path's first event. Journey order is (time, ingest order): the demo
export lists each customer's events in that order (DuckDB reads the file row number; chdb the time, after a check
that no customer has two events at the same millisecond); for REES46 the CSV line number is the ingest order.
Every count of every path must match exactly; the Sankey nodes and links are recomputed from the paths."""
import csv
import json
from collections import Counter

import chdb
import duckdb
import pytest

from conftest import SHARED, tropa, tropa_json

NO_SESSION_MS = 10**15


def tropa_paths(data, case, top=1_000_000):
    args = ["paths", "--depth", case["depth"], "--top", top]
    for key in ("from", "to", "conversion"):
        if case.get(key):
            args += [f"--{key}", case[key]]
    if case.get("collapse"):
        args.append("--collapse")
    if case.get("session"):
        args += ["--session", case["session"]]
    report = tropa_json(data, *args)
    return {tuple(p["events"]): (p["customers"], p["converted"] or 0) for p in report["paths"]}, report


def session_ms(case):
    return {None: NO_SESSION_MS, "30m": 1_800_000, "10m": 600_000}[case.get("session")]


def duck_paths(src, case):
    """`src` is a relation with columns c (customer), e (event), t (epoch ms), o (journey order)."""
    collapse = "true" if case.get("collapse") else "false"
    conv = case.get("conversion") or ""
    head = f"""
    WITH ev AS (SELECT c, e, t, row_number() OVER (PARTITION BY c ORDER BY o) AS i FROM {src}),
    br AS (SELECT *, CASE WHEN t - lag(t) OVER (PARTITION BY c ORDER BY i) > {session_ms(case)} THEN 1 ELSE 0 END AS b
           FROM ev),
    se AS (SELECT *, sum(b) OVER (PARTITION BY c ORDER BY i ROWS UNBOUNDED PRECEDING) AS s FROM br),
    ru AS (SELECT *, (NOT {collapse}) OR lag(e) OVER (PARTITION BY c, s ORDER BY i) IS DISTINCT FROM e AS keep FROM se),
    """
    if case.get("from"):
        stop = ""
        cond = ""
        if case.get("to"):
            stop = f"""st AS (SELECT an.c, min(ru.i) AS y FROM an JOIN ru ON ru.c = an.c AND ru.s = an.sa AND ru.i > an.a
                              AND ru.e = '{case['to']}' GROUP BY an.c),"""
            cond = "LEFT JOIN st ON st.c = an.c WHERE st.y IS NULL OR ru.i <= st.y"
        body = f"""
        a0 AS (SELECT c, min(i) AS a FROM ev WHERE e = '{case['from']}' GROUP BY c),
        an AS (SELECT a0.c, a0.a, se.s AS sa FROM a0 JOIN se ON se.c = a0.c AND se.i = a0.a),
        {stop}
        el AS (SELECT ru.c, ru.i, ru.e, row_number() OVER (PARTITION BY ru.c ORDER BY ru.i) AS k
               FROM an JOIN ru ON ru.c = an.c AND ru.s = an.sa AND ru.i >= an.a AND ru.keep {cond}),
        """
    else:
        body = f"""
        a0 AS (SELECT c, min(i) AS a FROM ev WHERE e = '{case['to']}' GROUP BY c),
        an AS (SELECT a0.c, a0.a, se.s AS sa FROM a0 JOIN se ON se.c = a0.c AND se.i = a0.a),
        el AS (SELECT ru.c, ru.i, ru.e, row_number() OVER (PARTITION BY ru.c ORDER BY ru.i DESC) AS k
               FROM an JOIN ru ON ru.c = an.c AND ru.s = an.sa AND ru.i <= an.a AND ru.keep),
        """
    tail = f"""
    pa AS (SELECT c, list(e ORDER BY i) AS path, min(i) AS start FROM el WHERE k <= {case['depth']} GROUP BY c),
    zz AS (SELECT c, max(i) AS last_z FROM ev WHERE e = '{conv}' GROUP BY c)
    SELECT pa.path, count(*), count(*) FILTER (WHERE zz.last_z > pa.start)
    FROM pa LEFT JOIN zz ON zz.c = pa.c GROUP BY pa.path
    """
    rows = duckdb.connect().execute(head + body + tail).fetchall()
    return {tuple(p): (n, z) for p, n, z in rows}


def ch_paths(src, case):
    """The same over arrays, one row per customer."""
    collapse = "1" if case.get("collapse") else "0"
    conv = case.get("conversion") or ""
    arrays = f"""
        arrayMap(x -> x.2, arraySort(groupArray((o, e)))) AS es,
        arrayMap(x -> x.2, arraySort(groupArray((o, t)))) AS ts,
        arrayEnumerate(es) AS idx,
        arrayCumSum(arrayMap(j -> toUInt32(j > 1 AND ts[j] - ts[j - 1] > {session_ms(case)}), idx)) AS sid,
        arrayMap(j -> (NOT {collapse}) OR j = 1 OR es[j] != es[j - 1] OR sid[j] != sid[j - 1], idx) AS keep,
    """
    if case.get("from"):
        stop = f"arrayFirstIndex(j -> j > a AND sid[j] = sid[a] AND es[j] = '{case['to']}', idx)" if case.get("to") else "0"
        pick = f"""
        indexOf(es, '{case['from']}') AS a,
        {stop} AS y,
        arraySlice(arrayFilter(j -> j >= a AND sid[j] = sid[a] AND keep[j] AND (y = 0 OR j <= y), idx), 1, {case['depth']})
            AS chosen,
        """
    else:
        pick = f"""
        indexOf(es, '{case['to']}') AS a,
        arrayFilter(j -> j <= a AND sid[j] = sid[a] AND keep[j], idx) AS els,
        arraySlice(els, greatest(toInt64(length(els)) - {case['depth']} + 1, 1)) AS chosen,
        """
    sql = f"""
    SELECT path, count(), sum(conv) FROM (
        SELECT {arrays} {pick}
            arrayMap(j -> es[j], chosen) AS path,
            arrayExists(j -> j > chosen[1] AND es[j] = '{conv}', idx) AS conv
        FROM {src} GROUP BY c HAVING a > 0
    ) GROUP BY path FORMAT JSONCompact
    """
    rows = json.loads(chdb.query(sql).bytes())["data"]
    return {tuple(p): (int(n), int(z)) for p, n, z in rows}


def sankey(paths, case):
    """Nodes and links from the paths: `$end` after a path (`$start` before a reverse one) up to the last column."""
    depth = case["depth"]
    columns = min(depth, max(len(p) for p in paths) + 1)
    nodes, links = Counter(), Counter()
    for p, (n, _) in paths.items():
        pad = columns - len(p)
        col = list(p) + ["$end"] * pad if case.get("from") else ["$start"] * pad + list(p)
        for d, e in enumerate(col):
            nodes[(d, e)] += n
            if d + 1 < columns:
                links[(d, e, col[d + 1])] += n
    return nodes, links


def check(data, src_duck, src_ch, case):
    got, report = tropa_paths(data, case)
    assert got, "no paths: the case tests nothing"
    assert got == duck_paths(src_duck, case), "DuckDB"
    assert got == ch_paths(src_ch, case), "chdb"
    assert report["total"] == sum(n for n, _ in got.values())
    assert report["distinct_paths"] == len(got)
    nodes, links = sankey(got, case)
    assert Counter({(n["depth"], n["event"]): n["customers"] for n in report["nodes"]}) == nodes
    assert Counter({(l["from_depth"], l["from"], l["to"]): l["customers"] for l in report["links"]}) == links
    # the default top 20: count descending, then events ascending, with share and conversion
    _, top = tropa_paths(data, case, top=20)
    want = sorted(got.items(), key=lambda kv: (-kv[1][0], kv[0]))[:20]
    assert [(tuple(p["events"]), p["customers"]) for p in top["paths"]] == [(p, n) for p, (n, _) in want]
    for p in top["paths"]:
        assert p["share"] == pytest.approx(p["customers"] / report["total"], rel=1e-12)
        if case.get("conversion"):
            assert p["conversion"] == pytest.approx(p["converted"] / p["customers"], rel=1e-12)


DEMO_CASES = [
    {"from": "view_item", "depth": 5},
    {"from": "add_to_cart", "depth": 4, "collapse": True, "conversion": "purchase"},
    {"from": "page_view", "depth": 6, "session": "30m", "conversion": "add_to_cart"},
    {"to": "purchase", "depth": 5, "collapse": True},
    {"to": "add_to_cart", "depth": 4, "session": "10m", "conversion": "purchase"},
    {"from": "view_item", "to": "purchase", "depth": 8, "collapse": True, "conversion": "refund"},
    {"from": "session_start", "to": "add_to_cart", "depth": 20, "session": "30m"},
]


@pytest.mark.parametrize("case", DEMO_CASES, ids=lambda c: json.dumps(c))
def test_demo_paths_equal_duckdb_and_chdb(demo, case):
    p = demo["parquet"]
    ties = duckdb.connect().execute(
        f"SELECT count(*) FROM (SELECT customer_id, timestamp FROM '{p}' GROUP BY ALL HAVING count(*) > 1)"
    ).fetchone()[0]
    assert ties == 0, "chdb orders the demo journeys by time: ties would need the file order"
    duck = f"(SELECT customer_id AS c, event AS e, epoch_ms(timestamp) AS t, file_row_number AS o FROM read_parquet('{p}', file_row_number = true))"
    ch = f"(SELECT customer_id AS c, event AS e, toUnixTimestamp64Milli(timestamp) AS t, t AS o FROM file('{p}', Parquet))"
    check(demo["data"], duck, ch, case)


REES46 = SHARED / "rees46_multicategory_2019oct_head" / "2019-Oct_head.csv"


@pytest.fixture(scope="module")
def rees46(tmp_path_factory):
    if not REES46.exists():
        pytest.skip("shared data not present")
    root = tmp_path_factory.mktemp("rees46")
    data = root / "data"
    tropa(data, "import", REES46, "--column", "timestamp=event_time", "--column", "event=event_type")
    # the CSV line number is the ingest order, which breaks ties of equal timestamps
    seq = root / "seq.csv"
    with open(REES46, newline="") as f, open(seq, "w", newline="") as out:
        w = csv.writer(out)
        w.writerow(["seq", "event_time", "event_type", "user_id"])
        for i, row in enumerate(csv.DictReader(f)):
            w.writerow([i, row["event_time"], row["event_type"], row["user_id"]])
    return data, seq


REES46_CASES = [
    {"from": "view", "depth": 5},
    {"from": "cart", "depth": 5, "collapse": True, "conversion": "purchase"},
    {"to": "purchase", "depth": 4, "collapse": True, "session": "30m"},
    {"to": "cart", "depth": 6},
    {"from": "view", "to": "purchase", "depth": 6, "collapse": True, "session": "10m", "conversion": "cart"},
]


@pytest.mark.parametrize("case", REES46_CASES, ids=lambda c: json.dumps(c))
def test_rees46_paths_equal_duckdb_and_chdb(rees46, case):
    data, seq = rees46
    duck = (f"(SELECT CAST(user_id AS VARCHAR) AS c, event_type AS e, seq AS o, "
            f"epoch_ms(strptime(event_time, '%Y-%m-%d %H:%M:%S UTC')) AS t FROM read_csv('{seq}', header = true, "
            f"columns = {{'seq': 'BIGINT', 'event_time': 'VARCHAR', 'event_type': 'VARCHAR', 'user_id': 'BIGINT'}}))")
    ch = (f"(SELECT toString(user_id) AS c, event_type AS e, seq AS o, "
          f"toInt64(toUnixTimestamp(parseDateTimeBestEffort(event_time))) * 1000 AS t "
          f"FROM file('{seq}', CSVWithNames, 'seq UInt64, event_time String, event_type String, user_id UInt64'))")
    check(data, duck, ch, case)
