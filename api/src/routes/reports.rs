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

use std::io::{self, Write};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{get, web, HttpResponse};
use chrono::Utc;
use shared::stats::{LevelQuery, ReportQuery};
use tokio::sync::{mpsc, oneshot};
use utoipa::ToSchema;

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::stats::query::ensure_filled;
use crate::domain::stats::report::{self, xlsx, ReportFilter, Stop};
use crate::error::ApiError;
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";
const CSV_TYPE: &str = "text/csv; charset=utf-8";
const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Bytes per chunk sent to the client.
const CHUNK: usize = 64 * 1024;
/// Chunks that may wait for a slow client (the memory bound: `CHUNK × QUEUE`).
const QUEUE: usize = 4;

/// `Content-Disposition` of a download: an attachment named after the report's filter.
fn disposition(filter: &ReportFilter, extension: &str) -> String {
    format!("attachment; filename=\"{}\"", filter.file_name(extension))
}

/// A file download.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileDownload(pub Vec<u8>);

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

/// The appeals of a period and scope as CSV (UTF-8 with BOM, `;`-separated, Moscow time):
/// number, region code and name, author (or «Анонимно»), arrival, deadline, status, source
/// and time of the latest answer, its rating. Streamed.
#[utoipa::path(get, path = "/api/v1/reports/appeals.csv", tag = "reports", security(("bearer" = [])), params(ReportQuery, LevelQuery),
    responses(
        (status = 200, description = "Файл CSV (UTF-8 с BOM, разделитель «;»)", body = String, content_type = "text/csv",
            headers(("Content-Disposition" = String, description = "attachment; filename=\"appeals_ГГГГ-ММ-ДД_ГГГГ-ММ-ДД.csv\""))),
        (status = 400, description = "Неверные параметры запроса", body = shared::Problem, content_type = PROBLEM),
        (status = 403, description = "Только операторы, руководители и федеральный уровень; регион вне зоны (`region_out_of_scope`)", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "Неверный период, регион, статус или уровень образования", body = shared::Problem, content_type = PROBLEM),
    ))]
#[get("/reports/appeals.csv")]
pub async fn appeals_csv(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ReportQuery>,
    level: web::Query<LevelQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::AppealsCsv)?;
    let filter = ReportFilter::parse(&caller, &query, level.level.as_deref(), Utc::now())?;
    let (tx, rx) = mpsc::channel(QUEUE);
    let pool = state.db.pool().clone();
    let disposition = disposition(&filter, "csv");
    tokio::task::spawn_blocking(move || {
        let mut writer = ChannelWriter::new(tx);
        match report::csv::write(&pool, &filter, &mut writer) {
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

/// The same appeals as the CSV in an Excel workbook (dates as dates, Moscow time), with a
/// second sheet «Регионы»: the per-region figures of the period and a total row. Streamed.
/// Over 1,000,000 rows (more than Excel opens) answers 422 `too_many_rows`.
#[utoipa::path(get, path = "/api/v1/reports/appeals.xlsx", tag = "reports", security(("bearer" = [])), params(ReportQuery, LevelQuery),
    responses(
        (status = 200, description = "Книга Excel: листы «Обращения» и «Регионы»", body = FileDownload,
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers(("Content-Disposition" = String, description = "attachment; filename=\"appeals_ГГГГ-ММ-ДД_ГГГГ-ММ-ДД.xlsx\""))),
        (status = 400, description = "Неверные параметры запроса", body = shared::Problem, content_type = PROBLEM),
        (status = 403, description = "Только операторы, руководители и федеральный уровень; регион вне зоны (`region_out_of_scope`)", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "Неверный период, регион, статус или уровень образования; больше 1 000 000 строк (`too_many_rows`)", body = shared::Problem, content_type = PROBLEM),
    ))]
#[get("/reports/appeals.xlsx")]
pub async fn appeals_xlsx(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ReportQuery>,
    level: web::Query<LevelQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::AppealsXlsx)?;
    let now = Utc::now();
    let filter = ReportFilter::parse(&caller, &query, level.level.as_deref(), now)?;
    ensure_filled(&state.db, &state.calendars).await?;
    let (tx, rx) = mpsc::channel(QUEUE);
    let (ready_tx, ready_rx) = oneshot::channel::<Result<(), String>>();
    let pool = state.db.pool().clone();
    let calendars = Arc::clone(&state.calendars);
    let disposition = disposition(&filter, "xlsx");
    tokio::task::spawn_blocking(move || {
        let mut workbook = match xlsx::build_workbook(&pool, &calendars, &filter, now) {
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
        Ok(Err(reason)) if reason == xlsx::TOO_MANY => {
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
