//! Reports for staff: the appeals of a period and scope as CSV or XLSX (with a second sheet
//! «Регионы», the per-region figures of the same period). Both are streamed: rows are read
//! page by page in `(created_at, id)` order and written out in chunks through a small
//! bounded channel, so memory stays flat however many appeals the period holds (the XLSX
//! worksheet goes to a temporary file in rust_xlsxwriter's constant-memory mode and the
//! zip is streamed out as it is written).
//!
//! CSV: UTF-8 with a byte-order mark and `;` as the separator — what Excel with Russian
//! regional settings opens correctly by double-click (its list separator is `;` because
//! the decimal separator is a comma). Dates are Moscow time, `ДД.ММ.ГГГГ ЧЧ:ММ`.

use std::collections::HashMap;
use std::io::{self, Write};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde::Deserialize;
use shared::appeals::{AppealStatus, CloseReason};
use shared::stats::{RegionStats, StatsFigures};
use shared::users::Role;
use tokio::sync::{mpsc, oneshot};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::db::schema::{appeal_answers as ans, appeals as ap, ratings, regions};
use crate::db::{AnyConnection, Pool};
use crate::error::ApiError;
use crate::routes::stats::{ensure_filled, parse_period, region_filter, region_rows};
use crate::state::AppState;
use crate::stats::{Period, RegionFilter, PERIOD_TZ};
use crate::workcal::Calendars;

const PROBLEM: &str = "application/problem+json";
const CSV_TYPE: &str = "text/csv; charset=utf-8";
const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Appeals read per query.
const PAGE: i64 = 1_000;
/// Bytes per chunk sent to the client.
const CHUNK: usize = 64 * 1024;
/// Chunks that may wait for a slow client (the memory bound: `CHUNK × QUEUE`).
const QUEUE: usize = 4;
/// Excel opens at most 1,048,576 rows per sheet.
const XLSX_MAX_ROWS: i64 = 1_000_000;

/// Filters of a report.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// First day, `YYYY-MM-DD` (Moscow date, inclusive); default: 29 days before `to`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (inclusive); default: today. At most 3 years after `from`.
    pub to: Option<String>,
    /// Only this region (within the caller's regions).
    pub region: Option<String>,
    /// Only this status: `answered_by_bot`, `new`, `in_progress`, `answered`, `closed`.
    pub status: Option<String>,
}

/// A file download.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileDownload(pub Vec<u8>);

/// What a report covers, checked.
#[derive(Debug, Clone)]
struct ReportFilter {
    regions: RegionFilter,
    region: Option<String>,
    period: Period,
    status: Option<AppealStatus>,
}

impl ReportFilter {
    fn parse(caller: &Caller, query: &ReportQuery, now: DateTime<Utc>) -> Result<Self, ApiError> {
        caller.require(&[Role::Operator, Role::RegionalHead, Role::Federal])?;
        let period = parse_period(query.from.as_deref(), query.to.as_deref(), now)?;
        let status = query
            .status
            .as_deref()
            .map(|s| {
                AppealStatus::parse(s.trim()).ok_or_else(|| {
                    ApiError::field(
                        "status",
                        "invalid",
                        "Статус — answered_by_bot, new, in_progress, answered или closed.",
                    )
                })
            })
            .transpose()?;
        let regions = region_filter(caller, query.region.as_deref())?;
        let region = match (&regions, query.region.is_some()) {
            (RegionFilter::Only(codes), true) => codes.first().cloned(),
            _ => None,
        };
        Ok(Self {
            regions,
            region,
            period,
            status,
        })
    }

    fn file_name(&self, extension: &str) -> String {
        let mut name = format!("appeals_{}_{}", self.period.from, self.period.to);
        if let Some(region) = &self.region {
            name.push('_');
            name.push_str(region);
        }
        if let Some(status) = self.status {
            name.push('_');
            name.push_str(status.as_str());
        }
        format!("{name}.{extension}")
    }

    fn disposition(&self, extension: &str) -> String {
        format!("attachment; filename=\"{}\"", self.file_name(extension))
    }
}

/// A response body fed by a bounded channel: the producer (a blocking thread) waits when
/// the client is slow; an error aborts the transfer so a cut file is never taken for whole.
struct ChannelBody(mpsc::Receiver<io::Result<Bytes>>);

impl MessageBody for ChannelBody {
    type Error = io::Error;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        self.get_mut().0.poll_recv(cx)
    }
}

/// Buffers writes and sends them to the [`ChannelBody`] in chunks.
struct ChannelWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn new(tx: mpsc::Sender<io::Result<Bytes>>) -> Self {
        Self {
            tx,
            buf: Vec::with_capacity(CHUNK),
        }
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }

    /// Sends what is left.
    fn finish(mut self) -> io::Result<()> {
        self.send()
    }

    /// Ends the transfer with an error (the client sees a broken download, not a short one).
    fn fail(self, reason: &str) {
        tracing::error!(reason, "report export failed");
        let _ = self
            .tx
            .blocking_send(Err(io::Error::other(reason.to_owned())));
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One line of the report.
struct ReportRow {
    id: String,
    region_code: String,
    author_name: Option<String>,
    anonymous: bool,
    created_at: NaiveDateTime,
    deadline_at: Option<NaiveDateTime>,
    status: String,
    close_reason: Option<String>,
    /// The latest answer: source, when, and its rating.
    answer: Option<(String, NaiveDateTime, Option<i32>)>,
}

type AppealCols = (
    String,
    String,
    Option<String>,
    bool,
    NaiveDateTime,
    Option<NaiveDateTime>,
    String,
    Option<String>,
);

fn checkout(pool: &Pool) -> Result<crate::db::PooledConn, ApiError> {
    pool.get().map_err(|e| {
        tracing::warn!(error = %e, "no database connection for a report");
        ApiError::Unavailable
    })
}

/// The appeals of the report after `after` (keyset), at most [`PAGE`], with their latest
/// answer and its rating.
fn page(
    conn: &mut AnyConnection,
    filter: &ReportFilter,
    after: Option<&(NaiveDateTime, String)>,
) -> QueryResult<Vec<ReportRow>> {
    let mut query = ap::table
        .filter(ap::created_at.ge(filter.period.start_utc()))
        .filter(ap::created_at.lt(filter.period.end_utc()))
        .into_boxed();
    if let Some(codes) = filter.regions.codes() {
        query = query.filter(ap::region_code.eq_any(codes.to_vec()));
    }
    if let Some(status) = filter.status {
        query = query.filter(ap::status.eq(status.as_str()));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            ap::created_at
                .gt(*at)
                .or(ap::created_at.eq(*at).and(ap::id.gt(id.clone()))),
        );
    }
    let rows: Vec<AppealCols> = query
        .order((ap::created_at.asc(), ap::id.asc()))
        .limit(PAGE)
        .select((
            ap::id,
            ap::region_code,
            ap::author_name,
            ap::anonymous,
            ap::created_at,
            ap::deadline_at,
            ap::status,
            ap::close_reason,
        ))
        .load(conn)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&String> = rows.iter().map(|r| &r.0).collect();
    let answers: Vec<(String, String, String, NaiveDateTime)> = ans::table
        .filter(ans::appeal_id.eq_any(&ids))
        .order((ans::answered_at.asc(), ans::id.asc()))
        .select((ans::appeal_id, ans::id, ans::source, ans::answered_at))
        .load(conn)?;
    let scores: HashMap<String, i32> = ratings::table
        .filter(ratings::appeal_id.eq_any(&ids))
        .select((ratings::answer_id, ratings::score))
        .load::<(String, i32)>(conn)?
        .into_iter()
        .collect();
    let mut latest: HashMap<String, (String, NaiveDateTime, Option<i32>)> = HashMap::new();
    for (appeal_id, answer_id, source, at) in answers {
        let score = scores.get(&answer_id).copied();
        latest.insert(appeal_id, (source, at, score));
    }
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                region_code,
                author_name,
                anonymous,
                created_at,
                deadline_at,
                status,
                close_reason,
            )| {
                ReportRow {
                    answer: latest.remove(&id),
                    id,
                    region_code,
                    author_name,
                    anonymous,
                    created_at,
                    deadline_at,
                    status,
                    close_reason,
                }
            },
        )
        .collect())
}

/// Calls `each` for every appeal of the report, in order, a page at a time (a pooled
/// connection is held only while a page is read).
fn for_each_row(
    pool: &Pool,
    filter: &ReportFilter,
    mut each: impl FnMut(&ReportRow) -> Result<(), Stop>,
) -> Result<(), Stop> {
    let mut after: Option<(NaiveDateTime, String)> = None;
    loop {
        let rows = {
            let mut conn = checkout(pool)?;
            page(&mut conn, filter, after.as_ref())?
        };
        for row in &rows {
            each(row)?;
        }
        match rows.last() {
            Some(last) if i64::try_from(rows.len()).unwrap_or(0) == PAGE => {
                after = Some((last.created_at, last.id.clone()));
            }
            _ => return Ok(()),
        }
    }
}

/// Why an export stopped early.
enum Stop {
    /// The client closed the connection: nothing to report.
    ClientGone,
    /// A real failure.
    Failed(String),
}

impl From<ApiError> for Stop {
    fn from(e: ApiError) -> Self {
        Self::Failed(format!("{e:?}"))
    }
}

impl From<diesel::result::Error> for Stop {
    fn from(e: diesel::result::Error) -> Self {
        Self::Failed(e.to_string())
    }
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Self::ClientGone
        } else {
            Self::Failed(e.to_string())
        }
    }
}

impl From<XlsxError> for Stop {
    fn from(e: XlsxError) -> Self {
        match e {
            XlsxError::IoError(io) => io.into(),
            other => Self::Failed(other.to_string()),
        }
    }
}

fn region_names(pool: &Pool) -> Result<HashMap<String, String>, Stop> {
    let mut conn = checkout(pool)?;
    Ok(regions::table
        .select((regions::code, regions::name))
        .load::<(String, String)>(&mut conn)?
        .into_iter()
        .collect())
}

fn moscow(at: NaiveDateTime) -> NaiveDateTime {
    at.and_utc().with_timezone(&PERIOD_TZ).naive_local()
}

fn moscow_text(at: NaiveDateTime) -> String {
    moscow(at).format("%d.%m.%Y %H:%M").to_string()
}

fn author(row: &ReportRow) -> String {
    if row.anonymous {
        "Анонимно".to_owned()
    } else {
        row.author_name.clone().unwrap_or_else(|| "—".to_owned())
    }
}

fn status_label(row: &ReportRow) -> String {
    let status: &str = match AppealStatus::parse(&row.status) {
        Some(status) => status.title(),
        None => &row.status,
    };
    let reason = row
        .close_reason
        .as_deref()
        .and_then(CloseReason::parse)
        .map(|r| match r {
            CloseReason::Rated => "оценено",
            CloseReason::SelfServed => "ответ найден в подсказке",
            CloseReason::Withdrawn => "отозвано",
            CloseReason::OffTopic => "не по теме",
            CloseReason::Duplicate => "повтор",
            CloseReason::Spam => "спам",
            CloseReason::Expired => "без оценки 14 дней",
        });
    match reason {
        Some(reason) => format!("{status}: {reason}"),
        None => status.to_owned(),
    }
}

fn source_label(source: &str) -> &str {
    match source {
        "bot" => "База знаний (бот)",
        "operator" => "Оператор",
        "self_served" => "Подсказка (сам учитель)",
        other => other,
    }
}

/// Column titles of the appeals sheet and the CSV.
const HEADERS: [&str; 10] = [
    "Номер",
    "Код региона",
    "Регион",
    "Автор",
    "Поступило (МСК)",
    "Срок ответа (МСК)",
    "Статус",
    "Источник ответа",
    "Ответ дан (МСК)",
    "Оценка",
];

/// One CSV field: quoted when it holds the separator, a quote or a line break; a leading
/// `=`, `+`, `-` or `@` is neutralised so a spreadsheet never runs it as a formula.
fn csv_field(out: &mut String, value: &str) {
    let guarded;
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        guarded = format!("'{value}");
        guarded.as_str()
    } else {
        value
    };
    if value.contains([';', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn csv_line(out: &mut String, fields: &[&str]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        csv_field(out, field);
    }
    out.push_str("\r\n");
}

fn write_csv(pool: &Pool, filter: &ReportFilter, writer: &mut ChannelWriter) -> Result<(), Stop> {
    let names = region_names(pool)?;
    let mut line = String::with_capacity(512);
    writer.write_all(b"\xEF\xBB\xBF")?;
    csv_line(&mut line, &HEADERS);
    writer.write_all(line.as_bytes())?;
    for_each_row(pool, filter, |row| {
        line.clear();
        let (source, answered_at, score) = match &row.answer {
            Some((source, at, score)) => (
                source_label(source).to_owned(),
                moscow_text(*at),
                score.map(|s| s.to_string()).unwrap_or_default(),
            ),
            None => (String::new(), String::new(), String::new()),
        };
        csv_line(
            &mut line,
            &[
                &row.id,
                &row.region_code,
                names.get(&row.region_code).map_or("", String::as_str),
                &author(row),
                &moscow_text(row.created_at),
                &row.deadline_at.map(moscow_text).unwrap_or_default(),
                &status_label(row),
                &source,
                &answered_at,
                &score,
            ],
        );
        writer.write_all(line.as_bytes())?;
        Ok(())
    })
}

/// The appeals of a period and scope as CSV (UTF-8 with BOM, `;`-separated, Moscow time):
/// number, region code and name, author (or «Анонимно»), arrival, deadline, status, source
/// and time of the latest answer, its rating. Streamed.
#[utoipa::path(get, path = "/api/v1/reports/appeals.csv", tag = "reports", security(("bearer" = [])), params(ReportQuery),
    responses(
        (status = 200, description = "Файл CSV (UTF-8 с BOM, разделитель «;»)", body = String, content_type = "text/csv",
            headers(("Content-Disposition" = String, description = "attachment; filename=\"appeals_ГГГГ-ММ-ДД_ГГГГ-ММ-ДД.csv\""))),
        (status = 400, description = "Неверные параметры запроса", body = shared::Problem, content_type = PROBLEM),
        (status = 403, description = "Только операторы, руководители и федеральный уровень; регион вне зоны (`region_out_of_scope`)", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "Неверный период, регион или статус", body = shared::Problem, content_type = PROBLEM),
    ))]
#[get("/reports/appeals.csv")]
pub async fn appeals_csv(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = ReportFilter::parse(&caller, &query, Utc::now())?;
    let (tx, rx) = mpsc::channel(QUEUE);
    let pool = state.db.pool().clone();
    let disposition = filter.disposition("csv");
    tokio::task::spawn_blocking(move || {
        let mut writer = ChannelWriter::new(tx);
        match write_csv(&pool, &filter, &mut writer) {
            Ok(()) => {
                let _ = writer.finish();
            }
            Err(Stop::ClientGone) => {}
            Err(Stop::Failed(reason)) => writer.fail(&reason),
        }
    });
    Ok(HttpResponse::Ok()
        .content_type(CSV_TYPE)
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .body(ChannelBody(rx)))
}

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
    for (col, width) in [34, 8, 30, 30, 17, 17, 30, 24, 17, 8]
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
        Ok(())
    })
}

/// Titles of the «Регионы» sheet after code, name and district, with each figure.
#[allow(clippy::type_complexity)]
const REGION_COLUMNS: [(&str, fn(&StatsFigures) -> Cell); 21] = [
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

/// Builds the workbook: appeals rows go to the worksheet's temporary file as they are read.
fn build_workbook(
    pool: &Pool,
    calendars: &Calendars,
    filter: &ReportFilter,
    now: DateTime<Utc>,
) -> Result<Workbook, Stop> {
    let (rows, total) = {
        let mut conn = checkout(pool)?;
        let mut count = ap::table
            .filter(ap::created_at.ge(filter.period.start_utc()))
            .filter(ap::created_at.lt(filter.period.end_utc()))
            .into_boxed();
        if let Some(codes) = filter.regions.codes() {
            count = count.filter(ap::region_code.eq_any(codes.to_vec()));
        }
        if let Some(status) = filter.status {
            count = count.filter(ap::status.eq(status.as_str()));
        }
        let n: i64 = count.count().get_result(&mut conn)?;
        if n > XLSX_MAX_ROWS {
            return Err(Stop::Failed(TOO_MANY.to_owned()));
        }
        region_rows(&mut conn, calendars, &filter.regions, filter.period, now)?
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

const TOO_MANY: &str = "too_many_rows";

/// The same appeals as the CSV in an Excel workbook (dates as dates, Moscow time), with a
/// second sheet «Регионы»: the per-region figures of the period and a total row. Streamed.
/// Over 1,000,000 rows (more than Excel opens) answers 422 `too_many_rows`.
#[utoipa::path(get, path = "/api/v1/reports/appeals.xlsx", tag = "reports", security(("bearer" = [])), params(ReportQuery),
    responses(
        (status = 200, description = "Книга Excel: листы «Обращения» и «Регионы»", body = FileDownload,
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers(("Content-Disposition" = String, description = "attachment; filename=\"appeals_ГГГГ-ММ-ДД_ГГГГ-ММ-ДД.xlsx\""))),
        (status = 400, description = "Неверные параметры запроса", body = shared::Problem, content_type = PROBLEM),
        (status = 403, description = "Только операторы, руководители и федеральный уровень; регион вне зоны (`region_out_of_scope`)", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "Неверный период, регион или статус; больше 1 000 000 строк (`too_many_rows`)", body = shared::Problem, content_type = PROBLEM),
    ))]
#[get("/reports/appeals.xlsx")]
pub async fn appeals_xlsx(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let now = Utc::now();
    let filter = ReportFilter::parse(&caller, &query, now)?;
    ensure_filled(&state).await?;
    let (tx, rx) = mpsc::channel(QUEUE);
    let (ready_tx, ready_rx) = oneshot::channel::<Result<(), String>>();
    let pool = state.db.pool().clone();
    let calendars = Arc::clone(&state.calendars);
    let disposition = filter.disposition("xlsx");
    tokio::task::spawn_blocking(move || {
        let mut workbook = match build_workbook(&pool, &calendars, &filter, now) {
            Ok(workbook) => workbook,
            Err(Stop::Failed(reason)) => {
                let _ = ready_tx.send(Err(reason));
                return;
            }
            Err(Stop::ClientGone) => return,
        };
        if ready_tx.send(Ok(())).is_err() {
            return;
        }
        let mut writer = ChannelWriter::new(tx);
        let saved = workbook.save_to_writer(&mut writer).map_err(Stop::from);
        match saved {
            Ok(()) => {
                let _ = writer.finish();
            }
            Err(Stop::ClientGone) => {}
            Err(Stop::Failed(reason)) => writer.fail(&reason),
        }
    });
    match ready_rx.await {
        Ok(Ok(())) => {}
        Ok(Err(reason)) if reason == TOO_MANY => {
            return Err(ApiError::field(
                "to",
                "too_many_rows",
                "В выгрузке больше 1 000 000 строк — столько Excel не откроет. Сократите период или выгрузите CSV.",
            ));
        }
        Ok(Err(reason)) => {
            return Err(ApiError::internal(anyhow::anyhow!("xlsx report: {reason}")));
        }
        Err(_) => {
            return Err(ApiError::internal(anyhow::anyhow!(
                "xlsx report task ended"
            )))
        }
    }
    Ok(HttpResponse::Ok()
        .content_type(XLSX_TYPE)
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .body(ChannelBody(rx)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_guarded() {
        let mut out = String::new();
        csv_line(&mut out, &["Иванова; Анна", "say \"hi\"", "=1+1", "обычно"]);
        assert_eq!(out, "\"Иванова; Анна\";\"say \"\"hi\"\"\";'=1+1;обычно\r\n");
    }
}
