//! Teacher verification through ESIA (Госуслуги), OAuth 2.0 authorization-code flow.
//!
//! [`start`] (a signed-in teacher) stores a single-use `state` and returns ESIA's address;
//! ESIA sends the browser back with `code` and `state`; [`callback`] spends the state,
//! exchanges the code, reads the person's name and marks the teacher verified (the ESIA
//! name replaces the one typed in). ESIA requires a GOST-signed `client_secret`; a signing
//! service at `ESIA_SIGNER_URL` produces it (`POST {"data": "..."}` → `{"signature": "..."}`).

use base64::Engine;
use chrono::Utc;
use diesel::prelude::*;
use serde::Deserialize;
use shared::users::{VerificationSource, VerificationStatus};

use crate::auth::Caller;
use crate::config::EsiaConfig;
use crate::db::{
    self, audit,
    schema::{esia_states, users},
    Db,
};
use crate::error::ApiError;

/// A state is valid this long after `start`.
const STATE_TTL_MINUTES: i64 = 30;

fn esia_unavailable() -> ApiError {
    ApiError::UpstreamUnavailable {
        code: "esia_unavailable",
        detail:
            "Госуслуги сейчас недоступны. Попробуйте позже или подтвердите статус через оператора."
                .to_owned(),
    }
}

/// ESIA's timestamp format: `yyyy.MM.dd HH:mm:ss +0000`.
fn timestamp() -> String {
    Utc::now().format("%Y.%m.%d %H:%M:%S +0000").to_string()
}

/// Asks the signing service for the GOST signature of `data` (the client_secret).
async fn sign(http: &reqwest::Client, config: &EsiaConfig, data: &str) -> Result<String, ApiError> {
    #[derive(Deserialize)]
    struct Signed {
        signature: String,
    }
    let response = http
        .post(&config.signer_url)
        .json(&serde_json::json!({ "data": data }))
        .send()
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "ESIA signer unreachable");
            esia_unavailable()
        })?;
    if !response.status().is_success() {
        tracing::warn!(status = response.status().as_u16(), "ESIA signer refused");
        return Err(esia_unavailable());
    }
    let signed: Signed = response.json().await.map_err(|_| esia_unavailable())?;
    Ok(signed.signature)
}

/// The ESIA address a teacher opens, with a fresh single-use `state` stored for them.
///
/// # Errors
/// 409 `already_verified`, 503 `esia_unavailable` when the signer fails, or a database
/// failure.
pub async fn start(
    db: &Db,
    http: &reqwest::Client,
    config: &EsiaConfig,
    caller: &Caller,
) -> Result<String, ApiError> {
    if caller.verification == VerificationStatus::Verified {
        return Err(ApiError::Conflict {
            code: "already_verified",
            detail: "Вы уже подтверждены.".to_owned(),
        });
    }
    let esia_state = uuid::Uuid::new_v4().to_string();
    let ts = timestamp();
    let secret = sign(
        http,
        config,
        &format!(
            "{}{}{ts}{esia_state}{}",
            config.scope, config.client_id, config.redirect_uri
        ),
    )
    .await?;
    let stored = esia_state.clone();
    let user_id = caller.user_id.clone();
    db.write(move |conn| {
        diesel::insert_into(esia_states::table)
            .values((
                esia_states::state.eq(&stored),
                esia_states::user_id.eq(&user_id),
                esia_states::created_at.eq(db::now()),
            ))
            .execute(conn)?;
        Ok(())
    })
    .await?;
    let mut url = url::Url::parse(&format!(
        "{}/aas/oauth2/v2/ac",
        config.base_url.trim_end_matches('/')
    ))
    .map_err(ApiError::internal)?;
    url.query_pairs_mut()
        .append_pair("client_id", &config.client_id)
        .append_pair("client_secret", &secret)
        .append_pair("redirect_uri", &config.redirect_uri)
        .append_pair("scope", &config.scope)
        .append_pair("response_type", "code")
        .append_pair("state", &esia_state)
        .append_pair("timestamp", &ts)
        .append_pair("access_type", "online")
        .append_pair("client_certificate_hash", &config.cert_hash);
    Ok(url.to_string())
}

/// How a return from ESIA ended (the `esia=` parameter of the way back to the mini-app).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Verified.
    Ok,
    /// The person refused or ESIA reported an error.
    Cancelled,
    /// The exchange or the person's data failed (logged).
    Error,
}

impl Outcome {
    /// The parameter value.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Cancelled => "cancelled",
            Self::Error => "error",
        }
    }
}

/// ESIA's return: spends the `state` first (a replayed callback finds it used), then, with
/// a `code` and no `error`, verifies the teacher it was issued to.
///
/// # Errors
/// 400 for a missing, unknown, stale or used `state`; other failures become
/// [`Outcome::Error`].
pub async fn callback(
    db: &Db,
    http: &reqwest::Client,
    config: &EsiaConfig,
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
) -> Result<Outcome, ApiError> {
    let esia_state = state
        .filter(|s| !s.is_empty() && s.len() <= 64)
        .ok_or_else(|| ApiError::MalformedQuery("Нет параметра state.".to_owned()))?;
    let user_id = db
        .write(move |conn| {
            let row: Option<(String, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)> =
                esia_states::table
                    .find(&esia_state)
                    .select((
                        esia_states::user_id,
                        esia_states::created_at,
                        esia_states::used_at,
                    ))
                    .first(conn)
                    .optional()?;
            let fresh = |created: chrono::NaiveDateTime| {
                db::now() - created < chrono::Duration::minutes(STATE_TTL_MINUTES)
            };
            match row {
                Some((user_id, created, None)) if fresh(created) => {
                    diesel::update(esia_states::table.find(&esia_state))
                        .set(esia_states::used_at.eq(db::now()))
                        .execute(conn)?;
                    Ok(user_id)
                }
                _ => Err(ApiError::MalformedQuery(
                    "Ссылка входа через Госуслуги устарела или уже использована.".to_owned(),
                )),
            }
        })
        .await?;
    let (Some(code), None) = (code, error) else {
        return Ok(Outcome::Cancelled);
    };
    match verify_with_esia(db, http, config, &user_id, &code).await {
        Ok(()) => Ok(Outcome::Ok),
        Err(e) => {
            tracing::warn!(error = %e, "ESIA verification failed");
            Ok(Outcome::Error)
        }
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    id_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Person {
    first_name: Option<String>,
    last_name: Option<String>,
    middle_name: Option<String>,
    #[serde(default)]
    trusted: bool,
}

/// The person's ESIA id (`urn:esia:sbj_id`, or `sub`) from a JWT's payload.
fn subject_of(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims
        .get("urn:esia:sbj_id")
        .or_else(|| claims.get("sub"))
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
}

/// Exchanges `code` for tokens, reads the person and marks the teacher verified.
async fn verify_with_esia(
    db: &Db,
    http: &reqwest::Client,
    config: &EsiaConfig,
    user_id: &str,
    code: &str,
) -> Result<(), ApiError> {
    let base = config.base_url.trim_end_matches('/');
    let exchange_state = uuid::Uuid::new_v4().to_string();
    let ts = timestamp();
    let secret = sign(
        http,
        config,
        &format!(
            "{}{}{ts}{exchange_state}{}",
            config.scope, config.client_id, config.redirect_uri
        ),
    )
    .await?;
    let form = [
        ("client_id", config.client_id.as_str()),
        ("code", code),
        ("grant_type", "authorization_code"),
        ("client_secret", secret.as_str()),
        ("state", exchange_state.as_str()),
        ("redirect_uri", config.redirect_uri.as_str()),
        ("scope", config.scope.as_str()),
        ("timestamp", ts.as_str()),
        ("token_type", "Bearer"),
        ("client_certificate_hash", config.cert_hash.as_str()),
    ];
    let body = form
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    let token: TokenResponse = http
        .post(format!("{base}/aas/oauth2/v3/te"))
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("token exchange: {e}")))?
        .json()
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("token response: {e}")))?;
    // The tokens come straight from ESIA over TLS in exchange for our signed secret; their
    // GOST signature is not re-checked here (that needs a GOST library).
    let oid = token
        .id_token
        .as_deref()
        .and_then(subject_of)
        .or_else(|| subject_of(&token.access_token))
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no subject in ESIA tokens")))?;
    let person: Person = http
        .get(format!("{base}/rs/prns/{oid}"))
        .bearer_auth(&token.access_token)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("person request: {e}")))?
        .json()
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("person response: {e}")))?;
    if !person.trusted {
        return Err(ApiError::internal(anyhow::anyhow!(
            "ESIA account is not confirmed"
        )));
    }
    let user_id = user_id.to_owned();
    db.write(move |conn| {
        let now = db::now();
        diesel::update(users::table.find(&user_id))
            .set((
                users::surname.eq(&person.last_name),
                users::name.eq(&person.first_name),
                users::patronymic.eq(&person.middle_name),
                users::verification_status.eq(VerificationStatus::Verified),
                users::verification_source.eq(VerificationSource::Esia),
                users::verification_note.eq(None::<String>),
                users::verified_at.eq(now),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            &audit::Actor {
                id: Some(user_id.clone()),
                role: Some("teacher".to_owned()),
            },
            "user.verification.esia",
            "user",
            Some(&user_id),
            None,
            None,
        )?;
        Ok(())
    })
    .await
}
