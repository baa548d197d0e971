//! `Idempotency-Key` for every create: scoped to the caller, kept 24 hours. The same key and
//! body replay the first answer; the same key with another body answers 422; a duplicate
//! that arrives while the first is still being written answers 409.
//!
//! The key is claimed, the work done and the answer stored in one transaction, so a crash
//! between them leaves nothing behind and a retry simply runs again.
//!
//! Stored answers are forgotten after [`KEEP_HOURS`] (the cleanup job) and with the person
//! when they erase their data. An answer carrying a secret shown once — a one-time password,
//! an API key, a webhook secret — is stored sealed ([`once_sealed`]): a replay still gets it,
//! a copy of the database alone does not.

use std::future::{ready, Ready};

use actix_web::http::{header, StatusCode};
use actix_web::{dev::Payload, FromRequest, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::{self, schema::idempotency_keys as ik, AnyConnection};
use crate::error::ApiError;

/// How long a key is remembered.
pub const KEEP_HOURS: i64 = 24;

/// The optional `Idempotency-Key` header: 1–255 visible ASCII characters.
#[derive(Debug, Clone, Default)]
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(value) = req.headers().get("idempotency-key") else {
            return ready(Ok(Self(None)));
        };
        let valid =
            value.to_str().ok().map(str::trim).filter(|v| {
                !v.is_empty() && v.len() <= 255 && v.bytes().all(|b| b.is_ascii_graphic())
            });
        ready(match valid {
            Some(v) => Ok(Self(Some(v.to_owned()))),
            None => Err(ApiError::MalformedQuery(
                "Заголовок Idempotency-Key: от 1 до 255 видимых символов ASCII.".to_owned(),
            )),
        })
    }
}

/// A stored or fresh answer, ready to send.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: String,
}

impl Answer {
    /// As an HTTP response.
    #[must_use]
    pub fn into_response(self) -> HttpResponse {
        HttpResponse::build(StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK))
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .body(self.body)
    }
}

/// A fingerprint of the request: the operation and its parsed body.
#[must_use]
pub fn fingerprint(operation: &str, body: &impl Serialize) -> String {
    let body = serde_json::to_string(body).unwrap_or_default();
    hex::encode(Sha256::digest(format!("{operation}\n{body}").as_bytes()))
}

/// The prefix of a sealed stored answer.
const SEALED: &str = "sealed:v1:";

/// Seals and opens stored answers that carry a secret (ChaCha20-Poly1305; the key is derived
/// from `JWT_SECRET` with HMAC-SHA-256 under a label of its own, and the row's owner and key
/// are the associated data, so a sealed answer cannot be moved to another row).
pub struct Sealer([u8; 32]);

impl Sealer {
    /// The sealer of a server secret.
    #[must_use]
    pub fn from_secret(secret: &str) -> Self {
        // HMAC takes keys of any length.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(b"pomoshnik idempotency seal v1");
        Self(mac.finalize().into_bytes().into())
    }

    fn key(&self) -> LessSafeKey {
        LessSafeKey::new(
            UnboundKey::new(&CHACHA20_POLY1305, &self.0)
                .unwrap_or_else(|_| unreachable!("a 32-byte key")),
        )
    }

    fn seal(&self, aad: &str, plain: &str) -> Result<String, ApiError> {
        let mut nonce = [0_u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| ApiError::internal(anyhow::anyhow!("no randomness for a nonce")))?;
        let mut data = plain.as_bytes().to_vec();
        self.key()
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad.as_bytes()),
                &mut data,
            )
            .map_err(|_| ApiError::internal(anyhow::anyhow!("sealing failed")))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        Ok(format!("{SEALED}{}", hex::encode(out)))
    }

    /// The plain answer, or `None` when it was sealed under another secret (or damaged).
    fn open(&self, aad: &str, stored: &str) -> Option<String> {
        let raw = hex::decode(stored.strip_prefix(SEALED)?).ok()?;
        if raw.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut data = sealed.to_vec();
        let plain = self
            .key()
            .open_in_place(nonce, Aad::from(aad.as_bytes()), &mut data)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

/// Runs `work` once per (owner, key). Call inside a write transaction.
///
/// # Errors
/// 422 `idempotency_key_reused` for the same key with another request, 409
/// `idempotency_in_progress` when a concurrent duplicate holds the key, or `work`'s error.
pub fn once<T: Serialize>(
    conn: &mut AnyConnection,
    owner: &str,
    key: Option<&str>,
    fingerprint: &str,
    status: StatusCode,
    work: impl FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
) -> Result<Answer, ApiError> {
    run(conn, None, owner, key, fingerprint, status, work)
}

/// [`once`] for an answer that carries a secret shown once: the stored copy is sealed with
/// `sealer`.
///
/// # Errors
/// As [`once`]; also 409 `idempotency_replay_unavailable` when the stored answer was sealed
/// under a secret the server no longer has.
pub fn once_sealed<T: Serialize>(
    conn: &mut AnyConnection,
    sealer: &Sealer,
    owner: &str,
    key: Option<&str>,
    fingerprint: &str,
    status: StatusCode,
    work: impl FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
) -> Result<Answer, ApiError> {
    run(conn, Some(sealer), owner, key, fingerprint, status, work)
}

/// Forgets the stored answers older than [`KEEP_HOURS`] (the cleanup job).
///
/// # Errors
/// A database failure.
pub fn forget_old(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(ik::table.filter(ik::created_at.lt(now - chrono::Duration::hours(KEEP_HOURS))))
        .execute(conn)
}

/// Forgets every stored answer of one person (erasure of their data).
///
/// # Errors
/// A database failure.
pub fn forget_owner(conn: &mut AnyConnection, owner: &str) -> QueryResult<usize> {
    diesel::delete(ik::table.filter(ik::owner_id.eq(owner))).execute(conn)
}

fn run<T: Serialize>(
    conn: &mut AnyConnection,
    sealer: Option<&Sealer>,
    owner: &str,
    key: Option<&str>,
    fingerprint: &str,
    status: StatusCode,
    work: impl FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
) -> Result<Answer, ApiError> {
    let Some(key) = key else {
        let value = work(conn)?;
        return Ok(Answer {
            status: status.as_u16(),
            body: to_json(&value)?,
        });
    };
    let now = db::now();
    let stored: Option<(String, Option<i32>, Option<String>, chrono::NaiveDateTime)> = ik::table
        .find((owner, key))
        .select((
            ik::request_hash,
            ik::status_code,
            ik::response_body,
            ik::created_at,
        ))
        .first(conn)
        .optional()?;
    if let Some((hash, code, body, created_at)) = stored {
        if now - created_at < chrono::Duration::hours(KEEP_HOURS) {
            if hash != fingerprint {
                return Err(ApiError::Validation {
                    detail: "Этот ключ Idempotency-Key уже использован для другого запроса."
                        .to_owned(),
                    errors: vec![shared::FieldError {
                        field: "Idempotency-Key".to_owned(),
                        code: "idempotency_key_reused".to_owned(),
                        message: "Ключ уже использован с другим телом запроса.".to_owned(),
                    }],
                });
            }
            if let (Some(code), Some(body)) = (code, body) {
                let body = match sealer {
                    None => body,
                    Some(sealer) => {
                        sealer
                            .open(&format!("{owner}\n{key}"), &body)
                            .ok_or_else(|| {
                                ApiError::Conflict {
                            code: "idempotency_replay_unavailable",
                            detail:
                                "Ответ на этот запрос уже выдан и больше не может быть показан. \
                                     Повторите запрос с новым ключом Idempotency-Key."
                                    .to_owned(),
                        }
                            })?
                    }
                };
                return Ok(Answer {
                    status: u16::try_from(code).unwrap_or(200),
                    body,
                });
            }
        }
        diesel::delete(ik::table.find((owner, key))).execute(conn)?;
    }
    let claimed = diesel::insert_into(ik::table)
        .values((
            ik::owner_id.eq(owner),
            ik::idem_key.eq(key),
            ik::request_hash.eq(fingerprint),
            ik::created_at.eq(now),
        ))
        .execute(conn);
    match claimed {
        Ok(_) => {}
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => {
            return Err(ApiError::Conflict {
                code: "idempotency_in_progress",
                detail: "Такой же запрос ещё выполняется. Повторите через секунду.".to_owned(),
            });
        }
        Err(e) => return Err(e.into()),
    }
    let value = work(conn)?;
    let body = to_json(&value)?;
    let stored = match sealer {
        None => body.clone(),
        Some(sealer) => sealer.seal(&format!("{owner}\n{key}"), &body)?,
    };
    diesel::update(ik::table.find((owner, key)))
        .set((
            ik::status_code.eq(i32::from(status.as_u16())),
            ik::response_body.eq(&stored),
            ik::completed_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(Answer {
        status: status.as_u16(),
        body,
    })
}

fn to_json(value: &impl Serialize) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::Sealer;

    #[test]
    fn sealed_answers_open_only_with_the_same_secret_and_row() {
        let sealer = Sealer::from_secret("server secret one, long enough for a test");
        let sealed = sealer
            .seal("owner\nkey", r#"{"key":"pk_secret"}"#)
            .unwrap_or_default();
        assert!(sealed.starts_with("sealed:v1:"));
        assert!(!sealed.contains("pk_secret"));
        assert_eq!(
            sealer.open("owner\nkey", &sealed).as_deref(),
            Some(r#"{"key":"pk_secret"}"#)
        );
        assert_eq!(
            sealer.open("owner\nother key", &sealed),
            None,
            "another row"
        );
        let other = Sealer::from_secret("server secret two, long enough for a test");
        assert_eq!(other.open("owner\nkey", &sealed), None, "another secret");
        assert_eq!(sealer.open("owner\nkey", r#"{"key":"pk_secret"}"#), None);
        assert_eq!(sealer.open("owner\nkey", "sealed:v1:00"), None, "too short");
        // A fresh nonce each time: the same answer never seals the same way twice.
        assert_ne!(
            sealer.seal("owner\nkey", "x").unwrap_or_default(),
            sealer.seal("owner\nkey", "x").unwrap_or_default()
        );
    }
}
