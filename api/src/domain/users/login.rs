//! Sign-in steps that must not stall or leak: the staff password + TOTP sign-in, and the
//! per-client limit of refused steps on `/auth/login`, `/auth/max` and `/auth/refresh`.
//!
//! The password check (argon2, slow on purpose) runs with no database connection held and
//! no transaction open, through the [`HashGate`] that bounds how many run at once: the user
//! is read first, checked, and the outcome written in a short transaction. Failed sign-ins
//! are counted per e-mail, known or not, in `auth_throttle` with a decaying window, so the
//! lock-out answer is the same for every address and rare mistakes never add up.
//!
//! The second step: a right password of an enrolled staff member without a code answers
//! [`LoginOutcome::CodeNeeded`] (not counted as a failure), so the page asks for the code
//! after the password. A code that is not six digits is taken for a one-time recovery code
//! ([`super::recovery`]).

use chrono::Utc;
use diesel::prelude::*;
use shared::users::{LoginRequest, TokenPair};

use crate::auth::hash_gate::HashGate;
use crate::auth::launch_data::LaunchData;
use crate::auth::session::Issuer;
use crate::auth::{secrets, throttle, AuthMethod};
use crate::db::{self, audit, models::UserRow, schema::users, AnyConnection, Db};
use crate::error::ApiError;

/// The one text for every failed staff sign-in: it never says which part was wrong.
const BAD_CREDENTIALS: &str = "Неверный e-mail, пароль или код подтверждения.";

/// A valid argon2id hash (the default parameters) of a random string, checked when the
/// e-mail is unknown so that the answer takes as long as for a wrong password.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$8R8HqbHcmv2Ps/4hlmQmpa6B6GvGPHkmh9gdsqqHmyo";

/// The refusal of every failed staff sign-in.
#[must_use]
pub fn bad_credentials() -> ApiError {
    ApiError::AuthFailed {
        code: "invalid_credentials",
        detail: BAD_CREDENTIALS.to_owned(),
    }
}

/// The per-client limit of refused sign-in steps (`AUTH_CLIENT_MAX_FAILURES` per hour; off
/// at 0). Only refusals count, never successful sign-ins: thousands of teachers behind one
/// school or carrier address open the app at once.
#[derive(Debug, Clone)]
pub struct ClientLimit {
    key: Option<String>,
    max_failures: i32,
}

impl ClientLimit {
    /// The limit of `client` (an address) for one kind of step (`login`, `max`, `refresh`).
    #[must_use]
    pub fn new(step: &str, client: &str, max_failures: i32) -> Self {
        Self {
            key: (max_failures > 0).then(|| throttle::key(&format!("{step}-client"), client)),
            max_failures,
        }
    }

    fn check_in(&self, conn: &mut AnyConnection) -> Result<(), ApiError> {
        match &self.key {
            Some(key) => throttle::check(conn, key, db::now()),
            None => Ok(()),
        }
    }

    fn count_in(&self, conn: &mut AnyConnection) -> QueryResult<()> {
        match &self.key {
            Some(key) => throttle::fail(conn, key, db::now(), self.max_failures),
            None => Ok(()),
        }
    }

    async fn check(&self, db: &Db) -> Result<(), ApiError> {
        if self.key.is_none() {
            return Ok(());
        }
        let limit = self.clone();
        db.read(move |conn| limit.check_in(conn)).await
    }

    /// Counts `refusal` against the client (committed) and gives it back.
    async fn refused(&self, db: &Db, refusal: ApiError) -> ApiError {
        if self.key.is_none() {
            return refusal;
        }
        let limit = self.clone();
        match db.write(move |conn| Ok(limit.count_in(conn)?)).await {
            Ok(()) => refusal,
            Err(failure) => failure,
        }
    }
}

/// MAX sign-in under the client limit: `data` is the outcome of the launch-data check, and
/// a refused one counts against the client.
///
/// # Errors
/// 429 for a client over the limit, the launch-data refusal, or as
/// [`super::sign_in::sign_in_max`].
pub async fn sign_in_max(
    db: &Db,
    issuer: Issuer,
    limit: ClientLimit,
    data: Result<LaunchData, ApiError>,
) -> Result<TokenPair, ApiError> {
    limit.check(db).await?;
    match data {
        Ok(data) => {
            db.write(move |conn| super::sign_in::sign_in_max(conn, &issuer, &data))
                .await
        }
        Err(refusal) => Err(limit.refused(db, refusal).await),
    }
}

/// Refresh under the client limit: an unknown, spent or expired token counts against the
/// client.
///
/// # Errors
/// 429 for a client over the limit, 401 for a refused token, or a database failure.
pub async fn refresh(
    db: &Db,
    issuer: Issuer,
    limit: ClientLimit,
    token: String,
) -> Result<TokenPair, ApiError> {
    limit.check(db).await?;
    match db.write(move |conn| issuer.rotate(conn, &token)).await? {
        Some(pair) => Ok(pair),
        None => Err(limit.refused(db, ApiError::Unauthorized).await),
    }
}

/// What a staff sign-in ends with, short of a refusal.
#[derive(Debug, Clone)]
pub enum LoginOutcome {
    /// Signed in.
    Signed(TokenPair),
    /// The password is right and the account has a second factor: ask for the code.
    CodeNeeded,
}

/// The checked second step of a sign-in.
#[derive(Debug, Clone)]
enum Second {
    /// No second factor enrolled yet.
    None,
    /// A TOTP code of this time step.
    Totp(i64),
    /// A recovery code of this hash.
    Recovery(String),
}

/// The verdict of the slow check.
#[derive(Debug, Clone)]
enum Verdict {
    Refused,
    CodeNeeded,
    Accepted(Second),
}

/// The lock-out rule of staff sign-in.
#[derive(Debug, Clone, Copy)]
pub struct LoginRule {
    /// Failures (per e-mail) before a lock-out (`LOGIN_MAX_FAILURES`).
    pub max_failures: i32,
    /// Failures older than this before the latest are forgotten.
    pub window: chrono::Duration,
}

/// Staff sign-in with e-mail, password and (once enrolled) a TOTP code, each code accepted
/// once. After `max_failures` failures within the window the e-mail — known or not — is
/// locked for 1, 2, 4 … minutes (at most an hour).
///
/// # Errors
/// 401 `invalid_credentials`, 429 (locked e-mail or client, or too many checks waiting), or
/// a database failure.
pub async fn login(
    db: &Db,
    issuer: Issuer,
    gate: &HashGate,
    rule: LoginRule,
    limit: ClientLimit,
    body: LoginRequest,
) -> Result<LoginOutcome, ApiError> {
    let email = body.email.trim().to_lowercase();
    let account = throttle::key("login", &email);
    let (key, check_limit) = (account.clone(), limit.clone());
    // 1. Read: the lock-outs and the user, then the connection goes back to the pool.
    let user: Option<UserRow> = db
        .read(move |conn| {
            throttle::check(conn, &key, db::now())?;
            check_limit.check_in(conn)?;
            Ok(users::table
                .filter(users::email.eq(&email))
                .select(UserRow::as_select())
                .first(conn)
                .optional()?)
        })
        .await?;
    // 2. The slow part with nothing of the database held.
    let candidate = user.clone();
    let unix = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
    let verdict = gate
        .run(move || check_credentials(candidate.as_ref(), &body, unix))
        .await?;
    if matches!(verdict, Verdict::CodeNeeded) {
        return Ok(LoginOutcome::CodeNeeded);
    }
    // 3. A short transaction for the outcome (a refusal is a value, so its count commits).
    db.write(move |conn| {
        let now = db::now();
        let accepted = match (user, verdict) {
            (Some(user), Verdict::Accepted(step)) if claim_second(conn, &user, &step)? => {
                Some(user)
            }
            _ => None,
        };
        let Some(user) = accepted else {
            throttle::fail_within(conn, &account, now, rule.max_failures, rule.window)?;
            limit.count_in(conn)?;
            return Ok(Err(bad_credentials()));
        };
        throttle::clear(conn, &account)?;
        let method = if user.totp_enabled {
            AuthMethod::PasswordTotp
        } else {
            AuthMethod::Password
        };
        audit::record(
            conn,
            &audit::Actor {
                id: Some(user.id.clone()),
                role: Some(user.role.as_str().to_owned()),
            },
            "auth.login",
            "user",
            Some(&user.id),
            None,
            None,
        )?;
        issuer
            .issue(conn, &user, method, None)
            .map(|pair| Ok(LoginOutcome::Signed(pair)))
    })
    .await?
}

/// Whether the credentials fit an active staff member, and with which second step. An
/// unknown e-mail or a user without a password costs one argon2 check all the same.
fn check_credentials(user: Option<&UserRow>, body: &LoginRequest, unix: u64) -> Verdict {
    let hash = user.and_then(|u| u.password_hash.as_deref());
    let password_ok = secrets::verify_password(&body.password, hash.unwrap_or(DUMMY_HASH));
    let Some(user) = user.filter(|_| hash.is_some() && password_ok) else {
        return Verdict::Refused;
    };
    if !user.role.is_staff() || user.is_blocked || user.erased_at.is_some() {
        return Verdict::Refused;
    }
    if !user.totp_enabled {
        return Verdict::Accepted(Second::None);
    }
    let code = body.totp_code.as_deref().map(str::trim).unwrap_or_default();
    if code.is_empty() {
        return Verdict::CodeNeeded;
    }
    let Some(secret) = user.totp_secret.as_deref() else {
        return Verdict::Refused;
    };
    let six_digits = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
    let second = if six_digits {
        secrets::totp_step(secret, code, unix).map(Second::Totp)
    } else {
        super::recovery::hash_of(code).map(Second::Recovery)
    };
    second.map_or(Verdict::Refused, Verdict::Accepted)
}

/// Uses up the second step of a sign-in: a TOTP step ([`claim_step`]) or a recovery code
/// (audit-logged); false when it was already used.
fn claim_second(conn: &mut AnyConnection, user: &UserRow, second: &Second) -> QueryResult<bool> {
    match second {
        Second::None => Ok(true),
        Second::Totp(step) => claim_step(conn, &user.id, Some(*step)),
        Second::Recovery(hash) => match super::recovery::claim(conn, &user.id, hash)? {
            Some(left) => super::recovery::record_use(conn, user, left).map(|()| true),
            None => Ok(false),
        },
    }
}

/// Records the TOTP step of a sign-in; false when it (or a later one) was already used: the
/// same code is accepted once. A compare-and-set, so two concurrent replays cannot both win.
pub(super) fn claim_step(
    conn: &mut AnyConnection,
    user_id: &str,
    step: Option<i64>,
) -> QueryResult<bool> {
    let Some(step) = step else {
        return Ok(true);
    };
    let fresh = users::totp_last_step
        .is_null()
        .or(users::totp_last_step.lt(step));
    let claimed = diesel::update(users::table.find(user_id).filter(fresh))
        .set(users::totp_last_step.eq(step))
        .execute(conn)?;
    Ok(claimed == 1)
}
