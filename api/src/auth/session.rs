//! Token pairs: a short-lived access JWT and a rotating refresh token stored only as a hash.
//! Every refresh token belongs to a family (one sign-in); presenting a token that was
//! already used revokes the whole family, since one of the two holders is a thief.

use diesel::prelude::*;
use shared::users::TokenPair;

use super::jwt::{Claims, JwtKeys};
use super::{secrets, AuthMethod};
use crate::config::Config;
use crate::db::{self, models::UserRow, schema::refresh_tokens as rt, AnyConnection};
use crate::error::ApiError;

/// What issuing tokens needs from the state (cloned into blocking closures).
#[derive(Clone, Debug)]
pub struct Issuer {
    /// JWT keys.
    pub jwt: JwtKeys,
    /// Access-token lifetime.
    pub access_ttl_secs: i64,
    /// Refresh-token lifetime (sliding: each refresh gives a new one).
    pub refresh_ttl_days: i64,
    /// The longest a sign-in lives however often it is refreshed.
    pub refresh_absolute_days: i64,
    /// Whether sign-ins of the demo sign-in (`amr=dev`) may be refreshed (dev only).
    pub allow_dev: bool,
}

impl Issuer {
    /// From the settings.
    #[must_use]
    pub fn new(jwt: JwtKeys, config: &Config) -> Self {
        Self {
            jwt,
            access_ttl_secs: config.access_token_ttl_secs,
            refresh_ttl_days: config.refresh_token_ttl_days,
            refresh_absolute_days: config.refresh_absolute_days,
            allow_dev: config.is_dev(),
        }
    }

    /// A new pair for the user; `family` continues a sign-in (refresh), `None` starts one.
    ///
    /// # Errors
    /// A database or signing failure.
    pub fn issue(
        &self,
        conn: &mut AnyConnection,
        user: &UserRow,
        method: AuthMethod,
        family: Option<String>,
    ) -> Result<TokenPair, ApiError> {
        let now = chrono::Utc::now();
        let regions = db::user_regions(conn, &user.id)?;
        let family = family.unwrap_or_else(|| format!("{}:{}", method.as_str(), db::new_id()));
        let claims = Claims {
            sub: user.id.clone(),
            role: user.role.as_str().to_owned(),
            regions,
            iat: now.timestamp(),
            exp: now.timestamp() + self.access_ttl_secs,
            amr: Some(method.as_str().to_owned()),
            sid: Some(family.clone()),
        };
        let access_token = self.jwt.sign(&claims).map_err(ApiError::internal)?;
        let refresh_token = secrets::random_token("rt_");
        let naive_now = now.naive_utc();
        diesel::insert_into(rt::table)
            .values((
                rt::id.eq(db::new_id()),
                rt::user_id.eq(&user.id),
                rt::family_id.eq(&family),
                rt::token_hash.eq(secrets::token_hash(&refresh_token)),
                rt::created_at.eq(naive_now),
                rt::expires_at.eq(naive_now + chrono::Duration::days(self.refresh_ttl_days)),
            ))
            .execute(conn)?;
        Ok(TokenPair {
            access_token,
            refresh_token,
            token_type: "Bearer".to_owned(),
            expires_in: self.access_ttl_secs,
        })
    }

    /// Rotates a refresh token: the old one is spent, a new pair continues the family.
    /// `None` for an unknown, expired, revoked or reused token, for a sign-in older than
    /// `REFRESH_ABSOLUTE_DAYS` and, outside dev, for one of the demo sign-in; reuse revokes
    /// the family, and that revocation must be committed, hence no error here (an error
    /// rolls back).
    ///
    /// # Errors
    /// A database failure.
    pub fn rotate(
        &self,
        conn: &mut AnyConnection,
        refresh_token: &str,
    ) -> Result<Option<TokenPair>, ApiError> {
        let hash = secrets::token_hash(refresh_token);
        let outcome = conn.transaction::<_, ApiError, _>(|conn| {
            let row: Option<RefreshRow> = rt::table
                .filter(rt::token_hash.eq(&hash))
                .select((
                    rt::id,
                    rt::user_id,
                    rt::family_id,
                    rt::expires_at,
                    rt::used_at,
                    rt::revoked_at,
                ))
                .first(conn)
                .optional()?;
            let Some((id, user_id, family, expires_at, used_at, revoked_at)) = row else {
                return Ok(Err(()));
            };
            let now = db::now();
            if used_at.is_some() || revoked_at.is_some() {
                revoke_family(conn, &family)?;
                return Ok(Err(()));
            }
            if expires_at < now {
                return Ok(Err(()));
            }
            // A database copied from a dev run must not carry demo sessions into production.
            let demo = family.starts_with(&format!("{}:", AuthMethod::Dev.as_str()));
            if (demo && !self.allow_dev) || self.outlived(conn, &family, now)? {
                revoke_family(conn, &family)?;
                return Ok(Err(()));
            }
            // Spend it only if nobody spent it concurrently (compare-and-set on used_at).
            let spent = diesel::update(rt::table.find(&id).filter(rt::used_at.is_null()))
                .set(rt::used_at.eq(now))
                .execute(conn)?;
            if spent == 0 {
                revoke_family(conn, &family)?;
                return Ok(Err(()));
            }
            let user: UserRow = crate::db::schema::users::table
                .find(&user_id)
                .select(UserRow::as_select())
                .first(conn)?;
            if user.is_blocked || user.erased_at.is_some() {
                return Ok(Err(()));
            }
            let method = family
                .split(':')
                .next()
                .and_then(AuthMethod::parse)
                .unwrap_or(AuthMethod::Max);
            self.issue(conn, &user, method, Some(family)).map(Ok)
        })?;
        Ok(outcome.ok())
    }
}

impl Issuer {
    /// Whether the sign-in `family` began more than `REFRESH_ABSOLUTE_DAYS` ago.
    fn outlived(
        &self,
        conn: &mut AnyConnection,
        family: &str,
        now: chrono::NaiveDateTime,
    ) -> QueryResult<bool> {
        let born: Option<chrono::NaiveDateTime> = rt::table
            .filter(rt::family_id.eq(family))
            .select(diesel::dsl::min(rt::created_at))
            .first(conn)?;
        Ok(
            born.is_some_and(|born| {
                now - born > chrono::Duration::days(self.refresh_absolute_days)
            }),
        )
    }
}

/// id, user, family, expiry, spent, revoked.
type RefreshRow = (
    String,
    String,
    String,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
    Option<chrono::NaiveDateTime>,
);

/// Revokes every token of the family of `refresh_token` (logout). Unknown tokens are ignored.
///
/// # Errors
/// A database failure.
pub fn logout(conn: &mut AnyConnection, refresh_token: &str) -> Result<(), ApiError> {
    let hash = secrets::token_hash(refresh_token);
    let family: Option<String> = rt::table
        .filter(rt::token_hash.eq(&hash))
        .select(rt::family_id)
        .first(conn)
        .optional()?;
    if let Some(family) = family {
        revoke_family(conn, &family)?;
    }
    Ok(())
}

/// Revokes every refresh token of a user (erasure, blocking).
///
/// # Errors
/// A database failure.
pub fn revoke_user(conn: &mut AnyConnection, user_id: &str) -> QueryResult<usize> {
    diesel::update(
        rt::table
            .filter(rt::user_id.eq(user_id))
            .filter(rt::revoked_at.is_null()),
    )
    .set(rt::revoked_at.eq(db::now()))
    .execute(conn)
}

/// Ends every sign-in of a user except `keep` (the caller's own): a changed password or a
/// new second factor must not leave a thief's session running. Their refresh tokens are
/// revoked and their access tokens refused from now on (`UserRow::token_stands`).
///
/// # Errors
/// A database failure.
pub fn revoke_others(
    conn: &mut AnyConnection,
    user_id: &str,
    keep: Option<&str>,
) -> QueryResult<usize> {
    let now = db::now();
    crate::auth::cache::user_changed(user_id);
    // Their access tokens too, not only their refresh tokens: see `UserRow::token_stands`.
    diesel::update(crate::db::schema::users::table.find(user_id))
        .set((
            crate::db::schema::users::sessions_ended_at.eq(now),
            crate::db::schema::users::session_kept.eq(keep),
        ))
        .execute(conn)?;
    let others = rt::table
        .filter(rt::user_id.eq(user_id))
        .filter(rt::revoked_at.is_null())
        .filter(rt::family_id.ne(keep.unwrap_or("")));
    diesel::update(others)
        .set(rt::revoked_at.eq(now))
        .execute(conn)
}

/// Whether the sign-in (refresh-token family) `session` still has a token not revoked; a
/// token that names none counts as ended.
///
/// # Errors
/// A database failure.
pub fn sign_in_alive(conn: &mut AnyConnection, session: Option<&str>) -> QueryResult<bool> {
    let Some(family) = session else {
        return Ok(false);
    };
    let live: i64 = rt::table
        .filter(rt::family_id.eq(family))
        .filter(rt::revoked_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(live > 0)
}

fn revoke_family(conn: &mut AnyConnection, family: &str) -> QueryResult<usize> {
    diesel::update(
        rt::table
            .filter(rt::family_id.eq(family))
            .filter(rt::revoked_at.is_null()),
    )
    .set(rt::revoked_at.eq(db::now()))
    .execute(conn)
}
