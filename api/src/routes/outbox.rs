//! The outbox for administrators: what waits, what is being delivered, what gave up, and
//! a retry. Payloads are not shown (they may hold addresses and names); the kind, the
//! status, attempts, the receiver's code and the last error are enough to act on.

use actix_web::{get, post, web};
use shared::integrations::OutboxItem;
use shared::Page;

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::integrations::outbox::{self as domain, OutboxFilter, OutboxQuery};
use crate::domain::pagination::PageQuery;
use crate::error::ApiError;
use crate::state::AppState;

/// Notifications not delivered yet (waiting or being delivered) and those that gave up,
/// newest first.
#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "admin", security(("bearer" = [])),
    params(OutboxFilter, PageQuery),
    responses(
        (status = 200, description = "Страница уведомлений", body = Page<OutboxItem>),
        (status = 400, description = "Неверный курсор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Только администратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Неверные параметры", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/admin/outbox")]
pub async fn list_outbox(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<OutboxFilter>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<OutboxItem>>, ApiError> {
    caller.may(Action::ListOutbox)?;
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    let query = OutboxQuery::new(&filter)?;
    let page = state
        .db
        .read(move |conn| domain::list_outbox(conn, query, limit, cursor))
        .await?;
    Ok(web::Json(page))
}

/// Retries one notification now with a fresh attempt budget (a dead one, or a waiting one
/// sooner than its backoff).
#[utoipa::path(post, path = "/api/v1/admin/outbox/{id}/retry", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Уведомление")),
    responses(
        (status = 200, description = "Уведомление снова в очереди", body = OutboxItem),
        (status = 403, description = "Только администратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такого уведомления", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Уже доставлено или доставляется сейчас", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/admin/outbox/{id}/retry")]
pub async fn retry_outbox(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<OutboxItem>, ApiError> {
    caller.may(Action::RetryOutbox)?;
    let id = id.into_inner();
    let item = state
        .db
        .write(move |conn| domain::retry_outbox(conn, &caller, &id))
        .await?;
    crate::jobs::wake();
    Ok(web::Json(item))
}
