//! Users, passwords and sign-in sessions. Passwords are stored as argon2id hashes (PHC strings with their own
//! salt and parameters); a session is a random token in an HttpOnly cookie, stored as its SHA-256 digest, with a
//! CSRF token that every form must echo. Roles: `admin` (users, projects, keys), `analyst` (edits reports and
//! maps), `viewer` (reads).

use serde::Serialize;

use crate::MetaError;

/// Shortest accepted password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Analyst,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Result<Role, MetaError> {
        match s {
            "viewer" => Ok(Role::Viewer),
            "analyst" => Ok(Role::Analyst),
            "admin" => Ok(Role::Admin),
            other => Err(MetaError::Invalid {
                field: "role".into(),
                reason: format!("'{other}' is not a role: use admin, analyst or viewer"),
            }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub role: Role,
    /// Preferred language (`ru`, `en`), empty for the browser's.
    pub lang: String,
    pub created_at: i64,
}

/// A signed-in session: the cookie's token (shown once) and the CSRF token forms must carry.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
}

/// A new password: at least [`MIN_PASSWORD_CHARS`] characters.
pub fn check_password(password: &str) -> Result<(), MetaError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(MetaError::Invalid {
            field: "password".into(),
            reason: format!("is shorter than {MIN_PASSWORD_CHARS} characters"),
        });
    }
    Ok(())
}

/// An e-mail address, trimmed and lower-cased.
pub fn check_email(email: &str) -> Result<String, MetaError> {
    let e = email.trim().to_lowercase();
    let ok = e.len() <= 254
        && e.split_once('@').is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.starts_with('.'))
        && !e.chars().any(char::is_whitespace);
    if ok {
        Ok(e)
    } else {
        Err(MetaError::Invalid { field: "email".into(), reason: format!("'{email}' is not an e-mail address") })
    }
}

/// A preferred language: `""` (the browser's), `ru` or `en`.
pub fn check_lang(lang: &str) -> Result<(), MetaError> {
    if !matches!(lang, "" | "ru" | "en") {
        return Err(MetaError::Invalid { field: "lang".into(), reason: format!("'{lang}': use ru or en") });
    }
    Ok(())
}

/// The last admin can neither stop being one nor be deleted: someone must be able to manage users.
pub(crate) fn last_admin(field: &str) -> MetaError {
    let reason = if field == "role" { "the last admin must stay an admin" } else { "the last admin cannot be deleted" };
    MetaError::Invalid { field: field.into(), reason: reason.into() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_meta as meta;

    #[test]
    fn passwords_are_argon2_and_verify() {
        let (d, m) = meta();
        let u = m.create_user("Maria@Example.ru", Role::Analyst, "correct horse battery", 1).unwrap();
        assert_eq!(u.email, "maria@example.ru");
        assert_eq!(m.verify_password("maria@example.ru", "correct horse battery").unwrap(), Some(u.clone()));
        assert_eq!(m.verify_password("maria@example.ru", "wrong password!").unwrap(), None);
        assert_eq!(m.verify_password("nobody@example.ru", "correct horse battery").unwrap(), None);
        drop(m);
        let bytes = std::fs::read(d.path().join("meta.sqlite")).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("$argon2id$") && !text.contains("correct horse"));
    }

    crate::testing::backend_tests! {
        fn bad_users_are_refused() {
            let (_d, m) = meta();
            assert!(matches!(
                m.create_user("no-at-sign", Role::Viewer, "long enough pw", 0),
                Err(MetaError::Invalid { .. })
            ));
            assert!(matches!(m.create_user("a@b.ru", Role::Viewer, "short", 0), Err(MetaError::Invalid { .. })));
            m.create_user("a@b.ru", Role::Viewer, "long enough pw", 0).unwrap();
            assert!(matches!(m.create_user("A@B.ru", Role::Admin, "long enough pw", 0), Err(MetaError::Conflict { .. })));
            assert!(Role::parse("root").is_err());
        }

        fn sessions_expire_and_end_with_a_new_password() {
            let (_d, m) = meta();
            let u = m.create_user("a@b.ru", Role::Admin, "long enough pw", 0).unwrap();
            let s = m.create_session(u.id, 1_000, 60_000).unwrap();
            let (who, csrf) = m.session(&s.token, 2_000).unwrap().unwrap();
            assert_eq!((who.id, csrf), (u.id, s.csrf.clone()));
            assert!(m.session(&s.token, 61_000).unwrap().is_none(), "expired");
            let s2 = m.create_session(u.id, 1_000, 60_000).unwrap();
            m.set_password(u.id, "another long pw").unwrap();
            assert!(m.session(&s2.token, 2_000).unwrap().is_none(), "a new password signs out everywhere");
            let s3 = m.create_session(u.id, 1_000, 60_000).unwrap();
            m.delete_session(&s3.token).unwrap();
            assert!(m.session(&s3.token, 2_000).unwrap().is_none());
        }

        fn roles_change_and_the_last_admin_stays() {
            let (_d, m) = meta();
            let a = m.create_user("a@b.ru", Role::Admin, "long enough pw", 0).unwrap();
            let v = m.create_user("v@b.ru", Role::Viewer, "long enough pw", 0).unwrap();
            assert!(matches!(m.set_role(a.id, Role::Viewer), Err(MetaError::Invalid { .. })));
            assert!(matches!(m.delete_user(a.id), Err(MetaError::Invalid { .. })));
            assert_eq!(m.set_role(v.id, Role::Admin).unwrap().role, Role::Admin);
            assert_eq!(m.set_role(a.id, Role::Analyst).unwrap().role, Role::Analyst);
            let s = m.create_session(v.id, 0, 60_000).unwrap();
            assert!(matches!(m.delete_user(v.id), Err(MetaError::Invalid { .. })), "v is now the only admin");
            m.set_role(a.id, Role::Admin).unwrap();
            m.delete_user(v.id).unwrap();
            assert!(m.session(&s.token, 1).unwrap().is_none(), "a deleted user's sessions end");
            assert!(matches!(m.delete_user(v.id), Err(MetaError::NotFound { .. })));
            assert!(m.user("v@b.ru").unwrap().is_none());
        }
    }
}
