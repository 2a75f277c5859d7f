//! Who may do what in which project. A user's own role is their role on the instance: an instance admin manages
//! projects, users and members and is an admin in every project; everyone else sees only the projects they are a
//! member of, with the role of their membership (admin: the project's keys and members; analyst: edits reports,
//! definitions and maps; viewer: reads). A new project grants only its creator.

use crate::users::User;
use crate::Role;

/// A member of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user: User,
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Meta, MetaError};

    #[test]
    fn the_migration_keeps_every_users_old_role_in_every_project() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("meta.sqlite");
        {
            // a database as schema 4 left it: two projects, three users with their roles
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            crate::sqlite::migrate_to(&mut conn, 4).unwrap();
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

    crate::testing::backend_tests! {
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
    }
}
