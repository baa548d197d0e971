//! Answer templates per region for the operator's composer: list, create, edit, delete.
//! The rules are in [`crate::domain::templates`].

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use serde::Deserialize;
use shared::operator::{AnswerTemplate, TemplateInput};
use shared::Page;
use utoipa::IntoParams;

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::pagination::PageQuery;
use crate::domain::templates as domain;
use crate::error::ApiError;
use crate::idempotency::{self, IdempotencyKey};
use crate::state::AppState;

/// Filter of the templates list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateQuery {
    /// Only this region's templates (one of the caller's regions).
    pub region: Option<String>,
}

/// The answer templates of the caller's regions (or of one), newest first.
#[utoipa::path(get, path = "/api/v1/templates", tag = "appeals", security(("bearer" = [])),
    params(TemplateQuery, PageQuery),
    responses(
        (status = 200, description = "Страница шаблонов", body = Page<AnswerTemplate>),
        (status = 400, description = "Неверный курсор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Нет прав или регион не ваш", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Неверный limit", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/templates")]
pub async fn list_templates(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<TemplateQuery>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<AnswerTemplate>>, ApiError> {
    caller.may(Action::ListTemplates)?;
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    let region = query.into_inner().region.filter(|r| !r.is_empty());
    let list = state
        .db
        .read(move |conn| domain::list(conn, &caller, region.as_deref(), limit, cursor))
        .await?;
    Ok(web::Json(list))
}

/// Writes an answer template for one of the caller's regions. Audit-logged.
#[utoipa::path(post, path = "/api/v1/templates", tag = "appeals", security(("bearer" = [])),
    request_body = TemplateInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Повтор с тем же ключом вернёт тот же ответ")),
    responses(
        (status = 201, description = "Шаблон создан", body = AnswerTemplate),
        (status = 400, description = "Тело запроса не разобрано", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Нет прав или регион не ваш", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ошибка в данных", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/templates")]
pub async fn create_template(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: web::Json<TemplateInput>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::CreateTemplate)?;
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint("create_template", &body);
    let fields = domain::Fields::parse(&body)?;
    let answer = state
        .db
        .write(move |conn| {
            idempotency::once(
                conn,
                &caller.user_id,
                key.0.as_deref(),
                &fingerprint,
                StatusCode::CREATED,
                |conn| domain::create(conn, &caller, &fields),
            )
        })
        .await?;
    Ok(answer.into_response())
}

/// Replaces a template's region, title and text. Audit-logged.
#[utoipa::path(patch, path = "/api/v1/templates/{id}", tag = "appeals", security(("bearer" = [])),
    request_body = TemplateInput,
    params(("id" = String, Path, description = "Шаблон")),
    responses(
        (status = 200, description = "Шаблон изменён", body = AnswerTemplate),
        (status = 400, description = "Тело запроса не разобрано", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Нет прав или регион не ваш", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такого шаблона в ваших регионах", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ошибка в данных", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[patch("/templates/{id}")]
pub async fn update_template(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<TemplateInput>,
) -> Result<web::Json<AnswerTemplate>, ApiError> {
    caller.may(Action::UpdateTemplate)?;
    let fields = domain::Fields::parse(&body)?;
    let id = id.into_inner();
    let template = state
        .db
        .write(move |conn| domain::update(conn, &caller, &id, &fields))
        .await?;
    Ok(web::Json(template))
}

/// Deletes a template. Audit-logged.
#[utoipa::path(delete, path = "/api/v1/templates/{id}", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Шаблон")),
    responses(
        (status = 204, description = "Шаблон удалён"),
        (status = 403, description = "Нет прав", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такого шаблона в ваших регионах", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[delete("/templates/{id}")]
pub async fn delete_template(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::DeleteTemplate)?;
    let id = id.into_inner();
    state
        .db
        .write(move |conn| domain::delete(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
