//! Test kit of tropa: [`NaiveEngine`], the reference engine (oracle) that every backend is compared with.
//!
//! The oracle keeps events in a vector and, at scan time, groups them by customer and sorts them by
//! (time, ingest order) — the definition of a journey, with nothing clever in between.

use std::any::Any;
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use tropa_core::identity::Merge;
use tropa_core::{ActorId, Columns, DictCol, Dictionaries, Event, EventAccess, Identity, Journey, RowRef, TextCol};
use tropa_engine::{
    CustomerRecord, Engine, EngineError, EngineSummary, IngestReport, MergeRecord, ScanSpec, ScanVisitor,
};

#[derive(Default)]
struct Inner {
    events: Vec<Event>,
    identity: Identity,
    seen: HashSet<String>,
    merges: Vec<Merge>,
    dicts: Dictionaries,
    /// Events with index < the value are hidden for the actor.
    forgotten: Vec<(u32, usize)>,
}

/// The reference engine.
#[derive(Default)]
pub struct NaiveEngine {
    inner: Mutex<Inner>,
}

struct Events(Vec<Event>);

impl EventAccess for Events {
    fn event(&self, r: RowRef) -> Event {
        self.0.get(r.row as usize).cloned().unwrap_or_default()
    }
    fn text(&self, col: TextCol, r: RowRef) -> &str {
        let Some(e) = self.0.get(r.row as usize) else { return "" };
        match col {
            TextCol::MessageId => &e.message_id,
            TextCol::AnonymousId => &e.anonymous_id,
            TextCol::UserId => &e.user_id,
            TextCol::Referrer => &e.channel.referrer,
            TextCol::Properties => &e.properties,
            TextCol::Traits => &e.traits,
            TextCol::PageUrl => &e.context.page_url,
            TextCol::PageTitle => &e.context.page_title,
            TextCol::UserAgent => &e.context.user_agent,
            TextCol::Ip => &e.context.ip,
            TextCol::Locale => &e.context.locale,
        }
    }
}

fn dict_value(e: &Event, col: DictCol) -> &str {
    match col {
        DictCol::Name => &e.name,
        DictCol::Touchpoint => &e.touchpoint,
        DictCol::Source => &e.channel.source,
        DictCol::Medium => &e.channel.medium,
        DictCol::Campaign => &e.channel.campaign,
        DictCol::Term => &e.channel.term,
        DictCol::Content => &e.channel.content,
        DictCol::Channel => &e.channel.group,
        DictCol::Currency => &e.currency,
        DictCol::Country => &e.context.country,
        DictCol::City => &e.context.city,
    }
}

/// A test event: a track call named `name` by user `user` at `ts`, message id `m{id}`, no properties or traits.
/// Tests fill in the rest with struct update syntax (`Event { revenue, ..track(…) }`).
pub fn track(id: usize, user: &str, ts: i64, name: &str) -> Event {
    Event {
        message_id: format!("m{id}"),
        kind: tropa_core::event::MessageKind::Track,
        timestamp: ts,
        user_id: user.to_string(),
        name: name.to_string(),
        properties: "{}".into(),
        traits: "{}".into(),
        ..Event::default()
    }
}

impl NaiveEngine {
    pub fn new() -> Self {
        NaiveEngine::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Inner {
    fn actor_of(&self, e: &Event) -> Option<ActorId> {
        self.identity.lookup(e.actor())
    }

    fn visible(&self, i: usize, e: &Event) -> bool {
        let ids = [&e.anonymous_id, &e.user_id];
        !ids.iter().filter(|s| !s.is_empty()).any(|s| {
            self.identity.lookup(s).is_some_and(|a| self.forgotten.iter().any(|&(f, lim)| f == a.0 && i < lim))
        })
    }

    /// Customer → indexes of its visible events in (time, ingest) order.
    fn journeys(&self) -> BTreeMap<u32, Vec<usize>> {
        let mut by: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for (i, e) in self.events.iter().enumerate() {
            if !self.visible(i, e) {
                continue;
            }
            if let Some(a) = self.actor_of(e) {
                by.entry(self.identity.root(a).0).or_default().push(i);
            }
        }
        for v in by.values_mut() {
            v.sort_by_key(|&i| (self.events[i].timestamp, i));
        }
        by
    }
}

impl Engine for NaiveEngine {
    fn ingest(&self, events: Vec<Event>) -> Result<IngestReport, EngineError> {
        let mut g = self.lock();
        let mut report = IngestReport::default();
        for e in events {
            if e.anonymous_id.is_empty() && e.user_id.is_empty() {
                return Err(EngineError::Invalid { field: "userId".into(), reason: "is missing".into() });
            }
            // an empty message id is never a duplicate (rows imported without one)
            if !e.message_id.is_empty() && !g.seen.insert(e.message_id.clone()) {
                report.duplicates += 1;
                continue;
            }
            let anon = (!e.anonymous_id.is_empty()).then(|| g.identity.actor(&e.anonymous_id));
            let user = (!e.user_id.is_empty()).then(|| g.identity.actor(&e.user_id));
            if let (Some(a), Some(u)) = (anon, user) {
                if let Some(m) = g.identity.link(u, a, &e.message_id, e.kind, e.timestamp) {
                    g.merges.push(m);
                }
            }
            for col in DictCol::ALL {
                g.dicts.intern(col, dict_value(&e, col))?;
            }
            g.events.push(e);
            report.accepted += 1;
        }
        Ok(report)
    }

    fn dictionaries(&self) -> Arc<Dictionaries> {
        Arc::new(self.lock().dicts.clone())
    }

    fn scan(&self, spec: &ScanSpec, visitor: &dyn ScanVisitor) -> Result<Vec<Box<dyn Any + Send>>, EngineError> {
        let g = self.lock();
        let access = Events(g.events.clone());
        let mut sink = visitor.start();
        for (customer, idx) in g.journeys() {
            let keep: Vec<usize> = idx
                .into_iter()
                .filter(|&i| {
                    let e = &g.events[i];
                    spec.time_ok(e.timestamp) && spec.names.as_ref().is_none_or(|n| n.contains(&e.name))
                })
                .collect();
            if keep.is_empty() {
                continue;
            }
            let ev = |i: &usize| &g.events[*i];
            let ts: Vec<i64> = keep.iter().map(|i| ev(i).timestamp).collect();
            let name: Vec<u16> = keep.iter().map(|i| g.dicts.name_code(&ev(i).name).unwrap_or(0)).collect();
            let dict_cols: Vec<Vec<u32>> = DictCol::ALL
                .iter()
                .map(|&c| {
                    if c == DictCol::Name || !spec.columns.has_dict(c) {
                        Vec::new()
                    } else {
                        keep.iter().map(|i| g.dicts.get(c).code(dict_value(ev(i), c)).unwrap_or(0)).collect()
                    }
                })
                .collect();
            let cols = spec.columns;
            let revenue: Vec<f64> = if cols.has(Columns::REVENUE) {
                keep.iter().map(|i| ev(i).revenue.unwrap_or(f64::NAN)).collect()
            } else {
                Vec::new()
            };
            let kind: Vec<u8> =
                if cols.has(Columns::KIND) { keep.iter().map(|i| ev(i).kind as u8).collect() } else { Vec::new() };
            let rows: Vec<RowRef> = if cols.has(Columns::ROWS) {
                keep.iter().map(|&i| RowRef { part: 0, row: i as u32 }).collect()
            } else {
                Vec::new()
            };
            let mut dict: [&[u32]; DictCol::COUNT] = [&[]; DictCol::COUNT];
            for (i, d) in dict_cols.iter().enumerate() {
                dict[i] = d;
            }
            sink.journey(&Journey {
                customer: ActorId(customer),
                ts: &ts,
                name: &name,
                dict,
                revenue: &revenue,
                kind: &kind,
                rows: &rows,
                access: &access,
            });
        }
        Ok(vec![sink.finish()])
    }

    fn customer(&self, actor: &str) -> Result<Option<CustomerRecord>, EngineError> {
        let g = self.lock();
        let Some(a) = g.identity.lookup(actor) else { return Ok(None) };
        let members = g.identity.members_of(a);
        let root = g.identity.root(a);
        let events =
            g.journeys().remove(&root.0).unwrap_or_default().into_iter().map(|i| g.events[i].clone()).collect();
        let name = |x: ActorId| g.identity.name(x).to_string();
        let merges = g
            .merges
            .iter()
            .filter(|m| members.contains(&m.a) || members.contains(&m.b))
            .map(|m| MergeRecord::resolve(m, name))
            .collect();
        Ok(Some(CustomerRecord {
            customer: name(root),
            actors: members.iter().map(|&m| name(m)).collect(),
            merges,
            events,
        }))
    }

    fn actor_names(&self, ids: &[ActorId]) -> Result<Vec<String>, EngineError> {
        let g = self.lock();
        Ok(ids.iter().map(|&a| g.identity.name(a).to_string()).collect())
    }

    fn forget(&self, actor: &str) -> Result<u64, EngineError> {
        let mut g = self.lock();
        let Some(a) = g.identity.lookup(actor) else { return Ok(0) };
        let root = g.identity.root(a);
        let hidden = g.journeys().get(&root.0).map_or(0, |v| v.len()) as u64;
        let limit = g.events.len();
        for m in g.identity.members_of(a) {
            g.forgotten.push((m.0, limit));
        }
        Ok(hidden)
    }

    fn customer_key(&self, id: &str) -> Result<Option<tropa_core::ActorId>, EngineError> {
        let g = self.lock();
        Ok(g.identity.lookup(id).map(|a| g.identity.root(a)))
    }

    /// Events stored and forgets so far: both only grow.
    fn data_version(&self) -> Result<u64, EngineError> {
        let g = self.lock();
        Ok((g.events.len() + g.forgotten.len()) as u64)
    }

    fn summary(&self) -> Result<EngineSummary, EngineError> {
        let g = self.lock();
        let j = g.journeys();
        let ts = j.values().flatten().map(|&i| g.events[i].timestamp);
        Ok(EngineSummary {
            events: j.values().map(|v| v.len() as u64).sum(),
            actors: g.identity.actors() as u64,
            customers: j.len() as u64,
            min_ts: ts.clone().min(),
            max_ts: ts.max(),
        })
    }
}

#[cfg(test)]
mod tests {
    tropa_engine::engine_conformance_suite!(|| (crate::NaiveEngine::new(), ()));
}
