//! Scheduled work. Each job is one transaction that marks what it did together with the
//! notifications it writes, so running it twice — or on two instances at once — does
//! nothing twice:
//! - rating reminders: `appeal_answers.reminder_sent_at` is set by a compare-and-set update
//!   (on PostgreSQL the second instance waits for the first's row lock, then finds the
//!   column set) and the message carries the dedupe key `reminder:<answer>`;
//! - the SLA scan and the daily digest insert a `job_marks` row (`overdue:<appeal>:<deadline>`,
//!   `digest:<user>:<date>`); a mark that already exists means the work was done;
//! - auto-close updates only appeals still in an answered state.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDateTime, Timelike};
use diesel::prelude::*;
use shared::appeals::{AnswerSource, AppealStatus};
use shared::users::Role;

use crate::db::schema::{
    appeal_answers as ans, appeals, job_marks, max_updates, outbox, ratings, regions, users,
};
use crate::db::{self, AnyConnection};
use crate::domain::appeals::{self as appeal, lifecycle};
use crate::domain::notifications::events::{self, AppealEvent};
use crate::domain::notifications::outbox::{EmailDelivery, Notification};
use crate::notify::email::{DigestItem, MailTemplate};
use crate::notify::{bot, clip, local_time};

/// An answer not rated after this long gets one reminder (4 calendar days).
pub const REMINDER_AFTER_HOURS: i64 = 96;
/// An answered appeal with no rating and no follow-up closes after this long.
pub use crate::domain::appeals::lifecycle::AUTO_CLOSE_AFTER_DAYS;
/// Work done per job and run (the rest waits for the next run).
const BATCH: i64 = 200;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Reminders written.
    pub reminders: usize,
    /// `appeal.overdue` events emitted.
    pub overdue: usize,
    /// Digests written.
    pub digests: usize,
    /// Appeals closed as expired.
    pub closed: usize,
}

impl Report {
    /// Nothing happened.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Inserts a mark; false when it exists already (this work was done, maybe by another
/// instance a moment ago). A savepoint keeps the caller's transaction usable.
///
/// # Errors
/// A database failure.
pub fn mark(conn: &mut AnyConnection, key: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(job_marks::table)
            .values((job_marks::mark.eq(key), job_marks::created_at.eq(now)))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e),
    }
}

/// One reminder per answer (bot or operator) still unrated 96 hours after it was given,
/// while the appeal waits for the rating. Older answers superseded by a newer one are
/// marked handled without a message.
///
/// # Errors
/// A database failure.
pub fn rating_reminders(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    let cutoff = now - Duration::hours(REMINDER_AFTER_HOURS);
    let rated = ratings::table.select(ratings::answer_id);
    let candidates: Vec<(String, String, String, String)> = ans::table
        .inner_join(appeals::table)
        .filter(ans::reminder_sent_at.is_null())
        .filter(ans::answered_at.le(cutoff))
        .filter(ans::source.eq_any([AnswerSource::Bot, AnswerSource::Operator]))
        .filter(appeals::status.eq_any([AppealStatus::Answered, AppealStatus::AnsweredByBot]))
        .filter(diesel::dsl::not(ans::id.eq_any(rated)))
        .select((ans::id, ans::appeal_id, appeals::teacher_id, appeals::text))
        .order(ans::id.asc())
        .limit(BATCH)
        .load(conn)?;
    let mut sent = 0;
    for (answer_id, appeal_id, teacher_id, question) in candidates {
        let taken = diesel::update(
            ans::table
                .find(&answer_id)
                .filter(ans::reminder_sent_at.is_null()),
        )
        .set(ans::reminder_sent_at.eq(now))
        .execute(conn)?;
        if taken == 0 {
            continue;
        }
        let latest: Option<String> = ans::table
            .filter(ans::appeal_id.eq(&appeal_id))
            .order((ans::answered_at.desc(), ans::id.desc()))
            .select(ans::id)
            .first(conn)
            .optional()?;
        if latest.as_deref() != Some(answer_id.as_str()) {
            continue;
        }
        let Some(user_id) = events::max_user_of(conn, &teacher_id)? else {
            continue;
        };
        let message = bot::rating_reminder(user_id, &appeal_id, &question);
        let key = format!("reminder:{answer_id}");
        if crate::domain::notifications::outbox::enqueue(
            conn,
            &Notification::MaxMessage(message),
            Some(&key),
        )?
        .is_some()
        {
            sent += 1;
        }
    }
    Ok(sent)
}

/// `appeal.overdue` once per appeal and deadline, for open appeals past their deadline.
///
/// # Errors
/// A database failure.
pub fn sla_scan(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    let overdue: Vec<(String, NaiveDateTime)> = appeals::table
        .filter(appeals::status.eq_any([AppealStatus::New, AppealStatus::InProgress]))
        .filter(appeals::deadline_at.lt(now))
        .select((appeals::id, appeals::deadline_at.assume_not_null()))
        .order(appeals::id.asc())
        .load(conn)?;
    let keyed: Vec<(String, String)> = overdue
        .into_iter()
        .map(|(id, deadline)| {
            let key = format!("overdue:{id}:{}", deadline.and_utc().timestamp());
            (id, key)
        })
        .collect();
    let mut done: HashSet<String> = HashSet::new();
    for chunk in keyed.chunks(500) {
        let keys: Vec<&String> = chunk.iter().map(|(_, k)| k).collect();
        let found: Vec<String> = job_marks::table
            .filter(job_marks::mark.eq_any(keys))
            .select(job_marks::mark)
            .load(conn)?;
        done.extend(found);
    }
    let mut emitted = 0;
    for (id, key) in keyed.iter().filter(|(_, k)| !done.contains(k)).take(200) {
        if !mark(conn, key, now)? {
            continue;
        }
        let row = appeal::reload(conn, id)?;
        appeal::emit(conn, AppealEvent::Overdue, &row)?;
        emitted += 1;
    }
    Ok(emitted)
}

/// One digest per opted-in operator (or regional head) and local day, from `hour` local
/// time of their first region: the open appeals of their regions that are overdue or due
/// today (each region's own date), and for operators the count of verification requests
/// waiting for a decision. Nothing is sent on a day with nothing to report. No
/// names: only the region, the deadline and the first words of the question.
///
/// # Errors
/// A database failure.
pub fn daily_digests(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    hour: u32,
) -> QueryResult<usize> {
    let people: Vec<(String, Role, String)> = users::table
        .filter(users::role.eq_any([Role::Operator, Role::RegionalHead]))
        .filter(users::notify_daily_digest_email.eq(true))
        .filter(users::is_blocked.eq(false))
        .filter(users::erased_at.is_null())
        .filter(users::email.is_not_null())
        .select((users::id, users::role, users::email.assume_not_null()))
        .order(users::id.asc())
        .load(conn)?;
    if people.is_empty() {
        return Ok(0);
    }
    let zones: HashMap<String, (String, chrono_tz::Tz)> = regions::table
        .select((regions::code, regions::name, regions::timezone))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(code, name, tz)| {
            (
                code,
                (name, tz.parse().unwrap_or(chrono_tz::Europe::Moscow)),
            )
        })
        .collect();
    let local_date = |code: &str, at: NaiveDateTime| {
        let tz = zones.get(code).map_or(chrono_tz::Europe::Moscow, |z| z.1);
        at.and_utc().with_timezone(&tz).date_naive()
    };
    let mut written = 0;
    for (user_id, role, email) in people {
        let codes = db::user_regions(conn, &user_id)?;
        let Some(home) = codes.first() else { continue };
        let home_tz = zones.get(home).map_or(chrono_tz::Europe::Moscow, |z| z.1);
        let local_now = now.and_utc().with_timezone(&home_tz);
        if local_now.hour() < hour {
            continue;
        }
        let today = local_now.date_naive();
        let key = format!("digest:{user_id}:{today}");
        if !mark(conn, &key, now)? {
            continue;
        }
        let open: Vec<(String, String, String, String, NaiveDateTime)> = appeals::table
            .filter(appeals::region_code.eq_any(&codes))
            .filter(appeals::status.eq_any([AppealStatus::New, AppealStatus::InProgress]))
            .filter(appeals::deadline_at.is_not_null())
            .select((
                appeals::id,
                appeals::number,
                appeals::region_code,
                appeals::text,
                appeals::deadline_at.assume_not_null(),
            ))
            .order((appeals::deadline_at.asc(), appeals::id.asc()))
            .limit(1000)
            .load(conn)?;
        let mut overdue = Vec::new();
        let mut due_today = Vec::new();
        for (id, number, code, text, deadline) in open {
            let (region, tz) = zones
                .get(&code)
                .map_or((code.clone(), "Europe/Moscow".to_owned()), |z| {
                    (z.0.clone(), z.1.name().to_owned())
                });
            let item = DigestItem {
                appeal_id: id,
                number,
                region,
                excerpt: clip(&text.split_whitespace().collect::<Vec<_>>().join(" "), 100),
                deadline: local_time(&db::rfc3339(deadline), &tz),
            };
            if deadline < now {
                overdue.push(item);
            } else if local_date(&code, deadline) == local_date(&code, now) {
                due_today.push(item);
            }
        }
        // Operators decide verification requests; heads only watch the appeals.
        let verification_waiting = if role == Role::Operator {
            waiting_verifications(conn, &codes)?
        } else {
            0
        };
        if overdue.is_empty() && due_today.is_empty() && verification_waiting == 0 {
            continue;
        }
        overdue.truncate(50);
        due_today.truncate(50);
        let mail = MailTemplate::Digest {
            date: format!("{:02}.{:02}.{}", today.day(), today.month(), today.year()),
            overdue,
            due_today,
            verification_waiting,
        };
        let delivery = Notification::Email(EmailDelivery { to: email, mail });
        if crate::domain::notifications::outbox::enqueue(conn, &delivery, Some(&key))?.is_some() {
            written += 1;
        }
    }
    Ok(written)
}

/// Teachers of `codes` whose verification request waits for a decision (the operators'
/// «Верификация» tab lists the same people).
fn waiting_verifications(conn: &mut AnyConnection, codes: &[String]) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq(Role::Teacher))
        .filter(users::verification_status.eq(shared::users::VerificationStatus::Pending))
        .filter(users::region_code.eq_any(codes))
        .filter(users::erased_at.is_null())
        .count()
        .get_result(conn)
}

/// Closes (`closed`, reason `expired`) answered appeals whose latest answer is 14 days old,
/// unrated, and not followed up (the rule: [`lifecycle::expire_stale`]).
///
/// # Errors
/// A database failure.
pub fn auto_close(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    lifecycle::expire_stale(conn, now, BATCH)
}

/// Forgets what no longer matters: delivered outbox rows after 30 days, handled bot
/// updates after 7 (MAX redelivers within minutes), digest marks after 7, invitations
/// 30 days after they ended, sign-in throttle counts after a day, stored idempotent answers
/// once their key expires (24 hours), the name and contact of people without an account
/// 30 days after their appeal closed.
///
/// # Errors
/// A database failure.
pub fn cleanup(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<()> {
    diesel::delete(
        outbox::table
            .filter(outbox::status.eq(crate::domain::notifications::outbox::DONE))
            .filter(outbox::delivered_at.lt(now - Duration::days(30))),
    )
    .execute(conn)?;
    diesel::delete(max_updates::table.filter(max_updates::received_at.lt(now - Duration::days(7))))
        .execute(conn)?;
    diesel::delete(
        job_marks::table
            .filter(job_marks::mark.like("digest:%"))
            .filter(job_marks::created_at.lt(now - Duration::days(7))),
    )
    .execute(conn)?;
    crate::domain::users::invitations::forget_old(conn, now)?;
    crate::auth::throttle::forget_old(conn, now)?;
    crate::idempotency::forget_old(conn, now)?;
    crate::domain::appeals::on_behalf::forget_unregistered(conn, now)?;
    Ok(())
}
