//! Bayesian comparisons of a treatment B against a control A: the chance B beats A, the expected loss of
//! choosing each, and a credible interval of the difference.
//!
//! - Normal model for any metric (GrowthBook's `EffectBayesianABTest`, gbstats 0.8): the effect's posterior is
//!   N(d, v) with d and v the difference and its variance on the chosen scale (relative by the delta method);
//!   with a proper prior N(m₀, v₀) it is N((d/v + m₀/v₀)/(1/v + 1/v₀), 1/(1/v + 1/v₀)). Chance to win
//!   P(effect > 0); risk [E(max(effect, 0)), E(max(−effect, 0))] = the expected loss of keeping the control and of
//!   shipping the treatment.
//! - Beta-binomial for conversions: p_A ~ Beta(1 + x_A, 1 + n_A − x_A), p_B likewise (uniform priors).
//!   P(p_B > p_A) = ∫ f_B(x) I_x(α_A, β_A) dx; expected loss of shipping B = E(max(p_A − p_B, 0)) =
//!   ∫ f_B(b) [μ_A (1 − I_b(α_A + 1, β_A)) − b (1 − I_b(α_A, β_A))] db; the credible interval of p_B − p_A from its
//!   CDF ∫ f_A(a) I_{a+δ}(α_B, β_B) da, solved by bisection. All integrals by composite Simpson over the region
//!   holding the posteriors' mass (± 40 standard deviations). Reference: `scipy.integrate.quad` over
//!   `scipy.stats.beta` (gbstats no longer has this model).

use serde::{Deserialize, Serialize};

use super::dist::{beta_inc_ln, beta_pdf_ln, ln_beta, norm_cdf, norm_pdf, norm_ppf, norm_sf};
use super::frequentist::{check_units, difference, Scale};
use super::sample::Sample;
use super::StatsError;

/// What the Bayesian comparison reports.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BayesEffect {
    /// Posterior mean of the effect.
    pub expected: f64,
    /// Posterior standard deviation.
    pub sd: f64,
    /// Probability that B is better than A.
    pub chance_to_win: f64,
    /// Expected loss of keeping the control, and of shipping the treatment.
    pub risk: [f64; 2],
    /// Equal-tailed (1 − α) credible interval.
    pub ci: [f64; 2],
}

/// A Gaussian prior on the effect (on the scale tested); `None` means GrowthBook's default improper prior.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Prior {
    pub mean: f64,
    pub variance: f64,
}

/// The normal model (GrowthBook's `EffectBayesianABTest`).
pub fn normal(
    a: &Sample,
    b: &Sample,
    scale: Scale,
    alpha: f64,
    prior: Option<Prior>,
) -> Result<BayesEffect, StatsError> {
    check_units(a, b)?;
    if a.variance <= 0.0 || b.variance <= 0.0 {
        return Err(StatsError::NoVariance);
    }
    let (d, v) = difference(a, b, scale)?;
    let (mean, var) = match prior {
        Some(p) if p.variance > 0.0 => {
            let prec = 1.0 / v + 1.0 / p.variance;
            ((d / v + p.mean / p.variance) / prec, 1.0 / prec)
        }
        _ => (d, v),
    };
    let sd = var.sqrt();
    let q = norm_ppf(1.0 - alpha / 2.0);
    let z = mean / sd;
    let gain = mean * norm_cdf(z) + sd * norm_pdf(z);
    let loss = -mean * norm_cdf(-z) + sd * norm_pdf(z);
    Ok(BayesEffect {
        expected: mean,
        sd,
        chance_to_win: norm_sf(-z),
        risk: [gain, loss],
        ci: [mean - q * sd, mean + q * sd],
    })
}

const STEPS: usize = 4000;

#[derive(Clone, Copy)]
struct Beta {
    a: f64,
    b: f64,
    /// ln B(a, b), computed once.
    ln_b: f64,
    /// ln B(a + 1, b), for [`Beta::excess`].
    ln_b1: f64,
}

impl Beta {
    fn posterior(n: f64, x: f64) -> Beta {
        let (a, b) = (1.0 + x, 1.0 + n - x);
        Beta { a, b, ln_b: ln_beta(a, b), ln_b1: ln_beta(a + 1.0, b) }
    }
    fn mean(&self) -> f64 {
        self.a / (self.a + self.b)
    }
    fn sd(&self) -> f64 {
        let s = self.a + self.b;
        (self.a * self.b / (s * s * (s + 1.0))).sqrt()
    }
    /// The region holding all but a negligible part of the mass.
    fn support(&self) -> (f64, f64) {
        ((self.mean() - 40.0 * self.sd()).max(0.0), (self.mean() + 40.0 * self.sd()).min(1.0))
    }
    fn pdf(&self, x: f64) -> f64 {
        beta_pdf_ln(self.a, self.b, self.ln_b, x)
    }
    fn cdf(&self, x: f64) -> f64 {
        beta_inc_ln(self.a, self.b, self.ln_b, x.clamp(0.0, 1.0)).0
    }
    /// E[max(X − c, 0)].
    fn excess(&self, c: f64) -> f64 {
        let c = c.clamp(0.0, 1.0);
        self.mean() * (1.0 - beta_inc_ln(self.a + 1.0, self.b, self.ln_b1, c).0)
            - c * (1.0 - beta_inc_ln(self.a, self.b, self.ln_b, c).0)
    }
}

/// A density tabulated on Simpson's nodes over its support ([`Beta::support`], [`STEPS`] intervals), for
/// integrals ∫ f(x) g(x) dx with g bounded by 1 in absolute value (a CDF, a loss below 1). Nodes where f is below
/// `f_max · e⁻⁸⁰` are left out, so g is evaluated only where the density has mass: every term left out is below
/// `e⁻⁸⁰` of the largest, so the integral moves by less than `STEPS · e⁻⁸⁰ ≈ 10⁻³¹` of it (checked against the
/// full Simpson sum in the tests). For large samples this evaluates g at about a third of the nodes.
struct Nodes {
    /// (x, f(x), Simpson weight) of the kept nodes, in order.
    kept: Vec<(f64, f64, f64)>,
    h: f64,
}

impl Nodes {
    fn new(d: &Beta) -> Self {
        let (lo, hi) = d.support();
        if hi <= lo {
            return Nodes { kept: Vec::new(), h: 0.0 };
        }
        let h = (hi - lo) / STEPS as f64;
        let all: Vec<(f64, f64, f64)> = (0..=STEPS)
            .map(|i| {
                let x = match i {
                    0 => lo,
                    STEPS => hi,
                    _ => lo + h * i as f64,
                };
                let w = if i == 0 || i == STEPS {
                    1.0
                } else if i % 2 == 1 {
                    4.0
                } else {
                    2.0
                };
                (x, d.pdf(x), w)
            })
            .collect();
        let top = all.iter().map(|n| n.1).fold(0.0, f64::max);
        let floor = top * (-80.0f64).exp();
        let kept = all.into_iter().filter(|n| n.1 > 0.0 && n.1 >= floor).collect();
        Nodes { kept, h }
    }

    /// ∫ f(x) g(x) dx.
    fn integrate(&self, g: impl Fn(f64) -> f64) -> f64 {
        self.kept.iter().map(|&(x, p, w)| w * (p * g(x))).sum::<f64>() * self.h / 3.0
    }
}

/// The CDF of p_B − p_A at δ, ∫ f_A(a) F_B(a + δ) da over A's [`Nodes`].
struct DifferenceCdf<'a> {
    pb: Beta,
    nodes: &'a Nodes,
}

impl DifferenceCdf<'_> {
    fn at(&self, delta: f64) -> f64 {
        self.nodes.integrate(|x| self.pb.cdf(x + delta))
    }

    /// The density of p_B − p_A at δ, ∫ f_A(a) f_B(a + δ) da: the CDF's slope, for Newton's steps (densities cost
    /// a few logarithms, the CDF a continued fraction each).
    fn density(&self, delta: f64) -> f64 {
        self.nodes.integrate(|x| self.pb.pdf(x + delta))
    }

    /// The p-quantile, as the bisection of [−1, 1] in 60 halvings finds it (`cdf(m) < p` moves the lower end) to
    /// within 10⁻¹² of the difference's standard deviation (`scale`). Newton's method from the normal
    /// approximation comes first (three or four CDF integrals for most posteriors); when it leaves [−1, 1], meets
    /// a zero slope or has not settled in 8 steps, a bracket [q₋, q₊] with cdf(q₋) < p ≤ cdf(q₊) (kept from every
    /// point evaluated) is narrowed by false position (Illinois); once it is that narrow, its middle is the answer.
    /// When false position stalls first, the bisection runs, a midpoint below q₋ (above q₊) by more than the
    /// margin decided by the CDF's monotonicity, and only midpoints near the quantile integrated.
    fn quantile(&self, p: f64, guess: f64, scale: f64) -> f64 {
        let margin = 1e-12 * scale;
        // evaluated points: the highest with cdf < p, the lowest with cdf >= p
        let (mut below, mut above) = (-1.0f64, 1.0f64);
        let (mut g_below, mut g_above) = (f64::NAN, f64::NAN);
        let probe = |x: f64, below: &mut f64, above: &mut f64, gb: &mut f64, ga: &mut f64| {
            let g = self.at(x) - p;
            if g < 0.0 {
                if x > *below {
                    (*below, *gb) = (x, g);
                }
            } else if x < *above {
                (*above, *ga) = (x, g);
            }
            g
        };
        let mut x = (guess + norm_ppf(p) * scale).clamp(-1.0, 1.0);
        for _ in 0..8 {
            let g = probe(x, &mut below, &mut above, &mut g_below, &mut g_above);
            let slope = self.density(x);
            if !(slope > 0.0 && g.is_finite()) {
                break;
            }
            let step = g / slope;
            let next = x - step;
            if !(next > -1.0 && next < 1.0) {
                break;
            }
            if step.abs() <= 0.25 * margin {
                return next;
            }
            x = next;
        }
        for k in [8.0, 16.0, 40.0] {
            let (lo, hi) = ((guess - k * scale).max(-1.0), (guess + k * scale).min(1.0));
            if g_below.is_nan() || below < lo {
                probe(lo, &mut below, &mut above, &mut g_below, &mut g_above);
            }
            if g_above.is_nan() || above > hi {
                probe(hi, &mut below, &mut above, &mut g_below, &mut g_above);
            }
            if !g_below.is_nan() && !g_above.is_nan() {
                break;
            }
        }
        if !g_below.is_nan() && !g_above.is_nan() {
            let mut side = 0i8;
            for _ in 0..100 {
                if above - below <= margin {
                    break;
                }
                let x = (below * g_above - above * g_below) / (g_above - g_below);
                let x = if x > below && x < above { x } else { 0.5 * (below + above) };
                let before = (below, above);
                let g = probe(x, &mut below, &mut above, &mut g_below, &mut g_above);
                if below == before.0 && above == before.1 {
                    break;
                }
                // Illinois: halve the stale end's value when the same end moves twice
                if g < 0.0 {
                    if side == -1 {
                        g_above *= 0.5;
                    }
                    side = -1;
                } else {
                    if side == 1 {
                        g_below *= 0.5;
                    }
                    side = 1;
                }
            }
        }
        if !g_below.is_nan() && !g_above.is_nan() && above - below <= margin {
            return 0.5 * (below + above);
        }
        let (mut l, mut h) = (-1.0, 1.0);
        for _ in 0..60 {
            let m = 0.5 * (l + h);
            let low = if !g_below.is_nan() && m < below - margin {
                true
            } else if !g_above.is_nan() && m > above + margin {
                false
            } else {
                self.at(m) < p
            };
            if low {
                l = m;
            } else {
                h = m;
            }
        }
        0.5 * (l + h)
    }
}

/// The beta-binomial model for conversions `xb`/`nb` against `xa`/`na` (absolute difference p_B − p_A).
pub fn beta_binomial(xa: f64, na: f64, xb: f64, nb: f64, alpha: f64) -> Result<BayesEffect, StatsError> {
    if na < 1.0 || nb < 1.0 {
        return Err(StatsError::TooFewUnits);
    }
    if xa < 0.0 || xb < 0.0 || xa > na || xb > nb {
        return Err(StatsError::Invalid { field: "sum", reason: "conversions must be between 0 and the units" });
    }
    let (pa, pb) = (Beta::posterior(na, xa), Beta::posterior(nb, xb));
    let (na, nb) = (Nodes::new(&pa), Nodes::new(&pb));
    let chance = || nb.integrate(|x| pa.cdf(x));
    let loss_ship = || nb.integrate(|x| pa.excess(x));
    let loss_keep = || na.integrate(|x| pb.excess(x));
    let cdf = DifferenceCdf { pb, nodes: &na };
    let expected = pb.mean() - pa.mean();
    let sd = (pa.sd().powi(2) + pb.sd().powi(2)).sqrt();
    let upper_end = || cdf.quantile(1.0 - alpha / 2.0, expected, sd);
    // five independent pieces on two threads (each is computed alike either way): the upper end and the losses
    // on a second thread, the lower end and the chance to win here
    let ((lower, chance), other) = std::thread::scope(|s| {
        let other = s.spawn(|| (upper_end(), loss_ship(), loss_keep()));
        ((cdf.quantile(alpha / 2.0, expected, sd), chance()), other.join())
    });
    let (upper, loss_ship, loss_keep) = other.unwrap_or_else(|_| (upper_end(), loss_ship(), loss_keep()));
    Ok(BayesEffect { expected, sd, chance_to_win: chance, risk: [loss_keep, loss_ship], ci: [lower, upper] })
}

#[cfg(test)]
mod tests {
    use super::super::dist::{beta_inc, beta_pdf};
    use super::*;

    /// Composite Simpson of `f` over [lo, hi].
    fn simpson(lo: f64, hi: f64, f: impl Fn(f64) -> f64) -> f64 {
        if hi <= lo {
            return 0.0;
        }
        let h = (hi - lo) / STEPS as f64;
        let mut s = f(lo) + f(hi);
        for i in 1..STEPS {
            let w = if i % 2 == 1 { 4.0 } else { 2.0 };
            s += w * f(lo + h * i as f64);
        }
        s * h / 3.0
    }

    /// The model as first written: every bisection step integrates, with the plain distribution functions.
    fn plain(xa: f64, na: f64, xb: f64, nb: f64, alpha: f64) -> BayesEffect {
        let (pa, pb) = (Beta::posterior(na, xa), Beta::posterior(nb, xb));
        let pdf = |d: &Beta, x: f64| beta_pdf(d.a, d.b, x);
        let cdf1 = |d: &Beta, x: f64| beta_inc(d.a, d.b, x.clamp(0.0, 1.0)).0;
        let excess = |d: &Beta, c: f64| {
            let c = c.clamp(0.0, 1.0);
            d.mean() * (1.0 - beta_inc(d.a + 1.0, d.b, c).0) - c * (1.0 - beta_inc(d.a, d.b, c).0)
        };
        let (lo, hi) = pb.support();
        let chance = simpson(lo, hi, |x| pdf(&pb, x) * cdf1(&pa, x));
        let loss_ship = simpson(lo, hi, |x| pdf(&pb, x) * excess(&pa, x));
        let (alo, ahi) = pa.support();
        let loss_keep = simpson(alo, ahi, |x| pdf(&pa, x) * excess(&pb, x));
        let cdf = |delta: f64| simpson(alo, ahi, |a| pdf(&pa, a) * cdf1(&pb, a + delta));
        let quantile = |p: f64| {
            let (mut l, mut h) = (-1.0, 1.0);
            for _ in 0..60 {
                let m = 0.5 * (l + h);
                if cdf(m) < p {
                    l = m;
                } else {
                    h = m;
                }
            }
            0.5 * (l + h)
        };
        BayesEffect {
            expected: pb.mean() - pa.mean(),
            sd: (pa.sd().powi(2) + pb.sd().powi(2)).sqrt(),
            chance_to_win: chance,
            risk: [loss_keep, loss_ship],
            ci: [quantile(alpha / 2.0), quantile(1.0 - alpha / 2.0)],
        }
    }

    /// The fast model leaves out nodes below e⁻⁸⁰ of the density's peak and finds quantiles by Newton's method: its
    /// answers equal the plain Simpson sums to 1e-13 relative (1e-30 absolute, for quantities that are zero up to
    /// rounding; most come out bit for bit), and the interval's ends the plain bisection's to 1e-12 of the sd.
    #[test]
    fn the_fast_model_equals_the_plain_one() {
        let cases = [
            (10.0, 100.0, 15.0, 100.0, 0.05),
            (0.0, 20.0, 1.0, 20.0, 0.05),
            (3.0, 3.0, 2.0, 4.0, 0.1),
            (5_790.0, 10_000.0, 6_160.0, 10_000.0, 0.05),
            (8_500.0, 84_000.0, 11_900.0, 85_000.0, 0.05),
            (1.0, 1_000_000.0, 0.0, 1_000_000.0, 0.01),
        ];
        for (xa, na, xb, nb, alpha) in cases {
            let (fast, slow) = (beta_binomial(xa, na, xb, nb, alpha).unwrap(), plain(xa, na, xb, nb, alpha));
            let got = [fast.expected, fast.sd, fast.chance_to_win, fast.risk[0], fast.risk[1]];
            let want = [slow.expected, slow.sd, slow.chance_to_win, slow.risk[0], slow.risk[1]];
            for (g, w) in got.into_iter().zip(want) {
                assert!((g - w).abs() <= 1e-30 + 1e-13 * w.abs().max(g.abs()), "{xa}/{na} vs {xb}/{nb}: {g} ≠ {w}");
            }
            for (g, w) in fast.ci.into_iter().zip(slow.ci) {
                assert!((g - w).abs() <= 1e-12 * slow.sd, "{xa}/{na} vs {xb}/{nb}: interval end {g} ≠ {w}");
            }
        }
    }
}
