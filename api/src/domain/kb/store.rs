//! The knowledge base as stored: articles, their versions, candidate variants and the
//! synonym dictionary; imports and exports. Lists are JSON text (portable across both
//! backends).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::kb::{Article, ArticleStatus, ArticleVersion, VariantStatus};

use crate::db::schema::{
    kb_article_versions as v, kb_articles as a, kb_synonyms as syn, kb_variants as kv,
};
use crate::db::{self, AnyConnection};
use crate::error::ApiError;
use crate::matching::{default_synonyms, ArticleDoc, KbRecord, Synonym};

/// A row of `kb_articles`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::kb_articles)]
pub struct ArticleRow {
    pub id: String,
    pub title: String,
    pub question: String,
    pub variants: String,
    pub answer: String,
    pub legal_refs: String,
    pub tags: String,
    pub status: ArticleStatus,
    pub version: i32,
    pub metadata: String,
    pub source_appeal_id: Option<String>,
    pub created_by: Option<String>,
    pub approved_by: Option<String>,
    pub approved_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub(super) fn list(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// Lists are stored as JSON text (portable across both backends).
#[must_use]
pub fn to_json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}

impl ArticleRow {
    /// Is it searchable?
    #[must_use]
    pub fn is_published(&self) -> bool {
        self.status == ArticleStatus::Published
    }

    /// What the engine indexes.
    #[must_use]
    pub fn doc(&self) -> ArticleDoc {
        ArticleDoc {
            id: self.id.clone(),
            title: self.title.clone(),
            question: self.question.clone(),
            variants: list(&self.variants),
            tags: list(&self.tags),
            answer: self.answer.clone(),
        }
    }

    /// The API shape.
    #[must_use]
    pub fn article(&self) -> Article {
        Article {
            id: self.id.clone(),
            title: self.title.clone(),
            question: self.question.clone(),
            variants: list(&self.variants),
            answer: self.answer.clone(),
            legal_refs: list(&self.legal_refs),
            tags: list(&self.tags),
            status: self.status,
            version: self.version,
            updated_at: db::rfc3339(self.updated_at),
            approved_by: self.approved_by.clone(),
            approved_at: self.approved_at.map(db::rfc3339),
            source_appeal_id: self.source_appeal_id.clone(),
        }
    }

    /// The import/export record (unknown import fields come back from `metadata`).
    #[must_use]
    pub fn record(&self) -> KbRecord {
        KbRecord {
            id: self.id.clone(),
            title: self.title.clone(),
            question: self.question.clone(),
            variants: list(&self.variants),
            answer: self.answer.clone(),
            legal_refs: list(&self.legal_refs),
            tags: list(&self.tags),
            extra: serde_json::from_str(&self.metadata).unwrap_or_default(),
        }
    }
}

/// Loads one article.
///
/// # Errors
/// `NotFound` or a database failure.
pub fn find(conn: &mut AnyConnection, id: &str) -> Result<ArticleRow, ApiError> {
    a::table
        .find(id)
        .select(ArticleRow::as_select())
        .first(conn)
        .map_err(ApiError::from)
}

/// Appends the article's current state to its version history.
///
/// # Errors
/// A database failure.
pub fn record_version(
    conn: &mut AnyConnection,
    row: &ArticleRow,
    author: Option<&str>,
) -> QueryResult<()> {
    diesel::insert_into(v::table)
        .values((
            v::id.eq(db::new_id()),
            v::article_id.eq(&row.id),
            v::version.eq(row.version),
            v::title.eq(&row.title),
            v::question.eq(&row.question),
            v::variants.eq(&row.variants),
            v::answer.eq(&row.answer),
            v::legal_refs.eq(&row.legal_refs),
            v::tags.eq(&row.tags),
            v::status.eq(row.status),
            v::author_id.eq(author),
            v::created_at.eq(row.updated_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Stored versions, newest first.
///
/// # Errors
/// A database failure.
pub fn versions(conn: &mut AnyConnection, id: &str) -> QueryResult<Vec<ArticleVersion>> {
    type Row = (
        i32,
        String,
        String,
        String,
        String,
        String,
        String,
        ArticleStatus,
        Option<String>,
        NaiveDateTime,
    );
    let rows: Vec<Row> = v::table
        .filter(v::article_id.eq(id))
        .order(v::version.desc())
        .select((
            v::version,
            v::title,
            v::question,
            v::variants,
            v::answer,
            v::legal_refs,
            v::tags,
            v::status,
            v::author_id,
            v::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| ArticleVersion {
            version: r.0,
            title: r.1,
            question: r.2,
            variants: list(&r.3),
            answer: r.4,
            legal_refs: list(&r.5),
            tags: list(&r.6),
            status: r.7,
            author_id: r.8,
            created_at: db::rfc3339(r.9),
        })
        .collect())
}

/// Collects a teacher's wording as a candidate variant of an article (operators answered
/// with it, or the teacher accepted it as a suggestion). Skips exact duplicates.
///
/// # Errors
/// A database failure.
pub fn add_candidate_variant(
    conn: &mut AnyConnection,
    article_id: &str,
    text: &str,
    source: &str,
    appeal_id: Option<&str>,
) -> QueryResult<()> {
    let exists: i64 = kv::table
        .filter(kv::article_id.eq(article_id))
        .filter(kv::text.eq(text))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(());
    }
    diesel::insert_into(kv::table)
        .values((
            kv::id.eq(db::new_id()),
            kv::article_id.eq(article_id),
            kv::text.eq(text),
            kv::source.eq(source),
            kv::appeal_id.eq(appeal_id),
            kv::status.eq(VariantStatus::Candidate),
            kv::created_at.eq(db::now()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The synonym dictionary as stored; seeds the default one into an empty table.
///
/// # Errors
/// A database failure.
pub fn synonyms(conn: &mut AnyConnection) -> QueryResult<Vec<Synonym>> {
    let rows: Vec<(String, String)> = syn::table
        .select((syn::term, syn::expansions))
        .order(syn::term.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(term, exp)| Synonym {
            term,
            expansions: list(&exp),
        })
        .collect())
}

/// Replaces the whole dictionary.
///
/// # Errors
/// A database failure.
pub fn replace_synonyms(
    conn: &mut AnyConnection,
    items: &[Synonym],
    author: Option<&str>,
) -> QueryResult<()> {
    diesel::delete(syn::table).execute(conn)?;
    let now = db::now();
    for s in items {
        diesel::insert_into(syn::table)
            .values((
                syn::term.eq(&s.term),
                syn::expansions.eq(to_json_list(&s.expansions)),
                syn::updated_by.eq(author),
                syn::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Seeds the default dictionary when none is stored (first start).
///
/// # Errors
/// A database failure.
pub fn seed_synonyms(conn: &mut AnyConnection) -> QueryResult<()> {
    let stored: i64 = syn::table.count().get_result(conn)?;
    if stored == 0 {
        replace_synonyms(conn, &default_synonyms(), None)?;
    }
    Ok(())
}

/// Upserts imported records as published articles, all in the caller's transaction: a new
/// id starts at version 1, a changed article gets the next version, an unchanged one is left.
/// Returns (created, updated, unchanged).
///
/// # Errors
/// A database failure.
pub fn import(
    conn: &mut AnyConnection,
    records: &[KbRecord],
    mut progress: impl FnMut(usize),
) -> QueryResult<(usize, usize, usize)> {
    let (mut created, mut updated, mut unchanged) = (0, 0, 0);
    for (i, r) in records.iter().enumerate() {
        let now = db::now();
        let metadata = serde_json::to_string(&r.extra).unwrap_or_else(|_| "{}".to_owned());
        let existing: Option<ArticleRow> = a::table
            .find(&r.id)
            .select(ArticleRow::as_select())
            .first(conn)
            .optional()?;
        let values = (
            a::title.eq(&r.title),
            a::question.eq(&r.question),
            a::variants.eq(to_json_list(&r.variants)),
            a::answer.eq(&r.answer),
            a::legal_refs.eq(to_json_list(&r.legal_refs)),
            a::tags.eq(to_json_list(&r.tags)),
            a::status.eq(ArticleStatus::Published),
            a::metadata.eq(&metadata),
            a::updated_at.eq(now),
        );
        match existing {
            Some(old) if old.record() == *r && old.is_published() => unchanged += 1,
            Some(old) => {
                diesel::update(a::table.find(&r.id))
                    .set((
                        values,
                        a::version.eq(old.version + 1),
                        a::approved_at.eq(now),
                    ))
                    .execute(conn)?;
                let row: ArticleRow = a::table
                    .find(&r.id)
                    .select(ArticleRow::as_select())
                    .first(conn)?;
                record_version(conn, &row, None)?;
                updated += 1;
            }
            None => {
                diesel::insert_into(a::table)
                    .values((
                        values,
                        a::id.eq(&r.id),
                        a::version.eq(1),
                        a::approved_at.eq(now),
                        a::created_at.eq(now),
                    ))
                    .execute(conn)?;
                let row: ArticleRow = a::table
                    .find(&r.id)
                    .select(ArticleRow::as_select())
                    .first(conn)?;
                record_version(conn, &row, None)?;
                created += 1;
            }
        }
        progress(i + 1);
    }
    Ok((created, updated, unchanged))
}

/// Every article, for export (ordered by id).
///
/// # Errors
/// A database failure.
pub fn all(conn: &mut AnyConnection) -> QueryResult<Vec<ArticleRow>> {
    a::table
        .select(ArticleRow::as_select())
        .order(a::id.asc())
        .load(conn)
}
