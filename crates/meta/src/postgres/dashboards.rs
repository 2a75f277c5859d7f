//! Dashboards, their tiles and share links on PostgreSQL.

use postgres::{GenericClient, Row};

use super::maps::{share_row, shared};
use super::{count, project_id, rows, PostgresRepository};
use crate::dashboards::{
    check_name, check_period, check_tile, DashboardInfo, DashboardPeriod, Move, NewTile, Shared, Tile, MAX_TILES,
};
use crate::maps::{NewShare, ShareInfo};
use crate::repository::Dashboards;
use crate::secret::{digest, random_token};
use crate::MetaError;

const COLS: &str = "d.id, p.slug, d.name, d.since, d.until, d.compare, \
                    (SELECT count(*) FROM dashboard_tiles t WHERE t.dashboard_id = d.id), d.created_at, d.updated_at";

fn row(r: &Row) -> Result<DashboardInfo, postgres::Error> {
    Ok(DashboardInfo {
        id: r.try_get(0)?,
        project: r.try_get(1)?,
        name: r.try_get(2)?,
        since: r.try_get(3)?,
        until: r.try_get(4)?,
        compare: r.try_get(5)?,
        tiles: r.try_get(6)?,
        created_at: r.try_get(7)?,
        updated_at: r.try_get(8)?,
    })
}

fn tile_row(r: &Row) -> Result<Tile, postgres::Error> {
    Ok(Tile {
        id: r.try_get(0)?,
        position: r.try_get(1)?,
        kind: r.try_get(2)?,
        title: r.try_get(3)?,
        query: r.try_get(4)?,
        map_id: r.try_get(5)?,
        lane: r.try_get(6)?,
    })
}

fn missing(id: i64) -> MetaError {
    MetaError::NotFound { what: "dashboard", name: id.to_string() }
}

/// The id of dashboard `id` when it is `project`'s, its row locked until the transaction ends (tile changes of
/// one dashboard happen one after the other).
fn owned(c: &mut impl GenericClient, project: &str, id: i64) -> Result<i64, MetaError> {
    let pid = project_id(c, project)?;
    match c.query_opt("SELECT id FROM dashboards WHERE id = $1 AND project_id = $2 FOR UPDATE", &[&id, &pid])? {
        Some(r) => Ok(r.try_get(0)?),
        None => Err(missing(id)),
    }
}

fn touch(c: &mut impl GenericClient, id: i64, now: i64) -> Result<(), MetaError> {
    c.execute("UPDATE dashboards SET updated_at = $2 WHERE id = $1", &[&id, &now])?;
    Ok(())
}

fn tiles(c: &mut impl GenericClient, project: &str, dashboard: i64) -> Result<Vec<Tile>, MetaError> {
    let found = c.query(
        "SELECT t.id, t.position, t.kind, t.title, t.query, t.map_id, t.lane FROM dashboard_tiles t
         JOIN dashboards d ON d.id = t.dashboard_id JOIN projects p ON p.id = d.project_id
         WHERE p.slug = $1 AND d.id = $2 ORDER BY t.position, t.id",
        &[&project, &dashboard],
    )?;
    rows(found, tile_row)
}

impl Dashboards for PostgresRepository {
    fn create_dashboard(&self, project: &str, name: &str, now: i64) -> Result<DashboardInfo, MetaError> {
        let name = check_name(name)?;
        let id: i64 = self.tx(|t| {
            let pid = project_id(t, project)?;
            let r = t.query_one(
                "INSERT INTO dashboards (project_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
                &[&pid, &name, &now],
            )?;
            Ok(r.try_get(0)?)
        })?;
        self.dashboard(project, id)?.ok_or_else(|| missing(id))
    }

    fn dashboards(&self, project: &str) -> Result<Vec<DashboardInfo>, MetaError> {
        self.with(|c| {
            let sql = format!(
                "SELECT {COLS} FROM dashboards d JOIN projects p ON p.id = d.project_id WHERE p.slug = $1 \
                 ORDER BY d.name, d.id"
            );
            rows(c.query(&sql, &[&project])?, row)
        })
    }

    fn dashboard(&self, project: &str, id: i64) -> Result<Option<DashboardInfo>, MetaError> {
        self.with(|c| {
            let sql = format!(
                "SELECT {COLS} FROM dashboards d JOIN projects p ON p.id = d.project_id WHERE p.slug = $1 AND d.id = $2"
            );
            Ok(c.query_opt(&sql, &[&project, &id])?.as_ref().map(row).transpose()?)
        })
    }

    fn rename_dashboard(&self, project: &str, id: i64, name: &str, now: i64) -> Result<(), MetaError> {
        let name = check_name(name)?;
        self.tx(|t| {
            let id = owned(t, project, id)?;
            t.execute("UPDATE dashboards SET name = $2, updated_at = $3 WHERE id = $1", &[&id, &name, &now])?;
            Ok(())
        })
    }

    fn set_dashboard_period(&self, project: &str, id: i64, p: &DashboardPeriod, now: i64) -> Result<(), MetaError> {
        check_period(p)?;
        self.tx(|t| {
            let id = owned(t, project, id)?;
            t.execute(
                "UPDATE dashboards SET since = $2, until = $3, compare = $4, updated_at = $5 WHERE id = $1",
                &[&id, &p.since, &p.until, &p.compare, &now],
            )?;
            Ok(())
        })
    }

    fn delete_dashboard(&self, project: &str, id: i64) -> Result<(), MetaError> {
        self.tx(|t| {
            let id = owned(t, project, id)?;
            t.execute("DELETE FROM dashboards WHERE id = $1", &[&id])?;
            Ok(())
        })
    }

    fn add_tile(&self, project: &str, dashboard: i64, tile: &NewTile, now: i64) -> Result<Tile, MetaError> {
        check_tile(tile)?;
        self.tx(|t| {
            let id = owned(t, project, dashboard)?;
            if let Some(map) = tile.map_id {
                let pid = project_id(t, project)?;
                if t.query_opt("SELECT id FROM maps WHERE id = $1 AND project_id = $2", &[&map, &pid])?.is_none() {
                    return Err(MetaError::NotFound { what: "map", name: map.to_string() });
                }
            }
            let r =
                t.query_one("SELECT count(*), max(position) FROM dashboard_tiles WHERE dashboard_id = $1", &[&id])?;
            let (n, last): (i64, Option<i64>) = (r.try_get(0)?, r.try_get(1)?);
            if n as usize >= MAX_TILES {
                return Err(MetaError::Invalid { field: "tiles".into(), reason: format!("at most {MAX_TILES} tiles") });
            }
            let position = last.map_or(0, |p| p + 1);
            let title = tile.title.trim();
            let r = t.query_one(
                "INSERT INTO dashboard_tiles (dashboard_id, position, kind, title, query, map_id, lane)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                &[&id, &position, &tile.kind, &title, &tile.query, &tile.map_id, &tile.lane],
            )?;
            let made = Tile {
                id: r.try_get(0)?,
                position,
                kind: tile.kind.clone(),
                title: title.into(),
                query: tile.query.clone(),
                map_id: tile.map_id,
                lane: tile.lane.clone(),
            };
            touch(t, id, now)?;
            Ok(made)
        })
    }

    fn tiles(&self, project: &str, dashboard: i64) -> Result<Vec<Tile>, MetaError> {
        self.with(|c| tiles(c, project, dashboard))
    }

    fn move_tile(&self, project: &str, dashboard: i64, tile: i64, to: Move, now: i64) -> Result<(), MetaError> {
        self.tx(|t| {
            let gone = || MetaError::NotFound { what: "tile", name: tile.to_string() };
            owned(t, project, dashboard).map_err(|_| gone())?;
            let list = tiles(t, project, dashboard)?;
            let Some(i) = list.iter().position(|x| x.id == tile) else { return Err(gone()) };
            let j = match to {
                Move::Up if i > 0 => i - 1,
                Move::Down if i + 1 < list.len() => i + 1,
                _ => return Ok(()),
            };
            let set = "UPDATE dashboard_tiles SET position = $2 WHERE id = $1";
            t.execute(set, &[&list[i].id, &list[j].position])?;
            t.execute(set, &[&list[j].id, &list[i].position])?;
            touch(t, dashboard, now)
        })
    }

    fn remove_tile(&self, project: &str, dashboard: i64, tile: i64, now: i64) -> Result<(), MetaError> {
        self.tx(|t| {
            let gone = || MetaError::NotFound { what: "tile", name: tile.to_string() };
            let id = owned(t, project, dashboard).map_err(|_| gone())?;
            if t.execute("DELETE FROM dashboard_tiles WHERE id = $1 AND dashboard_id = $2", &[&tile, &id])? == 0 {
                return Err(gone());
            }
            touch(t, id, now)
        })
    }

    fn create_dashboard_share(
        &self,
        project: &str,
        id: i64,
        expires_at: Option<i64>,
        now: i64,
    ) -> Result<NewShare, MetaError> {
        let token = random_token("sd_")?;
        let hint: String = token.chars().take(7).collect();
        self.tx(|t| {
            let id = owned(t, project, id)?;
            t.execute(
                "INSERT INTO dashboard_shares (digest, dashboard_id, hint, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&digest(&token), &id, &hint, &now, &expires_at],
            )?;
            Ok(())
        })?;
        Ok(NewShare { token, hint })
    }

    fn dashboard_shares(&self, project: &str, id: i64, now: i64) -> Result<Vec<ShareInfo>, MetaError> {
        self.with(|c| {
            let found = c.query(
                "SELECT s.hint, s.created_at, s.expires_at FROM dashboard_shares s
                 JOIN dashboards d ON d.id = s.dashboard_id JOIN projects p ON p.id = d.project_id
                 WHERE p.slug = $1 AND d.id = $2 AND s.revoked_at IS NULL
                 AND (s.expires_at IS NULL OR s.expires_at > $3) ORDER BY s.created_at",
                &[&project, &id, &now],
            )?;
            rows(found, share_row)
        })
    }

    fn revoke_dashboard_shares(&self, project: &str, id: i64, now: i64) -> Result<usize, MetaError> {
        self.tx(|t| {
            let id = owned(t, project, id)?;
            Ok(count(t.execute(
                "UPDATE dashboard_shares SET revoked_at = $2 WHERE dashboard_id = $1 AND revoked_at IS NULL",
                &[&id, &now],
            )?))
        })
    }

    fn shared_dashboard(&self, token: &str, now: i64) -> Result<Option<Shared>, MetaError> {
        self.with(|c| {
            let found = c.query_opt(
                "SELECT p.slug, d.id, s.expires_at FROM dashboard_shares s JOIN dashboards d ON d.id = s.dashboard_id
                 JOIN projects p ON p.id = d.project_id WHERE s.digest = $1 AND s.revoked_at IS NULL",
                &[&digest(token)],
            )?;
            let row = |r: Row| Ok::<_, postgres::Error>(shared(r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, now));
            Ok(found.map(row).transpose()?)
        })
    }
}
