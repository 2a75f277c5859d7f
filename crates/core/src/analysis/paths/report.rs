//! The paths report: top paths, and Sankey nodes and links over all paths (see the parent module for the rules).

use std::cmp::Reverse;

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::{PathCount, PathKey, PathsAcc, PathsFold};

/// The node after a path's last event.
pub const END: &str = "$end";
/// The node before a reverse path's first event.
pub const START: &str = "$start";

const END_CODE: u32 = u32::MAX;
const START_CODE: u32 = u32::MAX - 1;

/// One of the top paths.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathReport {
    /// Event names in journey order.
    pub events: Vec<String>,
    pub customers: u64,
    /// Share of all paths.
    pub share: f64,
    /// Customers who did the conversion event after the path's start (null without a conversion event).
    pub converted: Option<u64>,
    pub conversion: Option<f64>,
}

/// An event at one Sankey column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeReport {
    pub depth: usize,
    pub event: String,
    pub customers: u64,
}

/// Customers going from an event at `from_depth` to an event at `from_depth + 1`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkReport {
    pub from_depth: usize,
    pub from: String,
    pub to: String,
    pub customers: u64,
}

/// The paths report (its JSON shape is stable).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathsReport {
    pub paths: Vec<PathReport>,
    pub nodes: Vec<NodeReport>,
    pub links: Vec<LinkReport>,
    /// Customers with a path.
    pub total: u64,
    /// Distinct paths among them.
    pub distinct_paths: u64,
    /// Customers who converted, and their share of `total` (null without a conversion event).
    pub converted: Option<u64>,
    pub conversion: Option<f64>,
}

fn share(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl PathsFold {
    fn node_name(&self, code: u32) -> String {
        match code {
            END_CODE => END.to_string(),
            START_CODE => START.to_string(),
            c => self.dicts.name(c as u16).to_string(),
        }
    }

    fn names(&self, key: &PathKey) -> Vec<String> {
        key.codes().iter().map(|&c| self.dicts.name(c).to_string()).collect()
    }

    /// Turns the merged partial result into the report.
    pub fn report(&self, acc: &PathsAcc) -> PathsReport {
        let total: u64 = acc.paths.values().map(|c| c.customers).sum();
        let converted: u64 = acc.paths.values().map(|c| c.converted).sum();
        let conv = self.spec.conversion.is_some();
        let (nodes, links) = self.sankey(acc);
        let paths = self
            .top(acc)
            .into_iter()
            .map(|(events, c)| PathReport {
                events,
                customers: c.customers,
                share: share(c.customers, total),
                converted: conv.then_some(c.converted),
                conversion: conv.then(|| share(c.converted, c.customers)),
            })
            .collect();
        PathsReport {
            paths,
            nodes,
            links,
            total,
            distinct_paths: acc.paths.len() as u64,
            converted: conv.then_some(converted),
            conversion: conv.then(|| share(converted, total)),
        }
    }

    /// The `top` paths by customers, ties by their event names ascending.
    fn top(&self, acc: &PathsAcc) -> Vec<(Vec<String>, PathCount)> {
        let mut all: Vec<(&PathKey, &PathCount)> = acc.paths.iter().collect();
        let k = self.spec.top.min(all.len());
        if k == 0 {
            return Vec::new();
        }
        // only paths as frequent as the k-th can be in the top: name them, not the millions below
        all.select_nth_unstable_by_key(k - 1, |(_, c)| Reverse(c.customers));
        let cut = all[k - 1].1.customers;
        let mut named: Vec<(Vec<String>, PathCount)> =
            all.into_iter().filter(|(_, c)| c.customers >= cut).map(|(key, c)| (self.names(key), *c)).collect();
        named.sort_by(|a, b| b.1.customers.cmp(&a.1.customers).then_with(|| a.0.cmp(&b.0)));
        named.truncate(k);
        named
    }

    /// Nodes and links over all paths, padded to the same number of columns.
    fn sankey(&self, acc: &PathsAcc) -> (Vec<NodeReport>, Vec<LinkReport>) {
        let depth = self.spec.depth;
        let longest = acc.paths.keys().map(|k| k.len as usize).max().unwrap_or(0);
        let columns = depth.min(longest + 1);
        let reverse = self.spec.from.is_none();
        let mut nodes: FxHashMap<(usize, u32), u64> = FxHashMap::default();
        let mut links: FxHashMap<(usize, u32, u32), u64> = FxHashMap::default();
        let mut col = vec![0u32; columns];
        for (key, c) in &acc.paths {
            let codes = key.codes();
            let pad = columns - codes.len();
            for (d, slot) in col.iter_mut().enumerate() {
                *slot = match (reverse, d) {
                    (false, d) if d < codes.len() => u32::from(codes[d]),
                    (false, _) => END_CODE,
                    (true, d) if d < pad => START_CODE,
                    (true, d) => u32::from(codes[d - pad]),
                };
            }
            for (d, &code) in col.iter().enumerate() {
                *nodes.entry((d, code)).or_default() += c.customers;
                if let Some(&next) = col.get(d + 1) {
                    *links.entry((d, code, next)).or_default() += c.customers;
                }
            }
        }
        let mut nodes: Vec<NodeReport> = nodes
            .into_iter()
            .map(|((depth, code), customers)| NodeReport { depth, event: self.node_name(code), customers })
            .collect();
        nodes.sort_by(|a, b| (a.depth, Reverse(a.customers), &a.event).cmp(&(b.depth, Reverse(b.customers), &b.event)));
        let mut links: Vec<LinkReport> = links
            .into_iter()
            .map(|((from_depth, a, b), customers)| LinkReport {
                from_depth,
                from: self.node_name(a),
                to: self.node_name(b),
                customers,
            })
            .collect();
        links.sort_by(|a, b| {
            (a.from_depth, Reverse(a.customers), &a.from, &a.to).cmp(&(
                b.from_depth,
                Reverse(b.customers),
                &b.from,
                &b.to,
            ))
        });
        (nodes, links)
    }
}
