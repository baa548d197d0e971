//! Validation of MAX mini-app launch data (`WebAppData`): the signed string MAX hands the
//! mini-app in the URL fragment and as `window.WebApp.initData`.
//!
//! data-check-string = every `key=value` pair but `hash`, values URL-decoded, sorted by key,
//! joined with `\n`; secret = HMAC-SHA256(key "WebAppData", bot token); the expected hash is
//! hex HMAC-SHA256(secret, data-check-string), compared in constant time.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// The largest launch-data string accepted (real ones are well under 2 KB).
pub const MAX_LEN: usize = 8 * 1024;

/// Why launch data was refused. The client sees one generic message; the variant is for
/// logs and tests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LaunchDataError {
    /// Empty or over [`MAX_LEN`].
    #[error("пустые или слишком длинные данные запуска")]
    BadLength,
    /// A pair without `=`, an empty key, or bad percent-encoding / UTF-8.
    #[error("данные запуска повреждены")]
    Malformed,
    /// The same key twice.
    #[error("ключ {0} повторяется")]
    DuplicateKey(String),
    /// No `hash` field, or not 64 hex digits.
    #[error("нет подписи")]
    MissingHash,
    /// The signature does not match.
    #[error("подпись не совпадает")]
    BadSignature,
    /// `auth_date` missing or not a number.
    #[error("нет даты запуска")]
    MissingAuthDate,
    /// Older than the allowed window.
    #[error("данные запуска устарели")]
    Expired,
    /// Dated in the future beyond the allowed skew.
    #[error("дата запуска в будущем")]
    FromTheFuture,
    /// `user` missing or not the expected JSON.
    #[error("нет сведений о пользователе")]
    MissingUser,
}

/// The MAX user as launch data describes them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MaxUser {
    /// MAX user id.
    pub id: i64,
    /// First name as set in MAX.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name as set in MAX.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Interface language.
    #[serde(default)]
    pub language_code: Option<String>,
}

/// Launch data that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchData {
    /// The signed-in MAX user.
    pub user: MaxUser,
    /// When MAX issued the data.
    pub auth_date: DateTime<Utc>,
    /// The deep-link parameter (`start_param`), e.g. an appeal to open.
    pub start_param: Option<String>,
    /// Every field as decoded (for callers that need more).
    pub fields: BTreeMap<String, String>,
}

/// Freshness rules; `None` skips the check (only for the published test vector).
#[derive(Debug, Clone, Copy)]
pub struct Freshness {
    /// The moment to check against.
    pub now: DateTime<Utc>,
    /// Oldest accepted age in seconds.
    pub max_age_secs: i64,
    /// Accepted clock skew into the future, in seconds.
    pub max_skew_secs: i64,
}

/// Validates launch data with the configured bot token and freshness window: the check
/// both the MAX sign-in and the staff's MAX link make.
///
/// # Errors
/// `invalid_init_data` (401) for any defect; the reason goes to the log only.
pub fn check_launch_data(
    config: &crate::config::Config,
    raw: &str,
) -> Result<LaunchData, crate::error::ApiError> {
    let freshness = Freshness {
        now: Utc::now(),
        max_age_secs: config.init_data_max_age_secs,
        max_skew_secs: config.init_data_max_skew_secs,
    };
    validate(raw, config.max_bot_token.expose(), Some(freshness)).map_err(|e| {
        tracing::info!(reason = %e, "launch data refused");
        crate::error::ApiError::AuthFailed {
            code: "invalid_init_data",
            detail:
                "Не удалось подтвердить вход через MAX. Закройте и снова откройте мини-приложение."
                    .to_owned(),
        }
    })
}

/// Checks the signature (and freshness when given) and returns the decoded data.
///
/// # Errors
/// Any failed check, see [`LaunchDataError`].
pub fn validate(
    raw: &str,
    bot_token: &str,
    freshness: Option<Freshness>,
) -> Result<LaunchData, LaunchDataError> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > MAX_LEN {
        return Err(LaunchDataError::BadLength);
    }
    // From the URL fragment the whole string arrives percent-encoded once more.
    let decoded_whole;
    let raw = if !raw.contains('=') && raw.contains("%3D") {
        decoded_whole = decode(raw)?;
        decoded_whole.as_str()
    } else {
        raw
    };
    let mut fields = BTreeMap::new();
    for pair in raw.split('&') {
        let (key, value) = pair.split_once('=').ok_or(LaunchDataError::Malformed)?;
        let key = decode(key)?;
        if key.is_empty() {
            return Err(LaunchDataError::Malformed);
        }
        let value = decode(value)?;
        if fields.insert(key.clone(), value).is_some() {
            return Err(LaunchDataError::DuplicateKey(key));
        }
    }
    let hash = fields.remove("hash").ok_or(LaunchDataError::MissingHash)?;
    let hash = hex::decode(hash.trim()).map_err(|_| LaunchDataError::MissingHash)?;
    if hash.len() != 32 {
        return Err(LaunchDataError::MissingHash);
    }
    let check_string = fields
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n");
    if !bool::from(signature(bot_token, &check_string).ct_eq(&hash)) {
        return Err(LaunchDataError::BadSignature);
    }
    let auth_date = fields
        .get("auth_date")
        .and_then(|v| v.parse::<i64>().ok())
        .and_then(auth_date_from_number)
        .ok_or(LaunchDataError::MissingAuthDate)?;
    if let Some(f) = freshness {
        let age = f.now.signed_duration_since(auth_date).num_seconds();
        if age > f.max_age_secs {
            return Err(LaunchDataError::Expired);
        }
        if -age > f.max_skew_secs {
            return Err(LaunchDataError::FromTheFuture);
        }
    }
    let user: MaxUser = fields
        .get("user")
        .and_then(|u| serde_json::from_str(u).ok())
        .ok_or(LaunchDataError::MissingUser)?;
    let start_param = fields.get("start_param").cloned().filter(|s| !s.is_empty());
    Ok(LaunchData {
        user,
        auth_date,
        start_param,
        fields,
    })
}

/// Signs fields the way MAX does: used by tests, the dev tooling and the documentation.
#[must_use]
pub fn sign(fields: &[(&str, &str)], bot_token: &str) -> String {
    let mut sorted: Vec<_> = fields.to_vec();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let check_string = sorted
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n");
    let hash = hex::encode(signature(bot_token, &check_string));
    let mut out: Vec<String> = fields
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                percent_encoding::utf8_percent_encode(v, COMPONENT)
            )
        })
        .collect();
    out.push(format!("hash={hash}"));
    out.join("&")
}

const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn signature(bot_token: &str, check_string: &str) -> Vec<u8> {
    // Both keys are fixed-size inputs to HMAC, which accepts any key length.
    let Ok(mut secret) = HmacSha256::new_from_slice(b"WebAppData") else {
        return Vec::new();
    };
    secret.update(bot_token.as_bytes());
    let secret = secret.finalize().into_bytes();
    let Ok(mut mac) = HmacSha256::new_from_slice(&secret) else {
        return Vec::new();
    };
    mac.update(check_string.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn decode(s: &str) -> Result<String, LaunchDataError> {
    // URLSearchParams semantics: '+' is a space.
    let s = s.replace('+', " ");
    percent_encoding::percent_decode_str(&s)
        .decode_utf8()
        .map(std::borrow::Cow::into_owned)
        .map_err(|_| LaunchDataError::Malformed)
}

/// `auth_date` comes in seconds or in milliseconds; anything past year 5138 in seconds is
/// taken as milliseconds.
fn auth_date_from_number(n: i64) -> Option<DateTime<Utc>> {
    if n <= 0 {
        return None;
    }
    if n >= 100_000_000_000 {
        DateTime::from_timestamp_millis(n)
    } else {
        DateTime::from_timestamp(n, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "2Uk3Z_8zAlwhprgOcK3r1B1fDk8uhi2MDv47EvXkcu8";
    const USER: &str = r#"{"language_code":"ru","first_name":"Вася","last_name":"","photo_url":null,"username":null,"id":400}"#;
    const HASH: &str = "f982406d90b118d8e90e26b33c5cec0cadd3fc30354f2955c75ff8e3d14d130d";

    fn vector() -> String {
        let user = percent_encoding::utf8_percent_encode(USER, COMPONENT).to_string();
        format!(
            "auth_date=1733485316394&query_id=158b120b-7aa3-4a0f-a198-52ace06d0658&user={user}&hash={HASH}"
        )
    }

    fn fresh_at(now: DateTime<Utc>) -> Option<Freshness> {
        Some(Freshness {
            now,
            max_age_secs: 3600,
            max_skew_secs: 60,
        })
    }

    #[test]
    fn published_vector_validates() {
        let data = validate(&vector(), TOKEN, None).unwrap();
        assert_eq!(data.user.id, 400);
        assert_eq!(data.user.first_name.as_deref(), Some("Вася"));
        assert_eq!(data.auth_date.timestamp_millis(), 1_733_485_316_394);
    }

    #[test]
    fn whole_string_encoded_once_more_validates() {
        let twice = percent_encoding::utf8_percent_encode(&vector(), COMPONENT).to_string();
        assert!(!twice.contains('='));
        assert_eq!(validate(&twice, TOKEN, None).unwrap().user.id, 400);
    }

    #[test]
    fn any_changed_byte_fails() {
        let good = vector();
        for i in 0..good.len() {
            let mut bytes = good.clone().into_bytes();
            bytes[i] = if bytes[i] == b'1' { b'2' } else { b'1' };
            let Ok(changed) = String::from_utf8(bytes) else {
                continue;
            };
            if changed == good {
                continue;
            }
            assert!(
                validate(&changed, TOKEN, None).is_err(),
                "byte {i} changed and still valid"
            );
        }
    }

    #[test]
    fn tampered_fields_fail() {
        let good = vector();
        let cases = [
            good.replace("auth_date=1733485316394", "auth_date=1733485316395"),
            good.replace("query_id=158b", "query_id=258b"),
            good.replace("%22id%22%3A400", "%22id%22%3A401"),
            good.replace(HASH, &HASH.replace('f', "e")),
            format!("{good}&extra=1"),
        ];
        for case in cases {
            assert_eq!(
                validate(&case, TOKEN, None).unwrap_err(),
                LaunchDataError::BadSignature,
                "{case}"
            );
        }
        assert_eq!(
            validate(&good, "another-token", None).unwrap_err(),
            LaunchDataError::BadSignature
        );
    }

    #[test]
    fn structural_errors_are_named() {
        let good = vector();
        assert_eq!(
            validate(&format!("{good}&auth_date=1"), TOKEN, None).unwrap_err(),
            LaunchDataError::DuplicateKey("auth_date".into())
        );
        let without_hash = good.split("&hash=").next().unwrap().to_owned();
        assert_eq!(
            validate(&without_hash, TOKEN, None).unwrap_err(),
            LaunchDataError::MissingHash
        );
        assert_eq!(
            validate(&good.replace("hash=f9", "hash=zz"), TOKEN, None).unwrap_err(),
            LaunchDataError::MissingHash
        );
        assert_eq!(
            validate("", TOKEN, None).unwrap_err(),
            LaunchDataError::BadLength
        );
        assert_eq!(
            validate(&"a".repeat(100 * 1024), TOKEN, None).unwrap_err(),
            LaunchDataError::BadLength
        );
        assert_eq!(
            validate("user&hash=00", TOKEN, None).unwrap_err(),
            LaunchDataError::Malformed
        );
        assert_eq!(
            validate("a=%FF&hash=00", TOKEN, None).unwrap_err(),
            LaunchDataError::Malformed
        );
        assert_eq!(
            validate("a=%E0%A4%A&hash=00", TOKEN, None).unwrap_err(),
            LaunchDataError::Malformed
        );
    }

    #[test]
    fn freshness_window_and_skew() {
        let issued = DateTime::from_timestamp_millis(1_733_485_316_394).unwrap();
        let good = vector();
        let minute = chrono::Duration::seconds(60);
        assert!(validate(&good, TOKEN, fresh_at(issued + minute * 59)).is_ok());
        assert_eq!(
            validate(&good, TOKEN, fresh_at(issued + minute * 61)).unwrap_err(),
            LaunchDataError::Expired
        );
        assert_eq!(
            validate(&good, TOKEN, fresh_at(issued - minute * 2)).unwrap_err(),
            LaunchDataError::FromTheFuture
        );
    }

    #[test]
    fn seconds_and_milliseconds_and_round_trip_of_sign() {
        let now = Utc::now();
        for auth_date in [
            now.timestamp().to_string(),
            now.timestamp_millis().to_string(),
        ] {
            let raw = sign(
                &[
                    ("auth_date", &auth_date),
                    ("user", USER),
                    ("start_param", "appeal-1"),
                ],
                "t",
            );
            let data = validate(&raw, "t", fresh_at(now)).unwrap();
            assert_eq!(data.start_param.as_deref(), Some("appeal-1"));
            assert_eq!(data.auth_date.timestamp(), now.timestamp());
        }
        let raw = sign(&[("auth_date", "1700000000")], "t");
        assert_eq!(
            validate(&raw, "t", None).unwrap_err(),
            LaunchDataError::MissingUser
        );
    }
}
