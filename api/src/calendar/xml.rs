//! Parser for the xmlcalendar XML format of the production calendar.
//!
//! ```xml
//! <calendar year="2025">
//!   <holidays><holiday id="1" title="Новогодние каникулы"/></holidays>
//!   <days><day d="01.01" t="1" h="1"/><day d="11.01" t="2"/><day d="11.03" t="1" f="11.01"/></days>
//! </calendar>
//! ```
//!
//! `t="1"` day off, `t="2"` shortened working day (may fall on a Saturday, which is then a
//! working day), `t="3"` working Saturday/Sunday; `h` refers to a `<holiday id>`; `f` is the
//! date (same year) the day off was moved from. Unknown elements and attributes are ignored so
//! that files with extra metadata (`lang`, `date`, `country`) still import.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::workdays::{fixed_holiday_name, is_weekend};
use super::{CalendarDay, CalendarError, DayKind, ParsedYear};

/// Largest accepted XML body. A real year is about 3 KB; the limit only keeps a hostile
/// upload from costing memory and time.
pub const MAX_XML_BYTES: usize = 1024 * 1024;

/// Plausible calendar years; a typo like `20255` is rejected instead of silently creating a
/// calendar nobody will ever look at.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

/// Parses one xmlcalendar document into the days it lists.
///
/// Holiday names come from `<holidays>`; when the file carries none (some years don't), a day
/// off on a fixed Labour Code holiday date gets the statutory name, so the year view still
/// shows names.
///
/// # Errors
///
/// A [`CalendarError`] (never a panic) for a body over [`MAX_XML_BYTES`], malformed XML, a
/// root other than `<calendar>`, a missing or invalid `year`/`d`/`t`/`f`, `t="3"` on a
/// weekday and a date listed twice.
pub fn parse_xmlcalendar(xml: &str) -> Result<ParsedYear, CalendarError> {
    if xml.len() > MAX_XML_BYTES {
        return Err(CalendarError::TooLarge {
            size: xml.len(),
            max: MAX_XML_BYTES,
        });
    }
    // Files saved by Windows editors often start with a BOM, which is not XML.
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    let doc = roxmltree::Document::parse(xml).map_err(|e| CalendarError::Xml(e.to_string()))?;
    let line_of = |node: roxmltree::Node<'_, '_>| doc.text_pos_at(node.range().start).row;

    let root = doc.root_element();
    if root.tag_name().name() != "calendar" {
        return Err(CalendarError::NotCalendar {
            root: root.tag_name().name().to_owned(),
        });
    }
    let year_attr = root
        .attribute("year")
        .ok_or_else(|| CalendarError::MissingAttribute {
            element: "calendar",
            attribute: "year",
            line: line_of(root),
        })?;
    let year = year_attr
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| YEARS.contains(y))
        .ok_or_else(|| CalendarError::BadYear {
            value: year_attr.to_owned(),
        })?;

    let mut titles: HashMap<&str, &str> = HashMap::new();
    for holiday in children(root, "holidays").flat_map(|n| children(n, "holiday")) {
        if let (Some(id), Some(title)) = (holiday.attribute("id"), holiday.attribute("title")) {
            let title = title.trim();
            if !title.is_empty() {
                titles.insert(id.trim(), title);
            }
        }
    }

    let mut seen = HashSet::new();
    let mut days = Vec::new();
    for day in children(root, "days").flat_map(|n| children(n, "day")) {
        let line = line_of(day);
        let missing = |attribute| CalendarError::MissingAttribute {
            element: "day",
            attribute,
            line,
        };
        let bad_date = |value: &str| CalendarError::BadDate {
            value: value.to_owned(),
            year,
            line,
        };

        let d = day.attribute("d").ok_or_else(|| missing("d"))?;
        let date = parse_month_day(year, d).ok_or_else(|| bad_date(d))?;
        let t = day.attribute("t").ok_or_else(|| missing("t"))?;
        let kind = match t.trim() {
            "1" => DayKind::DayOff,
            "2" => DayKind::Shortened,
            "3" => DayKind::WorkingWeekend,
            other => {
                return Err(CalendarError::BadType {
                    value: other.to_owned(),
                    line,
                });
            }
        };
        if kind == DayKind::WorkingWeekend && !is_weekend(date) {
            return Err(CalendarError::WorkingWeekendOnWeekday { date, line });
        }
        let transferred_from = match day.attribute("f").map(str::trim) {
            None | Some("") => None,
            Some(f) => Some(parse_month_day(year, f).ok_or_else(|| bad_date(f))?),
        };
        let holiday = day
            .attribute("h")
            .and_then(|h| titles.get(h.trim()))
            .map(|title| (*title).to_owned())
            .or_else(|| {
                // Only a genuine holiday gets the statutory name, not a day off moved onto
                // such a date (which cannot happen in practice, but the name would lie).
                (kind == DayKind::DayOff && transferred_from.is_none())
                    .then(|| fixed_holiday_name(date).map(str::to_owned))
                    .flatten()
            });
        if !seen.insert(date) {
            return Err(CalendarError::DuplicateDay { date, line });
        }
        days.push(CalendarDay {
            date,
            kind,
            holiday,
            transferred_from,
        });
    }
    days.sort_by_key(|d| d.date);
    Ok(ParsedYear { year, days })
}

/// Like [`parse_xmlcalendar`], but fails with [`CalendarError::YearMismatch`] when the file is
/// for another year than `expected` (e.g. the `{year}` of `PUT /calendar/{year}`).
///
/// # Errors
///
/// As [`parse_xmlcalendar`], plus [`CalendarError::YearMismatch`].
pub fn parse_xmlcalendar_for_year(xml: &str, expected: i32) -> Result<ParsedYear, CalendarError> {
    let parsed = parse_xmlcalendar(xml)?;
    if parsed.year != expected {
        return Err(CalendarError::YearMismatch {
            expected,
            found: parsed.year,
        });
    }
    Ok(parsed)
}

/// Element children of `node` named `name` (namespaces ignored: the format has none).
fn children<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &'static str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'input>> {
    node.children()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

/// `MM.DD` (one or two digits each) as a date of `year`; `None` if malformed or not a real
/// date (e.g. `02.29` in a common year).
fn parse_month_day(year: i32, s: &str) -> Option<NaiveDate> {
    let (m, d) = s.trim().split_once('.')?;
    let number = |part: &str| -> Option<u32> {
        let ok = (1..=2).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| part.parse().ok()).flatten()
    };
    NaiveDate::from_ymd_opt(year, number(m)?, number(d)?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn wrap(days: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><calendar year="2025"><days>{days}</days></calendar>"#
        )
    }

    #[test]
    fn parses_minimal_file_with_names_and_transfers() {
        let xml = r#"<calendar year="2025" lang="ru">
            <holidays><holiday id="7" title=" Рождество Христово "/></holidays>
            <days>
              <day d="11.03" t="1" f="11.01"/>
              <day d="01.07" t="1" h="7"/>
              <day d="11.01" t="2"/>
              <day d="04.27" t="3"/>
              <note>ignored</note>
            </days>
        </calendar>"#;
        let y = parse_xmlcalendar(xml).unwrap();
        assert_eq!(y.year, 2025);
        let dates: Vec<_> = y.days.iter().map(|d| d.date).collect();
        assert_eq!(
            dates,
            vec![
                ymd(2025, 1, 7),
                ymd(2025, 4, 27),
                ymd(2025, 11, 1),
                ymd(2025, 11, 3)
            ],
            "sorted by date"
        );
        assert_eq!(y.days[0].holiday.as_deref(), Some("Рождество Христово"));
        assert_eq!(y.days[1].kind, DayKind::WorkingWeekend);
        assert_eq!(y.days[2].kind, DayKind::Shortened);
        assert_eq!(y.days[3].transferred_from, Some(ymd(2025, 11, 1)));
        assert_eq!(y.days[3].holiday, None);
    }

    #[test]
    fn bom_and_one_digit_parts_are_accepted() {
        let xml =
            "\u{feff}<calendar year=\"2025\"><days><day d=\"1.8\" t=\"1\"/></days></calendar>";
        let y = parse_xmlcalendar(xml).unwrap();
        assert_eq!(y.days[0].date, ymd(2025, 1, 8));
    }

    #[test]
    fn file_without_names_gets_statutory_names_for_fixed_holidays_only() {
        let xml = wrap(
            r#"<day d="01.07" t="1" h="2"/><day d="05.09" t="1"/><day d="05.02" t="1" f="01.04"/><day d="12.31" t="1"/>"#,
        );
        let y = parse_xmlcalendar(&xml).unwrap();
        let name = |m, d| {
            y.days
                .iter()
                .find(|x| x.date == ymd(2025, m, d))
                .unwrap()
                .holiday
                .clone()
        };
        assert_eq!(name(1, 7).as_deref(), Some("Рождество Христово"));
        assert_eq!(name(5, 9).as_deref(), Some("День Победы"));
        assert_eq!(name(5, 2), None, "a moved day off is not a holiday");
        assert_eq!(name(12, 31), None);
    }

    #[test]
    fn malformed_xml_is_an_error() {
        for xml in [
            "",
            "not xml at all",
            r#"<calendar year="2025"><days><day d="01.01" t="1"></days></calendar>"#,
            r#"<calendar year="2025"><days><day d="01.01" t="1"/></days>"#,
            r#"<calendar year="2025"/><calendar year="2026"/>"#,
            r#"<calendar year="2025" year="2026"/>"#,
        ] {
            let err = parse_xmlcalendar(xml).unwrap_err();
            assert!(matches!(err, CalendarError::Xml(_)), "{xml:?} gave {err:?}");
            assert!(err.to_string().starts_with("некорректный XML"));
        }
    }

    #[test]
    fn wrong_root_and_year_are_errors() {
        assert_eq!(
            parse_xmlcalendar("<calendars year=\"2025\"/>").unwrap_err(),
            CalendarError::NotCalendar {
                root: "calendars".into()
            }
        );
        assert!(matches!(
            parse_xmlcalendar("<calendar/>").unwrap_err(),
            CalendarError::MissingAttribute {
                element: "calendar",
                attribute: "year",
                line: 1
            }
        ));
        for year in ["", "abc", "20255", "-1", "2025.5"] {
            let xml = format!("<calendar year=\"{year}\"/>");
            assert_eq!(
                parse_xmlcalendar(&xml).unwrap_err(),
                CalendarError::BadYear { value: year.into() }
            );
        }
    }

    #[test]
    fn wrong_t_values_are_errors() {
        for t in ["0", "4", "x", "", "11", "-1"] {
            let xml = wrap(&format!(r#"<day d="01.01" t="{t}"/>"#));
            let err = parse_xmlcalendar(&xml).unwrap_err();
            assert_eq!(
                err,
                CalendarError::BadType {
                    value: t.into(),
                    line: 1
                }
            );
            assert!(err.to_string().contains("неизвестный тип дня"));
        }
        let xml = wrap(r#"<day d="01.01"/>"#);
        assert!(matches!(
            parse_xmlcalendar(&xml).unwrap_err(),
            CalendarError::MissingAttribute { attribute: "t", .. }
        ));
    }

    #[test]
    fn wrong_dates_are_errors() {
        for d in [
            "13.01", "02.29", "00.10", "01.32", "0101", "1.1.1", "aa.bb", "", "+1.01", "001.01",
        ] {
            let xml = wrap(&format!(r#"<day d="{d}" t="1"/>"#));
            assert_eq!(
                parse_xmlcalendar(&xml).unwrap_err(),
                CalendarError::BadDate {
                    value: d.into(),
                    year: 2025,
                    line: 1
                },
                "{d:?}"
            );
        }
        let xml = wrap(r#"<day d="05.02" t="1" f="02.30"/>"#);
        assert!(matches!(
            parse_xmlcalendar(&xml).unwrap_err(),
            CalendarError::BadDate { value, .. } if value == "02.30"
        ));
        assert!(matches!(
            parse_xmlcalendar(&wrap(r#"<day t="1"/>"#)).unwrap_err(),
            CalendarError::MissingAttribute { attribute: "d", .. }
        ));
    }

    #[test]
    fn working_weekend_on_weekday_and_duplicates_are_errors() {
        // 5 November 2025 is a Wednesday.
        let err = parse_xmlcalendar(&wrap(r#"<day d="11.05" t="3"/>"#)).unwrap_err();
        assert_eq!(
            err,
            CalendarError::WorkingWeekendOnWeekday {
                date: ymd(2025, 11, 5),
                line: 1
            }
        );
        assert!(err.to_string().contains("05.11.2025"));

        let xml = "<calendar year=\"2025\"><days>\n<day d=\"01.01\" t=\"1\"/>\n<day d=\"1.01\" t=\"2\"/>\n</days></calendar>";
        assert_eq!(
            parse_xmlcalendar(xml).unwrap_err(),
            CalendarError::DuplicateDay {
                date: ymd(2025, 1, 1),
                line: 3
            }
        );
    }

    #[test]
    fn year_mismatch_and_size_limit() {
        let xml = wrap(r#"<day d="01.01" t="1"/>"#);
        assert_eq!(parse_xmlcalendar_for_year(&xml, 2025).unwrap().year, 2025);
        assert_eq!(
            parse_xmlcalendar_for_year(&xml, 2026).unwrap_err(),
            CalendarError::YearMismatch {
                expected: 2026,
                found: 2025
            }
        );
        let huge = format!(
            "<calendar year=\"2025\"><!--{}--></calendar>",
            "x".repeat(MAX_XML_BYTES)
        );
        assert!(matches!(
            parse_xmlcalendar(&huge).unwrap_err(),
            CalendarError::TooLarge { .. }
        ));
    }

    #[test]
    fn dtd_entities_are_refused_not_expanded() {
        let xml =
            r#"<!DOCTYPE calendar [<!ENTITY a "aaaaaaaa">]><calendar year="2025">&a;</calendar>"#;
        assert!(matches!(
            parse_xmlcalendar(xml).unwrap_err(),
            CalendarError::Xml(_)
        ));
    }

    #[test]
    fn empty_calendar_is_a_year_with_no_listed_days() {
        let y = parse_xmlcalendar(r#"<calendar year="2030"></calendar>"#).unwrap();
        assert_eq!(
            y,
            ParsedYear {
                year: 2030,
                days: vec![]
            }
        );
    }
}
