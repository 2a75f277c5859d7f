//! The engine conformance suite on the ClickHouse backend, through the test front over chdb: every check the
//! embedded store and the naive oracle pass, this engine passes too.

mod front;

use std::any::Any;
use std::sync::Arc;

use tropa_core::ActorId;
use tropa_engine::{CustomerRecord, Engine, EngineError, EngineSummary, IngestReport, ScanSpec, ScanVisitor};

/// The engine under test: ClickHouse, or — when chdb is absent and the suite says SKIPPED — the oracle.
struct Either(Box<dyn Engine>);

impl Either {
    fn get(&self) -> &dyn Engine {
        self.0.as_ref()
    }
}

impl Engine for Either {
    fn ingest(&self, events: Vec<tropa_core::Event>) -> Result<IngestReport, EngineError> {
        self.get().ingest(events)
    }
    fn dictionaries(&self) -> Arc<tropa_core::Dictionaries> {
        self.get().dictionaries()
    }
    fn scan(&self, spec: &ScanSpec, visitor: &dyn ScanVisitor) -> Result<Vec<Box<dyn Any + Send>>, EngineError> {
        self.get().scan(spec, visitor)
    }
    fn customer(&self, actor: &str) -> Result<Option<CustomerRecord>, EngineError> {
        self.get().customer(actor)
    }
    fn customer_key(&self, id: &str) -> Result<Option<ActorId>, EngineError> {
        self.get().customer_key(id)
    }
    fn data_version(&self) -> Result<u64, EngineError> {
        self.get().data_version()
    }
    fn forget(&self, actor: &str) -> Result<u64, EngineError> {
        self.get().forget(actor)
    }
    fn actor_names(&self, ids: &[ActorId]) -> Result<Vec<String>, EngineError> {
        self.get().actor_names(ids)
    }
    fn summary(&self) -> Result<EngineSummary, EngineError> {
        self.get().summary()
    }
    fn time_bounds(&self) -> Result<(Option<i64>, Option<i64>), EngineError> {
        self.get().time_bounds()
    }
    fn catalog(&self) -> Result<tropa_core::catalog::Catalog, EngineError> {
        self.get().catalog()
    }
}

tropa_engine::engine_conformance_suite!(|| {
    let e = match front::engine() {
        Some(e) => Either(Box::new(e)),
        None => Either(Box::new(tropa_testkit::NaiveEngine::new())),
    };
    (e, ())
});
