//! The appeals of a report as an Excel workbook: the sheet «Обращения» (dates as dates,
//! Moscow time) goes to a temporary file in rust_xlsxwriter's constant-memory mode as rows
//! are read; the sheet «Регионы» holds the per-region figures of the period and a total row.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use shared::stats::{RegionStats, StatsFigures};

use super::super::query::region_rows;
use super::{
    author, checkout, for_each_row, moscow, region_names, source_label, status_label, ReportFilter,
    Stop, HEADERS, NUMBER,
};
use crate::db::Pool;
use crate::domain::calendar::Calendars;

/// Excel opens at most 1,048,576 rows per sheet.
const XLSX_MAX_ROWS: i64 = 1_000_000;

/// The reason of [`Stop::Failed`] when the report has more rows than Excel opens.
pub const TOO_MANY: &str = "too_many_rows";

struct Formats {
    header: Format,
    date: Format,
    share: Format,
    decimal: Format,
}

impl Formats {
    fn new() -> Self {
        Self {
            header: Format::new().set_bold(),
            date: Format::new().set_num_format("dd.mm.yyyy hh:mm"),
            share: Format::new().set_num_format("0.0%"),
            decimal: Format::new().set_num_format("0.00"),
        }
    }
}

fn write_appeals_sheet(
    sheet: &mut Worksheet,
    pool: &Pool,
    filter: &ReportFilter,
    formats: &Formats,
) -> Result<(), Stop> {
    sheet.set_name("Обращения")?;
    for (col, width) in [34, 8, 30, 30, 17, 17, 30, 24, 17, 8, 14]
        .into_iter()
        .enumerate()
    {
        sheet.set_column_width(u16::try_from(col).unwrap_or(0), width)?;
    }
    for (col, title) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(
            0,
            u16::try_from(col).unwrap_or(0),
            *title,
            &formats.header,
        )?;
    }
    // The human number «16-000123» (the one operators, teachers and letters name) after
    // the shared columns, so the CSV's layout and the first column's id stay as they were.
    sheet.write_string_with_format(0, 10, NUMBER, &formats.header)?;
    sheet.set_freeze_panes(1, 0)?;
    let names = region_names(pool)?;
    let mut r: u32 = 0;
    for_each_row(pool, filter, |row| {
        r += 1;
        sheet.write_string(r, 0, &row.id)?;
        sheet.write_string(r, 1, &row.region_code)?;
        sheet.write_string(r, 2, names.get(&row.region_code).map_or("", String::as_str))?;
        sheet.write_string(r, 3, author(row))?;
        sheet.write_datetime_with_format(r, 4, moscow(row.created_at), &formats.date)?;
        if let Some(deadline) = row.deadline_at {
            sheet.write_datetime_with_format(r, 5, moscow(deadline), &formats.date)?;
        }
        sheet.write_string(r, 6, status_label(row))?;
        if let Some((source, at, score)) = &row.answer {
            sheet.write_string(r, 7, source_label(source))?;
            sheet.write_datetime_with_format(r, 8, moscow(*at), &formats.date)?;
            if let Some(score) = score {
                sheet.write_number(r, 9, f64::from(*score))?;
            }
        }
        sheet.write_string(r, 10, &row.number)?;
        Ok(())
    })
}

/// Titles of the «Регионы» sheet after code, name and district, with each figure.
#[allow(clippy::type_complexity)]
const REGION_COLUMNS: [(&str, fn(&StatsFigures) -> Cell); 24] = [
    ("Поступило", |f| Cell::Count(f.received)),
    ("Ждут ответа", |f| Cell::Count(f.open)),
    ("Просрочено", |f| Cell::Count(f.overdue)),
    ("Срок сегодня", |f| Cell::Count(f.due_today)),
    ("Не открыто", |f| Cell::Count(f.unread)),
    ("Отвечено", |f| Cell::Count(f.answered)),
    ("Ответил бот", |f| Cell::Count(f.answered_by_bot)),
    ("Ответили операторы", |f| {
        Cell::Count(f.answered_by_operators)
    }),
    ("Ответ в срок", |f| {
        Cell::Count(f.answered_within_sla)
    }),
    ("Доля ответов в срок", |f| {
        Cell::Share(f.answered_within_sla_share)
    }),
    ("Медиана до ответа, ч", |f| {
        Cell::Decimal(f.median_first_answer_hours)
    }),
    ("Медиана до ответа, раб. дн.", |f| {
        Cell::Decimal(f.median_first_answer_working_days)
    }),
    ("Средняя оценка", |f| {
        Cell::Decimal(f.rating_avg)
    }),
    ("Оценок", |f| Cell::Count(f.ratings_count)),
    ("Доля ответов бота", |f| {
        Cell::Share(f.bot_share)
    }),
    ("Решено по подсказке", |f| {
        Cell::Count(f.self_served)
    }),
    ("Доля решённых по подсказке", |f| {
        Cell::Share(f.self_served_share)
    }),
    ("Оценок ответов бота", |f| {
        Cell::Count(f.bot_grades_count)
    }),
    ("Точность бота", |f| Cell::Share(f.bot_accuracy)),
    ("Эскалации", |f| Cell::Count(f.escalated)),
    ("Доля эскалаций", |f| {
        Cell::Share(f.escalation_rate)
    }),
    // Issue #22: the average split by who answered, and the bot's «помогло» share.
    ("Средняя оценка ответов бота", |f| {
        Cell::Decimal(f.rating_avg_bot)
    }),
    (
        "Средняя оценка ответов операторов",
        |f| Cell::Decimal(f.rating_avg_operators),
    ),
    ("Доля «помогло» у бота", |f| {
        Cell::Share(f.bot_helpful_share)
    }),
];

enum Cell {
    Count(i64),
    Share(Option<f64>),
    Decimal(Option<f64>),
}

#[allow(clippy::cast_precision_loss)] // counts stay far below 2^52
fn write_figures(
    sheet: &mut Worksheet,
    row: u32,
    figures: &StatsFigures,
    formats: &Formats,
) -> Result<(), XlsxError> {
    for (i, (_, get)) in REGION_COLUMNS.iter().enumerate() {
        let col = u16::try_from(i + 3).unwrap_or(0);
        match get(figures) {
            Cell::Count(n) => {
                sheet.write_number(row, col, n as f64)?;
            }
            Cell::Share(Some(x)) => {
                sheet.write_number_with_format(row, col, x, &formats.share)?;
            }
            Cell::Decimal(Some(x)) => {
                sheet.write_number_with_format(row, col, x, &formats.decimal)?;
            }
            Cell::Share(None) | Cell::Decimal(None) => {}
        }
    }
    Ok(())
}

fn write_regions_sheet(
    sheet: &mut Worksheet,
    rows: &[RegionStats],
    total: &StatsFigures,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name("Регионы")?;
    sheet.set_column_width(1, 34)?;
    sheet.set_column_width(2, 18)?;
    for (col, title) in ["Код", "Регион", "Федеральный округ"]
        .into_iter()
        .chain(REGION_COLUMNS.iter().map(|(t, _)| *t))
        .enumerate()
    {
        sheet.write_string_with_format(
            0,
            u16::try_from(col).unwrap_or(0),
            title,
            &formats.header,
        )?;
    }
    sheet.set_freeze_panes(1, 2)?;
    let mut r: u32 = 0;
    for row in rows {
        r += 1;
        sheet.write_string(r, 0, &row.code)?;
        sheet.write_string(r, 1, &row.name)?;
        sheet.write_string(r, 2, &row.federal_district)?;
        write_figures(sheet, r, &row.figures, formats)?;
    }
    r += 1;
    sheet.write_string_with_format(r, 1, "Итого", &formats.header)?;
    write_figures(sheet, r, total, formats)?;
    Ok(())
}

/// Builds the workbook (answering [`TOO_MANY`] over 1,000,000 appeals): appeals rows go to the worksheet's temporary file as they are read.
pub fn build_workbook(
    pool: &Pool,
    calendars: &Calendars,
    filter: &ReportFilter,
    now: DateTime<Utc>,
) -> Result<Workbook, Stop> {
    let (rows, total) = {
        let mut conn = checkout(pool)?;
        let n: i64 = filter.appeals().count().get_result(&mut conn)?;
        if n > XLSX_MAX_ROWS {
            return Err(Stop::Failed(TOO_MANY.to_owned()));
        }
        region_rows(
            &mut conn,
            calendars,
            &filter.regions,
            filter.period,
            now,
            filter.level,
        )?
    };
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    write_appeals_sheet(
        workbook.add_worksheet_with_constant_memory(),
        pool,
        filter,
        &formats,
    )?;
    write_regions_sheet(workbook.add_worksheet(), &rows, &total, &formats)?;
    Ok(workbook)
}
