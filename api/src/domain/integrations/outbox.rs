//! The outbox for administrators: what waits, what is being delivered, what gave up, and a
//! retry. Payloads are not shown (they may hold addresses and names); the kind, the status,
//! attempts, the receiver's code and the last error are enough to act on.

use diesel::prelude::*;
use serde::Deserialize;
use shared::integrations::{OutboxItem, OutboxStatus};
use shared::Page;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::db::schema::{outbox, webhooks};
use crate::db::{self, audit, AnyConnection};
use crate::domain::notifications::outbox::{OutboxRow, DEAD, DELIVERING, PENDING};
use crate::domain::pagination::{self, Cursor};
use crate::error::ApiError;

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
        status: row.status.as_str().to_owned(),
        attempts: row.attempts,
        next_attempt_at: db::rfc3339(row.next_attempt_at),
        last_error: row.last_error,
        response_code: row.response_code,
        webhook_id: row.webhook_id,
        created_at: db::rfc3339(row.created_at),
        delivered_at: row.delivered_at.map(db::rfc3339),
    }
}

fn url_of(conn: &mut AnyConnection, webhook_id: Option<&str>) -> QueryResult<Option<String>> {
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

/// A checked outbox filter.
#[derive(Debug, Clone)]
pub struct OutboxQuery {
    statuses: Vec<OutboxStatus>,
    kind: Option<String>,
}

impl OutboxQuery {
    /// Checks the filter's values.
    ///
    /// # Errors
    /// 422 on `status` or `kind`.
    pub fn new(filter: &OutboxFilter) -> Result<Self, ApiError> {
        let statuses: Vec<OutboxStatus> = match filter.status.as_deref() {
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
        Ok(Self { statuses, kind })
    }
}

/// One page of undelivered (waiting, being delivered) and given-up notifications, newest
/// first.
///
/// # Errors
/// A database failure.
pub fn list_outbox(
    conn: &mut AnyConnection,
    filter: OutboxQuery,
    limit: i64,
    cursor: Option<Cursor>,
) -> Result<Page<OutboxItem>, ApiError> {
    let mut query = outbox::table
        .filter(outbox::status.eq_any(filter.statuses))
        .select(OutboxRow::as_select())
        .into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(outbox::kind.eq(kind));
    }
    query = pagination::before_cursor!(query, cursor, outbox::created_at, outbox::id);
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
}

/// Retries one notification now with a fresh attempt budget.
///
/// # Errors
/// 404 for an unknown row, 409 when it is delivered or being delivered, or a database
/// failure.
pub fn retry_outbox(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
) -> Result<OutboxItem, ApiError> {
    let before: Option<OutboxStatus> = outbox::table
        .find(id)
        .select(outbox::status)
        .first(conn)
        .optional()?;
    let row = crate::domain::notifications::outbox::retry(conn, id, db::now())?;
    audit::record(
        conn,
        &caller.actor(),
        "outbox.retry",
        "outbox",
        Some(id),
        Some(&serde_json::json!({ "status": before })),
        Some(&serde_json::json!({ "status": row.status })),
    )?;
    let url = url_of(conn, row.webhook_id.as_deref())?;
    Ok(item(row, url))
}
