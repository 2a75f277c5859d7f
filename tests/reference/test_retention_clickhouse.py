"""Retention checked against independent engines on the same events.

- Overall retained counts equal ClickHouse's own `retention(cond1, cond2, …)` (through chdb), where cond1 is the
  customer's entry (first start event) and cond_k tests `return event AND period(ts) = entry_period + k`
  (`>=` in on-or-after mode), summed over customers.
- Cohort rows (customers, retained, observed denominators, partial flags), the breakdown, the repeat rate and the
  `--now` cut equal plain DuckDB SQL.

Data: the demo store's Parquet export, the REES46 sample (three hours: every return lands in column 0, a check of
the cohort counts), Taobao (nine days of complete histories) and CDNOW (18 months of purchases). Each is first
written to one normalised Parquet file (customer, ms, event, channel, rn = journey order) that both engines read.
"""
import csv
import json
from datetime import datetime, timezone

import chdb
import duckdb
import pytest

from conftest import SHARED, tropa

UNIT = {"day": "day", "week": "week", "month": "month"}
CH_PERIOD = {
    "day": ("toDate({t}, 'UTC')", "addDays"),
    "week": ("toStartOfWeek(toDate({t}, 'UTC'), 1)", "addWeeks"),
    "month": ("toStartOfMonth(toDate({t}, 'UTC'))", "addMonths"),
}
DUCK_STEP = {"day": "to_days", "week": "to_weeks", "month": "to_months"}


def pred(text):
    """The SQL condition of a tropa event condition (the few forms these tests use)."""
    if text == "*":
        return "1 = 1"
    name, _, cond = text.partition(" where ")
    sql = f"event = '{name}'"
    if cond:
        field, value = (s.strip() for s in cond.split("="))
        assert field == "channel"
        sql += f" AND channel = '{value}'"
    return sql


def normalise(rows, path):
    """Writes (customer, ms, event, channel) rows, in file order, to Parquet with their row number."""
    tmp = path.with_suffix(".csv")
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer", "ms", "event", "channel", "rn"])
        for rn, (c, ms, ev, ch) in enumerate(rows):
            w.writerow([c, ms, ev, ch, rn])
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{tmp}', header=true, types={{'customer':'VARCHAR','ms':'BIGINT',"
               f"'event':'VARCHAR','channel':'VARCHAR','rn':'BIGINT'}})) TO '{path}' (FORMAT parquet)")
    return path


@pytest.fixture(scope="module")
def demo_set(demo, tmp_path_factory):
    path = tmp_path_factory.mktemp("retention") / "demo.parquet"
    duckdb.sql(f"COPY (SELECT customer_id AS customer, epoch_ms(timestamp) AS ms, event, coalesce(channel, '') AS "
               f"channel, file_row_number AS rn FROM read_parquet('{demo['parquet']}', file_row_number=true)) "
               f"TO '{path}' (FORMAT parquet)")
    return {"data": demo["data"], "norm": path}


def shared_set(name, tmp_path_factory, rel, import_args, rows):
    src = SHARED / rel
    if not src.exists():
        pytest.skip("shared data not present")
    root = tmp_path_factory.mktemp(name)
    tropa(root / "data", "import", src, *import_args)
    with open(src, newline="") as f:
        norm = normalise(rows(csv.DictReader(f)), root / "norm.parquet")
    return {"data": root / "data", "norm": norm}


def utc_ms(dt):
    return int(dt.replace(tzinfo=timezone.utc).timestamp() * 1000)


@pytest.fixture(scope="module")
def rees46(tmp_path_factory):
    return shared_set(
        "rees46", tmp_path_factory, "rees46_multicategory_2019oct_head/2019-Oct_head.csv",
        ["--column", "timestamp=event_time", "--column", "event=event_type"],
        lambda r: ((x["user_id"], utc_ms(datetime.strptime(x["event_time"], "%Y-%m-%d %H:%M:%S UTC")),
                    x["event_type"], "") for x in r))


@pytest.fixture(scope="module")
def taobao(tmp_path_factory):
    return shared_set(
        "taobao", tmp_path_factory, "taobao_userbehavior_head/UserBehavior_head.csv",
        ["--column", "user_id=user_id", "--column", "timestamp=timestamp", "--time-format", "unix",
         "--column", "event=behavior_type"],
        lambda r: ((x["user_id"], int(x["timestamp"]) * 1000, x["behavior_type"], "") for x in r))


@pytest.fixture(scope="module")
def cdnow(tmp_path_factory):
    return shared_set(
        "cdnow", tmp_path_factory, "cdnow/CDNOW_master.csv",
        ["--column", "user_id=customer_id", "--column", "timestamp=date", "--time-format", "%Y%m%d",
         "--set", "event=purchase", "--column", "revenue=dollar_value"],
        lambda r: ((x["customer_id"], utc_ms(datetime.strptime(x["date"], "%Y%m%d")), "purchase", "") for x in r))


def run_tropa(ds, period, n, mode, start, ret, *extra):
    out = tropa(ds["data"], "retention", "--period", period, "--periods", n, "--mode", mode, "--start", start,
                "--return", ret, *extra, "--format", "json")
    return json.loads(out)


def ch_overall(ds, period, n, mode, start, ret):
    """Σ over customers of ClickHouse retention(entry, return in entry period + k …)."""
    p, add = CH_PERIOD[period]
    op = "=" if mode == "on" else ">="
    src = (f"(SELECT assumeNotNull(customer) AS customer, fromUnixTimestamp64Milli(assumeNotNull(ms), 'UTC') AS ts, "
           f"ifNull(event, '') AS event, ifNull(channel, '') AS channel FROM file('{ds['norm']}', Parquet))")
    conds = ", ".join(f"({pred(ret)}) AND {p.format(t='ts')} {op} {add}(p0, {k})" for k in range(1, n + 1))
    sql = (
        f"SELECT sumForEach(r), count() FROM (SELECT customer, retention(ts = t0 AND ({pred(start)}), {conds}) AS r "
        f"FROM {src} AS e INNER JOIN (SELECT customer, min(ts) AS t0, {p.format(t='min(ts)')} AS p0 FROM {src} "
        f"WHERE {pred(start)} GROUP BY customer) AS s USING customer GROUP BY customer) FORMAT JSONCompact"
    )
    data = json.loads(chdb.query(sql).bytes())["data"]
    sums, customers = data[0]
    return [int(x) for x in sums], int(customers)


def duck(ds, now=None):
    con = duckdb.connect()
    cut = f"WHERE ms < {now}" if now is not None else ""
    con.sql(f"CREATE TABLE ev AS SELECT customer, epoch_ms(ms) AS ts, event, channel, rn "
            f"FROM read_parquet('{ds['norm']}') {cut}")
    if now is None:
        con.sql("CREATE TABLE bounds AS SELECT max(ts) + INTERVAL 1 MILLISECOND AS stop FROM ev")
    else:
        con.sql(f"CREATE TABLE bounds AS SELECT epoch_ms({now}) AS stop")
    return con


def duck_entry(con, period, start):
    con.sql("DROP TABLE IF EXISTS entry")
    con.sql(f"""CREATE TABLE entry AS
        SELECT customer, ts AS t0, rn AS rn0, channel AS ch0, date_trunc('{UNIT[period]}', ts) AS p0 FROM (
          SELECT *, row_number() OVER (PARTITION BY customer ORDER BY ts, rn) AS i FROM ev WHERE {pred(start)})
        WHERE i = 1""")


def duck_cohorts(con, period, n, mode, ret, key="strftime(p0, '%Y-%m-%d')"):
    """Rows (key, k, customers, retained, observed, partial) over entry × columns 0..n."""
    step = DUCK_STEP[period]
    op = "=" if mode == "on" else ">="
    return con.sql(f"""
        WITH ks AS (SELECT range::INTEGER AS k FROM range(0, {n} + 1)),
        hits AS (
          SELECT DISTINCT en.customer, ks.k FROM entry en JOIN ev e USING (customer) JOIN ks
            ON ks.k >= 1 AND date_trunc('{UNIT[period]}', e.ts) {op} en.p0 + {step}(ks.k)
          WHERE {pred(ret)})
        SELECT {key} AS key, ks.k, count(*) AS customers,
          count(*) FILTER (WHERE ks.k = 0 OR h.customer IS NOT NULL) AS retained,
          count(*) FILTER (WHERE p0 + {step}(ks.k) < stop) AS observed,
          coalesce(bool_or(p0 + {step}(ks.k) < stop AND p0 + {step}(ks.k + 1) > stop), false) AS partial
        FROM entry CROSS JOIN ks CROSS JOIN bounds LEFT JOIN hits h ON h.customer = entry.customer AND h.k = ks.k
        GROUP BY key, ks.k ORDER BY key, ks.k""").fetchall()


def curves(rows, n):
    out = {}
    for key, k, customers, retained, observed, partial in rows:
        c = out.setdefault(key, {"customers": 0, "retained": [0] * (n + 1), "observed": [0] * (n + 1),
                                 "partial": [False] * (n + 1)})
        c["customers"] = customers
        c["retained"][k], c["observed"][k], c["partial"][k] = retained, observed, bool(partial)
    for c in out.values():
        c["rates"] = [r / o if o else None for r, o in zip(c["retained"], c["observed"])]
    return out


def shape(row):
    return {k: row[k] for k in ("customers", "retained", "observed", "partial", "rates")}


CASES = [
    ("demo_set", "week", 12, "on", "*", "*"),
    ("demo_set", "week", 12, "on-or-after", "*", "purchase"),
    ("demo_set", "day", 20, "on", "session_start where channel = email", "session_start"),
    ("demo_set", "month", 5, "on", "purchase", "purchase"),
    ("demo_set", "month", 5, "on-or-after", "add_to_cart", "purchase"),
    ("rees46", "day", 3, "on", "view", "purchase"),
    ("rees46", "week", 2, "on-or-after", "*", "*"),
    ("taobao", "day", 8, "on", "*", "*"),
    ("taobao", "day", 8, "on-or-after", "*", "buy"),
    ("taobao", "day", 8, "on", "cart", "buy"),
    ("taobao", "week", 1, "on", "buy", "buy"),
    ("cdnow", "month", 17, "on", "*", "*"),
    ("cdnow", "month", 17, "on-or-after", "purchase", "purchase"),
    ("cdnow", "week", 31, "on", "*", "*"),
]


@pytest.mark.parametrize("ds_name,period,n,mode,start,ret", CASES)
def test_overall_equals_clickhouse_and_cohorts_equal_duckdb(request, ds_name, period, n, mode, start, ret):
    ds = request.getfixturevalue(ds_name)
    report = run_tropa(ds, period, n, mode, start, ret)
    want, customers = ch_overall(ds, period, n, mode, start, ret)
    assert report["overall"]["retained"] == want
    assert report["overall"]["customers"] == customers > 0
    con = duck(ds)
    duck_entry(con, period, start)
    cohorts = curves(duck_cohorts(con, period, n, mode, ret), n)
    got = {c["cohort"]: shape(c) for c in report["cohorts"]}
    assert got == cohorts
    observed = [sum(c["observed"][k] for c in cohorts.values()) for k in range(n + 1)]
    assert report["overall"]["observed"] == observed
    assert report["overall"]["rates"] == [r / o if o else None for r, o in zip(want, observed)]


def test_real_curves_are_not_trivial(taobao, cdnow):
    """The references above compare real returns, not only zeros: Taobao and CDNOW customers do come back."""
    t = run_tropa(taobao, "day", 8, "on", "*", "*")
    c = run_tropa(cdnow, "month", 17, "on", "*", "*")
    assert all(x > 0 for x in t["overall"]["retained"][1:])
    assert all(x > 0 for x in c["overall"]["retained"][1:])
    assert any(c["partial"][k] for c in t["cohorts"] for k in range(9))


@pytest.mark.parametrize("how", ["channel", "first_channel"])
def test_breakdown_equals_duckdb(demo_set, how):
    n = 6
    report = run_tropa(demo_set, "week", n, "on", "*", "purchase", "--breakdown", how)
    con = duck(demo_set)
    duck_entry(con, "week", "*")
    if how == "first_channel":
        con.sql("UPDATE entry SET ch0 = f.channel FROM (SELECT customer, first(channel ORDER BY ts, rn) AS channel "
                "FROM ev GROUP BY customer) f WHERE f.customer = entry.customer")
    want = curves(duck_cohorts(con, "week", n, "on", "purchase", key="coalesce(nullif(ch0, ''), '(none)')"), n)
    got = {b["value"]: shape(b) for b in report["breakdown"]}
    assert got == want
    assert len(want) > 3
    order = [b["value"] for b in report["breakdown"]]
    assert order == sorted(want, key=lambda v: (-want[v]["customers"], v))


@pytest.mark.parametrize("ds_name,start,ret,days", [
    ("cdnow", "purchase", "purchase", 30),
    ("cdnow", "purchase", "purchase", 90),
    ("taobao", "*", "buy", 2),
    ("taobao", "buy", "buy", 1),
    ("demo_set", "purchase", "purchase", 30),
    ("demo_set", "add_to_cart", "purchase", 7),
])
def test_repeat_within_equals_duckdb(request, ds_name, start, ret, days):
    ds = request.getfixturevalue(ds_name)
    report = run_tropa(ds, "week", 1, "on", start, ret, "--repeat-within", f"{days}d")
    con = duck(ds)
    duck_entry(con, "week", start)
    customers, repeated, excluded = con.sql(f"""
        WITH x AS (
          SELECT date_trunc('day', t0) + INTERVAL 1 DAY + to_days({days}) <= stop AS observed,
            EXISTS (SELECT 1 FROM ev e WHERE e.customer = en.customer AND ({pred(ret)})
                    AND (e.ts > en.t0 OR (e.ts = en.t0 AND e.rn > en.rn0)) AND e.ts <= en.t0 + to_days({days})) AS rep
          FROM entry en, bounds)
        SELECT count(*) FILTER (WHERE observed), count(*) FILTER (WHERE observed AND rep),
               count(*) FILTER (WHERE NOT observed) FROM x""").fetchall()[0]
    rep = report["repeat"]
    assert (rep["customers"], rep["repeated"], rep["excluded"]) == (customers, repeated, excluded)
    assert rep["within_days"] == days
    assert rep["rate"] == repeated / customers
    assert 0 < repeated < customers


@pytest.mark.parametrize("period,mode", [("week", "on"), ("month", "on-or-after")])
def test_now_cuts_events_and_observation_like_duckdb(demo_set, period, mode):
    now = "2026-06-17T12:00:00Z"
    now_ms = utc_ms(datetime(2026, 6, 17, 12))
    n = 8
    report = run_tropa(demo_set, period, n, mode, "*", "*", "--now", now)
    assert report["observed_until"] == "2026-06-17T12:00:00.000Z"
    con = duck(demo_set, now=now_ms)
    duck_entry(con, period, "*")
    cohorts = curves(duck_cohorts(con, period, n, mode, "*"), n)
    assert {c["cohort"]: shape(c) for c in report["cohorts"]} == cohorts
    assert any(None in c["rates"] for c in cohorts.values())
