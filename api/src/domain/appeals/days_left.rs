//! «осталось 2 раб. дня»: the working days left of an open appeal's deadline, counted on the
//! region's production calendar and clock, for the `working_days_left` of the appeal the
//! teacher and staff read (see `shared::appeals::Appeal` for the meaning of its values).
//!
//! The appeal's view is built deep inside the domain's read closures, far from the
//! application state, so the calendars are reached through [`register`]: startup registers
//! the application's [`Calendars`] (the very object imports reload), and the view reads the
//! registered one. One application per process in production; a test process that starts
//! several reads the last one started, all of which load the same shipped calendar.

use std::sync::{Arc, PoisonError, RwLock};

use chrono::{DateTime, NaiveDateTime, Utc};
use shared::appeals::AppealStatus;

use super::{AppealRow, Viewer};
use crate::calendar::local_date;
use crate::domain::calendar::Calendars;

/// The calendars of the application the process serves.
static CURRENT: RwLock<Option<Arc<Calendars>>> = RwLock::new(None);

/// Makes `calendars` the ones appeals' working days left are counted on.
pub fn register(calendars: &Arc<Calendars>) {
    *CURRENT.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(calendars));
}

/// The working days left of `row`'s deadline as `viewer` reads it at `now` (UTC): only for
/// open appeals (`new`, `in_progress`) with a running deadline, never for integrators (a
/// webhook's payload would keep a count that goes stale).
#[must_use]
pub fn working_days_left(row: &AppealRow, viewer: &Viewer, now: NaiveDateTime) -> Option<i32> {
    if matches!(viewer, Viewer::Integrator)
        || !matches!(row.status, AppealStatus::New | AppealStatus::InProgress)
    {
        return None;
    }
    let deadline = row.deadline_at?;
    let calendars = CURRENT
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()?;
    Some(left(
        &calendars,
        &row.region_code,
        now.and_utc(),
        deadline.and_utc(),
    ))
}

/// Working days of `region` left at `now` until `deadline`: the count of working days after
/// today's local date up to and including the deadline's (at least 1 when the deadline is on
/// a later day), 0 on the deadline's day, and once past it minus the working days after the
/// deadline's day up to and including today (at least 1).
#[must_use]
pub fn left(
    calendars: &Calendars,
    region: &str,
    now: DateTime<Utc>,
    deadline: DateTime<Utc>,
) -> i32 {
    let tz = calendars.tz(region);
    let (today, due) = (local_date(tz, now), local_date(tz, deadline));
    let count = |after, through| {
        let n = calendars.with(|cal| cal.count_working_days(Some(region), after, through));
        i32::try_from(n.max(1)).unwrap_or(i32::MAX)
    };
    if deadline < now {
        -count(due, today)
    } else if due <= today {
        0
    } else {
        count(today, due)
    }
}
