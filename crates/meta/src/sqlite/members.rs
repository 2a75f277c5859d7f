//! Project memberships on SQLite.

use rusqlite::{params, OptionalExtension};

use super::projects::project_row;
use super::users::user_row;
use super::{project_id, SqliteRepository};
use crate::members::Member;
use crate::repository::{Members, Projects};
use crate::users::{Role, User};
use crate::{MetaError, Project};

impl Members for SqliteRepository {
    fn project_role(&self, user: &User, project: &str) -> Result<Option<Role>, MetaError> {
        let conn = self.conn();
        let Some(pid) =
            conn.query_row("SELECT id FROM projects WHERE slug = ?1", [project], |r| r.get::<_, i64>(0)).optional()?
        else {
            return Ok(None);
        };
        if user.role == Role::Admin {
            return Ok(Some(Role::Admin));
        }
        let role: Option<String> = conn
            .query_row("SELECT role FROM members WHERE user_id = ?1 AND project_id = ?2", params![user.id, pid], |r| {
                r.get(0)
            })
            .optional()?;
        role.map(|r| Role::parse(&r)).transpose()
    }

    fn user_projects(&self, user: &User) -> Result<Vec<Project>, MetaError> {
        if user.role == Role::Admin {
            return self.projects();
        }
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT p.slug, p.name, p.created_at FROM projects p JOIN members m ON m.project_id = p.id
             WHERE m.user_id = ?1 ORDER BY p.slug",
        )?;
        let rows = st.query_map([user.id], project_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn members(&self, project: &str) -> Result<Vec<Member>, MetaError> {
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        let mut st = conn.prepare(
            "SELECT u.id, u.email, u.role, u.lang, u.created_at, m.role FROM members m JOIN users u ON u.id = m.user_id
             WHERE m.project_id = ?1 ORDER BY u.email",
        )?;
        let rows = st.query_map([pid], |r| {
            let user = user_row(r)?;
            let role: String = r.get(5)?;
            Ok((user, role))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (user, role) = row?;
            out.push(Member { user, role: Role::parse(&role)? });
        }
        Ok(out)
    }

    fn set_member(&self, project: &str, user_id: i64, role: Role) -> Result<(), MetaError> {
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        let known: Option<i64> =
            conn.query_row("SELECT id FROM users WHERE id = ?1", [user_id], |r| r.get(0)).optional()?;
        if known.is_none() {
            return Err(MetaError::NotFound { what: "user", name: user_id.to_string() });
        }
        conn.execute(
            "INSERT INTO members (user_id, project_id, role) VALUES (?1, ?2, ?3)
             ON CONFLICT (user_id, project_id) DO UPDATE SET role = excluded.role",
            params![user_id, pid, role.as_str()],
        )?;
        Ok(())
    }

    fn remove_member(&self, project: &str, user_id: i64) -> Result<(), MetaError> {
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        conn.execute("DELETE FROM members WHERE user_id = ?1 AND project_id = ?2", params![user_id, pid])?;
        Ok(())
    }
}
