//! `tropa-bench q3`: weekly cohort retention over 12 weeks, cohort = first active week (BENCH.md Q3), with the
//! library's [`RetentionFold`] as `tropa retention --period week --periods 12` runs it: the cohort is the ISO week
//! (Monday, UTC) of the customer's first event; column k = 0..=12 counts the customers of the cohort with an event
//! in week cohort + k (column 0 is the whole cohort).
//!
//! Answer: per cohort (its Monday) the customers retained in each column.

use serde_json::{json, Map, Value};
use tropa_core::analysis::filter::EventMatch;
use tropa_core::analysis::period::Period;
use tropa_core::analysis::retention::{RetentionFold, RetentionMode, RetentionSpec};
use tropa_engine::{fold, Engine, ScanSpec};
use tropa_store::Store;

use crate::query::{measure, QueryArgs};

pub const WEEKS: usize = 12;

pub fn q3(args: QueryArgs) -> anyhow::Result<()> {
    measure("Q3", &args, |store: &Store| {
        let any = EventMatch::parse("*").map_err(anyhow::Error::msg)?;
        let spec = RetentionSpec {
            start: any.clone(),
            return_event: any,
            period: Period::Week,
            periods: WEEKS,
            mode: RetentionMode::On,
            breakdown: None,
            repeat_within_ms: None,
            from: None,
            to: None,
            now: None,
            calendar: Default::default(),
        };
        let f = RetentionFold::new(spec, &store.dictionaries()).map_err(anyhow::Error::msg)?;
        let acc = fold(store, &ScanSpec::default().with_columns(f.columns()), &f)?;
        let report = f.report(&acc);
        let cohorts: Map<String, Value> =
            report.cohorts.iter().map(|c| (c.cohort.clone(), json!(c.curve.retained))).collect();
        Ok((store.snapshot()?.rows(), json!({"cohorts": cohorts})))
    })
}
