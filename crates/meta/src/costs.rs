//! Ad spend per project: one row per day, source, medium, campaign and channel, the amount in millionths of the
//! project's currency (already converted and with VAT as imported: see
//! `tropa_core::analysis::attribution::costs`). A re-import **replaces** the days it covers, in one transaction:
//! ad platforms revise yesterday's spend, so the latest file of a period is the truth.

use serde::Serialize;

/// One stored cost row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredCost {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub source: String,
    pub medium: String,
    pub campaign: String,
    /// A channel group for a channel's fixed cost ("" when source and medium say it).
    pub channel: String,
    /// Millionths of the project's currency.
    pub cost_micros: i64,
    /// The currency the file gave the row in.
    pub currency: String,
}

/// Refuses a day that is not `YYYY-MM-DD` or a negative amount (the import checks first; this guards the store).
pub fn check_cost(c: &StoredCost) -> Result<(), crate::MetaError> {
    let day_ok = c.day.len() == 10 && c.day.as_bytes()[4] == b'-' && c.day.as_bytes()[7] == b'-';
    if !day_ok {
        return Err(crate::MetaError::Invalid {
            field: "day".into(),
            reason: format!("'{}' is not YYYY-MM-DD", c.day),
        });
    }
    if c.cost_micros < 0 {
        return Err(crate::MetaError::Invalid { field: "cost".into(), reason: "a cost cannot be negative".into() });
    }
    Ok(())
}
