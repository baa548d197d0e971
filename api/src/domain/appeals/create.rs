//! Asking a question: the one code path the mini-app, the bot and the REST API share.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use shared::appeals::{AnswerSource, Appeal, AppealStatus, Channel, QuestionText, Suggestion};
use shared::kb::ArticleStatus;
use shared::thread::{MessageAuthor, MessageKind};
use shared::users::VerificationStatus;

use super::{add_answer, add_message, reload, view, AppealRow, Viewer};
use crate::db::schema::{appeals, kb_articles, users};
use crate::db::{self, AnyConnection};
use crate::domain::calendar::Calendars;
use crate::domain::notifications::events::{self, AppealEvent};
use crate::error::ApiError;
use crate::matching::Decision;

/// Suggestions shown when the engine is not confident.
const MAX_SUGGESTIONS: usize = 3;

/// The author's columns a new appeal records (not the whole user row: the write turn is
/// shared by every request, so its queries read only what they need).
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
struct Author {
    verification_status: VerificationStatus,
    region_code: Option<String>,
    surname: Option<String>,
    name: Option<String>,
    patronymic: Option<String>,
    education_level: Option<String>,
}

impl Author {
    /// «Фамилия Имя Отчество» from the parts that are known (as `UserRow::full_name`).
    fn full_name(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.surname, &self.name, &self.patronymic]
            .into_iter()
            .filter_map(|p| p.as_deref().map(str::trim).filter(|p| !p.is_empty()))
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// What a teacher asks.
#[derive(Debug, Clone)]
pub struct NewAppeal {
    /// The author.
    pub teacher_id: String,
    /// The checked question.
    pub text: QuestionText,
    /// Hide the name from staff.
    pub anonymous: bool,
    /// Where it came from.
    pub channel: Channel,
}

/// The refusal for a teacher who is not verified yet.
#[must_use]
pub fn not_verified() -> ApiError {
    ApiError::Denied {
        code: "teacher_not_verified",
        detail: "Задавать вопросы могут подтверждённые педагоги. Подтвердите статус через Госуслуги \
                 или отправьте заявку с названием школы в профиле — её проверит оператор вашего региона. \
                 А пока можно искать готовые ответы в базе."
            .to_owned(),
    }
}

/// Creates the appeal from the engine's `decision` (computed before the transaction):
/// answered at once when confident, otherwise routed to the region's queue with a deadline
/// and up to three suggestions. Records the region and name as they are now.
///
/// # Errors
/// `teacher_not_verified` (403), a missing region (422), too many questions (429), or a
/// database failure.
pub fn create(
    conn: &mut AnyConnection,
    calendars: &Calendars,
    decision: &Decision,
    input: &NewAppeal,
    per_hour: i64,
) -> Result<AppealRow, ApiError> {
    let now = Utc::now().naive_utc();
    let user: Author = users::table
        .find(&input.teacher_id)
        .select(Author::as_select())
        .first(conn)?;
    // Registered on someone's behalf: the registrar vouches for the person (on_behalf.rs).
    if user.verification_status != VerificationStatus::Verified && !input.channel.on_behalf() {
        return Err(not_verified());
    }
    // Thanks or a greeting alone is not a question: no article, no appeal, no queue entry.
    if decision.is_courtesy() {
        return Err(ApiError::NotAQuestion);
    }
    let region = user.region_code.clone().ok_or_else(|| {
        ApiError::field(
            "region",
            "required",
            "Укажите в профиле регион, в котором вы работаете.",
        )
    })?;
    check_rate(conn, &input.teacher_id, per_hour, now)?;

    // A confident answer needs the article to be published still (it may have been
    // archived between the search and now).
    let answer_article: Option<(String, String)> = match (&decision.best, decision.confident) {
        (Some(best), true) => kb_articles::table
            .find(&best.article_id)
            .filter(kb_articles::status.eq(ArticleStatus::Published.as_str()))
            .select((kb_articles::id, kb_articles::answer))
            .first(conn)
            .optional()?,
        _ => None,
    };
    let suggestions =
        if answer_article.is_none() && decision.abstain_reason.as_deref() != Some("no_match") {
            suggestions(conn, decision)?
        } else {
            Vec::new()
        };
    let status = if answer_article.is_some() {
        AppealStatus::AnsweredByBot
    } else {
        AppealStatus::New
    };
    let deadline = (status == AppealStatus::New)
        .then(|| calendars.deadline(&region, now.and_utc()).naive_utc());
    let id = db::new_id();
    insert(
        conn,
        &Inserted {
            id: &id,
            input,
            user: &user,
            region: &region,
            status,
            decision,
            confident: answer_article.is_some(),
            suggestions: &suggestions,
            deadline,
            now,
        },
    )?;
    add_message(
        conn,
        &id,
        Some(&input.teacher_id),
        MessageAuthor::Teacher,
        MessageKind::Question,
        input.text.as_str(),
        now,
    )?;
    if let Some((article_id, answer)) = &answer_article {
        add_answer(
            conn,
            &id,
            AnswerSource::Bot,
            answer,
            Some(article_id),
            None,
            false,
            now,
        )?;
        add_message(
            conn,
            &id,
            None,
            MessageAuthor::Bot,
            MessageKind::Answer,
            answer,
            now,
        )?;
        diesel::update(appeals::table.find(&id))
            .set(appeals::first_answered_at.eq(now))
            .execute(conn)?;
    }
    let row = reload(conn, &id)?;
    // Both events carry the same integrator's view of the new row: built once.
    let integrator_view = view(conn, &row, &Viewer::Integrator, false)?;
    events::emit(
        conn,
        AppealEvent::Created,
        &integrator_view,
        &row.teacher_id,
    )?;
    if answer_article.is_some() {
        events::emit(
            conn,
            AppealEvent::Answered,
            &integrator_view,
            &row.teacher_id,
        )?;
    }
    Ok(row)
}

/// The columns of a new appeal, decided by [`create`].
struct Inserted<'a> {
    id: &'a str,
    input: &'a NewAppeal,
    user: &'a Author,
    region: &'a str,
    status: AppealStatus,
    decision: &'a Decision,
    confident: bool,
    suggestions: &'a [Suggestion],
    deadline: Option<NaiveDateTime>,
    now: NaiveDateTime,
}

/// Inserts the appeal's row.
fn insert(conn: &mut AnyConnection, r: &Inserted<'_>) -> QueryResult<()> {
    diesel::insert_into(appeals::table)
        .values((
            appeals::id.eq(r.id),
            appeals::teacher_id.eq(&r.input.teacher_id),
            appeals::region_code.eq(r.region),
            appeals::author_name.eq(r.user.full_name()),
            appeals::anonymous.eq(r.input.anonymous),
            appeals::text.eq(r.input.text.as_str()),
            appeals::channel.eq(r.input.channel.as_str()),
            appeals::status.eq(r.status.as_str()),
            appeals::engine_name.eq(r.decision.engine),
            appeals::engine_version.eq(&r.decision.version),
            appeals::engine_article_id.eq(r.decision.best.as_ref().map(|b| b.article_id.clone())),
            appeals::engine_score.eq(r.decision.best.as_ref().map(|b| b.score)),
            appeals::engine_confident.eq(r.confident),
            appeals::abstain_reason.eq(&r.decision.abstain_reason),
            appeals::suggestions
                .eq(serde_json::to_string(r.suggestions).unwrap_or_else(|_| "[]".to_owned())),
            appeals::deadline_at.eq(r.deadline),
            appeals::teacher_activity_at.eq(r.now),
            appeals::created_at.eq(r.now),
            appeals::updated_at.eq(r.now),
            // The level as it is now, like the region and the name (statistics by level).
            appeals::education_level.eq(&r.user.education_level),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Per-teacher limit on new questions, counted in the database so it holds across instances.
fn check_rate(
    conn: &mut AnyConnection,
    teacher: &str,
    per_hour: i64,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    if per_hour <= 0 {
        return Ok(());
    }
    let window = now - chrono::Duration::hours(1);
    let recent: Vec<NaiveDateTime> = appeals::table
        .filter(appeals::teacher_id.eq(teacher))
        .filter(appeals::created_at.gt(window))
        .order(appeals::created_at.asc())
        .select(appeals::created_at)
        .limit(per_hour)
        .load(conn)?;
    if i64::try_from(recent.len()).unwrap_or(i64::MAX) >= per_hour {
        let oldest = recent.first().copied().unwrap_or(now);
        let retry_after = u64::try_from(
            (oldest + chrono::Duration::hours(1) - now)
                .num_seconds()
                .max(1),
        )
        .unwrap_or(60);
        return Err(ApiError::RateLimited { retry_after });
    }
    Ok(())
}

fn suggestions(conn: &mut AnyConnection, decision: &Decision) -> QueryResult<Vec<Suggestion>> {
    // Always MAX_SUGGESTIONS ids (padded with an id no article has) in `id = ? OR id = ? OR
    // id = ?`: one query shape, so diesel caches its prepared statement; `IN (…)` with a
    // varying number of values is prepared anew on every create.
    let mut ids = [""; MAX_SUGGESTIONS];
    for (slot, hit) in ids.iter_mut().zip(&decision.hits) {
        *slot = hit.article_id.as_str();
    }
    let [first, second, third] = ids;
    // The status is checked here, not in SQL: with `status = ?` beside the ids SQLite's
    // planner (which cannot see bound values) may pick the status index and read every
    // published article — 85% of the time of a create over a 10,000-article base.
    let titles: Vec<(String, String, String)> = kb_articles::table
        .filter(
            kb_articles::id
                .eq(first)
                .or(kb_articles::id.eq(second))
                .or(kb_articles::id.eq(third)),
        )
        .select((kb_articles::id, kb_articles::title, kb_articles::status))
        .load(conn)?;
    Ok(decision
        .hits
        .iter()
        .take(MAX_SUGGESTIONS)
        .filter_map(|h| {
            let (_, title, _) = titles.iter().find(|(id, _, status)| {
                *id == h.article_id && status == ArticleStatus::Published.as_str()
            })?;
            Some(Suggestion {
                article_id: h.article_id.clone(),
                title: title.clone(),
                score: h.score,
            })
        })
        .collect())
}

/// Asks a question from the mini-app or the REST API: [`create`], answered with the
/// teacher's full view of the new appeal.
///
/// # Errors
/// As [`create`].
pub fn ask(
    conn: &mut AnyConnection,
    calendars: &Calendars,
    decision: &Decision,
    input: &NewAppeal,
    per_hour: i64,
) -> Result<Appeal, ApiError> {
    let row = create(conn, calendars, decision, input, per_hour)?;
    Ok(view(
        conn,
        &row,
        &Viewer::Teacher(input.teacher_id.clone()),
        true,
    )?)
}

/// Asks a question from the bot: [`create`], with the row (its region and deadline make
/// the bot's reply) and the teacher's view without the thread.
///
/// # Errors
/// As [`create`].
pub fn ask_from_bot(
    conn: &mut AnyConnection,
    calendars: &Calendars,
    decision: &Decision,
    input: &NewAppeal,
    per_hour: i64,
) -> Result<(AppealRow, Appeal), ApiError> {
    let row = create(conn, calendars, decision, input, per_hour)?;
    let appeal = view(
        conn,
        &row,
        &Viewer::Teacher(input.teacher_id.clone()),
        false,
    )?;
    Ok((row, appeal))
}
