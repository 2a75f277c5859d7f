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
