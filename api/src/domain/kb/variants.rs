//! Candidate question variants, collected from answered appeals and accepted suggestions,
//! waiting for the federal curator: the queue and the decision. A confirmed variant joins
//! its article (a new version) and is searchable at once.

use diesel::prelude::*;
use shared::kb::{Variant, VariantStatus};
use shared::Page;

use super::articles;
use super::engine::KnowledgeBase;
use crate::auth::Caller;
use crate::db::schema::{kb_articles as a, kb_variants as kv};
use crate::db::{self, audit, AnyConnection, Db};
use crate::domain::pagination::{self, Cursor, PageQuery};
use crate::error::ApiError;

type Row = (
    String,
    String,
    String,
    String,
    Option<String>,
    VariantStatus,
    chrono::NaiveDateTime,
    String,
);

/// One page of the variants of a status (default `candidate`), newest first, with their
/// article's title.
///
/// # Errors
/// 422 for an unknown status or limit, 400 for a bad cursor, or a database failure.
pub async fn list(
    db: &Db,
    status: Option<String>,
    page: &PageQuery,
) -> Result<Page<Variant>, ApiError> {
    let status = match status.as_deref() {
        None => VariantStatus::Candidate,
        Some(name) => VariantStatus::parse(name).ok_or_else(|| {
            ApiError::field(
                "status",
                "invalid",
                "status: candidate, confirmed или rejected.",
            )
        })?,
    };
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    db.read(move |conn| page_of(conn, status, cursor, limit))
        .await
}

fn page_of(
    conn: &mut AnyConnection,
    status: VariantStatus,
    cursor: Option<Cursor>,
    limit: i64,
) -> Result<Page<Variant>, ApiError> {
    let mut query = kv::table
        .inner_join(a::table)
        .filter(kv::status.eq(status))
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
    query = pagination::before_cursor!(query, cursor, kv::created_at, kv::id);
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
            status: r.5.as_str().to_owned(),
            created_at: db::rfc3339(r.6),
            article_title: r.7,
        })
        .collect();
    Ok(Page { items, next_cursor })
}

/// Confirms (`confirm`) or rejects a candidate; a confirmed one becomes a variant of its
/// article and reaches the engine at once.
///
/// # Errors
/// `NotFound`, 409 `already_decided`, or a database failure.
pub async fn decide(
    db: &Db,
    kb: &KnowledgeBase,
    caller: Caller,
    id: String,
    confirm: bool,
) -> Result<(), ApiError> {
    let changed = db
        .write(move |conn| {
            let found: Option<(String, String, VariantStatus)> = kv::table
                .find(&id)
                .select((kv::article_id, kv::text, kv::status))
                .first(conn)
                .optional()?;
            let (article_id, text, status) = found.ok_or(ApiError::NotFound)?;
            if status != VariantStatus::Candidate {
                return Err(ApiError::Conflict {
                    code: "already_decided",
                    detail: "Решение по этому варианту уже принято.".to_owned(),
                });
            }
            diesel::update(kv::table.find(&id))
                .set((
                    kv::status.eq(if confirm {
                        VariantStatus::Confirmed
                    } else {
                        VariantStatus::Rejected
                    }),
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
            articles::add_variant(conn, &article_id, text, &caller).map(Some)
        })
        .await?;
    if let Some(row) = changed {
        kb.apply(&row);
    }
    Ok(())
}
