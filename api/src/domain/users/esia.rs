//! Teacher verification through ESIA (Госуслуги), OAuth 2.0 authorization-code flow.
//!
//! [`start`] (a signed-in teacher) stores a single-use `state` and returns a single-use link
//! of ours, valid a few minutes: inside MAX the flow leaves the mini-app for the phone's
//! browser, which has neither the mini-app's token nor its cookies. [`open`] (that browser
//! opening the link) sets a short-lived `HttpOnly` cookie with a nonce and leads to ESIA;
//! ESIA sends the browser back with `code` and `state`; [`callback`] checks the cookie
//! against the state (so a flow started by someone else cannot finish in this browser and
//! verify the wrong account), spends the state,
//! exchanges the code, reads the person's name and marks the teacher verified (the ESIA
//! name replaces the one typed in). ESIA requires a GOST-signed `client_secret`; a signing
//! service at `ESIA_SIGNER_URL` produces it (`POST {"data": "..."}` → `{"signature": "..."}`).

use base64::Engine;
use chrono::Utc;
use diesel::prelude::*;
use serde::Deserialize;
use shared::users::{VerificationSource, VerificationStatus};

use crate::auth::{secrets, Caller};
use crate::config::EsiaConfig;
use crate::db::{
    self, audit,
    schema::{esia_states, users},
    Db,
};
use crate::error::ApiError;

/// A state is valid this long after `start`.
const STATE_TTL_MINUTES: i64 = 30;

/// The link `start` returns works this long, once.
const LINK_TTL_MINUTES: i64 = 5;

/// The cookie that binds the browser which opened the link to the flow's `state`.
pub const NONCE_COOKIE: &str = "esia_nonce";

/// The one refusal of a link of ours that does not work (used, stale or unknown).
fn link_invalid() -> ApiError {
    ApiError::Gone {
        code: "esia_link_invalid",
        detail: "Ссылка для входа через Госуслуги уже открыта или устарела. Начните \
                 подтверждение заново в приложении."
            .to_owned(),
    }
}

/// The callback's refusal of a browser that did not open this flow's link.
fn foreign_browser() -> ApiError {
    ApiError::MalformedQuery(
        "Вход через Госуслуги начат в другом браузере или другим пользователем. Начните \
         подтверждение заново в приложении."
            .to_owned(),
    )
}

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
    let ticket = secrets::random_token("");
    let link = format!("{}/go/{ticket}", flow_base(config)?);
    let user_id = caller.user_id.clone();
    db.write(move |conn| {
        diesel::insert_into(esia_states::table)
            .values((
                esia_states::state.eq(&esia_state),
                esia_states::user_id.eq(&user_id),
                esia_states::created_at.eq(db::now()),
                esia_states::ticket_hash.eq(secrets::token_hash(&ticket)),
                esia_states::esia_url.eq(url.as_str()),
            ))
            .execute(conn)?;
        Ok(())
    })
    .await?;
    Ok(link)
}

/// The address the callback lives under (`ESIA_REDIRECT_URI` without its last segment): the
/// link and its cookie must share the callback's origin and path.
fn flow_base(config: &EsiaConfig) -> Result<&str, ApiError> {
    config
        .redirect_uri
        .rsplit_once('/')
        .map(|(base, _)| base)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("ESIA_REDIRECT_URI has no path")))
}

/// Where an opened link leads, and the nonce its browser must bring back.
#[derive(Debug, Clone)]
pub struct Opened {
    /// ESIA's sign-in address for the flow.
    pub esia_url: String,
    /// The cookie's value.
    pub nonce: String,
}

/// Opens a link of [`start`]: once, within a few minutes. Binds the flow to a new nonce.
///
/// # Errors
/// 410 `esia_link_invalid` for a used, stale or unknown link; a database failure.
pub async fn open(db: &Db, ticket: String) -> Result<Opened, ApiError> {
    let ticket_hash = secrets::token_hash(&ticket);
    let nonce = secrets::random_token("");
    let nonce_hash = secrets::token_hash(&nonce);
    let esia_url = db
        .write(move |conn| {
            let now = db::now();
            let row: Option<(String, Option<String>)> = esia_states::table
                .filter(esia_states::ticket_hash.eq(&ticket_hash))
                .filter(esia_states::opened_at.is_null())
                .filter(esia_states::used_at.is_null())
                .filter(
                    esia_states::created_at.gt(now - chrono::Duration::minutes(LINK_TTL_MINUTES)),
                )
                .select((esia_states::state, esia_states::esia_url))
                .first(conn)
                .optional()?;
            let Some((state, Some(esia_url))) = row else {
                return Err(link_invalid());
            };
            // Compare-and-set: of two browsers opening the link at once, one wins.
            let opened = diesel::update(
                esia_states::table
                    .find(&state)
                    .filter(esia_states::opened_at.is_null()),
            )
            .set((
                esia_states::opened_at.eq(now),
                esia_states::nonce_hash.eq(&nonce_hash),
            ))
            .execute(conn)?;
            if opened == 0 {
                return Err(link_invalid());
            }
            Ok(esia_url)
        })
        .await?;
    Ok(Opened { esia_url, nonce })
}

/// The `Set-Cookie` value binding this browser to the flow (`HttpOnly`, `SameSite=Lax` so
/// that ESIA's redirect back brings it, `Secure` for an https callback); an empty `nonce`
/// clears it.
#[must_use]
pub fn nonce_cookie(config: &EsiaConfig, nonce: &str) -> String {
    let path = url::Url::parse(&config.redirect_uri)
        .ok()
        .and_then(|u| u.path().rsplit_once('/').map(|(p, _)| p.to_owned()))
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "/".to_owned());
    let max_age = if nonce.is_empty() {
        0
    } else {
        STATE_TTL_MINUTES * 60
    };
    let secure = if config.redirect_uri.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{NONCE_COOKIE}={nonce}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    )
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
    nonce: Option<String>,
) -> Result<Outcome, ApiError> {
    let esia_state = state
        .filter(|s| !s.is_empty() && s.len() <= 64)
        .ok_or_else(|| ApiError::MalformedQuery("Нет параметра state.".to_owned()))?;
    let brought = nonce.map(|n| secrets::token_hash(&n));
    let user_id = db
        .write(move |conn| {
            let row: Option<StateRow> = esia_states::table
                .find(&esia_state)
                .select((
                    esia_states::user_id,
                    esia_states::created_at,
                    esia_states::used_at,
                    esia_states::nonce_hash,
                ))
                .first(conn)
                .optional()?;
            let fresh = |created: chrono::NaiveDateTime| {
                db::now() - created < chrono::Duration::minutes(STATE_TTL_MINUTES)
            };
            // Another browser's (or nobody's) return leaves the state for the right one.
            if let Some((_, _, None, expected)) = &row {
                if expected.is_none() || *expected != brought {
                    return Err(foreign_browser());
                }
            }
            match row {
                Some((user_id, created, None, _)) if fresh(created) => {
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

/// user, started, spent, the nonce hash of the browser that opened the link.
type StateRow = (
    String,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
    Option<String>,
);

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
        crate::auth::cache::user_changed(&user_id);
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
        super::onboarding::decision_told(conn, &user_id, VerificationStatus::Verified, None)?;
        Ok(())
    })
    .await
}
