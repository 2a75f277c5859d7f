//! Who is signed in: the web app's session cookie, which the query API honours too (the web app's pages read
//! their reports through it). The cookie is set by the web app; both adapters read it here.

use tropa_meta::{Meta, User};

use crate::AppError;

/// The name of the session cookie.
pub const COOKIE: &str = "tropa_session";

/// The value of cookie `name` in `Cookie` header values (`a=1; b=2`, possibly several headers).
pub fn cookie<'h>(headers: impl IntoIterator<Item = &'h str>, name: &str) -> Option<&'h str> {
    headers
        .into_iter()
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The user signed in with session `token` at `now` (epoch ms) and the session's CSRF token; None when the
/// session does not exist or has expired.
pub fn signed_in(meta: &Meta, token: &str, now: i64) -> Result<Option<(User, String)>, AppError> {
    Ok(meta.session(token, now)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_is_found_among_others_and_across_headers() {
        assert_eq!(cookie(["a=1; tropa_session=s_x", "b=2"], COOKIE), Some("s_x"));
        assert_eq!(cookie(["a=1", "tropa_session=s_y"], COOKIE), Some("s_y"));
        assert_eq!(cookie(["tropa_sessionx=1; xtropa_session=2"], COOKIE), None);
        assert_eq!(cookie(Vec::<&str>::new(), COOKIE), None);
    }

    #[test]
    fn a_session_reads_back_until_it_expires() {
        let dir = tempfile::tempdir().unwrap();
        let meta = Meta::open(&dir.path().join("meta.sqlite")).unwrap();
        let user = meta.create_user("ann@example.com", tropa_meta::Role::Viewer, "a long enough password", 0);
        let user = user.unwrap();
        let s = meta.create_session(user.id, 1_000, 10_000).unwrap();
        let (found, csrf) = signed_in(&meta, &s.token, 2_000).unwrap().unwrap();
        assert_eq!((found.id, csrf), (user.id, s.csrf));
        assert!(signed_in(&meta, &s.token, 20_000).unwrap().is_none());
        assert!(signed_in(&meta, "s_nobody", 2_000).unwrap().is_none());
    }
}
