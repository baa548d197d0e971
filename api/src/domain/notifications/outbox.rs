//! The transactional outbox. Every notification — a bot message, an e-mail, a webhook
//! delivery — is a row written by [`enqueue`] in the same transaction as the change that
//! causes it: a rolled-back change sends nothing, a committed one is never lost.
//!
//! Workers [`claim`] due rows (on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so instances
//! never take the same row; on SQLite the process's single writer), deliver them outside
//! any transaction, and [`finish`] them: `done`, or back to `pending` with an exponential
//! backoff and jitter, or `dead` after `OUTBOX_MAX_ATTEMPTS` attempts. A claim is a lease:
//! a worker that dies mid-delivery leaves a `delivering` row whose `locked_until` passes,
//! and the next claim takes it again (at-least-once; receivers deduplicate on the event id).

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::Rng;
use serde::{Deserialize, Serialize};
use shared::integrations::OutboxStatus;

use crate::db::schema::outbox;
use crate::db::{self, AnyConnection};
use crate::error::ApiError;
use crate::notify::bot::BotMessage;
use crate::notify::email::MailTemplate;
use crate::notify::DeliveryError;

/// Waiting for its first or next attempt.
pub const PENDING: OutboxStatus = OutboxStatus::Pending;
/// Claimed by a worker (until `locked_until`).
pub const DELIVERING: OutboxStatus = OutboxStatus::Delivering;
/// Delivered.
pub const DONE: OutboxStatus = OutboxStatus::Done;
/// Gave up; an administrator may retry it.
pub const DEAD: OutboxStatus = OutboxStatus::Dead;

/// A webhook delivery: the exact body is fixed when the event happens; the signature is
/// computed at each attempt (fresh timestamp, the secrets valid then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    /// The subscription.
    pub webhook_id: String,
    /// `X-Pomoshnik-Event-Id`.
    pub event_id: String,
    /// `appeal.created`, …, or `ping`.
    pub event_type: String,
    /// The JSON body, byte for byte.
    pub body: String,
}

/// An answer to a bot button press.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackAnswer {
    /// `callback.callback_id` of the update.
    pub callback_id: String,
    /// The short notice MAX shows the user.
    pub notification: String,
}

/// A letter to one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailDelivery {
    /// Recipient address.
    pub to: String,
    /// What to write.
    pub mail: MailTemplate,
}

/// Something to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// A signed webhook to an integrator.
    Webhook(WebhookDelivery),
    /// A MAX bot message.
    MaxMessage(BotMessage),
    /// An answer to a MAX button press.
    MaxCallback(CallbackAnswer),
    /// An e-mail.
    Email(EmailDelivery),
}

impl Notification {
    /// The `kind` column.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Webhook(_) => "webhook",
            Self::MaxMessage(_) => "max_message",
            Self::MaxCallback(_) => "max_callback",
            Self::Email(_) => "email",
        }
    }

    fn payload(&self) -> serde_json::Result<String> {
        match self {
            Self::Webhook(p) => serde_json::to_string(p),
            Self::MaxMessage(p) => serde_json::to_string(p),
            Self::MaxCallback(p) => serde_json::to_string(p),
            Self::Email(p) => serde_json::to_string(p),
        }
    }

    /// Reads a stored row back.
    ///
    /// # Errors
    /// An unknown kind or a payload that does not fit it.
    pub fn parse(kind: &str, payload: &str) -> Result<Self, String> {
        let parsed = match kind {
            "webhook" => serde_json::from_str(payload).map(Self::Webhook),
            "max_message" => serde_json::from_str(payload).map(Self::MaxMessage),
            "max_callback" => serde_json::from_str(payload).map(Self::MaxCallback),
            "email" => serde_json::from_str(payload).map(Self::Email),
            other => return Err(format!("неизвестный вид уведомления {other}")),
        };
        parsed.map_err(|e| format!("повреждённое уведомление: {e}"))
    }
}

/// A row of `outbox`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: String,
    pub kind: String,
    pub dedupe_key: Option<String>,
    pub payload: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_by: Option<String>,
    pub locked_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub response_code: Option<i32>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
    pub webhook_id: Option<String>,
}

/// Writes a notification, due now. Call it inside the transaction of the change.
///
/// With a `dedupe_key`, a second row with the same key is silently skipped (`Ok(None)`),
/// also when another instance wrote it concurrently: scheduled work uses this to send
/// exactly once.
///
/// # Errors
/// A database failure.
pub fn enqueue(
    conn: &mut AnyConnection,
    notification: &Notification,
    dedupe_key: Option<&str>,
) -> QueryResult<Option<String>> {
    let id = db::new_id();
    let now = db::now();
    let payload = notification
        .payload()
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    let webhook_id = match notification {
        Notification::Webhook(w) => Some(w.webhook_id.clone()),
        _ => None,
    };
    let insert = |conn: &mut AnyConnection| {
        diesel::insert_into(outbox::table)
            .values((
                outbox::id.eq(&id),
                outbox::kind.eq(notification.kind()),
                outbox::dedupe_key.eq(dedupe_key),
                outbox::payload.eq(&payload),
                outbox::status.eq(PENDING),
                outbox::attempts.eq(0),
                outbox::next_attempt_at.eq(now),
                outbox::created_at.eq(now),
                outbox::webhook_id.eq(&webhook_id),
            ))
            .execute(conn)
    };
    if dedupe_key.is_none() {
        insert(conn)?;
        return Ok(Some(id));
    }
    // A savepoint, so that a duplicate key does not abort the caller's transaction
    // (PostgreSQL refuses every later statement of a transaction after an error).
    match conn.transaction(|conn| insert(conn)) {
        Ok(_) => Ok(Some(id)),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Claims up to `limit` due rows for `worker` until `now + lease`: pending rows whose
/// time has come, and `delivering` rows whose lease ran out (their worker died). Each
/// claim counts as an attempt. Call inside a write transaction.
///
/// # Errors
/// A database failure.
pub fn claim(
    conn: &mut AnyConnection,
    worker: &str,
    now: NaiveDateTime,
    lease: chrono::Duration,
    limit: i64,
) -> QueryResult<Vec<OutboxRow>> {
    let ids: Vec<String> = match conn {
        AnyConnection::Postgresql(pg) => outbox::table
            .filter(
                outbox::status
                    .eq(PENDING)
                    .and(outbox::next_attempt_at.le(now))
                    .or(outbox::status
                        .eq(DELIVERING)
                        .and(outbox::locked_until.lt(now))),
            )
            .order(outbox::next_attempt_at.asc())
            .limit(limit)
            .select(outbox::id)
            .for_update()
            .skip_locked()
            .load(pg)?,
        AnyConnection::Sqlite(sqlite) => outbox::table
            .filter(
                outbox::status
                    .eq(PENDING)
                    .and(outbox::next_attempt_at.le(now))
                    .or(outbox::status
                        .eq(DELIVERING)
                        .and(outbox::locked_until.lt(now))),
            )
            .order(outbox::next_attempt_at.asc())
            .limit(limit)
            .select(outbox::id)
            .load(sqlite)?,
    };
    let mut claimed = Vec::with_capacity(ids.len());
    for id in ids {
        // Compare-and-set: the row is taken only if it is still due (belt and braces on
        // PostgreSQL, where the row lock already guarantees it).
        let taken = diesel::update(
            outbox::table.find(&id).filter(
                outbox::status
                    .eq(PENDING)
                    .and(outbox::next_attempt_at.le(now))
                    .or(outbox::status
                        .eq(DELIVERING)
                        .and(outbox::locked_until.lt(now))),
            ),
        )
        .set((
            outbox::status.eq(DELIVERING),
            outbox::locked_by.eq(worker),
            outbox::locked_until.eq(now + lease),
            outbox::attempts.eq(outbox::attempts + 1),
        ))
        .execute(conn)?;
        if taken == 1 {
            claimed.push(id);
        }
    }
    if claimed.is_empty() {
        return Ok(Vec::new());
    }
    outbox::table
        .filter(outbox::id.eq_any(&claimed))
        .order(outbox::next_attempt_at.asc())
        .select(OutboxRow::as_select())
        .load(conn)
}

/// How retries are spaced.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts before a row is dead.
    pub max_attempts: i32,
    /// Delay after the first failure.
    pub base: Duration,
    /// The longest delay.
    pub cap: Duration,
}

impl RetryPolicy {
    /// The delay after `attempts` failed attempts: `base · 2^(attempts-1)`, at most `cap`,
    /// then a random point in its upper half (jitter keeps retries of many rows apart).
    #[must_use]
    pub fn delay(&self, attempts: i32) -> Duration {
        let exponent = u32::try_from(attempts.max(1) - 1).unwrap_or(0).min(30);
        let full = self
            .base
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(self.cap);
        let millis = u64::try_from(full.as_millis()).unwrap_or(u64::MAX);
        if millis < 2 {
            return full;
        }
        Duration::from_millis(rand::thread_rng().gen_range(millis / 2..=millis))
    }
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Accepted by the receiver (with its HTTP status, when there is one).
    Delivered(Option<u16>),
    /// Not accepted.
    Failed(DeliveryError),
}

/// Records an attempt's outcome, if `worker` still holds the row. Returns the new status.
///
/// # Errors
/// A database failure.
pub fn finish(
    conn: &mut AnyConnection,
    id: &str,
    worker: &str,
    outcome: &Outcome,
    now: NaiveDateTime,
    policy: &RetryPolicy,
) -> QueryResult<Option<OutboxStatus>> {
    let held: Option<i32> = outbox::table
        .find(id)
        .filter(outbox::status.eq(DELIVERING))
        .filter(outbox::locked_by.eq(worker))
        .select(outbox::attempts)
        .first(conn)
        .optional()?;
    let Some(attempts) = held else {
        // The lease ran out and another worker took the row over: its outcome counts.
        return Ok(None);
    };
    let mine = outbox::table
        .find(id)
        .filter(outbox::status.eq(DELIVERING))
        .filter(outbox::locked_by.eq(worker));
    let no_time: Option<NaiveDateTime> = None;
    let no_worker: Option<String> = None;
    match outcome {
        Outcome::Delivered(code) => {
            diesel::update(mine)
                .set((
                    outbox::status.eq(DONE),
                    outbox::delivered_at.eq(now),
                    outbox::response_code.eq(code.map(i32::from)),
                    outbox::last_error.eq(None::<String>),
                    outbox::locked_by.eq(no_worker),
                    outbox::locked_until.eq(no_time),
                ))
                .execute(conn)?;
            Ok(Some(DONE))
        }
        Outcome::Failed(error) => {
            // A receiver that asked us to slow down did not fail the message: that attempt
            // does not count, and the next one waits as long as it asked.
            let (attempts, delay) = match error.retry_after {
                Some(wait) => ((attempts - 1).max(0), wait),
                None => (attempts, policy.delay(attempts)),
            };
            let status = if error.permanent
                || (error.retry_after.is_none() && attempts >= policy.max_attempts)
            {
                DEAD
            } else {
                PENDING
            };
            let next =
                now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1));
            diesel::update(mine)
                .set((
                    outbox::status.eq(status),
                    outbox::attempts.eq(attempts),
                    outbox::next_attempt_at.eq(next),
                    outbox::response_code.eq(error.status.map(i32::from)),
                    outbox::last_error.eq(crate::notify::clip(&error.to_string(), 1000)),
                    outbox::locked_by.eq(no_worker),
                    outbox::locked_until.eq(no_time),
                ))
                .execute(conn)?;
            Ok(Some(status))
        }
    }
}

/// Puts a dead (or waiting) row back in line, due now, with a fresh attempt budget.
///
/// # Errors
/// 404 for an unknown id; 409 `outbox_not_retryable` for a row that is delivered or being
/// delivered right now.
pub fn retry(
    conn: &mut AnyConnection,
    id: &str,
    now: NaiveDateTime,
) -> Result<OutboxRow, ApiError> {
    let row: OutboxRow = outbox::table
        .find(id)
        .select(OutboxRow::as_select())
        .first(conn)?;
    let in_flight = row.status == DELIVERING && row.locked_until.is_some_and(|t| t >= now);
    if row.status == DONE || in_flight {
        return Err(ApiError::Conflict {
            code: "outbox_not_retryable",
            detail: if row.status == DONE {
                "Это уведомление уже доставлено.".to_owned()
            } else {
                "Это уведомление доставляется прямо сейчас.".to_owned()
            },
        });
    }
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(PENDING),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
            outbox::locked_by.eq(None::<String>),
            outbox::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(outbox::table
        .find(id)
        .select(OutboxRow::as_select())
        .first(conn)?)
}

#[cfg(test)]
mod tests {
    use super::RetryPolicy;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 5,
            base: Duration::from_secs(10),
            cap: Duration::from_secs(60),
        };
        for _ in 0..100 {
            let first = policy.delay(1);
            assert!(first >= Duration::from_secs(5) && first <= Duration::from_secs(10));
            let third = policy.delay(3);
            assert!(third >= Duration::from_secs(20) && third <= Duration::from_secs(40));
            let late = policy.delay(30);
            assert!(late >= Duration::from_secs(30) && late <= Duration::from_secs(60));
        }
    }
}
