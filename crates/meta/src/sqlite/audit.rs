//! The audit log on SQLite (append-only by the schema's triggers).

use rusqlite::{params, OptionalExtension};

use super::SqliteRepository;
use crate::audit::{stored_actor, Action, Entry, Filter, NewEntry, StoredEntry, MAX_LIMIT};
use crate::repository::Audit;
use crate::secret::{random_bytes, salted_digest};
use crate::MetaError;

fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    let kind: String = r.get(2)?;
    let actor = stored_actor(&kind, r.get(3)?, r.get(4)?);
    let action: String = r.get(6)?;
    let action = Action::parse(&action).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, format!("action '{action}'").into())
    })?;
    Ok(Entry {
        id: r.get(0)?,
        at: r.get(1)?,
        actor,
        address: r.get(5)?,
        action,
        project: r.get(7)?,
        target: r.get(8)?,
        details: r.get(9)?,
    })
}

impl Audit for SqliteRepository {
    fn record_audit(&self, e: &NewEntry<'_>) -> Result<i64, MetaError> {
        let s = StoredEntry::new(e);
        let conn = self.conn();
        conn.execute(
            "INSERT INTO audit (at, actor_kind, user_id, actor, address, action, project, target, details)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![e.at, s.actor_kind, s.user_id, s.actor, s.address, s.action, s.project, s.target, s.details],
        )?;
        Ok(conn.last_insert_rowid())
    }

    fn audit(&self, f: &Filter) -> Result<Vec<Entry>, MetaError> {
        let limit = f.limit.clamp(1, MAX_LIMIT) as i64;
        let conn = self.conn();
        let mut st = conn.prepare_cached(
            "SELECT id, at, actor_kind, user_id, actor, address, action, project, target, details FROM audit
             WHERE (?1 IS NULL OR project = ?1) AND (?2 IS NULL OR action = ?2) AND (?3 IS NULL OR at >= ?3)
             AND (?4 IS NULL OR id < ?4) ORDER BY id DESC LIMIT ?5",
        )?;
        let rows =
            st.query_map(params![f.project, f.action.map(Action::as_str), f.since, f.before, limit], entry_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn customer_digest(&self, id: &str) -> Result<String, MetaError> {
        let conn = self.conn();
        let found: Option<Vec<u8>> =
            conn.query_row("SELECT salt FROM audit_salt WHERE id = 1", [], |r| r.get(0)).optional()?;
        let salt = match found {
            Some(s) => s,
            None => {
                let fresh = random_bytes::<32>()?;
                conn.execute("INSERT INTO audit_salt (id, salt) VALUES (1, ?1) ON CONFLICT DO NOTHING", [&fresh[..]])?;
                conn.query_row("SELECT salt FROM audit_salt WHERE id = 1", [], |r| r.get(0))?
            }
        };
        Ok(salted_digest(&salt, id))
    }
}
