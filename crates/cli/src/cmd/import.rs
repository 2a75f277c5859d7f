//! `tropa import`: NDJSON, CSV and Parquet files into the store, with a progress bar, row-numbered errors and a
//! summary. Imports skip the WAL: events are committed in parts of `TROPA_FLUSH_ROWS` rows (default 1,000,000),
//! each an atomic manifest switch, and only committed events are reported as accepted. With `--output json`, a
//! JSON line per commit reports the running totals (the crash test reads them).
//!
//! Each batch of `--batch` rows is a chunk: its digest ([`tropa_io::chunk_digest`]) goes into the store's import
//! log in the same commit as its rows, and a chunk found there is skipped and counted as `recognised` — so
//! importing a file again (whole, or after a crash) adds each row exactly once, while rows without a message id
//! store none.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, ValueEnum};
use tropa_core::time::TimeFormat;
use tropa_engine::IngestReport;
use tropa_io::{Format, Mapping, ReadOptions, RowError};
use tropa_store::imports::Chunk;

use crate::lang::tr;
use crate::table::{int, print};
use crate::{OutFormat, UserError};

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum FileFormat {
    Ndjson,
    Csv,
    Parquet,
}

impl From<FileFormat> for Format {
    fn from(f: FileFormat) -> Format {
        match f {
            FileFormat::Ndjson => Format::Ndjson,
            FileFormat::Csv => Format::Csv,
            FileFormat::Parquet => Format::Parquet,
        }
    }
}

#[derive(Args)]
pub struct ImportArgs {
    /// Files to import (gzip accepted).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// File format; guessed from the extension when left out.
    #[arg(long, value_enum)]
    format: Option<FileFormat>,
    /// Map an event field to a column: `--column user_id=uid --column event=behavior_type`.
    #[arg(long = "column", value_name = "FIELD=COLUMN")]
    columns: Vec<String>,
    /// Time format of the timestamp column: rfc3339, unix, unix_ms or a strftime pattern (e.g. %Y%m%d).
    #[arg(long, default_value = "rfc3339")]
    time_format: String,
    /// A default for a field missing in the file: `--set touchpoint=store`.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    defaults: Vec<String>,
    /// Stop when more than this many rows are rejected.
    #[arg(long, default_value_t = 1000)]
    max_errors: u64,
    /// CSV delimiter.
    #[arg(long, default_value = ",")]
    delimiter: char,
    /// The CSV file has no header row (map columns by 0-based index).
    #[arg(long)]
    no_header: bool,
    /// Events per durable batch.
    #[arg(long, default_value_t = 65_536)]
    batch: usize,
    #[arg(long, value_enum, default_value = "table")]
    output: OutFormat,
}

/// One parsed batch handed from the reader thread.
struct Batch {
    events: Vec<tropa_core::Event>,
    errors: Vec<RowError>,
    /// [`tropa_io::chunk_digest`] of the batch.
    digest: u128,
    position: u64,
    more: bool,
}

#[derive(Default, serde::Serialize)]
struct Totals {
    rows: u64,
    accepted: u64,
    duplicates: u64,
    rejected: u64,
    /// Rows of chunks imported before (skipped).
    recognised: u64,
}

pub fn run(data: &Path, args: ImportArgs) -> anyhow::Result<()> {
    let time_format = TimeFormat::from_arg(&args.time_format).map_err(|e| UserError(format!("--time-format: {e}")))?;
    let mapping = Mapping::parse(&args.columns)?;
    let mut defaults = Vec::new();
    for d in &args.defaults {
        let (k, v) = d
            .split_once('=')
            .ok_or_else(|| UserError(format!("--set {d}: {}", tr("write FIELD=VALUE", "пишите ПОЛЕ=ЗНАЧЕНИЕ"))))?;
        defaults.push((k.trim().to_string(), v.to_string()));
    }
    if !args.delimiter.is_ascii() {
        return Err(UserError(format!(
            "--delimiter: {}",
            tr("must be one ASCII character", "должен быть один символ ASCII")
        ))
        .into());
    }
    if args.batch == 0 {
        return Err(UserError(format!("--batch: {}", tr("must be at least 1", "должен быть не меньше 1"))).into());
    }
    for f in &args.files {
        if !f.is_file() {
            return Err(UserError(format!("{}: {}", f.display(), tr("no such file", "нет такого файла"))).into());
        }
    }
    let store = super::open(data)?;
    let commit_rows = store.flush_rows();
    let received_at = chrono::Utc::now().timestamp_millis();
    let started = Instant::now();
    let mut totals = Totals::default();
    // chunks whose rows wait for the next commit
    let mut pending: Vec<Chunk> = Vec::new();
    let mut shown = 0usize;
    let json = args.output == OutFormat::Json;
    // an error stops the import; the chunks whose rows were filed are committed with them (the store would
    // flush those rows when dropped, and a re-import must recognise them)
    let imported = (|| -> anyhow::Result<()> {
        for path in &args.files {
            let format = match args.format {
                Some(f) => f.into(),
                None => Format::from_path(path).ok_or_else(|| {
                    UserError(format!(
                        "{}: {}",
                        path.display(),
                        tr(
                            "cannot tell the format: use --format ndjson|csv|parquet",
                            "не удалось определить формат: укажите --format ndjson|csv|parquet"
                        )
                    ))
                })?,
            };
            let opts = ReadOptions {
                received_at,
                time_format: time_format.clone(),
                mapping: mapping.clone(),
                csv_delimiter: args.delimiter as u8,
                csv_has_header: !args.no_header,
                defaults: defaults.clone(),
                ..ReadOptions::default()
            };
            let reader = tropa_io::open_reader(path, format, opts)?;
            let file_digest = tropa_io::file_digest(path)?;
            let mut file_rows = 0u64;
            let bar = progress_bar(reader.progress().1);
            // a reader thread parses the next batch while this one is being made durable
            let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Batch, tropa_io::IoError>>(2);
            let batch_size = args.batch;
            let producer = std::thread::spawn(move || {
                let mut reader = reader;
                loop {
                    let mut b = Batch {
                        events: Vec::with_capacity(batch_size),
                        errors: Vec::new(),
                        digest: 0,
                        position: 0,
                        more: false,
                    };
                    let r = reader.next_batch(batch_size, &mut b.events, &mut b.errors);
                    b.position = reader.progress().0;
                    b.digest = tropa_io::chunk_digest(&b.events, &b.errors);
                    match r {
                        Ok(more) => {
                            b.more = more;
                            if tx.send(Ok(b)).is_err() || !more {
                                return;
                            }
                        }
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    }
                }
            });
            for batch in rx.iter() {
                let Batch { events, errors, digest, position, more } = batch?;
                let n = (events.len() + errors.len()) as u64;
                let chunk = Chunk { file: file_digest, first_row: file_rows + 1, rows: n, digest };
                file_rows += n;
                totals.rows += n;
                let known = n > 0 && (store.imported(&chunk) || pending.iter().any(|c| c.key() == chunk.key()));
                let (events, errors) = if known {
                    totals.recognised += n;
                    (Vec::new(), Vec::new())
                } else {
                    if n > 0 {
                        pending.push(chunk);
                    }
                    (events, errors)
                };
                totals.rejected += errors.len() as u64;
                for e in errors {
                    if shown < 20 {
                        let line = format!("{}:{}: {}: {}", path.display(), e.row, e.field, e.reason);
                        match &bar {
                            Some(b) => b.println(line),
                            None => eprintln!("{line}"),
                        }
                    }
                    shown += 1;
                }
                let mut waiting = 0;
                if !events.is_empty() {
                    let (r, w): (IngestReport, usize) = store.ingest_unlogged(events)?;
                    totals.accepted += r.accepted;
                    totals.duplicates += r.duplicates;
                    waiting = w;
                }
                if (waiting >= commit_rows || !more) && !pending.is_empty() {
                    store.flush_import(&pending)?;
                    pending.clear();
                    if json {
                        let line = serde_json::json!({"durable": true, "file": path.display().to_string(), "rows": totals.rows,
                            "accepted": totals.accepted, "duplicates": totals.duplicates, "rejected": totals.rejected,
                            "recognised": totals.recognised});
                        print(&format!("{line}\n"))?;
                    }
                }
                if let Some(b) = &bar {
                    b.set_position(position);
                    let secs = started.elapsed().as_secs_f64().max(1e-9);
                    b.set_message(format!(
                        "{} {}  {:.0} {}/s",
                        int(totals.accepted),
                        tr("events", "событий"),
                        totals.rows as f64 / secs,
                        tr("rows", "строк")
                    ));
                }
                if totals.rejected > args.max_errors {
                    if let Some(b) = &bar {
                        b.abandon();
                    }
                    drop(rx);
                    let _ = producer.join();
                    store.flush_import(&pending)?;
                    pending.clear();
                    return Err(UserError(format!(
                        "{} ({} > --max-errors {}); {} {} {}",
                        tr("too many bad rows", "слишком много ошибочных строк"),
                        totals.rejected,
                        args.max_errors,
                        tr("stopped; the", "импорт остановлен;"),
                        totals.accepted,
                        tr("events accepted so far are kept", "уже принятых событий сохранены")
                    ))
                    .into());
                }
                if !more {
                    break;
                }
            }
            let _ = producer.join();
            if let Some(b) = bar {
                b.finish_and_clear();
            }
        }
        Ok(())
    })();
    if let Err(e) = imported {
        let _ = store.flush_import(&pending);
        return Err(e);
    }
    store.flush_import(&pending)?;
    if store.part_count() > 16 {
        store.compact()?;
    }
    if shown > 20 {
        eprintln!("… {} {}", shown - 20, tr("more bad rows not shown", "ошибочных строк не показано"));
    }
    let secs = started.elapsed().as_secs_f64();
    if json {
        return print(&format!(
            "{}\n",
            serde_json::json!({"done": true, "rows": totals.rows, "accepted": totals.accepted, "duplicates": totals.duplicates, "rejected": totals.rejected, "recognised": totals.recognised, "seconds": secs})
        ));
    }
    print(&format!(
        "{}: {}  {}: {}  {}: {}  {}: {}  {}: {}  ({:.1} s, {:.0} {}/s)\n",
        tr("rows", "строк"),
        int(totals.rows),
        tr("accepted", "принято"),
        int(totals.accepted),
        tr("duplicates", "дубликатов"),
        int(totals.duplicates),
        tr("rejected", "отклонено"),
        int(totals.rejected),
        tr("imported before", "импортировано ранее"),
        int(totals.recognised),
        secs,
        totals.rows as f64 / secs.max(1e-9),
        tr("rows", "строк")
    ))
}

fn progress_bar(total: Option<u64>) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total.unwrap_or(0));
    let style = indicatif::ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {msg}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    Some(bar)
}
