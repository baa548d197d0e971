//! A click is not a rating (issue #22): «Помогло» on a bot answer is stored on the answer
//! (`appeal_answers.helpful = true`) and closes the appeal; the teacher may then give the
//! stars as well (optional, [`super::lifecycle::rate`]). «Не помогло» is recorded the same
//! way (`false`) when the teacher hands the question to people
//! ([`super::lifecycle::escalate`]). Statistics count the clicks apart from the ratings
//! (`domain::stats::aggregates`, the daily sums).

use diesel::prelude::*;
use shared::appeals::{AnswerSource, Appeal, AppealStatus, CloseReason};

use super::lifecycle::close;
use super::query::find_in_scope;
use super::row::{emit, reload, Viewer};
use super::{conflict, view};
use crate::auth::Caller;
use crate::db::schema::appeal_answers as ans;
use crate::db::{self, AnyConnection};
use crate::domain::notifications::events::AppealEvent;
use crate::error::ApiError;

/// Records a click on the latest answer of an appeal when it is the bot's and has none yet;
/// returns whether it did.
///
/// # Errors
/// A database failure.
pub fn record_click(conn: &mut AnyConnection, appeal_id: &str, helpful: bool) -> QueryResult<bool> {
    let latest: Option<(String, String, Option<bool>)> = ans::table
        .filter(ans::appeal_id.eq(appeal_id))
        .order((ans::answered_at.desc(), ans::id.desc()))
        .select((ans::id, ans::source, ans::helpful))
        .first(conn)
        .optional()?;
    let Some((answer_id, source, None)) = latest else {
        return Ok(false);
    };
    if source != AnswerSource::Bot.as_str() {
        return Ok(false);
    }
    let now = db::now();
    diesel::update(ans::table.find(&answer_id).filter(ans::helpful.is_null()))
        .set((
            ans::helpful.eq(Some(helpful)),
            ans::helpful_at.eq(Some(now)),
        ))
        .execute(conn)
        .map(|n| n > 0)
}

/// «Помогло» on the bot's answer: a click (not a rating); the appeal closes (reason
/// `rated`: the teacher reacted to the answer) and the stars stay available.
///
/// # Errors
/// 404 outside the scope, 409 `not_helpful_target` unless the appeal holds an unclicked bot
/// answer and is still answered by the bot, or a database failure.
pub fn mark_helpful(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
) -> Result<Appeal, ApiError> {
    let row = find_in_scope(conn, caller, id)?;
    if row.status != AppealStatus::AnsweredByBot || !record_click(conn, id, true)? {
        return Err(conflict(
            "not_helpful_target",
            "«Помогло» отмечают один раз — у ответа из базы, пока вопрос не передан специалистам.",
        ));
    }
    close(conn, id, CloseReason::Rated, None)?;
    let row = reload(conn, id)?;
    // Integrators see the click as what it is for them: the appeal closed (reason `rated`).
    emit(conn, AppealEvent::Closed, &row)?;
    Ok(view(conn, &row, &Viewer::of(caller), true)?)
}
