//! `tropa-bench q2`: the top 20 paths of depth 5 starting at the customer's first view_item (BENCH.md Q2), with
//! the library's [`PathsFold`] as `tropa paths --from view_item --depth 5 --top 20` runs it: the first view_item
//! and up to 4 events after it, over the whole journey, no collapsing; a customer without a view_item gives no
//! path, a journey that ends early a shorter one. Ties are ordered by the event names, ascending.
//!
//! Answer: the top paths (event names) and their customers. The report also computes the Sankey nodes and links
//! over all paths, which the SQL formulations do not; that is part of the timed work.

use serde_json::json;
use tropa_core::analysis::filter::EventMatch;
use tropa_core::analysis::paths::{PathsFold, PathsSpec};
use tropa_engine::{fold, Engine, ScanSpec};
use tropa_store::Store;

use crate::query::{measure, QueryArgs};

pub const DEPTH: usize = 5;
pub const TOP: usize = 20;

pub fn q2(args: QueryArgs) -> anyhow::Result<()> {
    measure("Q2", &args, |store: &Store| {
        let spec = PathsSpec {
            from: Some(EventMatch::parse("view_item").map_err(anyhow::Error::msg)?),
            to: None,
            depth: DEPTH,
            collapse: false,
            session_ms: None,
            top: TOP,
            conversion: None,
        };
        let f = PathsFold::new(spec, &store.dictionaries()).map_err(anyhow::Error::msg)?;
        let acc = fold(store, &ScanSpec::default().with_columns(f.columns()), &f)?;
        let report = f.report(&acc);
        let top: Vec<_> = report.paths.iter().map(|p| json!({"events": p.events, "customers": p.customers})).collect();
        let answer = json!({"paths": top, "total": report.total, "distinct_paths": report.distinct_paths});
        Ok((store.snapshot()?.rows(), answer))
    })
}
