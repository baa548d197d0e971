//! Teacher verification through ESIA (Госуслуги): the start address for a signed-in
//! teacher and the callback ESIA sends the browser to. The flow itself is in
//! [`crate::domain::users::esia`].

use actix_web::{get, http::header, web, HttpResponse};
use serde::Deserialize;
use shared::users::EsiaStart;
use utoipa::IntoParams;

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::users::esia;
use crate::error::ApiError;
use crate::state::AppState;

/// For a signed-in teacher: the ESIA address to open (with a fresh single-use `state`).
#[utoipa::path(get, path = "/api/v1/auth/esia/start", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "Адрес входа через Госуслуги", body = EsiaStart),
        (status = 403, description = "Только для учителей", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Уже подтверждён", body = shared::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Госуслуги или сервис подписи недоступны (`esia_unavailable`)", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/auth/esia/start")]
pub async fn esia_start(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<EsiaStart>, ApiError> {
    caller.may(Action::EsiaStart)?;
    let url = esia::start(&state.db, &state.http, &state.config.esia, &caller).await?;
    Ok(web::Json(EsiaStart { url }))
}

/// Parameters ESIA sends back.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    /// Authorization code.
    pub code: Option<String>,
    /// The `state` from `start`.
    pub state: Option<String>,
    /// ESIA's error code when the person refused or something failed.
    pub error: Option<String>,
}

/// Where ESIA returns the browser. Bound to the single-use `state` (no bearer token):
/// exchanges the code, reads the person's name and marks the teacher verified, then
/// redirects to the mini-app (`?esia=ok` or `?esia=error`).
#[utoipa::path(get, path = "/api/v1/auth/esia/callback", tag = "auth", params(CallbackQuery),
    responses(
        (status = 302, description = "Переход обратно в мини-приложение"),
        (status = 400, description = "Нет или неизвестен state", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/auth/esia/callback")]
pub async fn esia_callback(
    state: web::Data<AppState>,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, ApiError> {
    let CallbackQuery {
        code,
        state: esia_state,
        error,
    } = query.into_inner();
    let outcome = esia::callback(
        &state.db,
        &state.http,
        &state.config.esia,
        esia_state,
        code,
        error,
    )
    .await?;
    let base = &state.config.esia.return_url;
    let sep = if base.contains('?') { '&' } else { '?' };
    Ok(HttpResponse::Found()
        .insert_header((
            header::LOCATION,
            format!("{base}{sep}esia={}", outcome.as_str()),
        ))
        .finish())
}
