"""Feedback scores (crates/core/src/analysis/feedback.rs) checked independently: DuckDB SQL places each answer at
the highest journey stage entered at or before it (stage entries as in test_stages_reference.py), pandas counts
promoters/detractors, satisfied answers and means per stage, channel and survey, and scipy gives the intervals
(NPS: Wald with variance (p+ + p- - (p+ - p-)^2)/n and z = norm.ppf(0.975); CSAT: Wilson, binomtest's
proportion_ci; CES: Student t, t.ppf(0.975, n - 1)). On the demo fixture's export and on a hand-made case
imported from NDJSON that has every scale, an invalid score and an answer given twice."""
import json
import math

import duckdb
import pandas as pd
import pytest
from scipy import stats

from conftest import tropa
from test_stages_reference import sequential_entries

DEFAULT = [
    ("TRUE", 1, None),
    ("event IN ('view_item', 'search')", 1, None),
    ("event IN ('add_to_cart', 'begin_checkout')", 1, None),
    ("event = 'purchase' AND revenue > 0", 1, None),
    ("event = 'purchase' AND revenue > 0", 2, None),
]
KEYS = ["awareness", "interest", "consideration", "purchase", "repeat_purchase"]
RANGE = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
Z = stats.norm.ppf(0.975)
REANSWER_MS = 86_400_000


def answers(db, now):
    """Every scored feedback event with its stage at the time (k = 1..n, 0 before the first stage)."""
    rows = sequential_entries(db, DEFAULT, now)
    n = len(DEFAULT)
    db.execute("CREATE OR REPLACE TABLE s (c VARCHAR, " + ", ".join(f"t{k} BIGINT" for k in range(1, n + 1)) + ")")
    db.executemany(f"INSERT INTO s VALUES ({', '.join('?' * (n + 1))})", [list(r) for r in rows])
    stage_of = "CASE " + " ".join(f"WHEN s.t{k} IS NOT NULL AND e.ts >= s.t{k} THEN {k}" for k in range(n, 0, -1)) + " ELSE 0 END"
    df = db.execute(
        f"SELECT e.c, e.ts, e.rn, e.event, e.channel, {stage_of} AS k, "
        "json_extract_string(e.properties, '$.kind') AS kind_prop, json_extract(e.properties, '$.rating') AS rating, "
        "json_extract(e.properties, '$.score') AS score, json_extract_string(e.properties, '$.survey') AS survey, "
        "json_extract_string(e.properties, '$.question') AS question "
        f"FROM e JOIN s USING (c) WHERE e.ts <= {now} AND e.event IN ('survey_response', 'nps_response', 'review') "
        "ORDER BY e.c, e.ts, e.rn"
    ).df()

    def scale(r):
        if r.event == "survey_response":
            return r.kind_prop if r.kind_prop in RANGE else None, r.score
        if r.event == "nps_response":
            return "nps", r.score
        return ("csat", r.rating) if r.rating is not None else ("nps", r.score)

    def value(raw):
        try:
            v = float(json.loads(raw))
        except (TypeError, ValueError):
            return None
        return v

    out = []
    for r in df.itertuples():
        kind, raw = scale(r)
        if kind is None:
            continue
        v = value(raw)
        lo, hi = RANGE[kind]
        valid = v is not None and v == int(v) and lo <= v <= hi
        out.append({"c": r.c, "ts": r.ts, "rn": r.rn, "event": r.event, "kind": kind, "score": int(v) if valid else None,
                    "valid": valid, "k": r.k, "channel": r.channel or "", "survey": r.survey or "",
                    "question": r.question or ""})
    a = pd.DataFrame(out)
    if a.empty:
        return a, rows
    # answered twice: a scored survey_response followed within a day by another one to the same question
    a["superseded"] = False
    for i, r in a[(a.event == "survey_response") & a.valid].iterrows():
        later = a[(a.c == r.c) & (a.event == "survey_response") & a.valid & (a.survey == r.survey)
                  & (a.question == r.question) & ((a.ts > r.ts) | ((a.ts == r.ts) & (a.rn > r.rn)))
                  & (a.ts - r.ts < REANSWER_MS)]
        a.loc[i, "superseded"] = not later.empty
    return a, rows


def expect_score(kind, scores):
    n = len(scores)
    if n == 0:
        return None, None, None
    s = pd.Series(scores, dtype=float)
    if kind == "nps":
        pp, pm = (s >= 9).mean(), (s <= 6).mean()
        se = math.sqrt((pp + pm - (pp - pm) ** 2) / n)
        return 100 * (pp - pm), 100 * (pp - pm - Z * se), 100 * (pp - pm + Z * se)
    if kind == "csat":
        k = int((s >= 4).sum())
        ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        return 100 * k / n, 100 * ci.low, 100 * ci.high
    m = s.mean()
    if n < 2:
        return m, None, None
    half = stats.t.ppf(0.975, n - 1) * s.std(ddof=1) / math.sqrt(n)
    return m, m - half, m + half


def check_score(got, kind, scores, where):
    value, low, high = expect_score(kind, scores)
    assert got["n"] == len(scores), (where, kind, got["n"], len(scores))
    assert got["small_sample"] == (len(scores) < 30), where
    for key, want in [("value", value), ("low", low), ("high", high)]:
        if want is None:
            assert got[key] is None, (where, kind, key)
        else:
            assert got[key] == pytest.approx(want, rel=1e-9, abs=1e-9), (where, kind, key, got[key], want)


def check_report(report, a, rows):
    counted = a[a.valid & ~a.superseded] if not a.empty else a
    assert report["customers"] == len(rows)
    assert report["answers"] == len(counted)
    assert report["invalid"] == int((~a.valid).sum()) if not a.empty else 0
    assert report["superseded"] == int(a.superseded.sum()) if not a.empty else 0
    for kind in RANGE:
        check_score(report["overall"][kind], kind, list(counted[counted.kind == kind].score), "overall")
    for k, st in enumerate(report["stages"], 1):
        assert st["key"] == KEYS[k - 1]
        reached = sum(1 for r in rows if r[k] is not None)
        assert st["reached"] == reached
        here = counted[counted.k == k]
        assert st["respondents"] == here.c.nunique()
        assert st["response_rate"] == pytest.approx(here.c.nunique() / reached if reached else None)
        for kind in RANGE:
            sub = here[here.kind == kind]
            check_score(st["scores"][kind], kind, list(sub.score), st["key"])
            lo, hi = RANGE[kind]
            assert st["scores"][kind]["distribution"] == [int((sub.score == v).sum()) for v in range(lo, hi + 1)]
    for ch in report["channels"]:
        sub = counted[counted.channel == ch["channel"]]
        for kind in RANGE:
            check_score(ch["scores"][kind], kind, list(sub[sub.kind == kind].score), ch["channel"])
    assert sum(ch["scores"]["nps"]["n"] for ch in report["channels"]) == int((counted.kind == "nps").sum())


def load(path):
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE e AS SELECT customer_id AS c, epoch_ms(timestamp) AS ts, event, revenue, properties, channel, "
        f"file_row_number AS rn FROM read_parquet('{path}', file_row_number = true)"
    )
    return con


def test_demo_scores_match_pandas_and_scipy(demo):
    db = load(demo["parquet"])
    now = db.execute("SELECT max(ts) FROM e").fetchone()[0]
    report = json.loads(tropa(demo["data"], "feedback", "scores", "--format", "json"))
    a, rows = answers(db, now)
    assert len(a) > 100, "the demo has answers"
    check_report(report, a, rows)
    # the planted truth shows: detractors are common after the purchase (slow deliveries)
    purchase = next(s for s in report["stages"] if s["key"] == "purchase")
    assert purchase["negative_share"] > 0.1


def test_hand_made_case(tmp_path):
    base = 1_767_225_600_000  # 2026-01-01T00:00:00Z
    msgs = []

    def ev(c, minute, name, props=None, revenue=None):
        p = dict(props or {})
        if revenue is not None:
            p["revenue"] = revenue
        msgs.append({"type": "track", "event": name, "anonymousId": f"h-{c}", "messageId": f"h-{c}-{len(msgs)}",
                     "timestamp": pd.Timestamp(base + minute * 60_000, unit="ms", tz="UTC").isoformat(),
                     "properties": p})

    for c in range(40):
        ev(c, 0, "page_view")
        if c % 2:
            ev(c, 1, "view_item")
            ev(c, 2, "add_to_cart")
            ev(c, 3, "purchase", {"order_id": f"o{c}"}, revenue=100)
            ev(c, 4, "survey_response", {"survey": "post_purchase", "question": "nps", "kind": "nps", "score": c % 11})
            ev(c, 5, "survey_response", {"survey": "delivery", "question": "csat", "kind": "csat", "score": 1 + c % 5,
                                         "text": "доставка"})
        else:
            ev(c, 1, "nps_response", {"score": (c * 7) % 11})
            ev(c, 2, "survey_response", {"survey": "checkout", "question": "ease", "kind": "ces", "score": 1 + c % 7})
        if c % 5 == 0:
            # answered twice within the hour: only the second counts
            ev(c, 30, "survey_response", {"survey": "checkout", "question": "ease", "kind": "ces", "score": 7})
        if c % 7 == 0:
            ev(c, 40, "survey_response", {"survey": "x", "kind": "nps", "score": 11})
            ev(c, 41, "review", {"rating": 2, "text": "bad"})
    src = tmp_path / "events.ndjson"
    src.write_text("\n".join(json.dumps(m) for m in msgs) + "\n")
    data = tmp_path / "data"
    tropa(data, "import", src)
    tropa(data, "export", tmp_path / "events.parquet")
    db = load(tmp_path / "events.parquet")
    now = db.execute("SELECT max(ts) FROM e").fetchone()[0]
    report = json.loads(tropa(data, "feedback", "scores", "--format", "json"))
    a, rows = answers(db, now)
    assert a.superseded.sum() > 0 and (~a.valid).sum() > 0
    check_report(report, a, rows)
    assert {s["survey"] for s in report["surveys"]} == {"post_purchase", "delivery", "checkout"}
