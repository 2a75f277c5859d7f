//! Bad input of every kind: each bad row is one `RowError` with its row number and field, the good rows around it
//! are read, and problems with the whole file or the options are `IoError`s.

use std::io::Write;
use std::path::PathBuf;

use tropa_core::time::TimeFormat;
use tropa_io::{read_all, Format, IoError, Mapping, ReadOptions};

fn file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Reads `bytes` and compares (user ids of events, (row, field) of errors).
fn check(format: Format, bytes: &[u8], opts: ReadOptions, users: &[&str], errors: &[(u64, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir, "input", bytes);
    let (events, errs) = read_all(&path, format, opts).unwrap();
    let got: Vec<&str> = events.iter().map(|e| e.actor()).collect();
    assert_eq!(got, users, "events; errors: {errs:#?}");
    let got: Vec<(u64, &str)> = errs.iter().map(|e| (e.row, e.field.as_str())).collect();
    assert_eq!(got, errors, "errors: {errs:#?}");
    for e in &errs {
        assert!(!e.reason.is_empty() && e.reason.chars().next().is_some_and(|c| !c.is_uppercase()), "{e}");
    }
}

fn open_error(format: Format, bytes: &[u8], opts: ReadOptions) -> IoError {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir, "input", bytes);
    match read_all(&path, format, opts) {
        Ok(r) => panic!("expected an error, read {r:?}"),
        Err(e) => e,
    }
}

const T: &str = "2019-10-01T00:00:00Z";

fn track(user: &str) -> String {
    format!(r#"{{"type":"track","event":"view","userId":"{user}","timestamp":"{T}"}}"#)
}

fn ndjson_suite() -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = vec![
        track("a").into_bytes(),
        br#"{"type":"track","event":"view","userId":"#.to_vec(),
        format!(r#"{{"type":"track","event":"view","userId":{{"a":1}},"timestamp":"{T}"}}"#).into_bytes(),
        br#"{"type":"track","userId":"u"}"#.to_vec(),
        br#"{"type":"track","event":"x","userId":"u","timestamp":"2300-01-01T00:00:00Z"}"#.to_vec(),
        br#"{"type":"track","event":"x","userId":"u","timestamp":"1969-12-31T23:59:59Z"}"#.to_vec(),
        format!(r#"{{"type":"track","event":"view","userId":"long","properties":{{"pad":"{}"}}}}"#, "x".repeat(5000))
            .into_bytes(),
        b"{\"type\":\"track\",\"event\":\"caf\xe9\",\"userId\":\"u\"}".to_vec(),
        b"   ".to_vec(),
        b"[1,2]".to_vec(),
        br#"{"type":"track","event":"x","userId":"u","properties":{"revenue":"lots"},"colour":1}"#.to_vec(),
        track("b").into_bytes(),
    ];
    lines.push(Vec::new());
    lines.join(&b'\n')
}

fn small_lines() -> ReadOptions {
    ReadOptions { max_line_bytes: 1000, ..ReadOptions::default() }
}

const NDJSON_ERRORS: &[(u64, &str)] = &[
    (2, "line"),
    (3, "userId"),
    (4, "event"),
    (5, "timestamp"),
    (6, "timestamp"),
    (7, "line"),
    (8, "line"),
    (10, "line"),
    (11, "colour"),
];

#[test]
fn ndjson_bad_lines_are_reported_and_skipped() {
    check(Format::Ndjson, &ndjson_suite(), small_lines(), &["a", "b"], NDJSON_ERRORS);
}

#[test]
fn ndjson_gzip_is_recognised_by_its_magic_bytes() {
    check(Format::Ndjson, &gzip(&ndjson_suite()), small_lines(), &["a", "b"], NDJSON_ERRORS);
}

#[test]
fn ndjson_errors_say_what_and_where() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir, "e.ndjson", &ndjson_suite());
    let (_, errs) = read_all(&path, Format::Ndjson, small_lines()).unwrap();
    let reason = |row: u64| errs.iter().find(|e| e.row == row).map(|e| e.reason.clone()).unwrap_or_default();
    assert!(reason(2).contains("is not valid JSON: EOF while parsing"), "{}", reason(2));
    assert!(reason(3).contains("must be a string, not an object"), "{}", reason(3));
    assert!(reason(5).contains("out of range"), "{}", reason(5));
    assert!(reason(7).contains("longer than 1000 bytes"), "{}", reason(7));
    assert!(reason(8).contains("not valid UTF-8"), "{}", reason(8));
    // every problem of a message is listed in its one error
    assert!(reason(11).contains("properties.revenue: 'lots' is not a number"), "{}", reason(11));
}

#[test]
fn ndjson_huge_line_at_the_end_without_newline() {
    let mut bytes = format!("{}\n", track("a")).into_bytes();
    bytes.extend(std::iter::repeat_n(b'x', 1 << 16));
    check(Format::Ndjson, &bytes, small_lines(), &["a"], &[(2, "line")]);
}

#[test]
fn ndjson_empty_file_and_crlf() {
    check(Format::Ndjson, b"", ReadOptions::default(), &[], &[]);
    let crlf = format!("{}\r\n\r\n{}\r\n", track("a"), track("b"));
    check(Format::Ndjson, crlf.as_bytes(), ReadOptions::default(), &["a", "b"], &[]);
}

#[test]
fn ndjson_defaults_fill_missing_fields() {
    let opts = ReadOptions {
        defaults: vec![("touchpoint".into(), "store".into()), ("event".into(), "visit".into())],
        ..ReadOptions::default()
    };
    let bytes = br#"{"type":"track","userId":"u","timestamp":"2019-10-01T00:00:00Z"}"#;
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir, "d.ndjson", bytes);
    let (events, errs) = read_all(&path, Format::Ndjson, opts).unwrap();
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!((events[0].name.as_str(), events[0].touchpoint.as_str()), ("visit", "store"));
    let mapped = ReadOptions { mapping: Mapping::parse(&["user_id=uid".into()]).unwrap(), ..ReadOptions::default() };
    assert!(matches!(open_error(Format::Ndjson, bytes, mapped), IoError::Mapping { .. }));
}

const CSV_SUITE: &str = "user_id,event,timestamp,revenue
u1,view,2019-10-01 00:00:00 UTC,
u2,buy,2019-10-01T00:00:00Z,abc
u3,view
u4,view,yesterday,
,view,2019-10-01T00:00:00Z,
u6,view,2300-01-01T00:00:00Z,
u7,\"multi
line\",2019-10-01T00:00:00Z,12.5
u8,view,1969-12-31T23:59:59Z,

u9,buy,2019-10-01T00:00:00Z,-3
";

const CSV_ERRORS: &[(u64, &str)] =
    &[(3, "revenue"), (4, "row"), (5, "timestamp"), (6, "user_id"), (7, "timestamp"), (8, "event"), (10, "timestamp")];

#[test]
fn csv_bad_rows_are_reported_and_skipped() {
    check(Format::Csv, CSV_SUITE.as_bytes(), ReadOptions::default(), &["u1", "u9"], CSV_ERRORS);
    check(Format::Csv, &gzip(CSV_SUITE.as_bytes()), ReadOptions::default(), &["u1", "u9"], CSV_ERRORS);
}

#[test]
fn csv_errors_say_what_and_where() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir, "e.csv", CSV_SUITE.as_bytes());
    let (events, errs) = read_all(&path, Format::Csv, ReadOptions::default()).unwrap();
    assert_eq!(events[1].revenue, Some(-3.0));
    let reason = |row: u64| errs.iter().find(|e| e.row == row).map(|e| e.reason.clone()).unwrap_or_default();
    assert_eq!(reason(3), "column 'revenue': 'abc' is not a number: write it like 1990.50");
    assert_eq!(reason(4), "expected 4 columns, found 2");
    // a quoted field may span lines, but an event name may not hold the newline
    assert_eq!(reason(8), "column 'event': contains a control character (U+000A): remove it");
    assert!(reason(5).contains("column 'timestamp': 'yesterday' is not an RFC 3339 time"), "{}", reason(5));
    assert!(reason(5).contains("--time-format"), "{}", reason(5));
}

#[test]
fn csv_invalid_utf8_and_long_rows() {
    let bytes = b"user_id,event,ts\nu1,caf\xe9,2019-10-01\nu2,ok,2019-10-01\nu3,long long long long,2019-10-01\n";
    let opts = ReadOptions { max_line_bytes: 20, ..ReadOptions::default() };
    check(Format::Csv, bytes, opts, &["u2"], &[(2, "row"), (4, "row")]);
}

#[test]
fn csv_bad_time_format() {
    let bytes = b"user_id,event,ts\nu1,a,1511544070\nu2,b,2019-10-01\nu3,c,-5\n";
    let unix = ReadOptions { time_format: TimeFormat::UnixSeconds, ..ReadOptions::default() };
    check(Format::Csv, bytes, unix, &["u1"], &[(3, "timestamp"), (4, "timestamp")]);
    let pattern = ReadOptions { time_format: TimeFormat::Pattern("%d.%m.%Y".into()), ..ReadOptions::default() };
    check(Format::Csv, bytes, pattern, &[], &[(2, "timestamp"), (3, "timestamp"), (4, "timestamp")]);
}

#[test]
fn csv_file_level_problems() {
    let opts = ReadOptions::default;
    // an empty file has no header
    let e = open_error(Format::Csv, b"", opts());
    assert!(e.to_string().contains("the file is empty: expected a header row"), "{e}");
    // only a header: nothing to read, nothing wrong
    check(Format::Csv, b"user_id,event,timestamp\n", opts(), &[], &[]);
    // without a header an empty file is just empty
    check(Format::Csv, b"", ReadOptions { csv_has_header: false, ..opts() }, &[], &[]);
    // unknown mapping field
    let e = Mapping::parse(&["colour=c".into()]).unwrap_err();
    assert!(
        e.to_string().starts_with("--column colour=c: 'colour' is not an event field: use one of message_id"),
        "{e}"
    );
    // mapping to a missing column
    let mapping = Mapping::parse(&["event=behaviour".into()]).unwrap();
    let e = open_error(Format::Csv, b"user_id,behavior_type,ts\n", ReadOptions { mapping, ..opts() });
    assert!(matches!(&e, IoError::MissingColumn { field, column, .. } if field == "event" && column == "behaviour"));
    assert!(e.to_string().ends_with("(columns: user_id, behavior_type, ts)"), "{e}");
    // a required field with no column
    let e = open_error(Format::Csv, b"user_id,behavior_type,ts\n", opts());
    assert!(e.to_string().contains("no column for event: map one with --column event=COLUMN"), "{e}");
    // an unknown default
    let defaults = vec![("colour".to_string(), "red".to_string())];
    let e = open_error(Format::Csv, b"user_id,event,ts\n", ReadOptions { defaults, ..opts() });
    assert!(matches!(e, IoError::Default { .. }), "{e}");
}

#[test]
fn csv_without_header_maps_by_index() {
    let bytes = b"1,2268318,pv,1511544070\n2,5,buy,1511544071\n3,6\n";
    let opts = ReadOptions {
        csv_has_header: false,
        time_format: TimeFormat::UnixSeconds,
        mapping: Mapping::parse(&["user_id=0".into(), "event=2".into(), "timestamp=3".into()]).unwrap(),
        ..ReadOptions::default()
    };
    check(Format::Csv, bytes, opts, &["1", "2"], &[(3, "row")]);
}

#[test]
fn csv_semicolons_bom_and_defaults() {
    let bytes = "\u{feff}User_ID;Event_Name;Date;City\nu1;order;2019-10-01;Kazan\nu2;;2019-10-02;\n".as_bytes();
    let opts = ReadOptions {
        csv_delimiter: b';',
        defaults: vec![("touchpoint".into(), "store".into()), ("event".into(), "visit".into())],
        ..ReadOptions::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir, "s.csv", bytes);
    let (events, errs) = read_all(&path, Format::Csv, opts).unwrap();
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(events[0].user_id, "u1");
    assert_eq!(events[0].context.city, "Kazan");
    assert_eq!(events[1].name, "visit");
    assert_eq!(events[1].touchpoint, "store");
    assert_eq!(events[1].channel.group, "offline");
}

#[test]
fn csv_group_rows_need_a_group_id() {
    let bytes = b"user_id,type,group_id,timestamp\nu1,group,g1,2019-10-01T00:00:00Z\nu2,group,,2019-10-01T00:00:00Z\n";
    check(Format::Csv, bytes, ReadOptions::default(), &["u1"], &[(3, "type")]);
}
