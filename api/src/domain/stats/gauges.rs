//! The figures an alerting system watches between scrapes: the outbox's backlog and its dead
//! rows, and the appeals past their deadline now. Counted on each `/metrics` scrape (a few
//! indexed counts), so every instance reports the same database-wide value and an alert can
//! take the maximum over instances.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::OPEN;
use crate::db::schema::{appeals as ap, outbox};
use crate::db::AnyConnection;
use crate::domain::notifications::outbox::{DEAD, PENDING};

/// Database-wide gauges for monitoring.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gauges {
    /// Outbox rows waiting for delivery (webhooks, e-mails, bot messages).
    pub outbox_pending: i64,
    /// Outbox rows that gave up after their last attempt.
    pub outbox_dead: i64,
    /// Open appeals whose deadline has passed.
    pub appeals_overdue: i64,
}

/// Counts the gauges at `now`.
///
/// # Errors
/// A database error.
pub fn read(conn: &mut AnyConnection, now: DateTime<Utc>) -> QueryResult<Gauges> {
    let outbox_pending = outbox::table
        .filter(outbox::status.eq(PENDING))
        .count()
        .get_result(conn)?;
    let outbox_dead = outbox::table
        .filter(outbox::status.eq(DEAD))
        .count()
        .get_result(conn)?;
    let appeals_overdue = ap::table
        .filter(ap::status.eq_any(OPEN))
        .filter(ap::deadline_at.lt(now.naive_utc()))
        .count()
        .get_result(conn)?;
    Ok(Gauges {
        outbox_pending,
        outbox_dead,
        appeals_overdue,
    })
}
