//! Finding a teacher by name for the quick appeal («+ Быстрое»): an operator types part of
//! a name and picks the teacher, whose id becomes the appeal's `teacher_id`.
//!
//! Only teachers of the caller's regions are searched (the same rule as the quick appeal's
//! own check), never people without an account (their placeholder rows hold a name for an
//! appeal, not an account to find), never erased accounts. The answer carries no contacts:
//! the name, school and region are enough to tell two teachers apart.

use diesel::prelude::*;
use shared::appeals::TeacherMatch;
use shared::users::Role;
use shared::{Page, RegionRef};

use crate::auth::Caller;
use crate::db::schema::{appeal_on_behalf as ob, appeals, regions, users};
use crate::db::{self, AnyConnection};
use crate::domain::appeals::query::like_patterns;
use crate::domain::pagination::{self, Cursor};
use crate::error::ApiError;

/// Fewest characters of a search (fewer would list half a region).
const MIN_CHARS: usize = 3;
/// Longest search.
const MAX_CHARS: usize = 100;
/// Words of a search that are matched (a full name has three).
const MAX_WORDS: usize = 3;

/// A checked search: its words, each to be found in the surname, name or patronymic.
#[derive(Debug, Clone)]
pub struct TeacherSearch {
    words: Vec<String>,
}

impl TeacherSearch {
    /// Checks `q`: 3–100 characters once trimmed.
    ///
    /// # Errors
    /// 422 with the field `q`.
    pub fn parse(q: &str) -> Result<Self, ApiError> {
        let q = q.trim();
        let count = q.chars().count();
        if count < MIN_CHARS {
            return Err(ApiError::field(
                "q",
                "too_short",
                "Введите не меньше 3 букв имени.",
            ));
        }
        if count > MAX_CHARS {
            return Err(ApiError::field(
                "q",
                "too_long",
                "Поиск — не длиннее 100 символов.",
            ));
        }
        let words = q
            .split_whitespace()
            .take(MAX_WORDS)
            .map(str::to_owned)
            .collect();
        Ok(Self { words })
    }
}

type Row = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    chrono::NaiveDateTime,
);

type Condition =
    Box<dyn BoxableExpression<users::table, db::MultiBackend, SqlType = diesel::sql_types::Bool>>;

/// One word found in any part of the name, in any of its case variants.
fn word_matches(word: &str) -> Option<Condition> {
    like_patterns(word)
        .into_iter()
        .map(|pattern| -> Condition {
            Box::new(
                users::surname
                    .like(pattern.clone())
                    .escape('\\')
                    .or(users::name.like(pattern.clone()).escape('\\'))
                    .or(users::patronymic.like(pattern).escape('\\'))
                    .assume_not_null(),
            )
        })
        .reduce(|a, b| Box::new(a.or(b)))
}

/// The teachers of the caller's regions whose name contains every word of `search`,
/// newest accounts first, a page of `limit` after `cursor`.
///
/// # Errors
/// A database failure.
pub fn search(
    conn: &mut AnyConnection,
    caller: &Caller,
    search: &TeacherSearch,
    limit: i64,
    cursor: Option<Cursor>,
) -> Result<Page<TeacherMatch>, ApiError> {
    let placeholders = ob::table
        .inner_join(appeals::table)
        .filter(ob::unregistered.eq(true))
        .select(appeals::teacher_id);
    let mut query = users::table
        .filter(users::role.eq(Role::Teacher))
        .filter(users::erased_at.is_null())
        .filter(users::region_code.eq_any(caller.regions.clone()))
        .filter(diesel::dsl::not(users::id.eq_any(placeholders)))
        .select((
            users::id,
            users::surname,
            users::name,
            users::patronymic,
            users::school,
            users::region_code,
            users::created_at,
        ))
        .into_boxed();
    for condition in search.words.iter().filter_map(|w| word_matches(w)) {
        query = query.filter(condition);
    }
    query = pagination::before_cursor!(query, cursor, users::created_at, users::id);
    let rows: Vec<Row> = query
        .order((users::created_at.desc(), users::id.desc()))
        .limit(limit + 1)
        .load(conn)?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |r| Cursor {
        at: r.6,
        id: r.0.clone(),
    });
    let mut codes: Vec<String> = rows.iter().filter_map(|r| r.5.clone()).collect();
    codes.sort_unstable();
    codes.dedup();
    let names: std::collections::HashMap<String, String> = regions::table
        .filter(regions::code.eq_any(&codes))
        .select((regions::code, regions::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let items = rows
        .into_iter()
        .map(|(id, surname, name, patronymic, school, region, _)| {
            let code = region.unwrap_or_default();
            TeacherMatch {
                id,
                name: [surname, name, patronymic]
                    .into_iter()
                    .flatten()
                    .filter(|p| !p.trim().is_empty())
                    .collect::<Vec<_>>()
                    .join(" "),
                school,
                region: RegionRef {
                    name: names.get(&code).cloned().unwrap_or_default(),
                    code,
                },
            }
        })
        .collect();
    Ok(Page { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::TeacherSearch;

    #[test]
    fn searches_are_three_characters_to_a_hundred() {
        assert!(TeacherSearch::parse("  ив ").is_err());
        assert!(TeacherSearch::parse(&"я".repeat(101)).is_err());
        let s = TeacherSearch::parse(" Иванова  Мария Петровна Лишнее ").unwrap();
        assert_eq!(s.words, ["Иванова", "Мария", "Петровна"]);
    }
}
