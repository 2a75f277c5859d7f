//! The parallel journey scan over a snapshot of parts.
//!
//! Customer keys are split into contiguous ranges (chunks) scanned in parallel with rayon. Within a chunk the
//! parts' customer directories are merged by key. A customer stored in one part with no name filter is handed to
//! the fold **zero-copy** (time and name columns are slices of the mmap); otherwise its rows are gathered from
//! every part, filtered, and sorted by (time, sequence) into scratch buffers.
//!
//! Identity merges that happened after rows were written leave rows filed under a non-representative key. Such
//! keys are "special": the representative (always the smallest id, so it comes first in key order) gathers the
//! rows of every member, and members are skipped when reached. Compaction re-files them under the representative.

use std::any::Any;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;
use tropa_core::event::{Channel, Context};
use tropa_core::{ActorId, Columns, DictCol, Dictionaries, Event, EventAccess, Journey, MessageKind, RowRef, TextCol};
use tropa_engine::{ScanSpec, ScanVisitor};

use crate::ident::Roots;
use crate::part::{Codes, PartReader, RevenueIndex, DICT_COLS};

/// The most chunks a scan is cut into, however many rows it reads.
pub const MAX_CHUNKS: usize = 64;

/// An immutable view of the store that scans and lookups run on.
pub struct Snapshot {
    pub parts: Vec<Arc<PartReader>>,
    pub roots: Arc<Roots>,
    pub dicts: Arc<Dictionaries>,
    /// Built by the first scan ([`Snapshot::groups`]): a lookup of one customer never walks every key.
    merged: std::sync::OnceLock<Groups>,
    tombstones: HashMap<u32, u64>,
    /// Aim for chunks of about this many rows.
    chunk_rows: usize,
}

/// Keys whose rows a scan gathers from elsewhere: merged after their rows were written, or forgotten.
struct Groups {
    /// A bit per key: a member or representative of a merged group, or a forgotten customer.
    special: Vec<u64>,
    /// Per representative: every member key with rows (itself included), sorted.
    groups: HashMap<u32, Vec<u32>>,
    /// The representatives, sorted.
    group_roots: Vec<u32>,
}

fn bit(bits: &[u64], k: u32) -> bool {
    bits.get(k as usize / 64).is_some_and(|w| w >> (k % 64) & 1 == 1)
}

fn set_bit(bits: &mut [u64], k: u32) {
    if let Some(w) = bits.get_mut(k as usize / 64) {
        *w |= 1 << (k % 64);
    }
}

/// Reusable buffers of one chunk.
#[derive(Default)]
struct Scratch {
    ts: Vec<i64>,
    name: Vec<u16>,
    kind: Vec<u8>,
    dict: Vec<Vec<u32>>,
    revenue: Vec<f64>,
    rows: Vec<RowRef>,
    cand: Vec<(i64, u64, u32, u32)>,
    /// Time and names of the chunk's rows of parts not read in place: (part, first row, times, names).
    win: Vec<(usize, usize, Vec<i64>, Vec<u16>)>,
    tmp: Vec<u64>,
    /// Per part (by index in the snapshot): where this chunk's last revenue read stopped in the part's list of
    /// rows with revenue; customers come in key order, so reads only move forward.
    rev_at: Vec<usize>,
    /// The gathered customer's rows with revenue: ((part, row), revenue), sorted.
    rev_rows: Vec<((u32, u32), f64)>,
    err: Option<tropa_engine::EngineError>,
}

/// What a chunk needs to know about the scan.
struct Plan<'a> {
    spec: &'a ScanSpec,
    names: Option<Vec<u64>>,
    /// [`ScanSpec::having`] as name-code bits: customers without such an event are skipped.
    having: Option<Vec<u64>>,
    parts: Vec<usize>,
    /// The dictionary columns the scan fills (index into a part's dictionary columns).
    dicts: Vec<usize>,
}

impl Plan<'_> {
    fn name_ok(&self, code: u16) -> bool {
        self.names.as_ref().is_none_or(|bits| bit(bits, code as u32))
    }
}

/// A part's place in a chunk's merge of customer directories.
struct Cursor<'p> {
    part: usize,
    /// The part's first customer in the chunk's range.
    first: usize,
    /// The next customer to merge.
    pos: usize,
    keys: &'p [u32],
    starts: &'p [u32],
}

/// A part's columns as a chunk reads them in place: resolved once per chunk, not per customer.
struct PartCols<'a> {
    part: usize,
    ts: &'a [i64],
    names: &'a [u16],
    /// The row `ts[0]` and `names[0]` stand for (non-zero when they come from the chunk's window).
    base: usize,
    codes: [Codes<'a>; DICT_COLS],
    revenue: Option<RevenueIndex<'a>>,
    kinds: &'a [u8],
}

impl Snapshot {
    pub fn new(
        parts: Vec<Arc<PartReader>>,
        roots: Arc<Roots>,
        dicts: Arc<Dictionaries>,
        tombstones: HashMap<u32, u64>,
        chunk_rows: usize,
    ) -> Self {
        let merged = std::sync::OnceLock::new();
        Snapshot { parts, roots, dicts, merged, tombstones, chunk_rows: chunk_rows.max(1) }
    }

    /// The merged groups and special keys, found on first use by walking every part's keys.
    fn groups(&self) -> &Groups {
        self.merged.get_or_init(|| {
            let roots = &self.roots;
            let mut special = vec![0u64; roots.len().div_ceil(64)];
            let mut groups: HashMap<u32, Vec<u32>> = HashMap::new();
            for p in &self.parts {
                for &k in p.keys() {
                    let r = roots.get(k as usize).copied().unwrap_or(k);
                    if r != k {
                        set_bit(&mut special, k);
                        set_bit(&mut special, r);
                        groups.entry(r).or_default().push(k);
                    }
                }
            }
            for (&r, members) in groups.iter_mut() {
                members.push(r);
                members.sort_unstable();
                members.dedup();
            }
            for &k in self.tombstones.keys() {
                set_bit(&mut special, k);
            }
            let mut group_roots: Vec<u32> = groups.keys().copied().collect();
            group_roots.sort_unstable();
            Groups { special, groups, group_roots }
        })
    }

    pub fn rows(&self) -> u64 {
        self.parts.iter().map(|p| p.rows as u64).sum()
    }

    fn plan<'a>(&self, spec: &'a ScanSpec) -> Plan<'a> {
        // a name list as a bit set of name codes (names never stored set no bit)
        let bits = |list: &Vec<String>| {
            let mut bits = vec![0u64; 1024];
            for c in list.iter().filter_map(|n| self.dicts.name_code(n)) {
                set_bit(&mut bits, c as u32);
            }
            bits
        };
        let names = spec.names.as_ref().map(bits);
        let having = spec.having.as_ref().map(bits);
        let parts = (0..self.parts.len())
            .filter(|&i| {
                let p = &self.parts[i];
                p.rows > 0 && spec.from.is_none_or(|f| p.max_ts >= f) && spec.to.is_none_or(|t| p.min_ts < t)
            })
            .collect();
        let dicts = (0..DICT_COLS).filter(|&i| spec.columns.has_dict(DictCol::ALL[i + 1])).collect();
        Plan { spec, names, having, parts, dicts }
    }

    /// Decodes what a scan by `spec` reads of every part it reads (format 2 columns are decoded on first use;
    /// this makes damage an error before the scan, and decodes the parts in parallel).
    pub fn load(&self, spec: &ScanSpec) -> Result<(), tropa_engine::EngineError> {
        let plan = self.plan(spec);
        // sequence numbers order rows only where a customer's rows come from several places: parts whose key
        // ranges overlap, merged identities, forgotten customers (after a compaction, usually none)
        let mut ranges: Vec<(u32, u32)> =
            plan.parts.iter().map(|&p| (self.parts[p].min_key, self.parts[p].max_key)).collect();
        ranges.sort_unstable();
        let overlap = ranges.windows(2).any(|w| w[1].0 <= w[0].1);
        let seq = overlap || self.groups().special.iter().any(|&w| w != 0);
        // rows gathered from several places read time and names by row: those are decoded whole; otherwise the
        // scan decodes them chunk by chunk into reused buffers
        let hot = seq || plan.names.is_some();
        plan.parts.par_iter().try_for_each(|&p| self.parts[p].load(spec.columns, hot, seq))
    }

    /// Runs `visitor` over all customers; one result per chunk, in key order. A damaged block met by a chunk
    /// is an error.
    pub fn scan(
        &self,
        spec: &ScanSpec,
        visitor: &dyn ScanVisitor,
    ) -> Result<Vec<Box<dyn Any + Send>>, tropa_engine::EngineError> {
        let plan = self.plan(spec);
        let keys = self.roots.len() as u64;
        // every chunk's result is merged into the answer on one thread, after the scan: more chunks than
        // [`MAX_CHUNKS`] balance no better and cost a partial result each (a path table, a histogram …)
        let chunks = ((self.rows() as usize / self.chunk_rows).clamp(1, MAX_CHUNKS) as u64).min(keys.max(1));
        let ranges: Vec<Range<u32>> = (0..chunks)
            .map(|i| ((keys * i / chunks) as u32)..((keys * (i + 1) / chunks) as u32))
            .filter(|r| !r.is_empty() || keys == 0)
            .collect();
        // scratch buffers are reused from chunk to chunk: fresh ones per chunk cost a page fault per 4 KiB
        let pool: std::sync::Mutex<Vec<Scratch>> = std::sync::Mutex::new(Vec::new());
        ranges
            .into_par_iter()
            .map(|range| {
                let mut scratch = pool
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .pop()
                    .unwrap_or_else(|| Scratch { dict: vec![Vec::new(); DICT_COLS], ..Scratch::default() });
                let mut sink = visitor.start();
                self.scan_range(&plan, range, &mut scratch, &mut |j| sink.journey(j));
                let out = match scratch.err.take() {
                    Some(e) => Err(e),
                    None => Ok(sink.finish()),
                };
                pool.lock().unwrap_or_else(|e| e.into_inner()).push(scratch);
                out
            })
            .collect()
    }

    fn scan_range(&self, plan: &Plan<'_>, range: Range<u32>, s: &mut Scratch, f: &mut dyn FnMut(&Journey<'_>)) {
        let mut cursors: Vec<Cursor<'_>> = plan
            .parts
            .iter()
            .filter(|&&p| self.parts[p].max_key >= range.start && self.parts[p].min_key < range.end)
            .map(|&p| {
                let part = &self.parts[p];
                let first = part.seek(range.start);
                Cursor { part: p, first, pos: first, keys: part.keys(), starts: part.starts() }
            })
            .collect();
        // time and names of this chunk's rows, for parts that are not read in place
        let mut used = 0;
        for c in &cursors {
            let part = &self.parts[c.part];
            if part.hot_ready() {
                continue;
            }
            let (lo, hi) = (c.starts[c.pos] as usize, c.starts[part.seek(range.end)] as usize);
            if s.win.len() <= used {
                s.win.push((0, 0, Vec::new(), Vec::new()));
            }
            let w = &mut s.win[used];
            (w.0, w.1) = (c.part, lo);
            w.2.clear();
            w.3.clear();
            if let Err(e) = part.hot_rows(lo..hi, &mut w.2, &mut w.3, &mut s.tmp) {
                s.err.get_or_insert(e);
                return;
            }
            used += 1;
        }
        s.rev_at.clear();
        s.rev_at.resize(self.parts.len(), 0);
        // each part's columns resolved once for the chunk (the window's buffers are set aside while they are read)
        let win = std::mem::take(&mut s.win);
        let cols: Vec<PartCols<'_>> = cursors.iter().map(|c| self.part_cols(plan, c.part, &win[..used])).collect();
        let Groups { special, groups, group_roots } = self.groups();
        let mut gi = group_roots.partition_point(|&r| r < range.start);
        let mut segs: Vec<(usize, Range<usize>)> = Vec::with_capacity(cursors.len());
        loop {
            let mut k = u32::MAX;
            for c in &cursors {
                if let Some(&key) = c.keys.get(c.pos) {
                    k = k.min(key);
                }
            }
            if let Some(&r) = group_roots.get(gi) {
                k = k.min(r);
            }
            if k >= range.end {
                break;
            }
            segs.clear();
            let mut only = 0;
            for (ci, c) in cursors.iter_mut().enumerate() {
                if c.keys.get(c.pos) == Some(&k) {
                    segs.push((c.part, c.starts[c.pos] as usize..c.starts[c.pos + 1] as usize));
                    c.pos += 1;
                    only = ci;
                }
            }
            if group_roots.get(gi) == Some(&k) {
                gi += 1;
            }
            if bit(special, k) {
                if self.roots.get(k as usize).is_some_and(|&r| r != k) {
                    continue; // a member: its root gathers it
                }
                if let Some(members) = groups.get(&k) {
                    let mut all = Vec::new();
                    for &m in members {
                        for &p in &plan.parts {
                            let part = &self.parts[p];
                            let i = part.seek(m);
                            if part.keys().get(i) == Some(&m) {
                                let st = part.starts();
                                all.push((p, st[i] as usize..st[i + 1] as usize, m));
                            }
                        }
                    }
                    self.gather(plan, k, all.into_iter(), s, f);
                } else {
                    let list: Vec<_> = segs.iter().map(|(p, r)| (*p, r.clone(), k)).collect();
                    self.gather(plan, k, list.into_iter(), s, f);
                }
            } else if segs.len() == 1 && plan.names.is_none() {
                self.direct(plan, k, &cols[only], segs[0].1.clone(), s, f);
            } else {
                let list: Vec<_> = segs.iter().map(|(p, r)| (*p, r.clone(), k)).collect();
                self.gather(plan, k, list.into_iter(), s, f);
            }
        }
        drop(cols);
        s.win = win;
        // this chunk's rows are done with: their pages leave the process (a scan's resident memory stays about a
        // chunk per thread instead of every column read)
        for c in &cursors {
            let part = &self.parts[c.part];
            let rows = c.starts[c.first] as usize..c.starts.get(c.pos).map_or(part.rows, |&r| r as usize);
            part.release(rows, c.first..c.pos);
        }
    }

    /// The columns of part `p` a chunk reads in place (time and names from the chunk's window when the part
    /// is not decoded whole).
    fn part_cols<'a>(
        &'a self,
        plan: &Plan<'_>,
        p: usize,
        win: &'a [(usize, usize, Vec<i64>, Vec<u16>)],
    ) -> PartCols<'a> {
        let part = &self.parts[p];
        let (ts, names, base): (&[i64], &[u16], usize) = match win.iter().find(|w| w.0 == p) {
            Some(w) => (&w.2, &w.3, w.1),
            None => (part.ts(), part.names(), 0),
        };
        let mut codes = [Codes::None; DICT_COLS];
        for &i in &plan.dicts {
            codes[i] = part.codes(i);
        }
        let cols = plan.spec.columns;
        PartCols {
            part: p,
            ts,
            names,
            base,
            codes,
            revenue: cols.has(Columns::REVENUE).then(|| part.revenue_index()),
            kinds: if cols.has(Columns::KIND) { part.kinds() } else { &[] },
        }
    }

    /// Zero-copy path: one part, contiguous rows, time filter by binary search.
    fn direct(
        &self,
        plan: &Plan<'_>,
        key: u32,
        c: &PartCols<'_>,
        mut r: Range<usize>,
        s: &mut Scratch,
        f: &mut dyn FnMut(&Journey<'_>),
    ) {
        let (p, ts_all, names_all, base) = (c.part, c.ts, c.names, c.base);
        if plan.spec.from.is_some() || plan.spec.to.is_some() {
            let ts = &ts_all[r.start - base..r.end - base];
            let lo = plan.spec.from.map_or(0, |from| ts.partition_point(|&t| t < from));
            let hi = plan.spec.to.map_or(ts.len(), |to| ts.partition_point(|&t| t < to));
            if lo >= hi {
                return;
            }
            r = r.start + lo..r.start + hi;
        }
        if let Some(bits) = &plan.having {
            if !names_all[r.start - base..r.end - base].iter().any(|&c| bit(bits, c as u32)) {
                return;
            }
        }
        let cols = plan.spec.columns;
        for &i in &plan.dicts {
            s.dict[i].clear();
            c.codes[i].extend(r.clone(), &mut s.dict[i]);
        }
        s.revenue.clear();
        if let Some(rev) = &c.revenue {
            rev.fill(r.clone(), &mut s.revenue, &mut s.rev_at[p]);
        }
        s.rows.clear();
        if cols.has(Columns::ROWS) {
            s.rows.extend(r.clone().map(|row| RowRef { part: p as u32, row: row as u32 }));
        }
        let kind: &[u8] = if c.kinds.is_empty() { &[] } else { &c.kinds[r.clone()] };
        let mut dict: [&[u32]; DictCol::COUNT] = [&[]; DictCol::COUNT];
        for &i in &plan.dicts {
            dict[i + 1] = &s.dict[i];
        }
        f(&Journey {
            customer: ActorId(key),
            ts: &ts_all[r.start - base..r.end - base],
            name: &names_all[r.start - base..r.end - base],
            dict,
            revenue: &s.revenue,
            kind,
            rows: &s.rows,
            access: self,
        });
    }

    /// Copying path: rows from several places, filtered and sorted by (time, sequence).
    fn gather(
        &self,
        plan: &Plan<'_>,
        key: u32,
        list: impl Iterator<Item = (usize, Range<usize>, u32)>,
        s: &mut Scratch,
        f: &mut dyn FnMut(&Journey<'_>),
    ) {
        s.cand.clear();
        s.rev_rows.clear();
        let want_revenue = plan.spec.columns.has(Columns::REVENUE);
        for (p, r, stored_key) in list {
            let part = &self.parts[p];
            let (ts, seq, names) = (part.ts(), part.seq(), part.names());
            let dead = self.tombstones.get(&stored_key).copied();
            if want_revenue {
                // the segment's rows with revenue, found once per segment (usually none or a few)
                part.revenue_rows(r.clone(), |row, v| s.rev_rows.push(((p as u32, row as u32), v)));
            }
            for row in r {
                let t = ts[row];
                if !plan.spec.time_ok(t) || !plan.name_ok(names[row]) || dead.is_some_and(|m| seq[row] <= m) {
                    continue;
                }
                s.cand.push((t, seq[row], p as u32, row as u32));
            }
        }
        if s.cand.is_empty() {
            return;
        }
        if let Some(bits) = &plan.having {
            if !s.cand.iter().any(|&(_, _, p, row)| bit(bits, self.parts[p as usize].names()[row as usize] as u32)) {
                return;
            }
        }
        s.cand.sort_unstable();
        s.rev_rows.sort_unstable_by_key(|a| a.0);
        let cols = plan.spec.columns;
        s.ts.clear();
        s.name.clear();
        s.kind.clear();
        s.revenue.clear();
        s.rows.clear();
        for d in s.dict.iter_mut() {
            d.clear();
        }
        for &(t, _, p, row) in &s.cand {
            let part = &self.parts[p as usize];
            let row_u = row as usize;
            s.ts.push(t);
            s.name.push(part.names()[row_u]);
            if cols.has(Columns::KIND) {
                s.kind.push(part.kinds()[row_u]);
            }
            if want_revenue {
                let at = s.rev_rows.binary_search_by(|e| e.0.cmp(&(p, row)));
                s.revenue.push(at.map_or(f64::NAN, |i| s.rev_rows[i].1));
            }
            if cols.has(Columns::ROWS) {
                s.rows.push(RowRef { part: p, row });
            }
            for (i, d) in s.dict.iter_mut().enumerate() {
                if cols.has_dict(DictCol::ALL[i + 1]) {
                    d.push(part.dict_code(i, row_u));
                }
            }
        }
        let mut dict: [&[u32]; DictCol::COUNT] = [&[]; DictCol::COUNT];
        for (i, d) in s.dict.iter().enumerate() {
            dict[i + 1] = d;
        }
        f(&Journey {
            customer: ActorId(key),
            ts: &s.ts,
            name: &s.name,
            dict,
            revenue: &s.revenue,
            kind: &s.kind,
            rows: &s.rows,
            access: self,
        });
    }

    /// Every visible row of the customer whose members are `members`, sorted by (time, sequence).
    pub fn customer_rows(&self, members: &[u32]) -> Vec<RowRef> {
        let mut cand = Vec::new();
        for (p, part) in self.parts.iter().enumerate() {
            for &m in members {
                let i = part.seek(m);
                if part.keys().get(i) != Some(&m) {
                    continue;
                }
                let dead = self.tombstones.get(&m).copied();
                let st = part.starts();
                for row in st[i] as usize..st[i + 1] as usize {
                    // one customer: single rows (a block each), not whole columns
                    let seq = part.seq_at(row);
                    if dead.is_none_or(|d| seq > d) {
                        cand.push((part.ts_at(row), seq, p as u32, row as u32));
                    }
                }
            }
        }
        cand.sort_unstable();
        cand.into_iter().map(|(_, _, part, row)| RowRef { part, row }).collect()
    }

    fn dict_value(&self, col: DictCol, part: &PartReader, row: usize) -> String {
        self.dicts.get(col).value(part.dict_code(col as usize - 1, row)).to_string()
    }
}

impl EventAccess for Snapshot {
    fn event(&self, r: RowRef) -> Event {
        let Some(part) = self.parts.get(r.part as usize) else { return Event::default() };
        let row = r.row as usize;
        if row >= part.rows {
            return Event::default();
        }
        let t = |c: TextCol| part.text(c, row).to_string();
        let d = |c: DictCol| self.dict_value(c, part, row);
        let revenue = part.revenue_at(row);
        Event {
            message_id: t(TextCol::MessageId),
            kind: MessageKind::from_u8(part.kind_at(row)).unwrap_or_default(),
            timestamp: part.ts_at(row),
            received_at: part.recv_at(row),
            anonymous_id: t(TextCol::AnonymousId),
            user_id: t(TextCol::UserId),
            name: self.dicts.name(part.name_at(row)).to_string(),
            touchpoint: d(DictCol::Touchpoint),
            channel: Channel {
                source: d(DictCol::Source),
                medium: d(DictCol::Medium),
                campaign: d(DictCol::Campaign),
                term: d(DictCol::Term),
                content: d(DictCol::Content),
                referrer: t(TextCol::Referrer),
                group: d(DictCol::Channel),
            },
            revenue: (!revenue.is_nan()).then_some(revenue),
            currency: d(DictCol::Currency),
            properties: t(TextCol::Properties),
            traits: t(TextCol::Traits),
            context: Context {
                page_url: t(TextCol::PageUrl),
                page_title: t(TextCol::PageTitle),
                user_agent: t(TextCol::UserAgent),
                ip: t(TextCol::Ip),
                country: d(DictCol::Country),
                city: d(DictCol::City),
                locale: t(TextCol::Locale),
            },
        }
    }

    fn text(&self, col: TextCol, r: RowRef) -> &str {
        match self.parts.get(r.part as usize) {
            Some(p) if (r.row as usize) < p.rows => p.text(col, r.row as usize),
            _ => "",
        }
    }
}
