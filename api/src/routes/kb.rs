//! Knowledge base over HTTP: search, articles with versions and publishing, candidate
//! variants, the synonym dictionary. Reading published answers is open to every signed-in
//! user (unverified teachers too); writing is for `federal`.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, put, web, HttpResponse};
use diesel::prelude::*;
use serde::Deserialize;
use shared::kb::{
    Article, ArticleStatus, ArticleVersion, CreateArticle, SearchHit, SearchResult, SynonymEntry,
    UpdateArticle, Variant,
};
use shared::users::Role;
use shared::{ItemList, Page};
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::db::schema::{kb_articles as a, kb_variants as kv};
use crate::db::{self, audit, AnyConnection};
use crate::error::ApiError;
use crate::idempotency::{self, IdempotencyKey};
use crate::kb::{self, to_json_list, ArticleRow};
use crate::matching::Synonym;
use crate::routes::pagination::{self, Cursor, PageQuery};
use crate::routes::validate;
use crate::state::AppState;

const STAFF: &[Role] = &[
    Role::Operator,
    Role::RegionalHead,
    Role::Federal,
    Role::Admin,
];

/// Search parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The question in the teacher's words.
    pub q: String,
    /// At most this many hits (1–20, default 5).
    pub limit: Option<u32>,
}

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
    _caller: Caller,
    query: web::Query<SearchQuery>,
) -> Result<web::Json<SearchResult>, ApiError> {
    let limit = match query.limit.unwrap_or(5) {
        n @ 1..=20 => n as usize,
        _ => {
            return Err(ApiError::field(
                "limit",
                "out_of_range",
                "limit — число от 1 до 20.",
            ))
        }
    };
    if query.q.chars().count() > 4000 {
        return Err(ApiError::field(
            "q",
            "too_long",
            "Запрос не длиннее 4000 символов.",
        ));
    }
    let decision = state.kb.engine().decide(&query.q, limit);
    let ids: Vec<String> = decision.hits.iter().map(|h| h.article_id.clone()).collect();
    let titles = state
        .db
        .read(move |conn| {
            let rows: Vec<(String, String, String)> = a::table
                .filter(a::id.eq_any(&ids))
                .filter(a::status.eq(ArticleStatus::Published.as_str()))
                .select((a::id, a::title, a::question))
                .load(conn)?;
            Ok(rows)
        })
        .await?;
    let items = decision
        .hits
        .iter()
        .filter_map(|h| {
            let (_, title, question) = titles.iter().find(|(id, _, _)| *id == h.article_id)?;
            Some(SearchHit {
                article_id: h.article_id.clone(),
                title: title.clone(),
                question: question.clone(),
                score: h.score,
            })
        })
        .collect();
    Ok(web::Json(SearchResult {
        confident: decision.confident,
        abstain_reason: decision.abstain_reason,
        engine: format!("{} {}", decision.engine, decision.version),
        items,
    }))
}

/// Filters of the article list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleFilter {
    /// Status (default `published`; other statuses for `federal` only).
    pub status: Option<ArticleStatus>,
    /// Only articles with this tag.
    pub tag: Option<String>,
    /// A question or words: published articles ranked by the engine (one page).
    pub q: Option<String>,
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
    let filter = filter.into_inner();
    let status = filter.status.unwrap_or(ArticleStatus::Published);
    if status != ArticleStatus::Published && caller.role != Role::Federal {
        return Err(ApiError::Forbidden);
    }
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    let ranked: Option<Vec<String>> = filter
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(|q| {
            let n = usize::try_from(limit).unwrap_or(20);
            state
                .kb
                .engine()
                .decide(q, n)
                .hits
                .into_iter()
                .map(|h| h.article_id)
                .collect()
        });
    let page = state
        .db
        .read(move |conn| {
            if let Some(ids) = ranked {
                let rows: Vec<ArticleRow> = a::table
                    .filter(a::id.eq_any(&ids))
                    .filter(a::status.eq(ArticleStatus::Published.as_str()))
                    .select(ArticleRow::as_select())
                    .load(conn)?;
                let items = ids
                    .iter()
                    .filter_map(|id| rows.iter().find(|r| &r.id == id))
                    .filter(|r| {
                        filter
                            .tag
                            .as_ref()
                            .is_none_or(|t| r.article().tags.contains(t))
                    })
                    .map(ArticleRow::article)
                    .collect();
                return Ok(Page {
                    items,
                    next_cursor: None,
                });
            }
            let mut query = a::table
                .select(ArticleRow::as_select())
                .filter(a::status.eq(status.as_str()))
                .into_boxed();
            if let Some(tag) = &filter.tag {
                // Tags are a JSON list; match the quoted element.
                query = query.filter(a::tags.like(format!(
                    "%{}%",
                    serde_json::to_string(tag).unwrap_or_default()
                )));
            }
            if let Some(Cursor { at, id }) = cursor {
                query = query.filter(
                    a::updated_at
                        .lt(at)
                        .or(a::updated_at.eq(at).and(a::id.lt(id))),
                );
            }
            let rows: Vec<ArticleRow> = query
                .order((a::updated_at.desc(), a::id.desc()))
                .limit(limit + 1)
                .load(conn)?;
            let (rows, next_cursor) = pagination::finish(rows, limit, |r| Cursor {
                at: r.updated_at,
                id: r.id.clone(),
            });
            Ok(Page {
                items: rows.iter().map(ArticleRow::article).collect(),
                next_cursor,
            })
        })
        .await?;
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
    let id = id.into_inner();
    let row = state.db.read(move |conn| kb::find(conn, &id)).await?;
    if !row.is_published() && caller.role != Role::Federal {
        return Err(ApiError::NotFound);
    }
    Ok(web::Json(row.article()))
}

struct Fields {
    title: String,
    question: String,
    variants: Vec<String>,
    answer: String,
    legal_refs: Vec<String>,
    tags: Vec<String>,
}

fn check_list(
    field: &str,
    items: &[String],
    max_items: usize,
    max_len: usize,
) -> Result<Vec<String>, ApiError> {
    if items.len() > max_items {
        return Err(ApiError::field(
            field,
            "too_many",
            &format!("Не больше {max_items} элементов."),
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if let Some(v) = validate::text(field, item, max_len, false)? {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    Ok(out)
}

fn check_fields(f: &Fields) -> Result<Fields, ApiError> {
    let min = |field: &str, v: &str, n: usize| {
        if v.chars().count() < n {
            Err(ApiError::field(
                field,
                "too_short",
                &format!("Не короче {n} символов."),
            ))
        } else {
            Ok(())
        }
    };
    let title = validate::text("title", &f.title, 200, true)?.unwrap_or_default();
    let question = validate::text("question", &f.question, 1000, true)?.unwrap_or_default();
    min("question", &question, 10)?;
    let answer = validate::text("answer", &f.answer, 20_000, true)?.unwrap_or_default();
    min("answer", &answer, 10)?;
    Ok(Fields {
        title,
        question,
        answer,
        variants: check_list("variants", &f.variants, 200, 1000)?,
        legal_refs: check_list("legal_refs", &f.legal_refs, 50, 500)?,
        tags: check_list("tags", &f.tags, 30, 60)?,
    })
}

fn article_response(row: &ArticleRow, status: StatusCode) -> HttpResponse {
    HttpResponse::build(status).json(row.article())
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
    caller.require(&[Role::Federal])?;
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint("create_article", &body);
    let f = check_fields(&Fields {
        title: body.title,
        question: body.question,
        variants: body.variants,
        answer: body.answer,
        legal_refs: body.legal_refs,
        tags: body.tags,
    })?;
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
                    let id = format!("kb-{}", &db::new_id()[..12]);
                    let now = db::now();
                    diesel::insert_into(a::table)
                        .values((
                            a::id.eq(&id),
                            a::title.eq(&f.title),
                            a::question.eq(&f.question),
                            a::variants.eq(to_json_list(&f.variants)),
                            a::answer.eq(&f.answer),
                            a::legal_refs.eq(to_json_list(&f.legal_refs)),
                            a::tags.eq(to_json_list(&f.tags)),
                            a::status.eq(ArticleStatus::Draft.as_str()),
                            a::version.eq(1),
                            a::created_by.eq(&caller.user_id),
                            a::created_at.eq(now),
                            a::updated_at.eq(now),
                        ))
                        .execute(conn)?;
                    let row = kb::find(conn, &id)?;
                    kb::record_version(conn, &row, Some(&caller.user_id))?;
                    audit::record(
                        conn,
                        &caller.actor(),
                        "kb.article.create",
                        "kb_article",
                        Some(&id),
                        None,
                        None,
                    )?;
                    Ok(row.article())
                },
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
    caller.require(&[Role::Federal])?;
    let id = id.into_inner();
    let body = body.into_inner();
    let row = state
        .db
        .write(move |conn| {
            let old = kb::find(conn, &id)?;
            let current = old.article();
            let f = check_fields(&Fields {
                title: body.title.unwrap_or(current.title),
                question: body.question.unwrap_or(current.question),
                variants: body.variants.unwrap_or(current.variants),
                answer: body.answer.unwrap_or(current.answer),
                legal_refs: body.legal_refs.unwrap_or(current.legal_refs),
                tags: body.tags.unwrap_or(current.tags),
            })?;
            save_version(conn, &old, &f, None, &caller)?;
            kb::find(conn, &id)
        })
        .await?;
    state.kb.apply(&row);
    Ok(article_response(&row, StatusCode::OK))
}

fn save_version(
    conn: &mut AnyConnection,
    old: &ArticleRow,
    f: &Fields,
    status: Option<ArticleStatus>,
    caller: &Caller,
) -> Result<(), ApiError> {
    let now = db::now();
    let status = status.map_or_else(|| old.status.clone(), |s| s.as_str().to_owned());
    let publishing = status == ArticleStatus::Published.as_str() && !old.is_published();
    diesel::update(a::table.find(&old.id))
        .set((
            a::title.eq(&f.title),
            a::question.eq(&f.question),
            a::variants.eq(to_json_list(&f.variants)),
            a::answer.eq(&f.answer),
            a::legal_refs.eq(to_json_list(&f.legal_refs)),
            a::tags.eq(to_json_list(&f.tags)),
            a::status.eq(&status),
            a::version.eq(old.version + 1),
            a::updated_at.eq(now),
            a::approved_by.eq(if publishing {
                Some(caller.user_id.clone())
            } else {
                old.approved_by.clone()
            }),
            a::approved_at.eq(if publishing {
                Some(now)
            } else {
                old.approved_at
            }),
        ))
        .execute(conn)?;
    let row = kb::find(conn, &old.id)?;
    kb::record_version(conn, &row, Some(&caller.user_id))?;
    audit::record(
        conn,
        &caller.actor(),
        "kb.article.update",
        "kb_article",
        Some(&old.id),
        Some(&serde_json::json!({ "version": old.version, "status": old.status })),
        Some(&serde_json::json!({ "version": row.version, "status": row.status })),
    )?;
    Ok(())
}

async fn set_status(
    state: &AppState,
    caller: Caller,
    id: String,
    status: ArticleStatus,
) -> Result<ArticleRow, ApiError> {
    caller.require(&[Role::Federal])?;
    let row = state
        .db
        .write(move |conn| {
            let old = kb::find(conn, &id)?;
            if old.status == status.as_str() {
                return Ok(old);
            }
            let a = old.article();
            let f = Fields {
                title: a.title,
                question: a.question,
                variants: a.variants,
                answer: a.answer,
                legal_refs: a.legal_refs,
                tags: a.tags,
            };
            save_version(conn, &old, &f, Some(status), &caller)?;
            kb::find(conn, &id)
        })
        .await?;
    state.kb.apply(&row);
    Ok(row)
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
    let row = set_status(&state, caller, id.into_inner(), ArticleStatus::Published).await?;
    Ok(article_response(&row, StatusCode::OK))
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
    let row = set_status(&state, caller, id.into_inner(), ArticleStatus::Archived).await?;
    Ok(article_response(&row, StatusCode::OK))
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
    caller.require(&[Role::Federal])?;
    let limit = usize::try_from(page.limit()?).unwrap_or(20);
    // The cursor of this list is the last version number seen.
    let after: Option<i32> = match page.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(c.parse().map_err(|_| {
            ApiError::MalformedQuery("Неверный курсор страницы (cursor).".to_owned())
        })?),
        None => None,
    };
    let id = id.into_inner();
    let all = state
        .db
        .read(move |conn| {
            kb::find(conn, &id)?;
            Ok(kb::versions(conn, &id)?)
        })
        .await?;
    let mut items: Vec<ArticleVersion> = all
        .into_iter()
        .filter(|v| after.is_none_or(|a| v.version < a))
        .collect();
    let next_cursor = (items.len() > limit).then(|| items[limit - 1].version.to_string());
    items.truncate(limit);
    Ok(web::Json(Page { items, next_cursor }))
}

/// Filter of the variant queue.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VariantFilter {
    /// `candidate` (default), `confirmed` or `rejected`.
    pub status: Option<String>,
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
    caller.require(&[Role::Federal])?;
    let status = filter
        .into_inner()
        .status
        .unwrap_or_else(|| "candidate".to_owned());
    if !["candidate", "confirmed", "rejected"].contains(&status.as_str()) {
        return Err(ApiError::field(
            "status",
            "invalid",
            "status: candidate, confirmed или rejected.",
        ));
    }
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    let page = state
        .db
        .read(move |conn| {
            type Row = (
                String,
                String,
                String,
                String,
                Option<String>,
                String,
                chrono::NaiveDateTime,
                String,
            );
            let mut query = kv::table
                .inner_join(a::table)
                .filter(kv::status.eq(&status))
                .select((
                    kv::id,
                    kv::article_id,
                    kv::text,
                    kv::source,
                    kv::appeal_id,
                    kv::status,
                    kv::created_at,
                    a::title,
                ))
                .into_boxed();
            if let Some(Cursor { at, id }) = cursor {
                query = query.filter(
                    kv::created_at
                        .lt(at)
                        .or(kv::created_at.eq(at).and(kv::id.lt(id))),
                );
            }
            let rows: Vec<Row> = query
                .order((kv::created_at.desc(), kv::id.desc()))
                .limit(limit + 1)
                .load(conn)?;
            let (rows, next_cursor) = pagination::finish(rows, limit, |r| Cursor {
                at: r.6,
                id: r.0.clone(),
            });
            let items = rows
                .into_iter()
                .map(|r| Variant {
                    id: r.0,
                    article_id: r.1,
                    text: r.2,
                    source: r.3,
                    appeal_id: r.4,
                    status: r.5,
                    created_at: db::rfc3339(r.6),
                    article_title: r.7,
                })
                .collect();
            Ok(Page { items, next_cursor })
        })
        .await?;
    Ok(web::Json(page))
}

async fn decide_variant(
    state: &AppState,
    caller: Caller,
    id: String,
    confirm: bool,
) -> Result<(), ApiError> {
    caller.require(&[Role::Federal])?;
    let changed = state
        .db
        .write(move |conn| {
            let found: Option<(String, String, String)> = kv::table
                .find(&id)
                .select((kv::article_id, kv::text, kv::status))
                .first(conn)
                .optional()?;
            let (article_id, text, status) = found.ok_or(ApiError::NotFound)?;
            if status != "candidate" {
                return Err(ApiError::Conflict {
                    code: "already_decided",
                    detail: "Решение по этому варианту уже принято.".to_owned(),
                });
            }
            diesel::update(kv::table.find(&id))
                .set((
                    kv::status.eq(if confirm { "confirmed" } else { "rejected" }),
                    kv::decided_by.eq(&caller.user_id),
                    kv::decided_at.eq(db::now()),
                ))
                .execute(conn)?;
            audit::record(
                conn,
                &caller.actor(),
                if confirm {
                    "kb.variant.confirm"
                } else {
                    "kb.variant.reject"
                },
                "kb_variant",
                Some(&id),
                None,
                None,
            )?;
            if !confirm {
                return Ok(None);
            }
            let old = kb::find(conn, &article_id)?;
            let a = old.article();
            let mut variants = a.variants;
            if !variants.contains(&text) {
                variants.push(text);
            }
            let f = Fields {
                title: a.title,
                question: a.question,
                variants,
                answer: a.answer,
                legal_refs: a.legal_refs,
                tags: a.tags,
            };
            save_version(conn, &old, &f, None, &caller)?;
            Ok(Some(kb::find(conn, &article_id)?))
        })
        .await?;
    if let Some(row) = changed {
        state.kb.apply(&row);
    }
    Ok(())
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
    decide_variant(&state, caller, id.into_inner(), true).await?;
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
    decide_variant(&state, caller, id.into_inner(), false).await?;
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
    caller.require(STAFF)?;
    let items = state.db.read(|conn| Ok(kb::synonyms(conn)?)).await?;
    Ok(web::Json(ItemList {
        items: items
            .into_iter()
            .map(|s| SynonymEntry {
                term: s.term,
                expansions: s.expansions,
            })
            .collect(),
    }))
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
    caller.require(&[Role::Federal])?;
    let entries = body.into_inner().items;
    if entries.len() > 5000 {
        return Err(ApiError::field(
            "items",
            "too_many",
            "Не больше 5000 записей.",
        ));
    }
    let mut items: Vec<Synonym> = Vec::with_capacity(entries.len());
    for e in entries {
        let term = validate::text("term", &e.term, 100, true)?
            .unwrap_or_default()
            .to_lowercase();
        // No expansion drops the phrase (greetings in the default dictionary): what GET
        // returns can always be saved back.
        let expansions = check_list("expansions", &e.expansions, 20, 200)?;
        if items.iter().any(|s| s.term == term) {
            return Err(ApiError::field(
                "term",
                "duplicate",
                &format!("«{term}» встречается дважды."),
            ));
        }
        items.push(Synonym { term, expansions });
    }
    let stored = items.clone();
    state
        .db
        .write(move |conn| {
            kb::replace_synonyms(conn, &stored, Some(&caller.user_id))?;
            audit::record(
                conn,
                &caller.actor(),
                "kb.synonyms.replace",
                "kb_synonyms",
                None,
                None,
                Some(&serde_json::json!({ "count": stored.len() })),
            )?;
            Ok(())
        })
        .await?;
    let response = items
        .iter()
        .map(|s| SynonymEntry {
            term: s.term.clone(),
            expansions: s.expansions.clone(),
        })
        .collect();
    state.kb.apply_synonyms(items);
    Ok(web::Json(ItemList { items: response }))
}
