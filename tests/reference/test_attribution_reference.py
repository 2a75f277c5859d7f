"""Attribution checked against independent references on the demo data exported to Parquet.

- Touch paths and the heuristic models (first, last, last non-direct, linear, time decay, position-based) are
  recomputed in DuckDB SQL from the raw events, following crates/core/src/analysis/attribution.rs: a touch is a
  session's entry (a gap of 30 minutes or more starts a session; the demo has no session ids), labelled by the
  entry event's field; a touch at the conversion event counts; touches more than the lookback before the
  conversion are cut (null paths: before the customer's last event); once or every conversion; last significant
  click. Every credit must match to 1e-9.
- PyPI `channelattribution` (`ChannelAttribution`): `heuristic_models` on the DuckDB paths gives the same first,
  last and linear credits; its `transition_matrix` gives the transition probabilities of the chain.
- Markov removal effects: an exact absorbing-chain solve in numpy (orders 1 and 2), conversions and value.
- Shapley: brute-force enumeration of all orderings of the channels.
Journey order is (time, ingest order): the export lists each customer's events in that order (file row number).
"""
import itertools
import math

import duckdb
import numpy as np
import pytest

from conftest import SHARED, tropa, tropa_json

DAY = 86_400_000
GAP = 1_800_000


def paths_sql(parquet, by="channel", lookback_ms=30 * DAY, every=False, ignore_direct=False, conversion="purchase"):
    """One row per touch: customer, path number, position, label, direct, touch time, end time, converted,
    revenue of the path's conversion."""
    look = lookback_ms if lookback_ms is not None else 10**15
    keep_conv = "TRUE" if every else "cn = 0"
    return f"""
    WITH ev AS (SELECT customer_id AS c, event AS e, epoch_ms(timestamp) AS t, {by} AS lab, channel AS ch,
                       coalesce(revenue, 0) AS rev, file_row_number AS o
                FROM read_parquet('{parquet}', file_row_number = true)),
    o AS (SELECT *, row_number() OVER (PARTITION BY c ORDER BY o) AS i FROM ev),
    s AS (SELECT *, (lag(t) OVER w IS NULL OR t - lag(t) OVER w >= {GAP}) AS entry,
                 max(t) OVER (PARTITION BY c) AS last_t
          FROM o WINDOW w AS (PARTITION BY c ORDER BY i)),
    cv AS (SELECT c, i AS ci, t AS ct, rev, row_number() OVER (PARTITION BY c ORDER BY i) - 1 AS cn
           FROM s WHERE e = '{conversion}'),
    cv2 AS (SELECT * FROM cv WHERE {keep_conv}),
    tc AS (SELECT s.c, s.i, s.t, CASE WHEN s.lab IS NULL OR s.lab = '' THEN '(none)' ELSE s.lab END AS lab,
                  s.ch = 'direct' AS direct, s.last_t,
                  (SELECT count(*) FROM cv2 WHERE cv2.c = s.c AND cv2.ci < s.i) AS pn
           FROM s WHERE entry),
    tp AS (SELECT tc.*, cv2.ct, cv2.rev, cv2.ci IS NOT NULL AS conv,
                  coalesce(cv2.ct, tc.last_t) AS end_t
           FROM tc LEFT JOIN cv2 ON cv2.c = tc.c AND cv2.cn = tc.pn
           -- once: touches after the first conversion are not in any path
           WHERE {'TRUE' if every else 'tc.pn = 0'}),
    kept AS (SELECT * FROM tp WHERE t >= end_t - {look}),
    nd AS (SELECT c, pn, bool_or(NOT direct) AS has_other FROM kept GROUP BY c, pn),
    fin AS (SELECT kept.* FROM kept JOIN nd USING (c, pn)
            WHERE {'NOT (direct AND has_other)' if ignore_direct else 'TRUE'})
    SELECT c, pn, row_number() OVER (PARTITION BY c, pn ORDER BY i) AS k, count(*) OVER (PARTITION BY c, pn) AS n,
           lab, direct, t, end_t, conv, coalesce(rev, 0) AS rev
    FROM fin
    """


def heuristics_sql(parquet, half_life_ms=7 * DAY, first=0.4, last=0.4, **kw):
    return f"""
    WITH p AS ({paths_sql(parquet, **kw)}),
    cp AS (SELECT * FROM p WHERE conv),
    lnd AS (SELECT c, pn, coalesce(max(k) FILTER (WHERE NOT direct), max(n)) AS kl FROM cp GROUP BY c, pn),
    w AS (SELECT cp.*, lnd.kl, pow(2, -(end_t - t) / {half_life_ms}::DOUBLE) AS dw FROM cp JOIN lnd USING (c, pn)),
    w2 AS (SELECT *, dw / sum(dw) OVER (PARTITION BY c, pn) AS decay,
                  CASE WHEN n = 1 THEN 1.0
                       WHEN n = 2 THEN CASE WHEN k = 1 THEN {first} / ({first} + {last}) ELSE {last} / ({first} + {last}) END
                       WHEN k = 1 THEN {first} WHEN k = n THEN {last}
                       ELSE (1 - {first} - {last}) / (n - 2) END AS pos
           FROM w)
    SELECT lab,
           sum(CASE WHEN k = 1 THEN 1 ELSE 0 END)::DOUBLE AS first_touch,
           sum(CASE WHEN k = n THEN 1 ELSE 0 END)::DOUBLE AS last_touch,
           sum(CASE WHEN k = kl THEN 1 ELSE 0 END)::DOUBLE AS last_non_direct,
           sum(1.0 / n) AS linear, sum(decay) AS time_decay, sum(pos) AS position_based,
           sum(CASE WHEN k = 1 THEN rev ELSE 0 END) AS first_touch_rev,
           sum(CASE WHEN k = n THEN rev ELSE 0 END) AS last_touch_rev,
           sum(CASE WHEN k = kl THEN rev ELSE 0 END) AS last_non_direct_rev,
           sum(rev / n) AS linear_rev, sum(decay * rev) AS time_decay_rev, sum(pos * rev) AS position_based_rev
    FROM w2 GROUP BY lab
    """


def path_multiset(parquet, **kw):
    """{tuple(labels): [conversions, nulls, revenue]} from the DuckDB paths."""
    rows = duckdb.sql(f"""
        WITH p AS ({paths_sql(parquet, **kw)})
        SELECT list(lab ORDER BY k) AS path, bool_or(conv) AS conv, max(rev) AS rev FROM p GROUP BY c, pn
    """).fetchall()
    out = {}
    for path, conv, rev in rows:
        s = out.setdefault(tuple(path), [0, 0, 0.0])
        if conv:
            s[0] += 1
            s[2] += rev
        else:
            s[1] += 1
    return out


def report(demo, *args):
    return tropa_json(demo["data"], "attribution", "--conversion", "purchase", "--top", "1000", *args)


def credits(r):
    models = r["models"]
    return {row["label"]: {m: c for m, c in zip(models, row["credits"])} for row in r["rows"]}


CASES = [
    ({}, []),
    ({"every": True}, ["--every"]),
    ({"ignore_direct": True, "lookback_ms": 7 * DAY}, ["--ignore-direct", "--lookback", "7d"]),
    ({"by": "campaign", "lookback_ms": None}, ["--by", "campaign", "--lookback", "none"]),
    ({"by": "source", "half_life_ms": DAY, "first": 0.3, "last": 0.5}, ["--by", "source", "--half-life", "1d", "--positions", "30/20/50"]),
]


@pytest.mark.parametrize("kw,args", CASES)
def test_heuristic_models_equal_duckdb_sql(demo, kw, args):
    r = report(demo, *args)
    got = credits(r)
    want = duckdb.sql(heuristics_sql(demo["parquet"], **kw)).df().set_index("lab")
    assert r["conversions"] > 50
    for lab, row in want.iterrows():
        for m in ["first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based"]:
            g = got[lab][m]
            assert abs(g["conversions"] - row[m]) < 1e-9, (lab, m, g, row[m])
            assert abs(g["revenue"] - row[m + "_rev"]) < 1e-9 * max(1, abs(row[m + "_rev"])), (lab, m)
    # every label with a credit is in the SQL's answer, and the converting paths' sum is the conversions
    converting = {lab for lab, c in got.items() if c["first_touch"]["conversions"] + c["linear"]["conversions"] > 0}
    assert converting <= set(want.index)
    assert abs(want["linear"].sum() - (r["conversions"] - r["unattributed"])) < 1e-9


def test_lookback_cut_touches_are_counted(demo):
    kw = {"lookback_ms": 7 * DAY}
    r = report(demo, "--lookback", "7d")
    all_touches = duckdb.sql(f"SELECT count(*) FROM ({paths_sql(demo['parquet'], lookback_ms=None)})").fetchall()[0][0]
    kept = duckdb.sql(f"SELECT count(*) FROM ({paths_sql(demo['parquet'], **kw)})").fetchall()[0][0]
    assert r["touches"] == kept
    assert r["cut_touches"] == all_touches - kept > 0


def test_heuristics_equal_channelattribution(demo):
    ca = pytest.importorskip("ChannelAttribution")
    import pandas as pd

    ms = path_multiset(demo["parquet"])
    df = pd.DataFrame(
        [{"path": " > ".join(p), "conv": s[0], "value": s[2]} for p, s in ms.items() if s[0] > 0]
    )
    h = ca.heuristic_models(df, "path", "conv", var_value="value", sep=">", flg_pro=False).set_index("channel_name")
    got = credits(report(demo))
    for lab, row in h.iterrows():
        for ours, theirs in [("first_touch", "first_touch"), ("last_touch", "last_touch"), ("linear", "linear_touch")]:
            assert abs(got[lab][ours]["conversions"] - row[theirs + "_conversions"]) < 1e-9, (lab, ours)
            assert abs(got[lab][ours]["revenue"] - row[theirs + "_value"]) < 1e-6, (lab, ours)


def chain(ms, order):
    """Exact absorbing chain of `order` over the path multiset: (P, V, removal effects, value effects, probs)."""
    states = {(): 0}
    trans, conv, val, null = {}, {}, {}, {}
    for p, (c, u, rev) in ms.items():
        w = c + u
        prev = 0
        for k in range(len(p)):
            key = tuple(p[max(0, k + 1 - order): k + 1])
            s = states.setdefault(key, len(states))
            trans[(prev, s)] = trans.get((prev, s), 0) + w
            prev = s
        conv[prev] = conv.get(prev, 0) + c
        null[prev] = null.get(prev, 0) + u
        val[prev] = val.get(prev, 0) + rev
    n = len(states)
    out = np.zeros(n)
    Q = np.zeros((n, n))
    for (a, b), w in trans.items():
        Q[a, b] += w
        out[a] += w
    for s in range(n):
        out[s] += conv.get(s, 0) + null.get(s, 0)
    Q = Q / out[:, None]
    r = np.array([conv.get(s, 0) / out[s] for s in range(n)])
    rv = np.array([val.get(s, 0) / out[s] for s in range(n)])

    def absorb(removed):
        keep = [s for s in range(n) if s not in removed]
        A = np.eye(len(keep)) - Q[np.ix_(keep, keep)]
        x = np.linalg.solve(A, np.stack([r[keep], rv[keep]], axis=1))
        return x[0]

    base = absorb(set())
    labels = sorted({l for p in ms for l in p})
    re, rev_e = {}, {}
    for lab in labels:
        x = absorb({s for key, s in states.items() if lab in key})
        re[lab] = max(0.0, 1 - x[0] / base[0])
        rev_e[lab] = max(0.0, 1 - x[1] / base[1])
    probs = {(a, b): w / out[a] for (a, b), w in trans.items()}
    names = {s: key for key, s in states.items()}
    return base, re, rev_e, probs, names, r


@pytest.mark.parametrize("order", [1, 2])
def test_markov_removal_effects_equal_an_exact_absorbing_chain_solve(demo, order):
    ms = path_multiset(demo["parquet"])
    base, re, rev_e, _, _, _ = chain(ms, order)
    r = report(demo, "--order", str(order))
    assert r["markov"]["order"] == order
    assert abs(r["markov"]["conversion_probability"] - base[0]) < 1e-12
    assert abs(r["markov"]["value"] - base[1]) < 1e-9 * base[1]
    labels = sorted(re)
    for lab, e, v in zip(labels, r["markov"]["removal_effects"], r["markov"]["value_removal_effects"]):
        assert abs(e - re[lab]) < 1e-10, (lab, e, re[lab])
        assert abs(v - rev_e[lab]) < 1e-10, (lab, v, rev_e[lab])
    total_c = sum(s[0] for s in ms.values())
    total_v = sum(s[2] for s in ms.values())
    got = credits(r)
    for lab in labels:
        assert abs(got[lab]["markov"]["conversions"] - total_c * re[lab] / sum(re.values())) < 1e-9
        assert abs(got[lab]["markov"]["revenue"] - total_v * rev_e[lab] / sum(rev_e.values())) < 1e-6


def test_markov_transition_probabilities_equal_channelattribution(demo):
    ca = pytest.importorskip("ChannelAttribution")
    import pandas as pd

    ms = path_multiset(demo["parquet"])
    _, _, _, probs, names, r = chain(ms, 1)
    df = pd.DataFrame([{"path": " > ".join(p), "conv": s[0], "null": s[1]} for p, s in ms.items()])
    tm = ca.transition_matrix(df, "path", "conv", var_null="null", order=1, sep=">", flg_pro=False)
    ids = dict(zip(tm["channels"]["id_channel"].astype(str), tm["channels"]["channel_name"]))
    theirs = {}
    for _, row in tm["transition_matrix"].iterrows():
        a = ids.get(str(row["channel_from"]), row["channel_from"])
        b = ids.get(str(row["channel_to"]), row["channel_to"])
        theirs[(a, b)] = row["transition_probability"]
    ours = {}
    for (a, b), p in probs.items():
        ours[("(start)" if a == 0 else names[a][-1], names[b][-1])] = p
    for s, (key) in names.items():
        if s and r[s] > 0:
            ours[(key[-1], "(conversion)")] = r[s]
    for k, p in ours.items():
        assert abs(theirs[k] - p) < 1e-6, (k, theirs.get(k), p)


def test_shapley_equals_brute_force_orderings(demo):
    ms = path_multiset(demo["parquet"])
    sets = {}
    for p, (c, _, rev) in ms.items():
        if c:
            s = frozenset(p)
            a = sets.setdefault(s, [0.0, 0.0])
            a[0] += c
            a[1] += rev
    players = sorted({l for s in sets for l in s})
    assert len(players) <= 8, players
    v_cache = {}

    def v(coalition, k):
        key = (coalition, k)
        if key not in v_cache:
            v_cache[key] = sum(a[k] for s, a in sets.items() if s <= coalition)
        return v_cache[key]

    phi = {p: [0.0, 0.0] for p in players}
    perms = list(itertools.permutations(players))
    for order in perms:
        s = frozenset()
        for p in order:
            for k in (0, 1):
                phi[p][k] += (v(s | {p}, k) - v(s, k)) / len(perms)
            s = s | {p}
    got = credits(report(demo))
    for p in players:
        assert abs(got[p]["shapley"]["conversions"] - phi[p][0]) < 1e-9, p
        assert abs(got[p]["shapley"]["revenue"] - phi[p][1]) < 1e-6 * max(1, phi[p][1]), p
    assert math.isclose(sum(x[0] for x in phi.values()), sum(a[0] for a in sets.values()))


def test_journey_figures_equal_the_paths(demo):
    ms = path_multiset(demo["parquet"])
    r = report(demo)
    lengths = {}
    for p, (c, _, _) in ms.items():
        if c:
            lengths[len(p)] = lengths.get(len(p), 0) + c
    assert {k: v for k, v in r["journeys"]["touches_to_convert"]} == lengths
    seqs = sorted(((-s[0], p) for p, s in ms.items() if s[0]), key=lambda x: (x[0], x[1]))
    top = r["journeys"]["top_sequences"]
    assert [tuple(s["labels"]) for s in top[:5]] == [p for _, p in seqs[:5]]


# --- REES46: the heuristic models on a real store's event log -------------------------------------------------
#
# The REES46 export has no traffic source (no UTM, no referrer): every event reads the same channel group, so a
# touch — a session's entry, a session being split by a 30-minute gap (`--sessions gap`; its `user_session` is not
# a `session_id` property) — is labelled by a field the data does have: the **brand** or the **category** of the
# entry event's product (`--by properties.brand`), empty values reading `(none)`. A conversion is a `purchase`
# with its price as revenue. The DuckDB SQL is the same as for the demo, over a Parquet copy of the CSV in its
# line order (the ingest order, which breaks ties of equal timestamps).

REES46 = SHARED / "rees46_multicategory_2019oct_head" / "2019-Oct_head.csv"


@pytest.fixture(scope="module")
def rees46_attr(tmp_path_factory):
    if not REES46.exists():
        pytest.skip("shared data not present")
    root = tmp_path_factory.mktemp("rees46_attr")
    data = root / "data"
    tropa(data, "import", REES46, "--column", "timestamp=event_time", "--column", "event=event_type",
          "--column", "revenue=price")
    parquet = root / "rees46.parquet"
    r = tropa_json(data, "attribution", "--conversion", "purchase", "--sessions", "gap", "--by", "channel")
    channels = [row["label"] for row in r["rows"]]
    assert len(channels) == 1, f"REES46 has no traffic source: one channel group expected, got {channels}"
    channel = channels[0]
    rows = duckdb.sql(f"""
        SELECT CAST(user_id AS VARCHAR) AS customer_id, event_type AS event,
               strptime(event_time, '%Y-%m-%d %H:%M:%S UTC') AS timestamp,
               brand, category_code, '{channel}' AS channel, price AS revenue
        FROM read_csv('{REES46}', header = true,
                      types = {{'event_time': 'VARCHAR', 'brand': 'VARCHAR', 'category_code': 'VARCHAR', 'user_id': 'BIGINT', 'price': 'DOUBLE'}})
    """)
    rows.write_parquet(str(parquet))
    return {"data": data, "parquet": parquet}


REES46_ATTR_CASES = [
    ({"by": "brand"}, ["--by", "properties.brand"]),
    ({"by": "category_code", "every": True}, ["--by", "properties.category_code", "--every"]),
    ({"by": "brand", "half_life_ms": 3_600_000, "first": 0.3, "last": 0.5, "lookback_ms": 3_600_000},
     ["--by", "properties.brand", "--half-life", "1h", "--positions", "30/20/50", "--lookback", "1h"]),
]


@pytest.mark.parametrize("kw,args", REES46_ATTR_CASES)
def test_rees46_heuristic_models_equal_duckdb_sql(rees46_attr, kw, args):
    r = tropa_json(rees46_attr["data"], "attribution", "--conversion", "purchase", "--sessions", "gap",
                   "--top", "1000", *args)
    got = credits(r)
    want = duckdb.sql(heuristics_sql(rees46_attr["parquet"], **kw)).df().set_index("lab")
    assert r["conversions"] > 50, r["conversions"]
    assert len(want) > 20, "many brands/categories earn a credit"
    for lab, row in want.iterrows():
        for m in ["first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based"]:
            g = got[lab][m]
            assert abs(g["conversions"] - row[m]) < 1e-9, (lab, m, g, row[m])
            assert abs(g["revenue"] - row[m + "_rev"]) < 1e-9 * max(1, abs(row[m + "_rev"])), (lab, m)
    converting = {lab for lab, c in got.items() if c["first_touch"]["conversions"] + c["linear"]["conversions"] > 0}
    assert converting <= set(want.index)
    assert abs(want["linear"].sum() - (r["conversions"] - r["unattributed"])) < 1e-9
