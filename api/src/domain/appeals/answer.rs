//! The operator answers an appeal: the answer, its place in the thread (with the files the
//! operator uploaded for it), the appeal's new state (late or not), the knowledge-base variant it feeds and an optional draft article.

use diesel::prelude::*;
use shared::appeals::{AnswerRequest, AnswerResult, AnswerSource, AppealStatus};
use shared::kb::ArticleStatus;
use shared::thread::{MessageAuthor, MessageKind};

use super::query::find_in_scope;
use super::row::{add_answer, add_message, emit, reload, AppealRow, Viewer};
use super::{conflict, view};
use crate::auth::Caller;
use crate::db::schema::{appeal_messages as msg, appeals as ap, kb_articles};
use crate::db::{self, audit, AnyConnection};
use crate::domain::kb::KnowledgeBase;
use crate::domain::notifications::events::AppealEvent;
use crate::domain::validate;
use crate::error::ApiError;

/// Checks an answer's text: 10–10,000 characters.
///
/// # Errors
/// 422 with the field `text`.
pub fn answer_text(raw: &str) -> Result<String, ApiError> {
    let text = validate::text("text", raw, 10_000, true)?.unwrap_or_default();
    if text.chars().count() < 10 {
        return Err(ApiError::field(
            "text",
            "too_short",
            "Ответ не короче 10 символов.",
        ));
    }
    Ok(text)
}

/// Answers the appeal (`answered`); whoever answers becomes the assignee. With an article
/// the question becomes a candidate variant of it; with `propose_to_kb` a draft article is
/// created for `federal` to review. `text` is checked by [`answer_text`].
///
/// # Errors
/// 404 outside the scope, 409 `not_awaiting_answer`, 422 for an unknown article, or a
/// database failure.
pub fn answer(
    conn: &mut AnyConnection,
    kb: &KnowledgeBase,
    caller: &Caller,
    id: &str,
    text: &str,
    body: &AnswerRequest,
) -> Result<AnswerResult, ApiError> {
    let row = find_in_scope(conn, caller, id)?;
    if !matches!(row.status, AppealStatus::New | AppealStatus::InProgress) {
        return Err(conflict(
            "not_awaiting_answer",
            "Обращение не ждёт ответа (уже отвечено или закрыто).",
        ));
    }
    if let Some(article) = &body.article_id {
        let exists: i64 = kb_articles::table
            .filter(kb_articles::id.eq(article))
            .count()
            .get_result(conn)?;
        if exists == 0 {
            return Err(ApiError::field(
                "article_id",
                "unknown",
                "Нет такой статьи в базе знаний.",
            ));
        }
    }
    let now = db::now();
    let late = row.deadline_at.is_some_and(|d| now > d);
    record_answer(
        conn,
        caller,
        &row,
        text,
        body.article_id.as_deref(),
        late,
        now,
    )?;
    if let Some(article) = &body.article_id {
        crate::domain::kb::store::add_candidate_variant(
            conn,
            article,
            &row.text,
            "operator_answer",
            Some(id),
        )?;
    }
    let (proposed, similar) = if body.propose_to_kb {
        let similar: Vec<String> = kb
            .engine()
            .decide(&row.text, 3)
            .hits
            .into_iter()
            .map(|h| h.article_id)
            .collect();
        let article_id = propose_article(conn, caller, &row, text, &similar, now)?;
        (Some(article_id), similar)
    } else {
        (None, Vec::new())
    };
    audit::record(
        conn,
        &caller.actor(),
        "appeal.answer",
        "appeal",
        Some(id),
        None,
        Some(
            &serde_json::json!({ "article_id": body.article_id, "late": late, "proposed": proposed }),
        ),
    )?;
    let row = reload(conn, id)?;
    emit(conn, AppealEvent::Answered, &row)?;
    Ok(AnswerResult {
        appeal: view(conn, &row, &Viewer::of(caller), true)?,
        proposed_article_id: proposed,
        similar_articles: similar,
    })
}

/// The answer, its message in the thread, and the appeal's new state.
fn record_answer(
    conn: &mut AnyConnection,
    caller: &Caller,
    row: &AppealRow,
    text: &str,
    article_id: Option<&str>,
    late: bool,
    now: chrono::NaiveDateTime,
) -> Result<(), ApiError> {
    let id = &row.id;
    add_answer(
        conn,
        id,
        AnswerSource::Operator,
        text,
        article_id,
        Some(&caller.user_id),
        late,
        now,
    )?;
    add_message(
        conn,
        id,
        Some(&caller.user_id),
        MessageAuthor::Operator,
        MessageKind::Answer,
        text,
        now,
    )?;
    // The files the operator uploaded for this answer now belong to its message.
    let message_id: String = msg::table
        .filter(msg::appeal_id.eq(id))
        .filter(msg::author_id.eq(&caller.user_id))
        .filter(msg::kind.eq(MessageKind::Answer))
        .filter(msg::created_at.eq(now))
        .select(msg::id)
        .first(conn)?;
    super::attachments::claim_for_answer(conn, id, &caller.user_id, &message_id)?;
    diesel::update(ap::table.find(id))
        .set((
            ap::status.eq(AppealStatus::Answered.as_str()),
            ap::assignee_id.eq(&caller.user_id),
            ap::first_answered_at.eq(row.first_answered_at.or(Some(now))),
            ap::answered_late.eq(row.answered_late || (row.first_answered_at.is_none() && late)),
            // An answer ends any wait for the teacher («Нужен ваш ответ»).
            ap::waiting_since.eq(None::<chrono::NaiveDateTime>),
            ap::waiting_days_left.eq(None::<i32>),
            ap::staff_activity_at.eq(now),
            ap::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// A draft article from the answer, for `federal` to review; returns its id.
fn propose_article(
    conn: &mut AnyConnection,
    caller: &Caller,
    row: &AppealRow,
    text: &str,
    similar: &[String],
    now: chrono::NaiveDateTime,
) -> Result<String, ApiError> {
    let article_id = format!("kb-{}", &db::new_id()[..12]);
    let title: String = row.text.chars().take(80).collect();
    diesel::insert_into(kb_articles::table)
        .values((
            kb_articles::id.eq(&article_id),
            kb_articles::title.eq(title.trim()),
            kb_articles::question.eq(&row.text),
            kb_articles::answer.eq(text),
            kb_articles::status.eq(ArticleStatus::Draft),
            kb_articles::version.eq(1),
            kb_articles::metadata.eq(serde_json::json!({ "similar": similar }).to_string()),
            kb_articles::source_appeal_id.eq(&row.id),
            kb_articles::created_by.eq(&caller.user_id),
            kb_articles::created_at.eq(now),
            kb_articles::updated_at.eq(now),
        ))
        .execute(conn)?;
    let draft = crate::domain::kb::store::find(conn, &article_id)?;
    crate::domain::kb::store::record_version(conn, &draft, Some(&caller.user_id))?;
    Ok(article_id)
}
