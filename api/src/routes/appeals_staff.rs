//! The operator's side of appeals: the Kanban board, taking and handing over, answering,
//! internal notes, grading bot answers, closing with a reason, transferring to another
//! region. Every action is scoped to the operator's regions and written to the audit log.

use actix_web::{get, post, web};
use chrono::Utc;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use shared::appeals::{AnswerSource, Appeal, AppealStatus, CloseReason};
use shared::users::Role;
use utoipa::{IntoParams, ToSchema};

use crate::appeals::{
    add_answer, add_message, emit, find_in_scope, reload, view, views, AppealRow, Viewer,
};
use crate::auth::{Caller, Scope};
use crate::db::schema::{
    appeal_answers as ans, appeals as ap, bot_grades, kb_articles, user_regions, users,
};
use crate::db::{self, audit};
use crate::error::ApiError;
use crate::events::AppealEvent;
use crate::routes::appeals::close;
use crate::routes::validate;
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

fn conflict(code: &'static str, detail: &str) -> ApiError {
    ApiError::Conflict {
        code,
        detail: detail.to_owned(),
    }
}

/// One column of the board.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardColumn {
    /// The status of the column.
    pub status: AppealStatus,
    /// How many appeals of the scope are in it.
    pub count: i64,
    /// The first cards, oldest deadline first (newest first for finished columns).
    pub items: Vec<Appeal>,
}

/// The Kanban board of the caller's regions.
#[derive(Debug, Serialize, ToSchema)]
pub struct Board {
    /// Columns `answered_by_bot` (awaiting grading), `new`, `in_progress`, `answered`, `closed`.
    pub columns: Vec<BoardColumn>,
}

/// Board parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// Only this region (within the caller's).
    pub region: Option<String>,
    /// Cards per column (1–50, default 20).
    pub limit: Option<u32>,
}

/// The queue as a Kanban board: columns with counts and their first cards.
#[utoipa::path(get, path = "/api/v1/appeals/board", tag = "appeals", security(("bearer" = [])), params(BoardQuery),
    responses(
        (status = 200, description = "Доска", body = Board),
        (status = 403, description = "Только операторы и руководители; регион вне зоны", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "Неверные параметры", body = shared::Problem, content_type = PROBLEM),
    ))]
#[get("/appeals/board")]
pub async fn board(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<BoardQuery>,
) -> Result<web::Json<Board>, ApiError> {
    caller.require(&[Role::Operator, Role::RegionalHead, Role::Federal])?;
    let limit = match query.limit.unwrap_or(20) {
        n @ 1..=50 => i64::from(n),
        _ => {
            return Err(ApiError::field(
                "limit",
                "out_of_range",
                "limit — число от 1 до 50.",
            ))
        }
    };
    let region = query
        .region
        .as_deref()
        .map(|r| validate::region("region", r))
        .transpose()?;
    if let Some(code) = &region {
        caller.check_region_filter(code)?;
    }
    let scope = caller.scope();
    let viewer = Viewer::of(&caller);
    let board = state
        .db
        .read(move |conn| {
            let mut columns = Vec::new();
            for status in [
                AppealStatus::AnsweredByBot,
                AppealStatus::New,
                AppealStatus::InProgress,
                AppealStatus::Answered,
                AppealStatus::Closed,
            ] {
                let scoped = || {
                    let mut q = ap::table
                        .filter(ap::status.eq(status.as_str()))
                        .into_boxed();
                    q = match &scope {
                        Scope::Regions(codes) => q.filter(ap::region_code.eq_any(codes.clone())),
                        _ => q,
                    };
                    if let Some(code) = &region {
                        q = q.filter(ap::region_code.eq(code.clone()));
                    }
                    q
                };
                let mut count_query = scoped();
                let mut cards_query = scoped();
                if status == AppealStatus::AnsweredByBot {
                    // Bot answers wait here until an operator grades them.
                    let graded = bot_grades::table.select(bot_grades::appeal_id);
                    count_query = count_query.filter(ap::id.ne_all(graded));
                    cards_query = cards_query
                        .filter(ap::id.ne_all(bot_grades::table.select(bot_grades::appeal_id)));
                }
                let count: i64 = count_query.count().get_result(conn)?;
                let cards_query = cards_query.select(AppealRow::as_select());
                let rows: Vec<AppealRow> = match status {
                    AppealStatus::New | AppealStatus::InProgress => cards_query
                        .order((ap::deadline_at.asc(), ap::created_at.asc()))
                        .limit(limit)
                        .load(conn)?,
                    _ => cards_query
                        .order(ap::updated_at.desc())
                        .limit(limit)
                        .load(conn)?,
                };
                let items = views(conn, &rows, &viewer, false)?;
                columns.push(BoardColumn {
                    status,
                    count,
                    items,
                });
            }
            Ok(Board { columns })
        })
        .await?;
    Ok(web::Json(board))
}

fn operator_only(caller: &Caller) -> Result<(), ApiError> {
    caller.require(&[Role::Operator])
}

/// `POST /api/v1/appeals/{id}/assign`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The operator to hold it (yourself to take it; a colleague of the region to hand it
    /// over); `null` releases it.
    pub operator_id: Option<String>,
}

/// Takes an unassigned appeal («взять в работу»), hands it to a colleague of the same
/// region, or releases it. Taking one that someone else holds answers 409; of two operators
/// taking the same appeal at once exactly one wins.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/assign", tag = "appeals", security(("bearer" = [])), request_body = AssignRequest,
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Назначено", body = Appeal),
        (status = 403, description = "Только операторы", body = shared::Problem, content_type = PROBLEM),
        (status = 404, description = "Нет такого обращения в вашей зоне", body = shared::Problem, content_type = PROBLEM),
        (status = 409, description = "Уже у другого оператора или закрыто", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "Коллега не из этого региона", body = shared::Problem, content_type = PROBLEM),
    ))]
#[post("/appeals/{id}/assign")]
pub async fn assign(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<AssignRequest>,
) -> Result<web::Json<Appeal>, ApiError> {
    operator_only(&caller)?;
    let id = id.into_inner();
    let target = body.into_inner().operator_id;
    let appeal = state
        .db
        .write(move |conn| {
            let row = find_in_scope(conn, &caller, &id)?;
            if !row.status().is_open() {
                return Err(conflict("appeal_closed", "Обращение уже закрыто."));
            }
            if let Some(target) = &target {
                let colleague: i64 = users::table
                    .inner_join(user_regions::table)
                    .filter(users::id.eq(target))
                    .filter(users::role.eq(Role::Operator.as_str()))
                    .filter(users::is_blocked.eq(false))
                    .filter(user_regions::region_code.eq(&row.region_code))
                    .count()
                    .get_result(conn)?;
                if colleague == 0 {
                    return Err(ApiError::field(
                        "operator_id",
                        "not_a_colleague",
                        "Передать можно только оператору этого региона.",
                    ));
                }
            }
            let taking = target.as_deref() == Some(caller.user_id.as_str());
            let now = db::now();
            let status = match (row.status(), &target) {
                (AppealStatus::New, Some(_)) => AppealStatus::InProgress,
                (AppealStatus::InProgress, None) => AppealStatus::New,
                (s, _) => s,
            };
            // Compare-and-set: taking succeeds only if nobody holds it (or we already do);
            // of two concurrent takers one updates the row, the other finds it held.
            let mut update = diesel::update(ap::table.find(&id)).into_boxed();
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
                    ap::assignee_id.eq(&target),
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
                Some(&id),
                Some(&serde_json::json!({ "assignee": row.assignee_id })),
                Some(&serde_json::json!({ "assignee": target })),
            )?;
            let row = reload(conn, &id)?;
            Ok(view(conn, &row, &Viewer::of(&caller), true)?)
        })
        .await?;
    Ok(web::Json(appeal))
}

/// `POST /api/v1/appeals/{id}/answer`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    /// The answer, 10–10,000 characters.
    pub text: String,
    /// A knowledge-base article the answer relies on.
    #[serde(default)]
    pub article_id: Option<String>,
    /// Propose this answer as a new knowledge-base article (a draft for `federal`).
    #[serde(default)]
    pub propose_to_kb: bool,
}

/// Similar published articles shown beside a proposal, to avoid duplicates.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerResult {
    /// The appeal after the answer.
    pub appeal: Appeal,
    /// The draft created from the answer, if proposed.
    pub proposed_article_id: Option<String>,
    /// Published articles close to the question (for the proposal's reviewer).
    pub similar_articles: Vec<String>,
}

/// Answers the appeal (`answered`); whoever answers becomes the assignee. With an article
/// the question becomes a candidate variant of it; with `propose_to_kb` a draft article is
/// created for `federal` to review.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/answer", tag = "appeals", security(("bearer" = [])), request_body = AnswerRequest,
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Ответ отправлен", body = AnswerResult),
        (status = 403, description = "Только операторы", body = shared::Problem, content_type = PROBLEM),
        (status = 404, description = "Нет такого обращения в вашей зоне", body = shared::Problem, content_type = PROBLEM),
        (status = 409, description = "Обращение закрыто или уже с ответом", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "Ошибка в тексте или неизвестная статья", body = shared::Problem, content_type = PROBLEM),
    ))]
#[post("/appeals/{id}/answer")]
pub async fn answer_appeal(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<AnswerRequest>,
) -> Result<web::Json<AnswerResult>, ApiError> {
    operator_only(&caller)?;
    let id = id.into_inner();
    let body = body.into_inner();
    let text = validate::text("text", &body.text, 10_000, true)?.unwrap_or_default();
    if text.chars().count() < 10 {
        return Err(ApiError::field(
            "text",
            "too_short",
            "Ответ не короче 10 символов.",
        ));
    }
    let kb = std::sync::Arc::clone(&state.kb);
    let result = state
        .db
        .write(move |conn| {
            let row = find_in_scope(conn, &caller, &id)?;
            if !matches!(row.status(), AppealStatus::New | AppealStatus::InProgress) {
                return Err(conflict("not_awaiting_answer", "Обращение не ждёт ответа (уже отвечено или закрыто)."));
            }
            if let Some(article) = &body.article_id {
                let exists: i64 = kb_articles::table.filter(kb_articles::id.eq(article)).count().get_result(conn)?;
                if exists == 0 {
                    return Err(ApiError::field("article_id", "unknown", "Нет такой статьи в базе знаний."));
                }
            }
            let now = db::now();
            let late = row.deadline_at.is_some_and(|d| now > d);
            add_answer(conn, &id, AnswerSource::Operator, &text, body.article_id.as_deref(), Some(&caller.user_id), late, now)?;
            add_message(conn, &id, Some(&caller.user_id), "operator", "answer", &text, now)?;
            diesel::update(ap::table.find(&id))
                .set((
                    ap::status.eq(AppealStatus::Answered.as_str()),
                    ap::assignee_id.eq(&caller.user_id),
                    ap::first_answered_at.eq(row.first_answered_at.or(Some(now))),
                    ap::answered_late.eq(row.answered_late || (row.first_answered_at.is_none() && late)),
                    ap::staff_activity_at.eq(now),
                    ap::updated_at.eq(now),
                ))
                .execute(conn)?;
            if let Some(article) = &body.article_id {
                crate::kb::add_candidate_variant(conn, article, &row.text, "operator_answer", Some(&id))?;
            }
            let mut proposed = None;
            let mut similar = Vec::new();
            if body.propose_to_kb {
                similar = kb.engine().decide(&row.text, 3).hits.into_iter().map(|h| h.article_id).collect();
                let article_id = format!("kb-{}", &db::new_id()[..12]);
                let title: String = row.text.chars().take(80).collect();
                diesel::insert_into(kb_articles::table)
                    .values((
                        kb_articles::id.eq(&article_id),
                        kb_articles::title.eq(title.trim()),
                        kb_articles::question.eq(&row.text),
                        kb_articles::answer.eq(&text),
                        kb_articles::status.eq("draft"),
                        kb_articles::version.eq(1),
                        kb_articles::metadata.eq(serde_json::json!({ "similar": similar }).to_string()),
                        kb_articles::source_appeal_id.eq(&id),
                        kb_articles::created_by.eq(&caller.user_id),
                        kb_articles::created_at.eq(now),
                        kb_articles::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                let draft = crate::kb::find(conn, &article_id)?;
                crate::kb::record_version(conn, &draft, Some(&caller.user_id))?;
                proposed = Some(article_id);
            }
            audit::record(conn, &caller.actor(), "appeal.answer", "appeal", Some(&id), None,
                Some(&serde_json::json!({ "article_id": body.article_id, "late": late, "proposed": proposed })))?;
            let row = reload(conn, &id)?;
            emit(conn, AppealEvent::Answered, &row)?;
            Ok(AnswerResult { appeal: view(conn, &row, &Viewer::of(&caller), true)?, proposed_article_id: proposed, similar_articles: similar })
        })
        .await?;
    Ok(web::Json(result))
}

/// `POST /api/v1/appeals/{id}/notes`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    /// The note, never shown to the teacher.
    pub text: String,
}

/// An internal note for colleagues; never shown to teachers or integrators.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/notes", tag = "appeals", security(("bearer" = [])), request_body = NoteRequest,
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 201, description = "Заметка добавлена", body = Appeal),
        (status = 403, description = "Только операторы", body = shared::Problem, content_type = PROBLEM),
        (status = 404, description = "Нет такого обращения в вашей зоне", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "Пустая заметка", body = shared::Problem, content_type = PROBLEM),
    ))]
#[post("/appeals/{id}/notes")]
pub async fn add_note(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<NoteRequest>,
) -> Result<actix_web::HttpResponse, ApiError> {
    operator_only(&caller)?;
    let id = id.into_inner();
    let text = validate::text("text", &body.text, 4000, true)?.unwrap_or_default();
    let appeal = state
        .db
        .write(move |conn| {
            find_in_scope(conn, &caller, &id)?;
            add_message(
                conn,
                &id,
                Some(&caller.user_id),
                "operator",
                "note",
                &text,
                db::now(),
            )?;
            audit::record(
                conn,
                &caller.actor(),
                "appeal.note",
                "appeal",
                Some(&id),
                None,
                None,
            )?;
            let row = reload(conn, &id)?;
            Ok(view(conn, &row, &Viewer::of(&caller), true)?)
        })
        .await?;
    Ok(actix_web::HttpResponse::Created().json(appeal))
}

/// A grade of a bot answer.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BotGrade {
    /// The answer was right.
    Correct,
    /// Partly right.
    Partly,
    /// Wrong.
    Wrong,
}

/// `POST /api/v1/appeals/{id}/bot-grade`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BotGradeRequest {
    /// The grade.
    pub grade: BotGrade,
    /// Why.
    #[serde(default)]
    pub comment: Option<String>,
}

/// Grades the bot's answer (feeds the bot-accuracy figure); once per answer.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/bot-grade", tag = "appeals", security(("bearer" = [])), request_body = BotGradeRequest,
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Оценка ответа бота записана", body = Appeal),
        (status = 403, description = "Только операторы", body = shared::Problem, content_type = PROBLEM),
        (status = 404, description = "Нет такого обращения в вашей зоне", body = shared::Problem, content_type = PROBLEM),
        (status = 409, description = "Нет ответа бота или уже оценён", body = shared::Problem, content_type = PROBLEM),
    ))]
#[post("/appeals/{id}/bot-grade")]
pub async fn bot_grade(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<BotGradeRequest>,
) -> Result<web::Json<Appeal>, ApiError> {
    operator_only(&caller)?;
    let id = id.into_inner();
    let body = body.into_inner();
    let comment = body
        .comment
        .as_deref()
        .map(|c| validate::text("comment", c, 2000, false))
        .transpose()?
        .flatten();
    let appeal = state
        .db
        .write(move |conn| {
            find_in_scope(conn, &caller, &id)?;
            let answer: Option<String> = ans::table
                .filter(ans::appeal_id.eq(&id))
                .filter(ans::source.eq(AnswerSource::Bot.as_str()))
                .select(ans::id)
                .first(conn)
                .optional()?;
            let answer =
                answer.ok_or_else(|| conflict("no_bot_answer", "У обращения нет ответа бота."))?;
            let graded: i64 = bot_grades::table
                .filter(bot_grades::answer_id.eq(&answer))
                .count()
                .get_result(conn)?;
            if graded > 0 {
                return Err(conflict("already_graded", "Ответ бота уже оценён."));
            }
            let grade = match body.grade {
                BotGrade::Correct => "correct",
                BotGrade::Partly => "partly",
                BotGrade::Wrong => "wrong",
            };
            diesel::insert_into(bot_grades::table)
                .values((
                    bot_grades::answer_id.eq(&answer),
                    bot_grades::appeal_id.eq(&id),
                    bot_grades::grade.eq(grade),
                    bot_grades::comment.eq(&comment),
                    bot_grades::graded_by.eq(&caller.user_id),
                    bot_grades::graded_at.eq(db::now()),
                ))
                .execute(conn)?;
            audit::record(
                conn,
                &caller.actor(),
                "appeal.bot_grade",
                "appeal",
                Some(&id),
                None,
                Some(&serde_json::json!({ "grade": grade })),
            )?;
            let row = reload(conn, &id)?;
            Ok(view(conn, &row, &Viewer::of(&caller), true)?)
        })
        .await?;
    Ok(web::Json(appeal))
}

/// Why an operator closes an appeal.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OperatorCloseReason {
    /// Not about paperwork.
    OffTopic,
    /// Asked before.
    Duplicate,
    /// Spam.
    Spam,
}

/// `POST /api/v1/appeals/{id}/close`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// The reason.
    pub reason: OperatorCloseReason,
    /// A note to the teacher.
    #[serde(default)]
    pub note: Option<String>,
    /// For `duplicate`: the earlier appeal.
    #[serde(default)]
    pub duplicate_of: Option<String>,
}

/// Closes the appeal as off-topic, a duplicate (linking the other appeal) or spam; the note
/// goes to the teacher.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/close", tag = "appeals", security(("bearer" = [])), request_body = CloseRequest,
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Закрыто", body = Appeal),
        (status = 403, description = "Только операторы", body = shared::Problem, content_type = PROBLEM),
        (status = 404, description = "Нет такого обращения в вашей зоне", body = shared::Problem, content_type = PROBLEM),
        (status = 409, description = "Уже закрыто", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "Для дубликата нужно исходное обращение", body = shared::Problem, content_type = PROBLEM),
    ))]
#[post("/appeals/{id}/close")]
pub async fn close_appeal(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<CloseRequest>,
) -> Result<web::Json<Appeal>, ApiError> {
    operator_only(&caller)?;
    let id = id.into_inner();
    let body = body.into_inner();
    let note = body
        .note
        .as_deref()
        .map(|n| validate::text("note", n, 2000, false))
        .transpose()?
        .flatten();
    let appeal = state
        .db
        .write(move |conn| {
            let row = find_in_scope(conn, &caller, &id)?;
            if !row.status().is_open() {
                return Err(conflict("appeal_closed", "Обращение уже закрыто."));
            }
            let reason = match body.reason {
                OperatorCloseReason::OffTopic => CloseReason::OffTopic,
                OperatorCloseReason::Spam => CloseReason::Spam,
                OperatorCloseReason::Duplicate => {
                    let other = body.duplicate_of.clone().ok_or_else(|| {
                        ApiError::field(
                            "duplicate_of",
                            "required",
                            "Укажите обращение, которое повторяется.",
                        )
                    })?;
                    let original = find_in_scope(conn, &caller, &other).map_err(|_| {
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
                    diesel::update(ap::table.find(&id))
                        .set(ap::duplicate_of.eq(&original.id))
                        .execute(conn)?;
                    CloseReason::Duplicate
                }
            };
            close(conn, &id, reason, note.as_deref())?;
            diesel::update(ap::table.find(&id))
                .set(ap::staff_activity_at.eq(db::now()))
                .execute(conn)?;
            if let Some(note) = &note {
                add_message(
                    conn,
                    &id,
                    Some(&caller.user_id),
                    "operator",
                    "system",
                    note,
                    db::now(),
                )?;
            }
            audit::record(
                conn,
                &caller.actor(),
                "appeal.close",
                "appeal",
                Some(&id),
                None,
                Some(&serde_json::json!({ "reason": reason.as_str() })),
            )?;
            let row = reload(conn, &id)?;
            emit(conn, AppealEvent::Closed, &row)?;
            Ok(view(conn, &row, &Viewer::of(&caller), true)?)
        })
        .await?;
    Ok(web::Json(appeal))
}

/// `POST /api/v1/appeals/{id}/transfer`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// The right region's code.
    pub region: String,
    /// Why (shown to the teacher).
    #[serde(default)]
    pub note: Option<String>,
}

/// The teacher chose the wrong region: the appeal moves to the other region's queue as
/// `new`, unassigned, with a new deadline in that region's time zone.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/transfer", tag = "appeals", security(("bearer" = [])), request_body = TransferRequest,
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Передано в другой регион (у вас его больше может не быть в доступе)", body = Appeal),
        (status = 403, description = "Только операторы", body = shared::Problem, content_type = PROBLEM),
        (status = 404, description = "Нет такого обращения в вашей зоне", body = shared::Problem, content_type = PROBLEM),
        (status = 409, description = "Обращение не в очереди", body = shared::Problem, content_type = PROBLEM),
        (status = 422, description = "Неизвестный или тот же регион", body = shared::Problem, content_type = PROBLEM),
    ))]
#[post("/appeals/{id}/transfer")]
pub async fn transfer(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<TransferRequest>,
) -> Result<web::Json<Appeal>, ApiError> {
    operator_only(&caller)?;
    let id = id.into_inner();
    let body = body.into_inner();
    let region = validate::region("region", &body.region)?;
    let note = body
        .note
        .as_deref()
        .map(|n| validate::text("note", n, 2000, false))
        .transpose()?
        .flatten();
    let calendars = std::sync::Arc::clone(&state.calendars);
    let appeal = state
        .db
        .write(move |conn| {
            let row = find_in_scope(conn, &caller, &id)?;
            if !matches!(row.status(), AppealStatus::New | AppealStatus::InProgress) {
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
            let known: i64 = crate::db::schema::regions::table
                .filter(crate::db::schema::regions::code.eq(&region))
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
            let deadline = calendars.deadline(&region, Utc::now()).naive_utc();
            diesel::update(ap::table.find(&id))
                .set((
                    ap::region_code.eq(&region),
                    ap::status.eq(AppealStatus::New.as_str()),
                    ap::assignee_id.eq(None::<String>),
                    ap::deadline_at.eq(deadline),
                    ap::opened_by_staff_at.eq(None::<chrono::NaiveDateTime>),
                    ap::staff_activity_at.eq(now),
                    ap::updated_at.eq(now),
                ))
                .execute(conn)?;
            let text = match &note {
                Some(n) => format!("Обращение передано в другой регион: {n}"),
                None => "Обращение передано в другой регион.".to_owned(),
            };
            add_message(
                conn,
                &id,
                Some(&caller.user_id),
                "operator",
                "system",
                &text,
                now,
            )?;
            audit::record(
                conn,
                &caller.actor(),
                "appeal.transfer",
                "appeal",
                Some(&id),
                Some(&serde_json::json!({ "region": row.region_code })),
                Some(&serde_json::json!({ "region": region })),
            )?;
            let row = reload(conn, &id)?;
            emit(conn, AppealEvent::Transferred, &row)?;
            // The operator may no longer see it; answer with the integrator-level view.
            Ok(view(conn, &row, &Viewer::Integrator, false)?)
        })
        .await?;
    Ok(web::Json(appeal))
}
