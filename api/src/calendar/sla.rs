//! SLA deadlines and working-time measures, each computed in the region's own time zone.
//!
//! An appeal's deadline is 23:59:59 local time of the 5th working day after the local day it
//! arrived (the arrival day never counts, whatever the hour). "Local" is always the region's
//! zone from regions.csv: the same UTC instant can be Friday evening in Kaliningrad and
//! already Saturday in Kamchatka, which changes the deadline.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::WorkCalendar;

/// Working days an appeal has for an answer (DESIGN.md, "Appeal lifecycle").
pub const SLA_WORKING_DAYS: u32 = 5;

/// 23:59:59, the deadline's wall-clock time (checked at compile time).
const END_OF_DAY: NaiveTime = match NaiveTime::from_hms_opt(23, 59, 59) {
    Some(t) => t,
    None => panic!("23:59:59 is a valid time"),
};

/// The date `at` falls on in `tz` (for "due today" by each region's own date).
#[must_use]
pub fn local_date(tz: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// Deadline for an appeal that arrived at `arrived_at` in a region with zone `tz`:
/// 23:59:59 local time of the `working_days`-th working day strictly after the local date of
/// arrival (for `working_days = 0`, the end of the arrival day itself), in UTC.
/// Pass [`SLA_WORKING_DAYS`] for the standard SLA. Overdue means `now > deadline`.
#[must_use]
pub fn sla_deadline(
    cal: &WorkCalendar,
    region: Option<&str>,
    tz: Tz,
    arrived_at: DateTime<Utc>,
    working_days: u32,
) -> DateTime<Utc> {
    let arrival_day = local_date(tz, arrived_at);
    let due_day = cal.add_working_days(region, arrival_day, working_days);
    end_of_local_day(tz, due_day)
}

/// 23:59:59 local time of `date` in `tz`, in UTC. When that wall-clock time occurs twice
/// (clocks set back) the later instant is taken, since a deadline should not be shortened by
/// a clock change; when it does not exist (clocks jumped over it) the last existing minute
/// before it is taken. Russian zones have had no clock changes since 2014, but the historical
/// rules of chrono-tz still apply to old dates.
#[must_use]
pub fn end_of_local_day(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    resolve_local(tz, date.and_time(END_OF_DAY), Direction::Backward)
}

/// The first instant of `date` in `tz` (local midnight, or the first existing time of the day
/// when midnight was skipped by a clock change), in UTC.
#[must_use]
pub fn start_of_local_day(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    resolve_local(tz, date.and_time(NaiveTime::MIN), Direction::Forward)
}

/// Which way to move off a wall-clock time that does not exist, and which of two candidates
/// to take when it exists twice.
#[derive(Clone, Copy)]
enum Direction {
    /// Earlier: use the later of two instants, step back out of a gap (end of a day).
    Backward,
    /// Later: use the earlier of two instants, step forward out of a gap (start of a day).
    Forward,
}

fn resolve_local(tz: Tz, naive: NaiveDateTime, direction: Direction) -> DateTime<Utc> {
    let step = match direction {
        Direction::Backward => Duration::minutes(-1),
        Direction::Forward => Duration::minutes(1),
    };
    let mut candidate = naive;
    // Gaps are at most a few hours; a day of minutes is a generous bound that still ends.
    for _ in 0..=24 * 60 {
        match (tz.from_local_datetime(&candidate), direction) {
            (LocalResult::Single(t), _) => return t.with_timezone(&Utc),
            (LocalResult::Ambiguous(_, later), Direction::Backward) => {
                return later.with_timezone(&Utc);
            }
            (LocalResult::Ambiguous(earlier, _), Direction::Forward) => {
                return earlier.with_timezone(&Utc);
            }
            (LocalResult::None, _) => match candidate.checked_add_signed(step) {
                Some(next) => candidate = next,
                None => break,
            },
        }
    }
    // Unreachable with real zone data; reading the wall clock as UTC is at most hours off.
    naive.and_utc()
}

/// Elapsed working time from `start` to `end`, in working days, for "median time to first
/// answer in working days".
///
/// Each working day of the region (local calendar day, shortened days and working weekends
/// included) counts as 1.0 for its whole 24 local hours; days off count 0; a partly covered
/// working day counts pro rata by the time covered. So an appeal that arrives on Friday at
/// 18:00 and is answered on Monday at 10:00 took 0.25 + 0.4167 ≈ 0.67 working days, one
/// answered in an hour on a working day 0.04, one answered on Sunday from Saturday 0.0.
/// Working hours within a day are not modelled: the SLA itself counts whole days.
/// Returns 0.0 when `end <= start`. For the SLA's own counting (which working day after
/// arrival) see [`whole_working_days_between`].
#[must_use]
pub fn working_days_between(
    cal: &WorkCalendar,
    region: Option<&str>,
    tz: Tz,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> f64 {
    if end <= start {
        return 0.0;
    }
    let last = local_date(tz, end);
    let mut total = 0.0;
    for date in local_date(tz, start).iter_days().take_while(|d| *d <= last) {
        if !cal.is_working_day(region, date) {
            continue;
        }
        let day_start = start_of_local_day(tz, date);
        let day_end = date
            .succ_opt()
            .map_or(day_start + Duration::days(1), |next| {
                start_of_local_day(tz, next)
            });
        let covered = end.min(day_end) - start.max(day_start);
        let length = (day_end - day_start).num_milliseconds();
        if covered > Duration::zero() && length > 0 {
            total += covered.num_milliseconds() as f64 / length as f64;
        }
    }
    total
}

/// Number of working days after the local day of `start` up to and including the local day
/// of `end` (0 if answered on the arrival day or before any working day passed): the same
/// counting as the SLA, so an answer given on or before the deadline has a value of at most
/// [`SLA_WORKING_DAYS`] (the converse fails only for an answer given on a day off right
/// after the deadline day).
#[must_use]
pub fn whole_working_days_between(
    cal: &WorkCalendar,
    region: Option<&str>,
    tz: Tz,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> u32 {
    cal.count_working_days(region, local_date(tz, start), local_date(tz, end))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn end_of_day_takes_later_instant_when_ambiguous_and_steps_out_of_gaps() {
        // Europe/Moscow on 1 October 1981 left summer time at 00:00 MSD → 23:00 MSK of
        // 30 September, so 23:00–23:59:59 of that day happened twice: take the later (MSK).
        let tz: Tz = "Europe/Moscow".parse().unwrap();
        let d = NaiveDate::from_ymd_opt(1981, 9, 30).unwrap();
        let end = end_of_local_day(tz, d);
        assert_eq!(
            end.with_timezone(&tz).naive_local(),
            d.and_hms_opt(23, 59, 59).unwrap()
        );
        assert_eq!(end, Utc.with_ymd_and_hms(1981, 9, 30, 20, 59, 59).unwrap());
        // America/Havana switches at midnight: 2024-03-10 00:00 does not exist.
        let havana: Tz = "America/Havana".parse().unwrap();
        let day = NaiveDate::from_ymd_opt(2024, 3, 10).unwrap();
        let start = start_of_local_day(havana, day);
        assert_eq!(local_date(havana, start), day);
        assert_eq!(
            start.with_timezone(&havana).naive_local(),
            day.and_hms_opt(1, 0, 0).unwrap()
        );
        assert_eq!(
            local_date(havana, start - Duration::seconds(1)),
            day.pred_opt().unwrap()
        );
    }
}
