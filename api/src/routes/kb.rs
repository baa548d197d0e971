//! Knowledge base over HTTP: search, articles with versions and publishing, candidate
//! variants, the synonym dictionary. Reading published answers is open to every signed-in
//! user (unverified teachers too); writing is for `federal`. The rules live in
//! [`crate::domain::kb`].

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, put, web, HttpResponse};
use shared::kb::{
    Article, ArticleFilter, ArticleStatus, ArticleVersion, CreateArticle, SearchQuery,
    SearchResult, SynonymEntry, UpdateArticle, Variant, VariantFilter,
};
use shared::{ItemList, Page};

use crate::auth::policy::Action;
use crate::auth::Caller;
use crate::domain::kb::{articles, synonyms, variants};
use crate::domain::pagination::PageQuery;
use crate::error::ApiError;
use crate::idempotency::{self, IdempotencyKey};
use crate::state::AppState;

/// Ranks published articles for a question, with the engine's decision: `confident` is
/// what the service would answer by itself.
#[utoipa::path(get, path = "/api/v1/kb/search", tag = "kb", security(("bearer" = [])), params(SearchQuery),
    responses(
        (status = 200, description = "Результаты поиска", body = SearchResult),
        (status = 400, description = "Нет параметра q", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Слишком длинный запрос или неверный limit", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/kb/search")]
pub async fn search(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<SearchQuery>,
) -> Result<web::Json<SearchResult>, ApiError> {
    caller.may(Action::Search)?;
    let result = articles::search(&state.db, &state.kb, &query.q, query.limit).await?;
    Ok(web::Json(result))
}

/// Articles, newest change first; with `q`, published articles ranked by relevance.
#[utoipa::path(get, path = "/api/v1/kb/articles", tag = "kb", security(("bearer" = [])), params(ArticleFilter, PageQuery),
    responses(
        (status = 200, description = "Страница статей", body = Page<Article>),
        (status = 400, description = "Неверные параметры", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Черновики и архив видит только федеральный куратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Неверные параметры", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/kb/articles")]
pub async fn list_articles(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<ArticleFilter>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<Article>>, ApiError> {
    caller.may(Action::ListArticles)?;
    let ArticleFilter { status, tag, q } = filter.into_inner();
    let filter = articles::ListFilter { status, tag, q };
    let page = articles::list(&state.db, &state.kb, caller.role, filter, &page).await?;
    Ok(web::Json(page))
}

/// One article. Drafts and archived articles are visible to `federal` only (404 otherwise).
#[utoipa::path(get, path = "/api/v1/kb/articles/{id}", tag = "kb", security(("bearer" = [])),
    params(("id" = String, Path, description = "Статья")),
    responses(
        (status = 200, description = "Статья", body = Article),
        (status = 404, description = "Нет такой статьи", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/kb/articles/{id}")]
pub async fn get_article(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<Article>, ApiError> {
    caller.may(Action::GetArticle)?;
    let article = articles::get(&state.db, caller.role, id.into_inner()).await?;
    Ok(web::Json(article))
}

fn article_response(article: &Article, status: StatusCode) -> HttpResponse {
    HttpResponse::build(status).json(article)
}

/// A new draft article (not searchable until published).
#[utoipa::path(post, path = "/api/v1/kb/articles", tag = "kb", security(("bearer" = [])), request_body = CreateArticle,
    params(("Idempotency-Key" = Option<String>, Header, description = "Повтор с тем же ключом вернёт тот же ответ")),
    responses(
        (status = 201, description = "Черновик создан", body = Article),
        (status = 403, description = "Только федеральный куратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ошибка в данных", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/kb/articles")]
pub async fn create_article(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: web::Json<CreateArticle>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::CreateArticle)?;
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint("create_article", &body);
    let fields = articles::Fields::parse_new(body)?;
    let answer = state
        .db
        .write(move |conn| {
            idempotency::once(
                conn,
                &caller.user_id,
                key.0.as_deref(),
                &fingerprint,
                StatusCode::CREATED,
                |conn| articles::create(conn, &caller, &fields),
            )
        })
        .await?;
    Ok(answer.into_response())
}

/// Saves a new version of an article (a published article stays published and the engine
/// sees the change at once).
#[utoipa::path(patch, path = "/api/v1/kb/articles/{id}", tag = "kb", security(("bearer" = [])), request_body = UpdateArticle,
    params(("id" = String, Path, description = "Статья")),
    responses(
        (status = 200, description = "Новая версия", body = Article),
        (status = 403, description = "Только федеральный куратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такой статьи", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ошибка в данных", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[patch("/kb/articles/{id}")]
pub async fn update_article(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<UpdateArticle>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::UpdateArticle)?;
    let article = articles::update(
        &state.db,
        &state.kb,
        caller,
        id.into_inner(),
        body.into_inner(),
    )
    .await?;
    Ok(article_response(&article, StatusCode::OK))
}

/// Publishes an article: searchable at once, no restart.
#[utoipa::path(post, path = "/api/v1/kb/articles/{id}/publish", tag = "kb", security(("bearer" = [])),
    params(("id" = String, Path, description = "Статья")),
    responses(
        (status = 200, description = "Опубликована", body = Article),
        (status = 403, description = "Только федеральный куратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такой статьи", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/kb/articles/{id}/publish")]
pub async fn publish_article(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::PublishArticle)?;
    let status = ArticleStatus::Published;
    let article =
        articles::set_status(&state.db, &state.kb, caller, id.into_inner(), status).await?;
    Ok(article_response(&article, StatusCode::OK))
}

/// Archives an article: no longer searchable, kept with its history.
#[utoipa::path(post, path = "/api/v1/kb/articles/{id}/archive", tag = "kb", security(("bearer" = [])),
    params(("id" = String, Path, description = "Статья")),
    responses(
        (status = 200, description = "В архиве", body = Article),
        (status = 403, description = "Только федеральный куратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такой статьи", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/kb/articles/{id}/archive")]
pub async fn archive_article(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::ArchiveArticle)?;
    let status = ArticleStatus::Archived;
    let article =
        articles::set_status(&state.db, &state.kb, caller, id.into_inner(), status).await?;
    Ok(article_response(&article, StatusCode::OK))
}

/// Every stored version of an article, newest first.
#[utoipa::path(get, path = "/api/v1/kb/articles/{id}/versions", tag = "kb", security(("bearer" = [])),
    params(("id" = String, Path, description = "Статья"), PageQuery),
    responses(
        (status = 200, description = "Версии", body = Page<ArticleVersion>),
        (status = 403, description = "Только федеральный куратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такой статьи", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Неверные параметры", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/kb/articles/{id}/versions")]
pub async fn list_versions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<ArticleVersion>>, ApiError> {
    caller.may(Action::ListVersions)?;
    let page = articles::versions(&state.db, id.into_inner(), &page).await?;
    Ok(web::Json(page))
}

/// Candidate question variants collected from answered appeals and accepted suggestions.
#[utoipa::path(get, path = "/api/v1/kb/variants", tag = "kb", security(("bearer" = [])), params(VariantFilter, PageQuery),
    responses(
        (status = 200, description = "Страница вариантов", body = Page<Variant>),
        (status = 400, description = "Неверные параметры", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Только федеральный куратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Неверные параметры", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/kb/variants")]
pub async fn list_variants(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<VariantFilter>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<Variant>>, ApiError> {
    caller.may(Action::ListVariants)?;
    let page = variants::list(&state.db, filter.into_inner().status, &page).await?;
    Ok(web::Json(page))
}

/// Confirms a candidate: it becomes a variant of its article and is searchable at once.
#[utoipa::path(post, path = "/api/v1/kb/variants/{id}/confirm", tag = "kb", security(("bearer" = [])),
    params(("id" = String, Path, description = "Вариант")),
    responses(
        (status = 204, description = "Подтверждён"),
        (status = 403, description = "Только федеральный куратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такого варианта", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Решение уже принято", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/kb/variants/{id}/confirm")]
pub async fn confirm_variant(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::ConfirmVariant)?;
    variants::decide(&state.db, &state.kb, caller, id.into_inner(), true).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Rejects a candidate variant.
#[utoipa::path(post, path = "/api/v1/kb/variants/{id}/reject", tag = "kb", security(("bearer" = [])),
    params(("id" = String, Path, description = "Вариант")),
    responses(
        (status = 204, description = "Отклонён"),
        (status = 403, description = "Только федеральный куратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Нет такого варианта", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Решение уже принято", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/kb/variants/{id}/reject")]
pub async fn reject_variant(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::RejectVariant)?;
    variants::decide(&state.db, &state.kb, caller, id.into_inner(), false).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The synonym and abbreviation dictionary of the answer engine.
#[utoipa::path(get, path = "/api/v1/kb/synonyms", tag = "kb", security(("bearer" = [])),
    responses(
        (status = 200, description = "Словарь", body = ItemList<SynonymEntry>),
        (status = 403, description = "Только сотрудники", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[get("/kb/synonyms")]
pub async fn get_synonyms(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<ItemList<SynonymEntry>>, ApiError> {
    caller.may(Action::GetSynonyms)?;
    let items = synonyms::get(&state.db).await?;
    Ok(web::Json(ItemList { items }))
}

/// Replaces the dictionary; the engine re-indexes at once. An entry without expansions
/// drops the phrase from texts and questions (as the default dictionary does for greetings).
#[utoipa::path(put, path = "/api/v1/kb/synonyms", tag = "kb", security(("bearer" = [])), request_body = ItemList<SynonymEntry>,
    responses(
        (status = 200, description = "Сохранённый словарь", body = ItemList<SynonymEntry>),
        (status = 403, description = "Только федеральный куратор", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ошибка в данных", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[put("/kb/synonyms")]
pub async fn put_synonyms(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<ItemList<SynonymEntry>>,
) -> Result<web::Json<ItemList<SynonymEntry>>, ApiError> {
    caller.may(Action::PutSynonyms)?;
    let items = synonyms::replace(&state.db, &state.kb, caller, body.into_inner().items).await?;
    Ok(web::Json(ItemList { items }))
}
