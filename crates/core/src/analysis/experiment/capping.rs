//! Capping of outliers (e.g. revenue per customer) before the sums are taken: each unit's value is replaced by
//! min(value, cap). The cap is fixed, or the q-th percentile of all units' values across variants, by linear
//! interpolation between order statistics (numpy's default `quantile(method="linear")`, SQL's
//! `PERCENTILE_CONT`). Example: values 1, 2, 3, 100 capped at the 75th percentile (27.25) give 1, 2, 3, 27.25.

use serde::{Deserialize, Serialize};

use super::StatsError;

/// How values are capped.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cap {
    /// At a fixed value.
    Fixed(f64),
    /// At a percentile (0 < q ≤ 1) of all values.
    Percentile(f64),
}

/// The q-quantile (0 ≤ q ≤ 1) of `values` by linear interpolation; `None` when there are none.
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let pos = q * (v.len() - 1) as f64;
    let (i, frac) = (pos.floor() as usize, pos - pos.floor());
    let next = v[(i + 1).min(v.len() - 1)];
    Some(v[i] + frac * (next - v[i]))
}

impl Cap {
    /// The cap value for these values (all variants together).
    pub fn value(&self, values: &[f64]) -> Result<f64, StatsError> {
        match *self {
            Cap::Fixed(c) if c.is_finite() => Ok(c),
            Cap::Fixed(_) => Err(StatsError::Invalid { field: "cap", reason: "must be a finite number" }),
            Cap::Percentile(q) if q > 0.0 && q <= 1.0 => Ok(quantile(values, q).unwrap_or(0.0)),
            Cap::Percentile(_) => Err(StatsError::Invalid { field: "cap", reason: "a percentile is between 0 and 1" }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_at_the_interpolated_percentile() {
        let v = [1.0, 2.0, 3.0, 100.0];
        assert_eq!(Cap::Percentile(0.75).value(&v), Ok(27.25));
        assert_eq!(quantile(&v, 0.0), Some(1.0));
        assert_eq!(quantile(&v, 1.0), Some(100.0));
        assert!(Cap::Percentile(0.0).value(&v).is_err());
    }
}
