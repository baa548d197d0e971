//! The transitions of an appeal outside the operator's desk: a message in the thread
//! (the teacher's follow-up, the operator's clarifying question), escalation of a bot answer,
//! withdrawal, rating, accepting a suggested article, closing (by anyone, with a reason),
//! expiry of answered appeals nobody reacted to, and read marks.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use shared::appeals::{AnswerSource, Appeal, AppealStatus, CloseReason};
use shared::thread::{MessageAuthor, MessageKind};
use shared::users::Role;

use super::query::find_in_scope;
use super::row::{add_answer, add_message, emit, reload, suggestions_of, AppealRow, Viewer};
use super::{conflict, not_open, view};
use crate::auth::Caller;
use crate::db::schema::{
    appeal_answers as ans, appeal_messages as msg, appeal_reads as reads, appeals as ap,
    kb_articles, ratings,
};
use crate::db::{self, audit, AnyConnection};
use crate::domain::calendar::Calendars;
use crate::domain::notifications::events::AppealEvent;
use crate::domain::validate;
use crate::error::ApiError;

/// An answered appeal with no rating and no follow-up closes after this long.
pub const AUTO_CLOSE_AFTER_DAYS: i64 = 14;

/// The appeal after a change, as the caller sees it (with its thread).
fn reloaded(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<Appeal, ApiError> {
    let row = reload(conn, id)?;
    Ok(view(conn, &row, &Viewer::of(caller), true)?)
}

/// Checks a message of the thread: 1–4000 characters with at least one word.
///
/// # Errors
/// 422 with the field `text`.
pub fn message_text(text: &str) -> Result<String, ApiError> {
    let cleaned = validate::text("text", text, 4000, true)?.unwrap_or_default();
    if !cleaned.chars().any(char::is_alphanumeric) {
        return Err(ApiError::field(
            "text",
            "no_words",
            "Напишите сообщение словами.",
        ));
    }
    Ok(cleaned)
}

/// A message in the thread (`text` checked by [`message_text`]): a teacher's follow-up
/// (on an answered appeal it returns the appeal to work with a new deadline), or an
/// operator's clarifying question (the status stays; the teacher is notified).
///
/// # Errors
/// 404 outside the scope, 409 on a closed appeal, or a database failure.
pub fn post_message(
    conn: &mut AnyConnection,
    calendars: &Calendars,
    caller: &Caller,
    id: &str,
    text: &str,
) -> Result<Appeal, ApiError> {
    let row = find_in_scope(conn, caller, id)?;
    if !row.status.is_open() {
        return Err(not_open());
    }
    if caller.role == Role::Teacher {
        follow_up(conn, calendars, caller, &row, text)?;
        super::waiting::resume(conn, calendars, &row, db::now())?;
    } else {
        // The pause goes first: the question stays the thread's latest message.
        super::waiting::pause(conn, calendars, &row, db::now())?;
        super::staff::clarify(conn, caller, id, text)?;
    }
    reloaded(conn, caller, id)
}

/// The teacher writes again; after an answer the appeal goes back to work.
fn follow_up(
    conn: &mut AnyConnection,
    calendars: &Calendars,
    caller: &Caller,
    row: &AppealRow,
    text: &str,
) -> Result<(), ApiError> {
    let id = &row.id;
    let now = db::now();
    add_message(
        conn,
        id,
        Some(&caller.user_id),
        MessageAuthor::Teacher,
        MessageKind::FollowUp,
        text,
        now,
    )?;
    // A follow-up after an answer puts the appeal back to work, with a new deadline.
    let reopened = match row.status {
        AppealStatus::Answered => Some((AppealStatus::InProgress, row.assignee_id.clone())),
        AppealStatus::AnsweredByBot => Some((AppealStatus::New, None)),
        _ => None,
    };
    if let Some((status, assignee)) = reopened {
        let deadline = calendars
            .deadline(&row.region_code, now.and_utc())
            .naive_utc();
        diesel::update(ap::table.find(id))
            .set((
                ap::status.eq(status.as_str()),
                ap::assignee_id.eq(assignee),
                ap::deadline_at.eq(deadline),
                ap::escalated_at.eq(row.escalated_at.or(Some(now))),
            ))
            .execute(conn)?;
    }
    diesel::update(ap::table.find(id))
        .set((ap::teacher_activity_at.eq(now), ap::updated_at.eq(now)))
        .execute(conn)?;
    emit_now(conn, id, AppealEvent::FollowUp)?;
    Ok(())
}

/// Emits `event` with the appeal as it is now (after the change, in its transaction).
fn emit_now(conn: &mut AnyConnection, id: &str, event: AppealEvent) -> QueryResult<()> {
    let row = reload(conn, id)?;
    emit(conn, event, &row)
}

/// «Не помогло» on a bot answer: the appeal goes to the region's operators with a deadline.
/// Allowed once, also after the bot answer was rated 3 or lower.
///
/// # Errors
/// 404 outside the scope, 409 `not_escalatable`, or a database failure.
pub fn escalate(
    conn: &mut AnyConnection,
    calendars: &Calendars,
    caller: &Caller,
    id: &str,
) -> Result<Appeal, ApiError> {
    let row = find_in_scope(conn, caller, id)?;
    let bot_rating: Option<i32> = ratings::table
        .inner_join(ans::table)
        .filter(ans::appeal_id.eq(id))
        .filter(ans::source.eq(AnswerSource::Bot.as_str()))
        .select(ratings::score)
        .first(conn)
        .optional()?;
    let allowed = row.escalated_at.is_none()
        && match row.status {
            AppealStatus::AnsweredByBot => true,
            AppealStatus::Closed => {
                row.close_reason == Some(CloseReason::Rated) && bot_rating.is_some_and(|s| s <= 3)
            }
            _ => false,
        };
    if !allowed {
        return Err(conflict(
            "not_escalatable",
            "Передать специалистам можно один раз — ответ из базы, который не помог.",
        ));
    }
    // «Не помогло» is a click on the bot's answer too (not a rating).
    super::feedback::record_click(conn, id, false)?;
    let now = db::now();
    let deadline = calendars
        .deadline(&row.region_code, now.and_utc())
        .naive_utc();
    diesel::update(ap::table.find(id))
        .set((
            ap::status.eq(AppealStatus::New.as_str()),
            ap::escalated_at.eq(now),
            ap::deadline_at.eq(deadline),
            ap::close_reason.eq(None::<String>),
            ap::closed_at.eq(None::<NaiveDateTime>),
            ap::teacher_activity_at.eq(now),
            ap::updated_at.eq(now),
        ))
        .execute(conn)?;
    add_message(
        conn,
        id,
        Some(&caller.user_id),
        MessageAuthor::Teacher,
        MessageKind::System,
        "Ответ из базы не помог — вопрос передан специалистам.",
        now,
    )?;
    emit_now(conn, id, AppealEvent::Escalated)?;
    reloaded(conn, caller, id)
}

/// The teacher withdraws an open appeal.
///
/// # Errors
/// 404 outside the scope, 409 when closed already, or a database failure.
pub fn withdraw(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<Appeal, ApiError> {
    let row = find_in_scope(conn, caller, id)?;
    if !row.status.is_open() {
        return Err(not_open());
    }
    close(conn, id, CloseReason::Withdrawn, None)?;
    add_message(
        conn,
        id,
        Some(&caller.user_id),
        MessageAuthor::Teacher,
        MessageKind::System,
        "Учитель отозвал вопрос.",
        db::now(),
    )?;
    emit_now(conn, id, AppealEvent::Withdrawn)?;
    reloaded(conn, caller, id)
}

/// Closes an appeal with a reason.
///
/// # Errors
/// A database failure.
pub fn close(
    conn: &mut AnyConnection,
    id: &str,
    reason: CloseReason,
    note: Option<&str>,
) -> QueryResult<()> {
    let now = db::now();
    diesel::update(ap::table.find(id))
        .set((
            ap::status.eq(AppealStatus::Closed.as_str()),
            ap::close_reason.eq(reason.as_str()),
            ap::close_note.eq(note),
            ap::closed_at.eq(now),
            ap::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Checks a rating's comment: at most 2000 characters; empty means none.
///
/// # Errors
/// 422 with the field `comment`.
pub fn rating_comment(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    Ok(raw
        .map(|c| validate::text("comment", c, 2000, false))
        .transpose()?
        .flatten())
}

/// The teacher rates the latest answer of an appeal in scope; see [`rate_latest`].
///
/// # Errors
/// 404 outside the scope, or what [`rate_latest`] refuses.
pub fn rate(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    score: i64,
    comment: Option<String>,
) -> Result<Appeal, ApiError> {
    let row = find_in_scope(conn, caller, id)?;
    rate_latest(conn, &row, score, comment)?;
    reloaded(conn, caller, id)
}

/// A rating from the bot's reminder buttons: only the author may rate, by the same rule.
/// Returns the notice for the button press.
///
/// # Errors
/// 404 when the appeal is not the teacher's, or what [`rate_latest`] refuses.
pub fn rate_from_bot(
    conn: &mut AnyConnection,
    teacher_id: &str,
    appeal_id: &str,
    score: u8,
) -> Result<String, ApiError> {
    let row = reload(conn, appeal_id)
        .optional()?
        .filter(|r| r.teacher_id == teacher_id)
        .ok_or(ApiError::NotFound)?;
    rate_latest(conn, &row, i64::from(score), None)?;
    Ok("Спасибо за оценку!".to_owned())
}

/// Rates the latest answer (bot or operator) 1–5, once per answer; the rating closes the
/// appeal. The bot's reminder buttons use the same rule.
///
/// # Errors
/// 409 `nothing_to_rate` / `already_rated`, 422 for a bad score or comment.
pub fn rate_latest(
    conn: &mut AnyConnection,
    row: &AppealRow,
    score: i64,
    comment: Option<String>,
) -> Result<(), ApiError> {
    if !(1..=5).contains(&score) {
        return Err(ApiError::field(
            "score",
            "out_of_range",
            "Оценка — целое число от 1 до 5.",
        ));
    }
    let latest: Option<String> = ans::table
        .filter(ans::appeal_id.eq(&row.id))
        .order(ans::answered_at.desc())
        .select(ans::id)
        .first(conn)
        .optional()?;
    let latest = latest
        .ok_or_else(|| conflict("nothing_to_rate", "Пока нечего оценивать: ответа ещё нет."))?;
    let rated: i64 = ratings::table
        .filter(ratings::answer_id.eq(&latest))
        .count()
        .get_result(conn)?;
    if rated > 0 {
        return Err(conflict("already_rated", "Этот ответ уже оценён."));
    }
    let now = db::now();
    diesel::insert_into(ratings::table)
        .values((
            ratings::answer_id.eq(&latest),
            ratings::appeal_id.eq(&row.id),
            ratings::score.eq(i32::try_from(score).unwrap_or(0)),
            ratings::comment.eq(comment),
            ratings::rated_at.eq(now),
        ))
        .execute(conn)?;
    if row.status.is_open() {
        close(conn, &row.id, CloseReason::Rated, None)?;
    }
    let row = reload(conn, &row.id)?;
    emit(conn, AppealEvent::Rated, &row)?;
    Ok(())
}

/// The teacher says a suggested article answered the question: the appeal closes as
/// self-served and the question becomes a candidate variant of that article.
///
/// # Errors
/// 404 outside the scope, 409 `not_open`, 422 `not_suggested`, or a database failure.
pub fn accept_suggestion(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    article_id: &str,
) -> Result<Appeal, ApiError> {
    let row = find_in_scope(conn, caller, id)?;
    if !matches!(row.status, AppealStatus::New | AppealStatus::InProgress) {
        return Err(conflict(
            "not_open",
            "Предложения можно принять, пока обращение ждёт ответа.",
        ));
    }
    if !suggestions_of(&row)
        .iter()
        .any(|s| s.article_id == article_id)
    {
        return Err(ApiError::field(
            "article_id",
            "not_suggested",
            "Эта статья не была предложена к обращению.",
        ));
    }
    let answer: String = kb_articles::table
        .find(article_id)
        .select(kb_articles::answer)
        .first(conn)?;
    let now = db::now();
    add_answer(
        conn,
        id,
        AnswerSource::SelfServed,
        &answer,
        Some(article_id),
        None,
        false,
        now,
    )?;
    add_message(
        conn,
        id,
        Some(&caller.user_id),
        MessageAuthor::Teacher,
        MessageKind::System,
        "Учитель нашёл ответ в предложенной статье.",
        now,
    )?;
    close(conn, id, CloseReason::SelfServed, None)?;
    crate::domain::kb::store::add_candidate_variant(
        conn,
        article_id,
        &row.text,
        "accepted_suggestion",
        Some(id),
    )?;
    emit_now(conn, id, AppealEvent::Closed)?;
    reloaded(conn, caller, id)
}

/// Marks the appeal's new answers and messages as read for the caller (unread is per
/// person); an operator's first read records that staff opened it.
///
/// # Errors
/// 404 outside the scope, or a database failure.
pub fn mark_read(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<(), ApiError> {
    let row = find_in_scope(conn, caller, id)?;
    let now = db::now();
    let updated = diesel::update(reads::table.find((id, &caller.user_id)))
        .set(reads::read_at.eq(now))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(reads::table)
            .values((
                reads::appeal_id.eq(id),
                reads::user_id.eq(&caller.user_id),
                reads::read_at.eq(now),
            ))
            .execute(conn)?;
    }
    if caller.role == Role::Operator && row.opened_by_staff_at.is_none() {
        diesel::update(ap::table.find(id))
            .set(ap::opened_by_staff_at.eq(now))
            .execute(conn)?;
    }
    Ok(())
}

/// Closes (`closed`, reason `expired`) up to `batch` answered appeals whose latest answer
/// is [`AUTO_CLOSE_AFTER_DAYS`] old, unrated, and not followed up. Only appeals still in an
/// answered state are changed, so two runs at once close each appeal once. Returns how many
/// were closed.
///
/// # Errors
/// A database failure.
pub fn expire_stale(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    batch: i64,
) -> QueryResult<usize> {
    let cutoff = now - Duration::days(AUTO_CLOSE_AFTER_DAYS);
    let answered = ans::table.select(ans::appeal_id);
    let recent = ans::table
        .filter(ans::answered_at.gt(cutoff))
        .select(ans::appeal_id);
    let candidates: Vec<(String, String)> = ap::table
        .filter(ap::status.eq_any([AppealStatus::Answered, AppealStatus::AnsweredByBot]))
        .filter(ap::id.eq_any(answered))
        .filter(diesel::dsl::not(ap::id.eq_any(recent)))
        .select((ap::id, ap::status))
        .order(ap::id.asc())
        .limit(batch)
        .load(conn)?;
    let mut closed = 0;
    for (id, status) in candidates {
        if !awaits_reaction(conn, &id)? {
            continue;
        }
        if expire(conn, &id, &status, now)? {
            closed += 1;
        }
    }
    Ok(closed)
}

/// The latest answer is neither rated nor followed by a teacher's message.
fn awaits_reaction(conn: &mut AnyConnection, id: &str) -> QueryResult<bool> {
    let latest: Option<(String, NaiveDateTime)> = ans::table
        .filter(ans::appeal_id.eq(id))
        .order((ans::answered_at.desc(), ans::id.desc()))
        .select((ans::id, ans::answered_at))
        .first(conn)
        .optional()?;
    let Some((answer_id, answered_at)) = latest else {
        return Ok(false);
    };
    let rated: i64 = ratings::table
        .filter(ratings::answer_id.eq(&answer_id))
        .count()
        .get_result(conn)?;
    let follow_ups: i64 = msg::table
        .filter(msg::appeal_id.eq(id))
        .filter(msg::kind.eq(MessageKind::FollowUp))
        .filter(msg::created_at.gt(answered_at))
        .count()
        .get_result(conn)?;
    Ok(rated == 0 && follow_ups == 0)
}

/// Closes one answered appeal as expired (compare-and-set on the answered states), with a
/// system message and an audit record; false when it was no longer answered.
fn expire(
    conn: &mut AnyConnection,
    id: &str,
    status: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        ap::table
            .find(id)
            .filter(ap::status.eq_any([AppealStatus::Answered, AppealStatus::AnsweredByBot])),
    )
    .set((
        ap::status.eq(AppealStatus::Closed.as_str()),
        ap::close_reason.eq(CloseReason::Expired.as_str()),
        ap::closed_at.eq(now),
        ap::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Ok(false);
    }
    add_message(
        conn,
        id,
        None,
        MessageAuthor::System,
        MessageKind::System,
        "Обращение закрыто автоматически: 14 дней без оценки и новых вопросов.",
        now,
    )?;
    audit::record(
        conn,
        &audit::Actor::default(),
        "appeal.expire",
        "appeal",
        Some(id),
        Some(&serde_json::json!({ "status": status })),
        Some(&serde_json::json!({ "status": "closed", "close_reason": "expired" })),
    )?;
    emit_now(conn, id, AppealEvent::Closed)?;
    Ok(true)
}
