//! `tropa export OUT`: every event, grouped by customer in time order, to Parquet or NDJSON.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use clap::Args;
use tropa_core::{ActorId, Columns, Event, Journey};
use tropa_engine::{Engine, JourneySink, ScanSpec, ScanVisitor};
use tropa_io::{EventWriter, ExportRow, Format};

use super::import::FileFormat;
use crate::lang::tr;
use crate::table::{int, print, print_json};
use crate::{OutFormat, UserError};

#[derive(Args)]
pub struct ExportArgs {
    /// Output file.
    out: PathBuf,
    /// parquet or ndjson; guessed from the extension when left out.
    #[arg(long, value_enum)]
    format: Option<FileFormat>,
    #[arg(long, value_enum, default_value = "table")]
    output: OutFormat,
}

struct Export<'a> {
    engine: &'a dyn Engine,
    writer: Mutex<Option<Box<dyn EventWriter>>>,
    error: Mutex<Option<anyhow::Error>>,
}

struct Buffer<'v, 'a> {
    export: &'v Export<'a>,
    customers: Vec<(ActorId, Vec<Event>)>,
    rows: usize,
}

impl Export<'_> {
    fn write(&self, customers: &mut Vec<(ActorId, Vec<Event>)>) {
        if customers.is_empty() {
            return;
        }
        let result = (|| -> anyhow::Result<()> {
            let ids: Vec<ActorId> = customers.iter().map(|(c, _)| *c).collect();
            let names = self.engine.actor_names(&ids)?;
            let rows: Vec<ExportRow<'_>> = customers
                .iter()
                .zip(&names)
                .flat_map(|((_, evs), name)| evs.iter().map(move |e| ExportRow { customer: name, event: e }))
                .collect();
            let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(w) = w.as_mut() {
                w.write(&rows)?;
            }
            Ok(())
        })();
        customers.clear();
        if let Err(e) = result {
            self.error.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(e);
        }
    }
}

impl<'a> ScanVisitor for Export<'a> {
    fn start(&self) -> Box<dyn JourneySink + '_> {
        Box::new(Buffer { export: self, customers: Vec::new(), rows: 0 })
    }
}

impl JourneySink for Buffer<'_, '_> {
    fn journey(&mut self, j: &Journey<'_>) {
        self.rows += j.len();
        self.customers.push((j.customer, j.events()));
        if self.rows >= 65_536 {
            self.export.write(&mut self.customers);
            self.rows = 0;
        }
    }

    fn finish(mut self: Box<Self>) -> Box<dyn std::any::Any + Send> {
        self.export.write(&mut self.customers);
        Box::new(())
    }
}

pub fn run(data: &Path, args: ExportArgs) -> anyhow::Result<()> {
    let format = match args.format {
        Some(f) => f.into(),
        None => Format::from_path(&args.out).ok_or_else(|| {
            UserError(format!(
                "{}: {}",
                args.out.display(),
                tr(
                    "cannot tell the format: use --format parquet|ndjson",
                    "не удалось определить формат: укажите --format parquet|ndjson"
                )
            ))
        })?,
    };
    if format == Format::Csv {
        return Err(UserError(format!(
            "--format csv: {}",
            tr("export writes parquet or ndjson", "экспорт пишет parquet или ndjson")
        ))
        .into());
    }
    let store = super::open_existing(data)?;
    let writer = tropa_io::create_writer(&args.out, format)?;
    let export = Export { engine: &store, writer: Mutex::new(Some(writer)), error: Mutex::new(None) };
    store.scan(&ScanSpec::default().with_columns(Columns::ROWS), &export)?;
    if let Some(e) = export.error.lock().unwrap_or_else(|e| e.into_inner()).take() {
        return Err(e);
    }
    let writer = export.writer.lock().unwrap_or_else(|e| e.into_inner()).take();
    let rows = match writer {
        Some(w) => w.finish()?,
        None => 0,
    };
    if args.output == OutFormat::Json {
        return print_json(&serde_json::json!({"file": args.out.display().to_string(), "events": rows}));
    }
    print(&format!("{} {} → {}\n", tr("exported", "выгружено"), int(rows), args.out.display()))
}
