"""The experiment statistics (`tropa experiment stats`, one batch call) against the references:

- frequentist: statsmodels `proportions_ztest` and `confint_proportions_2indep(method="wald")` for conversions,
  scipy `ttest_ind(equal_var=False)` and statsmodels `CompareMeans.tconfint_diff(usevar="unequal")` for means
  (with and without capping at a percentile, numpy's `quantile`), scipy `chisquare` for the sample-ratio check,
  statsmodels `multipletests` (Holm, Benjamini–Hochberg) and `NormalIndPower.solve_power` (sample size, MDE);
- GrowthBook's gbstats 0.8: `TwoSidedTTest` (absolute and relative lift, delta method), `RatioStatistic`,
  `RegressionAdjustedStatistic` (CUPED), `SequentialTwoSidedTTest` at the same tuning parameter and
  `EffectBayesianABTest` (chance to win, credible interval, risk) — within 0.5 percentage points as the issue
  asks, and in fact to 1e-6;
- the beta-binomial model against numerical integration over `scipy.stats.beta` (`quad`, `dblquad`, `brentq`).

gbstats 0.8 pins an old pandas, so the references run in a venv of their own, created once in
~/.cache/tropa-reference/gbstats-0.8 (or $TROPA_GBSTATS_VENV) with `pip install gbstats==0.8.0 statsmodels`.
"""
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import numpy as np
import pytest

from conftest import TROPA

HERE = Path(__file__).resolve().parent
ALPHA, TUNING = 0.05, 5000.0


@pytest.fixture(scope="module")
def reference_python():
    root = Path(os.environ.get("TROPA_GBSTATS_VENV", Path.home() / ".cache" / "tropa-reference" / "gbstats-0.8"))
    python = root / "bin" / "python"
    if not (root / "ok").exists():
        venv.create(root, with_pip=True, clear=True)
        out = subprocess.run([str(python), "-m", "pip", "install", "-q", "gbstats==0.8.0", "statsmodels"], capture_output=True, text=True)
        assert out.returncode == 0, f"pip install gbstats==0.8.0 statsmodels failed: {out.stderr[-2000:]}"
        (root / "ok").write_text("gbstats==0.8.0\n")
    return python


def run_json(cmd, payload):
    out = subprocess.run(cmd, input=json.dumps(payload), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def close(got, want, tol, what):
    got, want = np.asarray(got, float), np.asarray(want, float)
    assert np.allclose(got, want, rtol=tol, atol=tol), f"{what}: tropa {got.tolist()} reference {want.tolist()}"


def effect(got, want, what, tol=1e-7):
    close(got["estimate"], want["estimate"], tol, what + " estimate")
    close(got["ci"], want["ci"], tol, what + " interval")
    close(got["p_value"], want["p_value"], tol, what + " p-value")


def bayes(got, want, what, tol=1e-6):
    assert abs(got["chance_to_win"] - want["chance_to_win"]) < 0.005, what  # the 0.5 pp
    close(got["chance_to_win"], want["chance_to_win"], tol, what + " chance to win")
    close(got["expected"], want["expected"], tol, what + " expected")
    close(got["ci"], want["ci"], tol, what + " credible interval")
    close(got["risk"], want["risk"], tol, what + " risk")


# conversions: the demo's checkout_v2 at its planted rates, a large and a small test, a losing treatment
PROPORTIONS = [(579, 1000, 616, 1000), (10_000, 100_000, 10_300, 100_000), (9, 30, 14, 31), (2_100, 10_000, 1_980, 9_900)]


def mean_cases():
    rng = np.random.default_rng(16)
    cases = []
    for n, lift, cap, cuped in [(800, 1.05, None, False), (3000, 1.0, 0.99, False), (2000, 1.08, None, True), (500, 0.9, 0.95, True)]:
        def revenue(size, scale):
            buys = rng.random(size) < 0.3
            return np.where(buys, rng.lognormal(7, 1.2, size) * scale, 0.0).round(2)
        a, b = revenue(n, 1.0), revenue(n + 37, lift)
        case = {"kind": "mean", "a": a.tolist(), "b": b.tolist(), "alpha": ALPHA, "tuning": TUNING, "cap": cap}
        if cuped:
            # last month's revenue, correlated with this month's
            case["pre_a"] = (0.6 * a + rng.lognormal(5, 1, len(a))).round(2).tolist()
            case["pre_b"] = (0.6 * b + rng.lognormal(5, 1, len(b))).round(2).tolist()
        cases.append(case)
    return cases


def ratio_variant(rng, n, scale):
    orders = rng.poisson(1.5, n) + 1
    revenue = orders * rng.lognormal(6, 0.5, n) * scale
    return {"n": n, "sum": revenue.sum(), "sum_sq": (revenue**2).sum(),
            "denominator": {"sum": float(orders.sum()), "sum_sq": float((orders**2).sum()), "sum_products": (revenue * orders).sum()}}


SRM = [([5000, 5000], [1, 1]), ([5000, 4600], [1, 1]), ([3300, 3400, 3200], [1, 1, 1]), ([2000, 850], [2, 1])]
P_VALUES = [[0.01, 0.04, 0.03, 0.2], [0.001, 0.5, 0.049]]
SIZES = [{"sd": (0.1 * 0.9) ** 0.5, "effect": 0.01}, {"sd": 120.0, "effect": 5.0, "ratio": 2.0}, {"sd": (0.58 * 0.42) ** 0.5, "units": 5000}]


@pytest.fixture(scope="module")
def answers(reference_python):
    rng = np.random.default_rng(7)
    ratios = [(ratio_variant(rng, 1500, 1.0), ratio_variant(rng, 1520, 1.04))]
    ref_cases, tropa_cases = [], []
    for xa, na, xb, nb in PROPORTIONS:
        ref_cases.append({"kind": "proportion", "a": [xa, na], "b": [xb, nb], "alpha": ALPHA, "tuning": TUNING})
        tropa_cases.append({"op": "compare", "metric": "proportion", "alpha": ALPHA, "tuning": TUNING,
                            "variants": [{"name": "A", "n": na, "sum": xa}, {"name": "B", "n": nb, "sum": xb}]})
    for c in mean_cases():
        ref_cases.append(c)
        va, vb = {"name": "A", "values": c["a"]}, {"name": "B", "values": c["b"]}
        if "pre_a" in c:
            va["pre_values"], vb["pre_values"] = c["pre_a"], c["pre_b"]
        req = {"op": "compare", "metric": "mean", "alpha": ALPHA, "tuning": TUNING, "variants": [va, vb]}
        if c["cap"]:
            req["cap"] = {"percentile": c["cap"]}
        tropa_cases.append(req)
    for a, b in ratios:
        ref_cases.append({"kind": "ratio", "a": a, "b": b, "alpha": ALPHA, "tuning": TUNING})
        tropa_cases.append({"op": "compare", "metric": "ratio", "alpha": ALPHA, "tuning": TUNING,
                            "variants": [{"name": "A", **a}, {"name": "B", **b}]})
    for obs, w in SRM:
        ref_cases.append({"kind": "srm", "observed": obs, "weights": w})
        tropa_cases.append({"op": "srm", "observed": obs, "weights": w})
    for p in P_VALUES:
        ref_cases.append({"kind": "adjust", "p_values": p})
        tropa_cases.append({"op": "adjust", "p_values": p, "method": "holm"})
        tropa_cases.append({"op": "adjust", "p_values": p, "method": "benjamini_hochberg"})
    for s in SIZES:
        ref_cases.append({"kind": "size", "alpha": ALPHA, "power": 0.8, "ratio": s.get("ratio", 1.0), **s})
        tropa_cases.append({"op": "size", "alpha": ALPHA, "power": 0.8, **s})
    refs = run_json([str(reference_python), str(HERE / "experiment_reference.py")], ref_cases)
    got = run_json([TROPA, "experiment", "stats"], tropa_cases)
    return ref_cases, refs, got


def by_kind(answers, kind):
    ref_cases, refs, got = answers
    got = iter(got)
    for case, ref in zip(ref_cases, refs):
        tropa = next(got)
        tropa2 = next(got) if case["kind"] == "adjust" else None
        if case["kind"] == kind:
            yield case, ref, (tropa, tropa2) if kind == "adjust" else tropa


def test_conversions_equal_statsmodels_and_gbstats(answers):
    for case, ref, got in by_kind(answers, "proportion"):
        c = got["comparisons"][0]
        name = f"conversions {case['a']} vs {case['b']}"
        effect(c["z"], ref["z"], name + " z-test")
        close(c["z"]["statistic"], ref["z"]["statistic"], 1e-9, name + " z")
        for key in ("welch", "welch_relative", "sequential", "sequential_relative"):
            effect(c[key], ref[key], f"{name} {key}")
        for key in ("bayes", "bayes_relative"):
            bayes(c[key], ref[key], f"{name} {key}")


def test_beta_binomial_equals_numerical_integration(answers):
    for case, ref, got in by_kind(answers, "proportion"):
        bayes(got["comparisons"][0]["beta_binomial"], ref["beta_binomial"], f"beta-binomial {case['a']} vs {case['b']}", tol=2e-6)


def test_means_equal_scipy_and_gbstats_with_capping(answers):
    for case, ref, got in by_kind(answers, "mean"):
        c = got["comparisons"][0]
        name = f"revenue n={len(case['a'])} cap={case['cap']}"
        if case["cap"]:
            close(got["cap"], ref["cap"], 1e-12, name + " cap value")
        effect(c["welch"], ref["welch_scipy"], name + " Welch (scipy)")
        for key in ("welch", "welch_relative", "sequential", "sequential_relative"):
            effect(c[key], ref[key], f"{name} {key}")
        for key in ("bayes", "bayes_relative"):
            bayes(c[key], ref[key], f"{name} {key}")


def test_cuped_equals_gbstats_regression_adjustment(answers):
    seen = 0
    for case, ref, got in by_kind(answers, "mean"):
        if "cuped" not in ref:
            continue
        seen += 1
        c, r = got["comparisons"][0]["cuped"], ref["cuped"]
        close(c["theta"], r["theta"], 1e-9, "theta")
        effect(c["welch"], r["welch"], "CUPED absolute")
        effect(c["welch_relative"], r["welch_relative"], "CUPED relative")
        bayes(c["bayes_relative"], r["bayes_relative"], "CUPED Bayesian relative")
        # the point of CUPED: a narrower interval than without the covariate
        plain = got["comparisons"][0]["welch"]["ci"]
        assert c["welch"]["ci"][1] - c["welch"]["ci"][0] < plain[1] - plain[0]
    assert seen == 2


def test_ratio_metric_equals_gbstats_delta_method(answers):
    for case, ref, got in by_kind(answers, "ratio"):
        c = got["comparisons"][0]
        for key in ("welch", "welch_relative", "sequential", "sequential_relative"):
            effect(c[key], ref[key], f"ratio {key}")
        bayes(c["bayes_relative"], ref["bayes_relative"], "ratio bayes_relative")


def test_sample_ratio_mismatch_equals_scipy_chisquare(answers):
    flags = []
    for case, ref, got in by_kind(answers, "srm"):
        close(got["chi2"], ref["chi2"], 1e-10, f"SRM χ² {case['observed']}")
        close(got["p_value"], ref["p_value"], 1e-9, f"SRM p {case['observed']}")
        close(got["p_value"], ref["gbstats_p_value"], 1e-9, f"SRM p (gbstats) {case['observed']}")
        flags.append(got["mismatch"])
    assert flags == [False, True, False, True]


def test_multiple_comparisons_equal_statsmodels(answers):
    for case, ref, (holm, bh) in by_kind(answers, "adjust"):
        close(holm["adjusted"], ref["holm"], 1e-12, "Holm")
        close(bh["adjusted"], ref["fdr_bh"], 1e-12, "Benjamini–Hochberg")


def test_sample_size_and_mde_equal_statsmodels(answers):
    for case, ref, got in by_kind(answers, "size"):
        key = "control" if "effect" in case else "effect"
        close(got[key], ref[key], 1e-6, f"size {case}")


def test_the_demo_experiment_recounted_by_duckdb(demo):
    """checkout_v2 on the demo: each customer's first begin_checkout of the experiment decides the variant; DuckDB
    recounts the customers, conversions to purchase within 7 days, revenue within 30 days and events within 7
    days after the exposure from the exported Parquet, and tropa's report must hold the same sums."""
    import duckdb

    from conftest import tropa

    tropa(demo["data"], "experiment", "create", "checkout_v2", "--exposure", "begin_checkout",
          "--primary", "conversion:purchase:7d", "--guardrail", "revenue:30d", "--guardrail", "events:7d")
    got = json.loads(tropa(demo["data"], "experiment", "results", "checkout_v2", "--format", "json"))["report"]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    rows = con.execute(f"""
        WITH ev AS (SELECT customer_id AS c, epoch_ms(timestamp) AS t, event, coalesce(revenue, 0) AS revenue,
                           properties, row_number() OVER (PARTITION BY customer_id ORDER BY timestamp) AS i
                    FROM '{demo["parquet"]}'),
        first AS (SELECT c, arg_min(json_extract_string(properties, '$.variant'), (t, i)) AS variant,
                         min(t) AS t0
                  FROM ev WHERE event = 'begin_checkout'
                        AND json_extract_string(properties, '$.experiment') = 'checkout_v2' GROUP BY c)
        SELECT f.variant, count(*) AS customers,
               sum((SELECT count(*) > 0 FROM ev WHERE ev.c = f.c AND ev.event = 'purchase'
                    AND ev.t > f.t0 AND ev.t <= f.t0 + 7 * 86400000::BIGINT)::INT) AS conversions,
               sum((SELECT coalesce(sum(revenue), 0) FROM ev WHERE ev.c = f.c
                    AND ev.t > f.t0 AND ev.t <= f.t0 + 30 * 86400000::BIGINT)) AS revenue,
               sum((SELECT count(*) FROM ev WHERE ev.c = f.c AND ev.t > f.t0
                    AND ev.t <= f.t0 + 7 * 86400000::BIGINT)) AS events
        FROM first f GROUP BY f.variant ORDER BY f.variant""").fetchall()
    assert [r[0] for r in rows] == ["A", "B"]
    for v, (name, customers, conversions, revenue, events) in enumerate(rows):
        assert got["variants"][v]["customers"] == customers, name
        sums = [m["samples"][v]["mean"] * m["samples"][v]["n"] for m in got["metrics"]]
        assert sums[0] == pytest.approx(conversions, abs=1e-6), f"{name} conversions"
        assert sums[1] == pytest.approx(revenue, rel=1e-9, abs=1e-6), f"{name} revenue"
        assert sums[2] == pytest.approx(events, abs=1e-6), f"{name} events"
    # (3,000 customers give about 270 checkouts per variant: too few to see the planted 4 points reliably, so
    # the direction is not asserted here; the 20,000-customer demo shows A 58.7 %, B 61.7 %)
