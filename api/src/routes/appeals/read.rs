//! Reading appeals: the list in the caller's scope, one appeal, and the per-person read mark.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use shared::appeals::{Appeal, AppealStatus};
use shared::Page;
use utoipa::IntoParams;

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::appeals::{changes, lifecycle, query};
use crate::domain::pagination::PageQuery;
use crate::error::ApiError;
use crate::state::AppState;

/// Filters of the appeal list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppealFilter {
    /// Only this status.
    pub status: Option<AppealStatus>,
    /// Only this region (staff and integrators; must be within the caller's regions).
    pub region: Option<String>,
    /// `me`, `none`, or an operator's id.
    pub assignee: Option<String>,
    /// Only open appeals past their deadline.
    pub overdue: Option<bool>,
    /// Only open appeals whose deadline is the end of today (in the region's time zone):
    /// due within the next 24 hours.
    pub due_today: Option<bool>,
    /// Only appeals with something the caller has not read yet (unread is per person).
    pub unread: Option<bool>,
    /// Only appeals «На контроле» of the leadership still waiting for an operator's answer.
    pub controlled: Option<bool>,
    /// Words of the question (any case of the first letter or all), an appeal's number
    /// («16-000123», also «16-123» or «№ 16-000123») or its id.
    pub q: Option<String>,
    /// Created on or after this day, `YYYY-MM-DD` (Moscow date).
    pub from: Option<String>,
    /// Created on or before this day, `YYYY-MM-DD` (Moscow date).
    pub to: Option<String>,
    /// `created` (default: newest first) or `deadline` (soonest first; only appeals that
    /// have a deadline, i.e. not those answered by the bot alone).
    pub sort: Option<String>,
    /// The change feed for integrators: appeals changed at or after this moment (RFC 3339),
    /// in the order of their latest change (`sort` is ignored). `next_cursor` is always
    /// given once something was read: pass it with the same `updated_since` on the next
    /// poll; fewer than `limit` items means caught up for now. A change that commits late
    /// is never skipped, and an appeal comes again only after it changed again.
    pub updated_since: Option<String>,
}

/// A `YYYY-MM-DD` query parameter.
fn day(field: &str, raw: Option<&str>) -> Result<Option<chrono::NaiveDate>, ApiError> {
    raw.map(|d| {
        crate::domain::stats::query::parse_day(field, d)
            .map_err(|e| ApiError::field(&e.field, &e.code, &e.message))
    })
    .transpose()
}

/// The checked filters, in the order their errors are reported.
fn parse_filter(caller: &Caller, filter: AppealFilter) -> Result<query::ListQuery, ApiError> {
    let region = query::region_filter(caller, filter.region.as_deref())?;
    let sort = query::Sort::parse(filter.sort.as_deref())?;
    let from = day("from", filter.from.as_deref())?;
    let to = day("to", filter.to.as_deref())?;
    let q = query::search_text(filter.q.as_deref())?;
    Ok(query::ListQuery {
        status: filter.status,
        region,
        assignee: filter.assignee,
        overdue: filter.overdue == Some(true),
        due_today: filter.due_today == Some(true),
        unread: filter.unread == Some(true),
        controlled: filter.controlled == Some(true),
        q,
        from,
        to,
        sort,
    })
}

/// Appeals in the caller's scope, newest first (or soonest deadline first): a teacher's
/// own; an operator's, regional head's or integrator's regions; all for federal.
/// Administrators have no access. Filters combine (all must hold).
#[utoipa::path(get, path = "/api/v1/appeals", tag = "appeals", security(("bearer" = [])), params(AppealFilter, PageQuery),
    responses(
        (status = 200, description = "Страница обращений", body = Page<Appeal>),
        (status = 400, description = "Неверные параметры", body = shared::Problem, content_type = problems!()),
        (status = 403, description = "Нет доступа или регион вне зоны ответственности", body = shared::Problem, content_type = problems!()),
        (status = 422, description = "Неверные параметры", body = shared::Problem, content_type = problems!()),
    ))]
#[get("/appeals")]
pub async fn list_appeals(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<AppealFilter>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<Appeal>>, ApiError> {
    caller.may(Action::ListAppeals)?;
    let limit = page.limit()?;
    let filter = filter.into_inner();
    if let Some(since) = filter.updated_since.clone() {
        let since = changes::parse_since(&since)?;
        let cursor = page
            .cursor
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(changes::ChangeCursor::decode)
            .transpose()?;
        let filter = parse_filter(&caller, filter)?;
        let page = state
            .db
            .read(move |conn| changes::changed(conn, &caller, &filter, since, cursor, limit))
            .await?;
        return Ok(web::Json(page));
    }
    let cursor = page.cursor()?;
    let filter = parse_filter(&caller, filter)?;
    let page = state
        .db
        .read(move |conn| query::list(conn, &caller, &filter, cursor, limit))
        .await?;
    Ok(web::Json(page))
}

/// One appeal with its answers and its thread. Outside the caller's scope: 404.
#[utoipa::path(get, path = "/api/v1/appeals/{id}", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Обращение", body = Appeal),
        (status = 403, description = "Нет доступа к обращениям", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения в вашей зоне", body = shared::Problem, content_type = problems!()),
    ))]
#[get("/appeals/{id}")]
pub async fn get_appeal(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<Appeal>, ApiError> {
    caller.may(Action::GetAppeal)?;
    let id = id.into_inner();
    let appeal = state
        .db
        .read(move |conn| query::get(conn, &caller, &id))
        .await?;
    Ok(web::Json(appeal))
}

/// Marks the appeal's new answers and messages as read for the caller (unread is per person).
#[utoipa::path(post, path = "/api/v1/appeals/{id}/read", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 204, description = "Отмечено прочитанным"),
        (status = 403, description = "Нет доступа к обращениям", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения в вашей зоне", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals/{id}/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::MarkRead)?;
    let id = id.into_inner();
    state
        .db
        .write(move |conn| lifecycle::mark_read(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
