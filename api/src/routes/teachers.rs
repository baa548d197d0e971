//! `GET /teachers?q=`: an operator finds a teacher of own regions by name for the quick
//! appeal (the rule: [`crate::domain::users::teachers`]).

use actix_web::{get, web};
use serde::Deserialize;
use shared::appeals::TeacherMatch;
use shared::Page;
use utoipa::IntoParams;

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::pagination::PageQuery;
use crate::domain::users::teachers::{self, TeacherSearch};
use crate::error::ApiError;
use crate::state::AppState;

/// Search parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeacherQuery {
    /// Part of the name (surname, name, patronymic; several words narrow), 3–100 characters.
    #[serde(default)]
    pub q: String,
}

/// Teachers of the operator's regions whose name contains every word of `q`, newest
/// accounts first: id, name, school and region, no contacts. People without an account
/// are not listed.
#[utoipa::path(get, path = "/api/v1/teachers", tag = "appeals", security(("bearer" = [])),
    params(TeacherQuery, PageQuery),
    responses(
        (status = 200, description = "Страница найденных педагогов", body = Page<TeacherMatch>),
        (status = 400, description = "Неверный курсор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Только оператор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Меньше 3 или больше 100 символов, неверный limit", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/teachers")]
pub async fn search_teachers(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<TeacherQuery>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<TeacherMatch>>, ApiError> {
    caller.may(Action::SearchTeachers)?;
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    let search = TeacherSearch::parse(&query.q)?;
    let page = state
        .db
        .read(move |conn| teachers::search(conn, &caller, &search, limit, cursor))
        .await?;
    Ok(web::Json(page))
}
