//! Dates as teachers read them, formatted by the browser's `Intl` (no date library in the
//! wasm). Every call is guarded: an unknown time zone or a missing `Intl` falls back.

use js_sys::{Array, Date, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Moscow time, used when the region's time zone cannot be applied.
const MSK_MS: f64 = 3.0 * 3600.0 * 1000.0;

fn date(iso: &str) -> Option<Date> {
    let date = Date::new(&JsValue::from_str(iso));
    (!date.get_time().is_nan()).then_some(date)
}

/// `Intl.DateTimeFormat(locale, options).format(date)`, `None` when anything throws.
fn intl(locale: &str, iso: &str, options: &[(&str, &str)]) -> Option<String> {
    let date = date(iso)?;
    let intl = Reflect::get(&js_sys::global(), &JsValue::from_str("Intl")).ok()?;
    let ctor: Function = Reflect::get(&intl, &JsValue::from_str("DateTimeFormat"))
        .ok()?
        .dyn_into()
        .ok()?;
    let opts = Object::new();
    for (key, value) in options {
        Reflect::set(&opts, &JsValue::from_str(key), &JsValue::from_str(value)).ok()?;
    }
    let args = Array::of2(&JsValue::from_str(locale), &opts);
    let format = Reflect::construct(&ctor, &args).ok()?;
    let call: Function = Reflect::get(&format, &JsValue::from_str("format"))
        .ok()?
        .dyn_into()
        .ok()?;
    call.call1(&format, &date).ok()?.as_string()
}

/// «3 декабря»: the date part of `iso` in the IANA zone `tz` (the region's), or in Moscow
/// time (UTC+3) when the zone is unknown to the browser.
#[must_use]
pub fn day_month(iso: &str, tz: Option<&str>) -> String {
    let in_zone = tz.and_then(|tz| {
        let text = intl(
            "en-US",
            iso,
            &[("month", "numeric"), ("day", "numeric"), ("timeZone", tz)],
        )?;
        let (month, day) = text.split_once('/')?;
        Some(shared::ru_day_month(
            day.trim().parse().ok()?,
            month.trim().parse().ok()?,
        ))
    });
    in_zone
        .or_else(|| {
            let date = date(iso)?;
            let msk = Date::new(&JsValue::from_f64(date.get_time() + MSK_MS));
            Some(shared::ru_day_month(
                msk.get_utc_date(),
                msk.get_utc_month() + 1,
            ))
        })
        .unwrap_or_else(|| iso.chars().take(10).collect())
}

/// «3 декабря, 14:05» in the phone's own time zone.
#[must_use]
pub fn date_time(iso: &str) -> String {
    intl(
        "ru-RU",
        iso,
        &[
            ("day", "numeric"),
            ("month", "long"),
            ("hour", "2-digit"),
            ("minute", "2-digit"),
        ],
    )
    .unwrap_or_else(|| iso.chars().take(16).collect::<String>().replace('T', " "))
}
