//! `tropa-bench q1`: the 5-step ordered funnel of BENCH.md (view_item → add_to_cart → begin_checkout →
//! add_payment_info → purchase, 7-day window from step 1) with the library's [`FunnelFold`], as `tropa funnel`
//! runs it.
//!
//! Answer: customers who reached at least step k (k = 1..5), and with `--breakdown` the same per channel. The
//! benchmark's `channel` column is imported as `source` (`run.py`: `source=channel`), so the breakdown field is
//! [`DictCol::Source`]; tropa's `channel` is the channel group derived from it.
//!
//! Two breakdowns, which must agree:
//! - `first-view` (BENCH.md, ClickHouse's `argMinIf(channel, ts, event_name = 'view_item')`): the channel of the
//!   customer's earliest view_item; [`ByFirstView`] folds each customer into the [`FunnelFold`] of that channel;
//! - `anchor` (`tropa funnel --breakdown source`): the library's own breakdown, by the customer's entry event
//!   (their first step-1 event), which is the same earliest view_item — timed as what `tropa funnel` runs.

use serde_json::{json, Map, Value};
use tropa_core::analysis::filter::{EventMatch, Field};
use tropa_core::analysis::funnel::{Breakdown, FunnelAcc, FunnelFold, FunnelMode, FunnelSpec, Step};
use tropa_core::{Columns, DictCol, Dictionaries, Journey, JourneyFold};
use tropa_engine::{fold, Engine, ScanSpec};
use tropa_store::Store;

use crate::query::{measure, QueryArgs};

pub const STEPS: [&str; 5] = ["view_item", "add_to_cart", "begin_checkout", "add_payment_info", "purchase"];
const WINDOW_MS: i64 = 7 * 86_400_000;
/// Where the benchmark's `channel` lands.
const CHANNEL: DictCol = DictCol::Source;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BreakdownBy {
    /// The channel of the customer's earliest view_item (BENCH.md).
    FirstView,
    /// The channel of step 1 of the winning chain (`tropa funnel --breakdown source`).
    Anchor,
}

#[derive(clap::Args)]
pub struct Q1Args {
    #[command(flatten)]
    q: QueryArgs,
    /// Break the funnel down by channel.
    #[arg(long, value_enum)]
    breakdown: Option<BreakdownBy>,
    /// Push the step names into the scan (`ScanSpec::names`), like ClickHouse's `WHERE event_name IN (…)`.
    #[arg(long)]
    push_names: bool,
}

fn spec(breakdown: Option<BreakdownBy>) -> anyhow::Result<FunnelSpec> {
    let steps = STEPS
        .iter()
        .map(|s| {
            let matcher = EventMatch::parse(s).map_err(anyhow::Error::msg)?;
            Ok(Step { matcher, optional: false, min_ms: None, max_ms: None })
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(FunnelSpec {
        steps,
        mode: FunnelMode::Ordered,
        window_ms: WINDOW_MS,
        exclusions: Vec::new(),
        breakdown: (breakdown == Some(BreakdownBy::Anchor)).then_some(Breakdown::Step(Field::Dict(CHANNEL))),
        trend: None,
        calendar: Default::default(),
        from: None,
        to: None,
        dropoff_top: 0,
    })
}

/// Customers who reached at least each step, from counts by exact level (index 0: not entered).
fn reached(levels: &[u64]) -> Vec<u64> {
    (1..=STEPS.len()).map(|k| levels.iter().skip(k).sum()).collect()
}

pub fn q1(args: Q1Args) -> anyhow::Result<()> {
    let workload = if args.breakdown.is_some() { "Q1-breakdown" } else { "Q1" };
    measure(workload, &args.q, |store: &Store| {
        let dicts = store.dictionaries();
        let f = FunnelFold::new(spec(args.breakdown)?, &dicts).map_err(anyhow::Error::msg)?;
        let mut scan = ScanSpec::default();
        if args.push_names {
            scan.names = Some(STEPS.iter().map(|s| s.to_string()).collect());
        }
        let mut answer = Map::new();
        if args.breakdown == Some(BreakdownBy::FirstView) {
            let by = ByFirstView::new(f, &dicts);
            let accs = fold(store, &scan.with_columns(by.columns()), &by)?;
            let mut total = vec![0u64; STEPS.len() + 1];
            let mut rows = Map::new();
            for (code, acc) in accs.iter().enumerate() {
                let r = reached(&acc.levels);
                if r[0] > 0 {
                    rows.insert(dicts.get(CHANNEL).value(code as u32).to_string(), json!(r));
                }
                for (t, l) in total.iter_mut().zip(&acc.levels) {
                    *t += l;
                }
            }
            answer.insert("reached".into(), json!(reached(&total)));
            answer.insert("breakdown".into(), Value::Object(rows));
        } else {
            let acc = fold(store, &scan.with_columns(f.columns()), &f)?;
            answer.insert("reached".into(), json!(reached(&acc.levels)));
            if args.breakdown.is_some() {
                let rows = acc.breakdown.iter().map(|(k, v)| (k.clone(), json!(reached(v)))).collect();
                answer.insert("breakdown".into(), Value::Object(rows));
            }
        }
        Ok((store.snapshot()?.rows(), Value::Object(answer)))
    })
}

/// The funnel per channel of the customer's earliest view_item: each customer is folded into the [`FunnelAcc`]
/// of that channel's code (customers without a view_item never enter the funnel).
pub struct ByFirstView {
    funnel: FunnelFold,
    first_step: Option<u16>,
}

impl ByFirstView {
    pub fn new(funnel: FunnelFold, dicts: &Dictionaries) -> Self {
        ByFirstView { funnel, first_step: dicts.name_code(STEPS[0]) }
    }

    pub fn columns(&self) -> Columns {
        self.funnel.columns().with(Columns::dict(CHANNEL))
    }
}

impl JourneyFold for ByFirstView {
    /// Index: channel code.
    type Acc = Vec<FunnelAcc>;

    fn init(&self) -> Vec<FunnelAcc> {
        Vec::new()
    }

    fn fold(&self, acc: &mut Vec<FunnelAcc>, j: &Journey<'_>) {
        let Some(first) = self.first_step.and_then(|code| j.name.iter().position(|&n| n == code)) else {
            return;
        };
        let code = j.codes(CHANNEL).get(first).copied().unwrap_or(0) as usize;
        while acc.len() <= code {
            acc.push(self.funnel.init());
        }
        self.funnel.fold(&mut acc[code], j);
    }

    fn merge(&self, into: &mut Vec<FunnelAcc>, other: Vec<FunnelAcc>) {
        for (i, a) in other.into_iter().enumerate() {
            if i < into.len() {
                self.funnel.merge(&mut into[i], a);
            } else {
                into.push(a);
            }
        }
    }
}
