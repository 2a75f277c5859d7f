"""Reference side of test_experiment_stats_reference.py, run in its own venv (gbstats 0.8 pins an old pandas):
reads the cases as JSON on stdin, prints what scipy, statsmodels and gbstats say about each as JSON."""
import json
import sys

import numpy as np
from scipy import integrate, optimize, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest
from statsmodels.stats.weightstats import CompareMeans

from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig
from gbstats.frequentist.tests import FrequentistConfig, SequentialConfig, SequentialTwoSidedTTest, TwoSidedTTest
from gbstats.models.statistics import (
    ProportionStatistic,
    RatioStatistic,
    RegressionAdjustedStatistic,
    SampleMeanStatistic,
)
from gbstats.utils import check_srm


def gb(stat_a, stat_b, alpha, tuning):
    out = {}
    for scale in ("absolute", "relative"):
        suffix = "" if scale == "absolute" else "_relative"
        f = TwoSidedTTest(stat_a, stat_b, FrequentistConfig(alpha=alpha, difference_type=scale)).compute_result()
        out["welch" + suffix] = {"estimate": f.expected, "ci": list(f.ci), "p_value": f.p_value}
        s = SequentialTwoSidedTTest(
            stat_a, stat_b, SequentialConfig(alpha=alpha, difference_type=scale, sequential_tuning_parameter=tuning)
        ).compute_result()
        out["sequential" + suffix] = {"estimate": s.expected, "ci": list(s.ci), "p_value": s.p_value}
        b = EffectBayesianABTest(stat_a, stat_b, EffectBayesianConfig(alpha=alpha, difference_type=scale)).compute_result()
        out["bayes" + suffix] = {"expected": b.expected, "ci": list(b.ci), "chance_to_win": b.chance_to_win, "risk": list(b.risk)}
    return out


def beta_binomial(xa, na, xb, nb, alpha):
    A, B = stats.beta(1 + xa, 1 + na - xa), stats.beta(1 + xb, 1 + nb - xb)
    lo_a, hi_a = A.ppf(1e-12), A.isf(1e-12)
    lo_b, hi_b = B.ppf(1e-12), B.isf(1e-12)
    kw = dict(limit=500, epsabs=1e-13, epsrel=1e-11)
    chance = integrate.quad(lambda x: B.pdf(x) * A.cdf(x), lo_b, hi_b, **kw)[0]
    # expected losses as double integrals of max(a - b, 0) and max(b - a, 0)
    ship = integrate.dblquad(lambda a, b: (a - b) * A.pdf(a) * B.pdf(b), lo_b, hi_b, lambda b: max(b, lo_a), lambda b: hi_a, epsabs=1e-12)[0]
    keep = integrate.dblquad(lambda b, a: (b - a) * A.pdf(a) * B.pdf(b), lo_a, hi_a, lambda a: max(a, lo_b), lambda a: hi_b, epsabs=1e-12)[0]
    cdf = lambda d: integrate.quad(lambda a: A.pdf(a) * B.cdf(a + d), lo_a, hi_a, **kw)[0]
    ci = [optimize.brentq(lambda d: cdf(d) - q, -1, 1, xtol=1e-12) for q in (alpha / 2, 1 - alpha / 2)]
    return {"chance_to_win": chance, "risk": [keep, ship], "ci": ci, "expected": B.mean() - A.mean()}


def proportion(case):
    (xa, na), (xb, nb) = case["a"], case["b"]
    alpha, tuning = case["alpha"], case["tuning"]
    z, p = proportions_ztest([xb, xa], [nb, na])
    lo, hi = confint_proportions_2indep(xb, nb, xa, na, method="wald", compare="diff", alpha=alpha)
    out = {"z": {"statistic": z, "p_value": p, "ci": [lo, hi], "estimate": xb / nb - xa / na}}
    out.update(gb(ProportionStatistic(n=na, sum=xa), ProportionStatistic(n=nb, sum=xb), alpha, tuning))
    out["beta_binomial"] = beta_binomial(xa, na, xb, nb, alpha)
    return out


def mean(case):
    a, b = np.asarray(case["a"]), np.asarray(case["b"])
    alpha, tuning = case["alpha"], case["tuning"]
    out = {}
    if case.get("cap"):
        cap = float(np.quantile(np.concatenate([a, b]), case["cap"]))
        a, b = np.minimum(a, cap), np.minimum(b, cap)
        out["cap"] = cap
    t, p = stats.ttest_ind(b, a, equal_var=False)
    lo, hi = CompareMeans.from_data(b, a).tconfint_diff(alpha=alpha, usevar="unequal")
    out["welch_scipy"] = {"statistic": t, "p_value": p, "ci": [lo, hi], "estimate": b.mean() - a.mean()}
    sa = SampleMeanStatistic(n=len(a), sum=a.sum(), sum_squares=(a * a).sum())
    sb = SampleMeanStatistic(n=len(b), sum=b.sum(), sum_squares=(b * b).sum())
    out.update(gb(sa, sb, alpha, tuning))
    if "pre_a" in case:
        pa, pb = np.asarray(case["pre_a"]), np.asarray(case["pre_b"])

        def ra(post, pre, s):
            pre_s = SampleMeanStatistic(n=len(pre), sum=pre.sum(), sum_squares=(pre * pre).sum())
            return RegressionAdjustedStatistic(n=len(post), post_statistic=s, pre_statistic=pre_s,
                                               post_pre_sum_of_products=(post * pre).sum(), theta=0)

        cuped = {}
        for scale in ("absolute", "relative"):
            ta, tb = ra(a, pa, sa), ra(b, pb, sb)
            f = TwoSidedTTest(ta, tb, FrequentistConfig(alpha=alpha, difference_type=scale))
            r = f.compute_result()
            cuped["theta"] = f.stat_a.theta
            cuped["welch" + ("" if scale == "absolute" else "_relative")] = {"estimate": r.expected, "ci": list(r.ci), "p_value": r.p_value}
        ta, tb = ra(a, pa, sa), ra(b, pb, sb)
        r = EffectBayesianABTest(ta, tb, EffectBayesianConfig(alpha=alpha, difference_type="relative")).compute_result()
        cuped["bayes_relative"] = {"expected": r.expected, "ci": list(r.ci), "chance_to_win": r.chance_to_win, "risk": list(r.risk)}
        out["cuped"] = cuped
    return out


def ratio(case):
    def stat(v):
        m = SampleMeanStatistic(n=v["n"], sum=v["sum"], sum_squares=v["sum_sq"])
        d = v["denominator"]
        ds = SampleMeanStatistic(n=v["n"], sum=d["sum"], sum_squares=d["sum_sq"])
        return RatioStatistic(n=v["n"], m_statistic=m, d_statistic=ds, m_d_sum_of_products=d["sum_products"])

    return gb(stat(case["a"]), stat(case["b"]), case["alpha"], case["tuning"])


def srm(case):
    obs, w = np.asarray(case["observed"], float), np.asarray(case["weights"], float)
    chi2, p = stats.chisquare(obs, obs.sum() * w / w.sum())
    return {"chi2": chi2, "p_value": p, "gbstats_p_value": check_srm(list(obs), list(w))}


def adjust(case):
    return {m: list(multipletests(case["p_values"], method=m)[1]) for m in ("holm", "fdr_bh")}


def size(case):
    sd = case["sd"]
    kw = dict(alpha=case["alpha"], power=case["power"], ratio=case["ratio"], alternative="two-sided")
    if "effect" in case:
        return {"control": NormalIndPower().solve_power(effect_size=case["effect"] / sd, nobs1=None, **kw)}
    return {"effect": sd * NormalIndPower().solve_power(effect_size=None, nobs1=case["units"], **kw)}


KINDS = {"proportion": proportion, "mean": mean, "ratio": ratio, "srm": srm, "adjust": adjust, "size": size}


def default(o):
    if isinstance(o, np.generic):
        return o.item()
    raise TypeError(type(o))


cases = json.load(sys.stdin)
json.dump([KINDS[c["kind"]](c) for c in cases], sys.stdout, default=default)
