//! Users and sessions on SQLite.

use rusqlite::{params, OptionalExtension};

use super::SqliteRepository;
use crate::repository::Users;
use crate::secret::{digest, hash_password, password_matches, random_token};
use crate::users::{check_email, check_lang, check_password, last_admin, NewSession, Role, User};
use crate::MetaError;

pub(super) fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
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

impl Users for SqliteRepository {
    fn create_user(&self, email: &str, role: Role, password: &str, now: i64) -> Result<User, MetaError> {
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

    fn users(&self) -> Result<Vec<User>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!("SELECT {USER_COLS} FROM users ORDER BY email"))?;
        let rows = st.query_map([], user_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn user(&self, email: &str) -> Result<Option<User>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!("SELECT {USER_COLS} FROM users WHERE email = ?1"))?;
        Ok(st.query_row([email.trim().to_lowercase()], user_row).optional()?)
    }

    fn verify_password(&self, email: &str, password: &str) -> Result<Option<User>, MetaError> {
        let found: Option<(User, String)> = {
            let conn = self.conn();
            let mut st = conn.prepare(&format!("SELECT {USER_COLS}, password_hash FROM users WHERE email = ?1"))?;
            st.query_row([email.trim().to_lowercase()], |r| Ok((user_row(r)?, r.get::<_, String>(5)?))).optional()?
        };
        let (user, hash) = found.unzip();
        Ok(user.filter(|_| password_matches(hash.as_deref(), password)))
    }

    fn set_password(&self, user_id: i64, password: &str) -> Result<(), MetaError> {
        check_password(password)?;
        let hash = hash_password(password)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        if tx.execute("UPDATE users SET password_hash = ?2 WHERE id = ?1", params![user_id, hash])? == 0 {
            return Err(MetaError::NotFound { what: "user", name: user_id.to_string() });
        }
        tx.execute("DELETE FROM sessions WHERE user_id = ?1", [user_id])?;
        tx.commit()?;
        Ok(())
    }

    fn set_role(&self, user_id: i64, role: Role) -> Result<User, MetaError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let user = tx
            .query_row(&format!("SELECT {USER_COLS} FROM users WHERE id = ?1"), [user_id], user_row)
            .optional()?
            .ok_or_else(|| MetaError::NotFound { what: "user", name: user_id.to_string() })?;
        if user.role == Role::Admin && role != Role::Admin && admins(&tx)? == 1 {
            return Err(last_admin("role"));
        }
        tx.execute("UPDATE users SET role = ?2 WHERE id = ?1", params![user_id, role.as_str()])?;
        tx.commit()?;
        Ok(User { role, ..user })
    }

    fn delete_user(&self, user_id: i64) -> Result<(), MetaError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let role: Option<String> =
            tx.query_row("SELECT role FROM users WHERE id = ?1", [user_id], |r| r.get(0)).optional()?;
        let role = role.ok_or_else(|| MetaError::NotFound { what: "user", name: user_id.to_string() })?;
        if role == "admin" && admins(&tx)? == 1 {
            return Err(last_admin("user"));
        }
        tx.execute("DELETE FROM sessions WHERE user_id = ?1", [user_id])?;
        tx.execute("DELETE FROM users WHERE id = ?1", [user_id])?;
        tx.commit()?;
        Ok(())
    }

    fn set_lang(&self, user_id: i64, lang: &str) -> Result<(), MetaError> {
        check_lang(lang)?;
        self.conn().execute("UPDATE users SET lang = ?2 WHERE id = ?1", params![user_id, lang])?;
        Ok(())
    }

    fn create_session(&self, user_id: i64, now: i64, ttl_ms: i64) -> Result<NewSession, MetaError> {
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

    fn session(&self, token: &str, now: i64) -> Result<Option<(User, String)>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare_cached(
            "SELECT u.id, u.email, u.role, u.lang, u.created_at, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.digest = ?1 AND s.expires_at > ?2",
        )?;
        Ok(st.query_row(params![digest(token), now], |r| Ok((user_row(r)?, r.get::<_, String>(5)?))).optional()?)
    }

    fn delete_session(&self, token: &str) -> Result<(), MetaError> {
        self.conn().execute("DELETE FROM sessions WHERE digest = ?1", [digest(token)])?;
        Ok(())
    }
}
