use std::any::Any;

use tropa_core::{Columns, Journey, JourneyFold};

use crate::{Engine, EngineError};

/// What a scan reads. Events outside the time range or the name list are left out of the journeys; customers
/// left with no events are not visited.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanSpec {
    /// Keep events with `timestamp >= from` (epoch ms).
    pub from: Option<i64>,
    /// Keep events with `timestamp < to` (epoch ms).
    pub to: Option<i64>,
    /// Keep only events with these names.
    pub names: Option<Vec<String>>,
    /// Columns to fill beyond time and name (column projection: an engine reads and decodes no other
    /// column, so a column a scan does not name can neither fail it nor cost it time).
    pub columns: Columns,
    /// A hint: only customers with at least one event of these names (within the time range) matter to the
    /// fold. An engine may skip the others before building their journeys, or visit them anyway, so a fold
    /// that gives this hint must do nothing for a customer without such an event. The journeys an engine does
    /// visit are whole (the hint filters customers, never events).
    pub having: Option<Vec<String>>,
}

impl ScanSpec {
    pub fn with_columns(mut self, columns: Columns) -> Self {
        self.columns = self.columns.with(columns);
        self
    }

    /// Does an event at `ts` named `name` pass the time filter (names are checked by the engine by code)?
    pub fn time_ok(&self, ts: i64) -> bool {
        self.from.is_none_or(|f| ts >= f) && self.to.is_none_or(|t| ts < t)
    }
}

/// Creates one sink per chunk of customers; called from many threads at once.
pub trait ScanVisitor: Sync {
    fn start(&self) -> Box<dyn JourneySink + '_>;
}

/// Receives the journeys of one chunk, in customer order, then yields the chunk's result.
pub trait JourneySink: Send {
    fn journey(&mut self, journey: &Journey<'_>);
    fn finish(self: Box<Self>) -> Box<dyn Any + Send>;
}

pub(crate) struct FoldVisitor<'f, F: JourneyFold>(pub(crate) &'f F);

struct FoldSink<'f, F: JourneyFold> {
    fold: &'f F,
    acc: F::Acc,
}

impl<F: JourneyFold> ScanVisitor for FoldVisitor<'_, F> {
    fn start(&self) -> Box<dyn JourneySink + '_> {
        Box::new(FoldSink { fold: self.0, acc: self.0.init() })
    }
}

impl<F: JourneyFold> JourneySink for FoldSink<'_, F> {
    fn journey(&mut self, journey: &Journey<'_>) {
        self.fold.fold(&mut self.acc, journey);
    }

    fn finish(self: Box<Self>) -> Box<dyn Any + Send> {
        Box::new(self.acc)
    }
}

/// Runs `f` over every journey of `engine` matching `spec` and merges the chunk results in order.
pub fn fold<F: JourneyFold>(engine: &dyn Engine, spec: &ScanSpec, f: &F) -> Result<F::Acc, EngineError> {
    let parts = engine.scan(spec, &FoldVisitor(f))?;
    let mut acc = f.init();
    for part in parts {
        let part = part.downcast::<F::Acc>().map_err(|_| EngineError::Invalid {
            field: "scan".into(),
            reason: "an engine returned a chunk result of the wrong type".into(),
        })?;
        f.merge(&mut acc, *part);
    }
    Ok(acc)
}
