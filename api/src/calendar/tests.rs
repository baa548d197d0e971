//! Calendar arithmetic on the shipped 2024–2026 files and real cases computed by hand, plus
//! property tests of the SLA deadline.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::*;

const RU_2024: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/calendar/ru-2024.xml"
));
const RU_2025: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/calendar/ru-2025.xml"
));
const RU_2026: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/calendar/ru-2026.xml"
));
const REGIONS_CSV: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/regions.csv"));

/// A fictional overlay for Bashkortostan (region 02) in 2025: Kurban Bayram on Friday 6 June
/// and the Republic Day on Saturday 11 October.
const OVERLAY_02_2025: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<calendar year="2025">
  <holidays>
    <holiday id="1" title="Курбан-байрам"/>
    <holiday id="2" title="День Республики Башкортостан"/>
  </holidays>
  <days>
    <day d="06.06" t="1" h="1"/>
    <day d="10.11" t="1" h="2"/>
  </days>
</calendar>"#;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn tz(name: &str) -> Tz {
    name.parse().unwrap()
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

/// `local` wall-clock time in `zone`, as UTC (the zones used here have no ambiguity).
fn at_local(zone: &str, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    tz(zone)
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn shipped() -> WorkCalendar {
    let mut cal = WorkCalendar::new();
    for xml in [RU_2024, RU_2025, RU_2026] {
        cal.load_xml(None, xml).unwrap();
    }
    cal
}

fn with_overlay() -> WorkCalendar {
    let mut cal = shipped();
    cal.load_xml(Some("02"), OVERLAY_02_2025).unwrap();
    cal
}

fn deadline_msk(cal: &WorkCalendar, arrived: DateTime<Utc>) -> DateTime<Utc> {
    sla_deadline(cal, None, tz("Europe/Moscow"), arrived, SLA_WORKING_DAYS)
}

fn regions() -> Vec<(String, Tz)> {
    REGIONS_CSV
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split(',').collect();
            assert_eq!(cols.len(), 4, "{l}");
            (cols[0].to_owned(), tz(cols[3].trim()))
        })
        .collect()
}

#[test]
fn shipped_years_parse() {
    for (xml, year, listed, working) in [
        (RU_2024, 2024, 26, 248),
        (RU_2025, 2025, 23, 247),
        (RU_2026, 2026, 22, 247),
    ] {
        let parsed = parse_xmlcalendar_for_year(xml, year).unwrap();
        assert_eq!(parsed.year, year);
        assert_eq!(parsed.days.len(), listed, "{year}");
        assert!(parsed.days.iter().all(|d| d.date.year() == year));
        // Every listed holiday of these files has a name; every named day is off.
        let named = parsed.days.iter().filter(|d| d.holiday.is_some()).count();
        assert_eq!(named, 14, "{year}: 8 January days + 6 others");
        let mut cal = WorkCalendar::new();
        cal.load_year(None, parsed);
        let view = cal.year_view(None, year);
        let n_working = view.iter().filter(|d| d.is_working()).count();
        // The published totals of the production calendar.
        assert_eq!(n_working, working, "{year}");
    }
    let y = parse_xmlcalendar(RU_2025).unwrap();
    let christmas = y.days.iter().find(|d| d.date == ymd(2025, 1, 7)).unwrap();
    assert_eq!(christmas.holiday.as_deref(), Some("Рождество Христово"));
    let dec31 = y.days.iter().find(|d| d.date == ymd(2025, 12, 31)).unwrap();
    assert_eq!(dec31.kind, DayKind::DayOff);
    assert_eq!(dec31.transferred_from, Some(ymd(2025, 1, 5)));
}

#[test]
fn day_kind_strings() {
    let kinds = [
        (DayKind::Working, "working"),
        (DayKind::Shortened, "shortened"),
        (DayKind::WorkingWeekend, "working_weekend"),
        (DayKind::DayOff, "day_off"),
    ];
    for (kind, s) in kinds {
        assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{s}\""));
        assert_eq!(
            serde_json::from_str::<DayKind>(&format!("\"{s}\"")).unwrap(),
            kind
        );
        assert_eq!(kind.as_str(), s);
        assert_eq!(kind.to_string(), s);
        assert_eq!(s.parse::<DayKind>().unwrap(), kind);
    }
    assert!(matches!(
        "holiday".parse::<DayKind>(),
        Err(CalendarError::BadKind { .. })
    ));
    let day = shipped().day(None, ymd(2025, 11, 3));
    assert_eq!(
        serde_json::to_value(&day).unwrap(),
        serde_json::json!({
            "date": "2025-11-03", "kind": "day_off", "holiday": null, "transferred_from": "2025-11-01"
        })
    );
}

#[test]
fn working_saturday_1_november_2025() {
    let cal = shipped();
    let sat = ymd(2025, 11, 1);
    assert_eq!(sat.weekday(), Weekday::Sat);
    assert_eq!(cal.kind(None, sat), DayKind::Shortened);
    assert!(cal.is_working_day(None, sat));
    assert_eq!(cal.kind(None, ymd(2025, 11, 2)), DayKind::DayOff);
    assert_eq!(cal.kind(None, ymd(2025, 11, 3)), DayKind::DayOff);
    let nov4 = cal.day(None, ymd(2025, 11, 4));
    assert_eq!(nov4.kind, DayKind::DayOff);
    assert_eq!(nov4.holiday.as_deref(), Some("День народного единства"));

    // Thursday 30 Oct: Fri 31, Sat 1 Nov, Wed 5, Thu 6, Fri 7.
    let d = deadline_msk(&cal, at_local("Europe/Moscow", 2025, 10, 30, 12, 0));
    assert_eq!(
        d,
        at_local("Europe/Moscow", 2025, 11, 7, 23, 59) + Duration::seconds(59)
    );
    // Friday 31 Oct: Sat 1 Nov, Wed 5, Thu 6, Fri 7, Mon 10.
    let d = deadline_msk(&cal, at_local("Europe/Moscow", 2025, 10, 31, 12, 0));
    assert_eq!(d, utc(2025, 11, 10, 20, 59, 59));
    // Arriving on the working Saturday itself: it does not count. Wed 5 .. Tue 11.
    for day in 1..=4 {
        let d = deadline_msk(&cal, at_local("Europe/Moscow", 2025, 11, day, 9, 0));
        assert_eq!(d, utc(2025, 11, 11, 20, 59, 59), "arrival on {day} Nov");
    }
}

#[test]
fn new_year_break_2026() {
    let cal = shipped();
    // 31 Dec 2025 is off (moved from 5 Jan, 2025 file); 1–8 Jan holidays, 9 Jan moved from
    // 3 Jan (2026 file), 10–11 Jan weekend: the first working day is Monday 12 January.
    assert!(cal.is_working_day(None, ymd(2025, 12, 30)));
    assert_eq!(cal.kind(None, ymd(2025, 12, 31)), DayKind::DayOff);
    for day in 1..=11 {
        assert!(
            !cal.is_working_day(None, ymd(2026, 1, day)),
            "{day} Jan 2026"
        );
    }
    assert_eq!(
        cal.day(None, ymd(2026, 1, 9)).transferred_from,
        Some(ymd(2026, 1, 3))
    );
    assert!(cal.is_working_day(None, ymd(2026, 1, 12)));

    // 30 and 31 Dec 2025 → 12, 13, 14, 15, 16 Jan → Friday 16 January 2026.
    for (day, hour) in [(30, 10), (30, 23), (31, 0), (31, 18)] {
        let d = deadline_msk(&cal, at_local("Europe/Moscow", 2025, 12, day, hour, 0));
        assert_eq!(
            d,
            utc(2026, 1, 16, 20, 59, 59),
            "arrival {day} Dec {hour}:00"
        );
    }
    // 29 Dec: 30 Dec, 12, 13, 14, 15 Jan.
    let d = deadline_msk(&cal, at_local("Europe/Moscow", 2025, 12, 29, 15, 0));
    assert_eq!(d, utc(2026, 1, 15, 20, 59, 59));
}

#[test]
fn new_year_2025_with_working_saturday_28_december_2024() {
    let cal = shipped();
    // Fri 27 Dec 2024: Sat 28 Dec (working), then 30, 31 Dec and 1–8 Jan off → 9, 10, 13, 14 Jan.
    assert_eq!(cal.kind(None, ymd(2024, 12, 28)), DayKind::WorkingWeekend);
    let d = deadline_msk(&cal, at_local("Europe/Moscow", 2024, 12, 27, 17, 0));
    assert_eq!(d, utc(2025, 1, 14, 20, 59, 59));
}

#[test]
fn friday_evening_in_kamchatka_vs_kaliningrad() {
    let cal = shipped();
    let kamchatka = tz("Asia/Kamchatka");
    let kaliningrad = tz("Europe/Kaliningrad");

    // 16:30 UTC on Friday 31 Oct 2025 = 18:30 Friday in Kaliningrad (UTC+2) but 04:30 on the
    // working Saturday 1 Nov in Kamchatka (UTC+12).
    let t = utc(2025, 10, 31, 16, 30, 0);
    assert_eq!(local_date(kaliningrad, t), ymd(2025, 10, 31));
    assert_eq!(local_date(kamchatka, t), ymd(2025, 11, 1));
    // Kaliningrad: Sat 1, Wed 5, Thu 6, Fri 7, Mon 10 → 23:59:59+02 on 10 Nov.
    assert_eq!(
        sla_deadline(&cal, Some("39"), kaliningrad, t, 5),
        utc(2025, 11, 10, 21, 59, 59)
    );
    // Kamchatka: its Saturday is the (uncounted) arrival day → Wed 5 .. Tue 11, 23:59:59+12.
    assert_eq!(
        sla_deadline(&cal, Some("41"), kamchatka, t, 5),
        utc(2025, 11, 11, 11, 59, 59)
    );

    // An ordinary Friday, 14 Nov: Saturday arrival and Friday arrival share the deadline day
    // (Mon 17 .. Fri 21 Nov), but Kamchatka's 23:59:59 comes ten hours earlier in UTC.
    let t = utc(2025, 11, 14, 16, 30, 0);
    assert_eq!(local_date(kamchatka, t).weekday(), Weekday::Sat);
    assert_eq!(
        sla_deadline(&cal, None, kaliningrad, t, 5),
        utc(2025, 11, 21, 21, 59, 59)
    );
    assert_eq!(
        sla_deadline(&cal, None, kamchatka, t, 5),
        utc(2025, 11, 21, 11, 59, 59)
    );
}

#[test]
fn arrival_on_working_day_vs_day_off() {
    let cal = shipped();
    // Monday 10 Nov 2025 (working): 11, 12, 13, 14, 17 Nov.
    let d = deadline_msk(&cal, at_local("Europe/Moscow", 2025, 11, 10, 0, 0));
    assert_eq!(d, utc(2025, 11, 17, 20, 59, 59));
    let d = deadline_msk(&cal, at_local("Europe/Moscow", 2025, 11, 10, 23, 59));
    assert_eq!(d, utc(2025, 11, 17, 20, 59, 59));
    // Saturday 8 and Sunday 9 Nov (off): 10, 11, 12, 13, 14 Nov — the working week itself.
    for day in [8, 9] {
        let d = deadline_msk(&cal, at_local("Europe/Moscow", 2025, 11, day, 12, 0));
        assert_eq!(d, utc(2025, 11, 14, 20, 59, 59));
    }
    // One minute before Monday starts is still Sunday.
    let d = deadline_msk(&cal, at_local("Europe/Moscow", 2025, 11, 9, 23, 59));
    assert_eq!(d, utc(2025, 11, 14, 20, 59, 59));
    // A holiday on a weekday (Wednesday 12 June 2024): 13, 14, 17, 18, 19 June.
    let d = deadline_msk(&cal, at_local("Europe/Moscow", 2024, 6, 12, 12, 0));
    assert_eq!(d, utc(2024, 6, 19, 20, 59, 59));
}

#[test]
fn fallback_for_2027() {
    let cal = shipped();
    assert!(!cal.has_year(2027));
    assert_eq!(
        cal.missing_years([2027, 2025, 2028, 2027, 2024]),
        vec![2027, 2028]
    );
    assert_eq!(cal.federal_years(), vec![2024, 2025, 2026]);

    for day in 1..=8 {
        let d = cal.day(None, ymd(2027, 1, day));
        assert_eq!(d.kind, DayKind::DayOff, "{day} Jan 2027");
        let name = if day == 7 {
            "Рождество Христово"
        } else {
            "Новогодние каникулы"
        };
        assert_eq!(d.holiday.as_deref(), Some(name));
    }
    assert_eq!(cal.kind(None, ymd(2027, 1, 9)), DayKind::DayOff); // Saturday
    assert_eq!(cal.kind(None, ymd(2027, 1, 11)), DayKind::Working);
    assert_eq!(cal.kind(None, ymd(2027, 2, 23)), DayKind::DayOff); // Tuesday
    assert_eq!(cal.kind(None, ymd(2027, 3, 8)), DayKind::DayOff); // Monday
    let may9 = cal.day(None, ymd(2027, 5, 9));
    assert_eq!(may9.date.weekday(), Weekday::Sun);
    assert_eq!(may9.kind, DayKind::DayOff);
    assert_eq!(may9.holiday.as_deref(), Some("День Победы"));
    // Art. 112 part 2: a weekend holiday moves the day off to the next working day.
    for (target, from) in [((5, 3), (5, 1)), ((5, 10), (5, 9)), ((6, 14), (6, 12))] {
        let d = cal.day(None, ymd(2027, target.0, target.1));
        assert_eq!(d.kind, DayKind::DayOff);
        assert_eq!(d.holiday, None);
        assert_eq!(d.transferred_from, Some(ymd(2027, from.0, from.1)));
    }
    assert_eq!(cal.kind(None, ymd(2027, 5, 4)), DayKind::Working);
    assert_eq!(cal.kind(None, ymd(2027, 11, 4)), DayKind::DayOff); // Thursday
    assert_eq!(cal.kind(None, ymd(2027, 11, 5)), DayKind::Working);
    assert_eq!(cal.kind(None, ymd(2027, 12, 31)), DayKind::Working); // unknown without a decree

    let view = cal.year_view(None, 2027);
    assert_eq!(view.len(), 365);
    // 365 − 104 weekend days − 9 weekday holidays − 3 statutory transfers.
    assert_eq!(view.iter().filter(|d| d.is_working()).count(), 249);

    // Across the 2026/2027 boundary: 31 Dec 2026 is off (2026 file), 1–10 Jan 2027 off.
    let d = deadline_msk(&cal, at_local("Europe/Moscow", 2026, 12, 30, 12, 0));
    assert_eq!(d, utc(2027, 1, 15, 20, 59, 59));
    // Friday 30 April 2027: 4, 5, 6, 7, 11 May (3 and 10 May off).
    let d = deadline_msk(&cal, at_local("Europe/Moscow", 2027, 4, 30, 12, 0));
    assert_eq!(d, utc(2027, 5, 11, 20, 59, 59));
}

#[test]
fn fallback_agrees_with_published_years_where_the_law_alone_decides() {
    // In 2024 and 2026 the decree moved no February–November holiday elsewhere, so every
    // fallback day off must be off in the published file. (2025 differs: the decree moved
    // 23 Feb, a Sunday, to 8 May instead of Monday 24 Feb.)
    let cal = shipped();
    for year in [2024, 2026] {
        for day in fallback_year(year).days {
            assert_eq!(cal.kind(None, day.date), DayKind::DayOff, "{}", day.date);
        }
    }
    assert!(cal.is_working_day(None, ymd(2025, 2, 24)));
    assert!(!WorkCalendar::new().is_working_day(None, ymd(2025, 2, 24)));
}

#[test]
fn regional_overlay_takes_precedence_for_its_region_only() {
    let mut cal = with_overlay();
    let kurban = ymd(2025, 6, 6); // Friday
    assert_eq!(cal.kind(Some("02"), kurban), DayKind::DayOff);
    assert_eq!(
        cal.day(Some("02"), kurban).holiday.as_deref(),
        Some("Курбан-байрам")
    );
    assert_eq!(cal.kind(None, kurban), DayKind::Working);
    assert_eq!(cal.kind(Some("16"), kurban), DayKind::Working);
    // Federal days still apply inside the overlay's region.
    assert_eq!(cal.kind(Some("02"), ymd(2025, 6, 12)), DayKind::DayOff);
    assert_eq!(cal.kind(Some("02"), ymd(2025, 6, 11)), DayKind::Shortened);
    // A named regional holiday on a Saturday.
    assert_eq!(
        cal.day(Some("02"), ymd(2025, 10, 11)).holiday.as_deref(),
        Some("День Республики Башкортостан")
    );
    assert_eq!(cal.day(None, ymd(2025, 10, 11)).holiday, None);

    // Thursday 5 June, Asia/Yekaterinburg. Federal: 6, 9, 10, 11, 16 (12, 13 off).
    // Region 02: 9, 10, 11, 16, 17.
    let ekb = tz("Asia/Yekaterinburg");
    let t = at_local("Asia/Yekaterinburg", 2025, 6, 5, 14, 0);
    assert_eq!(
        sla_deadline(&cal, None, ekb, t, 5),
        utc(2025, 6, 16, 18, 59, 59)
    );
    assert_eq!(
        sla_deadline(&cal, Some("02"), ekb, t, 5),
        utc(2025, 6, 17, 18, 59, 59)
    );

    // An overlay can also make a federal day off working, and wins over the fallback.
    cal.load_xml(
        Some("99"),
        r#"<calendar year="2025"><days><day d="11.03" t="2"/></days></calendar>"#,
    )
    .unwrap();
    assert_eq!(cal.kind(Some("99"), ymd(2025, 11, 3)), DayKind::Shortened);
    assert_eq!(cal.kind(None, ymd(2025, 11, 3)), DayKind::DayOff);
    cal.load_xml(
        Some("02"),
        r#"<calendar year="2027"><days><day d="01.11" t="1" h="x"/></days></calendar>"#,
    )
    .unwrap();
    assert!(!cal.has_year(2027), "an overlay is not federal data");
    assert!(cal.has_overlay("02", 2027));
    assert_eq!(cal.kind(Some("02"), ymd(2027, 1, 11)), DayKind::DayOff);
    assert_eq!(cal.kind(Some("02"), ymd(2027, 1, 12)), DayKind::Working);
    assert_eq!(cal.kind(None, ymd(2027, 1, 11)), DayKind::Working);

    // Year view of the region merges the overlay.
    let view = cal.year_view(Some("02"), 2025);
    assert_eq!(view.len(), 365);
    assert_eq!(view[156].date, kurban);
    assert_eq!(view[156].kind, DayKind::DayOff);
    let federal_working = cal
        .year_view(None, 2025)
        .iter()
        .filter(|d| d.is_working())
        .count();
    let regional_working = view.iter().filter(|d| d.is_working()).count();
    assert_eq!(federal_working - regional_working, 1);

    // Removing the overlay restores the federal day.
    assert!(cal.unload_year(Some("02"), 2025));
    assert!(!cal.unload_year(Some("02"), 2025));
    assert_eq!(cal.kind(Some("02"), kurban), DayKind::Working);
}

#[test]
fn load_year_replaces_the_whole_year_of_that_scope() {
    let mut cal = shipped();
    assert_eq!(cal.kind(None, ymd(2025, 11, 3)), DayKind::DayOff);
    cal.load_year(
        None,
        ParsedYear {
            year: 2025,
            days: vec![
                CalendarDay {
                    date: ymd(2025, 1, 1),
                    kind: DayKind::DayOff,
                    holiday: None,
                    transferred_from: None,
                },
                // Belongs to another year: ignored.
                CalendarDay {
                    date: ymd(2026, 1, 12),
                    kind: DayKind::DayOff,
                    holiday: None,
                    transferred_from: None,
                },
            ],
        },
    );
    assert!(cal.has_year(2025));
    assert_eq!(cal.kind(None, ymd(2025, 11, 3)), DayKind::Working);
    assert_eq!(cal.kind(None, ymd(2025, 1, 2)), DayKind::Working);
    assert_eq!(cal.kind(None, ymd(2025, 1, 1)), DayKind::DayOff);
    assert_eq!(cal.kind(None, ymd(2026, 1, 12)), DayKind::Working);
    // The other years are untouched.
    assert_eq!(cal.kind(None, ymd(2026, 1, 9)), DayKind::DayOff);
    // Unloading a federal year brings the fallback back.
    assert!(cal.unload_year(None, 2025));
    assert!(!cal.has_year(2025));
    assert_eq!(cal.kind(None, ymd(2025, 1, 2)), DayKind::DayOff);
}

#[test]
fn year_view_matches_listed_days() {
    let cal = shipped();
    for (xml, year, len) in [
        (RU_2024, 2024, 366),
        (RU_2025, 2025, 365),
        (RU_2026, 2026, 365),
    ] {
        let view = cal.year_view(None, year);
        assert_eq!(view.len(), len);
        let consecutive = view
            .windows(2)
            .all(|w| w[0].date.succ_opt() == Some(w[1].date));
        assert!(consecutive);
        for day in parse_xmlcalendar(xml).unwrap().days {
            let ordinal = day.date.ordinal0() as usize;
            assert_eq!(view[ordinal], day);
        }
        // Unlisted days follow the weekday rule.
        for d in &view {
            if d.kind == DayKind::Working {
                assert!(!matches!(d.date.weekday(), Weekday::Sat | Weekday::Sun));
            }
        }
    }
    assert!(cal.year_view(None, i32::MAX).is_empty());
}

#[test]
fn every_region_time_zone_parses() {
    let regions = regions();
    assert_eq!(regions.len(), 89);
    let find = |code: &str| regions.iter().find(|(c, _)| c == code).map(|(_, z)| *z);
    assert_eq!(find("39"), Some(tz("Europe/Kaliningrad")));
    assert_eq!(find("41"), Some(tz("Asia/Kamchatka")));
}

#[test]
fn working_days_between_counts_working_time_only() {
    let cal = shipped();
    let msk = tz("Europe/Moscow");
    let between = |a, b| working_days_between(&cal, None, msk, a, b);
    let whole = |a, b| whole_working_days_between(&cal, None, msk, a, b);

    // Friday 14 Nov 18:00 → Monday 17 Nov 10:00: 6 h of Friday + 10 h of Monday.
    let (a, b) = (
        at_local("Europe/Moscow", 2025, 11, 14, 18, 0),
        at_local("Europe/Moscow", 2025, 11, 17, 10, 0),
    );
    assert!((between(a, b) - 16.0 / 24.0).abs() < 1e-9);
    assert_eq!(whole(a, b), 1);
    // One hour on a working day.
    let (a, b) = (
        at_local("Europe/Moscow", 2025, 11, 10, 10, 0),
        at_local("Europe/Moscow", 2025, 11, 10, 11, 0),
    );
    assert!((between(a, b) - 1.0 / 24.0).abs() < 1e-9);
    assert_eq!(whole(a, b), 0);
    assert_eq!(between(b, a), 0.0);
    assert_eq!(between(a, a), 0.0);
    // Saturday to Sunday: no working time at all.
    let (a, b) = (
        at_local("Europe/Moscow", 2025, 11, 8, 10, 0),
        at_local("Europe/Moscow", 2025, 11, 9, 20, 0),
    );
    assert_eq!(between(a, b), 0.0);
    assert_eq!(whole(a, b), 0);
    // Across the New Year break: 14 h of 30 Dec + 12 h of 12 Jan.
    let (a, b) = (
        at_local("Europe/Moscow", 2025, 12, 30, 10, 0),
        at_local("Europe/Moscow", 2026, 1, 12, 12, 0),
    );
    assert!((between(a, b) - 26.0 / 24.0).abs() < 1e-9);
    assert_eq!(whole(a, b), 1);
    // Whole working weeks count whole days.
    let (a, b) = (
        at_local("Europe/Moscow", 2025, 11, 10, 0, 0),
        at_local("Europe/Moscow", 2025, 11, 24, 0, 0),
    );
    assert!((between(a, b) - 10.0).abs() < 1e-9);
    assert_eq!(whole(a, b), 10);
}

#[test]
fn overdue_and_due_today_use_the_regional_date() {
    let cal = shipped();
    let kamchatka = tz("Asia/Kamchatka");
    let arrived = at_local("Asia/Kamchatka", 2025, 11, 10, 9, 0);
    let deadline = sla_deadline(&cal, Some("41"), kamchatka, arrived, SLA_WORKING_DAYS);
    assert_eq!(local_date(kamchatka, deadline), ymd(2025, 11, 17));
    // 17 Nov 01:00 in Kamchatka is still 16 Nov in Moscow: due today there, not in Moscow.
    let now = at_local("Asia/Kamchatka", 2025, 11, 17, 1, 0);
    assert_eq!(local_date(kamchatka, now), local_date(kamchatka, deadline));
    assert_ne!(local_date(tz("Europe/Moscow"), now), ymd(2025, 11, 17));
    assert!(now <= deadline);
}

#[test]
fn zero_working_days_means_end_of_arrival_day() {
    let cal = shipped();
    let t = at_local("Europe/Moscow", 2025, 11, 8, 10, 0);
    assert_eq!(
        sla_deadline(&cal, None, tz("Europe/Moscow"), t, 0),
        utc(2025, 11, 8, 20, 59, 59)
    );
}

/// Region zones from regions.csv, deduplicated, for the properties.
fn zones() -> Vec<Tz> {
    let mut zones: Vec<Tz> = regions().into_iter().map(|(_, z)| z).collect();
    zones.sort_by_key(|z| z.name());
    zones.dedup();
    zones
}

/// Arrival instants from just before 2024 to the end of 2027 (data years and fallback).
fn arrival() -> impl Strategy<Value = DateTime<Utc>> {
    let from = utc(2023, 12, 20, 0, 0, 0).timestamp();
    let to = utc(2027, 12, 20, 0, 0, 0).timestamp();
    (from..to).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn deadline_properties(
        arrived in arrival(),
        zone in proptest::sample::select(zones()),
        region in proptest::sample::select(vec![None, Some("02")]),
        later_by in 0i64..(20 * 86_400),
    ) {
        let cal = with_overlay();
        let deadline = sla_deadline(&cal, region, zone, arrived, SLA_WORKING_DAYS);
        let local = deadline.with_timezone(&zone);

        prop_assert!(deadline > arrived);
        prop_assert!(deadline - arrived < Duration::days(25));
        prop_assert_eq!(local.time(), NaiveTime::from_hms_opt(23, 59, 59).unwrap());
        prop_assert!(cal.is_working_day(region, local.date_naive()));
        prop_assert!(local.date_naive() > local_date(zone, arrived));
        // Exactly five working days after the arrival day, the last being the deadline day.
        prop_assert_eq!(
            cal.count_working_days(region, local_date(zone, arrived), local.date_naive()),
            SLA_WORKING_DAYS
        );
        prop_assert_eq!(
            whole_working_days_between(&cal, region, zone, arrived, deadline),
            SLA_WORKING_DAYS
        );
        // Working time from arrival to deadline: a part of the arrival day (if working)
        // plus five working days less one second.
        let elapsed = working_days_between(&cal, region, zone, arrived, deadline);
        prop_assert!(elapsed > 4.999 && elapsed < 6.0, "elapsed {}", elapsed);
        // Monotone in arrival.
        let later = sla_deadline(&cal, region, zone, arrived + Duration::seconds(later_by), 5);
        prop_assert!(later >= deadline);
        prop_assert_eq!(local.second(), 59);
    }

    #[test]
    fn parser_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
        let _ = parse_xmlcalendar(&text);
    }

    #[test]
    fn parser_validates_day_attributes(
        d in "[0-9]{0,3}\\.?[0-9]{0,3}",
        t in "[0-9x]{0,2}",
        f in proptest::option::of("[0-9]{1,2}\\.[0-9]{1,2}"),
    ) {
        let f_attr = f.as_ref().map(|f| format!(r#" f="{f}""#)).unwrap_or_default();
        let xml = format!(r#"<calendar year="2024"><days><day d="{d}" t="{t}"{f_attr}/></days></calendar>"#);
        match parse_xmlcalendar(&xml) {
            Ok(y) => {
                prop_assert_eq!(y.days.len(), 1);
                prop_assert!(["1", "2", "3"].contains(&t.as_str()));
                prop_assert_eq!(y.days[0].date.year(), 2024);
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
