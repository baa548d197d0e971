//! Random tokens, their hashes, passwords (argon2id) and TOTP (RFC 6238).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::distributions::Alphanumeric;
use rand::{rngs::OsRng, Rng};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

/// A random token with a readable prefix, e.g. `rt_…` (refresh) or `pk_…` (API key).
#[must_use]
pub fn random_token(prefix: &str) -> String {
    let body: String = OsRng
        .sample_iter(&Alphanumeric)
        .take(40)
        .map(char::from)
        .collect();
    format!("{prefix}{body}")
}

/// SHA-256 hex of a high-entropy token. (Tokens are random, so a fast hash is enough;
/// passwords use argon2id.)
#[must_use]
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// argon2id hash in PHC format.
///
/// # Errors
/// Only on an internal hashing failure.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
}

/// True when the password matches the stored hash.
#[must_use]
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// A fresh base32 TOTP secret.
#[must_use]
pub fn new_totp_secret() -> String {
    let bytes: [u8; 20] = OsRng.gen();
    Secret::Raw(bytes.to_vec()).to_encoded().to_string()
}

fn totp(secret_b32: &str, account: &str) -> Option<TOTP> {
    let secret = Secret::Encoded(secret_b32.to_owned()).to_bytes().ok()?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        secret,
        Some("Помощник".to_owned()),
        account.to_owned(),
    )
    .ok()
}

/// `otpauth://` URI for authenticator apps.
#[must_use]
pub fn totp_uri(secret_b32: &str, account: &str) -> Option<String> {
    totp(secret_b32, account).map(|t| t.get_url())
}

/// True when `code` is valid now (one step of skew either way).
#[must_use]
pub fn verify_totp(secret_b32: &str, code: &str, unix_time: u64) -> bool {
    totp_step(secret_b32, code, unix_time).is_some()
}

/// The 30-second time step `code` belongs to, when it is valid now (one step of skew either
/// way). A sign-in stores it so that the same code is accepted once.
#[must_use]
pub fn totp_step(secret_b32: &str, code: &str, unix_time: u64) -> Option<i64> {
    use subtle::ConstantTimeEq;
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret_b32, "user")?;
    let now = unix_time / 30;
    // Every candidate is computed and compared, so the time does not tell which one matched.
    let mut found = None;
    for step in [now.saturating_sub(1), now, now + 1] {
        let expected = totp.generate(step * 30);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            found = i64::try_from(step).ok();
        }
    }
    found
}

/// The current code (for tests and the dev tooling).
#[must_use]
pub fn totp_code(secret_b32: &str, unix_time: u64) -> Option<String> {
    totp(secret_b32, "user").map(|t| t.generate(unix_time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("правильный пароль").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("правильный пароль", &hash));
        assert!(!verify_password("неправильный", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn totp_matches_rfc6238_vector() {
        // RFC 6238 appendix B, SHA-1 secret "12345678901234567890", T = 59 s → 94287082 (8
        // digits); with 6 digits the code is the last six: 287082.
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        assert_eq!(totp_code(&secret, 59).as_deref(), Some("287082"));
        assert!(verify_totp(&secret, "287082", 59));
        assert!(!verify_totp(&secret, "287083", 59));
        assert!(!verify_totp(&secret, "28708", 59));
        // The step of the code, also one step later (skew), never two.
        assert_eq!(totp_step(&secret, "287082", 59), Some(1));
        assert_eq!(totp_step(&secret, "287082", 89), Some(1));
        assert_eq!(totp_step(&secret, "287082", 120), None);
        assert!(totp_uri(&secret, "op@example.org")
            .unwrap()
            .starts_with("otpauth://totp/"));
    }

    #[test]
    fn tokens_are_random_and_hash_stably() {
        let a = random_token("rt_");
        assert!(a.starts_with("rt_") && a.len() == 43);
        assert_ne!(a, random_token("rt_"));
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_eq!(token_hash(&a).len(), 64);
    }
}
