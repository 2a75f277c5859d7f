//! The journey scan: one query streams the needed columns ordered by (resolved customer, time, seq) with the time
//! and name filters pushed down; a reader thread cuts the stream into chunks of whole customers, and workers
//! build each customer's journey and run the visitor on their chunk (chunks in parallel, results in order).

use std::any::Any;
use std::sync::{mpsc, Mutex};

use clickhouse::Row;
use serde::Deserialize;
use tropa_core::{ActorId, Columns, DictCol, Event, EventAccess, Journey, RowRef, TextCol};
use tropa_engine::{EngineError, ScanSpec, ScanVisitor};

use crate::schema::OVERRIDES;
use crate::ClickHouseEngine;

/// Rows of a chunk: about this many (a customer is never cut).
const CHUNK_ROWS: usize = 32_768;
/// Rows per message from the network task to the reader.
const BATCH_ROWS: usize = 4_096;

/// One streamed event: the resolved customer, then the event's columns ('' or NULL where not asked for).
#[derive(Debug, Clone, Row, Deserialize)]
pub struct ScanRow {
    pub customer: u64,
    pub ts: i64,
    pub seq: u64,
    pub received_at: i64,
    pub message_id: String,
    pub kind: u8,
    pub anonymous_id: String,
    pub user_id: String,
    pub name: String,
    pub touchpoint: String,
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub term: String,
    pub content: String,
    pub referrer: String,
    pub channel: String,
    pub revenue: Option<f64>,
    pub currency: String,
    pub properties: String,
    pub traits: String,
    pub page_url: String,
    pub page_title: String,
    pub user_agent: String,
    pub ip: String,
    pub country: String,
    pub city: String,
    pub locale: String,
}

impl ScanRow {
    fn dict(&self, col: DictCol) -> &str {
        match col {
            DictCol::Name => &self.name,
            DictCol::Touchpoint => &self.touchpoint,
            DictCol::Source => &self.source,
            DictCol::Medium => &self.medium,
            DictCol::Campaign => &self.campaign,
            DictCol::Term => &self.term,
            DictCol::Content => &self.content,
            DictCol::Channel => &self.channel,
            DictCol::Currency => &self.currency,
            DictCol::Country => &self.country,
            DictCol::City => &self.city,
        }
    }

    fn text(&self, col: TextCol) -> &str {
        match col {
            TextCol::MessageId => &self.message_id,
            TextCol::AnonymousId => &self.anonymous_id,
            TextCol::UserId => &self.user_id,
            TextCol::Referrer => &self.referrer,
            TextCol::Properties => &self.properties,
            TextCol::Traits => &self.traits,
            TextCol::PageUrl => &self.page_url,
            TextCol::PageTitle => &self.page_title,
            TextCol::UserAgent => &self.user_agent,
            TextCol::Ip => &self.ip,
            TextCol::Locale => &self.locale,
        }
    }

    fn event(&self) -> Event {
        crate::rows::EventRow {
            project: String::new(),
            actor_key: self.customer,
            ts: self.ts,
            seq: self.seq,
            received_at: self.received_at,
            message_id: self.message_id.clone(),
            kind: self.kind,
            anonymous_id: self.anonymous_id.clone(),
            user_id: self.user_id.clone(),
            name: self.name.clone(),
            touchpoint: self.touchpoint.clone(),
            source: self.source.clone(),
            medium: self.medium.clone(),
            campaign: self.campaign.clone(),
            term: self.term.clone(),
            content: self.content.clone(),
            referrer: self.referrer.clone(),
            channel: self.channel.clone(),
            revenue: self.revenue,
            currency: self.currency.clone(),
            properties: self.properties.clone(),
            traits: self.traits.clone(),
            page_url: self.page_url.clone(),
            page_title: self.page_title.clone(),
            user_agent: self.user_agent.clone(),
            ip: self.ip.clone(),
            country: self.country.clone(),
            city: self.city.clone(),
            locale: self.locale.clone(),
        }
        .into_event()
    }
}

/// The scan query for `spec` (pure; the binds follow in the order: project, project, from, to, names, then for
/// the `having` hint: project, project, its names, from, to). The hint is pushed down as a semi-join on the
/// resolved customer, so ClickHouse streams only the customers who count.
pub fn scan_sql(spec: &ScanSpec) -> String {
    let c = spec.columns;
    let rows = c.has(Columns::ROWS);
    let dict = |col: DictCol, name: &str| {
        if rows || c.has_dict(col) {
            format!("e.{name} AS {name}")
        } else {
            format!("'' AS {name}")
        }
    };
    let text = |name: &str| if rows { format!("e.{name} AS {name}") } else { format!("'' AS {name}") };
    let cols = [
        "if(o.rep = 0, e.actor_key, o.rep) AS customer".to_string(),
        "e.ts AS ts".into(),
        "e.seq AS seq".into(),
        if rows { "e.received_at AS received_at".into() } else { "toInt64(0) AS received_at".into() },
        text("message_id"),
        if rows || c.has(Columns::KIND) { "e.kind AS kind".into() } else { "toUInt8(0) AS kind".into() },
        text("anonymous_id"),
        text("user_id"),
        "e.name AS name".into(),
        dict(DictCol::Touchpoint, "touchpoint"),
        dict(DictCol::Source, "source"),
        dict(DictCol::Medium, "medium"),
        dict(DictCol::Campaign, "campaign"),
        dict(DictCol::Term, "term"),
        dict(DictCol::Content, "content"),
        text("referrer"),
        dict(DictCol::Channel, "channel"),
        if rows || c.has(Columns::REVENUE) {
            "e.revenue AS revenue".into()
        } else {
            "CAST(NULL, 'Nullable(Float64)') AS revenue".into()
        },
        dict(DictCol::Currency, "currency"),
        text("properties"),
        text("traits"),
        text("page_url"),
        text("page_title"),
        text("user_agent"),
        text("ip"),
        dict(DictCol::Country, "country"),
        dict(DictCol::City, "city"),
        text("locale"),
    ];
    let mut sql = format!(
        "SELECT {} FROM events AS e LEFT JOIN {OVERRIDES} AS o ON e.actor_key = o.key WHERE e.project = ?",
        cols.join(", ")
    );
    if spec.from.is_some() {
        sql.push_str(" AND e.ts >= ?");
    }
    if spec.to.is_some() {
        sql.push_str(" AND e.ts < ?");
    }
    match &spec.names {
        Some(n) if n.is_empty() => sql.push_str(" AND 0"),
        Some(_) => sql.push_str(" AND e.name IN ?"),
        None => {}
    }
    // the having hint: only customers with such an event in the time range (over all their merged ids)
    match &spec.having {
        Some(h) if h.is_empty() => sql.push_str(" AND 0"),
        Some(_) => {
            sql.push_str(&format!(
                " AND customer IN (SELECT if(h.rep = 0, x.actor_key, h.rep) FROM events AS x LEFT JOIN {OVERRIDES} \
                 AS h ON x.actor_key = h.key WHERE x.project = ? AND x.name IN ?"
            ));
            if spec.from.is_some() {
                sql.push_str(" AND x.ts >= ?");
            }
            if spec.to.is_some() {
                sql.push_str(" AND x.ts < ?");
            }
            sql.push(')');
        }
        None => {}
    }
    sql.push_str(" ORDER BY customer, ts, seq");
    sql
}

/// A chunk of whole customers, with dictionary codes resolved by the reader.
struct Chunk {
    rows: Vec<ScanRow>,
    /// (customer handle, first row, end row) per customer.
    customers: Vec<(ActorId, usize, usize)>,
    /// Codes per row: name (as u32), then the other dictionaries in [`DictCol::ALL`] order.
    codes: Vec<[u32; DictCol::COUNT]>,
}

struct ChunkAccess<'a> {
    rows: &'a [ScanRow],
    events: Vec<Event>,
}

impl EventAccess for ChunkAccess<'_> {
    fn event(&self, row: RowRef) -> Event {
        self.events.get(row.row as usize).cloned().unwrap_or_default()
    }
    fn text(&self, col: TextCol, row: RowRef) -> &str {
        self.rows.get(row.row as usize).map_or("", |r| r.text(col))
    }
}

impl ClickHouseEngine {
    pub(crate) fn scan_impl(
        &self,
        spec: &ScanSpec,
        visitor: &dyn ScanVisitor,
    ) -> Result<Vec<Box<dyn Any + Send>>, EngineError> {
        let mut q = self.remote.client.query(&scan_sql(spec)).bind(&self.project).bind(&self.project);
        if let Some(f) = spec.from {
            q = q.bind(f);
        }
        if let Some(t) = spec.to {
            q = q.bind(t);
        }
        if let Some(n) = spec.names.as_ref().filter(|n| !n.is_empty()) {
            q = q.bind(n);
        }
        if let Some(h) = spec.having.as_ref().filter(|h| !h.is_empty()) {
            q = q.bind(&self.project).bind(&self.project).bind(h);
            if let Some(f) = spec.from {
                q = q.bind(f);
            }
            if let Some(t) = spec.to {
                q = q.bind(t);
            }
        }
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Vec<ScanRow>, String>>(4);
        self.remote.spawn(async move {
            let mut cursor = match q.fetch::<ScanRow>() {
                Ok(c) => c,
                Err(e) => {
                    let _ = tx.send(Err(e.to_string())).await;
                    return;
                }
            };
            let mut buf = Vec::with_capacity(BATCH_ROWS);
            loop {
                match cursor.next().await {
                    Ok(Some(row)) => {
                        buf.push(row);
                        if buf.len() == BATCH_ROWS && tx.send(Ok(std::mem::take(&mut buf))).await.is_err() {
                            return;
                        }
                    }
                    Ok(None) => {
                        if !buf.is_empty() {
                            let _ = tx.send(Ok(buf)).await;
                        }
                        return;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e.to_string())).await;
                        return;
                    }
                }
            }
        });
        let columns = spec.columns;
        let results: Mutex<Vec<(usize, Box<dyn Any + Send>)>> = Mutex::new(Vec::new());
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
        let (ctx, crx) = mpsc::sync_channel::<(usize, Chunk)>(workers);
        let crx = Mutex::new(crx);
        let read: Result<(), EngineError> = std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(|| loop {
                    let next = crx.lock().map_err(|_| ()).and_then(|r| r.recv().map_err(|_| ()));
                    let Ok((i, chunk)) = next else { return };
                    let out = run_chunk(&chunk, columns, visitor);
                    if let Ok(mut r) = results.lock() {
                        r.push((i, out));
                    }
                });
            }
            // the reader runs on a thread of its own: blocking on the channel is safe there, whatever runtime
            // the caller runs in
            let reader = s.spawn(move || -> Result<(), EngineError> {
                let mut pending: Vec<ScanRow> = Vec::new();
                let mut index = 0;
                let flush = |rows: Vec<ScanRow>, index: &mut usize| -> Result<(), EngineError> {
                    let chunk = self.chunk(rows)?;
                    ctx.send((*index, chunk)).map_err(|_| EngineError::Busy)?;
                    *index += 1;
                    Ok(())
                };
                while let Some(batch) = rx.blocking_recv() {
                    let batch = batch.map_err(|reason| EngineError::Remote { what: "streamed journeys", reason })?;
                    pending.extend(batch);
                    if pending.len() >= CHUNK_ROWS {
                        // cut after the last complete customer
                        let last = pending[pending.len() - 1].customer;
                        let cut = pending.iter().rposition(|r| r.customer != last).map_or(0, |p| p + 1);
                        if cut > 0 {
                            let rest = pending.split_off(cut);
                            flush(std::mem::replace(&mut pending, rest), &mut index)?;
                        }
                    }
                }
                if !pending.is_empty() {
                    flush(pending, &mut index)?;
                }
                Ok(())
            });
            reader.join().unwrap_or(Err(EngineError::Busy))
        });
        read?;
        let mut out = results.into_inner().map_err(|_| EngineError::Busy)?;
        out.sort_by_key(|(i, _)| *i);
        Ok(out.into_iter().map(|(_, r)| r).collect())
    }

    /// Resolves dictionary codes and customer handles of a chunk's rows.
    fn chunk(&self, rows: Vec<ScanRow>) -> Result<Chunk, EngineError> {
        let mut codes = Vec::with_capacity(rows.len());
        {
            let mut dicts = self.dicts.lock().map_err(|_| EngineError::Busy)?;
            for r in &rows {
                let mut c = [0u32; DictCol::COUNT];
                for col in DictCol::ALL {
                    c[col as usize] = dicts.intern(col, r.dict(col))?;
                }
                codes.push(c);
            }
        }
        let mut customers = Vec::new();
        let mut start = 0;
        for i in 1..=rows.len() {
            if i == rows.len() || rows[i].customer != rows[start].customer {
                customers.push((self.handle(rows[start].customer)?, start, i));
                start = i;
            }
        }
        Ok(Chunk { rows, customers, codes })
    }
}

fn run_chunk(chunk: &Chunk, columns: Columns, visitor: &dyn ScanVisitor) -> Box<dyn Any + Send> {
    let full = columns.has(Columns::ROWS);
    let access = ChunkAccess {
        rows: &chunk.rows,
        events: if full { chunk.rows.iter().map(ScanRow::event).collect() } else { Vec::new() },
    };
    let mut sink = visitor.start();
    let (mut ts, mut name, mut revenue, mut kind, mut rows) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut dict_cols: Vec<Vec<u32>> = vec![Vec::new(); DictCol::COUNT];
    for &(customer, a, b) in &chunk.customers {
        let r = &chunk.rows[a..b];
        let codes = &chunk.codes[a..b];
        ts.clear();
        ts.extend(r.iter().map(|x| x.ts));
        name.clear();
        name.extend(codes.iter().map(|c| c[DictCol::Name as usize] as u16));
        for col in DictCol::ALL.into_iter().skip(1) {
            let d = &mut dict_cols[col as usize];
            d.clear();
            if columns.has_dict(col) {
                d.extend(codes.iter().map(|c| c[col as usize]));
            }
        }
        revenue.clear();
        if columns.has(Columns::REVENUE) {
            revenue.extend(r.iter().map(|x| x.revenue.unwrap_or(f64::NAN)));
        }
        kind.clear();
        if columns.has(Columns::KIND) {
            kind.extend(r.iter().map(|x| x.kind));
        }
        rows.clear();
        if full {
            rows.extend((a..b).map(|i| RowRef { part: 0, row: i as u32 }));
        }
        let mut dict: [&[u32]; DictCol::COUNT] = [&[]; DictCol::COUNT];
        for (i, d) in dict_cols.iter().enumerate() {
            dict[i] = d;
        }
        sink.journey(&Journey {
            customer,
            ts: &ts,
            name: &name,
            dict,
            revenue: &revenue,
            kind: &kind,
            rows: &rows,
            access: &access,
        });
    }
    sink.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_reads_only_the_columns_asked_for_and_pushes_filters_down() {
        let spec = ScanSpec {
            from: Some(1),
            to: Some(2),
            names: Some(vec!["a".into()]),
            columns: Columns::dict(DictCol::Channel).with(Columns::REVENUE),
            having: None,
        };
        let sql = scan_sql(&spec);
        assert!(sql.contains("e.channel AS channel") && sql.contains("e.revenue AS revenue"), "{sql}");
        assert!(sql.contains("'' AS properties") && sql.contains("'' AS touchpoint"), "{sql}");
        assert!(sql.contains("e.ts >= ? AND e.ts < ? AND e.name IN ? ORDER BY customer, ts, seq"), "{sql}");
        let all = scan_sql(&ScanSpec::default().with_columns(Columns::ROWS));
        assert!(!all.contains("''") && !all.contains(" IN ?"), "{all}");
        insta::assert_snapshot!("scan_funnel_like", sql.replace(", ", ",\n"));
        insta::assert_snapshot!("scan_every_column", all.replace(", ", ",\n"));
    }
}
