//! Sign-in rules: MAX launch data (a first sign-in creates an unverified teacher), the
//! dev-only demo users, the first sign-in through an invitation link, and TOTP enrolment.
//! The staff password sign-in and the per-client limits are in [`super::login`].

use chrono::Utc;
use diesel::prelude::*;
use shared::users::{
    DevLoginRequest, Role, TokenPair, TotpEnrollment, VerificationSource, VerificationStatus,
};

use super::{invitations, load};
use crate::auth::launch_data::LaunchData;
use crate::auth::session::Issuer;
use crate::auth::{secrets, session, throttle, AuthMethod, Caller};
use crate::db::{
    self, audit,
    models::{NewUser, UserRow},
    schema::{regions, users},
    AnyConnection, Db,
};
use crate::domain::validate;
use crate::error::ApiError;

/// The token pair of the MAX user of checked launch data; a first sign-in creates an
/// unverified teacher with MAX's names as a starting point.
///
/// # Errors
/// 403 for a blocked user, or a database failure.
pub fn sign_in_max(
    conn: &mut AnyConnection,
    issuer: &Issuer,
    data: &LaunchData,
) -> Result<TokenPair, ApiError> {
    let max_id = data.user.id;
    let existing: Option<UserRow> = users::table
        .filter(users::max_user_id.eq(max_id))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    let user = match existing {
        Some(user) if user.is_blocked => return Err(ApiError::Forbidden),
        Some(user) => user,
        None => {
            let mut new = NewUser::with_role(Role::Teacher);
            new.max_user_id = Some(max_id);
            // MAX's names are a starting point the teacher confirms in the profile.
            new.name = data
                .user
                .first_name
                .clone()
                .filter(|s| !s.trim().is_empty());
            new.surname = data.user.last_name.clone().filter(|s| !s.trim().is_empty());
            diesel::insert_into(users::table)
                .values(&new)
                .execute(conn)?;
            load(conn, &new.id)?
        }
    };
    // A launch may open a campaign's message or come through a promo code.
    crate::domain::campaigns::reach::record_launch(
        conn,
        &user.id,
        data.start_param.as_deref(),
        db::now(),
    )?;
    issuer.issue(conn, &user, AuthMethod::Max, None)
}

/// A checked demo sign-in: the user is keyed on role, region and name.
#[derive(Debug, Clone)]
pub struct DevUser {
    role: Role,
    region: Option<String>,
    name: String,
    verified: bool,
}

impl DevUser {
    /// Checks the request.
    ///
    /// # Errors
    /// 422 for an integrator, a malformed region or a too long name.
    pub fn new(body: &DevLoginRequest) -> Result<Self, ApiError> {
        if body.role == Role::Integrator {
            return Err(ApiError::field(
                "role",
                "unsupported",
                "Для интегратора создайте API-ключ.",
            ));
        }
        let region = match body.region.as_deref() {
            Some(raw) => Some(
                shared::RegionCode::parse(raw)
                    .map_err(|m| ApiError::field("region", "invalid", m))?
                    .to_string(),
            ),
            None if body.role == Role::Federal || body.role == Role::Admin => None,
            None => Some("77".to_owned()),
        };
        let name = body
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or("Демо");
        if name.chars().count() > 100 {
            return Err(ApiError::field(
                "name",
                "too_long",
                "Имя не длиннее 100 символов.",
            ));
        }
        Ok(Self {
            role: body.role,
            region,
            name: name.to_owned(),
            verified: body.verified.unwrap_or(true),
        })
    }
}

/// The token pair of a demo user: the same key gives the same user, created on first use.
///
/// # Errors
/// 422 for an unknown region, or a database failure.
pub fn dev_login(
    conn: &mut AnyConnection,
    issuer: &Issuer,
    dev: &DevUser,
) -> Result<TokenPair, ApiError> {
    let DevUser {
        role,
        region,
        name,
        verified,
    } = dev;
    let (role, verified) = (*role, *verified);
    let key = format!(
        "{}:{}:{}",
        role.as_str(),
        region.as_deref().unwrap_or("-"),
        name
    );
    if let Some(code) = region {
        let exists: i64 = regions::table
            .filter(regions::code.eq(code))
            .count()
            .get_result(conn)?;
        if exists == 0 {
            return Err(ApiError::field("region", "unknown", "Такого региона нет."));
        }
    }
    let existing: Option<UserRow> = users::table
        .filter(users::dev_key.eq(&key))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    let user = if let Some(user) = existing {
        if role == Role::Teacher {
            let status = if verified {
                VerificationStatus::Verified
            } else {
                VerificationStatus::Unverified
            };
            if user.verification_status != status {
                crate::auth::cache::user_changed(&user.id);
            }
            diesel::update(users::table.find(&user.id))
                .set(users::verification_status.eq(status))
                .execute(conn)?;
        }
        load(conn, &user.id)?
    } else {
        let mut new = NewUser::with_role(role);
        new.dev_key = Some(key.clone());
        let mut parts = name.split_whitespace();
        let first = parts.next().map(str::to_owned);
        let second = parts.next().map(str::to_owned);
        // "Фамилия Имя" or a single word used as the name.
        if second.is_some() {
            new.surname = first;
            new.name = second;
            new.patronymic = parts.next().map(str::to_owned);
        } else {
            new.name = first;
        }
        if role == Role::Teacher {
            new.region_code = region.clone();
            if verified {
                new.verification_status = VerificationStatus::Verified;
                new.verification_source = Some(VerificationSource::Admin.as_str().to_owned());
                new.verified_at = Some(db::now());
            }
        }
        diesel::insert_into(users::table)
            .values(&new)
            .execute(conn)?;
        if role.has_regions() {
            db::set_user_regions(conn, &new.id, region.as_slice())?;
        }
        load(conn, &new.id)?
    };
    issuer.issue(conn, &user, AuthMethod::Dev, None)
}

/// First sign-in through an invitation link, or a password reset through its link: sets the
/// staff member's own password, uses the link up and gives the pair a password sign-in
/// gives. A reset ends every session of the user at once (their access tokens too); an
/// enrolled second factor stays and is asked at the next sign-in. Refused links count against the
/// client (`client`, an address) and lock it out after `max_failures`.
///
/// # Errors
/// 410 `invite_invalid`, 429, 422 for an unfit password, or a database failure.
pub async fn accept_invitation(
    db: &Db,
    issuer: Issuer,
    client: &str,
    max_failures: i32,
    token: String,
    password: String,
) -> Result<TokenPair, ApiError> {
    let key = throttle::key("invite", client);
    // The link first (a refusal is counted, and that count must be committed).
    let probe = token.clone();
    db.write(move |conn| {
        let now = db::now();
        throttle::check(conn, &key, now)?;
        match invitations::find(conn, &probe, now).map(|_| ()) {
            Ok(_) => Ok(Ok(())),
            Err(refused @ ApiError::Gone { .. }) => {
                throttle::fail(conn, &key, now, max_failures)?;
                Ok(Err(refused))
            }
            Err(other) => Err(other),
        }
    })
    .await??;
    validate::new_password("password", &password)?;
    // Argon2 takes its time: off the async workers and outside the write transaction.
    let hash = tokio::task::spawn_blocking(move || secrets::hash_password(&password))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
    db.write(move |conn| {
        let now = db::now();
        let link = invitations::accept(conn, &token, now)?;
        let user = link.user;
        diesel::update(users::table.find(&user.id))
            .set((
                users::password_hash.eq(Some(&hash)),
                users::must_change_password.eq(false),
                users::failed_logins.eq(0),
                users::locked_until.eq(None::<chrono::NaiveDateTime>),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
        // Sessions signed in with the one-time password end with it (after a reset every
        // session, which may be a thief's), and so does a lock-out of the address.
        if link.reset {
            session::revoke_others(conn, &user.id, None)?;
        } else {
            session::revoke_user(conn, &user.id)?;
        }
        if let Some(email) = &user.email {
            throttle::clear(conn, &throttle::key("login", email))?;
        }
        audit::record(
            conn,
            &audit::Actor {
                id: Some(user.id.clone()),
                role: Some(user.role.as_str().to_owned()),
            },
            if link.reset {
                "user.password.reset"
            } else {
                "user.invite.accept"
            },
            "user",
            Some(&user.id),
            None,
            None,
        )?;
        let user = load(conn, &user.id)?;
        issuer.issue(conn, &user, AuthMethod::Password, None)
    })
    .await
}

/// TOTP enrolment of the calling staff member: without `code` a new secret (as an
/// `otpauth://` URI and its QR code); with a valid `code` the factor is turned on and ten
/// one-time recovery codes are drawn, shown in this answer only.
///
/// # Errors
/// 403 `password_change_required` before the one-time password is replaced, 422 for a
/// wrong or premature code, or a database failure.
pub fn totp_enroll(
    conn: &mut AnyConnection,
    caller: &Caller,
    code: Option<String>,
) -> Result<TotpEnrollment, ApiError> {
    let user = load(conn, &caller.user_id)?;
    if user.totp_enabled {
        return Ok(TotpEnrollment {
            otpauth_uri: None,
            enabled: true,
            qr_svg: None,
            recovery_codes: Vec::new(),
        });
    }
    if user.must_change_password {
        return Err(ApiError::Denied {
            code: "password_change_required",
            detail: "Сначала замените одноразовый пароль своим.".to_owned(),
        });
    }
    let account = user.email.clone().unwrap_or_else(|| user.id.clone());
    match (code, user.totp_secret) {
        (Some(code), Some(secret)) => {
            let unix = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
            if !secrets::verify_totp(&secret, &code, unix) {
                return Err(ApiError::field(
                    "code",
                    "invalid",
                    "Код не подошёл. Проверьте время на телефоне и введите новый код.",
                ));
            }
            diesel::update(users::table.find(&user.id))
                .set(users::totp_enabled.eq(true))
                .execute(conn)?;
            let recovery_codes = super::recovery::issue(conn, &user.id)?;
            // A new second factor ends every other sign-in (one may be a thief's).
            session::revoke_others(conn, &user.id, caller.session.as_deref())?;
            audit::record(
                conn,
                &caller.actor(),
                "user.totp.enable",
                "user",
                Some(&user.id),
                None,
                None,
            )?;
            Ok(TotpEnrollment {
                otpauth_uri: None,
                enabled: true,
                qr_svg: None,
                recovery_codes,
            })
        }
        (Some(_), None) => Err(ApiError::field(
            "code",
            "not_started",
            "Сначала получите ключ для приложения-аутентификатора.",
        )),
        (None, _) => {
            let secret = secrets::new_totp_secret();
            diesel::update(users::table.find(&user.id))
                .set(users::totp_secret.eq(&secret))
                .execute(conn)?;
            let uri = secrets::totp_uri(&secret, &account)
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("otpauth uri")))?;
            Ok(TotpEnrollment {
                qr_svg: super::recovery::qr_svg(&uri),
                otpauth_uri: Some(uri),
                enabled: false,
                recovery_codes: Vec::new(),
            })
        }
    }
}
