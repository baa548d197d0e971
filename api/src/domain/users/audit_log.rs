//! Reading the audit log (what was recorded by [`crate::db::audit::record`]).

use diesel::prelude::*;
use serde::Deserialize;
use shared::users::AuditEntry;
use shared::Page;
use utoipa::IntoParams;

use crate::db::{self, schema::audit_log, AnyConnection};
use crate::domain::pagination::{self, Cursor};
use crate::error::ApiError;

/// Filters of the audit log.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Only this actor (user id).
    pub actor: Option<String>,
    /// Only this action, e.g. `user.update`.
    pub action: Option<String>,
    /// Only this kind of object, e.g. `user`.
    pub object_type: Option<String>,
    /// Only this object id.
    pub object_id: Option<String>,
    /// From this moment (RFC 3339).
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// Up to this moment (RFC 3339).
    pub to: Option<chrono::DateTime<chrono::Utc>>,
}

type Row = (
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    chrono::NaiveDateTime,
);

/// One page of the audit log, newest first.
///
/// # Errors
/// A database failure.
pub fn list_audit(
    conn: &mut AnyConnection,
    filter: AuditFilter,
    limit: i64,
    cursor: Option<Cursor>,
) -> Result<Page<AuditEntry>, ApiError> {
    let mut query = audit_log::table
        .select((
            audit_log::id,
            audit_log::actor_id,
            audit_log::actor_role,
            audit_log::action,
            audit_log::object_type,
            audit_log::object_id,
            audit_log::before_state,
            audit_log::after_state,
            audit_log::created_at,
        ))
        .into_boxed();
    if let Some(v) = filter.actor {
        query = query.filter(audit_log::actor_id.eq(v));
    }
    if let Some(v) = filter.action {
        query = query.filter(audit_log::action.eq(v));
    }
    if let Some(v) = filter.object_type {
        query = query.filter(audit_log::object_type.eq(v));
    }
    if let Some(v) = filter.object_id {
        query = query.filter(audit_log::object_id.eq(v));
    }
    if let Some(v) = filter.from {
        query = query.filter(audit_log::created_at.ge(v.naive_utc()));
    }
    if let Some(v) = filter.to {
        query = query.filter(audit_log::created_at.le(v.naive_utc()));
    }
    query = pagination::before_cursor!(query, cursor, audit_log::created_at, audit_log::id);
    let rows: Vec<Row> = query
        .order((audit_log::created_at.desc(), audit_log::id.desc()))
        .limit(limit + 1)
        .load(conn)?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |r| Cursor {
        at: r.8,
        id: r.0.clone(),
    });
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    let items = rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.0,
            actor_id: r.1,
            actor_role: r.2,
            action: r.3,
            object_type: r.4,
            object_id: r.5,
            before: parse(r.6),
            after: parse(r.7),
            created_at: db::rfc3339(r.8),
        })
        .collect();
    Ok(Page { items, next_cursor })
}
