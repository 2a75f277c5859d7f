//! The part format across versions: a part written by format version 1 (a fixture committed before version 2
//! existed) still reads the same, and every format the writer can produce reads back exactly what was written.

use std::path::{Path, PathBuf};

use tropa_core::TextCol;
use tropa_store::part::{write_part, PartBuilder, PartData, PartReader, Row, DICT_COLS};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/part-v1.trp")
}

/// Rows of the version 2 fixture: enough for time, sequence and arrival to span two blocks.
const V2_ROWS: usize = 40_000;

fn fixture_v2() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/part-v2.trp")
}

/// One row's values: key, sequence, time, arrival, kind, name, dictionary codes, revenue, text.
type Owned = (u32, u64, i64, i64, u8, u16, [u32; DICT_COLS], f64, [String; TextCol::COUNT]);

/// A deterministic part that exercises every kind of section: several customers pushed out of order, dictionary
/// codes of width 1, 2 and 4 and an all-zero column, sparse revenue, plain text (distinct values), dictionary text
/// (repeated values) and empty text columns.
fn sample(rows: usize) -> PartData {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut owned: Vec<Owned> = Vec::new();
    for i in 0..rows {
        let r = next();
        let key = (r % 37) as u32 * 3;
        let ts = 1_700_000_000_000 + (next() % 5_000_000) as i64;
        let mut dict = [0u32; DICT_COLS];
        dict[0] = (r >> 8) as u32 % 7; // width 1
        dict[1] = (r >> 16) as u32 % 900; // width 2
        dict[2] = (r >> 24) as u32 % 100_000; // width 4
                                              // dict[3..] stay zero (absent sections)
        dict[5] = (i % 3) as u32;
        let revenue = if r % 5 == 0 { (r % 10_000) as f64 / 100.0 } else { f64::NAN };
        let mut text: [String; TextCol::COUNT] = Default::default();
        text[TextCol::MessageId as usize] = format!("m-{i}-{:x}", next());
        text[TextCol::UserId as usize] = format!("user-{key}");
        text[TextCol::Properties as usize] = format!("{{\"n\":{},\"s\":\"ж{}\"}}", r % 1000, r % 13);
        text[TextCol::Locale as usize] = ["en", "ru", "de"][i % 3].to_string();
        owned.push((key, i as u64 + 1, ts, ts + 17, (r % 3) as u8, (r % 11) as u16, dict, revenue, text));
    }
    let mut b = PartBuilder::new();
    for (key, seq, ts, recv, kind, name, dict, revenue, text) in &owned {
        let mut t = [""; TextCol::COUNT];
        for (slot, s) in t.iter_mut().zip(text.iter()) {
            *slot = s;
        }
        b.push(&Row {
            key: *key,
            seq: *seq,
            ts: *ts,
            received_at: *recv,
            kind: *kind,
            name: *name,
            dict: *dict,
            revenue: *revenue,
            text: t,
        });
    }
    b.finish()
}

/// Every value of `part` equals `data`'s.
fn assert_reads(part: &PartReader, data: &PartData) {
    let rows = data.rows();
    assert_eq!(part.rows, rows);
    assert_eq!(part.customers, data.keys.len());
    assert_eq!(part.keys(), &data.keys[..]);
    assert_eq!(part.starts(), &data.starts[..]);
    assert_eq!(part.ts(), &data.ts[..]);
    assert_eq!(part.seq(), &data.seq[..]);
    assert_eq!(part.recv(), &data.recv[..]);
    assert_eq!(part.names(), &data.name[..]);
    assert_eq!(part.kinds(), &data.kind[..]);
    for (i, col) in data.dict.iter().enumerate() {
        let mut got = Vec::new();
        part.dict_codes(i, 0..rows, &mut got);
        assert_eq!(&got, col, "dictionary column {i}");
        let mut mid = Vec::new();
        part.dict_codes(i, rows / 3..rows / 2, &mut mid);
        assert_eq!(&mid[..], &col[rows / 3..rows / 2]);
        for r in [0, rows / 2, rows - 1] {
            assert_eq!(part.dict_code(i, r), col[r]);
        }
    }
    let mut rev = Vec::new();
    part.revenue(0..rows, &mut rev);
    for (r, (a, b)) in rev.iter().zip(&data.revenue).enumerate() {
        assert!(a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()), "revenue of row {r}");
        assert!(part.revenue_at(r).to_bits() == a.to_bits() || a.is_nan());
    }
    for (c, t) in data.text.iter().enumerate() {
        let mut all = Vec::new();
        part.each_text(TextCol::ALL[c], |v| all.push(v.to_string())).unwrap();
        assert_eq!(all.len(), rows);
        for (r, v) in all.iter().enumerate() {
            assert_eq!(v, t.get(r), "text column {c} row {r}, all at once");
        }
        for r in 0..rows {
            assert_eq!(part.text(TextCol::ALL[c], r), t.get(r), "text column {c} row {r}");
        }
    }
}

#[test]
fn a_version_1_part_reads_the_same() {
    let part = PartReader::open(&fixture()).unwrap();
    assert_reads(&part, &sample(3000));
}

/// A part written by the first format 2 writer (zstd blocks of delta varints, bit-packed codes; committed before
/// its decode changed) still reads the same.
#[test]
fn a_version_2_part_reads_the_same() {
    let part = PartReader::open(&fixture_v2()).unwrap();
    assert_reads(&part, &sample(V2_ROWS));
}

#[test]
fn the_writer_reads_back_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    for rows in [1, 2, 3000, 70_000] {
        let data = sample(rows);
        let path = dir.path().join(format!("p{rows}.trp"));
        let meta = write_part(&path, &data, 1).unwrap();
        assert_eq!(meta.rows, rows as u64);
        assert_eq!(meta.bytes, std::fs::metadata(&path).unwrap().len());
        assert_reads(&PartReader::open(&path).unwrap(), &data);
        assert_reads(&PartReader::in_memory(&data).unwrap(), &data);
    }
}

#[test]
fn format_2_is_smaller_and_format_1_can_still_be_written() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample(70_000);
    let v1 = tropa_store::part::write_part_as(&dir.path().join("a.trp"), &data, 1, 1).unwrap();
    let v2 = tropa_store::part::write_part_as(&dir.path().join("b.trp"), &data, 2, 2).unwrap();
    assert!(v2.bytes * 2 < v1.bytes, "format 2: {} bytes, format 1: {}", v2.bytes, v1.bytes);
    assert_reads(&PartReader::open(&dir.path().join("a.trp")).unwrap(), &data);
    assert_reads(&PartReader::open(&dir.path().join("b.trp")).unwrap(), &data);
}

/// Writes the version 1 fixture: run once with the version 1 writer, never again (the file is committed).
#[test]
#[ignore]
fn write_the_version_1_fixture() {
    let path = fixture();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    tropa_store::part::write_part_as(&path, &sample(3000), 7, 1).unwrap();
}

/// Writes the version 2 fixture with the first format 2 writer: run once, never again (the file is committed).
#[test]
#[ignore]
fn write_the_version_2_fixture() {
    let path = fixture_v2();
    tropa_store::part::write_part_as(&path, &sample(V2_ROWS), 8, 2).unwrap();
}
