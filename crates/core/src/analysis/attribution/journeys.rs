//! The journeys behind the numbers, from the converting paths.
//!
//! - assisted conversions of a label: conversions whose path has the label at some touch before the last one
//!   (a label that is also the last touch still assists when it occurs earlier too);
//! - touches to convert: conversions by the number of touches in their path; days to convert: by whole days from
//!   the path's first touch to the conversion (from the fold);
//! - top sequences: converting paths by conversions (ties by the labels); overlap: conversions whose path holds
//!   both labels of a pair (each pair once, `a < b` in label order).

use serde::Serialize;

use super::fold::PathStats;

/// One label's assists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assist {
    pub label: String,
    pub assisted: u64,
    /// Conversions where it was the last touch.
    pub last: u64,
}

/// A channel sequence of converters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sequence {
    pub labels: Vec<String>,
    pub conversions: u64,
    pub revenue: f64,
}

/// Conversions whose paths hold both labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overlap {
    pub a: String,
    pub b: String,
    pub conversions: u64,
}

/// Everything behind the credits.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct JourneysReport {
    pub assists: Vec<Assist>,
    /// (touches, conversions), ascending.
    pub touches_to_convert: Vec<(u64, u64)>,
    /// (whole days, conversions), ascending.
    pub days_to_convert: Vec<(u64, u64)>,
    pub top_sequences: Vec<Sequence>,
    pub overlap: Vec<Overlap>,
}

/// The journeys over dense paths (`names[label]`); `days` comes from the fold.
pub fn journeys(
    paths: &[(Vec<u32>, PathStats)],
    names: &[String],
    days: Vec<(u64, u64)>,
    top: usize,
) -> JourneysReport {
    let n = names.len();
    let mut assisted = vec![0u64; n];
    let mut last = vec![0u64; n];
    let mut lengths = std::collections::BTreeMap::<u64, u64>::new();
    let mut pairs = std::collections::BTreeMap::<(u32, u32), u64>::new();
    let mut seqs: Vec<(&Vec<u32>, PathStats)> = Vec::new();
    for (p, s) in paths {
        if s.conversions == 0 || p.is_empty() {
            continue;
        }
        let c = s.conversions;
        let mut seen = vec![false; n];
        for &l in &p[..p.len() - 1] {
            if !seen[l as usize] {
                seen[l as usize] = true;
                assisted[l as usize] += c;
            }
        }
        last[p[p.len() - 1] as usize] += c;
        *lengths.entry(p.len() as u64).or_default() += c;
        let mut set: Vec<u32> = p.clone();
        set.sort_unstable();
        set.dedup();
        for (i, &a) in set.iter().enumerate() {
            for &b in &set[i + 1..] {
                *pairs.entry((a, b)).or_default() += c;
            }
        }
        seqs.push((p, *s));
    }
    seqs.sort_by(|a, b| b.1.conversions.cmp(&a.1.conversions).then_with(|| a.0.cmp(b.0)));
    let name = |l: u32| names[l as usize].clone();
    let mut overlap: Vec<Overlap> =
        pairs.into_iter().map(|((a, b), conversions)| Overlap { a: name(a), b: name(b), conversions }).collect();
    overlap.sort_by_key(|x| std::cmp::Reverse(x.conversions));
    JourneysReport {
        assists: (0..n)
            .map(|l| Assist { label: names[l].clone(), assisted: assisted[l], last: last[l] })
            .filter(|a| a.assisted + a.last > 0)
            .collect(),
        touches_to_convert: lengths.into_iter().collect(),
        days_to_convert: days,
        top_sequences: seqs
            .into_iter()
            .take(top)
            .map(|(p, s)| Sequence {
                labels: p.iter().map(|&l| name(l)).collect(),
                conversions: s.conversions,
                revenue: s.revenue,
            })
            .collect(),
        overlap,
    }
}
