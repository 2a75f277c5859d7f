//! The backend contract of tropa: [`Engine`] (ingest, scan journeys, look up a customer, forget one), the
//! [`ScanSpec`] of a scan, errors, and the conformance suite every backend runs.
//!
//! A scan hands each customer's complete, time-ordered journey to a fold; [`fold`] runs any
//! [`JourneyFold`] over an engine and merges the partial results in chunk order. The contract a backend keeps:
//! - **column projection**: a scan reads time and name and only the columns [`ScanSpec::columns`] names (a
//!   funnel never reads properties: damage or cost there cannot touch it);
//! - **a data version** ([`Engine::data_version`]) that stamps stored results;
//! - **lookup by any id** ([`Engine::customer_key`], [`Engine::customer`]) from an index, not a scan.
//!
//!
//!
//! ```
//! use tropa_engine::{fold, Engine, ScanSpec};
//! let engine = tropa_testkit::NaiveEngine::new();
//! let (events, _) = tropa_engine::conformance::dataset(5, 1);
//! engine.ingest(events)?;
//! let counts = fold(&engine, &ScanSpec::default(), &tropa_core::CountFold)?;
//! assert_eq!(counts.customers, 5);
//! # Ok::<(), tropa_engine::EngineError>(())
//! ```

pub mod conformance;
mod error;
pub mod report;
mod scan;

use std::sync::Arc;

use serde::Serialize;
use tropa_core::catalog::{Catalog, CatalogFold};
use tropa_core::identity::Merge;
use tropa_core::{Dictionaries, Event};

pub use error::{EngineError, ErrorKind};
pub use scan::{fold, JourneySink, ScanSpec, ScanVisitor};

/// What an ingest call did. Events are durable when it returns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    /// New events stored.
    pub accepted: u64,
    /// Events whose message id was already stored (or repeated within the call); not stored again.
    pub duplicates: u64,
}

impl IngestReport {
    pub fn add(&mut self, other: IngestReport) {
        self.accepted += other.accepted;
        self.duplicates += other.duplicates;
    }
}

/// One customer with every event of every actor linked to it, in time order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerRecord {
    /// Name of the customer's representative actor (its first-seen id).
    pub customer: String,
    /// Every anonymous id and user id linked to the customer.
    pub actors: Vec<String>,
    /// The links that joined those actors, with the messages that caused them.
    pub merges: Vec<MergeRecord>,
    pub events: Vec<Event>,
}

/// A logged identity merge, with actor names resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergeRecord {
    pub a: String,
    pub b: String,
    pub message_id: String,
    pub via: String,
    pub at: i64,
}

impl MergeRecord {
    pub fn resolve(m: &Merge, name: impl Fn(tropa_core::ActorId) -> String) -> Self {
        MergeRecord {
            a: name(m.a),
            b: name(m.b),
            message_id: m.message_id.clone(),
            via: m.via.as_str().into(),
            at: m.at,
        }
    }
}

/// Sizes an engine can tell without scanning.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EngineSummary {
    pub events: u64,
    pub actors: u64,
    pub customers: u64,
    pub min_ts: Option<i64>,
    pub max_ts: Option<i64>,
}

/// A place where journeys are kept and scanned.
pub trait Engine: Send + Sync {
    /// Stores events durably, links identities, skips duplicates (by message id).
    fn ingest(&self, events: Vec<Event>) -> Result<IngestReport, EngineError>;

    /// A snapshot of the dictionaries. Codes never change meaning, so a snapshot taken before a scan
    /// stays valid for it.
    fn dictionaries(&self) -> Arc<Dictionaries>;

    /// Runs `visitor` over every customer's journey that has events matching `spec`. Returns one result per
    /// chunk of customers, in chunk order (customers never straddle chunks).
    fn scan(
        &self,
        spec: &ScanSpec,
        visitor: &dyn ScanVisitor,
    ) -> Result<Vec<Box<dyn std::any::Any + Send>>, EngineError>;

    /// The customer that `actor` (an anonymous id or user id) belongs to, or `None` if unknown.
    fn customer(&self, actor: &str) -> Result<Option<CustomerRecord>, EngineError>;

    /// **Lookup by any id**: the customer key (as in [`tropa_core::Journey::customer`]) of the customer that
    /// `id` — an anonymous id, a user id or any alias the identity knows — belongs to, or `None` if unknown.
    /// Answered from an index, without loading every id or any event (the embedded store reads its on-disk
    /// actor index; a ClickHouse backend a table keyed by id).
    fn customer_key(&self, id: &str) -> Result<Option<tropa_core::ActorId>, EngineError>;

    /// **Data version**: a number that grows whenever what a scan sees may have changed (events accepted, a
    /// customer forgotten, identities merged), and never goes back; equal versions mean equal scans. Stored
    /// results are stamped with it. It may also grow when nothing visible changed (a flush, a compaction).
    fn data_version(&self) -> Result<u64, EngineError>;

    /// Deletes every event of the customer that `actor` belongs to (right to be forgotten). Returns how many
    /// events were removed from view.
    fn forget(&self, actor: &str) -> Result<u64, EngineError>;

    /// Names (first-seen ids) of customers, as in [`tropa_core::Journey::customer`].
    fn actor_names(&self, ids: &[tropa_core::ActorId]) -> Result<Vec<String>, EngineError>;

    /// Counts known without scanning.
    fn summary(&self) -> Result<EngineSummary, EngineError>;

    /// The times of the earliest and the latest stored event (`min_ts`, `max_ts` of [`Engine::summary`]).
    /// Engines that keep them apart from the counts answer without counting.
    fn time_bounds(&self) -> Result<(Option<i64>, Option<i64>), EngineError> {
        let s = self.summary()?;
        Ok((s.min_ts, s.max_ts))
    }

    /// Every event name and property key stored, with counts, first/last seen and top values
    /// ([`tropa_core::catalog`]). Counts are of the events a scan sees now: a forgotten customer's events are
    /// not counted. The default folds a full scan; an engine that keeps the catalog as it ingests (the
    /// embedded store) answers without scanning, and must answer the same (the conformance suite checks it).
    fn catalog(&self) -> Result<Catalog, EngineError> {
        let dicts = self.dictionaries();
        let spec = ScanSpec::default().with_columns(CatalogFold::columns());
        let f = CatalogFold { dicts: &dicts };
        let mut out = Catalog::default();
        for part in self.scan(&spec, &scan::FoldVisitor(&f))? {
            if let Ok(c) = part.downcast::<Catalog>() {
                out.merge(&c);
            }
        }
        Ok(out.sorted())
    }
}
