"""Funnels checked against ClickHouse's own windowFunnel (through chdb) on random journeys with many timestamp
ties and unrelated events, in ordered and strict mode, and on the real REES46 event log."""
import csv
import json
import random
from collections import Counter

import chdb
import pytest

from conftest import SHARED, tropa


def ch_levels(csv_path, steps, window_s, strict, user_col="user", ts_expr="ts", ev_col="ev", fmt="user String, ts UInt32, ev String"):
    conds = ", ".join(f"{ev_col} = '{s}'" for s in steps)
    mode = ", 'strict_order'" if strict else ""
    sql = (
        f"SELECT level, count() FROM (SELECT {user_col}, windowFunnel({window_s}{mode})({ts_expr}, {conds}) AS level "
        f"FROM file('{csv_path}', CSVWithNames, '{fmt}') GROUP BY {user_col}) WHERE level > 0 GROUP BY level FORMAT JSONCompact"
    )
    rows = json.loads(chdb.query(sql).bytes())["data"]
    return {int(level): int(n) for level, n in rows}


def tropa_levels(data, steps, window_s, mode):
    args = ["funnel", "--mode", mode, "--window", f"{window_s}s", "--format", "json"]
    for s in steps:
        args += ["--step", s]
    report = json.loads(tropa(data, *args))
    reached = [s["customers"] for s in report["steps"]] + [0]
    return {k + 1: reached[k] - reached[k + 1] for k in range(len(steps)) if reached[k] - reached[k + 1] > 0}, report


@pytest.fixture(scope="module")
def random_log(tmp_path_factory):
    root = tmp_path_factory.mktemp("funnel")
    rng = random.Random(20261124)
    path = root / "events.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["user", "ts", "ev"])
        for u in range(4000):
            t = 1_767_225_600 + rng.randrange(0, 86_400 * 20)
            for _ in range(rng.randrange(1, 14)):
                t += rng.choice([0, 0, 1, 5, 60, 600, 3600, 86_400, 4 * 86_400])
                w.writerow([f"u{u}", t, rng.choice("AAABBBCCDX")])
    data = root / "data"
    tropa(data, "import", path, "--column", "user_id=user", "--column", "timestamp=ts", "--time-format", "unix", "--column", "event=ev")
    return path, data


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("window_s", [60, 3600, 7 * 86_400])
@pytest.mark.parametrize("steps", [["A", "B", "C"], ["A", "B", "C", "D"], ["B", "A"], ["A", "A", "B"]])
def test_levels_equal_window_funnel(random_log, steps, window_s, strict):
    path, data = random_log
    want = ch_levels(path, steps, window_s, strict)
    got, report = tropa_levels(data, steps, window_s, "strict" if strict else "ordered")
    assert got == want
    assert report["steps"][0]["customers"] == sum(want.values())


@pytest.mark.skipif(not (SHARED / "rees46_multicategory_2019oct_head").exists(), reason="shared data not present")
def test_rees46_view_cart_purchase_equals_window_funnel(tmp_path):
    path = SHARED / "rees46_multicategory_2019oct_head" / "2019-Oct_head.csv"
    data = tmp_path / "rees46"
    tropa(data, "import", path, "--column", "timestamp=event_time", "--column", "event=event_type")
    fmt = ("event_time String, event_type String, product_id UInt64, category_id UInt64, category_code String, "
           "brand String, price Float64, user_id UInt64, user_session String")
    for strict in (False, True):
        want = ch_levels(path, ["view", "cart", "purchase"], 3600, strict, user_col="user_id",
                         ts_expr="parseDateTimeBestEffort(event_time)", ev_col="event_type", fmt=fmt)
        got, _ = tropa_levels(data, ["view", "cart", "purchase"], 3600, "strict" if strict else "ordered")
        assert got == want, f"strict={strict}"
