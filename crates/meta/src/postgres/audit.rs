//! The audit log on PostgreSQL (append-only by the schema's triggers).

use postgres::Row;

use super::{rows, PostgresRepository};
use crate::audit::{stored_actor, Action, Entry, Filter, NewEntry, StoredEntry, MAX_LIMIT};
use crate::repository::Audit;
use crate::secret::{random_bytes, salted_digest};
use crate::MetaError;

/// An entry, or the action text this tropa does not know.
fn entry_row(r: &Row) -> Result<Result<Entry, String>, postgres::Error> {
    let kind: String = r.try_get(2)?;
    let actor = stored_actor(&kind, r.try_get(3)?, r.try_get(4)?);
    let action: String = r.try_get(6)?;
    let Some(action) = Action::parse(&action) else { return Ok(Err(action)) };
    Ok(Ok(Entry {
        id: r.try_get(0)?,
        at: r.try_get(1)?,
        actor,
        address: r.try_get(5)?,
        action,
        project: r.try_get(7)?,
        target: r.try_get(8)?,
        details: r.try_get(9)?,
    }))
}

impl Audit for PostgresRepository {
    fn record_audit(&self, e: &NewEntry<'_>) -> Result<i64, MetaError> {
        let s = StoredEntry::new(e);
        self.with(|c| {
            let r = c.query_one(
                "INSERT INTO audit (at, actor_kind, user_id, actor, address, action, project, target, details)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                &[&e.at, &s.actor_kind, &s.user_id, &s.actor, &s.address, &s.action, &s.project, &s.target, &s.details],
            )?;
            Ok(r.try_get(0)?)
        })
    }

    fn audit(&self, f: &Filter) -> Result<Vec<Entry>, MetaError> {
        let limit = f.limit.clamp(1, MAX_LIMIT) as i64;
        let action = f.action.map(Action::as_str);
        let found = self.with(|c| {
            let found = c.query(
                "SELECT id, at, actor_kind, user_id, actor, address, action, project, target, details FROM audit
                 WHERE ($1::text IS NULL OR project = $1) AND ($2::text IS NULL OR action = $2)
                 AND ($3::bigint IS NULL OR at >= $3) AND ($4::bigint IS NULL OR id < $4) ORDER BY id DESC LIMIT $5",
                &[&f.project, &action, &f.since, &f.before, &limit],
            )?;
            rows(found, entry_row)
        })?;
        found
            .into_iter()
            .map(|e| {
                e.map_err(|action| MetaError::Backend(format!("audit entry with an unknown action '{action}'").into()))
            })
            .collect()
    }

    fn customer_digest(&self, id: &str) -> Result<String, MetaError> {
        let fresh = random_bytes::<32>()?;
        let salt: Vec<u8> = self.with(|c| {
            c.execute("INSERT INTO audit_salt (id, salt) VALUES (1, $1) ON CONFLICT DO NOTHING", &[&&fresh[..]])?;
            Ok(c.query_one("SELECT salt FROM audit_salt WHERE id = 1", &[])?.try_get(0)?)
        })?;
        Ok(salted_digest(&salt, id))
    }
}
