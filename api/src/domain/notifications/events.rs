//! Appeal events and who must learn about them. [`emit`] is called inside the transaction
//! of the change that causes the event, so notifications are written to the outbox
//! atomically with the change (nothing is lost on a crash, nothing sent for a rolled-back
//! change). Delivery happens later, in the worker (`crate::jobs`).
//!
//! Who hears what:
//! - integrators: a signed webhook per active subscription whose events and regions match,
//!   one event type per transition a teacher can see ([`WEBHOOK_EVENTS`]), each numbered
//!   per appeal (`sequence`: 1, 2, … in the order of the appeal's events, whether or not
//!   anyone subscribed to them, so a receiver can order them and notice a gap);
//! - the teacher, in the MAX chat (when their MAX account is known): an operator's answer
//!   (with rating buttons), a clarifying question, a close by an operator, a transfer;
//! - operators of the region who opted in, by e-mail: a new appeal in their queue (asked
//!   there or transferred there). Anonymous appeals are sent without the author's name;
//! - the assigned operator (or, while nobody holds it, every operator of the region), by
//!   e-mail and in MAX: the leadership put the appeal «На контроль» ([`control_notice`]).

use diesel::prelude::*;
use diesel::QueryResult;
use shared::appeals::{AnswerSource, Appeal, AppealStatus, CloseReason};
use shared::integrations::{WebhookEvent, WebhookEventData};
use shared::thread::MessageKind;
use shared::users::Role;

use super::outbox::{self, EmailDelivery, Notification, WebhookDelivery};
use crate::db::schema::{appeal_messages, appeals, regions, user_regions, users, webhooks};
use crate::db::{self, AnyConnection};
use crate::notify::email::MailTemplate;
use crate::notify::{bot, clip, local_time};

/// Something that happened to an appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppealEvent {
    /// A teacher asked (whatever the engine did).
    Created,
    /// An answer was given (bot or operator).
    Answered,
    /// An operator asked the teacher a clarifying question.
    Clarified,
    /// The appeal was closed: by an operator (off-topic, duplicate, spam), by the teacher
    /// accepting a suggested article, or automatically (expired). A withdrawal and a
    /// rating have events of their own.
    Closed,
    /// The appeal moved to another region.
    Transferred,
    /// The teacher rated an answer.
    Rated,
    /// The appeal passed its deadline while open.
    Overdue,
    /// The teacher wrote again in the thread (an answered appeal goes back to work).
    FollowUp,
    /// «Не помогло»: a bot answer went to the operators.
    Escalated,
    /// The teacher withdrew the appeal (it is closed, reason `withdrawn`).
    Withdrawn,
}

/// Every webhook event type an integrator may subscribe to.
pub const WEBHOOK_EVENTS: [&str; 10] = [
    "appeal.created",
    "appeal.answered",
    "appeal.clarification_requested",
    "appeal.follow_up",
    "appeal.escalated",
    "appeal.transferred",
    "appeal.withdrawn",
    "appeal.rated",
    "appeal.closed",
    "appeal.overdue",
];

impl AppealEvent {
    /// The integrator webhook event type (one of [`WEBHOOK_EVENTS`]).
    #[must_use]
    pub fn webhook_type(self) -> &'static str {
        match self {
            Self::Created => "appeal.created",
            Self::Answered => "appeal.answered",
            Self::Clarified => "appeal.clarification_requested",
            Self::FollowUp => "appeal.follow_up",
            Self::Escalated => "appeal.escalated",
            Self::Transferred => "appeal.transferred",
            Self::Withdrawn => "appeal.withdrawn",
            Self::Rated => "appeal.rated",
            Self::Closed => "appeal.closed",
            Self::Overdue => "appeal.overdue",
        }
    }
}

/// Records the notifications an event causes. `appeal` is the integrator's view (no name
/// when anonymous); `teacher_id` is the author.
///
/// # Errors
/// A database failure (the caller's transaction then rolls back).
pub fn emit(
    conn: &mut AnyConnection,
    event: AppealEvent,
    appeal: &Appeal,
    teacher_id: &str,
) -> QueryResult<()> {
    webhooks_for(conn, event.webhook_type(), appeal)?;
    teacher_message(conn, event, appeal, teacher_id)?;
    let routed_to_people = appeal.status == AppealStatus::New;
    if routed_to_people && matches!(event, AppealEvent::Created | AppealEvent::Transferred) {
        operator_emails(conn, event, appeal)?;
    }
    Ok(())
}

/// The webhook body: `{ id, type, created_at, sequence, data: { appeal } }`, the appeal
/// without the author's name when anonymous and without internal notes; `sequence` numbers
/// the appeal's events 1, 2, ….
#[must_use]
pub fn webhook_body(
    event_id: &str,
    event_type: &str,
    sequence: i64,
    appeal: &Appeal,
    at: chrono::NaiveDateTime,
) -> String {
    let mut appeal = appeal.clone();
    if appeal.anonymous {
        appeal.author_name = None;
    }
    appeal
        .messages
        .retain(|m| m.kind != MessageKind::Note.as_str());
    appeal.unread = false;
    let event = WebhookEvent {
        id: event_id.to_owned(),
        event_type: event_type.to_owned(),
        created_at: db::rfc3339(at),
        sequence,
        data: WebhookEventData { appeal },
    };
    // Plain data with string keys: serializing cannot fail.
    serde_json::to_string(&event).unwrap_or_default()
}

fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// Takes the appeal's next event number (the row lock orders concurrent events of one
/// appeal; the change feed ignores it, as `updated_at` stays).
fn next_sequence(conn: &mut AnyConnection, appeal_id: &str) -> QueryResult<i64> {
    diesel::update(appeals::table.find(appeal_id))
        .set(appeals::event_seq.eq(appeals::event_seq + 1))
        .execute(conn)?;
    appeals::table
        .find(appeal_id)
        .select(appeals::event_seq)
        .first(conn)
}

fn webhooks_for(conn: &mut AnyConnection, event_type: &str, appeal: &Appeal) -> QueryResult<()> {
    let sequence = next_sequence(conn, &appeal.id)?;
    let subscriptions: Vec<(String, String, String)> = webhooks::table
        .filter(webhooks::is_active.eq(true))
        .select((webhooks::id, webhooks::events, webhooks::regions))
        .order(webhooks::id.asc())
        .load(conn)?;
    let matching: Vec<String> = subscriptions
        .into_iter()
        .filter(|(_, events, regions)| {
            json_list(events).iter().any(|e| e == event_type)
                && json_list(regions).contains(&appeal.region.code)
        })
        .map(|(id, _, _)| id)
        .collect();
    if matching.is_empty() {
        return Ok(());
    }
    // One event, one id, delivered to each matching subscription.
    let event_id = db::new_id();
    let body = webhook_body(&event_id, event_type, sequence, appeal, db::now());
    for webhook_id in matching {
        outbox::enqueue(
            conn,
            &Notification::Webhook(WebhookDelivery {
                webhook_id,
                event_id: event_id.clone(),
                event_type: event_type.to_owned(),
                body: body.clone(),
            }),
            None,
        )?;
    }
    Ok(())
}

fn region_timezone(conn: &mut AnyConnection, code: &str) -> QueryResult<String> {
    Ok(regions::table
        .find(code)
        .select(regions::timezone)
        .first(conn)
        .optional()?
        .unwrap_or_else(|| "Europe/Moscow".to_owned()))
}

/// The MAX user of a teacher, when known and still reachable.
pub(crate) fn max_user_of(conn: &mut AnyConnection, user_id: &str) -> QueryResult<Option<i64>> {
    let found: Option<(Option<i64>, bool, Option<chrono::NaiveDateTime>)> = users::table
        .find(user_id)
        .select((users::max_user_id, users::is_blocked, users::erased_at))
        .first(conn)
        .optional()?;
    Ok(found.and_then(|(max, blocked, erased)| max.filter(|_| !blocked && erased.is_none())))
}

fn teacher_message(
    conn: &mut AnyConnection,
    event: AppealEvent,
    appeal: &Appeal,
    teacher_id: &str,
) -> QueryResult<()> {
    let wanted = match event {
        AppealEvent::Answered => appeal
            .answers
            .last()
            .is_some_and(|a| a.source == AnswerSource::Operator),
        // The teacher's own withdrawal, a rating or an accepted suggestion need no notice.
        AppealEvent::Closed => matches!(
            appeal.close_reason,
            Some(CloseReason::OffTopic | CloseReason::Duplicate | CloseReason::Spam)
        ),
        AppealEvent::Clarified | AppealEvent::Transferred => true,
        AppealEvent::Created
        | AppealEvent::Rated
        | AppealEvent::Overdue
        | AppealEvent::FollowUp
        | AppealEvent::Escalated
        | AppealEvent::Withdrawn => false,
    };
    if !wanted {
        return Ok(());
    }
    let Some(user_id) = max_user_of(conn, teacher_id)? else {
        return Ok(());
    };
    let message = match event {
        AppealEvent::Answered => {
            let text = appeal
                .answers
                .last()
                .map(|a| a.text.as_str())
                .unwrap_or_default();
            bot::answer_notice(user_id, appeal, text)
        }
        AppealEvent::Clarified => {
            let question: Option<String> = appeal_messages::table
                .filter(appeal_messages::appeal_id.eq(&appeal.id))
                .filter(appeal_messages::kind.eq(MessageKind::Clarification))
                .order((
                    appeal_messages::created_at.desc(),
                    appeal_messages::id.desc(),
                ))
                .select(appeal_messages::text)
                .first(conn)
                .optional()?;
            bot::clarification_notice(user_id, appeal, question.as_deref())
        }
        AppealEvent::Closed => bot::closed_notice(user_id, appeal),
        _ => {
            let tz = region_timezone(conn, &appeal.region.code)?;
            let deadline = appeal.deadline_at.as_deref().map(|d| local_time(d, &tz));
            bot::transferred_notice(user_id, appeal, deadline.as_deref())
        }
    };
    outbox::enqueue(conn, &Notification::MaxMessage(message), None)?;
    Ok(())
}

fn operator_emails(
    conn: &mut AnyConnection,
    event: AppealEvent,
    appeal: &Appeal,
) -> QueryResult<()> {
    let in_region = user_regions::table
        .filter(user_regions::region_code.eq(&appeal.region.code))
        .select(user_regions::user_id);
    let recipients: Vec<String> = users::table
        .filter(users::id.eq_any(in_region))
        .filter(users::role.eq(Role::Operator))
        .filter(users::notify_new_appeal_email.eq(true))
        .filter(users::is_blocked.eq(false))
        .filter(users::erased_at.is_null())
        .filter(users::email.is_not_null())
        .select(users::email.assume_not_null())
        .order(users::id.asc())
        .load(conn)?;
    if recipients.is_empty() {
        return Ok(());
    }
    let tz = region_timezone(conn, &appeal.region.code)?;
    let mail = MailTemplate::NewAppeal {
        appeal_id: appeal.id.clone(),
        number: appeal.number.clone(),
        region: appeal.region.name.clone(),
        text: clip(&appeal.text, 1500),
        author: if appeal.anonymous {
            None
        } else {
            appeal.author_name.clone()
        },
        deadline: appeal.deadline_at.as_deref().map(|d| local_time(d, &tz)),
        transferred: event == AppealEvent::Transferred,
    };
    for to in recipients {
        outbox::enqueue(
            conn,
            &Notification::Email(EmailDelivery {
                to,
                mail: mail.clone(),
            }),
            None,
        )?;
    }
    Ok(())
}

/// A decision on a teacher's verification: the bot tells the teacher (with the refusal's
/// reason) when their MAX account is known. Written in the deciding transaction.
///
/// # Errors
/// A database failure.
pub fn verification_decided(
    conn: &mut AnyConnection,
    teacher_id: &str,
    confirmed: bool,
    reason: Option<&str>,
) -> QueryResult<()> {
    if let Some(user_id) = max_user_of(conn, teacher_id)? {
        let message = bot::verification_notice(user_id, confirmed, reason);
        outbox::enqueue(conn, &Notification::MaxMessage(message), None)?;
    }
    Ok(())
}

/// The operators who hold `appeal` (its assignee) or, while nobody does, every active
/// operator of its region: `(user id, e-mail)`.
fn holders(
    conn: &mut AnyConnection,
    appeal: &Appeal,
    assignee: Option<&str>,
) -> QueryResult<Vec<(String, Option<String>)>> {
    let in_region = user_regions::table
        .filter(user_regions::region_code.eq(&appeal.region.code))
        .select(user_regions::user_id);
    let mut query = users::table
        .filter(users::role.eq(Role::Operator))
        .filter(users::is_blocked.eq(false))
        .filter(users::erased_at.is_null())
        .into_boxed();
    query = match assignee {
        Some(id) => query.filter(users::id.eq(id.to_owned())),
        None => query.filter(users::id.eq_any(in_region)),
    };
    query
        .select((users::id, users::email))
        .order(users::id.asc())
        .load(conn)
}

/// The leadership put `appeal` (the staff view, with its `control`) «На контроль»: a letter
/// and a MAX message to the assigned operator, or to every operator of the region while
/// nobody holds it. Written in the caller's transaction, like every notification.
///
/// # Errors
/// A database failure.
pub fn control_notice(
    conn: &mut AnyConnection,
    appeal: &Appeal,
    assignee: Option<&str>,
) -> QueryResult<()> {
    let Some(control) = &appeal.control else {
        return Ok(());
    };
    let mail = MailTemplate::Control {
        appeal_id: appeal.id.clone(),
        number: appeal.number.clone(),
        region: appeal.region.name.clone(),
        text: clip(&appeal.text, 1500),
        comment: control.comment.clone(),
        by: control.by_name.clone(),
    };
    for (user_id, email) in holders(conn, appeal, assignee)? {
        if let Some(to) = email {
            outbox::enqueue(
                conn,
                &Notification::Email(EmailDelivery {
                    to,
                    mail: mail.clone(),
                }),
                None,
            )?;
        }
        if let Some(max_user) = max_user_of(conn, &user_id)? {
            let message = bot::control_notice(max_user, appeal, &control.comment);
            outbox::enqueue(conn, &Notification::MaxMessage(message), None)?;
        }
    }
    Ok(())
}
