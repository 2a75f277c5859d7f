//! Bytes on disk per event, by section, of a data folder's parts (the size table of issue 12):
//! `cargo run --release -p tropa-store --example part_sizes -- DATA_DIR`
use std::collections::BTreeMap;

use tropa_store::part::PartReader;

fn section_name(id: u32) -> String {
    const TEXT: [&str; 11] = [
        "message_id",
        "anonymous_id",
        "user_id",
        "referrer",
        "properties",
        "traits",
        "page_url",
        "page_title",
        "user_agent",
        "ip",
        "locale",
    ];
    match id {
        1 => "customer keys".into(),
        2 => "row starts".into(),
        3 => "ts".into(),
        4 => "seq".into(),
        5 => "event name".into(),
        6 => "kind".into(),
        7 => "received_at".into(),
        100..=199 => format!("dict column {}", id - 100 + 1),
        200 | 201 => "revenue".into(),
        300..=599 => format!("text {}", TEXT.get((id % 100) as usize).unwrap_or(&"?")),
        _ => format!("section {id}"),
    }
}

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: part_sizes DATA_DIR"));
    let mut by: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut rows, mut files, mut parts) = (0usize, 0u64, 0usize);
    for e in std::fs::read_dir(dir.join("parts")).expect("a data folder with parts/") {
        let path = e.expect("readable folder").path();
        if path.extension().is_none_or(|x| x != "trp") {
            continue;
        }
        let p = PartReader::open(&path).expect("a readable part");
        rows += p.rows;
        parts += 1;
        files += std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        for (id, stored, logical) in p.section_sizes() {
            let slot = by.entry(section_name(id)).or_default();
            slot.0 += stored;
            slot.1 += logical;
        }
    }
    let per = |b: usize| b as f64 / rows.max(1) as f64;
    println!("{parts} parts, {rows} events, {files} bytes of part files ({:.2} B/event)", per(files as usize));
    println!("{:<24} {:>14} {:>10} {:>14} {:>10}", "section", "stored", "B/event", "plain", "B/event");
    for (name, (stored, logical)) in &by {
        println!("{name:<24} {stored:>14} {:>10.2} {logical:>14} {:>10.2}", per(*stored), per(*logical));
    }
}
