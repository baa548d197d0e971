//! Working-day calendar of the Russian Federation and SLA deadlines computed on it.
//!
//! The calendar is data, not code: the federal production calendar for a year (weekends,
//! holidays, government transfers, shortened pre-holiday days, working Saturdays) is imported
//! from the xmlcalendar XML format ([`parse_xmlcalendar`]) and kept in a [`WorkCalendar`],
//! optionally with regional overlays (a republic's own holidays) that win over federal days
//! for that region only. A year with no federal data falls back to Monday–Friday minus the
//! fixed non-working holidays of the Labour Code art. 112 ([`fallback_year`]), and
//! [`WorkCalendar::has_year`] / [`WorkCalendar::missing_years`] let the caller warn about it.
//!
//! The SLA deadline ([`sla_deadline`]) is 23:59:59 in the region's own time zone of the n-th
//! working day after the local day of arrival; the arrival day never counts.
//!
//! Pure logic: no I/O, no database, no HTTP. Callers load rows (from the database or the
//! shipped XML files) into a [`WorkCalendar`] and ask it questions.

mod sla;
mod workdays;
mod xml;

#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use self::sla::SLA_WORKING_DAYS;
pub use self::sla::{
    end_of_local_day, local_date, sla_deadline, start_of_local_day, whole_working_days_between,
    working_days_between,
};
pub use self::workdays::{fallback_year, fixed_holiday_name};

pub use self::workdays::WorkCalendar;

pub use self::workdays::FIXED_HOLIDAYS;
pub use self::xml::MAX_XML_BYTES;
pub use self::xml::{parse_xmlcalendar, parse_xmlcalendar_for_year};

/// What kind of day a date is in the production calendar.
///
/// Serialized as `"working"`, `"shortened"`, `"working_weekend"`, `"day_off"` (the same strings
/// [`DayKind::as_str`] returns and [`DayKind::from_str`] accepts, so they can be stored as text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// An ordinary working day (Monday–Friday not listed in the calendar).
    Working,
    /// A shortened pre-holiday working day (xmlcalendar `t="2"`); it is a working day even
    /// when it falls on a Saturday.
    Shortened,
    /// A Saturday or Sunday made a working day by a transfer (xmlcalendar `t="3"`).
    WorkingWeekend,
    /// A day off: a weekend, a holiday or a day off moved here (xmlcalendar `t="1"`).
    DayOff,
}

impl DayKind {
    /// Whether an employee works on such a day (everything but [`DayKind::DayOff`]).
    #[must_use]
    pub const fn is_working(self) -> bool {
        !matches!(self, DayKind::DayOff)
    }

    /// The snake_case name used in JSON and in the database.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            DayKind::Working => "working",
            DayKind::Shortened => "shortened",
            DayKind::WorkingWeekend => "working_weekend",
            DayKind::DayOff => "day_off",
        }
    }
}

impl fmt::Display for DayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DayKind {
    type Err = CalendarError;

    /// Parses the snake_case name (as stored in the database).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "working" => Ok(DayKind::Working),
            "shortened" => Ok(DayKind::Shortened),
            "working_weekend" => Ok(DayKind::WorkingWeekend),
            "day_off" => Ok(DayKind::DayOff),
            other => Err(CalendarError::BadKind {
                value: other.to_owned(),
            }),
        }
    }
}

/// One date of the calendar with its kind, holiday name and transfer origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    /// The date itself.
    pub date: NaiveDate,
    /// Working, shortened, working weekend or day off.
    pub kind: DayKind,
    /// Holiday name when the date is a named holiday (xmlcalendar `h` resolved through
    /// `<holidays>`, or the Labour Code name of a fixed holiday when the file has no names).
    pub holiday: Option<String>,
    /// For a day off moved here: the date it was moved from (xmlcalendar `f`).
    pub transferred_from: Option<NaiveDate>,
}

impl CalendarDay {
    /// Whether this is a working day (see [`DayKind::is_working`]).
    #[must_use]
    pub fn is_working(&self) -> bool {
        self.kind.is_working()
    }
}

/// A year as read from one xmlcalendar file: only the days the file lists, sorted by date.
/// Unlisted dates follow the weekday rule (Monday–Friday working, Saturday/Sunday off).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedYear {
    /// The calendar year (`<calendar year="...">`).
    pub year: i32,
    /// The listed days, sorted by date, each within `year`, no date twice.
    pub days: Vec<CalendarDay>,
}

/// Why a calendar could not be read. The messages are in Russian because they are shown to
/// the `federal` user who imports the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The body is larger than [`MAX_XML_BYTES`].
    #[error("файл календаря слишком большой: {size} байт (допустимо не более {max})")]
    TooLarge {
        /// Size of the body in bytes.
        size: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// Not well-formed XML; the text carries the parser's message with line and column.
    #[error("некорректный XML: {0}")]
    Xml(String),
    /// The root element is not `<calendar>`.
    #[error("корневой элемент должен быть <calendar>, а не <{root}>")]
    NotCalendar {
        /// The root element's name found instead.
        root: String,
    },
    /// A required attribute is absent.
    #[error("строка {line}: у элемента <{element}> нет обязательного атрибута «{attribute}»")]
    MissingAttribute {
        /// Element name (`calendar` or `day`).
        element: &'static str,
        /// Attribute name.
        attribute: &'static str,
        /// Line of the element in the file (1-based).
        line: u32,
    },
    /// `<calendar year>` is not a plausible year number.
    #[error("некорректный год «{value}» в атрибуте year элемента <calendar>")]
    BadYear {
        /// The attribute value as written.
        value: String,
    },
    /// A `d` or `f` attribute is not a valid `MM.DD` date of the file's year.
    #[error("строка {line}: некорректная дата «{value}» для {year} года (ожидается ММ.ДД)")]
    BadDate {
        /// The attribute value as written.
        value: String,
        /// The file's year.
        year: i32,
        /// Line of the element (1-based).
        line: u32,
    },
    /// A `t` attribute other than 1, 2 or 3.
    #[error(
        "строка {line}: неизвестный тип дня t=«{value}» \
         (допустимо 1 — выходной, 2 — сокращённый рабочий, 3 — рабочий выходной)"
    )]
    BadType {
        /// The attribute value as written.
        value: String,
        /// Line of the element (1-based).
        line: u32,
    },
    /// `t="3"` (working Saturday/Sunday) on a Monday–Friday date.
    #[error(
        "строка {line}: {} отмечен как рабочий выходной (t=3), но это будний день",
        .date.format("%d.%m.%Y")
    )]
    WorkingWeekendOnWeekday {
        /// The date.
        date: NaiveDate,
        /// Line of the element (1-based).
        line: u32,
    },
    /// The same date is listed twice.
    #[error("строка {line}: день {} указан дважды", .date.format("%d.%m.%Y"))]
    DuplicateDay {
        /// The date.
        date: NaiveDate,
        /// Line of the second occurrence (1-based).
        line: u32,
    },
    /// The file is for another year than the one requested (e.g. `PUT /calendar/{year}`).
    #[error("файл содержит календарь на {found} год, а ожидался {expected} год")]
    YearMismatch {
        /// The year asked for.
        expected: i32,
        /// The year the file declares.
        found: i32,
    },
    /// A stored day kind string is none of the known names.
    #[error(
        "неизвестный вид дня «{value}» (допустимо working, shortened, working_weekend, day_off)"
    )]
    BadKind {
        /// The value as found.
        value: String,
    },
}
