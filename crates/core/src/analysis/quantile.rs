//! Exact, mergeable distributions of durations (milliseconds), with the quantiles DuckDB's `quantile_cont`
//! computes (linear interpolation between the two nearest ranks).

use std::collections::BTreeMap;

/// Counts per distinct value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Distribution {
    counts: BTreeMap<i64, u64>,
    n: u64,
}

impl Distribution {
    pub fn add(&mut self, v: i64) {
        *self.counts.entry(v).or_default() += 1;
        self.n += 1;
    }

    pub fn merge(&mut self, other: Distribution) {
        for (v, c) in other.counts {
            *self.counts.entry(v).or_default() += c;
        }
        self.n += other.n;
    }

    pub fn len(&self) -> u64 {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The value of 0-based rank `r`.
    fn at(&self, r: u64) -> i64 {
        let mut seen = 0;
        for (&v, &c) in &self.counts {
            seen += c;
            if r < seen {
                return v;
            }
        }
        self.counts.keys().next_back().copied().unwrap_or(0)
    }

    /// `quantile_cont(q)`: position `q·(n−1)` interpolated between neighbours; `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.n == 0 {
            return None;
        }
        let pos = q.clamp(0.0, 1.0) * (self.n - 1) as f64;
        let (lo, hi) = (pos.floor() as u64, pos.ceil() as u64);
        let (a, b) = (self.at(lo) as f64, self.at(hi) as f64);
        Some(a + (b - a) * (pos - lo as f64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_like_quantile_cont() {
        let mut d = Distribution::default();
        for v in [1, 2, 3, 4] {
            d.add(v);
        }
        assert_eq!(d.quantile(0.5), Some(2.5));
        assert!((d.quantile(0.9).unwrap() - 3.7).abs() < 1e-12);
        let mut e = Distribution::default();
        e.add(10);
        d.merge(e);
        assert_eq!(d.quantile(0.5), Some(3.0));
        assert_eq!(Distribution::default().quantile(0.5), None);
    }
}
