//! `Idempotency-Key` for every create: scoped to the caller, kept 24 hours. The same key and
//! body replay the first answer; the same key with another body answers 422; a duplicate
//! that arrives while the first is still being written answers 409.
//!
//! The key is claimed, the work done and the answer stored in one transaction, so a crash
//! between them leaves nothing behind and a retry simply runs again.

use std::future::{ready, Ready};

use actix_web::http::{header, StatusCode};
use actix_web::{dev::Payload, FromRequest, HttpRequest, HttpResponse};
use diesel::prelude::*;
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
    diesel::update(ik::table.find((owner, key)))
        .set((
            ik::status_code.eq(i32::from(status.as_u16())),
            ik::response_body.eq(&body),
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
