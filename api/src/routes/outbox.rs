//! The outbox for administrators: what waits, what is being delivered, what gave up, and
//! a retry. Payloads are not shown (they may hold addresses and names); the kind, the
//! status, attempts, the receiver's code and the last error are enough to act on.

use actix_web::{get, post, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use shared::users::Role;
use shared::Page;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::db::schema::{outbox, webhooks};
use crate::db::{self, audit};
use crate::error::ApiError;
use crate::outbox::{OutboxRow, DEAD, DELIVERING, PENDING};
use crate::routes::pagination::{self, Cursor, PageQuery};
use crate::state::AppState;

/// One notification in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OutboxItem {
    /// Id.
    pub id: String,
    /// `webhook`, `max_message`, `max_callback` or `email`.
    pub kind: String,
    /// Where it goes, in words (no personal data).
    pub target: String,
    /// `pending`, `delivering`, `done` or `dead`.
    pub status: String,
    /// Attempts made.
    pub attempts: i32,
    /// When the next attempt is due.
    pub next_attempt_at: String,
    /// The last failure.
    pub last_error: Option<String>,
    /// The receiver's last HTTP status (or SMTP code).
    pub response_code: Option<i32>,
    /// The webhook subscription, for webhook deliveries.
    pub webhook_id: Option<String>,
    /// When it was written.
    pub created_at: String,
    /// When it was delivered.
    pub delivered_at: Option<String>,
}

fn item(row: OutboxRow, webhook_url: Option<String>) -> OutboxItem {
    let target = match row.kind.as_str() {
        "webhook" => format!(
            "вебхук {}",
            webhook_url.unwrap_or_else(|| "(подписка удалена)".to_owned())
        ),
        "max_message" => "сообщение бота MAX".to_owned(),
        "max_callback" => "ответ на нажатие кнопки в MAX".to_owned(),
        "email" => "письмо по e-mail".to_owned(),
        other => other.to_owned(),
    };
    OutboxItem {
        id: row.id,
        kind: row.kind,
        target,
        status: row.status,
        attempts: row.attempts,
        next_attempt_at: db::rfc3339(row.next_attempt_at),
        last_error: row.last_error,
        response_code: row.response_code,
        webhook_id: row.webhook_id,
        created_at: db::rfc3339(row.created_at),
        delivered_at: row.delivered_at.map(db::rfc3339),
    }
}

fn url_of(conn: &mut db::AnyConnection, webhook_id: Option<&str>) -> QueryResult<Option<String>> {
    match webhook_id {
        Some(id) => webhooks::table
            .find(id)
            .select(webhooks::url)
            .first(conn)
            .optional(),
        None => Ok(None),
    }
}

/// Filters of the outbox list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxFilter {
    /// `pending`, `delivering` or `dead`; by default all three.
    pub status: Option<String>,
    /// `webhook`, `max_message`, `max_callback` or `email`.
    pub kind: Option<String>,
}

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
    caller.require(&[Role::Admin])?;
    let filter = filter.into_inner();
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    let statuses: Vec<&'static str> = match filter.status.as_deref() {
        None | Some("") => vec![PENDING, DELIVERING, DEAD],
        Some("pending") => vec![PENDING],
        Some("delivering") => vec![DELIVERING],
        Some("dead") => vec![DEAD],
        Some(_) => {
            return Err(ApiError::field(
                "status",
                "invalid",
                "status — pending, delivering или dead.",
            ))
        }
    };
    let kind = match filter.kind.as_deref() {
        None | Some("") => None,
        Some(k @ ("webhook" | "max_message" | "max_callback" | "email")) => Some(k.to_owned()),
        Some(_) => {
            return Err(ApiError::field(
                "kind",
                "invalid",
                "kind — webhook, max_message, max_callback или email.",
            ))
        }
    };
    let page = state
        .db
        .read(move |conn| {
            let mut query = outbox::table
                .filter(outbox::status.eq_any(statuses))
                .select(OutboxRow::as_select())
                .into_boxed();
            if let Some(kind) = kind {
                query = query.filter(outbox::kind.eq(kind));
            }
            if let Some(Cursor { at, id }) = cursor {
                query = query.filter(
                    outbox::created_at
                        .lt(at)
                        .or(outbox::created_at.eq(at).and(outbox::id.lt(id))),
                );
            }
            let rows: Vec<OutboxRow> = query
                .order((outbox::created_at.desc(), outbox::id.desc()))
                .limit(limit + 1)
                .load(conn)?;
            let (rows, next_cursor) = pagination::finish(rows, limit, |r| Cursor {
                at: r.created_at,
                id: r.id.clone(),
            });
            let mut items = Vec::with_capacity(rows.len());
            for row in rows {
                let url = url_of(conn, row.webhook_id.as_deref())?;
                items.push(item(row, url));
            }
            Ok(Page { items, next_cursor })
        })
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
    caller.require(&[Role::Admin])?;
    let id = id.into_inner();
    let item = state
        .db
        .write(move |conn| {
            let before: Option<String> = outbox::table
                .find(&id)
                .select(outbox::status)
                .first(conn)
                .optional()?;
            let row = crate::outbox::retry(conn, &id, db::now())?;
            audit::record(
                conn,
                &caller.actor(),
                "outbox.retry",
                "outbox",
                Some(&id),
                Some(&serde_json::json!({ "status": before })),
                Some(&serde_json::json!({ "status": row.status })),
            )?;
            let url = url_of(conn, row.webhook_id.as_deref())?;
            Ok(item(row, url))
        })
        .await?;
    crate::jobs::wake();
    Ok(web::Json(item))
}
