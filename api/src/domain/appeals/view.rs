//! What each kind of reader sees of an appeal: the teacher (own name, no internal notes),
//! staff (notes, names of colleagues; anonymous authors hidden) and integrators (no names
//! of people at all). A page of a list is assembled from one query for everything its
//! appeals share ([`related`]).

use std::collections::HashMap;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use shared::appeals::{
    Answer, AnswerSource, Appeal, AppealControl, Assignee, Attachment, Message, Rating,
};
use shared::thread::{MessageAuthor, MessageKind};
use shared::RegionRef;

mod any_of;
mod related;

use self::related::{is_staff, joined_name, load_related, restricted, Related};
use super::row::{suggestions_of, AppealRow, Viewer};
use crate::db::schema::{appeal_messages as msg, users};
use crate::db::{self, AnyConnection};

/// The names of several users, in one query.
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
        .map(|(id, s, n, p)| (id, joined_name(s, n, p)))
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

/// [`view`] of many appeals at once (a page of a list): what they share (answers with their
/// ratings, attachments, reads, «На контроле», names) comes in ONE query whatever the page
/// size, region names from the shipped reference data; with `full`, each thread adds its
/// messages and their authors' names.
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
    let mut related = load_related(conn, rows, viewer)?;
    // Authors of appeals registered on their behalf on this page: the registrar recorded
    // the basis for naming them.
    let on_behalf: std::collections::HashSet<&str> = rows
        .iter()
        .filter(|r| r.channel.on_behalf())
        .map(|r| r.teacher_id.as_str())
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let hide_name = (row.anonymous && !matches!(viewer, Viewer::Teacher(_)))
            || (restricted(viewer)
                && !on_behalf.contains(row.teacher_id.as_str())
                && !related.consented.contains(&row.teacher_id));
        let messages = if full {
            thread(conn, row, viewer, hide_name)?
        } else {
            Vec::new()
        };
        out.push(assemble(
            row,
            viewer,
            &mut related,
            hide_name,
            messages,
            now,
        ));
    }
    Ok(out)
}

/// The answers of one appeal with their ratings; integrators do not see who answered.
fn answers_of(row: &AppealRow, viewer: &Viewer, related: &mut Related) -> Vec<Answer> {
    let ratings_by_answer = &related.ratings_by_answer;
    related
        .answers
        .remove(&row.id)
        .unwrap_or_default()
        .into_iter()
        .map(
            |(_, id, source, text, article_id, answered_by, answered_at, is_late, helpful)| {
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
                    helpful,
                }
            },
        )
        .collect()
}

/// Unread: the other side did something after this person last read the appeal.
fn is_unread(row: &AppealRow, viewer: &Viewer, read_at: &HashMap<String, NaiveDateTime>) -> bool {
    match viewer {
        Viewer::Integrator => false,
        Viewer::Teacher(_) | Viewer::Staff(_) | Viewer::Leadership(_) => {
            let read_at = read_at.get(&row.id);
            let activity = match viewer {
                Viewer::Teacher(_) => row.staff_activity_at,
                _ => Some(row.teacher_activity_at),
            };
            activity.is_some_and(|a| read_at.is_none_or(|r| a > *r))
        }
    }
}

/// The thread of one appeal; internal notes only for staff, names as the viewer may see them.
fn thread(
    conn: &mut AnyConnection,
    row: &AppealRow,
    viewer: &Viewer,
    hide_name: bool,
) -> QueryResult<Vec<Message>> {
    let rows: Vec<(
        String,
        Option<String>,
        MessageAuthor,
        MessageKind,
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
    // The names of the staff who wrote, in one query (integrators see none).
    let mut authors: Vec<&str> = match viewer {
        Viewer::Integrator => Vec::new(),
        _ => rows
            .iter()
            .filter(|r| {
                !matches!(
                    r.2,
                    MessageAuthor::Teacher | MessageAuthor::Bot | MessageAuthor::System
                )
            })
            .filter_map(|r| r.1.as_deref())
            .collect(),
    };
    authors.sort_unstable();
    authors.dedup();
    let names = names_of(conn, &authors)?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, author_id, author_role, kind, text, created_at) in rows {
        if kind == MessageKind::Note && !is_staff(viewer) {
            continue;
        }
        let author_name = match author_role {
            MessageAuthor::Teacher if hide_name => None,
            MessageAuthor::Teacher => row.author_name.clone(),
            MessageAuthor::Bot | MessageAuthor::System => None,
            _ => match &author_id {
                Some(a) if !matches!(viewer, Viewer::Integrator) => names.get(a).cloned().flatten(),
                _ => None,
            },
        };
        out.push(Message {
            id,
            author_role: author_role.as_str().to_owned(),
            author_name,
            kind: kind.as_str().to_owned(),
            text,
            created_at: db::rfc3339(created_at),
        });
    }
    Ok(out)
}

/// RFC 3339 to the microsecond: two changes of one appeal within a second still differ,
/// so an integrator can tell them apart by `updated_at`.
fn to_the_microsecond(at: NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// One appeal from its row and what was loaded for the page.
fn assemble(
    row: &AppealRow,
    viewer: &Viewer,
    related: &mut Related,
    hide_name: bool,
    messages: Vec<Message>,
    now: NaiveDateTime,
) -> Appeal {
    let answers = answers_of(row, viewer, related);
    // Integrators see who holds an appeal by id only, as for `answered_by` (issue #17).
    let assignee = row.assignee_id.as_ref().map(|id| Assignee {
        id: id.clone(),
        name: match viewer {
            Viewer::Integrator => None,
            _ => related.names.get(id).cloned().flatten(),
        },
    });
    let attachments = related
        .attachments
        .remove(&row.id)
        .unwrap_or_default()
        .into_iter()
        .map(
            |(_, (_, id, name, size, content_type, message_id))| Attachment {
                id,
                name,
                size,
                content_type,
                message_id,
            },
        )
        .collect();
    let control = related
        .controls
        .remove(&row.id)
        .map(|(_, comment, by, at)| AppealControl {
            comment,
            by_name: by
                .as_ref()
                .and_then(|id| related.names.get(id).cloned().flatten()),
            by,
            at: db::rfc3339(at),
        });
    Appeal {
        id: row.id.clone(),
        number: row.number.clone(),
        status: row.status,
        close_reason: row.close_reason,
        close_note: row.close_note.clone(),
        duplicate_of: row.duplicate_of.clone(),
        text: row.text.clone(),
        anonymous: row.anonymous,
        channel: row.channel,
        region: RegionRef {
            code: row.region_code.clone(),
            name: related
                .region_names
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
        updated_at: to_the_microsecond(row.updated_at),
        closed_at: row.closed_at.map(db::rfc3339),
        deadline_at: row.deadline_at.map(db::rfc3339),
        is_overdue: row.is_overdue(now),
        working_days_left: super::days_left::working_days_left(row, viewer, now),
        answered_late: row.answered_late,
        answers,
        suggestions: suggestions_of(row),
        assignee,
        unread: is_unread(row, viewer, &related.read_at),
        waiting_for_teacher: super::waiting::is_waiting(row),
        attachments,
        messages,
        control,
    }
}
