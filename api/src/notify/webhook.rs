//! Signed integrator webhooks. Every delivery is a `POST` of the event's JSON with
//!
//! - `X-Pomoshnik-Event-Id`: the event id (the same on every retry: receivers deduplicate on it);
//! - `X-Pomoshnik-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
//!
//! The timestamp is the moment of this attempt, so a retry carries a fresh one and
//! receivers can refuse anything older than five minutes (replays). After a secret rotation
//! the previous secret stays valid for 24 hours: during that overlap the header carries one
//! `v1=` per valid secret, and a receiver accepts the request when any of them matches.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::DeliveryError;

/// Header with the event id.
pub const EVENT_ID_HEADER: &str = "X-Pomoshnik-Event-Id";
/// Header with the event type.
pub const EVENT_TYPE_HEADER: &str = "X-Pomoshnik-Event-Type";
/// Header with the signature.
pub const SIGNATURE_HEADER: &str = "X-Pomoshnik-Signature";
/// How old a signature timestamp receivers should still accept.
pub const TOLERANCE_SECS: i64 = 300;

/// Hex HMAC-SHA256 of `"<t>.<body>"` under `secret`.
#[must_use]
pub fn sign(secret: &str, t: i64, body: &str) -> String {
    // HMAC takes keys of any length: the error branch cannot happen.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The `X-Pomoshnik-Signature` value: `t=<t>` and one `v1=` per secret.
#[must_use]
pub fn signature_header(secrets: &[&str], t: i64, body: &str) -> String {
    let mut value = format!("t={t}");
    for secret in secrets {
        value.push_str(",v1=");
        value.push_str(&sign(secret, t, body));
    }
    value
}

/// What a receiver does: true when `t` is within `tolerance` of `now` and some `v1` matches
/// some secret (compared in constant time).
#[must_use]
pub fn verify(header: &str, body: &str, secrets: &[&str], now: i64, tolerance: i64) -> bool {
    use subtle::ConstantTimeEq;
    let mut t = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => candidates.push(v.to_owned()),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    if (now - t).abs() > tolerance {
        return false;
    }
    secrets.iter().any(|secret| {
        let expected = sign(secret, t, body);
        candidates
            .iter()
            .any(|c| bool::from(c.as_bytes().ct_eq(expected.as_bytes())))
    })
}

/// One delivery attempt.
#[derive(Debug)]
pub struct Attempt<'a> {
    /// Receiver URL.
    pub url: &'a str,
    /// Event id.
    pub event_id: &'a str,
    /// Event type (`appeal.created`, `ping`, …).
    pub event_type: &'a str,
    /// The exact JSON body.
    pub body: &'a str,
    /// Valid secrets, current first.
    pub secrets: &'a [&'a str],
    /// Signature timestamp (unix seconds).
    pub t: i64,
}

/// Posts the event; any 2xx is a success.
///
/// # Errors
/// The receiver answered otherwise or could not be reached.
pub async fn deliver(http: &reqwest::Client, attempt: &Attempt<'_>) -> Result<u16, DeliveryError> {
    let response = http
        .post(attempt.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::USER_AGENT, "Pomoshnik-Webhooks/1")
        .header(EVENT_ID_HEADER, attempt.event_id)
        .header(EVENT_TYPE_HEADER, attempt.event_type)
        .header(
            SIGNATURE_HEADER,
            signature_header(attempt.secrets, attempt.t, attempt.body),
        )
        .body(attempt.body.to_owned())
        .send()
        .await
        .map_err(|e| {
            let reason = if e.is_timeout() {
                "получатель не ответил вовремя".to_owned()
            } else if e.is_connect() {
                "не удалось подключиться к получателю".to_owned()
            } else {
                format!("ошибка запроса: {e}")
            };
            DeliveryError::transient(reason, None)
        })?;
    let status = response.status().as_u16();
    if response.status().is_success() {
        return Ok(status);
    }
    let retry_after = (status == 429)
        .then(|| {
            response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        })
        .flatten()
        .map(|s| std::time::Duration::from_secs(s.clamp(1, 3600)));
    Err(DeliveryError {
        message: format!("получатель ответил {status}"),
        status: Some(status),
        retry_after,
        permanent: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector() {
        // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            sign("whsec_test", 1_700_000_000, "{\"a\":1}"),
            "38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
    }

    #[test]
    fn verify_accepts_any_valid_secret_and_refuses_old_or_forged() {
        let body = r#"{"id":"e1","type":"ping"}"#;
        let header = signature_header(&["new", "old"], 1000, body);
        assert!(header.starts_with("t=1000,v1="));
        assert_eq!(header.matches("v1=").count(), 2);
        assert!(verify(&header, body, &["old"], 1100, TOLERANCE_SECS));
        assert!(verify(&header, body, &["new"], 1100, TOLERANCE_SECS));
        assert!(!verify(&header, body, &["other"], 1100, TOLERANCE_SECS));
        assert!(!verify(&header, body, &["new"], 1000 + 301, TOLERANCE_SECS));
        assert!(!verify(&header, "{}", &["new"], 1000, TOLERANCE_SECS));
        assert!(!verify("v1=abc", body, &["new"], 1000, TOLERANCE_SECS));
    }
}
