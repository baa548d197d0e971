//! The operator's side of appeals: the Kanban board, taking and handing over, answering,
//! internal notes, grading bot answers, closing with a reason, transferring to another
//! region. Every action is scoped to the operator's regions and written to the audit log;
//! the rules are in [`crate::domain::appeals::staff`] and [`crate::domain::appeals::query`].

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use shared::appeals::Appeal;
use utoipa::IntoParams;

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::appeals::{query, staff};
use crate::error::ApiError;
use crate::state::AppState;

use shared::appeals::{
    AnswerRequest, AnswerResult, AssignRequest, Board, BotGradeRequest, CloseRequest, NoteRequest,
    TransferRequest,
};

const PROBLEM: &str = "application/problem+json";

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
    caller.may(Action::Board)?;
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
    let region = query::region_filter(&caller, query.region.as_deref())?;
    let board = state
        .db
        .read(move |conn| query::board(conn, &caller, region.as_deref(), limit))
        .await?;
    Ok(web::Json(board))
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
    caller.may(Action::Assign)?;
    let id = id.into_inner();
    let target = body.into_inner().operator_id;
    let appeal = state
        .db
        .write(move |conn| staff::assign(conn, &caller, &id, target.as_deref()))
        .await?;
    Ok(web::Json(appeal))
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
    caller.may(Action::AnswerAppeal)?;
    let id = id.into_inner();
    let body = body.into_inner();
    let text = staff::answer_text(&body.text)?;
    let kb = std::sync::Arc::clone(&state.kb);
    let result = state
        .db
        .write(move |conn| staff::answer(conn, &kb, &caller, &id, &text, &body))
        .await?;
    Ok(web::Json(result))
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
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::AddNote)?;
    let id = id.into_inner();
    let text = staff::note_text(&body.text)?;
    let appeal = state
        .db
        .write(move |conn| staff::add_note(conn, &caller, &id, &text))
        .await?;
    Ok(HttpResponse::Created().json(appeal))
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
    caller.may(Action::BotGrade)?;
    let id = id.into_inner();
    let body = body.into_inner();
    let comment = staff::grade_comment(body.comment.as_deref())?;
    let appeal = state
        .db
        .write(move |conn| staff::grade_bot_answer(conn, &caller, &id, &body, comment.as_deref()))
        .await?;
    Ok(web::Json(appeal))
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
    caller.may(Action::CloseAppeal)?;
    let id = id.into_inner();
    let body = body.into_inner();
    let note = staff::staff_note(body.note.as_deref())?;
    let appeal = state
        .db
        .write(move |conn| staff::close_appeal(conn, &caller, &id, &body, note.as_deref()))
        .await?;
    Ok(web::Json(appeal))
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
    caller.may(Action::Transfer)?;
    let id = id.into_inner();
    let (region, note) = staff::transfer_input(&body.into_inner())?;
    let calendars = std::sync::Arc::clone(&state.calendars);
    let appeal = state
        .db
        .write(move |conn| {
            staff::transfer(conn, &calendars, &caller, &id, &region, note.as_deref())
        })
        .await?;
    Ok(web::Json(appeal))
}
