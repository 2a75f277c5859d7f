//! Building a part in memory: rows in, sorted columns out.

use tropa_core::TextCol;

use super::DICT_COLS;

/// One event as the store files it.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub key: u32,
    pub seq: u64,
    pub ts: i64,
    pub received_at: i64,
    pub kind: u8,
    pub name: u16,
    /// Codes of `DictCol::ALL[1..]`.
    pub dict: [u32; DICT_COLS],
    /// NaN when absent.
    pub revenue: f64,
    pub text: [&'a str; TextCol::COUNT],
}

/// A plain text column: `offsets[i]..offsets[i+1]` of `bytes` is row i.
#[derive(Debug, Clone, Default)]
pub struct TextData {
    pub offsets: Vec<u64>,
    pub bytes: Vec<u8>,
}

impl TextData {
    fn new() -> Self {
        TextData { offsets: vec![0], bytes: Vec::new() }
    }

    pub fn get(&self, i: usize) -> &str {
        let (a, b) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
        std::str::from_utf8(&self.bytes[a..b]).unwrap_or("")
    }
}

/// Columns of a part in sorted order, ready to write.
#[derive(Debug, Clone, Default)]
pub struct PartData {
    pub keys: Vec<u32>,
    pub starts: Vec<u32>,
    pub ts: Vec<i64>,
    pub recv: Vec<i64>,
    pub seq: Vec<u64>,
    pub name: Vec<u16>,
    pub kind: Vec<u8>,
    pub dict: Vec<Vec<u32>>,
    pub revenue: Vec<f64>,
    pub text: Vec<TextData>,
}

impl PartData {
    pub fn rows(&self) -> usize {
        self.ts.len()
    }
}

/// Accumulates rows in arrival order.
#[derive(Debug, Clone)]
pub struct PartBuilder {
    key: Vec<u32>,
    data: PartData,
    text_bytes: usize,
}

impl Default for PartBuilder {
    fn default() -> Self {
        PartBuilder {
            key: Vec::new(),
            data: PartData {
                dict: vec![Vec::new(); DICT_COLS],
                text: (0..TextCol::COUNT).map(|_| TextData::new()).collect(),
                ..PartData::default()
            },
            text_bytes: 0,
        }
    }
}

impl PartBuilder {
    pub fn new() -> Self {
        PartBuilder::default()
    }

    /// A builder that reuses the buffers of a part already written (no fresh pages for the next one).
    pub fn recycle(data: PartData) -> Self {
        let PartData {
            keys,
            starts: _,
            mut ts,
            mut recv,
            mut seq,
            mut name,
            mut kind,
            mut dict,
            mut revenue,
            mut text,
        } = data;
        let mut key = keys;
        for v in [&mut ts, &mut recv] {
            v.clear();
        }
        key.clear();
        seq.clear();
        name.clear();
        kind.clear();
        revenue.clear();
        for d in dict.iter_mut() {
            d.clear();
        }
        for t in text.iter_mut() {
            t.offsets.clear();
            t.offsets.push(0);
            t.bytes.clear();
        }
        PartBuilder {
            key,
            data: PartData { keys: Vec::new(), starts: Vec::new(), ts, recv, seq, name, kind, dict, revenue, text },
            text_bytes: 0,
        }
    }

    /// Files every row under `f(key)` (e.g. its customer's current representative).
    pub fn rekey(&mut self, f: impl Fn(u32) -> u32) {
        for k in self.key.iter_mut() {
            *k = f(*k);
        }
    }

    /// Reserves room for `rows` more rows.
    pub fn reserve(&mut self, rows: usize) {
        let d = &mut self.data;
        self.key.reserve(rows);
        d.ts.reserve(rows);
        d.recv.reserve(rows);
        d.seq.reserve(rows);
        d.name.reserve(rows);
        d.kind.reserve(rows);
        d.revenue.reserve(rows);
        for c in d.dict.iter_mut() {
            c.reserve(rows);
        }
        for t in d.text.iter_mut() {
            t.offsets.reserve(rows);
        }
    }

    pub fn len(&self) -> usize {
        self.key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.key.is_empty()
    }

    /// Approximate memory held, in bytes.
    pub fn bytes(&self) -> usize {
        self.key.len() * (4 + 8 + 8 + 8 + 2 + 1 + 8 + 4 * DICT_COLS + 8 * TextCol::COUNT) + self.text_bytes
    }

    pub fn push(&mut self, row: &Row<'_>) {
        let d = &mut self.data;
        self.key.push(row.key);
        d.ts.push(row.ts);
        d.recv.push(row.received_at);
        d.seq.push(row.seq);
        d.name.push(row.name);
        d.kind.push(row.kind);
        for (col, &code) in d.dict.iter_mut().zip(row.dict.iter()) {
            col.push(code);
        }
        d.revenue.push(row.revenue);
        for (col, s) in d.text.iter_mut().zip(row.text.iter()) {
            col.bytes.extend_from_slice(s.as_bytes());
            col.offsets.push(col.bytes.len() as u64);
            self.text_bytes += s.len();
        }
    }

    /// Reserves room for as many rows and text bytes as `other` holds (the next memtable after a freeze: it
    /// fills without copying its columns each time they double).
    pub fn reserve_like(&mut self, other: &PartBuilder) {
        self.reserve(other.len());
        for (t, o) in self.data.text.iter_mut().zip(other.data.text.iter()) {
            t.bytes.reserve(o.bytes.len());
        }
    }

    /// Text column `col` of row `row` (arrival order).
    pub fn text(&self, col: TextCol, row: usize) -> &str {
        self.data.text[col as usize].get(row)
    }

    /// The columns [`PartBuilder::finish`] would give, leaving the builder as it is.
    pub fn sorted(&self) -> PartData {
        let (key, d) = (&self.key, &self.data);
        let n = key.len();
        let mut perm: Vec<u32> = (0..n as u32).collect();
        perm.sort_unstable_by_key(|&i| (key[i as usize], d.ts[i as usize], d.seq[i as usize]));
        let mut out = permute(d, &perm);
        for (i, &p) in perm.iter().enumerate() {
            let k = key[p as usize];
            if out.keys.last() != Some(&k) {
                out.keys.push(k);
                out.starts.push(i as u32);
            }
        }
        out.starts.push(n as u32);
        out
    }

    /// Sorts by (key, ts, seq) and groups rows by customer key.
    pub fn finish(self) -> PartData {
        let PartBuilder { key, data, .. } = self;
        let n = key.len();
        let sorted = (1..n).all(|i| (key[i - 1], data.ts[i - 1], data.seq[i - 1]) <= (key[i], data.ts[i], data.seq[i]));
        let data = if sorted {
            data
        } else {
            let mut perm: Vec<u32> = (0..n as u32).collect();
            perm.sort_unstable_by_key(|&i| (key[i as usize], data.ts[i as usize], data.seq[i as usize]));
            permute(&data, &perm)
        };
        let keys_in_order: Vec<u32> = if sorted {
            key
        } else {
            let mut k = key;
            k.sort_unstable();
            k
        };
        let mut out = data;
        out.keys.clear();
        out.starts.clear();
        for (i, &k) in keys_in_order.iter().enumerate() {
            if out.keys.last() != Some(&k) {
                out.keys.push(k);
                out.starts.push(i as u32);
            }
        }
        out.starts.push(n as u32);
        out
    }
}

fn permute(d: &PartData, perm: &[u32]) -> PartData {
    let pick = |v: &[i64]| perm.iter().map(|&i| v[i as usize]).collect::<Vec<_>>();
    let text = d
        .text
        .iter()
        .map(|t| {
            let mut out = TextData::new();
            out.bytes.reserve(t.bytes.len());
            for &i in perm {
                out.bytes.extend_from_slice(t.get(i as usize).as_bytes());
                out.offsets.push(out.bytes.len() as u64);
            }
            out
        })
        .collect();
    PartData {
        keys: Vec::new(),
        starts: Vec::new(),
        ts: pick(&d.ts),
        recv: pick(&d.recv),
        seq: perm.iter().map(|&i| d.seq[i as usize]).collect(),
        name: perm.iter().map(|&i| d.name[i as usize]).collect(),
        kind: perm.iter().map(|&i| d.kind[i as usize]).collect(),
        dict: d.dict.iter().map(|c| perm.iter().map(|&i| c[i as usize]).collect()).collect(),
        revenue: perm.iter().map(|&i| d.revenue[i as usize]).collect(),
        text,
    }
}
