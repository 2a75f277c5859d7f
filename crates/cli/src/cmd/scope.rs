//! The report filters every analysis command takes (`--since`, `--until`, `--did`, `--did-not`, `--trait`,
//! `--first-channel`, `--stage`, `--lifecycle`, `--time-zone`) as the query API's [`Filters`]: the translator
//! ([`super::translate`]) reads them into a scope, the stage/lifecycle tests and the report's calendar (the
//! project's time zone, or `--time-zone`).

use clap::Args;
use tropa_app::request::Filters;
use tropa_core::analysis::stages::JourneyDefinition;

use super::translate::Names;

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
}

impl FilterArgs {
    /// The filters as the query API's `filters`; a condition typed in `--did`, `--did-not` or `--trait` is named
    /// by its text.
    pub fn request(&self, names: &mut Names) -> Filters {
        for (list, texts) in [("did", &self.did), ("did_not", &self.did_not), ("traits", &self.traits)] {
            for (i, t) in texts.iter().enumerate() {
                names.typed(format!("filters.{list}[{i}]"), t);
            }
        }
        Filters {
            since: self.since.clone(),
            until: self.until.clone(),
            did: self.did.clone(),
            did_not: self.did_not.clone(),
            traits: self.traits.clone(),
            first_channel: self.first_channel.clone(),
            stage: self.stage.clone(),
            lifecycle: self.lifecycle.clone(),
            time_zone: self.time_zone.clone(),
        }
    }

    /// The journey definition of `--stage`: the `--stage-definition` file's, else None (the default).
    pub fn stage_definition(&self) -> anyhow::Result<Option<JourneyDefinition>> {
        match &self.stage_definition {
            Some(path) if !self.stage.is_empty() => Ok(Some(super::stages::read_definition(path)?)),
            _ => Ok(None),
        }
    }
}
