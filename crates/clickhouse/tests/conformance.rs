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

/// Every journey visited, as its events' (message id, name), sorted.
struct Names;

impl tropa_core::JourneyFold for Names {
    type Acc = Vec<Vec<(String, String)>>;
    fn init(&self) -> Self::Acc {
        Vec::new()
    }
    fn fold(&self, acc: &mut Self::Acc, j: &tropa_core::Journey<'_>) {
        acc.push(j.events().into_iter().map(|e| (e.message_id, e.name)).collect());
    }
    fn merge(&self, into: &mut Self::Acc, other: Self::Acc) {
        into.extend(other);
    }
}

/// The `having` hint is pushed down: ClickHouse streams exactly the customers with such an event in the time
/// range (whole journeys, merged ids included), not every customer.
#[test]
fn having_is_pushed_down_to_exactly_the_customers_with_the_event() {
    let Some(engine) = front::engine() else { return };
    let (events, _) = tropa_engine::conformance::dataset(50, 31);
    for chunk in events.chunks(40) {
        engine.ingest(chunk.to_vec()).expect("ingest");
    }
    let (from, to) = (1_700_000_000_000 + 4 * 60_000, 1_700_000_000_000 + 16 * 60_000);
    for (range, name) in [((None, None), "purchase"), ((Some(from), Some(to)), "search")] {
        let plain =
            ScanSpec { from: range.0, to: range.1, ..ScanSpec::default() }.with_columns(tropa_core::Columns::ROWS);
        let hinted = ScanSpec { having: Some(vec![name.into()]), ..plain.clone() };
        let mut want = tropa_engine::fold(&engine, &plain, &Names).expect("scan");
        want.retain(|j| j.iter().any(|(_, n)| n == name));
        want.sort();
        let mut got = tropa_engine::fold(&engine, &hinted, &Names).expect("scan");
        got.sort();
        assert!(!want.is_empty());
        assert_eq!(got, want, "having {name} in {range:?}");
    }
    let none = ScanSpec { having: Some(vec![]), ..ScanSpec::default() }.with_columns(tropa_core::Columns::ROWS);
    assert!(tropa_engine::fold(&engine, &none, &Names).expect("scan").is_empty());
}
