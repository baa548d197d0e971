//! Articles: search, the lists and one article as each role may see them, writing a draft,
//! saving new versions, publishing and archiving. Every change records a version and an
//! audit entry in the same transaction, then reaches the answer engine at once.

use diesel::prelude::*;
use shared::kb::{
    Article, ArticleStatus, ArticleVersion, CreateArticle, SearchHit, SearchResult, UpdateArticle,
};
use shared::users::Role;
use shared::Page;

use super::engine::KnowledgeBase;
use super::store::{self, to_json_list, ArticleRow};
use crate::auth::Caller;
use crate::db::schema::kb_articles as a;
use crate::db::{self, audit, AnyConnection, Db};
use crate::domain::pagination::{self, Cursor, PageQuery};
use crate::domain::validate;
use crate::error::ApiError;

/// Drafts and archived articles are the federal curator's working material: only `federal`
/// sees them; everybody else reads published answers.
#[must_use]
pub fn sees_unpublished(role: Role) -> bool {
    role == Role::Federal
}

/// The editable fields of an article, checked.
#[derive(Debug, Clone)]
pub struct Fields {
    title: String,
    question: String,
    variants: Vec<String>,
    answer: String,
    legal_refs: Vec<String>,
    tags: Vec<String>,
}

impl Fields {
    /// An article's current fields, unchecked (they were checked when saved).
    fn of(article: Article) -> Self {
        Self {
            title: article.title,
            question: article.question,
            variants: article.variants,
            answer: article.answer,
            legal_refs: article.legal_refs,
            tags: article.tags,
        }
    }

    /// Checks a new article.
    ///
    /// # Errors
    /// 422 with the first failing field.
    pub fn parse_new(body: CreateArticle) -> Result<Self, ApiError> {
        Self {
            title: body.title,
            question: body.question,
            variants: body.variants,
            answer: body.answer,
            legal_refs: body.legal_refs,
            tags: body.tags,
        }
        .checked()
    }

    /// Applies a partial update to the current fields and checks the result.
    ///
    /// # Errors
    /// 422 with the first failing field.
    fn updated(current: Article, body: UpdateArticle) -> Result<Self, ApiError> {
        Self {
            title: body.title.unwrap_or(current.title),
            question: body.question.unwrap_or(current.question),
            variants: body.variants.unwrap_or(current.variants),
            answer: body.answer.unwrap_or(current.answer),
            legal_refs: body.legal_refs.unwrap_or(current.legal_refs),
            tags: body.tags.unwrap_or(current.tags),
        }
        .checked()
    }

    fn checked(&self) -> Result<Self, ApiError> {
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
        let title = validate::text("title", &self.title, 200, true)?.unwrap_or_default();
        let question = validate::text("question", &self.question, 1000, true)?.unwrap_or_default();
        min("question", &question, 10)?;
        let answer = validate::text("answer", &self.answer, 20_000, true)?.unwrap_or_default();
        min("answer", &answer, 10)?;
        Ok(Self {
            title,
            question,
            answer,
            variants: check_list("variants", &self.variants, 200, 1000)?,
            legal_refs: check_list("legal_refs", &self.legal_refs, 50, 500)?,
            tags: check_list("tags", &self.tags, 30, 60)?,
        })
    }
}

/// A list of short texts: at most `max_items`, each trimmed and at most `max_len`
/// characters; empty items and repeats are dropped.
///
/// # Errors
/// 422 for too many items or a bad item.
pub fn check_list(
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

/// Ranks published articles for a question, with the engine's decision.
///
/// # Errors
/// 422 for a `limit` outside 1–20 or a question over 4000 characters; a database failure.
pub async fn search(
    db: &Db,
    kb: &KnowledgeBase,
    q: &str,
    limit: Option<u32>,
) -> Result<SearchResult, ApiError> {
    let limit = match limit.unwrap_or(5) {
        n @ 1..=20 => n as usize,
        _ => {
            return Err(ApiError::field(
                "limit",
                "out_of_range",
                "limit — число от 1 до 20.",
            ))
        }
    };
    if q.chars().count() > 4000 {
        return Err(ApiError::field(
            "q",
            "too_long",
            "Запрос не длиннее 4000 символов.",
        ));
    }
    let decision = kb.engine().decide(q, limit);
    let explained = kb.engine().explain_hits(q, limit);
    let ids: Vec<String> = decision.hits.iter().map(|h| h.article_id.clone()).collect();
    let titles = db
        .read(move |conn| {
            let rows: Vec<(String, String, String)> = a::table
                .filter(a::id.eq_any(&ids))
                .filter(a::status.eq(ArticleStatus::Published))
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
            let why = explained.iter().find(|e| e.article_id == h.article_id);
            Some(SearchHit {
                article_id: h.article_id.clone(),
                title: title.clone(),
                question: question.clone(),
                score: h.score,
                matched: why.map(|e| e.matched.clone()).unwrap_or_default(),
                probability: why.and_then(|e| e.probability),
            })
        })
        .collect();
    Ok(SearchResult {
        confident: decision.confident,
        abstain_reason: decision.abstain_reason,
        engine: format!("{} {}", decision.engine, decision.version),
        items,
    })
}

/// What a list of articles asks for.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Status (default `published`).
    pub status: Option<ArticleStatus>,
    /// Only articles with this tag.
    pub tag: Option<String>,
    /// A question: published articles ranked by the engine (one page).
    pub q: Option<String>,
}

/// Articles, newest change first; with `q`, published articles ranked by relevance.
///
/// # Errors
/// 403 for another status than `published` unless the role [`sees_unpublished`]; 400/422
/// for a bad page; a database failure.
pub async fn list(
    db: &Db,
    kb: &KnowledgeBase,
    role: Role,
    filter: ListFilter,
    page: &PageQuery,
) -> Result<Page<Article>, ApiError> {
    let status = filter.status.unwrap_or(ArticleStatus::Published);
    if status != ArticleStatus::Published && !sees_unpublished(role) {
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
            kb.engine()
                .decide(q, n)
                .hits
                .into_iter()
                .map(|h| h.article_id)
                .collect()
        });
    let tag = filter.tag;
    db.read(move |conn| match ranked {
        Some(ids) => ranked_page(conn, &ids, tag.as_ref()),
        None => status_page(conn, status, tag.as_ref(), cursor, limit),
    })
    .await
}

/// Published articles in the engine's order, filtered by tag.
fn ranked_page(
    conn: &mut AnyConnection,
    ids: &[String],
    tag: Option<&String>,
) -> Result<Page<Article>, ApiError> {
    let rows: Vec<ArticleRow> = a::table
        .filter(a::id.eq_any(ids))
        .filter(a::status.eq(ArticleStatus::Published))
        .select(ArticleRow::as_select())
        .load(conn)?;
    let items = ids
        .iter()
        .filter_map(|id| rows.iter().find(|r| &r.id == id))
        .filter(|r| tag.is_none_or(|t| r.article().tags.contains(t)))
        .map(ArticleRow::article)
        .collect();
    Ok(Page {
        items,
        next_cursor: None,
    })
}

/// One page of the articles of a status, newest change first.
fn status_page(
    conn: &mut AnyConnection,
    status: ArticleStatus,
    tag: Option<&String>,
    cursor: Option<Cursor>,
    limit: i64,
) -> Result<Page<Article>, ApiError> {
    let mut query = a::table
        .select(ArticleRow::as_select())
        .filter(a::status.eq(status))
        .into_boxed();
    if let Some(tag) = tag {
        // Tags are a JSON list; match the quoted element.
        query = query.filter(a::tags.like(format!(
            "%{}%",
            serde_json::to_string(tag).unwrap_or_default()
        )));
    }
    query = pagination::before_cursor!(query, cursor, a::updated_at, a::id);
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
}

/// One article as `role` may see it: drafts and archived articles are 404 unless the role
/// [`sees_unpublished`].
///
/// # Errors
/// `NotFound` or a database failure.
pub async fn get(db: &Db, role: Role, id: String) -> Result<Article, ApiError> {
    let row = db.read(move |conn| store::find(conn, &id)).await?;
    if !row.is_published() && !sees_unpublished(role) {
        return Err(ApiError::NotFound);
    }
    Ok(row.article())
}

/// Writes a new draft (version 1, not searchable until published), inside the caller's
/// transaction.
///
/// # Errors
/// A database failure.
pub fn create(conn: &mut AnyConnection, caller: &Caller, f: &Fields) -> Result<Article, ApiError> {
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
            a::status.eq(ArticleStatus::Draft),
            a::version.eq(1),
            a::created_by.eq(&caller.user_id),
            a::created_at.eq(now),
            a::updated_at.eq(now),
        ))
        .execute(conn)?;
    let row = store::find(conn, &id)?;
    store::record_version(conn, &row, Some(&caller.user_id))?;
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
}

/// Saves a new version of an article (a published article stays published and the engine
/// sees the change at once).
///
/// # Errors
/// `NotFound`, 422 for a bad field, or a database failure.
pub async fn update(
    db: &Db,
    kb: &KnowledgeBase,
    caller: Caller,
    id: String,
    body: UpdateArticle,
) -> Result<Article, ApiError> {
    let row = db
        .write(move |conn| {
            let old = store::find(conn, &id)?;
            let f = Fields::updated(old.article(), body)?;
            save_version(conn, &old, &f, None, &caller)?;
            store::find(conn, &id)
        })
        .await?;
    kb.apply(&row);
    Ok(row.article())
}

/// Publishes or archives an article (nothing changes when it already has that status).
///
/// # Errors
/// `NotFound` or a database failure.
pub async fn set_status(
    db: &Db,
    kb: &KnowledgeBase,
    caller: Caller,
    id: String,
    status: ArticleStatus,
) -> Result<Article, ApiError> {
    let row = db
        .write(move |conn| {
            let old = store::find(conn, &id)?;
            if old.status == status {
                return Ok(old);
            }
            save_version(
                conn,
                &old,
                &Fields::of(old.article()),
                Some(status),
                &caller,
            )?;
            store::find(conn, &id)
        })
        .await?;
    kb.apply(&row);
    Ok(row.article())
}

/// Adds a confirmed wording to an article's variants as a new version; returns the saved
/// row for the engine.
///
/// # Errors
/// `NotFound` or a database failure.
pub(super) fn add_variant(
    conn: &mut AnyConnection,
    article_id: &str,
    text: String,
    caller: &Caller,
) -> Result<ArticleRow, ApiError> {
    let old = store::find(conn, article_id)?;
    let mut f = Fields::of(old.article());
    if !f.variants.contains(&text) {
        f.variants.push(text);
    }
    save_version(conn, &old, &f, None, caller)?;
    store::find(conn, article_id)
}

fn save_version(
    conn: &mut AnyConnection,
    old: &ArticleRow,
    f: &Fields,
    status: Option<ArticleStatus>,
    caller: &Caller,
) -> Result<(), ApiError> {
    let now = db::now();
    let status = status.unwrap_or(old.status);
    let publishing = status == ArticleStatus::Published && !old.is_published();
    diesel::update(a::table.find(&old.id))
        .set((
            a::title.eq(&f.title),
            a::question.eq(&f.question),
            a::variants.eq(to_json_list(&f.variants)),
            a::answer.eq(&f.answer),
            a::legal_refs.eq(to_json_list(&f.legal_refs)),
            a::tags.eq(to_json_list(&f.tags)),
            a::status.eq(status),
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
    let row = store::find(conn, &old.id)?;
    store::record_version(conn, &row, Some(&caller.user_id))?;
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

/// Every stored version of an article, newest first; the cursor of this list is the last
/// version number seen.
///
/// # Errors
/// 400 for a bad cursor, 422 for a bad limit, `NotFound`, or a database failure.
pub async fn versions(
    db: &Db,
    id: String,
    page: &PageQuery,
) -> Result<Page<ArticleVersion>, ApiError> {
    let limit = usize::try_from(page.limit()?).unwrap_or(20);
    let after: Option<i32> = match page.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(c.parse().map_err(|_| {
            ApiError::MalformedQuery("Неверный курсор страницы (cursor).".to_owned())
        })?),
        None => None,
    };
    let all = db
        .read(move |conn| {
            store::find(conn, &id)?;
            Ok(store::versions(conn, &id)?)
        })
        .await?;
    let mut items: Vec<ArticleVersion> = all
        .into_iter()
        .filter(|v| after.is_none_or(|a| v.version < a))
        .collect();
    let next_cursor = (items.len() > limit).then(|| items[limit - 1].version.to_string());
    items.truncate(limit);
    Ok(Page { items, next_cursor })
}
