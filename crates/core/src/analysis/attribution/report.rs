//! The attribution report: every model's conversions and revenue per label, side by side.

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::fold::{AttributionAcc, AttributionFold, PathStats, PathTable};
use super::journeys::{journeys, JourneysReport};
use super::markov::{markov, MarkovResult};
use super::models::HEURISTICS;
use super::shapley::shapley;
use super::Model;
use crate::analysis::period::Period;

/// Conversions and revenue credited to a label by one model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Credit {
    pub conversions: f64,
    pub revenue: f64,
}

/// One label's credits, in [`AttributionReport::models`] order (None: not valued on its own — a label Shapley
/// counts inside `(other)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributionRow {
    pub label: String,
    /// Touches with this label in all paths (converting or not).
    pub touches: u64,
    pub credits: Vec<Option<Credit>>,
}

/// How Shapley valued the labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShapleyChoice {
    /// Players in the game (the `(other)` player included).
    pub players: usize,
    /// Labels counted together as `(other)` (empty: every label is valued on its own).
    pub other: Vec<String>,
    /// `(other)`'s credit.
    pub other_credit: Option<Credit>,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributionReport {
    pub models: Vec<Model>,
    /// Rows by linear-model conversions, descending (ties by label).
    pub rows: Vec<AttributionRow>,
    pub customers: u64,
    pub converters: u64,
    pub conversions: u64,
    pub revenue: f64,
    /// Conversions with no touch left (after the lookback and direct rules): not credited to anyone.
    pub unattributed: u64,
    pub unattributed_revenue: f64,
    /// Touches in the paths, and touches the lookback cut.
    pub touches: u64,
    pub cut_touches: u64,
    /// Distinct paths, and null (non-converting) path ends.
    pub distinct_paths: usize,
    pub null_paths: u64,
    pub markov: MarkovResult,
    pub shapley: ShapleyChoice,
    pub journeys: JourneysReport,
    /// The period asked for, and each period attributed on its own (oldest first; empty without a period).
    pub period: Option<Period>,
    pub periods: Vec<PeriodAttribution>,
}

/// One calendar period attributed on its own: the paths that end in it (at their conversion; a null path at the
/// customer's last event), every model over them alone (Markov and Shapley included).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodAttribution {
    /// The period's first local day, `YYYY-MM-DD`.
    pub period: String,
    pub conversions: u64,
    pub revenue: f64,
    pub unattributed: u64,
    /// Labels with a touch in the period's paths, in the report's row order.
    pub rows: Vec<AttributionRow>,
}

/// The models over one path multiset.
struct Attributed {
    names: Vec<String>,
    paths: Vec<(Vec<u32>, PathStats)>,
    rows: Vec<AttributionRow>,
    markov: MarkovResult,
    shapley: ShapleyChoice,
}

impl AttributionFold {
    /// The report of everything folded into `acc`.
    pub fn report(&self, acc: &AttributionAcc) -> AttributionReport {
        let spec = self.spec();
        let all = self.attribute(acc, &acc.paths, &acc.credit);
        let days = acc.days_to_convert.iter().map(|(&d, &c)| (u64::from(d), c)).collect();
        let order: Vec<&str> = all.rows.iter().map(|r| r.label.as_str()).collect();
        let periods = acc
            .periods
            .iter()
            .map(|(&day, p)| {
                let mut rows = self.attribute(acc, &p.paths, &p.credit).rows;
                let rank = |l: &str| order.iter().position(|o| *o == l).unwrap_or(usize::MAX);
                rows.sort_by_key(|r| rank(&r.label));
                PeriodAttribution {
                    period: crate::time::format_day(day),
                    conversions: p.conversions,
                    revenue: p.revenue,
                    unattributed: p.unattributed,
                    rows,
                }
            })
            .collect();
        AttributionReport {
            models: Model::ALL.to_vec(),
            customers: acc.customers,
            converters: acc.converters,
            conversions: acc.conversions,
            revenue: acc.revenue,
            unattributed: acc.unattributed,
            unattributed_revenue: acc.unattributed_revenue,
            touches: acc.touches,
            cut_touches: acc.cut,
            distinct_paths: all.paths.len(),
            null_paths: all.paths.iter().map(|p| p.1.nulls).sum(),
            journeys: journeys(&all.paths, &all.names, days, spec.top),
            rows: all.rows,
            markov: all.markov,
            shapley: all.shapley,
            period: spec.period,
            periods,
        }
    }

    /// Every model over the paths `paths` with the heuristic credits `credit` (label ids of `acc`).
    fn attribute(
        &self,
        acc: &AttributionAcc,
        table: &PathTable,
        credit: &FxHashMap<u32, [f64; 2 * HEURISTICS]>,
    ) -> Attributed {
        let spec = self.spec();
        let mut raw: Vec<(Vec<u32>, PathStats)> = Vec::with_capacity(table.len());
        table.for_each(|p, s| raw.push((p.to_vec(), *s)));
        // dense labels, in label order
        let mut ids: Vec<u32> = raw.iter().flat_map(|p| p.0.iter().copied()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut named: Vec<(String, u32)> = ids.iter().map(|&id| (self.label_text(acc, id), id)).collect();
        named.sort();
        // two ids may read the same (an empty value and a name): they share a row
        let mut names: Vec<String> = named.iter().map(|n| n.0.clone()).collect();
        names.dedup();
        let lookup: FxHashMap<u32, u32> = named
            .iter()
            .map(|(text, id)| (*id, names.binary_search_by(|n| n.as_str().cmp(text)).unwrap_or(0) as u32))
            .collect();
        let mut paths = raw;
        for (p, _) in &mut paths {
            for l in p.iter_mut() {
                *l = lookup[&*l];
            }
        }
        sort_paths(&mut paths);
        let n = names.len();
        let mut touches = vec![0u64; n];
        for (p, s) in &paths {
            for &l in p {
                touches[l as usize] += s.conversions + s.nulls;
            }
        }
        let mut heur = vec![[0.0; 2 * HEURISTICS]; n];
        let mut credit_ids: Vec<_> = credit.iter().collect();
        credit_ids.sort_by_key(|c| *c.0);
        for (id, c) in credit_ids {
            if let Some(&l) = lookup.get(id) {
                for (a, b) in heur[l as usize].iter_mut().zip(c) {
                    *a += b;
                }
            }
        }
        let (conv_total, rev_total) =
            paths.iter().fold((0.0, 0.0), |(c, r), (_, s)| (c + s.conversions as f64, r + s.revenue));
        let chain = markov(&paths, n, spec.order);
        let (shap, choice) = self.shapley(&paths, &names, spec.players);
        let mut rows = (0..n)
            .map(|l| {
                let mut credits: Vec<Option<Credit>> = (0..HEURISTICS)
                    .map(|k| Some(Credit { conversions: heur[l][2 * k], revenue: heur[l][2 * k + 1] }))
                    .collect();
                let (share, value) = (chain.shares[l], chain.value_shares[l]);
                credits.push(Some(Credit { conversions: conv_total * share, revenue: rev_total * value }));
                credits.push(shap[l]);
                AttributionRow { label: names[l].clone(), touches: touches[l], credits }
            })
            .collect::<Vec<_>>();
        let linear = |r: &AttributionRow| r.credits[3].map_or(0.0, |c| c.conversions);
        rows.sort_by(|a, b| linear(b).total_cmp(&linear(a)).then_with(|| a.label.cmp(&b.label)));
        Attributed { names, paths, rows, markov: chain, shapley: choice }
    }

    /// Shapley credits per dense label, with the top `players - 1` by conversions valued alone when there are
    /// more than `players` labels.
    fn shapley(
        &self,
        paths: &[(Vec<u32>, PathStats)],
        names: &[String],
        players: usize,
    ) -> (Vec<Option<Credit>>, ShapleyChoice) {
        let n = names.len();
        let mut weight = vec![0u64; n];
        for (p, s) in paths {
            let mut set = p.clone();
            set.sort_unstable();
            set.dedup();
            for l in set {
                weight[l as usize] += s.conversions;
            }
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| weight[b].cmp(&weight[a]).then(a.cmp(&b)));
        let alone = if n <= players { n } else { players - 1 };
        let k = if n <= players { n } else { players };
        let mut player = vec![alone; n];
        for (i, &l) in order.iter().take(alone).enumerate() {
            player[l] = i;
        }
        let mut fc = vec![0.0; 1 << k];
        let mut fr = vec![0.0; 1 << k];
        for (p, s) in paths {
            if s.conversions == 0 {
                continue;
            }
            let mask = p.iter().fold(0usize, |m, &l| m | 1 << player[l as usize]);
            fc[mask] += s.conversions as f64;
            fr[mask] += s.revenue;
        }
        let (pc, pr) = (shapley(fc, k), shapley(fr, k));
        let credit = |i: usize| Credit { conversions: pc[i], revenue: pr[i] };
        let out = (0..n).map(|l| (player[l] < alone).then(|| credit(player[l]))).collect();
        let mut other: Vec<String> = order.iter().skip(alone).map(|&l| names[l].clone()).collect();
        other.sort();
        let other_credit = (alone < k).then(|| credit(alone));
        (out, ShapleyChoice { players: k, other, other_credit })
    }
}

/// Sorts paths by their labels (stable). Where every label among a path's first 8 is below 255, one `u64` per
/// path orders them by those first 8 (a byte per label from the top, one more than the label, so a prefix comes
/// first); only paths that agree on all 8 compare their label lists. That spares most comparisons going through
/// two pointers.
fn sort_paths(paths: &mut Vec<(Vec<u32>, PathStats)>) {
    let prefix = |p: &[u32]| {
        p.iter()
            .take(8)
            .enumerate()
            .try_fold(0u64, |k, (i, &l)| (l < 255).then(|| k | u64::from(l + 1) << (8 * (7 - i))))
    };
    let keys: Option<Vec<(u64, u32)>> =
        paths.iter().enumerate().map(|(i, p)| prefix(&p.0).map(|k| (k, i as u32))).collect();
    let Some(mut order) = keys else {
        paths.sort_by(|a, b| a.0.cmp(&b.0));
        return;
    };
    // stable: `order` starts in index order and ties keep it
    order.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| paths[a.1 as usize].0.cmp(&paths[b.1 as usize].0)));
    let mut old: Vec<Option<(Vec<u32>, PathStats)>> = std::mem::take(paths).into_iter().map(Some).collect();
    paths.extend(order.iter().filter_map(|&(_, i)| old[i as usize].take()));
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn stats(n: u64) -> PathStats {
        PathStats { conversions: n, nulls: 0, revenue: 0.0 }
    }

    proptest! {
        /// The packed sort orders paths as sorting their label lists does, ties kept in input order.
        #[test]
        fn packed_sort_equals_the_sort_of_label_lists(
            raw in prop::collection::vec(prop::collection::vec(0u32..6, 0..13), 0..60),
            big in prop::option::of(prop::collection::vec(250u32..300, 1..12)),
        ) {
            let mut paths: Vec<(Vec<u32>, PathStats)> =
                raw.into_iter().enumerate().map(|(i, p)| (p, stats(i as u64))).collect();
            if let Some(b) = big {
                paths.push((b, stats(1000)));
            }
            let mut want = paths.clone();
            want.sort_by(|a, b| a.0.cmp(&b.0));
            sort_paths(&mut paths);
            prop_assert_eq!(paths, want);
        }

        /// The path table holds what a plain map of label lists holds, whatever the paths' form.
        #[test]
        fn the_path_table_counts_like_a_map_of_label_lists(
            raw in prop::collection::vec(prop::collection::vec(prop_oneof![0u32..4, 250u32..260, Just(1u32 << 30)], 0..11), 0..80),
            split in 0usize..80,
        ) {
            let mut want: std::collections::BTreeMap<Vec<u32>, u64> = Default::default();
            let (mut a, mut b) = (PathTable::default(), PathTable::default());
            for (i, p) in raw.iter().enumerate() {
                *want.entry(p.clone()).or_default() += 1;
                let t = if i < split { &mut a } else { &mut b };
                t.entry(p).conversions += 1;
            }
            a.merge(b, None);
            let mut got: std::collections::BTreeMap<Vec<u32>, u64> = Default::default();
            a.for_each(|p, s| {
                got.insert(p.to_vec(), s.conversions);
            });
            prop_assert_eq!(a.len(), want.len());
            prop_assert_eq!(got, want);
        }
    }
}
