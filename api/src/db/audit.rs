//! The audit log: who did what to which object, with the state before and after.

use diesel::prelude::*;

use super::schema::audit_log;
use super::AnyConnection;

/// Who acted.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// User id (None for the system).
    pub id: Option<String>,
    /// Role at the time.
    pub role: Option<String>,
}

/// Writes one entry; call it inside the transaction of the change.
///
/// # Errors
/// A database failure.
pub fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    action: &str,
    object_type: &str,
    object_id: Option<&str>,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(super::new_id()),
            audit_log::actor_id.eq(actor.id.as_deref()),
            audit_log::actor_role.eq(actor.role.as_deref()),
            audit_log::action.eq(action),
            audit_log::object_type.eq(object_type),
            audit_log::object_id.eq(object_id),
            audit_log::before_state.eq(before.map(ToString::to_string)),
            audit_log::after_state.eq(after.map(ToString::to_string)),
            audit_log::created_at.eq(super::now()),
        ))
        .execute(conn)
        .map(|_| ())
}
