//! Appeals: the rows, who may see which, and the views each kind of reader gets. The
//! handlers in `routes::appeals` do the lifecycle transitions through these helpers.

pub mod create;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use shared::appeals::{
    Answer, AnswerSource, Appeal, AppealStatus, Assignee, Attachment, Channel, CloseReason,
    Message, Rating, Suggestion,
};
use shared::users::Role;
use shared::RegionRef;

use crate::auth::{Caller, Scope};
use crate::db::schema::{
    appeal_answers as ans, appeal_messages as msg, appeal_reads as reads, appeals,
    attachments as att, ratings, regions, users,
};
use crate::db::{self, AnyConnection};
use crate::error::ApiError;

/// A row of `appeals`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::appeals)]
pub struct AppealRow {
    pub id: String,
    pub teacher_id: String,
    pub region_code: String,
    pub author_name: Option<String>,
    pub anonymous: bool,
    pub text: String,
    pub channel: String,
    pub status: String,
    pub close_reason: Option<String>,
    pub close_note: Option<String>,
    pub duplicate_of: Option<String>,
    pub assignee_id: Option<String>,
    pub engine_name: Option<String>,
    pub engine_version: Option<String>,
    pub engine_article_id: Option<String>,
    pub engine_score: Option<f64>,
    pub engine_confident: bool,
    pub abstain_reason: Option<String>,
    pub suggestions: String,
    pub deadline_at: Option<NaiveDateTime>,
    pub first_answered_at: Option<NaiveDateTime>,
    pub answered_late: bool,
    pub escalated_at: Option<NaiveDateTime>,
    pub opened_by_staff_at: Option<NaiveDateTime>,
    pub teacher_activity_at: NaiveDateTime,
    pub staff_activity_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
}

impl AppealRow {
    /// Parsed status.
    #[must_use]
    pub fn status(&self) -> AppealStatus {
        AppealStatus::parse(&self.status).unwrap_or(AppealStatus::New)
    }

    /// Open past its deadline, now.
    #[must_use]
    pub fn is_overdue(&self, now: NaiveDateTime) -> bool {
        matches!(self.status(), AppealStatus::New | AppealStatus::InProgress)
            && self.deadline_at.is_some_and(|d| d < now)
    }
}

/// Who is reading, which decides what of an appeal they see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    /// The author.
    Teacher(String),
    /// An operator, regional head or federal user.
    Staff(String),
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
            _ => Self::Staff(caller.user_id.clone()),
        }
    }
}

/// Loads an appeal if the caller's scope includes it; 404 otherwise (ids cannot be probed),
/// 403 for administrators (no access to appeal content).
///
/// # Errors
/// As above, or a database failure.
pub fn find_in_scope(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
) -> Result<AppealRow, ApiError> {
    if caller.scope() == Scope::Nothing {
        return Err(ApiError::Forbidden);
    }
    let row: Option<AppealRow> = appeals::table
        .find(id)
        .select(AppealRow::as_select())
        .first(conn)
        .optional()?;
    let row = row.ok_or(ApiError::NotFound)?;
    let visible = match caller.scope() {
        Scope::Own(user) => row.teacher_id == user,
        Scope::Regions(codes) => codes.contains(&row.region_code),
        Scope::All => true,
        Scope::Nothing => return Err(ApiError::Forbidden),
    };
    if visible {
        Ok(row)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Suggestions as stored (JSON text).
#[must_use]
pub fn suggestions_of(row: &AppealRow) -> Vec<Suggestion> {
    serde_json::from_str(&row.suggestions).unwrap_or_default()
}

fn name_of(conn: &mut AnyConnection, user_id: &str) -> QueryResult<Option<String>> {
    let parts: Option<(Option<String>, Option<String>, Option<String>)> = users::table
        .find(user_id)
        .select((users::surname, users::name, users::patronymic))
        .first(conn)
        .optional()?;
    Ok(parts.and_then(|(s, n, p)| {
        let joined: Vec<String> = [s, n, p]
            .into_iter()
            .flatten()
            .filter(|x| !x.trim().is_empty())
            .collect();
        (!joined.is_empty()).then(|| joined.join(" "))
    }))
}

/// The appeal as `viewer` may see it; `full` adds the thread (lists leave it out).
///
/// # Errors
/// A database failure.
pub fn view(
    conn: &mut AnyConnection,
    row: &AppealRow,
    viewer: &Viewer,
    full: bool,
) -> QueryResult<Appeal> {
    let now = Utc::now().naive_utc();
    let hide_name = row.anonymous && !matches!(viewer, Viewer::Teacher(_));
    let region_name: String = regions::table
        .find(&row.region_code)
        .select(regions::name)
        .first(conn)?;
    type AnswerRow = (
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        NaiveDateTime,
        bool,
    );
    let answer_rows: Vec<AnswerRow> = ans::table
        .filter(ans::appeal_id.eq(&row.id))
        .order(ans::answered_at.asc())
        .select((
            ans::id,
            ans::source,
            ans::text,
            ans::article_id,
            ans::answered_by,
            ans::answered_at,
            ans::is_late,
        ))
        .load(conn)?;
    let rating_rows: Vec<(String, i32, Option<String>, NaiveDateTime)> = ratings::table
        .filter(ratings::appeal_id.eq(&row.id))
        .select((
            ratings::answer_id,
            ratings::score,
            ratings::comment,
            ratings::rated_at,
        ))
        .load(conn)?;
    let answers = answer_rows
        .into_iter()
        .map(
            |(id, source, text, article_id, answered_by, answered_at, is_late)| {
                let rating = rating_rows.iter().find(|r| r.0 == id).map(|r| Rating {
                    score: u8::try_from(r.1).unwrap_or(0),
                    comment: r.2.clone(),
                    rated_at: db::rfc3339(r.3),
                });
                Answer {
                    id,
                    source: AnswerSource::parse(&source).unwrap_or(AnswerSource::Operator),
                    text,
                    article_id,
                    answered_by: if matches!(viewer, Viewer::Integrator) {
                        None
                    } else {
                        answered_by
                    },
                    answered_at: db::rfc3339(answered_at),
                    is_late,
                    rating,
                }
            },
        )
        .collect();
    let assignee = match &row.assignee_id {
        Some(id) => Some(Assignee {
            id: id.clone(),
            name: name_of(conn, id)?,
        }),
        None => None,
    };
    let attachments = att::table
        .filter(att::appeal_id.eq(&row.id))
        .order(att::created_at.asc())
        .select((att::id, att::file_name, att::size_bytes, att::content_type))
        .load::<(String, String, i64, String)>(conn)?
        .into_iter()
        .map(|(id, name, size, content_type)| Attachment {
            id,
            name,
            size,
            content_type,
        })
        .collect();
    let unread = match viewer {
        Viewer::Integrator => false,
        Viewer::Teacher(user) | Viewer::Staff(user) => {
            let read_at: Option<NaiveDateTime> = reads::table
                .find((&row.id, user))
                .select(reads::read_at)
                .first(conn)
                .optional()?;
            let activity = match viewer {
                Viewer::Teacher(_) => row.staff_activity_at,
                _ => Some(row.teacher_activity_at),
            };
            activity.is_some_and(|a| read_at.is_none_or(|r| a > r))
        }
    };
    let messages = if full {
        let rows: Vec<(
            String,
            Option<String>,
            String,
            String,
            String,
            NaiveDateTime,
        )> = msg::table
            .filter(msg::appeal_id.eq(&row.id))
            .order((msg::created_at.asc(), msg::id.asc()))
            .select((
                msg::id,
                msg::author_id,
                msg::author_role,
                msg::kind,
                msg::text,
                msg::created_at,
            ))
            .load(conn)?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, author_id, author_role, kind, text, created_at) in rows {
            if kind == "note" && !matches!(viewer, Viewer::Staff(_)) {
                continue;
            }
            let author_name = match author_role.as_str() {
                "teacher" if hide_name => None,
                "teacher" => row.author_name.clone(),
                "bot" | "system" => None,
                _ => match &author_id {
                    Some(a) if !matches!(viewer, Viewer::Integrator) => name_of(conn, a)?,
                    _ => None,
                },
            };
            out.push(Message {
                id,
                author_role,
                author_name,
                kind,
                text,
                created_at: db::rfc3339(created_at),
            });
        }
        out
    } else {
        Vec::new()
    };
    Ok(Appeal {
        id: row.id.clone(),
        status: row.status(),
        close_reason: row.close_reason.as_deref().and_then(CloseReason::parse),
        close_note: row.close_note.clone(),
        duplicate_of: row.duplicate_of.clone(),
        text: row.text.clone(),
        anonymous: row.anonymous,
        channel: Channel::parse(&row.channel).unwrap_or(Channel::MiniApp),
        region: RegionRef {
            code: row.region_code.clone(),
            name: region_name,
        },
        author_name: if hide_name {
            None
        } else {
            row.author_name.clone()
        },
        created_at: db::rfc3339(row.created_at),
        deadline_at: row.deadline_at.map(db::rfc3339),
        is_overdue: row.is_overdue(now),
        answered_late: row.answered_late,
        answers,
        suggestions: suggestions_of(row),
        assignee,
        unread,
        attachments,
        messages,
    })
}

/// Appends a message to the thread.
///
/// # Errors
/// A database failure.
pub fn add_message(
    conn: &mut AnyConnection,
    appeal_id: &str,
    author: Option<&str>,
    role: &str,
    kind: &str,
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
pub fn emit(
    conn: &mut AnyConnection,
    event: crate::events::AppealEvent,
    row: &AppealRow,
) -> QueryResult<()> {
    let appeal = view(conn, row, &Viewer::Integrator, false)?;
    crate::events::emit(conn, event, &appeal, &row.teacher_id)
}
