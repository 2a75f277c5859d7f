//! The attribution fold: a customer's journey into paths of touches, heuristic credits and the path multiset.

use rustc_hash::FxHashMap;

use super::models::{heuristic_weights, HEURISTICS};
use super::{AttributionSpec, ConversionCount, DirectRule, SessionTouches, DAY_MS};
use crate::analysis::filter::Field;
use crate::analysis::matcher::{value_text, EventView, Matcher};
use crate::analysis::timeline::SESSION_GAP_MS;
use crate::dict::{DictCol, Dictionaries};
use crate::fold::JourneyFold;
use crate::journey::{Columns, Journey, TextCol};

/// Label ids: a dictionary code of the `by` column, an event name (this bit and the name code) or a string
/// interned by the accumulator (this bit and its index).
const NAME_BIT: u32 = 1 << 31;
const LOCAL_BIT: u32 = 1 << 30;

/// One touch of a path being built.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Touch {
    pub label: u32,
    pub ts: i64,
    pub direct: bool,
}

/// Conversions, null ends and revenue of one distinct path.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PathStats {
    pub conversions: u64,
    pub nulls: u64,
    pub revenue: f64,
}

/// Distinct paths with their stats. Most paths are a few touches of a small dictionary (channels): those are
/// keyed by one `u64` (up to [`SHORT_LEN`] labels below 255, a byte each, one more than the label so that a zero
/// byte ends the path), the others by their labels. A path's form depends only on its labels, so a path is
/// always found where it was put.
#[derive(Debug, Clone, Default)]
pub struct PathTable {
    short: FxHashMap<u64, PathStats>,
    long: FxHashMap<Box<[u32]>, PathStats>,
}

const SHORT_LEN: usize = 8;

fn short_key(labels: &[u32]) -> Option<u64> {
    if labels.len() > SHORT_LEN {
        return None;
    }
    let mut key = 0u64;
    for (i, &l) in labels.iter().enumerate() {
        if l >= 255 {
            return None;
        }
        key |= u64::from(l + 1) << (8 * i);
    }
    Some(key)
}

fn short_labels(mut key: u64, out: &mut Vec<u32>) {
    out.clear();
    while key != 0 {
        out.push((key & 0xff) as u32 - 1);
        key >>= 8;
    }
}

impl PathTable {
    /// The stats of the path `labels` (zero when new).
    pub fn entry(&mut self, labels: &[u32]) -> &mut PathStats {
        match short_key(labels) {
            Some(k) => self.short.entry(k).or_default(),
            // most paths repeat: look the path up before allocating its key
            None => {
                if !self.long.contains_key(labels) {
                    self.long.insert(labels.into(), PathStats::default());
                }
                self.long.get_mut(labels).expect("inserted above")
            }
        }
    }

    pub fn len(&self) -> usize {
        self.short.len() + self.long.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every path (labels, stats), in no particular order.
    pub fn for_each(&self, mut f: impl FnMut(&[u32], &PathStats)) {
        let mut buf = Vec::with_capacity(SHORT_LEN);
        for (&k, s) in &self.short {
            short_labels(k, &mut buf);
            f(&buf, s);
        }
        for (k, s) in &self.long {
            f(k, s);
        }
    }

    /// Adds `other`'s paths, their labels passed through `remap` (None: unchanged).
    pub(crate) fn merge(&mut self, other: PathTable, remap: Option<&dyn Fn(u32) -> u32>) {
        let add = |t: &mut PathStats, s: PathStats| {
            t.conversions += s.conversions;
            t.nulls += s.nulls;
            t.revenue += s.revenue;
        };
        if self.is_empty() && remap.is_none() {
            *self = other;
            return;
        }
        for (k, s) in other.short {
            // remapping changes only interned labels (≥ 2³⁰), never those of a short path
            add(self.short.entry(k).or_default(), s);
        }
        for (key, s) in other.long {
            let key: Box<[u32]> = match remap {
                Some(r) => key.iter().map(|&l| r(l)).collect(),
                None => key,
            };
            add(self.long.entry(key).or_default(), s);
        }
    }
}

/// Adds the heuristic credits `other` to `into`, labels passed through `remap`.
fn merge_credit(
    into: &mut FxHashMap<u32, [f64; 2 * HEURISTICS]>,
    other: FxHashMap<u32, [f64; 2 * HEURISTICS]>,
    remap: &dyn Fn(u32) -> u32,
) {
    for (label, c) in other {
        let t = into.entry(remap(label)).or_insert([0.0; 2 * HEURISTICS]);
        for (a, b) in t.iter_mut().zip(c) {
            *a += b;
        }
    }
}

/// The paths and heuristic credits of the paths that end in one calendar period.
#[derive(Debug, Clone, Default)]
pub struct PeriodAcc {
    pub paths: PathTable,
    pub credit: FxHashMap<u32, [f64; 2 * HEURISTICS]>,
    pub conversions: u64,
    pub revenue: f64,
    pub unattributed: u64,
    pub unattributed_revenue: f64,
}

impl PeriodAcc {
    fn merge(&mut self, other: PeriodAcc, remap: Option<&dyn Fn(u32) -> u32>) {
        self.paths.merge(other.paths, remap);
        let remap = |l: u32| remap.map_or(l, |r| r(l));
        merge_credit(&mut self.credit, other.credit, &remap);
        self.conversions += other.conversions;
        self.revenue += other.revenue;
        self.unattributed += other.unattributed;
        self.unattributed_revenue += other.unattributed_revenue;
    }
}

/// Partial result of a set of customers.
#[derive(Debug, Clone, Default)]
pub struct AttributionAcc {
    /// Distinct paths (label ids in order).
    pub paths: PathTable,
    /// Heuristic credit per label: conversions and revenue per model of [`HEURISTICS`].
    pub credit: FxHashMap<u32, [f64; 2 * HEURISTICS]>,
    /// Strings interned for labels that are not dictionary values.
    pub local: Vec<String>,
    local_index: FxHashMap<String, u32>,
    pub conversions: u64,
    pub revenue: f64,
    /// Conversions (and their revenue) with no touch left.
    pub unattributed: u64,
    pub unattributed_revenue: f64,
    /// Touches in paths, and touches cut by the lookback.
    pub touches: u64,
    pub cut: u64,
    /// Converting paths by whole days from their first touch to the conversion.
    pub days_to_convert: std::collections::BTreeMap<u32, u64>,
    /// Customers seen, and of them those with at least one conversion.
    pub customers: u64,
    pub converters: u64,
    /// With a period asked: the same per period, by the first local day of the period the path ends in.
    pub periods: std::collections::BTreeMap<i64, PeriodAcc>,
    scratch: Vec<Touch>,
    /// Scratch: the labels of the path being closed, and its heuristic weights.
    labels: Vec<u32>,
    weights: Vec<f64>,
}

impl AttributionAcc {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.local_index.get(s) {
            return i;
        }
        let i = LOCAL_BIT | self.local.len() as u32;
        self.local.push(s.to_string());
        self.local_index.insert(s.to_string(), i);
        i
    }
}

/// The fold, with conditions resolved to dictionary codes.
pub struct AttributionFold {
    spec: AttributionSpec,
    conversion: Matcher,
    /// The conversion event's name code (None: `*`; Some(None): a name never seen), tested before the matcher.
    conversion_name: Option<Option<u16>>,
    touches: Vec<Matcher>,
    /// The `by` field when it is a dictionary column (labels are its codes).
    by_dict: Option<DictCol>,
    direct: Option<u32>,
    columns: Columns,
    dicts: Dictionaries,
}

impl AttributionFold {
    pub fn new(spec: AttributionSpec, dicts: &Dictionaries) -> Result<Self, String> {
        spec.validate()?;
        let conversion = Matcher::new(&spec.conversion, dicts);
        let touches: Vec<Matcher> = spec.touch_events.iter().map(|m| Matcher::new(m, dicts)).collect();
        let by_dict = match &spec.by.0 {
            Field::Dict(DictCol::Name) => None,
            Field::Dict(d) => Some(*d),
            _ => None,
        };
        let mut columns = Columns::dict(DictCol::Channel).with(conversion.columns()).with(Columns::REVENUE);
        for t in &touches {
            columns = columns.with(t.columns());
        }
        columns = columns.with(match &spec.by.0 {
            Field::Dict(DictCol::Name) => Columns::NONE,
            Field::Dict(d) => Columns::dict(*d),
            Field::Revenue => Columns::REVENUE,
            _ => Columns::ROWS,
        });
        if spec.sessions == SessionTouches::Entries {
            columns = columns.with(Columns::ROWS);
        }
        let direct = dicts.get(DictCol::Channel).code("direct");
        let conversion_name = (spec.conversion.event != "*").then(|| dicts.name_code(&spec.conversion.event));
        Ok(AttributionFold {
            spec,
            conversion,
            conversion_name,
            touches,
            by_dict,
            direct,
            columns,
            dicts: dicts.clone(),
        })
    }

    pub fn columns(&self) -> Columns {
        self.columns
    }

    pub fn spec(&self) -> &AttributionSpec {
        &self.spec
    }

    pub fn dicts(&self) -> &Dictionaries {
        &self.dicts
    }

    /// The text of a label id.
    pub fn label_text(&self, acc: &AttributionAcc, id: u32) -> String {
        let s = if id & NAME_BIT != 0 {
            self.dicts.name((id & !NAME_BIT) as u16).to_string()
        } else if id & LOCAL_BIT != 0 {
            acc.local.get((id & !LOCAL_BIT) as usize).cloned().unwrap_or_default()
        } else if let Some(d) = self.by_dict {
            self.dicts.get(d).value(id).to_string()
        } else {
            String::new()
        };
        if s.is_empty() {
            "(none)".into()
        } else {
            s
        }
    }

    /// Whether event `i` starts a new session.
    fn new_session(&self, view: &mut EventView<'_, '_>, i: usize) -> bool {
        let j = view.j;
        if i == 0 || j.ts[i] - j.ts[i - 1] >= SESSION_GAP_MS {
            return true;
        }
        if self.spec.sessions != SessionTouches::Entries || j.rows.is_empty() {
            return false;
        }
        let has = |k: usize| j.access.text(TextCol::Properties, j.rows[k]).contains("session_id");
        if !has(i) || !has(i - 1) {
            return false;
        }
        let mut id = |k: usize| view.props(k).get("session_id").map(value_text);
        matches!((id(i - 1), id(i)), (Some(a), Some(b)) if a != b)
    }

    /// The label of event `i` as a session entry (`fallback_name`: an empty or direct value reads the name).
    fn label(&self, view: &mut EventView<'_, '_>, acc: &mut AttributionAcc, i: usize, fallback_name: bool) -> u32 {
        let j = view.j;
        let channel = j.codes(DictCol::Channel).get(i).copied();
        if fallback_name && (channel.is_none() || channel == self.direct) {
            return NAME_BIT | u32::from(j.name[i]);
        }
        let id = match (&self.spec.by.0, self.by_dict) {
            (Field::Dict(DictCol::Name), _) => NAME_BIT | u32::from(j.name[i]),
            (_, Some(d)) => j.codes(d).get(i).copied().unwrap_or(0),
            (f, None) => {
                let text = view.field_text(f, i);
                acc.intern(&text)
            }
        };
        if !fallback_name {
            return id;
        }
        let empty = match self.by_dict {
            Some(d) if id & (NAME_BIT | LOCAL_BIT) == 0 => self.dicts.get(d).value(id).is_empty(),
            _ => id & LOCAL_BIT != 0 && acc.local[(id & !LOCAL_BIT) as usize].is_empty(),
        };
        if empty {
            NAME_BIT | u32::from(j.name[i])
        } else {
            id
        }
    }

    /// Ends the path in `acc.scratch` at `end` (a conversion with its revenue, or a null end).
    fn close(&self, acc: &mut AttributionAcc, end: i64, revenue: Option<f64>) {
        let mut touches = std::mem::take(&mut acc.scratch);
        if let Some(l) = self.spec.lookback_ms {
            let keep = touches.iter().position(|t| t.ts >= end.saturating_sub(l)).unwrap_or(touches.len());
            acc.cut += keep as u64;
            touches.drain(..keep);
        }
        if self.spec.direct == DirectRule::IgnoreWhenOther && touches.iter().any(|t| !t.direct) {
            touches.retain(|t| !t.direct);
        }
        let mut period = self.spec.period.map(|p| acc.periods.entry(p.start(self.spec.calendar, end)).or_default());
        if let Some(r) = revenue {
            acc.conversions += 1;
            acc.revenue += r;
            if let Some(p) = period.as_deref_mut() {
                p.conversions += 1;
                p.revenue += r;
            }
        }
        if touches.is_empty() {
            if let Some(r) = revenue {
                acc.unattributed += 1;
                acc.unattributed_revenue += r;
                if let Some(p) = period {
                    p.unattributed += 1;
                    p.unattributed_revenue += r;
                }
            }
            acc.scratch = touches;
            return;
        }
        acc.touches += touches.len() as u64;
        let mut labels = std::mem::take(&mut acc.labels);
        labels.clear();
        labels.extend(touches.iter().map(|t| t.label));
        let bump = |stats: &mut PathStats| match revenue {
            Some(r) => {
                stats.conversions += 1;
                stats.revenue += r;
            }
            None => stats.nulls += 1,
        };
        let count = |paths: &mut PathTable| bump(paths.entry(&labels));
        if let Some(p) = period {
            count(&mut p.paths);
        }
        count(&mut acc.paths);
        acc.labels = labels;
        if let Some(r) = revenue {
            let days = ((end - touches[0].ts).max(0) / DAY_MS) as u32;
            *acc.days_to_convert.entry(days).or_default() += 1;
            let mut weights = std::mem::take(&mut acc.weights);
            heuristic_weights(&self.spec, &touches, end, &mut weights);
            let n = touches.len();
            let period = self.spec.period.and_then(|p| acc.periods.get_mut(&p.start(self.spec.calendar, end)));
            // each cell gets its shares in touch order, as a model-by-model pass would add them
            for credit in [Some(&mut acc.credit), period.map(|p| &mut p.credit)].into_iter().flatten() {
                for (ti, t) in touches.iter().enumerate() {
                    if (0..HEURISTICS).all(|k| weights[k * n + ti] == 0.0) {
                        continue;
                    }
                    let c = credit.entry(t.label).or_insert([0.0; 2 * HEURISTICS]);
                    for k in 0..HEURISTICS {
                        let share = weights[k * n + ti];
                        if share != 0.0 {
                            c[2 * k] += share;
                            c[2 * k + 1] += share * r;
                        }
                    }
                }
            }
            acc.weights = weights;
        }
        touches.clear();
        acc.scratch = touches;
    }
}

impl JourneyFold for AttributionFold {
    type Acc = AttributionAcc;

    fn init(&self) -> AttributionAcc {
        AttributionAcc::default()
    }

    fn fold(&self, acc: &mut AttributionAcc, j: &Journey<'_>) {
        if j.is_empty() {
            return;
        }
        acc.customers += 1;
        acc.scratch.clear();
        let mut view = EventView::new(j, &self.dicts);
        let mut converted = false;
        let (ts, names, channels) = (j.ts, j.name, j.codes(DictCol::Channel));
        for i in 0..j.len() {
            let session = match self.spec.sessions {
                SessionTouches::None => false,
                // the gap alone: no need of the view
                SessionTouches::GapEntries => i == 0 || ts[i] - ts[i - 1] >= SESSION_GAP_MS,
                SessionTouches::Entries => self.new_session(&mut view, i),
            };
            let event = !session && !self.touches.is_empty() && self.touches.iter().any(|m| view.matches(m, i));
            if session || event {
                let label = self.label(&mut view, acc, i, event);
                let direct = session && self.direct.is_some() && channels.get(i).copied() == self.direct;
                acc.scratch.push(Touch { label, ts: ts[i], direct });
            }
            // most events are not conversions: their name says so without the matcher
            let named = self.conversion_name.is_none_or(|code| code == Some(names[i]));
            if named && view.matches(&self.conversion, i) {
                let r = j.revenue.get(i).copied().filter(|r| !r.is_nan()).unwrap_or(0.0);
                self.close(acc, j.ts[i], Some(r));
                converted = true;
                if self.spec.count == ConversionCount::Once {
                    acc.scratch.clear();
                    break;
                }
            }
        }
        acc.converters += u64::from(converted);
        if !acc.scratch.is_empty() {
            let last = j.ts[j.len() - 1];
            self.close(acc, last, None);
        }
    }

    fn merge(&self, into: &mut AttributionAcc, other: AttributionAcc) {
        let map: Vec<u32> = other.local.iter().map(|s| into.intern(s)).collect();
        let remap = |id: u32| if id & LOCAL_BIT != 0 { map[(id & !LOCAL_BIT) as usize] } else { id };
        let remap_paths: Option<&dyn Fn(u32) -> u32> = (!map.is_empty()).then_some(&remap as &dyn Fn(u32) -> u32);
        into.paths.merge(other.paths, remap_paths);
        merge_credit(&mut into.credit, other.credit, &remap);
        for (d, n) in other.days_to_convert {
            *into.days_to_convert.entry(d).or_default() += n;
        }
        into.conversions += other.conversions;
        into.revenue += other.revenue;
        into.unattributed += other.unattributed;
        into.unattributed_revenue += other.unattributed_revenue;
        into.touches += other.touches;
        into.cut += other.cut;
        into.customers += other.customers;
        into.converters += other.converters;
        for (day, p) in other.periods {
            into.periods.entry(day).or_default().merge(p, remap_paths);
        }
    }
}
