"""The experiment's journey section (crates/core/src/analysis/experiment/journey.rs) and the funnel-completion
metric, recounted on the demo's `checkout_v2` from the Parquet export with DuckDB and plain Python:

- each customer's variant: their first `begin_checkout` of the experiment (journey order: time, then export row);
- stage entries of the default journey definition as test_stages_reference.py writes them in SQL; per stage the
  customers who reached it, who entered it at or after the exposure, reached the next one; revenue and events
  while in the stage (the map's lanes placement: the highest stage entered at or before the event) from the
  exposure on, per customer; hours to the next stage;
- the funnel begin_checkout → add_payment_info → purchase from the exposure on within 7 days (the greedy ordered
  chain: with every event inside the window this is ClickHouse's windowFunnel level), per step, and the
  `funnel:…:7d` metric as "completed all three";

and every difference with its interval against statsmodels (`proportions_ztest`, `confint_proportions_2indep`
with `method="wald"`) and scipy (`ttest_ind(equal_var=False)` and its `confidence_interval`), with Holm's
correction over the section's family by statsmodels `multipletests`.
"""
import json
from collections import defaultdict
from datetime import datetime, timezone

import duckdb
import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from conftest import tropa
from test_stages_reference import sequential_entries

DAY = 86_400_000
STAGES = [
    ("TRUE", 1, None),
    ("event IN ('view_item', 'search')", 1, None),
    ("event IN ('add_to_cart', 'begin_checkout')", 1, None),
    ("event = 'purchase' AND revenue > 0", 1, None),
    ("event = 'purchase' AND revenue > 0", 2, None),
]
STEPS = ["begin_checkout", "add_payment_info", "purchase"]


@pytest.fixture(scope="module")
def both(demo):
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        "CREATE TABLE e AS SELECT customer_id AS c, epoch_ms(timestamp) AS ts, event, revenue, properties, "
        f"file_row_number AS rn FROM read_parquet('{demo['parquet']}', file_row_number = true)"
    )
    now = con.execute("SELECT max(ts) FROM e").fetchone()[0]
    # the first whole second after the last event: every event counts, as in DuckDB
    at = datetime.fromtimestamp(now // 1000 + 1, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    tropa(demo["data"], "experiment", "create", "checkout_v2", "--exposure", "begin_checkout",
          "--primary", "conversion:purchase:7d", "--guardrail", "funnel:begin_checkout->add_payment_info->purchase:7d",
          *[a for s in STEPS for a in ("--funnel-step", s)], "--funnel-window", "7d")
    got = json.loads(tropa(demo["data"], "experiment", "results", "checkout_v2", "--now", at, "--format", "json"))["report"]
    return con, now, got


def customers(con):
    """customer → (variant, exposure time, exposure row)."""
    rows = con.execute("""
        SELECT c, arg_min(json_extract_string(properties, '$.variant'), (ts, rn)), min(ts), arg_min(rn, (ts, rn))
        FROM e WHERE event = 'begin_checkout' AND json_extract_string(properties, '$.experiment') = 'checkout_v2'
          AND json_extract_string(properties, '$.variant') IN ('A', 'B')
        GROUP BY c""").fetchall()
    return {c: (v, t0, rn) for c, v, t0, rn in rows}


def per_customer(con, now):
    """Per variant: a list of per-customer dicts of everything the section counts."""
    who = customers(con)
    entries = {c: t for c, *t in sequential_entries(con, STAGES, now)}
    n = len(STAGES)
    events = defaultdict(list)
    for c, ts, event, revenue, rn in con.execute(
            f"SELECT c, ts, event, coalesce(revenue, 0), rn FROM e WHERE ts <= {now} ORDER BY c, ts, rn").fetchall():
        if c in who:
            events[c].append((ts, event, revenue, rn))
    out = {"A": [], "B": []}
    for c, (variant, t0, rn0) in who.items():
        t = entries[c]
        row = {"reached": [t[k] is not None for k in range(n)],
               "after": [t[k] is not None and t[k] >= t0 for k in range(n)],
               "hours": [(t[k + 1] - t[k]) / 3_600_000 if k + 1 < n and t[k + 1] is not None else None
                         for k in range(n)],
               "revenue": [0.0] * n, "events": [0] * n}
        for ts, event, revenue, _ in events[c]:
            if ts < t0:
                continue
            k = max((k for k in range(n) if t[k] is not None and t[k] <= ts), default=None)
            if k is not None:
                row["revenue"][k] += revenue
                row["events"][k] += 1
        # the funnel from the exposure (included) within 7 days: the greedy ordered chain
        level, last = 0, None
        seen = False
        for ts, event, _, rn in events[c]:
            if (ts, rn) == (t0, rn0):
                seen = True
            if not seen or ts > t0 + 7 * DAY:
                continue
            if level < len(STEPS) and event == STEPS[level] and (last is None or ts >= last):
                level, last = level + 1, ts
        row["funnel"] = level
        out[variant].append(row)
    return out


def two_prop(xa, na, xb, nb):
    if xa + xb in (0, na + nb):
        return None  # no variance: tropa names the reason instead of a number
    _, p = proportions_ztest([xb, xa], [nb, na])
    lo, hi = confint_proportions_2indep(xb, nb, xa, na, method="wald", compare="diff")
    return xb / nb - xa / na, [lo, hi], p


def welch(a, b):
    r = stats.ttest_ind(b, a, equal_var=False)
    ci = r.confidence_interval(0.95)
    return np.mean(b) - np.mean(a), [ci.low, ci.high], r.pvalue


def check(diff, want, what):
    if want is None:  # no variance: tropa names the reason instead of a number
        assert "error" in diff["difference"], (what, diff)
        return False
    assert "error" not in diff["difference"], (what, diff)
    got = diff["difference"]
    assert got["estimate"] == pytest.approx(want[0], abs=1e-9), what
    assert got["ci"] == pytest.approx(want[1], abs=1e-9), what
    assert got["p_value"] == pytest.approx(want[2], rel=1e-6, abs=1e-12), what
    return True


def test_stages_and_funnel_per_variant_equal_duckdb_statsmodels_and_scipy(both):
    con, now, got = both
    rows = per_customer(con, now)
    a, b = rows["A"], rows["B"]
    assert [v["customers"] for v in got["variants"]] == [len(a), len(b)]
    journey = got["journey"]
    assert journey["correction"] == "holm"
    n = len(STAGES)
    family = []  # (tropa's adjusted p, reference p)
    for k, stage in enumerate(journey["stages"]):
        lanes = {lane["lane"]: lane for lane in stage["lanes"]}
        count = lambda rs, key: sum(r[key][k] for r in rs)
        assert stage["reached"] == [count(a, "reached"), count(b, "reached")], stage["key"]
        want = {
            "reached": two_prop(count(a, "reached"), len(a), count(b, "reached"), len(b)),
            "entered_after_exposure": two_prop(count(a, "after"), len(a), count(b, "after"), len(b)),
        }
        if k + 1 < n:
            nxt = lambda rs: sum(r["reached"][k + 1] for r in rs)
            want["conversion_to_next"] = two_prop(nxt(a), count(a, "reached"), nxt(b), count(b, "reached"))
            if want["conversion_to_next"] is not None:
                d, (lo, hi), p = want["conversion_to_next"]
                want["drop_share"] = (-d, [-hi, -lo], p)
            ha = [r["hours"][k] for r in a if r["hours"][k] is not None]
            hb = [r["hours"][k] for r in b if r["hours"][k] is not None]
            want["hours_in_stage"] = welch(ha, hb)
        for key, lane in [("revenue", "revenue_per_customer"), ("events", "events_per_customer")]:
            va, vb = [r[key][k] for r in a], [r[key][k] for r in b]
            assert lanes[lane]["values"] == pytest.approx([np.mean(va), np.mean(vb)], rel=1e-9, abs=1e-9)
            if np.var(va) == 0 or np.var(vb) == 0:
                assert "error" in lanes[lane]["comparisons"][0]["difference"], (stage["key"], lane)
                want.pop(lane, None)
                continue
            want[lane] = welch(va, vb)
        assert set(want) <= set(lanes), (stage["key"], set(lanes))
        for lane, w in want.items():
            if check(lanes[lane]["comparisons"][0], w, f"{stage['key']} {lane}") and lane != "drop_share":
                family.append((lanes[lane]["comparisons"][0]["p_adjusted"], w[2]))
    assert [s["key"] for s in journey["stages"]][:3] == ["awareness", "interest", "consideration"]
    # the funnel, step by step, and the funnel-completion metric
    assert [s["key"] for s in journey["funnel"]] == STEPS
    for k, step in enumerate(journey["funnel"]):
        xa, xb = sum(r["funnel"] > k for r in a), sum(r["funnel"] > k for r in b)
        assert step["reached"] == [xa, xb], step["key"]
        w = two_prop(xa, len(a), xb, len(b))
        if check(step["lanes"][0]["comparisons"][0], w, f"step {k + 1}"):
            family.append((step["lanes"][0]["comparisons"][0]["p_adjusted"], w[2]))
        if k:
            pa, pb = sum(r["funnel"] >= k for r in a), sum(r["funnel"] >= k for r in b)
            w = two_prop(xa, pa, xb, pb)
            if check(step["lanes"][1]["comparisons"][0], w, f"step {k + 1} from the previous"):
                family.append((step["lanes"][1]["comparisons"][0]["p_adjusted"], w[2]))
    completion = got["metrics"][1]["samples"]
    done = [sum(r["funnel"] == len(STEPS) for r in rs) for rs in (a, b)]
    assert [s["mean"] * s["n"] for s in completion] == pytest.approx(done, abs=1e-6)
    assert journey["comparisons"] == len(family)
    holm = multipletests([f[1] for f in family], method="holm")[1]
    assert [f[0] for f in family] == pytest.approx(list(holm), rel=1e-6, abs=1e-12)
