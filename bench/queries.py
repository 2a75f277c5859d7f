"""The workloads: how each engine is asked (tropa-bench arguments, DuckDB and ClickHouse SQL) and how its answer is
read into a comparable value. bench/README.md ("What is measured") documents every formulation here.

Data on the SQL side (load.py): `events(customer_id, ts, event_name, channel, properties)`; DuckDB's `ts` is a
TIMESTAMPTZ, ClickHouse's a DateTime64(3, 'UTC'). Time arithmetic is done on epoch milliseconds everywhere
(`epoch_ms(ts)`, `toUnixTimestamp64Milli(ts)`) so that no session time zone can change an answer.
"""

DUCK = "duckdb"
CH = "chdb"
CH_IN_ORDER = "optimize_aggregation_in_order = 1"

STEPS = ["view_item", "add_to_cart", "begin_checkout", "add_payment_info", "purchase"]
WINDOW_MS = 7 * 86_400_000
STEP_LIST = ", ".join(f"'{s}'" for s in STEPS)


def ch_sql(sql, threads, extra=None):
    settings = f"max_threads = {threads}" + (f", {extra}" if extra else "")
    return f"{sql} SETTINGS {settings}"


def ch_both(name, sql, threads):
    """A ClickHouse formulation with the default settings and with aggregation in order (BENCH.md)."""
    return [(name, ch_sql(sql, threads)), (f"{name}, in order", ch_sql(sql, threads, CH_IN_ORDER))]


# ---------------------------------------------------------------------------------------------------- S, Q0

S_DUCK = "SELECT count(*), count(DISTINCT customer_id) FROM events"
S_CH = "SELECT count(), uniqExact(customer_id) FROM bench.events"
Q0_DUCK = {
    "count(DISTINCT)": "SELECT event_name, count(*), count(DISTINCT customer_id) FROM events "
    "GROUP BY event_name ORDER BY event_name",
    "two-level GROUP BY": "SELECT event_name, sum(n)::BIGINT, count(*) FROM "
    "(SELECT customer_id, event_name, count(*) AS n FROM events GROUP BY customer_id, event_name) "
    "GROUP BY event_name ORDER BY event_name",
}
Q0_CH = "SELECT event_name, count(), uniqExact(customer_id) FROM bench.events GROUP BY event_name ORDER BY event_name"
Q0_CH2 = (
    "SELECT event_name, sum(n), count() FROM (SELECT customer_id, event_name, count() AS n FROM bench.events "
    "GROUP BY customer_id, event_name) GROUP BY event_name ORDER BY event_name"
)

# ---------------------------------------------------------------------------------------------------- Q1
# Answer rows: (level, customers) by exact level 1..5, or (channel, level, customers) with the breakdown; the
# channel is the one of the customer's earliest view_item.

# windowFunnel takes no DateTime64: the window is in the unit of the timestamp given, so milliseconds as UInt64 and
# a window of 7 days in ms (toDateTime(ts) with 604800 would truncate to seconds and move customers at the edge).
Q1_CH_LEVEL = (
    f"windowFunnel({WINDOW_MS})(toUInt64(toUnixTimestamp64Milli(ts)), "
    + ", ".join(f"event_name = '{s}'" for s in STEPS)
    + ")"
)
Q1_CH = (
    f"SELECT level, count() FROM (SELECT {Q1_CH_LEVEL} AS level FROM bench.events "
    f"WHERE event_name IN ({STEP_LIST}) GROUP BY customer_id) WHERE level > 0 GROUP BY level ORDER BY level"
)
Q1B_CH = (
    f"SELECT ch, level, count() FROM (SELECT {Q1_CH_LEVEL} AS level, "
    f"argMinIf(channel, ts, event_name = 'view_item') AS ch FROM bench.events "
    f"WHERE event_name IN ({STEP_LIST}) GROUP BY customer_id) WHERE level > 0 GROUP BY ch, level ORDER BY ch, level"
)

# DuckDB, window recurrence: a_k = the latest start (step-1 time) of a chain that reached step k so far, a running
# max over the customer's funnel events in time order; a step-k event extends the chain of a_{k-1} when it lies
# within the window of that start. The latest start is the best one to extend, which is exactly windowFunnel's
# greedy walk; each a_k needs a_{k-1}, so one window pass per step.
_Q1_DUCK_STEP = f"CASE event_name {' '.join(f'WHEN {s!r} THEN {i + 1}' for i, s in enumerate(STEPS))} END"
_W = "WINDOW w AS (PARTITION BY customer_id ORDER BY t ROWS UNBOUNDED PRECEDING)"


def _q1_duck_window(breakdown):
    extra = ", channel" if breakdown else ""
    passes = [
        (
            f"f AS (SELECT customer_id, epoch_ms(ts) AS t, {_Q1_DUCK_STEP} AS s{extra} FROM events "
            f"WHERE event_name IN ({STEP_LIST}))"
        ),
        f"a1 AS (SELECT *, max(CASE WHEN s = 1 THEN t END) OVER w AS a1 FROM f {_W})",
    ]
    for k in range(2, len(STEPS)):
        passes.append(
            f"a{k} AS (SELECT *, max(CASE WHEN s = {k} AND t <= a{k - 1} + {WINDOW_MS} THEN a{k - 1} END) OVER w "
            f"AS a{k} FROM a{k - 1} {_W})"
        )
    n = len(STEPS)
    level = (
        f"CASE WHEN bool_or(s = {n} AND t <= a{n - 1} + {WINDOW_MS}) THEN {n} "
        + " ".join(f"WHEN count(a{k}) > 0 THEN {k}" for k in range(n - 1, 0, -1))
        + " ELSE 0 END"
    )
    ch = ", arg_min(channel, t) FILTER (WHERE s = 1) AS ch" if breakdown else ""
    levels = f"c AS (SELECT {level} AS level{ch} FROM a{n - 1} GROUP BY customer_id)"
    keys = "ch, level" if breakdown else "level"
    return (
        f"WITH {', '.join(passes)}, {levels} SELECT {keys}, count(*) FROM c WHERE level > 0 "
        f"GROUP BY {keys} ORDER BY {keys}"
    )


# DuckDB, ASOF-join chain: from every view_item, the first add_to_cart after it, the first begin_checkout after
# that, and so on (the earliest next step is the best for a given start); the start's level counts the steps within
# the window, the customer's level is the best start's.
def _q1_duck_asof(breakdown):
    n = len(STEPS)
    extra = ", channel" if breakdown else ""
    ctes = [
        f"f AS (SELECT customer_id, epoch_ms(ts) AS t, event_name{extra} FROM events WHERE event_name IN ({STEP_LIST}))"
    ]
    for i, s in enumerate(STEPS):
        cols = "customer_id, t" + (", channel" if breakdown and i == 0 else "")
        ctes.append(f"s{i + 1} AS (SELECT {cols} FROM f WHERE event_name = '{s}')")
    joins = " ".join(
        f"ASOF LEFT JOIN s{k} ON s1.customer_id = s{k}.customer_id AND s{k - 1}.t < s{k}.t" for k in range(2, n + 1)
    )
    level = "CASE " + " ".join(f"WHEN s{k}.t <= s1.t + {WINDOW_MS} THEN {k}" for k in range(n, 1, -1)) + " ELSE 1 END"
    ch = ", s1.channel AS ch" if breakdown else ""
    ctes.append(f"starts AS (SELECT s1.customer_id, s1.t, {level} AS level{ch} FROM s1 {joins})")
    if breakdown:
        ctes.append("c AS (SELECT max(level) AS level, arg_min(ch, t) AS ch FROM starts GROUP BY customer_id)")
        keys = "ch, level"
    else:
        ctes.append("c AS (SELECT max(level) AS level FROM starts GROUP BY customer_id)")
        keys = "level"
    return f"WITH {', '.join(ctes)} SELECT {keys}, count(*) FROM c GROUP BY {keys} ORDER BY {keys}"


# ---------------------------------------------------------------------------------------------------- Q2
# Answer rows: (path, customers) for the top 20 paths, by customers descending, then by the path (its event names
# compared in turn, a prefix first). A path is the customer's first view_item and up to 4 events after it.
DEPTH = 5
TOP = 20

Q2_CH_ARRAYS = (
    "SELECT path, count() AS c FROM (SELECT arraySort(groupArray((ts, toString(event_name)))) AS ev, "
    "arrayFirstIndex(x -> x.2 = 'view_item', ev) AS i FROM bench.events GROUP BY customer_id) "
    f"WHERE i > 0 GROUP BY arrayMap(x -> x.2, arraySlice(ev, i, {DEPTH})) AS path ORDER BY c DESC, path LIMIT {TOP}"
)
Q2_CH_JOIN = (
    "SELECT path, count() AS c FROM (SELECT arrayMap(x -> x.2, arraySlice(arraySort(groupArray((e.ts, "
    f"toString(e.event_name)))), 1, {DEPTH})) AS path FROM bench.events AS e INNER JOIN (SELECT customer_id, "
    "min(ts) AS t0 FROM bench.events WHERE event_name = 'view_item' GROUP BY customer_id) AS f "
    "ON e.customer_id = f.customer_id WHERE e.ts >= f.t0 GROUP BY e.customer_id) "
    f"GROUP BY path ORDER BY c DESC, path LIMIT {TOP}"
)
_LEADS = ", ".join(f"lead(event_name, {k}) OVER w AS n{k}" for k in range(1, DEPTH))
Q2_DUCK = {
    # the next 4 names of every event by lead(); the path of the customer's earliest view_item
    "lead() window": f"WITH x AS (SELECT customer_id, ts, event_name, {_LEADS} FROM events "
    "WINDOW w AS (PARTITION BY customer_id ORDER BY ts)), "
    "q AS (SELECT arg_min(list_filter([event_name, " + ", ".join(f"n{k}" for k in range(1, DEPTH)) + "], "
    "lambda n: n IS NOT NULL), ts) AS path FROM x WHERE event_name = 'view_item' GROUP BY customer_id) "
    f"SELECT path, count(*) AS c FROM q GROUP BY path ORDER BY c DESC, path LIMIT {TOP}",
    # the events from the first view_item on, numbered; the first 5 as a list
    "join on the first view_item": "WITH f AS (SELECT customer_id, min(ts) AS t0 FROM events "
    "WHERE event_name = 'view_item' GROUP BY customer_id), "
    "p AS (SELECT e.customer_id, e.event_name, row_number() OVER (PARTITION BY e.customer_id ORDER BY e.ts) AS k "
    "FROM events AS e JOIN f ON e.customer_id = f.customer_id AND e.ts >= f.t0), "
    f"q AS (SELECT list(event_name ORDER BY k) AS path FROM p WHERE k <= {DEPTH} GROUP BY customer_id) "
    f"SELECT path, count(*) AS c FROM q GROUP BY path ORDER BY c DESC, path LIMIT {TOP}",
    # each customer's names as one list in time order, sliced at the first view_item
    "list per customer": "WITH j AS (SELECT list(event_name ORDER BY ts) AS ev FROM events GROUP BY customer_id), "
    "q AS (SELECT ev[i:i + 4] AS path FROM (SELECT ev, list_position(ev, 'view_item') AS i FROM j) "
    f"WHERE i > 0) SELECT path, count(*) AS c FROM q GROUP BY path ORDER BY c DESC, path LIMIT {TOP}",
}

# ---------------------------------------------------------------------------------------------------- Q3
# Answer rows: (cohort Monday 'YYYY-MM-DD', k, customers) for k = 0..12: customers whose first event is in the
# cohort's week and who have an event in week cohort + k (ISO weeks, Monday, UTC).
WEEKS = 12

Q3_CH = (
    "SELECT toString(toDate(cohort)) AS c, intDiv(w - cohort, 7) AS k, count() FROM (SELECT "
    "groupUniqArray(toUInt16(toMonday(ts))) AS weeks, arrayMin(weeks) AS cohort FROM bench.events "
    f"GROUP BY customer_id) ARRAY JOIN weeks AS w WHERE k <= {WEEKS} GROUP BY c, k ORDER BY c, k"
)
# week number since the epoch with weeks starting on Monday: 1970-01-01 was a Thursday, so (day + 3) / 7, and
# the week's Monday is day 7 * week - 3
_WEEK = "(epoch_ms(ts) // 86400000 + 3) // 7"
_MONDAY = "(DATE '1970-01-01' + (c0 * 7 - 3)::INTEGER)::VARCHAR"
Q3_DUCK = {
    "distinct weeks + window min": f"WITH a AS (SELECT customer_id, {_WEEK} AS wk FROM events GROUP BY ALL), "
    "c AS (SELECT wk, min(wk) OVER (PARTITION BY customer_id) AS c0 FROM a) "
    f"SELECT {_MONDAY} AS cohort, wk - c0 AS k, count(*) FROM c WHERE wk - c0 <= {WEEKS} "
    "GROUP BY ALL ORDER BY ALL",
    "list of weeks per customer": f"WITH a AS (SELECT list(DISTINCT {_WEEK}) AS weeks, min({_WEEK}) AS c0 "
    f"FROM events GROUP BY customer_id), u AS (SELECT c0, unnest(weeks) AS wk FROM a) "
    f"SELECT {_MONDAY} AS cohort, wk - c0 AS k, count(*) FROM u WHERE wk - c0 <= {WEEKS} "
    "GROUP BY ALL ORDER BY ALL",
}


# ---------------------------------------------------------------------------------------------------- the plan


def variants(threads):
    """workload -> engine -> [(variant, how to run)]; tropa runs tropa-bench, the others probe.py with SQL."""
    return {
        "S": {
            "tropa": [("CountFold", ["scan"])],
            DUCK: [("count(DISTINCT)", S_DUCK)],
            CH: ch_both("uniqExact", S_CH, threads),
        },
        "Q0": {
            "tropa": [("stats fold", ["q0"])],
            DUCK: list(Q0_DUCK.items()),
            CH: ch_both("uniqExact", Q0_CH, threads) + ch_both("two-level GROUP BY", Q0_CH2, threads),
        },
        "Q0 names only": {
            "tropa": [("names-only fold", ["q0", "--names-only"])],
        },
        "Q1": {
            "tropa": [("FunnelFold", ["q1"]), ("FunnelFold, names pushed down", ["q1", "--push-names"])],
            DUCK: [("window recurrence", _q1_duck_window(False)), ("ASOF-join chain", _q1_duck_asof(False))],
            CH: ch_both("windowFunnel", Q1_CH, threads),
        },
        "Q1 breakdown": {
            "tropa": [
                ("FunnelFold per first view_item's channel", ["q1", "--breakdown", "first-view"]),
                ("… names pushed down", ["q1", "--breakdown", "first-view", "--push-names"]),
            ],
            DUCK: [("window recurrence", _q1_duck_window(True)), ("ASOF-join chain", _q1_duck_asof(True))],
            CH: ch_both("windowFunnel + argMinIf", Q1B_CH, threads),
        },
        "Q1 breakdown by chain anchor": {
            "tropa": [("FunnelFold, Breakdown::Step(source)", ["q1", "--breakdown", "anchor"])],
        },
        "Q2": {
            "tropa": [("PathsFold", ["q2"])],
            DUCK: list(Q2_DUCK.items()),
            CH: ch_both("groupArray + arraySlice", Q2_CH_ARRAYS, threads)
            + ch_both("join on the first view_item", Q2_CH_JOIN, threads),
        },
        "Q3": {
            "tropa": [("RetentionFold", ["q3"])],
            DUCK: list(Q3_DUCK.items()),
            CH: ch_both("groupUniqArray + ARRAY JOIN", Q3_CH, threads),
        },
    }


# ---------------------------------------------------------------------------------------------------- answers


def reached(by_level):
    """Customers who reached at least each step, from {level: customers}."""
    return [sum(c for lvl, c in by_level.items() if lvl >= k) for k in range(1, len(STEPS) + 1)]


def answer(workload, engine, r):
    """The comparable answer of one run's JSON `r`."""
    if workload == "S":
        if engine == "tropa":
            return (r["events"], r["customers"])
        (events, customers) = r["rows"][0]
        return (int(events), int(customers))
    if workload.startswith("Q0"):
        if engine == "tropa":
            return {row["event"]: (row["events"], row["customers"]) for row in r["rows"]}
        return {name: (int(e), int(c)) for name, e, c in r["rows"]}
    if workload == "Q1":
        if engine == "tropa":
            return r["reached"]
        return reached({int(lvl): int(c) for lvl, c in r["rows"]})
    if workload.startswith("Q1 breakdown"):
        if engine == "tropa":
            return {ch: list(v) for ch, v in r["breakdown"].items()}
        by = {}
        for ch, lvl, c in r["rows"]:
            by.setdefault(ch, {})[int(lvl)] = int(c)
        return {ch: reached(levels) for ch, levels in by.items()}
    if workload == "Q2":
        if engine == "tropa":
            return [(tuple(p["events"]), p["customers"]) for p in r["paths"]]
        return [(tuple(path), int(c)) for path, c in r["rows"]]
    if workload == "Q3":
        if engine == "tropa":
            return {(c, k): n for c, row in r["cohorts"].items() for k, n in enumerate(row) if n}
        return {(c, int(k)): int(n) for c, k, n in r["rows"]}
    raise KeyError(workload)


# A workload whose answer must equal another's.
SAME_ANSWER = {"Q0 names only": "Q0"}


def as_json(a):
    """An answer as JSON-able data: tuples become lists, Q3's {(cohort, k): n} becomes {cohort: {k: n}}."""
    if isinstance(a, dict) and a and all(isinstance(k, tuple) and len(k) == 2 for k in a):
        nested = {}
        for (outer, inner), v in sorted(a.items()):
            nested.setdefault(str(outer), {})[str(inner)] = as_json(v)
        return nested
    if isinstance(a, dict):
        return {str(k): as_json(v) for k, v in sorted(a.items(), key=lambda kv: str(kv[0]))}
    if isinstance(a, (list, tuple)):
        return [as_json(x) for x in a]
    return a


def totals(breakdown):
    """Sum over the breakdown values of per-step customers."""
    return [sum(col) for col in zip(*breakdown.values())] if breakdown else []


def diff(expect, got):
    """A short description of how two answers differ."""
    if isinstance(expect, dict) and isinstance(got, dict):
        keys = sorted(set(expect) | set(got), key=str)
        return {k: (expect.get(k), got.get(k)) for k in keys if expect.get(k) != got.get(k)}
    return {"expected": expect, "got": got}
