//! Ways back into a staff account (issue #22): the QR code of the second factor's
//! enrolment, ten one-time recovery codes, their renewal, and the administrator's reset of
//! someone's second factor.
//!
//! Recovery codes are shown once (when the enrolment is confirmed, or renewed with the
//! password and a current code) and stored only as SHA-256 hashes, one per line of
//! `users.totp_recovery`. At sign-in a code that is not six digits is taken for a recovery
//! code ([`super::login`]); using one removes its line with a compare-and-set on the whole
//! value, so a code works once even when two requests race, and the use is audit-logged.

use chrono::Utc;
use diesel::prelude::*;
use rand::{rngs::OsRng, Rng};
use shared::users::{RecoveryCodes, RecoveryCodesRequest};

use super::login::{claim_step, LoginRule};
use super::{load, staff};
use crate::auth::hash_gate::HashGate;
use crate::auth::{secrets, session, throttle, Caller};
use crate::db::{self, audit, schema::users, AnyConnection, Db};
use crate::error::ApiError;

/// How many recovery codes an enrolment gives.
pub const CODES: usize = 10;

/// Characters of a code: lower-case letters and digits without look-alikes (0/o, 1/l/i).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Characters of a code without its dash.
const CODE_LEN: usize = 10;

/// A new code, `xxxxx-xxxxx` (about 50 bits).
fn new_code() -> String {
    let mut code: String = (0..CODE_LEN)
        .map(|_| char::from(ALPHABET[OsRng.gen_range(0..ALPHABET.len())]))
        .collect();
    code.insert(CODE_LEN / 2, '-');
    code
}

/// The hash a typed code is looked up by: letters lower-cased, spaces and dashes dropped.
/// `None` when what was typed cannot be a recovery code.
#[must_use]
pub fn hash_of(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b)))
        .then(|| secrets::token_hash(&format!("recovery:{code}")))
}

/// Draws [`CODES`] new codes for the user, replacing the earlier ones; the codes themselves
/// are returned (to be shown once), their hashes stored.
///
/// # Errors
/// A database failure.
pub fn issue(conn: &mut AnyConnection, user_id: &str) -> QueryResult<Vec<String>> {
    let codes: Vec<String> = (0..CODES).map(|_| new_code()).collect();
    let stored = codes
        .iter()
        .filter_map(|c| hash_of(c))
        .collect::<Vec<_>>()
        .join("\n");
    diesel::update(users::table.find(user_id))
        .set(users::totp_recovery.eq(Some(stored)))
        .execute(conn)?;
    Ok(codes)
}

/// Uses up the recovery code of `hash`: `Some(left)` with the number of codes left, `None`
/// when the user has no such unused code (or a concurrent request used it first).
///
/// # Errors
/// A database failure.
pub fn claim(conn: &mut AnyConnection, user_id: &str, hash: &str) -> QueryResult<Option<usize>> {
    let stored: Option<String> = users::table
        .find(user_id)
        .select(users::totp_recovery)
        .first(conn)?;
    let Some(stored) = stored else {
        return Ok(None);
    };
    let left: Vec<&str> = stored.lines().filter(|line| *line != hash).collect();
    if left.len() == stored.lines().count() {
        return Ok(None);
    }
    let taken = diesel::update(
        users::table
            .find(user_id)
            .filter(users::totp_recovery.eq(&stored)),
    )
    .set(users::totp_recovery.eq(Some(left.join("\n"))))
    .execute(conn)?;
    Ok((taken == 1).then_some(left.len()))
}

/// The QR code of an `otpauth://` URI as SVG markup (without the XML declaration, so it can
/// be put straight into a page).
#[must_use]
pub fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(uri, qrcode::EcLevel::M).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(220, 220)
        .build();
    let start = svg.find("<svg")?;
    Some(svg[start..].to_owned())
}

/// The refusal of a renewal with a wrong password or code.
fn wrong_password_or_code() -> ApiError {
    ApiError::field(
        "code",
        "invalid_credentials",
        "Неверный пароль или код из приложения.",
    )
}

/// New recovery codes for the caller, who proves the password and a current code of the
/// authenticator app (each code accepted once, failures counted as failed sign-ins of the
/// e-mail). The argon2 check runs with no connection held, through the [`HashGate`].
///
/// # Errors
/// 409 `totp_not_enabled` before the second factor is enrolled, 422 for a wrong password
/// or code, 429 while the e-mail is locked out or too many checks wait, or a database
/// failure.
pub async fn renew(
    db: &Db,
    gate: &HashGate,
    rule: LoginRule,
    caller: Caller,
    body: RecoveryCodesRequest,
) -> Result<RecoveryCodes, ApiError> {
    let id = caller.user_id.clone();
    let user = db.read(move |conn| load(conn, &id)).await?;
    if !user.totp_enabled {
        return Err(ApiError::Conflict {
            code: "totp_not_enabled",
            detail: "Второй фактор не подключён: коды восстановления выдаются при подключении."
                .to_owned(),
        });
    }
    let account = throttle::key("login", user.email.as_deref().unwrap_or(&user.id));
    let key = account.clone();
    db.read(move |conn| throttle::check(conn, &key, db::now()))
        .await?;
    let candidate = user.clone();
    let unix = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
    let step = gate
        .run(move || {
            let hash = candidate.password_hash.as_deref()?;
            if !secrets::verify_password(&body.password, hash) {
                return None;
            }
            secrets::totp_step(candidate.totp_secret.as_deref()?, &body.code, unix)
        })
        .await?;
    db.write(move |conn| {
        let proved = match step {
            Some(step) => claim_step(conn, &user.id, Some(step))?,
            None => false,
        };
        if !proved {
            throttle::fail_within(conn, &account, db::now(), rule.max_failures, rule.window)?;
            return Ok(Err(wrong_password_or_code()));
        }
        let codes = issue(conn, &user.id)?;
        audit::record(
            conn,
            &caller.actor(),
            "user.recovery_codes.renew",
            "user",
            Some(&user.id),
            None,
            None,
        )?;
        Ok(Ok(RecoveryCodes { codes }))
    })
    .await?
}

/// Records a sign-in by a recovery code (in the sign-in's transaction): the audit log says
/// so, with how many codes are left.
///
/// # Errors
/// A database failure.
pub fn record_use(
    conn: &mut AnyConnection,
    user: &crate::db::models::UserRow,
    left: usize,
) -> QueryResult<()> {
    audit::record(
        conn,
        &audit::Actor {
            id: Some(user.id.clone()),
            role: Some(user.role.as_str().to_owned()),
        },
        "auth.recovery_code",
        "user",
        Some(&user.id),
        None,
        Some(&serde_json::json!({ "left": left })),
    )
}

/// The administrator's «Сбросить второй фактор»: the staff member's authenticator and
/// recovery codes are forgotten and every session of theirs ends; at the next sign-in the
/// password alone leads to a new enrolment. Nobody resets their own.
///
/// # Errors
/// 409 `self_change` for oneself or `not_staff`, 404 outside the scope, or a database
/// failure.
pub fn reset_totp(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<(), ApiError> {
    if id == caller.user_id {
        return Err(ApiError::Conflict {
            code: "self_change",
            detail: "Свой второй фактор сбрасывает другой администратор.".to_owned(),
        });
    }
    let row = staff::managed(conn, caller, id)?;
    if !row.role.is_staff() {
        return Err(ApiError::Conflict {
            code: "not_staff",
            detail: "Второй фактор есть только у сотрудников.".to_owned(),
        });
    }
    diesel::update(users::table.find(&row.id))
        .set((
            users::totp_enabled.eq(false),
            users::totp_secret.eq(None::<String>),
            users::totp_last_step.eq(None::<i64>),
            users::totp_recovery.eq(None::<String>),
            users::updated_at.eq(db::now()),
        ))
        .execute(conn)?;
    session::revoke_others(conn, &row.id, None)?;
    audit::record(
        conn,
        &caller.actor(),
        "user.totp.reset",
        "user",
        Some(&row.id),
        Some(&serde_json::json!({ "totp_enabled": row.totp_enabled })),
        Some(&serde_json::json!({ "totp_enabled": false })),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_and_typed_loosely() {
        let code = new_code();
        assert_eq!(code.len(), CODE_LEN + 1);
        assert_eq!(code.chars().nth(5), Some('-'));
        let hash = hash_of(&code).expect("a fresh code hashes");
        assert_eq!(hash_of(&code.to_uppercase().replace('-', " ")), Some(hash));
        assert_eq!(hash_of("123456"), None);
        assert_eq!(hash_of("abcde-fghi0"), None, "0 is not in the alphabet");
    }

    #[test]
    fn the_qr_code_is_svg_markup() {
        let svg = qr_svg("otpauth://totp/%D0%9F:op%40x.ru?secret=ABCDEFGHIJKLMNOP&issuer=%D0%9F")
            .expect("svg");
        assert!(svg.starts_with("<svg"));
        assert!(svg.ends_with("</svg>"));
    }
}
