//! Round trips: Event → Parquet → Event and Event → NDJSON → Event give back equal events (every field), for
//! events from every importer; foreign Parquet files are read through a mapping.

use std::path::Path;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, Date32Array, DictionaryArray, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use arrow_schema::{DataType, TimeUnit};
use proptest::prelude::*;
use serde_json::json;
use tropa_core::event::{Channel, Context, Event, MessageKind};
use tropa_core::message::{parse_message, ParseContext};
use tropa_core::time::MAX_TS;
use tropa_io::{create_writer, read_all, ExportRow, Format, Mapping, ReadOptions};

const RECEIVED: i64 = 1_767_350_000_000;

fn opts() -> ReadOptions {
    ReadOptions { received_at: RECEIVED, ..ReadOptions::default() }
}

fn export(path: &Path, format: Format, events: &[Event]) -> u64 {
    let customers: Vec<String> = events.iter().map(|e| format!("c-{}", e.actor())).collect();
    let rows: Vec<ExportRow<'_>> =
        events.iter().zip(&customers).map(|(e, c)| ExportRow { customer: c, event: e }).collect();
    let mut w = create_writer(path, format).unwrap();
    for chunk in rows.chunks(3) {
        w.write(chunk).unwrap();
    }
    w.finish().unwrap()
}

fn round_trip(format: Format, events: &[Event]) -> Vec<Event> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(if format == Format::Parquet { "e.parquet" } else { "e.ndjson" });
    assert_eq!(export(&path, format, events), events.len() as u64);
    assert!(!dir.path().join("e.parquet.partial").exists());
    let (back, errors) = read_all(&path, format, opts()).unwrap();
    assert!(errors.is_empty(), "{errors:#?}");
    back
}

fn parsed(messages: &[serde_json::Value]) -> Vec<Event> {
    messages.iter().map(|m| parse_message(m, &ParseContext::at(RECEIVED)).unwrap()).collect()
}

/// Messages of every kind with every field the parser reads.
fn rich_messages() -> Vec<serde_json::Value> {
    vec![
        json!({"type":"track","event":"Order Completed","userId":"u1","anonymousId":"a1","messageId":"m1",
            "timestamp":"2026-01-02T10:00:00.123Z","touchpoint":"app",
            "properties":{"revenue":1990.5,"currency":"rub","items":[{"sku":"тент","qty":2}],"note":"\"quoted\"\nline"},
            "traits":{"plan":"pro"},
            "context":{"campaign":{"source":"yandex","medium":"cpc","name":"зима","term":"палатка","content":"b1"},
                       "page":{"url":"https://shop.example/?x=1","title":"Корзина","referrer":"https://ya.ru/"},
                       "userAgent":"Mozilla/5.0","ip":"203.0.113.7","locale":"ru-RU",
                       "location":{"country":"RU","city":"Казань"}}}),
        json!({"type":"page","anonymousId":"a2","name":"Home","timestamp":"1970-01-01T00:00:00Z",
            "context":{"page":{"url":"https://s.example/?utm_source=vk&utm_medium=cpc&utm_campaign=spring%20sale"}}}),
        json!({"type":"screen","userId":42,"name":"Cart","timestamp":"2199-12-31T23:59:59.999Z"}),
        json!({"type":"identify","userId":"u1","traits":{"age":35,"city":"Москва"},"context":{"traits":{"x":1}}}),
        json!({"type":"alias","previousId":"a1","userId":"u1","messageId":"m-alias"}),
        json!({"type":"group","userId":"u1","groupId":"g7","traits":{"name":"ООО Ромашка"}}),
        json!({"type":"track","event":"refund","userId":"u3","properties":{"total":"-5.25","currency":" usd "}}),
        json!({"type":"track","event":"x","userId":"u4","properties":{"revenue":0}}),
        json!({"type":"track","event":"y","userId":"u5","context":{"channel":"server","referrer":{"link":"https://t.me/c"}}}),
    ]
}

/// Events with every field set, as our store holds them.
fn full_events() -> Vec<Event> {
    let mut out = parsed(&rich_messages());
    out.push(Event {
        message_id: "m-full".into(),
        kind: MessageKind::Track,
        timestamp: MAX_TS - 1,
        received_at: 0,
        anonymous_id: "anon \u{1F600}".into(),
        user_id: "u,\"1\"".into(),
        name: "купить".into(),
        touchpoint: "call_center".into(),
        channel: Channel {
            source: "s".into(),
            medium: "m".into(),
            campaign: "c".into(),
            term: "t".into(),
            content: "ct".into(),
            referrer: "r".into(),
            group: "custom_group".into(),
        },
        revenue: Some(-0.1),
        currency: "EUR".into(),
        properties: r#"{"a":null}"#.into(),
        traits: "{}".into(),
        context: Context {
            page_url: "u".into(),
            page_title: "t\n".into(),
            user_agent: "ua".into(),
            ip: "::1".into(),
            country: "DE".into(),
            city: "Köln".into(),
            locale: "de".into(),
        },
    });
    out
}

#[test]
fn parquet_round_trip_keeps_every_column() {
    let events = full_events();
    assert_eq!(round_trip(Format::Parquet, &events), events);
}

#[test]
fn parquet_export_is_flat_typed_and_versioned() {
    use parquet::file::reader::FileReader;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.parquet");
    export(&path, Format::Parquet, &full_events());
    let reader =
        parquet::file::serialized_reader::SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
    let kv = reader.metadata().file_metadata().key_value_metadata().cloned().unwrap_or_default();
    assert!(kv.iter().any(|kv| kv.key == "tropa.format.version" && kv.value.as_deref() == Some("1")));
    let schema = tropa_io::export_schema();
    assert_eq!(
        schema.field_with_name("timestamp").unwrap().data_type(),
        &DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
    );
    assert_eq!(schema.field_with_name("revenue").unwrap().data_type(), &DataType::Float64);
    assert!(schema.field_with_name("revenue").unwrap().is_nullable());
    assert_eq!(schema.fields().len(), 27);
    let rg = reader.metadata().row_group(0);
    assert_eq!(rg.column(0).compression(), parquet::basic::Compression::SNAPPY);
}

#[test]
fn ndjson_round_trip_keeps_every_field() {
    let events = parsed(&rich_messages());
    assert_eq!(round_trip(Format::Ndjson, &events), events);
    // a group call is written with its groupId (Segment's spec), so other tools read the group too
    let group = events.iter().find(|e| e.kind == MessageKind::Group).unwrap();
    assert_eq!(tropa_io::to_message(group, "")["groupId"], "g7");
    let gz = tempfile::tempdir().unwrap();
    let path = gz.path().join("e.ndjson.gz");
    export(&path, Format::Ndjson, &events);
    assert_eq!(read_all(&path, Format::Ndjson, opts()).unwrap().0, events);
}

#[test]
fn csv_events_survive_both_exports() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.csv");
    std::fs::write(
        &path,
        "user_id,anonymous_id,event,timestamp,revenue,currency,page_url,source,medium,price,code,type\n\
         u1,,buy,2019-10-01 00:00:00 UTC,10,rub,https://a/?utm_source=vk&utm_medium=cpc,,,35.79,007,\n\
         ,a1,page_view,2019-10-01T00:00:01Z,,,https://a/,google,organic,,,\n\
         u1,a1,Landing,2019-10-01T00:00:02Z,,,,,,,,page\n\
         u2,a2,,2019-10-01T00:00:03Z,,,,,,,,alias\n",
    )
    .unwrap();
    let (events, errors) = read_all(&path, Format::Csv, opts()).unwrap();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(events[0].channel.group, "paid_social");
    assert_eq!(events[0].properties, r#"{"code":"007","currency":"RUB","price":35.79,"revenue":10}"#);
    assert_eq!((events[1].kind, events[1].touchpoint.as_str()), (MessageKind::Page, "web"));
    assert_eq!((events[2].name.as_str(), events[2].properties.as_str()), ("page_view", r#"{"name":"Landing"}"#));
    assert_eq!(events[3].kind, MessageKind::Alias);
    assert_eq!(round_trip(Format::Ndjson, &events), events);
    assert_eq!(round_trip(Format::Parquet, &events), events);
    // re-reading gives the same message ids: a re-import is idempotent
    assert_eq!(read_all(&path, Format::Csv, opts()).unwrap().0, events);
}

#[test]
fn own_export_read_through_the_mapped_path_is_the_same() {
    let events = parsed(&rich_messages());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.parquet");
    export(&path, Format::Parquet, &events);
    // a default forces the general path: it must see the same events (channel kept, customer_id ignored)
    let o = ReadOptions { defaults: vec![("locale".into(), "xx".into())], ..opts() };
    let (back, errors) = read_all(&path, Format::Parquet, o).unwrap();
    assert!(errors.is_empty(), "{errors:#?}");
    let expect: Vec<Event> = events
        .into_iter()
        .map(|mut e| {
            if e.context.locale.is_empty() {
                e.context.locale = "xx".into();
            }
            e
        })
        .collect();
    assert_eq!(back, expect);
}

fn write_batch(path: &Path, columns: Vec<(&str, ArrayRef)>) {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let mut w =
        parquet::arrow::ArrowWriter::try_new(std::fs::File::create(path).unwrap(), batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

#[test]
fn foreign_parquet_through_a_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.parquet");
    let ts =
        TimestampMicrosecondArray::from(vec![1_569_888_000_000_123, 1_569_888_001_000_000, 5_000_000_000_000_000_000])
            .with_timezone("UTC");
    let channel: DictionaryArray<Int32Type> = vec!["yandex", "vk", "google"].into_iter().collect();
    write_batch(
        &path,
        vec![
            ("customer_id", Arc::new(Int64Array::from(vec![7, 8, 9])) as ArrayRef),
            ("ts", Arc::new(ts)),
            ("event_name", Arc::new(StringArray::from(vec!["view", "buy", "view"]))),
            ("channel", Arc::new(channel)),
            ("properties", Arc::new(StringArray::from(vec![Some(r#"{"sku":"a"}"#), None, Some("{}")]))),
            ("amount", Arc::new(Float64Array::from(vec![None, Some(99.5), None]))),
            ("day", Arc::new(Date32Array::from(vec![18_170, 18_171, 18_172]))),
            ("qty", Arc::new(Int32Array::from(vec![Some(1), None, Some(3)]))),
        ],
    );
    let mapping = [
        "user_id=customer_id",
        "timestamp=ts",
        "event=event_name",
        "source=channel",
        "properties=properties",
        "revenue=amount",
    ];
    let mapping = Mapping::parse(&mapping.map(String::from)).unwrap();
    let (events, errors) = read_all(&path, Format::Parquet, ReadOptions { mapping, ..opts() }).unwrap();
    assert_eq!(errors.iter().map(|e| (e.row, e.field.as_str())).collect::<Vec<_>>(), vec![(3, "timestamp")]);
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].user_id, "7");
    assert_eq!(events[0].timestamp, 1_569_888_000_000);
    assert_eq!(events[0].channel.source, "yandex");
    assert_eq!(events[0].channel.group, "organic_search");
    assert_eq!(events[0].properties, r#"{"day":"2019-10-01T00:00:00.000Z","qty":1,"sku":"a"}"#);
    assert_eq!(events[1].revenue, Some(99.5));
    assert_eq!(events[1].properties, r#"{"day":"2019-10-02T00:00:00.000Z","revenue":99.5}"#);
    assert!(events.iter().all(|e| e.message_id.is_empty()), "a row without a message id stores none");
    assert_eq!(round_trip(Format::Ndjson, &events), events);
}

#[test]
fn foreign_parquet_problems() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.parquet");
    write_batch(&path, vec![("uid", Arc::new(Int64Array::from(vec![1])) as ArrayRef)]);
    let err = read_all(&path, Format::Parquet, opts()).unwrap_err();
    assert!(err.to_string().contains("no column for user_id"), "{err}");
    // a file from a newer tropa
    let batch = RecordBatch::try_from_iter([("user_id", Arc::new(StringArray::from(vec!["u"])) as ArrayRef)]).unwrap();
    let kv = parquet::file::metadata::KeyValue::new("tropa.format.version".into(), "2".to_string());
    let props = parquet::file::properties::WriterProperties::builder().set_key_value_metadata(Some(vec![kv])).build();
    let file = std::fs::File::create(&path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let err = read_all(&path, Format::Parquet, opts()).unwrap_err();
    assert!(err.to_string().contains("format version 2): upgrade tropa"), "{err}");
    std::fs::write(&path, b"not parquet at all").unwrap();
    let err = read_all(&path, Format::Parquet, opts()).unwrap_err();
    assert!(err.to_string().contains("cannot read it as parquet"), "{err}");
}

fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Zа-яё0-9 ,;\"'\\\\\n\r\t{}\\[\\]:é😀\u{0}]{0,24}").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn ndjson_round_trip_of_any_strings(user in text(), event in text(), source in text(), prop in text(),
                                        revenue in proptest::option::of(-1e9f64..1e9), ms in 0i64..MAX_TS) {
        let mut msg = json!({"type":"track","event":event,"userId":user,
            "timestamp":tropa_core::time::format_ts(ms),
            "properties":{"p":prop,"k\"\n":[prop.clone()]},"context":{"campaign":{"source":source}}});
        if let Some(r) = revenue {
            msg["properties"]["revenue"] = json!(r);
        }
        if let Ok(e) = parse_message(&msg, &ParseContext::at(RECEIVED)) {
            let line = tropa_io::to_message(&e, "c").to_string();
            prop_assert!(!line.contains('\n'));
            let back = round_trip(Format::Ndjson, std::slice::from_ref(&e));
            prop_assert_eq!(&back[0], &e);
            prop_assert_eq!(&round_trip(Format::Parquet, std::slice::from_ref(&e))[0], &e);
        }
    }

    #[test]
    fn csv_reads_back_any_strings(rows in proptest::collection::vec((text(), text(), text()), 1..8)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        let mut w = csv::Writer::from_path(&path).unwrap();
        w.write_record(["user_id", "event", "timestamp", "note"]).unwrap();
        for (user, event, note) in &rows {
            w.write_record([user.as_str(), event.as_str(), "2019-10-01T00:00:00Z", note.as_str()]).unwrap();
        }
        w.flush().unwrap();
        drop(w);
        let (events, errors) = read_all(&path, Format::Csv, opts()).unwrap();
        prop_assert_eq!(events.len() + errors.len(), rows.len());
        let mut events = events.iter();
        for (user, event, note) in &rows {
            let refused = |s: &str| s.trim().is_empty() || tropa_core::message::text_fault(s.trim()).is_some();
            if refused(user) || refused(event) {
                continue;
            }
            let e = events.next().unwrap();
            prop_assert_eq!(&e.user_id, user.trim());
            prop_assert_eq!(&e.name, event.trim());
            let props = e.properties_map();
            match props.get("note") {
                None => prop_assert!(note.trim().is_empty()),
                Some(serde_json::Value::String(s)) => prop_assert_eq!(s, note),
                Some(n) => prop_assert_eq!(n.to_string().parse::<f64>().ok(), note.trim().parse::<f64>().ok()),
            }
        }
        prop_assert!(events.next().is_none());
        let (read, _) = read_all(&path, Format::Csv, opts()).unwrap();
        prop_assert_eq!(&round_trip(Format::Ndjson, &read), &read);
    }
}
