//! Dashboards, their tiles and share links on SQLite.

use rusqlite::{params, Connection, OptionalExtension};

use super::maps::{share_row, shared};
use super::{project_id, SqliteRepository};
use crate::dashboards::{
    check_name, check_period, check_tile, DashboardInfo, DashboardPeriod, Move, NewTile, Shared, Tile, MAX_TILES,
};
use crate::maps::{NewShare, ShareInfo};
use crate::repository::Dashboards;
use crate::secret::{digest, random_token};
use crate::MetaError;

const COLS: &str = "d.id, p.slug, d.name, d.since, d.until, d.compare, \
                    (SELECT count(*) FROM dashboard_tiles t WHERE t.dashboard_id = d.id), d.created_at, d.updated_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DashboardInfo> {
    Ok(DashboardInfo {
        id: r.get(0)?,
        project: r.get(1)?,
        name: r.get(2)?,
        since: r.get(3)?,
        until: r.get(4)?,
        compare: r.get(5)?,
        tiles: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
    })
}

fn tile_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Tile> {
    Ok(Tile {
        id: r.get(0)?,
        position: r.get(1)?,
        kind: r.get(2)?,
        title: r.get(3)?,
        query: r.get(4)?,
        map_id: r.get(5)?,
        lane: r.get(6)?,
    })
}

fn missing(id: i64) -> MetaError {
    MetaError::NotFound { what: "dashboard", name: id.to_string() }
}

/// The id of dashboard `id` when it is `project`'s.
fn owned(conn: &Connection, project: &str, id: i64) -> Result<i64, MetaError> {
    let pid = project_id(conn, project)?;
    conn.query_row("SELECT id FROM dashboards WHERE id = ?1 AND project_id = ?2", params![id, pid], |r| r.get(0))
        .optional()?
        .ok_or_else(|| missing(id))
}

fn touch(conn: &Connection, id: i64, now: i64) -> Result<(), MetaError> {
    conn.execute("UPDATE dashboards SET updated_at = ?2 WHERE id = ?1", params![id, now])?;
    Ok(())
}

impl Dashboards for SqliteRepository {
    fn create_dashboard(&self, project: &str, name: &str, now: i64) -> Result<DashboardInfo, MetaError> {
        let name = check_name(name)?;
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        conn.execute(
            "INSERT INTO dashboards (project_id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            params![pid, name, now],
        )?;
        let id = conn.last_insert_rowid();
        drop(conn);
        self.dashboard(project, id)?.ok_or_else(|| missing(id))
    }

    fn dashboards(&self, project: &str) -> Result<Vec<DashboardInfo>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!(
            "SELECT {COLS} FROM dashboards d JOIN projects p ON p.id = d.project_id WHERE p.slug = ?1 ORDER BY d.name, d.id"
        ))?;
        let rows = st.query_map([project], row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn dashboard(&self, project: &str, id: i64) -> Result<Option<DashboardInfo>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!(
            "SELECT {COLS} FROM dashboards d JOIN projects p ON p.id = d.project_id WHERE p.slug = ?1 AND d.id = ?2"
        ))?;
        Ok(st.query_row(params![project, id], row).optional()?)
    }

    fn rename_dashboard(&self, project: &str, id: i64, name: &str, now: i64) -> Result<(), MetaError> {
        let name = check_name(name)?;
        let conn = self.conn();
        let id = owned(&conn, project, id)?;
        conn.execute("UPDATE dashboards SET name = ?2, updated_at = ?3 WHERE id = ?1", params![id, name, now])?;
        Ok(())
    }

    fn set_dashboard_period(&self, project: &str, id: i64, p: &DashboardPeriod, now: i64) -> Result<(), MetaError> {
        check_period(p)?;
        let conn = self.conn();
        let id = owned(&conn, project, id)?;
        conn.execute(
            "UPDATE dashboards SET since = ?2, until = ?3, compare = ?4, updated_at = ?5 WHERE id = ?1",
            params![id, p.since, p.until, p.compare, now],
        )?;
        Ok(())
    }

    fn delete_dashboard(&self, project: &str, id: i64) -> Result<(), MetaError> {
        let conn = self.conn();
        let id = owned(&conn, project, id)?;
        conn.execute("DELETE FROM dashboards WHERE id = ?1", [id])?;
        Ok(())
    }

    fn add_tile(&self, project: &str, dashboard: i64, t: &NewTile, now: i64) -> Result<Tile, MetaError> {
        check_tile(t)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let id = owned(&tx, project, dashboard)?;
        if let Some(map) = t.map_id {
            let pid = project_id(&tx, project)?;
            let found: Option<i64> = tx
                .query_row("SELECT id FROM maps WHERE id = ?1 AND project_id = ?2", params![map, pid], |r| r.get(0))
                .optional()?;
            found.ok_or_else(|| MetaError::NotFound { what: "map", name: map.to_string() })?;
        }
        let (count, last): (i64, Option<i64>) =
            tx.query_row("SELECT count(*), max(position) FROM dashboard_tiles WHERE dashboard_id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        if count as usize >= MAX_TILES {
            return Err(MetaError::Invalid { field: "tiles".into(), reason: format!("at most {MAX_TILES} tiles") });
        }
        let position = last.map_or(0, |p| p + 1);
        tx.execute(
            "INSERT INTO dashboard_tiles (dashboard_id, position, kind, title, query, map_id, lane)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![id, position, t.kind, t.title.trim(), t.query, t.map_id, t.lane],
        )?;
        let tile = Tile {
            id: tx.last_insert_rowid(),
            position,
            kind: t.kind.clone(),
            title: t.title.trim().into(),
            query: t.query.clone(),
            map_id: t.map_id,
            lane: t.lane.clone(),
        };
        touch(&tx, id, now)?;
        tx.commit()?;
        Ok(tile)
    }

    fn tiles(&self, project: &str, dashboard: i64) -> Result<Vec<Tile>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT t.id, t.position, t.kind, t.title, t.query, t.map_id, t.lane FROM dashboard_tiles t
             JOIN dashboards d ON d.id = t.dashboard_id JOIN projects p ON p.id = d.project_id
             WHERE p.slug = ?1 AND d.id = ?2 ORDER BY t.position, t.id",
        )?;
        let rows = st.query_map(params![project, dashboard], tile_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn move_tile(&self, project: &str, dashboard: i64, tile: i64, to: Move, now: i64) -> Result<(), MetaError> {
        let tiles = self.tiles(project, dashboard)?;
        let Some(i) = tiles.iter().position(|t| t.id == tile) else {
            return Err(MetaError::NotFound { what: "tile", name: tile.to_string() });
        };
        let j = match to {
            Move::Up if i > 0 => i - 1,
            Move::Down if i + 1 < tiles.len() => i + 1,
            _ => return Ok(()),
        };
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let set = "UPDATE dashboard_tiles SET position = ?2 WHERE id = ?1";
        tx.execute(set, params![tiles[i].id, tiles[j].position])?;
        tx.execute(set, params![tiles[j].id, tiles[i].position])?;
        touch(&tx, dashboard, now)?;
        tx.commit()?;
        Ok(())
    }

    fn remove_tile(&self, project: &str, dashboard: i64, tile: i64, now: i64) -> Result<(), MetaError> {
        let conn = self.conn();
        let id = owned(&conn, project, dashboard)
            .map_err(|_| MetaError::NotFound { what: "tile", name: tile.to_string() })?;
        if conn.execute("DELETE FROM dashboard_tiles WHERE id = ?1 AND dashboard_id = ?2", params![tile, id])? == 0 {
            return Err(MetaError::NotFound { what: "tile", name: tile.to_string() });
        }
        touch(&conn, id, now)
    }

    fn create_dashboard_share(
        &self,
        project: &str,
        id: i64,
        expires_at: Option<i64>,
        now: i64,
    ) -> Result<NewShare, MetaError> {
        let conn = self.conn();
        let id = owned(&conn, project, id)?;
        let token = random_token("sd_")?;
        let hint: String = token.chars().take(7).collect();
        conn.execute(
            "INSERT INTO dashboard_shares (digest, dashboard_id, hint, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![digest(&token), id, hint, now, expires_at],
        )?;
        Ok(NewShare { token, hint })
    }

    fn dashboard_shares(&self, project: &str, id: i64, now: i64) -> Result<Vec<ShareInfo>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT s.hint, s.created_at, s.expires_at FROM dashboard_shares s JOIN dashboards d ON d.id = s.dashboard_id
             JOIN projects p ON p.id = d.project_id WHERE p.slug = ?1 AND d.id = ?2 AND s.revoked_at IS NULL
             AND (s.expires_at IS NULL OR s.expires_at > ?3) ORDER BY s.created_at",
        )?;
        let rows = st.query_map(params![project, id, now], share_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn revoke_dashboard_shares(&self, project: &str, id: i64, now: i64) -> Result<usize, MetaError> {
        let conn = self.conn();
        let id = owned(&conn, project, id)?;
        Ok(conn.execute(
            "UPDATE dashboard_shares SET revoked_at = ?2 WHERE dashboard_id = ?1 AND revoked_at IS NULL",
            params![id, now],
        )?)
    }

    fn shared_dashboard(&self, token: &str, now: i64) -> Result<Option<Shared>, MetaError> {
        let conn = self.conn();
        let found = conn
            .query_row(
                "SELECT p.slug, d.id, s.expires_at FROM dashboard_shares s JOIN dashboards d ON d.id = s.dashboard_id
                 JOIN projects p ON p.id = d.project_id WHERE s.digest = ?1 AND s.revoked_at IS NULL",
                [digest(token)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        Ok(found.map(|(p, id, expires)| shared(p, id, expires, now)))
    }
}
