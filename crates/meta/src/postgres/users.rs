//! Users and sessions on PostgreSQL.

use postgres::{GenericClient, Row};

use super::{rows, PostgresRepository};
use crate::repository::Users;
use crate::secret::{digest, hash_password, password_matches, random_token};
use crate::users::{check_email, check_lang, check_password, last_admin, NewSession, Role, User};
use crate::MetaError;

pub(super) fn user_row(r: &Row) -> Result<User, postgres::Error> {
    let role: String = r.try_get(2)?;
    Ok(User {
        id: r.try_get(0)?,
        email: r.try_get(1)?,
        role: Role::parse(&role).unwrap_or(Role::Viewer),
        lang: r.try_get(3)?,
        created_at: r.try_get(4)?,
    })
}

const USER_COLS: &str = "id, email, role, lang, created_at";

/// The number of instance admins, with the users table locked against role changes until the transaction ends
/// (so two servers cannot each demote one of the last two admins).
fn admins(c: &mut impl GenericClient) -> Result<i64, MetaError> {
    c.batch_execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")?;
    Ok(c.query_one("SELECT count(*) FROM users WHERE role = 'admin'", &[])?.try_get(0)?)
}

impl Users for PostgresRepository {
    fn create_user(&self, email: &str, role: Role, password: &str, now: i64) -> Result<User, MetaError> {
        let email = check_email(email)?;
        check_password(password)?;
        let hash = hash_password(password)?;
        let id = self.with(|c| {
            let found = c.query_opt(
                "INSERT INTO users (email, role, password_hash, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING RETURNING id",
                &[&email, &role.as_str(), &hash, &now],
            )?;
            Ok(found.map(|r| r.try_get::<_, i64>(0)).transpose()?)
        })?;
        let Some(id) = id else { return Err(MetaError::Conflict { what: "user", name: email }) };
        Ok(User { id, email, role, lang: String::new(), created_at: now })
    }

    fn users(&self) -> Result<Vec<User>, MetaError> {
        self.with(|c| rows(c.query(&format!("SELECT {USER_COLS} FROM users ORDER BY email"), &[])?, user_row))
    }

    fn user(&self, email: &str) -> Result<Option<User>, MetaError> {
        let email = email.trim().to_lowercase();
        self.with(|c| {
            let found = c.query_opt(&format!("SELECT {USER_COLS} FROM users WHERE email = $1"), &[&email])?;
            Ok(found.as_ref().map(user_row).transpose()?)
        })
    }

    fn verify_password(&self, email: &str, password: &str) -> Result<Option<User>, MetaError> {
        let email = email.trim().to_lowercase();
        let found: Option<(User, String)> = self.with(|c| {
            let found =
                c.query_opt(&format!("SELECT {USER_COLS}, password_hash FROM users WHERE email = $1"), &[&email])?;
            Ok(found.map(|r| Ok::<_, postgres::Error>((user_row(&r)?, r.try_get(5)?))).transpose()?)
        })?;
        let (user, hash) = found.unzip();
        Ok(user.filter(|_| password_matches(hash.as_deref(), password)))
    }

    fn set_password(&self, user_id: i64, password: &str) -> Result<(), MetaError> {
        check_password(password)?;
        let hash = hash_password(password)?;
        self.tx(|t| {
            if t.execute("UPDATE users SET password_hash = $2 WHERE id = $1", &[&user_id, &hash])? == 0 {
                return Err(MetaError::NotFound { what: "user", name: user_id.to_string() });
            }
            t.execute("DELETE FROM sessions WHERE user_id = $1", &[&user_id])?;
            Ok(())
        })
    }

    fn set_role(&self, user_id: i64, role: Role) -> Result<User, MetaError> {
        self.tx(|t| {
            let admins = admins(t)?;
            let found = t.query_opt(&format!("SELECT {USER_COLS} FROM users WHERE id = $1"), &[&user_id])?;
            let user = found
                .as_ref()
                .map(user_row)
                .transpose()?
                .ok_or_else(|| MetaError::NotFound { what: "user", name: user_id.to_string() })?;
            if user.role == Role::Admin && role != Role::Admin && admins == 1 {
                return Err(last_admin("role"));
            }
            t.execute("UPDATE users SET role = $2 WHERE id = $1", &[&user_id, &role.as_str()])?;
            Ok(User { role, ..user })
        })
    }

    fn delete_user(&self, user_id: i64) -> Result<(), MetaError> {
        self.tx(|t| {
            let admins = admins(t)?;
            let found = t.query_opt("SELECT role FROM users WHERE id = $1", &[&user_id])?;
            let role: String = found
                .map(|r| r.try_get(0))
                .transpose()?
                .ok_or_else(|| MetaError::NotFound { what: "user", name: user_id.to_string() })?;
            if role == "admin" && admins == 1 {
                return Err(last_admin("user"));
            }
            t.execute("DELETE FROM sessions WHERE user_id = $1", &[&user_id])?;
            t.execute("DELETE FROM users WHERE id = $1", &[&user_id])?;
            Ok(())
        })
    }

    fn set_lang(&self, user_id: i64, lang: &str) -> Result<(), MetaError> {
        check_lang(lang)?;
        self.with(|c| {
            c.execute("UPDATE users SET lang = $2 WHERE id = $1", &[&user_id, &lang])?;
            Ok(())
        })
    }

    fn create_session(&self, user_id: i64, now: i64, ttl_ms: i64) -> Result<NewSession, MetaError> {
        let token = random_token("s_")?;
        let csrf = random_token("c_")?;
        self.tx(|t| {
            t.execute("DELETE FROM sessions WHERE expires_at <= $1", &[&now])?;
            t.execute(
                "INSERT INTO sessions (digest, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                &[&digest(&token), &user_id, &csrf, &now, &(now + ttl_ms)],
            )?;
            Ok(())
        })?;
        Ok(NewSession { token, csrf })
    }

    fn session(&self, token: &str, now: i64) -> Result<Option<(User, String)>, MetaError> {
        self.with(|c| {
            let found = c.query_opt(
                "SELECT u.id, u.email, u.role, u.lang, u.created_at, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.digest = $1 AND s.expires_at > $2",
                &[&digest(token), &now],
            )?;
            Ok(found.map(|r| Ok::<_, postgres::Error>((user_row(&r)?, r.try_get(5)?))).transpose()?)
        })
    }

    fn delete_session(&self, token: &str) -> Result<(), MetaError> {
        self.with(|c| {
            c.execute("DELETE FROM sessions WHERE digest = $1", &[&digest(token)])?;
            Ok(())
        })
    }
}
