//! A calendar year as staff see it, and importing a year (or a region's overlay) from the
//! common xmlcalendar XML.

use diesel::prelude::*;
use shared::calendar::{CalendarDayView, CalendarYear};

use super::store::{self, Calendars};
use crate::auth::Caller;
use crate::calendar::{self, MAX_XML_BYTES};
use crate::db::audit;
use crate::db::schema::regions;
use crate::db::Db;
use crate::domain::validate;
use crate::error::ApiError;

/// Checks a year of the path: 2000–2100.
///
/// # Errors
/// 422 `out_of_range`.
pub fn check_year(year: i32) -> Result<i32, ApiError> {
    if (2000..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(ApiError::field(
            "year",
            "out_of_range",
            "Год — от 2000 до 2100.",
        ))
    }
}

/// Checks an optional `region` parameter.
///
/// # Errors
/// 422 for a malformed code.
pub fn check_region(region: Option<&str>) -> Result<Option<String>, ApiError> {
    region.map(|r| validate::region("region", r)).transpose()
}

/// The year as the service counts it, with a warning while it has not been imported.
#[must_use]
pub fn year_view(calendars: &Calendars, year: i32, region: Option<&str>) -> CalendarYear {
    calendars.with(|c| {
        let published = c.has_year(year);
        CalendarYear {
            year,
            region: region.map(str::to_owned),
            published,
            warning: (!published).then(|| {
                format!(
                    "Производственный календарь на {year} год не загружен: сроки считаются по пятидневке \
                     с фиксированными праздниками, без переносов. Загрузите календарь, как только он будет опубликован."
                )
            }),
            items: c
                .year_view(region, year)
                .into_iter()
                .map(|d| CalendarDayView {
                    date: d.date.to_string(),
                    kind: d.kind.as_str().to_owned(),
                    holiday: d.holiday,
                    transferred_from: d.transferred_from.map(|f| f.to_string()),
                })
                .collect(),
        }
    })
}

/// Reads a year (checked) of the federal calendar or a region's overlay.
///
/// # Errors
/// 422 for a year outside 2000–2100 or a malformed region.
pub fn get(
    calendars: &Calendars,
    year: i32,
    region: Option<&str>,
) -> Result<CalendarYear, ApiError> {
    let year = check_year(year)?;
    let region = check_region(region)?;
    Ok(year_view(calendars, year, region.as_deref()))
}

/// Imports a year from xmlcalendar XML, for the federal calendar or (with `region`) that
/// region's overlay: replaces what was stored for that year and scope, records an audit
/// entry, and reloads the calendars so deadlines use it at once. `content_type` is the
/// body's declared media type (`application/xml` or `text/xml`, parameters ignored).
///
/// # Errors
/// 422 for a bad year, region, encoding or calendar; 415 for another media type; 413 over
/// [`MAX_XML_BYTES`]; a database failure.
#[allow(clippy::too_many_arguments)] // the parts of one import request
pub async fn import(
    db: &Db,
    calendars: std::sync::Arc<Calendars>,
    caller: Caller,
    year: i32,
    region: Option<&str>,
    content_type: &str,
    body: &[u8],
) -> Result<CalendarYear, ApiError> {
    let year = check_year(year)?;
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if mime != "application/xml" && mime != "text/xml" {
        return Err(ApiError::UnsupportedMediaType);
    }
    if body.len() > MAX_XML_BYTES {
        return Err(ApiError::PayloadTooLarge {
            limit: MAX_XML_BYTES,
        });
    }
    let region = check_region(region)?;
    let xml = std::str::from_utf8(body).map_err(|_| {
        ApiError::field(
            "body",
            "invalid_utf8",
            "Файл должен быть в кодировке UTF-8.",
        )
    })?;
    let parsed = calendar::parse_xmlcalendar_for_year(xml, year)
        .map_err(|e| ApiError::field("body", "invalid_calendar", &e.to_string()))?;
    let reloaded = std::sync::Arc::clone(&calendars);
    let scope = region.clone();
    db.write(move |conn| {
        if let Some(code) = &scope {
            let known: i64 = regions::table
                .filter(regions::code.eq(code))
                .count()
                .get_result(conn)?;
            if known == 0 {
                return Err(ApiError::field(
                    "region",
                    "unknown",
                    "Такого региона нет в справочнике.",
                ));
            }
        }
        store::store_year(conn, scope.as_deref(), &parsed, Some(&caller.user_id))?;
        audit::record(
            conn,
            &caller.actor(),
            "calendar.import",
            "calendar",
            Some(&format!("{}:{year}", scope.as_deref().unwrap_or("federal"))),
            None,
            Some(&serde_json::json!({ "days": parsed.days.len() })),
        )?;
        reloaded.reload(conn)?;
        Ok(())
    })
    .await?;
    Ok(year_view(&calendars, year, region.as_deref()))
}
