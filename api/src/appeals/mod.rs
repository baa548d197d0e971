//! Appeals: the rows, who may see which, and the views each kind of reader gets. The
//! handlers in `routes::appeals` do the lifecycle transitions through these helpers.

pub mod create;

use std::collections::HashMap;

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
    Ok(names_of(conn, &[user_id])?.remove(user_id).flatten())
}

/// [`name_of`] of several users in one query.
fn names_of(
    conn: &mut AnyConnection,
    user_ids: &[&str],
) -> QueryResult<HashMap<String, Option<String>>> {
    if user_ids.is_empty() {
        return Ok(HashMap::new());
    }
    type NameRow = (String, Option<String>, Option<String>, Option<String>);
    let rows: Vec<NameRow> = users::table
        .filter(users::id.eq_any(user_ids))
        .select((users::id, users::surname, users::name, users::patronymic))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, s, n, p)| {
            let joined: Vec<String> = [s, n, p]
                .into_iter()
                .flatten()
                .filter(|x| !x.trim().is_empty())
                .collect();
            (id, (!joined.is_empty()).then(|| joined.join(" ")))
        })
        .collect())
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
    let mut one = views(conn, std::slice::from_ref(row), viewer, full)?;
    Ok(one.remove(0))
}

type AnswerRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    NaiveDateTime,
    bool,
);
type RatingRow = (String, i32, Option<String>, NaiveDateTime);
type AttachmentRow = (String, String, String, i64, String);

/// Groups `(appeal_id, …)` rows by their first field.
fn by_appeal<T>(rows: Vec<T>, key: impl Fn(&T) -> &str) -> HashMap<String, Vec<T>> {
    let mut out: HashMap<String, Vec<T>> = HashMap::new();
    for row in rows {
        out.entry(key(&row).to_owned()).or_default().push(row);
    }
    out
}

/// [`view`] of many appeals at once (a page of a list): what they share is loaded in one
/// query per kind (answers, ratings, attachments, reads, names, regions) rather than per
/// appeal.
///
/// # Errors
/// A database failure.
pub fn views(
    conn: &mut AnyConnection,
    rows: &[AppealRow],
    viewer: &Viewer,
    full: bool,
) -> QueryResult<Vec<Appeal>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let now = Utc::now().naive_utc();
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut codes: Vec<&str> = rows.iter().map(|r| r.region_code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let region_names: HashMap<String, String> = regions::table
        .filter(regions::code.eq_any(&codes))
        .select((regions::code, regions::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut answers = by_appeal(
        ans::table
            .filter(ans::appeal_id.eq_any(&ids))
            .order((ans::answered_at.asc(), ans::id.asc()))
            .select((
                ans::appeal_id,
                ans::id,
                ans::source,
                ans::text,
                ans::article_id,
                ans::answered_by,
                ans::answered_at,
                ans::is_late,
            ))
            .load::<AnswerRow>(conn)?,
        |r| &r.0,
    );
    let ratings_by_answer: HashMap<String, RatingRow> = ratings::table
        .filter(ratings::appeal_id.eq_any(&ids))
        .select((
            ratings::answer_id,
            ratings::score,
            ratings::comment,
            ratings::rated_at,
        ))
        .load::<RatingRow>(conn)?
        .into_iter()
        .map(|r| (r.0.clone(), r))
        .collect();
    let mut attachments = by_appeal(
        att::table
            .filter(att::appeal_id.eq_any(&ids))
            .order((att::created_at.asc(), att::id.asc()))
            .select((
                att::appeal_id,
                att::id,
                att::file_name,
                att::size_bytes,
                att::content_type,
            ))
            .load::<AttachmentRow>(conn)?,
        |r| &r.0,
    );
    let read_at: HashMap<String, NaiveDateTime> = match viewer {
        Viewer::Integrator => HashMap::new(),
        Viewer::Teacher(user) | Viewer::Staff(user) => reads::table
            .filter(reads::appeal_id.eq_any(&ids))
            .filter(reads::user_id.eq(user))
            .select((reads::appeal_id, reads::read_at))
            .load::<(String, NaiveDateTime)>(conn)?
            .into_iter()
            .collect(),
    };
    let mut assignee_ids: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.assignee_id.as_deref())
        .collect();
    assignee_ids.sort_unstable();
    assignee_ids.dedup();
    let names = names_of(conn, &assignee_ids)?;

    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let hide_name = row.anonymous && !matches!(viewer, Viewer::Teacher(_));
        let answers = answers
            .remove(&row.id)
            .unwrap_or_default()
            .into_iter()
            .map(
                |(_, id, source, text, article_id, answered_by, answered_at, is_late)| {
                    let rating = ratings_by_answer.get(&id).map(|r| Rating {
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
        let assignee = row.assignee_id.as_ref().map(|id| Assignee {
            id: id.clone(),
            name: names.get(id).cloned().flatten(),
        });
        let attachments = attachments
            .remove(&row.id)
            .unwrap_or_default()
            .into_iter()
            .map(|(_, id, name, size, content_type)| Attachment {
                id,
                name,
                size,
                content_type,
            })
            .collect();
        let unread = match viewer {
            Viewer::Integrator => false,
            Viewer::Teacher(_) | Viewer::Staff(_) => {
                let read_at = read_at.get(&row.id);
                let activity = match viewer {
                    Viewer::Teacher(_) => row.staff_activity_at,
                    _ => Some(row.teacher_activity_at),
                };
                activity.is_some_and(|a| read_at.is_none_or(|r| a > *r))
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
        out.push(Appeal {
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
                name: region_names
                    .get(&row.region_code)
                    .cloned()
                    .unwrap_or_default(),
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
        });
    }
    Ok(out)
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
