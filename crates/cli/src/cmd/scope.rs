//! The report filters every analysis command takes (`--since`, `--until`, `--did`, `--did-not`, `--trait`,
//! `--first-channel`), turned into a [`ScopeSpec`] and run around a fold.

use clap::Args;
use tropa_core::analysis::filter::EventMatch;
use tropa_core::analysis::scope::{CustomerTest, Scope, ScopeSpec};
use tropa_core::time::{parse_time, TimeFormat};
use tropa_core::{Columns, JourneyFold};
use tropa_engine::{fold, Engine, ScanSpec};

use crate::UserError;

#[derive(Args, Clone, Default)]
pub struct FilterArgs {
    /// Only events at or after this time (RFC 3339 or YYYY-MM-DD); journeys are cut to the range.
    #[arg(long, help_heading = "Filters")]
    pub since: Option<String>,
    /// Only events before this time.
    #[arg(long, help_heading = "Filters")]
    pub until: Option<String>,
    /// Only customers who did this (in the range): `EVENT [where …]`. Repeatable: all must hold.
    #[arg(long, value_name = "EVENT", help_heading = "Filters")]
    pub did: Vec<String>,
    /// Only customers who did not do this (in the range).
    #[arg(long = "did-not", value_name = "EVENT", help_heading = "Filters")]
    pub did_not: Vec<String>,
    /// Only customers whose latest trait satisfies `KEY OP VALUE`, e.g. `plan = pro`. Repeatable.
    #[arg(long = "trait", value_name = "COND", help_heading = "Filters")]
    pub traits: Vec<String>,
    /// Only customers whose first touch came through this channel group (repeat or comma-separate for several).
    #[arg(long = "first-channel", value_name = "CHANNEL", value_delimiter = ',', help_heading = "Filters")]
    pub first_channel: Vec<String>,
}

fn user(arg: &str, msg: impl std::fmt::Display) -> anyhow::Error {
    UserError(format!("{arg}: {msg}")).into()
}

impl FilterArgs {
    /// The filters as a spec; every error names its argument.
    pub fn spec(&self) -> anyhow::Result<ScopeSpec> {
        let time = |arg: &str, v: &Option<String>| -> anyhow::Result<Option<i64>> {
            v.as_ref().map(|t| parse_time(t, &TimeFormat::Rfc3339).map_err(|e| user(arg, e))).transpose()
        };
        let since = time("--since", &self.since)?;
        let until = time("--until", &self.until)?;
        if let (Some(s), Some(u)) = (since, until) {
            if u <= s {
                return Err(user("--until", "must be later than --since"));
            }
        }
        let events = |arg: &str, list: &[String]| -> anyhow::Result<Vec<EventMatch>> {
            list.iter().map(|t| EventMatch::parse(t).map_err(|e| user(&format!("{arg} '{t}'"), e))).collect()
        };
        Ok(ScopeSpec {
            since,
            until,
            did: events("--did", &self.did)?,
            did_not: events("--did-not", &self.did_not)?,
            traits: self
                .traits
                .iter()
                .map(|t| ScopeSpec::parse_trait(t).map_err(|e| user(&format!("--trait '{t}'"), e)))
                .collect::<anyhow::Result<_>>()?,
            first_channel: self.first_channel.iter().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect(),
        })
    }
}

/// Runs `inner` (whose scan needs `columns`) over the customers and events the filters select.
pub fn run_fold<F: JourneyFold>(
    engine: &dyn Engine,
    inner: F,
    columns: Columns,
    spec: ScopeSpec,
    tests: Vec<Box<dyn CustomerTest>>,
) -> anyhow::Result<(F::Acc, Scope<F>)> {
    let dicts = engine.dictionaries();
    let mut scope = Scope::new(inner, columns, spec, &dicts);
    for t in tests {
        scope = scope.with_test(t);
    }
    let (from, to) = scope.scan_range();
    let scan = ScanSpec { from, to, ..ScanSpec::default() }.with_columns(scope.columns());
    let acc = fold(engine, &scan, &scope)?;
    Ok((acc, scope))
}
