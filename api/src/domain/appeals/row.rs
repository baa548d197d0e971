//! The appeal row and the small writes every transition shares: the thread's messages,
//! answers, re-reading a row, and emitting an event with the integrator's view.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::appeals::{AnswerSource, Suggestion};
use shared::thread::{MessageAuthor, MessageKind};
use shared::users::Role;

use super::view::view;
use crate::auth::Caller;
use crate::db::schema::{appeal_answers as ans, appeal_messages as msg, appeals};
use crate::db::{self, AnyConnection};
use crate::domain::notifications::events::{self, AppealEvent};

pub use crate::db::models::AppealRow;

/// Who is reading, which decides what of an appeal they see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    /// The author.
    Teacher(String),
    /// An operator.
    Staff(String),
    /// A regional head or federal user: author names only with their consent (issue #18).
    Leadership(String),
    /// An integrator's API key.
    Integrator,
}

impl Viewer {
    /// The viewer of a caller.
    #[must_use]
    pub fn of(caller: &Caller) -> Self {
        match caller.role {
            Role::Teacher => Self::Teacher(caller.user_id.clone()),
            Role::Integrator => Self::Integrator,
            Role::RegionalHead | Role::Federal => Self::Leadership(caller.user_id.clone()),
            _ => Self::Staff(caller.user_id.clone()),
        }
    }
}

/// Suggestions as stored (JSON text).
#[must_use]
pub fn suggestions_of(row: &AppealRow) -> Vec<Suggestion> {
    serde_json::from_str(&row.suggestions).unwrap_or_default()
}

/// Appends a message to the thread.
///
/// # Errors
/// A database failure.
pub fn add_message(
    conn: &mut AnyConnection,
    appeal_id: &str,
    author: Option<&str>,
    role: MessageAuthor,
    kind: MessageKind,
    text: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(msg::table)
        .values((
            msg::id.eq(db::new_id()),
            msg::appeal_id.eq(appeal_id),
            msg::author_id.eq(author),
            msg::author_role.eq(role),
            msg::kind.eq(kind),
            msg::text.eq(text),
            msg::created_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Records an answer; returns its id.
///
/// # Errors
/// A database failure.
#[allow(clippy::too_many_arguments)] // one column each; a struct would only rename them
pub fn add_answer(
    conn: &mut AnyConnection,
    appeal_id: &str,
    source: AnswerSource,
    text: &str,
    article_id: Option<&str>,
    answered_by: Option<&str>,
    is_late: bool,
    at: NaiveDateTime,
) -> QueryResult<String> {
    let id = db::new_id();
    diesel::insert_into(ans::table)
        .values((
            ans::id.eq(&id),
            ans::appeal_id.eq(appeal_id),
            ans::source.eq(source.as_str()),
            ans::text.eq(text),
            ans::article_id.eq(article_id),
            ans::answered_by.eq(answered_by),
            ans::answered_at.eq(at),
            ans::is_late.eq(is_late),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Re-reads a row (after an update in the same transaction).
///
/// # Errors
/// A database failure.
pub fn reload(conn: &mut AnyConnection, id: &str) -> QueryResult<AppealRow> {
    appeals::table
        .find(id)
        .select(AppealRow::as_select())
        .first(conn)
}

/// Emits an event with the integrator's view of the appeal.
///
/// # Errors
/// A database failure.
pub fn emit(conn: &mut AnyConnection, event: AppealEvent, row: &AppealRow) -> QueryResult<()> {
    let appeal = view(conn, row, &Viewer::Integrator, false)?;
    events::emit(conn, event, &appeal, &row.teacher_id)
}
