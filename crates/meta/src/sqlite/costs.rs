//! Ad spend on SQLite (`ad_costs`).

use rusqlite::params;

use super::{project_id, SqliteRepository};
use crate::costs::{check_cost, StoredCost};
use crate::repository::Costs;
use crate::MetaError;

impl Costs for SqliteRepository {
    fn replace_costs(&self, project: &str, from: &str, to: &str, rows: &[StoredCost]) -> Result<usize, MetaError> {
        for r in rows {
            check_cost(r)?;
            if r.day.as_str() < from || r.day.as_str() > to {
                return Err(MetaError::Invalid {
                    field: "day".into(),
                    reason: format!("{} is outside {from}..{to}", r.day),
                });
            }
        }
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let pid = project_id(&tx, project)?;
        let removed = tx.execute(
            "DELETE FROM ad_costs WHERE project_id = ?1 AND day >= ?2 AND day <= ?3",
            params![pid, from, to],
        )?;
        {
            let mut st = tx.prepare(
                "INSERT INTO ad_costs (project_id, day, source, medium, campaign, channel, cost_micros, currency) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for r in rows {
                st.execute(params![pid, r.day, r.source, r.medium, r.campaign, r.channel, r.cost_micros, r.currency])?;
            }
        }
        tx.commit()?;
        Ok(removed)
    }

    fn costs(&self, project: &str, from: Option<&str>, to: Option<&str>) -> Result<Vec<StoredCost>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT c.day, c.source, c.medium, c.campaign, c.channel, c.cost_micros, c.currency FROM ad_costs c \
             JOIN projects p ON p.id = c.project_id WHERE p.slug = ?1 AND c.day >= ?2 AND c.day <= ?3 \
             ORDER BY c.day, c.source, c.medium, c.campaign, c.channel",
        )?;
        let rows = st.query_map(params![project, from.unwrap_or(""), to.unwrap_or("9999-99-99")], |r| {
            Ok(StoredCost {
                day: r.get(0)?,
                source: r.get(1)?,
                medium: r.get(2)?,
                campaign: r.get(3)?,
                channel: r.get(4)?,
                cost_micros: r.get(5)?,
                currency: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Meta, MetaError, StoredCost};

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

    #[test]
    fn a_reimport_replaces_the_days_it_covers_and_a_bad_row_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let meta = Meta::open(&dir.path().join("meta.sqlite")).unwrap();
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
