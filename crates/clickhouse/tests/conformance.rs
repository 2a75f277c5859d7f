//! The engine conformance suite on the ClickHouse backend, through the test front over chdb: every check the
//! embedded store and the naive oracle pass, this engine passes too.

mod front;

/// An engine that skips the suite's checks (loudly) when chdb is absent: a `NaiveEngine` stands in.
enum Either {
    Ch(tropa_clickhouse::ClickHouseEngine),
    Skipped(tropa_testkit::NaiveEngine),
}

impl std::ops::Deref for Either {
    type Target = dyn tropa_engine::Engine;
    fn deref(&self) -> &Self::Target {
        match self {
            Either::Ch(e) => e,
            Either::Skipped(e) => e,
        }
    }
}

tropa_engine::engine_conformance_suite!(|| {
    let e = match front::engine() {
        Some(e) => Either::Ch(e),
        None => Either::Skipped(tropa_testkit::NaiveEngine::new()),
    };
    (e, ())
});
