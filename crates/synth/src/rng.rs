//! A small portable random number generator (SplitMix64) and the draws the journeys need.
//!
//! Our own generator rather than `rand`'s `SmallRng`: its algorithm is documented as free to change between
//! `rand` versions and platforms, while a benchmark data set must be the same everywhere, forever, for a seed.

/// The SplitMix64 finaliser: a bijection on `u64` that scatters nearby inputs.
pub(crate) const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64 (Steele, Lea, Flood 2014): one add and one [`mix`] per draw; passes BigCrush.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// The stream of customer `index` under `seed`: independent of every other customer's stream.
    pub(crate) fn for_customer(seed: u64, index: u64) -> Rng {
        Rng(mix(seed ^ mix(index.wrapping_mul(GAMMA) ^ 0x5EED)))
    }

    #[inline]
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GAMMA);
        mix(self.0)
    }

    /// Uniform in [0, 1).
    #[inline]
    pub(crate) fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    #[inline]
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Uniform in [0, n) (Lemire's multiply-shift; the bias is below 2⁻³² for the small `n` used here).
    #[inline]
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform integer in [lo, hi] (inclusive).
    #[inline]
    pub(crate) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }

    /// One element of a non-empty slice.
    #[inline]
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index drawn with probability proportional to `weights[i]` (all weights zero: index 0).
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = self.below(total.max(1));
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        0
    }

    /// Number of successes before the first failure with success probability `mean / (1 + mean)`: a geometric
    /// count with the given mean, capped at 40.
    pub(crate) fn geometric(&mut self, mean: f64) -> u32 {
        let p = mean / (1.0 + mean);
        let mut n = 0;
        while n < 40 && self.chance(p) {
            n += 1;
        }
        n
    }

    /// Log-uniform in [lo, hi): as many draws in [1, 2) as in [10, 20).
    pub(crate) fn log_uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo * (hi / lo).powf(self.f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::for_customer(1, 7).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::for_customer(1, 7).next_u64(), Rng::for_customer(1, 8).next_u64());
        assert_ne!(Rng::for_customer(1, 7).next_u64(), Rng::for_customer(2, 7).next_u64());
    }

    #[test]
    fn draws_stay_in_range_and_have_the_right_mean() {
        let mut r = Rng::for_customer(3, 3);
        let n = 100_000;
        let (mut sum_f, mut sum_g) = (0.0, 0.0);
        for _ in 0..n {
            let f = r.f64();
            assert!((0.0..1.0).contains(&f));
            let b = r.between(-2, 2);
            assert!((-2..=2).contains(&b));
            sum_f += f;
            sum_g += f64::from(r.geometric(1.5));
        }
        assert!((sum_f / f64::from(n) - 0.5).abs() < 0.01);
        assert!((sum_g / f64::from(n) - 1.5).abs() < 0.05);
        let mut counts = [0u32; 3];
        for _ in 0..n {
            counts[r.weighted(&[1, 0, 3])] += 1;
        }
        assert_eq!(counts[1], 0);
        assert!((f64::from(counts[2]) / f64::from(n) - 0.75).abs() < 0.01);
    }
}
