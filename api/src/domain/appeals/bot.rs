//! The MAX bot's way into the appeal flow: who is writing, whether an update was handled
//! before, a rating from a reminder button and a question typed in the chat. The same rules
//! as the mini-app ([`super::lifecycle::rate_latest`], [`super::create::create`]).

use diesel::prelude::*;
use shared::appeals::{Channel, QuestionText};
use shared::users::{Role, VerificationStatus};

use super::create::{self, NewAppeal};
use crate::db::schema::{max_updates, users};
use crate::db::{self, AnyConnection};
use crate::domain::calendar::Calendars;
use crate::error::ApiError;
use crate::matching::Decision;
use crate::notify::bot::{self, BotMessage};

/// A person the bot talks to, as the service knows them.
#[derive(Debug, Clone)]
pub struct BotUser {
    /// `users.id`.
    pub id: String,
    /// Their MAX user id.
    pub max_user_id: i64,
}

/// A MAX user found among the service's users.
#[derive(Debug, Clone)]
pub struct KnownUser {
    /// Who they are.
    pub user: BotUser,
    /// Their role.
    pub role: Role,
    /// A verified teacher.
    pub verified: bool,
    /// Neither blocked nor erased: the bot may answer them.
    pub reachable: bool,
}

/// The user linked to a MAX account, if any.
///
/// # Errors
/// A database failure.
pub fn known_user(conn: &mut AnyConnection, max_user_id: i64) -> QueryResult<Option<KnownUser>> {
    type Row = (
        String,
        Role,
        VerificationStatus,
        bool,
        Option<chrono::NaiveDateTime>,
    );
    let row: Option<Row> = users::table
        .filter(users::max_user_id.eq(max_user_id))
        .select((
            users::id,
            users::role,
            users::verification_status,
            users::is_blocked,
            users::erased_at,
        ))
        .first(conn)
        .optional()?;
    Ok(
        row.map(|(id, role, verification, blocked, erased)| KnownUser {
            user: BotUser { id, max_user_id },
            role,
            verified: verification == VerificationStatus::Verified,
            reachable: !blocked && erased.is_none(),
        }),
    )
}

/// Remembers an update by its key; false when it was handled before (MAX redelivers). A
/// savepoint keeps the caller's transaction usable after the unique violation.
///
/// # Errors
/// A database failure.
pub fn remember_update(conn: &mut AnyConnection, key: &str) -> QueryResult<bool> {
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(max_updates::table)
            .values((
                max_updates::update_key.eq(key),
                max_updates::received_at.eq(db::now()),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e),
    }
}

/// A rating from a reminder button, behind a savepoint (a refusal undoes only its own
/// work, not remembering the update). Returns the notice for the button press.
///
/// # Errors
/// Whatever the rating refuses (not the author, already rated …); its detail is shown.
pub fn rate(
    conn: &mut AnyConnection,
    teacher: &BotUser,
    appeal_id: &str,
    score: u8,
) -> Result<String, ApiError> {
    conn.transaction(|conn| super::lifecycle::rate_from_bot(conn, &teacher.id, appeal_id, score))
}

/// A verified teacher's text becomes an appeal (channel `bot`), behind a savepoint; the
/// reply is the answer with rating buttons, or the routing notice with the deadline.
/// `decision` is the engine's ranking of `text`.
///
/// # Errors
/// Whatever asking refuses (rate limit, no region …); its detail is sent back.
pub fn submit(
    conn: &mut AnyConnection,
    calendars: &Calendars,
    decision: &Decision,
    per_hour: i64,
    teacher: &BotUser,
    text: &QuestionText,
) -> Result<BotMessage, ApiError> {
    // Thanks or a greeting gets a short polite reply, never an appeal.
    if decision.is_courtesy() {
        return Ok(bot::courtesy_reply(teacher.max_user_id));
    }
    let input = NewAppeal {
        teacher_id: teacher.id.clone(),
        text: text.clone(),
        anonymous: false,
        channel: Channel::Bot,
    };
    let (row, appeal) =
        conn.transaction(|conn| create::ask_from_bot(conn, calendars, decision, &input, per_hour))?;
    let deadline = row.deadline_at.map(|d| {
        let local = d.and_utc().with_timezone(&calendars.tz(&row.region_code));
        shared::ru_day_month(
            chrono::Datelike::day(&local),
            chrono::Datelike::month(&local),
        )
    });
    Ok(bot::submitted_reply(
        teacher.max_user_id,
        &appeal,
        deadline.as_deref(),
    ))
}
