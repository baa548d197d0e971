//! One language for every module: the glossary of words that name the same thing on
//! every screen (statuses, roles, who answered, unread), Russian plural agreement with one
//! integer helper, and dates and deadlines in one shape: «5 дек., 12:26» (the year added
//! when it is not this year) and «до 11 дек., 23:59 (МСК)» in the REGION's time zone.
//!
//! Integer arithmetic only and the browser's `Intl` for time zones: no date library and no
//! float formatting in the WebAssembly.

use js_sys::{Array, Date, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Who answered: an operator of the region.
pub const WHO_OPERATOR: &str = "Оператор";
/// Who answered: the bot, from the knowledge base.
pub const WHO_BOT: &str = "Бот";
/// An appeal nobody has opened since its last message (one word everywhere).
pub const UNREAD: &str = "Не прочитано";
/// The teachers' verification queue and tab.
pub const VERIFICATION: &str = "Подтверждение учителей";
/// The outbox of notifications (never «Очередь», which is the operators' queue).
pub const OUTBOX: &str = "Уведомления";

/// «обращение» after a number.
pub const APPEAL_FORMS: [&str; 3] = ["обращение", "обращения", "обращений"];
/// «рабочий день» after «осталось», abbreviated as on the deadline line.
pub const WORKING_DAY_FORMS: [&str; 3] = ["раб. день", "раб. дня", "раб. дней"];
/// «осталось» agrees with the number too: «остался 1 день», «осталось 2 дня».
pub const LEFT_FORMS: [&str; 3] = ["остался", "осталось", "осталось"];

const MONTHS: [&str; 12] = [
    "янв.",
    "февр.",
    "мар.",
    "апр.",
    "мая",
    "июн.",
    "июл.",
    "авг.",
    "сент.",
    "окт.",
    "нояб.",
    "дек.",
];

/// Picks the form for `n` from `[one, few, many]`: 1 обращение, 2 обращения, 5 обращений,
/// 11 обращений, 21 обращение.
#[must_use]
pub fn plural(n: u64, forms: [&'static str; 3]) -> &'static str {
    let [one, few, many] = forms;
    let (last, last_two) = (n % 10, n % 100);
    if last == 1 && last_two != 11 {
        one
    } else if (2..=4).contains(&last) && !(12..=14).contains(&last_two) {
        few
    } else {
        many
    }
}

/// The number followed by the matching form: `count(89, REGION_FORMS)` is «89 регионов».
#[must_use]
pub fn count(n: usize, forms: [&'static str; 3]) -> String {
    let word = plural(u64::try_from(n).unwrap_or(u64::MAX), forms);
    format!("{n} {word}")
}

/// A wall-clock moment in some zone, and that zone's offset from UTC in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local {
    pub year: u32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub offset_min: i32,
}

fn parse(iso: &str) -> Option<Date> {
    let date = Date::new(&JsValue::from_str(iso));
    (!date.get_time().is_nan()).then_some(date)
}

/// `[year, month, day, hour, minute]` of `date` on the clock of the IANA zone `tz`, read
/// from `Intl.DateTimeFormat('en-US', {…, timeZone})` («12/5/2026, 14:05»); `None` when the
/// zone is unknown to the browser or `Intl` is missing.
fn in_zone(date: &Date, tz: &str) -> Option<[u32; 5]> {
    let intl = Reflect::get(&js_sys::global(), &JsValue::from_str("Intl")).ok()?;
    let ctor: Function = Reflect::get(&intl, &JsValue::from_str("DateTimeFormat"))
        .ok()?
        .dyn_into()
        .ok()?;
    let opts = Object::new();
    for (key, value) in [
        ("year", "numeric"),
        ("month", "numeric"),
        ("day", "numeric"),
        ("hour", "numeric"),
        ("minute", "numeric"),
        ("hourCycle", "h23"),
        ("timeZone", tz),
    ] {
        Reflect::set(&opts, &JsValue::from_str(key), &JsValue::from_str(value)).ok()?;
    }
    let format = Reflect::construct(&ctor, &Array::of2(&JsValue::from_str("en-US"), &opts)).ok()?;
    let call: Function = Reflect::get(&format, &JsValue::from_str("format"))
        .ok()?
        .dyn_into()
        .ok()?;
    let text = call.call1(&format, date).ok()?.as_string()?;
    let mut n = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (month, day, year) = (n.next()?, n.next()?, n.next()?);
    Some([year, month, day, n.next()? % 24, n.next()?])
}

/// Days from 1970-01-01 to a civil date (Howard Hinnant's `days_from_civil`): integer
/// arithmetic instead of one more browser import.
fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The wall clock `parts` of the instant `date`, with the offset they imply.
#[allow(clippy::cast_possible_truncation)] // minutes since 1970 fit an i64, offsets an i32
fn with_offset(date: &Date, parts: [u32; 5]) -> Local {
    let [year, month, day, hour, minute] = parts;
    // The offset is the wall clock minus UTC, both in whole minutes.
    let wall = days_from_civil(year, month, day) * 1440 + i64::from(hour * 60 + minute);
    Local {
        year,
        month,
        day,
        hour,
        minute,
        offset_min: (wall - (date.get_time() / 60_000.0).floor() as i64) as i32,
    }
}

/// The clock of `tz`, or of Moscow when the browser does not know `tz` (or it is empty).
fn zone_parts(date: &Date, tz: Option<&str>) -> Option<[u32; 5]> {
    tz.filter(|t| !t.is_empty())
        .and_then(|tz| in_zone(date, tz))
        .or_else(|| in_zone(date, "Europe/Moscow"))
}

fn now() -> Date {
    Date::new(&JsValue::from_f64(Date::now()))
}

/// `iso` on the clock of the IANA zone `tz` (the region's); Moscow time when the zone is
/// not given or the browser does not know it.
#[must_use]
pub fn local(iso: &str, tz: Option<&str>) -> Option<Local> {
    let date = parse(iso)?;
    Some(with_offset(&date, zone_parts(&date, tz)?))
}

/// The zone's name as Russians say it: «МСК», «МСК+2», «МСК−1» (Russia's zones are whole
/// hours from Moscow).
#[must_use]
pub fn zone_name(offset_min: i32) -> String {
    let hours = (offset_min - 180) / 60;
    let mut name = String::from("МСК");
    if hours != 0 {
        name.push(if hours < 0 { '−' } else { '+' });
        name.push_str(&hours.unsigned_abs().to_string());
    }
    name
}

fn push_two(out: &mut String, n: u32) {
    if n < 10 {
        out.push('0');
    }
    out.push_str(&n.to_string());
}

/// «5 дек., 12:26»; «5 дек. 2025, 12:26» when the year is not `this_year`.
#[must_use]
pub fn format_local(at: Local, this_year: u32) -> String {
    let mut out = at.day.to_string();
    out.push(' ');
    out.push_str(MONTHS[(at.month.clamp(1, 12) - 1) as usize]);
    if at.year != this_year {
        out.push(' ');
        out.push_str(&at.year.to_string());
    }
    out.push_str(", ");
    push_two(&mut out, at.hour);
    out.push(':');
    push_two(&mut out, at.minute);
    out
}

/// A moment as every screen shows it: «5 дек., 12:26» on the phone's own clock.
#[must_use]
pub fn date_time(iso: &str) -> String {
    parse(iso).map_or_else(
        || iso.to_owned(),
        |d| {
            let parts = [
                d.get_full_year(),
                d.get_month() + 1,
                d.get_date(),
                d.get_hours(),
                d.get_minutes(),
            ];
            format_local(with_offset(&d, parts), now().get_full_year())
        },
    )
}

/// «до 11 дек., 23:59 (МСК)»: a deadline on the region's clock (`tz`, IANA), its zone named.
#[must_use]
pub fn until(iso: &str, tz: Option<&str>) -> String {
    local(iso, tz).map_or_else(
        || iso.to_owned(),
        |at| {
            let this_year = zone_parts(&now(), tz).map_or(at.year, |p| p[0]);
            let mut out = String::from("до ");
            out.push_str(&format_local(at, this_year));
            out.push_str(" (");
            out.push_str(&zone_name(at.offset_min));
            out.push(')');
            out
        },
    )
}

/// The deadline with the working days the server counted (`Appeal::working_days_left`):
/// «осталось 2 раб. дня · до 11 дек., 23:59 (МСК)»; on the deadline's day «сегодня до 23:59
/// (МСК)»; overdue «просрочено на 1 раб. день · до 11 дек., 23:59 (МСК)»; without the count,
/// the deadline alone.
#[must_use]
pub fn deadline(iso: &str, tz: Option<&str>, working_days_left: Option<i32>) -> String {
    match working_days_left {
        Some(0) => local(iso, tz).map_or_else(
            || until(iso, tz),
            |at| {
                let mut out = String::from("сегодня до ");
                push_two(&mut out, at.hour);
                out.push(':');
                push_two(&mut out, at.minute);
                out.push_str(" (");
                out.push_str(&zone_name(at.offset_min));
                out.push(')');
                out
            },
        ),
        Some(n) => format!("{} · {}", days_left(n), until(iso, tz)),
        None => until(iso, tz),
    }
}

/// «осталось 2 раб. дня», «остался 1 раб. день»; for a negative count «просрочено на 3 раб.
/// дня».
#[must_use]
pub fn days_left(n: i32) -> String {
    let days = u64::from(n.unsigned_abs());
    let word = plural(days, WORKING_DAY_FORMS);
    if n < 0 {
        format!("просрочено на {days} {word}")
    } else {
        format!("{} {days} {word}", plural(days, LEFT_FORMS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: [&str; 3] = ["one", "few", "many"];

    #[test]
    fn plural_forms() {
        for n in [1, 21, 31, 101, 121, 1001] {
            assert_eq!(plural(n, F), "one", "{n}");
        }
        for n in [2, 3, 4, 22, 23, 24, 102, 1004] {
            assert_eq!(plural(n, F), "few", "{n}");
        }
        for n in [0, 5, 11, 12, 14, 19, 20, 25, 89, 100, 111, 112, 114] {
            assert_eq!(plural(n, F), "many", "{n}");
        }
        assert_eq!(count(1, APPEAL_FORMS), "1 обращение");
        assert_eq!(count(2, APPEAL_FORMS), "2 обращения");
        assert_eq!(count(5, APPEAL_FORMS), "5 обращений");
    }

    #[test]
    fn working_days_left_agree_with_their_number() {
        assert_eq!(days_left(1), "остался 1 раб. день");
        assert_eq!(days_left(2), "осталось 2 раб. дня");
        assert_eq!(days_left(5), "осталось 5 раб. дней");
        assert_eq!(days_left(21), "остался 21 раб. день");
        assert_eq!(days_left(-1), "просрочено на 1 раб. день");
        assert_eq!(days_left(-3), "просрочено на 3 раб. дня");
        assert_eq!(days_left(-11), "просрочено на 11 раб. дней");
    }

    #[test]
    fn zones_are_named_from_moscow() {
        assert_eq!(zone_name(180), "МСК");
        assert_eq!(zone_name(300), "МСК+2");
        assert_eq!(zone_name(120), "МСК−1");
        assert_eq!(zone_name(720), "МСК+9");
    }

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2026, 12, 5), 20_792);
    }

    #[test]
    fn dates_have_one_shape() {
        let at = Local {
            year: 2026,
            month: 12,
            day: 5,
            hour: 9,
            minute: 6,
            offset_min: 180,
        };
        assert_eq!(format_local(at, 2026), "5 дек., 09:06");
        assert_eq!(format_local(at, 2027), "5 дек. 2026, 09:06");
    }
}
