//! Files of a question (the teacher's upload) and of an operator's answer (uploaded before the
//! answer is sent), and their download (whoever may see the appeal).

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::appeals::attachments::{self, Upload};
use crate::error::ApiError;
use crate::state::AppState;

/// Upload parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name as the teacher sees it.
    pub name: String,
}

/// Attaches a file (PDF, JPEG or PNG by content; at most 5 MB; at most 3 per appeal). The
/// body is the file itself; `name` is its name.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/attachments", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Обращение"), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "Содержимое файла"),
    responses(
        (status = 201, description = "Файл прикреплён", body = shared::appeals::Attachment),
        (status = 400, description = "Нет имени файла", body = shared::Problem, content_type = problems!()),
        (status = 403, description = "Только автор-учитель", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения", body = shared::Problem, content_type = problems!()),
        (status = 409, description = "Обращение закрыто или уже 3 файла", body = shared::Problem, content_type = problems!()),
        (status = 413, description = "Файл больше 5 МБ", body = shared::Problem, content_type = problems!()),
        (status = 422, description = "Не PDF, JPEG или PNG", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals/{id}/attachments")]
pub async fn upload_attachment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: web::Query<UploadQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::UploadAttachment)?;
    let id = id.into_inner();
    let upload = Upload::parse(&query.name, &body)?;
    let dir = state.config.upload_dir.clone();
    let attachment = state
        .db
        .write(move |conn| attachments::attach(conn, &dir, &caller, &id, upload, &body))
        .await?;
    Ok(HttpResponse::Created().json(attachment))
}

/// Attaches a file to the operator's next answer (PDF, JPEG or PNG by content; at most 5 MB;
/// at most 3 per answer). The file is shown to nobody until `POST /appeals/{id}/answer`
/// sends the answer, which then lists it (`attachments[].message_id` is the answer's
/// message). The body is the file itself; `name` is its name.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/answer/attachments", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Обращение"), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "Содержимое файла"),
    responses(
        (status = 201, description = "Файл ждёт отправки ответа", body = shared::appeals::Attachment),
        (status = 400, description = "Нет имени файла", body = shared::Problem, content_type = problems!()),
        (status = 403, description = "Только оператор", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения в вашей зоне", body = shared::Problem, content_type = problems!()),
        (status = 409, description = "Обращение не ждёт ответа или уже 3 файла", body = shared::Problem, content_type = problems!()),
        (status = 413, description = "Файл больше 5 МБ", body = shared::Problem, content_type = problems!()),
        (status = 422, description = "Не PDF, JPEG или PNG", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals/{id}/answer/attachments")]
pub async fn upload_answer_attachment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::UploadAnswerAttachment)?;
    // The name is read after the role check: a caller without the right learns nothing more.
    let query = web::Query::<UploadQuery>::from_query(req.query_string())
        .map_err(|e| crate::routes::problem::query_error(&e))?;
    let id = id.into_inner();
    let upload = Upload::parse(&query.name, &body)?;
    let dir = state.config.upload_dir.clone();
    let attachment = state
        .db
        .write(move |conn| attachments::attach_to_answer(conn, &dir, &caller, &id, upload, &body))
        .await?;
    Ok(HttpResponse::Created().json(attachment))
}

/// Downloads an attachment; only for those who may see the appeal.
#[utoipa::path(get, path = "/api/v1/appeals/{id}/attachments/{attachment_id}", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Обращение"), ("attachment_id" = String, Path, description = "Файл")),
    responses(
        (status = 200, description = "Файл (Content-Disposition: attachment)", body = Vec<u8>, content_type = "application/octet-stream"),
        (status = 403, description = "Нет доступа к обращениям", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого файла в вашей зоне", body = shared::Problem, content_type = problems!()),
    ))]
#[get("/appeals/{id}/attachments/{attachment_id}")]
pub async fn download_attachment(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    _req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::DownloadAttachment)?;
    let (id, attachment_id) = path.into_inner();
    let dir = state.config.upload_dir.clone();
    let file = state
        .db
        .read(move |conn| attachments::download(conn, &dir, &caller, &id, &attachment_id))
        .await?;
    let encoded =
        percent_encoding::utf8_percent_encode(&file.name, percent_encoding::NON_ALPHANUMERIC);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, file.content_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"file\"; filename*=UTF-8''{encoded}"),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(file.bytes))
}
