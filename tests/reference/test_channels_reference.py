"""The overview's channels table checked by DuckDB: customers, buyers, conversion and revenue by the channel group
of each customer's first event (in the whole data, and in a period: the first event in the period), recounted from
tropa's Parquet export."""
import duckdb
import pytest

from conftest import tropa_json

FIRST_TOUCH = """
WITH cut AS (SELECT * FROM '{p}' {where}),
firsts AS (
    SELECT customer_id,
           arg_min(channel, timestamp) AS ch,
           count(DISTINCT channel) FILTER (WHERE timestamp = (SELECT min(timestamp) FROM cut c2 WHERE c2.customer_id = cut.customer_id)) AS ties,
           coalesce(sum(revenue), 0) AS rev,
           coalesce(bool_or(revenue > 0), false) AS bought
    FROM cut GROUP BY customer_id
)
SELECT ch, count(*), count(*) FILTER (WHERE bought), sum(rev), max(ties) FROM firsts GROUP BY ch
"""


def check(stats, rows):
    want = {ch if ch else "(none)": (n, b, r) for ch, n, b, r, _ in rows}
    got = {c["value"]: (c["customers"], c["buyers"], c["revenue"]) for c in stats["channels"]}
    assert set(got) == set(want)
    for ch, (n, b, r) in want.items():
        assert got[ch][:2] == (n, b), ch
        assert got[ch][2] == pytest.approx(r, rel=1e-9, abs=1e-6), ch
    for c in stats["channels"]:
        assert c["conversion"] == pytest.approx(c["buyers"] / c["customers"], rel=1e-12)
    assert sum(c["customers"] for c in stats["channels"]) == stats["customers"]
    assert sum(c["buyers"] for c in stats["channels"]) == stats["buyers"]
    # the first event of a customer is never a tie between two channels here, so arg_min is exact
    assert max(t for *_, t in rows) == 1


def test_channels_by_first_touch_match_duckdb(demo):
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    rows = con.execute(FIRST_TOUCH.format(p=demo["parquet"], where="")).fetchall()
    check(demo["stats"], rows)
    assert len(demo["stats"]["channels"]) >= 5


def test_channels_of_a_period_match_duckdb(demo):
    """A period cuts each journey: a customer counts under the channel of their first event in it."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    since, until = "2026-05-01", "2026-06-01"
    stats = tropa_json(demo["data"], "stats", "--since", since, "--until", until, "--time-zone", "UTC")
    where = f"WHERE timestamp >= TIMESTAMPTZ '{since} 00:00:00+00' AND timestamp < TIMESTAMPTZ '{until} 00:00:00+00'"
    rows = con.execute(FIRST_TOUCH.format(p=demo["parquet"], where=where)).fetchall()
    check(stats, rows)
    assert 0 < stats["customers"] < demo["stats"]["customers"]
