//! The working-day calendar as stored in `calendar_days` (federal rows under region `''`,
//! regional overlays under their code), seeded with the shipped years 2024–2026, and held in
//! memory ([`Calendars`]) for deadline arithmetic.

use std::collections::{BTreeMap, HashMap};
use std::sync::RwLock;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;

use crate::calendar::{self, CalendarDay, DayKind, ParsedYear, WorkCalendar};
use crate::db::schema::{calendar_days as cd, calendar_years as cy, regions};
use crate::db::{self, AnyConnection};

/// Production calendars shipped inside the binary (from `data/calendar`).
const SHIPPED: [(i32, &str); 3] = [
    (2024, include_str!("../../../../data/calendar/ru-2024.xml")),
    (2025, include_str!("../../../../data/calendar/ru-2025.xml")),
    (2026, include_str!("../../../../data/calendar/ru-2026.xml")),
];

/// Region code under which federal rows are stored.
const FEDERAL: &str = "";

/// Calendar plus each region's time zone.
pub struct Calendars {
    calendar: RwLock<WorkCalendar>,
    timezones: HashMap<String, Tz>,
}

impl std::fmt::Debug for Calendars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Calendars({} regions)", self.timezones.len())
    }
}

/// Stores a parsed year for the federal calendar (`None`) or a region's overlay, replacing
/// what was stored for that year and scope.
///
/// # Errors
/// A database failure.
pub fn store_year(
    conn: &mut AnyConnection,
    region: Option<&str>,
    year: &ParsedYear,
    by: Option<&str>,
) -> QueryResult<()> {
    let scope = region.unwrap_or(FEDERAL);
    let (first, last) = year_bounds(year.year);
    diesel::delete(
        cd::table
            .filter(cd::region_code.eq(scope))
            .filter(cd::day.ge(first))
            .filter(cd::day.le(last)),
    )
    .execute(conn)?;
    for day in &year.days {
        diesel::insert_into(cd::table)
            .values((
                cd::region_code.eq(scope),
                cd::day.eq(day.date),
                cd::kind.eq(day.kind.as_str()),
                cd::holiday.eq(day.holiday.as_deref()),
                cd::transferred_from.eq(day.transferred_from),
            ))
            .execute(conn)?;
    }
    diesel::delete(
        cy::table
            .filter(cy::region_code.eq(scope))
            .filter(cy::year.eq(year.year)),
    )
    .execute(conn)?;
    diesel::insert_into(cy::table)
        .values((
            cy::region_code.eq(scope),
            cy::year.eq(year.year),
            cy::imported_by.eq(by),
            cy::imported_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

fn year_bounds(year: i32) -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default(),
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default(),
    )
}

/// Stores the shipped years that are not stored yet (first start).
///
/// # Errors
/// A shipped file that does not parse (a broken build), or a database failure.
pub fn seed_shipped(conn: &mut AnyConnection) -> anyhow::Result<()> {
    for (year, xml) in SHIPPED {
        let stored: i64 = cy::table
            .filter(cy::region_code.eq(FEDERAL))
            .filter(cy::year.eq(year))
            .count()
            .get_result(conn)?;
        if stored == 0 {
            let parsed = calendar::parse_xmlcalendar_for_year(xml, year)?;
            conn.transaction(|conn| store_year(conn, None, &parsed, None))?;
        }
    }
    Ok(())
}

/// Reads every stored year into a calendar.
///
/// # Errors
/// A database failure.
pub fn load_calendar(conn: &mut AnyConnection) -> QueryResult<WorkCalendar> {
    let years: Vec<(String, i32)> = cy::table.select((cy::region_code, cy::year)).load(conn)?;
    type Row = (String, NaiveDate, String, Option<String>, Option<NaiveDate>);
    let rows: Vec<Row> = cd::table
        .select((
            cd::region_code,
            cd::day,
            cd::kind,
            cd::holiday,
            cd::transferred_from,
        ))
        .load(conn)?;
    let mut grouped: BTreeMap<(String, i32), Vec<CalendarDay>> =
        years.into_iter().map(|key| (key, Vec::new())).collect();
    for (region, date, kind, holiday, transferred_from) in rows {
        let kind: DayKind = kind.parse().unwrap_or(DayKind::Working);
        grouped
            .entry((region, date.year()))
            .or_default()
            .push(CalendarDay {
                date,
                kind,
                holiday,
                transferred_from,
            });
    }
    let mut calendar = WorkCalendar::new();
    for ((region, year), days) in grouped {
        let scope = (region != FEDERAL).then_some(region.as_str());
        calendar.load_year(scope, ParsedYear { year, days });
    }
    Ok(calendar)
}

impl Calendars {
    /// Loads the stored calendar and the regions' time zones.
    ///
    /// # Errors
    /// A database failure.
    pub fn load(conn: &mut AnyConnection) -> QueryResult<Self> {
        let zones: Vec<(String, String)> = regions::table
            .select((regions::code, regions::timezone))
            .load(conn)?;
        let timezones = zones
            .into_iter()
            .map(|(code, tz)| (code, tz.parse::<Tz>().unwrap_or(chrono_tz::Europe::Moscow)))
            .collect();
        Ok(Self {
            calendar: RwLock::new(load_calendar(conn)?),
            timezones,
        })
    }

    /// Re-reads the stored calendar (after an import).
    ///
    /// # Errors
    /// A database failure.
    pub fn reload(&self, conn: &mut AnyConnection) -> QueryResult<()> {
        let fresh = load_calendar(conn)?;
        *self
            .calendar
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
        Ok(())
    }

    /// The region's time zone (Moscow for an unknown code).
    #[must_use]
    pub fn tz(&self, region: &str) -> Tz {
        self.timezones
            .get(region)
            .copied()
            .unwrap_or(chrono_tz::Europe::Moscow)
    }

    /// The SLA deadline of an appeal arriving at `at` in `region`.
    #[must_use]
    pub fn deadline(&self, region: &str, at: DateTime<Utc>) -> DateTime<Utc> {
        let calendar = self
            .calendar
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        calendar::sla_deadline(
            &calendar,
            Some(region),
            self.tz(region),
            at,
            calendar::SLA_WORKING_DAYS,
        )
    }

    /// Working days of `region` after the local date of `at` up to and including the local
    /// date of `deadline` (0 when the deadline has passed): what was left of a deadline when
    /// its clock stopped (an operator's clarifying question).
    #[must_use]
    pub fn working_days_left(
        &self,
        region: &str,
        at: DateTime<Utc>,
        deadline: DateTime<Utc>,
    ) -> u32 {
        let tz = self.tz(region);
        let (from, through) = (
            calendar::local_date(tz, at),
            calendar::local_date(tz, deadline),
        );
        self.with(|cal| cal.count_working_days(Some(region), from, through))
    }

    /// 23:59:59 region time of the `n`-th working day after the local date of `at`: the
    /// deadline of an appeal whose clock restarts at `at` with `n` working days left.
    #[must_use]
    pub fn deadline_after(&self, region: &str, at: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        let tz = self.tz(region);
        self.with(|cal| calendar::sla_deadline(cal, Some(region), tz, at, n))
    }

    /// Runs `f` with the calendar (year views, working-day counts).
    pub fn with<T>(&self, f: impl FnOnce(&WorkCalendar) -> T) -> T {
        f(&self
            .calendar
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Years the service needs now (this one, and the next from December) that have no
    /// published calendar: deadlines there fall back to Monday–Friday minus fixed holidays.
    #[must_use]
    pub fn missing_years(&self, now: DateTime<Utc>) -> Vec<i32> {
        let mut needed = vec![now.year()];
        if now.month() == 12 {
            needed.push(now.year() + 1);
        }
        self.with(|c| c.missing_years(needed))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    /// The shipped 2025 and 2026 calendars; region 16 in Moscow time.
    fn calendars() -> Calendars {
        let mut cal = WorkCalendar::new();
        for xml in [
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../data/calendar/ru-2025.xml"
            )),
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../data/calendar/ru-2026.xml"
            )),
        ] {
            cal.load_xml(None, xml).unwrap();
        }
        Calendars {
            calendar: RwLock::new(cal),
            timezones: HashMap::from([("16".to_owned(), chrono_tz::Europe::Moscow)]),
        }
    }

    fn msk(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        chrono_tz::Europe::Moscow
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    /// «Нужен ваш ответ»: the clock stops at the question and restarts at the reply with the
    /// working days that were left, so the deadline moves by the working days waited.
    #[test]
    fn a_wait_for_the_teacher_moves_the_deadline_by_the_working_days_waited() {
        let c = calendars();
        // Asked Monday 1 Dec 2025: deadline Monday 8 Dec, 23:59:59 MSK.
        let deadline = c.deadline("16", msk(2025, 12, 1, 10));
        assert_eq!(
            deadline,
            msk(2025, 12, 8, 23) + chrono::Duration::seconds(3599)
        );
        // Clarifying question on Wednesday 3 Dec: Thu, Fri, Mon = 3 working days left.
        let left = c.working_days_left("16", msk(2025, 12, 3, 15), deadline);
        assert_eq!(left, 3);
        // The same day's reply keeps the deadline.
        assert_eq!(c.deadline_after("16", msk(2025, 12, 3, 18), left), deadline);
        // A reply on Friday 5 Dec (two working days later): Mon, Tue, Wed → 10 Dec.
        let moved = c.deadline_after("16", msk(2025, 12, 5, 9), left);
        assert_eq!(
            moved,
            msk(2025, 12, 10, 23) + chrono::Duration::seconds(3599)
        );
        // Across the New Year break: a reply on 31 Dec 2025 with 2 days left → 12, 13 Jan.
        let after_break = c.deadline_after("16", msk(2025, 12, 31, 12), 2);
        assert_eq!(
            after_break,
            msk(2026, 1, 13, 23) + chrono::Duration::seconds(3599)
        );
        // Past its deadline nothing is left (the caller asks for at least one day).
        assert_eq!(c.working_days_left("16", msk(2025, 12, 9, 10), deadline), 0);
    }
}
