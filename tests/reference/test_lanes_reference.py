"""The data lanes of a journey map (crates/core/src/analysis/lanes.rs) checked with DuckDB SQL on the demo
fixture's Parquet export: stage entries as in test_stages_reference.py, then each event placed in the highest
stage entered at or before it, and per stage the customers, time in stage (quantile_cont), events, revenue,
customers per touchpoint and channel, and customers who met a problem event."""
import json

import duckdb
import pytest

from conftest import tropa
from test_stages_reference import ms, sequential_entries

DEFAULT = [
    ("TRUE", 1, None),
    ("event IN ('view_item', 'search')", 1, None),
    ("event IN ('add_to_cart', 'begin_checkout')", 1, None),
    ("event = 'purchase' AND revenue > 0", 1, None),
    ("event = 'purchase' AND revenue > 0", 2, None),
]
PROBLEMS = ["support_ticket", "refund"]


@pytest.fixture(scope="module")
def lanes_db(demo):
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE e AS SELECT customer_id AS c, epoch_ms(timestamp) AS ts, event, revenue, properties, touchpoint, "
        f"channel, file_row_number AS rn FROM read_parquet('{demo['parquet']}', file_row_number = true)"
    )
    return con


def test_lanes_match_duckdb(demo, lanes_db):
    db = lanes_db
    args = ["stages", "lanes", "--format", "json", "--top", "50"] + [a for p in PROBLEMS for a in ("--problem", p)]
    report = json.loads(tropa(demo["data"], *args))
    now = db.execute("SELECT max(ts) FROM e").fetchone()[0]
    rows = sequential_entries(db, DEFAULT, now)
    n = len(DEFAULT)
    db.execute("CREATE OR REPLACE TABLE s (c VARCHAR, " + ", ".join(f"t{k} BIGINT" for k in range(1, n + 1)) + ")")
    db.executemany(f"INSERT INTO s VALUES ({', '.join('?' * (n + 1))})", [list(r) for r in rows])
    # each event's stage: the highest entered at or before it (entries never decrease)
    stage_of = "CASE " + " ".join(f"WHEN s.t{k} IS NOT NULL AND e.ts >= s.t{k} THEN {k}" for k in range(n, 0, -1)) + " END"
    db.execute(f"CREATE OR REPLACE TABLE w AS SELECT e.*, {stage_of} AS k FROM e JOIN s USING (c) WHERE e.ts <= {now}")
    assert report["customers"] == db.execute("SELECT count(*) FROM s").fetchone()[0]
    problems = ", ".join(f"'{p}'" for p in PROBLEMS)
    for k, lane in enumerate(report["stages"], 1):
        reached = db.execute(f"SELECT count(*) FROM s WHERE t{k} IS NOT NULL").fetchone()[0]
        assert lane["reached"] == reached, (k, lane["reached"], reached)
        events, revenue, problem = db.execute(
            f"SELECT count(*), coalesce(sum(revenue), 0), count(DISTINCT c) FILTER (WHERE event IN ({problems})) "
            f"FROM w WHERE k = {k}"
        ).fetchone()
        assert (lane["events"], lane["problem_customers"]) == (events, problem), (k, lane, events, problem)
        assert lane["revenue"] == pytest.approx(revenue, rel=1e-9, abs=1e-6)
        assert lane["problem_share"] == pytest.approx(problem / reached if reached else None)
        for col, key in [("touchpoint", "touchpoints"), ("channel", "channels")]:
            sql = f"SELECT {col}, count(DISTINCT c) FROM w WHERE k = {k} AND {col} <> '' GROUP BY 1"
            assert {r["value"]: r["customers"] for r in lane[key]} == dict(db.execute(sql).fetchall()), (k, key)
        if k < n:
            med, p90 = db.execute(
                f"SELECT quantile_cont(t{k + 1} - t{k}, 0.5) / 1000, quantile_cont(t{k + 1} - t{k}, 0.9) / 1000 FROM s "
                f"WHERE t{k + 1} IS NOT NULL"
            ).fetchone()
            assert lane["median_seconds_in_stage"] == pytest.approx(med)
            assert lane["p90_seconds_in_stage"] == pytest.approx(p90)
            assert lane["dropped"] == reached - db.execute(f"SELECT count(*) FROM s WHERE t{k + 1} IS NOT NULL").fetchone()[0]
    # the planted truths show: the slow-delivery tickets come after purchase, most cart adders never buy
    shares = {s["key"]: s["problem_share"] for s in report["stages"]}
    assert shares["purchase"] > 5 * max(shares["awareness"], 1e-9)
    consideration = next(s for s in report["stages"] if s["key"] == "consideration")
    assert consideration["drop_share"] > 0.6
