//! Answer templates per region: ready texts the region's operators and its heads write,
//! edit and insert into the composer of the appeal screen.
//!
//! The scope is the caller's regions: a template of another region is not found (404), a
//! region outside them answers 403 `region_out_of_scope`. Every change is audit-logged.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::operator::{AnswerTemplate, TemplateInput, MAX_TEMPLATE_TEXT, MAX_TEMPLATE_TITLE};
use shared::{Page, RegionRef};

use crate::auth::Caller;
use crate::db::schema::{answer_templates as t, regions, users};
use crate::db::{self, audit, AnyConnection};
use crate::domain::pagination::{self, before_cursor, Cursor};
use crate::domain::validate;
use crate::error::ApiError;

/// A checked [`TemplateInput`].
#[derive(Debug, Clone)]
pub struct Fields {
    region: String,
    title: String,
    text: String,
}

impl Fields {
    /// Checks the lengths; the text keeps its line breaks.
    ///
    /// # Errors
    /// 422 naming the field, in Russian.
    pub fn parse(input: &TemplateInput) -> Result<Self, ApiError> {
        let title =
            validate::text("title", &input.title, MAX_TEMPLATE_TITLE, true)?.unwrap_or_default();
        let text = input.text.trim().to_owned();
        if text.is_empty() {
            return Err(ApiError::field(
                "text",
                "required",
                "Напишите текст шаблона.",
            ));
        }
        if text.chars().count() > MAX_TEMPLATE_TEXT {
            return Err(ApiError::field(
                "text",
                "too_long",
                "Текст шаблона — не длиннее 5000 символов.",
            ));
        }
        Ok(Self {
            region: input.region.trim().to_owned(),
            title,
            text,
        })
    }
}

type Row = (
    String,
    String,
    String,
    String,
    NaiveDateTime,
    NaiveDateTime,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn to_dto(row: Row) -> AnswerTemplate {
    let (id, code, title, text, _created, updated, region_name, surname, name, patronymic, email) =
        row;
    let full: Vec<String> = [surname, name, patronymic]
        .into_iter()
        .flatten()
        .filter(|p| !p.trim().is_empty())
        .collect();
    let author_name = if full.is_empty() {
        email
    } else {
        Some(full.join(" "))
    };
    AnswerTemplate {
        id,
        region: RegionRef {
            code,
            name: region_name,
        },
        title,
        text,
        author_name,
        updated_at: db::rfc3339(updated),
    }
}

macro_rules! joined {
    () => {
        t::table
            .inner_join(regions::table.on(regions::code.eq(t::region_code)))
            .inner_join(users::table.on(users::id.eq(t::author_id)))
            .select((
                t::id,
                t::region_code,
                t::title,
                t::body,
                t::created_at,
                t::updated_at,
                regions::name,
                users::surname,
                users::name,
                users::patronymic,
                users::email,
            ))
    };
}

/// The region must be one of the caller's: 403 `region_out_of_scope` otherwise (422 for a
/// code that is no region at all).
fn check_region(conn: &mut AnyConnection, caller: &Caller, code: &str) -> Result<(), ApiError> {
    let known: i64 = regions::table
        .filter(regions::code.eq(code))
        .count()
        .get_result(conn)?;
    if known == 0 {
        return Err(ApiError::field("region", "unknown", "Нет такого региона."));
    }
    if caller.regions.iter().any(|r| r == code) {
        Ok(())
    } else {
        Err(ApiError::RegionOutOfScope)
    }
}

/// One template of the caller's regions (404 otherwise).
fn load(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<AnswerTemplate, ApiError> {
    let row: Option<Row> = joined!()
        .filter(t::id.eq(id))
        .filter(t::region_code.eq_any(caller.regions.clone()))
        .first(conn)
        .optional()?;
    row.map(to_dto).ok_or(ApiError::NotFound)
}

/// The templates of the caller's regions (or of `region`, one of them), newest first.
///
/// # Errors
/// 403 for a region outside the caller's, or a database failure.
pub fn list(
    conn: &mut AnyConnection,
    caller: &Caller,
    region: Option<&str>,
    limit: i64,
    cursor: Option<Cursor>,
) -> Result<Page<AnswerTemplate>, ApiError> {
    let codes = match region {
        Some(code) if caller.regions.iter().any(|r| r == code) => vec![code.to_owned()],
        Some(_) => return Err(ApiError::RegionOutOfScope),
        None => caller.regions.clone(),
    };
    let mut query = joined!().filter(t::region_code.eq_any(codes)).into_boxed();
    query = before_cursor!(query, cursor, t::created_at, t::id);
    let rows: Vec<Row> = query
        .order((t::created_at.desc(), t::id.desc()))
        .limit(limit + 1)
        .load(conn)?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |r| Cursor {
        at: r.4,
        id: r.0.clone(),
    });
    Ok(Page {
        items: rows.into_iter().map(to_dto).collect(),
        next_cursor,
    })
}

/// Writes a new template for one of the caller's regions.
///
/// # Errors
/// 403 / 422 for the region, or a database failure.
pub fn create(
    conn: &mut AnyConnection,
    caller: &Caller,
    fields: &Fields,
) -> Result<AnswerTemplate, ApiError> {
    check_region(conn, caller, &fields.region)?;
    let id = db::new_id();
    let now = db::now();
    diesel::insert_into(t::table)
        .values((
            t::id.eq(&id),
            t::region_code.eq(&fields.region),
            t::title.eq(&fields.title),
            t::body.eq(&fields.text),
            t::author_id.eq(&caller.user_id),
            t::created_at.eq(now),
            t::updated_at.eq(now),
        ))
        .execute(conn)?;
    let after = serde_json::json!({ "region": fields.region, "title": fields.title });
    audit::record(
        conn,
        &caller.actor(),
        "template.create",
        "answer_template",
        Some(&id),
        None,
        Some(&after),
    )?;
    load(conn, caller, &id)
}

/// Replaces a template's fields (any operator or head of its region may edit it; the
/// region may change to another of the caller's).
///
/// # Errors
/// 404 outside the caller's regions, 403 / 422 for the new region, or a database failure.
pub fn update(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    fields: &Fields,
) -> Result<AnswerTemplate, ApiError> {
    let before = load(conn, caller, id)?;
    check_region(conn, caller, &fields.region)?;
    diesel::update(t::table.find(id))
        .set((
            t::region_code.eq(&fields.region),
            t::title.eq(&fields.title),
            t::body.eq(&fields.text),
            t::updated_at.eq(db::now()),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        &caller.actor(),
        "template.update",
        "answer_template",
        Some(id),
        Some(&serde_json::json!({ "region": before.region.code, "title": before.title })),
        Some(&serde_json::json!({ "region": fields.region, "title": fields.title })),
    )?;
    load(conn, caller, id)
}

/// Deletes a template of the caller's regions.
///
/// # Errors
/// 404 outside the caller's regions, or a database failure.
pub fn delete(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<(), ApiError> {
    let before = load(conn, caller, id)?;
    diesel::delete(t::table.find(id)).execute(conn)?;
    audit::record(
        conn,
        &caller.actor(),
        "template.delete",
        "answer_template",
        Some(id),
        Some(&serde_json::json!({ "region": before.region.code, "title": before.title })),
        None,
    )?;
    Ok(())
}
