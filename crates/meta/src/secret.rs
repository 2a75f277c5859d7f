//! What every backend shares about secrets: random tokens, the SHA-256 digests that keys, sessions and share
//! links are stored as, argon2id password hashes and the salted digest of a forgotten customer. A backend stores
//! and compares the values these functions make; it never hashes or generates secrets itself.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};

use crate::MetaError;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The SHA-256 digest a key, a session token or a share token is stored as.
pub fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// A random password for a new user (printed once): 20 base62 characters, about 119 bits.
pub fn random_password() -> Result<String, MetaError> {
    Ok(random_token("")?.chars().take(20).collect())
}

/// `prefix` + 32 base62 characters from 32 random bytes (bias < 2⁻¹⁸ per character, irrelevant at 190 bits).
pub fn random_token(prefix: &str) -> Result<String, MetaError> {
    let bytes = random_bytes::<32>()?;
    let body: String = bytes.iter().map(|b| BASE62[*b as usize % 62] as char).collect();
    Ok(format!("{prefix}{body}"))
}

/// `N` bytes from the operating system's random source.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], MetaError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| MetaError::Random(e.to_string()))?;
    Ok(bytes)
}

/// The argon2id hash (a PHC string with its own salt and parameters) a password is stored as.
pub fn hash_password(password: &str) -> Result<String, MetaError> {
    let salt = random_bytes::<16>()?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| MetaError::Random(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| MetaError::Random(e.to_string()))
}

/// Whether `password` matches the stored hash. With no hash (an unknown e-mail) it does the same hashing work and
/// answers false, so the answer time does not tell which e-mails exist.
pub fn password_matches(stored: Option<&str>, password: &str) -> bool {
    match stored {
        Some(hash) => {
            PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        }
        None => {
            let _ = hash_password(password);
            false
        }
    }
}

/// The hex SHA-256 of `salt` followed by `id`: how a forgotten customer is named in the audit log.
pub fn salted_digest(salt: &[u8], id: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(id.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_hashes_and_digests() {
        let t = random_token("tw_").unwrap();
        assert!(t.starts_with("tw_") && t.len() == 35 && t[3..].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(t, random_token("tw_").unwrap());
        assert_eq!(random_password().unwrap().len(), 20);
        assert_eq!(digest("x").len(), 32);
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(password_matches(Some(&h), "correct horse"));
        assert!(!password_matches(Some(&h), "wrong horse"));
        assert!(!password_matches(Some("not a hash"), "correct horse"));
        assert!(!password_matches(None, "correct horse"));
        assert_eq!(salted_digest(b"s", "id").len(), 64);
        assert_ne!(salted_digest(b"s", "id"), salted_digest(b"t", "id"));
    }
}
