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

#[cfg(test)]
mod tests {
    use crate::{MetaError, StoredCost};

    fn row(day: &str, campaign: &str, micros: i64) -> StoredCost {
        StoredCost {
            day: day.into(),
            source: "yandex".into(),
            medium: "cpc".into(),
            campaign: campaign.into(),
            channel: String::new(),
            cost_micros: micros,
            currency: "RUB".into(),
        }
    }

    crate::testing::backend_tests! {
        fn a_reimport_replaces_the_days_it_covers_and_a_bad_row_changes_nothing() {
            let (_dir, meta) = meta();
            meta.create_project("shop", "Shop", 0).unwrap();
            let first = [row("2026-03-01", "a", 10), row("2026-03-02", "a", 20), row("2026-03-03", "a", 30)];
            assert_eq!(meta.replace_costs("shop", "2026-03-01", "2026-03-03", &first).unwrap(), 0);
            // yesterday revised: only 03-02..03-03 replaced
            let again = [row("2026-03-02", "a", 25), row("2026-03-02", "b", 5)];
            assert_eq!(meta.replace_costs("shop", "2026-03-02", "2026-03-03", &again).unwrap(), 2);
            let all = meta.costs("shop", None, None).unwrap();
            let got: Vec<(&str, &str, i64)> =
                all.iter().map(|r| (r.day.as_str(), r.campaign.as_str(), r.cost_micros)).collect();
            assert_eq!(got, [("2026-03-01", "a", 10), ("2026-03-02", "a", 25), ("2026-03-02", "b", 5)]);
            // a negative row: refused, nothing changed
            let bad = [row("2026-03-01", "a", 1), row("2026-03-01", "c", -1)];
            assert!(matches!(meta.replace_costs("shop", "2026-03-01", "2026-03-01", &bad), Err(MetaError::Invalid { .. })));
            // a duplicate key inside one import: the transaction rolls back
            let dup = [row("2026-03-01", "z", 1), row("2026-03-01", "z", 2)];
            assert!(meta.replace_costs("shop", "2026-03-01", "2026-03-01", &dup).is_err());
            assert_eq!(meta.costs("shop", None, None).unwrap(), all);
            assert_eq!(meta.costs("shop", Some("2026-03-02"), Some("2026-03-02")).unwrap().len(), 2);
            assert!(matches!(meta.replace_costs("nope", "2026-03-01", "2026-03-01", &[]), Err(MetaError::NotFound { .. })));
        }
    }
}
