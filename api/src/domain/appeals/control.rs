//! «На контроль»: a regional head (own regions) or a federal supervisor marks an appeal
//! for the operators' attention with a comment, and takes the mark off again. Who may try
//! is decided by `auth::policy`; which appeals, by the caller's scope (another region's
//! appeal answers 404). The mark stays on the row until it is taken off; the list's
//! `controlled` filter shows the marked appeals still waiting for an answer.

use diesel::prelude::*;
use serde_json::json;
use shared::appeals::Appeal;

use super::{find_in_scope, not_open, reload, view, Viewer};
use crate::auth::Caller;
use crate::db::schema::appeal_controls as ctl;
use crate::db::{self, audit, AnyConnection};
use crate::domain::notifications::events;
use crate::domain::validate;
use crate::error::ApiError;

/// Checks the comment: trimmed, 1–2,000 characters.
///
/// # Errors
/// 422 `required` / `too_long` with the field `comment`.
pub fn comment(raw: &str) -> Result<String, ApiError> {
    Ok(validate::text("comment", raw, 2000, true)?.unwrap_or_default())
}

/// Puts the appeal «На контроль» with `comment` (checked by [`comment`]), or replaces the
/// comment of one already there; the assigned operator (or, while nobody holds it, the
/// region's operators) is told by e-mail and in MAX. Audit-logged.
///
/// # Errors
/// 404 outside the scope, 409 `appeal_closed`, or a database failure.
pub fn put(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    comment: &str,
) -> Result<Appeal, ApiError> {
    let row = find_in_scope(conn, caller, id)?;
    if !row.status.is_open() {
        return Err(not_open());
    }
    let previous = comment_of(conn, id)?;
    let now = db::now();
    if previous.is_some() {
        diesel::update(ctl::table.find(id))
            .set((
                ctl::comment.eq(comment),
                ctl::controlled_by.eq(&caller.user_id),
                ctl::controlled_at.eq(now),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(ctl::table)
            .values((
                ctl::appeal_id.eq(id),
                ctl::comment.eq(comment),
                ctl::controlled_by.eq(&caller.user_id),
                ctl::controlled_at.eq(now),
            ))
            .execute(conn)?;
    }
    audit::record(
        conn,
        &caller.actor(),
        "appeal.control",
        "appeal",
        Some(id),
        previous.map(|c| json!({ "comment": c })).as_ref(),
        Some(&json!({ "comment": comment })),
    )?;
    let row = reload(conn, id)?;
    let appeal = view(conn, &row, &Viewer::of(caller), true)?;
    events::control_notice(conn, &appeal, row.assignee_id.as_deref())?;
    Ok(appeal)
}

/// Takes the appeal off control («Снять с контроля»); nothing happens when it is not
/// under control. Audit-logged when it was.
///
/// # Errors
/// 404 outside the scope, or a database failure.
pub fn release(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<Appeal, ApiError> {
    find_in_scope(conn, caller, id)?;
    if let Some(previous) = comment_of(conn, id)? {
        diesel::delete(ctl::table.find(id)).execute(conn)?;
        audit::record(
            conn,
            &caller.actor(),
            "appeal.control_released",
            "appeal",
            Some(id),
            Some(&json!({ "comment": previous })),
            None,
        )?;
    }
    let row = reload(conn, id)?;
    Ok(view(conn, &row, &Viewer::of(caller), true)?)
}

/// The comment of the appeal's control, when it is under control.
fn comment_of(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<String>> {
    ctl::table
        .find(id)
        .select(ctl::comment)
        .first(conn)
        .optional()
}
