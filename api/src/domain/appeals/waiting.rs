//! «Нужен ваш ответ»: an operator's clarifying question makes the appeal wait for its
//! teacher, and the SLA clock stops meanwhile (DESIGN.md, "Waiting for the teacher").
//!
//! A flag, not a status: the appeal stays `new` / `in_progress` for the operators' queue,
//! and `waiting_since` says the teacher owes a reply. While it is set the deadline is
//! cleared (nothing is overdue or due today while the teacher is the one to act), and
//! `waiting_days_left` keeps the working days that were left when the question was asked.
//! On the teacher's reply the deadline becomes 23:59:59 region time of the N-th working day
//! after the reply's day, N = those days (at least 1), on the production calendar. The
//! thread records both deadlines as system messages.

use chrono::{Datelike, NaiveDateTime};
use diesel::prelude::*;
use shared::appeals::AppealStatus;
use shared::thread::{MessageAuthor, MessageKind};

use super::row::{add_message, AppealRow};
use crate::calendar::SLA_WORKING_DAYS;
use crate::db::schema::appeals as ap;
use crate::db::AnyConnection;
use crate::domain::calendar::Calendars;

/// The appeal waits for its teacher's reply (and for people: `new` or `in_progress`).
#[must_use]
pub fn is_waiting(row: &AppealRow) -> bool {
    row.waiting_since.is_some()
        && matches!(row.status, AppealStatus::New | AppealStatus::InProgress)
}

/// «5 декабря 2026, 23:59» in the region's time zone.
fn local_words(calendars: &Calendars, region: &str, at: NaiveDateTime) -> String {
    let local = at.and_utc().with_timezone(&calendars.tz(region));
    format!(
        "{} {}, {}",
        shared::ru_day_month(local.day(), local.month()),
        local.year(),
        local.format("%H:%M")
    )
}

/// An operator asked a clarifying question: an appeal waiting for people stops its clock
/// (once: a second question while waiting changes nothing).
///
/// # Errors
/// A database failure.
pub fn pause(
    conn: &mut AnyConnection,
    calendars: &Calendars,
    row: &AppealRow,
    now: NaiveDateTime,
) -> QueryResult<()> {
    if row.waiting_since.is_some()
        || !matches!(row.status, AppealStatus::New | AppealStatus::InProgress)
    {
        return Ok(());
    }
    let left = row.deadline_at.map_or(SLA_WORKING_DAYS, |d| {
        calendars.working_days_left(&row.region_code, now.and_utc(), d.and_utc())
    });
    let left = left.max(1);
    diesel::update(ap::table.find(&row.id))
        .set((
            ap::waiting_since.eq(now),
            ap::waiting_days_left.eq(i32::try_from(left).unwrap_or(i32::MAX)),
            ap::deadline_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    let was = row.deadline_at.map_or_else(String::new, |d| {
        format!(
            " Срок был: до {}.",
            local_words(calendars, &row.region_code, d)
        )
    });
    let text = format!(
        "Нужен ответ учителя: срок ответа остановлен до его ответа.{was} Останется рабочих дней: {left}."
    );
    add_message(
        conn,
        &row.id,
        None,
        MessageAuthor::System,
        MessageKind::System,
        &text,
        now,
    )
}

/// The teacher replied: the clock restarts with the working days that were left. Clears the
/// flag in any state; sets the new deadline only while the appeal waits for people.
///
/// # Errors
/// A database failure.
pub fn resume(
    conn: &mut AnyConnection,
    calendars: &Calendars,
    row: &AppealRow,
    now: NaiveDateTime,
) -> QueryResult<()> {
    if row.waiting_since.is_none() {
        return Ok(());
    }
    diesel::update(ap::table.find(&row.id))
        .set((
            ap::waiting_since.eq(None::<NaiveDateTime>),
            ap::waiting_days_left.eq(None::<i32>),
        ))
        .execute(conn)?;
    if !is_waiting(row) {
        return Ok(());
    }
    let left = row
        .waiting_days_left
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(SLA_WORKING_DAYS)
        .max(1);
    let deadline = calendars
        .deadline_after(&row.region_code, now.and_utc(), left)
        .naive_utc();
    diesel::update(ap::table.find(&row.id))
        .set(ap::deadline_at.eq(deadline))
        .execute(conn)?;
    let text = format!(
        "Учитель ответил — срок ответа снова идёт: до {}.",
        local_words(calendars, &row.region_code, deadline)
    );
    add_message(
        conn,
        &row.id,
        None,
        MessageAuthor::System,
        MessageKind::System,
        &text,
        now,
    )
}
