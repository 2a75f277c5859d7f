//! Sign-in throttling. Every failed sign-in counts twice: for the account at the client's address, and for the
//! account alone. Past a few free failures each count locks further attempts for a time that doubles with every
//! failure: steeply for one address (5 free, then 1 s, 2 s, 4 s … up to 15 min), gently for the account as a whole
//! (20 free, then 1 s … up to 1 min) — so guessing from one address is slow, guessing from many is still bounded,
//! and an attacker cannot keep a known user out for longer than a minute at a time. A locked attempt is refused
//! before its password is checked, even a right one; a success clears both counts. Password hashes run a few at
//! a time ([`HASHES_AT_ONCE`]). The counts live in memory: per server process, forgotten on restart.
//!
//! The client's address is the socket's peer, or — when the peer is one of `trusted_proxies` — the last address in
//! `X-Forwarded-For` that is not a trusted proxy; IPv6 addresses count by their /64 network.

use crate::i18n::{Lang, Words};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Password hashes (argon2id, memory-hard) computed at once; more wait up to [`HASH_WAIT`].
pub const HASHES_AT_ONCE: usize = 4;
/// How long a sign-in waits for its turn to check a password before it is answered 503.
pub const HASH_WAIT: Duration = Duration::from_secs(10);

/// How one count locks: `free` failures without a wait, then `first_ms` doubling with every failure, at most
/// `max_ms`.
struct Policy {
    free: u32,
    first_ms: i64,
    max_ms: i64,
}

const PER_ADDRESS: Policy = Policy { free: 5, first_ms: 1_000, max_ms: 15 * 60_000 };
const PER_ACCOUNT: Policy = Policy { free: 20, first_ms: 1_000, max_ms: 60_000 };
/// A count is forgotten this long after its last failure.
const FORGET_MS: i64 = 24 * 3_600_000;
/// Counts kept at most; beyond, forgotten and then unlocked ones are dropped first.
const MAX_COUNTS: usize = 100_000;

#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    /// The account (e-mail as typed, trimmed and lower-cased) at an address (`None`: unknown).
    AtAddress(String, Option<IpAddr>),
    Account(String),
}

#[derive(Clone, Copy)]
struct Count {
    failures: u32,
    locked_until: i64,
    last_failure: i64,
}

/// The counts and the hashing bound of one server.
pub struct SignInThrottle {
    counts: Mutex<HashMap<Key, Count>>,
    hashing: Arc<Semaphore>,
}

impl Default for SignInThrottle {
    fn default() -> Self {
        SignInThrottle { counts: Mutex::new(HashMap::new()), hashing: Arc::new(Semaphore::new(HASHES_AT_ONCE)) }
    }
}

fn keys(email: &str, client: Option<IpAddr>) -> [(Key, &'static Policy); 2] {
    let account = email.trim().to_lowercase();
    [(Key::AtAddress(account.clone(), client), &PER_ADDRESS), (Key::Account(account), &PER_ACCOUNT)]
}

impl SignInThrottle {
    /// How long (ms) this account must wait before it may try to sign in from `client`; `None`: it may now.
    pub fn wait_ms(&self, email: &str, client: Option<IpAddr>, now: i64) -> Option<i64> {
        let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        keys(email, client)
            .iter()
            .filter_map(|(k, _)| counts.get(k))
            .map(|c| c.locked_until - now)
            .filter(|ms| *ms > 0)
            .max()
    }

    /// Counts a failed sign-in.
    pub fn failed(&self, email: &str, client: Option<IpAddr>, now: i64) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if counts.len() >= MAX_COUNTS {
            counts.retain(|_, c| now - c.last_failure < FORGET_MS);
        }
        if counts.len() >= MAX_COUNTS {
            counts.retain(|_, c| c.locked_until > now);
        }
        for (key, policy) in keys(email, client) {
            let c = counts.entry(key).or_insert(Count { failures: 0, locked_until: 0, last_failure: now });
            if now - c.last_failure >= FORGET_MS {
                c.failures = 0;
            }
            c.failures = c.failures.saturating_add(1);
            c.last_failure = now;
            if c.failures >= policy.free {
                let doublings = (c.failures - policy.free).min(30);
                c.locked_until = now + (policy.first_ms << doublings).min(policy.max_ms);
            }
        }
    }

    /// Clears the counts of an account that signed in.
    pub fn succeeded(&self, email: &str, client: Option<IpAddr>) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        for (key, _) in keys(email, client) {
            counts.remove(&key);
        }
    }

    /// A turn to hash a password, waiting at most `wait`; `None` when the server stayed busy that long.
    pub async fn hashing_turn(&self, wait: Duration) -> Option<OwnedSemaphorePermit> {
        tokio::time::timeout(wait, self.hashing.clone().acquire_owned()).await.ok()?.ok()
    }
}

/// What to tell a client who must wait `wait_ms`: the sentence in its language (429: when to try again, in whole
/// minutes from a minute on, rounded up so never sooner than `Retry-After`; 503: the server is busy) and the
/// `Retry-After` value in whole seconds.
pub fn wait_words(lang: Lang, status: axum::http::StatusCode, wait_ms: i64) -> (String, i64) {
    let seconds = (wait_ms.max(1) + 999) / 1000;
    let message = if status == axum::http::StatusCode::TOO_MANY_REQUESTS {
        let shown = if seconds < 60 { seconds } else { (seconds + 59) / 60 * 60 };
        format!("{} {}", lang.t("sign_in_throttled"), lang.duration(Some(shown as f64)))
    } else {
        lang.t("server_busy").to_string()
    };
    (message, seconds)
}

/// The client's address as [`client_ip`] finds it, IPv6 as its /64 network (what one client may hold).
pub fn client_address(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    Some(match client_ip(peer, headers, trusted)? {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    })
}

/// The client's address: the peer, or behind trusted proxies the last `X-Forwarded-For` hop that is not one of
/// them (a hop that is no address ends the walk at the proxy that added it).
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let mut addr = peer?.to_canonical();
    if trusted.contains(&addr) {
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for hop in hops.iter().rev() {
            let Ok(ip) = hop.parse::<IpAddr>() else { break };
            addr = ip.to_canonical();
            if !trusted.contains(&addr) {
                break;
            }
        }
    }
    Some(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn failures_lock_with_doubling_waits_per_address_and_gently_per_account() {
        let t = SignInThrottle::default();
        let (a, b) = (Some(ip("192.0.2.1")), Some(ip("192.0.2.2")));
        for _ in 0..4 {
            t.failed("Maria@x.ru", a, 0);
        }
        assert_eq!(t.wait_ms("maria@x.ru", a, 0), None, "4 failures are free");
        t.failed("maria@x.ru ", a, 0);
        assert_eq!(t.wait_ms("maria@x.ru", a, 0), Some(1_000));
        assert_eq!(t.wait_ms("maria@x.ru", b, 0), None, "another address is not locked");
        assert_eq!(t.wait_ms("ivan@x.ru", a, 0), None, "nor another account");
        t.failed("maria@x.ru", a, 1_000);
        assert_eq!(t.wait_ms("maria@x.ru", a, 1_000), Some(2_000));
        for _ in 0..30 {
            t.failed("maria@x.ru", a, 10_000);
        }
        assert_eq!(t.wait_ms("maria@x.ru", a, 10_000), Some(15 * 60_000), "at most 15 minutes");
        assert_eq!(t.wait_ms("maria@x.ru", b, 10_000), Some(60_000), "the account as a whole: at most 1 minute");
        t.succeeded("maria@x.ru", b);
        assert_eq!(t.wait_ms("maria@x.ru", b, 10_000), None, "a success clears the account's count");
        assert_eq!(t.wait_ms("maria@x.ru", a, 10_000 + FORGET_MS), None);
        t.failed("maria@x.ru", a, 10_000 + FORGET_MS);
        assert_eq!(t.wait_ms("maria@x.ru", a, 10_000 + FORGET_MS), None, "a day later the count starts again");
    }

    #[tokio::test]
    async fn password_hashes_run_a_few_at_a_time() {
        let t = SignInThrottle::default();
        let mut turns = Vec::new();
        for _ in 0..HASHES_AT_ONCE {
            turns.push(t.hashing_turn(Duration::ZERO).await.unwrap());
        }
        assert!(t.hashing_turn(Duration::ZERO).await.is_none());
        turns.pop();
        assert!(t.hashing_turn(Duration::ZERO).await.is_some());
    }

    #[test]
    fn the_client_is_the_peer_or_the_hop_before_trusted_proxies() {
        let check = |peer: &str, xff: &[&str], trusted: &[&str], want: &str| {
            let mut h = HeaderMap::new();
            for v in xff {
                h.append("x-forwarded-for", v.parse().unwrap());
            }
            let trusted: Vec<IpAddr> = trusted.iter().map(|t| ip(t)).collect();
            assert_eq!(client_address(Some(ip(peer)), &h, &trusted), Some(ip(want)), "{peer} {xff:?}");
        };
        check("192.0.2.9", &["203.0.113.5"], &[], "192.0.2.9"); // an untrusted peer's header is ignored
        check("10.0.0.1", &["203.0.113.5"], &["10.0.0.1"], "203.0.113.5");
        check("10.0.0.1", &["198.51.100.7, 203.0.113.5, 10.0.0.2"], &["10.0.0.1", "10.0.0.2"], "203.0.113.5");
        check("10.0.0.1", &["198.51.100.7", "203.0.113.5"], &["10.0.0.1"], "203.0.113.5");
        check("10.0.0.1", &["203.0.113.5, junk"], &["10.0.0.1"], "10.0.0.1");
        check("10.0.0.1", &[], &["10.0.0.1"], "10.0.0.1");
        check("::ffff:192.0.2.9", &[], &[], "192.0.2.9");
        check("2001:db8:1:2:3:4:5:6", &[], &[], "2001:db8:1:2::");
        assert_eq!(client_address(None, &HeaderMap::new(), &[]), None);
    }
}
