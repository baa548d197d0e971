//! Announcement campaigns («Рассылки») and promo codes for federal users and regional heads:
//! compose, schedule, cancel, watch the reach (JSON, CSV and XLSX); promo links with their QR codes
//! and the printable poster. The rules are in `crate::domain::campaigns`.

use actix_web::http::{header, StatusCode};
use actix_web::{get, patch, post, web, HttpResponse};
use shared::campaigns::{Campaign, CampaignInput, CampaignReach, Promo, PromoInput};
use shared::Page;

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::campaigns::{self as domain, promo, reach};
use crate::domain::pagination::PageQuery;
use crate::error::ApiError;
use crate::idempotency::{self, IdempotencyKey};
use crate::state::AppState;

/// Creates a campaign: a draft, or scheduled when `start_at` is given. Heads choose among
/// their regions; federal users may leave `regions` empty for every region.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns", security(("bearer" = [])),
    request_body = CampaignInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Повтор с тем же ключом вернёт тот же ответ")),
    responses(
        (status = 201, description = "Рассылка создана", body = Campaign),
        (status = 400, description = "Тело запроса не разобрано", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Нет прав или регион не ваш", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ошибка в данных", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/campaigns")]
pub async fn create_campaign(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: web::Json<CampaignInput>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::CreateCampaign)?;
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint("create_campaign", &body);
    let fields = domain::Fields::parse(&body)?;
    let answer = state
        .db
        .write(move |conn| {
            idempotency::once(
                conn,
                &caller.user_id,
                key.0.as_deref(),
                &fingerprint,
                StatusCode::CREATED,
                |conn| domain::create(conn, &caller, &fields),
            )
        })
        .await?;
    Ok(answer.into_response())
}

/// Campaigns the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns", security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "Страница рассылок", body = Page<Campaign>),
        (status = 400, description = "Неверный курсор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Нет прав", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Неверный limit", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/campaigns")]
pub async fn list_campaigns(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<Campaign>>, ApiError> {
    caller.may(Action::ListCampaigns)?;
    let page = page.into_inner();
    let list = state
        .db
        .read(move |conn| domain::list(conn, &caller, &page))
        .await?;
    Ok(web::Json(list))
}

/// One campaign.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "campaigns", security(("bearer" = [])),
    params(("id" = String, Path, description = "Рассылка")),
    responses(
        (status = 200, description = "Рассылка", body = Campaign),
        (status = 403, description = "Нет прав", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такой рассылки", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/campaigns/{id}")]
pub async fn get_campaign(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<Campaign>, ApiError> {
    caller.may(Action::GetCampaign)?;
    let id = id.into_inner();
    let row = state
        .db
        .read(move |conn| domain::load(conn, &caller, &id))
        .await?;
    Ok(web::Json(Campaign::from(&row)))
}

/// Replaces a draft's or a scheduled campaign's fields (409 once sending began).
#[utoipa::path(patch, path = "/api/v1/campaigns/{id}", tag = "campaigns", security(("bearer" = [])),
    request_body = CampaignInput,
    params(("id" = String, Path, description = "Рассылка")),
    responses(
        (status = 200, description = "Рассылка изменена", body = Campaign),
        (status = 403, description = "Нет прав", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такой рассылки", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Рассылка уже отправляется", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ошибка в данных", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[patch("/campaigns/{id}")]
pub async fn update_campaign(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<CampaignInput>,
) -> Result<web::Json<Campaign>, ApiError> {
    caller.may(Action::UpdateCampaign)?;
    let fields = domain::Fields::parse(&body)?;
    let id = id.into_inner();
    let campaign = state
        .db
        .write(move |conn| domain::update(conn, &caller, &id, &fields))
        .await?;
    Ok(web::Json(campaign))
}

/// Cancels a campaign (also while sending: nothing more leaves).
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/cancel", tag = "campaigns", security(("bearer" = [])),
    params(("id" = String, Path, description = "Рассылка")),
    responses(
        (status = 200, description = "Рассылка отменена", body = Campaign),
        (status = 403, description = "Нет прав", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такой рассылки", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Рассылка уже завершена", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/campaigns/{id}/cancel")]
pub async fn cancel_campaign(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<Campaign>, ApiError> {
    caller.may(Action::CancelCampaign)?;
    let id = id.into_inner();
    let campaign = state
        .db
        .write(move |conn| domain::cancel(conn, &caller, &id))
        .await?;
    Ok(web::Json(campaign))
}

/// The reach: sent, delivered, failed, skipped, opened and the open rate, in total and per
/// region and level.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/reach", tag = "campaigns", security(("bearer" = [])),
    params(("id" = String, Path, description = "Рассылка")),
    responses(
        (status = 200, description = "Охват", body = CampaignReach),
        (status = 403, description = "Нет прав", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такой рассылки", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/campaigns/{id}/reach")]
pub async fn campaign_reach(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<CampaignReach>, ApiError> {
    caller.may(Action::CampaignReach)?;
    let id = id.into_inner();
    let figures = state
        .db
        .read(move |conn| reach::reach(conn, &caller, &id))
        .await?;
    Ok(web::Json(figures))
}

/// The reach table as CSV (UTF-8 with BOM, `;`).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/reach.csv", tag = "campaigns", security(("bearer" = [])),
    params(("id" = String, Path, description = "Рассылка")),
    responses(
        (status = 200, description = "Охват в CSV", content_type = "text/csv"),
        (status = 403, description = "Нет прав", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такой рассылки", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/campaigns/{id}/reach.csv")]
pub async fn campaign_reach_csv(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::CampaignReachCsv)?;
    let id = id.into_inner();
    let name = format!("attachment; filename=\"campaign-{id}.csv\"");
    let csv = state
        .db
        .read(move |conn| reach::reach_csv(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((header::CONTENT_DISPOSITION, name))
        .body(csv))
}

/// The reach table as an Excel workbook (sheet «Охват»: the CSV's columns, figures as
/// numbers, the open rate as a percentage, the total in the last row).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/reach.xlsx", tag = "campaigns", security(("bearer" = [])),
    params(("id" = String, Path, description = "Рассылка")),
    responses(
        (status = 200, description = "Охват в XLSX", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, description = "Нет прав", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такой рассылки", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/campaigns/{id}/reach.xlsx")]
pub async fn campaign_reach_xlsx(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::CampaignReachXlsx)?;
    let id = id.into_inner();
    let name = format!("attachment; filename=\"campaign-{id}.xlsx\"");
    let book = state
        .db
        .read(move |conn| reach::reach_xlsx(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, reach::XLSX_TYPE))
        .insert_header((header::CONTENT_DISPOSITION, name))
        .body(book))
}

/// Creates a promo code: a link that opens the mini-app with `start_param=promo-<code>`.
#[utoipa::path(post, path = "/api/v1/promo", tag = "campaigns", security(("bearer" = [])),
    request_body = PromoInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Повтор с тем же ключом вернёт тот же ответ")),
    responses(
        (status = 201, description = "Промокод создан", body = Promo),
        (status = 403, description = "Нет прав или регион не ваш", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ошибка в данных", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/promo")]
pub async fn create_promo(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: web::Json<PromoInput>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::CreatePromo)?;
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint("create_promo", &body);
    let base = state.config.notify.promo_link_base.clone();
    let answer = state
        .db
        .write(move |conn| {
            idempotency::once(
                conn,
                &caller.user_id,
                key.0.as_deref(),
                &fingerprint,
                StatusCode::CREATED,
                |conn| promo::create(conn, &caller, &body, &base),
            )
        })
        .await?;
    Ok(answer.into_response())
}

/// Promo codes with their launches, newest first.
#[utoipa::path(get, path = "/api/v1/promo", tag = "campaigns", security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "Страница промокодов", body = Page<Promo>),
        (status = 400, description = "Неверный курсор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Неверный limit", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Нет прав", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/promo")]
pub async fn list_promos(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<Promo>>, ApiError> {
    caller.may(Action::ListPromos)?;
    let page = page.into_inner();
    let base = state.config.notify.promo_link_base.clone();
    let list = state
        .db
        .read(move |conn| promo::list(conn, &caller, &page, &base))
        .await?;
    Ok(web::Json(list))
}

/// The promo code of an id, whoever asks: its link is printed on posters anyway.
async fn public_promo(state: &AppState, id: String) -> Result<Promo, ApiError> {
    let base = state.config.notify.promo_link_base.clone();
    state
        .db
        .read(move |conn| promo::public(conn, &id, &base))
        .await
}

/// The QR code of a promo link (SVG). No token needed: `<img>` loads it, and it holds only
/// the public link.
#[utoipa::path(get, path = "/api/v1/promo/{id}/qr.svg", tag = "campaigns",
    params(("id" = String, Path, description = "Промокод")),
    responses(
        (status = 200, description = "QR-код", content_type = "image/svg+xml"),
        (status = 404, description = "Нет такого промокода", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/promo/{id}/qr.svg")]
pub async fn promo_qr_svg(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let promo = public_promo(&state, id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/svg+xml"))
        .body(promo::qr_svg(&promo.link)?))
}

/// The QR code of a promo link (PNG, 8 pixels per module).
#[utoipa::path(get, path = "/api/v1/promo/{id}/qr.png", tag = "campaigns",
    params(("id" = String, Path, description = "Промокод")),
    responses(
        (status = 200, description = "QR-код", content_type = "image/png"),
        (status = 404, description = "Нет такого промокода", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/promo/{id}/qr.png")]
pub async fn promo_qr_png(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let promo = public_promo(&state, id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/png"))
        .body(promo::qr_png(&promo.link, 8)?))
}

/// A printable A4 poster with the QR code and «Есть вопросы по бюрократической нагрузке на
/// педагогического работника?».
#[utoipa::path(get, path = "/api/v1/promo/{id}/poster", tag = "campaigns",
    params(("id" = String, Path, description = "Промокод")),
    responses(
        (status = 200, description = "Плакат (HTML для печати)", content_type = "text/html"),
        (status = 404, description = "Нет такого промокода", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/promo/{id}/poster")]
pub async fn promo_poster(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let promo = public_promo(&state, id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        ))
        .body(promo::poster_html(&promo)?))
}
