//! What a query reads of a store: lookup by any id from the on-disk actor index (`actors.idx`, written when
//! missing, stale or damaged) after a reopen, and column projection (a scan that does not name properties never
//! reads them, so damage there cannot fail a funnel).

use tropa_core::{Columns, CountFold, DictCol, Event, Journey, JourneyFold, MessageKind};
use tropa_engine::{fold, Engine, ScanSpec};
use tropa_store::{Store, StoreOptions};

fn ev(id: String, anon: String, user: String, ts: i64, name: &str, kind: MessageKind) -> Event {
    Event {
        message_id: id,
        kind,
        timestamp: ts,
        anonymous_id: anon,
        user_id: user,
        name: name.into(),
        properties: format!("{{\"n\":{ts},\"s\":\"x{ts}\"}}"),
        traits: "{}".into(),
        channel: tropa_core::event::Channel {
            source: ["ads", "mail", "seo"][ts as usize % 3].into(),
            ..Default::default()
        },
        ..Event::default()
    }
}

/// `customers` customers, each with an anonymous id and 4 events; every third identified (a user id and an
/// identify that links it).
fn customers(from: usize, customers: usize) -> Vec<Event> {
    let mut out = Vec::new();
    for c in from..from + customers {
        let anon = format!("anon-{c}");
        for k in 0..4 {
            let name = ["view_item", "add_to_cart", "purchase", "view_item"][k];
            out.push(ev(
                format!("m-{c}-{k}"),
                anon.clone(),
                String::new(),
                (c * 10 + k) as i64,
                name,
                MessageKind::Track,
            ));
        }
        if c % 3 == 0 {
            let user = format!("user-{c}");
            out.push(ev(format!("m-{c}-id"), anon, user, (c * 10 + 5) as i64, "identify", MessageKind::Identify));
        }
    }
    out
}

fn opts() -> StoreOptions {
    StoreOptions { flush_rows: 3000, ..StoreOptions::default() }
}

#[test]
fn any_id_finds_its_customer_after_a_reopen_from_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), opts()).unwrap();
    s.ingest(customers(0, 3000)).unwrap();
    let want: Vec<_> = ["anon-0", "user-0", "anon-1", "user-2997", "anon-2999"]
        .iter()
        .map(|id| (s.customer_key(id).unwrap(), s.customer(id).unwrap()))
        .collect();
    drop(s);
    // a fresh process: the identity is not loaded; the index is written by the first lookup
    let s = Store::open(dir.path(), opts()).unwrap();
    let v = s.data_version().unwrap();
    for (id, (key, rec)) in ["anon-0", "user-0", "anon-1", "user-2997", "anon-2999"].iter().zip(&want) {
        assert_eq!(&s.customer_key(id).unwrap(), key, "{id}");
        assert_eq!(&s.customer(id).unwrap(), rec, "{id}");
    }
    assert!(dir.path().join("actors.idx").exists());
    let rec = s.customer("user-0").unwrap().unwrap();
    assert_eq!(rec.actors, vec!["anon-0".to_string(), "user-0".into()]);
    assert_eq!(rec.events.len(), 5);
    assert_eq!(rec.merges.len(), 1);
    assert_eq!(s.customer_key("nobody").unwrap(), None);
    assert!(s.customer("nobody").unwrap().is_none());
    assert_eq!(s.data_version().unwrap(), v, "a lookup changes no data");
    drop(s);

    // actors added after the index was written are found in the rest of actors.log
    let s = Store::open(dir.path(), opts()).unwrap();
    s.ingest(customers(3000, 50)).unwrap();
    s.flush().unwrap();
    drop(s);
    let s = Store::open(dir.path(), opts()).unwrap();
    let late = s.customer("user-3045").unwrap().unwrap();
    assert_eq!(late.actors, vec!["anon-3045".to_string(), "user-3045".into()]);
    assert_eq!(s.customer_key("anon-3049").unwrap(), s.customer_key("anon-3049").unwrap());
    assert!(s.customer_key("anon-3049").unwrap().is_some());
    assert_eq!(s.customer("anon-5").unwrap().unwrap().events.len(), 4);
    drop(s);

    // a damaged or missing index is written again, never a wrong answer
    let idx = dir.path().join("actors.idx");
    let mut bytes = std::fs::read(&idx).unwrap();
    for at in (60..bytes.len()).step_by(97) {
        bytes[at] ^= 0x5a;
    }
    std::fs::write(&idx, &bytes).unwrap();
    let s = Store::open(dir.path(), opts()).unwrap();
    for (id, (key, rec)) in ["anon-0", "user-0", "anon-1", "user-2997", "anon-2999"].iter().zip(&want) {
        assert_eq!(&s.customer_key(id).unwrap(), key, "{id} after damage");
        assert_eq!(&s.customer(id).unwrap(), rec, "{id} after damage");
    }
    drop(s);
    std::fs::remove_file(&idx).unwrap();
    let s = Store::open(dir.path(), opts()).unwrap();
    assert_eq!(s.customer("user-0").unwrap().unwrap(), want[1].1.clone().unwrap());
}

struct Steps;

impl JourneyFold for Steps {
    type Acc = Vec<(u32, Vec<(i64, u16, u32)>)>;
    fn init(&self) -> Self::Acc {
        Vec::new()
    }
    fn fold(&self, acc: &mut Self::Acc, j: &Journey<'_>) {
        let src = j.dict[DictCol::Source as usize];
        acc.push((
            j.customer.0,
            (0..j.ts.len()).map(|i| (j.ts[i], j.name[i], src.get(i).copied().unwrap_or(0))).collect(),
        ));
    }
    fn merge(&self, into: &mut Self::Acc, other: Self::Acc) {
        into.extend(other);
    }
}

/// The parts' sections of text column `col`: (offset, length) from the section table.
fn text_sections(bytes: &[u8], col: u32) -> Vec<(usize, usize)> {
    const HEADER: usize = 72;
    let n = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    (0..n)
        .filter_map(|i| {
            let e = &bytes[HEADER + i * 24..HEADER + i * 24 + 24];
            let id = u32::from_le_bytes(e[..4].try_into().unwrap());
            let off = u64::from_le_bytes(e[8..16].try_into().unwrap()) as usize;
            let len = u64::from_le_bytes(e[16..24].try_into().unwrap()) as usize;
            [300, 400, 500].iter().any(|b| id == b + col).then_some((off, len))
        })
        .collect()
}

#[test]
fn a_funnel_never_reads_properties_so_damage_there_cannot_fail_it() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), opts()).unwrap();
    s.ingest(customers(0, 2000)).unwrap();
    s.compact().unwrap();
    // what a funnel by source reads: time, names and the source column
    let spec = ScanSpec {
        names: Some(vec!["view_item".into(), "add_to_cart".into(), "purchase".into()]),
        ..ScanSpec::default()
    }
    .with_columns(Columns::dict(DictCol::Source));
    let before = fold(&s, &spec, &Steps).unwrap();
    let all = fold(&s, &ScanSpec::default(), &Steps).unwrap();
    let count = fold(&s, &ScanSpec::default(), &CountFold).unwrap();
    drop(s);
    let mut damaged = 0;
    for part in std::fs::read_dir(dir.path().join("parts")).unwrap() {
        let path = part.unwrap().path();
        let mut bytes = std::fs::read(&path).unwrap();
        for (off, len) in text_sections(&bytes, tropa_core::TextCol::Properties as u32) {
            for at in (off + len / 3..off + len).step_by(7) {
                bytes[at] ^= 0xff;
            }
            damaged += 1;
        }
        std::fs::write(&path, &bytes).unwrap();
    }
    assert!(damaged > 0, "the parts store properties");
    let s = Store::open(dir.path(), opts()).unwrap();
    assert_eq!(fold(&s, &spec, &Steps).unwrap(), before, "the funnel's columns read the same");
    assert_eq!(fold(&s, &ScanSpec::default(), &Steps).unwrap(), all);
    assert_eq!(fold(&s, &ScanSpec::default(), &CountFold).unwrap().events, count.events);
}
