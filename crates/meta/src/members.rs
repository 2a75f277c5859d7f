//! Who may do what in which project. A user's own role is their role on the instance: an instance admin manages
//! projects, users and members and is an admin in every project; everyone else sees only the projects they are a
//! member of, with the role of their membership (admin: the project's keys and members; analyst: edits reports,
//! definitions and maps; viewer: reads). A new project grants only its creator.

use rusqlite::{params, OptionalExtension};

use crate::users::{Role, User};
use crate::{project_id, Meta, MetaError, Project};

/// A member of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user: User,
    pub role: Role,
}

impl Meta {
    /// The role `user` has in `project`: admin for an instance admin, else their membership's; None when they
    /// are not a member (or there is no such project).
    pub fn project_role(&self, user: &User, project: &str) -> Result<Option<Role>, MetaError> {
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

    /// The projects `user` may open (every project for an instance admin), by id.
    pub fn user_projects(&self, user: &User) -> Result<Vec<Project>, MetaError> {
        if user.role == Role::Admin {
            return self.projects();
        }
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT p.slug, p.name, p.created_at FROM projects p JOIN members m ON m.project_id = p.id
             WHERE m.user_id = ?1 ORDER BY p.slug",
        )?;
        let rows =
            st.query_map([user.id], |r| Ok(Project { slug: r.get(0)?, name: r.get(1)?, created_at: r.get(2)? }))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The members of `project` (instance admins who are not members are not listed), by e-mail.
    pub fn members(&self, project: &str) -> Result<Vec<Member>, MetaError> {
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        let mut st = conn.prepare(
            "SELECT u.id, u.email, u.role, u.lang, u.created_at, m.role FROM members m JOIN users u ON u.id = m.user_id
             WHERE m.project_id = ?1 ORDER BY u.email",
        )?;
        let rows = st.query_map([pid], |r| {
            let user = crate::users::user_row(r)?;
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

    /// Makes `user_id` a member of `project` with `role` (or changes their role).
    pub fn set_member(&self, project: &str, user_id: i64, role: Role) -> Result<(), MetaError> {
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

    /// Ends `user_id`'s membership of `project` (nothing happens when there is none).
    pub fn remove_member(&self, project: &str, user_id: i64) -> Result<(), MetaError> {
        let conn = self.conn();
        let pid = project_id(&conn, project)?;
        conn.execute("DELETE FROM members WHERE user_id = ?1 AND project_id = ?2", params![user_id, pid])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> (tempfile::TempDir, Meta) {
        let dir = tempfile::tempdir().unwrap();
        let meta = Meta::open(&dir.path().join("meta.sqlite")).unwrap();
        (dir, meta)
    }

    #[test]
    fn members_see_their_projects_with_their_role_and_admins_see_all() {
        let (_d, m) = meta();
        m.create_project("a", "A", 0).unwrap();
        m.create_project("b", "B", 0).unwrap();
        let admin = m.create_user("root@x.ru", Role::Admin, "long-enough-1", 0).unwrap();
        let ann = m.create_user("ann@x.ru", Role::Viewer, "long-enough-2", 0).unwrap();
        assert_eq!(m.project_role(&ann, "a").unwrap(), None, "a new user is a member of nothing");
        assert!(m.user_projects(&ann).unwrap().is_empty());
        m.set_member("a", ann.id, Role::Analyst).unwrap();
        assert_eq!(m.project_role(&ann, "a").unwrap(), Some(Role::Analyst));
        assert_eq!(m.project_role(&ann, "b").unwrap(), None);
        assert_eq!(m.project_role(&ann, "nope").unwrap(), None);
        assert_eq!(m.user_projects(&ann).unwrap().iter().map(|p| p.slug.as_str()).collect::<Vec<_>>(), ["a"]);
        assert_eq!(m.project_role(&admin, "b").unwrap(), Some(Role::Admin));
        assert_eq!(m.user_projects(&admin).unwrap().len(), 2);
        m.set_member("a", ann.id, Role::Viewer).unwrap();
        assert_eq!(m.members("a").unwrap(), [Member { user: ann.clone(), role: Role::Viewer }]);
        m.remove_member("a", ann.id).unwrap();
        assert_eq!(m.project_role(&ann, "a").unwrap(), None);
        assert!(matches!(m.set_member("a", 999, Role::Viewer), Err(MetaError::NotFound { what: "user", .. })));
        assert!(matches!(m.set_member("zz", ann.id, Role::Viewer), Err(MetaError::NotFound { what: "project", .. })));
        // deleting a user ends their memberships
        m.set_member("b", ann.id, Role::Viewer).unwrap();
        m.delete_user(ann.id).unwrap();
        assert!(m.members("b").unwrap().is_empty());
    }

    #[test]
    fn the_migration_keeps_every_users_old_role_in_every_project() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("meta.sqlite");
        {
            // a database as schema 4 left it: two projects, three users with their roles
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            crate::schema::migrate_to(&mut conn, 4).unwrap();
            conn.execute_batch(
                "INSERT INTO projects (slug, name, created_at) VALUES ('default', 'Default', 0), ('shop', 'Shop', 0);
                 INSERT INTO users (email, role, password_hash, created_at) VALUES
                   ('a@x.ru', 'admin', 'h', 0), ('n@x.ru', 'analyst', 'h', 0), ('v@x.ru', 'viewer', 'h', 0);",
            )
            .unwrap();
        }
        let m = Meta::open(&path).unwrap();
        for (email, role) in [("a@x.ru", Role::Admin), ("n@x.ru", Role::Analyst), ("v@x.ru", Role::Viewer)] {
            let u = m.user(email).unwrap().unwrap();
            for p in ["default", "shop"] {
                assert_eq!(m.project_role(&u, p).unwrap(), Some(role), "{email} in {p}");
            }
        }
        // a project made afterwards grants nobody but instance admins (and the creator it is given to)
        m.create_project("new", "", 0).unwrap();
        let n = m.user("n@x.ru").unwrap().unwrap();
        assert_eq!(m.project_role(&n, "new").unwrap(), None);
        assert_eq!(m.project_role(&m.user("a@x.ru").unwrap().unwrap(), "new").unwrap(), Some(Role::Admin));
    }
}
