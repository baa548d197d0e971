//! The loaded calendar ([`WorkCalendar`]): federal years, regional overlays and the statutory
//! fallback for years nobody has imported yet.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, Weekday};

use super::{CalendarDay, CalendarError, DayKind, ParsedYear};

/// The fixed non-working holidays of the Labour Code of the Russian Federation, art. 112
/// part 1, as `(month, day, name)`. The names are the ones the published xmlcalendar files use.
pub const FIXED_HOLIDAYS: [(u32, u32, &str); 14] = [
    (1, 1, NEW_YEAR),
    (1, 2, NEW_YEAR),
    (1, 3, NEW_YEAR),
    (1, 4, NEW_YEAR),
    (1, 5, NEW_YEAR),
    (1, 6, NEW_YEAR),
    (1, 7, "Рождество Христово"),
    (1, 8, NEW_YEAR),
    (2, 23, "День защитника Отечества"),
    (3, 8, "Международный женский день"),
    (5, 1, "Праздник Весны и Труда"),
    (5, 9, "День Победы"),
    (6, 12, "День России"),
    (11, 4, "День народного единства"),
];

const NEW_YEAR: &str = "Новогодние каникулы";

/// The Labour Code name of the fixed holiday on `date`, if it is one.
#[must_use]
pub fn fixed_holiday_name(date: NaiveDate) -> Option<&'static str> {
    FIXED_HOLIDAYS
        .iter()
        .find(|(m, d, _)| *m == date.month() && *d == date.day())
        .map(|(_, _, name)| *name)
}

/// The statutory calendar of a year nobody has imported: the days it lists, in the shape a
/// parsed file would have.
///
/// Monday–Friday are working days except the fixed holidays of art. 112 part 1. In addition,
/// art. 112 part 2 moves by law (no government decree needed) a day off that coincides with
/// one of the February–November holidays to the next working day after the holiday: in 2027
/// 1 May (Saturday) makes Monday 3 May a day off, 9 May (Sunday) makes Monday 10 May one and
/// 12 June (Saturday) Monday 14 June. The January holidays are exempt from that rule (the
/// government moves them by decree, which only an import can know), as are the decree's other
/// transfers and the shortened pre-holiday days, so the fallback is an approximation and the
/// caller should warn until the real year is imported.
#[must_use]
pub fn fallback_year(year: i32) -> ParsedYear {
    let mut days: Vec<CalendarDay> = FIXED_HOLIDAYS
        .iter()
        .filter_map(|&(m, d, name)| {
            Some(CalendarDay {
                date: NaiveDate::from_ymd_opt(year, m, d)?,
                kind: DayKind::DayOff,
                holiday: Some(name.to_owned()),
                transferred_from: None,
            })
        })
        .collect();
    days.extend(
        statutory_transfers(year)
            .into_iter()
            .map(|(date, from)| CalendarDay {
                date,
                kind: DayKind::DayOff,
                holiday: None,
                transferred_from: Some(from),
            }),
    );
    days.sort_by_key(|d| d.date);
    ParsedYear { year, days }
}

/// `(day off, holiday it comes from)` for every February–November fixed holiday of `year` that
/// falls on a Saturday or Sunday (art. 112 part 2), in date order. The target is the first
/// Monday–Friday after the holiday that is neither a fixed holiday nor already a target.
fn statutory_transfers(year: i32) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for &(m, d, _) in FIXED_HOLIDAYS.iter().filter(|(m, _, _)| *m != 1) {
        let Some(holiday) = NaiveDate::from_ymd_opt(year, m, d) else {
            continue;
        };
        if !is_weekend(holiday) {
            continue;
        }
        let mut candidate = holiday;
        // A week always contains a free Monday–Friday: at most two holidays are close enough
        // to compete for it.
        for _ in 0..14 {
            let Some(next) = candidate.succ_opt() else {
                break;
            };
            candidate = next;
            let taken = out.iter().any(|(target, _)| *target == candidate);
            if !is_weekend(candidate) && fixed_holiday_name(candidate).is_none() && !taken {
                if candidate.year() == year {
                    out.push((candidate, holiday));
                }
                break;
            }
        }
    }
    out
}

/// Kind of `date` when its year has no data at all.
fn fallback_kind(date: NaiveDate) -> DayKind {
    if is_weekend(date) || fixed_holiday_name(date).is_some() {
        return DayKind::DayOff;
    }
    // Only a Monday–Friday in February–November can be a statutory transfer target.
    let transferred = date.month() != 1
        && statutory_transfers(date.year())
            .iter()
            .any(|(target, _)| *target == date);
    if transferred {
        DayKind::DayOff
    } else {
        DayKind::Working
    }
}

/// Kind of an unlisted `date` in a year that has data: the plain weekday rule.
fn weekday_kind(date: NaiveDate) -> DayKind {
    if is_weekend(date) {
        DayKind::DayOff
    } else {
        DayKind::Working
    }
}

/// Saturday or Sunday.
pub(super) fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Days of one year of one scope, by date.
type YearDays = BTreeMap<NaiveDate, CalendarDay>;

/// The production calendar as loaded: federal years (region `None`) and regional overlays
/// (region `Some(code)`, the region code of regions.csv), each holding only listed days.
///
/// Lookup order for a date: the region's overlay day, then the federal day, then the weekday
/// rule if the federal year is loaded, else the statutory fallback ([`fallback_year`]).
/// Cheap to clone; share it read-only (it is `Send + Sync`) and swap the whole value after an
/// import.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    federal: HashMap<i32, YearDays>,
    overlays: HashMap<String, HashMap<i32, YearDays>>,
}

impl WorkCalendar {
    /// An empty calendar: every year uses the fallback.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores `year` for the federal calendar (`region = None`) or as the overlay of `region`,
    /// replacing whatever that scope had for that year (an import is the whole year, so days
    /// dropped from the new file must disappear). Days whose date is not in `year.year` are
    /// ignored: they could never be looked up under that year.
    pub fn load_year(&mut self, region: Option<&str>, year: ParsedYear) {
        let days: YearDays = year
            .days
            .into_iter()
            .filter(|d| d.date.year() == year.year)
            .map(|d| (d.date, d))
            .collect();
        match region {
            None => {
                self.federal.insert(year.year, days);
            }
            Some(code) => {
                self.overlays
                    .entry(code.to_owned())
                    .or_default()
                    .insert(year.year, days);
            }
        }
    }

    /// Parses an xmlcalendar document and loads it (see [`WorkCalendar::load_year`]); returns
    /// the year loaded.
    ///
    /// # Errors
    ///
    /// As [`super::parse_xmlcalendar`]; the calendar is unchanged on error.
    pub fn load_xml(&mut self, region: Option<&str>, xml: &str) -> Result<i32, CalendarError> {
        let parsed = super::parse_xmlcalendar(xml)?;
        let year = parsed.year;
        self.load_year(region, parsed);
        Ok(year)
    }

    /// Removes a year of a scope (e.g. a regional overlay deleted); returns whether it was
    /// there. Removing a federal year brings the fallback back for it.
    pub fn unload_year(&mut self, region: Option<&str>, year: i32) -> bool {
        match region {
            None => self.federal.remove(&year).is_some(),
            Some(code) => self
                .overlays
                .get_mut(code)
                .is_some_and(|years| years.remove(&year).is_some()),
        }
    }

    /// Whether federal data for `year` is loaded (if not, the fallback is in use and the
    /// caller should warn).
    #[must_use]
    pub fn has_year(&self, year: i32) -> bool {
        self.federal.contains_key(&year)
    }

    /// Whether `region` has an overlay loaded for `year`.
    #[must_use]
    pub fn has_overlay(&self, region: &str, year: i32) -> bool {
        self.overlays
            .get(region)
            .is_some_and(|years| years.contains_key(&year))
    }

    /// Years with federal data, ascending.
    #[must_use]
    pub fn federal_years(&self) -> Vec<i32> {
        let mut years: Vec<i32> = self.federal.keys().copied().collect();
        years.sort_unstable();
        years
    }

    /// Those of `years` that have no federal data, ascending and without repeats
    /// (e.g. `missing_years(today.year()..=today.year() + 1)` for the `/readyz` warning).
    #[must_use]
    pub fn missing_years(&self, years: impl IntoIterator<Item = i32>) -> Vec<i32> {
        let mut missing: Vec<i32> = years.into_iter().filter(|y| !self.has_year(*y)).collect();
        missing.sort_unstable();
        missing.dedup();
        missing
    }

    /// The listed day for `date` in this scope, overlay first.
    fn stored(&self, region: Option<&str>, date: NaiveDate) -> Option<&CalendarDay> {
        let year = date.year();
        region
            .and_then(|code| self.overlays.get(code))
            .and_then(|years| years.get(&year))
            .and_then(|days| days.get(&date))
            .or_else(|| self.federal.get(&year).and_then(|days| days.get(&date)))
    }

    /// Kind of `date` for `region` (`None` = federal): overlay > federal > weekday rule or
    /// fallback.
    #[must_use]
    pub fn kind(&self, region: Option<&str>, date: NaiveDate) -> DayKind {
        match self.stored(region, date) {
            Some(day) => day.kind,
            None if self.has_year(date.year()) => weekday_kind(date),
            None => fallback_kind(date),
        }
    }

    /// Whether `date` is a working day (shortened days and working weekends included).
    #[must_use]
    pub fn is_working_day(&self, region: Option<&str>, date: NaiveDate) -> bool {
        self.kind(region, date).is_working()
    }

    /// Everything known about `date` for `region`: kind, holiday name, transfer origin.
    #[must_use]
    pub fn day(&self, region: Option<&str>, date: NaiveDate) -> CalendarDay {
        if let Some(day) = self.stored(region, date) {
            return day.clone();
        }
        if self.has_year(date.year()) {
            return CalendarDay {
                date,
                kind: weekday_kind(date),
                holiday: None,
                transferred_from: None,
            };
        }
        let kind = fallback_kind(date);
        let transferred_from = match (kind, fixed_holiday_name(date)) {
            (DayKind::DayOff, None) if !is_weekend(date) => statutory_transfers(date.year())
                .into_iter()
                .find(|(target, _)| *target == date)
                .map(|(_, from)| from),
            _ => None,
        };
        CalendarDay {
            date,
            kind,
            holiday: fixed_holiday_name(date).map(str::to_owned),
            transferred_from,
        }
    }

    /// The `n`-th working day strictly after `from` for `region`; `from` itself when `n` is 0.
    /// (Saturates at the last representable date instead of overflowing.)
    #[must_use]
    pub fn add_working_days(&self, region: Option<&str>, from: NaiveDate, n: u32) -> NaiveDate {
        let mut date = from;
        let mut left = n;
        while left > 0 {
            let Some(next) = date.succ_opt() else {
                return date;
            };
            date = next;
            if self.is_working_day(region, date) {
                left -= 1;
            }
        }
        date
    }

    /// Number of working days `d` with `after < d <= through` for `region` (0 when `through`
    /// is not after `after`): "on which working day after `after` did `through` fall".
    #[must_use]
    pub fn count_working_days(
        &self,
        region: Option<&str>,
        after: NaiveDate,
        through: NaiveDate,
    ) -> u32 {
        after
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= through)
            .filter(|d| self.is_working_day(region, *d))
            .fold(0u32, |n, _| n.saturating_add(1))
    }

    /// Every day of `year` for `region` with its kind, holiday and transfer origin, in date
    /// order (365 or 366 entries), for `GET /calendar/{year}`. Uses the fallback for a year
    /// without federal data; check [`WorkCalendar::has_year`] to say so.
    #[must_use]
    pub fn year_view(&self, region: Option<&str>, year: i32) -> Vec<CalendarDay> {
        let Some(first) = NaiveDate::from_ymd_opt(year, 1, 1) else {
            return Vec::new();
        };
        first
            .iter_days()
            .take_while(|d| d.year() == year)
            .map(|d| self.day(region, d))
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn statutory_transfers_of_2027_and_2026() {
        assert_eq!(
            statutory_transfers(2027),
            vec![
                (ymd(2027, 5, 3), ymd(2027, 5, 1)),
                (ymd(2027, 5, 10), ymd(2027, 5, 9)),
                (ymd(2027, 6, 14), ymd(2027, 6, 12)),
            ]
        );
        // 2026: 8 March is a Sunday, 9 May a Saturday — the published file has exactly these.
        assert_eq!(
            statutory_transfers(2026),
            vec![
                (ymd(2026, 3, 9), ymd(2026, 3, 8)),
                (ymd(2026, 5, 11), ymd(2026, 5, 9)),
            ]
        );
        // 2024: no February–November holiday on a weekend.
        assert!(statutory_transfers(2024).is_empty());
    }

    #[test]
    fn transfers_land_on_distinct_free_weekdays_right_after_the_holiday() {
        for year in 1990..2100 {
            let t = statutory_transfers(year);
            let mut targets: Vec<_> = t.iter().map(|(d, _)| *d).collect();
            targets.dedup();
            assert_eq!(targets.len(), t.len(), "{year}");
            for (target, from) in t {
                // Saturday → Monday or Sunday → Monday.
                assert!(target > from && (target - from).num_days() <= 2, "{year}");
                assert_eq!(target.weekday(), Weekday::Mon, "{year}");
                assert!(fixed_holiday_name(target).is_none());
            }
        }
    }

    #[test]
    fn fallback_year_lists_holidays_and_transfers() {
        let y = fallback_year(2027);
        assert_eq!(y.year, 2027);
        assert_eq!(y.days.len(), 14 + 3);
        assert!(y.days.windows(2).all(|w| w[0].date < w[1].date));
        assert!(y.days.iter().all(|d| d.kind == DayKind::DayOff));
    }

    #[test]
    fn count_working_days_is_half_open() {
        let cal = WorkCalendar::new();
        // 2027, fallback: Mon 11 Jan .. Fri 15 Jan are working.
        assert_eq!(
            cal.count_working_days(None, ymd(2027, 1, 8), ymd(2027, 1, 15)),
            5
        );
        assert_eq!(
            cal.count_working_days(None, ymd(2027, 1, 11), ymd(2027, 1, 11)),
            0
        );
        assert_eq!(
            cal.count_working_days(None, ymd(2027, 1, 15), ymd(2027, 1, 11)),
            0
        );
    }

    #[test]
    fn add_working_days_saturates_at_the_end_of_time() {
        let cal = WorkCalendar::new();
        assert_eq!(
            cal.add_working_days(None, NaiveDate::MAX, 5),
            NaiveDate::MAX
        );
        assert_eq!(
            cal.add_working_days(None, ymd(2027, 1, 1), 0),
            ymd(2027, 1, 1)
        );
    }
}
