"""Journey stages and lifecycle states checked with DuckDB SQL on the demo fixture's Parquet export.

Each stage's entry is written as SQL from the definition in crates/core/src/analysis/stages.rs (sequential: the first
candidate at or after the previous stage's entry; implied: the earliest time the rule of the stage or of a later one
is met), lifecycle states from crates/core/src/analysis/lifecycle.rs (window functions over the gaps between
activities). Journey order for `nth` is (time, row of the export), the order tropa scans in.
"""
import json
from datetime import datetime, timezone

import duckdb
import pytest

from conftest import tropa

DAY = 86_400_000
STATES = ["new", "active", "returning", "reactivated", "dormant", "churned"]


def ms(iso):
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(timezone.utc).timestamp() * 1000)


@pytest.fixture(scope="module")
def db(demo):
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE e AS SELECT customer_id AS c, epoch_ms(timestamp) AS ts, event, revenue, properties, "
        f"file_row_number AS rn FROM read_parquet('{demo['parquet']}', file_row_number = true)"
    )
    return con


def matches(stages, now):
    """CTEs m1..mn: the candidates of each stage (its matching events from the nth on, in journey order)."""
    return [
        f"m{k} AS (SELECT c, ts FROM (SELECT c, ts, row_number() OVER (PARTITION BY c ORDER BY ts, rn) AS i "
        f"FROM e WHERE ts <= {now} AND ({cond})) WHERE i >= {nth})"
        for k, (cond, nth, _) in enumerate(stages, 1)
    ]


def sequential_entries(db, stages, now):
    """stages: [(SQL condition, nth, within_ms or None)] → rows (customer, t1, …, tn), NULL = not entered."""
    ctes = matches(stages, now) + [f"s0 AS (SELECT DISTINCT c FROM e WHERE ts <= {now})"]
    for k, (_, _, within) in enumerate(stages, 1):
        prev = f"s{k - 1}"
        keep = "".join(f", {prev}.t{j}" for j in range(1, k))
        on = f"m{k}.c = {prev}.c" + (f" AND m{k}.ts >= {prev}.t{k - 1}" if k > 1 else "")
        first = f"min(m{k}.ts)"
        if within is not None and k > 1:
            # the first candidate at or after the previous entry decides
            first = f"CASE WHEN min(m{k}.ts) - {prev}.t{k - 1} <= {within} THEN min(m{k}.ts) END"
        ctes.append(f"s{k} AS (SELECT {prev}.c{keep}, {first} AS t{k} FROM {prev} LEFT JOIN m{k} ON {on} "
                    f"GROUP BY {prev}.c{keep})")
    return db.execute("WITH " + ", ".join(ctes) + f" SELECT * FROM s{len(stages)}").fetchall()


def implied_entries(db, stages, now):
    """Each rule on its own (first candidate), then a stage is entered when it or any later stage is."""
    n = len(stages)
    ctes = matches(stages, now) + [f"r{k} AS (SELECT c, min(ts) AS r FROM m{k} GROUP BY c)" for k in range(1, n + 1)]
    joins = " ".join(f"LEFT JOIN r{k} ON r{k}.c = cs.c" for k in range(1, n + 1))
    cols = ", ".join(f"r{k}.r" for k in range(1, n + 1))
    rows = db.execute(
        "WITH " + ", ".join(ctes) + f" SELECT cs.c, {cols} FROM (SELECT DISTINCT c FROM e WHERE ts <= {now}) cs {joins}"
    ).fetchall()
    return [(c, *[min([t for t in r[k:] if t is not None], default=None) for k in range(n)]) for c, *r in rows]


def summarize(rows, n, now, stuck_ms):
    """Per stage: entered, current, stuck, in-stage durations; from per-customer entry rows."""
    entered, current, stuck = [0] * n, [0] * n, [0] * n
    durations = [[] for _ in range(n)]
    no_stage = 0
    for c, *t in rows:
        reached = [k for k in range(n) if t[k] is not None]
        assert reached == list(range(len(reached))), f"entries of {c} are not a prefix: {t}"
        for k in reached:
            entered[k] += 1
            if k + 1 < n and t[k + 1] is not None:
                durations[k].append(t[k + 1] - t[k])
                assert t[k + 1] >= t[k]
        if not reached:
            no_stage += 1
        else:
            k = reached[-1]
            current[k] += 1
            if k + 1 < n and now - t[k] > stuck_ms:
                stuck[k] += 1
    return entered, current, stuck, durations, no_stage


def quantile_cont(db, values, q):
    if not values:
        return None
    return db.execute("SELECT quantile_cont(v, ?) FROM unnest(?::BIGINT[]) AS t(v)", [q, values]).fetchone()[0] / 1000.0


def lifecycle_states(db, at, dormant, churn, activity="TRUE"):
    """Customer → state at `at` (customers with no activity by then are absent)."""
    rows = db.execute(f"""
        WITH a AS (SELECT c, ts, ts - lag(ts) OVER (PARTITION BY c ORDER BY ts) AS gap FROM e
                   WHERE ts <= {at} AND ({activity})),
        g AS (SELECT c, min(ts) AS first, max(ts) AS last,
                     max(ts) FILTER (WHERE gap > {dormant}) AS back,
                     arg_max(gap, ts) FILTER (WHERE gap > {dormant}) AS pause
              FROM a GROUP BY c)
        SELECT c, CASE
            WHEN {at} - last > {churn} THEN 'churned'
            WHEN {at} - last > {dormant} THEN 'dormant'
            WHEN {at} - coalesce(back, first) > {dormant} THEN 'active'
            WHEN back IS NULL THEN 'new'
            WHEN pause > {churn} THEN 'reactivated'
            ELSE 'returning' END
        FROM g""").fetchall()
    return dict(rows)


def check_report(db, report, rows, now, stuck_ms):
    n = len(report["stages"])
    entered, current, stuck, durations, no_stage = summarize(rows, n, now, stuck_ms)
    assert report["customers"] == len(rows)
    assert report["no_stage"] == no_stage
    assert [s["entered"] for s in report["stages"]] == entered
    assert [s["current"] for s in report["stages"]] == current
    assert [s["stuck"] for s in report["stages"]] == stuck[:-1] + [None]
    for k, s in enumerate(report["stages"]):
        for q, key in [(0.5, "median_seconds_in_stage"), (0.9, "p90_seconds_in_stage")]:
            want = quantile_cont(db, durations[k], q)
            assert (s[key] is None) == (want is None), (k, key)
            if want is not None:
                assert abs(s[key] - want) < 1e-6, (k, key, s[key], want)
        if k + 1 < n:
            want = entered[k + 1] / entered[k] if entered[k] else None
            assert s["conversion_to_next"] == pytest.approx(want), k


def check_lifecycle(db, report, customers, dormant, churn, activity="TRUE"):
    lc = report["lifecycle"]
    now = ms(lc["at"])
    states = lifecycle_states(db, now, dormant, churn, activity)
    assert {s["state"]: s["customers"] for s in lc["states"]} == {st: list(states.values()).count(st) for st in STATES}
    assert lc["no_activity"] == len(customers) - len(states)
    t = lc["transitions"]
    a = lifecycle_states(db, ms(t["from"]), dormant, churn, activity)
    b = lifecycle_states(db, ms(t["to"]), dormant, churn, activity)
    labels = ["none"] + STATES
    want = [[0] * 7 for _ in range(7)]
    for c in customers:
        want[labels.index(a.get(c, "none"))][labels.index(b.get(c, "none"))] += 1
    assert t["states"] == labels
    assert t["matrix"] == want
    return states


def test_default_definition_matches_sql(demo, db):
    report = json.loads(tropa(demo["data"], "stages", "--format", "json", "--transitions", "2026-05-01..2026-08-01"))
    now = ms(report["now"])
    assert now == db.execute("SELECT max(ts) FROM e").fetchone()[0], "the default now is the last event"
    stages = [
        ("TRUE", 1, None),
        ("event IN ('view_item', 'search')", 1, None),
        ("event IN ('add_to_cart', 'begin_checkout')", 1, None),
        ("event = 'purchase' AND revenue > 0", 1, None),
        ("event = 'purchase' AND revenue > 0", 2, None),
    ]
    rows = sequential_entries(db, stages, now)
    check_report(db, report, rows, now, 14 * DAY)
    entered = [s["entered"] for s in report["stages"]]
    assert entered[0] == report["customers"] and entered == sorted(entered, reverse=True) and entered[4] > 0
    states = check_lifecycle(db, report, [r[0] for r in rows], 30 * DAY, 90 * DAY)
    # the demo data has customers in most states at its end
    assert sum(1 for s in set(states.values())) >= 4


CUSTOM = """
version = 1
name = "custom"
order = "{order}"

[lifecycle]
activity = ["session_start", "purchase"]
dormant = "14d"
churn = "45d"

[[stages]]
key = "browse"
name = {{ en = "Browsed twice", ru = "Смотрел дважды" }}
event = "view_item"
nth = 2

[[stages]]
key = "cart"
name = "Cart"
event = ["add_to_cart", "begin_checkout"]
{within}

[[stages]]
key = "tent"
name = "Bought a tent"
event = "purchase where category = tents"
"""


@pytest.mark.parametrize("order", ["sequential", "implied"])
def test_custom_definition_with_nth_within_properties_and_order(demo, db, tmp_path, order):
    within = 'within = "1d"' if order == "sequential" else ""
    path = tmp_path / "custom.toml"
    path.write_text(CUSTOM.format(order=order, within=within))
    now = "2026-08-15T00:00:00Z"
    report = json.loads(tropa(demo["data"], "stages", "--definition", path, "--now", now, "--stuck", "3d",
                              "--transitions", "2026-06-01..2026-07-15", "--format", "json"))
    assert report["definition"] == "custom" and report["order"] == order
    now = ms(now)
    stages = [
        ("event = 'view_item'", 2, None),
        ("event IN ('add_to_cart', 'begin_checkout')", 1, DAY if order == "sequential" else None),
        ("event = 'purchase' AND json_extract_string(properties, '$.category') = 'tents'", 1, None),
    ]
    rows = (sequential_entries if order == "sequential" else implied_entries)(db, stages, now)
    check_report(db, report, rows, now, 3 * DAY)
    assert report["stages"][2]["entered"] > 0
    check_lifecycle(db, report, [r[0] for r in rows], 14 * DAY, 45 * DAY, "event IN ('session_start', 'purchase')")


def test_implied_order_never_counts_fewer_than_sequential(demo, tmp_path):
    counts = {}
    for order in ["sequential", "implied"]:
        path = tmp_path / f"{order}.toml"
        path.write_text(CUSTOM.format(order=order, within=""))
        r = json.loads(tropa(demo["data"], "stages", "--definition", path, "--format", "json"))
        counts[order] = [s["entered"] for s in r["stages"]]
    assert all(i >= s for i, s in zip(counts["implied"], counts["sequential"])), counts
    assert counts["implied"] != counts["sequential"], counts
