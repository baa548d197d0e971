//! Each region's number of teachers (issue #18): a federal user imports them, as a JSON
//! list or a CSV file of `code;teachers` lines, and the statistics divide a region's appeals
//! of a period by it (appeals per 1,000 teachers). The service ships no figure: a region
//! without one has no such figure, and the map offers it only once a region has one.
//!
//! An import sets the regions it lists and leaves the others as they are; setting the same
//! figures again changes nothing a reader sees (`PUT` is idempotent), so no idempotency key
//! is needed. Every import is audit-logged with the figures before and after.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use shared::stats::{RegionTeachers, RegionTeachersImported, RegionTeachersItem};
use shared::FieldError;

use crate::auth::Caller;
use crate::db::schema::{region_teachers as rt, regions};
use crate::db::{self, audit, AnyConnection};
use crate::domain::stats::RegionFilter;
use crate::error::ApiError;

/// The largest number of teachers a region may have (Russia has about 1.1 million school
/// teachers in all; a figure above this is a typing error).
pub const MAX_TEACHERS: i64 = 10_000_000;

/// Lines one import may hold (89 regions, with room for a header and blank lines).
pub const MAX_LINES: usize = 100;

fn error(field: String, code: &str, message: &str) -> FieldError {
    FieldError {
        field,
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

fn refuse(errors: Vec<FieldError>) -> ApiError {
    let detail = match errors.as_slice() {
        [one] => one.message.clone(),
        _ => format!(
            "В списке ошибок: {}. Исправьте их и загрузите список снова; ничего не сохранено.",
            errors.len()
        ),
    };
    ApiError::Validation { detail, errors }
}

/// Reads a CSV file of `code;teachers` lines (`,` or a tab also separate; a header line
/// and blank lines are skipped; a UTF-8 BOM is ignored).
///
/// # Errors
/// 422 `validation_failed` naming each bad line (`line 3`, code `invalid_line`).
pub fn parse_csv(text: &str) -> Result<Vec<RegionTeachersItem>, ApiError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for (number, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let mut parts = line
            .split([';', ',', '\t'])
            .map(|p| p.trim().trim_matches('"'));
        let (code, teachers) = (parts.next().unwrap_or_default(), parts.next());
        // A header («code;teachers», «Код;Учителей») is a first line without a digit.
        let header =
            items.is_empty() && errors.is_empty() && !code.chars().any(|c| c.is_ascii_digit());
        if header {
            continue;
        }
        let teachers = teachers.map(|t| t.replace([' ', '\u{a0}'], ""));
        match (teachers.and_then(|t| t.parse::<i64>().ok()), parts.next()) {
            (Some(teachers), None) => items.push(RegionTeachersItem {
                code: code.to_owned(),
                teachers,
            }),
            _ => errors.push(error(
                format!("line {}", number + 1),
                "invalid_line",
                &format!(
                    "Строка {}: нужны код региона и число учителей через «;», например «16;45210».",
                    number + 1
                ),
            )),
        }
    }
    if errors.is_empty() {
        Ok(items)
    } else {
        Err(refuse(errors))
    }
}

/// Checks a list against the reference list of regions: every line a known region, once,
/// with 1 to [`MAX_TEACHERS`] teachers; at least one line, at most [`MAX_LINES`].
///
/// # Errors
/// 422 `validation_failed` naming every bad item (`items[2].code` `unknown_region` or
/// `duplicate`, `items[0].teachers` `out_of_range`), or `items` `empty` / `too_many`.
pub fn check(
    items: &[RegionTeachersItem],
    known: &BTreeSet<String>,
) -> Result<Vec<(String, i64)>, ApiError> {
    if items.is_empty() {
        return Err(ApiError::field(
            "items",
            "empty",
            "Список пуст: нужна хотя бы одна строка «код;число учителей».",
        ));
    }
    if items.len() > MAX_LINES {
        return Err(ApiError::field(
            "items",
            "too_many",
            "Не больше 100 строк: по одной на регион.",
        ));
    }
    let mut seen = BTreeSet::new();
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let code = item.code.trim();
        if !known.contains(code) {
            errors.push(error(
                format!("items[{i}].code"),
                "unknown_region",
                &format!(
                    "Строка {}: региона с кодом «{code}» нет в справочнике.",
                    i + 1
                ),
            ));
        } else if !seen.insert(code.to_owned()) {
            errors.push(error(
                format!("items[{i}].code"),
                "duplicate",
                &format!("Строка {}: регион {code} уже есть в списке выше.", i + 1),
            ));
        }
        if !(1..=MAX_TEACHERS).contains(&item.teachers) {
            errors.push(error(
                format!("items[{i}].teachers"),
                "out_of_range",
                &format!(
                    "Строка {}: число учителей — целое от 1 до 10 000 000.",
                    i + 1
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(refuse(errors));
    }
    Ok(items
        .iter()
        .map(|i| (i.code.trim().to_owned(), i.teachers))
        .collect())
}

/// Every region with a number of teachers, by code.
///
/// # Errors
/// A database failure.
pub fn list(conn: &mut AnyConnection) -> QueryResult<Vec<RegionTeachers>> {
    let rows: Vec<(String, String, i64, chrono::NaiveDateTime, Option<String>)> = rt::table
        .inner_join(regions::table.on(regions::code.eq(rt::region_code)))
        .select((
            rt::region_code,
            regions::name,
            rt::teachers,
            rt::set_at,
            rt::set_by,
        ))
        .order(rt::region_code.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(code, name, teachers, set_at, set_by)| RegionTeachers {
            code,
            name,
            teachers,
            set_at: db::rfc3339(set_at),
            set_by,
        })
        .collect())
}

/// Sets the listed regions' numbers of teachers (the others stay), audit-logged; answers
/// every region's stored figure. Run inside a write.
///
/// # Errors
/// 422 as [`check`], or a database failure.
pub fn import(
    conn: &mut AnyConnection,
    caller: &Caller,
    items: &[RegionTeachersItem],
) -> Result<RegionTeachersImported, ApiError> {
    let known: BTreeSet<String> = regions::table
        .select(regions::code)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let lines = check(items, &known)?;
    let codes: Vec<&String> = lines.iter().map(|l| &l.0).collect();
    let before: BTreeMap<String, i64> = rt::table
        .filter(rt::region_code.eq_any(&codes))
        .select((rt::region_code, rt::teachers))
        .load(conn)?
        .into_iter()
        .collect();
    let now = db::now();
    diesel::delete(rt::table.filter(rt::region_code.eq_any(&codes))).execute(conn)?;
    // One row at a time: MultiConnection has no batch insert (89 rows at most).
    for (code, teachers) in &lines {
        diesel::insert_into(rt::table)
            .values((
                rt::region_code.eq(code),
                rt::teachers.eq(*teachers),
                rt::set_at.eq(now),
                rt::set_by.eq(Some(&caller.user_id)),
            ))
            .execute(conn)?;
    }
    let after: BTreeMap<&str, i64> = lines.iter().map(|(c, t)| (c.as_str(), *t)).collect();
    audit::record(
        conn,
        &caller.actor(),
        "region_teachers.import",
        "region_teachers",
        None,
        Some(&serde_json::json!(before)),
        Some(&serde_json::json!(after)),
    )?;
    Ok(RegionTeachersImported {
        imported: i64::try_from(lines.len()).unwrap_or(i64::MAX),
        items: list(conn)?,
    })
}

/// The numbers of teachers of the regions of `filter` that have one.
///
/// # Errors
/// A database failure.
pub fn teachers_of(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
) -> QueryResult<BTreeMap<String, i64>> {
    let mut query = rt::table
        .select((rt::region_code, rt::teachers))
        .into_boxed();
    if let Some(codes) = filter.codes() {
        query = query.filter(rt::region_code.eq_any(codes.to_vec()));
    }
    Ok(query.load::<(String, i64)>(conn)?.into_iter().collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn codes(r: Result<Vec<(String, i64)>, ApiError>) -> Vec<String> {
        match r {
            Err(ApiError::Validation { errors, .. }) => errors
                .into_iter()
                .map(|e| format!("{}:{}", e.field, e.code))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn csv_lines_and_their_errors() {
        let items = parse_csv("\u{feff}code;teachers\n16;45 210\n\n77,120000\n").unwrap();
        assert_eq!(
            items,
            vec![
                RegionTeachersItem {
                    code: "16".into(),
                    teachers: 45_210
                },
                RegionTeachersItem {
                    code: "77".into(),
                    teachers: 120_000
                },
            ]
        );
        match parse_csv("16;много\n02\n03;1;2") {
            Err(ApiError::Validation { errors, .. }) => assert_eq!(
                errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
                ["line 1", "line 2", "line 3"]
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_list_is_checked_whole() {
        let known: BTreeSet<String> = ["02", "16"].into_iter().map(String::from).collect();
        let item = |code: &str, teachers| RegionTeachersItem {
            code: code.into(),
            teachers,
        };
        assert_eq!(
            check(&[item("16", 10), item("02", 5)], &known).unwrap(),
            [("16".to_owned(), 10), ("02".to_owned(), 5)]
        );
        assert_eq!(
            codes(check(
                &[item("99", 10), item("16", 0), item("16", 5)],
                &known
            )),
            [
                "items[0].code:unknown_region",
                "items[1].teachers:out_of_range",
                "items[2].code:duplicate"
            ]
        );
        assert_eq!(codes(check(&[], &known)), ["items:empty"]);
    }
}
