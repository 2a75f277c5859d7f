//! Ad spend on PostgreSQL (`ad_costs`).

use super::{count, project_id, rows, PostgresRepository};
use crate::costs::{check_cost, StoredCost};
use crate::repository::Costs;
use crate::MetaError;

impl Costs for PostgresRepository {
    fn replace_costs(&self, project: &str, from: &str, to: &str, list: &[StoredCost]) -> Result<usize, MetaError> {
        for r in list {
            check_cost(r)?;
            if r.day.as_str() < from || r.day.as_str() > to {
                return Err(MetaError::Invalid {
                    field: "day".into(),
                    reason: format!("{} is outside {from}..{to}", r.day),
                });
            }
        }
        self.tx(|t| {
            let pid = project_id(t, project)?;
            let removed = t.execute(
                "DELETE FROM ad_costs WHERE project_id = $1 AND day >= $2 AND day <= $3",
                &[&pid, &from, &to],
            )?;
            let insert = t.prepare(
                "INSERT INTO ad_costs (project_id, day, source, medium, campaign, channel, cost_micros, currency) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )?;
            for r in list {
                t.execute(
                    &insert,
                    &[&pid, &r.day, &r.source, &r.medium, &r.campaign, &r.channel, &r.cost_micros, &r.currency],
                )?;
            }
            Ok(count(removed))
        })
    }

    fn costs(&self, project: &str, from: Option<&str>, to: Option<&str>) -> Result<Vec<StoredCost>, MetaError> {
        let (from, to) = (from.unwrap_or(""), to.unwrap_or("9999-99-99"));
        self.with(|c| {
            let found = c.query(
                "SELECT c.day, c.source, c.medium, c.campaign, c.channel, c.cost_micros, c.currency FROM ad_costs c \
                 JOIN projects p ON p.id = c.project_id WHERE p.slug = $1 AND c.day >= $2 AND c.day <= $3 \
                 ORDER BY c.day, c.source, c.medium, c.campaign, c.channel",
                &[&project, &from, &to],
            )?;
            rows(found, |r| {
                Ok(StoredCost {
                    day: r.try_get(0)?,
                    source: r.try_get(1)?,
                    medium: r.try_get(2)?,
                    campaign: r.try_get(3)?,
                    channel: r.try_get(4)?,
                    cost_micros: r.try_get(5)?,
                    currency: r.try_get(6)?,
                })
            })
        })
    }
}
