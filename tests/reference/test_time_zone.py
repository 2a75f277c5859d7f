"""A project's time zone checked by DuckDB: the demo's events imported into a project set to Moscow time (and,
with `--time-zone`, New York time, which has daylight-saving changes), then events and revenue per local day and
weekly retention cohorts recounted by DuckDB with `timezone(zone, ts)` and `date_trunc` on the local times."""
import duckdb
import pytest

from conftest import tropa, tropa_json

PROJECT_ZONE = "Europe/Moscow"
ZONES = [PROJECT_ZONE, "America/New_York"]


@pytest.fixture(scope="module")
def zoned(demo, tmp_path_factory):
    """A data folder of its own (the shared demo stays in UTC) whose project reports in Moscow time."""
    data = tmp_path_factory.mktemp("zoned") / "data"
    tropa(data, "import", demo["parquet"])
    tropa(data, "project", "set", "default", "--time-zone", PROJECT_ZONE, "--currency", "RUB")
    return {"data": data, "parquet": str(demo["parquet"])}


def zone_args(zone):
    """The project's own zone needs no flag; another one is asked for with --time-zone."""
    return [] if zone == PROJECT_ZONE else ["--time-zone", zone]


def local(con, parquet, zone):
    """A view of (customer, local time, revenue) of the export in `zone`."""
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        f"CREATE OR REPLACE VIEW e AS SELECT customer_id AS c, revenue, "
        f"timezone('{zone}', CAST(\"timestamp\" AS TIMESTAMPTZ)) AS lt FROM '{parquet}'"
    )


@pytest.mark.parametrize("zone", ZONES)
def test_events_and_revenue_per_local_day_match_duckdb(zoned, zone):
    stats = tropa_json(zoned["data"], "stats", *zone_args(zone))
    assert stats["time_zone"] == zone
    assert stats["currency"] == "RUB"
    con = duckdb.connect()
    local(con, zoned["parquet"], zone)
    days = con.execute("SELECT strftime(lt, '%Y-%m-%d'), count(*) FROM e GROUP BY 1 ORDER BY 1").fetchall()
    assert [(r["value"], r["events"]) for r in stats["events_by_day"]] == [(d, n) for d, n in days]
    revenue = con.execute(
        "SELECT strftime(lt, '%Y-%m-%d'), sum(revenue) FROM e WHERE revenue IS NOT NULL GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert [r["value"] for r in stats["revenue_by_day"]] == [d for d, _ in revenue]
    for (d, r), row in zip(revenue, stats["revenue_by_day"]):
        assert row["revenue"] == pytest.approx(r, rel=1e-9, abs=1e-6), d
    # the zone moves events between days: the UTC answer differs
    utc = tropa_json(zoned["data"], "stats", "--time-zone", "UTC")
    assert utc["events_by_day"] != stats["events_by_day"]
    assert utc["events"] == stats["events"]


@pytest.mark.parametrize("zone", ZONES)
def test_weekly_retention_cohorts_match_duckdb(zoned, zone):
    periods = 8
    r = tropa_json(zoned["data"], "retention", "--period", "week", "--periods", periods, *zone_args(zone))
    con = duckdb.connect()
    local(con, zoned["parquet"], zone)
    rows = con.execute(
        f"""
        WITH f AS (SELECT c, date_trunc('week', min(lt)) AS w0 FROM e GROUP BY c),
             k AS (SELECT f.c, f.w0, datediff('week', f.w0, date_trunc('week', e.lt)) AS k FROM e JOIN f USING (c))
        SELECT strftime(w0, '%Y-%m-%d'), k, count(DISTINCT c) FROM k WHERE k <= {periods} GROUP BY 1, 2
        """
    ).fetchall()
    want = {}
    for cohort, k, n in rows:
        want.setdefault(cohort, [0] * (periods + 1))[k] = n
    got = {c["cohort"]: c["retained"] for c in r["cohorts"]}
    assert got == want
    # Monday cohorts of the zone
    assert all(duckdb.connect().execute(f"SELECT isodow(DATE '{c}')").fetchone()[0] == 1 for c in got)
