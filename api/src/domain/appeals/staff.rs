//! The operator's actions on an appeal of their regions: take, hand over or release it,
//! answer, ask a clarifying question, write an internal note, grade the bot's answer, close
//! with a reason, transfer to another region. Each is written to the audit log. Answering
//! lives in [`super::answer`] and is re-exported here.

use chrono::Utc;
use diesel::prelude::*;
use shared::appeals::{
    AnswerSource, Appeal, AppealStatus, BotGradeRequest, CloseReason, CloseRequest,
    OperatorCloseReason, TransferRequest,
};
use shared::thread::{MessageAuthor, MessageKind};
use shared::users::Role;

pub use super::answer::{answer, answer_text};
use super::lifecycle::close;
use super::query::find_in_scope;
use super::row::{add_message, emit, reload, Viewer};
use super::{conflict, not_open, view};
use crate::auth::Caller;
use crate::db::schema::{
    appeal_answers as ans, appeals as ap, bot_grades, regions, user_regions, users,
};
use crate::db::{self, audit, AnyConnection};
use crate::domain::calendar::Calendars;
use crate::domain::notifications::events::AppealEvent;
use crate::domain::validate;
use crate::error::ApiError;

/// The appeal after a change, as the caller sees it (with its thread).
fn reloaded(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<Appeal, ApiError> {
    let row = reload(conn, id)?;
    Ok(view(conn, &row, &Viewer::of(caller), true)?)
}

/// An optional note of at most 2000 characters (`field` names it in errors).
fn optional_note(field: &str, raw: Option<&str>) -> Result<Option<String>, ApiError> {
    Ok(raw
        .map(|n| validate::text(field, n, 2000, false))
        .transpose()?
        .flatten())
}

/// The operator's clarifying question in the thread: the status stays, the teacher is
/// notified. The appeal is in scope and open (checked by the caller).
pub(super) fn clarify(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    text: &str,
) -> Result<(), ApiError> {
    let now = db::now();
    add_message(
        conn,
        id,
        Some(&caller.user_id),
        MessageAuthor::Operator,
        MessageKind::Clarification,
        text,
        now,
    )?;
    diesel::update(ap::table.find(id))
        .set((ap::staff_activity_at.eq(now), ap::updated_at.eq(now)))
        .execute(conn)?;
    audit::record(
        conn,
        &caller.actor(),
        "appeal.clarify",
        "appeal",
        Some(id),
        None,
        None,
    )?;
    let row = reload(conn, id)?;
    emit(conn, AppealEvent::Clarified, &row)?;
    Ok(())
}

/// Takes an unassigned appeal, hands it to a colleague of the same region (`target`), or
/// releases it (`None`). Taking one that someone else holds answers 409; of two operators
/// taking the same appeal at once exactly one wins.
///
/// # Errors
/// 404 outside the scope, 409 `appeal_closed` / `already_assigned`, 422 `not_a_colleague`,
/// or a database failure.
pub fn assign(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    target: Option<&str>,
) -> Result<Appeal, ApiError> {
    let row = find_in_scope(conn, caller, id)?;
    if !row.status.is_open() {
        return Err(not_open());
    }
    if let Some(target) = target {
        check_colleague(conn, target, &row.region_code)?;
    }
    let taking = target == Some(caller.user_id.as_str());
    let now = db::now();
    let status = match (row.status, target) {
        (AppealStatus::New, Some(_)) => AppealStatus::InProgress,
        (AppealStatus::InProgress, None) => AppealStatus::New,
        (s, _) => s,
    };
    // Compare-and-set: taking succeeds only if nobody holds it (or we already do);
    // of two concurrent takers one updates the row, the other finds it held.
    let mut update = diesel::update(ap::table.find(id)).into_boxed();
    if taking {
        update = update.filter(
            ap::assignee_id
                .is_null()
                .or(ap::assignee_id.eq(caller.user_id.clone())),
        );
    } else if let Some(current) = &row.assignee_id {
        update = update.filter(ap::assignee_id.eq(current.clone()));
    } else {
        update = update.filter(ap::assignee_id.is_null());
    }
    let changed = update
        .set((
            ap::assignee_id.eq(target),
            ap::status.eq(status.as_str()),
            ap::updated_at.eq(now),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(conflict(
            "already_assigned",
            "Обращение уже взял в работу другой оператор.",
        ));
    }
    audit::record(
        conn,
        &caller.actor(),
        "appeal.assign",
        "appeal",
        Some(id),
        Some(&serde_json::json!({ "assignee": row.assignee_id })),
        Some(&serde_json::json!({ "assignee": target })),
    )?;
    reloaded(conn, caller, id)
}

/// An appeal is handed only to an active operator of its region.
fn check_colleague(conn: &mut AnyConnection, target: &str, region: &str) -> Result<(), ApiError> {
    let colleague: i64 = users::table
        .inner_join(user_regions::table)
        .filter(users::id.eq(target))
        .filter(users::role.eq(Role::Operator.as_str()))
        .filter(users::is_blocked.eq(false))
        .filter(user_regions::region_code.eq(region))
        .count()
        .get_result(conn)?;
    if colleague == 0 {
        return Err(ApiError::field(
            "operator_id",
            "not_a_colleague",
            "Передать можно только оператору этого региона.",
        ));
    }
    Ok(())
}

/// Checks a note's text: 1–4000 characters.
///
/// # Errors
/// 422 with the field `text`.
pub fn note_text(raw: &str) -> Result<String, ApiError> {
    Ok(validate::text("text", raw, 4000, true)?.unwrap_or_default())
}

/// An internal note for colleagues (`text` checked by [`note_text`]); never shown to
/// teachers or integrators.
///
/// # Errors
/// 404 outside the scope, or a database failure.
pub fn add_note(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    text: &str,
) -> Result<Appeal, ApiError> {
    find_in_scope(conn, caller, id)?;
    add_message(
        conn,
        id,
        Some(&caller.user_id),
        MessageAuthor::Operator,
        MessageKind::Note,
        text,
        db::now(),
    )?;
    audit::record(
        conn,
        &caller.actor(),
        "appeal.note",
        "appeal",
        Some(id),
        None,
        None,
    )?;
    reloaded(conn, caller, id)
}

/// Checks a bot grade's comment: at most 2000 characters; empty means none.
///
/// # Errors
/// 422 with the field `comment`.
pub fn grade_comment(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    optional_note("comment", raw)
}

/// Grades the bot's answer (feeds the bot-accuracy figure); once per answer. `comment` is
/// checked by [`grade_comment`].
///
/// # Errors
/// 404 outside the scope, 409 `no_bot_answer` / `already_graded`, or a database failure.
pub fn grade_bot_answer(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    body: &BotGradeRequest,
    comment: Option<&str>,
) -> Result<Appeal, ApiError> {
    find_in_scope(conn, caller, id)?;
    let answer: Option<String> = ans::table
        .filter(ans::appeal_id.eq(id))
        .filter(ans::source.eq(AnswerSource::Bot.as_str()))
        .select(ans::id)
        .first(conn)
        .optional()?;
    let answer = answer.ok_or_else(|| conflict("no_bot_answer", "У обращения нет ответа бота."))?;
    let graded: i64 = bot_grades::table
        .filter(bot_grades::answer_id.eq(&answer))
        .count()
        .get_result(conn)?;
    if graded > 0 {
        return Err(conflict("already_graded", "Ответ бота уже оценён."));
    }
    let grade = body.grade.as_str();
    diesel::insert_into(bot_grades::table)
        .values((
            bot_grades::answer_id.eq(&answer),
            bot_grades::appeal_id.eq(id),
            bot_grades::grade.eq(grade),
            bot_grades::comment.eq(comment),
            bot_grades::graded_by.eq(&caller.user_id),
            bot_grades::graded_at.eq(db::now()),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        &caller.actor(),
        "appeal.bot_grade",
        "appeal",
        Some(id),
        None,
        Some(&serde_json::json!({ "grade": grade })),
    )?;
    reloaded(conn, caller, id)
}

/// Checks the note of a close or a transfer: at most 2000 characters; empty means none.
///
/// # Errors
/// 422 with the field `note`.
pub fn staff_note(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    optional_note("note", raw)
}

/// Closes the appeal as off-topic, a duplicate (linking the other appeal) or spam; the note
/// (checked by [`staff_note`]) goes to the teacher.
///
/// # Errors
/// 404 outside the scope, 409 when closed already, 422 for a missing or unknown original,
/// or a database failure.
pub fn close_appeal(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    body: &CloseRequest,
    note: Option<&str>,
) -> Result<Appeal, ApiError> {
    let row = find_in_scope(conn, caller, id)?;
    if !row.status.is_open() {
        return Err(not_open());
    }
    let reason = match body.reason {
        OperatorCloseReason::OffTopic => CloseReason::OffTopic,
        OperatorCloseReason::Spam => CloseReason::Spam,
        OperatorCloseReason::Duplicate => {
            link_duplicate(conn, caller, id, body.duplicate_of.as_deref())?;
            CloseReason::Duplicate
        }
    };
    close(conn, id, reason, note)?;
    diesel::update(ap::table.find(id))
        .set(ap::staff_activity_at.eq(db::now()))
        .execute(conn)?;
    if let Some(note) = note {
        add_message(
            conn,
            id,
            Some(&caller.user_id),
            MessageAuthor::Operator,
            MessageKind::System,
            note,
            db::now(),
        )?;
    }
    audit::record(
        conn,
        &caller.actor(),
        "appeal.close",
        "appeal",
        Some(id),
        None,
        Some(&serde_json::json!({ "reason": reason.as_str() })),
    )?;
    let row = reload(conn, id)?;
    emit(conn, AppealEvent::Closed, &row)?;
    Ok(view(conn, &row, &Viewer::of(caller), true)?)
}

/// Records which earlier appeal (in the caller's scope, not itself; by id or by number)
/// this one repeats.
fn link_duplicate(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    other: Option<&str>,
) -> Result<(), ApiError> {
    let other = other.ok_or_else(|| {
        ApiError::field(
            "duplicate_of",
            "required",
            "Укажите обращение, которое повторяется.",
        )
    })?;
    // The screen shows the human number («16-000123»), so either it or the id is accepted.
    let by_number: Option<String> = ap::table
        .filter(ap::number.eq(other.trim()))
        .select(ap::id)
        .first(conn)
        .optional()?;
    let other = by_number.as_deref().unwrap_or(other);
    let original = find_in_scope(conn, caller, other).map_err(|_| {
        ApiError::field(
            "duplicate_of",
            "unknown",
            "Нет такого обращения в вашей зоне.",
        )
    })?;
    if original.id == id {
        return Err(ApiError::field(
            "duplicate_of",
            "self",
            "Обращение не может дублировать само себя.",
        ));
    }
    diesel::update(ap::table.find(id))
        .set(ap::duplicate_of.eq(&original.id))
        .execute(conn)?;
    Ok(())
}

/// The teacher chose the wrong region: the appeal moves to `region`'s queue (a checked
/// code) as `new`, unassigned, with a new deadline in that region's time zone. The answer
/// is the integrator-level view: the operator may no longer see the appeal.
///
/// # Errors
/// 404 outside the scope, 409 `not_in_queue`, 422 for the same or an unknown region, or a
/// database failure.
pub fn transfer(
    conn: &mut AnyConnection,
    calendars: &Calendars,
    caller: &Caller,
    id: &str,
    region: &str,
    note: Option<&str>,
) -> Result<Appeal, ApiError> {
    let row = find_in_scope(conn, caller, id)?;
    if !matches!(row.status, AppealStatus::New | AppealStatus::InProgress) {
        return Err(conflict(
            "not_in_queue",
            "Передать можно обращение, которое ждёт ответа.",
        ));
    }
    if row.region_code == region {
        return Err(ApiError::field(
            "region",
            "same_region",
            "Обращение уже в этом регионе.",
        ));
    }
    let known: i64 = regions::table
        .filter(regions::code.eq(region))
        .count()
        .get_result(conn)?;
    if known == 0 {
        return Err(ApiError::field(
            "region",
            "unknown",
            "Такого региона нет в справочнике.",
        ));
    }
    let now = db::now();
    let deadline = calendars.deadline(region, Utc::now()).naive_utc();
    diesel::update(ap::table.find(id))
        .set((
            ap::region_code.eq(region),
            ap::status.eq(AppealStatus::New.as_str()),
            ap::assignee_id.eq(None::<String>),
            ap::deadline_at.eq(deadline),
            ap::opened_by_staff_at.eq(None::<chrono::NaiveDateTime>),
            ap::staff_activity_at.eq(now),
            ap::updated_at.eq(now),
        ))
        .execute(conn)?;
    let text = match note {
        Some(n) => format!("Обращение передано в другой регион: {n}"),
        None => "Обращение передано в другой регион.".to_owned(),
    };
    add_message(
        conn,
        id,
        Some(&caller.user_id),
        MessageAuthor::Operator,
        MessageKind::System,
        &text,
        now,
    )?;
    audit::record(
        conn,
        &caller.actor(),
        "appeal.transfer",
        "appeal",
        Some(id),
        Some(&serde_json::json!({ "region": row.region_code })),
        Some(&serde_json::json!({ "region": region })),
    )?;
    let row = reload(conn, id)?;
    emit(conn, AppealEvent::Transferred, &row)?;
    Ok(view(conn, &row, &Viewer::Integrator, false)?)
}

/// [`transfer`]'s request, checked: the region's code and the optional note.
///
/// # Errors
/// 422 for a malformed code or note.
pub fn transfer_input(body: &TransferRequest) -> Result<(String, Option<String>), ApiError> {
    let region = validate::region("region", &body.region)?;
    let note = staff_note(body.note.as_deref())?;
    Ok((region, note))
}
