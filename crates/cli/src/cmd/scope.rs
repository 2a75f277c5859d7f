//! The report filters every analysis command takes (`--since`, `--until`, `--did`, `--did-not`, `--trait`,
//! `--first-channel`), turned into a [`ScopeSpec`] and the
//! stage/lifecycle tests of [`StateFilter`]; and the report's calendar: the project's time zone, or `--time-zone`.

use clap::Args;
use tropa_core::analysis::filter::EventMatch;
use tropa_core::analysis::scope::{CustomerTest, ScopeSpec};
use tropa_core::calendar::Calendar;
use tropa_core::settings::{parse_time_zone, ProjectSettings};
use tropa_engine::report::StateFilter;
use tropa_engine::Engine;

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
    /// Only customers whose current journey stage is one of these keys (or `none`), as of --until or the data's
    /// last event. Stages come from the default definition (`tropa stages definition`) or --stage-definition.
    #[arg(long, value_name = "KEY", value_delimiter = ',', help_heading = "Filters")]
    pub stage: Vec<String>,
    /// Journey definition file (.toml, .yaml, .json) for --stage.
    #[arg(long = "stage-definition", value_name = "FILE", help_heading = "Filters")]
    pub stage_definition: Option<std::path::PathBuf>,
    /// Only customers in one of these lifecycle states (new, active, returning, reactivated, dormant, churned) as
    /// of --until or the data's last event; dormant after 30 days without activity, churned after 90.
    #[arg(long, value_name = "STATE", value_delimiter = ',', help_heading = "Filters")]
    pub lifecycle: Vec<String>,
    /// The IANA time zone of the report (e.g. Europe/Moscow): its days, weeks and months, and the dates given
    /// without an offset. Default: the project's (`tropa project set --time-zone`).
    #[arg(long = "time-zone", value_name = "ZONE", help_heading = "Filters")]
    pub time_zone: Option<String>,
    /// The project's settings, set by the command before it reads the filters.
    #[arg(skip)]
    pub project: ProjectSettings,
}

impl FilterArgs {
    /// The report's calendar: `--time-zone`, else the project's time zone.
    pub fn calendar(&self) -> anyhow::Result<Calendar> {
        match &self.time_zone {
            Some(name) => {
                parse_time_zone(name).map_err(|e| UserError::arg("--time-zone", e.reason.words(crate::lang::lang())))
            }
            None => Ok(self.project.calendar),
        }
    }

    /// The filters as a spec; every error names its argument.
    pub fn spec(&self) -> anyhow::Result<ScopeSpec> {
        let cal = self.calendar()?;
        let since = super::optional_instant(cal, "--since", &self.since)?;
        let until = super::optional_instant(cal, "--until", &self.until)?;
        if let (Some(s), Some(u)) = (since, until) {
            if u <= s {
                return Err(UserError::arg("--until", "must be later than --since"));
            }
        }
        let events = |arg: &str, list: &[String]| -> anyhow::Result<Vec<EventMatch>> {
            list.iter()
                .map(|t| {
                    EventMatch::parse(t).map_err(|e| UserError::arg(&format!("{arg} '{t}'"), crate::lang::words(&e)))
                })
                .collect()
        };
        Ok(ScopeSpec {
            since,
            until,
            did: events("--did", &self.did)?,
            did_not: events("--did-not", &self.did_not)?,
            traits: self
                .traits
                .iter()
                .map(|t| ScopeSpec::parse_trait(t).map_err(|e| UserError::arg(&format!("--trait '{t}'"), e)))
                .collect::<anyhow::Result<_>>()?,
            first_channel: self.first_channel.iter().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect(),
        })
    }
}

impl FilterArgs {
    /// The stage and lifecycle tests, evaluated as of `--until` (else the data's last event).
    pub fn tests(&self, engine: &dyn Engine) -> anyhow::Result<Vec<Box<dyn CustomerTest>>> {
        let filter = StateFilter {
            stages: self.stage.clone(),
            definition: match &self.stage_definition {
                Some(path) if !self.stage.is_empty() => Some(super::stages::read_definition(path)?),
                _ => None,
            },
            lifecycle: self.lifecycle.clone(),
            until: super::optional_instant(self.calendar()?, "--until", &self.until)?,
        };
        filter.tests(engine).map_err(|e| match e {
            tropa_engine::EngineError::Invalid { field, reason } => UserError::arg(&format!("--{field}"), reason),
            other => other.into(),
        })
    }
}
