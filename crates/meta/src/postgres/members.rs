//! Project memberships on PostgreSQL.

use super::projects::project_row;
use super::users::user_row;
use super::{project_id, rows, PostgresRepository};
use crate::members::Member;
use crate::repository::{Members, Projects};
use crate::users::{Role, User};
use crate::{MetaError, Project};

impl Members for PostgresRepository {
    fn project_role(&self, user: &User, project: &str) -> Result<Option<Role>, MetaError> {
        let role: Option<Option<String>> = self.with(|c| {
            let Some(p) = c.query_opt("SELECT id FROM projects WHERE slug = $1", &[&project])? else {
                return Ok(None);
            };
            let pid: i64 = p.try_get(0)?;
            let found =
                c.query_opt("SELECT role FROM members WHERE user_id = $1 AND project_id = $2", &[&user.id, &pid])?;
            Ok(Some(found.map(|r| r.try_get(0)).transpose()?))
        })?;
        match role {
            None => Ok(None),
            Some(_) if user.role == Role::Admin => Ok(Some(Role::Admin)),
            Some(role) => role.map(|r| Role::parse(&r)).transpose(),
        }
    }

    fn user_projects(&self, user: &User) -> Result<Vec<Project>, MetaError> {
        if user.role == Role::Admin {
            return self.projects();
        }
        self.with(|c| {
            let found = c.query(
                "SELECT p.slug, p.name, p.created_at FROM projects p JOIN members m ON m.project_id = p.id
                 WHERE m.user_id = $1 ORDER BY p.slug",
                &[&user.id],
            )?;
            rows(found, project_row)
        })
    }

    fn members(&self, project: &str) -> Result<Vec<Member>, MetaError> {
        let found = self.with(|c| {
            let pid = project_id(c, project)?;
            let found = c.query(
                "SELECT u.id, u.email, u.role, u.lang, u.created_at, m.role FROM members m JOIN users u ON u.id = m.user_id
                 WHERE m.project_id = $1 ORDER BY u.email",
                &[&pid],
            )?;
            rows(found, |r| Ok((user_row(r)?, r.try_get::<_, String>(5)?)))
        })?;
        found.into_iter().map(|(user, role)| Ok(Member { user, role: Role::parse(&role)? })).collect()
    }

    fn set_member(&self, project: &str, user_id: i64, role: Role) -> Result<(), MetaError> {
        self.tx(|t| {
            let pid = project_id(t, project)?;
            if t.query_opt("SELECT id FROM users WHERE id = $1 FOR SHARE", &[&user_id])?.is_none() {
                return Err(MetaError::NotFound { what: "user", name: user_id.to_string() });
            }
            t.execute(
                "INSERT INTO members (user_id, project_id, role) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id, project_id) DO UPDATE SET role = excluded.role",
                &[&user_id, &pid, &role.as_str()],
            )?;
            Ok(())
        })
    }

    fn remove_member(&self, project: &str, user_id: i64) -> Result<(), MetaError> {
        self.tx(|t| {
            let pid = project_id(t, project)?;
            t.execute("DELETE FROM members WHERE user_id = $1 AND project_id = $2", &[&user_id, &pid])?;
            Ok(())
        })
    }
}
