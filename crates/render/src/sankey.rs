//! The Sankey diagram of paths: nodes in columns (step 1, 2, …), each a bar as tall as the customers passing
//! through it, links as bands from a node to the next column's node, as wide as the customers who went that way.
//! Nodes in a column are ordered by size; bands leave and enter in the order of their other end, so they cross
//! as little as a simple layout can.

use std::collections::HashMap;

use crate::format::Locale;
use crate::palette;
use crate::svg::{fit, n, Anchor, Svg};

#[derive(Debug, Clone, PartialEq)]
pub struct SankeyNode {
    pub id: String,
    pub column: usize,
    pub label: String,
    pub value: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SankeyLink {
    pub from: String,
    pub to: String,
    pub value: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sankey {
    pub title: String,
    pub nodes: Vec<SankeyNode>,
    pub links: Vec<SankeyLink>,
}

pub fn sankey(chart: &Sankey, loc: Locale) -> String {
    let columns = chart.nodes.iter().map(|n| n.column + 1).max().unwrap_or(0);
    let w = (200.0 * columns as f64).clamp(420.0, 1200.0);
    let h = 480.0;
    let mut s = Svg::new(w, h, &chart.title);
    let total = chart.nodes.iter().filter(|n| n.column == 0).map(|n| n.value).sum::<u64>();
    if columns == 0 || total == 0 {
        s.empty(w, h, loc.no_data());
        return s.finish();
    }
    let (top, bottom, node_w, gap) = (48.0, h - 16.0, 12.0, 8.0);
    let col_x = |c: usize| 16.0 + (w - 32.0 - node_w - 110.0) * c as f64 / (columns.max(2) - 1) as f64;
    // the column with the most nodes decides the scale, so every column fits
    let scale = (0..columns)
        .map(|c| {
            let nodes: Vec<_> = chart.nodes.iter().filter(|n| n.column == c).collect();
            let sum = nodes.iter().map(|n| n.value).sum::<u64>().max(1) as f64;
            (bottom - top - gap * nodes.len().saturating_sub(1) as f64).max(10.0) / sum
        })
        .fold(f64::INFINITY, f64::min);
    let mut pos: HashMap<&str, (f64, f64, f64)> = HashMap::new(); // id → (x, y, height)
    for c in 0..columns {
        let mut nodes: Vec<&SankeyNode> = chart.nodes.iter().filter(|n| n.column == c).collect();
        nodes.sort_by(|a, b| b.value.cmp(&a.value).then(a.label.cmp(&b.label)));
        let mut y = top;
        for node in nodes {
            let nh = (node.value as f64 * scale).max(1.0);
            pos.insert(node.id.as_str(), (col_x(c), y, nh));
            y += nh + gap;
        }
    }
    let colour_of: HashMap<&str, &str> = {
        let mut labels: Vec<&str> = chart.nodes.iter().map(|n| n.label.as_str()).collect();
        labels.sort_unstable();
        labels.dedup();
        labels.into_iter().enumerate().map(|(i, l)| (l, palette::series(i))).collect()
    };
    let label_of: HashMap<&str, &SankeyNode> = chart.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let mut out_off: HashMap<&str, f64> = HashMap::new();
    let mut in_off: HashMap<&str, f64> = HashMap::new();
    let mut links: Vec<&SankeyLink> =
        chart.links.iter().filter(|l| pos.contains_key(l.from.as_str()) && pos.contains_key(l.to.as_str())).collect();
    links.sort_by(|a, b| {
        let ya = pos[a.to.as_str()].1;
        let yb = pos[b.to.as_str()].1;
        pos[a.from.as_str()].1.total_cmp(&pos[b.from.as_str()].1).then(ya.total_cmp(&yb))
    });
    for l in links {
        let (fx, fy, _) = pos[l.from.as_str()];
        let (tx, ty, _) = pos[l.to.as_str()];
        let bw = l.value as f64 * scale;
        let so = out_off.entry(l.from.as_str()).or_insert(0.0);
        let ti = in_off.entry(l.to.as_str()).or_insert(0.0);
        let (y1, y2) = (fy + *so, ty + *ti);
        *so += bw;
        *ti += bw;
        let (x1, x2) = (fx + node_w, tx);
        let mx = (x1 + x2) / 2.0;
        let d = format!(
            "M{} {} C{} {} {} {} {} {} L{} {} C{} {} {} {} {} {} Z",
            n(x1),
            n(y1),
            n(mx),
            n(y1),
            n(mx),
            n(y2),
            n(x2),
            n(y2),
            n(x2),
            n(y2 + bw),
            n(mx),
            n(y2 + bw),
            n(mx),
            n(y1 + bw),
            n(x1),
            n(y1 + bw)
        );
        let (from, to) = (label_of[l.from.as_str()], label_of[l.to.as_str()]);
        let colour = colour_of.get(from.label.as_str()).copied().unwrap_or(palette::MUTED);
        let tip = format!("{} → {}: {}", from.label, to.label, loc.int(l.value));
        s.path(&d, colour, "none", "fill-opacity=\"0.28\"", Some(&tip));
    }
    for node in &chart.nodes {
        let (x, y, nh) = pos[node.id.as_str()];
        let colour = colour_of.get(node.label.as_str()).copied().unwrap_or(palette::MUTED);
        let share = node.value as f64 / total as f64;
        s.rect(
            x,
            y,
            node_w,
            nh,
            colour,
            Some(&format!("{}: {} ({})", node.label, loc.int(node.value), loc.percent(share))),
        );
        if nh >= 11.0 {
            let text = format!("{} {}", fit(&node.label, 11.0, 96.0), loc.int(node.value));
            s.text(x + node_w + 4.0, y + nh.min(24.0) / 2.0 + 4.0, &text, 11.0, Anchor::Start, palette::TEXT, "400");
        }
    }
    s.finish()
}
