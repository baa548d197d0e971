//! The appeals resource for teachers (and the reads every role in scope shares): ask, list,
//! read, follow up, attach files, escalate, withdraw, rate, accept a suggestion, mark read.

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use diesel::prelude::*;
use serde::Deserialize;
use shared::appeals::{
    AcceptSuggestion, AnswerSource, Appeal, AppealStatus, Channel, CloseReason, CreateAppeal,
    PostMessage, QuestionText, RateAnswer,
};
use shared::users::Role;
use shared::Page;
use utoipa::IntoParams;

use crate::appeals::create::{self, NewAppeal};
use crate::appeals::{
    add_answer, add_message, emit, find_in_scope, reload, suggestions_of, view, views, AppealRow,
    Viewer,
};
use crate::auth::{Caller, Scope};
use crate::db::schema::{
    appeal_answers as ans, appeal_reads as reads, appeals as ap, attachments as att, kb_articles,
    ratings,
};
use crate::db::{self, audit, AnyConnection};
use crate::error::ApiError;
use crate::events::AppealEvent;
use crate::idempotency::{self, IdempotencyKey};
use crate::routes::pagination::{self, Cursor, PageQuery};
use crate::routes::validate;
use crate::state::AppState;

/// Every appeal operation may answer these besides its own statuses.
macro_rules! problems {
    () => {
        "application/problem+json"
    };
}

fn teacher_only(caller: &Caller) -> Result<(), ApiError> {
    caller.require(&[Role::Teacher])
}

fn conflict(code: &'static str, detail: &str) -> ApiError {
    ApiError::Conflict {
        code,
        detail: detail.to_owned(),
    }
}

fn not_open() -> ApiError {
    conflict("appeal_closed", "Обращение уже закрыто.")
}

/// Asks a question. With a confident knowledge-base match the answer is in the response at
/// once (`answered_by_bot`); otherwise the appeal goes to the region's operators (`new`)
/// with a deadline of 5 working days and up to three suggestions.
#[utoipa::path(post, path = "/api/v1/appeals", tag = "appeals", security(("bearer" = [])), request_body = CreateAppeal,
    params(("Idempotency-Key" = Option<String>, Header, description = "Повтор с тем же ключом и телом вернёт то же обращение")),
    responses(
        (status = 201, description = "Обращение создано", body = Appeal),
        (status = 400, description = "Тело запроса не JSON", body = shared::Problem, content_type = problems!()),
        (status = 403, description = "Не учитель или не подтверждён (`teacher_not_verified`)", body = shared::Problem, content_type = problems!()),
        (status = 422, description = "Ошибка в тексте, нет региона или ключ использован с другим телом", body = shared::Problem, content_type = problems!()),
        (status = 429, description = "Слишком много вопросов за час (см. Retry-After)", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals")]
pub async fn create_appeal(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: web::Json<CreateAppeal>,
) -> Result<HttpResponse, ApiError> {
    teacher_only(&caller)?;
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint("create_appeal", &body);
    let text = QuestionText::parse(&body.text)
        .map_err(|(code, message)| ApiError::field("text", code, message))?;
    // Ranking is CPU work: do it before taking the write turn.
    let decision = state.kb.engine().decide(text.as_str(), 5);
    let calendars = std::sync::Arc::clone(&state.calendars);
    let per_hour = state.config.appeals_per_hour;
    let input = NewAppeal {
        teacher_id: caller.user_id.clone(),
        text,
        anonymous: body.anonymous,
        channel: Channel::MiniApp,
    };
    let answer = state
        .db
        .write(move |conn| {
            idempotency::once(
                conn,
                &caller.user_id,
                key.0.as_deref(),
                &fingerprint,
                StatusCode::CREATED,
                |conn| {
                    let row = create::create(conn, &calendars, &decision, &input, per_hour)?;
                    Ok(view(
                        conn,
                        &row,
                        &Viewer::Teacher(caller.user_id.clone()),
                        true,
                    )?)
                },
            )
        })
        .await?;
    Ok(answer.into_response())
}

/// Filters of the appeal list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppealFilter {
    /// Only this status.
    pub status: Option<AppealStatus>,
    /// Only this region (staff and integrators; must be within the caller's regions).
    pub region: Option<String>,
    /// `me`, `none`, or an operator's id.
    pub assignee: Option<String>,
    /// Only open appeals past their deadline.
    pub overdue: Option<bool>,
    /// Only open appeals whose deadline is the end of today (in the region's time zone):
    /// due within the next 24 hours.
    pub due_today: Option<bool>,
    /// Only appeals with something the caller has not read yet (unread is per person).
    pub unread: Option<bool>,
    /// Words of the question (any case of the first letter or all), or an appeal's id.
    pub q: Option<String>,
    /// Created on or after this day, `YYYY-MM-DD` (Moscow date).
    pub from: Option<String>,
    /// Created on or before this day, `YYYY-MM-DD` (Moscow date).
    pub to: Option<String>,
    /// `created` (default: newest first) or `deadline` (soonest first; only appeals that
    /// have a deadline, i.e. not those answered by the bot alone).
    pub sort: Option<String>,
}

/// How the list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    Created,
    Deadline,
}

/// Moscow midnight of `YYYY-MM-DD` in UTC, plus `days` (the statistics' days, see
/// [`crate::stats::PERIOD_TZ`]).
fn moscow_day_start(field: &str, raw: &str, days: u64) -> Result<chrono::NaiveDateTime, ApiError> {
    let date = crate::routes::stats::parse_day(field, raw)
        .map_err(|e| ApiError::field(&e.field, &e.code, &e.message))?;
    let date = date
        .checked_add_days(chrono::Days::new(days))
        .unwrap_or(date);
    Ok(crate::calendar::start_of_local_day(crate::stats::PERIOD_TZ, date).naive_utc())
}

/// `LIKE` patterns for `q`: as typed, lower-case, capitalised and upper-case (SQLite's and
/// a C-locale PostgreSQL's case folding stop at ASCII, Russian text needs the variants).
fn like_patterns(q: &str) -> Vec<String> {
    let escaped: String = q
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let lower = escaped.to_lowercase();
    let mut chars = lower.chars();
    let capitalised = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect::<String>())
        .unwrap_or_default();
    let mut patterns: Vec<String> = [
        escaped.clone(),
        lower.clone(),
        capitalised,
        escaped.to_uppercase(),
    ]
    .into_iter()
    .map(|p| format!("%{p}%"))
    .collect();
    patterns.dedup();
    patterns
}

/// Appeals in the caller's scope, newest first (or soonest deadline first): a teacher's
/// own; an operator's, regional head's or integrator's regions; all for federal.
/// Administrators have no access. Filters combine (all must hold).
#[utoipa::path(get, path = "/api/v1/appeals", tag = "appeals", security(("bearer" = [])), params(AppealFilter, PageQuery),
    responses(
        (status = 200, description = "Страница обращений", body = Page<Appeal>),
        (status = 400, description = "Неверные параметры", body = shared::Problem, content_type = problems!()),
        (status = 403, description = "Нет доступа или регион вне зоны ответственности", body = shared::Problem, content_type = problems!()),
        (status = 422, description = "Неверные параметры", body = shared::Problem, content_type = problems!()),
    ))]
#[get("/appeals")]
pub async fn list_appeals(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<AppealFilter>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<Appeal>>, ApiError> {
    let filter = filter.into_inner();
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    let scope = caller.scope();
    if scope == Scope::Nothing {
        return Err(ApiError::Forbidden);
    }
    let region = filter
        .region
        .as_deref()
        .map(|r| validate::region("region", r))
        .transpose()?;
    if let Some(code) = &region {
        if caller.role == Role::Teacher {
            return Err(ApiError::RegionOutOfScope);
        }
        caller.check_region_filter(code)?;
    }
    let sort = match filter.sort.as_deref() {
        None | Some("created") => Sort::Created,
        Some("deadline") => Sort::Deadline,
        Some(_) => {
            return Err(ApiError::field(
                "sort",
                "invalid_sort",
                "Порядок — created или deadline.",
            ))
        }
    };
    let created_from = filter
        .from
        .as_deref()
        .map(|d| moscow_day_start("from", d, 0))
        .transpose()?;
    let created_before = filter
        .to
        .as_deref()
        .map(|d| moscow_day_start("to", d, 1))
        .transpose()?;
    let q = filter
        .q
        .as_deref()
        .map(|q| validate::text("q", q, 200, false))
        .transpose()?
        .flatten()
        .filter(|q| !q.is_empty());
    let viewer = Viewer::of(&caller);
    let teacher_view = matches!(viewer, Viewer::Teacher(_));
    let me = caller.user_id.clone();
    let page = state
        .db
        .read(move |conn| {
            let now = Utc::now().naive_utc();
            let mut query = ap::table.select(AppealRow::as_select()).into_boxed();
            query = match scope {
                Scope::Own(user) => query.filter(ap::teacher_id.eq(user)),
                Scope::Regions(codes) => query.filter(ap::region_code.eq_any(codes)),
                Scope::All | Scope::Nothing => query,
            };
            if let Some(code) = region {
                query = query.filter(ap::region_code.eq(code));
            }
            if let Some(status) = filter.status {
                query = query.filter(ap::status.eq(status.as_str()));
            }
            if filter.due_today == Some(true) {
                query = query
                    .filter(ap::status.eq_any(["new", "in_progress"]))
                    .filter(ap::deadline_at.ge(now))
                    .filter(ap::deadline_at.lt(now + chrono::Duration::hours(24)));
            }
            if filter.unread == Some(true) {
                let read_at = reads::table
                    .filter(reads::appeal_id.eq(ap::id))
                    .filter(reads::user_id.eq(me.clone()))
                    .select(reads::read_at)
                    .single_value();
                let never_read = diesel::dsl::not(diesel::dsl::exists(
                    reads::table
                        .filter(reads::appeal_id.eq(ap::id))
                        .filter(reads::user_id.eq(me.clone())),
                ));
                // Unread: the other side did something after this person last read it.
                query = if teacher_view {
                    query.filter(
                        ap::staff_activity_at
                            .gt(read_at)
                            .or(ap::staff_activity_at.is_not_null().and(never_read)),
                    )
                } else {
                    query.filter(
                        ap::teacher_activity_at
                            .nullable()
                            .gt(read_at)
                            .or(never_read),
                    )
                };
            }
            if let Some(q) = &q {
                let mut matches: Box<
                    dyn BoxableExpression<
                        ap::table,
                        db::MultiBackend,
                        SqlType = diesel::sql_types::Bool,
                    >,
                > = Box::new(ap::id.eq(q.clone()));
                for pattern in like_patterns(q) {
                    matches = Box::new(matches.or(ap::text.like(pattern).escape('\\')));
                }
                query = query.filter(matches);
            }
            if let Some(at) = created_from {
                query = query.filter(ap::created_at.ge(at));
            }
            if let Some(at) = created_before {
                query = query.filter(ap::created_at.lt(at));
            }
            match filter.assignee.as_deref() {
                Some("me") => query = query.filter(ap::assignee_id.eq(me)),
                Some("none") => query = query.filter(ap::assignee_id.is_null()),
                Some(id) => query = query.filter(ap::assignee_id.eq(id.to_owned())),
                None => {}
            }
            if filter.overdue == Some(true) {
                query = query
                    .filter(ap::status.eq_any(["new", "in_progress"]))
                    .filter(ap::deadline_at.lt(Utc::now().naive_utc()));
            }
            let rows: Vec<AppealRow> = match sort {
                Sort::Created => {
                    if let Some(Cursor { at, id }) = cursor {
                        query = query.filter(
                            ap::created_at
                                .lt(at)
                                .or(ap::created_at.eq(at).and(ap::id.lt(id))),
                        );
                    }
                    query
                        .order((ap::created_at.desc(), ap::id.desc()))
                        .limit(limit + 1)
                        .load(conn)?
                }
                Sort::Deadline => {
                    query = query.filter(ap::deadline_at.is_not_null());
                    if let Some(Cursor { at, id }) = cursor {
                        query = query.filter(
                            ap::deadline_at
                                .gt(at)
                                .or(ap::deadline_at.eq(at).and(ap::id.gt(id))),
                        );
                    }
                    query
                        .order((ap::deadline_at.asc(), ap::id.asc()))
                        .limit(limit + 1)
                        .load(conn)?
                }
            };
            let (rows, next_cursor) = pagination::finish(rows, limit, |r| Cursor {
                at: match sort {
                    Sort::Created => r.created_at,
                    Sort::Deadline => r.deadline_at.unwrap_or(r.created_at),
                },
                id: r.id.clone(),
            });
            let items = views(conn, &rows, &viewer, false)?;
            Ok(Page { items, next_cursor })
        })
        .await?;
    Ok(web::Json(page))
}

/// One appeal with its answers and its thread. Outside the caller's scope: 404.
#[utoipa::path(get, path = "/api/v1/appeals/{id}", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Обращение", body = Appeal),
        (status = 403, description = "Нет доступа к обращениям", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения в вашей зоне", body = shared::Problem, content_type = problems!()),
    ))]
#[get("/appeals/{id}")]
pub async fn get_appeal(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<Appeal>, ApiError> {
    let id = id.into_inner();
    let appeal = state
        .db
        .read(move |conn| {
            let row = find_in_scope(conn, &caller, &id)?;
            Ok(view(conn, &row, &Viewer::of(&caller), true)?)
        })
        .await?;
    Ok(web::Json(appeal))
}

fn message_text(text: &str) -> Result<String, ApiError> {
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

/// A message in the thread: a teacher's follow-up (on an answered appeal it returns the
/// appeal to work with a new deadline), or an operator's clarifying question (the status
/// stays; the teacher is notified).
#[utoipa::path(post, path = "/api/v1/appeals/{id}/messages", tag = "appeals", security(("bearer" = [])), request_body = PostMessage,
    params(("id" = String, Path, description = "Обращение"), ("Idempotency-Key" = Option<String>, Header, description = "Защита от повтора")),
    responses(
        (status = 201, description = "Сообщение добавлено; обращение целиком", body = Appeal),
        (status = 403, description = "Роль не может писать в обращение", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения в вашей зоне", body = shared::Problem, content_type = problems!()),
        (status = 409, description = "Обращение закрыто", body = shared::Problem, content_type = problems!()),
        (status = 422, description = "Ошибка в тексте", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals/{id}/messages")]
pub async fn post_message(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    id: web::Path<String>,
    body: web::Json<PostMessage>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Teacher, Role::Operator])?;
    let id = id.into_inner();
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint(&format!("message {id}"), &body);
    let text = message_text(&body.text)?;
    let calendars = std::sync::Arc::clone(&state.calendars);
    let answer = state
        .db
        .write(move |conn| {
            idempotency::once(
                conn,
                &caller.user_id,
                key.0.as_deref(),
                &fingerprint,
                StatusCode::CREATED,
                |conn| {
                    let row = find_in_scope(conn, &caller, &id)?;
                    if !row.status().is_open() {
                        return Err(not_open());
                    }
                    let now = db::now();
                    if caller.role == Role::Teacher {
                        add_message(
                            conn,
                            &id,
                            Some(&caller.user_id),
                            "teacher",
                            "follow_up",
                            &text,
                            now,
                        )?;
                        // A follow-up after an answer puts the appeal back to work, with a new deadline.
                        let reopened = match row.status() {
                            AppealStatus::Answered => {
                                Some((AppealStatus::InProgress, row.assignee_id.clone()))
                            }
                            AppealStatus::AnsweredByBot => Some((AppealStatus::New, None)),
                            _ => None,
                        };
                        if let Some((status, assignee)) = reopened {
                            let deadline = calendars
                                .deadline(&row.region_code, now.and_utc())
                                .naive_utc();
                            diesel::update(ap::table.find(&id))
                                .set((
                                    ap::status.eq(status.as_str()),
                                    ap::assignee_id.eq(assignee),
                                    ap::deadline_at.eq(deadline),
                                    ap::escalated_at.eq(row.escalated_at.or(Some(now))),
                                ))
                                .execute(conn)?;
                        }
                        diesel::update(ap::table.find(&id))
                            .set((ap::teacher_activity_at.eq(now), ap::updated_at.eq(now)))
                            .execute(conn)?;
                    } else {
                        add_message(
                            conn,
                            &id,
                            Some(&caller.user_id),
                            "operator",
                            "clarification",
                            &text,
                            now,
                        )?;
                        diesel::update(ap::table.find(&id))
                            .set((ap::staff_activity_at.eq(now), ap::updated_at.eq(now)))
                            .execute(conn)?;
                        audit::record(
                            conn,
                            &caller.actor(),
                            "appeal.clarify",
                            "appeal",
                            Some(&id),
                            None,
                            None,
                        )?;
                        let row = reload(conn, &id)?;
                        emit(conn, AppealEvent::Clarified, &row)?;
                    }
                    let row = reload(conn, &id)?;
                    Ok(view(conn, &row, &Viewer::of(&caller), true)?)
                },
            )
        })
        .await?;
    Ok(answer.into_response())
}

/// «Не помогло» on a bot answer: the appeal goes to the region's operators with a deadline.
/// Allowed once, also after the bot answer was rated 3 or lower.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/escalate", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Передано специалистам", body = Appeal),
        (status = 403, description = "Только автор-учитель", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения", body = shared::Problem, content_type = problems!()),
        (status = 409, description = "Нельзя передать (`not_escalatable`)", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals/{id}/escalate")]
pub async fn escalate(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<Appeal>, ApiError> {
    teacher_only(&caller)?;
    let id = id.into_inner();
    let calendars = std::sync::Arc::clone(&state.calendars);
    let appeal = state
        .db
        .write(move |conn| {
            let row = find_in_scope(conn, &caller, &id)?;
            let bot_rating: Option<i32> = ratings::table
                .inner_join(ans::table)
                .filter(ans::appeal_id.eq(&id))
                .filter(ans::source.eq(AnswerSource::Bot.as_str()))
                .select(ratings::score)
                .first(conn)
                .optional()?;
            let allowed = row.escalated_at.is_none()
                && match row.status() {
                    AppealStatus::AnsweredByBot => true,
                    AppealStatus::Closed => {
                        row.close_reason.as_deref() == Some(CloseReason::Rated.as_str())
                            && bot_rating.is_some_and(|s| s <= 3)
                    }
                    _ => false,
                };
            if !allowed {
                return Err(conflict(
                    "not_escalatable",
                    "Передать специалистам можно один раз — ответ из базы, который не помог.",
                ));
            }
            let now = db::now();
            let deadline = calendars
                .deadline(&row.region_code, now.and_utc())
                .naive_utc();
            diesel::update(ap::table.find(&id))
                .set((
                    ap::status.eq(AppealStatus::New.as_str()),
                    ap::escalated_at.eq(now),
                    ap::deadline_at.eq(deadline),
                    ap::close_reason.eq(None::<String>),
                    ap::closed_at.eq(None::<chrono::NaiveDateTime>),
                    ap::teacher_activity_at.eq(now),
                    ap::updated_at.eq(now),
                ))
                .execute(conn)?;
            add_message(
                conn,
                &id,
                Some(&caller.user_id),
                "teacher",
                "system",
                "Ответ из базы не помог — вопрос передан специалистам.",
                now,
            )?;
            let row = reload(conn, &id)?;
            Ok(view(conn, &row, &Viewer::of(&caller), true)?)
        })
        .await?;
    Ok(web::Json(appeal))
}

/// The teacher withdraws an open appeal.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/withdraw", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Отозвано", body = Appeal),
        (status = 403, description = "Только автор-учитель", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения", body = shared::Problem, content_type = problems!()),
        (status = 409, description = "Уже закрыто", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<Appeal>, ApiError> {
    teacher_only(&caller)?;
    let id = id.into_inner();
    let appeal = state
        .db
        .write(move |conn| {
            let row = find_in_scope(conn, &caller, &id)?;
            if !row.status().is_open() {
                return Err(not_open());
            }
            close(conn, &id, CloseReason::Withdrawn, None)?;
            add_message(
                conn,
                &id,
                Some(&caller.user_id),
                "teacher",
                "system",
                "Учитель отозвал вопрос.",
                db::now(),
            )?;
            let row = reload(conn, &id)?;
            Ok(view(conn, &row, &Viewer::of(&caller), true)?)
        })
        .await?;
    Ok(web::Json(appeal))
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
    if row.status().is_open() {
        close(conn, &row.id, CloseReason::Rated, None)?;
    }
    let row = reload(conn, &row.id)?;
    emit(conn, AppealEvent::Rated, &row)?;
    Ok(())
}

/// Rates the latest answer and closes the appeal.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/rating", tag = "appeals", security(("bearer" = [])), request_body = RateAnswer,
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Оценка принята", body = Appeal),
        (status = 400, description = "Тело запроса не JSON", body = shared::Problem, content_type = problems!()),
        (status = 403, description = "Только автор-учитель", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения", body = shared::Problem, content_type = problems!()),
        (status = 409, description = "Нечего оценивать или уже оценено", body = shared::Problem, content_type = problems!()),
        (status = 422, description = "Оценка не от 1 до 5 или слишком длинный комментарий", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals/{id}/rating")]
pub async fn rate(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<RateAnswer>,
) -> Result<web::Json<Appeal>, ApiError> {
    teacher_only(&caller)?;
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
            let row = find_in_scope(conn, &caller, &id)?;
            rate_latest(conn, &row, body.score, comment)?;
            let row = reload(conn, &id)?;
            Ok(view(conn, &row, &Viewer::of(&caller), true)?)
        })
        .await?;
    Ok(web::Json(appeal))
}

/// The teacher says a suggested article answered the question: the appeal closes as
/// self-served and the question becomes a candidate variant of that article.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/accept-suggestion", tag = "appeals", security(("bearer" = [])),
    request_body = AcceptSuggestion,
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 200, description = "Закрыто как решённое самостоятельно", body = Appeal),
        (status = 403, description = "Только автор-учитель", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения", body = shared::Problem, content_type = problems!()),
        (status = 409, description = "Обращение уже закрыто или в работе", body = shared::Problem, content_type = problems!()),
        (status = 422, description = "Статья не из предложенных", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals/{id}/accept-suggestion")]
pub async fn accept_suggestion(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<AcceptSuggestion>,
) -> Result<web::Json<Appeal>, ApiError> {
    teacher_only(&caller)?;
    let id = id.into_inner();
    let article_id = body.into_inner().article_id;
    let appeal = state
        .db
        .write(move |conn| {
            let row = find_in_scope(conn, &caller, &id)?;
            if !matches!(row.status(), AppealStatus::New | AppealStatus::InProgress) {
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
                .find(&article_id)
                .select(kb_articles::answer)
                .first(conn)?;
            let now = db::now();
            add_answer(
                conn,
                &id,
                AnswerSource::SelfServed,
                &answer,
                Some(&article_id),
                None,
                false,
                now,
            )?;
            add_message(
                conn,
                &id,
                Some(&caller.user_id),
                "teacher",
                "system",
                "Учитель нашёл ответ в предложенной статье.",
                now,
            )?;
            close(conn, &id, CloseReason::SelfServed, None)?;
            crate::kb::add_candidate_variant(
                conn,
                &article_id,
                &row.text,
                "accepted_suggestion",
                Some(&id),
            )?;
            let row = reload(conn, &id)?;
            Ok(view(conn, &row, &Viewer::of(&caller), true)?)
        })
        .await?;
    Ok(web::Json(appeal))
}

/// Marks the appeal's new answers and messages as read for the caller (unread is per person).
#[utoipa::path(post, path = "/api/v1/appeals/{id}/read", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Обращение")),
    responses(
        (status = 204, description = "Отмечено прочитанным"),
        (status = 403, description = "Нет доступа к обращениям", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения в вашей зоне", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals/{id}/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if caller.role == Role::Integrator {
        return Err(ApiError::Forbidden);
    }
    let id = id.into_inner();
    state
        .db
        .write(move |conn| {
            let row = find_in_scope(conn, &caller, &id)?;
            let now = db::now();
            let updated = diesel::update(reads::table.find((&id, &caller.user_id)))
                .set(reads::read_at.eq(now))
                .execute(conn)?;
            if updated == 0 {
                diesel::insert_into(reads::table)
                    .values((
                        reads::appeal_id.eq(&id),
                        reads::user_id.eq(&caller.user_id),
                        reads::read_at.eq(now),
                    ))
                    .execute(conn)?;
            }
            if caller.role == Role::Operator && row.opened_by_staff_at.is_none() {
                diesel::update(ap::table.find(&id))
                    .set(ap::opened_by_staff_at.eq(now))
                    .execute(conn)?;
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Upload parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name as the teacher sees it.
    pub name: String,
}

/// Most attachments per appeal.
const MAX_ATTACHMENTS: i64 = 3;
/// Largest attachment.
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;

/// The type of a file by its first bytes, not by its name.
fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(b"%PDF-") {
        Some(("application/pdf", "pdf"))
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "jpg"))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "png"))
    } else {
        None
    }
}

/// Attaches a file (PDF, JPEG or PNG by content; at most 5 MB; at most 3 per appeal). The
/// body is the file itself; `name` is its name.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/attachments", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Обращение"), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "Содержимое файла"),
    responses(
        (status = 201, description = "Файл прикреплён", body = shared::appeals::Attachment),
        (status = 400, description = "Нет имени файла", body = shared::Problem, content_type = problems!()),
        (status = 403, description = "Только автор-учитель", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого обращения", body = shared::Problem, content_type = problems!()),
        (status = 409, description = "Обращение закрыто или уже 3 файла", body = shared::Problem, content_type = problems!()),
        (status = 413, description = "Файл больше 5 МБ", body = shared::Problem, content_type = problems!()),
        (status = 422, description = "Не PDF, JPEG или PNG", body = shared::Problem, content_type = problems!()),
    ))]
#[post("/appeals/{id}/attachments")]
pub async fn upload_attachment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: web::Query<UploadQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    teacher_only(&caller)?;
    let id = id.into_inner();
    let name = validate::text("name", &query.name, 200, true)?
        .unwrap_or_default()
        .replace(['/', '\\'], "_");
    if body.len() > MAX_ATTACHMENT_BYTES {
        return Err(ApiError::PayloadTooLarge {
            limit: MAX_ATTACHMENT_BYTES,
        });
    }
    let (content_type, extension) = sniff(&body).ok_or_else(|| {
        ApiError::field(
            "file",
            "unsupported_type",
            "Можно прикрепить PDF, JPEG или PNG.",
        )
    })?;
    let dir = state.config.upload_dir.clone();
    let storage_key = format!("{}.{extension}", db::new_id());
    let attachment = state
        .db
        .write(move |conn| {
            let row = find_in_scope(conn, &caller, &id)?;
            if !row.status().is_open() {
                return Err(not_open());
            }
            let count: i64 = att::table
                .filter(att::appeal_id.eq(&id))
                .count()
                .get_result(conn)?;
            if count >= MAX_ATTACHMENTS {
                return Err(conflict(
                    "too_many_attachments",
                    "К обращению можно прикрепить не больше 3 файлов.",
                ));
            }
            // Write the file first: if the row fails, an orphan file is harmless; a row
            // without its file would not be.
            std::fs::create_dir_all(&dir).map_err(ApiError::internal)?;
            std::fs::write(dir.join(&storage_key), &body).map_err(ApiError::internal)?;
            let attachment_id = db::new_id();
            let size = i64::try_from(body.len()).unwrap_or(i64::MAX);
            diesel::insert_into(att::table)
                .values((
                    att::id.eq(&attachment_id),
                    att::appeal_id.eq(&id),
                    att::file_name.eq(&name),
                    att::content_type.eq(content_type),
                    att::size_bytes.eq(size),
                    att::storage_key.eq(&storage_key),
                    att::uploaded_by.eq(&caller.user_id),
                    att::created_at.eq(db::now()),
                ))
                .execute(conn)?;
            Ok(shared::appeals::Attachment {
                id: attachment_id,
                name,
                size,
                content_type: content_type.to_owned(),
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(attachment))
}

/// Downloads an attachment; only for those who may see the appeal.
#[utoipa::path(get, path = "/api/v1/appeals/{id}/attachments/{attachment_id}", tag = "appeals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Обращение"), ("attachment_id" = String, Path, description = "Файл")),
    responses(
        (status = 200, description = "Файл (Content-Disposition: attachment)", body = Vec<u8>, content_type = "application/octet-stream"),
        (status = 403, description = "Нет доступа к обращениям", body = shared::Problem, content_type = problems!()),
        (status = 404, description = "Нет такого файла в вашей зоне", body = shared::Problem, content_type = problems!()),
    ))]
#[get("/appeals/{id}/attachments/{attachment_id}")]
pub async fn download_attachment(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    _req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (id, attachment_id) = path.into_inner();
    let dir = state.config.upload_dir.clone();
    let (name, content_type, bytes) = state
        .db
        .read(move |conn| {
            find_in_scope(conn, &caller, &id)?;
            let (name, content_type, key): (String, String, String) = att::table
                .find(&attachment_id)
                .filter(att::appeal_id.eq(&id))
                .select((att::file_name, att::content_type, att::storage_key))
                .first(conn)
                .optional()?
                .ok_or(ApiError::NotFound)?;
            let bytes = std::fs::read(dir.join(key)).map_err(|_| ApiError::NotFound)?;
            Ok((name, content_type, bytes))
        })
        .await?;
    let encoded = percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"file\"; filename*=UTF-8''{encoded}"),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn file_types_come_from_content() {
        assert_eq!(sniff(b"%PDF-1.7 ...").map(|t| t.0), Some("application/pdf"));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0]).map(|t| t.0),
            Some("image/jpeg")
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n....").map(|t| t.0),
            Some("image/png")
        );
        assert_eq!(sniff(b"MZ\x90\x00 an exe named photo.png"), None);
        assert_eq!(sniff(b""), None);
    }
}
