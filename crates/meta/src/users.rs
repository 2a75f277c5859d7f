//! Users, passwords and sign-in sessions. Passwords are stored as argon2id hashes (PHC strings with their own
//! salt and parameters); a session is a random token in an HttpOnly cookie, stored as its SHA-256 digest, with a
//! CSRF token that every form must echo. Roles: `admin` (users, projects, keys), `analyst` (edits reports and
//! maps), `viewer` (reads).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::{digest, random_token, Meta, MetaError};

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

fn hash_password(password: &str) -> Result<String, MetaError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| MetaError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| MetaError::Random(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| MetaError::Random(e.to_string()))
}

fn check_password(password: &str) -> Result<(), MetaError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(MetaError::Invalid {
            field: "password".into(),
            reason: format!("is shorter than {MIN_PASSWORD_CHARS} characters"),
        });
    }
    Ok(())
}

fn check_email(email: &str) -> Result<String, MetaError> {
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

pub(crate) fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(2)?;
    Ok(User {
        id: r.get(0)?,
        email: r.get(1)?,
        role: Role::parse(&role).unwrap_or(Role::Viewer),
        lang: r.get(3)?,
        created_at: r.get(4)?,
    })
}

const USER_COLS: &str = "id, email, role, lang, created_at";

fn admins(conn: &rusqlite::Connection) -> Result<i64, MetaError> {
    Ok(conn.query_row("SELECT count(*) FROM users WHERE role = 'admin'", [], |r| r.get(0))?)
}

impl Meta {
    pub fn create_user(&self, email: &str, role: Role, password: &str, now: i64) -> Result<User, MetaError> {
        let email = check_email(email)?;
        check_password(password)?;
        let hash = hash_password(password)?;
        let conn = self.conn();
        let done = conn.execute(
            "INSERT INTO users (email, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![email, role.as_str(), hash, now],
        )?;
        if done == 0 {
            return Err(MetaError::Conflict { what: "user", name: email });
        }
        Ok(User { id: conn.last_insert_rowid(), email, role, lang: String::new(), created_at: now })
    }

    pub fn users(&self) -> Result<Vec<User>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!("SELECT {USER_COLS} FROM users ORDER BY email"))?;
        let rows = st.query_map([], user_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn user(&self, email: &str) -> Result<Option<User>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!("SELECT {USER_COLS} FROM users WHERE email = ?1"))?;
        Ok(st.query_row([email.trim().to_lowercase()], user_row).optional()?)
    }

    /// The user if the password is theirs. Unknown e-mails cost the same hashing work as wrong passwords, so
    /// the answer time does not tell which e-mails exist.
    pub fn verify_password(&self, email: &str, password: &str) -> Result<Option<User>, MetaError> {
        let found: Option<(User, String)> = {
            let conn = self.conn();
            let mut st = conn.prepare(&format!("SELECT {USER_COLS}, password_hash FROM users WHERE email = ?1"))?;
            st.query_row([email.trim().to_lowercase()], |r| Ok((user_row(r)?, r.get::<_, String>(5)?))).optional()?
        };
        let (user, hash) = match found {
            Some(f) => f,
            None => {
                let _ = hash_password(password);
                return Ok(None);
            }
        };
        let ok =
            PasswordHash::new(&hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok());
        Ok(ok.then_some(user))
    }

    /// Sets a new password (the caller checked the old one or is an admin); signs the user out everywhere.
    pub fn set_password(&self, user_id: i64, password: &str) -> Result<(), MetaError> {
        check_password(password)?;
        let hash = hash_password(password)?;
        let conn = self.conn();
        if conn.execute("UPDATE users SET password_hash = ?2 WHERE id = ?1", params![user_id, hash])? == 0 {
            return Err(MetaError::NotFound { what: "user", name: user_id.to_string() });
        }
        conn.execute("DELETE FROM sessions WHERE user_id = ?1", [user_id])?;
        Ok(())
    }

    /// Changes a user's role; the last admin cannot stop being one (someone must be able to manage users).
    pub fn set_role(&self, user_id: i64, role: Role) -> Result<User, MetaError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let user = tx
            .query_row(&format!("SELECT {USER_COLS} FROM users WHERE id = ?1"), [user_id], user_row)
            .optional()?
            .ok_or_else(|| MetaError::NotFound { what: "user", name: user_id.to_string() })?;
        if user.role == Role::Admin && role != Role::Admin && admins(&tx)? == 1 {
            return Err(MetaError::Invalid {
                field: "role".into(),
                reason: "the last admin must stay an admin".into(),
            });
        }
        tx.execute("UPDATE users SET role = ?2 WHERE id = ?1", params![user_id, role.as_str()])?;
        tx.commit()?;
        Ok(User { role, ..user })
    }

    /// Deletes a user and their sessions; the last admin cannot be deleted.
    pub fn delete_user(&self, user_id: i64) -> Result<(), MetaError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let role: Option<String> =
            tx.query_row("SELECT role FROM users WHERE id = ?1", [user_id], |r| r.get(0)).optional()?;
        let role = role.ok_or_else(|| MetaError::NotFound { what: "user", name: user_id.to_string() })?;
        if role == "admin" && admins(&tx)? == 1 {
            return Err(MetaError::Invalid { field: "user".into(), reason: "the last admin cannot be deleted".into() });
        }
        tx.execute("DELETE FROM sessions WHERE user_id = ?1", [user_id])?;
        tx.execute("DELETE FROM users WHERE id = ?1", [user_id])?;
        tx.commit()?;
        Ok(())
    }

    pub fn set_lang(&self, user_id: i64, lang: &str) -> Result<(), MetaError> {
        if !matches!(lang, "" | "ru" | "en") {
            return Err(MetaError::Invalid { field: "lang".into(), reason: format!("'{lang}': use ru or en") });
        }
        self.conn().execute("UPDATE users SET lang = ?2 WHERE id = ?1", params![user_id, lang])?;
        Ok(())
    }

    pub fn create_session(&self, user_id: i64, now: i64, ttl_ms: i64) -> Result<NewSession, MetaError> {
        let token = random_token("s_")?;
        let csrf = random_token("c_")?;
        let conn = self.conn();
        conn.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?;
        conn.execute(
            "INSERT INTO sessions (digest, user_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![digest(&token), user_id, csrf, now, now + ttl_ms],
        )?;
        Ok(NewSession { token, csrf })
    }

    /// The user and CSRF token of a live session.
    pub fn session(&self, token: &str, now: i64) -> Result<Option<(User, String)>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare_cached(
            "SELECT u.id, u.email, u.role, u.lang, u.created_at, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.digest = ?1 AND s.expires_at > ?2",
        )?;
        Ok(st.query_row(params![digest(token), now], |r| Ok((user_row(r)?, r.get::<_, String>(5)?))).optional()?)
    }

    pub fn delete_session(&self, token: &str) -> Result<(), MetaError> {
        self.conn().execute("DELETE FROM sessions WHERE digest = ?1", [digest(token)])?;
        Ok(())
    }
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

    #[test]
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

    #[test]
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

    #[test]
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
