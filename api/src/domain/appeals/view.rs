//! What each kind of reader sees of an appeal: the teacher (own name, no internal notes),
//! staff (notes, names of colleagues; anonymous authors hidden) and integrators (no names
//! of people at all). A page of a list is assembled from one query per kind of data.

use std::collections::HashMap;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use shared::appeals::{
    Answer, AnswerSource, Appeal, AppealControl, Assignee, Attachment, Message, Rating,
};
use shared::thread::{MessageAuthor, MessageKind};
use shared::RegionRef;

use super::row::{suggestions_of, AppealRow, Viewer};
use crate::db::schema::{
    appeal_answers as ans, appeal_controls as ctl, appeal_messages as msg, appeal_reads as reads,
    attachments as att, ratings, regions, users,
};
use crate::db::{self, AnyConnection};

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
    Option<bool>,
);
type RatingRow = (String, i32, Option<String>, NaiveDateTime);
type AttachmentRow = (String, String, String, i64, String, Option<String>);

/// Groups `(appeal_id, …)` rows by their first field.
fn by_appeal<T>(rows: Vec<T>, key: impl Fn(&T) -> &str) -> HashMap<String, Vec<T>> {
    let mut out: HashMap<String, Vec<T>> = HashMap::new();
    for row in rows {
        out.entry(key(&row).to_owned()).or_default().push(row);
    }
    out
}

/// What a page of appeals shares, loaded in one query per kind.
struct Related {
    region_names: HashMap<String, String>,
    answers: HashMap<String, Vec<AnswerRow>>,
    ratings_by_answer: HashMap<String, RatingRow>,
    attachments: HashMap<String, Vec<AttachmentRow>>,
    read_at: HashMap<String, NaiveDateTime>,
    names: HashMap<String, Option<String>>,
    controls: HashMap<String, ControlRow>,
}

/// `(appeal_id, comment, controlled_by, controlled_at)` of `appeal_controls`.
type ControlRow = (String, String, Option<String>, NaiveDateTime);

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
    let mut related = load_related(conn, rows, viewer)?;
    let named = named_to_reader(conn, rows, viewer)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let hide_name = (row.anonymous && !matches!(viewer, Viewer::Teacher(_)))
            || named.as_ref().is_some_and(|n| !n.contains(&row.teacher_id));
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

/// For leadership (regional heads, federal) and integrators: the authors on the page who
/// accepted the consent naming them as readers (issue #18); the others' appeals read as
/// anonymous. Appeals registered on someone's behalf carry the registrar's recorded basis
/// instead. `None` for the other readers, who see names as before.
fn named_to_reader(
    conn: &mut AnyConnection,
    rows: &[AppealRow],
    viewer: &Viewer,
) -> QueryResult<Option<std::collections::HashSet<String>>> {
    let restricted = match viewer {
        Viewer::Teacher(_) => false,
        Viewer::Integrator => true,
        Viewer::Staff(id) => {
            let role: Option<shared::users::Role> = users::table
                .find(id)
                .select(users::role)
                .first(conn)
                .optional()?;
            matches!(
                role,
                Some(shared::users::Role::RegionalHead | shared::users::Role::Federal)
            )
        }
    };
    if !restricted {
        return Ok(None);
    }
    let authors: Vec<&str> = rows.iter().map(|r| r.teacher_id.as_str()).collect();
    let mut named = crate::domain::users::onboarding::named_to_leadership(conn, &authors)?;
    named.extend(
        rows.iter()
            .filter(|r| r.channel.on_behalf())
            .map(|r| r.teacher_id.clone()),
    );
    Ok(Some(named))
}

fn load_related(
    conn: &mut AnyConnection,
    rows: &[AppealRow],
    viewer: &Viewer,
) -> QueryResult<Related> {
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
    let answers = by_appeal(
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
                ans::helpful,
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
    let attachments = by_appeal(
        att::table
            .filter(att::appeal_id.eq_any(&ids))
            .filter(super::attachments::shown())
            .order((att::created_at.asc(), att::id.asc()))
            .select((
                att::appeal_id,
                att::id,
                att::file_name,
                att::size_bytes,
                att::content_type,
                att::message_id,
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
    // «На контроле» is the leadership's word to the operators: staff only.
    let controls: HashMap<String, ControlRow> = if matches!(viewer, Viewer::Staff(_)) {
        ctl::table
            .filter(ctl::appeal_id.eq_any(&ids))
            .select((
                ctl::appeal_id,
                ctl::comment,
                ctl::controlled_by,
                ctl::controlled_at,
            ))
            .load::<ControlRow>(conn)?
            .into_iter()
            .map(|c| (c.0.clone(), c))
            .collect()
    } else {
        HashMap::new()
    };
    // Integrators never learn who handled an appeal: no operator names are loaded for them.
    let mut assignee_ids: Vec<&str> = match viewer {
        Viewer::Integrator => Vec::new(),
        _ => rows
            .iter()
            .filter_map(|r| r.assignee_id.as_deref())
            .chain(controls.values().filter_map(|c| c.2.as_deref()))
            .collect(),
    };
    assignee_ids.sort_unstable();
    assignee_ids.dedup();
    let names = names_of(conn, &assignee_ids)?;
    Ok(Related {
        region_names,
        answers,
        ratings_by_answer,
        attachments,
        read_at,
        names,
        controls,
    })
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
        Viewer::Teacher(_) | Viewer::Staff(_) => {
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
    let mut out = Vec::with_capacity(rows.len());
    for (id, author_id, author_role, kind, text, created_at) in rows {
        if kind == MessageKind::Note && !matches!(viewer, Viewer::Staff(_)) {
            continue;
        }
        let author_name = match author_role {
            MessageAuthor::Teacher if hide_name => None,
            MessageAuthor::Teacher => row.author_name.clone(),
            MessageAuthor::Bot | MessageAuthor::System => None,
            _ => match &author_id {
                Some(a) if !matches!(viewer, Viewer::Integrator) => name_of(conn, a)?,
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
        .map(|(_, id, name, size, content_type, message_id)| Attachment {
            id,
            name,
            size,
            content_type,
            message_id,
        })
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
