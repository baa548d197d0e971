//! Teacher verification through ESIA (Госуслуги): the start address for a signed-in
//! teacher and the callback ESIA sends the browser to. The flow itself is in
//! [`crate::domain::users::esia`].

use actix_web::{get, http::header, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use shared::users::EsiaStart;
use utoipa::IntoParams;

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::users::esia;
use crate::error::ApiError;
use crate::state::AppState;

/// For a signed-in teacher: the address to open in a browser — a link of ours that works
/// once, for 5 minutes, and leads to ESIA (with a fresh single-use `state`).
#[utoipa::path(get, path = "/api/v1/auth/esia/start", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "Одноразовая ссылка (5 минут) на вход через Госуслуги", body = EsiaStart),
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

/// Opens the link `esia/start` gave, in any browser: once, within 5 minutes. Sets a
/// short-lived `HttpOnly`, `SameSite=Lax` cookie binding this browser to the flow and
/// redirects to ESIA; the callback accepts only the browser carrying it.
#[utoipa::path(get, path = "/api/v1/auth/esia/go/{ticket}", tag = "auth",
    params(("ticket" = String, Path, description = "Одноразовый ключ ссылки из `esia/start`")),
    responses(
        (status = 302, description = "Переход на Госуслуги; cookie `esia_nonce` связывает браузер с попыткой"),
        (status = 410, description = "Ссылка уже открыта, устарела или неизвестна (`esia_link_invalid`)", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/auth/esia/go/{ticket}")]
pub async fn esia_go(
    state: web::Data<AppState>,
    ticket: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let opened = esia::open(&state.db, ticket.into_inner()).await?;
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, opened.esia_url))
        .insert_header((
            header::SET_COOKIE,
            esia::nonce_cookie(&state.config.esia, &opened.nonce),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

/// The value of the flow's cookie in the request, if any.
fn nonce_of(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == esia::NONCE_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| !v.is_empty())
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

/// Where ESIA returns the browser. Bound to the single-use `state` (no bearer token) and to
/// the browser that opened the flow's link (its `esia_nonce` cookie): exchanges the code,
/// reads the person's name and marks the teacher verified, then redirects to the mini-app
/// (`?esia=ok` or `?esia=error`).
#[utoipa::path(get, path = "/api/v1/auth/esia/callback", tag = "auth", params(CallbackQuery),
    responses(
        (status = 302, description = "Переход обратно в мини-приложение"),
        (status = 400, description = "Нет или неизвестен state, либо браузер не открывал ссылку этой попытки", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/auth/esia/callback")]
pub async fn esia_callback(
    state: web::Data<AppState>,
    req: HttpRequest,
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
        nonce_of(&req),
    )
    .await?;
    let base = &state.config.esia.return_url;
    let sep = if base.contains('?') { '&' } else { '?' };
    Ok(HttpResponse::Found()
        .insert_header((
            header::LOCATION,
            format!("{base}{sep}esia={}", outcome.as_str()),
        ))
        .insert_header((
            header::SET_COOKIE,
            esia::nonce_cookie(&state.config.esia, ""),
        ))
        .finish())
}

/// `?esia=` of the page ESIA's return ends on.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DoneQuery {
    /// `ok`, `cancelled` or `error`.
    pub esia: Option<String>,
}

/// The page the phone's browser shows after ESIA (the default `ESIA_RETURN_URL`): the result
/// in words and «Вернитесь в MAX» — the mini-app there re-reads the profile when it is back
/// in front. A plain page without scripts, so it works in any browser.
#[utoipa::path(get, path = "/api/v1/auth/esia/done", tag = "auth", params(DoneQuery),
    responses(
        (status = 200, description = "Страница с результатом и просьбой вернуться в MAX", content_type = "text/html"),
    ))]
#[get("/auth/esia/done")]
pub async fn esia_done(query: web::Query<DoneQuery>) -> HttpResponse {
    let (title, text) = match query.esia.as_deref() {
        Some("ok") => (
            "Статус учителя подтверждён",
            "Госуслуги подтвердили ваши данные. Теперь вы можете задавать вопросы.",
        ),
        Some("cancelled") => (
            "Подтверждение отменено",
            "Вы не дали доступ к данным на Госуслугах. Статус можно подтвердить снова или \
             отправить заявку оператору в приложении.",
        ),
        _ => (
            "Не удалось подтвердить статус",
            "Госуслуги не подтвердили данные. Попробуйте позже или отправьте заявку оператору \
             в приложении.",
        ),
    };
    let page = format!(
        "<!doctype html><html lang=\"ru\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title></head>\
         <body style=\"font:18px/1.5 system-ui,sans-serif;margin:2em auto;max-width:32em;padding:0 1em\">\
         <h1 id=\"result\">{title}</h1><p>{text}</p>\
         <p><strong>Вернитесь в MAX</strong>: приложение «Помощник» покажет результат.</p>\
         <p><a href=\"/#/profile\">Открыть «Помощник» в этом браузере</a></p></body></html>"
    );
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(page)
}
