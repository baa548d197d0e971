//! Failed sign-in steps counted per key: an invitation token that does not work and any
//! refused sign-in step per client address (`AUTH_CLIENT_MAX_FAILURES`), and failed staff
//! sign-ins per e-mail — known or not, so the lock-out answer reveals no account. After the
//! allowed failures within the window the key is refused for 1, 2, 4 … minutes (at most an
//! hour), with 429 and `Retry-After`; failures older than the window (counted from the
//! latest) are forgotten, so rare mistakes never add up to a lock-out. The counts live in the
//! database (`auth_throttle`), so the limit holds across instances; addresses and e-mails
//! are stored only as hashes.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::secrets;
use crate::db::schema::auth_throttle as at;
use crate::db::AnyConnection;
use crate::error::ApiError;

/// Failures older than this are forgotten (the count starts again).
const WINDOW_HOURS: i64 = 1;

/// The throttle key of a client for one kind of step (`invite`), from its address.
#[must_use]
pub fn key(step: &str, client: &str) -> String {
    format!("{step}:{}", secrets::token_hash(client))
}

/// Refuses a client that is locked out right now.
///
/// # Errors
/// `RateLimited` while locked; a database failure.
pub fn check(conn: &mut AnyConnection, key: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    let locked: Option<Option<NaiveDateTime>> = at::table
        .find(key)
        .select(at::locked_until)
        .first(conn)
        .optional()?;
    if let Some(until) = locked.flatten().filter(|u| *u > now) {
        let retry_after = u64::try_from((until - now).num_seconds().max(1)).unwrap_or(1);
        return Err(ApiError::RateLimited { retry_after });
    }
    Ok(())
}

/// Counts a failure; from the `max_failures`-th on, locks the client for a growing time.
///
/// # Errors
/// A database failure.
pub fn fail(
    conn: &mut AnyConnection,
    key: &str,
    now: NaiveDateTime,
    max_failures: i32,
) -> QueryResult<()> {
    fail_within(conn, key, now, max_failures, Duration::hours(WINDOW_HOURS))
}

/// Forgets the failures of `key` (a successful sign-in).
///
/// # Errors
/// A database failure.
pub fn clear(conn: &mut AnyConnection, key: &str) -> QueryResult<usize> {
    diesel::delete(at::table.find(key)).execute(conn)
}

/// [`fail`] with its own window: failures older than `window` before this one are forgotten.
///
/// # Errors
/// A database failure.
pub fn fail_within(
    conn: &mut AnyConnection,
    key: &str,
    now: NaiveDateTime,
    max_failures: i32,
    window: Duration,
) -> QueryResult<()> {
    let previous: Option<(i32, NaiveDateTime)> = at::table
        .find(key)
        .select((at::failures, at::updated_at))
        .first(conn)
        .optional()?;
    let failures = match previous {
        Some((n, at)) if now - at < window => n + 1,
        _ => 1,
    };
    let max_failures = max_failures.max(1);
    let locked_until = (failures >= max_failures).then(|| {
        let exponent = u32::try_from(failures - max_failures).unwrap_or(0).min(6);
        now + Duration::minutes(i64::from(2_u32.pow(exponent)).min(60))
    });
    if previous.is_some() {
        diesel::update(at::table.find(key))
            .set((
                at::failures.eq(failures),
                at::locked_until.eq(locked_until),
                at::updated_at.eq(now),
            ))
            .execute(conn)?;
    } else {
        // In a savepoint: when a concurrent failure of the same client inserted the row
        // first, that one counted (PostgreSQL would refuse the rest of the transaction).
        let inserted = conn.transaction(|conn| {
            diesel::insert_into(at::table)
                .values((
                    at::throttle_key.eq(key),
                    at::failures.eq(failures),
                    at::locked_until.eq(locked_until),
                    at::updated_at.eq(now),
                ))
                .execute(conn)
        });
        match inserted {
            Ok(_)
            | Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Forgets counts untouched for a day (the scheduled clean-up).
///
/// # Errors
/// A database failure.
pub fn forget_old(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(at::table.filter(at::updated_at.lt(now - Duration::days(1)))).execute(conn)
}
