//! Reports for staff: the appeals of a period and scope, read page by page in
//! `(created_at, id)` order so memory stays flat however many appeals the period holds, and
//! written as CSV ([`csv`]) or as an XLSX workbook ([`xlsx`]) into any `Write` — the HTTP
//! layer streams it to the client. Dates are Moscow time.

pub mod csv;
pub mod xlsx;

use std::collections::HashMap;
use std::io;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use rust_xlsxwriter::XlsxError;
use shared::appeals::{AnswerSource, AppealStatus, CloseReason};
use shared::stats::ReportQuery;

use super::levels::parse_level;
use super::query::{parse_period, region_filter};
use super::{Period, RegionFilter, PERIOD_TZ};
use crate::auth::Caller;
use crate::db::schema::{appeal_answers as ans, appeals as ap, ratings, regions};
use crate::db::{AnyConnection, Pool};
use crate::error::ApiError;

/// Appeals read per query.
const PAGE: i64 = 1_000;

/// What a report covers, checked.
#[derive(Debug, Clone)]
pub struct ReportFilter {
    regions: RegionFilter,
    region: Option<String>,
    period: Period,
    status: Option<AppealStatus>,
    /// One education level (`school`, `spo`, `doo`), checked.
    level: Option<&'static str>,
}

impl ReportFilter {
    /// Checks the parameters of a report against the caller's scope.
    ///
    /// # Errors
    /// 422 for a bad period, region or status; 403 `region_out_of_scope`.
    pub fn parse(
        caller: &Caller,
        query: &ReportQuery,
        level: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Self, ApiError> {
        let period = parse_period(query.from.as_deref(), query.to.as_deref(), now)?;
        let level = parse_level(level)?;
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
            level,
        })
    }

    /// The download's file name: period, then region and status when given.
    #[must_use]
    pub fn file_name(&self, extension: &str) -> String {
        let mut name = format!("appeals_{}_{}", self.period.from, self.period.to);
        if let Some(region) = &self.region {
            name.push('_');
            name.push_str(region);
        }
        if let Some(status) = self.status {
            name.push('_');
            name.push_str(status.as_str());
        }
        if let Some(level) = self.level {
            name.push('_');
            name.push_str(level);
        }
        format!("{name}.{extension}")
    }

    /// The appeals of the report, unordered (for counting and paging).
    fn appeals<'a>(&self) -> ap::BoxedQuery<'a, crate::db::MultiBackend> {
        let mut query = ap::table
            .filter(ap::created_at.ge(self.period.start_utc()))
            .filter(ap::created_at.lt(self.period.end_utc()))
            .into_boxed();
        if let Some(codes) = self.regions.codes() {
            query = query.filter(ap::region_code.eq_any(codes.to_vec()));
        }
        if let Some(status) = self.status {
            query = query.filter(ap::status.eq(status));
        }
        at_level!(query, self.level)
    }
}

/// Why an export stopped early.
#[derive(Debug)]
pub enum Stop {
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

/// One line of the report.
struct ReportRow {
    id: String,
    /// The human number, «16-000123».
    number: String,
    region_code: String,
    author_name: Option<String>,
    anonymous: bool,
    created_at: NaiveDateTime,
    deadline_at: Option<NaiveDateTime>,
    status: AppealStatus,
    close_reason: Option<CloseReason>,
    /// The latest answer: source, when, and its rating.
    answer: Option<(AnswerSource, NaiveDateTime, Option<i32>)>,
}

type AppealCols = (
    String,
    String,
    String,
    Option<String>,
    bool,
    NaiveDateTime,
    Option<NaiveDateTime>,
    AppealStatus,
    Option<CloseReason>,
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
    let mut query = filter.appeals();
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
            ap::number,
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
    let answers: Vec<(String, String, AnswerSource, NaiveDateTime)> = ans::table
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
    let mut latest: HashMap<String, (AnswerSource, NaiveDateTime, Option<i32>)> = HashMap::new();
    for (appeal_id, answer_id, source, at) in answers {
        let score = scores.get(&answer_id).copied();
        latest.insert(appeal_id, (source, at, score));
    }
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                number,
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
                    number,
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
    let status = row.status.title();
    let reason = row.close_reason.map(|r| match r {
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

fn source_label(source: &AnswerSource) -> &'static str {
    match source {
        AnswerSource::Bot => "База знаний (бот)",
        AnswerSource::Operator => "Оператор",
        AnswerSource::SelfServed => "Подсказка (сам учитель)",
    }
}

/// Column titles of the appeals sheet and the CSV: the API's id first (integrators join on
/// it), the human number «16-000123» last ([`NUMBER`]).
const HEADERS: [&str; 10] = [
    "Идентификатор",
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

/// The title of the column with the human number, after the shared columns of
/// [`HEADERS`] so the files' first ten columns stay where they were.
pub const NUMBER: &str = "Номер обращения";
