//! Appeals registered on someone's behalf: an operator's quick appeal (a question received
//! by phone or in a letter) and an integrator's forwarded question (a key with
//! `appeals:create`, e.g. a regional portal).
//!
//! The appeal goes through the teacher's own creation path ([`super::create::create`]):
//! the same answer engine, the same deadline. The person is either a teacher of the
//! caller's regions (who then sees the appeal in «Мои вопросы», since the list reads
//! `teacher_id`) or a person without an account, for whom a placeholder user without
//! credentials is created to hold the name (so every reader shows it as a teacher's
//! name). The basis for keeping the name and contact is recorded in `appeal_on_behalf`;
//! a person without an account cannot erase their data themselves, so
//! [`forget_unregistered`] (the cleanup job) erases it [`UNREGISTERED_KEEP_DAYS`] after
//! the appeal closed, the way `DELETE /me` erases a teacher's.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use shared::appeals::{
    Appeal, Channel, ConsentBasis, CreateAppealOnBehalf, QuestionText, UnregisteredPerson,
};
use shared::users::Role;

use super::create::{self, NewAppeal};
use super::{view, Viewer};
use crate::auth::Caller;
use crate::db::schema::{appeal_on_behalf as ob, appeals, users};
use crate::db::{self, audit, models::NewUser, AnyConnection};
use crate::domain::calendar::Calendars;
use crate::domain::validate;
use crate::error::ApiError;
use crate::matching::Decision;

/// Days after an appeal closed that the name and contact of a person without an account
/// are kept (time for a follow-up call about the answer), then erased.
pub const UNREGISTERED_KEEP_DAYS: i64 = 30;
/// Erasures per cleanup run (the rest waits for the next run).
const BATCH: i64 = 200;

/// Who the appeal is for, once checked.
enum Person {
    /// A teacher with an account.
    Known(String),
    /// A person without one: the name, contacts and region.
    Unregistered {
        name: String,
        email: Option<String>,
        phone: Option<String>,
        region: String,
    },
}

/// Registers the appeal for the person named in `body` and answers the caller's view of
/// it. The engine's `decision` is computed before the transaction, as for a teacher.
///
/// # Errors
/// 422 for a wrong channel, consent or person (Russian field errors); 404 for a teacher
/// who is not one of the caller's regions; 403 `region_out_of_scope` for a person's region
/// outside them; the creation path's errors; a database failure.
pub fn register(
    conn: &mut AnyConnection,
    calendars: &Calendars,
    decision: &Decision,
    caller: &Caller,
    body: &CreateAppealOnBehalf,
    text: QuestionText,
) -> Result<Appeal, ApiError> {
    let by_key = caller.role == Role::Integrator;
    let channel = channel(by_key, body.channel)?;
    let version = consent(by_key, body)?;
    let person = person(conn, caller, by_key, body)?;
    let now = db::now();
    let (teacher_id, unregistered, email, phone) = match person {
        Person::Known(id) => (id, false, None, None),
        Person::Unregistered {
            name,
            email,
            phone,
            region,
        } => (
            placeholder(conn, &name, &region, &version, now)?,
            true,
            email,
            phone,
        ),
    };
    let input = NewAppeal {
        teacher_id,
        text,
        anonymous: false,
        channel,
    };
    // The hourly limit protects against a teacher's runaway client; a registrar's
    // questions are other people's, so none applies.
    let row = create::create(conn, calendars, decision, &input, 0)?;
    diesel::insert_into(ob::table)
        .values((
            ob::appeal_id.eq(&row.id),
            ob::recorded_by.eq(&caller.user_id),
            ob::api_key_id.eq(&caller.api_key_id),
            ob::unregistered.eq(unregistered),
            ob::consent_basis.eq(body.consent.basis.as_str()),
            ob::consent_version.eq(&version),
            ob::contact_email.eq(&email),
            ob::contact_phone.eq(&phone),
            ob::created_at.eq(now),
        ))
        .execute(conn)?;
    // No name or contact in the log: it outlives the retention of the person's data.
    audit::record(
        conn,
        &caller.actor(),
        "appeal.create_on_behalf",
        "appeal",
        Some(&row.id),
        None,
        Some(&serde_json::json!({
            "channel": channel.as_str(),
            "region": row.region_code,
            "unregistered": unregistered,
            "consent_basis": body.consent.basis.as_str(),
            "consent_version": version,
            "api_key_id": caller.api_key_id,
        })),
    )?;
    Ok(view(conn, &row, &Viewer::of(caller), true)?)
}

/// Operators register calls and letters; keys forward from their systems.
fn channel(by_key: bool, given: Option<Channel>) -> Result<Channel, ApiError> {
    match (by_key, given) {
        (true, None | Some(Channel::Api)) => Ok(Channel::Api),
        (true, Some(_)) => Err(ApiError::field(
            "channel",
            "invalid",
            "Для ключа API канал обращения — api (или не указывайте его).",
        )),
        (false, Some(c @ (Channel::Phone | Channel::Email))) => Ok(c),
        (false, _) => Err(ApiError::field(
            "channel",
            "invalid",
            "Укажите, как пришёл вопрос: phone (звонок) или email (письмо).",
        )),
    }
}

/// The consent basis must fit the caller (a call or a letter for operators, the portal
/// for keys) and name the notice's version.
fn consent(by_key: bool, body: &CreateAppealOnBehalf) -> Result<String, ApiError> {
    let fits = match body.consent.basis {
        ConsentBasis::Phone | ConsentBasis::Letter => !by_key,
        ConsentBasis::Portal => by_key,
    };
    if !fits {
        let detail = if by_key {
            "Для ключа API основание — согласие на портале (portal)."
        } else {
            "Укажите, как получено согласие: phone (по телефону) или letter (в письме)."
        };
        return Err(ApiError::field("consent.basis", "invalid", detail));
    }
    let version = body.consent.version.trim();
    if version.is_empty() || version.chars().count() > 32 || version.chars().any(char::is_control) {
        return Err(ApiError::field(
            "consent.version",
            "invalid",
            "Укажите версию согласия на обработку персональных данных, например 2026-11.",
        ));
    }
    Ok(version.to_owned())
}

/// Exactly one way of naming the person, checked against the caller's regions.
fn person(
    conn: &mut AnyConnection,
    caller: &Caller,
    by_key: bool,
    body: &CreateAppealOnBehalf,
) -> Result<Person, ApiError> {
    match (&body.teacher_id, &body.teacher_email, &body.person) {
        (Some(id), None, None) => known(conn, caller, Lookup::Id(id.trim().to_owned())),
        (None, Some(_), None) if by_key => Err(ApiError::field(
            "teacher_email",
            "invalid",
            "Ключ API указывает педагога по идентификатору (teacher_id).",
        )),
        (None, Some(email), None) => {
            let email = validate::email("teacher_email", email)?;
            known(conn, caller, Lookup::Email(email))
        }
        (None, None, Some(p)) => unregistered(caller, p),
        _ => Err(ApiError::field(
            "person",
            "required",
            "Укажите педагога (teacher_id или teacher_email) или заявителя без учётной записи \
             (person) — что-то одно.",
        )),
    }
}

/// How a registered teacher is named.
enum Lookup {
    Id(String),
    Email(String),
}

/// A teacher of the caller's regions: anyone else is "not found", as for appeals.
fn known(conn: &mut AnyConnection, caller: &Caller, lookup: Lookup) -> Result<Person, ApiError> {
    type Found = (String, Role, Option<String>, Option<NaiveDateTime>);
    let columns = (users::id, users::role, users::region_code, users::erased_at);
    let found: Option<Found> = match lookup {
        Lookup::Id(id) => users::table
            .filter(users::id.eq(id))
            .select(columns)
            .first(conn)
            .optional()?,
        Lookup::Email(email) => users::table
            .filter(users::email.eq(email))
            .select(columns)
            .first(conn)
            .optional()?,
    };
    match found {
        Some((id, Role::Teacher, Some(region), None)) if caller.covers_region(&region) => {
            Ok(Person::Known(id))
        }
        _ => Err(ApiError::NotFound),
    }
}

/// A person without an account: a name, one contact at least, a region of the caller.
fn unregistered(caller: &Caller, p: &UnregisteredPerson) -> Result<Person, ApiError> {
    let name = validate::text("person.name", &p.name, 200, true)?.unwrap_or_default();
    let email = p
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| validate::email("person.email", e))
        .transpose()?;
    let phone = p
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(phone)
        .transpose()?;
    if email.is_none() && phone.is_none() {
        return Err(ApiError::field(
            "person",
            "required",
            "Укажите телефон или адрес электронной почты заявителя.",
        ));
    }
    let region = validate::region("person.region", &p.region)?;
    caller.check_region_filter(&region)?;
    Ok(Person::Unregistered {
        name,
        email,
        phone,
        region,
    })
}

/// A phone number: 10–15 digits with the usual separators.
fn phone(raw: &str) -> Result<String, ApiError> {
    let digits = raw.chars().filter(char::is_ascii_digit).count();
    let allowed = raw
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'));
    if allowed && (10..=15).contains(&digits) {
        Ok(raw.to_owned())
    } else {
        Err(ApiError::field(
            "person.phone",
            "invalid",
            "Укажите телефон цифрами, например +7 843 123-45-67.",
        ))
    }
}

/// The author row of a person without an account: a teacher of the region without any
/// credential (it can never sign in), holding the name and the consent version.
fn placeholder(
    conn: &mut AnyConnection,
    name: &str,
    region: &str,
    version: &str,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let mut user = NewUser::with_role(Role::Teacher);
    user.name = Some(name.to_owned());
    user.region_code = Some(region.to_owned());
    diesel::insert_into(users::table)
        .values(&user)
        .execute(conn)?;
    diesel::update(users::table.find(&user.id))
        .set((
            users::consent_version.eq(version),
            users::consent_at.eq(now),
        ))
        .execute(conn)?;
    Ok(user.id)
}

/// Erases the name and contact of people without an account whose appeal closed more than
/// [`UNREGISTERED_KEEP_DAYS`] ago: the placeholder author loses its name (and is marked
/// erased), the appeal its author name, the record its contacts; the basis stays.
///
/// # Errors
/// A database failure.
pub fn forget_unregistered(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    let cutoff = now - Duration::days(UNREGISTERED_KEEP_DAYS);
    let due: Vec<(String, String)> = ob::table
        .inner_join(appeals::table)
        .filter(ob::unregistered.eq(true))
        .filter(ob::erased_at.is_null())
        .filter(appeals::closed_at.lt(cutoff))
        .select((appeals::id, appeals::teacher_id))
        .limit(BATCH)
        .load(conn)?;
    let none = None::<String>;
    for (appeal, author) in &due {
        diesel::update(users::table.find(author))
            .set((
                users::surname.eq(&none),
                users::name.eq(&none),
                users::patronymic.eq(&none),
                users::email.eq(&none),
                users::erased_at.eq(Some(now)),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
        diesel::update(appeals::table.find(appeal))
            .set(appeals::author_name.eq(&none))
            .execute(conn)?;
        diesel::update(ob::table.find(appeal))
            .set((
                ob::contact_email.eq(&none),
                ob::contact_phone.eq(&none),
                ob::erased_at.eq(Some(now)),
            ))
            .execute(conn)?;
    }
    Ok(due.len())
}
